"""Label search: every language, case- and accent-insensitive, exact > prefix > all words > substring.

The index is built once at start-up (before gunicorn forks) from the label predicates of every graph
but the metadata graph (the catalogue, its distributions and the EU authority tables are not things
people search for), so a query is a scan of a Python list: no store round trip, and the same code
works over a remote store. Each hit shows the resource's preferred label (``rdfs:label``,
``skos:prefLabel``, ... in the language of the label that matched, else English), the label that
matched when it is another one (an alternative label), and what kind of thing it is ("city").
A query of several words finds a resource whose label has each word, or whose kind is one of
them: "nanchang city" finds the city Nanchang.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from citykg.server.queries import LABEL_PREDICATES, RDF_TYPE, SKOS, iri, kind_of, type_words

_PREDICATES = (*LABEL_PREDICATES, f"{SKOS}altLabel")
RANKS = ("exact", "prefix", "words", "substring")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _words(folded: str) -> set[str]:
    return {w.strip(".,;:()[]\"'“”‘’") for w in folded.replace("-", " ").replace("/", " ").split()} - {""}


@dataclass(frozen=True)
class Entry:
    folded: str
    label: str
    lang: str
    uri: str
    preferred: bool = True  # a label predicate, not skos:altLabel


@dataclass(frozen=True)
class Hit:
    uri: str
    label: str  # the preferred label
    lang: str
    rank: str
    matched: str | None = None  # the label that matched, when it is not the preferred one
    kind: str | None = None  # "city", "indicator", ...


@dataclass
class SearchIndex:
    entries: list[Entry] = field(default_factory=list)
    preferred: dict[str, dict[str, str]] = field(default_factory=dict)  # uri -> lang -> preferred label
    kinds: dict[str, str] = field(default_factory=dict)  # uri -> kind word


def build_index(kg) -> SearchIndex:
    rank = {p: i for i, p in enumerate(_PREDICATES)}
    values = " ".join(f"<{p}>" for p in _PREDICATES)
    metadata = iri(str(kg.policy.graph("metadata")))
    rows = kg.store.select(
        f"SELECT DISTINCT ?s ?p ?l WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?l }} "
        f"FILTER(?g != {metadata} && isIRI(?s) && isLiteral(?l)) }}"
    )
    entries: set[Entry] = set()
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for r in rows:
        s, p, label = r["s"].value, r["p"].value, r["l"]
        lang = label.lang or ""
        preferred = p != f"{SKOS}altLabel"
        entries.add(Entry(fold(label.value), label.value, lang, s, preferred))
        if preferred:
            key, cand = (s, lang), (rank[p], label.value)
            if key not in best or cand < best[key]:
                best[key] = cand
    index = SearchIndex(entries=sorted(entries, key=lambda e: (e.folded, e.uri, e.lang, not e.preferred)))
    for (s, lang), (_, text) in sorted(best.items()):
        index.preferred.setdefault(s, {})[lang] = text
    words = type_words(kg.policy)
    types = " ".join(f"<{t}>" for t, _ in words)
    rows = kg.store.select(f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?t {{ {types} }} ?s <{RDF_TYPE}> ?t }}")
    type_uris: dict[str, set[str]] = {}
    for r in rows:
        if r["s"].value in index.preferred:
            type_uris.setdefault(r["s"].value, set()).add(r["t"].value)
    for s in sorted(index.preferred):
        kind = kind_of(kg.policy, s, type_uris.get(s, set()))
        if kind:
            index.kinds[s] = kind
    kg.derived["search_index"] = index
    return index


def _label(index: SearchIndex, e: Entry) -> str:
    names = index.preferred.get(e.uri, {})
    return names.get(e.lang) or names.get("en") or names.get("") or next(iter(names.values()), e.label)


def search(kg, query: str, limit: int | None = None) -> list[Hit]:
    """Every hit of `query` (the first `limit`), best first."""
    q = fold(query)
    if not q:
        return []
    index = kg.derived.get("search_index")
    if not isinstance(index, SearchIndex):  # not built yet, or saved by an earlier version
        index = build_index(kg)
    tokens = _words(q)
    best: dict[str, tuple[int, int, int, str, Entry]] = {}
    for e in index.entries:
        if e.folded == q:
            rank = 0
        elif e.folded.startswith(q):
            rank = 1
        elif len(tokens) > 1 and _all_words(tokens, e.folded, index.kinds.get(e.uri)):
            rank = 2
        elif q in e.folded:
            rank = 3
        else:
            continue
        key = (rank, not e.preferred, len(e.label), e.label, e)
        if e.uri not in best or key[:4] < best[e.uri][:4]:
            best[e.uri] = key
    ordered = sorted(best.values(), key=lambda k: (k[0], k[1], k[2], k[3], k[4].uri))
    hits = []
    for k in ordered[:limit]:
        e = k[4]
        label = _label(index, e)
        hits.append(Hit(e.uri, label, e.lang, RANKS[k[0]], None if fold(label) == e.folded else e.label,
                        index.kinds.get(e.uri)))
    return hits


def _all_words(tokens: set[str], folded: str, kind: str | None) -> bool:
    """Each word of the query is a word of the label (or begins one) or of its kind; one at least is the label's."""
    label_words = _words(folded)
    kind_words = set(kind.split()) if kind else set()

    def in_label(t: str) -> bool:
        return any(w == t or w.startswith(t) for w in label_words)

    return any(in_label(t) for t in tokens) and all(in_label(t) or t in kind_words for t in tokens)
