"""The Nu HTML checker (vnu-jar from npm, run with Java) finds no error on any page type (issue 13:
"the Nu HTML checker stays at 0 errors"): every page of tests/test_pages_browser.py, and the pages of a
ten-city comparison, as a browser receives them from the server under gunicorn."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from series import PAGES as RELEASE_PAGES
from test_pages_browser import PAGES

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def fetch(url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.read().decode("utf-8")
    except urllib.error.HTTPError as e:  # the 404 page is a page too
        return e.read().decode("utf-8")


def nu_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    if not VNU.is_file() or shutil.which("java") is None:
        pytest.fail("the Nu HTML checker needs `make assets` (vnu-jar) and java (.ci/install-test-deps)")
    files = {}
    for i, (path, html) in enumerate(pages.items()):
        f = folder / f"page-{i}.html"
        f.write_text(html, encoding="utf-8")
        files[f.name] = path
    proc = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always",
                           *(str(folder / f"page-{i}.html") for i in range(len(pages)))],
                          capture_output=True, text=True, timeout=300)
    found: dict[str, list[str]] = {}
    for m in json.loads(proc.stderr or proc.stdout)["messages"]:
        if m.get("type") == "error":
            page = files.get(m.get("url", "?").rsplit("/", 1)[-1], m.get("url", "?"))
            found.setdefault(page, []).append(f"{m.get('lastLine', '?')}: {m.get('message', '')}")
    return found


def test_every_page_type_is_valid_html(live_server, tmp_path):
    pages = {path: fetch(live_server.url + path) for path in PAGES}
    assert all("<html" in html for html in pages.values())
    assert nu_errors(pages, tmp_path) == {}


def test_the_pages_of_many_cities_are_valid_html(multicity_server, tmp_path):
    cities = "&".join(f"city={c}" for c in ("lyon", "porto", "krakow", "graz", "tampere", "xi-an", "nanchang"))
    paths = [f"/compare?{cities}", "/doc/city/krakow", "/def/indicator/population", "/search?q=tampere",
             "/doc/observation/lyon/population/2020"]
    pages = {path: fetch(multicity_server.url + path) for path in paths}
    assert nu_errors(pages, tmp_path) == {}


def test_the_pages_of_a_folder_of_releases_are_valid_html(series_server, tmp_path):
    pages = {path: fetch(series_server.url + path) for path in RELEASE_PAGES}
    assert all("<html" in html for html in pages.values())
    assert nu_errors(pages, tmp_path) == {}
