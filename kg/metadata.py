"""Dataset metadata of a release: DCAT-AP 3 catalogue, VoID, SPARQL 1.1 Service Description.

`build_metadata` turns the release's `rdflib.Dataset` (ontology graph + one graph per profile)
into one `rdflib.Graph` holding, linked to one another:

- the `dcat:Catalog` (``policy.catalog``) with the dataset and the SPARQL service;
- the `dcat:Dataset` (``policy.dataset``), which is also the `void:Dataset`, with one
  `dcat:Distribution` per dump (and one for the SPARQL endpoint), statistics, class and property
  partitions and one `void:subset` per named graph;
- the SPARQL endpoint (``policy.sparql_service``) as `dcat:DataService` and `sd:Service`;
- the VoID description document (``policy.void``);
- the typing of the EU-vocabulary and IANA values that the official DCAT-AP 3.0.1 shapes need
  (`dct:LicenseDocument`, `dct:MediaTypeOrExtent` + `skos:inScheme`, `dct:Frequency`, ...).

No blank nodes, no clock: the same input gives the same triples.  With ``files=None`` the
distributions carry no `dcat:byteSize` / `spdx:checksum` (that graph goes inside the dumps);
with ``files`` they do (that graph is ``catalog.ttl``), see docs/release.md.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from citykg.uris import (
    DCATAP,
    EU_FILETYPE,
    EU_FREQUENCY,
    EU_LANGUAGE,
    EU_THEME,
    GEONAMES,
    IANA_MEDIA,
    SCHEMA,
    SD,
    SPDX,
    VCARD,
    UriPolicy,
    slugify,
)

__all__ = ["DUMPS", "Dump", "FileInfo", "ReleaseSettings", "build_metadata", "void_only"]

EU_ACCESS_RIGHT = rdflib.Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_AVAILABILITY = rdflib.Namespace("http://publications.europa.eu/resource/authority/planned-availability/")
ADMS_LICENCE_TYPE = rdflib.Namespace("http://purl.org/adms/licencetype/")
W3C_FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")

THEME_SCHEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
FILETYPE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/file-type")
FREQUENCY_SCHEME = URIRef("http://publications.europa.eu/resource/authority/frequency")
LANGUAGE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/language")
ACCESS_RIGHT_SCHEME = URIRef("http://publications.europa.eu/resource/authority/access-right")
AVAILABILITY_SCHEME = URIRef("http://publications.europa.eu/resource/authority/planned-availability")
LICENCE_TYPE_SCHEME = URIRef("http://purl.org/adms/licencetype/1.0")

SPARQL_PROTOCOL = URIRef("http://www.w3.org/TR/sparql11-protocol/")
#: the Linked Data Fragments' Triple Pattern Fragments specification (the server's /fragments)
TPF_SPEC = URIRef("https://linkeddatafragments.org/specification/triple-pattern-fragments/")

#: Labels of the EU vocabulary values used here (from the vendored authority tables).
_EU_LABELS = {
    EU_THEME.REGI: "Regions and cities",
    EU_FREQUENCY.IRREG: "irregular",
    EU_ACCESS_RIGHT.PUBLIC: "public",
    EU_AVAILABILITY.STABLE: "stable",
    URIRef(
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    ): "Creative Commons Attribution 4.0 International",
    URIRef(
        "http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0"
    ): "Creative Commons Attribution-ShareAlike 4.0 International",
}
_LICENCE_EXACT_MATCH = {
    URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"): URIRef(
        "http://creativecommons.org/licenses/by/4.0/"
    ),
    URIRef("http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0"): URIRef(
        "http://creativecommons.org/licenses/by-sa/4.0/"
    ),
}
#: ADMS licence types (dct:type of a dct:LicenseDocument) of the licences we know.
_LICENCE_TYPES = {
    URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"): ("Attribution",),
    URIRef("http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0"): (
        "Attribution",
        "ViralEffect-ShareAlike",
    ),
}

#: Result formats announced in the service description (W3C format IRIs).
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
)


@dataclass(frozen=True)
class ReleaseSettings:
    title: str = "citykg: city profiles as linked data"
    description: str = (
        "City profiles (population, area, leading industries, landmarks, events, cooperation "
        "themes) extracted from published city brochures, as Linked Open Data: every figure is a "
        "W3C Data Cube observation that keeps its source sentence and provenance."
    )
    license: str = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    publisher_name: str = "citykg"
    publisher_url: str | None = None
    contact_email: str | None = None  # dcat:contactPoint vcard when given
    issued: str | None = None  # xsd:date, optional
    language: str = "ENG"  # EU language authority code


@dataclass(frozen=True)
class FileInfo:
    name: str  # "dataset.ttl"
    size: int
    sha256: str
    media_type: str  # "text/turtle"
    triples: int


@dataclass(frozen=True)
class Dump:
    name: str
    media_type: str  # IANA media type of the content
    file_type: str  # EU file-type authority code
    label: str
    note: str
    compress: str | None = None  # IANA media type of the compression, if compressed


#: The dumps of a release (docs/release.md); every file-type code is in the EU authority table.
DUMPS: tuple[Dump, ...] = (
    Dump("dataset.nq", "application/n-quads", "RDF_N_QUADS", "N-Quads", "every named graph, sorted lines"),
    Dump("dataset.ttl", "text/turtle", "RDF_TURTLE", "Turtle", "the union of the graphs"),
    Dump(
        "dataset.nt.gz",
        "application/n-triples",
        "RDF_N_TRIPLES",
        "N-Triples (gzip)",
        "the union of the graphs as sorted lines, gzip-compressed",
        "application/gzip",
    ),
    Dump("dataset.jsonld", "application/ld+json", "JSON_LD", "JSON-LD", "the union of the graphs"),
    Dump("dataset.rdf", "application/rdf+xml", "RDF_XML", "RDF/XML", "the union of the graphs"),
)

_VOCAB_SCHEMES = {
    FILETYPE_SCHEME: "File type",
    FREQUENCY_SCHEME: "Frequency",
    LANGUAGE_SCHEME: "Language",
    THEME_SCHEME: "Data theme",
    ACCESS_RIGHT_SCHEME: "Access right",
}


# -- helpers -------------------------------------------------------------------------------------


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _distribution(policy: UriPolicy, slug: str) -> URIRef:
    return URIRef(f"{policy.dataset}/distribution/{slug}")


def _void_part(policy: UriPolicy, fragment: str) -> URIRef:
    return URIRef(f"{policy.void}#{fragment}")


def _sd_part(policy: UriPolicy, fragment: str) -> URIRef:
    return URIRef(f"{policy.sparql_service}#{fragment}")


def publisher_uri(policy: UriPolicy, settings: ReleaseSettings) -> URIRef:
    """The publisher agent: ``BASE/id/agent/{slug of the publisher name}``."""
    return policy.id("agent", slugify(settings.publisher_name))


def _graphs(data: rdflib.Dataset, policy: UriPolicy) -> list[tuple[URIRef | None, rdflib.Graph]]:
    """(name, graph) of every non-empty graph of the data except the metadata graph, sorted.

    The default graph (if it holds triples) comes first with name None.
    """
    metadata = policy.graph("metadata")
    named: list[tuple[URIRef | None, rdflib.Graph]] = []
    default: list[tuple[URIRef | None, rdflib.Graph]] = []
    for g in data.graphs():
        ident = g.identifier
        if ident == metadata or len(g) == 0:
            continue
        if ident == DATASET_DEFAULT_GRAPH_ID:
            default.append((None, g))
        elif isinstance(ident, URIRef):
            named.append((ident, g))
        else:
            raise ValueError(f"named graph without an IRI: {ident!r}")
    named.sort(key=lambda item: str(item[0]))
    return default + named


def _union(graphs: Iterable[tuple[URIRef | None, rdflib.Graph]]) -> rdflib.Graph:
    union = rdflib.Graph()
    for _, g in graphs:
        for t in g:
            union.add(t)
    return union


def _graph_slug(policy: UriPolicy, name: URIRef) -> str:
    prefix = f"{policy.base}/graph/"
    text = str(name)
    return slugify(text[len(prefix) :] if text.startswith(prefix) else text)


class _Slugger:
    """Stable, unique slugs for class / property IRIs: ``schema:City`` -> ``schema-city``."""

    def __init__(self, policy: UriPolicy, iris: Iterable[URIRef]) -> None:
        prefixes = sorted(policy.prefixes().items(), key=lambda kv: -len(kv[1]))
        base_slugs: dict[URIRef, str] = {}
        for iri in iris:
            text = str(iri)
            name = text
            for prefix, ns in prefixes:
                if text.startswith(ns) and len(text) > len(ns):
                    name = f"{prefix}-{text[len(ns) :]}"
                    break
            try:
                base_slugs[iri] = slugify(name)
            except ValueError:
                base_slugs[iri] = "x"
        counts: dict[str, int] = defaultdict(int)
        for s in base_slugs.values():
            counts[s] += 1
        self._slugs = {
            iri: s if counts[s] == 1 else f"{s}-{hashlib.sha256(str(iri).encode()).hexdigest()[:8]}"
            for iri, s in base_slugs.items()
        }

    def __getitem__(self, iri: URIRef) -> str:
        return self._slugs[iri]


def _namespace(policy: UriPolicy, iri: URIRef) -> URIRef:
    text = str(iri)
    for ns in sorted(policy.prefixes().values(), key=len, reverse=True):
        if text.startswith(ns) and len(text) > len(ns):
            return URIRef(ns)
    cut = max(text.rfind("#"), text.rfind("/"))
    return URIRef(text[: cut + 1])


def _contained_in(union: rdflib.Graph, place: URIRef) -> Iterator[URIRef]:
    """Every place that `place` is (transitively) contained in."""
    seen = {place}
    todo = [place]
    while todo:
        current = todo.pop()
        for parent in union.objects(current, SCHEMA.containedInPlace):
            if isinstance(parent, URIRef) and parent not in seen:
                seen.add(parent)
                todo.append(parent)
                yield parent


def _geonames(union: rdflib.Graph, place: URIRef) -> list[URIRef]:
    same = union.objects(place, OWL.sameAs)
    return sorted(o for o in same if isinstance(o, URIRef) and str(o).startswith(str(GEONAMES)))


def _label(union: rdflib.Graph, thing: URIRef) -> str | None:
    for prop in (RDFS.label, SCHEMA.name, SKOS.prefLabel):
        values = union.objects(thing, prop)
        labels = sorted(str(o) for o in values if isinstance(o, Literal) and o.language == "en")
        if labels:
            return labels[0]
    return None


# -- statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stats:
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[URIRef, int]  # class -> number of instances
    properties: dict[URIRef, int]  # property -> number of triples


def _stats(g: rdflib.Graph, uri_space: str) -> _Stats:
    subjects: set = set()
    objects: set = set()
    classes: dict[URIRef, set] = defaultdict(set)
    properties: dict[URIRef, int] = defaultdict(int)
    for s, p, o in g:
        subjects.add(s)
        objects.add(o)
        properties[p] += 1  # type: ignore[index]
        if p == RDF.type and isinstance(o, URIRef):
            classes[o].add(s)
    entities = sum(1 for s in subjects if isinstance(s, URIRef) and str(s).startswith(uri_space))
    return _Stats(
        triples=len(g),
        entities=entities,
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        classes={c: len(members) for c, members in classes.items()},
        properties=dict(properties),
    )


def _add_counts(m: rdflib.Graph, node: URIRef, st: _Stats) -> None:
    m.add((node, VOID.triples, Literal(st.triples)))
    m.add((node, VOID.entities, Literal(st.entities)))
    m.add((node, VOID.classes, Literal(len(st.classes))))
    m.add((node, VOID.properties, Literal(len(st.properties))))
    m.add((node, VOID.distinctSubjects, Literal(st.distinct_subjects)))
    m.add((node, VOID.distinctObjects, Literal(st.distinct_objects)))


@dataclass(frozen=True)
class CityInfo:
    uri: URIRef
    label: str | None
    locations: list[URIRef]  # dct:spatial: GeoNames IRIs of the city and its country, else their IRIs


@dataclass(frozen=True)
class DataSummary:
    """What the metadata needs to know of the data: counts, graphs and cities."""

    stats: _Stats
    graphs: list[tuple[URIRef, _Stats]]  # named graphs (not the metadata graph), sorted by name
    cities: list[CityInfo]


def summarize_dataset(data: rdflib.Dataset, policy: UriPolicy) -> DataSummary:
    """The summary of an rdflib dataset (small releases, tests)."""
    graphs = _graphs(data, policy)
    union = _union(graphs)
    uri_space = f"{policy.base}/id/"
    cities = []
    for city in sorted(s for s in union.subjects(RDF.type, SCHEMA.City) if isinstance(s, URIRef)):
        places = [city] + [p for p in _contained_in(union, city) if (p, RDF.type, SCHEMA.Country) in union]
        locations = [loc for place in places for loc in (_geonames(union, place) or [place])]
        cities.append(CityInfo(city, _label(union, city), locations))
    named = [(name, _stats(g, uri_space)) for name, g in graphs if name is not None]
    return DataSummary(_stats(union, uri_space), named, cities)


def _sparql_stats(store: ox.Store, uri_space: str, graph: str | None,
                  union_lines: list[bytes] | None = None) -> _Stats:
    """Counts of one named graph, or (graph None) of the union of all graphs, computed by the engine.

    For the union, `union_lines` (its sorted, distinct N-Triples lines, when the caller has them)
    give the triple and per-property counts without a DISTINCT pass over the store.
    """
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    union = graph is None
    space = uri_space.replace("\\", "\\\\").replace('"', '\\"')

    def query(text: str) -> ox.QuerySolutions:
        return store.query(text, use_default_graph_as_union=union)  # type: ignore[return-value]

    def one(select: str, extra: str = "") -> int:
        [row] = list(query(f"SELECT ({select} AS ?n) WHERE {{ {pattern} {extra} }}"))
        return int(row["n"].value)

    typed = pattern.replace("?p ?o", f"<{RDF.type}> ?c")
    classes = {URIRef(r["c"].value): int(r["n"].value) for r in query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {typed} FILTER(isIRI(?c)) }} GROUP BY ?c")}
    if union and union_lines is not None:
        counter = Counter(line.split(b" ", 2)[1] for line in union_lines)
        properties = {URIRef(p[1:-1].decode("utf-8")): n for p, n in counter.items()}
        triples = len(union_lines)
    else:
        distinct = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }" if union else f"SELECT * WHERE {{ {pattern} }}"
        properties = {URIRef(r["p"].value): int(r["n"].value) for r in query(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {{ {distinct} }} }} GROUP BY ?p")}
        triples = sum(properties.values())
    return _Stats(
        triples=triples,
        entities=one("COUNT(DISTINCT ?s)", f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}"))'),
        distinct_subjects=one("COUNT(DISTINCT ?s)"),
        distinct_objects=one("COUNT(DISTINCT ?o)"),
        classes=classes,
        properties=properties,
    )


def summarize_store(store: ox.Store, policy: UriPolicy, union_lines: list[bytes] | None = None) -> DataSummary:
    """The summary of the named graphs of a pyoxigraph store (large releases: counted by the engine).

    The store must not hold the metadata graph yet.  `union_lines`: see `_sparql_stats`.
    """
    metadata = str(policy.graph("metadata"))
    uri_space = f"{policy.base}/id/"
    names = sorted(g.value for g in store.named_graphs())
    if metadata in names:
        raise ValueError("summarize_store: the store already holds the metadata graph")
    graphs = [(URIRef(n), _sparql_stats(store, uri_space, n)) for n in names]

    def query(text: str) -> ox.QuerySolutions:
        return store.query(text, use_default_graph_as_union=True)  # type: ignore[return-value]

    cities = []
    rows = query(f"""SELECT ?city (MIN(?label) AS ?l) WHERE {{
        ?city a <{SCHEMA.City}> FILTER(isIRI(?city))
        OPTIONAL {{ ?city <{RDFS.label}> ?label FILTER(langMatches(lang(?label), "en")) }}
    }} GROUP BY ?city ORDER BY ?city""")
    for row in rows:
        city = row["city"].value
        places = [city] + [r["c"].value for r in query(
            f"SELECT DISTINCT ?c WHERE {{ <{city}> <{SCHEMA.containedInPlace}>+ ?c . ?c a <{SCHEMA.Country}> "
            "FILTER(isIRI(?c)) } ORDER BY ?c")]
        locations = []
        for place in places:
            same = sorted({r["x"].value for r in query(
                f"SELECT ?x WHERE {{ <{place}> <{OWL.sameAs}> ?x FILTER(STRSTARTS(STR(?x), \"{GEONAMES}\")) }}")})
            locations.extend(URIRef(x) for x in same or [place])
        cities.append(CityInfo(URIRef(city), row["l"].value if row["l"] is not None else None, locations))
    return DataSummary(_sparql_stats(store, uri_space, None, union_lines), graphs, cities)


# -- the graph ------------------------------------------------------------------------------------


def build_metadata(
    policy: UriPolicy,
    settings: ReleaseSettings,
    data: rdflib.Dataset | DataSummary,
    files: list[FileInfo] | None = None,
) -> rdflib.Graph:
    """The metadata graph of a release (DCAT-AP 3 + VoID + SPARQL service description).

    `data` holds the release's named graphs (a graph named ``BASE/graph/metadata``, if present,
    is ignored).  `files`, when given, adds `dcat:byteSize` and `spdx:checksum` to the
    distribution of every dump listed there (matched by file name; other files are ignored).
    """
    m = rdflib.Graph()
    for prefix, ns in policy.prefixes().items():
        m.bind(prefix, ns, override=True)
    m.bind("vcard", VCARD)
    m.bind("dcatap", DCATAP)
    m.bind("formats", W3C_FORMATS)

    dataset = policy.dataset
    catalog = policy.catalog
    service = policy.sparql_service
    void_doc = policy.void
    homepage = URIRef(policy.parse_base)
    licence = URIRef(settings.license)
    language = EU_LANGUAGE[settings.language]
    publisher = publisher_uri(policy, settings)
    title = _en(settings.title)
    description = _en(settings.description)
    issued = Literal(settings.issued, datatype=XSD.date) if settings.issued else None
    file_info = {f.name: f for f in files or ()}

    summary = data if isinstance(data, DataSummary) else summarize_dataset(data, policy)
    uri_space = f"{policy.base}/id/"
    stats = summary.stats

    # -- shared nodes: publisher, contact, licence, EU vocabulary typing ---------------------
    m.add((publisher, RDF.type, FOAF.Agent))
    m.add((publisher, FOAF.name, Literal(settings.publisher_name)))
    if settings.publisher_url:
        page = URIRef(settings.publisher_url)
        m.add((publisher, FOAF.homepage, page))
        m.add((page, RDF.type, FOAF.Document))
    contact = None
    if settings.contact_email:
        contact = policy.id("agent", slugify(settings.publisher_name), "contact")
        m.add((contact, RDF.type, VCARD.Kind))
        m.add((contact, RDF.type, VCARD.Organization))
        m.add((contact, VCARD.fn, Literal(settings.publisher_name)))
        m.add((contact, VCARD.hasEmail, URIRef(f"mailto:{settings.contact_email}")))
        if settings.publisher_url:
            m.add((contact, VCARD.hasURL, URIRef(settings.publisher_url)))

    m.add((licence, RDF.type, DCTERMS.LicenseDocument))
    if licence in _EU_LABELS:
        m.add((licence, RDFS.label, _en(_EU_LABELS[licence])))
    if licence in _LICENCE_EXACT_MATCH:
        m.add((licence, SKOS.exactMatch, _LICENCE_EXACT_MATCH[licence]))
    for code in _LICENCE_TYPES.get(licence, ()):
        kind = ADMS_LICENCE_TYPE[code]
        m.add((licence, DCTERMS.type, kind))
        m.add((kind, RDF.type, SKOS.Concept))
        m.add((kind, SKOS.prefLabel, _en(code.replace("-", " "))))
        m.add((kind, SKOS.inScheme, LICENCE_TYPE_SCHEME))

    for scheme, scheme_title in _VOCAB_SCHEMES.items():
        m.add((scheme, RDF.type, SKOS.ConceptScheme))
        m.add((scheme, DCTERMS.title, _en(scheme_title)))

    m.add((EU_THEME.REGI, RDF.type, SKOS.Concept))
    m.add((EU_THEME.REGI, SKOS.prefLabel, _en(_EU_LABELS[EU_THEME.REGI])))
    m.add((EU_THEME.REGI, SKOS.inScheme, THEME_SCHEME))
    m.add((EU_FREQUENCY.IRREG, RDF.type, DCTERMS.Frequency))
    m.add((EU_FREQUENCY.IRREG, RDFS.label, _en(_EU_LABELS[EU_FREQUENCY.IRREG])))
    m.add((EU_FREQUENCY.IRREG, SKOS.inScheme, FREQUENCY_SCHEME))
    m.add((language, RDF.type, DCTERMS.LinguisticSystem))
    m.add((language, SKOS.inScheme, LANGUAGE_SCHEME))
    m.add((EU_ACCESS_RIGHT.PUBLIC, RDF.type, DCTERMS.RightsStatement))
    m.add((EU_ACCESS_RIGHT.PUBLIC, RDFS.label, _en(_EU_LABELS[EU_ACCESS_RIGHT.PUBLIC])))
    m.add((EU_ACCESS_RIGHT.PUBLIC, SKOS.inScheme, ACCESS_RIGHT_SCHEME))
    m.add((EU_AVAILABILITY.STABLE, RDF.type, SKOS.Concept))
    m.add((EU_AVAILABILITY.STABLE, SKOS.prefLabel, _en(_EU_LABELS[EU_AVAILABILITY.STABLE])))
    m.add((EU_AVAILABILITY.STABLE, SKOS.inScheme, AVAILABILITY_SCHEME))
    m.add((homepage, RDF.type, FOAF.Document))
    m.add((void_doc, RDF.type, FOAF.Document))

    # -- catalogue ------------------------------------------------------------------------------
    m.add((catalog, RDF.type, DCAT.Catalog))
    m.add((catalog, DCTERMS.title, title))
    m.add((catalog, DCTERMS.description, description))
    m.add((catalog, DCTERMS.publisher, publisher))
    m.add((catalog, DCTERMS.license, licence))
    m.add((catalog, DCTERMS.language, language))
    m.add((catalog, FOAF.homepage, homepage))
    m.add((catalog, DCAT.themeTaxonomy, THEME_SCHEME))
    m.add((catalog, DCAT.dataset, dataset))
    m.add((catalog, DCAT.service, service))
    if issued is not None:
        m.add((catalog, DCTERMS.issued, issued))
        m.add((catalog, DCTERMS.modified, issued))  # a release's catalogue changes only when issued

    # -- dataset (DCAT-AP) ----------------------------------------------------------------------
    m.add((dataset, RDF.type, DCAT.Dataset))
    m.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    m.add((dataset, DCTERMS.title, title))
    m.add((dataset, DCTERMS.description, description))
    m.add((dataset, DCTERMS.publisher, publisher))
    m.add((dataset, DCTERMS.license, licence))
    m.add((dataset, DCTERMS.accessRights, EU_ACCESS_RIGHT.PUBLIC))
    m.add((dataset, DCTERMS.accrualPeriodicity, EU_FREQUENCY.IRREG))
    m.add((dataset, DCTERMS.language, language))
    m.add((dataset, DCAT.theme, EU_THEME.REGI))
    m.add((dataset, DCAT.landingPage, homepage))
    m.add((dataset, FOAF.page, void_doc))
    if issued is not None:
        m.add((dataset, DCTERMS.issued, issued))
    if contact is not None:
        m.add((dataset, DCAT.contactPoint, contact))
    for standard, label in (
        (policy.ontology(), "citykg ontology and concept schemes"),
        (policy.term("dsd"), "citykg Data Cube structure (qb:DataStructureDefinition)"),
    ):
        m.add((dataset, DCTERMS.conformsTo, standard))
        m.add((standard, RDF.type, DCTERMS.Standard))
        m.add((standard, RDFS.label, _en(label)))
    for keyword in ("city profiles", "cities", "linked open data", "statistics", "RDF Data Cube"):
        m.add((dataset, DCAT.keyword, _en(keyword)))

    cities = [c.uri for c in summary.cities]
    for info in summary.cities:
        if info.label:
            m.add((dataset, DCAT.keyword, _en(info.label)))
        for location in info.locations:
            m.add((dataset, DCTERMS.spatial, location))
            m.add((catalog, DCTERMS.spatial, location))
            m.add((location, RDF.type, DCTERMS.Location))

    # -- distributions ------------------------------------------------------------------------
    for dump in DUMPS:
        dist = _distribution(policy, slugify(dump.name))
        url = policy.download(dump.name)
        media = IANA_MEDIA[dump.media_type]
        fmt = EU_FILETYPE[dump.file_type]
        m.add((dataset, DCAT.distribution, dist))
        m.add((dist, RDF.type, DCAT.Distribution))
        m.add((dist, DCTERMS.title, _en(f"{settings.title} ({dump.label})")))
        m.add((dist, DCTERMS.description, _en(f"The whole dataset as {dump.label}, {dump.note}.")))
        m.add((dist, DCATAP.availability, EU_AVAILABILITY.STABLE))
        m.add((dist, DCAT.downloadURL, url))
        m.add((dist, DCAT.accessURL, url))
        m.add((dist, DCAT.mediaType, media))
        m.add((media, RDF.type, DCTERMS.MediaType))
        m.add((dist, DCTERMS.format, fmt))
        m.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
        m.add((fmt, SKOS.inScheme, FILETYPE_SCHEME))
        m.add((dist, DCTERMS.license, licence))
        m.add((dist, DCTERMS.conformsTo, policy.ontology()))
        if dump.compress:
            packed = IANA_MEDIA[dump.compress]
            m.add((dist, DCAT.compressFormat, packed))
            m.add((packed, RDF.type, DCTERMS.MediaType))
        if issued is not None:
            m.add((dist, DCTERMS.issued, issued))
        info = file_info.get(dump.name)
        if info is not None:
            checksum = URIRef(f"{url}#sha256")
            m.add((dist, DCAT.byteSize, Literal(info.size, datatype=XSD.nonNegativeInteger)))
            m.add((dist, SPDX.checksum, checksum))
            m.add((checksum, RDF.type, SPDX.Checksum))
            m.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            m.add((checksum, SPDX.checksumValue, Literal(info.sha256.lower(), datatype=XSD.hexBinary)))
        m.add((dataset, VOID.dataDump, url))
    if file_info.keys() & {d.name for d in DUMPS}:
        m.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))

    # the SPARQL endpoint as a distribution too (DCAT-AP: Distribution.accessService)
    sparql_dist = _distribution(policy, "sparql")
    m.add((dataset, DCAT.distribution, sparql_dist))
    m.add((sparql_dist, RDF.type, DCAT.Distribution))
    m.add((sparql_dist, DCTERMS.title, _en(f"{settings.title} (SPARQL 1.1 endpoint)")))
    m.add((sparql_dist, DCTERMS.description, _en("Query the dataset with SPARQL 1.1 (union default graph).")))
    m.add((sparql_dist, DCATAP.availability, EU_AVAILABILITY.STABLE))
    m.add((sparql_dist, DCAT.accessURL, service))
    m.add((sparql_dist, DCAT.accessService, service))
    m.add((sparql_dist, DCTERMS.format, EU_FILETYPE.SPARQLQ))
    m.add((EU_FILETYPE.SPARQLQ, RDF.type, DCTERMS.MediaTypeOrExtent))
    m.add((EU_FILETYPE.SPARQLQ, SKOS.inScheme, FILETYPE_SCHEME))
    m.add((sparql_dist, DCTERMS.license, licence))

    # -- SPARQL endpoint: dcat:DataService + sd:Service -----------------------------------------
    m.add((service, RDF.type, DCAT.DataService))
    m.add((service, RDF.type, SD.Service))
    m.add((service, DCTERMS.title, _en(f"{settings.title}: SPARQL 1.1 endpoint")))
    m.add((service, DCTERMS.license, licence))
    m.add((service, DCTERMS.publisher, publisher))
    m.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    m.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    m.add((SPARQL_PROTOCOL, RDFS.label, _en("SPARQL 1.1 Protocol")))
    m.add((service, DCAT.endpointURL, service))
    m.add((service, DCAT.endpointDescription, service))
    m.add((service, DCAT.servesDataset, dataset))
    m.add((service, DCAT.theme, EU_THEME.REGI))
    for keyword in ("SPARQL", "linked open data"):
        m.add((service, DCAT.keyword, _en(keyword)))
    if contact is not None:
        m.add((service, DCAT.contactPoint, contact))
    m.add((service, SD.endpoint, service))
    m.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    m.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt_name in RESULT_FORMATS:
        m.add((service, SD.resultFormat, W3C_FORMATS[fmt_name]))
    sd_dataset = _sd_part(policy, "dataset")
    m.add((service, SD.defaultDataset, sd_dataset))
    m.add((sd_dataset, RDF.type, SD.Dataset))
    m.add((sd_dataset, SD.defaultGraph, dataset))
    m.add((dataset, RDF.type, SD.Graph))
    m.add((dataset, VOID.sparqlEndpoint, service))

    # -- Triple Pattern Fragments (/fragments): a dcat:DataService, and VoID's URI lookup --------
    fragments = URIRef(f"{policy.base}/fragments")
    fragments_dist = _distribution(policy, "fragments")
    m.add((dataset, DCAT.distribution, fragments_dist))
    m.add((fragments_dist, RDF.type, DCAT.Distribution))
    m.add((fragments_dist, DCTERMS.title, _en(f"{settings.title} (Triple Pattern Fragments)")))
    m.add((fragments_dist, DCTERMS.description, _en(
        "The triples matching a pattern (subject, predicate, object, any of them open), 100 a page with "
        "Hydra controls, for Linked Data Fragments clients such as Comunica.")))
    m.add((fragments_dist, DCATAP.availability, EU_AVAILABILITY.STABLE))
    m.add((fragments_dist, DCAT.accessURL, fragments))
    m.add((fragments_dist, DCAT.accessService, fragments))
    m.add((fragments_dist, DCTERMS.license, licence))
    m.add((fragments, RDF.type, DCAT.DataService))
    m.add((fragments, DCTERMS.title, _en(f"{settings.title}: Triple Pattern Fragments")))
    m.add((fragments, DCTERMS.license, licence))
    m.add((fragments, DCTERMS.publisher, publisher))
    m.add((fragments, DCTERMS.conformsTo, TPF_SPEC))
    m.add((TPF_SPEC, RDF.type, DCTERMS.Standard))
    m.add((TPF_SPEC, RDFS.label, _en("Triple Pattern Fragments")))
    m.add((fragments, DCAT.endpointURL, fragments))
    m.add((fragments, DCAT.servesDataset, dataset))
    m.add((fragments, DCAT.theme, EU_THEME.REGI))
    if contact is not None:
        m.add((fragments, DCAT.contactPoint, contact))
    # VoID: appending a URI (percent-encoded) gives the fragment of the triples about it
    m.add((dataset, VOID.uriLookupEndpoint, URIRef(f"{policy.base}/fragments?subject=")))

    # -- VoID ---------------------------------------------------------------------------------
    m.add((void_doc, RDF.type, VOID.DatasetDescription))
    m.add((void_doc, DCTERMS.title, _en(f"VoID description of {settings.title}")))
    m.add((void_doc, FOAF.primaryTopic, dataset))
    m.add((dataset, RDF.type, VOID.Dataset))
    m.add((dataset, VOID.uriSpace, Literal(uri_space)))
    m.add((dataset, FOAF.homepage, homepage))
    _add_counts(m, dataset, stats)
    vocabularies = {_namespace(policy, iri) for iri in [*stats.classes, *stats.properties]}
    for vocab in sorted(vocabularies):
        m.add((dataset, VOID.vocabulary, vocab))
    for city in cities:
        m.add((dataset, VOID.exampleResource, city))

    class_slugs = _Slugger(policy, stats.classes)
    for cls, count in stats.classes.items():
        part = _void_part(policy, f"class-{class_slugs[cls]}")
        m.add((dataset, VOID.classPartition, part))
        m.add((part, RDF.type, VOID.Dataset))
        m.add((part, VOID["class"], cls))
        m.add((part, VOID.entities, Literal(count)))
    property_slugs = _Slugger(policy, stats.properties)
    for prop, count in stats.properties.items():
        part = _void_part(policy, f"property-{property_slugs[prop]}")
        m.add((dataset, VOID.propertyPartition, part))
        m.add((part, RDF.type, VOID.Dataset))
        m.add((part, VOID.property, prop))
        m.add((part, VOID.triples, Literal(count)))

    # one subset (VoID) and one named graph (SD) per named graph of the data
    metadata_graph = policy.graph("metadata")
    for name, graph_stats in summary.graphs:
        slug = _graph_slug(policy, name)
        subset = _void_part(policy, f"graph-{slug}")
        m.add((dataset, VOID.subset, subset))
        m.add((subset, RDF.type, VOID.Dataset))
        m.add((subset, RDF.type, SD.Graph))
        m.add((subset, DCTERMS.title, _en(f"named graph {name}")))
        m.add((subset, VOID.inDataset, dataset))
        m.add((subset, VOID.sparqlEndpoint, service))
        _add_counts(m, subset, graph_stats)
        entry = _sd_part(policy, f"graph-{slug}")
        m.add((sd_dataset, SD.namedGraph, entry))
        m.add((entry, RDF.type, SD.NamedGraph))
        m.add((entry, SD.name, name))
        m.add((entry, SD.graph, subset))
    # the metadata graph itself is served as a named graph too (counts unknown: it is this graph)
    entry = _sd_part(policy, f"graph-{_graph_slug(policy, metadata_graph)}")
    m.add((sd_dataset, SD.namedGraph, entry))
    m.add((entry, RDF.type, SD.NamedGraph))
    m.add((entry, SD.name, metadata_graph))

    return m


_VOID_EXTRA_PREDICATES = {
    RDF.type,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.license,
    FOAF.primaryTopic,
    FOAF.homepage,
}


def void_only(metadata: rdflib.Graph, policy: UriPolicy) -> rdflib.Graph:
    """The VoID part of a metadata graph (for ``void.ttl``): the description document, the
    dataset's VoID statements, its class/property partitions and subsets."""
    out = rdflib.Graph()
    for prefix, ns in policy.prefixes().items():
        out.bind(prefix, ns, override=True)
    nodes = {policy.void, policy.dataset}
    nodes.update(s for s in metadata.subjects(RDF.type, VOID.Dataset) if isinstance(s, URIRef))
    fragment = f"{policy.void}#"
    nodes.update(s for s in metadata.subjects() if isinstance(s, URIRef) and str(s).startswith(fragment))
    for node in nodes:
        for p, o in metadata.predicate_objects(node):
            if p == RDF.type:
                if isinstance(o, URIRef) and str(o).startswith(str(VOID)):
                    out.add((node, p, o))
            elif str(p).startswith(str(VOID)) or p in _VOID_EXTRA_PREDICATES:
                out.add((node, p, o))
    return out
