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

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox


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
