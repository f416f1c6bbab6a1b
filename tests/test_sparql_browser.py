"""The SPARQL editor in headless Chromium, on the embedded store and on an Oxigraph server:
YASGUI loads from the local static files, a query typed into the editor and run shows its
results, and the page logs no errors (Content-Security-Policy included)."""

from __future__ import annotations

import shutil
import time

import pytest
from test_browser import Chrome
from test_sparql_endpoint import SETTINGS, OxigraphServer, ThreadedServer

pytestmark = pytest.mark.browser

ROOT_VENDOR = "server/static/vendor/yasgui/yasgui.min.js"


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-sparql")
    chrome = Chrome(chromium, profile)
    yield chrome
    chrome.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module", params=["embedded", "oxigraph"])
def site(request, served_release, tmp_path_factory):
    from conftest import ROOT

    if not (ROOT / ROOT_VENDOR).exists():
        pytest.fail("YASGUI is not installed: run `make assets`")
    from citykg.server.app import create_app

    store, oxigraph = None, None
    if request.param == "oxigraph":
        from citykg.server.remote import RemoteStore

        oxigraph = OxigraphServer(served_release, tmp_path_factory.mktemp("oxigraph-browser"))
        store = RemoteStore(oxigraph.url)
    server = ThreadedServer(create_app(served_release, store=store, config=dict(SETTINGS)))
    yield server
    server.stop()
    if oxigraph:
        oxigraph.stop()


def wait(browser, expression: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


TYPED = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?label WHERE { ?city a <https://w3id.org/citykg/def/City> ; rdfs:label ?label }"
)


def test_typed_query_shows_results(browser, site):
    browser.open(site.sparql)
    wait(browser, "!!window.citykgYasgui && !!document.querySelector('.CodeMirror')")
    # type the query into the editor (CodeMirror's own input path), then press the run button
    browser.evaluate("(() => { const cm = document.querySelector('.CodeMirror').CodeMirror;"
                     " cm.setValue(''); cm.focus(); return true; })()")
    browser.call("Input.insertText", text=TYPED)
    assert browser.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()") == TYPED
    browser.evaluate("document.querySelector('.yasqe_queryButton').click()")
    text = wait(browser, "(() => { const r = document.querySelector('.yasr .dataTable, .yasr table');"
                         " return r && r.innerText.includes('Nanchang') ? r.innerText : ''; })()")
    assert "南昌" in text
    assert browser.errors() == []


def test_examples_load_into_the_editor(browser, site):
    browser.open(site.sparql)
    wait(browser, "!!window.citykgYasgui")
    count = browser.evaluate("document.querySelectorAll('button.example').length")
    assert count >= 8
    browser.evaluate("document.querySelectorAll('button.example')[1].click()")
    query = browser.evaluate("window.citykgYasgui.getTab().getQuery()")
    assert "qb:Observation" in query and "PREFIX qb:" in query
    browser.evaluate("document.querySelector('.yasqe_queryButton').click()")
    text = wait(browser, "(() => { const r = document.querySelector('.yasr .dataTable, .yasr table');"
                         " return r && r.innerText.includes('population') ? r.innerText : ''; })()")
    assert "unit:NUM" in text or "NUM" in text
    assert browser.errors() == []
