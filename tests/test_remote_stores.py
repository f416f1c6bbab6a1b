"""Remote stores, for real: `citykg publish` into Oxigraph server and Virtuoso, `citykg serve --store URL` over them."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from stores import OxigraphServer, Virtuoso  # noqa: E402  (bench/stores.py: the store launchers)

BASE = "https://w3id.org/citykg"
STORES = ["oxigraph", "virtuoso"]


def citykg(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600, **kw)


def credentials(kind: str) -> list[str]:
    return ["--user", "dba", "--password", "dba"] if kind == "virtuoso" else []


@pytest.fixture(scope="module", params=STORES)
def remote(request, tmp_path_factory):
    work = tmp_path_factory.mktemp(f"store-{request.param}")
    server = OxigraphServer(None, work) if request.param == "oxigraph" else Virtuoso(None, work, memory_gb=1)
    server.kind = request.param
    yield server
    server.stop()


def graph_counts(remote) -> dict[str, int]:
    r = requests.post(remote.url, data={"query": f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?g), "{BASE}/graph/")) }} GROUP BY ?g"""},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
    r.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


@pytest.fixture(scope="module")
def published(remote, served_release, tmp_path_factory):
    # First a release with one more graph (an include), then the real one: the extra graph must go.
    extra = tmp_path_factory.mktemp("extra")
    (extra / "links.ttl").write_text(f"<{BASE}/id/city/nanchang> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
                                     "<https://example.org/guide> .\n")
    older = extra / "dist"
    built = citykg("build", "--quiet", "--out", str(older), "--include", str(extra / "links.ttl"))
    assert built.returncode == 0, built.stderr
    first = citykg("publish", "--release", str(older), "--to", remote.url, "--graph-store", remote.store_url,
                   *credentials(remote.kind))
    assert first.returncode == 0, first.stderr
    assert f"{BASE}/graph/include/links" in graph_counts(remote)
    second = citykg("publish", "--release", str(served_release), "--to", remote.url, "--graph-store",
                    remote.store_url, *credentials(remote.kind))
    assert second.returncode == 0, second.stderr
    assert "1 old graph(s) removed" in second.stdout
    return served_release


def expected_counts(release: Path) -> dict[str, int]:
    manifest = json.loads((release / "manifest.json").read_text())
    counts = dict(manifest["graphs"])
    catalog = next(f for f in manifest["files"] if f["name"] == "catalog.ttl")
    counts[f"{BASE}/graph/metadata"] = catalog["triples"]
    return counts


def test_publish_replaces_the_release_graphs(remote, published):
    assert graph_counts(remote) == expected_counts(published)


def test_publish_is_idempotent(remote, published):
    again = citykg("publish", "--release", str(published), "--to", remote.url, "--graph-store", remote.store_url,
                   *credentials(remote.kind))
    assert again.returncode == 0, again.stderr
    assert "0 old graph(s) removed" in again.stdout
    assert graph_counts(remote) == expected_counts(published)


def test_publish_errors_are_clear(remote, published):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    out = citykg("publish", "--release", str(published), "--to", f"http://127.0.0.1:{dead}/query")
    assert out.returncode == 1 and "unreachable" in out.stderr
    if remote.kind == "virtuoso":
        out = citykg("publish", "--release", str(published), "--to", remote.url, "--graph-store", remote.store_url,
                     "--user", "dba", "--password", "wrong")
        assert out.returncode == 1 and "HTTP 401" in out.stderr and "--user/--password" in out.stderr


@pytest.fixture(scope="module")
def fronted(remote, published, tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "citykg.cli", "serve", "--release", str(published), "--port",
                                 str(port), "--workers", "2", "--store", remote.url],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
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
        time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def test_dereferencing_over_the_store(fronted):
    r = requests.get(f"{fronted}/id/city/nanchang", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/doc/city/nanchang")
    r = requests.get(f"{fronted}/id/city/nanchang", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert "Nanchang" in r.text and "南昌市" in r.text


@pytest.mark.parametrize("path", ["/", "/doc/city/nanchang", "/doc/observation/nanchang/population",
                                  "/def/indicator/population", "/def/qualifier", "/def/", "/download", "/catalog",
                                  "/search?q=tengwang"])
def test_pages_over_the_store(fronted, path):
    r = requests.get(fronted + path, headers={"Accept": "text/html"})
    assert r.status_code == 200, path
    assert "<html" in r.text


def test_city_page_shows_indicators_over_the_store(fronted):
    page = requests.get(f"{fronted}/doc/city/nanchang", headers={"Accept": "text/html"}).text
    assert "nearly 30" in page and "more than 20" in page
    hits = requests.get(f"{fronted}/search", params={"q": "nanch", "format": "json"}).json()
    assert any(h["uri"] == f"{BASE}/id/city/nanchang" for h in hits["results"])


def test_sparql_over_the_store(fronted):
    sw = SPARQLWrapper(f"{fronted}/sparql")
    sw.setReturnFormat(JSON)
    sw.setQuery(f"""SELECT ?v WHERE {{ ?o <{BASE}/def/indicator> <{BASE}/def/indicator/population> ;
        <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v }}""")
    rows = sw.queryAndConvert()["results"]["bindings"]
    assert [r["v"]["value"] for r in rows] == ["6255000"]
    sw.setQuery(f"ASK {{ <{BASE}/id/city/nanchang> ?p ?o }}")
    assert sw.queryAndConvert()["boolean"] is True
    sw.setReturnFormat(TURTLE)
    sw.setQuery(f"CONSTRUCT {{ <{BASE}/id/city/nanchang> ?p ?o }} WHERE {{ <{BASE}/id/city/nanchang> ?p ?o }}")
    assert b"Nanchang" in sw.queryAndConvert()
    bad = requests.get(f"{fronted}/sparql", params={"query": "SELEKT nothing"})
    assert bad.status_code == 400
    update = requests.post(f"{fronted}/sparql", data={"update": "CLEAR ALL"})
    assert update.status_code == 403


def test_virtuoso_is_installed():
    # CI installs it (.ci/run): its absence must fail loudly, never skip.
    assert shutil.which("virtuoso-t"), "Debian virtuoso-opensource is not installed"
