"""The pages of a folder of releases in headless Chromium, at 1366x900 and on a 390x844 phone: an earlier
release's page, the list of releases and the changes fit the screen without console errors; the banner
saying which release a page shows is on the first screen, and its link leads to the latest's page."""

from __future__ import annotations

import pytest

pytest.importorskip("websocket")

from series import PAGES, VERSIONS  # noqa: E402
from test_browser import Chrome  # noqa: E402
from test_pages_browser import FITS, SIZES  # noqa: E402

pytestmark = pytest.mark.browser

FIRST, SECOND, THIRD = VERSIONS


@pytest.fixture(scope="module")
def chrome(chromium, tmp_path_factory):
    c = Chrome(chromium, tmp_path_factory.mktemp("chrome-releases"))
    yield c
    c.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_release_pages_fit_and_have_no_console_error(chrome, series_server, size):
    width, height, scale, mobile = SIZES[size]
    chrome.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=scale,
                mobile=mobile)
    problems = {}
    try:
        for path in PAGES:
            chrome.open(series_server.url + path)
            fits = chrome.evaluate(FITS)
            errors = [e for e in chrome.errors() if "404" not in e or "1999.9" not in path]
            if not fits["page"] or fits["wraps"] or errors:
                problems[path] = (fits, errors)
    finally:
        chrome.call("Emulation.clearDeviceMetricsOverride")
    assert problems == {}


def test_banner_on_the_first_screen_and_its_link_to_the_latest(chrome, series_server):
    chrome.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=3, mobile=True)
    try:
        chrome.open(series_server.url + f"/release/{FIRST}/doc/city/harbourfield")
        box = chrome.evaluate("""(() => { const r = document.getElementById('release-banner').getBoundingClientRect();
            return [r.top, r.bottom, r.width]; })()""")
        assert box[1] < 844 and box[2] > 300, box
        text = chrome.evaluate("document.getElementById('release-banner').innerText")
        assert FIRST in text and THIRD in text
        href = chrome.evaluate("document.getElementById('release-latest').href")
        assert href == series_server.url + "/doc/city/harbourfield"
        chrome.open(href)
        assert chrome.evaluate("document.getElementById('release-banner') === null")
        assert "Harbourfield" in chrome.evaluate("document.querySelector('h1').innerText")
    finally:
        chrome.call("Emulation.clearDeviceMetricsOverride")
