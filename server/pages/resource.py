"""The page of a resource: its properties, incoming links, figures, photos and schema.org data."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from citykg.server import queries
from citykg.server.appstate import CityKG
from citykg.server.pages.concepts import period_key, period_label
from citykg.server.pages.documents import alternates
from citykg.server.queries import OWL, RDF_TYPE, RDFS, SKOS, S, iri
from citykg.server.store import Term
from citykg.server.urls import UrlMapper
from markupsafe import Markup

#: A place with more figures than this shows the latest figure of each indicator on its page, and
#: every figure on ``?figures=all`` (a city of a large catalogue has hundreds: a 400 KB page).
FIGURES_SHOWN = 50

MATCH_PREDICATES = ("exactMatch", "closeMatch", "relatedMatch", "broadMatch", "narrowMatch")


#: Prefixes pages use beyond those of the data (the ontology's vann: annotations).
EXTRA_PREFIXES = {"vann": "http://purl.org/vocab/vann/"}


def compact(kg: CityKG, uri: str) -> str:
    return queries.compact(uri, {**EXTRA_PREFIXES, **kg.policy.prefixes()})


@dataclass
class Value:
    kind: str  # "local" | "external" | "literal" | "bnode" | "uri"
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    title: str | None = None
    details: list | None = None  # (property label, Value) of a hash IRI's own triples


def value_of(kg: CityKG, urls: UrlMapper, term: Term, names: queries.Labels) -> Value:
    if term.kind == "uri":
        label = names.get(term.value)
        path = urls.path(term.value)
        if path:
            return Value("local", label or compact(kg, term.value), path, title=term.value)
        if term.value.startswith(("http://", "https://")):
            named = queries.licence_name(term.value)
            text = label or (named if named != term.value else compact(kg, term.value))
            return Value("external", text, term.value, title=term.value)
        return Value("uri", term.value)
    if term.kind == "bnode":
        return Value("bnode", "(structure)")
    dt = term.datatype
    shown_dt = None
    if dt and dt not in ("http://www.w3.org/2001/XMLSchema#string",):
        shown_dt = compact(kg, dt)
    text = term.value
    if dt in ("http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#decimal"):
        text = queries.format_number(term.value)
    return Value("literal", text, lang=term.lang, datatype=shown_dt)


def property_rows(kg: CityKG, urls: UrlMapper, pairs: list[tuple[Term, Term]], names: queries.Labels,
                  parts: dict[str, list[tuple[Term, Term]]] | None = None) -> list[dict]:
    parts = parts or {}
    grouped: dict[str, list[Term]] = defaultdict(list)
    for p, o in pairs:
        grouped[p.value].append(o)
    rows = []
    for p, objs in grouped.items():
        label = names.get(p) or queries.humanize(queries.local_name(p))
        values = []
        for o in objs:
            v = value_of(kg, urls, o, names)
            if o.is_uri and o.value in parts:
                v.details = [
                    (names.get(pp.value) or queries.humanize(queries.local_name(pp.value)),
                     value_of(kg, urls, oo, names))
                    for pp, oo in parts[o.value]
                    if pp.value != RDF_TYPE
                ]
                v.kind, v.text = "part", "#" + o.value.rsplit("#", 1)[1]
            values.append(v)
        values.sort(key=lambda v: (v.kind != "local", v.lang or "", v.text))
        rows.append({"label": label, "uri": p, "compact": compact(kg, p), "href": urls.path(p) or p,
                     "values": values, "count": len(values)})
    return sorted(rows, key=lambda r: (r["label"].lower(), r["uri"]))


def schema_org(uri: str, pairs: list[tuple[Term, Term]], names: queries.Labels, page_url: str,
               parts: dict[str, list[tuple[Term, Term]]] | None = None) -> str | None:
    """schema.org JSON-LD for search engines, safe to embed in <script>."""
    kinds = [o.value[len(S) :] for p, o in pairs if p.value == RDF_TYPE and o.value.startswith(S)]
    if not kinds:
        return None
    data: dict = {"@context": "https://schema.org", "@id": uri, "@type": kinds[0] if len(kinds) == 1 else kinds}
    en, zh = names.exact(uri, "en") or names.get(uri), names.exact(uri, "zh")
    if en:
        data["name"] = en
    if zh:
        data["alternateName"] = zh
    data["url"] = page_url
    same = sorted(o.value for p, o in pairs if p.value == f"{OWL}sameAs")
    if same:
        data["sameAs"] = same
    for p, o in pairs:
        if p.value == f"{S}description" and o.is_literal and (o.lang in (None, "en")):
            data["description"] = o.value
        if p.value == f"{S}containedInPlace" and o.is_uri:
            data["containedInPlace"] = {"@id": o.value, "name": names.get(o.value) or o.value}
        if p.value == f"{S}location" and o.is_uri:
            data["location"] = {"@id": o.value, "name": names.get(o.value) or o.value}
        if p.value == f"{S}geo" and o.is_uri and parts and o.value in parts:
            coords = {pp.value[len(S):]: oo.value for pp, oo in parts[o.value] if pp.value.startswith(S)}
            if "latitude" in coords and "longitude" in coords:
                data["geo"] = {"@type": "GeoCoordinates", "latitude": float(coords["latitude"]),
                               "longitude": float(coords["longitude"])}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # Never let data close the script element.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for a JSON data block


@dataclass
class Figures:
    """The figures a page's table shows: all of them, or the latest of each indicator."""

    shown: list[queries.Indicator]
    total: int
    all: bool  # every figure is shown
    indicators: int  # distinct (indicator, industry) series
    many: bool  # more than FIGURES_SHOWN: the page shows the latest of each unless asked for all


def figures_table(indicators: list[queries.Indicator], every: bool) -> Figures:
    """Up to `FIGURES_SHOWN` figures, or `every`: all of them; past that, every undated figure (what a
    profile states) and the latest dated one of each indicator and industry (a table's series), in the
    order of the full table."""
    series: dict[tuple[str, str | None], queries.Indicator] = {}
    for i in indicators:
        if i.period is None:
            continue
        key = (i.indicator, i.industry)
        best = series.get(key)
        if best is None or period_key(period_label(i.period)) > period_key(period_label(best.period)):
            series[key] = i
    count = len({(i.indicator, i.industry) for i in indicators})
    many = len(indicators) > FIGURES_SHOWN
    if every or not many:
        return Figures(indicators, len(indicators), True, count, many)
    latest = set(map(id, series.values()))
    shown = [i for i in indicators if i.period is None or id(i) in latest]
    return Figures(shown, len(indicators), False, count, many)


def resource_page(kg: CityKG, urls: UrlMapper, uri: str, path: str, page: int, *, kind: str = "resource",
                  every_figure: bool = False) -> dict:
    """The page of a resource (a thing, a term, a concept scheme or the ontology) at `path` (served
    as `urls` maps it), with incoming links page `page`; `every_figure`: the figures table holds every
    figure, not only the latest of each indicator (see `FIGURES_SHOWN`)."""
    store = kg.store
    pairs = queries.outgoing(store, uri)
    hash_parts = queries.parts(store, uri)
    inc, more = queries.incoming(store, uri, page)
    type_uris = sorted({o.value for p, o in pairs if p.value == RDF_TYPE and o.is_uri})
    wanted = {uri} | {p.value for p, _ in pairs} | {o.value for _, o in pairs if o.is_uri}
    wanted |= {s.value for s, _ in inc} | {p.value for _, p in inc}
    wanted |= {t.value for po in hash_parts.values() for pair in po for t in pair if t.is_uri}
    names = queries.labels(store, wanted)
    queries.add_observation_titles(store, kg.policy, names, wanted)
    indicators = queries.indicators(store, kg.policy, uri)
    photos = queries.photos(store, uri)
    table_pairs = [(p, o) for p, o in pairs if p.value != RDF_TYPE]
    incoming_rows = property_rows(kg, urls, [(p, s) for s, p in inc], names)
    alts = alternates(path)
    page_url = urls.url(path)
    title = names.exact(uri, "en") or names.get(uri) or compact(kg, uri)
    types = [value_of(kg, urls, Term("uri", t), names) for t in type_uris]
    ctx = {
        "uri": uri,
        "kind": kind,
        "title": title,
        "lead": lead(kg, urls, uri, title, pairs, types, names, indicators),
        "title_zh": names.exact(uri, "zh"),
        "types": types,
        "rows": property_rows(kg, urls, table_pairs, names, hash_parts),
        "incoming": incoming_rows,
        "incoming_count": sum(r["count"] for r in incoming_rows),
        "incoming_page": page,
        "incoming_more": more,
        "path": path,
        "indicators": indicators,
        "figures": figures_table(indicators, every_figure),
        "photos": photos,
        "licence_names": queries.LICENCES,
        "alternates": alts,
        "schema_org": schema_org(uri, pairs, names, page_url, hash_parts),
        "names": names,
    }
    if kind == "scheme":
        ctx["concepts"] = scheme_concepts(kg, urls, uri)
    if kind == "ontology":
        ctx.update(ontology_overview(kg, urls))
    return ctx


@dataclass
class Lead:
    """The first thing a page says: what the resource is, its key figure in words, and where from."""

    label: str
    kind: str  # "city", "observation", ... with its article: "a city", "an observation"
    where: list[Value]  # the places it is in, nearest first
    figure: queries.Indicator | None = None
    figure_place: Value | None = None  # an observation's place
    source: Value | None = None
    quote: str | None = None
    description: str | None = None  # a city's schema:description (the demo's "a fictional city")
    of: Value | None = None  # a narrative's city
    about: list[Value] | None = None  # a narrative's themes (dct:subject)


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _kind(kg: CityKG, uri: str, pairs: list[tuple[Term, Term]], types: list[Value]) -> str:
    word = queries.kind_of(kg.policy, uri, {o.value for p, o in pairs if p.value == RDF_TYPE})
    if word:
        return word
    named = [t.text for t in types if ":" not in t.text]
    return named[0].lower() if named else "resource"


def lead(kg: CityKG, urls: UrlMapper, uri: str, title: str, pairs: list[tuple[Term, Term]], types: list[Value],
         names: queries.Labels, indicators: list[queries.Indicator]) -> Lead:
    """The lead of the page: "Nanchang is a city in Jiangxi, China — population 6,255,000 (source …)";
    for an observation its place, indicator, value in words with qualifier, unit, period and source."""
    kind = _kind(kg, uri, pairs, types)
    out = Lead(label=title, kind=_article(kind), where=[])
    store = kg.store
    seen = {uri}
    place = next((o for p, o in pairs if p.value == f"{S}containedInPlace" and o.is_uri), None)
    while place is not None and place.value not in seen and len(out.where) < 3:
        seen.add(place.value)
        more = queries.labels(store, {place.value})
        out.where.append(value_of(kg, urls, place, more))
        up = store.select(f"SELECT ?o WHERE {{ {iri(place.value)} <{S}containedInPlace> ?o . FILTER isIRI(?o) }} "
                          "LIMIT 1")
        place = up[0]["o"] if up else None
    derived = next((o for p, o in pairs if p.value == f"{queries.PROV}wasDerivedFrom" and o.is_uri), None)
    if kind == "city":
        out.description = next((o.value for p, o in pairs if p.value == f"{S}description" and o.is_literal
                                and (o.lang or "en").startswith("en")), None)
    if kind == "cooperation narrative":
        city = next((o for p, o in pairs if p.value == str(kg.policy.term("narrativeOf")) and o.is_uri), None)
        out.of = value_of(kg, urls, city, names) if city is not None else None
        out.about = [value_of(kg, urls, o, names) for p, o in pairs if p.value == f"{queries.DCT}subject" and o.is_uri]
    if kind == "observation":
        area = next((o for p, o in pairs if p.value == f"{queries.SDMX_DIM}refArea" and o.is_uri), None)
        if area is not None:
            out.figure = next((i for i in queries.indicators(store, kg.policy, area.value, observation=uri)
                               if i.observation == uri), None)
            out.figure_place = value_of(kg, urls, area, queries.labels(store, {area.value}))
    elif indicators:
        key = {queries.local_name(i.indicator): i for i in indicators}
        out.figure = key.get("population") or key.get("area")
    if out.figure is not None:
        out.quote = out.figure.source
        if kind != "observation":
            found = store.select(f"SELECT ?s WHERE {{ {iri(out.figure.observation)} <{queries.PROV}wasDerivedFrom> ?s "
                                 f". FILTER isIRI(?s) }} LIMIT 1")
            derived = found[0]["s"] if found else derived
    if derived is not None:
        out.source = value_of(kg, urls, derived, queries.labels(store, {derived.value}))
    return out


def scheme_concepts(kg: CityKG, urls: UrlMapper, scheme: str) -> list[dict]:
    store = kg.store
    rows = store.select(
        f"""SELECT ?c ?def ?broader ?mp ?m ?unit WHERE {{
          ?c <{SKOS}inScheme> {iri(scheme)} .
          OPTIONAL {{ ?c <{SKOS}definition> ?def FILTER(lang(?def) = "" || langMatches(lang(?def), "en")) }}
          OPTIONAL {{ ?c <{SKOS}broader> ?broader }}
          OPTIONAL {{ VALUES ?mp {{ {" ".join(f"<{SKOS}{m}>" for m in MATCH_PREDICATES)} }} ?c ?mp ?m }}
          OPTIONAL {{ ?c <{kg.policy.term("unit")}> ?unit }}
        }}"""
    )
    names = queries.labels(store, {r[k].value for r in rows for k in ("c", "broader") if k in r})
    concepts: dict[str, dict] = {}
    for r in rows:
        c = r["c"].value
        entry = concepts.setdefault(
            c,
            {"value": value_of(kg, urls, r["c"], names), "definition": None, "broader": None, "matches": [],
             "unit": None},
        )
        if "def" in r:
            entry["definition"] = r["def"].value
        if "broader" in r:
            entry["broader"] = value_of(kg, urls, r["broader"], names)
        if "unit" in r:
            entry["unit"] = queries.UNITS.get(r["unit"].value, ("", queries.local_name(r["unit"].value)))[1]
        if "m" in r:
            m = (queries.humanize(queries.local_name(r["mp"].value)), value_of(kg, urls, r["m"], names))
            if m not in entry["matches"]:
                entry["matches"].append(m)
    return sorted(concepts.values(), key=lambda e: e["value"].text.lower())


def ontology_overview(kg: CityKG, urls: UrlMapper) -> dict:
    store = kg.policy and kg.store
    ns = kg.policy.term("")
    classes = store.select(
        f"""SELECT ?c ?comment WHERE {{ ?c <{RDF_TYPE}> ?t . VALUES ?t {{ <{OWL}Class> <{RDFS}Class> }}
          FILTER(isIRI(?c) && STRSTARTS(STR(?c), "{ns}"))
          OPTIONAL {{ ?c <{RDFS}comment>|<{SKOS}definition> ?comment }} }}"""
    )
    props = store.select(
        f"""SELECT ?p ?domain ?range ?comment WHERE {{ ?p <{RDF_TYPE}> ?t .
          VALUES ?t {{ <{OWL}ObjectProperty> <{OWL}DatatypeProperty> <{OWL}AnnotationProperty>
                       <{RDF_TYPE[:-4]}Property> }}
          FILTER(isIRI(?p) && STRSTARTS(STR(?p), "{ns}"))
          OPTIONAL {{ ?p <{RDFS}domain> ?domain . FILTER isIRI(?domain) }}
          OPTIONAL {{ ?p <{RDFS}range> ?range . FILTER isIRI(?range) }}
          OPTIONAL {{ ?p <{RDFS}comment>|<{SKOS}definition> ?comment }} }}"""
    )
    schemes = store.select(
        f"""SELECT ?s (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?s <{RDF_TYPE}> <{SKOS}ConceptScheme> .
          OPTIONAL {{ ?c <{SKOS}inScheme> ?s }} }} GROUP BY ?s ORDER BY ?s"""
    )
    wanted = {r[k].value for rows in (classes, props) for r in rows for k in ("c", "p", "domain", "range") if k in r}
    wanted |= {r["s"].value for r in schemes}
    names = queries.labels(store, wanted)

    def collect(rows, key):
        out: dict[str, dict] = {}
        for r in rows:
            e = out.setdefault(
                r[key].value, {"value": value_of(kg, urls, r[key], names), "comment": None, "domains": [], "ranges": []}
            )
            if "comment" in r and not e["comment"]:
                e["comment"] = r["comment"].value
            for k, field in (("domain", "domains"), ("range", "ranges")):
                if k in r:
                    v = value_of(kg, urls, r[k], names)
                    if v not in e[field]:
                        e[field].append(v)
        return sorted(out.values(), key=lambda e: e["value"].text.lower())

    listed = [{"value": value_of(kg, urls, r["s"], names), "count": int(r["n"].value), "uri": r["s"].value}
              for r in schemes]
    own = f"{kg.policy.base}/def/"
    return {
        "classes": collect(classes, "c"),
        "properties": collect(props, "p"),
        # the ontology's own schemes; the EU authority tables the catalogue uses are listed apart
        "schemes": [s for s in listed if s["uri"].startswith(own)],
        "authority_tables": [s for s in listed if not s["uri"].startswith(own)],
    }
