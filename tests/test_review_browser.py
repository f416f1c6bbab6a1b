"""Issue 12 in headless chromium: a reviewer turns the extraction of a profile into its expected record
through the review page alone (`citykg review`), every decision lands in the sidecar, the next build
publishes them with provenance, and editing the text under a decision stops the build.

Each decision's actions (a click, a key, a typed text, a selection dragged with the mouse) are counted
and checked, so that "a few actions" stays true."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("websocket")

from citykg.kg.curation import Facts  # noqa: E402
from citykg.kg.review import create_review_app  # noqa: E402
from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import PROV, RDF  # noqa: E402
from test_browser import Chrome  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/citykg"
SDMX = "http://purl.org/linked-data/sdmx/2009/"
REVIEWER = "Ana Test"

#: the record a person reads in tests/data/review/profiles/eastmere.txt: the extractor reads the density
#: "1.538 per km²" as 1.538 (it is 1,538: 412,000 people on 268 km²), takes the rent per m² as an amount,
#: misses "a quarter" of forest and the Saltworks, and leaves the cycling share out
EXPECTED = {
    "population": (412000, "NUM", "exact"),
    "area": (268, "KiloM2", "exact"),
    "population-density": (1538, "PER-KiloM2", "exact"),
    "forest-coverage-rate": (25, "PERCENT", "exact"),
    "cycling-to-work-share": (60, "PERCENT", "more-than"),
}


class Actions:
    """The reviewer's hands: each call is one action, counted per decision."""

    def __init__(self, chrome: Chrome) -> None:
        self.c = chrome
        self.count = 0

    def wait(self, js: str, timeout: float = 10) -> object:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.c.evaluate(js)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {js}")

    def _center(self, js_element: str) -> tuple[float, float]:
        rect = self.c.evaluate(f"(() => {{ const e = {js_element}; e.scrollIntoView({{block: 'center'}}); "
                               "const r = e.getBoundingClientRect(); "
                               "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        return rect[0], rect[1]

    def click(self, js_element: str) -> None:
        x, y = self._center(js_element)
        for kind in ("mousePressed", "mouseReleased"):
            self.c.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
        self.count += 1

    def key(self, key: str) -> None:
        codes = {"Enter": 13, "Escape": 27, "Tab": 9}
        params = {"key": key, "windowsVirtualKeyCode": codes[key] if key in codes else ord(key.upper())}
        if key == "Enter":
            params["text"] = "\r"
        elif len(key) == 1:
            params["text"] = key
        self.c.call("Input.dispatchKeyEvent", type="keyDown", **params)
        self.c.call("Input.dispatchKeyEvent", type="keyUp", **{k: v for k, v in params.items() if k != "text"})
        self.count += 1

    def type(self, text: str) -> None:
        self.c.call("Input.insertText", text=text)
        self.count += 1

    def select(self, sentence_start: str, words: str) -> None:
        """Drags the mouse over `words` in the sentence that starts with `sentence_start`."""
        rect = self.c.evaluate(f"""(() => {{
          const p = [...document.querySelectorAll('.row .text')]
            .find(p => p.textContent.startsWith({sentence_start!r}));
          p.scrollIntoView({{block: 'center'}});
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {{
            const at = node.textContent.indexOf({words!r});
            if (at >= 0) {{
              const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + {len(words)});
              const rects = r.getClientRects(); const a = rects[0], b = rects[rects.length - 1];
              return [a.left + 0.5, a.top + a.height / 2, b.right - 0.5, b.top + b.height / 2];
            }}
          }}
          return null; }})()""")
        assert rect, f"{words!r} not on the page"
        x0, y0, x1, y1 = rect
        self.c.call("Input.dispatchMouseEvent", type="mousePressed", x=x0, y=y0, button="left", clickCount=1)
        self.c.call("Input.dispatchMouseEvent", type="mouseMoved", x=x1, y=y1, button="left", buttons=1)
        self.c.call("Input.dispatchMouseEvent", type="mouseReleased", x=x1, y=y1, button="left", clickCount=1)
        assert self.c.evaluate("window.getSelection().toString()") == words
        self.count += 1


def item(sentence_start: str, text: str, button: str | None = None) -> str:
    """JS for the side item (fact or candidate) beside a sentence, or one of its buttons."""
    find = (f"[...document.querySelectorAll('.row')].find(r => r.querySelector('.text').textContent"
            f".startsWith({sentence_start!r})).querySelectorAll('.side li')")
    li = f"[...{find}].find(li => li.textContent.includes({text!r}))"
    return f"{li}.querySelector('button[data-key={button}]')" if button else li


@pytest.fixture()
def review(tmp_path, chromium):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "tests" / "data" / "review", seeds)
    server = make_server("127.0.0.1", 0, create_review_app(seeds), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    chrome = Chrome(chromium, tmp_path / "chrome")
    chrome.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
    try:
        yield seeds, f"http://127.0.0.1:{server.server_port}", chrome
    finally:
        chrome.close()
        server.shutdown()


def test_a_reviewer_reaches_the_expected_record(review, tmp_path):
    seeds, url, chrome = review
    chrome.open(f"{url}/profile/eastmere")
    hands = Actions(chrome)
    hands.wait("document.querySelectorAll('.row').length > 5")
    hands.click("document.querySelector('#by')")  # once a session: the reviewer's name
    hands.type(REVIEWER)
    hands.key("Tab")
    actions: dict[str, int] = {}

    def done(name: str, decisions: int) -> None:
        hands.wait("!document.querySelector('#editor') || document.querySelector('#editor').hidden")
        hands.wait(f"state && state.decisions.length === {decisions} "
                   "&& document.querySelector('#error').textContent === ''")
        actions[name] = hands.count
        hands.count = 0

    hands.count = 0
    # 1. correct a value: the Correct button of the density, type the value, Enter
    hands.click(item("The population density", "population-density", "c"))
    hands.wait("document.activeElement.name === 'value'")
    hands.type("1538")
    hands.key("Enter")
    done("correct a value", 1)
    # 2. add a missed fact by selecting its words: drag over "a quarter", n, type the indicator, Enter
    #    (the value, unit and qualifier come from the words: 25 PERCENT)
    hands.select("Its forest covers", "a quarter")
    hands.key("n")
    hands.wait("document.activeElement.name === 'indicator' && document.querySelector('[name=value]').value === '25'")
    hands.type("forest-coverage-rate")
    hands.key("Enter")
    done("add a fact by selecting words", 2)
    # 3. reject a wrong fact with the keyboard: focus it (a click; or Tab to it), r
    hands.click(item("Average rent", "average-rent"))
    hands.key("r")
    done("reject a fact", 3)
    shot = tmp_path / "review.png"  # corrected, added and rejected facts, a candidate still to decide on
    chrome.evaluate("window.scrollTo(0, 0)")
    shot.write_bytes(base64.b64decode(chrome.call("Page.captureScreenshot", format="png",
                                                              clip={"x": 0, "y": 0, "width": 1280, "height": 680,
                                                                    "scale": 1})["data"]))
    if os.environ.get("CITYKG_UPDATE_SCREENSHOTS"):
        shutil.copy(shot, ROOT / "docs" / "review.png")
    # 4. accept a candidate the extractor left out: Accept, type the indicator, Enter
    hands.click(item("Over 60 per cent", "Over 60 per cent", "a"))
    hands.wait("document.activeElement.name === 'indicator'")
    hands.type("cycling-to-work-share")
    hands.key("Enter")
    done("accept a candidate", 4)
    # 5. add a landmark by selecting its name: drag over it, l, Enter
    hands.select("The Saltworks", "Saltworks")
    hands.key("l")
    hands.wait("document.activeElement.name === 'thing'")
    hands.key("Enter")
    done("add a landmark by selecting words", 5)

    print("\nactions per decision:", actions)
    assert actions == {"correct a value": 3, "add a fact by selecting words": 4, "reject a fact": 2,
                       "accept a candidate": 3, "add a landmark by selecting words": 3}
    assert chrome.errors() == []
    # the keyboard moves between sentences
    hands.key("j")
    assert chrome.evaluate("document.activeElement.classList.contains('row')")
    # the words of every decision are highlighted as facts; the rejected figure is struck through
    marks = chrome.evaluate("[...document.querySelectorAll('mark')].map(m => m.className + ':' + m.textContent)")
    assert {"fact:a quarter", "fact:Saltworks", "fact:1.538 per km²", "rejected:EUR 9.50"} <= set(marks)


    # the sidecar holds exactly those decisions
    side = seeds / "profiles" / "eastmere.yaml"
    decisions = [d.to_yaml() for d in Facts.load(side).decisions]
    for d in decisions:
        assert d.pop("by") == REVIEWER and d.pop("at")
    assert decisions == [
        {"decision": "correct", "fact": "population-density", "value": 1538, "quote": "1.538 per km²",
         "sentence": "The population density is 1.538 per km²."},
        {"decision": "add", "indicator": "forest-coverage-rate", "value": 25, "unit": "PERCENT", "qualifier": "exact",
         "quote": "a quarter", "sentence": "Its forest covers a quarter of the land."},
        {"decision": "reject", "fact": "average-rent", "quote": "EUR 9.50",
         "sentence": "Average rent is EUR 9.50 per m²."},
        {"decision": "accept", "indicator": "cycling-to-work-share", "value": 60, "unit": "PERCENT",
         "qualifier": "more-than", "quote": "Over 60 per cent",
         "sentence": "Over 60 per cent of residents cycle to work."},
        {"decision": "add", "landmark": "Saltworks", "quote": "Saltworks",
         "sentence": "The Saltworks, once the city's largest employer, now house a museum."},
    ]

    # the next build's release has them, with provenance: 100 % of the expected record
    out = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--seeds", str(seeds), "--out", str(out),
                            "--quiet"], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "facts: 4 extracted, 4 reviewed (1 accepted, 1 corrected, 2 added), 1 rejected" in built.stdout
    g = Graph().parse(out / "dataset.ttl", format="turtle")
    got = {}
    for obs in g.subjects(URIRef(f"{SDMX}dimension#refArea"), URIRef(f"{BASE}/id/city/eastmere")):
        indicator = str(g.value(obs, URIRef(f"{BASE}/def/indicator"))).rsplit("/", 1)[-1]
        got[indicator] = (g.value(obs, URIRef(f"{SDMX}measure#obsValue")).toPython(),
                          str(g.value(obs, URIRef(f"{SDMX}attribute#unitMeasure"))).rsplit("/", 1)[-1],
                          str(g.value(obs, URIRef(f"{BASE}/def/valueQualifier"))).rsplit("/", 1)[-1])
    assert got == EXPECTED
    ana = URIRef(f"{BASE}/id/agent/ana-test")
    for indicator, decision in (("population-density", "corrected"), ("forest-coverage-rate", "added"),
                                ("cycling-to-work-share", "accepted")):
        obs = URIRef(f"{BASE}/id/observation/eastmere/{indicator}")
        assert (obs, PROV.wasAttributedTo, ana) in g
        assert (obs, URIRef(f"{BASE}/def/reviewDecision"), Literal(decision)) in g
    assert (URIRef(f"{BASE}/id/observation/eastmere/population"), PROV.wasAttributedTo,
            URIRef(f"{BASE}/id/agent/citykg-extractor")) in g
    assert (ana, RDF.type, PROV.Agent) in g
    saltworks = URIRef(f"{BASE}/id/landmark/saltworks")
    assert (saltworks, PROV.wasAttributedTo, ana) in g

    # editing the profile text under a decision stops the build, naming the sidecar line and the words
    text = seeds / "profiles" / "eastmere.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("a quarter of the land", "a third of the land"),
                    encoding="utf-8")
    line = side.read_text(encoding="utf-8").splitlines().index("  - decision: add") + 1
    failed = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--seeds", str(seeds), "--out", str(out),
                             "--quiet"], capture_output=True, text=True, timeout=300)
    message = " ".join(failed.stderr.split())
    assert failed.returncode == 1
    assert f"{side}:{line}: the add decision stands on words that are no longer in eastmere.txt: " \
           "'Its forest covers a quarter of the land.'" in message
    assert "the previous release" in message
