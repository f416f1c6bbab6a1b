"""The answers of the reconciliation service (W3C Entity Reconciliation Service API 0.2): the
manifest, query batches, suggest, data extension and the preview, as JSON-ready values.

Pure functions of the `CityKG`, the `UrlMapper` and the request's values; the matching itself is
`citykg.server.reconcile`.
"""

from __future__ import annotations

from typing import Any

from citykg.server import queries, reconcile
from citykg.server.appstate import CityKG
from citykg.server.queries import SDMX_DIM, S, iri
from citykg.server.reconcile import PLACE_PROPERTIES, Index
from citykg.server.urls import UrlMapper

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_BATCH = 500
MAX_LIMIT = 100
LABEL_ZH = "label@zh"
LABEL_EN = "label@en"


class ReconcileRequestError(ValueError):
    """A request the API does not allow (the route answers 400 with the message)."""


def _ix(kg: CityKG) -> Index:
    return reconcile.index(kg)


def _type_ref(ix: Index, type_id: str) -> dict:
    return {"id": type_id, "name": ix.type_names.get(type_id, queries.local_name(type_id))}


def resolve_type(ix: Index, value: Any) -> str | None:
    """A type of a query: an id, a name ("City"), or a list of them (the first known one)."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        for v in value:
            found = resolve_type(ix, v)
            if found:
                return found
        return None
    if isinstance(value, dict):
        value = value.get("id") or value.get("name")
    text = str(value).strip()
    for t in ix.types:
        if text in (t.id, t.name) or text.lower() == t.name.lower():
            return t.id
    raise ReconcileRequestError(f"unknown type {text!r}; the types are {', '.join(t.name for t in ix.types)}")


def manifest(kg: CityKG, urls: UrlMapper) -> dict:
    ix = _ix(kg)
    service = urls.url(urls.local("/reconcile"))
    return {
        "versions": ["0.1", "0.2"],
        "name": f"{kg.release.title or 'citykg'} (reconciliation)",
        "identifierSpace": kg.policy.base + "/",
        "schemaSpace": kg.policy.base + "/def/",
        "documentation": urls.url(urls.local("/")),
        "defaultTypes": [{"id": t.id, "name": t.name} for t in ix.types],
        "view": {"url": f"{service}/view?id={{{{id}}}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": 430, "height": 180},
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/propose_properties"},
            "property_settings": [],
        },
        "batchSize": 100,
    }


def _values(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        return [x for item in v for x in _values(item)]
    if isinstance(v, dict):
        return [str(x) for x in (v.get("id"), v.get("name")) if x]
    return [str(v)]


def _limit(value: Any, default: int) -> int:
    if value is None:
        return default
    try:
        n = int(value)
    except (TypeError, ValueError) as exc:
        raise ReconcileRequestError("limit must be an integer") from exc
    return max(1, min(n, MAX_LIMIT))


def reconcile_one(ix: Index, q: Any) -> dict:
    if isinstance(q, str):
        q = {"query": q}
    if not isinstance(q, dict):
        raise ReconcileRequestError("a query is an object with 'query'")
    text = q.get("query")
    if not isinstance(text, str):
        raise ReconcileRequestError("a query needs 'query', a string")
    type_id = resolve_type(ix, q.get("type"))
    props: list[tuple[str, list[str]]] = []
    for p in q.get("properties") or []:
        if not isinstance(p, dict):
            raise ReconcileRequestError("a property is an object with 'pid' and 'v'")
        pid = p.get("pid") or p.get("p")
        if not pid:
            raise ReconcileRequestError("a property needs 'pid'")
        props.append((str(pid), _values(p.get("v"))))
    cands = ix.reconcile(text[:300], type_id=type_id, limit=_limit(q.get("limit"), 5), properties=props)
    result = []
    for i, c in enumerate(cands):
        features = [{"id": "name", "value": round(c.name_score / 100, 3)}]
        features += [{"id": pid, "value": 1.0 if ok else 0.0} for pid, ok in c.matched.items()]
        result.append({
            "id": c.thing.uri,
            "name": c.thing.name(),
            "type": [_type_ref(ix, t) for t in c.thing.types],
            "score": round(c.score, 2),
            "match": ix.is_match(cands, i),
            "features": features,
            "description": _description(ix, c.thing.uri),
        })
    return {"result": result}


def _description(ix: Index, uri: str) -> str:
    thing = ix.things[uri]
    kind = next((ix.type_names[t] for t in thing.types if t in ix.type_names), "")
    places = [ix.things[p].name() for p in ix.ancestors(uri) if p in ix.things][:2]
    return f"{kind} in {', '.join(places)}" if places else kind


def reconcile_batch(kg: CityKG, batch: Any) -> dict:
    if not isinstance(batch, dict):
        raise ReconcileRequestError("queries is an object of queries by key")
    if len(batch) > MAX_BATCH:
        raise ReconcileRequestError(f"at most {MAX_BATCH} queries a batch")
    ix = _ix(kg)
    return {str(key): reconcile_one(ix, q) for key, q in batch.items()}


def suggest_entity(kg: CityKG, prefix: str, type_id: Any = None, limit: Any = None) -> dict:
    ix = _ix(kg)
    things = ix.suggest(prefix[:200], type_id=resolve_type(ix, type_id), limit=_limit(limit, 10))
    return {"result": [{"id": t.uri, "name": t.name(), "description": _description(ix, t.uri),
                        "notable": [_type_ref(ix, x) for x in t.types]} for t in things]}


def suggest_type(kg: CityKG, prefix: str) -> dict:
    ix = _ix(kg)
    p = prefix.strip().lower()
    return {"result": [{"id": t.id, "name": t.name} for t in ix.types
                       if p in t.name.lower() or p in queries.local_name(t.id).lower()]}


def _indicators(kg: CityKG, ix: Index) -> list[tuple[str, str]]:
    """(IRI, label) of every indicator with an observation, the most common first; once per process."""
    found = kg.derived.get("reconcile_indicators")
    if found is None:
        rows = kg.store.select(
            f"SELECT ?ind (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?obs <{kg.policy.term('indicator')}> ?ind ; "
            f"<{SDMX_DIM}refArea> ?x }} GROUP BY ?ind")
        # the indicators most places have first
        uris = [r["ind"].value for r in sorted(rows, key=lambda r: (-int(r["n"].value), r["ind"].value))]
        names = queries.labels(kg.store, uris)
        found = [(u, names.get(u) or queries.humanize(queries.local_name(u))) for u in uris]
        kg.derived["reconcile_indicators"] = found
    return found


def properties(kg: CityKG) -> list[dict]:
    ix = _ix(kg)
    out = [{"id": pid, "name": name, "description": desc} for pid, (name, desc) in PLACE_PROPERTIES.items()]
    out += [{"id": LABEL_EN, "name": "label (English)"}, {"id": LABEL_ZH, "name": "label (Chinese)"}]
    out += [{"id": u, "name": name, "description": "indicator: the latest value"} for u, name in _indicators(kg, ix)]
    return out


def suggest_property(kg: CityKG, prefix: str) -> dict:
    p = prefix.strip().lower()
    return {"result": [{"id": x["id"], "name": x["name"], "description": x.get("description", "")}
                       for x in properties(kg) if p in x["name"].lower() or p in x["id"].lower()][:MAX_LIMIT]}


def propose_properties(kg: CityKG, type_id: Any, limit: Any = None) -> dict:
    ix = _ix(kg)
    t = resolve_type(ix, type_id)
    props = properties(kg)
    if t == ix.types[-1].id:  # indicators are concepts: only their labels
        props = [p for p in props if p["id"] in (LABEL_EN, LABEL_ZH)]
    elif t == str(kg.policy.term("Province")):
        props = [p for p in props if p["id"] not in ("city", "province")]
    elif t == f"{S}Country":
        props = [p for p in props if p["id"] not in ("city", "province", "country")]
    n = _limit(limit, len(props))
    return {"type": t or "", "limit": n, "properties": [{"id": p["id"], "name": p["name"]} for p in props[:n]]}


def _number(value: str, datatype: str | None) -> dict:
    if datatype in (f"{XSD}integer", f"{XSD}int", f"{XSD}long", f"{XSD}nonNegativeInteger"):
        try:
            return {"int": int(value)}
        except ValueError:
            pass
    try:
        return {"float": float(value)}
    except ValueError:
        return {"str": value}


def extend(kg: CityKG, request: Any) -> dict:
    """Data extension: for each id, the values of each property asked for."""
    if not isinstance(request, dict) or not isinstance(request.get("ids"), list):
        raise ReconcileRequestError("extend is an object with 'ids' (a list) and 'properties'")
    ids = [str(i) for i in request["ids"]][:MAX_BATCH]
    wanted = [p.get("id") if isinstance(p, dict) else p for p in request.get("properties") or []]
    if not all(isinstance(w, str) and w for w in wanted):
        raise ReconcileRequestError("every property needs an 'id'")
    ix = _ix(kg)
    known = {p["id"]: p["name"] for p in properties(kg)}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ReconcileRequestError(f"unknown properties: {', '.join(unknown)} (see propose_properties)")
    indicators = [w for w in wanted if w not in PLACE_PROPERTIES and w not in (LABEL_EN, LABEL_ZH)]
    values = reconcile.indicator_values(kg.store, kg.policy, [i for i in ids if _safe(i)], indicators)
    names = queries.labels(kg.store, [i for i in ids if _safe(i)])
    rows: dict[str, dict[str, list[dict]]] = {}
    for uri in ids:
        row: dict[str, list[dict]] = {}
        for pid in wanted:
            if pid in PLACE_PROPERTIES:
                row[pid] = [{"id": p, "name": ix.things[p].name() if p in ix.things else p}
                            for p in (ix.place(uri, pid) if uri in ix.things else [])]
            elif pid in (LABEL_EN, LABEL_ZH):
                text = names.exact(uri, pid.split("@")[1])
                row[pid] = [{"str": text}] if text else []
            else:
                found = values.get(uri, {}).get(pid)
                row[pid] = [_number(found[0], found[1])] if found else []
        rows[uri] = row
    meta = []
    for pid in wanted:
        entry: dict[str, Any] = {"id": pid, "name": known[pid]}
        if pid in PLACE_PROPERTIES:
            kinds = {"city": str(kg.policy.term("City")), "province": str(kg.policy.term("Province")),
                     "country": f"{S}Country"}
            entry["type"] = _type_ref(ix, kinds.get(pid, kinds["city"]))
        meta.append(entry)
    return {"meta": meta, "rows": rows}


def _safe(uri: str) -> bool:
    try:
        iri(uri)
    except ValueError:
        return False
    return True


def preview(kg: CityKG, urls: UrlMapper, uri: str) -> dict | None:
    """What the preview card shows: names, type, places, a few indicators; None if unknown."""
    ix = _ix(kg)
    thing = ix.things.get(uri)
    if thing is None:
        return None
    # the card shows the population and the area
    wanted = [f"{kg.policy.base}/def/indicator/population", f"{kg.policy.base}/def/indicator/area"]
    values = reconcile.indicator_values(kg.store, kg.policy, [uri], wanted).get(uri, {})
    figures = [(queries.local_name(w), queries.format_number(v[0]), v[2]) for w, v in values.items()]
    return {
        "uri": uri,
        "name": thing.name(),
        "zh": next((n.label for n in thing.labels if n.lang == "zh"), None),
        "others": sorted({n.label for n in thing.labels if n.label != thing.name()} - {None})[:6],
        "kind": _description(ix, uri),
        "href": urls.url(urls.path(uri)) if urls.path(uri) else uri,
        "figures": figures,
    }
