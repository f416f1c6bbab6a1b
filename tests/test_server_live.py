"""A real server (`citykg serve`, granian by default, gunicorn on request) on a random loopback port: 303,
negotiation, HEAD, gzip, 304."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from served import raw

CITY = "https://w3id.org/citykg/id/city/nanchang"


def test_served_by_granian_by_default(live_server):
    r = requests.get(live_server.url + "/", timeout=10)
    assert r.status_code == 200
    assert "granian" in r.headers.get("Server", "").lower()


def test_gunicorn_on_request_serves_the_same_documents(live_server, gunicorn_server):
    r = requests.get(gunicorn_server.url + "/", timeout=10)
    assert r.status_code == 200
    assert "gunicorn" in r.headers.get("Server", "").lower()
    for path, accept in (("/doc/city/nanchang", "text/turtle"), ("/doc/city/nanchang", "text/html"),
                         ("/doc/city/nanchang.jsonld", "*/*")):
        a = requests.get(live_server.url + path, headers={"Accept": accept}, timeout=10)
        b = requests.get(gunicorn_server.url + path, headers={"Accept": accept}, timeout=10)
        assert a.status_code == b.status_code == 200
        assert a.headers["Content-Type"] == b.headers["Content-Type"]
        if accept != "text/html":  # a page names the host serving it, and its ETag with it
            assert a.headers["ETag"] == b.headers["ETag"]
        assert a.content.replace(live_server.url.encode(), b"") == b.content.replace(gunicorn_server.url.encode(), b"")


def test_303_then_turtle(live_server):
    """The acceptance check: curl -iL -H 'Accept: text/turtle' …/id/city/nanchang."""
    first = raw(live_server, "GET", "/id/city/nanchang", {"Accept": "text/turtle"})
    assert first.status == 303
    location = first.getheader("Location")
    assert urlsplit(location).path == "/doc/city/nanchang"
    r = requests.get(live_server.url + "/id/city/nanchang", headers={"Accept": "text/turtle"}, timeout=10)
    assert r.status_code == 200
    assert [h.status_code for h in r.history] == [303]
    assert r.headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    facts = {t.predicate.value for t in triples if t.subject.value == CITY}
    assert "https://schema.org/containedInPlace" in facts
    assert len(facts) > 8


def test_negotiation_over_http(live_server):
    for accept, media in (
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
        ("text/html", "text/html"),
        ("*/*", "text/html"),
    ):
        r = raw(live_server, "GET", "/doc/city/nanchang", {"Accept": accept})
        assert r.status == 200
        assert r.getheader("Content-Type").startswith(media)
        assert "Accept" in r.getheader("Vary")
    assert raw(live_server, "GET", "/doc/city/nanchang", {"Accept": "image/png"}).status == 406


def test_head_over_http(live_server):
    get = raw(live_server, "GET", "/doc/city/nanchang.ttl")
    head = raw(live_server, "HEAD", "/doc/city/nanchang.ttl")
    assert head.status == 200 and head.body == b""
    assert head.getheader("Content-Length") == get.getheader("Content-Length") == str(len(get.body))
    dump = raw(live_server, "HEAD", "/download/dataset.nq")
    assert dump.status == 200 and dump.body == b"" and int(dump.getheader("Content-Length")) > 0
    assert dump.getheader("ETag")


def test_gzip_over_http(live_server):
    plain = raw(live_server, "GET", "/doc/city/nanchang.ttl")
    packed = raw(live_server, "GET", "/doc/city/nanchang.ttl", {"Accept-Encoding": "gzip"})
    assert packed.getheader("Content-Encoding") == "gzip"
    assert int(packed.getheader("Content-Length")) == len(packed.body) < len(plain.body)
    assert gzip.decompress(packed.body) == plain.body


def test_304_over_http(live_server):
    for path in ("/doc/city/nanchang", "/doc/city/nanchang.jsonld", "/download/dataset.ttl", "/catalog"):
        first = raw(live_server, "GET", path)
        etag = first.getheader("ETag")
        assert etag
        again = raw(live_server, "GET", path, {"If-None-Match": etag})
        assert again.status == 304, path
        assert again.body == b""
        since = raw(live_server, "GET", path, {"If-Modified-Since": first.getheader("Last-Modified")})
        assert since.status == 304, path


def test_workers_share_the_preloaded_store(live_server):
    """Several requests in a row all answer from the store loaded before the fork."""
    for _ in range(6):
        assert raw(live_server, "GET", "/search?q=nanchang&format=json").status == 200


def test_jsonld_context_resolves_over_http(live_server):
    """A JSON-LD processor fetches the published context from the server and gets the Turtle's triples."""
    from pyld import jsonld

    doc = requests.get(live_server.url + "/doc/city/nanchang.jsonld", timeout=10).json()
    # the canonical context URI, not the serving host: a saved copy keeps working
    assert doc["@context"] == "https://w3id.org/citykg/context.jsonld"

    def loader(url, options=None):  # the canonical base, served here (as a w3id.org redirect would)
        served = url.replace("https://w3id.org/citykg", live_server.url)
        return {"contextUrl": None, "documentUrl": url, "document": requests.get(served, timeout=10).json()}

    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    from_jsonld = {q.triple for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}
    turtle = requests.get(live_server.url + "/doc/city/nanchang.ttl", timeout=10).content
    assert from_jsonld == {q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}
