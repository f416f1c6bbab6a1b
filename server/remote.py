"""The remote store: any SPARQL 1.1 endpoint reached with SPARQLWrapper (``citykg serve --store URL``).

It implements the `server.store.Store` protocol (select/ask/construct/len for the pages)
and `execute` for the SPARQL endpoint.  Answers come back from the remote endpoint as SPARQL
JSON (SELECT, ASK) or N-Triples/Turtle (CONSTRUCT, DESCRIBE) and are re-serialized by
pyoxigraph into the format the client asked for, with the same row cap as the embedded store.

The dataset is the release's, as on the embedded store: the default graph is the union of the
release's graphs and they are the named graphs.  `RemoteStore.for_release` learns them from the
release (graphs under ``BASE/graph/``, the ones `citykg publish` writes); on first use it lists
the store's graphs, and when the store holds others too (Virtuoso's system graphs, other
datasets) or does not use the union of its graphs as default graph, every query without a
dataset of its own is sent with the release's graphs as ``default-graph-uri`` and
``named-graph-uri``.  A store holding only the release with a union default graph (Oxigraph
server with ``--union-default-graph``, Fuseki with ``tdb2:unionDefaultGraph``) gets the queries
as they are.

Store differences handled here (docs/server.md, "Remote stores"): Virtuoso answers ASK as a
one-row table (normalised to a boolean), describes a resource with its incoming triples too
(DESCRIBE is sent with ``define sql:describe-mode "CBD"``, the embedded store's description),
and marks partial ("anytime") results with ``X-SQL-State: S1TAT`` (answered as a timeout) and
results cut at its ``ResultSetMaxRows`` with ``X-SPARQL-MaxRows`` (answered as capped).  The
timeout is the HTTP timeout of the request: the remote server keeps its own limit (Oxigraph:
``--timeout-s``; Virtuoso: ``MaxQueryExecutionTime``).
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import threading
import urllib.error
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from citykg.server.sparql_exec import QueryTimeoutError
from citykg.server.sparql_lex import analyse
from citykg.server.store import (
    QuerySyntaxError,
    RawResult,
    Row,
    StoreError,
    Term,
    serialize_answer,
    term_from_ox,
)
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: a graph no store holds: keeps one half of a dataset empty when only the other half is given
NO_GRAPH = "urn:x-citykg:no-graph"


@dataclass
class StoreProbe:
    """What `RemoteStore.probe` learnt about the store, once."""

    server: str = ""  # the HTTP Server header ("Virtuoso/07.20.3229 ...", "Oxigraph/0.5.13")
    dialect: str = "sparql"  # "virtuoso" or "sparql" (anything else)
    graphs: list[str] = field(default_factory=list)  # the release's graphs found in the store
    other_graphs: list[str] = field(default_factory=list)  # graphs in the store that are not the release's
    missing: list[str] = field(default_factory=list)  # graphs of the release the store lacks
    union_default: bool = True  # the store's default graph is the union of its graphs
    restricted: bool = False  # queries are sent with the release's graphs as their dataset


def _term_from_json(value: dict[str, Any]) -> Term:
    kind = value.get("type")
    if kind == "uri":
        return Term("uri", value["value"])
    if kind == "bnode":
        return Term("bnode", value["value"])
    lang = value.get("xml:lang")
    datatype = value.get("datatype")
    if not lang and not datatype:
        datatype = "http://www.w3.org/2001/XMLSchema#string"
    return Term("literal", value["value"], lang, None if lang else datatype)


class RemoteStore:
    """A SPARQL 1.1 endpoint behind the store interface."""

    #: the remote server evaluates: a hung request is cut by the HTTP timeout, no worker process needed
    isolate_queries = False

    def __init__(self, endpoint: str, *, timeout: float = 60.0, agent: str = "citykg (SPARQLWrapper)",
                 graph_prefix: str | None = None, expected_graphs: Iterable[str] = ()) -> None:
        """`graph_prefix`: the release's graphs are the store's graphs under it (``BASE/graph/``);
        None: every graph of the store counts as the release's.
        `expected_graphs`: the graphs the release has (its manifest), to report missing ones."""
        self.endpoint = endpoint
        self.timeout = timeout
        self.agent = agent
        self.graph_prefix = graph_prefix
        self.expected_graphs = sorted(expected_graphs)
        self._probe: StoreProbe | None = None
        self._probe_lock = threading.Lock()

    @classmethod
    def for_release(cls, endpoint: str, release: Path | str, **kw: Any) -> RemoteStore:
        """The store `citykg publish` loaded with this release (its graphs under ``BASE/graph/``)."""
        manifest = json.loads((Path(release) / "manifest.json").read_text(encoding="utf-8"))
        base = manifest["base"].rstrip("/")
        return cls(endpoint, graph_prefix=f"{base}/graph/", expected_graphs=(manifest.get("graphs") or {}), **kw)

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def probe(self) -> StoreProbe:
        """Learns, once, which server this is and which graphs it holds (see the module docstring)."""
        if self._probe is not None:
            return self._probe
        with self._probe_lock:
            if self._probe is None:
                self._probe = self._run_probe()
        return self._probe

    def _run_probe(self) -> StoreProbe:
        info = StoreProbe()
        raw = StoreProbe()  # while probing: no dataset, no dialect
        # `GRAPH ?g {}` lists the graphs without a scan on most stores; Virtuoso answers it with
        # nothing, and lists its graphs quickly with the scan form.
        rows, info.server = self._select_raw("SELECT ?g WHERE { GRAPH ?g {} }", raw)
        if not any("g" in r for r in rows):
            rows, info.server = self._select_raw("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", raw)
        info.dialect = "virtuoso" if info.server.lower().startswith("virtuoso") else "sparql"
        graphs = sorted({r["g"].value for r in rows if "g" in r and r["g"].is_uri})
        prefix = self.graph_prefix or ""
        info.graphs = [g for g in graphs if g.startswith(prefix)]
        info.other_graphs = [g for g in graphs if not g.startswith(prefix)]
        info.missing = [g for g in self.expected_graphs if g not in set(info.graphs)]
        if info.graphs:
            # is a triple of the release's graphs in the store's default graph?
            union, _ = self._select_raw(f"SELECT ?s WHERE {{ GRAPH <{info.graphs[0]}> {{ ?s ?p ?o }} "
                                        f"FILTER EXISTS {{ ?s ?p ?o }} }} LIMIT 1", raw)
            info.union_default = bool(union)
        info.restricted = bool(info.other_graphs) or not info.union_default
        return info

    def _select_raw(self, query: str, probe: StoreProbe) -> tuple[list[Row], str]:
        sw = self._wrapper(query, probe=probe)
        sw.setReturnFormat(JSON)
        body, _media, headers = self._fetch_full(sw)
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} sent no SPARQL JSON results") from exc
        rows = [{n: _term_from_json(v) for n, v in b.items()} for b in data.get("results", {}).get("bindings", [])]
        return rows, headers.get("Server") or ""

    def dataset(self) -> tuple[list[str], list[str]] | None:
        """The default and named graphs sent with a query that names none (None: the store's own)."""
        probe = self.probe()
        if not probe.restricted:
            return None
        graphs = probe.graphs or [NO_GRAPH]
        return graphs, graphs

    # -- plumbing ---------------------------------------------------------------------------
    def _wrapper(
        self,
        query: str,
        *,
        timeout: float | None = None,
        default_graphs: list[str] | tuple[str, ...] | None = None,
        named_graphs: list[str] | tuple[str, ...] | None = None,
        probe: StoreProbe | None = None,
    ) -> SPARQLWrapper:
        probe = probe or self.probe()
        if default_graphs is None and named_graphs is None:
            dataset = self.dataset() if probe is self._probe else None
            if dataset is not None:
                default_graphs, named_graphs = dataset
        elif probe.restricted:
            # only the release's graphs exist, as on the embedded store
            mine = set(probe.graphs)
            default_graphs = [g for g in default_graphs or () if g in mine]
            named_graphs = [g for g in named_graphs or () if g in mine]
        if default_graphs is not None or named_graphs is not None:
            # a dataset given by halves: the other half is empty (SPARQL 1.1 Protocol), not the store's own
            default_graphs = list(default_graphs or ()) or [NO_GRAPH]
            named_graphs = list(named_graphs or ()) or [NO_GRAPH]
        if probe.dialect == "virtuoso" and analyse(query).form == "DESCRIBE":
            # Virtuoso describes with the incoming triples too; CBD is what the embedded store answers
            query = 'define sql:describe-mode "CBD"\n' + query
        sw = SPARQLWrapper(self.endpoint, agent=self.agent)
        sw.setMethod(POST)
        sw.setOnlyConneg(True)  # no format=/output= parameters: Accept only
        sw.setTimeout(max(1, int(round(timeout if timeout is not None else self.timeout))))
        for uri in default_graphs or ():
            sw.addParameter("default-graph-uri", uri)
        for uri in named_graphs or ():
            sw.addParameter("named-graph-uri", uri)
        sw.setQuery(query)
        return sw

    def _fetch(self, sw: SPARQLWrapper, accept: str | None = None) -> tuple[bytes, str]:
        body, media, _headers = self._fetch_full(sw, accept)
        return body, media

    def _fetch_full(self, sw: SPARQLWrapper, accept: str | None = None) -> tuple[bytes, str, Any]:
        if accept:
            sw.addCustomHttpHeader("Accept", accept)
        else:
            sw.setReturnFormat(JSON)
        try:
            response = sw.query().response
            body = response.read()
            headers = response.headers
            media = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(_message(exc)) from exc
        except (EndPointNotFound, Unauthorized, URITooLong, EndPointInternalError) as exc:
            text = _message(exc)
            if "timeout" in text.lower() or "timed out" in text.lower():
                raise QueryTimeoutError(f"the remote endpoint stopped the query: {text}") from exc
            raise StoreError(f"the SPARQL endpoint {self.endpoint} answered: {text}") from exc
        except SPARQLWrapperException as exc:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} answered: {_message(exc)}") from exc
        except TimeoutError as exc:
            raise QueryTimeoutError("the remote endpoint did not answer in time") from exc
        except urllib.error.HTTPError as exc:  # SPARQLWrapper maps 400, 401, 404, 414 and 500
            raise StoreError(f"the SPARQL endpoint {self.endpoint} answered HTTP {exc.code}") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeoutError("the remote endpoint did not answer in time") from exc
            raise StoreError(f"cannot reach the SPARQL endpoint {self.endpoint}: {exc.reason}") from exc
        except OSError as exc:  # connection reset while reading, ...
            raise StoreError(f"cannot read from the SPARQL endpoint {self.endpoint}: {exc}") from exc
        if (headers.get("X-SQL-State") or "").strip().upper() == "S1TAT":
            # Virtuoso's "anytime" answer: a partial result, cut at its time limit
            raise QueryTimeoutError("the remote endpoint stopped the query at its time limit (partial result)")
        if self._probe is not None and self._probe.dialect == "virtuoso":
            body = _virtuoso_terms(body, media)
        return body, media, headers

    def _json(self, query: str) -> dict[str, Any]:
        body, _ = self._fetch(self._wrapper(query))
        try:
            return _normalise_ask(json.loads(body))
        except ValueError as exc:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} sent no SPARQL JSON results") from exc

    def _graph(self, sw: SPARQLWrapper) -> list[ox.Triple]:
        return self._graph_full(sw)[0]

    def _graph_full(self, sw: SPARQLWrapper) -> tuple[list[ox.Triple], bool]:
        body, media, headers = self._fetch_full(sw, _GRAPH_ACCEPT)
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        try:
            return [q.triple for q in ox.parse(body, format=fmt)], _store_capped(headers)
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} sent unreadable RDF: {exc}") from exc

    # -- the Store protocol --------------------------------------------------------------------
    def select(self, query: str) -> list[Row]:
        data = self._json(query)
        if "results" not in data:
            raise StoreError("not a SELECT query")
        return [
            {name: _term_from_json(value) for name, value in binding.items()}
            for binding in data["results"]["bindings"]
        ]

    def ask(self, query: str) -> bool:
        data = self._json(query)
        if "boolean" not in data:
            raise StoreError("not an ASK query")
        return bool(data["boolean"])

    def construct(self, query: str) -> list[tuple[Term, Term, Term]]:
        triples = self._graph(self._wrapper(query))
        return [(term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object)) for t in triples]

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0

    # -- the SPARQL endpoint -------------------------------------------------------------------
    def execute(
        self,
        query: str,
        *,
        results_format: str | None = "json",
        graph_format: str | None = "turtle",
        default_graphs: list[str] | tuple[str, ...] | None = None,
        named_graphs: list[str] | tuple[str, ...] | None = None,
        row_cap: int | None = None,
        prefixes: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> RawResult:
        """Same contract as `EmbeddedStore.execute`; raises QueryTimeoutError past `timeout`."""
        info = analyse(query)
        if info.has_dataset and default_graphs is None and named_graphs is None:
            # servers that expose the union as default graph may ignore FROM: say it in the protocol
            default_graphs, named_graphs = tuple(info.from_graphs), tuple(info.from_named)
        sw = self._wrapper(query, timeout=timeout, default_graphs=default_graphs, named_graphs=named_graphs)
        if info.is_graph:
            answer, store_capped = self._graph_full(sw)
        else:
            body, media, headers = self._fetch_full(
                sw, "application/sparql-results+json, application/sparql-results+xml;q=0.5")
            store_capped = _store_capped(headers)
            fmt = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
            if fmt == ox.QueryResultsFormat.JSON and info.form == "ASK":
                with contextlib.suppress(ValueError):
                    body = json.dumps(_normalise_ask(json.loads(body))).encode()
            try:
                answer = ox.parse_query_results(body, format=fmt)
            except SyntaxError as exc:
                raise StoreError(f"the SPARQL endpoint {self.endpoint} sent unreadable results: {exc}") from exc
        result = serialize_answer(
            answer, results_format=results_format, graph_format=graph_format, row_cap=row_cap, prefixes=prefixes
        )
        if store_capped:
            result.capped = True  # cut by the store itself (Virtuoso's ResultSetMaxRows): never silently
        return result


XSD = "http://www.w3.org/2001/XMLSchema#"
VIRTUOSO_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
_INTEGRAL = re.compile(r"-?[0-9]+")
_NT_DECIMAL = re.compile(rb'(?<!\\)"(-?[0-9]+)"\^\^<http://www\.w3\.org/2001/XMLSchema#decimal>')


def _virtuoso_terms(body: bytes, media: str) -> bytes:
    """Gives back the literals Virtuoso changed while loading: `geo:wktLiteral` became its own
    `virtrdf:Geometry`, and `xsd:integer` values beyond 32 bits became `xsd:decimal`."""
    if VIRTUOSO_GEOMETRY.encode() not in body and b"XMLSchema#decimal" not in body:
        return body
    if media in ("application/sparql-results+json", "application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            return body
        for binding in data.get("results", {}).get("bindings", []):
            for value in binding.values():
                datatype = value.get("datatype")
                if datatype == VIRTUOSO_GEOMETRY:
                    value["datatype"] = WKT_LITERAL
                elif datatype == XSD + "decimal" and _INTEGRAL.fullmatch(value.get("value", "")):
                    value["datatype"] = XSD + "integer"
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    if media in ("application/n-triples", "text/plain", "text/turtle", "application/x-turtle"):
        body = body.replace(f"^^<{VIRTUOSO_GEOMETRY}>".encode(), f"^^<{WKT_LITERAL}>".encode())
        return _NT_DECIMAL.sub(rb'"\1"^^<http://www.w3.org/2001/XMLSchema#integer>', body)
    return body


def _store_capped(headers: Any) -> bool:
    """Virtuoso sends `X-SPARQL-MaxRows` when it cut a result at its ResultSetMaxRows."""
    return bool(headers.get("X-SPARQL-MaxRows"))


def _normalise_ask(data: dict[str, Any]) -> dict[str, Any]:
    """Virtuoso answers ASK as a one-column table (`__ASK_RETVAL`): turn it into a boolean result."""
    if "boolean" in data:
        return data
    names = [str(v).upper() for v in data.get("head", {}).get("vars", [])]
    if names == ["__ASK_RETVAL"]:
        rows = data.get("results", {}).get("bindings", [])
        value = next(iter(rows[0].values()), {}).get("value") if rows else None
        return {"head": {}, "boolean": value not in (None, "0", "false")}
    return data


def _message(exc: Exception) -> str:
    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        text = text.split(marker, 1)[1]
    if text.startswith("b'") or text.startswith('b"'):
        with contextlib.suppress(ValueError, SyntaxError):

            text = ast.literal_eval(text).decode("utf-8", "replace")
    return text.strip()
