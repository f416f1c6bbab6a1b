"""Edge cases on a tiny hand-made release: escaping, paging, search ranking, base mapping, loading."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from citykg.server.app import create_app
from citykg.server.release import Release
from citykg.server.search import fold
from conftest import BASE, MINI_INCOMING, XSS, write_mini_release

CITY = f"{BASE}/id/city/zurich"


def test_every_literal_escaped_in_html(mini_client):
    html = mini_client.get("/doc/city/zurich").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    assert "<b>lived</b>" not in html and "&lt;b&gt;lived&lt;/b&gt;" in html  # indicator source sentences
    # the embedded schema.org JSON cannot close its script element, and still parses to the literal
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "</script" not in m.group(1)
    assert json.loads(m.group(1))["description"] == XSS
    home = mini_client.get("/").get_data(as_text=True)
    assert "mini <release>" not in home and "mini &lt;release&gt;" in home or "Mini dataset" in home
    search = mini_client.get("/search?q=<script>").get_data(as_text=True)
    assert "<script>" not in search.split("</head>")[1]


def test_incoming_links_paged(mini_client):
    def incoming(body: bytes) -> set[str]:
        return {q.subject.value for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                if q.object.value == CITY and q.predicate.value.endswith("refArea")}

    from citykg.server.queries import INCOMING_PAGE

    p1 = mini_client.get("/doc/city/zurich.nt")
    first = incoming(p1.data)
    assert len(first) == INCOMING_PAGE == 100
    assert 'rel="next"' in p1.headers["Link"]
    assert "<https://w3id.org/citykg/doc/city/zurich?page=2>" in p1.get_data(as_text=True)  # hydra:next
    pages = [first]
    last = -(-MINI_INCOMING // INCOMING_PAGE)
    for n in range(2, last + 1):
        resp = mini_client.get(f"/doc/city/zurich.nt?page={n}")
        pages.append(incoming(resp.data))
        assert ('rel="next"' in resp.headers.get("Link", "")) == (n < last)
    assert [len(p) for p in pages] == [INCOMING_PAGE] * (last - 1) + [MINI_INCOMING - INCOMING_PAGE * (last - 1)]
    assert len(set().union(*pages)) == MINI_INCOMING  # no link on two pages
    html = mini_client.get("/doc/city/zurich").get_data(as_text=True)
    assert 'href="/doc/city/zurich?page=2"' in html
    assert mini_client.get("/doc/city/zurich?page=0").status_code == 400
    assert mini_client.get("/doc/city/zurich?page=x").status_code == 400


@pytest.mark.parametrize(
    ("query", "first"),
    [("cafe", "Café"), ("CAFÉ", "Café"), ("umlaut BRUCKE", "Ümlaut Brücke"), ("zurich test", "Zürich Test"),
     ("ZÜRICH", "Zürich Test"), ("苏黎", "苏黎世")],
)
def test_search_case_and_accent_insensitive(mini_client, query, first):
    data = mini_client.get(f"/search?q={query}&format=json").get_json()
    assert data["results"][0]["label"] == first


def test_search_ranking_exact_prefix_substring(mini_client):
    data = mini_client.get("/search?q=cafe&format=json").get_json()
    ranks = [r["match"] for r in data["results"]]
    labels = [r["label"] for r in data["results"]]
    assert ranks == sorted(ranks, key=["exact", "prefix", "substring"].index)
    assert labels[0] == "Café" and ranks[0] == "exact"
    assert set(labels[1:3]) == {"Cafeteria", "cafe society"} and ranks[1:3] == ["prefix", "prefix"]
    assert labels[3] == "Grand Cafe" and ranks[3] == "substring"
    assert mini_client.get("/search?q=&format=json").get_json()["results"] == []


def test_fold():
    assert fold("  Zürich  CAFÉ ") == "zurich cafe"
    assert fold("南昌") == "南昌"


def test_metadata_graph_replaced_by_catalog(mini_app):
    store = mini_app.extensions["citykg"].store
    titles = store.select(
        f"SELECT ?t WHERE {{ GRAPH <{BASE}/graph/metadata> "
        f"{{ <{BASE}/catalog> <http://purl.org/dc/terms/title> ?t }} }}"
    )
    assert [r["t"].value for r in titles] == ["Mini catalogue"]
    assert store.ask("ASK { ?d <http://www.w3.org/ns/dcat#byteSize> ?n }")


def test_base_mapping(mini_release, tmp_path):
    """Canonical base configurable; RDF keeps the canonical URIs, pages link to where they are served."""
    app = create_app(mini_release, base="https://data.example.org/kg", config={"TESTING": True})
    c = app.test_client()
    r = c.get("/id/city/zurich", base_url="http://localhost:5000")
    assert r.status_code == 303 and r.headers["Location"].endswith("/doc/city/zurich")
    ttl = c.get("/doc/city/zurich.ttl").data
    subjects = {q.subject.value for q in ox.parse(ttl, format=ox.RdfFormat.TURTLE)}
    assert "https://data.example.org/kg/id/city/zurich" in subjects
    assert b"w3id.org" not in ttl
    html = c.get("/doc/city/zurich", base_url="http://127.0.0.1:9999").get_data(as_text=True)
    assert 'href="/doc/observation/zurich/population/y0000"' in html
    assert "https://data.example.org/kg/id/city/zurich" in html  # the canonical URI is shown
    # served under a path prefix (behind a proxy), links keep the prefix
    html = c.get("/doc/city/zurich", base_url="http://127.0.0.1:9999/mirror").get_data(as_text=True)
    assert 'href="/mirror/doc/observation/zurich/population/y0000"' in html


def test_release_errors(tmp_path):
    from citykg.server.release import ReleaseError

    with pytest.raises(ReleaseError):
        Release.open(tmp_path)
    folder = write_mini_release(tmp_path / "r")
    assert Release.open(folder).built_base == BASE


def _imports(path: Path, package: str) -> set[str]:
    """Every module `path` imports (at the top or lazily), relative imports resolved in `package`."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.add(f"{parent}.{node.module}" if node.module else parent)
            else:
                names.add(node.module or "")
    return names


@pytest.mark.parametrize(
    ("folder", "package", "forbidden"),
    [
        ("server", "citykg.server", ("citykg.kg", "kg")),
        ("kg", "citykg.kg", ("citykg.server", "server")),
    ],
)
def test_build_and_server_never_import_each_other(folder, package, forbidden):
    """Data flows seeds -> kg -> release -> server: the build and the server share only citykg/ modules."""
    root = Path(__file__).resolve().parents[1] / folder
    offenders = sorted(
        f"{p.relative_to(root.parent)}: {name}"
        for p in root.rglob("*.py")
        for name in _imports(p, package)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )
    assert offenders == []


def test_shared_modules_import_neither_side():
    root = Path(__file__).resolve().parents[1] / "citykg"
    offenders = sorted(
        f"{p.name}: {name}"
        for p in root.glob("*.py") if p.name != "cli.py"  # the CLI loads each side lazily, by design
        for name in _imports(p, "citykg")
        if name.startswith(("citykg.kg", "citykg.server"))
    )
    assert offenders == []


@pytest.mark.parametrize("path", ["/def/indicator", "/catalog", "/search?q=x", "/.well-known/void"])
def test_406_everywhere(mini_client, path):
    r = mini_client.get(path, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "Accept" in r.headers["Vary"]


def test_unknown_extension_is_404(mini_client):
    assert mini_client.get("/doc/city/zurich.xyz").status_code == 404
    assert mini_client.get("/id/city/zurich.ttl").headers["Location"].endswith("/doc/city/zurich.ttl")


def test_serve_refuses_a_missing_release(tmp_path):
    import subprocess

    from conftest import _citykg

    proc = subprocess.run(_citykg("serve", "--release", str(tmp_path / "none"), "--port", "1"),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "manifest.json" in proc.stderr


def test_serve_help_lists_options():
    import subprocess

    from conftest import _citykg

    out = subprocess.run(_citykg("serve", "--help"), capture_output=True, text=True, timeout=60).stdout
    for option in ("--release", "--host", "--port", "--base", "--workers"):
        assert option in out
