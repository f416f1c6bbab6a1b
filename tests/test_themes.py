"""Cooperation themes as one shared scheme (issue 13): the same IURC theme label in two profiles is
one concept, whatever its case, punctuation or line breaks; the scheme's alternative labels are
its concept too; a minted theme names no city; a narrative is linked (dct:subject) to the themes of
its city that it speaks of, and only to those."""

from __future__ import annotations

from decimal import Decimal

import pytest
from citykg.kg.map import map_record, speaks_of
from citykg.kg.record import Figure, Named, Narrative, Record
from citykg.kg.sidecar import Sidecar
from citykg.kg.validate import load_ontology
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from citykg.uris import UriPolicy

BASE = "https://w3id.org/citykg"
POLICY = UriPolicy(BASE)
CKG = POLICY.DEF
RIS4 = URIRef(f"{BASE}/def/theme/regional-innovation-and-smart-and-sustainable-specialization-strategies-ris-4")
URBAN = URIRef(f"{BASE}/def/theme/urban-agendas-planning-sud-strategies-public-space-urban-model")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(POLICY)


def record(city: str, themes: list[str], narratives: list[tuple[str, str]]) -> Record:
    pop = Figure("population", Decimal(1000000), "NUM", "exact", "1,000,000", f"{city} has 1,000,000 people.")
    return Record(file=f"{city.lower()}.txt", sha256="0" * 64, city=Named(city, f"{city} is a city."),
                  figures=[pop], themes=[Named(t, t) for t in themes],
                  narratives=[Narrative(i + 1, title, text) for i, (title, text) in enumerate(narratives)])


def themes_of(g: Graph, city: str) -> set[URIRef]:
    return set(g.objects(POLICY.id("city", city.lower()), CKG.seeksCooperationOn))


def test_the_same_label_in_two_profiles_is_one_concept(ontology):
    a = map_record(POLICY, record("Almere", ["Eco-tourism", "Urban Agendas/planning, SUD Strategies, public space, "
                                                           "urban model"], []), Sidecar(), ontology)
    b = map_record(POLICY, record("Bruges", ["eco tourism", "URBAN AGENDAS / Planning, SUD strategies, Public "
                                                           "Space, Urban Model"], []), Sidecar(), ontology)
    shared = themes_of(a, "Almere") & themes_of(b, "Bruges")
    assert shared == {URIRef(f"{BASE}/def/theme/eco-tourism"), URBAN}


def test_the_schemes_alternative_labels_are_its_concept(ontology):
    g = map_record(POLICY, record("Almere", ["RIS4"], []), Sidecar(), ontology)
    assert themes_of(g, "Almere") == {RIS4}
    assert not list(g.triples((RIS4, None, None)))  # the scheme defines it: the profile adds nothing


def test_a_minted_theme_names_no_city_so_two_profiles_agree(ontology):
    both = Graph()
    for city in ("Almere", "Bruges"):
        both += map_record(POLICY, record(city, ["Eco-tourism"], []), Sidecar(), ontology)
    eco = URIRef(f"{BASE}/def/theme/eco-tourism")
    definitions = list(both.objects(eco, SKOS.definition))
    assert len(definitions) == 1 and "Almere" not in str(definitions[0]) and "Bruges" not in str(definitions[0])
    assert len(list(both.objects(eco, SKOS.prefLabel))) == 1
    assert (eco, SKOS.inScheme, POLICY.scheme("theme")) in both


def test_narratives_are_linked_only_to_the_themes_they_speak_of(ontology):
    g = map_record(POLICY, record("Almere", ["Eco-tourism", "Urban Agendas/planning, SUD Strategies, public space, "
                                                           "urban model", "RIS4"], [
        ("Green tourism", "Almere wants to grow eco-tourism around its lakes."),
        ("Urban renewal", "Almere renews its old harbour quarter and its public spaces."),
        ("Sister cities", "Almere welcomes delegations."),
    ]), Sidecar(), ontology)
    subjects = {(str(n).rsplit("/", 1)[1], str(t).rsplit("/", 1)[1]) for n, t in g.subject_objects(DCTERMS.subject)}
    assert subjects == {("green-tourism", "eco-tourism"), ("urban-renewal", URBAN.rsplit("/", 1)[1])}


@pytest.mark.parametrize("text, phrases, expected", [
    ("We promote eco-tourism.", ["Eco-tourism"], True),
    ("Three vocational schools.", ["school"], True),  # a plural
    ("Preschooling.", ["school"], False),  # whole words only
    ("Circular Economy & waste", ["circular economy"], True),
    ("", ["x"], False),
])
def test_speaks_of(text, phrases, expected):
    assert speaks_of(text, phrases) is expected
