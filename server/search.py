"""Label search: every language, case- and accent-insensitive, exact > prefix > substring.

The index is one SELECT over the label predicates, folded once at start-up
(before gunicorn forks), so a query is a scan of a Python list: no store round
trip, and the same code works over a remote store.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from citykg.server.queries import LABEL_PREDICATES, SKOS

_PREDICATES = (*LABEL_PREDICATES, f"{SKOS}altLabel")
RANKS = ("exact", "prefix", "substring")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


@dataclass(frozen=True)
class Entry:
    folded: str
    label: str
    lang: str
    uri: str


@dataclass(frozen=True)
class Hit:
    uri: str
    label: str
    lang: str
    rank: str


def build_index(kg) -> list[Entry]:
    values = " ".join(f"<{p}>" for p in _PREDICATES)
    rows = kg.store.select(
        f"SELECT DISTINCT ?s ?l WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?l . "
        f"FILTER(isIRI(?s) && isLiteral(?l)) }}"
    )
    index = sorted(
        {Entry(fold(r["l"].value), r["l"].value, r["l"].lang or "", r["s"].value) for r in rows},
        key=lambda e: (e.folded, e.uri, e.lang),
    )
    kg.derived["search_index"] = index
    return index


def search(kg, query: str, limit: int = 50) -> list[Hit]:
    q = fold(query)
    if not q:
        return []
    index: list[Entry] = kg.derived.get("search_index") or build_index(kg)
    best: dict[str, tuple[int, int, str, Entry]] = {}
    for e in index:
        if e.folded == q:
            rank = 0
        elif e.folded.startswith(q):
            rank = 1
        elif q in e.folded:
            rank = 2
        else:
            continue
        key = (rank, len(e.label), e.label, e)
        if e.uri not in best or key[:3] < best[e.uri][:3]:
            best[e.uri] = key
    ordered = sorted(best.values(), key=lambda k: (k[0], k[1], k[2], k[3].uri))
    return [Hit(k[3].uri, k[3].label, k[3].lang, RANKS[k[0]]) for k in ordered[:limit]]
