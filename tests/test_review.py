"""Issue 12: the review tool's own API (the page's requests), without a browser."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from citykg.kg.curation import Facts
from citykg.kg.review import create_review_app

ROOT = Path(__file__).resolve().parents[1]
DENSITY = "The population density is 1.538 per km²."


@pytest.fixture()
def client(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "tests" / "data" / "review", seeds)
    return seeds, create_review_app(seeds).test_client()


def test_state_shows_facts_candidates_and_figures_nothing_took(client):
    _seeds, c = client
    state = c.get("/api/profile/eastmere").get_json()
    assert state["counts"]["extracted"] == 4 and state["error"] is None
    by_text = {s["text"]: s for s in state["sentences"]}
    assert [f["indicator"] for f in by_text[DENSITY]["facts"]] == ["population-density"]
    assert [m["status"] for m in by_text[DENSITY]["marks"]] == ["fact"]
    cycling = by_text["Over 60 per cent of residents cycle to work."]
    assert cycling["candidates"][0]["stated"] == "Over 60 per cent" and cycling["candidates"][0]["value"] == 60
    assert "population-density" in {i["slug"] for i in state["indicators"]}
    assert c.get("/profile/eastmere").status_code == 200 and c.get("/profile/nowhere").status_code == 404
    assert b"eastmere" in c.get("/").data


def test_decisions_are_checked_saved_replaced_and_undone(client):
    seeds, c = client
    side = seeds / "profiles" / "eastmere.yaml"
    bad = c.post("/api/profile/eastmere/decisions", json={"decision": "correct", "fact": "population-density",
                                                          "value": "1538", "quote": "1.538", "sentence": DENSITY,
                                                          "by": "Ana Test"})
    assert bad.status_code == 400 and "no longer takes" in bad.get_json()["error"] and not side.exists()
    assert c.post("/api/profile/eastmere/decisions", data="decision=reject").status_code == 400  # JSON only
    body = {"decision": "correct", "fact": "population-density", "value": "1538", "quote": "1.538 per km²",
            "sentence": DENSITY, "by": "Ana Test"}
    assert c.post("/api/profile/eastmere/decisions", json=body).status_code == 200
    assert c.post("/api/profile/eastmere/decisions", json=body | {"value": "1537"}).status_code == 200
    decisions = Facts.load(side).decisions
    assert len(decisions) == 1 and decisions[0].value == 1537  # the second correction replaced the first
    state = c.delete("/api/profile/eastmere/decisions/0").get_json()
    assert state["decisions"] == [] and Facts.load(side).decisions == []
    assert c.post("/api/profile/eastmere/parse", json={"quote": "a quarter", "sentence": "x"}).get_json() == {
        "period": None, "value": 25, "unit": "PERCENT", "qualifier": "exact"}


def test_a_stale_decision_shows_on_the_page(client):
    seeds, c = client
    side = seeds / "profiles" / "eastmere.yaml"
    c.post("/api/profile/eastmere/decisions", json={"decision": "reject", "fact": "average-rent", "quote": "EUR 9.50",
                                                    "sentence": "Average rent is EUR 9.50 per m².", "by": "Ana Test"})
    text = seeds / "profiles" / "eastmere.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("Average rent", "The average rent"), encoding="utf-8")
    state = c.get("/api/profile/eastmere").get_json()
    assert f"{side}:2: the reject decision stands on words that are no longer in eastmere.txt" in state["error"]


def test_cli_help():
    out = subprocess.run([sys.executable, "-m", "citykg.cli", "review", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and "--seeds" in out.stdout and "--port" in out.stdout
