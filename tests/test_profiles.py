"""The general extractor on invented profiles that vary the way the catalogue's profiles do."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from citykg.kg.extract import extract

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "profiles"
PROFILES = sorted(p.stem for p in DATA.glob("*.txt"))
BASE = "https://w3id.org/citykg"


def expected(name: str) -> dict:
    return yaml.safe_load((DATA / f"{name}.expected.yaml").read_text(encoding="utf-8"))


def test_at_least_five_varied_profiles():
    assert len(PROFILES) >= 5


@pytest.mark.parametrize("name", PROFILES)
def test_expected_record(name):
    record = extract(DATA / f"{name}.txt")
    want = expected(name)
    assert record.city.name == want["city"]
    assert (record.province.name if record.province else None) == want["province"]
    assert record.capital is want["capital"]
    got = {(f.indicator, f.value, f.unit, f.qualifier, f.period) for f in record.figures}
    assert got == {(i, Decimal(str(v)), u, q, rest[0] if rest else None) for i, v, u, q, *rest in want["figures"]}
    if "centre_roles" in want:
        assert record.centre_roles == want["centre_roles"]
    if "industries" in want:
        assert [i.name for i in record.industries] == want["industries"]
    assert [t.name for t in record.themes] == want["themes"]
    assert [n.title for n in record.narratives] == want["narratives"]
    assert {(m.name, m.kind) for n in record.narratives for m in n.mentions} == {tuple(m) for m in want["mentions"]}
    assert [lm.name for lm in record.landmarks] == want.get("landmarks", [])
    assert [(c.creator, c.licence) for c in record.credits] == [tuple(c) for c in want["credits"]]


@pytest.mark.parametrize("name", PROFILES)
def test_report_lists_every_unmapped_figure(name):
    record = extract(DATA / f"{name}.txt")
    unmapped = [u for r in record.report for u in r.unmapped]
    for figure in expected(name)["unmapped"]:
        assert any(u.startswith(figure) for u in unmapped), (figure, unmapped)
    # Every figure of every sentence is either a fact or listed: none is dropped silently.
    stated = {f.stated for f in record.figures}
    for r in record.report:
        for u in r.unmapped:
            assert u not in stated
    mapped, total, _ = record.coverage()
    assert total >= 5 and mapped >= total - 2


def test_decoys_are_not_populations():
    lakeview = extract(DATA / "lakeview.txt")
    assert lakeview.figure("population").value == Decimal("5600000")
    stonebridge = extract(DATA / "stonebridge.txt")
    assert stonebridge.figure("population").value == Decimal("7810500")


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    seeds = tmp_path_factory.mktemp("seeds")
    (seeds / "profiles").mkdir()
    for name in PROFILES:
        shutil.copy(DATA / f"{name}.txt", seeds / "profiles" / f"{name}.txt")
    shutil.copy(ROOT / "seeds/profiles/nanchang.txt", seeds / "profiles/nanchang.txt")
    shutil.copy(ROOT / "seeds/profiles/nanchang.yaml", seeds / "profiles/nanchang.yaml")
    out = seeds.parent / "dist"
    result = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--seeds", str(seeds), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    (out / "build.log").write_text(result.stdout + result.stderr)
    return out


def test_catalogue_builds_with_every_expected_fact(catalogue):
    store = ox.Store()
    store.bulk_load(path=str(catalogue / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    for name in PROFILES:
        want = expected(name)
        city = want["city"].lower()
        for indicator, value, unit, qualifier, *rest in want["figures"]:
            period = f"/{rest[0]}" if rest else ""
            q = f"""ASK {{ <{BASE}/id/observation/{city}/{indicator}{period}>
                <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v ;
                <http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure> <http://qudt.org/vocab/unit/{unit}> ;
                <{BASE}/def/valueQualifier> <{BASE}/def/qualifier/{qualifier}> ;
                <http://purl.org/linked-data/sdmx/2009/dimension#refArea> <{BASE}/id/city/{city}> .
                FILTER(?v = {value}) }}"""
            assert bool(store.query(q, use_default_graph_as_union=True)), (name, indicator)


def test_build_prints_coverage_and_publishes_reports(catalogue):
    log = (catalogue / "build.log").read_text()
    assert "lakeview.txt" in log and "coverage" in log
    manifest = json.loads((catalogue / "manifest.json").read_text())
    names = {f["name"] for f in manifest["files"]}
    for name in [*PROFILES, "nanchang"]:
        assert f"reports/{name}.json" in names
    report = json.loads((catalogue / "reports" / "lakeview.json").read_text())
    assert report["city"] == "Lakeview"
    assert any("300,000 visitors" in u for s in report["sentences"] for u in s["unmapped"])
    assert report["coverage"]["sentences"] >= report["coverage"]["mapped"] > 0
