"""Remote stores, for real: `citykg publish` into Oxigraph server and Virtuoso (tests/stores.py starts
them on loopback once per session), the same answers as the embedded store, and `citykg serve --store URL`
under gunicorn over each.  The route, HTTP and SPARQL endpoint suites run on both stores as well
(tests/test_server_routes.py, tests/test_server_http.py, tests/test_sparql_endpoint.py)."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from citykg.server.sparql_examples import examples
from citykg.server.sparql_lex import analyse
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from stores import REMOTE_KINDS, citykg, remote_app, start_oxigraph

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/citykg"
CITY = f"{BASE}/id/city/nanchang"
XSD = "http://www.w3.org/2001/XMLSchema#"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graph_counts(store) -> dict[str, int]:
    """The release's graphs in the store, asked of the store itself."""
    r = requests.post(store.url, data={"query": f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?g), "{BASE}/graph/")) }} GROUP BY ?g"""},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
    r.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def expected_counts(release: Path) -> dict[str, int]:
    manifest = json.loads((release / "manifest.json").read_text())
    counts = dict(manifest["graphs"])
    catalog = next(f for f in manifest["files"] if f["name"] == "catalog.ttl")
    counts[f"{BASE}/graph/metadata"] = catalog["triples"]  # the metadata graph comes from catalog.ttl
    return counts


# -- citykg publish ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def older_release(tmp_path_factory) -> Path:
    """A release with one more graph (an include) than the real one."""
    work = tmp_path_factory.mktemp("older")
    (work / "links.ttl").write_text(f"<{CITY}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
                                    "<https://example.org/guide> .\n")
    built = citykg("build", "--quiet", "--out", str(work / "dist"), "--include", str(work / "links.ttl"))
    assert built.returncode == 0, built.stderr
    return work / "dist"


def test_publish_replaces_the_previous_release(remote_store, served_release, older_release):
    first = citykg(*remote_store.publish_args(older_release))
    assert first.returncode == 0, first.stderr
    assert graph_counts(remote_store) == expected_counts(older_release)
    assert f"{BASE}/graph/include/links" in graph_counts(remote_store)
    second = citykg(*remote_store.publish_args(served_release))
    assert second.returncode == 0, second.stderr
    assert "1 old graph(s) removed" in second.stdout
    assert graph_counts(remote_store) == expected_counts(served_release)


def test_publish_is_idempotent(remote_store, served_release):
    for _ in range(2):
        again = citykg(*remote_store.publish_args(served_release))
        assert again.returncode == 0, again.stderr
        assert "0 old graph(s) removed" in again.stdout
        assert f"{len(expected_counts(served_release))} graphs" in again.stdout
        assert graph_counts(remote_store) == expected_counts(served_release)


def test_publish_guesses_the_graph_store(remote_store, served_release):
    out = citykg("publish", "--release", str(served_release), "--to", remote_store.url, *remote_store.credentials)
    assert out.returncode == 0, out.stderr
    assert graph_counts(remote_store) == expected_counts(served_release)


def test_publish_errors_are_clear(remote_store, served_release, tmp_path):
    dead = free_port()
    out = citykg("publish", "--release", str(served_release), "--to", f"http://127.0.0.1:{dead}/query")
    assert out.returncode == 1 and "unreachable" in out.stderr and "Traceback" not in out.stderr
    out = citykg("publish", "--release", str(tmp_path), "--to", remote_store.url)
    assert out.returncode == 1 and "not a release folder" in out.stderr
    out = citykg("publish", "--release", str(served_release), "--to", f"http://127.0.0.1:{dead}/somewhere")
    assert out.returncode == 1 and "--graph-store" in out.stderr
    # a Graph Store URL that is not one: the HTTP status and the start of the body
    wrong = remote_store.graph_store.rsplit("/", 1)[0] + "/no-such-endpoint"
    out = citykg("publish", "--release", str(served_release), "--to", remote_store.url, "--graph-store", wrong,
                 *remote_store.credentials)
    status = "HTTP 404" if remote_store.kind == "oxigraph" else "HTTP 501"  # Virtuoso: 501, empty body
    assert out.returncode == 1 and status in out.stderr and "Traceback" not in out.stderr
    if remote_store.kind == "virtuoso":
        out = citykg("publish", "--release", str(served_release), "--to", remote_store.url, "--graph-store",
                     remote_store.graph_store, "--user", "dba", "--password", "wrong")
        assert out.returncode == 1 and "HTTP 401" in out.stderr and "--user/--password" in out.stderr
        out = citykg("publish", "--release", str(served_release), "--to", remote_store.url, "--graph-store",
                     remote_store.graph_store)  # no credentials at all
        assert out.returncode == 1 and "HTTP 401" in out.stderr
    assert graph_counts(remote_store) == expected_counts(served_release)  # nothing changed


# -- the same answers as the embedded store --------------------------------------------------------

DOCUMENTS = [
    "/doc/city/nanchang", "/doc/observation/nanchang/population", "/doc/landmark/tengwang-pavilion",
    "/def/City", "/def/indicator", "/def/indicator/population", "/def/qualifier", "/def/index", "/catalog",
    "/.well-known/void",
]


def normalised(body: bytes) -> Graph:
    """The document as a graph; derived integer types as the embedded store keeps them (docs/server.md)."""
    g = Graph().parse(data=body, format="nt")
    from rdflib import Literal

    for s, p, o in list(g):
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) == XSD + "nonNegativeInteger":
            g.remove((s, p, o))
            g.add((s, p, Literal(str(o), datatype=XSD + "integer")))
    return g


@pytest.fixture(scope="module")
def both(remote_store, served_release, app):
    return app.test_client(), remote_app(served_release, remote_store).test_client()


@pytest.mark.parametrize("path", DOCUMENTS)
def test_documents_same_as_embedded(both, path):
    embedded, remote = both
    ref, got = embedded.get(path + ".nt"), remote.get(path + ".nt")
    assert ref.status_code == got.status_code == 200, path
    assert isomorphic(normalised(ref.data), normalised(got.data)), path


def test_search_same_as_embedded(both):
    embedded, remote = both
    for q in ("nan", "tengwang", "南昌", "population"):
        ref = embedded.get("/search", query_string={"q": q, "format": "json"}).get_json()
        got = remote.get("/search", query_string={"q": q, "format": "json"}).get_json()
        assert got == ref and ref["count"] > 0, q


def sparql_lines(client, query: str) -> list[str]:
    graph = analyse(query).is_graph
    r = client.get("/sparql", query_string={"query": query, "format": "ntriples" if graph else "tsv"})
    assert r.status_code == 200, r.data[:300]
    return sorted(r.data.decode().splitlines())


QUERIES = [
    f"DESCRIBE <{CITY}>",
    f"DESCRIBE ?c WHERE {{ ?c a <{BASE}/def/City> }}",
    f"CONSTRUCT WHERE {{ <{CITY}> ?p ?o }}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
    "ASK { ?s <http://www.openlinksw.com/schemas/virtrdf#qmfName> ?o }",
    "SELECT ?o WHERE { ?s <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?o }",
    "SELECT ?w WHERE { ?s <http://www.opengis.net/ont/geosparql#asWKT> ?w }",
    f"SELECT ?l WHERE {{ <{CITY}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}",
]


def comparable_examples() -> list[str]:
    from citykg.uris import UriPolicy

    # GROUP_CONCAT differs by engine: the order of the parts, and Virtuoso's result is a plain
    # string ("" for an empty group) where Oxigraph keeps a common language tag (docs/server.md)
    return [e.query for e in examples(UriPolicy(BASE)) if "GROUP_CONCAT" not in e.query]


@pytest.mark.parametrize("query", QUERIES + comparable_examples())
def test_sparql_answers_same_as_embedded(both, query):
    embedded, remote = both
    ref = [line for line in sparql_lines(embedded, query) if "_:" not in line]
    assert ref
    assert [line for line in sparql_lines(remote, query) if "_:" not in line] == ref


# -- citykg serve --store URL, under gunicorn ----------------------------------------------------


@pytest.fixture(scope="module")
def fronted(remote_store, served_release, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp(f"serve-{remote_store.kind}") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "citykg.cli", "serve", "--release", str(served_release),
                                 "--port", str(port), "--workers", "2", "--store", remote_store.url],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
                                env={**os.environ, "CITYKG_RATELIMIT_ENABLED": "off"})  # one client, many requests
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(base + "/", timeout=30).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    yield base, log
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def test_serve_reports_the_store(fronted, remote_store):
    _base, log = fronted
    text = log.read_text()
    assert f"store {remote_store.url}: " in text and "3 graph(s) of the release" in text
    if remote_store.kind == "virtuoso":
        assert "Virtuoso" in text and "queries restricted to them" in text  # its system graphs stay out


def test_dereferencing_and_negotiation(fronted):
    base, _log = fronted
    r = requests.get(f"{base}/id/city/nanchang", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/doc/city/nanchang")
    for accept, media, marker in (("text/turtle", "text/turtle", "南昌市"),
                                  ("application/ld+json", "application/ld+json", "南昌市"),
                                  ("application/rdf+xml", "application/rdf+xml", "南昌市"),
                                  ("application/n-triples", "application/n-triples", "南昌市"),
                                  ("text/html", "text/html", "Nanchang")):
        r = requests.get(f"{base}/id/city/nanchang", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(media), accept
        assert marker in r.text and r.headers["Vary"].startswith("Accept"), accept
    assert requests.get(f"{base}/id/city/atlantis", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize("path,marker", [
    ("/", "Nanchang"), ("/doc/city/nanchang", "nearly 30"), ("/doc/observation/nanchang/population", "6255000"),
    ("/def/", "City"), ("/def/City", "City"), ("/def/indicator", "population"),
    ("/def/indicator/population", "Nanchang"), ("/def/qualifier", "nearly"), ("/search?q=tengwang", "Tengwang"),
    ("/download", "dataset.nq"), ("/catalog", "dataset.ttl"), ("/compare?city=nanchang&city=nanchang", "Nanchang"),
])
def test_pages(fronted, path, marker):
    base, _log = fronted
    r = requests.get(base + path, headers={"Accept": "text/html"})
    assert r.status_code in (200, 400), path  # /compare of one city twice answers with its form
    assert "<html" in r.text and marker.replace(",", "") in r.text.replace(",", ""), path


def test_downloads_and_catalogue_come_from_the_release(fronted, served_release):
    base, _log = fronted
    r = requests.get(f"{base}/download/dataset.nq")
    assert r.status_code == 200 and r.content == (served_release / "dataset.nq").read_bytes()
    catalogue = Graph().parse(data=requests.get(f"{base}/catalog.ttl").text, format="turtle")
    assert isomorphic(catalogue, Graph().parse(served_release / "catalog.ttl", format="turtle"))


def test_search_json(fronted):
    base, _log = fronted
    hits = requests.get(f"{base}/search", params={"q": "nanch", "format": "json"}).json()
    assert hits["results"][0]["uri"] == CITY


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_and_ask(fronted, fmt):
    base, _log = fronted
    sw = SPARQLWrapper(f"{base}/sparql")
    sw.setReturnFormat(fmt)
    sw.setQuery(f"""SELECT ?v WHERE {{ ?o <{BASE}/def/indicator> <{BASE}/def/indicator/population> ;
        <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v }}""")
    result = sw.queryAndConvert()
    if fmt == JSON:
        assert [r["v"]["value"] for r in result["results"]["bindings"]] == ["6255000"]
    elif fmt == XML:
        assert "6255000" in result.toxml()
    else:
        assert b"6255000" in result
    sw.setQuery(f"ASK {{ <{CITY}> ?p ?o }}")
    answer = sw.queryAndConvert()
    if fmt == JSON:
        assert answer["boolean"] is True
    elif fmt == XML:
        assert "true" in answer.toxml()
    else:
        assert b"true" in answer.lower()


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML])
def test_sparqlwrapper_graphs(fronted, form, fmt):
    base, _log = fronted
    sw = SPARQLWrapper(f"{base}/sparql")
    sw.setReturnFormat(fmt)
    sw.setQuery(f"CONSTRUCT WHERE {{ <{CITY}> ?p ?o }}" if form == "CONSTRUCT" else f"DESCRIBE <{CITY}>")
    g = sw.queryAndConvert()
    if not isinstance(g, Graph):
        g = Graph().parse(data=g, format="turtle")
    labels = {str(o) for o in g.objects(predicate=__import__("rdflib").RDFS.label)}
    assert {"Nanchang", "南昌市"} <= labels
    # the description of the city only: no incoming triples (Virtuoso adds them unless told)
    assert {str(s) for s in g.subjects() if not str(s).startswith(CITY + "#")} == {CITY}


def test_sparql_errors(fronted):
    base, _log = fronted
    bad = requests.get(f"{base}/sparql", params={"query": "SELEKT nothing"})
    assert bad.status_code == 400 and "SELEKT" in bad.text or "syntax" in bad.text.lower()
    for update in ({"update": "CLEAR ALL"}, {"query": "DROP ALL"}):
        assert requests.post(f"{base}/sparql", data=update).status_code == 403
    assert requests.get(f"{base}/sparql", params={"query": f"ASK {{ <{CITY}> ?p ?o }}"}).json()["boolean"] is True


def test_serve_refuses_a_store_without_the_release(served_release, tmp_path):
    out = citykg("serve", "--release", str(served_release), "--port", str(free_port()), "--store",
                 f"http://127.0.0.1:{free_port()}/query", timeout=60)
    assert out.returncode == 1 and "cannot serve" in out.stderr and "cannot reach" in out.stderr
    empty = start_oxigraph(tmp_path)
    try:
        out = citykg("serve", "--release", str(served_release), "--port", str(free_port()), "--store", empty.url,
                     timeout=60)
    finally:
        empty.stop()
    assert out.returncode == 1 and "holds none of the graphs" in out.stderr and "citykg publish" in out.stderr


# -- store quirks, with a stand-in server (headers a real store sends only under load) -------------


class FakeVirtuoso(http.server.BaseHTTPRequestHandler):
    server_version, sys_version = "Virtuoso/07.20.3229", "(Linux)"
    extra_headers: dict[str, str] = {}

    def do_POST(self) -> None:  # noqa: N802
        from urllib.parse import parse_qs

        length = int(self.headers.get("Content-Length") or 0)
        query = parse_qs(self.rfile.read(length).decode())["query"][0]
        if "GRAPH ?g" in query:
            rows = [{"g": {"type": "uri", "value": f"{BASE}/graph/profile/x"}}]
        else:
            rows = [{"s": {"type": "uri", "value": f"{BASE}/id/thing/{i}"}} for i in range(3)]
        body = json.dumps({"head": {"vars": ["g", "s"]}, "results": {"bindings": rows}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        if "GRAPH ?g" not in query and "FILTER EXISTS" not in query:
            for k, v in self.extra_headers.items():
                self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


@pytest.mark.parametrize("headers,outcome", [
    ({"X-SPARQL-MaxRows": "3"}, "capped"),  # cut at ResultSetMaxRows: said, never silent
    ({"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"}, "timeout"),  # anytime
    ({}, "complete"),
])
def test_virtuoso_partial_answers_are_never_silent(headers, outcome):
    from citykg.server.remote import RemoteStore
    from citykg.server.sparql_exec import QueryTimeoutError

    handler = type("Handler", (FakeVirtuoso,), {"extra_headers": headers})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{server.server_port}/sparql", graph_prefix=f"{BASE}/graph/")
        if outcome == "timeout":
            with pytest.raises(QueryTimeoutError):
                store.execute("SELECT ?s WHERE { ?s ?p ?o }")
        else:
            result = store.execute("SELECT ?s WHERE { ?s ?p ?o }")
            assert result.count == 3 and result.capped is (outcome == "capped")
        assert store.probe().dialect == "virtuoso"
    finally:
        server.shutdown()


def test_every_store_is_installed():
    # CI installs both (.ci/run): their absence must fail loudly, never skip.
    assert shutil.which("virtuoso-t"), "Debian virtuoso-opensource is not installed"
    assert Path(sys.executable).with_name("oxigraph").exists() or shutil.which("oxigraph")
    assert set(REMOTE_KINDS) == {"oxigraph", "virtuoso"}
