"""citykg.kg.fastshacl gives the same SHACL results as pyshacl (kg.validate, the reference).

A synthetic catalogue (bench/generate.py) is mutated with known violations of every kind of
constraint the shapes use; both validators must report the same set of
(focus node, constraint component, source shape, path, value).  The real profile data must give the
same result on both too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from citykg.kg.fastshacl import UnsupportedShapeError, validate_file, validate_store
from citykg.kg.validate import load_ontology, load_shapes, validate_graph
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from citykg.uris import SH, UriPolicy, slugify

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

BASE = "https://w3id.org/citykg"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _path_key(g: Graph, node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in g:
        return "(" + "/".join(_path_key(g, i) for i in Collection(g, node)) + ")"
    for pred, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = g.value(node, pred)
        if inner is not None:
            return fmt.format(_path_key(g, inner))
    alt = g.value(node, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(_path_key(g, i) for i in Collection(g, alt)) + ")"
    return "?"


def _shape_key(shapes: Graph, node) -> str:
    if isinstance(node, BNode):  # an anonymous shape: describe it by its (non-blank) triples
        return "[" + "; ".join(sorted(f"{p} {o}" for p, o in shapes.predicate_objects(node)
                                      if not isinstance(o, BNode))) + "]"
    return str(node)


def _term_key(node) -> str:
    if node is None:
        return "-"
    if isinstance(node, BNode):
        return "_:"
    return str(node)


def result_keys(report_graph: Graph, shapes: Graph) -> set[tuple]:
    """(focus, component, shape, path, value) of every sh:ValidationResult of a report graph."""
    keys = set()
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        path = report_graph.value(r, SH.resultPath)
        keys.add((
            _term_key(report_graph.value(r, SH.focusNode)),
            str(report_graph.value(r, SH.sourceConstraintComponent)),
            _shape_key(shapes, report_graph.value(r, SH.sourceShape)),
            _path_key(report_graph, path) if path is not None else "-",
            _term_key(report_graph.value(r, SH.value)),
        ))
    return keys


def rdflib_union(nquads: str) -> Graph:
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    g = Graph()
    for s, p, o, _g in ds.quads():
        g.add((s, p, o))
    return g


def oxigraph_store(nquads: str) -> ox.Store:
    store = ox.Store()
    store.load(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def compare(nquads: str, shapes: Graph):
    ref = validate_graph(rdflib_union(nquads), shapes)
    fast = validate_store(oxigraph_store(nquads), shapes)
    return ref, fast, result_keys(ref.graph, shapes), result_keys(fast.graph, shapes)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(UriPolicy(BASE))


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("gen") / "10k.nq"
    generate.generate(path, 10_000, BASE, seed=3)
    return path.read_text(encoding="utf-8")


def test_synthetic_catalogue_conforms_on_both(catalogue, shapes, tmp_path):
    ref, fast, a, b = compare(catalogue, shapes)
    assert ref.conforms, ref.text()
    assert fast.conforms, fast.text()
    assert a == b == set()
    path = tmp_path / "c.nq.gz"
    generate.generate(path, 10_000, BASE, seed=3)
    assert validate_file(path, shapes).conforms


def _first(pattern: str, text: str) -> str:
    m = re.search(pattern, text, re.M)
    assert m, pattern
    return m.group(1)


def mutate(text: str) -> tuple[str, list[str]]:
    """Known violations of each kind of constraint; returns the new text and what was done."""
    done = []
    lines = text.splitlines(keepends=True)

    def drop(pattern: str, why: str) -> None:
        rx = re.compile(pattern)
        for i, line in enumerate(lines):
            if rx.search(line):
                del lines[i]
                done.append(why)
                return
        raise AssertionError(f"no line matches {pattern}")

    def replace(pattern: str, new: str, why: str) -> None:
        rx = re.compile(pattern)
        for i, line in enumerate(lines):
            if rx.search(line):
                lines[i] = rx.sub(new, line, count=1)
                done.append(why)
                return
        raise AssertionError(f"no line matches {pattern}")

    obs = _first(r"^<([^>]*/id/observation/[^>]*/population/[^>]*)>", text)
    obs2 = _first(r"^<([^>]*/id/observation/[^>]*/area/[^>]*)>", text)
    obs3 = _first(r"^<([^>]*/id/observation/[^>]*/counties/[^>]*)>", text)
    obs4 = _first(r"^<([^>]*/id/observation/[^>]*/districts/[^>]*)>", text)
    city = _first(r"^<([^>]*/id/city/[^>#]*)> ", text)
    graph = _first(r"(<[^>]*/graph/profile/[^>]*>) \.$", text)
    province = _first(r"^<([^>]*/id/province/[^>]*)> ", text)
    o, q = re.escape(obs), re.escape
    # cardinality
    drop(rf"^<{o}> <{BASE}/def/statedAs>", "minCount: observation without ckg:statedAs")
    lines.append(f"<{obs}> <http://purl.org/linked-data/cube#dataSet> <{BASE}/id/dataset/elsewhere> {graph} .\n")
    done.append("maxCount + class: a second, dangling qb:dataSet")
    # datatypes, ill-typed literals, sh:or of datatypes, ranges
    replace(rf"^(<{q(obs2)}> <http://purl.org/linked-data/sdmx/2009/measure#obsValue>) \"[^\"]*\"\^\^<[^>]*>",
            r'\1 "12.5"^^<http://www.w3.org/2001/XMLSchema#float>', "or: obsValue is an xsd:float")
    replace(rf"^(<{q(obs3)}> <http://purl.org/linked-data/sdmx/2009/measure#obsValue>) \"[^\"]*\"",
            r'\1 "-4"', "or + minInclusive: obsValue is a negative string")
    replace(r"^(<[^>]*> <https://schema.org/position>) \"1\"\^\^", r'\1 "one"^^', "datatype: ill-typed xsd:integer")
    replace(rf"^(<[^>]*> <{BASE}/def/editionCount>) \"[0-9]+\"", r'\1 "0"', "minInclusive: editionCount 0")
    replace(rf"^(<[^>]*> <{BASE}/def/statedAs>) (\"[^\"]*\")@en", r"\1 \2", "datatype: statedAs without language")
    # value lists, qualifiers, patterns, node kinds
    replace(rf"^(<{q(obs4)}> <{BASE}/def/valueQualifier>) <[^>]*>", rf"\1 <{BASE}/def/qualifier/bogus>",
            "node/class: qualifier not in the scheme (dangling)")
    replace(r"^(<[^>]*> <http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure>) <[^>]*>",
            r"\1 <http://qudt.org/vocab/unit/BOGUS>", "in + equals: unit not allowed, differs from the indicator's")
    replace(rf"^(<[^>]*> <{BASE}/def/sha256>) \"[0-9a-f]+\"", r'\1 "NOT-A-SHA"', "pattern: bad sha256")
    replace(r"^(<[^>]*> <https://schema.org/license>) <[^>]*>", r'\1 "CC BY-SA 4.0"', "nodeKind: licence is a literal")
    replace(r"^(<[^>]*> <http://purl.org/linked-data/sdmx/2009/attribute#obsStatus>) <[^>]*>",
            r"\1 <http://example.org/status/A>", "pattern: bad obsStatus")
    # links
    replace(r"^(<[^>]*> <https://schema.org/about>) <[^>]*>", rf"\1 <{BASE}/id/city/nowhere>",
            "node ExistingResource: dangling schema:about")
    replace(rf"^(<{q(obs)}> <http://purl.org/linked-data/sdmx/2009/dimension#refArea>) <[^>]*>",
            rf"\1 <{province}>", "class: refArea is a province")
    drop(rf"^<{q(city)}> <{BASE}/def/hasNarrative>", "equals: narrative not linked back from its city")
    # labels
    drop(rf"^<{q(province)}> <http://www.w3.org/2000/01/rdf-schema#label> \"[^\"]*\"@en",
         "qualifiedMinCount: province without an English label")
    lines.append(f'<{city}> <http://www.w3.org/2000/01/rdf-schema#label> "Another name"@en {graph} .\n')
    done.append("uniqueLang: two English labels")
    # types and structure
    drop(r"#type> <http://xmlns.com/foaf/0.1/Agent> <", "hasValue: agent not typed foaf:Agent")
    replace(r"^(<[^>]*> <http://purl.org/linked-data/cube#structure>) <[^>]*>", rf"\1 <{BASE}/def/dsd>",
            "xone: period observations in a dataset of ckg:dsd")
    lines.append(f"_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BASE}/def/Event> {graph} .\n")
    done.append("nodeKind: a typed blank node, an event without anything")
    return "".join(lines), done


def test_injected_violations_same_as_pyshacl(catalogue, shapes):
    text, done = mutate(catalogue)
    ref, fast, a, b = compare(text, shapes)
    assert not ref.conforms and not fast.conforms
    assert a, "the mutations produced no violation"
    missing, extra = sorted(a - b), sorted(b - a)
    assert not missing and not extra, f"only pyshacl: {missing[:20]}\nonly fast: {extra[:20]}"
    components = {k[1].rsplit("#", 1)[-1] for k in a}
    for expected in ("MinCountConstraintComponent", "MaxCountConstraintComponent", "DatatypeConstraintComponent",
                     "ClassConstraintComponent", "NodeConstraintComponent", "InConstraintComponent",
                     "PatternConstraintComponent", "NodeKindConstraintComponent", "EqualsConstraintComponent",
                     "OrConstraintComponent", "XoneConstraintComponent", "MinInclusiveConstraintComponent",
                     "QualifiedMinCountConstraintComponent", "UniqueLangConstraintComponent",
                     "HasValueConstraintComponent"):
        assert expected in components, (expected, done)
    # the Violation lists of the two reports name the same results
    def plain(report):
        return {(v.focus, v.component, v.value) for v in report.results if "/" in v.focus}
    assert plain(ref) == plain(fast)


def test_profiles_same_as_pyshacl(shapes):
    """The real profiles (as the build maps them, ontology included) give the same result on both."""
    from citykg.kg.extract import extract
    from citykg.kg.map import map_record
    from citykg.kg.sidecar import load_sidecar

    policy = UriPolicy(BASE)
    ontology = load_ontology(policy)
    lines = []
    g_ont = ox.NamedNode(str(policy.graph("ontology")))
    for t in ox.parse(ontology.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES):
        lines.append(f"{ox.Quad(t.subject, t.predicate, t.object, g_ont)} .\n")
    for path in sorted((ROOT / "seeds" / "profiles").glob("*.txt")):
        record = extract(path)
        graph = map_record(policy, record, load_sidecar(path), ontology)
        g = ox.NamedNode(str(policy.graph(f"profile/{slugify(record.city.name)}")))
        for t in ox.parse(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES):
            lines.append(f"{ox.Quad(t.subject, t.predicate, t.object, g)} .\n")
    ref, fast, a, b = compare("".join(lines), shapes)
    assert a == b
    assert ref.conforms == fast.conforms


def test_unsupported_features_raise(shapes):
    extra = Graph()
    extra.parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <{BASE}/shapes/X> a sh:NodeShape ; sh:targetNode <{BASE}/x> ;
            sh:property [ sh:path <{BASE}/p> ; sh:qualifiedValueShape [ sh:nodeKind sh:IRI ] ;
                          sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] .
    """, format="turtle")
    with pytest.raises(UnsupportedShapeError):
        validate_store(ox.Store(), extra)
    unknown = Graph()
    unknown.parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <{BASE}/shapes/Y> a sh:NodeShape ; sh:targetNode <{BASE}/x> ; sh:someFutureConstraint 1 .
    """, format="turtle")
    with pytest.raises(UnsupportedShapeError):
        validate_store(ox.Store(), unknown)


def test_sparql_constraint_and_paths_same_as_pyshacl():
    shapes = Graph()
    shapes.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ( ex:a [ sh:zeroOrMorePath ex:b ] ) ; sh:minCount 2 ] ;
            sh:property [ sh:path [ sh:alternativePath ( ex:a ex:c ) ] ; sh:maxCount 1 ] ;
            sh:property [ sh:path ex:n ; sh:maxExclusive 10 ; sh:minLength 2 ; sh:lessThan ex:m ] ;
            sh:not [ sh:property [ sh:path ex:c ; sh:hasValue ex:forbidden ] ] ;
            sh:sparql [ sh:select '''SELECT $this ?value WHERE {
                $this <http://example.org/a> ?value . FILTER(isLiteral(?value)) }''' ] .
    """, format="turtle")
    data = """
        <http://example.org/t1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Thing> .
        <http://example.org/t1> <http://example.org/a> <http://example.org/u> .
        <http://example.org/u> <http://example.org/b> <http://example.org/w> .
        <http://example.org/t1> <http://example.org/n> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .
        <http://example.org/t1> <http://example.org/m> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .
        <http://example.org/t2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Thing> .
        <http://example.org/t2> <http://example.org/a> "lit" .
        <http://example.org/t2> <http://example.org/c> <http://example.org/forbidden> .
        <http://example.org/t2> <http://example.org/n> "12"^^<http://www.w3.org/2001/XMLSchema#integer> .
        <http://example.org/t2> <http://example.org/m> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .
    """
    ref, fast, a, b = compare(data, shapes)
    assert a == b
    assert len(a) >= 5
