"""The store interface the server talks to, and its embedded implementation.

The server never touches pyoxigraph or SPARQLWrapper directly: pages, documents
and search call `Store.select`, `Store.ask` and `Store.construct`; results are
plain `Term` values so that every implementation (the embedded pyoxigraph store,
a remote SPARQL endpoint) answers the same way.

Why in memory: pyoxigraph's in-memory store answered scans 10-24x faster than
its on-disk RocksDB store in our measurements, and the release is immutable, so
the server loads it once (before gunicorn forks, so workers share the pages).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from citykg.server import formats
from citykg.server.formats import Format
from citykg.server.sparql_lex import analyse


@dataclass(frozen=True, slots=True)
class Term:
    """An RDF term as the pages see it (the SPARQL JSON results model)."""

    kind: str  # "uri" | "literal" | "bnode"
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_uri(self) -> bool:
        return self.kind == "uri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    def n3(self) -> str:
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        esc = (
            self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        )
        if self.lang:
            return f'"{esc}"@{self.lang}'
        if self.datatype and self.datatype != "http://www.w3.org/2001/XMLSchema#string":
            return f'"{esc}"^^<{self.datatype}>'
        return f'"{esc}"'


Row = dict[str, Term]


class StoreError(RuntimeError):
    """A query the store could not answer (syntax error, unreachable endpoint, ...)."""


class Store(Protocol):
    """What the server needs from a triple store."""

    def select(self, query: str) -> list[Row]:
        """Runs a SELECT query; unbound variables are absent from a row."""

    def ask(self, query: str) -> bool:
        """Runs an ASK query."""

    def construct(self, query: str) -> list[tuple[Term, Term, Term]]:
        """Runs a CONSTRUCT or DESCRIBE query and returns its triples."""

    def __len__(self) -> int:
        """Number of quads in the store."""


def term_from_ox(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Term:
    if isinstance(t, ox.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, ox.Literal):
        return Term("literal", t.value, t.language, t.datatype.value if not t.language else None)
    raise StoreError(f"unsupported term {t!r}")


class EmbeddedStore:
    """The release loaded into an in-process, in-memory pyoxigraph store."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self.ox = store if store is not None else ox.Store()

    @classmethod
    def from_files(cls, paths: list[Path]) -> EmbeddedStore:
        """Loads N-Quads / TriG / Turtle files (by extension) with the bulk loader."""
        store = ox.Store()
        for path in paths:
            fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
            if fmt is None:
                raise StoreError(f"{path}: unknown RDF file extension")
            store.bulk_load(path=str(path), format=fmt)
        store.optimize()
        return cls(store)

    def _query(self, query: str) -> object:
        try:
            return self.ox.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(str(exc)) from exc

    def select(self, query: str) -> list[Row]:
        result = self._query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("not a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = term_from_ox(value)
            rows.append(row)
        return rows

    def ask(self, query: str) -> bool:
        result = self._query(query)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("not an ASK query")
        return bool(result)

    def construct(self, query: str) -> list[tuple[Term, Term, Term]]:
        result = self._query(query)
        if not isinstance(result, ox.QueryTriples):
            raise StoreError("not a CONSTRUCT or DESCRIBE query")
        return [(term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object)) for t in result]

    def __len__(self) -> int:
        return len(self.ox)

    #: pyoxigraph evaluates in this process and cannot interrupt a query: the SPARQL endpoint
    #: runs `execute` in a worker process it can kill (server/sparql_exec.py).
    isolate_queries = True

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
        """Runs any SPARQL query and returns the engine's own serialization of the answer.

        `results_format` applies to SELECT and ASK, `graph_format` to CONSTRUCT and DESCRIBE
        (keys of RESULT_FORMATS; None = not acceptable: FormatMismatchError).  Without
        `default_graphs`/`named_graphs` the default graph is the union of all graphs.  At most
        `row_cap` rows (triples) are returned; `capped` says whether more existed.  `timeout`
        is not enforced here (see `isolate_queries`).
        """
        return _execute_embedded(
            self.ox,
            query,
            results_format=results_format,
            graph_format=graph_format,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            row_cap=row_cap,
            prefixes=prefixes,
        )




class DiskStore(EmbeddedStore):
    """A release's on-disk RocksDB store, opened read-only in each process that uses it.

    Opening takes milliseconds, so a restarted server is ready at once; a RocksDB handle
    must not cross a fork, so every process (gunicorn worker, query worker) opens its own.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._pid = -1
        self._ox: ox.Store | None = None

    @property  # type: ignore[override]
    def ox(self) -> ox.Store:
        if self._ox is None or self._pid != os.getpid():
            self._ox = ox.Store.read_only(str(self.path))
            self._pid = os.getpid()
        return self._ox

    @ox.setter
    def ox(self, value: ox.Store) -> None:  # EmbeddedStore.__init__ compatibility
        self._ox = value
        self._pid = os.getpid()

#: the stores that query worker processes may be asked to run a query on, by key (`register`): a pool of
#: query workers can then serve several stores (the releases of a series, `citykg.server.releases`)
_REGISTRY: dict[str, EmbeddedStore] = {}


def register(store: EmbeddedStore) -> str:
    """The key by which `execute_registered` finds `store` (in this process and in the ones forked from it).

    An on-disk store is named by its folder, so a worker forked before it was registered still opens it."""
    key = f"disk:{store.path}" if isinstance(store, DiskStore) else f"memory:{id(store)}"
    _REGISTRY[key] = store
    return key


def execute_registered(key: str, query: str, **kwargs: Any) -> RawResult:
    """`EmbeddedStore.execute` on the store registered under `key` (the target of a query worker pool)."""
    store = _REGISTRY.get(key)
    if store is None:
        if not key.startswith("disk:"):
            raise StoreError(f"no store {key} in this process")
        store = _REGISTRY[key] = DiskStore(Path(key[len("disk:"):]))
    return store.execute(query, **kwargs)


# -- raw execution for the SPARQL endpoint --------------------------------------------------------
#
# The endpoint hands the engine's own serialization to the client: results are written by
# pyoxigraph (QuerySolutions/QueryBoolean/QueryTriples serializers), never re-encoded row by
# row in Python.  The row cap is enforced on the engine's output stream: SELECT results are
# first written as SPARQL TSV and graphs as N-Triples (one row or triple per line, guaranteed
# by both formats' escaping), the writer stops the evaluation after cap + 1 lines, and the
# kept lines are handed back to pyoxigraph to write the format the client asked for.


#: the answers the endpoint offers, by name (json, xml, csv, tsv; turtle, ntriples, jsonld, rdfxml)
RESULT_FORMATS: dict[str, Format] = {f.name: f for f in (*formats.RESULTS, *formats.GRAPHS)}


@dataclass(slots=True)
class RawResult:
    """A query answer, already serialized."""

    form: str  # "select" | "ask" | "graph"
    body: bytes
    format: str  # a RESULT_FORMATS key
    capped: bool = False  # True when rows (or triples) beyond the cap were dropped
    count: int | None = None  # rows or triples written (None for ASK)

    @property
    def media_type(self) -> str:
        return RESULT_FORMATS[self.format].content_type


class QuerySyntaxError(StoreError):
    """The text is not a valid SPARQL 1.1 query (the message says where)."""


class FormatMismatchError(StoreError):
    """No format was asked for the query's form (SELECT asked as Turtle only, ...)."""

    def __init__(self, form: str) -> None:
        super().__init__(f"no acceptable format for a {form} result")
        self.form = form


class _CapReachedError(Exception):
    pass


class _LineCapWriter:
    """A binary sink that stops the serializer (and so the evaluation) after `limit` lines."""

    __slots__ = ("buf", "lines", "limit")

    def __init__(self, limit: int | None) -> None:
        self.buf = bytearray()
        self.lines = 0
        self.limit = limit

    def write(self, chunk: bytes) -> int:
        self.buf += chunk
        if self.limit is not None:
            self.lines += chunk.count(b"\n")
            if self.lines > self.limit:
                raise _CapReachedError
        return len(chunk)

    def flush(self) -> None:
        pass

    def head(self, lines: int) -> tuple[bytes, bool]:
        """The first `lines` lines, and whether anything was cut."""
        pos = -1
        for _ in range(lines):
            pos = self.buf.find(b"\n", pos + 1)
            if pos < 0:
                return bytes(self.buf), False
        return bytes(self.buf[: pos + 1]), pos + 1 < len(self.buf)


def _graph_list(uris: list[str] | tuple[str, ...] | None) -> list[ox.NamedNode] | None:
    return None if uris is None else [ox.NamedNode(u) for u in uris]


def serialize_answer(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterable[ox.Triple],
    *,
    results_format: str | None,
    graph_format: str | None,
    row_cap: int | None,
    prefixes: dict[str, str] | None = None,
) -> RawResult:
    """Serializes a pyoxigraph answer with pyoxigraph, keeping at most `row_cap` rows or triples."""
    if isinstance(result, ox.QueryBoolean):
        if results_format is None:
            raise FormatMismatchError("ASK")
        return RawResult("ask", result.serialize(format=RESULT_FORMATS[results_format].engine), results_format)
    if isinstance(result, ox.QuerySolutions):
        if results_format is None:
            raise FormatMismatchError("SELECT")
        sink = _LineCapWriter(None if row_cap is None else row_cap + 1)  # + the header line
        with contextlib.suppress(_CapReachedError):
            result.serialize(output=sink, format=ox.QueryResultsFormat.TSV)
        tsv, capped = sink.head(row_cap + 1) if row_cap is not None else (bytes(sink.buf), False)
        rows = max(tsv.count(b"\n") - 1, 0)
        if results_format == "tsv":
            return RawResult("select", tsv, "tsv", capped, rows)
        solutions = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        body = solutions.serialize(format=RESULT_FORMATS[results_format].engine)
        return RawResult("select", body, results_format, capped, rows)
    if graph_format is None:
        raise FormatMismatchError("CONSTRUCT")
    sink = _LineCapWriter(row_cap)
    with contextlib.suppress(_CapReachedError):
        if isinstance(result, ox.QueryTriples):
            result.serialize(output=sink, format=ox.RdfFormat.N_TRIPLES)
        else:
            ox.serialize(result, sink, ox.RdfFormat.N_TRIPLES)
    nt, capped = sink.head(row_cap) if row_cap is not None else (bytes(sink.buf), False)
    count = nt.count(b"\n")
    if graph_format == "ntriples":
        return RawResult("graph", nt, "ntriples", capped, count)
    triples = (q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    body = ox.serialize(triples, format=RESULT_FORMATS[graph_format].engine, prefixes=prefixes)
    return RawResult("graph", body, graph_format, capped, count)


def _execute_embedded(
    store: ox.Store,
    query: str,
    *,
    results_format: str | None = "json",
    graph_format: str | None = "turtle",
    default_graphs: list[str] | tuple[str, ...] | None = None,
    named_graphs: list[str] | tuple[str, ...] | None = None,
    row_cap: int | None = None,
    prefixes: dict[str, str] | None = None,
) -> RawResult:

    kwargs: dict = {}
    if default_graphs is None and named_graphs is None:
        # the union default graph, unless the query names its dataset (FROM, FROM NAMED)
        kwargs["use_default_graph_as_union"] = not analyse(query).has_dataset
    else:
        # SPARQL 1.1 Protocol: the request's graphs make the whole dataset (an unset part is empty)
        kwargs["default_graph"] = _graph_list(default_graphs or [])
        kwargs["named_graphs"] = _graph_list(named_graphs or [])
    try:
        result = store.query(query, **kwargs)
        return serialize_answer(
            result, results_format=results_format, graph_format=graph_format, row_cap=row_cap, prefixes=prefixes
        )
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from exc
    except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: evaluation, e.g. a SERVICE that failed
        raise StoreError(str(exc)) from exc
