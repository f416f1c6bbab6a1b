"""Rendered documents are cached per worker: a hit answers exactly what a miss answered."""

from __future__ import annotations


def test_hit_is_identical_to_miss(client, app):
    cache = app.extensions["citykg"].cache
    cache.pop("documents", None)
    first = client.get("/doc/city/nanchang.ttl")
    assert len(cache["documents"].items) == 1
    second = client.get("/doc/city/nanchang.ttl")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert dict(first.headers) == dict(second.headers)
    etag = second.headers["ETag"]
    assert client.get("/doc/city/nanchang.ttl", headers={"If-None-Match": etag}).status_code == 304


def test_cache_keys_on_format_host_and_page(client, app):
    app.extensions["citykg"].cache.pop("documents", None)
    html = client.get("/doc/city/nanchang", headers={"Accept": "text/html"})
    ttl = client.get("/doc/city/nanchang", headers={"Accept": "text/turtle"})
    assert html.data != ttl.data and html.headers["Content-Type"] != ttl.headers["Content-Type"]
    client.get("/doc/city/nanchang", headers={"Accept": "text/html", "Host": "mirror.example:9000"})
    assert len(app.extensions["citykg"].cache["documents"].items) == 3


def test_unknown_resource_is_never_cached(client, app):
    app.extensions["citykg"].cache.pop("documents", None)
    assert client.get("/doc/city/atlantis.ttl").status_code == 404
    assert client.get("/doc/city/atlantis.ttl").status_code == 404
    assert len(app.extensions["citykg"].cache.get("documents").items) == 0


def test_budget_evicts_least_recently_used():
    from citykg.server.views import DocumentCache

    cache = DocumentCache(budget=100)
    for i in range(20):
        cache.put((i,), (b"x" * 10, [], 200))
    assert cache.size <= 100 and (0,) not in cache.items and (19,) in cache.items
