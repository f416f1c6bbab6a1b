"""`/sitemap.xml` and `/robots.txt`: every HTML page of the release, split into a sitemap index
past SITEMAP_URLS, `lastmod` from the manifest, valid against the sitemap XSD (xmllint).

The XSD of sitemaps is sitemaps.org's `sitemap.xsd` as npm's `sitemap` package ships it
(node_modules/sitemap/schema/, a dev dependency pinned in package-lock.json, installed by
`make assets`). No package ships the protocol's `siteindex.xsd`, and the tests may not fetch it:
the index is checked against `tests/data/xsd/siteindex.xsd`, written for these tests from the
protocol's description (see its header)."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITEMAP_XSD = ROOT / "node_modules" / "sitemap" / "schema" / "sitemap.xsd"
SITEINDEX_XSD = ROOT / "tests" / "data" / "xsd" / "siteindex.xsd"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def xmllint(body: bytes, schema: Path, tmp_path: Path) -> None:
    if not schema.is_file():
        pytest.fail(f"{schema} is missing: run `make assets` (npm ci installs the sitemap package)")
    exe = shutil.which("xmllint")
    assert exe, "xmllint is missing: .ci/install-test-deps installs libxml2-utils"
    doc = tmp_path / "doc.xml"
    doc.write_bytes(body)
    proc = subprocess.run([exe, "--noout", "--nonet", "--schema", str(schema), str(doc)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]


def locs(body: bytes, element: str = "url") -> list[str]:
    return [e.text or "" for e in ET.fromstring(body).findall(f"sm:{element}/sm:loc", NS)]


@pytest.fixture(scope="module")
def split_client(multicity_release):
    from citykg.server.app import create_app

    return create_app(multicity_release, config={"TESTING": True, "SITEMAP_URLS": 250}).test_client()


def test_sitemap_lists_every_page_and_validates(multicity_client, multicity_release, tmp_path):
    resp = multicity_client.get("/sitemap.xml")
    assert resp.status_code == 200 and resp.mimetype == "application/xml"
    xmllint(resp.data, SITEMAP_XSD, tmp_path)
    urls = locs(resp.data)
    assert len(urls) == len(set(urls)) > 500
    paths = [urlsplit(u).path for u in urls]
    for page in ("/", "/download", "/catalog", "/sparql", "/def/", "/doc/city/nanchang", "/doc/city/krakow",
                 "/doc/province/jiangxi", "/doc/landmark/tengwang-pavilion", "/def/City",
                 "/def/indicator/population", "/def/indicator"):
        assert page in paths, page
    assert not any("#" in u or "/id/" in urlsplit(u).path for u in urls)
    # lastmod: the build time of the release
    import json

    built = json.loads((multicity_release / "manifest.json").read_text())["built"]
    mods = {e.text for e in ET.fromstring(resp.data).findall("sm:url/sm:lastmod", NS)}
    assert mods == {built}


def test_every_listed_url_is_an_html_page(multicity_client):
    urls = locs(multicity_client.get("/sitemap.xml").data)
    bad = []
    for url in urls:
        path = urlsplit(url).path
        resp = multicity_client.get(path, headers={"Accept": "text/html"})
        if resp.status_code != 200 or resp.mimetype != "text/html":
            bad.append((path, resp.status_code, resp.mimetype))
    assert bad == []


def test_past_the_limit_an_index_of_files(split_client, multicity_client, tmp_path):
    everything = locs(multicity_client.get("/sitemap.xml").data)
    index = split_client.get("/sitemap.xml")
    assert index.status_code == 200
    xmllint(index.data, SITEINDEX_XSD, tmp_path)
    files = locs(index.data, "sitemap")
    assert files == [f"http://localhost/sitemap-{n}.xml" for n in range(1, len(files) + 1)]
    assert len(files) == -(-len(everything) // 250)
    seen: list[str] = []
    for url in files:
        part = split_client.get(urlsplit(url).path)
        assert part.status_code == 200
        xmllint(part.data, SITEMAP_XSD, tmp_path)
        chunk = locs(part.data)
        assert 0 < len(chunk) <= 250
        seen += chunk
    assert seen == everything
    assert split_client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    assert split_client.get("/sitemap-0.xml").status_code == 404
    # one file only: no numbered files
    assert multicity_client.get("/sitemap-1.xml").status_code == 404


def test_the_index_schema_rejects_what_it_should(tmp_path):
    """The hand-written index schema is not a rubber stamp."""
    bad = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           b"<sitemap><lastmod>yesterday</lastmod></sitemap></sitemapindex>")
    doc = tmp_path / "bad.xml"
    doc.write_bytes(bad)
    proc = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(SITEINDEX_XSD), str(doc)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0


def test_robots(multicity_client):
    resp = multicity_client.get("/robots.txt")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    text = resp.get_data(as_text=True)
    assert "User-agent: *" in text
    assert re.search(r"^Disallow: /sparql\?$", text, re.M) and re.search(r"^Disallow: /fragments$", text, re.M)
    assert re.search(r"^Sitemap: http://localhost/sitemap\.xml$", text, re.M)
    assert not re.search(r"^Disallow: /doc", text, re.M)


def test_sitemap_under_a_mount_point(multicity_app):
    client = multicity_app.test_client()
    resp = client.get("/sitemap.xml", base_url="http://127.0.0.1:9999/data")
    urls = locs(resp.data)
    assert urls and all(u.startswith("http://127.0.0.1:9999/data/") for u in urls)
    robots = client.get("/robots.txt", base_url="http://127.0.0.1:9999/data").get_data(as_text=True)
    assert "Disallow: /data/sparql?" in robots and "Sitemap: http://127.0.0.1:9999/data/sitemap.xml" in robots
