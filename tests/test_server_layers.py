"""What the server's layers give users: every page links to this host (hash URIs too), the ontology
answers at its version IRI, settings from config, environment and `citykg serve --set`, one error
format per client, a plain query form when the YASGUI build is absent, and page builders that run
without Flask."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import flask
import pytest
from citykg.server.pages import crosscity, home, resource
from citykg.server.settings import SettingError, Settings, parse_assignment
from citykg.server.urls import UrlMapper

BASE = "https://w3id.org/citykg"
PAGES = ["/", "/catalog", "/doc/city/nanchang", "/def/", "/download", "/sparql", "/def/indicator/population",
         "/compare", "/search?q=nanchang", "/doc/province/jiangxi", "/def/theme"]


def test_url_mapper_keeps_fragments_on_this_host():
    urls = UrlMapper(BASE, "/mirror", "http://localhost:9000/")
    assert urls.path(f"{BASE}/id/city/nanchang") == "/mirror/doc/city/nanchang"
    assert urls.path(f"{BASE}/id/city/nanchang", page=False) == "/mirror/id/city/nanchang"
    assert urls.path(f"{BASE}/.well-known/void#linkset-geonames") == "/mirror/.well-known/void#linkset-geonames"
    assert urls.path(f"{BASE}/sparql#dataset") == "/mirror/sparql#dataset"
    assert urls.path(f"{BASE}/download/dataset.nq#sha256") == "/mirror/download/dataset.nq#sha256"
    assert urls.path(f"{BASE}/id/city/nanchang#geometry") == "/mirror/doc/city/nanchang#geometry"
    assert urls.path(f"{BASE}/def/City") == "/mirror/def/City"
    assert urls.path("https://example.org/x") is None and urls.path(f"{BASE}/graph/ontology") is None
    assert urls.href("https://example.org/x") == "https://example.org/x"
    assert urls.url("/doc/city/nanchang") == "http://localhost:9000/doc/city/nanchang"


def test_page_builders_need_no_flask(app):
    """A page builder is a function of the CityKG, the URL mapper and the request's values: no app
    context, no request, and every link it makes goes through the mapper it is given."""
    kg = app.extensions["citykg"]
    urls = UrlMapper(kg.policy.base, "/mirror", "http://example.test/")
    assert not flask.has_app_context() and not flask.has_request_context()
    ctx = resource.resource_page(kg, urls, f"{BASE}/id/city/nanchang", "/mirror/doc/city/nanchang", 1)
    assert (ctx["title"], ctx["title_zh"]) == ("Nanchang", "南昌市")
    rows = {r["label"]: r for r in ctx["rows"]}
    assert [(v.kind, v.text, v.href) for v in rows["capital of"]["values"]] == [
        ("local", "Jiangxi", "/mirror/doc/province/jiangxi")]
    assert rows["capital of"]["href"] == "/mirror/def/capitalOf"
    assert [v.href for v in rows["has geometry"]["values"]] == ["/mirror/doc/city/nanchang#geometry"]
    assert ctx["alternates"][1]["href"] == "/mirror/doc/city/nanchang.ttl"
    assert '"url": "http://example.test/mirror/doc/city/nanchang"' in ctx["schema_org"]
    assert home.home_page(kg, urls)["cities"][0]["href"] == "/mirror/doc/city/nanchang"
    assert crosscity.compare_href(kg, urls, f"{BASE}/id/city/nanchang") is None  # one city: nothing to compare
    assert crosscity.compare_link(urls, [("city", "a"), ("city", "b")]) == "/mirror/compare?city=a&city=b"


def test_pages_never_link_to_the_canonical_host(client):
    for path in PAGES:
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200, path
        hrefs = re.findall(r'href="([^"]+)"', r.get_data(as_text=True))
        assert hrefs, path
        assert not [h for h in hrefs if h.startswith(BASE)], path


def test_the_ontology_answers_at_its_version_iri(client):
    version = client.get("/def/0.1.0.ttl")
    assert version.status_code == 200 and version.headers["Content-Type"].startswith("text/turtle")
    assert b"owl:Ontology" in version.data and b"versionIRI" in version.data
    assert client.get("/def/0.1.0", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/def/9.9.9.ttl").status_code == 404


def test_settings_come_from_config_environment_and_defaults(monkeypatch):
    assert Settings.load({})["SPARQL_TIMEOUT"] == 10.0
    monkeypatch.setenv("CITYKG_SPARQL_TIMEOUT", "3")
    monkeypatch.setenv("CITYKG_SPARQL_SERVICE_ALLOW", "https://a.example/sparql, https://b.example/sparql")
    s = Settings.load({"CACHE_SECONDS": "60", "CITYKG_DOC_CACHE_MB": 8})
    assert s["SPARQL_TIMEOUT"] == 3.0 and s["CACHE_SECONDS"] == 60 and s["DOC_CACHE_MB"] == 8
    assert s["SPARQL_SERVICE_ALLOW"] == ("https://a.example/sparql", "https://b.example/sparql")
    assert Settings.load({"SPARQL_TIMEOUT": 1.5})["SPARQL_TIMEOUT"] == 1.5  # config wins
    monkeypatch.setenv("CITYKG_SPARQL_MAX_ROWS", "many")
    with pytest.raises(SettingError, match="SPARQL_MAX_ROWS"):
        Settings.load({})


def test_serve_set_checks_names_and_values():
    assert parse_assignment("sparql_timeout=5") == ("SPARQL_TIMEOUT", "5")
    with pytest.raises(SettingError, match="one of"):
        parse_assignment("NO_SUCH=1")
    with pytest.raises(SettingError, match="not a valid value"):
        parse_assignment("CACHE_SECONDS=-3")
    citykg = Path(sys.executable).with_name("citykg")
    listed = subprocess.run([str(citykg), "serve", "--list-settings"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "SPARQL_TIMEOUT" in listed.stdout and "RATELIMIT_STORAGE_URI" in listed.stdout
    bad = subprocess.run([str(citykg), "serve", "--set", "SPARQL_TIMEOUT=soon"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "SPARQL_TIMEOUT" in bad.stderr and "Traceback" not in bad.stderr


def test_settings_reach_the_served_app(served_release):
    from citykg.server.app import create_app

    app = create_app(served_release, config={"TESTING": True, "CACHE_SECONDS": "42"})
    r = app.test_client().get("/doc/city/nanchang.ttl")
    assert r.headers["Cache-Control"] == "public, max-age=42"


@pytest.mark.parametrize(("accept", "media"), [
    ("text/html", "text/html"), ("application/json", "application/json"), ("text/turtle", "text/turtle"),
    ("application/rdf+xml", "application/rdf+xml"), ("image/png", "text/plain"), (None, "text/html"),
])
def test_one_error_format_per_client(client, accept, media):
    r = client.get("/doc/city/atlantis", headers={"Accept": accept} if accept else {})
    assert r.status_code == 404 and r.headers["Content-Type"].startswith(media)
    if media == "text/html":
        html = r.get_data(as_text=True)
        assert 'href="/"' in html and 'href="/search"' in html  # a way on
    if media == "application/json":
        assert r.get_json()["status"] == 404


def test_sparql_errors_are_plain_text_for_programs(client):
    r = client.get("/sparql", query_string={"query": "SELEKT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/plain")
    assert "SPARQL syntax error" in r.get_data(as_text=True) and r.headers["Cache-Control"] == "no-store"
    html = client.get("/sparql", query_string={"query": "SELEKT"}, headers={"Accept": "text/html"})
    assert html.status_code == 400 and html.headers["Content-Type"].startswith("text/html")


def test_plain_query_form_without_the_yasgui_build(served_release, tmp_path):
    from citykg.server.app import create_app

    app = create_app(served_release, config={"TESTING": True})
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static, ignore=shutil.ignore_patterns("vendor"))
    app.static_folder = str(static)
    client = app.test_client()
    r = client.get("/sparql", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="sparql-form"' in html and "yasgui.min.js" not in html
    for src in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        assert client.get(src).status_code == 200, src
    form = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }", "format": ""},
                       headers={"Accept": "text/html,*/*;q=0.8"})
    assert form.status_code == 200 and b"true" in form.data
