"""Compare with ten real cities of the multi-city release (issue 13: "2–10 cities on desktop and
phone"): in headless Chromium at 1366x900 and on a 390x844 phone the page does not overflow sideways,
every city is named, and the CSV twin has a row per city and indicator."""

from __future__ import annotations

import csv
import io
import urllib.request

import pytest

pytest.importorskip("websocket")

from test_browser import Chrome  # noqa: E402
from test_pages_browser import FITS, SIZES  # noqa: E402

pytestmark = pytest.mark.browser

CITIES = ["lyon", "porto", "krakow", "graz", "tampere", "ghent", "suzhou", "luoyang", "xi-an", "nanchang"]


@pytest.fixture(scope="module")
def chrome(chromium, tmp_path_factory):
    c = Chrome(chromium, tmp_path_factory.mktemp("chrome-compare"))
    yield c
    c.close()


def query() -> str:
    return "&".join(f"city={c}" for c in CITIES)


@pytest.mark.parametrize("size", list(SIZES))
def test_ten_cities_fit_and_are_all_named(chrome, multicity_server, size):
    width, height, scale, mobile = SIZES[size]
    chrome.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=scale,
                mobile=mobile)
    try:
        chrome.open(f"{multicity_server.url}/compare?{query()}")
        fits = chrome.evaluate(FITS)
        text = chrome.evaluate("document.querySelector('main').innerText")
        errors = chrome.errors()
    finally:
        chrome.call("Emulation.clearDeviceMetricsOverride")
    assert fits["page"] and not fits["wraps"], fits
    assert errors == []
    for name in ("Lyon", "Porto", "Kraków", "Graz", "Tampere", "Ghent", "Suzhou", "Luoyang", "Xi'an", "Nanchang"):
        assert name in text, name


def test_the_csv_twin_has_every_city(multicity_server):
    with urllib.request.urlopen(f"{multicity_server.url}/compare.csv?{query()}", timeout=30) as r:
        assert r.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.read().decode("utf-8"))))
    assert {row["city_uri"].rsplit("/", 1)[-1] for row in rows} == set(CITIES)
    population = {row["city"]: row["value"] for row in rows if row["indicator"] == "population"}
    assert population["Lyon"] == "522250" and population["Nanchang"] == "6255000"
