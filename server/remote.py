"""The remote store: any SPARQL 1.1 endpoint reached with SPARQLWrapper (``citykg serve --store URL``).

It implements the `server.store.Store` protocol (select/ask/construct/len for the pages)
and `execute` for the SPARQL endpoint.  Answers come back from the remote endpoint as SPARQL
JSON (SELECT, ASK) or N-Triples/Turtle (CONSTRUCT, DESCRIBE) and are re-serialized by
pyoxigraph into the format the client asked for, with the same row cap as the embedded store.

The remote endpoint must answer with the union of its named graphs as the default graph, as
the embedded store does (Oxigraph: ``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph``;
Virtuoso and GraphDB do by default).  The timeout is the HTTP timeout of the request: the
remote server keeps its own limit (Oxigraph: ``--timeout-s``).
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from server.sparql_exec import QueryTimeoutError
from server.sparql_lex import analyse
from server.store import (
    QuerySyntaxError,
    RawResult,
    Row,
    StoreError,
    Term,
    serialize_answer,
    term_from_ox,
)

_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


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

    def __init__(self, endpoint: str, *, timeout: float = 60.0, agent: str = "citykg (SPARQLWrapper)") -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.agent = agent

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # -- plumbing ---------------------------------------------------------------------------
    def _wrapper(
        self,
        query: str,
        *,
        timeout: float | None = None,
        default_graphs: list[str] | tuple[str, ...] | None = None,
        named_graphs: list[str] | tuple[str, ...] | None = None,
    ) -> SPARQLWrapper:
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
        if accept:
            sw.addCustomHttpHeader("Accept", accept)
        else:
            sw.setReturnFormat(JSON)
        try:
            response = sw.query().response
            body = response.read()
            media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            return body, media
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

    def _json(self, query: str) -> dict[str, Any]:
        body, _ = self._fetch(self._wrapper(query))
        try:
            return _normalise_ask(json.loads(body))
        except ValueError as exc:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} sent no SPARQL JSON results") from exc

    def _graph(self, sw: SPARQLWrapper) -> list[ox.Triple]:
        body, media = self._fetch(sw, _GRAPH_ACCEPT)
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        try:
            return [q.triple for q in ox.parse(body, format=fmt)]
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
            answer: Any = self._graph(sw)
        else:
            body, media = self._fetch(sw, "application/sparql-results+json, application/sparql-results+xml;q=0.5")
            fmt = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
            if fmt == ox.QueryResultsFormat.JSON and info.form == "ASK":
                with contextlib.suppress(ValueError):
                    body = json.dumps(_normalise_ask(json.loads(body))).encode()
            try:
                answer = ox.parse_query_results(body, format=fmt)
            except SyntaxError as exc:
                raise StoreError(f"the SPARQL endpoint {self.endpoint} sent unreadable results: {exc}") from exc
        return serialize_answer(
            answer, results_format=results_format, graph_format=graph_format, row_cap=row_cap, prefixes=prefixes
        )


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
        try:
            import ast

            text = ast.literal_eval(text).decode("utf-8", "replace")
        except (ValueError, SyntaxError):
            pass
    return text.strip()
