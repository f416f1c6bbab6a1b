"""Fuzzing with hypothesis: the SPARQL endpoint, resource paths and search.

Random and mutated queries, protocol parameters, Accept headers, Content-Types and bodies
(invalid UTF-8 included); resource paths with traversal, encoded slashes, very long segments and
unicode; search terms.  Every answer must be below 500 and hold no stack trace.  The app runs
with TESTING (an unhandled exception is raised into the test instead of becoming a 500).

Cases in total: sum of EXAMPLES below (10,500); CITYKG_FUZZ_SCALE=4 multiplies them.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCALE = float(os.environ.get("CITYKG_FUZZ_SCALE", "1"))
EXAMPLES = {
    "sparql_text": 1500,
    "sparql_mutated": 2500,
    "sparql_params": 1000,
    "sparql_http": 1500,
    "paths": 2500,
    "search": 1500,
}
assert sum(EXAMPLES.values()) >= 10_000


def fuzz(name: str):
    return settings(
        max_examples=int(EXAMPLES[name] * SCALE),
        deadline=5000,  # ms per case: a query runs in a worker process; generous for a loaded CI machine
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.filter_too_much],
        database=None,
        print_blob=True,
    )


TRACE = re.compile(rb"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")


def check(resp) -> None:
    assert resp.status_code < 500, (resp.status_code, resp.data[:500])
    body = resp.get_data()
    assert not TRACE.search(body), body[:2000]
    for name, value in resp.headers.items():
        assert "\r" not in value and "\n" not in value, (name, value)


@pytest.fixture(scope="module")
def fuzz_client(served_release):
    from citykg.server.app import create_app

    app = create_app(served_release, config={"TESTING": True, "SPARQL_TIMEOUT": 20, "SPARQL_MAX_ROWS": 200})
    yield app.test_client()
    ep = app.extensions.get("sparql")
    if ep is not None and ep.pool is not None:
        ep.pool.close()


# -- SPARQL ------------------------------------------------------------------------------------

SEEDS = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "ASK { ?s a <https://schema.org/City> }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
    "DESCRIBE <https://w3id.org/citykg/id/city/nanchang>",
    'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { ?s rdfs:label ?l '
    'FILTER(CONTAINS(LCASE(STR(?l)), "nan")) } LIMIT 5',
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?g (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a ?t } } GROUP BY ?g ORDER BY DESC(?n) LIMIT 4",
    'SELECT ?x WHERE { VALUES ?x { 1 "a"@en <urn:x> 2.5e3 } } ORDER BY ?x',
    "SELECT * FROM <https://w3id.org/citykg/graph/ontology> WHERE { ?s ?p ?o } LIMIT 2",
    'SELECT (REGEX("abc", "^a.*") AS ?r) (STRLEN("汉字") AS ?n) (NOW() AS ?t) WHERE {}',
    "SELECT * WHERE { ?s <https://schema.org/containedInPlace>+ ?o } LIMIT 5",
    "SELECT * WHERE { OPTIONAL { ?s ?p ?o } MINUS { ?s a ?t } } LIMIT 1",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <file:///etc/passwd>",
    "# comment only\n",
    'SELECT ?s WHERE { ?s ?p "\\u0041\\n" }',
]
TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?x", "$y", "*", ".", ";",
          ",", "FILTER", "OPTIONAL", "UNION", "GRAPH", "SERVICE", "BIND", "AS", "VALUES", "LIMIT 1", "OFFSET",
          "ORDER BY", "GROUP BY", "HAVING", "PREFIX", "BASE", "<", ">", "<urn:x>", '"', "'", '"""', "'''",
          "\\", "\\u", "\\U0010FFFF", "@en", "^^", "_:b", "[]", "a", "#", "\n", "\x00", "\ufeff", "𝔘", "+", "|",
          "/", "^", "!", "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "WITH", "USING", "FROM", "NAMED",
          "1e999999", "-0", "9" * 40, "COUNT(*)", "SUM(?x)", "GROUP_CONCAT(?x; SEPARATOR='|')", "REGEX(?x, '(a+)+$')"]

sparql_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("{}()<>?$\"'\\#.;,*+|/^!@_:aeiouSELCTWHR 0123456789\n\t"), max_size=200),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
)


NO_SURROGATES = st.characters(exclude_categories=["Cs"])


@st.composite
def mutated_query(draw) -> str:
    q = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "token", "duplicate", "truncate"]))
        pos = draw(st.integers(0, len(q)))
        # no lone surrogates: no client can send one as UTF-8 (invalid bytes are fuzzed in test_raw_path_bytes),
        # and the test client itself cannot encode it (UnicodeEncodeError before any request)
        if op == "insert":
            q = q[:pos] + draw(st.text(alphabet=NO_SURROGATES, min_size=1, max_size=4)) + q[pos:]
        elif op == "delete":
            q = q[:pos] + q[pos + draw(st.integers(1, 8)):]
        elif op == "replace":
            q = q[:pos] + draw(NO_SURROGATES) + q[pos + 1:]
        elif op == "token":
            q = q[:pos] + " " + draw(st.sampled_from(TOKENS)) + " " + q[pos:]
        elif op == "duplicate":
            q = q[:pos] + q[pos:pos + 30] + q[pos:]
        else:
            q = q[:pos]
    return q


FORMATS = ["json", "xml", "csv", "tsv", "turtle", "ttl", "jsonld", "json-ld", "nt", "ntriples", "rdfxml", "rdf",
           "srj", "srx", "html", "text/csv", "application/sparql-results+json", "", " ", "JSON", "xml;q=0",
           "bogus", "\u00e9", "application/ld+json;charset=utf-8"]
ACCEPTS = ["*/*", "text/html", "application/json", "application/sparql-results+json", "application/sparql-results+xml",
           "text/csv", "text/tab-separated-values", "text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml", "image/png", "text/*", "application/*;q=0.5", "*/*;q=0", "text/html;q=0.9, */*;q=0.1",
           ";;;", ",,,", "q=1", "text/turtle;q=abc", "text/turtle;q=-1", "text/turtle;q=2", "a/b/c", "*/json",
           "application/json;q=1;q=0", "\u00e9/\u00e9", ""]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
                 "application/x-www-form-urlencoded; charset=latin-1", "application/sparql-query; charset=UTF-8",
                 "application/sparql-query; charset=utf-16", "text/plain", "multipart/form-data",
                 "multipart/form-data; boundary=x", "application/json", "", ";", "application/sparql-query;;",
                 "application/x-www-form-urlencoded; charset", "\u00e9"]


def header_text():
    # header values the test client can send: latin-1, no line breaks
    return st.one_of(st.sampled_from(ACCEPTS), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255),
                                                         max_size=80))


@fuzz("sparql_text")
@given(query=sparql_text, method=st.sampled_from(["GET", "POST-form", "POST-direct"]))
def test_sparql_random_text(fuzz_client, query, method):
    if method == "GET":
        resp = fuzz_client.get("/sparql", query_string={"query": query})
    elif method == "POST-form":
        resp = fuzz_client.post("/sparql", data={"query": query})
    else:
        resp = fuzz_client.post("/sparql", data=query.encode("utf-8", "surrogatepass"),
                                content_type="application/sparql-query")
    check(resp)


@fuzz("sparql_mutated")
@given(query=mutated_query(), fmt=st.none() | st.sampled_from(FORMATS))
def test_sparql_mutated_queries(fuzz_client, query, fmt):
    params = {"query": query}
    if fmt is not None:
        params["format"] = fmt
    check(fuzz_client.get("/sparql", query_string=params))


PARAM_NAMES = ["query", "update", "format", "output", "default-graph-uri", "named-graph-uri", "timeout", "q",
               "callback", "", "query[]", "QUERY", "\u00e9"]


@fuzz("sparql_params")
@given(
    pairs=st.lists(st.tuples(st.sampled_from(PARAM_NAMES),
                             st.one_of(st.sampled_from(SEEDS + FORMATS), st.text(max_size=60))), max_size=6),
    raw_tail=st.sampled_from(["", "&query", "&=", "&&&", "&query=%", "&query=%zz", "&query=%ff%fe", "&format=%c3%28",
                              "&default-graph-uri=%00", "&query=SELECT%20*%20WHERE%20%7B%7D%00"]),
    post=st.booleans(),
)
def test_sparql_parameters(fuzz_client, pairs, raw_tail, post):
    from urllib.parse import urlencode

    qs = urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs]) + raw_tail
    if post:
        resp = fuzz_client.post("/sparql", data=qs.encode("latin-1", "replace"),
                                content_type="application/x-www-form-urlencoded")
    else:
        resp = fuzz_client.get("/sparql?" + qs)
    check(resp)


@fuzz("sparql_http")
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]),
    content_type=st.one_of(st.sampled_from(CONTENT_TYPES), header_text()),
    accept=header_text(),
    body=st.one_of(st.binary(max_size=300), st.sampled_from([
        b"query=SELECT%20*%20WHERE%20%7B%7D", b"SELECT * WHERE {}", b"\xff\xfe\x00S\x00E", b"query=%ff",
        b"query=\xc3\x28", b"\xef\xbb\xbfSELECT * WHERE {}", b"query=ASK%7B%7D&query=ASK%7B%7D", b"update=CLEAR%20ALL",
        "SELECT ?x WHERE { BIND(\"\u6c49\" AS ?x) }".encode(), b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80",
    ])),
    accept_encoding=st.sampled_from([None, "gzip", "gzip;q=0", "*", "br, deflate", "identity;q=0, *;q=0"]),
)
def test_sparql_methods_headers_and_bodies(fuzz_client, method, content_type, accept, body, accept_encoding):
    headers = {"Accept": accept}
    if accept_encoding is not None:
        headers["Accept-Encoding"] = accept_encoding
    resp = fuzz_client.open("/sparql", method=method, data=body, headers=headers, content_type=content_type or None)
    check(resp)


# -- resource paths -----------------------------------------------------------------------------

PREFIXES = ["/id/", "/doc/", "/def/", "/download/", "/static/", "/doc/city/", "/id/city/", "/def/indicator/",
            "/def/theme/", "/catalog", "/.well-known/void", "/compare", "/", "/search", "/sparql", "//", "/doc//"]
SEGMENTS = ["..", ".", "%2e%2e", "%2E%2E%2F", "..%2f", "%2f", "%5c", "..\\", "%00", "%", "%zz", "%c0%ae", "%ff",
            "nanchang", "city", "manifest.json", "dataset.nq", "etc/passwd", "~", "%252e%252e", "\u00e9", "汉字",
            "\U0001f600", "\u202e", "a" * 300, "x" * 5000, ".ttl", ".html", ".jsonld", ".rdf", ".nt", ".csv", "?page=",
            "?page=-1", "?page=99999999999999999999", "?page=abc", ";jsessionid=1", "#frag", "index.ttl", " ", "%20",
            "\t", "%0d%0aSet-Cookie:%20x=1", "%E2%80%A8"]


@st.composite
def resource_path(draw) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(SEGMENTS), st.text(min_size=1, max_size=20)), max_size=8))
    sep = draw(st.sampled_from(["/", "/", "//", "%2f", "\\"]))
    return draw(st.sampled_from(PREFIXES)) + sep.join(parts)


@fuzz("paths")
@given(path=resource_path(), accept=st.sampled_from(ACCEPTS), raw=st.booleans())
def test_resource_paths(fuzz_client, path, accept, raw):
    if raw:
        # as the bytes a client could put on the request line, percent-encoded where HTTP needs it
        target = quote(path, safe="/%?=&;#.~")
        target, _, query = target.partition("?")
        environ = {"PATH_INFO": target, "QUERY_STRING": query, "REQUEST_URI": target}
        resp = fuzz_client.get("/", environ_overrides=environ, headers={"Accept": accept})
    elif re.sub(r"[\t\n\r]", "", path).startswith("//"):
        # the test client would read "//x" as a host name (urlsplit drops tabs and newlines first):
        # hand the path over as a server would
        target, _, query = path.partition("?")
        wsgi = target.encode("utf-8", "surrogatepass").decode("latin-1")  # WSGI strings are latin-1
        resp = fuzz_client.get("/", environ_overrides={"PATH_INFO": wsgi, "QUERY_STRING": quote(query, safe="=&%")},
                               headers={"Accept": accept})
    else:
        resp = fuzz_client.get(path, headers={"Accept": accept})
    check(resp)
    if resp.status_code == 200 and ("../" in path or "%2e%2e" in path.lower()):
        # traversal never reaches a file outside the release's listed files
        assert b"root:" not in resp.get_data()


@fuzz("paths")
@given(raw=st.binary(min_size=1, max_size=200))
def test_raw_path_bytes(fuzz_client, raw):
    # WSGI hands the server's undecoded path bytes over as latin-1: invalid UTF-8 included
    resp = fuzz_client.get("/", environ_overrides={"PATH_INFO": "/doc/" + raw.decode("latin-1")})
    check(resp)


# -- search ---------------------------------------------------------------------------------------


@fuzz("search")
@given(
    q=st.one_of(st.text(max_size=250), st.sampled_from(["nanchang", "NANCHANG", "nán", "南昌", "%", "_", "*", ".*",
                                                         "(", "\\", "'", '"', "<script>", "a" * 10_000, "\x00"])),
    fmt=st.sampled_from([None, "json", "html", "xml", ""]),
    accept=st.sampled_from(ACCEPTS),
    extra=st.sampled_from(["", "&q=second", "&q", "&format=json&format=html", "&q=%ff", "&page=-1"]),
)
def test_search(fuzz_client, q, fmt, accept, extra):
    from urllib.parse import urlencode

    params = {"q": q.encode("utf-8", "surrogatepass")}
    if fmt is not None:
        params["format"] = fmt
    resp = fuzz_client.get("/search?" + urlencode(params) + extra, headers={"Accept": accept})
    check(resp)
    if resp.status_code == 200 and resp.mimetype == "text/html":
        assert b"<script>" not in resp.get_data()
