"""The extractor on the real Nanchang profile, and on the layouts it must survive."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from citykg.kg.extract import ExtractError, blocks_of, extract, split_list

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "seeds" / "profiles" / "nanchang.txt"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / "000_b149ccdc73a7fc75.txt"
DIVISIONS = ("Nanchang, the capital city of Jiangxi Province, governs three counties, six districts, "
             "three state-level development zones and the Wanli Administration.")
ECOLOGY = ("Its water area accounts for nearly 30% of the urban space, the urban green coverage rate is 43%, "
           "and the wetland area covers more than 20% of the city.")
INDUSTRY = ("Nanchang has a strong industrial foundation consisting of 4 leading industries with an output "
            "value of more than RMB 100 billion (electronic information, automobiles and new energy vehicle, "
            "green food and new materials).")


@pytest.fixture(scope="module")
def record():
    return extract(PROFILE)


def test_seed_is_the_given_document():
    if SHARED_SEED.exists():
        assert PROFILE.read_bytes() == SHARED_SEED.read_bytes()


def test_city_province_capital(record):
    assert record.city.name == "Nanchang"
    assert record.province.name == "Jiangxi Province"
    assert record.capital is True
    assert record.province.source == DIVISIONS


def test_divisions(record):
    for indicator, value in [("counties", 3), ("districts", 6), ("state-level-development-zones", 3)]:
        f = record.figure(indicator)
        assert (f.value, f.unit, f.qualifier, f.source) == (Decimal(value), "NUM", "exact", DIVISIONS)
    assert [d.name for d in record.divisions] == ["Wanli Administration"]


def test_centre_roles(record):
    assert record.centre_roles == ["political", "economic", "cultural", "scientific", "technological",
                                   "transportation"]
    assert record.roles_source.startswith("It is the political, economic")


@pytest.mark.parametrize(
    ("indicator", "value", "unit", "qualifier", "stated", "source"),
    [
        ("population", 6255000, "NUM", "exact", "6,255,000", "6,255,000"),
        ("area", 7159, "KiloM2", "exact", "7,159 km²", "7,159 km²"),
        ("water-area-share", 30, "PERCENT", "nearly", "nearly 30%", ECOLOGY),
        ("urban-green-coverage-rate", 43, "PERCENT", "exact", "43%", ECOLOGY),
        ("wetland-area-share", 20, "PERCENT", "more-than", "more than 20%", ECOLOGY),
        ("leading-industries", 4, "NUM", "exact", "4 leading industries", INDUSTRY),
        ("historical-cultural-sites", 600, "NUM", "as-many-as", "as many as 600",
         "The city is home to as many as 600 historical and cultural sites."),
    ],
)
def test_figures(record, indicator, value, unit, qualifier, stated, source):
    f = record.figure(indicator)
    assert f is not None, indicator
    assert (f.value, f.unit, f.qualifier, f.stated, f.source) == (Decimal(value), unit, qualifier, stated, source)


def test_wetland_sentence_broken_by_blank_line_is_joined(record):
    # In the source, "and the wetland" and "area covers more than 20%" are separated by a blank line.
    assert "wetland\n" in PROFILE.read_text(encoding="utf-8")
    assert record.figure("wetland-area-share").source == ECOLOGY


def test_industries_and_output(record):
    assert [i.name for i in record.industries] == [
        "electronic information", "automobiles and new energy vehicle", "green food", "new materials"]
    outputs = [f for f in record.figures if f.indicator.startswith("industrial-output-value-")]
    assert len(outputs) == 4
    for f in outputs:
        assert (f.value, f.unit, f.qualifier, f.source) == (Decimal(10**11), "CCY_CNY", "more-than", INDUSTRY)


def test_landmark(record):
    [lm] = record.landmarks
    assert lm.name == "Tengwang Pavilion"
    assert lm.note == "one of three famous towers in Jiangnan (south of the Yangtze River)"


def test_themes_heading_after_list_and_broken_line(record):
    assert [t.name for t in record.themes] == [
        "Nature Based Solutions for Circular Cities and Regions",
        "Urban Agendas/planning, SUD Strategies, public space, urban model",
        "Education, jobs & skills, Innovation centres, business clusters",
        "Regional Innovation & Smart and Sustainable Specialization Strategies (RIS 4)",
    ]


def test_narratives(record):
    assert [n.title for n in record.narratives] == [
        "Urban renewal", "Ecological civilization and green development", "Urban issues and planning",
        "Regional collaborative innovation", "Cooperation in education and vocational training"]
    assert [n.position for n in record.narratives] == [1, 2, 3, 4, 5]
    assert record.narratives[0].text.startswith("As urbanization enters a new stage")
    mentions = {(m.name, m.kind, m.count) for n in record.narratives for m in n.mentions}
    assert mentions == {
        ("national ecological civilization pilot zone", "programme", None),
        ("World Conference on VR Industry", "event", 4),
        ("Nanchang Technician College", "organisation", None),
        ("China (Nanchang) Modern Vocational Education City", "project", None),
    }


def test_credits_first(record):
    assert [(c.creator, c.licence) for c in record.credits] == [
        ("上海道台", "CC BY-SA 4.0"), ("Zhangzhugang", "CC BY-SA 4.0")]


def test_every_value_keeps_a_sentence_from_the_text(record):
    text = " ".join(PROFILE.read_text(encoding="utf-8").split())
    for f in record.figures:
        assert f.source in text or f.source == ECOLOGY, f


def test_split_list_keeps_and_inside_items():
    assert split_list("a, b and c, d and e") == ["a", "b and c", "d", "e"]


def test_blocks_join_sentence_across_blank_line():
    blocks = blocks_of("The wetland rate of this town\n\nis high and keeps rising every year.\n")
    assert [b.text for b in blocks] == ["The wetland rate of this town is high and keeps rising every year."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n\n  ", "the file is empty"),
        (b"\xff\xfe\x00N\x00a", "not a text file"),
        (b"Nanchang \xe9t\xe9 city", "not UTF-8 text"),
        (b"Some city without name.\n\nIt has many parks and rivers and good food for everyone here.\n",
         "no recognisable city name"),
    ],
)
def test_bad_input_names_file_and_problem(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ExtractError) as info:
        extract(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_cli_extract_json_and_yaml():
    out = subprocess.run([sys.executable, "-m", "citykg.cli", "extract", str(PROFILE)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    data = json.loads(out.stdout)
    assert data["city"]["name"] == "Nanchang"
    assert any(f["indicator"] == "population" and f["value"] == 6255000 for f in data["figures"])
    out = subprocess.run([sys.executable, "-m", "citykg.cli", "extract", str(PROFILE), "--format", "yaml"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert "name: Nanchang" in out.stdout


def test_cli_extract_bad_file_exits_non_zero(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    out = subprocess.run([sys.executable, "-m", "citykg.cli", "extract", str(bad)], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 1
    assert "empty" in out.stderr
