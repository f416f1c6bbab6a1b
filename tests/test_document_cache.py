"""Finished responses are cached per worker (server/cache.py): a hit answers exactly what a miss
answered, compressed once; unknown resources and errors are never kept. (Documents the release
holds pre-rendered are answered before this cache: tests/test_docstore.py.)"""

from __future__ import annotations

import pytest
from citykg.server.cache import LRU


@pytest.fixture(scope="module")
def app(served_release):
    """The real release without its pre-rendered documents (tests/test_docstore.py): every
    document goes through Flask and the response cache."""
    from citykg.server.app import create_app

    return create_app(served_release, config={"TESTING": True, "DOC_STORE": False})


@pytest.fixture()
def client(app):
    return app.test_client()


def pool(app):
    rc = app.extensions["citykg.responses"]
    rc.clear()
    return rc.pools["documents"]


def test_hit_is_identical_to_miss(client, app):
    documents = pool(app)
    hits = app.extensions["citykg.responses"].hits
    first = client.get("/doc/city/nanchang.ttl", headers={"Accept-Encoding": "gzip"})
    assert len(documents) == 1
    second = client.get("/doc/city/nanchang.ttl", headers={"Accept-Encoding": "gzip"})
    assert app.extensions["citykg.responses"].hits == hits + 1
    assert first.status_code == second.status_code == 200
    assert second.headers["Content-Encoding"] == "gzip"
    assert first.data == second.data
    assert dict(first.headers) == dict(second.headers)
    etag = second.headers["ETag"]
    assert client.get("/doc/city/nanchang.ttl", headers={"If-None-Match": etag}).status_code == 304


def test_cache_keys_on_format_host_and_page(client, app):
    documents = pool(app)
    html = client.get("/doc/city/nanchang", headers={"Accept": "text/html"})
    ttl = client.get("/doc/city/nanchang", headers={"Accept": "text/turtle"})
    assert html.data != ttl.data and html.headers["Content-Type"] != ttl.headers["Content-Type"]
    mirror = client.get("/doc/city/nanchang", headers={"Accept": "text/html", "Host": "mirror.example:9000"})
    assert len(documents) == 3
    assert b"mirror.example:9000" in mirror.data and b"mirror.example:9000" not in html.data


def test_unknown_resource_is_never_cached(client, app):
    documents = pool(app)
    assert client.get("/doc/city/atlantis.ttl").status_code == 404
    assert client.get("/doc/city/atlantis.ttl").status_code == 404
    assert len(documents) == 0


def test_budget_evicts_least_recently_used():
    cache: LRU[bytes] = LRU(budget=100)
    for i in range(20):
        cache.put((i,), b"x" * 10, 10)
    assert cache.size <= 100 and (0,) not in cache and (19,) in cache
    assert not cache.put(("big",), b"x" * 101, 101)
