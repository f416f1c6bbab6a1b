"""Triple Pattern Fragments: the triples of one pattern, a page at a time, and their count.

A fragment is the set of triples of the dataset (the union of its graphs, or one named graph)
that match a triple pattern whose positions are each an IRI, a literal or unbound. The terms
come in the Linked Data Fragments' explicit representation (``hydra:ExplicitRepresentation``):
an IRI as it is, a literal in quotes with ``@lang`` or ``^^datatype`` after it, a variable
(``?x``) or nothing for an unbound position.

Everything goes through `Store.select`, so the embedded and the remote stores answer the same
way. A page is one ``SELECT DISTINCT ... LIMIT 101 OFFSET n`` (the 101st row says there is a
next page); the count is exact up to `COUNT_CAP` triples (a count over a sub-select with a
limit, so a broad pattern costs no more than a narrow one), and above it an estimate, as the
spec allows: the VoID statistics of the release (every triple, per property, per class), else
the pattern's full count, computed once per process and kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from citykg.server.cache import LRU
from citykg.server.queries import RDF_TYPE, iri
from citykg.server.store import Store, Term

#: triples on one page (the spec's servers use 100)
PAGE_SIZE = 100
#: counts up to this are exact; above it an estimate
COUNT_CAP = 1000
#: the deepest page served (OFFSET costs grow with the page number)
MAX_PAGE = 100000

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_LITERAL_RE = re.compile(r'^"(?P<value>.*)"(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^<?(?P<dt>[^<>\s]+?)>?)?$',
                         re.DOTALL)
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


class PatternError(ValueError):
    """A term of the pattern is neither an IRI, a literal nor a variable."""


@dataclass(frozen=True, slots=True)
class Pattern:
    subject: Term | None = None
    predicate: Term | None = None
    object: Term | None = None
    graph: str | None = None  # a named graph, or None for the union of every graph

    @property
    def terms(self) -> tuple[Term | None, Term | None, Term | None]:
        return (self.subject, self.predicate, self.object)


def parse_term(text: str | None, position: str) -> Term | None:
    """A term in the explicit representation; None for an unbound position ('', '?x')."""
    if text is None:
        return None
    raw = text.strip()
    if not raw or raw.startswith("?"):
        return None
    if raw.startswith('"'):
        if position != "object":
            raise PatternError(f"the {position} cannot be a literal")
        m = _LITERAL_RE.match(raw)
        if not m:
            raise PatternError(f"not a literal in the explicit representation: {raw[:80]!r}")
        value = m["value"]
        if m["lang"]:
            return Term("literal", value, lang=m["lang"].lower())
        dt = m["dt"] or XSD_STRING
        if not _IRI_RE.match(dt):
            raise PatternError(f"not a datatype IRI: {dt[:80]!r}")
        return Term("literal", value, datatype=dt)
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    if raw.startswith("_:"):
        raise PatternError("the dataset has no blank nodes (they are skolemized)")
    if not _IRI_RE.match(raw):
        raise PatternError(f"the {position} is not an IRI: {raw[:80]!r}")
    return Term("uri", raw)


def explicit(term: Term) -> str:
    """A term in the explicit representation (the value of a subject/predicate/object parameter)."""
    if term.kind == "uri":
        return term.value
    if term.lang:
        return f'"{term.value}"@{term.lang}'
    if term.datatype and term.datatype != XSD_STRING:
        return f'"{term.value}"^^{term.datatype}'
    return f'"{term.value}"'


_VARS = ("s", "p", "o")


def _where(pattern: Pattern) -> str:
    parts = [t.n3() if t is not None else f"?{v}" for t, v in zip(pattern.terms, _VARS, strict=True)]
    triple = " ".join(parts) + " ."
    if pattern.graph:
        return f"GRAPH {iri(pattern.graph)} {{ {triple} }}"
    return triple


def _free(pattern: Pattern) -> list[str]:
    return [v for t, v in zip(pattern.terms, _VARS, strict=True) if t is None]


def page(store: Store, pattern: Pattern, number: int) -> tuple[list[tuple[Term, Term, Term]], bool]:
    """The triples of page `number` (from 1) and whether a next page exists."""
    free = _free(pattern)
    offset = (number - 1) * PAGE_SIZE
    if not free:
        ask = f"ASK {{ {_where(pattern)} }}"
        found = number == 1 and store.ask(ask)
        triple = pattern.terms
        return ([(triple[0], triple[1], triple[2])] if found else []), False  # type: ignore[list-item]
    # ORDER BY would make the pages stable on any store, at the price of sorting the whole
    # fragment for every page; the embedded store's order is stable for a release, and a
    # remote store's for its data.
    rows = store.select(
        f"SELECT DISTINCT {' '.join('?' + v for v in free)} WHERE {{ {_where(pattern)} }} "
        f"LIMIT {PAGE_SIZE + 1} OFFSET {offset}"
    )
    triples = []
    for row in rows[:PAGE_SIZE]:
        terms = [t if t is not None else row.get(v) for t, v in zip(pattern.terms, _VARS, strict=True)]
        if any(t is None for t in terms):
            continue
        triples.append((terms[0], terms[1], terms[2]))
    return triples, len(rows) > PAGE_SIZE  # type: ignore[return-value]


@dataclass
class Statistics:
    """What the release's VoID says: triples in all, per property, entities per class."""

    triples: int = 0
    properties: dict[str, int] | None = None
    classes: dict[str, int] | None = None


class Counter:
    """Counts of patterns: exact up to `COUNT_CAP`, else the VoID statistics, else exact and kept."""

    def __init__(self, store: Store, stats: Statistics, keep: int = 4096) -> None:
        self.store = store
        self.stats = stats
        self.kept: LRU[int] = LRU(keep * 64, 64)

    def count(self, pattern: Pattern) -> tuple[int, bool]:
        """(count, exact): the number of matching triples (an estimate when not exact)."""
        free = _free(pattern)
        if not free:
            return (1, True) if self.store.ask(f"ASK {{ {_where(pattern)} }}") else (0, True)
        capped = self._select_count(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT {' '.join('?' + v for v in free)} "
            f"WHERE {{ {_where(pattern)} }} LIMIT {COUNT_CAP + 1} }}"
        )
        if capped <= COUNT_CAP:
            return capped, True
        estimate = self._estimate(pattern)
        if estimate is not None:
            return max(estimate, capped), False
        key = (pattern.terms, pattern.graph)
        kept = self.kept.get(key)
        if kept is None:
            kept = self._select_count(f"SELECT (COUNT(*) AS ?n) WHERE {{ {_where(pattern)} }}")
            self.kept.put(key, kept, 64)
        return kept, False

    def _select_count(self, query: str) -> int:
        rows = self.store.select(query)
        try:
            return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
        except ValueError:
            return 0

    def _estimate(self, pattern: Pattern) -> int | None:
        s, p, o = pattern.terms
        st = self.stats
        if s is not None:
            return None
        if pattern.graph:
            return None
        if p is None and o is None:
            return st.triples or None
        if p is not None and o is None and st.properties and p.value in st.properties:
            return st.properties[p.value]
        if p is not None and p.value == RDF_TYPE and o is not None and o.is_uri and st.classes:
            return st.classes.get(o.value)
        return None
