"""The SHACL shapes (shapes/*.ttl): a valid graph conforms, each typical mistake is a violation.

The data graph is built here, following docs/model.md, and validated with pyshacl against the
union of the ontology graph and the data (as the build's validate step does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from citykg.uris import (
    CC_BY_4,
    CC_BY_SA_4,
    EU_LICENCE,
    GEO,
    GEONAMES,
    QB,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_CODE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SH,
    UNIT,
    WIKIDATA,
    UriPolicy,
)

ROOT = Path(__file__).resolve().parent.parent
SHAPE_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
BASES = ["https://w3id.org/citykg", "http://localhost:8080/some/where"]
CANONICAL = UriPolicy()


@lru_cache
def shapes_graph(base: str) -> Graph:
    g = Graph()
    for f in SHAPE_FILES:
        g.parse(f, format="turtle", publicID=UriPolicy(base).parse_base)
    return g


@lru_cache
def ontology_graph(base: str) -> Graph:
    g = Graph()
    for f in ONTOLOGY_FILES:
        g.parse(f, format="turtle", publicID=UriPolicy(base).parse_base)
    return g


# --- a small valid release, following docs/model.md ---------------------------------------------


@dataclass
class Ids:
    u: UriPolicy

    @property
    def city(self):
        return self.u.id("city", "nanchang")

    @property
    def geometry(self):  # as kg/map.py mints them: fragments of the city's IRI
        return URIRef(f"{self.city}#geometry")

    @property
    def coordinates(self):
        return URIRef(f"{self.city}#coordinates")

    @property
    def province(self):
        return self.u.id("province", "jiangxi")

    @property
    def country(self):
        return self.u.id("country", "china")

    @property
    def source(self):
        return self.u.id("source", "nanchang")

    @property
    def dataset(self):
        return self.u.id("dataset", "nanchang")

    @property
    def area(self):
        return self.u.id("area", "wanli-administration")

    @property
    def landmark(self):
        return self.u.id("landmark", "tengwang-pavilion")

    @property
    def event(self):
        return self.u.id("event", "world-conference-on-vr-industry")

    @property
    def organisation(self):
        return self.u.id("organisation", "nanchang-technician-college")

    @property
    def project(self):
        return self.u.id("project", "china-nanchang-modern-vocational-education-city")

    @property
    def programme(self):
        return self.u.id("programme", "national-ecological-civilization-pilot-zone")

    @property
    def narrative(self):
        return self.u.id("narrative", "nanchang", "regional-collaborative-innovation")

    @property
    def image(self):
        return self.u.id("image", "nanchang", "zhangzhugang")

    @property
    def agent(self):
        return self.u.id("agent", "zhangzhugang")

    @property
    def obs_population(self):
        return self.u.observation("nanchang", "population")

    @property
    def obs_water(self):
        return self.u.observation("nanchang", "water-area-share")

    @property
    def obs_industry(self):
        return self.u.observation("nanchang", "industrial-output-value-electronic-information")

    def term(self, name):
        return self.u.term(name)

    def concept(self, scheme, slug):
        return self.u.concept(scheme, slug)


SENT_DIVISIONS = (
    "Nanchang, the capital city of Jiangxi Province, governs three counties, six districts, three "
    "state-level development zones and the Wanli Administration."
)
SENT_WATER = (
    "Its water area accounts for nearly 30% of the urban space, the urban green coverage rate is 43%, "
    "and the wetland area covers more than 20% of the city."
)
SENT_INDUSTRY = (
    "Nanchang has a strong industrial foundation consisting of 4 leading industries with an output value "
    "of more than RMB 100 billion (electronic information, automobiles and new energy vehicle, green food "
    "and new materials)."
)
SENT_VR = "Thus, the city has held four editions of the World Conference on VR Industry in a row."


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def valid_data(u: UriPolicy) -> Graph:
    i = Ids(u)
    t = i.term
    g = Graph()

    def fact(s, sentence):
        g.add((s, PROV.wasDerivedFrom, i.source))
        g.add((s, t("sourceText"), en(sentence)))

    # source document and dataset
    g.add((i.source, RDF.type, PROV.Entity))
    g.add((i.source, RDF.type, SCHEMA.DigitalDocument))
    g.add((i.source, RDF.type, t("SourceDocument")))
    g.add((i.source, RDFS.label, en("Nanchang city profile")))
    g.add((i.source, t("sha256"), Literal("0123456789abcdef" * 4)))
    g.add((i.source, t("fileName"), Literal("nanchang.txt")))
    g.add((i.source, DCTERMS.publisher, Literal("EU-China city cooperation brochure")))
    g.add((i.dataset, RDF.type, QB.DataSet))
    g.add((i.dataset, QB.structure, t("dsd")))
    g.add((i.dataset, RDFS.label, en("Nanchang profile figures")))
    g.add((i.dataset, PROV.wasDerivedFrom, i.source))
    g.add((i.dataset, DCTERMS.license, EU_LICENCE.CC_BY_4_0))

    # places
    g.add((i.country, RDF.type, SCHEMA.Country))
    g.add((i.country, RDFS.label, en("China")))
    g.add((i.country, RDFS.label, Literal("中国", lang="zh")))
    g.add((i.country, OWL.sameAs, WIKIDATA.Q148))
    g.add((i.country, OWL.sameAs, GEONAMES["1814991/"]))
    g.add((i.province, RDF.type, SCHEMA.AdministrativeArea))
    g.add((i.province, RDF.type, t("Province")))
    g.add((i.province, RDFS.label, en("Jiangxi Province")))
    g.add((i.province, SCHEMA.containedInPlace, i.country))
    g.add((i.province, OWL.sameAs, WIKIDATA.Q57052))
    g.add((i.city, RDF.type, SCHEMA.City))
    g.add((i.city, RDF.type, t("City")))
    for p in (RDFS.label, SCHEMA.name):
        g.add((i.city, p, en("Nanchang")))
        g.add((i.city, p, Literal("南昌", lang="zh")))
    g.add((i.city, SCHEMA.containedInPlace, i.province))
    g.add((i.city, t("capitalOf"), i.province))
    g.add((i.city, OWL.sameAs, GEONAMES["1800163/"]))
    for role in ("political", "economic", "cultural", "scientific", "technological", "transportation"):
        g.add((i.city, t("centreRole"), i.concept("role", role)))
    for ind in ("electronic-information", "automobiles-and-new-energy-vehicle", "green-food",
                "new-materials"):
        g.add((i.city, t("leadingIndustry"), i.concept("industry", ind)))
    g.add((i.city, t("seeksCooperationOn"), i.concept(
        "theme", "regional-innovation-and-smart-and-sustainable-specialization-strategies-ris-4")))
    g.add((i.city, t("subdivisionSummary"), en(SENT_DIVISIONS)))
    g.add((i.city, t("hasNarrative"), i.narrative))
    g.add((i.city, GEO.hasGeometry, i.geometry))
    g.add((i.geometry, RDF.type, GEO.Geometry))
    g.add((i.geometry, GEO.asWKT, Literal("POINT(115.85306 28.68396)", datatype=GEO.wktLiteral)))
    g.add((i.city, SCHEMA.geo, i.coordinates))
    g.add((i.coordinates, RDF.type, SCHEMA.GeoCoordinates))
    g.add((i.coordinates, SCHEMA.latitude, Literal(Decimal("28.68396"))))
    g.add((i.coordinates, SCHEMA.longitude, Literal(Decimal("115.85306"))))
    fact(i.city, SENT_DIVISIONS)

    g.add((i.area, RDF.type, SCHEMA.AdministrativeArea))
    g.add((i.area, RDF.type, t("AdministrativeDivision")))
    g.add((i.area, RDFS.label, en("Wanli Administration")))
    g.add((i.area, SCHEMA.containedInPlace, i.city))
    fact(i.area, SENT_DIVISIONS)

    g.add((i.landmark, RDF.type, SCHEMA.LandmarksOrHistoricalBuildings))
    g.add((i.landmark, RDF.type, t("Landmark")))
    g.add((i.landmark, RDFS.label, en("Tengwang Pavilion")))
    g.add((i.landmark, RDFS.label, Literal("滕王阁", lang="zh")))
    g.add((i.landmark, SCHEMA.containedInPlace, i.city))
    g.add((i.landmark, t("reputation"), en("one of three famous towers in Jiangnan (south of the "
                                             "Yangtze River)")))
    fact(i.landmark, "Tengwang Pavilion is reputed as \"one of three famous towers in Jiangnan\".")

    # event, organisation, project, programme
    for node, types, label in (
        (i.event, (SCHEMA.EventSeries, t("Event")), "World Conference on VR Industry"),
        (i.organisation, (SCHEMA.EducationalOrganization, t("Organisation")), "Nanchang Technician College"),
        (i.project, (SCHEMA.Project, t("Project")), "China (Nanchang) Modern Vocational Education City"),
        (i.programme, (t("Programme"),), "national ecological civilization pilot zone"),
    ):
        for ty in types:
            g.add((node, RDF.type, ty))
        g.add((node, RDFS.label, en(label)))
        g.add((node, SCHEMA.location, i.city))
        fact(node, SENT_VR)
    g.add((i.event, t("editionCount"), Literal(4)))

    # narrative
    g.add((i.narrative, RDF.type, t("CooperationNarrative")))
    g.add((i.narrative, RDF.type, SCHEMA.CreativeWork))
    g.add((i.narrative, DCTERMS.title, en("Regional collaborative innovation")))
    g.add((i.narrative, RDFS.label, en("Regional collaborative innovation")))
    g.add((i.narrative, SCHEMA.text, en("For Nanchang, the development of electronic information ... "
                                        + SENT_VR)))
    g.add((i.narrative, t("narrativeOf"), i.city))
    g.add((i.narrative, SCHEMA.mentions, i.event))
    g.add((i.narrative, SCHEMA.position, Literal(4)))
    g.add((i.narrative, DCTERMS.subject, i.concept(
        "theme", "regional-innovation-and-smart-and-sustainable-specialization-strategies-ris-4")))
    g.add((i.narrative, PROV.wasDerivedFrom, i.source))

    # photo and its creator
    g.add((i.agent, RDF.type, SCHEMA.Person))
    g.add((i.agent, RDF.type, FOAF.Agent))
    g.add((i.agent, SCHEMA.name, Literal("Zhangzhugang")))
    g.add((i.agent, RDFS.label, Literal("Zhangzhugang")))
    g.add((i.image, RDF.type, SCHEMA.ImageObject))
    g.add((i.image, RDF.type, t("Photo")))
    g.add((i.image, RDFS.label, en("Photo of Nanchang by Zhangzhugang")))
    g.add((i.image, SCHEMA.creditText, Literal("©Zhangzhugang, CC BY-SA 4.0")))
    g.add((i.image, SCHEMA.creator, i.agent))
    g.add((i.image, SCHEMA.license, CC_BY_SA_4))
    g.add((i.image, DCTERMS.license, EU_LICENCE.CC_BYSA_4_0))
    g.add((i.image, SCHEMA.about, i.city))
    g.add((i.image, PROV.wasDerivedFrom, i.source))

    # observations
    def obs(node, indicator, value, unit, qualifier, stated, sentence, industry=None):
        g.add((node, RDF.type, QB.Observation))
        g.add((node, QB.dataSet, i.dataset))
        g.add((node, SDMX_DIMENSION.refArea, i.city))
        g.add((node, t("indicator"), i.concept("indicator", indicator)))
        g.add((node, SDMX_MEASURE.obsValue, Literal(value)))
        g.add((node, SDMX_ATTRIBUTE.unitMeasure, unit))
        g.add((node, t("valueQualifier"), i.concept("qualifier", qualifier)))
        g.add((node, SDMX_ATTRIBUTE.obsStatus, SDMX_CODE["obsStatus-A"]))
        g.add((node, t("statedAs"), en(stated)))
        if industry:
            g.add((node, t("industry"), i.concept("industry", industry)))
        fact(node, sentence)

    obs(i.obs_population, "population", 6255000, UNIT.NUM, "exact", "6,255,000", "6,255,000")
    obs(i.obs_water, "water-area-share", Decimal("30"), UNIT.PERCENT, "nearly", "nearly 30%", SENT_WATER)
    obs(i.obs_industry, "industrial-output-value-electronic-information", 100000000000, UNIT.CCY_CNY,
        "more-than", "more than RMB 100 billion", SENT_INDUSTRY, industry="electronic-information")
    return g


# --- validation helpers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    focus: object
    component: URIRef
    shape: object
    severity: URIRef
    message: str


def validate(graph: Graph, base: str) -> tuple[bool, list[Result], str]:
    conforms, report, text = pyshacl.validate(
        graph, shacl_graph=shapes_graph(base), inference="none", abort_on_first=False, allow_warnings=False
    )
    results = [
        Result(
            report.value(r, SH.focusNode),
            report.value(r, SH.sourceConstraintComponent),
            report.value(r, SH.sourceShape),
            report.value(r, SH.resultSeverity),
            str(report.value(r, SH.resultMessage) or ""),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return conforms, results, text


def union(base: str) -> Graph:
    g = Graph()
    for tr in ontology_graph(base):
        g.add(tr)
    for tr in valid_data(UriPolicy(base)):
        g.add(tr)
    return g


# --- the shapes files --------------------------------------------------------------------------


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_shapes_parse_with_rdflib_and_pyoxigraph(path: Path, base: str):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(@base|BASE)\b", text, re.MULTILINE | re.IGNORECASE)
    pb = UriPolicy(base).parse_base
    g = Graph().parse(path, format="turtle", publicID=pb)
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE, base_iri=pb))
    assert len(g) == len(quads) > 100
    assert (URIRef(pb + "shapes/CityShape"), RDF.type, SH.NodeShape) in g


def test_every_named_shape_has_a_name_and_message():
    g = shapes_graph(CANONICAL.base)
    shapes = {s for s in g.subjects(RDF.type, SH.NodeShape)} | {s for s in g.subjects(RDF.type, SH.PropertyShape)}
    assert len(shapes) > 80
    for s in shapes:
        assert isinstance(s, URIRef), "top-level shapes need IRIs so that reports name them"
        assert g.value(s, SH.name) is not None, s
        assert g.value(s, SH.message) is not None, s
    for s in g.subjects(SH.path, None):
        if isinstance(s, URIRef):
            assert g.value(s, SH.severity) == SH.Violation, s


def test_shape_covers_every_class_the_data_uses():
    g = shapes_graph(CANONICAL.base)
    targeted = set(g.objects(None, SH.targetClass))
    data = valid_data(CANONICAL)
    t = CANONICAL.term
    used = {t("City"), t("Province"), SCHEMA.Country, t("AdministrativeDivision"), t("Landmark"),
            t("Event"), t("Organisation"), t("Project"), t("Programme"), t("CooperationNarrative"),
            t("Photo"), SCHEMA.Person, t("SourceDocument"), QB.DataSet, QB.Observation}
    assert used <= set(data.objects(None, RDF.type))
    assert used <= targeted, used - targeted
    schemes = {CANONICAL.scheme(s) for s in ("indicator", "qualifier", "industry", "theme", "role")}
    assert schemes <= set(g.objects(None, SH.targetNode))


# --- the valid graph conforms ------------------------------------------------------------------


@pytest.mark.parametrize("base", BASES)
def test_valid_graph_conforms(base: str):
    conforms, results, text = validate(union(base), base)
    assert conforms, text
    assert results == []


def test_ontology_alone_conforms():
    conforms, _, text = validate(ontology_graph(CANONICAL.base), CANONICAL.base)
    assert conforms, text


def test_missing_ontology_graph_is_a_violation():
    """Without the ontology graph every concept link dangles and the schemes are missing."""
    conforms, results, _ = validate(valid_data(CANONICAL), CANONICAL.base)
    assert not conforms
    assert any(r.focus == CANONICAL.scheme("qualifier") for r in results)


# --- one mistake at a time -----------------------------------------------------------------------

Mutation = Callable[[Graph, Ids], object]  # mutates the union graph, returns the expected focus node


XSD_DOUBLE = URIRef("http://www.w3.org/2001/XMLSchema#double")


def pred(p, i: Ids) -> URIRef:
    """A predicate, given as an IRI or as a ckg term name."""
    return p if isinstance(p, URIRef) else i.term(p)


def drop(s_attr: str, p) -> Mutation:
    def m(g: Graph, i: Ids):
        s, p_ = getattr(i, s_attr), pred(p, i)
        assert (s, p_, None) in g
        g.remove((s, p_, None))
        return s

    return m


def replace(s_attr: str, p, value: Callable[[Ids], object]) -> Mutation:
    def m(g: Graph, i: Ids):
        s, p_ = getattr(i, s_attr), pred(p, i)
        assert (s, p_, None) in g
        g.set((s, p_, value(i)))
        return s

    return m


def replace_object(s_attr: str, p: URIRef, value: Literal, focus: str) -> Mutation:
    """Like `replace`, but the violation is reported on another node (through sh:node)."""

    def m(g: Graph, i: Ids):
        replace(s_attr, p, lambda _: value)(g, i)
        return getattr(i, focus)

    return m


def city_without_english_label(g: Graph, i: Ids):
    for o in list(g.objects(i.city, RDFS.label)):
        if o.language == "en":
            g.remove((i.city, RDFS.label, o))
    return i.city


def blank_geometry(g: Graph, i: Ids):
    geom = BNode()
    g.add((i.city, GEO.hasGeometry, geom))
    g.add((geom, RDF.type, GEO.Geometry))
    g.add((geom, GEO.asWKT, Literal("POINT(115.89 28.68)", datatype=GEO.wktLiteral)))
    return geom


def qualifier_without_definition(g: Graph, i: Ids):
    g.remove((i.concept("qualifier", "nearly"), SKOS.definition, None))
    return i.u.scheme("qualifier")


def indicator_without_unit(g: Graph, i: Ids):
    g.remove((i.concept("indicator", "districts"), i.term("unit"), None))
    return i.u.scheme("indicator")


def industry_obs_without_industry(g: Graph, i: Ids):
    g.remove((i.obs_industry, i.term("industry"), None))
    return i.obs_industry


def city_without_narrative_link(g: Graph, i: Ids):
    g.remove((i.city, i.term("hasNarrative"), None))
    return i.narrative


MISTAKES: list[tuple[str, Mutation, URIRef, str]] = [
    # observations
    ("observation without value", drop("obs_population", SDMX_MEASURE.obsValue),
     SH.MinCountConstraintComponent, "Observation-obsValue"),
    ("observation without unit", drop("obs_population", SDMX_ATTRIBUTE.unitMeasure),
     SH.MinCountConstraintComponent, "Observation-unitMeasure"),
    ("observation without qualifier", drop("obs_water", "valueQualifier"),
     SH.MinCountConstraintComponent, "Observation-valueQualifier"),
    ("observation without source", drop("obs_water", PROV.wasDerivedFrom),
     SH.MinCountConstraintComponent, "Observation-source"),
    ("observation without source text", drop("obs_water", "sourceText"),
     SH.MinCountConstraintComponent, "Observation-sourceText"),
    ("non-numeric value (string)",
     replace("obs_population", SDMX_MEASURE.obsValue, lambda i: Literal("6,255,000")),
     SH.OrConstraintComponent, "Observation-obsValue"),
    ("non-numeric value (double)",
     replace("obs_population", SDMX_MEASURE.obsValue, lambda i: Literal("6255000", datatype=XSD_DOUBLE)),
     SH.OrConstraintComponent, "Observation-obsValue"),
    ("unit does not match the indicator",
     replace("obs_population", SDMX_ATTRIBUTE.unitMeasure, lambda i: UNIT.PERCENT),
     SH.EqualsConstraintComponent, "Observation-unit-of-indicator"),
    ("qualifier from another scheme",
     replace("obs_water", "valueQualifier", lambda i: i.concept("industry", "green-food")),
     SH.NodeConstraintComponent, "Observation-valueQualifier"),
    ("qualifier that is not a concept",
     replace("obs_water", "valueQualifier", lambda i: i.concept("qualifier", "roughly")),
     SH.ClassConstraintComponent, "Observation-valueQualifier"),
    ("industry output without industry", industry_obs_without_industry,
     SH.EqualsConstraintComponent, "Observation-industry-of-indicator"),
    # dangling links (local IRIs with no rdf:type in the release)
    ("dangling refArea",
     replace("obs_population", SDMX_DIMENSION.refArea, lambda i: i.u.id("city", "nanchung")),
     SH.ClassConstraintComponent, "Observation-refArea"),
    ("dangling indicator",
     replace("obs_population", "indicator", lambda i: i.concept("indicator", "happiness-index")),
     SH.ClassConstraintComponent, "Observation-indicator"),
    ("dangling containedInPlace",
     replace("city", SCHEMA.containedInPlace, lambda i: i.u.id("province", "jiangxii")),
     SH.OrConstraintComponent, "City-containedInPlace"),
    ("dangling schema:about",
     replace("image", SCHEMA.about, lambda i: i.u.id("landmark", "nowhere")),
     SH.NodeConstraintComponent, "Photo-about"),
    ("dangling narrativeOf",
     replace("narrative", "narrativeOf", lambda i: i.u.id("city", "shanghai")),
     SH.ClassConstraintComponent, "Narrative-of"),
    ("narrative links one way only", city_without_narrative_link,
     SH.EqualsConstraintComponent, "Narrative-inverse"),
    # places
    ("city without English label", city_without_english_label,
     SH.QualifiedMinCountConstraintComponent, "City-label-en"),
    ("latitude and longitude swapped in WKT",
     replace_object("geometry", GEO.asWKT, Literal("POINT(28.68396 115.85306)", datatype=GEO.wktLiteral),
                    focus="city"),
     SH.NodeConstraintComponent, "City-geometry"),
    ("latitude out of range",
     replace("coordinates", SCHEMA.latitude, lambda i: Literal(Decimal("115.85306"))),
     SH.MaxInclusiveConstraintComponent, "Coordinates-latitude"),
    ("unverifiable sameAs",
     replace("city", OWL.sameAs, lambda i: URIRef("http://sws.geonames.org/1800163")),
     SH.PatternConstraintComponent, "VerifiedSameAs"),
    # photos
    ("image without credit text", drop("image", SCHEMA.creditText),
     SH.MinCountConstraintComponent, "Photo-creditText"),
    ("image without creator", drop("image", SCHEMA.creator),
     SH.MinCountConstraintComponent, "Photo-creator"),
    ("image without schema:license", drop("image", SCHEMA.license),
     SH.MinCountConstraintComponent, "Photo-schema-license"),
    ("image without dct:license", drop("image", DCTERMS.license),
     SH.MinCountConstraintComponent, "Photo-dct-license"),
    ("image with a CC licence as dct:license", replace("image", DCTERMS.license, lambda i: CC_BY_4),
     SH.PatternConstraintComponent, "Photo-dct-license"),
    # sources
    ("source without sha256", drop("source", "sha256"),
     SH.MinCountConstraintComponent, "Source-sha256"),
    ("source with a short sha256",
     replace("source", "sha256", lambda i: Literal("0123456789abcdef" * 3)),
     SH.PatternConstraintComponent, "Source-sha256"),
    ("source with a non-hex sha256",
     replace("source", "sha256", lambda i: Literal("xyz" + "0" * 61)),
     SH.PatternConstraintComponent, "Source-sha256"),
    # blank nodes and concept schemes
    ("blank node", blank_geometry, SH.NodeKindConstraintComponent, "NoBlankNodeShape"),
    ("concept without definition", qualifier_without_definition,
     SH.NodeConstraintComponent, "Scheme-concepts"),
    ("indicator without unit", indicator_without_unit,
     SH.NodeConstraintComponent, "IndicatorScheme-concepts"),
]


@pytest.mark.parametrize(("mutate", "component", "shape"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_mistake_is_a_violation(mutate: Mutation, component: URIRef, shape: str):
    base = CANONICAL.base
    g = union(base)
    focus = mutate(g, Ids(CANONICAL))
    conforms, results, text = validate(g, base)
    assert not conforms
    expected_shape = URIRef(f"{CANONICAL.parse_base}shapes/{shape}")
    hits = [r for r in results if r.focus == focus and r.component == component and r.shape == expected_shape]
    assert hits, f"expected {component} from {shape} on {focus}; got:\n{text}"
    assert all(h.severity == SH.Violation and h.message for h in hits)
