"""Entity reconciliation (the W3C Reconciliation Service API, as OpenRefine speaks it): names to
the things of the release, with scores.

The index is built once per process from the store (`Store.select` only): every label of the
search index (`rdfs:label`, `skos:prefLabel`, `schema:name`, `skos:altLabel`, ... in every
language), the types that reconciliation offers, and the places each thing is in
(`schema:containedInPlace`, followed up to the country). A name is compared in three forms:
folded (case and accents dropped: ``Kraków`` = ``krakow``), squashed (punctuation and spaces
dropped too: ``Xi'an`` = ``xian``) and, for Chinese, without the administrative suffix
(``南昌`` = ``南昌市``). Candidates come from an index of character n-grams of the squashed form,
so a batch costs a few comparisons per query, not one per label; they are scored with
difflib's ratio, exact forms first.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from citykg.server.queries import RDF_TYPE, SDMX_DIM, SDMX_MEASURE, SKOS, S, iri
from citykg.server.search import Entry, build_index, fold
from citykg.server.store import Store, Term

from citykg.uris import UriPolicy

#: how many candidates a query considers before scoring (the best by shared n-grams)
CANDIDATES = 60
#: a score at or above which a candidate alone at the top is a `match`
MATCH_SCORE = 95.0
#: the lead a match needs over the next candidate
MATCH_LEAD = 10.0
_CJK_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "市", "县")
_LATIN_SUFFIXES = (" province", " city", " prefecture", " county", " region")
_PERIOD_YEAR = re.compile(r"(\d{4})")


def squash(text: str) -> str:
    """Folded, then only letters and digits kept."""
    return "".join(c for c in fold(text) if c.isalnum())


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)


def core(text: str) -> str:
    """The squashed name without an administrative suffix (``南昌市`` -> ``南昌``)."""
    folded = fold(text)
    for suffix in _LATIN_SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix) + 2:
            folded = folded[: -len(suffix)]
            break
    s = "".join(c for c in folded if c.isalnum())
    for suffix in _CJK_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def grams(text: str) -> set[str]:
    """Character n-grams of a squashed name: bigrams of Chinese, trigrams of the rest (padded)."""
    if not text:
        return set()
    if _is_cjk(text):
        return {text[i : i + 2] for i in range(max(len(text) - 1, 1))} | set(text)
    padded = f"^{text}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass(frozen=True)
class RType:
    id: str
    name: str


@dataclass(frozen=True)
class _Named:
    label: str
    lang: str
    alt: bool


@dataclass
class Thing:
    uri: str
    types: list[str] = field(default_factory=list)
    labels: list[_Named] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)  # schema:containedInPlace

    def name(self, lang: str = "en") -> str:
        for want in (lang, "en", ""):
            for e in self.labels:
                if e.lang == want and not e.alt:
                    return e.label
        return self.labels[0].label if self.labels else self.uri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Label:
    """One name of a thing in its three compared forms."""

    label: str
    lang: str
    folded: str
    squashed: str
    core: str
    alt: bool


@dataclass
class Candidate:
    thing: Thing
    score: float
    name_score: float
    label: str
    matched: dict[str, bool] = field(default_factory=dict)  # property id -> matched


def types(policy: UriPolicy) -> list[RType]:
    """The types reconciliation offers, in the order of the manifest."""
    def t(name: str) -> str:
        return str(policy.term(name))

    return [
        RType(t("City"), "City"),
        RType(t("Province"), "Province"),
        RType(f"{S}Country", "Country"),
        RType(t("Landmark"), "Landmark"),
        RType(t("Organisation"), "Organisation"),
        RType(f"{policy.base}/def/indicator", "Indicator"),
    ]


#: the properties a query can narrow by (and data extension can fetch): id -> (name, description)
PLACE_PROPERTIES = {
    "city": ("city", "the city the thing is in"),
    "province": ("province", "the province or region the place is in"),
    "country": ("country", "the country the place is in"),
    "containedInPlace": ("contained in place", "any place the thing is in (schema:containedInPlace)"),
}


class Index:
    """The names, types and places of the release's things, for reconciliation."""

    def __init__(self, store: Store, policy: UriPolicy, entries: list[Entry]) -> None:
        self.policy = policy
        self.types = types(policy)
        self.type_names = {t.id: t.name for t in self.types}
        self.things: dict[str, Thing] = {}
        class_ids = [rt.id for rt in self.types[:-1]]
        rows = store.select(
            f"SELECT DISTINCT ?x ?t WHERE {{ VALUES ?t {{ {' '.join(iri(c) for c in class_ids)} }} "
            f"?x <{RDF_TYPE}> ?t . FILTER(isIRI(?x)) }}"
        )
        scheme = self.types[-1].id
        rows += [{"x": r["x"], "t": Term("uri", scheme)} for r in store.select(
            f"SELECT DISTINCT ?x WHERE {{ ?x <{SKOS}inScheme> {iri(scheme)} . FILTER(isIRI(?x)) }}")]
        for r in rows:
            thing = self.things.setdefault(r["x"].value, Thing(r["x"].value))
            if r["t"].value not in thing.types:
                thing.types.append(r["t"].value)
        # every containment, also of places of no offered type (a chain may pass through them)
        self.up: dict[str, list[str]] = defaultdict(list)
        for r in store.select(f"SELECT DISTINCT ?x ?p WHERE {{ ?x <{S}containedInPlace> ?p . FILTER(isIRI(?p)) }}"):
            self.up[r["x"].value].append(r["p"].value)
            if r["x"].value in self.things:
                self.things[r["x"].value].parents.append(r["p"].value)
        alt = {(r["s"].value, r["l"].value) for r in store.select(
            f"SELECT DISTINCT ?s ?l WHERE {{ ?s <{SKOS}altLabel> ?l }}")}
        self.labels: dict[str, list[Label]] = defaultdict(list)
        seen: set[tuple[str, str, str]] = set()
        for e in entries:
            thing = self.things.get(e.uri)
            if thing is None or (e.uri, e.label, e.lang) in seen:
                continue
            seen.add((e.uri, e.label, e.lang))
            is_alt = (e.uri, e.label) in alt
            thing.labels.append(_Named(e.label, e.lang, is_alt))
            self.labels[e.uri].append(Label(e.label, e.lang, e.folded, squash(e.label), core(e.label), is_alt))
        for thing in self.things.values():
            thing.labels.sort(key=lambda n: (n.alt, n.lang not in ("en", ""), n.lang, n.label))
        self.by_gram: dict[str, set[str]] = defaultdict(set)
        self.exact: dict[str, set[str]] = defaultdict(set)
        for uri, names in self.labels.items():
            for n in names:
                for form in {n.squashed, n.core}:
                    if form:
                        self.exact[form].add(uri)
                        for g in grams(form):
                            self.by_gram[g].add(uri)
        self._place_names: dict[str, set[str]] = {}
        self.term = lambda name: str(policy.term(name))

    # -- places a thing is in ------------------------------------------------------------------

    def ancestors(self, uri: str) -> list[str]:
        out: list[str] = []
        todo = list(self.up.get(uri, ()))
        while todo and len(out) < 12:
            p = todo.pop(0)
            if p in out:
                continue
            out.append(p)
            todo.extend(self.up.get(p, ()))
        return out

    def place(self, uri: str, kind: str) -> list[str]:
        """The places of `kind` (city, province, country, containedInPlace) a thing is in."""
        ups = self.ancestors(uri)
        if kind == "containedInPlace":
            return ups
        wanted = {"city": self.term("City"), "province": self.term("Province"), "country": f"{S}Country"}[kind]
        return [u for u in ups if u in self.things and wanted in self.things[u].types]

    def names_of(self, uri: str) -> set[str]:
        """Every compared form of a thing's names, and of its URI's last segment."""
        cached = self._place_names.get(uri)
        if cached is None:
            cached = {uri, uri.rsplit("/", 1)[-1]}
            for n in self.labels.get(uri, []):
                cached.update({n.folded, n.squashed, n.core})
            self._place_names[uri] = cached
        return cached

    # -- matching -------------------------------------------------------------------------------

    def _candidates(self, text: str) -> list[str]:
        sq, cr = squash(text), core(text)
        found = set(self.exact.get(sq, ())) | set(self.exact.get(cr, ()))
        counts: dict[str, int] = defaultdict(int)
        for g in grams(sq) | grams(cr):
            for uri in self.by_gram.get(g, ()):
                counts[uri] += 1
        ranked = sorted(counts, key=lambda u: -counts[u])[:CANDIDATES]
        return list(found) + [u for u in ranked if u not in found]

    def name_score(self, text: str, uri: str, forms: tuple[str, str, str] | None = None) -> tuple[float, str]:
        """(0..100, the label that scored it) for the best of a thing's names; `forms`: the
        query's folded, squashed and core forms, when the caller has them."""
        f, sq, cr = forms or (fold(text), squash(text), core(text))
        best, best_label = 0.0, ""
        for n in self.labels.get(uri, []):
            if f == n.folded:
                s = 100.0 if n.label == text.strip() else 99.0
            elif sq and sq == n.squashed:
                s = 98.0
            elif cr and (cr == n.core or sq == n.core or cr == n.squashed):
                s = 96.0
            else:
                ratio = difflib.SequenceMatcher(None, sq, n.squashed, autojunk=False).ratio()
                if cr and (cr != sq or n.core != n.squashed):
                    ratio = max(ratio, difflib.SequenceMatcher(None, cr, n.core, autojunk=False).ratio())
                s = 90.0 * ratio
                if n.squashed.startswith(sq) and len(sq) >= 3:
                    s = max(s, 70.0 + 20.0 * len(sq) / len(n.squashed))
                elif len(f) >= 3 and f" {f} " in f" {n.folded} ":
                    s = max(s, 60.0 + 30.0 * len(f) / len(n.folded))  # a word of the name
            if n.alt:
                s -= 1.0  # an alternative name is a little weaker than the preferred one
            if s > best:
                best, best_label = s, n.label
        return best, best_label

    def property_matches(self, uri: str, pid: str, values: list[str]) -> bool:
        kind = _property_kind(pid, self.term)
        if kind is None:
            return False
        wanted = {w for v in values for w in (v, fold(v), squash(v), core(v)) if w}
        return any(self.names_of(p) & wanted for p in self.place(uri, kind))

    def reconcile(self, text: str, *, type_id: str | None = None, limit: int = 5,
                  properties: list[tuple[str, list[str]]] | None = None) -> list[Candidate]:
        if not text.strip():
            return []
        out: list[Candidate] = []
        forms = (fold(text), squash(text), core(text))
        for uri in self._candidates(text):
            thing = self.things[uri]
            if type_id and type_id not in thing.types:
                continue
            score, label = self.name_score(text, uri, forms)
            if score < 30:
                continue
            cand = Candidate(thing, score, score, label)
            if properties:
                for pid, values in properties:
                    cand.matched[pid] = self.property_matches(uri, pid, values)
                share = sum(cand.matched.values()) / len(cand.matched)
                cand.score = round(0.7 * score + 30.0 * share, 2)
            out.append(cand)
        out.sort(key=lambda c: (-c.score, -c.name_score, _type_rank(c.thing.types, self.types), c.thing.uri))
        return out[:limit]

    def is_match(self, cands: list[Candidate], index: int) -> bool:
        if index != 0 or not cands or cands[0].score < MATCH_SCORE:
            return False
        return len(cands) == 1 or cands[0].score - cands[1].score >= MATCH_LEAD

    def suggest(self, prefix: str, *, type_id: str | None = None, limit: int = 10) -> list[Thing]:
        f = fold(prefix)
        if not f:
            return []
        hits: list[tuple[int, int, str, Thing]] = []
        for uri, names in self.labels.items():
            thing = self.things[uri]
            if type_id and type_id not in thing.types:
                continue
            best = None
            for n in names:
                if n.folded.startswith(f):
                    rank = 0 if n.folded == f else 1
                elif f in n.folded:
                    rank = 2
                else:
                    continue
                key = (rank, len(n.label))
                if best is None or key < best:
                    best = key
            if best is not None:
                hits.append((best[0], best[1], uri, thing))
        hits.sort(key=lambda h: (h[0], h[1], h[2]))
        return [h[3] for h in hits[:limit]]


def _type_rank(thing_types: list[str], offered: list[RType]) -> int:
    order = [t.id for t in offered]
    return min((order.index(t) for t in thing_types if t in order), default=len(order))


def _property_kind(pid: str, term) -> str | None:
    if pid in PLACE_PROPERTIES:
        return pid
    if pid in (f"{S}containedInPlace", "schema:containedInPlace"):
        return "containedInPlace"
    return None


_LOCK = threading.Lock()


def index(kg) -> Index:
    """The reconciliation index of the app's release, built on first use (once per process)."""
    found = kg.derived.get("reconcile_index")
    if found is not None:
        return found
    with _LOCK:
        found = kg.derived.get("reconcile_index")
        if found is None:
            search_index = kg.derived.get("search_index") or build_index(kg)
            found = kg.derived["reconcile_index"] = Index(kg.store, kg.policy, search_index.entries)
    return found


# -- data extension: indicators and places ------------------------------------------------------


def indicator_values(store: Store, policy: UriPolicy, ids: list[str], indicators: list[str]) -> dict:
    """{thing: {indicator: (value, datatype, period)}}: the latest observation of each (by its
    period; an observation without a period counts as older than any with one)."""
    if not ids or not indicators:
        return {}
    t = policy.term
    out: dict[str, dict[str, tuple[str, str | None, str | None]]] = defaultdict(dict)
    best: dict[tuple[str, str], tuple] = {}
    for i in range(0, len(ids), 100):
        rows = store.select(
            f"""SELECT ?x ?ind ?v ?period WHERE {{
              VALUES ?x {{ {' '.join(iri(u) for u in ids[i:i + 100])} }}
              VALUES ?ind {{ {' '.join(iri(u) for u in indicators)} }}
              ?obs <{SDMX_DIM}refArea> ?x ; <{t("indicator")}> ?ind ; <{SDMX_MEASURE}obsValue> ?v .
              OPTIONAL {{ ?obs <{SDMX_DIM}refPeriod> ?period }} }}"""
        )
        for r in rows:
            period = r["period"].value if "period" in r else None
            year = _PERIOD_YEAR.search(period or "")
            key = (r["x"].value, r["ind"].value)
            rank = (period is not None, year.group(1) if year else "", period or "")
            if key not in best or rank > best[key]:
                best[key] = rank
                out[key[0]][key[1]] = (r["v"].value, r["v"].datatype, period)
    return out
