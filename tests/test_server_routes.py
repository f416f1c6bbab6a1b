"""The routes of docs/server.md through Flask's test client, over the real release, on each store:
embedded, Oxigraph server and Virtuoso (loaded by `citykg publish`, tests/stores.py)."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest

from citykg.uris import UriPolicy

BASE = "https://w3id.org/citykg"
CITY = f"{BASE}/id/city/nanchang"
POLICY = UriPolicy(BASE)


def parse(body: bytes, fmt: ox.RdfFormat) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(body, format=fmt)]


def objects(triples, s: str, p: str) -> set[str]:
    return {t.object.value for t in triples if t.subject.value == s and t.predicate.value == p}


@pytest.fixture()
def client(store_app):
    """Every test here runs on each store (tests/stores.py)."""
    return store_app.test_client()


# -- home ------------------------------------------------------------------------------------


def test_home(client, served_release):
    r = client.get("/")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    manifest = json.loads((served_release / "manifest.json").read_text())
    assert "<h1>" in html and "citykg" in html
    assert 'href="/doc/city/nanchang"' in html  # the cities, linked to their pages
    assert "Nanchang" in html and "南昌" in html
    assert 'action="/search"' in html  # the search box
    assert 'href="/sparql"' in html and 'href="/download"' in html
    assert "CC BY 4.0" in html or manifest["license"] in html  # licence
    assert "Triples" in html and "Observations" in html  # counts


# -- /id -> 303 -> /doc ------------------------------------------------------------------------


def test_id_redirects_303_to_doc(client):
    r = client.get("/id/city/nanchang", headers={"Accept": "text/turtle"})
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/doc/city/nanchang")
    assert "Accept" in r.headers["Vary"]


def test_id_unknown_is_404(client):
    assert client.get("/id/city/atlantis").status_code == 404
    assert client.get("/id/../etc/passwd").status_code == 404


@pytest.mark.parametrize(
    ("accept", "mimetype", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_doc_negotiates_rdf(client, accept, mimetype, fmt):
    r = client.get("/doc/city/nanchang", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.mimetype == mimetype
    assert "Accept" in r.headers["Vary"]
    ext = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/rdf+xml": "rdf",
           "application/n-triples": "nt"}[mimetype]
    assert r.headers["Content-Location"] == f"/doc/city/nanchang.{ext}"
    triples = parse(r.data, fmt) if fmt != ox.RdfFormat.JSON_LD else None
    if triples is not None:
        # RDF keeps the canonical URIs and holds the city's facts
        assert objects(triples, CITY, "http://www.w3.org/2000/01/rdf-schema#label") >= {"Nanchang"}
        assert "https://schema.org/City" in objects(triples, CITY, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.mark.parametrize(
    ("ext", "mimetype"),
    [("html", "text/html"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
     ("rdf", "application/rdf+xml"), ("nt", "application/n-triples")],
)
def test_doc_extension_variants(client, ext, mimetype):
    r = client.get(f"/doc/city/nanchang.{ext}", headers={"Accept": "image/png"})  # the extension wins
    assert r.status_code == 200
    assert r.mimetype == mimetype


def test_doc_html_by_default_and_for_browsers(client):
    assert client.get("/doc/city/nanchang").mimetype == "text/html"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    assert client.get("/doc/city/nanchang", headers={"Accept": browser}).mimetype == "text/html"


def test_doc_406_lists_offers(client):
    r = client.get("/doc/city/nanchang", headers={"Accept": "image/png"})
    assert r.status_code == 406
    body = r.get_data(as_text=True)
    for offer in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"):
        assert offer in body


def test_document_content(client):
    """Own triples, labels of what it links to, incoming links, document metadata."""
    triples = parse(client.get("/doc/city/nanchang.nt").data, ox.RdfFormat.N_TRIPLES)
    province = f"{BASE}/id/province/jiangxi"
    assert province in objects(triples, CITY, "https://schema.org/containedInPlace")
    assert objects(triples, province, "http://www.w3.org/2000/01/rdf-schema#label")  # its label
    incoming = {t.subject.value for t in triples if t.object.value == CITY}
    assert any("/id/observation/nanchang/" in s for s in incoming)  # observations point at it
    doc = f"{BASE}/doc/city/nanchang"
    assert CITY in objects(triples, doc, "http://xmlns.com/foaf/0.1/primaryTopic")


def test_jsonld_uses_published_context(client):
    r = client.get("/doc/city/nanchang.jsonld")
    data = json.loads(r.data)
    assert data["@context"].endswith("/context.jsonld")
    ctx = client.get("/context.jsonld")
    assert ctx.status_code == 200 and ctx.mimetype == "application/ld+json"
    context = ctx.get_json(force=True)["@context"]
    for key in ("label", "containedInPlace", "obsValue", "prefLabel"):
        assert key in context, key
    # the compacted document uses the short keys
    text = r.get_data(as_text=True)
    assert '"containedInPlace"' in text and '"label"' in text
    # and means the same triples as the Turtle variant
    expanded = ox.parse(json.dumps({**data, "@context": context}), format=ox.RdfFormat.JSON_LD)
    turtle = ox.parse(client.get("/doc/city/nanchang.ttl").data, format=ox.RdfFormat.TURTLE)
    assert {q.triple for q in expanded} == {q.triple for q in turtle}


def test_city_page(client):
    r = client.get("/doc/city/nanchang.html")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert re.search(r"<h1>.*Nanchang.*南昌", html, re.S)  # English and Chinese labels
    assert 'lang="zh"' in html
    assert "capital of" in html  # property labels from the ontology
    assert 'id="indicators"' in html
    assert "nearly 30 %" in html and "more than 20 %" in html  # qualifiers in words
    assert "6,255,000" in html
    assert "urban green coverage rate is 43%" in html  # the source sentence
    assert "CC BY-SA 4.0" in html and "Zhangzhugang" in html  # photo credits, licences
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
                       ("nt", "application/n-triples")):
        assert f'<link rel="alternate" type="{media}" href="/doc/city/nanchang.{ext}">' in html
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    embedded = json.loads(m.group(1))
    assert embedded["@context"] == "https://schema.org" and embedded["@type"] == "City"
    assert embedded["name"] == "Nanchang"
    assert "https://sws.geonames.org/1800163/" in embedded.get("sameAs", [])
    assert 'href="https://sws.geonames.org/1800163/"' in html  # external identifiers linked
    assert "POINT(115.85306 28.68396)" in html  # hash-IRI parts (geometry) shown inline
    assert embedded["geo"]["@type"] == "GeoCoordinates"
    assert 'href="/doc/province/jiangxi"' in html  # local links go to local pages


def test_observation_and_other_pages(client):
    html = client.get("/doc/city/nanchang").get_data(as_text=True)
    links = set(re.findall(r'href="(/doc/[^"#?]+)"', html))
    assert any("/doc/observation/" in h for h in links)
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


# -- /def ----------------------------------------------------------------------------------------


def test_ontology_page(client):
    r = client.get("/def/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Classes" in html and "Properties" in html and "Concept schemes" in html
    assert 'href="/def/City"' in html and 'href="/def/indicator"' in html
    assert client.get("/def").status_code == 301


def test_ontology_rdf(client):
    r = client.get("/def/", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert "Accept" in r.headers["Vary"]
    triples = parse(r.data, ox.RdfFormat.TURTLE)
    assert any(t.subject.value == f"{BASE}/def/City" for t in triples)


@pytest.mark.parametrize("path", ["/def/City", "/def/capitalOf", "/def/indicator/population", "/def/qualifier/nearly"])
def test_def_terms_negotiate(client, path):
    assert client.get(path).mimetype == "text/html"
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert "Accept" in r.headers["Vary"]
    assert client.get(path + ".jsonld").mimetype == "application/ld+json"
    assert client.get(path, headers={"Accept": "image/png"}).status_code == 406


def test_scheme_page(client):
    html = client.get("/def/indicator").get_data(as_text=True)
    assert "Concepts" in html
    assert 'href="/def/indicator/population"' in html
    assert "wikidata.org/entity/P1082" in html  # external matches
    industry = client.get("/def/industry").get_data(as_text=True)
    assert "data.europa.eu/ux2/nace2/26" in industry


def test_def_unknown_is_404(client):
    assert client.get("/def/Nothing").status_code == 404


# -- search ---------------------------------------------------------------------------------------


def test_search_json(client):
    r = client.get("/search?q=nanchang&format=json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert data["results"][0]["uri"] == CITY
    assert data["results"][0]["match"] == "exact"


def test_search_chinese(client):
    data = client.get("/search?q=南昌", headers={"Accept": "application/json"}).get_json()
    assert CITY in [h["uri"] for h in data["results"]]


def test_search_html(client):
    r = client.get("/search?q=Tengwang")
    html = r.get_data(as_text=True)
    assert r.mimetype == "text/html" and "Tengwang" in html and 'href="/doc/landmark/' in html


# -- downloads, catalogue, VoID ----------------------------------------------------------------------


def test_download_page_lists_every_dump(client, served_release):
    html = client.get("/download").get_data(as_text=True)
    manifest = json.loads((served_release / "manifest.json").read_text())
    for f in manifest["files"]:
        assert f'href="/download/{f["name"]}"' in html
        assert f["sha256"] in html
        assert f"{f['size']:,}" in html
        assert f["media_type"] in html


def test_dumps_served(client, served_release):
    manifest = json.loads((served_release / "manifest.json").read_text())
    for f in manifest["files"]:
        r = client.get(f"/download/{f['name']}")
        assert r.status_code == 200, f["name"]
        expected = "application/gzip" if f["name"].endswith(".gz") else f["media_type"]
        assert r.mimetype == expected
        assert int(r.headers["Content-Length"]) == f["size"]
        assert r.headers["ETag"].strip('"') == f["sha256"]
        assert r.data == (served_release / f["name"]).read_bytes()
        r.close()
        h = client.head(f"/download/{f['name']}")
        assert h.status_code == 200 and int(h.headers["Content-Length"]) == f["size"] and not h.data


def test_download_unknown(client):
    assert client.get("/download/secret.txt").status_code == 404
    assert client.get("/download/..%2Fmanifest.json").status_code == 404


def test_catalog_negotiated(client):
    r = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    triples = parse(r.data, ox.RdfFormat.TURTLE)
    dcat = "http://www.w3.org/ns/dcat#"
    dists = {t.subject.value for t in triples if t.object.value == f"{dcat}Distribution"}
    dumps = {d for d in dists if objects(triples, d, f"{dcat}downloadURL")}
    assert len(dumps) >= 5
    for d in dumps:
        assert objects(triples, d, f"{dcat}byteSize")  # sizes, from catalog.ttl
    assert any(t.object.value == f"{dcat}DataService" for t in triples)
    html = client.get("/catalog").get_data(as_text=True)
    assert "Distributions" in html and 'href="/download/dataset.ttl"' in html
    assert client.get("/catalog.jsonld").mimetype == "application/ld+json"


def test_void(client):
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    triples = parse(r.data, ox.RdfFormat.TURTLE)
    void = "http://rdfs.org/ns/void#"
    preds = {t.predicate.value for t in triples}
    for p in ("triples", "entities", "classPartition", "propertyPartition", "dataDump", "sparqlEndpoint"):
        assert f"{void}{p}" in preds, p
    assert client.get("/.well-known/void", headers={"Accept": "application/ld+json"}).mimetype == "application/ld+json"
    # linked to the catalogue: the VoID dataset is the catalogue's dcat:Dataset
    datasets = {t.subject.value for t in triples if t.object.value == f"{void}Dataset"
                and objects(triples, t.subject.value, f"{void}dataDump")}
    catalog = parse(client.get("/catalog.ttl").data, ox.RdfFormat.TURTLE)
    assert datasets & objects(catalog, f"{BASE}/catalog", "http://www.w3.org/ns/dcat#dataset")


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [("text/html", "text/html"), ("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
     ("application/json", "application/json"), ("application/n-triples", "application/n-triples"),
     ("application/rdf+xml", "application/rdf+xml"), ("image/png", "text/plain")],
)
def test_404_in_the_format_asked_for(client, accept, mimetype):
    r = client.get("/doc/city/atlantis", headers={"Accept": accept})
    assert r.status_code == 404
    assert r.mimetype == mimetype
    if mimetype == "text/turtle":
        assert list(ox.parse(r.data, format=ox.RdfFormat.TURTLE)) == []  # valid, empty Turtle
    if mimetype == "application/rdf+xml":
        assert list(ox.parse(r.data, format=ox.RdfFormat.RDF_XML)) == []


def test_404_by_extension(client):
    r = client.get("/doc/city/atlantis.ttl")
    assert r.status_code == 404 and r.mimetype == "text/turtle"


def test_def_term_is_its_own_document(client):
    triples = parse(client.get("/def/City.nt").data, ox.RdfFormat.N_TRIPLES)
    types = objects(triples, f"{BASE}/def/City", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert "http://www.w3.org/2002/07/owl#Class" in types
    assert "http://xmlns.com/foaf/0.1/Document" not in types
