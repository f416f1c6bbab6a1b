"""Issue 12: a reviewer's decisions in the sidecar's `facts:` section, applied by the build with provenance."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from citykg.kg.build import BuildError, build_release
from citykg.kg.curation import Facts, parse_decisions
from citykg.kg.text import ExtractError
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, XSD

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/citykg"
WATER = ("Its water area accounts for nearly 30% of the urban space, the urban green coverage rate is 43%, and the "
         "wetland area covers more than 20% of the city.")

COLLEGE = ("Nanchang is accelerating the development of modern vocational education by strengthening the Nanchang "
           "Technician College and implementing the China (Nanchang) Modern Vocational Education City project with "
           "high standards.")
DIGITAL = ("For Nanchang, the development of electronic information and digital economy is key to cultivating new "
           "momentum.")

DECISIONS = f"""facts:
  - decision: correct
    fact: urban-green-coverage-rate
    value: 45
    quote: 43%
    sentence: {WATER}
    by: Li Wei
    at: 2026-12-02
  - decision: reject
    fact: historical-cultural-sites
    quote: as many as 600
    sentence: The city is home to as many as 600 historical and cultural sites.
    by: Li Wei
    at: 2026-12-02
  - decision: add
    indicator: famous-towers
    value: 3
    unit: NUM
    quote: three famous towers
    sentence: Tengwang Pavilion is reputed as "one of three famous towers in Jiangnan (south of the Yangtze River)".
    by: Li Wei
    at: 2026-12-02
  - decision: accept
    fact: population
    quote: 6,255,000
    sentence: 6,255,000
    by: Anna Schmidt
    at: 2026-12-01
  - decision: add
    landmark: Yangtze River
    quote: Yangtze River
    sentence: Tengwang Pavilion is reputed as "one of three famous towers in Jiangnan (south of the Yangtze
      River)".
    by: Li Wei
    at: 2026-12-02
  - decision: add
    organisation: Nanchang Technician College
    quote: Nanchang Technician College
    sentence: {COLLEGE}
    by: Li Wei
    at: 2026-12-02
  - decision: add
    theme: Digital economy
    quote: digital economy
    sentence: {DIGITAL}
    by: Li Wei
    at: 2026-12-02
"""


def seeds_with(tmp_path: Path, facts: str, text_edit: tuple[str, str] | None = None) -> Path:
    seeds = tmp_path / "seeds"
    (seeds / "profiles").mkdir(parents=True)
    for f in (ROOT / "seeds" / "profiles").iterdir():
        shutil.copy(f, seeds / "profiles" / f.name)
    side = seeds / "profiles" / "nanchang.yaml"
    side.write_text(side.read_text(encoding="utf-8") + facts, encoding="utf-8")
    if text_edit is not None:
        txt = seeds / "profiles" / "nanchang.txt"
        old = txt.read_text(encoding="utf-8")
        assert text_edit[0] in old
        txt.write_text(old.replace(*text_edit), encoding="utf-8")
    return seeds


def test_round_trip_keeps_every_line(tmp_path):
    """load -> save gives the same file: the comments and the other sections as they were, the decisions
    in the order and form `save` writes them."""
    side = seeds_with(tmp_path, "")/"profiles"/"nanchang.yaml"
    facts = Facts.load(side)
    assert facts.decisions == [] and facts.render() == side.read_text(encoding="utf-8")
    text = side.read_text(encoding="utf-8") + DECISIONS.replace("Yangtze\n      River", "Yangtze River")
    side.write_text(text, encoding="utf-8")
    facts = Facts.load(side)
    assert [d.decision for d in facts.decisions] == ["correct", "reject", "add", "accept", "add", "add", "add"]
    assert facts.decisions[0].line == text.splitlines().index("  - decision: correct") + 1
    assert facts.render() == text
    facts.save()
    assert side.read_text(encoding="utf-8") == text
    # a section in the middle of the file: the keys after it stay where they were
    middle = DECISIONS + "landmarks:\n  Tengwang Pavilion:\n    labels:\n      zh: 滕王阁\n"
    other = tmp_path / "other.yaml"
    other.write_text("# a comment\ncity:\n  labels:\n    zh: 南昌市\n" + middle, encoding="utf-8")
    again = Facts.load(other)
    again.decisions.pop(1)
    again.save()
    reloaded = Facts.load(other)
    assert [d.decision for d in reloaded.decisions] == ["correct", "add", "accept", "add", "add", "add"]
    assert reloaded.text.startswith("# a comment\ncity:") and reloaded.text.endswith("zh: 滕王阁\n")
    assert reloaded.render() == reloaded.text


@pytest.mark.parametrize("entry, message", [
    ("  - decision: fix\n    quote: a\n    sentence: a\n    by: X\n    at: 2026-12-02\n",
     "decision must be one of accept, correct, add, reject"),
    ("  - decision: add\n    indicator: x\n    value: 3\n    quote: a\n    sentence: a\n    by: X\n"
     "    at: 2026-12-02\n",
     "an added fact needs unit"),
    ("  - decision: correct\n    fact: area\n    value: ten\n    quote: a\n    sentence: a\n    by: X\n"
     "    at: 2026-12-02\n", "value: 'ten' is not a number"),
    ("  - decision: reject\n    fact: area\n    quote: a\n    sentence: a\n    by: X\n    at: yesterday\n",
     "at: must be the date of the decision"),
    ("  - decision: add\n    indicator: x\n    value: 3\n    unit: km\n    quote: a\n    sentence: a\n    by: X\n"
     "    at: 2026-12-02\n", "unit: 'km' is not one of"),
    ("  - decision: accept\n    fact: area\n    quote: a\n    sentence: a\n    at: 2026-12-02\n", "needs by:"),
    ("  - decision: reject\n    fact: area\n    quote: a\n    sentence: a\n    by: X\n    at: 2026-12-02\n"
     "    colour: red\n", "unknown key(s) colour"),
])
def test_a_bad_entry_names_its_line(tmp_path, entry, message):
    text = "city:\n  labels:\n    zh: 南昌市\nfacts:\n  - decision: reject\n    fact: area\n    quote: 7,159 km²\n" \
           "    sentence: 7,159 km²\n    by: X\n    at: 2026-12-02\n" + entry
    path = tmp_path / "x.yaml"
    with pytest.raises(ExtractError) as err:
        parse_decisions(path, text)
    assert f"{path}:11: facts: " in str(err.value) and message in str(err.value)


def test_the_build_applies_the_decisions_with_provenance(tmp_path, capsys):
    seeds = seeds_with(tmp_path, DECISIONS)
    result = build_release(seeds, tmp_path / "dist")
    assert result.review.as_dict() == {"extracted": 14, "reviewed": 6, "accepted": 1, "corrected": 1, "added": 4,
                                       "rejected": 1}
    report = json.loads((tmp_path / "dist" / "reports" / "nanchang.json").read_text(encoding="utf-8"))
    assert report["review"] == result.review.as_dict()
    reviewed = [line for s in report["sentences"] for line in s.get("reviewed", [])]
    assert "urban-green-coverage-rate = 43 PERCENT (exact) corrected to urban-green-coverage-rate = 45 PERCENT " \
           "(exact) by Li Wei on 2026-12-02" in reviewed
    ds = Graph()
    ds.parse(tmp_path / "dist" / "dataset.ttl", format="turtle")
    obs = URIRef(f"{BASE}/id/observation/nanchang/urban-green-coverage-rate")
    li = URIRef(f"{BASE}/id/agent/li-wei")
    assert (obs, URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue"), Literal(45)) in ds
    assert (obs, PROV.wasAttributedTo, li) in ds and (obs, DCTERMS.date, Literal("2026-12-02", datatype=XSD.date)) \
        in ds
    assert (obs, URIRef(f"{BASE}/def/reviewDecision"), Literal("corrected")) in ds
    assert (li, RDF.type, FOAF.Person) in ds and (li, RDF.type, PROV.Agent) in ds
    towers = URIRef(f"{BASE}/id/observation/nanchang/famous-towers")
    assert (towers, PROV.wasAttributedTo, li) in ds
    assert (towers, URIRef(f"{BASE}/def/reviewDecision"), Literal("added")) in ds
    assert not list(ds.triples((URIRef(f"{BASE}/id/observation/nanchang/historical-cultural-sites"), None, None)))
    population = URIRef(f"{BASE}/id/observation/nanchang/population")
    assert (population, PROV.wasAttributedTo, URIRef(f"{BASE}/id/agent/anna-schmidt")) in ds
    area = URIRef(f"{BASE}/id/observation/nanchang/area")
    assert (area, PROV.wasAttributedTo, URIRef(f"{BASE}/id/agent/citykg-extractor")) in ds
    assert (URIRef(f"{BASE}/id/agent/citykg-extractor"), RDF.type, PROV.SoftwareAgent) in ds
    assert (URIRef(f"{BASE}/id/landmark/yangtze-river"), PROV.wasAttributedTo, li) in ds
    college = URIRef(f"{BASE}/id/organisation/nanchang-technician-college")
    assert (college, PROV.wasAttributedTo, li) in ds and (college, RDF.type, URIRef(f"{BASE}/def/Organisation")) in ds
    assert (URIRef(f"{BASE}/id/city/nanchang"), URIRef(f"{BASE}/def/seeksCooperationOn"),
            URIRef(f"{BASE}/def/theme/digital-economy")) in ds
    # the city page says which facts were reviewed, from the graph
    from citykg.server.app import create_app

    page = create_app(tmp_path / "dist", config={"TESTING": True}).test_client().get(
        "/doc/city/nanchang.html").get_data(as_text=True)
    assert "3 of 14 reviewed by a person" in page
    assert '<span class="reviewed">corrected by Li Wei on 2026-12-02</span>' in page
    assert '<span class="reviewed">accepted by Anna Schmidt on 2026-12-01</span>' in page


def test_words_not_in_their_sentence_are_refused(tmp_path):
    seeds = seeds_with(tmp_path, DECISIONS.replace("landmark: Yangtze River\n    quote: Yangtze River",
                                                   "landmark: Bayi Square\n    quote: Bayi Square"))
    with pytest.raises(BuildError, match=r"nanchang\.yaml:\d+: the words 'Bayi Square' are not in the sentence"):
        build_release(seeds, tmp_path / "dist")


def test_edited_text_under_a_decision_stops_the_build(tmp_path):
    seeds = seeds_with(tmp_path, DECISIONS, ("the urban green coverage rate is 43%", "the urban green coverage is 43%"))
    side = seeds / "profiles" / "nanchang.yaml"
    line = side.read_text(encoding="utf-8").splitlines().index("  - decision: correct") + 1
    (tmp_path / "dist").mkdir()
    built = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--seeds", str(seeds), "--out",
                            str(tmp_path / "dist"), "--quiet"], capture_output=True, text=True, timeout=120)
    assert built.returncode == 1
    message = " ".join(built.stderr.split())
    assert f"{side}:{line}: the correct decision stands on words that are no longer in nanchang.txt" in message
    assert "the urban green coverage rate is 43%" in message
    assert not (tmp_path / "dist" / "manifest.json").exists()
