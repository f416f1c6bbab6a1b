"""The SPARQL 1.1 endpoint at /sparql: protocol, formats, safety, cache (docs/sparql.md).

- Protocol (https://www.w3.org/TR/sparql11-protocol/): GET ``?query=``, POST
  ``application/x-www-form-urlencoded``, POST ``application/sparql-query``;
  ``default-graph-uri`` and ``named-graph-uri`` (they replace the query's FROM clauses);
  without them the default graph is the union of every graph of the release.
- Read-only: an ``update`` parameter, an ``application/sparql-update`` body or an update
  text in ``query`` gets 403, and nothing reaches the store that could change it.
- Formats: the engine's own serializers, chosen by a ``format`` (or ``output``) parameter or by
  Accept with q-values, from the format registry (`citykg.server.formats`).
- Safety: a timeout (worker process killed, 503), a row cap (header ``X-SPARQL-Result-Capped``),
  a maximum query size (413), SERVICE off unless allow-listed.
- Cache: answers of repeated identical requests (an `LRU` keyed by the release and the query);
  a request answered from it is marked for the response cache (`citykg.server.cache`), which
  answers the next identical request in front of Flask with the same bytes.
- GET /sparql without a query: the editor for browsers, the Service Description for RDF clients.

Settings (`citykg.server.settings`): SPARQL_TIMEOUT, SPARQL_MAX_ROWS, SPARQL_MAX_QUERY_BYTES,
SPARQL_SERVICE_ALLOW, SPARQL_PROCESSES, SPARQL_MEMORY_MB, SPARQL_CACHE_BYTES, SPARQL_CACHE_MAX_ENTRY,
SPARQL_RESPONSE_CACHE_BYTES.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from citykg.server import cache, conneg, formats
from citykg.server.cache import LRU
from citykg.server.context import state
from citykg.server.errors import HTTPError
from citykg.server.http import CSP
from citykg.server.pages.sparql import editor_page, service_description
from citykg.server.sparql_exec import ProcessPool, QueryTimeoutError, WorkerDiedError
from citykg.server.sparql_lex import QueryInfo, analyse, cache_text, explain_syntax_error
from citykg.server.store import (
    FormatMismatchError,
    QuerySyntaxError,
    RawResult,
    StoreError,
    execute_registered,
    register,
)
from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.datastructures import MultiDict

bp = Blueprint("sparql", __name__)


def problem(status: int, message: str, headers: dict[str, str] | None = None) -> HTTPError:
    """An error of the endpoint: plain text for SPARQL clients (HTML only when asked)."""
    return HTTPError(status, message, headers=headers, plain=True)


CAPPED_HEADER = "X-SPARQL-Result-Capped"


MAX_ROWS_HEADER = "X-SPARQL-Max-Rows"


CACHE_HEADER = "X-SPARQL-Cache"


_EXPOSE = f"ETag, Link, Content-Length, Vary, {CAPPED_HEADER}, {MAX_ROWS_HEADER}, {CACHE_HEADER}"


def _negotiate(kind: str, params: Any) -> str | None:
    """The format for a result kind from ``format``/``output`` or Accept (None: 406)."""
    offers = formats.RESULTS if kind == "results" else formats.GRAPHS
    values = [v for v in params.getlist("format") + params.getlist("output") if v.strip()]
    if values:
        for value in values:
            found = formats.by_param(value, offers)
            if found:
                return found.name
        offered = ", ".join(sorted({n for f in offers for n in (f.name, *f.params)}))
        raise problem(400, f"unknown format {values[0]!r} for this query; use one of: {offered}")
    best = conneg.negotiate(request.headers.get("Accept"), offers, loose=True)
    return best.name if best else None


@dataclass
class Endpoint:
    """What the blueprint keeps per app (``app.extensions["sparql"]``)."""

    cache: LRU[RawResult]
    pool: ProcessPool | None
    key: str = ""  # the store's key in the pool's workers (`citykg.server.store.register`)
    description: dict[str, bytes] = field(default_factory=dict)  # SD by format


def _endpoint() -> Endpoint:
    app = current_app
    ep = app.extensions.get("sparql")
    if ep is None:
        with _SETUP_LOCK:
            ep = _setup_locked(app)
    return ep


def _setup_locked(app: Flask) -> Endpoint:
    ep = app.extensions.get("sparql")
    return ep if ep is not None else setup(app)


_SETUP_LOCK = threading.RLock()
#: ``app.extensions[POOL_OWNER]``: the app whose query worker pool this app shares
POOL_OWNER = "sparql.pool_owner"


def setup(app: Flask) -> Endpoint:
    """Reads the settings and creates the cache and the worker pool (done on first use)."""
    kg = app.extensions["citykg"]
    settings = kg.settings
    store = kg.store
    pool, key = None, ""
    if getattr(store, "isolate_queries", False) and float(settings["SPARQL_TIMEOUT"]) > 0:
        key = register(store)
        owner = app.extensions.get(POOL_OWNER)
        if owner is not None:
            # a release served beside others (citykg.server.releases): the query workers of the app that
            # owns the pool run its queries too, so N releases do not mean N pools of processes
            pool = (owner.extensions.get("sparql") or _setup_locked(owner)).pool
        if pool is None:
            pool = ProcessPool(execute_registered, int(settings["SPARQL_PROCESSES"]),
                               int(settings["SPARQL_MEMORY_MB"]), float(settings["SPARQL_DEMOTE_AFTER"]))
    ep = Endpoint(cache=LRU(int(settings["SPARQL_CACHE_BYTES"]), int(settings["SPARQL_CACHE_MAX_ENTRY"])), pool=pool,
                  key=key)
    app.extensions["sparql"] = ep
    return ep


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
        raise problem(400, f"the request body is not UTF-8 (byte {exc.start}): send the query as UTF-8") from exc


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise problem(400, f"charset {charset!r} is not supported: send the query as UTF-8")


def _read_request(max_bytes: int) -> SparqlRequest:
    refuse_update = (
        "This endpoint is read-only: SPARQL Update is refused (no INSERT, DELETE, LOAD, CLEAR, ...)."
    )
    if request.content_length is not None and request.content_length > 3 * max_bytes + 4096:
        raise problem(413, f"the request is too large: queries may have at most {max_bytes} bytes")
    if request.method == "GET":
        params = request.args
        if "update" in params:
            raise problem(403, refuse_update)
        queries = params.getlist("query")
    else:
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            _check_charset()
            body = _strict_utf8(request.get_data(cache=True))
            try:
                pairs = parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError as exc:
                raise problem(400, "a form value is not UTF-8 once percent-decoded") from exc
            params = MultiDict(pairs)
            for name in ("default-graph-uri", "named-graph-uri", "format", "output"):
                for value in request.args.getlist(name):
                    params.add(name, value)
            if "update" in params:
                raise problem(403, refuse_update)
            queries = params.getlist("query") + request.args.getlist("query")
        elif mimetype == "application/sparql-query":
            _check_charset()
            params = request.args
            if "query" in params:
                raise problem(400, "a query in the body and a 'query' parameter: send only one query")
            queries = [_strict_utf8(request.get_data(cache=True))]
        elif mimetype == "application/sparql-update":
            raise problem(403, refuse_update)
        elif not mimetype:
            raise problem(
                400,
                "POST needs a Content-Type: application/x-www-form-urlencoded (query=...) "
                "or application/sparql-query (the query as the body)",
            )
        else:
            raise problem(
                400,
                f"Content-Type {mimetype!r} is not a SPARQL query: use application/x-www-form-urlencoded "
                "(query=...) or application/sparql-query",
            )
    if len(queries) > 1:
        raise problem(400, f"{len(queries)} 'query' parameters: send exactly one query per request")
    query = queries[0] if queries else None
    if query is not None and len(query.encode("utf-8")) > max_bytes:
        raise problem(413, f"the query is too large: at most {max_bytes} bytes are accepted")
    default = params.getlist("default-graph-uri")
    named = params.getlist("named-graph-uri")
    for graph in (*default, *named):
        try:
            ox.NamedNode(graph)
        except ValueError as exc:  # pyoxigraph would raise it from the query worker: a 500
            raise problem(400, f"default-graph-uri/named-graph-uri {graph[:200]!r} is not an IRI ({exc})") from None
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
            raise problem(
                403,
                f"SERVICE {shown} is not allowed: federated queries are off on this endpoint"
                + (f" (allowed: {', '.join(allow)})" if allow else ""),
            )


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
    s = state().settings
    req = _read_request(int(s["SPARQL_MAX_QUERY_BYTES"]))
    if req.query is None:
        return _service_or_editor(ep)
    if not req.query.strip():
        raise problem(400, "the query is empty")
    info = analyse(req.query)
    if info.update:
        raise problem(
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
    key = (state().release_key, cache_text(req.query), req.default_graphs, req.named_graphs,
           results_format, graph_format, row_cap)
    result = ep.cache.get(key)
    hit = kept = result is not None
    if result is None:
        result = _run(ep, req, results_format, graph_format, row_cap)
        kept = ep.cache.put(key, result, len(result.body))
    if hit or kept:
        # the response cache may answer this exact request from now on
        request.environ[cache.FLAG] = (state().release_key, "sparql")
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


def _not_acceptable(kind: str) -> HTTPError:
    offers = ", ".join(f.media_type for f in (formats.RESULTS if kind == "results" else formats.GRAPHS))
    what = "SELECT/ASK results" if kind == "results" else "CONSTRUCT/DESCRIBE graphs"
    return problem(406, f"none of the Accept types can carry {what}; offered: {offers}")


def _run(
    ep: Endpoint, req: SparqlRequest, results_format: str | None, graph_format: str | None, row_cap: int | None
) -> RawResult:
    kg = state()
    timeout = float(state().settings["SPARQL_TIMEOUT"])
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
            return ep.pool.call(ep.key, req.query, timeout=timeout, **kwargs)
        return kg.store.execute(req.query, timeout=timeout if timeout > 0 else None, **kwargs)
    except QueryTimeoutError as exc:
        raise problem(
            503,
            f"Query timed out: it did not finish within {timeout:g} s (the endpoint's limit) and was "
            f"stopped. Narrow it down (more specific patterns, LIMIT) and try again. [{exc}]",
            {"Retry-After": "1"},
        ) from exc
    except WorkerDiedError as exc:
        raise problem(
            503,
            f"The query was stopped after {time.monotonic() - started:.1f} s: it needed more memory than the "
            f"endpoint allows ({state().settings['SPARQL_MEMORY_MB']} MiB). Narrow it down and try again.",
            {"Retry-After": "1"},
        ) from exc
    except QuerySyntaxError as exc:
        raise problem(400, explain_syntax_error(req.query or "", str(exc), tuple(kg.policy.prefixes()))) from exc
    except FormatMismatchError as exc:
        raise _not_acceptable("graph" if exc.form == "CONSTRUCT" else "results") from exc
    except StoreError as exc:
        message = str(exc)
        if not isinstance(exc.__cause__, SyntaxError) and analyse(req.query or "").services:
            # an allowed SERVICE endpoint failed or answered nonsense
            raise problem(502, f"a SERVICE endpoint failed: {message}") from exc
        if "syntax" in message.lower() or "parse" in message.lower():
            raise problem(400, message) from exc
        raise problem(500, f"the query failed: {message}") from exc


def _yasgui_installed() -> bool:
    """Whether the YASGUI build is among the static files (``make assets``)."""
    return (Path(current_app.static_folder or "") / "vendor/yasgui/yasgui.min.js").is_file()


def _service_or_editor(ep: Endpoint) -> Response:
    values = [v for v in request.args.getlist("format") + request.args.getlist("output") if v.strip()]
    offers = (formats.HTML, *formats.GRAPHS)
    if values:
        fmt = formats.by_param(values[0], offers)
        if fmt is None:
            raise problem(400, f"unknown format {values[0]!r}: use html, turtle, jsonld, ntriples or rdfxml")
    else:
        fmt = conneg.negotiate(request.headers.get("Accept"), formats.DOCUMENT)
        if fmt is None:
            raise problem(406, "offered: " + ", ".join(f.media_type for f in offers))
    if fmt is formats.HTML:
        resp = Response(render_template("sparql.html", **editor_page(state(), editor=_yasgui_installed())),
                        content_type=formats.HTML.content_type)
        resp.headers["Vary"] = "Accept"
        # YASGUI sets inline styles (CodeMirror, result tables): allow those, scripts stay 'self' only
        resp.headers["Content-Security-Policy"] = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        return resp
    body = ep.description.get(fmt.name)
    if body is None:
        body = ep.description[fmt.name] = service_description(state(), fmt)
    resp = Response(body, status=200)
    resp.headers["Content-Type"] = fmt.content_type
    resp.headers["Vary"] = "Accept"
    return resp
