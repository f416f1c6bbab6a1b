"""Triple Pattern Fragments (`/fragments`): the controls, paging, counts and formats, and Comunica
(`comunica-sparql`, installed by `make assets`) answering SPARQL queries through the fragments of a
live server with the same results as its `/sparql` endpoint."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
COMUNICA = ROOT / "node_modules" / ".bin" / "comunica-sparql"
BASE = "https://w3id.org/citykg"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
QB = "http://purl.org/linked-data/cube#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OBS = f"{BASE}/id/observation/zurich/population/y0000"
CITY = f"{BASE}/id/city/zurich"


def frag(client, accept: str = "application/trig", **params: str):
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return client.get(f"/fragments?{query}" if query else "/fragments", headers={"Accept": accept})


def dataset(resp) -> ox.Dataset:
    media = resp.mimetype
    fmt = {"application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS,
           "text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}[media]
    return ox.Dataset(ox.parse(resp.data, format=fmt, base_iri="http://localhost/"))


def split(ds: ox.Dataset) -> tuple[list[ox.Quad], list[ox.Quad]]:
    data = [q for q in ds if isinstance(q.graph_name, ox.DefaultGraph)]
    meta = [q for q in ds if not isinstance(q.graph_name, ox.DefaultGraph)]
    return data, meta


def value(quads: list[ox.Quad], subject: str | None, predicate: str) -> list[str]:
    return [q.object.value for q in quads if (subject is None or q.subject.value == subject)
            and q.predicate.value == predicate]


def test_fragment_of_a_class_pages_by_100_with_hydra_controls(mini_client):
    resp = frag(mini_client, predicate=RDF_TYPE, object=f"{QB}Observation")
    assert resp.status_code == 200
    data, meta = split(dataset(resp))
    assert len(data) == 100
    assert all(q.predicate.value == RDF_TYPE and q.object.value == f"{QB}Observation" for q in data)
    page = (f"http://localhost/fragments?predicate={quote(RDF_TYPE, safe='')}"
            f"&object={quote(QB + 'Observation', safe='')}")
    assert value(meta, page, f"{HYDRA}totalItems") == ["1203"]
    assert value(meta, page, f"{VOID}triples") == ["1203"]
    assert value(meta, page, f"{HYDRA}itemsPerPage") == ["100"]
    assert value(meta, page, f"{HYDRA}next") == [page + "&page=2"]
    assert value(meta, page, f"{HYDRA}first") == [page]
    assert value(meta, page, f"{HYDRA}previous") == []
    assert f"{HYDRA}PartialCollectionView" in value(meta, page, RDF_TYPE)
    # the metadata graph names the page as its primary topic
    graphs = {q.graph_name.value for q in meta}
    assert graphs == {page + "#metadata"}
    assert value(meta, page + "#metadata", "http://xmlns.com/foaf/0.1/primaryTopic") == [page]
    # the dataset, its subset and its search form
    ds = "http://localhost/fragments#dataset"
    assert value(meta, ds, f"{VOID}subset") == [page]
    search = value(meta, ds, f"{HYDRA}search")[0]
    assert value(meta, search, f"{HYDRA}template") == ["http://localhost/fragments{?subject,predicate,object}"]
    assert value(meta, search, f"{HYDRA}variableRepresentation") == [f"{HYDRA}ExplicitRepresentation"]
    mappings = {value(meta, m, f"{HYDRA}variable")[0]: value(meta, m, f"{HYDRA}property")[0]
                for m in value(meta, search, f"{HYDRA}mapping")}
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    assert mappings == {"subject": f"{rdf}subject", "predicate": f"{rdf}predicate", "object": f"{rdf}object"}
    assert 'rel="next"' in resp.headers["Link"]


def test_every_page_and_the_last_one(mini_client):
    seen: set[str] = set()
    for number in range(1, 14):
        resp = frag(mini_client, predicate=RDF_TYPE, object=f"{QB}Observation", page=str(number))
        data, meta = split(dataset(resp))
        seen.update(q.subject.value for q in data)
        nexts = value(meta, None, f"{HYDRA}next")
        previous = value(meta, None, f"{HYDRA}previous")
        assert bool(previous) == (number > 1)
        assert bool(nexts) == (number < 13), number
    assert len(seen) == 1203
    resp = frag(mini_client, predicate=RDF_TYPE, object=f"{QB}Observation", page="14")
    assert resp.status_code == 200 and split(dataset(resp))[0] == []


def test_bound_subject_and_literal_objects(mini_client):
    data, _ = split(dataset(frag(mini_client, subject=CITY)))
    assert len(data) > 5 and all(q.subject.value == CITY for q in data)
    # a language-tagged literal
    data, meta = split(dataset(frag(mini_client, object='"苏黎世"@zh')))
    assert [(q.subject.value, q.predicate.value) for q in data] == [(CITY, "http://www.w3.org/2000/01/rdf-schema#label")]
    assert value(meta, None, f"{HYDRA}totalItems") == ["1"]
    # a typed literal, as Comunica writes it (datatype without angle brackets)
    data, _ = split(dataset(frag(mini_client, object=f'"1000"^^{XSD}integer')))
    assert [q.subject.value for q in data] == [OBS]
    # a whole triple: there or not
    data, _ = split(dataset(frag(mini_client, subject=OBS, predicate=RDF_TYPE, object=f"{QB}Observation")))
    assert len(data) == 1
    data, meta = split(dataset(frag(mini_client, subject=OBS, predicate=RDF_TYPE, object=f"{QB}Slice")))
    assert data == [] and value(meta, None, f"{HYDRA}totalItems") == ["0"]
    # variables count as unbound
    data, _ = split(dataset(frag(mini_client, subject=OBS, predicate="?p", object="?o")))
    assert len(data) == 7


def test_counts_above_the_cap_are_estimates_never_below_what_is_there(mini_client):
    meta = split(dataset(frag(mini_client)))[1]
    total = int(value(meta, None, f"{HYDRA}totalItems")[0])
    assert total >= 1203 * 7
    meta = split(dataset(frag(mini_client, predicate=f"{BASE}/def/sourceText")))[1]
    assert int(value(meta, None, f"{HYDRA}totalItems")[0]) >= 1203


def test_one_named_graph(mini_client):
    graph = f"{BASE}/graph/ontology"
    resp = frag(mini_client, graph=graph, predicate=RDF_TYPE)
    data, meta = split(dataset(resp))
    assert data and all(q.subject.value.startswith(f"{BASE}/def/") for q in data)
    search = value(meta, f"http://localhost/fragments?graph={quote(graph, safe='')}#dataset", f"{HYDRA}search")
    template = value(meta, search[0], f"{HYDRA}template")[0]
    assert template == f"http://localhost/fragments?graph={quote(graph, safe='')}{{&subject,predicate,object}}"
    assert split(dataset(frag(mini_client, graph=f"{BASE}/graph/metadata", subject=CITY)))[0] == []


@pytest.mark.parametrize("accept,media", [
    ("text/turtle", "text/turtle"), ("application/n-quads", "application/n-quads"),
    ("application/n-triples", "application/n-triples"), ("*/*", "text/turtle"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/turtle"),
])
def test_formats_by_negotiation(mini_client, accept, media):
    resp = frag(mini_client, accept=accept, subject=CITY)
    assert resp.status_code == 200 and resp.mimetype == media
    assert resp.headers["Vary"].startswith("Accept")
    ds = dataset(resp)
    assert any(q.predicate.value == f"{HYDRA}search" for q in ds)
    if media == "application/n-quads":
        assert split(ds)[1]  # the controls in their own graph


def test_jsonld(mini_client):
    resp = frag(mini_client, accept="application/ld+json", subject=CITY)
    assert resp.mimetype == "application/ld+json"
    doc = json.loads(resp.data)
    assert doc["@context"] == "http://localhost/context.jsonld"
    assert any("@graph" in node for node in doc["@graph"])  # the metadata graph


def test_errors(mini_client):
    assert frag(mini_client, accept="image/png").status_code == 406
    assert frag(mini_client, subject='"a literal"').status_code == 400
    assert frag(mini_client, subject="not an iri").status_code == 400
    assert frag(mini_client, object='"x"^^not a type').status_code == 400
    assert frag(mini_client, page="0").status_code == 400
    assert frag(mini_client, page="x").status_code == 400
    assert frag(mini_client, subject="_:b0").status_code == 400


def test_cache_headers_per_release(mini_client):
    resp = frag(mini_client, subject=CITY)
    etag = resp.headers["ETag"]
    assert "max-age" in resp.headers["Cache-Control"] and resp.headers["Last-Modified"]
    again = mini_client.get(f"/fragments?subject={quote(CITY, safe='')}",
                            headers={"Accept": "application/trig", "If-None-Match": etag})
    assert again.status_code == 304


def test_void_and_catalogue_link_to_the_fragments(client):
    turtle = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert f"<{BASE}/fragments?subject=>" in turtle and "uriLookupEndpoint" in turtle
    catalogue = client.get("/catalog.ttl").get_data(as_text=True)
    assert f"<{BASE}/fragments>" in catalogue


# -- Comunica over a live server -----------------------------------------------------------------

P = """PREFIX schema: <https://schema.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX ckg: <https://w3id.org/citykg/def/>
PREFIX qb: <http://purl.org/linked-data/cube#> PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
"""

QUERIES = {
    "labels of one city": "SELECT ?l WHERE { <https://w3id.org/citykg/id/city/nanchang> rdfs:label ?l }",
    "cities, provinces and their labels": """SELECT ?c ?p ?pl WHERE { ?c a schema:City ;
        schema:containedInPlace ?p . ?p a ckg:Province ; rdfs:label ?pl }""",
    "cities by a literal label": 'SELECT ?c WHERE { ?c rdfs:label "Kraków"@en ; a schema:City }',
    "alternative labels": "SELECT ?c ?alt WHERE { ?c a schema:City ; skos:altLabel ?alt }",
    "Chinese labels, optional": """SELECT ?c ?zh WHERE { ?c a schema:City .
        OPTIONAL { ?c rdfs:label ?zh FILTER(lang(?zh) = "zh") } }""",
    "populations above a million": """SELECT ?c ?v WHERE { ?o ckg:indicator
        <https://w3id.org/citykg/def/indicator/population> ; sdmx-dimension:refArea ?c ;
        sdmx-measure:obsValue ?v FILTER(?v > 1000000) }""",
    "landmarks per city": """SELECT ?c (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a ckg:Landmark ;
        schema:containedInPlace ?c . ?c a schema:City } GROUP BY ?c""",
    "top five by population": """SELECT ?c ?v WHERE { ?o ckg:indicator
        <https://w3id.org/citykg/def/indicator/population> ; sdmx-dimension:refArea ?c ;
        sdmx-measure:obsValue ?v } ORDER BY DESC(?v) ?c LIMIT 5""",
    "cities of a country through their province": """SELECT DISTINCT ?c WHERE { ?c a schema:City ;
        schema:containedInPlace ?p . ?p schema:containedInPlace <https://w3id.org/citykg/id/country/china> }""",
    "union of two types": """SELECT ?x WHERE { { ?x a ckg:Organisation } UNION { ?x a schema:Country } }""",
    "a typed literal bound": """SELECT ?o WHERE {
        ?o sdmx-measure:obsValue "184300"^^<http://www.w3.org/2001/XMLSchema#integer> }""",
    "ask": "ASK { <https://w3id.org/citykg/id/city/seville> skos:altLabel ?x }",
    "every triple, counted": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
}


def _norm_term(t: dict) -> tuple:
    kind = {"typed-literal": "literal", "bnode": "bnode"}.get(t["type"], t["type"])
    dt = t.get("datatype")
    lang = t.get("xml:lang")
    if kind == "literal" and not lang and dt is None:
        dt = f"{XSD}string"
    value = t["value"]
    if dt in (f"{XSD}integer", f"{XSD}decimal"):
        value = str(int(value)) if dt == f"{XSD}integer" else value
    return kind, value, lang or "", dt or ""


def _rows(answer: dict) -> object:
    """The solutions as a sorted set: the embedded store's union default graph repeats a triple
    that two graphs hold (a province's label in each of its cities' profiles), where a fragment,
    a set of triples, holds it once; the aggregates count DISTINCT for the same reason."""
    if "boolean" in answer:
        return answer["boolean"]
    rows = {tuple(sorted((k, _norm_term(v)) for k, v in b.items())) for b in answer["results"]["bindings"]}
    return sorted(rows)


def comunica(source: str, query: str) -> dict:
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run `make assets` (npm ci installs @comunica/query-sparql)")
    proc = subprocess.run([str(COMUNICA), source, "-q", query, "-t", "application/sparql-results+json"],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    answer = json.loads(proc.stdout)
    answer.pop("metadata", None)
    return answer


def sparql(server, query: str) -> dict:
    resp = requests.post(server.url + "/sparql", data={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(QUERIES))
def test_comunica_through_fragments_answers_as_sparql(multicity_server, name):
    query = P + QUERIES[name]
    expected = _rows(sparql(multicity_server, query))
    got = _rows(comunica(f"{multicity_server.url}/fragments", query))
    assert got == expected
    if name != "ask":
        assert expected, "the query should have answers"


@pytest.mark.slow
def test_comunica_with_the_source_typed_tpf_and_one_graph(multicity_server):
    graph = f"{BASE}/graph/profile/nanchang"
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    expected = _rows(sparql(multicity_server, f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
    got = _rows(comunica(f"qpf@{multicity_server.url}/fragments?graph={quote(graph, safe='')}", query))
    assert got == expected and len(expected) > 100  # more than one page
    log = multicity_server.log.read_text(errors="replace")
    assert "GET /fragments?graph=" in log and "page=2" in log


# -- every store (embedded, Oxigraph server, Virtuoso) -------------------------------------------


def all_pages(client, **params: str) -> set[tuple]:
    triples: set[tuple] = set()
    for number in range(1, 100):
        data, meta = split(dataset(frag(client, **params, page=str(number))))
        triples.update((q.subject, q.predicate, q.object) for q in data)
        if not value(meta, None, f"{HYDRA}next"):
            return triples
    raise AssertionError("more than 99 pages")


def test_fragments_on_every_store(store_client, app):
    reference = app.test_client()
    nanchang = f"{BASE}/id/city/nanchang"
    for params in ({"subject": nanchang}, {"object": nanchang}, {"predicate": RDF_TYPE},
                   {"object": '"Nanchang"@en'}, {"graph": f"{BASE}/graph/profile/nanchang", "subject": nanchang}):
        assert all_pages(store_client, **params) == all_pages(reference, **params), params
    meta = split(dataset(frag(store_client, subject=nanchang)))[1]
    assert int(value(meta, None, f"{HYDRA}totalItems")[0]) == len(all_pages(reference, subject=nanchang))
