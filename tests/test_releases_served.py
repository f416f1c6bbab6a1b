"""`citykg serve --releases DIR` over three real releases (tests/series.py): the latest at the usual URIs,
each kept release under /release/{version}/ (documents in every format, 303s, downloads, SPARQL,
immutable headers), the list of releases, the changes of a release, the series catalogue, the 404s."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import requests
from series import VERSIONS
from served import check_assets, page_refs, raw

BASE = "https://w3id.org/citykg"
POPULATION = f"{BASE}/id/observation/harbourfield/population"
OBS_VALUE = "http://purl.org/linked-data/sdmx/2009/measure#obsValue"
IMMUTABLE = "public, max-age=31536000, immutable"
FIRST, SECOND, THIRD = VERSIONS


def values(turtle: bytes, subject: str, predicate: str) -> set[str]:
    return {t.object.value for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)
            if t.subject.value == subject and t.predicate.value == predicate}


def test_latest_at_the_usual_uris(series_server):
    r = requests.get(series_server.url + "/doc/observation/harbourfield/population.ttl", timeout=30)
    assert r.status_code == 200
    assert values(r.content, POPULATION, OBS_VALUE) == {"22500000"}
    assert r.headers["Cache-Control"] != IMMUTABLE  # the latest changes with the next build
    assert requests.get(series_server.url + "/doc/city/pinecrest", timeout=30).status_code == 404  # removed in 3
    assert requests.get(series_server.url + "/doc/city/lakeview", timeout=30).status_code == 200


def test_each_release_keeps_its_documents(series_server):
    seen = {}
    for version in VERSIONS:
        r = raw(series_server, "GET", f"/release/{version}/doc/observation/harbourfield/population",
                {"Accept": "text/turtle"})
        assert r.status == 200, version
        assert r.getheader("Content-Type").startswith("text/turtle")
        assert r.getheader("Content-Location") == f"/release/{version}/doc/observation/harbourfield/population.ttl"
        assert "Accept" in r.getheader("Vary")
        seen[version] = values(r.body, POPULATION, OBS_VALUE)
        # the RDF names things by their canonical URIs, never by the versioned path
        assert b"/release/" not in r.body
    assert seen == {FIRST: {"21893000"}, SECOND: {"22500000"}, THIRD: {"22500000"}}


def test_versioned_documents_negotiate_every_format(series_server):
    path = f"/release/{FIRST}/doc/city/harbourfield"
    for accept, media, ext in (("application/ld+json", "application/ld+json", "jsonld"),
                               ("application/rdf+xml", "application/rdf+xml", "rdf"),
                               ("application/n-triples", "application/n-triples", "nt"),
                               ("text/html", "text/html", "html")):
        r = raw(series_server, "GET", path, {"Accept": accept})
        assert r.status == 200, accept
        assert r.getheader("Content-Type").startswith(media)
        assert r.getheader("Content-Location") == f"{path}.{ext}"
        explicit = raw(series_server, "GET", f"{path}.{ext}")
        assert explicit.status == 200 and explicit.getheader("Content-Type").startswith(media)
    assert raw(series_server, "GET", path, {"Accept": "image/png"}).status == 406
    links = raw(series_server, "GET", path + ".ttl").getheader("Link")
    assert f'<{path}.jsonld>; rel="alternate"' in links


def test_versioned_page_says_which_release_and_links_canonical(series_server):
    r = requests.get(series_server.url + f"/release/{FIRST}/doc/city/harbourfield", timeout=30)
    assert r.status_code == 200
    banner = re.search(r'<p class="release-banner".*?</p>', r.text, re.S)
    assert banner, "the page does not say which release it shows"
    assert FIRST in banner.group(0) and f"the latest is <a href=\"/release/{THIRD}/\">{THIRD}</a>" in banner.group(0)
    assert 'href="/doc/city/harbourfield" id="release-latest"' in banner.group(0)
    links = page_refs(r.text).links
    resources = [h for h in links if "/doc/observation/harbourfield/" in h]
    assert resources and all(h.startswith("/doc/") for h in resources), resources  # canonical, not /release/…
    assert f"/release/{FIRST}/doc/city/harbourfield.ttl" in links  # its own variants stay in the release
    # the release's own page of the districts, whose fact 2026.3 removed
    assert "/doc/observation/harbourfield/districts" in links
    latest = requests.get(series_server.url + "/doc/city/harbourfield", timeout=30).text
    assert "release-banner" not in latest


def test_versioned_id_303_to_versioned_doc(series_server):
    r = raw(series_server, "GET", f"/release/{SECOND}/id/city/lakeview", {"Accept": "text/turtle"})
    assert r.status == 303
    assert r.getheader("Location").endswith(f"/release/{SECOND}/doc/city/lakeview")
    assert r.getheader("Cache-Control") == IMMUTABLE
    assert raw(series_server, "GET", f"/release/{FIRST}/id/city/lakeview").status == 404  # added in 2


def test_immutable_strong_etag_and_304(series_server):
    for path in (f"/release/{FIRST}/doc/city/harbourfield.ttl", f"/release/{FIRST}/doc/city/harbourfield",
                 f"/release/{FIRST}/download/dataset.nq", f"/release/{SECOND}/changes.csv"):
        r = raw(series_server, "GET", path)
        assert r.status == 200, path
        assert r.getheader("Cache-Control") == IMMUTABLE, path
        tag = r.getheader("ETag")
        assert tag and tag.startswith('"') and not tag.startswith("W/"), (path, tag)
        again = raw(series_server, "GET", path, {"If-None-Match": tag})
        assert again.status == 304, path
        assert again.getheader("Cache-Control") == IMMUTABLE


def test_unknown_version_is_a_useful_404(series_server):
    r = requests.get(series_server.url + "/release/1999.9/doc/city/harbourfield", timeout=30)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "1999.9" in r.text and all(v in r.text for v in VERSIONS)
    assert 'href="/release/"' in r.text
    assert requests.get(series_server.url + "/release/1999.9/doc/city/harbourfield.ttl",
                        timeout=30).status_code == 404
    assert "max-age=31536000" not in r.headers.get("Cache-Control", "")


def test_resource_absent_from_a_release_is_404(series_server):
    assert raw(series_server, "GET", f"/release/{FIRST}/doc/city/lakeview.ttl").status == 404
    assert raw(series_server, "GET", f"/release/{THIRD}/doc/city/pinecrest").status == 404
    assert raw(series_server, "GET", f"/release/{THIRD}/doc/observation/harbourfield/districts.ttl").status == 404
    assert raw(series_server, "GET", f"/release/{SECOND}/doc/city/pinecrest.ttl").status == 200


def test_versioned_downloads_are_that_release(release_series, series_server):
    for version in (FIRST, THIRD):
        manifest = release_series.manifests[version]
        page = requests.get(series_server.url + f"/release/{version}/download", timeout=30)
        assert page.status_code == 200
        prefix = f"/release/{version}/download/"
        listed = {h.split(prefix, 1)[1] for h in page_refs(page.text).links if prefix in h}
        assert {f["name"] for f in manifest["files"]} <= listed
        for entry in manifest["files"]:
            if not entry["name"].startswith("dataset."):
                continue
            r = requests.get(series_server.url + f"/release/{version}/download/{entry['name']}", timeout=30,
                             headers={"Accept-Encoding": "identity"})
            assert r.status_code == 200
            assert hashlib.sha256(r.content).hexdigest() == entry["sha256"], (version, entry["name"])
    first = requests.get(series_server.url + f"/release/{FIRST}/download/dataset.nq", timeout=30).content
    assert first != requests.get(series_server.url + "/download/dataset.nq", timeout=30).content


def sparql(server, path: str, query: str, method: str = "GET") -> list[dict]:
    headers = {"Accept": "application/sparql-results+json"}
    if method == "GET":
        r = requests.get(server.url + path, params={"query": query}, headers=headers, timeout=30)
    else:
        r = requests.post(server.url + path, data=query.encode(), timeout=30,
                          headers={**headers, "Content-Type": "application/sparql-query"})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_versioned_sparql_answers_from_that_release(series_server):
    q = f"SELECT ?v WHERE {{ <{POPULATION}> <{OBS_VALUE}> ?v }}"
    assert [b["v"]["value"] for b in sparql(series_server, f"/release/{FIRST}/sparql", q)] == ["21893000"]
    assert [b["v"]["value"] for b in sparql(series_server, f"/release/{FIRST}/sparql", q, "POST")] == ["21893000"]
    assert [b["v"]["value"] for b in sparql(series_server, "/sparql", q)] == ["22500000"]
    cities = ("SELECT ?c WHERE { ?c a <https://schema.org/City> } ORDER BY ?c")
    names = {v: [b["c"]["value"].rsplit("/", 1)[-1] for b in sparql(series_server, f"/release/{v}/sparql", cities)]
             for v in VERSIONS}
    assert names == {FIRST: ["harbourfield", "pinecrest"], SECOND: ["harbourfield", "lakeview", "pinecrest"],
                     THIRD: ["harbourfield", "lakeview"]}
    editor = requests.get(series_server.url + f"/release/{FIRST}/sparql", headers={"Accept": "text/html"}, timeout=30)
    assert editor.status_code == 200
    assert f'action="/release/{FIRST}/sparql"' in editor.text  # the editor queries that release


def test_release_listing_html_and_json(series_server, release_series):
    page = requests.get(series_server.url + "/release/", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    links = page_refs(page.text).links
    for version in VERSIONS:
        assert f"/release/{version}/" in links
    assert f"/release/{SECOND}/changes" in links and f"/release/{FIRST}/changes" not in links
    data = requests.get(series_server.url + "/release/", headers={"Accept": "application/json"}, timeout=30).json()
    assert data["latest"] == THIRD
    assert [r["version"] for r in data["releases"]] == [THIRD, SECOND, FIRST]
    by = {r["version"]: r for r in data["releases"]}
    assert by[SECOND]["previous_version"] == FIRST and by[FIRST]["previous_version"] is None
    assert by[SECOND]["built"] == release_series.built(SECOND)
    assert by[SECOND]["notes"] == release_series.manifests[SECOND]["version_notes"]
    assert requests.get(by[FIRST]["sparql"], params={"query": "ASK {}"}, timeout=30).status_code == 200
    assert requests.get(series_server.url + "/release", allow_redirects=False, timeout=30).status_code == 301


def test_changes_page_csv_and_rdf(series_server):
    r = requests.get(series_server.url + f"/release/{SECOND}/changes", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Cache-Control"] == IMMUTABLE
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))
    assert f"Changes in release {SECOND}" in text and f"against release {FIRST}" in text
    harbour = re.search(r'<section class="city-changes" id="city-harbourfield">.*?</section>', r.text, re.S).group(0)
    assert "changed" in harbour and "21893000" in harbour and "22500000" in harbour
    lakeview = re.search(r'<section class="city-changes" id="city-lakeview">.*?</section>', r.text, re.S).group(0)
    assert ">added<" in lakeview
    latest = requests.get(series_server.url + "/changes", timeout=30)
    assert latest.status_code == 200
    pinecrest = re.search(r'<section class="city-changes" id="city-pinecrest">.*?</section>', latest.text, re.S)
    assert pinecrest and ">removed<" in pinecrest.group(0)
    assert "districts" in re.search(r'id="city-harbourfield">.*?</section>', latest.text, re.S).group(0)
    # CSV: the release's file
    c = requests.get(series_server.url + f"/release/{SECOND}/changes.csv", timeout=30)
    assert c.status_code == 200 and c.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert any(row["city"] == "harbourfield" and row["old_value"] == "21893000" and row["new_value"] == "22500000"
               for row in rows)
    # RDF, negotiated and by extension
    t = requests.get(series_server.url + f"/release/{SECOND}/changes", headers={"Accept": "text/turtle"}, timeout=30)
    assert t.status_code == 200 and t.headers["Content-Type"].startswith("text/turtle")
    assert t.headers["Content-Location"] == f"/release/{SECOND}/changes.ttl"
    triples = list(ox.parse(t.content, format=ox.RdfFormat.TURTLE))
    assert len(triples) > 10
    assert any("22500000" in t.object.value for t in triples)
    assert requests.get(series_server.url + f"/release/{SECOND}/changes.jsonld", timeout=30).status_code == 200
    # the first release has no changelog
    first = requests.get(series_server.url + f"/release/{FIRST}/changes", timeout=30)
    assert first.status_code == 404 and "first release" in first.text


def test_catalog_is_the_series(series_server):
    r = requests.get(series_server.url + "/catalog", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200
    g = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    dcat = "http://www.w3.org/ns/dcat#"
    series = {t.subject.value for t in g
              if t.predicate.value.endswith("#type") and t.object.value == f"{dcat}DatasetSeries"}
    assert len(series) == 1
    members = {t.subject.value for t in g if t.predicate.value == f"{dcat}inSeries"}
    assert len(members) == 3
    downloads = {t.object.value for t in g if t.predicate.value == f"{dcat}downloadURL"}
    for version in VERSIONS:
        url = f"{BASE}/release/{version}/download/dataset.nq"
        assert url in downloads
        served = requests.get(series_server.url + url[len(BASE):], timeout=30)
        assert served.status_code == 200  # every download URL of the catalogue is served
    for member in members:  # the versioned datasets are dereferenceable (id -> 303 -> doc)
        assert member.startswith(f"{BASE}/id/")
        r = requests.get(series_server.url + member[len(BASE):], headers={"Accept": "text/turtle"}, timeout=30)
        assert r.status_code == 200 and [h.status_code for h in r.history] == [303]
        assert any(t.subject.value == member for t in ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    ask = f"ASK {{ ?s a <{dcat}DatasetSeries> }}"
    r = requests.get(series_server.url + "/sparql", params={"query": ask},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.json()["boolean"] is True  # the series is in the latest's metadata graph


def test_release_and_releases_together_is_a_usage_error(release_series):
    proc = subprocess.run([sys.executable, "-m", "citykg.cli", "serve", "--release", str(release_series.folder / THIRD),
                           "--releases", str(release_series.folder)], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 2
    assert "--release" in proc.stderr and "--releases" in proc.stderr


def test_earlier_releases_are_opened_on_first_request(series_server):
    """The start-up log says how long the latest took; the earlier releases are not opened at start."""
    log = series_server.log.read_text(errors="replace")
    m = re.search(r"3 release\(s\) of .*, latest 2026\.3, ready in ([0-9.]+) s", log)
    assert m, log[-2000:]
    assert "building the on-disk store" not in log.split(m.group(0))[0]  # nothing of 2026.1/2026.2 at start


def test_new_pages_load_their_assets_from_this_server(series_server):
    for path in (f"/release/{FIRST}/doc/city/harbourfield", "/release/", "/changes", f"/release/{SECOND}/changes"):
        _, fetched = check_assets(series_server.url, path)
        assert any(f.endswith("style.css") for f in fetched), path


def test_the_dataset_document_names_its_versions(series_server):
    """The latest's pre-rendered documents were written before the series existed: the dataset's
    document (Turtle and page) is the one that names its versions and its series."""
    dcat = "http://www.w3.org/ns/dcat#"
    dataset = f"{BASE}/id/dataset/citykg"
    r = requests.get(series_server.url + "/doc/dataset/citykg", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200
    assert values(r.content, dataset, f"{dcat}hasCurrentVersion") == {f"{dataset}/release/{THIRD}"}
    assert values(r.content, dataset, f"{dcat}hasVersion") == {f"{dataset}/release/{v}" for v in VERSIONS}
    page = requests.get(series_server.url + "/doc/dataset/citykg", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and f"/release/{THIRD}" in page.text
