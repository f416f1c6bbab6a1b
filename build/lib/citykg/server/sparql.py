"""The SPARQL 1.1 endpoint at /sparql (issue 4): protocol, formats, safety, editor.

- Protocol (https://www.w3.org/TR/sparql11-protocol/): GET ``?query=``, POST
  ``application/x-www-form-urlencoded``, POST ``application/sparql-query``;
  ``default-graph-uri`` and ``named-graph-uri`` (they replace the query's FROM clauses);
  without them the default graph is the union of every graph of the release.
- Read-only: an ``update`` parameter, an ``application/sparql-update`` body or an update
  text in ``query`` gets 403, and nothing reaches the store that could change it.
- Formats: the engine's own serializers (see `server.store.EmbeddedStore.execute`), chosen
  by a ``format`` (or ``output``) parameter or by Accept with q-values.
- Safety: a timeout (worker process killed, 503), a row cap (header
  ``X-SPARQL-Result-Capped``), a maximum query size (413), SERVICE off unless allow-listed.
- Cache: answers of repeated identical requests, keyed by the release (manifest SHA-256); a
  request already answered from the cache is answered next time in front of Flask
  (server/fastpath.py) with the same bytes.
- GET /sparql without a query: the YASGUI editor for browsers, the SPARQL Service
  Description for clients asking RDF.

Settings (Flask config, see docs/sparql.md): SPARQL_TIMEOUT, SPARQL_MAX_ROWS,
SPARQL_MAX_QUERY_BYTES, SPARQL_SERVICE_ALLOW, SPARQL_PROCESSES, SPARQL_MEMORY_MB, SPARQL_CACHE_BYTES,
SPARQL_CACHE_MAX_ENTRY, SPARQL_RESPONSE_CACHE_BYTES.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request

from citykg.server import conneg, fastpath
from citykg.server.sparql_exec import ProcessPool, QueryTimeoutError, WorkerDiedError
from citykg.server.sparql_lex import QueryInfo, analyse, cache_text
from citykg.server.store import (
    RESULT_FORMATS,
    FormatMismatchError,
    QuerySyntaxError,
    RawResult,
    StoreError,
    Term,
)

bp = Blueprint("sparql", __name__)

DEFAULTS: dict[str, Any] = {
    "SPARQL_TIMEOUT": 10.0,  # seconds; 503 after it
    "SPARQL_MAX_ROWS": 10_000,  # rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer
    "SPARQL_MAX_QUERY_BYTES": 64 * 1024,  # 413 above it (UTF-8 bytes of the query text)
    "SPARQL_SERVICE_ALLOW": (),  # SERVICE endpoints a query may call (exact IRIs); none by default
    "SPARQL_PROCESSES": 2,  # query worker processes per server process
    "SPARQL_DEMOTE_AFTER": 0.5,  # seconds; a query running longer gets nice 19 and frees its worker slot (0: off)
    "SPARQL_MEMORY_MB": 2048,  # memory a query may use on top of the store (0: no limit); 503 past it
    "SPARQL_CACHE_BYTES": 64 * 1024 * 1024,  # result cache budget per server process (0: off)
    "SPARQL_CACHE_MAX_ENTRY": 4 * 1024 * 1024,  # larger answers are not cached
    "SPARQL_RESPONSE_CACHE_BYTES": 32 * 1024 * 1024,  # whole responses of repeated requests (0: off)
}

@bp.record_once
def _install_fast_path(state: Any) -> None:
    """Cache hits answered in front of Flask (server/fastpath.py), one per app."""
    settings = read_settings(state.app.config)
    fastpath.install(
        state.app,
        budget=int(settings["SPARQL_RESPONSE_CACHE_BYTES"]) if int(settings["SPARQL_CACHE_BYTES"]) > 0 else 0,
        max_entry=int(settings["SPARQL_CACHE_MAX_ENTRY"]),
        max_body=3 * int(settings["SPARQL_MAX_QUERY_BYTES"]) + 4096,
    )


CAPPED_HEADER = "X-SPARQL-Result-Capped"
MAX_ROWS_HEADER = "X-SPARQL-Max-Rows"
CACHE_HEADER = "X-SPARQL-Cache"
_EXPOSE = f"ETag, Link, Content-Length, Vary, {CAPPED_HEADER}, {MAX_ROWS_HEADER}, {CACHE_HEADER}"

# -- formats -------------------------------------------------------------------------------------

#: media types each format answers to (the first is its own; the others are what clients send)
_MEDIA: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json", "text/javascript",
             "application/javascript"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle", "application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
    "ntriples": ("application/n-triples", "text/plain"),
    "jsonld": ("application/ld+json", "application/x-json+ld", "application/json"),
    "rdfxml": ("application/rdf+xml", "application/xml", "text/xml"),
}
RESULT_ORDER = ("json", "xml", "csv", "tsv")
GRAPH_ORDER = ("turtle", "jsonld", "ntriples", "rdfxml")

#: values of the ``format``/``output`` parameter, by kind of result
_PARAM_NAMES: dict[str, dict[str, str]] = {
    "results": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"},
    "graph": {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "ntriples": "ntriples",
              "n-triples": "ntriples", "nt": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld",
              "json": "jsonld", "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml"},
}
for _name, _types in _MEDIA.items():
    _kind = RESULT_FORMATS[_name].kind
    for _t in _types:
        _PARAM_NAMES[_kind].setdefault(_t, _name)


class HTTPProblem(Exception):  # noqa: N818 - an HTTP answer, not a failure of the server
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _negotiate(kind: str, params: Any) -> str | None:
    """The format for a result kind from ``format``/``output`` or Accept (None: 406)."""
    values = params.getlist("format") + params.getlist("output")
    if values:
        names = _PARAM_NAMES[kind]
        for value in values:
            found = names.get(value.strip().lower().split(";")[0].strip())
            if found:
                return found
        offered = ", ".join(sorted({k for k in names if "/" not in k}))
        raise HTTPProblem(400, f"unknown format {values[0]!r} for this query; use one of: {offered}")
    ranges = conneg.parse_accept(request.headers.get("Accept"))
    best, best_q = None, 0.0
    for name in RESULT_ORDER if kind == "results" else GRAPH_ORDER:
        q = max(conneg.quality(ranges, t) for t in _MEDIA[name])
        if q > best_q:
            best, best_q = name, q
    return best


# -- per-app state ------------------------------------------------------------------------------


class ResultCache:
    """An LRU of serialized answers, bounded in bytes (per server process)."""

    def __init__(self, budget: int, max_entry: int) -> None:
        self.budget, self.max_entry = budget, max_entry
        self.size = 0
        self._items: OrderedDict[tuple, RawResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> RawResult | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, value: RawResult) -> bool:
        """Keeps the answer; False when it is too large to keep."""
        n = len(value.body)
        if self.budget <= 0 or n > min(self.max_entry, self.budget):
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._items[key] = value
            self.size += n
            while self.size > self.budget:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped.body)
        return True


@dataclass
class Endpoint:
    """What the blueprint keeps per app (``app.extensions["sparql"]``)."""

    release_key: str
    cache: ResultCache
    pool: ProcessPool | None
    settings: dict[str, Any]
    description: dict[str, bytes] = field(default_factory=dict)  # SD by format


def _kg() -> Any:
    return current_app.extensions["citykg"]


def _release_key(kg: Any) -> str:
    h = hashlib.sha256()
    try:
        h.update((kg.release.path / "manifest.json").read_bytes())
    except (AttributeError, OSError):
        h.update(repr(sorted(kg.manifest.items())).encode())
    h.update(kg.policy.base.encode())
    return h.hexdigest()


def _endpoint() -> Endpoint:
    app = current_app
    ep = app.extensions.get("sparql")
    if ep is None:
        with _SETUP_LOCK:
            ep = app.extensions.get("sparql")
            if ep is None:
                ep = setup(app)
    return ep


_SETUP_LOCK = threading.Lock()


def setup(app: Flask) -> Endpoint:
    """Reads the settings and creates the cache and the worker pool (done on first use)."""
    kg = app.extensions["citykg"]
    settings = read_settings(app.config)
    store = kg.store
    pool = None
    if getattr(store, "isolate_queries", False) and float(settings["SPARQL_TIMEOUT"]) > 0:
        pool = ProcessPool(store.execute, int(settings["SPARQL_PROCESSES"]), int(settings["SPARQL_MEMORY_MB"]),
                           float(settings["SPARQL_DEMOTE_AFTER"]))
    ep = Endpoint(
        release_key=_release_key(kg),
        cache=ResultCache(int(settings["SPARQL_CACHE_BYTES"]), int(settings["SPARQL_CACHE_MAX_ENTRY"])),
        pool=pool,
        settings=settings,
    )
    app.extensions["sparql"] = ep
    return ep


def read_settings(config: Any) -> dict[str, Any]:
    """The endpoint's settings: Flask config, else the environment (``CITYKG_SPARQL_TIMEOUT=5``,
    ``CITYKG_SPARQL_SERVICE_ALLOW="https://a/sparql https://b/sparql"``), else the defaults."""
    settings: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        if key in config:
            settings[key] = config[key]
            continue
        raw = os.environ.get(f"CITYKG_{key}")
        if raw is None:
            settings[key] = default
        elif isinstance(default, tuple):
            settings[key] = tuple(raw.replace(",", " ").split())
        else:
            settings[key] = type(default)(raw)
    return settings


# -- the request ---------------------------------------------------------------------------------


@dataclass
class SparqlRequest:
    query: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    params: Any  # the protocol parameters (URL or form body)


def _strict_utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPProblem(400, f"the request body is not UTF-8 (byte {exc.start}): send the query as UTF-8") from exc


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise HTTPProblem(400, f"charset {charset!r} is not supported: send the query as UTF-8")


def _read_request(max_bytes: int) -> SparqlRequest:
    refuse_update = (
        "This endpoint is read-only: SPARQL Update is refused (no INSERT, DELETE, LOAD, CLEAR, ...)."
    )
    if request.content_length is not None and request.content_length > 3 * max_bytes + 4096:
        raise HTTPProblem(413, f"the request is too large: queries may have at most {max_bytes} bytes")
    if request.method == "GET":
        params = request.args
        if "update" in params:
            raise HTTPProblem(403, refuse_update)
        queries = params.getlist("query")
    else:
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            _check_charset()
            body = _strict_utf8(request.get_data(cache=True))
            try:
                pairs = parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError as exc:
                raise HTTPProblem(400, "a form value is not UTF-8 once percent-decoded") from exc
            from werkzeug.datastructures import MultiDict

            params = MultiDict(pairs)
            for name in ("default-graph-uri", "named-graph-uri", "format", "output"):
                for value in request.args.getlist(name):
                    params.add(name, value)
            if "update" in params:
                raise HTTPProblem(403, refuse_update)
            queries = params.getlist("query") + request.args.getlist("query")
        elif mimetype == "application/sparql-query":
            _check_charset()
            params = request.args
            if "query" in params:
                raise HTTPProblem(400, "a query in the body and a 'query' parameter: send only one query")
            queries = [_strict_utf8(request.get_data(cache=True))]
        elif mimetype == "application/sparql-update":
            raise HTTPProblem(403, refuse_update)
        elif not mimetype:
            raise HTTPProblem(
                400,
                "POST needs a Content-Type: application/x-www-form-urlencoded (query=...) "
                "or application/sparql-query (the query as the body)",
            )
        else:
            raise HTTPProblem(
                400,
                f"Content-Type {mimetype!r} is not a SPARQL query: use application/x-www-form-urlencoded "
                "(query=...) or application/sparql-query",
            )
    if len(queries) > 1:
        raise HTTPProblem(400, f"{len(queries)} 'query' parameters: send exactly one query per request")
    query = queries[0] if queries else None
    if query is not None and len(query.encode("utf-8")) > max_bytes:
        raise HTTPProblem(413, f"the query is too large: at most {max_bytes} bytes are accepted")
    default = params.getlist("default-graph-uri")
    named = params.getlist("named-graph-uri")
    for graph in (*default, *named):
        try:
            ox.NamedNode(graph)
        except ValueError as exc:  # pyoxigraph would raise it from the query worker: a 500
            raise HTTPProblem(400, f"default-graph-uri/named-graph-uri {graph[:200]!r} is not an IRI ({exc})") from None
    return SparqlRequest(
        query,
        tuple(default) if default or named else None,
        tuple(named) if default or named else None,
        params,
    )


def _check_services(info: QueryInfo, allow: tuple[str, ...] | list[str]) -> None:
    for target in info.services:
        if target not in allow:
            shown = target if target.startswith("?") else f"<{target}>"
            raise HTTPProblem(
                403,
                f"SERVICE {shown} is not allowed: federated queries are off on this endpoint"
                + (f" (allowed: {', '.join(allow)})" if allow else ""),
            )


def _problem_response(problem: HTTPProblem) -> Response:
    resp = Response(problem.message + "\n", status=problem.status, mimetype="text/plain")
    resp.headers["Content-Type"] = "text/plain; charset=utf-8"
    resp.headers["Cache-Control"] = "no-store"
    for k, v in problem.headers.items():
        resp.headers[k] = v
    return resp


@bp.errorhandler(HTTPProblem)
def _handle_problem(problem: HTTPProblem) -> Response:
    return _problem_response(problem)


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        resp = Response(status=204)
        resp.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        resp.headers["Access-Control-Max-Age"] = "86400"
        return resp
    ep = _endpoint()
    s = ep.settings
    req = _read_request(int(s["SPARQL_MAX_QUERY_BYTES"]))
    if req.query is None:
        return _service_or_editor(ep)
    if not req.query.strip():
        raise HTTPProblem(400, "the query is empty")
    info = analyse(req.query)
    if info.update:
        raise HTTPProblem(
            403, f"This endpoint is read-only: {info.update} is a SPARQL Update operation and is refused."
        )
    _check_services(info, tuple(s["SPARQL_SERVICE_ALLOW"] or ()))

    if info.form is None:
        # not recognisably a query: let the engine say what is wrong (a 400 with its message)
        results_format, graph_format = _negotiate("results", req.params), _negotiate("graph", req.params)
    elif info.is_graph:
        results_format, graph_format = None, _negotiate("graph", req.params)
        if graph_format is None:
            raise _not_acceptable("graph")
    else:
        results_format, graph_format = _negotiate("results", req.params), None
        if results_format is None:
            raise _not_acceptable("results")

    row_cap = int(s["SPARQL_MAX_ROWS"]) or None
    # the release, the query (layout normalised when that is safe), the dataset, the format, the cap
    key = (ep.release_key, cache_text(req.query), req.default_graphs, req.named_graphs,
           results_format, graph_format, row_cap)
    result = ep.cache.get(key)
    hit = kept = result is not None
    if result is None:
        result = _run(ep, req, results_format, graph_format, row_cap)
        kept = ep.cache.put(key, result)
    if hit or kept:
        # the fast path (server/fastpath.py) may answer this exact request from now on
        request.environ[fastpath.ENVIRON_FLAG] = ep.release_key
    resp = Response(result.body, status=200)
    resp.headers["Content-Type"] = result.media_type
    resp.headers["Vary"] = "Accept"
    resp.headers[CACHE_HEADER] = "hit" if hit else "miss"
    resp.headers["Access-Control-Expose-Headers"] = _EXPOSE
    if row_cap:
        resp.headers[MAX_ROWS_HEADER] = str(row_cap)
    if result.capped:
        resp.headers[CAPPED_HEADER] = f"true; rows={result.count}; the answer was cut at the row cap"
    return resp


def _where(query: str, message: str) -> str:
    """The query line an engine message ("error at 3:14: ...") points to, for the reader."""
    import re

    m = re.search(r"\bat (\d+):(\d+)", message)
    if not m:
        return ""
    lines = query.splitlines()
    number = int(m.group(1))
    if not 1 <= number <= len(lines):
        return ""
    return f"\nline {number}: {lines[number - 1].strip()[:200]}"


def _not_acceptable(kind: str) -> HTTPProblem:
    offers = ", ".join(RESULT_FORMATS[n].media_type.split(";")[0] for n in
                       (RESULT_ORDER if kind == "results" else GRAPH_ORDER))
    what = "SELECT/ASK results" if kind == "results" else "CONSTRUCT/DESCRIBE graphs"
    return HTTPProblem(406, f"none of the Accept types can carry {what}; offered: {offers}")


def _run(
    ep: Endpoint, req: SparqlRequest, results_format: str | None, graph_format: str | None, row_cap: int | None
) -> RawResult:
    kg = _kg()
    timeout = float(ep.settings["SPARQL_TIMEOUT"])
    kwargs = dict(
        results_format=results_format,
        graph_format=graph_format,
        default_graphs=req.default_graphs,
        named_graphs=req.named_graphs,
        row_cap=row_cap,
        prefixes=kg.policy.prefixes(),
    )
    started = time.monotonic()
    try:
        if ep.pool is not None:
            return ep.pool.call(req.query, timeout=timeout, **kwargs)
        return kg.store.execute(req.query, timeout=timeout if timeout > 0 else None, **kwargs)
    except QueryTimeoutError as exc:
        raise HTTPProblem(
            503,
            f"Query timed out: it did not finish within {timeout:g} s (the endpoint's limit) and was "
            f"stopped. Narrow it down (more specific patterns, LIMIT) and try again. [{exc}]",
            {"Retry-After": "1"},
        ) from exc
    except WorkerDiedError as exc:
        raise HTTPProblem(
            503,
            f"The query was stopped after {time.monotonic() - started:.1f} s: it needed more memory than the "
            f"endpoint allows ({ep.settings['SPARQL_MEMORY_MB']} MiB). Narrow it down and try again.",
            {"Retry-After": "1"},
        ) from exc
    except QuerySyntaxError as exc:
        text = " ".join(str(exc).split())
        short = text if len(text) <= 240 else text[:240] + " …"
        raise HTTPProblem(400, f"SPARQL syntax error: {short}{_where(req.query or '', text)}") from exc
    except FormatMismatchError as exc:
        raise _not_acceptable("graph" if exc.form == "CONSTRUCT" else "results") from exc
    except StoreError as exc:
        message = str(exc)
        if not isinstance(exc.__cause__, SyntaxError) and analyse(req.query or "").services:
            # an allowed SERVICE endpoint failed or answered nonsense
            raise HTTPProblem(502, f"a SERVICE endpoint failed: {message}") from exc
        if "syntax" in message.lower() or "parse" in message.lower():
            raise HTTPProblem(400, message) from exc
        raise HTTPProblem(500, f"the query failed: {message}") from exc


# -- GET /sparql without a query: editor or service description -------------------------------------


def _service_or_editor(ep: Endpoint) -> Response:
    values = request.args.getlist("format") + request.args.getlist("output")
    choice = None
    if values:
        choice = _PARAM_NAMES["graph"].get(values[0].strip().lower())
        if choice is None and values[0].strip().lower() in ("html", "text/html"):
            choice = "html"
        if choice is None:
            raise HTTPProblem(400, f"unknown format {values[0]!r}: use html, turtle, jsonld, ntriples or rdfxml")
    else:
        best = conneg.negotiate(request.headers.get("Accept"))
        if best is None:
            raise HTTPProblem(406, "offered: text/html, " + ", ".join(
                RESULT_FORMATS[n].media_type.split(";")[0] for n in GRAPH_ORDER))
        choice = "html" if best == conneg.HTML else {
            conneg.TURTLE: "turtle", conneg.JSONLD: "jsonld", conneg.RDFXML: "rdfxml",
            conneg.NTRIPLES: "ntriples"}[best]
    if choice == "html":
        return _editor()
    body = ep.description.get(choice)
    if body is None:
        body = ep.description[choice] = service_description(choice, ep)
    resp = Response(body, status=200)
    resp.headers["Content-Type"] = RESULT_FORMATS[choice].media_type
    resp.headers["Vary"] = "Accept"
    return resp


def _iri(uri: str) -> ox.NamedNode:
    return ox.NamedNode(uri)


def _term_to_ox(t: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if t.kind == "uri":
        return ox.NamedNode(t.value)
    if t.kind == "bnode":
        return ox.BlankNode(t.value)
    if t.lang:
        return ox.Literal(t.value, language=t.lang)
    return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype) if t.datatype else None)


SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_W3C_FORMAT = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}


def service_description(fmt: str, ep: Endpoint) -> bytes:
    """The sd:Service of this endpoint: what the release says about it, plus what the server knows."""
    kg = _kg()
    policy = kg.policy
    service, void, catalog, dataset = (
        str(policy.sparql_service), str(policy.void), str(policy.catalog), str(policy.dataset)
    )
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    dcat = "http://www.w3.org/ns/dcat#"
    dct = "http://purl.org/dc/terms/"
    voidns = "http://rdfs.org/ns/void#"
    triples: list[ox.Triple] = []
    # what the release's metadata graph says about the service (dcat:DataService, titles, licence, ...)
    meta = str(policy.graph("metadata"))
    query = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{meta}> {{ ?s ?p ?o
        FILTER(?s = <{service}> || STRSTARTS(STR(?s), "{service}#")
               || (?s = <{dataset}> && ?p IN (<{rdf}type>, <{voidns}sparqlEndpoint>, <{dct}title>))
               || (?s = <{catalog}> && ?p = <{dcat}service>)) }} }}"""
    try:
        for s_, p_, o_ in kg.store.construct(query):
            triples.append(ox.Triple(_term_to_ox(s_), _term_to_ox(p_), _term_to_ox(o_)))
    except StoreError:
        pass
    svc = _iri(service)

    def add(s: str | ox.NamedNode, p: str, o: Any) -> None:
        triples.append(ox.Triple(_iri(s) if isinstance(s, str) else s, _iri(p), o))

    add(svc, rdf + "type", _iri(SD + "Service"))
    add(svc, rdf + "type", _iri(dcat + "DataService"))
    add(svc, SD + "endpoint", svc)
    add(svc, SD + "supportedLanguage", _iri(SD + "SPARQL11Query"))
    add(svc, SD + "feature", _iri(SD + "UnionDefaultGraph"))
    if ep.settings["SPARQL_SERVICE_ALLOW"]:
        add(svc, SD + "feature", _iri(SD + "BasicFederatedQuery"))
    for name in RESULT_FORMATS:
        add(svc, SD + "resultFormat", _iri(_FORMATS_NS + _W3C_FORMAT[name]))
    add(svc, dcat + "endpointURL", svc)
    add(svc, dcat + "servesDataset", _iri(dataset))
    add(svc, rdfs + "seeAlso", _iri(void))
    add(svc, rdfs + "seeAlso", _iri(catalog))
    add(dataset, voidns + "sparqlEndpoint", svc)
    add(catalog, dcat + "service", svc)
    sd_dataset = _iri(f"{service}#dataset")
    add(svc, SD + "defaultDataset", sd_dataset)
    add(sd_dataset, rdf + "type", _iri(SD + "Dataset"))
    add(sd_dataset, SD + "defaultGraph", _iri(dataset))
    add(dataset, rdf + "type", _iri(SD + "Graph"))
    described = any(t.predicate.value == SD + "namedGraph" for t in triples)
    for graph in [] if described else sorted((kg.manifest.get("graphs") or {}).keys()):
        node = _iri(f"{service}#graph-{hashlib.sha256(graph.encode()).hexdigest()[:12]}")
        add(sd_dataset, SD + "namedGraph", node)
        add(node, rdf + "type", _iri(SD + "NamedGraph"))
        add(node, SD + "name", _iri(graph))
    add(svc, rdfs + "comment", ox.Literal(
        f"Read-only SPARQL 1.1 endpoint; queries time out after {float(ep.settings['SPARQL_TIMEOUT']):g} s "
        f"and answers carry at most {int(ep.settings['SPARQL_MAX_ROWS'])} rows.", language="en"))
    unique = list(dict.fromkeys(triples))
    prefixes = {k: v for k, v in policy.prefixes().items() if k in ("sd", "dcat", "dct", "void", "rdfs", "xsd")}
    prefixes["formats"] = _FORMATS_NS
    return ox.serialize(unique, format=RESULT_FORMATS[fmt].engine, prefixes=prefixes)


def _editor() -> Response:
    from citykg.server.sparql_examples import examples

    kg = _kg()
    prefixes = kg.policy.prefixes()
    html = render_template(
        "sparql.html",
        title=getattr(kg.release, "title", "citykg"),
        prefixes=prefixes,
        examples=examples(kg.policy),
        settings=_endpoint().settings,
    )
    resp = Response(html, status=200, mimetype="text/html")
    resp.headers["Vary"] = "Accept"
    # YASGUI sets inline styles (CodeMirror, result tables): allow those, scripts stay 'self' only
    from citykg.server.http import CSP

    resp.headers["Content-Security-Policy"] = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return resp
