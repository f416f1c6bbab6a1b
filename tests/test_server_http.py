"""HTTP behaviour through the test client: validators, 304, gzip, caching, CORS, security headers."""

from __future__ import annotations

import gzip

import pytest

PAGES = ["/", "/doc/city/nanchang", "/def/", "/download", "/search?q=nan", "/catalog"]
DATA = ["/doc/city/nanchang.ttl", "/doc/city/nanchang.jsonld", "/catalog.ttl", "/.well-known/void",
        "/context.jsonld", "/search?q=nan&format=json", "/download/dataset.ttl"]


@pytest.fixture()
def client(store_app):
    """Every test here runs on each store (tests/stores.py)."""
    return store_app.test_client()


@pytest.mark.parametrize("path", PAGES + DATA)
def test_etag_and_304(client, path):
    r = client.get(path)
    assert r.status_code == 200
    etag = r.headers["ETag"]
    assert r.headers["Last-Modified"]
    assert r.headers["Cache-Control"].startswith("public")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


@pytest.mark.parametrize("path", ["/doc/city/nanchang", "/doc/city/nanchang.ttl", "/download/dataset.ttl"])
def test_if_modified_since(client, path):
    r = client.get(path)
    assert client.get(path, headers={"If-Modified-Since": r.headers["Last-Modified"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"}).status_code == 200


def test_negotiated_variants_have_different_etags(client):
    html = client.get("/doc/city/nanchang").headers["ETag"]
    ttl = client.get("/doc/city/nanchang", headers={"Accept": "text/turtle"}).headers["ETag"]
    assert html != ttl


@pytest.mark.parametrize("path", ["/doc/city/nanchang", "/doc/city/nanchang.ttl", "/catalog.ttl"])
def test_gzip_when_asked(client, path):
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers
    r = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"]
    assert gzip.decompress(r.data) == plain.data
    assert int(r.headers["Content-Length"]) == len(r.data)
    # the compressed variant has its own validator, and both revalidate
    assert r.headers["ETag"] != plain.headers["ETag"]
    assert client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["ETag"]}).status_code == 304
    # gzip;q=0 means no
    assert "Content-Encoding" not in client.get(path, headers={"Accept-Encoding": "gzip;q=0"}).headers


@pytest.mark.parametrize("path", DATA)
def test_cors_on_data(client, path):
    r = client.get(path, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_pages(client, path):
    r = client.get(path)
    assert r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_head(client):
    get = client.get("/doc/city/nanchang.ttl")
    head = client.head("/doc/city/nanchang.ttl")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["ETag"] == get.headers["ETag"]


def test_static_assets_cached_long(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.mimetype == "text/css"
    assert "max-age=86400" in r.headers["Cache-Control"]
    r.close()


def test_cors_preflight(client):
    r = client.options("/doc/city/nanchang", headers={"Origin": "https://example.org",
                                                      "Access-Control-Request-Method": "GET"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    assert "Accept" in r.headers["Access-Control-Allow-Headers"]


def test_downloads_cached_and_ranged(client):
    r = client.get("/download/dataset.ttl", headers={"Range": "bytes=0-9"})
    assert r.status_code == 206 and len(r.data) == 10
    r.close()
    full = client.get("/download/dataset.ttl")
    assert "max-age=3600" in full.headers["Cache-Control"]
    full.close()
