"""The home and city pages in headless Chromium (Chrome DevTools protocol over a websocket):
no console errors, the indicator table visible, every internal link answering 200, and the
pages fit a phone's width."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

websocket = pytest.importorskip("websocket")

pytestmark = pytest.mark.browser


class Chrome:
    """Just enough of the DevTools protocol: navigate, evaluate, collect console errors."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        target = requests.put(f"http://127.0.0.1:{port}/json/new?about:blank", timeout=10).json()
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for i, e in enumerate(self.events):
            if e["method"] == event:
                return self.events.pop(i)
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                if msg["method"] == event:
                    return msg
                self.events.append(msg)
        raise TimeoutError(event)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        time.sleep(0.3)  # late console messages
        self.call("Runtime.evaluate", expression="1")  # drains pending events into self.events

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('text')}")
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(f"console.{p['type']}: {p.get('args')}")
            elif e["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a browser we started, whatever its state
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    chrome = Chrome(chromium, profile)
    yield chrome
    chrome.close()
    shutil.rmtree(profile, ignore_errors=True)


LINKS_JS = "[...document.querySelectorAll('a[href]')].map(a => a.href)"


def internal_links(browser, server) -> set[str]:
    links = browser.evaluate(LINKS_JS)
    host = urlsplit(server.url).netloc
    return {link.split("#")[0] for link in links if urlsplit(link).netloc == host}


def assert_links_answer(links: set[str]) -> None:
    bad = {}
    for link in sorted(links):
        r = requests.get(link, timeout=20, stream=True)
        if r.status_code != 200:
            bad[link] = r.status_code
        r.close()
    assert bad == {}


def fits_phone(browser) -> bool:
    return browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_home_page(browser, live_server):
    browser.open(live_server.url + "/")
    assert browser.errors() == []
    assert browser.evaluate("document.querySelector('h1').innerText")
    assert browser.evaluate("document.querySelectorAll('ul.cards a').length") >= 1
    links = internal_links(browser, live_server)
    assert any("/doc/city/nanchang" in link for link in links)
    assert_links_answer(links)


def test_city_page(browser, live_server):
    browser.open(live_server.url + "/doc/city/nanchang")
    assert browser.errors() == []
    visible = browser.evaluate(
        """(() => { const t = document.getElementById('indicators'); if (!t) return false;
           const r = t.getBoundingClientRect(); const s = getComputedStyle(t);
           return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; })()"""
    )
    assert visible
    rows = browser.evaluate("document.querySelectorAll('#indicators tbody tr').length")
    assert rows >= 10
    text = browser.evaluate("document.getElementById('indicators').innerText")
    assert "nearly 30 %" in text
    assert "南昌" in browser.evaluate("document.querySelector('h1').innerText")
    assert_links_answer(internal_links(browser, live_server))


@pytest.mark.parametrize("path", ["/", "/doc/city/nanchang", "/def/", "/def/indicator", "/download", "/catalog"])
def test_pages_fit_a_phone(browser, live_server, path):
    browser.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=3, mobile=True)
    try:
        browser.open(live_server.url + path)
        assert browser.errors() == []
        assert fits_phone(browser), browser.evaluate("document.documentElement.scrollWidth")
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")
