"""Pre-rendered documents (server/docstore.py, written by `citykg build`): answered in front of Flask
with exactly the bytes and headers Flask answers, for every variant and conditional request;
anything the file does not hold goes on to Flask."""

from __future__ import annotations

import shutil

import pytest
from citykg.server import docstore
from citykg.server.app import create_app
from citykg.server.prerender import prerender

BASE = "https://w3id.org/citykg"


@pytest.fixture(scope="module")
def flask_only(served_release):
    return create_app(served_release, config={"TESTING": True, "DOC_CACHE_MB": 0, "DOC_STORE": False})


@pytest.fixture(scope="module")
def fast(served_release):
    return create_app(served_release, config={"TESTING": True, "DOC_CACHE_MB": 0})


def sample_paths(app, n: int = 12) -> list[str]:
    kg = app.extensions["citykg"]
    rows = kg.store.select(f'SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{BASE}/id/") '
                           f'&& !CONTAINS(STR(?s), "#")) }} ORDER BY ?s')
    paths = [r["s"].value[len(BASE) + 4:] for r in rows]
    return sorted({"city/nanchang", *paths[:: max(1, len(paths) // n)]})


def same(a, b) -> None:
    assert a.status_code == b.status_code
    assert a.data == b.data
    assert sorted(a.headers.items()) == sorted(b.headers.items())


def test_build_writes_the_documents(served_release, fast):
    assert (served_release / docstore.FILE).is_file()
    assert "citykg.documents" in fast.extensions


VARIANTS = [("", {"Accept": "text/turtle"}), (".ttl", {}), ("", {"Accept": "text/turtle", "Accept-Encoding": "gzip"}),
            (".ttl", {"Accept-Encoding": "gzip, deflate"}), ("", {"Accept": "text/turtle;q=0.9, text/html;q=0.1"}),
            ("", {"Accept": "text/html"}), (".html", {}), ("", {"Accept": "text/html", "Accept-Encoding": "gzip"}),
            (".html", {"Accept-Encoding": "gzip", "Host": "mirror.example:9000"}),
            ("", {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Host": "mirror.example"})]


@pytest.mark.parametrize(("suffix", "headers"), VARIANTS)
def test_answers_exactly_what_flask_answers(fast, flask_only, suffix, headers):
    a, b = fast.test_client(), flask_only.test_client()
    ds = fast.extensions["citykg.documents"]
    for path in sample_paths(fast):
        url = f"/doc/{path}{suffix}"
        hits = ds.hits
        same(a.get(url, headers=headers), ref := b.get(url, headers=headers))
        assert ds.hits == hits + 1, url
        same(a.head(url, headers=headers), b.head(url, headers=headers))
        for cond in ({"If-None-Match": ref.headers["ETag"]}, {"If-None-Match": f'W/{ref.headers["ETag"]}, "x"'},
                     {"If-None-Match": "*"}, {"If-None-Match": '"other"'},
                     {"If-Modified-Since": ref.headers["Last-Modified"]},
                     {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}, {"If-Modified-Since": "garbage"}):
            same(a.get(url, headers={**headers, **cond}), b.get(url, headers={**headers, **cond}))


@pytest.mark.parametrize(("url", "headers"), [
    ("/doc/city/nanchang?page=2", {"Accept": "text/turtle"}),
    ("/doc/city/nanchang.jsonld", {}),
    ("/doc/city/nanchang", {"Accept": "application/ld+json"}),
    ("/doc/city/nanchang", {"Accept": "image/png"}),
    ("/doc/city/no-such-place", {"Accept": "text/turtle"}),
    ("/doc/city/no-such-place.ttl", {}),
])
def test_goes_on_to_flask_for_the_rest(fast, flask_only, url, headers):
    ds = fast.extensions["citykg.documents"]
    hits = ds.hits
    same(fast.test_client().get(url, headers=headers), flask_only.test_client().get(url, headers=headers))
    assert ds.hits == hits


def test_another_mount_point_goes_to_flask(fast):
    ds = fast.extensions["citykg.documents"]
    hits = ds.hits
    r = fast.test_client().get("/doc/city/nanchang.ttl", environ_overrides={"SCRIPT_NAME": "/mirror"})
    assert ds.hits == hits
    assert r.status_code == 200 and "/mirror/doc/city/nanchang" in r.headers["Link"]


def test_a_page_names_the_host_that_serves_it(fast):
    c = fast.test_client()
    here = c.get("/doc/city/nanchang.html", headers={"Host": "mirror.example:9000"})
    there = c.get("/doc/city/nanchang.html", headers={"Host": "other.example"})
    assert b"http://mirror.example:9000/doc/city/nanchang" in here.data and b"mirror" not in there.data
    assert docstore.MARKER.encode() not in here.data
    assert here.headers["ETag"] != there.headers["ETag"]


def test_another_base_leaves_the_file_unused(served_release):
    other = create_app(served_release, base="https://example.org/kg", config={"TESTING": True})
    assert "citykg.documents" not in other.extensions
    r = other.test_client().get("/doc/city/nanchang.ttl")
    assert r.status_code == 200 and b"https://example.org/kg/id/city/nanchang" in r.data


def test_switched_off_by_the_setting(served_release):
    assert "citykg.documents" not in create_app(served_release, config={"TESTING": True, "DOC_STORE": False}).extensions


def test_prerender_again_is_atomic_and_complete(served_release, tmp_path):
    copy = tmp_path / "dist"
    shutil.copytree(served_release, copy)
    (copy / docstore.FILE).unlink()
    done = prerender(copy, processes=1)
    assert done["documents"] == done["resources"] * len(docstore.KEPT) > 0
    assert [p.name for p in copy.iterdir() if p.name.startswith(".")] == []
    assert docstore.read_meta(copy / docstore.FILE)["base"] == BASE
