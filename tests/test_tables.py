"""Indicator tables (CSV + CSVW metadata) join the release as Data Cube observations with periods."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "profiles"
BASE = "https://w3id.org/citykg"
HEADER = "city,indicator,period,value,unit,qualifier,source\n"
ROWS = (
    "Lakeview,population,2020,5512000,NUM,,Lakeview Statistical Yearbook 2021\n"
    "Lakeview,population,2021,5600000,NUM,about,Lakeview Statistical Yearbook 2022\n"
    "Pinecrest,forest-coverage-rate,2021-Q4,62.5,%,more than,Forest Province Bulletin\n"
)
METADATA = {
    "@context": "http://www.w3.org/ns/csvw",
    "url": "yearbook.csv",
    "dc:title": "Statistical yearbook extract",
    "tableSchema": {"columns": [{"name": n, "titles": n} for n in
                                ["city", "indicator", "period", "value", "unit", "qualifier", "source"]]},
}


def make_seeds(tmp_path: Path, rows: str = ROWS, metadata: dict | None = METADATA, header: str = HEADER) -> Path:
    seeds = tmp_path / "seeds"
    (seeds / "profiles").mkdir(parents=True)
    (seeds / "indicators").mkdir()
    for name in ("lakeview", "pinecrest"):
        shutil.copy(DATA / f"{name}.txt", seeds / "profiles" / f"{name}.txt")
    (seeds / "indicators" / "yearbook.csv").write_text(header + rows, encoding="utf-8")
    if metadata is not None:
        (seeds / "indicators" / "yearbook.csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return seeds


def build(seeds: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--seeds", str(seeds), "--out", str(out),
                           "--quiet"], capture_output=True, text=True, cwd=ROOT)


def test_table_rows_become_observations_with_periods(tmp_path):
    out = tmp_path / "dist"
    result = build(make_seeds(tmp_path), out)
    assert result.returncode == 0, result.stderr
    store = ox.Store()
    store.bulk_load(path=str(out / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query(f"""
        PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
        SELECT ?o ?period ?v ?q ?src WHERE {{ GRAPH <{BASE}/graph/table/yearbook> {{
          ?o sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?v ;
             <{BASE}/def/valueQualifier> ?q ; <{BASE}/def/sourceText> ?src ;
             <http://www.w3.org/ns/prov#wasDerivedFrom> <{BASE}/id/source/table-yearbook> }} }} ORDER BY ?o"""))
    got = [(r["o"].value, r["period"].value, r["v"].value, r["q"].value.rsplit("/", 1)[1]) for r in rows]
    assert got == [
        (f"{BASE}/id/observation/lakeview/population/2020", "http://reference.data.gov.uk/id/year/2020",
         "5512000", "exact"),
        (f"{BASE}/id/observation/lakeview/population/2021", "http://reference.data.gov.uk/id/year/2021",
         "5600000", "approximately"),
        (f"{BASE}/id/observation/pinecrest/forest-coverage-rate/2021-q4",
         "http://reference.data.gov.uk/id/quarter/2021-Q4", "62.5", "more-than"),
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert any(s["path"] == "indicators/yearbook.csv" and s["metadata"] == "indicators/yearbook.csv-metadata.json"
               for s in manifest["sources"])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("Atlantis,population,2020,1000,NUM,,x\n", "row 2: unknown city 'Atlantis'"),
        ("Lakeview,happiness,2020,10,NUM,,x\n", "row 2: unknown indicator 'happiness'"),
        ("Lakeview,population,2020,lots,NUM,,x\n", "row 2: value 'lots' is not a number"),
        ("Lakeview,population,2020,10,furlongs,,x\n", "row 2: unknown unit 'furlongs'"),
        ("Lakeview,population,2020,10,%,,x\n", "row 2: unit '%' does not fit 'population'"),
        ("Lakeview,population,last year,10,NUM,,x\n", "row 2: period 'last year'"),
        ("Lakeview,population,2020,10,NUM,perhaps,x\n", "row 2: unknown qualifier 'perhaps'"),
        ("Lakeview,population,2020,10,NUM,,\n", "row 2: the source column is empty"),
        ("Lakeview,population,2020,10,NUM\n", "row 2: 5 cells, expected 7"),
        (ROWS + "Lakeview,population,2020,10,NUM,,x\n", "row 5: the same city, indicator and period as row 2"),
    ],
)
def test_bad_rows_stop_the_build_naming_file_and_row(tmp_path, rows, message):
    result = build(make_seeds(tmp_path, rows), tmp_path / "dist")
    assert result.returncode == 1
    assert "yearbook.csv" in result.stderr and message in result.stderr, result.stderr
    assert not (tmp_path / "dist").exists()


def test_table_without_metadata_is_refused(tmp_path):
    result = build(make_seeds(tmp_path, metadata=None), tmp_path / "dist")
    assert result.returncode == 1
    assert "no CSVW metadata" in result.stderr


def test_header_must_match_metadata(tmp_path):
    result = build(make_seeds(tmp_path, header="town,indicator,period,value,unit,qualifier,source\n"),
                   tmp_path / "dist")
    assert result.returncode == 1
    assert "does not match the CSVW column titles" in result.stderr
