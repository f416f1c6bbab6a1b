"""The ontology and concept schemes (ontology/*.ttl) against docs/model.md."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from citykg.uris import QB, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE, SH, UNIT, UriPolicy, slugify

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
MODEL_MD = ROOT / "docs" / "model.md"
DATA_THEMES = Path("/work/shared/vendor/dcat-ap/vocabularies/eu-authority/data-theme.ttl")
BASES = ["https://w3id.org/citykg", "http://localhost:8080/some/where"]
CANONICAL = UriPolicy()


def load(policy: UriPolicy, files=ONTOLOGY_FILES) -> Graph:
    g = Graph()
    for f in files:
        g.parse(f, format="turtle", publicID=policy.parse_base)
    return g


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load(CANONICAL)


def english(g: Graph, s, p) -> list[Literal]:
    return [o for o in g.objects(s, p) if isinstance(o, Literal) and o.language == "en"]


# --- parsing ---------------------------------------------------------------------------------


def test_there_are_ontology_files():
    names = {f.name for f in ONTOLOGY_FILES}
    assert {"citykg.ttl", "indicators.ttl", "qualifiers.ttl", "industries.ttl", "themes.ttl",
            "roles.ttl"} <= names


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_no_base_directive(path: Path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(@base|BASE)\b", text, re.MULTILINE | re.IGNORECASE), (
        "ontology files must not fix a base: IRIs are relative to the deployment base")


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_parses_with_rdflib_and_pyoxigraph_relative_to_base(path: Path, base: str):
    policy = UriPolicy(base)
    g = Graph().parse(path, format="turtle", publicID=policy.parse_base)
    assert len(g) > 0
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE,
                                  base_iri=policy.parse_base))
    assert len(quads) == len(g)
    # both parsers resolve the same IRIs
    ox_iris = {t.value for q in quads for t in (q.subject, q.predicate, q.object)
               if isinstance(t, pyoxigraph.NamedNode)}
    rdflib_iris = {str(t) for tr in g for t in tr if isinstance(t, URIRef)}
    assert ox_iris == rdflib_iris
    # every local IRI sits under this base, none under another one
    other = [b for b in BASES if b != base]
    for iri in rdflib_iris:
        assert not any(iri.startswith(o + "/") for o in other), iri
    assert any(policy.is_local(i) for i in rdflib_iris)
    assert URIRef(f"{policy.base}/def/") in set(g.subjects()) or path.name != "citykg.ttl"


def test_same_shape_under_two_bases():
    a, b = (load(UriPolicy(base)) for base in BASES)
    assert len(a) == len(b)
    rebased = {tuple(URIRef(str(t).replace(BASES[0], BASES[1], 1)) if isinstance(t, URIRef) else t
                     for t in tr) for tr in a}
    assert rebased == set(b)


def test_loads_into_one_named_graph_with_pyoxigraph(onto: Graph):
    store = pyoxigraph.Store()
    graph = pyoxigraph.NamedNode(str(CANONICAL.graph("ontology")))
    for f in ONTOLOGY_FILES:
        store.load(path=str(f), format=pyoxigraph.RdfFormat.TURTLE, base_iri=CANONICAL.parse_base,
                   to_graph=graph)
    assert len(store) == len(onto)
    assert {q.graph_name for q in store} == {graph}


# --- ontology header and terms ---------------------------------------------------------------


def test_ontology_header(onto: Graph):
    ont = CANONICAL.ontology()
    assert (ont, RDF.type, OWL.Ontology) in onto
    assert (ont, OWL.versionIRI, URIRef(f"{CANONICAL.base}/def/0.1.0")) in onto
    assert onto.value(ont, OWL.versionInfo) is not None
    assert english(onto, ont, RDFS.label)
    assert english(onto, ont, DCTERMS.title)
    assert english(onto, ont, DCTERMS.description)
    assert (ont, DCTERMS.license, URIRef("http://creativecommons.org/licenses/by/4.0/")) in onto
    assert onto.value(ont, DCTERMS.creator) is not None


def model_terms() -> tuple[list[str], list[str]]:
    text = MODEL_MD.read_text(encoding="utf-8")
    section = text.split("## Ontology terms", 1)[1]
    classes = re.search(r"^Classes:(.*?)\.\s*$", section, re.MULTILINE | re.DOTALL)
    props = re.search(r"^Properties:(.*?)\.\s", section, re.MULTILINE | re.DOTALL)
    assert classes and props
    return re.findall(r"`(\w+)`", classes.group(1)), re.findall(r"`(\w+)`", props.group(1))


def test_model_md_terms_are_parsed():
    classes, props = model_terms()
    assert "City" in classes and "SourceDocument" in classes and len(classes) == 11
    assert "euDataTheme" in props and "reviewDecision" in props and len(props) == 20


@pytest.mark.parametrize("name", model_terms()[0])
def test_every_class_of_the_model_is_declared(onto: Graph, name: str):
    term = CANONICAL.term(name)
    assert (term, RDF.type, OWL.Class) in onto
    assert (term, RDFS.isDefinedBy, CANONICAL.ontology()) in onto


@pytest.mark.parametrize("name", model_terms()[1])
def test_every_property_of_the_model_is_declared(onto: Graph, name: str):
    term = CANONICAL.term(name)
    kinds = set(onto.objects(term, RDF.type))
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, f"{name} is not a property"
    assert (term, RDFS.isDefinedBy, CANONICAL.ontology()) in onto


def local_def_terms(g: Graph) -> set[URIRef]:
    prefix = f"{CANONICAL.base}/def/"
    version = URIRef(f"{CANONICAL.base}/def/0.1.0")
    return {t for tr in g for t in tr
            if isinstance(t, URIRef) and str(t).startswith(prefix) and t != version}


def test_every_local_term_has_an_english_label_and_definition(onto: Graph):
    terms = local_def_terms(onto)
    assert len(terms) > 60
    missing = []
    for t in sorted(terms):
        label = english(onto, t, RDFS.label) or english(onto, t, SKOS.prefLabel)
        definition = (english(onto, t, RDFS.comment) or english(onto, t, SKOS.definition)
                      or english(onto, t, DCTERMS.description))
        if not (label and definition):
            missing.append(str(t))
    assert not missing, f"terms without an English label or definition: {missing}"


def test_property_domains_and_ranges(onto: Graph):
    t = CANONICAL.term
    assert onto.value(t("capitalOf"), RDFS.domain) == t("City")
    assert onto.value(t("capitalOf"), RDFS.range) == t("Province")
    assert onto.value(t("narrativeOf"), RDFS.range) == t("City")
    assert (t("hasNarrative"), OWL.inverseOf, t("narrativeOf")) in onto
    assert onto.value(t("sha256"), RDFS.domain) == t("SourceDocument")
    assert onto.value(t("statedAs"), RDFS.domain) == QB.Observation


def test_coded_properties(onto: Graph):
    ind, qual = CANONICAL.term("indicator"), CANONICAL.term("valueQualifier")
    assert {QB.DimensionProperty, QB.CodedProperty} <= set(onto.objects(ind, RDF.type))
    assert onto.value(ind, QB.codeList) == CANONICAL.scheme("indicator")
    assert {QB.AttributeProperty, QB.CodedProperty} <= set(onto.objects(qual, RDF.type))
    assert onto.value(qual, QB.codeList) == CANONICAL.scheme("qualifier")


def test_data_structure_definition(onto: Graph):
    dsd = CANONICAL.term("dsd")
    assert (dsd, RDF.type, QB.DataStructureDefinition) in onto
    components = list(onto.objects(dsd, QB.component))
    assert len(components) == 6
    assert all(isinstance(c, URIRef) for c in components), "components need IRIs, not blank nodes"
    dims = {onto.value(c, QB.dimension) for c in components} - {None}
    measures = {onto.value(c, QB.measure) for c in components} - {None}
    attrs = {onto.value(c, QB.attribute) for c in components} - {None}
    assert dims == {SDMX_DIMENSION.refArea, CANONICAL.term("indicator")}
    assert SDMX_DIMENSION.refPeriod not in dims
    assert measures == {SDMX_MEASURE.obsValue}
    assert attrs == {SDMX_ATTRIBUTE.unitMeasure, SDMX_ATTRIBUTE.obsStatus, CANONICAL.term("valueQualifier")}
    for c in components:
        assert (c, RDF.type, QB.ComponentSpecification) in onto


def test_no_blank_nodes_outside_owl_or_shacl_constructs(onto: Graph):
    allowed_types = {OWL.Restriction, OWL.Class, OWL.AllDisjointClasses, SH.PropertyShape, SH.NodeShape}
    bad = []
    for node in {t for tr in onto for t in tr if isinstance(t, BNode)}:
        is_list = (node, RDF.first, None) in onto
        typed_ok = bool(set(onto.objects(node, RDF.type)) & allowed_types)
        if not (is_list or typed_ok):
            bad.append(node)
    assert not bad


# --- concept schemes -------------------------------------------------------------------------

SCHEMES = ("indicator", "qualifier", "industry", "theme", "role")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_concept_scheme(onto: Graph, scheme: str):
    s = CANONICAL.scheme(scheme)
    assert (s, RDF.type, SKOS.ConceptScheme) in onto
    assert english(onto, s, SKOS.prefLabel) and onto.value(s, DCTERMS.title) is not None
    tops = set(onto.objects(s, SKOS.hasTopConcept))
    assert tops, f"{scheme} has no top concepts"
    assert tops == set(onto.subjects(SKOS.topConceptOf, s))
    concepts = set(onto.subjects(SKOS.inScheme, s))
    assert tops <= concepts
    for c in concepts:
        assert str(c).startswith(str(s) + "/")
        assert (c, RDF.type, SKOS.Concept) in onto
        assert len(english(onto, c, SKOS.prefLabel)) == 1, c
        assert english(onto, c, SKOS.definition), c
        broader = list(onto.objects(c, SKOS.broader))
        assert (c in tops) != bool(broader), f"{c}: top concept xor skos:broader"
        for b in broader:
            assert (b, SKOS.inScheme, s) in onto


NANCHANG_INDICATORS = {
    "population": UNIT.NUM, "area": UNIT.KiloM2, "water-area-share": UNIT.PERCENT,
    "urban-green-coverage-rate": UNIT.PERCENT, "wetland-area-share": UNIT.PERCENT,
    "leading-industries": UNIT.NUM, "industrial-output-value": UNIT.CCY_CNY,
    "industrial-output-value-electronic-information": UNIT.CCY_CNY,
    "industrial-output-value-automobiles-and-new-energy-vehicle": UNIT.CCY_CNY,
    "industrial-output-value-green-food": UNIT.CCY_CNY,
    "industrial-output-value-new-materials": UNIT.CCY_CNY,
    "historical-cultural-sites": UNIT.NUM, "counties": UNIT.NUM, "districts": UNIT.NUM,
    "state-level-development-zones": UNIT.NUM,
}


def test_indicators(onto: Graph):
    unit = CANONICAL.term("unit")
    for slug, expected in NANCHANG_INDICATORS.items():
        c = CANONICAL.concept("indicator", slug)
        assert list(onto.objects(c, unit)) == [expected], slug
    wd = "http://www.wikidata.org/entity/"
    assert (CANONICAL.concept("indicator", "population"), SKOS.closeMatch, URIRef(wd + "P1082")) in onto
    assert (CANONICAL.concept("indicator", "area"), SKOS.closeMatch, URIRef(wd + "P2046")) in onto
    parent = CANONICAL.concept("indicator", "industrial-output-value")
    children = set(onto.subjects(SKOS.broader, parent))
    assert len(children) == 4
    for child in children:
        industry = onto.value(child, CANONICAL.term("industry"))
        assert str(child).endswith("-" + str(industry).rsplit("/", 1)[1])
        assert (industry, SKOS.inScheme, CANONICAL.scheme("industry")) in onto
    for u in set(NANCHANG_INDICATORS.values()):
        assert english(onto, u, RDFS.label)


QUALIFIERS = {"exact": "=", "approximately": "≈", "nearly": "<≈", "more-than": ">", "at-least": "≥",
              "less-than": "<", "at-most": "≤", "as-many-as": "≤", "between": "∈ [v, u]"}


def test_qualifiers(onto: Graph):
    scheme = CANONICAL.scheme("qualifier")
    assert set(onto.subjects(SKOS.inScheme, scheme)) == {CANONICAL.concept("qualifier", q) for q in QUALIFIERS}
    for slug, sign in QUALIFIERS.items():
        assert [str(n) for n in onto.objects(CANONICAL.concept("qualifier", slug), SKOS.notation)] == [sign]
    q = CANONICAL.concept
    assert (q("qualifier", "nearly"), SKOS.broader, q("qualifier", "approximately")) in onto

    def alt(slug):
        return {str(a) for a in english(onto, q("qualifier", slug), SKOS.altLabel)}

    assert {"about", "around", "roughly", "some"} <= alt("approximately")
    assert {"over", "exceeding", "exceeded", "above"} <= alt("more-than")
    assert {"up to", "no more than"} <= alt("at-most")
    # a word expresses one qualifier only (else extraction would be ambiguous)
    words = [str(a).lower() for c in onto.subjects(SKOS.inScheme, scheme)
             for p in (SKOS.prefLabel, SKOS.altLabel) for a in onto.objects(c, p)]
    assert len(words) == len(set(words))


def test_industries(onto: Graph):
    nace = "http://data.europa.eu/ux2/nace2/"
    c = CANONICAL.concept
    assert (c("industry", "electronic-information"), SKOS.closeMatch, URIRef(nace + "26")) in onto
    assert (c("industry", "automobiles-and-new-energy-vehicle"), SKOS.closeMatch, URIRef(nace + "29")) in onto
    assert (c("industry", "green-food"), SKOS.relatedMatch, URIRef(nace + "10")) in onto
    nm = c("industry", "new-materials")
    assert (nm, RDF.type, SKOS.Concept) in onto
    assert not list(onto.objects(nm, SKOS.closeMatch)) and not list(onto.objects(nm, SKOS.relatedMatch))


THEME_NAMES = [
    "Nature Based Solutions for Circular Cities and Regions",
    "Urban Agendas/planning, SUD Strategies, public space, urban model",
    "Education, jobs & skills, Innovation centres, business clusters",
    "Regional Innovation & Smart and Sustainable Specialization Strategies (RIS 4)",
]


def test_themes_use_slugify_and_link_real_codes(onto: Graph):
    eu = Graph().parse(DATA_THEMES, format="turtle") if DATA_THEMES.exists() else None
    scheme = CANONICAL.scheme("theme")
    assert len(set(onto.subjects(SKOS.inScheme, scheme))) == len(THEME_NAMES)
    for name in THEME_NAMES:
        c = CANONICAL.concept("theme", slugify(name))
        assert [str(x) for x in english(onto, c, SKOS.prefLabel)] == [name]
        eu_themes = list(onto.objects(c, CANONICAL.term("euDataTheme")))
        assert eu_themes, name
        for t in eu_themes:
            assert str(t).startswith("http://publications.europa.eu/resource/authority/data-theme/")
            if eu is not None:
                assert (t, RDF.type, SKOS.Concept) in eu, f"{t} is not an EU data theme"
        for sdg in onto.objects(c, SKOS.relatedMatch):
            assert re.fullmatch(r"http://metadata\.un\.org/sdg/\d+\.[0-9a-z]+", str(sdg)), sdg


def test_roles(onto: Graph):
    expected = {"political", "economic", "cultural", "scientific", "technological", "transportation"}
    got = {str(c).rsplit("/", 1)[1] for c in onto.subjects(SKOS.inScheme, CANONICAL.scheme("role"))}
    assert got == expected
