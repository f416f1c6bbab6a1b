"""Cross-city views on a multi-city release: an indicator across cities (table, SVG charts, CSV),
a theme's cities, comparing cities; the same pages over a store that answers like a remote one;
the pages in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from citykg.server.app import create_app
from citykg.server.remote import RemoteStore, _normalise_ask

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "profiles"
BASE = "https://w3id.org/citykg"
CKG = f"{BASE}/def/"
FOREST = "/def/indicator/forest-coverage-rate"
OCEAN = "/def/theme/ocean-economy"
NBS = "/def/theme/nature-based-solutions-for-circular-cities-and-regions"
HTML = {"Accept": "text/html"}
TABLE = (
    "city,indicator,period,value,unit,qualifier,source\n"
    "Pinecrest,forest-coverage-rate,2020,61,%,about,Forest Province Bulletin 2021\n"
    'Pinecrest,forest-coverage-rate,2022,63.5,%,more than,"Forest Bulletin, ""final"" edition 2023"\n'
)
# Shared themes (none of the profiles shares one), a narrative on a theme, labels that must be escaped.
INCLUDE = f"""@prefix ckg: <{CKG}> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{BASE}/id/city/riverton> ckg:seeksCooperationOn <{BASE}/def/theme/ocean-economy> .
<{BASE}/id/city/lakeview> ckg:seeksCooperationOn <{BASE}/def/theme/ocean-economy>, <{BASE}/def/theme/circular-economy> .
<{BASE}/id/narrative/stonebridge/port-cooperation> <http://purl.org/dc/terms/subject> <{BASE}/def/theme/ocean-economy> .
<{BASE}/def/theme/ocean-economy> skos:altLabel "<script>alert('theme')</script> & blue"@en .
<{BASE}/def/indicator/forest-coverage-rate> skos:altLabel "<img src=x onerror=alert(1)>"@en .
"""


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    """The five invented profiles, Nanchang, a two-period indicator table and the include, built once."""
    seeds = tmp_path_factory.mktemp("seeds")
    (seeds / "profiles").mkdir()
    (seeds / "indicators").mkdir()
    for txt in DATA.glob("*.txt"):
        shutil.copy(txt, seeds / "profiles" / txt.name)
    for name in ("nanchang.txt", "nanchang.yaml"):
        shutil.copy(ROOT / "seeds" / "profiles" / name, seeds / "profiles" / name)
    (seeds / "indicators" / "forests.csv").write_text(TABLE, encoding="utf-8")
    (seeds / "indicators" / "forests.csv-metadata.json").write_text(json.dumps({
        "@context": "http://www.w3.org/ns/csvw", "url": "forests.csv",
        "tableSchema": {"columns": [{"name": n, "titles": n} for n in
                                    ["city", "indicator", "period", "value", "unit", "qualifier", "source"]]}}))
    include = seeds / "shared-themes.ttl"
    include.write_text(INCLUDE, encoding="utf-8")
    out = seeds.parent / "dist"
    result = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--quiet", "--seeds", str(seeds), "--out",
                             str(out), "--include", str(include)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def app(catalogue):
    return create_app(catalogue, config={"TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def page(client, path: str, status: int = 200) -> str:
    r = client.get(path, headers=HTML)
    assert r.status_code == status, (path, r.status_code)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    return r.get_data(as_text=True)


def between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i)]


def table_rows(html: str, table_id: str) -> list[str]:
    body = between(html, f'id="{table_id}"', "</tbody>")
    return re.findall(r"<tr[ >].*?</tr>", body.split("<tbody>")[1], flags=re.S)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


# -- the indicator page ------------------------------------------------------------------------------


def test_indicator_page_describes_the_concept(client):
    html = page(client, "/def/indicator/gdp")
    assert "<h1>gross domestic product</h1>" in html
    assert "Gross domestic product of the city in a year" in html  # skos:definition
    assert "Unit: yuan (CNY)" in html
    assert 'href="http://www.wikidata.org/entity/P2131"' in html and "close match" in html
    assert 'href="/def/indicator/gdp.csv"' in html and 'rel="alternate" type="text/turtle"' in html


def test_indicator_table_has_every_value_with_qualifier_words_and_periods(client):
    html = page(client, FOREST)
    rows = [text_of(r) for r in table_rows(html, "indicator-values")]
    # Cities by their latest value, highest first; a city's periods in order.
    assert [r.split()[0] for r in rows] == ["Pinecrest", "Pinecrest", "Stonebridge", "Lakeview"]
    assert rows[0].startswith("Pinecrest 2020 approximately 61 %")
    assert rows[1].startswith("Pinecrest 2022 more than 63.5 %")
    assert rows[2].startswith("Stonebridge — approximately 40 %") and "stated as “around 40%”" in rows[2]
    assert "the forest coverage rate is about 31.2%." in rows[3]  # the source sentence
    # the period the profile's sentence states ("In 2021, ... the forest coverage rate is about 31.2%")
    assert 'href="/doc/city/lakeview"' in html and 'href="/doc/observation/lakeview/forest-coverage-rate/2021"' in html
    assert rows[3].startswith("Lakeview 2021 approximately 31.2 %")
    assert 'href="/doc/observation/pinecrest/forest-coverage-rate/2022"' in html
    assert 'href="/doc/source/table-forests"' in html  # where the table values come from


def test_nearly_and_more_than_in_words(client):
    water = text_of(page(client, "/def/indicator/water-area-share"))
    assert "nearly 30 %" in water
    wetland = text_of(page(client, "/def/indicator/wetland-area-share"))
    assert "more than 20 %" in wetland and "at least 12 %" in wetland


def test_bar_chart_one_bar_per_city_and_line_chart_one_point_per_period(client):
    html = page(client, FOREST)
    bars = between(html, 'id="indicator-chart"', "</svg>")
    assert bars.count('<rect class="bar"') == 3  # Pinecrest (its latest period), Stonebridge, Lakeview
    assert 'role="img"' in bars and '<title id="bars-title">' in bars and "<desc" in bars
    assert "Pinecrest (2022): more than 63.5 %" in bars  # the bar's own title
    assert re.findall(r'class="category"[^>]*>([^<]+)<', bars) == ["Pinecrest", "Stonebridge", "Lakeview"]
    assert re.findall(r'class="tick"[^>]*>([^<]+)<', bars)[:2] == ["0", "20"]  # a labelled value axis
    assert ">percent</text>" in bars
    # the bars are to scale: widths proportional to 63.5, 40, 31.2
    widths = [float(w) for w in re.findall(r'<rect class="bar" x="[^"]+" y="[^"]+" width="([^"]+)"', bars)]
    assert widths[0] / widths[2] == pytest.approx(63.5 / 31.2, rel=0.01)
    lines = between(html, 'id="indicator-trend"', "</svg>")
    # Pinecrest 2020 and 2022 (a line), Lakeview 2021 (a point: its profile states the year)
    assert lines.count("<circle") == 3 and lines.count("<polyline") == 1
    assert ">2020</text>" in lines and ">2022</text>" in lines
    assert "Pinecrest (2020): approximately 61 %" in lines


def test_one_period_no_line_chart(client):
    html = page(client, "/def/indicator/gdp")
    assert between(html, 'id="indicator-chart"', "</svg>").count('<rect class="bar"') == 3
    assert 'id="indicator-trend"' not in html
    assert "2.5 trillion" in html  # tick labels in words


def test_indicator_page_escapes_literals(client):
    html = page(client, FOREST)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_indicator_csv(client):
    r = client.get(FOREST + ".csv")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="forest-coverage-rate.csv"'
    assert r.headers["ETag"] and r.headers["Access-Control-Allow-Origin"] == "*"
    text = r.get_data(as_text=True)
    assert text.splitlines()[0] == "city,city_uri,period,value,unit,qualifier,source,observation_uri"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(x["city"], x["period"], x["value"], x["qualifier"]) for x in rows] == [
        ("Pinecrest", "2020", "61", "approximately"), ("Pinecrest", "2022", "63.5", "more-than"),
        ("Stonebridge", "", "40", "approximately"), ("Lakeview", "2021", "31.2", "approximately")]
    assert rows[1]["source"] == 'Forest Bulletin, "final" edition 2023'  # comma and quotes survive
    assert rows[3]["source"].startswith("In 2021, its GDP reached")
    assert {x["unit"] for x in rows} == {"PERCENT"}
    assert rows[0]["city_uri"] == f"{BASE}/id/city/pinecrest"
    assert rows[0]["observation_uri"] == f"{BASE}/id/observation/pinecrest/forest-coverage-rate/2020"
    assert client.get(FOREST + ".csv", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_csv_row_per_observation(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/def/indicator/population.csv").get_data(as_text=True))))
    assert len(rows) == 6 and len({x["city_uri"] for x in rows}) == 6  # one per city, six cities
    values = [int(x["value"]) for x in rows]
    assert values == sorted(values, reverse=True) and rows[0]["city"] == "Harbourfield"
    assert {x["city"] for x in rows} >= {"Nanchang", "Lakeview", "Riverton", "Pinecrest", "Stonebridge"}


@pytest.mark.parametrize("path", ["/def/indicator/happiness.csv", "/def/indicator/Bad%20Slug.csv",
                                  "/def/theme/ocean-economy.csv", "/def/indicator/%3Cx%3E.csv"])
def test_csv_unknown_indicator_is_404(client, path):
    assert client.get(path).status_code == 404


def test_rdf_variants_are_unchanged(client):
    r = client.get(FOREST, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle" and "skos:Concept" in r.get_data(as_text=True)
    assert client.get(FOREST + ".ttl").mimetype == "text/turtle"
    assert client.get(OCEAN + ".jsonld").mimetype == "application/ld+json"
    assert 'id="indicator-chart"' in client.get(FOREST + ".html").get_data(as_text=True)
    assert client.get("/def/indicator", headers=HTML).status_code == 200  # the scheme page stays generic


def test_pages_get_the_shared_http_behaviour(client):
    r = client.get(FOREST, headers={**HTML, "Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and "Accept" in r.headers["Vary"]
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["ETag"]
    assert r.headers["Content-Location"] == FOREST + ".html"
    again = client.get(FOREST, headers={**HTML, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    cmp = client.get("/compare?city=lakeview&city=riverton")
    assert cmp.headers["ETag"] and "Content-Security-Policy" in cmp.headers
    cached = client.get("/compare?city=lakeview&city=riverton", headers={"If-None-Match": cmp.headers["ETag"]})
    assert cached.status_code == 304
    assert "<script" not in page(client, FOREST)  # no script anywhere: the chart is SVG


# -- the theme page ----------------------------------------------------------------------------------


def test_theme_page_with_its_matches_and_city(client):
    html = page(client, NBS)
    assert "Nature Based Solutions for Circular Cities and Regions</h1>" in html
    assert 'href="http://metadata.un.org/sdg/11.6"' in html and "SDG target 11.6" in html
    matches = text_of(between(html, 'id="concept-matches"', "</ul>"))
    assert "EU data theme: Environment (ENVI)" in matches and "EU data theme: Regions and cities (REGI)" in matches
    assert "EU data theme: EU data theme" not in matches
    cities = between(html, 'id="theme-cities"', "</section>")
    # only the narrative of Nanchang that speaks of nature-based solutions, not "Urban renewal"
    assert 'href="/doc/city/nanchang"' in cities and "Ecological civilization and green development" in cities
    assert "Urban renewal" not in cities and "4 other cooperation narratives, not about this theme" in cities
    assert 'href="/doc/narrative/nanchang/ecological-civilization-and-green-development"' in cities


def test_theme_page_lists_every_city_seeking_it(client):
    html = page(client, OCEAN)
    cities = between(html, 'id="theme-cities"', "</section>")
    assert re.findall(r"<h3><a [^>]+>([^<]+)</a></h3>", cities) == ["Lakeview", "Riverton", "Stonebridge"]
    stone = cities[cities.index(">Stonebridge<"):]
    assert "Port cooperation" in stone and "Blue tourism" not in stone  # only the narrative on the theme
    assert 'href="/compare?city=lakeview&amp;city=riverton&amp;city=stonebridge"' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;theme&#39;)&lt;/script&gt; &amp; blue" in html
    assert ">Nanchang<" not in cities


# -- the comparison ------------------------------------------------------------------------------------


def test_compare_side_by_side(client):
    html = page(client, "/compare?city=nanchang&city=lakeview&city=riverton")
    assert "<h1>Nanchang, Lakeview and Riverton compared</h1>" in html
    texts = [text_of(r) for r in table_rows(html, "compare-table")]
    assert texts[0] == "population 6,255,000 5,600,000 8,452,000"
    assert texts[1] == "area 7,159 km² 11,282 km² 16,410 km²"

    def row(label: str) -> str:
        return next(t for t in texts if t.startswith(label + " "))

    assert row("water area share") == "water area share nearly 30 % — —"  # "—" where a city has none
    assert row("gross domestic product") == "gross domestic product — 845 billion CNY 2021 2.3 trillion CNY"
    assert row("universities") == "universities — more than 60 —"
    assert row("county-level cities") == "county-level cities — 2 —"
    # every indicator any of them has, once
    assert len(texts) == len({t.split(" ")[0] + t for t in texts}) and len(texts) >= 18
    for column in ("Nanchang", "Lakeview", "Riverton"):
        assert f'href="/doc/city/{column.lower()}"' in html
    assert 'id="compare-themes"' in html and 'id="compare-industries"' in html


def test_compare_highlights_shared_themes(client):
    html = page(client, "/compare?city=stonebridge&city=riverton&city=lakeview")
    themes = table_rows(html, "compare-themes")
    assert 'class="shared"' in themes[0] and "Ocean economy" in themes[0] and "shared by all" in themes[0]
    shared = [text_of(r) for r in themes if 'class="shared"' in r]
    assert any(t.startswith("Circular economy shared by 2") for t in shared)  # Riverton and Lakeview
    assert not any("Clean energy" in t or "Eco-tourism" in t for t in shared)
    assert "Smart port logistics" in text_of(" ".join(themes))  # not shared, still listed


def test_compare_periods_use_the_latest(client):
    html = page(client, "/compare?city=pinecrest&city=lakeview")
    forest = next(text_of(r) for r in table_rows(html, "compare-table") if "forest coverage rate" in r)
    assert forest == "forest coverage rate more than 63.5 % 2022 approximately 31.2 % 2021"


def test_compare_takes_uris_and_page_links(client):
    html = page(client, f"/compare?city={BASE}/id/city/nanchang&city=http://localhost/doc/city/lakeview")
    assert "Nanchang and Lakeview compared" in html


@pytest.mark.parametrize("query, message", [
    ("city=nanchang", "at least two different cities"),
    ("city=nanchang&city=nanchang", "at least two different cities"),
    ("city=atlantis&city=nanchang", "Unknown city: “atlantis”"),
    (f"city={BASE}/id/province/jiangxi&city=nanchang", "Unknown city"),  # a place, but not a city
    ("city=" + "&city=".join(["nanchang"] * 13), "at most 12"),
])
def test_compare_errors(client, query, message):
    r = client.get(f"/compare?{query}", headers=HTML)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert message in html and 'name="city"' in html  # the message and the form to try again
    assert "Content-Security-Policy" in r.headers


def test_compare_error_in_the_format_asked_for(client):
    r = client.get("/compare?city=atlantis&city=nanchang", headers={"Accept": "application/json"})
    assert r.status_code == 400 and "Unknown city" in r.get_json()["message"]


def test_compare_escapes_input(client):
    r = client.get("/compare", query_string={"city": ["<script>alert(1)</script>", "nanchang"]})
    assert r.status_code == 400 and b"<script>alert(1)" not in r.data and b"&lt;script&gt;" in r.data


def test_compare_form(client):
    html = page(client, "/compare")
    assert html.count('type="checkbox" name="city"') == 6
    ticked = page(client, "/compare?with=nanchang")
    assert re.search(r'value="nanchang" checked', ticked) and ticked.count(" checked") == 1


def test_home_and_city_pages_link_to_compare(client):
    assert 'href="/compare"' in page(client, "/")
    city = page(client, "/doc/city/lakeview")
    assert 'href="/compare?with=lakeview"' in city
    assert 'href="/compare?with=' not in page(client, "/doc/province/jiangxi")


def test_large_releases_keep_pages_readable(client, monkeypatch):
    from citykg.server.pages import charts, crosscity

    monkeypatch.setattr(charts, "MAX_BARS", 2)
    monkeypatch.setattr(crosscity, "MAX_CHECKBOXES", 3)
    client.application.extensions["citykg.responses"].clear()  # pages rendered before the change
    html = page(client, "/def/indicator/population")
    assert between(html, 'id="indicator-chart"', "</svg>").count('<rect class="bar"') == 2
    assert "The 2 highest are drawn; the table has all 6." in html
    assert len(table_rows(html, "indicator-values")) == 6
    form = page(client, "/compare?with=nanchang")
    assert 'type="checkbox"' not in form and 'type="text" name="city" value="nanchang"' in form


def test_chart_helpers():
    from citykg.server.pages.charts import nice_ticks, short_number
    from citykg.server.pages.concepts import period_key

    assert nice_ticks(0, 63.5) == [0, 20, 40, 60, 80]
    assert nice_ticks(0, 2.3e12)[-1] == 2.5e12 and short_number(2.5e12) == "2.5 trillion"
    assert nice_ticks(-5, 10)[0] == -5 and nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert short_number(12000) == "12,000" and short_number(0.25) == "0.25"
    labels = ["2021-05", "2021", "2020", "2021-Q2", "2021-Q1", "2021-04"]
    assert sorted(labels, key=period_key) == ["2020", "2021", "2021-Q1", "2021-Q2", "2021-04", "2021-05"]


# -- the same pages over a store that answers like a remote SPARQL endpoint ----------------------------


class JsonStore(RemoteStore):
    """RemoteStore's own parsing of SPARQL JSON results, with the answers computed in process."""

    def __init__(self, embedded) -> None:
        super().__init__("http://remote.invalid/sparql")
        self.embedded = embedded
        self.queries = 0

    def _json(self, query: str) -> dict:
        self.queries += 1
        result = self.embedded.ox.query(query, use_default_graph_as_union=True)
        return _normalise_ask(json.loads(result.serialize(format=ox.QueryResultsFormat.JSON)))

    def construct(self, query: str):
        self.queries += 1
        return self.embedded.construct(query)


def test_same_pages_over_a_remote_store(app, catalogue):
    remote = JsonStore(app.extensions["citykg"].store)
    other = create_app(catalogue, store=remote, config={"TESTING": True}).test_client()
    here = app.test_client()
    for path in (FOREST, OCEAN, "/def/indicator/gdp", "/compare?city=stonebridge&city=riverton&city=lakeview",
                 FOREST + ".csv"):
        before = remote.queries
        assert other.get(path, headers=HTML).data == here.get(path, headers=HTML).data, path
        assert remote.queries > before


# -- in Chromium ---------------------------------------------------------------------------------------


@pytest.mark.browser
def test_pages_in_chromium(catalogue, chromium, tmp_path_factory):
    pytest.importorskip("websocket")
    from conftest import LiveServer
    from test_browser import Chrome, assert_links_answer, fits_phone, internal_links

    server = LiveServer(catalogue, tmp_path_factory.mktemp("live-cc") / "gunicorn.log")
    chrome = Chrome(chromium, tmp_path_factory.mktemp("chrome-cc"))
    visible = """(id => { const e = document.getElementById(id); if (!e) return false;
        const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
        return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; })"""
    try:
        chrome.open(server.url + FOREST)
        assert chrome.errors() == []
        for element in ("indicator-chart", "indicator-trend", "indicator-values"):
            assert chrome.evaluate(f"{visible}('{element}')"), element
        assert chrome.evaluate("document.querySelectorAll('#indicator-chart rect.bar').length") == 3
        assert chrome.evaluate("document.querySelectorAll('#indicator-trend circle').length") == 3
        assert chrome.evaluate("document.querySelectorAll('#indicator-values tbody tr').length") == 4
        assert "more than 63.5 %" in chrome.evaluate("document.getElementById('indicator-values').innerText")
        # the bars are drawn (non-zero rendered size)
        assert chrome.evaluate("[...document.querySelectorAll('#indicator-chart rect.bar')]"
                               ".every(r => r.getBoundingClientRect().width > 0)")
        assert_links_answer(internal_links(chrome, server))

        chrome.open(server.url + "/compare?city=nanchang&city=pinecrest&city=stonebridge")
        assert chrome.errors() == []
        assert chrome.evaluate(f"{visible}('compare-table')")
        assert chrome.evaluate("document.querySelectorAll('#compare-table tbody tr').length") >= 10
        assert "nearly 30 %" in chrome.evaluate("document.getElementById('compare-table').innerText")
        assert_links_answer(internal_links(chrome, server))

        chrome.open(server.url + OCEAN)
        assert chrome.errors() == []
        assert chrome.evaluate(f"{visible}('theme-cities')")

        chrome.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=3, mobile=True)
        try:
            for path in (FOREST, "/compare?city=nanchang&city=pinecrest&city=stonebridge", OCEAN):
                chrome.open(server.url + path)
                assert chrome.errors() == []
                assert fits_phone(chrome), (path, chrome.evaluate("document.documentElement.scrollWidth"))
        finally:
            chrome.call("Emulation.clearDeviceMetricsOverride")
    finally:
        chrome.close()
        server.stop()


def test_a_count_keeps_what_it_counts(client):
    """Container throughput is a plain count (unit:NUM) of TEU: pages say "12,000,000 TEU", not a bare number."""
    html = page(client, "/doc/city/stonebridge")
    row = next(text_of(r) for r in table_rows(html, "indicators") if "container throughput" in r)
    assert "12,000,000 TEU" in row and "count" not in row.split("TEU", 1)[1][:12]
    html = page(client, "/def/indicator/container-throughput")
    assert "Unit: TEU" in text_of(html)
    assert "12,000,000 TEU" in text_of(between(html, 'id="indicator-values"', "</table>"))
    assert ">TEU</text>" in html  # the chart's axis


ALL6 = "/compare?" + "&".join(f"city={c}" for c in ("nanchang", "harbourfield", "lakeview", "pinecrest", "riverton",
                                                     "stonebridge"))


def test_compare_has_a_csv_twin(client):
    html = page(client, "/compare?city=nanchang&city=lakeview&city=riverton")
    assert 'href="/compare.csv?city=nanchang&amp;city=lakeview&amp;city=riverton"' in html
    r = client.get("/compare.csv?city=nanchang&city=lakeview&city=riverton")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == ["indicator", "indicator_uri", "city", "city_uri", "period", "value", "unit", "qualifier",
                       "words", "observation_uri"]
    assert ["population", f"{BASE}/def/indicator/population", "Lakeview", f"{BASE}/id/city/lakeview", "",
            "5600000", "NUM", "exact", "5,600,000", f"{BASE}/id/observation/lakeview/population"] in rows
    gdp = next(r for r in rows if r[0] == "gross domestic product" and r[2] == "Riverton")
    assert gdp[5] == "2300000000000" and gdp[8] == "2.3 trillion CNY"
    bad = client.get("/compare.csv?city=nanchang")
    assert bad.status_code == 400 and "at least two" in bad.get_data(as_text=True)


@pytest.mark.browser
def test_compare_fits_a_desktop_and_a_phone(catalogue, chromium, tmp_path_factory):
    """Six cities at 1366 px: the tables fit their column, nothing scrolls sideways; on a 390 px phone each
    city's value is on a line of its own, named."""
    pytest.importorskip("websocket")
    from conftest import LiveServer
    from test_browser import Chrome, fits_phone

    server = LiveServer(catalogue, tmp_path_factory.mktemp("live-cmp") / "gunicorn.log")
    chrome = Chrome(chromium, tmp_path_factory.mktemp("chrome-cmp"))
    no_sideways = """[...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth + 1)"""
    try:
        chrome.call("Emulation.setDeviceMetricsOverride", width=1366, height=900, deviceScaleFactor=1, mobile=False)
        chrome.open(server.url + ALL6)
        assert chrome.errors() == []
        assert chrome.evaluate("document.querySelectorAll('#compare-table thead th').length") == 7
        assert chrome.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert chrome.evaluate(no_sideways)
        chrome.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=3, mobile=True)
        chrome.open(server.url + ALL6)
        assert chrome.errors() == []
        assert fits_phone(chrome) and chrome.evaluate(no_sideways)
        cell = chrome.evaluate("""(() => { const td = document.querySelector('#compare-table tbody td');
            return [getComputedStyle(td, '::before').content, td.getBoundingClientRect().width,
                    document.querySelector('#compare-table thead').getBoundingClientRect().height]; })()""")
        assert cell[0] == '"Nanchang"' and cell[1] > 300 and cell[2] == 0  # named, full width, no header row
        assert chrome.evaluate("document.querySelector('#compare-table caption').getBoundingClientRect().width") > 300
    finally:
        chrome.call("Emulation.clearDeviceMetricsOverride")
        chrome.close()
        server.stop()


def test_make_demo_builds_and_serves_fictional_cities(tmp_path):
    """`make demo` builds the five invented test cities (each page says it is fictional) and serves them."""
    dry = subprocess.run(["make", "-n", "demo", "DEMO=" + str(tmp_path / "demo")], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    build = next(line for line in dry.splitlines() if " build " in line)
    assert "--seeds tests/data" in build and "demo/fictional-cities.ttl" in build
    assert any(" serve --release " + str(tmp_path / "demo") in line for line in dry.splitlines())
    args = build.split(" build ", 1)[1].split()
    done = subprocess.run([sys.executable, "-m", "citykg.cli", "build", *args], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    demo = create_app(tmp_path / "demo", config={"TESTING": True}).test_client()
    html = page(demo, "/compare?city=harbourfield&city=lakeview&city=pinecrest&city=riverton&city=stonebridge")
    assert "<h1>Harbourfield, Lakeview, Pinecrest, Riverton and Stonebridge compared</h1>" in html
    assert "A fictional city" in text_of(between(page(demo, "/doc/city/lakeview"), 'id="lead"', "</p>"))


@pytest.mark.browser
def test_cross_city_pages_have_no_axe_violation(catalogue, chromium, tmp_path_factory):
    pytest.importorskip("websocket")
    from conftest import LiveServer
    from test_browser import Chrome
    from test_pages_browser import AXE, axe_violations

    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `make assets`")
    server = LiveServer(catalogue, tmp_path_factory.mktemp("live-axe") / "gunicorn.log")
    chrome = Chrome(chromium, tmp_path_factory.mktemp("chrome-axe"))
    try:
        found = {}
        for width, mobile in ((1366, False), (390, True)):
            chrome.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1,
                        mobile=mobile)
            for path in (ALL6, FOREST, OCEAN, NBS, "/compare", "/doc/city/stonebridge"):
                if v := axe_violations(chrome, server.url + path):
                    found[(width, path)] = v
        assert found == {}
    finally:
        chrome.close()
        server.stop()
