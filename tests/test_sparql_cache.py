"""The result cache of /sparql as users see it: a repeated request is answered
from the cache, by the response cache in front of Flask (server/cache.py), with the very
bytes and headers a miss gets (but ``X-SPARQL-Cache: hit``); a new release never sees old
answers; capped answers keep saying so; errors are never cached; each format has its entry."""

from __future__ import annotations

import http.client
import json
import shutil
from urllib.parse import urlencode

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

BASE = "https://w3id.org/citykg"
CITY = f"{BASE}/id/city/nanchang"
CITIES = f"SELECT ?city WHERE {{ ?city a <{BASE}/def/City> }}"
LABELS = f"SELECT ?l WHERE {{ <{CITY}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} ORDER BY ?l"
MAX_ROWS = 50
SETTINGS = {
    "TESTING": True,
    "SPARQL_TIMEOUT": 2.0,
    "SPARQL_MAX_ROWS": MAX_ROWS,
    "SPARQL_MAX_QUERY_BYTES": 16 * 1024,
    "SPARQL_PROCESSES": 2,
}


def make_app(release, **extra):
    from citykg.server.app import create_app

    return create_app(release, config={**SETTINGS, **extra})


@pytest.fixture(scope="module")
def app(served_release):
    app = make_app(served_release)
    yield app
    ep = app.extensions.get("sparql")
    if ep is not None and ep.pool is not None:
        ep.pool.close()


def fast(app):
    return app.extensions["citykg.responses"]


def call(wsgi, method="GET", query=None, params=None, headers=None, form=None, body=None, content_type=None):
    """Runs one request through a WSGI callable: (status line, header list, body bytes)."""
    qs = dict(params or {})
    if query is not None and form is None and body is None:
        qs["query"] = query
    if form is not None:
        body, content_type = urlencode(form).encode(), "application/x-www-form-urlencoded"
    builder = EnvironBuilder(path="/sparql", method=method, query_string=urlencode(qs), headers=headers or {},
                             data=body, content_type=content_type)
    environ = builder.get_environ()
    app_iter, status, hdrs = run_wsgi_app(wsgi, environ)
    data = b"".join(app_iter)
    getattr(app_iter, "close", lambda: None)()
    return status, list(hdrs.to_wsgi_list()), data


def header(response, name):
    found = [v for k, v in response[1] if k.lower() == name.lower()]
    return found[0] if found else None


def without_cache_header(response):
    status, headers, body = response
    return status, [(k, v) for k, v in headers if k != "X-SPARQL-Cache"], body


REQUESTS = {
    "GET json": dict(query=CITIES + " # get json"),
    "GET gzip": dict(query=LABELS + " # gzip", headers={"Accept-Encoding": "gzip"}),
    "GET xml by Accept": dict(query=LABELS + " # xml", headers={"Accept": "application/sparql-results+xml"}),
    "GET csv by format": dict(query=LABELS + " # csv", params={"format": "csv"}),
    "GET turtle": dict(query=f"DESCRIBE <{CITY}> # ttl", headers={"Accept": "text/turtle"}),
    "POST form": dict(method="POST", form={"query": LABELS + " # form"}),
    "POST direct": dict(method="POST", body=(LABELS + " # direct").encode(), content_type="application/sparql-query",
                        params={"format": "tsv"}),
    "POST form jsonld": dict(method="POST", form={"query": f"DESCRIBE <{CITY}> # jsonld"},
                             headers={"Accept": "application/ld+json"}),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_a_hit_is_the_miss_byte_for_byte(app, name):
    """The fast path's answer equals Flask's own answer for a hit, and the miss but for the cache header."""
    kwargs = REQUESTS[name]
    miss = call(app, **kwargs)
    assert miss[0] == "200 OK", miss
    assert header(miss, "X-SPARQL-Cache") == "miss"
    before = fast(app).hits
    hit = call(app, **kwargs)  # served in front of Flask
    assert fast(app).hits == before + 1
    flask_hit = call(fast(app).wsgi_app, **kwargs)  # the same request through Flask (its result cache)
    assert header(flask_hit, "X-SPARQL-Cache") == "hit"
    assert hit == flask_hit
    assert without_cache_header(hit) == without_cache_header(miss)
    for name_ in ("Content-Type", "Vary", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
                  "X-SPARQL-Max-Rows", "Content-Length"):
        assert header(hit, name_) == header(miss, name_) is not None


def test_get_answers_carry_etag_and_304_is_served_too(app):
    q = CITIES + " # etag"
    first = call(app, query=q)
    etag = header(first, "ETag")
    assert etag and header(first, "Cache-Control")
    slow_304 = call(app, query=q, headers={"If-None-Match": etag})
    fast_304 = call(app, query=q, headers={"If-None-Match": etag})
    assert slow_304[0].startswith("304") and slow_304[2] == b""
    assert without_cache_header(fast_304) == without_cache_header(slow_304)
    assert fast_304 == call(fast(app).wsgi_app, query=q, headers={"If-None-Match": etag})
    # gzip has its own tag
    gz = call(app, query=q, headers={"Accept-Encoding": "gzip"})
    assert header(gz, "Content-Encoding") == "gzip" or len(first[2]) <= 512


def test_formats_have_their_own_entries(app):
    q = LABELS + " # formats"
    types = {}
    for fmt in ("json", "xml", "csv", "tsv"):
        miss = call(app, query=q, params={"format": fmt})
        assert header(miss, "X-SPARQL-Cache") == "miss", fmt
        hit = call(app, query=q, params={"format": fmt})
        assert header(hit, "X-SPARQL-Cache") == "hit", fmt
        types[fmt] = header(hit, "Content-Type")
        assert hit[2] == miss[2]
    assert types == {
        "json": "application/sparql-results+json; charset=utf-8",
        "xml": "application/sparql-results+xml; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "tsv": "text/tab-separated-values; charset=utf-8",
    }
    # the same format asked another way shares the result, and answers with that request's own bytes
    by_accept = call(app, query=q, headers={"Accept": "text/csv"})
    assert header(by_accept, "X-SPARQL-Cache") == "hit"
    assert by_accept[2] == call(app, query=q, params={"format": "csv"})[2]


def test_capped_answers_keep_their_header(app):
    q = "SELECT * WHERE { ?s ?p ?o } # capped"
    miss = call(app, query=q)
    hit = call(app, query=q)
    assert header(miss, "X-SPARQL-Cache") == "miss" and header(hit, "X-SPARQL-Cache") == "hit"
    for r in (miss, hit):
        assert header(r, "X-SPARQL-Result-Capped").startswith(f"true; rows={MAX_ROWS}")
        assert len(json.loads(r[2])["results"]["bindings"]) == MAX_ROWS
    assert header(call(app, query=CITIES + " # not capped"), "X-SPARQL-Result-Capped") is None


@pytest.mark.parametrize("query,status", [
    ("SELECT ?x WHERE { ?x ?y }", "400"),
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "403"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "403"),
    ("SELECT * WHERE { ?s ?p ?o } # " + "x" * 17 * 1024, "413"),
])
def test_errors_are_not_cached(app, query, status):
    before = fast(app).hits
    for _ in range(3):
        r = call(app, method="POST", form={"query": query})
        assert r[0].startswith(status), r[0]
        assert header(r, "X-SPARQL-Cache") is None
    assert fast(app).hits == before


def test_timeouts_are_not_cached(served_release):
    app = make_app(served_release, SPARQL_TIMEOUT=0.5)
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        for _ in range(2):
            r = call(app, query=slow)
            assert r[0].startswith("503") and header(r, "X-SPARQL-Cache") is None
        assert fast(app).hits == 0
    finally:
        app.extensions["sparql"].pool.close()


def test_a_new_release_never_sees_old_answers(served_release, tmp_path, app):
    q = CITIES + " # release"
    assert header(call(app, query=q), "X-SPARQL-Cache") == "miss"
    assert header(call(app, query=q), "X-SPARQL-Cache") == "hit"
    # another release (its manifest differs): its own key, its own answers
    copy = tmp_path / "dist"
    shutil.copytree(served_release, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["built"] = "2030-01-01T00:00:00Z"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    other = make_app(copy)
    try:
        assert header(call(other, query=q), "X-SPARQL-Cache") == "miss"
        assert other.extensions["citykg"].release_key != app.extensions["citykg"].release_key
    finally:
        other.extensions["sparql"].pool.close()
    # the same app given a new release key (what a reload does): neither cache answers
    ep = app.extensions["citykg"]
    old, hits = ep.release_key, fast(app).hits
    ep.release_key = "another release"
    try:
        assert header(call(app, query=q), "X-SPARQL-Cache") == "miss"
        assert fast(app).hits == hits
    finally:
        ep.release_key = old


def test_layout_does_not_matter_but_strings_do(app):
    q = f"SELECT ?city WHERE {{ ?city a <{BASE}/def/City> }} # layout"
    assert header(call(app, query=q), "X-SPARQL-Cache") == "miss"
    relaid = f"  SELECT ?city\n  WHERE {{\n\t?city  a <{BASE}/def/City>\n}}   # layout\n"
    r = call(app, query=relaid)
    assert header(r, "X-SPARQL-Cache") == "hit" and r[2] == call(app, query=q)[2]
    # white space inside a string or a comment is the query's own
    s1 = 'SELECT ?x WHERE { BIND("a  b" AS ?x) }'
    s2 = 'SELECT ?x WHERE { BIND("a b" AS ?x) }'
    assert header(call(app, query=s1), "X-SPARQL-Cache") == "miss"
    r2 = call(app, query=s2)
    assert header(r2, "X-SPARQL-Cache") == "miss" and b'"a b"' in r2[2]
    assert header(call(app, query=q.replace("# layout", "#  layout")), "X-SPARQL-Cache") == "miss"


def test_cache_text_is_safe():
    from citykg.server.sparql_lex import cache_text

    assert cache_text("  SELECT  *\n\n WHERE { ?s ?p ?o }  ") == "SELECT * WHERE { ?s ?p ?o }"
    # a comment still ends where it ended
    assert cache_text("SELECT * # c  d\n   WHERE { ?s ?p ?o }") == "SELECT * # c  d\nWHERE { ?s ?p ?o }"
    for kept in ('SELECT * { ?s ?p "a  b" }', "SELECT * { ?s ?p '''a\n   b''' }"):
        assert cache_text(kept) == kept
    # texts where the lexer and the engine might disagree stay as written
    for unchanged in ('SELECT * {  ?s ?p "\\u0022  " }', "SELECT * {  ?s ?p ex:a\\#b }",
                      "SELECT * {\u00a0 ?s ?p ?o }", "SELECT * {  ?s ?p 'open }"):
        assert cache_text(unchanged) == unchanged


def test_a_request_hook_turns_the_fast_path_off_and_a_gate_turns_it_back_on(served_release):
    """A rate limit hooked on the app (before_request) is never bypassed by the fast path."""
    app = make_app(served_release)
    calls = []

    @app.before_request
    def limit():  # what a rate limiter does
        calls.append(1)

    try:
        q = CITIES + " # hooks"
        call(app, query=q)
        hit = call(app, query=q)
        assert header(hit, "X-SPARQL-Cache") == "hit"  # Flask's cache, with the hook run
        assert fast(app).hits == 0 and len(calls) == 2

        from citykg.server import cache

        refused = []

        def gate(environ):
            if environ.get("HTTP_X_CLIENT") == "greedy":
                refused.append(1)
                return "429 Too Many Requests", [("Content-Type", "text/plain"), ("Retry-After", "1")], b"slow down\n"
            return None

        cache.add_gate(app, gate)
        cache.trust(app, limit)
        assert header(call(app, query=q), "X-SPARQL-Cache") == "hit" and fast(app).hits == 1
        r = call(app, query=q, headers={"X-Client": "greedy"})
        assert r[0].startswith("429") and refused == [1]
    finally:
        app.extensions["sparql"].pool.close()


def test_cache_off(served_release):
    app = make_app(served_release, SPARQL_CACHE_BYTES=0)
    try:
        for _ in range(2):
            assert header(call(app, query=CITIES), "X-SPARQL-Cache") == "miss"
        assert fast(app).hits == 0
    finally:
        app.extensions["sparql"].pool.close()


@pytest.mark.parametrize("kind", ["granian", "gunicorn"])
def test_under_the_server_keep_alive_and_hits(kind, live_server, gunicorn_server):
    """`citykg serve` (either HTTP server): one keep-alive connection, a repeated POST is a hit with the
    miss's headers."""
    live_server = live_server if kind == "granian" else gunicorn_server
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=30)
    body = urlencode({"query": LABELS + " # gunicorn"})
    answers = []
    for _ in range(3):
        conn.request("POST", "/sparql", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                            "Accept": "application/sparql-results+json"})
        r = conn.getresponse()
        # header names are case-insensitive (granian sends them in lower case)
        answers.append((r.status, {k.lower(): v for k, v in r.getheaders() if k.lower() != "date"}, r.read()))
    conn.close()
    assert [a[1]["x-sparql-cache"] for a in answers] == ["miss", "hit", "hit"]
    assert all(a[0] == 200 and a[2] == answers[0][2] for a in answers)
    same = [{k: v for k, v in a[1].items() if k != "x-sparql-cache"} for a in answers]
    assert same[0] == same[1] == same[2]
    assert answers[1][1].get("connection", "keep-alive").lower() != "close"
