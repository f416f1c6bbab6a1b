"""Routes: home, /id -> /doc, /def, search, downloads, catalogue, VoID, context (docs/server.md)."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, NotAcceptable

from citykg.server import conneg, queries, rdf
from citykg.server.app import state
from citykg.server.queries import DCT, OWL, RDF_TYPE, RDFS, SKOS, S, iri
from citykg.server.release import read_triples
from citykg.server.search import search as run_search
from citykg.server.store import Term

bp = Blueprint("views", __name__)


class NotAcceptableOffers(NotAcceptable):
    """406 that remembers what the route offers (listed in the error body)."""

    def __init__(self, offers: tuple[str, ...]) -> None:
        super().__init__()
        self.offers = offers

RDF_OFFERS = (conneg.TURTLE, conneg.JSONLD, conneg.RDFXML, conneg.NTRIPLES)
FORMAT_NAMES = {
    conneg.HTML: "HTML",
    conneg.TURTLE: "Turtle",
    conneg.JSONLD: "JSON-LD",
    conneg.RDFXML: "RDF/XML",
    conneg.NTRIPLES: "N-Triples",
}
_EXT_RE = re.compile(r"^(?P<path>.+?)\.(?P<ext>html|ttl|jsonld|rdf|nt)$")
_PATH_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*)*$")
MATCH_PREDICATES = ("exactMatch", "closeMatch", "relatedMatch", "broadMatch", "narrowMatch")


# -- mapping between canonical URIs and the host that serves them -------------------


def served_path(uri: str, *, page: bool = True) -> str | None:
    """The path on this server for a canonical URI, None if this server has no route for it.

    ``BASE/id/x`` -> ``/doc/x`` (the page, when `page`), ``BASE/def/x`` -> ``/def/x``.
    """
    kg = state()
    base = kg.policy.base
    if not uri.startswith(base + "/"):
        return None
    path = uri[len(base) :]
    if "#" in path or "?" in path:
        return None
    root = request.script_root
    if path.startswith("/id/"):
        return root + ("/doc/" if page else "/id/") + path[4:]
    if path.startswith(("/doc/", "/def/", "/download/")) or path in (
        "/",
        "/def/",
        "/catalog",
        "/sparql",
        "/.well-known/void",
        "/context.jsonld",
        "/download",
    ):
        return root + path
    return None


def served_url(path: str) -> str:
    return request.host_url.rstrip("/") + path


def compact(uri: str) -> str:
    return queries.compact(uri, state().policy.prefixes())


def split_ext(rest: str) -> tuple[str, str | None]:
    m = _EXT_RE.match(rest)
    if m:
        return m["path"], m["ext"]
    return rest, None


def choose(ext: str | None, offers: tuple[str, ...] = conneg.DOCUMENT_OFFERS) -> str:
    if ext:
        media = conneg.EXTENSIONS[ext]
        if media not in offers:
            abort(404)
        return media
    media = conneg.negotiate(request.headers.get("Accept"), offers)
    if media is None:
        raise NotAcceptableOffers(offers)
    return media


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 100000:
        abort(400, "page must be a positive integer")
    return int(raw)


def alternates(path: str, offers: tuple[str, ...] = conneg.DOCUMENT_OFFERS) -> list[dict]:
    return [
        {"media": m, "name": FORMAT_NAMES[m], "ext": conneg.EXTENSION_OF[m], "href": f"{path}.{conneg.EXTENSION_OF[m]}"}
        for m in offers
    ]


def link_header(alts: list[dict], extra: list[str] | None = None) -> str:
    links = [f'<{a["href"]}>; rel="alternate"; type="{a["media"]}"' for a in alts]
    return ", ".join(links + (extra or []))


def rdf_response(triples, media: str, *, negotiated: bool, path: str, offers=conneg.DOCUMENT_OFFERS,
                 links: list[str] | None = None, primary: str | None = None) -> Response:
    kg = state()
    body = rdf.serialize(
        triples,
        media,
        prefixes=kg.policy.prefixes(),
        context=kg.context["@context"],
        context_url=served_url(url_for("views.context")),
        primary=primary,
    )
    resp = Response(body, content_type=rdf.CONTENT_TYPES[media])
    finish_document(resp, media, negotiated=negotiated, path=path, offers=offers, links=links)
    return resp


def finish_document(resp: Response, media: str, *, negotiated: bool, path: str, offers, links=None) -> None:
    alts = alternates(path, offers)
    resp.headers["Link"] = link_header(alts, links)
    if negotiated:
        resp.headers["Vary"] = "Accept"
        resp.headers["Content-Location"] = f"{path}.{conneg.EXTENSION_OF[media]}"


# -- building page models ----------------------------------------------------------------


@dataclass
class Value:
    kind: str  # "local" | "external" | "literal" | "bnode" | "uri"
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    title: str | None = None
    details: list | None = None  # (property label, Value) of a hash IRI's own triples


def value_of(term: Term, names: queries.Labels) -> Value:
    if term.kind == "uri":
        label = names.get(term.value)
        path = served_path(term.value)
        if path:
            return Value("local", label or compact(term.value), path, title=term.value)
        if term.value.startswith(("http://", "https://")):
            return Value("external", label or compact(term.value), term.value, title=term.value)
        return Value("uri", term.value)
    if term.kind == "bnode":
        return Value("bnode", "(structure)")
    dt = term.datatype
    shown_dt = None
    if dt and dt not in ("http://www.w3.org/2001/XMLSchema#string",):
        shown_dt = compact(dt)
    text = term.value
    if dt in ("http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#decimal"):
        text = queries.format_number(term.value)
    return Value("literal", text, lang=term.lang, datatype=shown_dt)


def property_rows(pairs: list[tuple[Term, Term]], names: queries.Labels,
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
            v = value_of(o, names)
            if o.is_uri and o.value in parts:
                v.details = [
                    (names.get(pp.value) or queries.humanize(queries.local_name(pp.value)), value_of(oo, names))
                    for pp, oo in parts[o.value]
                    if pp.value != RDF_TYPE
                ]
                v.kind, v.text = "part", "#" + o.value.rsplit("#", 1)[1]
            values.append(v)
        values.sort(key=lambda v: (v.kind != "local", v.lang or "", v.text))
        rows.append({"label": label, "uri": p, "compact": compact(p), "href": served_path(p) or p, "values": values})
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


def resource_page(uri: str, path: str, page: int, *, kind: str = "resource") -> str:
    kg = state()
    store = kg.store
    pairs = queries.outgoing(store, uri)
    hash_parts = queries.parts(store, uri)
    inc, more = queries.incoming(store, uri, page)
    type_uris = sorted({o.value for p, o in pairs if p.value == RDF_TYPE and o.is_uri})
    wanted = {uri} | {p.value for p, _ in pairs} | {o.value for _, o in pairs if o.is_uri}
    wanted |= {s.value for s, _ in inc} | {p.value for _, p in inc}
    wanted |= {t.value for po in hash_parts.values() for pair in po for t in pair if t.is_uri}
    names = queries.labels(store, wanted)
    indicators = queries.indicators(store, kg.policy, uri)
    photos = queries.photos(store, uri)
    table_pairs = [(p, o) for p, o in pairs if p.value != RDF_TYPE]
    incoming_rows = property_rows([(p, s) for s, p in inc], names)
    alts = alternates(path)
    page_url = served_url(path)
    ctx = {
        "uri": uri,
        "kind": kind,
        "title": names.exact(uri, "en") or names.get(uri) or compact(uri),
        "title_zh": names.exact(uri, "zh"),
        "types": [value_of(Term("uri", t), names) for t in type_uris],
        "rows": property_rows(table_pairs, names, hash_parts),
        "incoming": incoming_rows,
        "incoming_page": page,
        "incoming_more": more,
        "path": path,
        "indicators": indicators,
        "photos": photos,
        "licence_names": queries.LICENCES,
        "alternates": alts,
        "schema_org": schema_org(uri, pairs, names, page_url, hash_parts),
        "names": names,
    }
    if kind == "scheme":
        ctx["concepts"] = scheme_concepts(uri)
    if kind == "ontology":
        ctx.update(ontology_overview())
    return render_template("resource.html", **ctx)


def scheme_concepts(scheme: str) -> list[dict]:
    store = state().store
    rows = store.select(
        f"""SELECT ?c ?def ?broader ?mp ?m ?unit WHERE {{
          ?c <{SKOS}inScheme> {iri(scheme)} .
          OPTIONAL {{ ?c <{SKOS}definition> ?def FILTER(lang(?def) = "" || langMatches(lang(?def), "en")) }}
          OPTIONAL {{ ?c <{SKOS}broader> ?broader }}
          OPTIONAL {{ VALUES ?mp {{ {" ".join(f"<{SKOS}{m}>" for m in MATCH_PREDICATES)} }} ?c ?mp ?m }}
          OPTIONAL {{ ?c <{state().policy.term("unit")}> ?unit }}
        }}"""
    )
    names = queries.labels(store, {r[k].value for r in rows for k in ("c", "broader") if k in r})
    concepts: dict[str, dict] = {}
    for r in rows:
        c = r["c"].value
        entry = concepts.setdefault(
            c,
            {"value": value_of(r["c"], names), "definition": None, "broader": None, "matches": [], "unit": None},
        )
        if "def" in r:
            entry["definition"] = r["def"].value
        if "broader" in r:
            entry["broader"] = value_of(r["broader"], names)
        if "unit" in r:
            entry["unit"] = queries.UNITS.get(r["unit"].value, ("", queries.local_name(r["unit"].value)))[1]
        if "m" in r:
            m = (queries.humanize(queries.local_name(r["mp"].value)), value_of(r["m"], names))
            if m not in entry["matches"]:
                entry["matches"].append(m)
    return sorted(concepts.values(), key=lambda e: e["value"].text.lower())


def ontology_overview() -> dict:
    kg = state()
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
                r[key].value, {"value": value_of(r[key], names), "comment": None, "domains": [], "ranges": []}
            )
            if "comment" in r and not e["comment"]:
                e["comment"] = r["comment"].value
            for k, field in (("domain", "domains"), ("range", "ranges")):
                if k in r:
                    v = value_of(r[k], names)
                    if v not in e[field]:
                        e[field].append(v)
        return sorted(out.values(), key=lambda e: e["value"].text.lower())

    return {
        "classes": collect(classes, "c"),
        "properties": collect(props, "p"),
        "schemes": [{"value": value_of(r["s"], names), "count": int(r["n"].value)} for r in schemes],
    }


# -- routes ----------------------------------------------------------------------------


@bp.route("/")
def home():
    kg = state()
    store = kg.store
    cities = store.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDF_TYPE}> <{S}City> }}")
    names = queries.labels(store, {r["c"].value for r in cities})
    city_list = sorted(
        (
            {
                "href": served_path(r["c"].value),
                "name": names.exact(r["c"].value, "en") or names.get(r["c"].value),
                "zh": names.exact(r["c"].value, "zh"),
                "uri": r["c"].value,
            }
            for r in cities
        ),
        key=lambda c: (c["name"] or "").lower(),
    )
    counts = home_counts()
    meta = store.select(
        f"""SELECT ?title ?desc ?lic WHERE {{
          OPTIONAL {{ {iri(str(kg.policy.dataset))} <{DCT}title> ?title }}
          OPTIONAL {{ {iri(str(kg.policy.dataset))} <{DCT}description> ?desc }}
          OPTIONAL {{ {iri(str(kg.policy.dataset))} <{DCT}license> ?lic }} }} LIMIT 1"""
    )
    m = meta[0] if meta else {}
    licence = m["lic"].value if "lic" in m else kg.release.license
    return render_template(
        "home.html",
        title=m["title"].value if "title" in m else kg.release.title,
        description=m["desc"].value if "desc" in m else None,
        licence=licence,
        licence_name=queries.LICENCES.get(licence or "", licence),
        cities=city_list,
        triples=counts["triples"],
        observations=counts["observations"],
        things=counts["things"],
        manifest=kg.manifest,
        base=kg.policy.base,
    )


def home_counts() -> dict[str, int]:
    """Counts for the home page, once per process (the release does not change while served)."""
    kg = state()
    if "home_counts" not in kg.cache:
        store = kg.store
        obs = store.select(
            f"SELECT (COUNT(DISTINCT ?obs) AS ?n) WHERE {{ ?obs <{RDF_TYPE}> <{queries.QB}Observation> }}"
        )
        id_prefix = kg.policy.base + "/id/"
        things = store.select(
            f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o . FILTER(STRSTARTS(STR(?s), "{id_prefix}")) }}'
        )
        kg.cache["home_counts"] = {
            "triples": len(store),
            "observations": int(obs[0]["n"].value) if obs else 0,
            "things": int(things[0]["n"].value) if things else 0,
        }
    return kg.cache["home_counts"]


@bp.route("/id/<path:rest>")
def thing(rest: str):
    kg = state()
    path, ext = split_ext(rest)
    if not _PATH_RE.match(path):
        abort(404)
    uri = f"{kg.policy.base}/id/{path}"
    if not queries.exists(kg.store, uri):
        abort(404)
    target = f"{request.script_root}/doc/{rest}"
    resp = redirect(target, code=303)
    resp.headers["Vary"] = "Accept"
    return resp


@bp.route("/doc/<path:rest>")
def doc(rest: str):
    kg = state()
    path, ext = split_ext(rest)
    if not _PATH_RE.match(path):
        abort(404)
    uri = f"{kg.policy.base}/id/{path}"
    page = page_number()
    local = f"{request.script_root}/doc/{path}"
    doc_uri = f"{kg.policy.base}/doc/{path}"
    try:
        media: str | None = choose(ext)
    except HTTPException:
        media = None  # 404 comes before 406: decided after the existence check
    if media is not None:
        hit = _cached(uri, doc_uri, local, media, ext, page, "resource")
        if hit is not None:  # only existing resources are ever cached
            return hit
    if not queries.exists(kg.store, uri):
        abort(404)
    return serve_resource(uri, doc_uri, local, media or choose(ext), ext, page)


def serve_resource(uri: str, doc_uri: str, local: str, media: str, ext: str | None, page: int,
                   kind: str = "resource") -> Response:
    """A resource's document; rendered once per worker and kept in a bounded LRU cache (the
    release is immutable), keyed by everything the bytes depend on."""
    hit = _cached(uri, doc_uri, local, media, ext, page, kind)
    if hit is not None:
        return hit
    resp = _render_resource(uri, doc_uri, local, media, ext, page, kind)
    _document_cache().put(_document_key(uri, doc_uri, local, media, ext, page, kind),
                          (resp.get_data(), list(resp.headers.items()), resp.status_code))
    return resp


def _document_cache() -> DocumentCache:
    kg = state()
    cache = kg.cache.get("documents")
    if cache is None:
        cache = kg.cache["documents"] = DocumentCache(
            int(current_app.config.get("CITYKG_DOC_CACHE_MB", 64)) * 1024 * 1024)
    return cache


def _document_key(*parts: object) -> tuple:
    return (*parts, request.host_url, request.script_root)


def _cached(uri: str, doc_uri: str, local: str, media: str, ext: str | None, page: int,
            kind: str) -> Response | None:
    hit = _document_cache().get(_document_key(uri, doc_uri, local, media, ext, page, kind))
    if hit is None:
        return None
    data, headers, status = hit
    return Response(data, status=status, headers=headers)


class DocumentCache:
    """Least-recently-used cache of rendered documents, bounded in bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[tuple, tuple[bytes, list, int]] = OrderedDict()
        self.lock = threading.Lock()  # gunicorn gthread workers serve several requests at once

    def get(self, key: tuple) -> tuple[bytes, list, int] | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple, value: tuple[bytes, list, int]) -> None:
        cost = len(value[0])
        if cost > self.budget // 8:
            return
        with self.lock:
            if key in self.items:
                self.size -= len(self.items.pop(key)[0])
            self.items[key] = value
            self.size += cost
            while self.size > self.budget and self.items:
                _, old = self.items.popitem(last=False)
                self.size -= len(old[0])


def _render_resource(uri: str, doc_uri: str, local: str, media: str, ext: str | None, page: int,
                     kind: str) -> Response:
    kg = state()
    if media == conneg.HTML:
        resp = Response(resource_page(uri, local, page, kind=kind), content_type=rdf.CONTENT_TYPES[media])
        finish_document(resp, media, negotiated=ext is None, path=local, offers=conneg.DOCUMENT_OFFERS)
        return resp
    if kind == "ontology":
        triples = queries.graph_triples(kg.store, str(kg.policy.graph("ontology")))
        more = False
    else:
        triples, more = queries.document(kg.store, kg.policy, uri, doc_uri, page)
    links = []
    if more:
        links.append(f'<{local}{"." + ext if ext else ""}?page={page + 1}>; rel="next"')
    return rdf_response(triples, media, negotiated=ext is None, path=local, links=links, primary=uri)


@bp.route("/def")
def def_root_redirect():
    return redirect(f"{request.script_root}/def/", code=301)


@bp.route("/def/", defaults={"rest": ""})
@bp.route("/def/<path:rest>")
def definition(rest: str):
    kg = state()
    if rest in ("", "index.html", "index.ttl", "index.jsonld", "index.rdf", "index.nt"):
        ext = rest.split(".")[1] if rest else None
        media = choose(ext)
        uri = str(kg.policy.ontology())
        local = f"{request.script_root}/def/index"
        return serve_resource(uri, uri, local, media, ext, 1, kind="ontology")
    path, ext = split_ext(rest)
    if not _PATH_RE.match(path) and not re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", path):
        abort(404)
    uri = f"{kg.policy.base}/def/{path}"
    if not queries.exists(kg.store, uri):
        abort(404)
    media = choose(ext)
    kind = "resource"
    if f"{SKOS}ConceptScheme" in queries.types(kg.store, uri):
        kind = "scheme"
    local = f"{request.script_root}/def/{path}"
    if media == conneg.HTML and kind == "resource" and path.startswith(("indicator/", "theme/")):
        # Cross-city pages: an indicator with every city's values, a theme with its cities.
        from citykg.server import crosscity

        page = crosscity.indicator_page(uri) if path.startswith("indicator/") else crosscity.theme_page(uri)
        finish_document(page, media, negotiated=ext is None, path=local, offers=conneg.DOCUMENT_OFFERS)
        return page
    return serve_resource(uri, uri, local, media, ext, page_number(), kind=kind)


@bp.route("/search")
def search_route():
    kg = state()
    q = request.args.get("q", "")[:200]
    fmt = request.args.get("format")
    if fmt == "json":
        media = "application/json"
    elif fmt == "html":
        media = conneg.HTML
    else:
        media = conneg.negotiate(request.headers.get("Accept"), (conneg.HTML, "application/json"))
        if media is None:
            raise NotAcceptableOffers((conneg.HTML, "application/json"))
    hits = run_search(kg, q) if q.strip() else []
    results = [
        {
            "uri": h.uri,
            "label": h.label,
            "lang": h.lang or None,
            "match": h.rank,
            "page": served_url(served_path(h.uri)) if served_path(h.uri) else None,
        }
        for h in hits
    ]
    if media == "application/json":
        resp = Response(
            json.dumps({"query": q, "count": len(results), "results": results}, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    else:
        for r, h in zip(results, hits, strict=True):
            r["href"] = served_path(h.uri)
        resp = Response(render_template("search.html", q=q, results=results), content_type=rdf.CONTENT_TYPES[media])
    if fmt is None:
        resp.headers["Vary"] = "Accept"
    return resp


@bp.route("/download")
def downloads():
    kg = state()
    files = [
        {**f, "href": f"{request.script_root}/download/{quote(f['name'])}"}
        for f in kg.manifest.get("files", [])
        if (kg.release.path / f["name"]).is_file()
    ]
    return render_template("download.html", files=files, manifest=kg.manifest)


@bp.route("/download/<path:name>")
def download_file(name: str):
    """A file of the release; only names the manifest lists (so nothing else can be reached)."""
    kg = state()
    entry = kg.release.files.get(name)
    if name == "manifest.json":
        entry = {"name": name, "media_type": "application/json"}
    if entry is None or ".." in name.split("/") or name.startswith(("/", ".")):
        abort(404)
    path = kg.release.path / name
    if not path.is_file():
        abort(404)
    media = entry.get("media_type") or "application/octet-stream"
    if name.endswith(".gz"):
        # The file is the gzip package (dcat:compressFormat); its content is `media`.
        media = "application/gzip"
    resp = send_file(
        path,
        mimetype=media,
        conditional=True,
        etag=entry.get("sha256") or True,
        last_modified=kg.release.built,
        max_age=3600,
    )
    if entry.get("sha256"):
        resp.headers["Digest"] = f"sha-256={entry['sha256']}"
    return resp


@bp.route("/catalog", defaults={"ext": None})
@bp.route("/catalog.<any(html, ttl, jsonld, rdf, nt):ext>")
def catalog(ext: str | None):
    kg = state()
    media = choose(ext)
    local = f"{request.script_root}/catalog"
    if media == conneg.HTML:
        resp = Response(catalog_page(), content_type=rdf.CONTENT_TYPES[media])
        finish_document(resp, media, negotiated=ext is None, path=local, offers=conneg.DOCUMENT_OFFERS)
        return resp
    path = kg.release.path / "catalog.ttl"
    if path.is_file():
        # From the file, not the store: pyoxigraph's store turns derived integer types
        # (xsd:nonNegativeInteger, which DCAT-AP requires for dcat:byteSize) into xsd:integer.
        triples = read_triples(path, kg.release.built_base, kg.policy.base)
    else:
        triples = queries.graph_triples(kg.store, str(kg.policy.graph("metadata")))
    return rdf_response(triples, media, negotiated=ext is None, path=local)


def catalog_page() -> str:
    kg = state()
    store = kg.store
    dcat = "http://www.w3.org/ns/dcat#"
    spdx = "http://spdx.org/rdf/terms#"
    rows = store.select(
        f"""SELECT ?d ?url ?media ?format ?size ?sum ?lic ?title WHERE {{
          GRAPH {iri(str(kg.policy.graph("metadata")))} {{
            ?d <{RDF_TYPE}> <{dcat}Distribution> .
            OPTIONAL {{ ?d <{dcat}downloadURL> ?url }}
            OPTIONAL {{ ?d <{dcat}mediaType> ?media }}
            OPTIONAL {{ ?d <{DCT}format> ?format }}
            OPTIONAL {{ ?d <{dcat}byteSize> ?size }}
            OPTIONAL {{ ?d <{spdx}checksum>/<{spdx}checksumValue> ?sum }}
            OPTIONAL {{ ?d <{DCT}license> ?lic }}
            OPTIONAL {{ ?d <{DCT}title> ?title }}
          }} }} ORDER BY ?url"""
    )
    dists = []
    for r in rows:
        url = r["url"].value if "url" in r else None
        dists.append(
            {
                "uri": r["d"].value,
                "title": r["title"].value if "title" in r else None,
                "url": url,
                "href": (served_path(url) if url else None) or url,
                "media": queries.local_name(r["media"].value) if "media" in r else None,
                "media_full": r["media"].value.split("media-types/")[-1] if "media" in r else None,
                "format": queries.local_name(r["format"].value) if "format" in r else None,
                "size": r["size"].value if "size" in r else None,
                "sha256": r["sum"].value if "sum" in r else None,
                "licence": queries.LICENCES.get(r["lic"].value, r["lic"].value) if "lic" in r else None,
            }
        )
    pairs = queries.outgoing(store, str(kg.policy.catalog))
    wanted = {str(kg.policy.catalog)} | {o.value for _, o in pairs if o.is_uri} | {p.value for p, _ in pairs}
    names = queries.labels(store, wanted)
    return render_template(
        "catalog.html",
        uri=str(kg.policy.catalog),
        title=names.get(str(kg.policy.catalog)) or "Catalogue",
        rows=property_rows([(p, o) for p, o in pairs if p.value != RDF_TYPE], names),
        distributions=dists,
        alternates=alternates(f"{request.script_root}/catalog"),
    )


@bp.route("/.well-known/void", defaults={"ext": None})
@bp.route("/.well-known/void.<any(ttl, jsonld, rdf, nt):ext>")
def void(ext: str | None):
    kg = state()
    media = choose(ext, RDF_OFFERS)
    path = kg.release.path / "void.ttl"
    if path.is_file():
        triples = read_triples(path, kg.release.built_base, kg.policy.base)
    else:
        triples = queries.document(kg.store, kg.policy, str(kg.policy.void), str(kg.policy.void))[0]
    return rdf_response(
        triples, media, negotiated=ext is None, path=f"{request.script_root}/.well-known/void", offers=RDF_OFFERS
    )


@bp.route("/context.jsonld")
def context():
    kg = state()
    return Response(
        json.dumps(kg.context, ensure_ascii=False, indent=1) + "\n",
        content_type="application/ld+json; charset=utf-8",
    )


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


# -- errors ------------------------------------------------------------------------------


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Errors in the format asked for: HTML, Turtle, JSON(-LD), N-Triples, RDF/XML or text."""
    code = exc.code or 500
    offers = (conneg.HTML, "application/json", conneg.JSONLD, conneg.TURTLE, conneg.NTRIPLES,
              conneg.RDFXML, "text/plain")
    media = conneg.negotiate(request.headers.get("Accept"), offers) or "text/plain"
    if code == 406:
        offered = getattr(exc, "offers", None) or conneg.DOCUMENT_OFFERS
        message = "None of the requested media types is available. Offered: " + ", ".join(offered)
    else:
        offered = ()
        message = exc.description or exc.name
    # A file extension on the path says what the client wants, whatever Accept says.
    ext_match = _EXT_RE.match(request.path)
    if ext_match and code == 404:
        media = conneg.EXTENSIONS[ext_match["ext"]]
    if media == conneg.HTML:
        body = render_template("error.html", code=code, name=exc.name, message=message, offered=offered)
    elif media in ("application/json", conneg.JSONLD):
        body = json.dumps({"status": code, "error": exc.name, "message": message, "offers": list(offered)})
    elif media in (conneg.TURTLE, conneg.NTRIPLES):
        body = "".join(f"# {line}\n" for line in (f"{code} {exc.name}", message, *offered))
    elif media == conneg.RDFXML:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f"<!-- {code} {exc.name}: {message.replace('--', '- -')} -->\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        )
    else:
        media = "text/plain"
        body = f"{code} {exc.name}\n{message}\n" + "".join(f"{o}\n" for o in offered)
    resp = Response(body, status=code, content_type=f"{media}; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


@bp.app_template_filter("page")
def page_filter(uri: str) -> str:
    """The local page of a canonical URI, or the URI itself when it is not served here."""
    return served_path(uri) or uri


@bp.app_template_global("asset")
def asset(filename: str) -> str:
    """A static file's URL with a content hash, so it can be cached for a day and still change."""
    import hashlib
    from pathlib import Path

    from flask import current_app

    cache = state().cache.setdefault("assets", {})
    if filename not in cache:
        data = (Path(current_app.static_folder) / filename).read_bytes()
        cache[filename] = hashlib.sha256(data).hexdigest()[:12]
    return url_for("static", filename=filename, v=cache[filename])
