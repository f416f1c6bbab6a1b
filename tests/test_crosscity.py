"""Cross-city views: an indicator across cities (table, SVG chart, CSV), a theme's cities, comparing cities."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.app import create_app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "profiles"
BASE = "https://w3id.org/citykg"
FOREST = "/def/indicator/forest-coverage-rate"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    seeds = tmp_path_factory.mktemp("seeds")
    (seeds / "profiles").mkdir()
    (seeds / "indicators").mkdir()
    for txt in DATA.glob("*.txt"):
        shutil.copy(txt, seeds / "profiles" / txt.name)
    for name in ("nanchang.txt", "nanchang.yaml"):
        shutil.copy(ROOT / "seeds" / "profiles" / name, seeds / "profiles" / name)
    (seeds / "indicators" / "forests.csv").write_text(
        "city,indicator,period,value,unit,qualifier,source\n"
        "Pinecrest,forest-coverage-rate,2020,61,%,about,Forest Province Bulletin 2021\n"
        "Pinecrest,forest-coverage-rate,2022,63.5,%,more than,Forest Province Bulletin 2023\n", encoding="utf-8")
    (seeds / "indicators" / "forests.csv-metadata.json").write_text(json.dumps({
        "@context": "http://www.w3.org/ns/csvw", "url": "forests.csv",
        "tableSchema": {"columns": [{"name": n, "titles": n} for n in
                                    ["city", "indicator", "period", "value", "unit", "qualifier", "source"]]}}))
    out = seeds.parent / "dist"
    result = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--quiet", "--seeds", str(seeds), "--out",
                             str(out)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def client(catalogue):
    return create_app(catalogue, config={"TESTING": True}).test_client()


def html(client, path: str):
    return client.get(path, headers={"Accept": "text/html"})


def test_indicator_page_lists_every_city_with_qualifiers(client):
    r = html(client, FOREST)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.get_data(as_text=True)
    for city in ("Lakeview", "Stonebridge", "Pinecrest"):
        assert city in page
    assert "approximately 31.2 %" in page  # Lakeview: "about 31.2%"
    assert "approximately 40 %" in page  # Stonebridge: "around 40%"
    assert "more than 63.5 %" in page and "2022" in page and "2020" in page  # the table's two periods
    assert "forest coverage rate is about 31.2%" in page  # the source sentence


def test_indicator_chart_has_one_bar_per_city(client):
    page = html(client, FOREST).get_data(as_text=True)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert svg.count("<rect") == 3  # Lakeview, Stonebridge, Pinecrest (its latest period)
    assert "<title" in svg and "Pinecrest (2022): more than 63.5 %" in svg


def test_indicator_csv(client):
    r = client.get(FOREST + ".csv")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [r_["city"] for r_ in rows] == ["Lakeview", "Pinecrest", "Pinecrest", "Stonebridge"]
    pine = [r_ for r_ in rows if r_["city"] == "Pinecrest"]
    assert [(p["period"], p["value"], p["qualifier"]) for p in pine] == [("2020", "61", "approximately"),
                                                                           ("2022", "63.5", "more-than")]
    assert all(r_["unit"] == "PERCENT" and r_["observation_uri"].startswith(f"{BASE}/id/observation/")
               for r_ in rows)
    assert client.get("/def/indicator/happiness.csv").status_code == 404


def test_indicator_rdf_is_unchanged(client):
    r = client.get(FOREST, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "skos:Concept" in r.get_data(as_text=True)


def test_theme_page_lists_its_cities(client):
    page = html(client, "/def/theme/nature-based-solutions-for-circular-cities-and-regions").get_data(as_text=True)
    assert "Nanchang" in page and "Cities seeking cooperation" in page
    other = html(client, "/def/theme/ocean-economy").get_data(as_text=True)
    assert "Stonebridge" in other and "Nanchang" not in other.split("Cities seeking cooperation")[1]


def test_compare_side_by_side(client):
    r = client.get("/compare?city=nanchang&city=lakeview&city=riverton")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    table = page[page.index('id="compare-table"'):]
    assert table.lower().index(">population<") < table.lower().index(">area<")
    assert "6,255,000" in page and "5,600,000" in page and "8,452,000" in page
    assert "nearly 30 %" in page  # Nanchang's water area, qualifier in words
    assert "—" in page  # an indicator one of them lacks
    assert "Leading industries" in page and "Cooperation themes" in page


def test_compare_errors(client):
    for query, message in (("city=nanchang", "at least two"), ("city=atlantis&city=nanchang", "unknown city: atlantis"),
                           ("city=nanchang&city=nanchang", "at least two")):
        r = client.get(f"/compare?{query}")
        assert r.status_code == 400 and message in r.get_data(as_text=True), query
    form = client.get("/compare")
    assert form.status_code == 200 and 'name="city"' in form.get_data(as_text=True)


def test_compare_escapes_input(client):
    r = client.get("/compare", query_string={"city": ["<script>alert(1)</script>", "nanchang"]})
    assert r.status_code == 400 and b"<script>alert(1)" not in r.data


def test_home_links_to_compare(client):
    assert 'href="/compare"' in html(client, "/").get_data(as_text=True)


@pytest.mark.browser
def test_pages_in_chromium(catalogue, chromium, tmp_path_factory):
    from conftest import LiveServer
    from test_browser import Chrome

    server = LiveServer(catalogue, tmp_path_factory.mktemp("live-cc") / "gunicorn.log")
    chrome = Chrome(chromium, tmp_path_factory.mktemp("chrome-cc"))
    try:
        chrome.open(server.url + FOREST)
        assert chrome.errors() == []
        assert chrome.evaluate("document.querySelectorAll('#indicator-chart rect').length") == 3
        assert chrome.evaluate("document.getElementById('indicator-chart').getBoundingClientRect().height > 0")
        assert chrome.evaluate("document.getElementById('indicator-values').getBoundingClientRect().height > 0")
        chrome.open(server.url + "/compare?city=nanchang&city=pinecrest")
        assert chrome.errors() == []
        assert chrome.evaluate("document.querySelectorAll('#compare-table tbody tr').length") >= 5
    finally:
        chrome.close()
        server.stop()
