"""What pages and documents read from the store, through Store.select/ask/construct only."""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from citykg.server.store import Store, Term

from citykg.uris import SCHEMA, UriPolicy

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
HYDRA = "http://www.w3.org/ns/hydra/core#"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_ATTR = "http://purl.org/linked-data/sdmx/2009/attribute#"
PROV = "http://www.w3.org/ns/prov#"
S = str(SCHEMA)

#: The word for a thing of each type, most specific first (the lead's "Nanchang is a city").
TYPE_WORDS = (
    (f"{QB}Observation", "observation"), (f"{S}City", "city"), (f"{S}Country", "country"),
    (f"{S}AdministrativeArea", "administrative area"), (f"{S}LandmarksOrHistoricalBuildings", "landmark"),
    (f"{S}EventSeries", "event"), (f"{S}EducationalOrganization", "educational organisation"),
    (f"{S}Organization", "organisation"), (f"{S}Project", "project"), (f"{S}ImageObject", "photo"),
    (f"{S}Person", "person"), (f"{QB}DataSet", "data set"), (f"{SKOS}ConceptScheme", "concept scheme"),
    (f"{SKOS}Concept", "concept"), (f"{OWL}Ontology", "ontology"), (f"{OWL}Class", "class"),
    (f"{OWL}ObjectProperty", "property"), (f"{OWL}DatatypeProperty", "property"),
)

#: The concept schemes of the project, by the word for one of their concepts.
SCHEME_WORDS = {"indicator": "indicator", "theme": "cooperation theme", "industry": "industry",
                "qualifier": "qualifier", "role": "centre role"}


def type_words(policy: UriPolicy) -> tuple[tuple[str, str], ...]:
    """`TYPE_WORDS` with the project's own classes first (a province, a cooperation narrative)."""
    t = policy.term
    own = ((str(t("Province")), "province"), (str(t("CooperationNarrative")), "cooperation narrative"),
           (str(t("Programme")), "programme"), (str(t("SourceDocument")), "source document"))
    return own + TYPE_WORDS


def kind_of(policy: UriPolicy, uri: str, type_uris: set[str] | list[str]) -> str | None:
    """The word for what `uri` is ("city", "indicator", "cooperation theme"), from its types and, for a
    concept of one of the project's schemes, its scheme."""
    prefix = f"{policy.base}/def/"
    if uri.startswith(prefix) and uri.count("/", len(prefix)) == 1:
        word = SCHEME_WORDS.get(uri[len(prefix):].split("/", 1)[0])
        if word:
            return word
    given = set(type_uris)
    return next((word for t, word in type_words(policy) if t in given), None)


#: Predicates that name a resource, in order of preference.
LABEL_PREDICATES = (f"{RDFS}label", f"{SKOS}prefLabel", f"{S}name", f"{DCT}title", f"{FOAF}name")
_LABEL_LIST = ", ".join(f"<{p}>" for p in LABEL_PREDICATES)

#: How many incoming links one page of a document holds.
INCOMING_PAGE = 100

#: Units as people write them (QUDT unit IRI -> symbol, word).
UNITS = {
    "http://qudt.org/vocab/unit/PERCENT": ("%", "percent"),
    "http://qudt.org/vocab/unit/KiloM2": ("km²", "square kilometres"),
    "http://qudt.org/vocab/unit/NUM": ("", "count"),
    "http://qudt.org/vocab/unit/CCY_CNY": ("CNY", "yuan (CNY)"),
    "http://qudt.org/vocab/unit/CCY_EUR": ("EUR", "euro (EUR)"),
    "http://qudt.org/vocab/unit/CCY_USD": ("USD", "US dollar (USD)"),
    "http://qudt.org/vocab/unit/CCY_GBP": ("GBP", "pound sterling (GBP)"),
    "http://qudt.org/vocab/unit/TONNE": ("t", "tonnes"),
    "http://qudt.org/vocab/unit/PER-KiloM2": ("per km²", "per square kilometre"),
    "http://qudt.org/vocab/unit/KiloM": ("km", "kilometres"),
}

#: Readable names of licences the data uses.
LICENCES = {
    "http://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
    "http://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0": "CC BY-SA 4.0",
    "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0": "CC BY 4.0",
    "http://publications.europa.eu/resource/authority/licence/CC0": "CC0 1.0",
}


#: Names of the EU licence authority table and Creative Commons IRIs that have no label in the data.
LICENCE_NAMES = {
    **LICENCES,
    "http://creativecommons.org/licenses/by-sa/3.0/": "CC BY-SA 3.0",
    "http://creativecommons.org/licenses/by/3.0/": "CC BY 3.0",
    "http://creativecommons.org/licenses/by/2.0/": "CC BY 2.0",
    "http://creativecommons.org/licenses/by-sa/2.0/": "CC BY-SA 2.0",
    "http://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "http://publications.europa.eu/resource/authority/licence/CC_BYSA_3_0": "CC BY-SA 3.0",
    "http://publications.europa.eu/resource/authority/licence/CC_BY_3_0": "CC BY 3.0",
    "http://publications.europa.eu/resource/authority/licence/CC_BY_2_0": "CC BY 2.0",
    "http://publications.europa.eu/resource/authority/licence/CC_BYSA_2_0": "CC BY-SA 2.0",
}


#: English names of the EU file-type authority codes the catalogue uses (their skos:prefLabel).
FILE_TYPES = {"RDF_N_QUADS": "RDF N-Quads", "RDF_N_TRIPLES": "RDF N-Triples", "RDF_TURTLE": "RDF Turtle",
              "RDF_XML": "RDF/XML", "JSON_LD": "JSON-LD", "SPARQLQ": "SPARQL", "GZIP": "GNU zip", "CSV": "CSV"}


def licence_name(uri: str) -> str:
    """``…/licence/CC_BY_4_0`` -> ``CC BY 4.0``; an unknown licence keeps its IRI."""
    if uri in LICENCE_NAMES:
        return LICENCE_NAMES[uri]
    m = re.fullmatch(r"http://publications\.europa\.eu/resource/authority/licence/CC_(BY(?:NC|ND|SA)*)_(\d)_(\d)", uri)
    if m:
        parts = re.findall(r"BY|NC|ND|SA", m[1])
        return f"CC {'-'.join(parts)} {m[2]}.{m[3]}"
    m = re.fullmatch(r"https?://creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)/?", uri)
    if m:
        return f"CC {m[1].upper()} {m[2]}"
    return uri


def iri(value: str) -> str:
    """An IRI as a SPARQL term; refuses characters that could break out of <...>."""
    if re.search(r"[\s<>\"{}|\\^`]", value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def local_name(value: str) -> str:
    cut = max(value.rfind("#"), value.rfind("/"))
    return value[cut + 1 :] or value


def humanize(name: str) -> str:
    """``containedInPlace`` -> ``contained in place``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return words.lower() if not words.isupper() else words


def compact(value: str, prefixes: dict[str, str]) -> str:
    best = ""
    for prefix, ns in prefixes.items():
        if value.startswith(ns) and len(ns) > len(prefixes.get(best, "")):
            best = prefix
    if best:
        rest = value[len(prefixes[best]) :]
        if re.match(r"^[A-Za-z0-9_.-]*$", rest):
            return f"{best}:{rest}"
    return value


@dataclass
class Labels:
    """Labels by resource and language."""

    by_uri: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, uri: str, lang: str = "en") -> str | None:
        names = self.by_uri.get(uri)
        if not names:
            return None
        return names.get(lang) or names.get("") or names.get("en") or next(iter(names.values()))

    def exact(self, uri: str, lang: str) -> str | None:
        return self.by_uri.get(uri, {}).get(lang)


#: Labels already read, by store: the release is immutable, so what a resource is called never changes
#: while a store is served. Pages ask again and again for the same few hundred names (properties,
#: concepts, units, cities): each is read once. Bounded; emptied when full.
_LABEL_MEMO: weakref.WeakKeyDictionary[Store, dict[str, dict[str, str]]] = weakref.WeakKeyDictionary()
LABEL_MEMO_MAX = 200_000


def labels(store: Store, uris: set[str] | list[str]) -> Labels:
    """English/Chinese/plain labels of many resources, in chunks of 200 (each read once per store)."""
    out = Labels()
    try:
        memo = _LABEL_MEMO.setdefault(store, {})
    except TypeError:  # a store that cannot be weakly referenced: no memo
        memo = {}
    wanted = {u for u in uris if u}
    for u in wanted:
        known = memo.get(u)
        if known:  # None: not read yet; {}: read, no label
            out.by_uri[u] = dict(known)  # a copy: callers add to their Labels
    ordered = sorted(u for u in wanted if u not in memo)
    for i in range(0, len(ordered), 200):
        chunk = ordered[i : i + 200]
        # One VALUES of (subject, predicate) pairs: the engine looks each pair up, where two
        # separate VALUES blocks let it scan every triple first (seconds on a large disk store).
        pairs = " ".join(f"({iri(u)} <{p}>)" for u in chunk for p in LABEL_PREDICATES)
        rows = store.select(
            f"SELECT ?s ?p ?l WHERE {{ VALUES (?s ?p) {{ {pairs} }} ?s ?p ?l . FILTER(isLiteral(?l)) }}"
        )
        rank = {p: i for i, p in enumerate(LABEL_PREDICATES)}
        best: dict[tuple[str, str], tuple[int, str]] = {}
        for r in rows:
            key = (r["s"].value, r["l"].lang or "")
            cand = (rank[r["p"].value], r["l"].value)
            if key not in best or cand < best[key]:
                best[key] = cand
        found: dict[str, dict[str, str]] = {u: {} for u in chunk}
        for (s, lang), (_, text) in best.items():
            found.setdefault(s, {})[lang] = text
        if len(memo) + len(found) > LABEL_MEMO_MAX:
            memo.clear()
        memo.update(found)  # a resource without a label is remembered too (an empty dict)
        out.by_uri.update({u: dict(names) for u, names in found.items() if names})
    return out


def exists(store: Store, uri: str) -> bool:
    return store.ask(f"ASK {{ {iri(uri)} ?p ?o }}")


def is_version_of(store: Store, ontology: str, uri: str) -> bool:
    """`uri` is the ontology's owl:versionIRI (``BASE/def/0.1.0``)."""
    return store.ask(f"ASK {{ {iri(ontology)} <{OWL}versionIRI> {iri(uri)} }}")


def types(store: Store, uri: str) -> list[str]:
    rows = store.select(f"SELECT DISTINCT ?t WHERE {{ {iri(uri)} <{RDF_TYPE}> ?t . FILTER isIRI(?t) }}")
    return sorted(r["t"].value for r in rows)


Triple = tuple[Term, Term, Term]


def document(store: Store, policy: UriPolicy, uri: str, doc_uri: str, page: int = 1) -> tuple[
    list[Triple], bool
]:
    """The triples of a resource's document and whether more incoming links follow.

    Own triples (with the blank nodes under them), the labels of everything it links
    to, and one page of incoming links (INCOMING_PAGE per page) with their labels.
    """
    u = iri(uri)
    triples: list[Triple] = list(store.construct(f"CONSTRUCT {{ {u} ?p ?o }} WHERE {{ {u} ?p ?o }}"))
    triples += store.construct(
        f"CONSTRUCT {{ ?b ?p ?o }} WHERE {{ {u} ?p0 ?b0 . FILTER(isBlank(?b0)) "
        f"?b0 (<urn:x:none>|!<urn:x:none>)* ?b . FILTER(isBlank(?b)) ?b ?p ?o }}"
    )
    # Hash IRIs under the resource (``…/nanchang#geometry``) belong to its document.
    triples += store.construct(
        f"CONSTRUCT {{ ?h ?p ?o }} WHERE {{ {u} ?p0 ?h . FILTER(isIRI(?h) && "
        f"STRSTARTS(STR(?h), \"{uri}#\")) ?h ?p ?o }}"
    )
    triples += store.construct(
        f"CONSTRUCT {{ ?o ?lp ?l }} WHERE {{ {u} ?p ?o . FILTER(isIRI(?o)) "
        f"?o ?lp ?l . FILTER(?lp IN ({_LABEL_LIST})) }}"
    )
    offset = (page - 1) * INCOMING_PAGE
    # The page of incoming links and their subjects' labels in one query (one round trip).
    rows = store.select(
        f"SELECT ?s ?p ?lp ?l WHERE {{ {{ SELECT ?s ?p WHERE {{ ?s ?p {u} . FILTER(isIRI(?s)) }} ORDER BY ?p ?s "
        f"LIMIT {INCOMING_PAGE + 1} OFFSET {offset} }} "
        f"OPTIONAL {{ ?s ?lp ?l . FILTER(?lp IN ({_LABEL_LIST}) && isLiteral(?l)) }} }}"
    )
    links: list[tuple[Term, Term]] = []
    best: dict[tuple[str, str], tuple[int, str]] = {}
    rank = {p: i for i, p in enumerate(LABEL_PREDICATES)}
    for r in rows:
        link = (r["s"], r["p"])
        if not links or links[-1] != link:
            links.append(link)
        if "l" in r:
            key = (r["s"].value, r["l"].lang or "")
            cand = (rank[r["lp"].value], r["l"].value)
            if key not in best or cand < best[key]:
                best[key] = cand
    links = sorted(set(links), key=lambda sp: (sp[1].value, sp[0].value))
    more = len(links) > INCOMING_PAGE
    links = links[:INCOMING_PAGE]
    target = Term("uri", uri)
    kept = {s.value for s, _ in links}
    for s_term, p_term in links:
        triples.append((s_term, p_term, target))
    for (s, lang), (_, text) in sorted(best.items()):
        if s in kept:
            triples.append((Term("uri", s), Term("uri", f"{RDFS}label"), Term("literal", text, lang or None)))
    doc = Term("uri", doc_uri)
    if doc_uri != uri:  # /def/ terms are their own documents
        triples.append((doc, Term("uri", f"{FOAF}primaryTopic"), target))
        triples.append((doc, Term("uri", RDF_TYPE), Term("uri", f"{FOAF}Document")))
    if more:
        triples.append((doc, Term("uri", f"{HYDRA}next"), Term("uri", f"{doc_uri}?page={page + 1}")))
    if page > 1:
        prev = doc_uri if page == 2 else f"{doc_uri}?page={page - 1}"
        triples.append((doc, Term("uri", f"{HYDRA}previous"), Term("uri", prev)))
    return triples, more


def graph_triples(store: Store, graph: str) -> list[Triple]:
    g = iri(graph)
    return store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")


def parts(store: Store, uri: str) -> dict[str, list[tuple[Term, Term]]]:
    """Triples of the hash IRIs (``uri#…``) the resource links to, by hash IRI."""
    rows = store.select(
        f"SELECT ?h ?p ?o WHERE {{ {iri(uri)} ?p0 ?h . FILTER(isIRI(?h) && "
        f"STRSTARTS(STR(?h), \"{uri}#\")) ?h ?p ?o }} ORDER BY ?h ?p ?o"
    )
    out: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
    for r in rows:
        out[r["h"].value].append((r["p"], r["o"]))
    return out


def outgoing(store: Store, uri: str) -> list[tuple[Term, Term]]:
    rows = store.select(f"SELECT ?p ?o WHERE {{ {iri(uri)} ?p ?o }}")
    return [(r["p"], r["o"]) for r in rows]


def incoming(store: Store, uri: str, page: int = 1) -> tuple[list[tuple[Term, Term]], bool]:
    offset = (page - 1) * INCOMING_PAGE
    rows = store.select(
        f"SELECT ?s ?p WHERE {{ ?s ?p {iri(uri)} . FILTER(isIRI(?s)) }} ORDER BY ?p ?s "
        f"LIMIT {INCOMING_PAGE + 1} OFFSET {offset}"
    )
    return [(r["s"], r["p"]) for r in rows[:INCOMING_PAGE]], len(rows) > INCOMING_PAGE


def format_number(value: str) -> str:
    try:
        d = Decimal(value)
    except InvalidOperation:
        return value
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


#: Scale words, largest first: a figure of at least this size reads as words when it is round.
SCALES = ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"))


def format_amount(value: str) -> str:
    """Like `format_number`, but round figures from a billion up read with the scale word chart axes
    use: ``100 billion``, ``2.3 trillion`` (not ``2300 billion``); a figure that needs more than two
    decimals in its scale, and anything below a billion, keeps every digit (``6,255,000``)."""
    try:
        d = Decimal(value)
    except InvalidOperation:
        return value
    if d.is_finite():
        for size, word in SCALES:
            if abs(d) >= size:
                scaled = d / size
                if scaled == scaled.quantize(Decimal("0.01")):
                    return f"{format_number(str(scaled.normalize()))} {word}"
                break
    return format_number(value)


def qualified(value: str, unit: str | None, qualifier_label: str | None, qualifier: str | None,
              counted: str | None = None) -> str:
    """``nearly 30 %``, ``more than 20 %``, ``6,255,000``, ``more than 100 billion CNY``; a count of
    what the indicator counts (`counted`, its ``ckg:countedIn``) keeps that word: ``12,000,000 TEU``."""
    number = format_amount(value)
    symbol = UNITS.get(unit or "", (local_name(unit) if unit else "", ""))[0]
    if counted and not symbol:
        symbol = counted
    text = f"{number} {symbol}".strip()
    words = (qualifier_label or (humanize(local_name(qualifier)) if qualifier else "")).strip()
    if words and local_name(qualifier or "") != "exact" and words.lower() != "exact":
        text = f"{words} {text}"
    return text


@dataclass
class Indicator:
    observation: str
    indicator: str
    label: str
    value: str
    unit: str | None
    unit_word: str
    qualifier: str | None
    words: str
    stated: str | None
    source: str | None
    industry: str | None
    industry_label: str | None
    period: str | None
    reviewer: str | None = None  # the person who accepted, corrected or added the figure (prov:wasAttributedTo)
    reviewed: str | None = None  # the day (dct:date)
    decision: str | None = None  # ckg:reviewDecision: accepted | corrected | added


def indicators(store: Store, policy: UriPolicy, place: str, observation: str | None = None) -> list[Indicator]:
    """The observations of a place as figures; `observation`: only that one (an observation's page,
    without reading the hundreds of figures of its place)."""
    t = policy.term
    only = f"VALUES ?obs {{ {iri(observation)} }}" if observation else ""
    rows = store.select(
        f"""SELECT ?obs ?ind ?value ?unit ?qual ?stated ?source ?industry ?period ?counted ?reviewer ?reviewed
               ?decision WHERE {{ {only}
          ?obs <{SDMX_DIM}refArea> {iri(place)} ; <{SDMX_MEASURE}obsValue> ?value ;
               <{t("indicator")}> ?ind .
          OPTIONAL {{ ?obs <{SDMX_ATTR}unitMeasure> ?unit }}
          OPTIONAL {{ ?obs <{t("valueQualifier")}> ?qual }}
          OPTIONAL {{ ?obs <{t("statedAs")}> ?stated }}
          OPTIONAL {{ ?obs <{t("sourceText")}> ?source }}
          OPTIONAL {{ ?obs <{t("industry")}> ?industry }}
          OPTIONAL {{ ?obs <{SDMX_DIM}refPeriod> ?period }}
          OPTIONAL {{ ?ind <{t("countedIn")}> ?counted }}
          OPTIONAL {{ ?obs <{t("reviewDecision")}> ?decision ; <{PROV}wasAttributedTo> ?agent .
                      ?agent a <{FOAF}Person> ; <{RDFS}label> ?reviewer .
                      OPTIONAL {{ ?obs <{DCT}date> ?reviewed }} }}
        }} ORDER BY ?ind ?obs"""
    )
    names = labels(
        store,
        {r[k].value for r in rows for k in ("ind", "qual", "industry") if k in r and r[k].is_uri},
    )
    out = []
    seen = set()
    for r in rows:
        obs = r["obs"].value
        if obs in seen:
            continue
        seen.add(obs)
        unit = r["unit"].value if "unit" in r else None
        qual = r["qual"].value if "qual" in r else None
        ind = r["ind"].value
        industry = r["industry"].value if "industry" in r else None
        counted = r["counted"].value if "counted" in r else None
        out.append(
            Indicator(
                observation=obs,
                indicator=ind,
                label=names.get(ind) or humanize(local_name(ind)),
                value=r["value"].value,
                unit=unit,
                unit_word=counted or UNITS.get(unit or "", ("", humanize(local_name(unit)) if unit else ""))[1],
                qualifier=qual,
                words=qualified(r["value"].value, unit, names.get(qual) if qual else None, qual, counted),
                stated=r["stated"].value if "stated" in r else None,
                source=r["source"].value if "source" in r else None,
                industry=industry,
                industry_label=names.get(industry) if industry else None,
                period=r["period"].value if "period" in r else None,
                reviewer=r["reviewer"].value if "reviewer" in r else None,
                reviewed=r["reviewed"].value if "reviewed" in r else None,
                decision=r["decision"].value if "decision" in r else None,
            )
        )
    return out


@dataclass
class Photo:
    uri: str
    label: str | None
    credit: str | None
    creator: str | None
    creator_name: str | None
    licences: list[str]

    @property
    def licence_links(self) -> list[tuple[str, str]]:
        """(readable name, IRI), one per distinct licence (CC and EU IRIs of one licence merge)."""
        seen: dict[str, str] = {}
        for lic in sorted(self.licences, key=lambda v: ("creativecommons" not in v, v)):
            seen.setdefault(LICENCES.get(lic, lic), lic)
        return list(seen.items())


def photos(store: Store, place: str) -> list[Photo]:
    rows = store.select(
        f"""SELECT ?img ?credit ?creator ?lic WHERE {{
          ?img <{S}about> {iri(place)} ; <{RDF_TYPE}> <{S}ImageObject> .
          OPTIONAL {{ ?img <{S}creditText> ?credit }}
          OPTIONAL {{ ?img <{S}creator> ?creator }}
          OPTIONAL {{ ?img <{S}license>|<{DCT}license> ?lic }}
        }} ORDER BY ?img ?lic"""
    )
    grouped: dict[str, dict] = defaultdict(lambda: {"licences": []})
    for r in rows:
        g = grouped[r["img"].value]
        g.setdefault("credit", r["credit"].value if "credit" in r else None)
        g.setdefault("creator", r["creator"].value if "creator" in r else None)
        if "lic" in r and r["lic"].value not in g["licences"]:
            g["licences"].append(r["lic"].value)
    names = labels(store, set(grouped) | {g["creator"] for g in grouped.values() if g.get("creator")})
    return [
        Photo(
            uri=u,
            label=names.get(u),
            credit=g.get("credit"),
            creator=g.get("creator"),
            creator_name=names.get(g["creator"]) if g.get("creator") else None,
            licences=g["licences"],
        )
        for u, g in grouped.items()
    ]


def observation_titles(store: Store, policy: UriPolicy, uris: set[str] | list[str]) -> dict[str, str]:
    """Titles of observations that have no label of their own, from their place, indicator and
    period: ``Nanchang — water area share``, ``Pinecrest — forest coverage rate, 2022``."""
    ordered = sorted({u for u in uris if u})
    if not ordered:
        return {}
    t = policy.term
    out: dict[str, str] = {}
    for i in range(0, len(ordered), 200):
        values = " ".join(iri(u) for u in ordered[i : i + 200])
        rows = store.select(
            f"""SELECT ?o ?area ?ind ?period WHERE {{ VALUES ?o {{ {values} }}
              ?o <{t("indicator")}> ?ind ; <{SDMX_DIM}refArea> ?area .
              OPTIONAL {{ ?o <{SDMX_DIM}refPeriod> ?period }} }}"""
        )
        names = labels(store, {r[k].value for r in rows for k in ("area", "ind")})
        for r in rows:
            area = names.exact(r["area"].value, "en") or names.get(r["area"].value) or local_name(r["area"].value)
            ind = names.get(r["ind"].value) or humanize(local_name(r["ind"].value))
            period = f", {local_name(r['period'].value)}" if "period" in r else ""
            out.setdefault(r["o"].value, f"{area} — {ind}{period}")
    return out


def add_observation_titles(store: Store, policy: UriPolicy, names: Labels, uris: set[str] | list[str]) -> None:
    """Gives the observations among `uris` that have no label their title (`observation_titles`)."""
    prefix = f"{policy.base}/id/observation/"
    missing = {u for u in uris if u.startswith(prefix) and u not in names.by_uri}
    for uri, title in observation_titles(store, policy, missing).items():
        names.by_uri.setdefault(uri, {})["en"] = title


def dataset_licence(store: Store, policy: UriPolicy, fallback: str | None = None) -> str | None:
    """The licence of the dataset (dct:license in the metadata), else `fallback` (the manifest's)."""
    rows = store.select(f"SELECT ?l WHERE {{ {iri(str(policy.dataset))} <{DCT}license> ?l . FILTER isIRI(?l) }} "
                        "LIMIT 1")
    return rows[0]["l"].value if rows else fallback
