"""Changes between releases: three releases of edited seeds, and what changes.json, changes.csv,
changes.ttl and `citykg diff` say of every kind of change (kg/changes.py, docs/release.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib
from releases import PROFILES, citykg, edit, seeds

from citykg.uris import UriPolicy

BASE = "https://w3id.org/citykg"
P = UriPolicy(BASE)
CKG = rdflib.Namespace(f"{BASE}/def/")
RDF = rdflib.RDF
HARBOURFIELD_SENTENCE = "Harbourfield has a population of approximately {} and covers 16,800 sq km."


@pytest.fixture(scope="module")
def rel(tmp_path_factory) -> Path:
    """r1: Harbourfield, Lakeview, Pinecrest. r2: Harbourfield's population corrected and a Chinese label
    added; Lakeview's forest coverage qualifier changed and its universities removed; Riverton added.
    r3: Pinecrest removed, Harbourfield's Chinese label corrected."""
    work = tmp_path_factory.mktemp("changes")
    s = seeds(work / "seeds")

    def build(version: str) -> None:
        result = citykg("build", "--seeds", str(s), "--releases", str(work / "rel"), "--version", version,
                        "--quiet", "--no-documents")
        assert result.returncode == 0, result.stderr

    build("r1")
    edit(s, "harbourfield", "approximately 21,893,000", "approximately 22,100,000")
    (s / "profiles" / "harbourfield.yaml").write_text("city:\n  labels:\n    zh: 港田\n", encoding="utf-8")
    edit(s, "lakeview", "the forest coverage rate is about 31.2%", "the forest coverage rate is more than 31.2%")
    edit(s, "lakeview", " Lakeview is home to over 60 universities and colleges.", "")
    edit(s, "lakeview", "Lakeview is building a metro network", "Lakeview has built a metro network")
    (s / "profiles" / "riverton.txt").write_bytes((PROFILES / "riverton.txt").read_bytes())
    build("r2")
    (s / "profiles" / "pinecrest.txt").unlink()
    (s / "profiles" / "harbourfield.yaml").write_text("city:\n  labels:\n    zh: 港田市\n", encoding="utf-8")
    build("r3")
    return work / "rel"


def changes(rel: Path, version: str) -> dict:
    return json.loads((rel / version / "changes.json").read_text(encoding="utf-8"))


def city(doc: dict, slug: str) -> dict:
    [found] = [c for c in doc["cities"] if c["city"] == slug]
    return found


def by_label(facts: list[dict], label: str) -> dict:
    [found] = [f for f in facts if f["label"] == label]
    return found


def test_the_first_release_has_no_changes_files(rel):
    assert not list((rel / "r1").glob("changes.*"))
    manifest = json.loads((rel / "r1" / "manifest.json").read_text())
    assert not [f for f in manifest["files"] if f["name"].startswith("changes.")]


def test_changes_files_are_listed_in_the_manifest(rel):
    from citykg.manifest import read_manifest, verify_files

    manifest = read_manifest(rel / "r2")
    names = {f["name"]: f for f in manifest["files"]}
    assert {"changes.json", "changes.csv", "changes.ttl"} <= names.keys()
    assert names["changes.json"]["media_type"] == "application/json"
    assert names["changes.csv"]["media_type"] == "text/csv"
    assert names["changes.ttl"]["triples"] > 0
    verify_files(rel / "r2", manifest)  # sizes and SHA-256 are those of the files
    assert manifest["version_notes"] == ("1 city added, 4 facts changed, 2 facts added, 1 fact removed in 2 cities")


def test_summary_and_header(rel):
    doc = changes(rel, "r2")
    assert (doc["from"], doc["to"]) == ("r1", "r2")
    built = {v: json.loads((rel / v / "manifest.json").read_text())["built"] for v in ("r1", "r2")}
    assert (doc["from_built"], doc["to_built"]) == (built["r1"], built["r2"])
    assert doc["summary"] == {"cities_added": 1, "cities_removed": 0, "cities_changed": 2, "facts_added": 2,
                              "facts_removed": 1, "facts_changed": 4}
    assert [c["city"] for c in doc["cities"]] == ["harbourfield", "lakeview", "riverton"]


def test_a_corrected_value_is_changed_not_removed_and_added(rel):
    h = city(changes(rel, "r2"), "harbourfield")
    assert h["status"] == "changed" and h["label"] == "Harbourfield" and h["iri"] == f"{BASE}/id/city/harbourfield"
    population = [c for c in h["changed"] if c["new"]["indicator"] == str(P.concept("indicator", "population"))]
    assert len(population) == 1
    old, new = population[0]["old"], population[0]["new"]
    assert (old["value"], new["value"]) == ("21893000", "22100000")
    assert old["unit"] == new["unit"] == "http://qudt.org/vocab/unit/NUM"
    assert old["qualifier"] == new["qualifier"] == f"{BASE}/def/qualifier/approximately"
    assert HARBOURFIELD_SENTENCE.format("21,893,000") in old["source"]
    assert HARBOURFIELD_SENTENCE.format("22,100,000") in new["source"]
    assert new["subject"] == f"{BASE}/id/observation/harbourfield/population"
    assert new["property"] == "http://purl.org/linked-data/sdmx/2009/measure#obsValue"
    assert new["label"] == "population" and new["period"] is None
    # the same sentence gave the area: reworded, same value, so not a change
    assert not [f for f in h["added"] + h["removed"] if f["indicator"]]
    assert not [c for c in h["changed"] if c["new"]["indicator"] == str(P.concept("indicator", "area"))]


def test_a_changed_qualifier_and_a_removed_fact(rel):
    lv = city(changes(rel, "r2"), "lakeview")
    [forest] = [c for c in lv["changed"] if c["new"]["indicator"] and "forest" in c["new"]["indicator"]]
    assert forest["old"]["value"] == forest["new"]["value"] == "31.2"
    assert forest["old"]["period"] == forest["new"]["period"] == "2021"
    assert forest["old"]["qualifier"].endswith("/qualifier/approximately")
    assert forest["new"]["qualifier"].endswith("/qualifier/more-than")
    assert forest["new"]["label"] == "forest coverage rate (2021)"
    removed = by_label(lv["removed"], "universities")
    assert removed["value"] == "60" and removed["qualifier"].endswith("/qualifier/more-than")
    assert "home to over 60 universities" in removed["source"]
    assert lv["added"] == []
    [text] = [c for c in lv["changed"] if c["new"]["property"] == "https://schema.org/text"]
    assert text["new"]["subject"] == f"{BASE}/id/narrative/lakeview/urban-mobility"
    assert "has built a metro network" in text["new"]["value"] and "is building" in text["old"]["value"]


def test_a_label_added_then_changed(rel):
    h2 = city(changes(rel, "r2"), "harbourfield")
    zh = by_label(h2["added"], "label (zh)")
    assert (zh["value"], zh["lang"], zh["property"]) == ("港田", "zh", "http://www.w3.org/2000/01/rdf-schema#label")
    assert by_label(h2["added"], "name (zh)")["property"] == "https://schema.org/name"
    h3 = city(changes(rel, "r3"), "harbourfield")
    assert sorted(c["new"]["label"] for c in h3["changed"]) == ["label (zh)", "name (zh)"]
    for c in h3["changed"]:
        assert (c["old"]["value"], c["new"]["value"]) == ("港田", "港田市")
    assert h3["added"] == h3["removed"] == []


def test_a_city_added_with_all_its_facts(rel):
    r = city(changes(rel, "r2"), "riverton")
    assert r["status"] == "added" and r["removed"] == [] and r["changed"] == []
    population = [f for f in r["added"] if f["indicator"] == str(P.concept("indicator", "population"))]
    assert len(population) == 1 and population[0]["value"]
    text = " ".join((PROFILES / "riverton.txt").read_text(encoding="utf-8").split())
    for fact in r["added"]:  # every sentence is Riverton's own (a concept several profiles name has one each)
        assert fact["source"] is None or " ".join(fact["source"].split()) in text, fact
    labels = {f["label"] for f in r["added"]}
    assert {"label (en)", "leading industry", "organisation", "photo", "has narrative"} <= labels


def test_a_city_removed(rel):
    doc = changes(rel, "r3")
    p = city(doc, "pinecrest")
    assert p["status"] == "removed" and p["added"] == [] and p["changed"] == []
    assert by_label(p["removed"], "universities")["value"] == "25"
    assert doc["summary"]["cities_removed"] == 1
    assert json.loads((rel / "r3" / "manifest.json").read_text())["version_notes"] == \
        "1 city removed, 2 facts changed in 1 city"


def test_fact_fields(rel):
    from citykg.kg.changes import FACT_FIELDS

    doc = changes(rel, "r2")
    for c in doc["cities"]:
        for fact in c["added"] + c["removed"] + [f for ch in c["changed"] for f in (ch["old"], ch["new"])]:
            assert tuple(fact) == FACT_FIELDS
            assert fact["subject"].startswith(BASE) and fact["property"].startswith("http")
            assert isinstance(fact["value"], str) and fact["label"]
    # a thing linked to the city (schema:location): the thing, its label and its sentence
    org = next(f for f in city(doc, "riverton")["added"] if f["label"] == "organisation")
    assert org["inverse"] is True and org["value"].startswith(f"{BASE}/id/organisation/")
    assert org["property"] == "https://schema.org/location" and org["subject"] == f"{BASE}/id/city/riverton"
    assert org["value_label"] and org["source"]


def test_csv_one_row_per_change(rel):
    rows = list(csv.DictReader(io.StringIO((rel / "r2" / "changes.csv").read_text(encoding="utf-8"))))
    doc = changes(rel, "r2")
    expected = sum(len(c["added"]) + len(c["removed"]) + len(c["changed"]) + (c["status"] != "changed")
                   for c in doc["cities"])
    assert len(rows) == expected
    [row] = [r for r in rows if r["city"] == "harbourfield" and r["change"] == "changed"
             and r["indicator"].endswith("/population")]
    assert (row["old_value"], row["new_value"]) == ("21893000", "22100000")
    assert HARBOURFIELD_SENTENCE.format("22,100,000") in row["new_source"]
    assert [r["change"] for r in rows if r["city"] == "riverton"][0] == "city added"
    # the key column: the JSON's keys of the changed facts, one distinct key per fact of a city
    assert row["key"] == f"observation|{BASE}/def/indicator/population|"
    for c in doc["cities"]:
        keys = [r["key"] for r in rows if r["city"] == c["city"] and not r["change"].startswith("city")]
        assert len(keys) == len(set(keys))
        assert {ch["key"] for ch in c["changed"]} <= set(keys)
        assert all(k.split("|", 1)[0] in ("observation", "literal", "link", "in") for k in keys)


def test_turtle_statements_before_and_after(rel):
    g = rdflib.Graph().parse(rel / "r2" / "changes.ttl", format="turtle")
    cs = P.changes("r2")
    assert (cs, RDF.type, CKG.ChangeSet) in g
    assert g.value(cs, CKG.fromRelease) == P.release_dataset("r1")
    assert g.value(cs, CKG.toRelease) == P.release_dataset("r2")
    obs = rdflib.URIRef(f"{BASE}/id/observation/harbourfield/population")
    [change] = [c for c in g.subjects(RDF.type, CKG.FactChanged)
                if g.value(g.value(c, CKG.after), RDF.subject) == obs]
    before, after = g.value(change, CKG.before), g.value(change, CKG.after)
    assert g.value(before, RDF.object) == rdflib.Literal(21893000)
    assert g.value(after, RDF.object) == rdflib.Literal(22100000)
    assert (after, RDF.type, RDF.Statement) in g
    assert g.value(after, CKG.factQualifier) == rdflib.URIRef(f"{BASE}/def/qualifier/approximately")
    assert g.value(change, CKG.city) == P.id("city", "harbourfield")
    assert len(list(g.subjects(RDF.type, CKG.CityAdded))) == 1
    assert len(set(g.objects(cs, CKG.change))) == (len(list(g.subjects(RDF.type, CKG.FactAdded)))
                                                   + len(list(g.subjects(RDF.type, CKG.FactRemoved)))
                                                   + len(list(g.subjects(RDF.type, CKG.FactChanged))) + 1)


def test_turtle_conforms_and_the_shapes_catch_a_broken_change_set(rel):
    from citykg.kg.changes import validate_changes

    text = (rel / "r2" / "changes.ttl").read_text(encoding="utf-8")
    assert validate_changes(text, P, "pyshacl").conforms
    g = rdflib.Graph().parse(data=text, format="turtle")
    added = next(iter(g.subjects(RDF.type, CKG.FactAdded)))
    g.add((added, CKG.before, g.value(added, CKG.after)))  # an added fact with a fact before it
    changed = next(iter(g.subjects(RDF.type, CKG.FactChanged)))
    g.remove((changed, CKG.before, None))
    for validator in ("pyshacl", "fast"):
        report = validate_changes(g.serialize(format="turtle"), P, validator)
        assert not report.conforms
        focus = {(v.focus, v.path) for v in report.violations}
        assert (str(added), str(CKG.before)) in focus, validator
        assert (str(changed), str(CKG.before)) in focus, validator


def test_diff_prints_the_changelog(rel):
    text = citykg("diff", "--releases", str(rel), "r1", "r2")
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert out.splitlines()[0].startswith("changes from r1 (")
    assert "1 city added, 4 facts changed, 2 facts added, 1 fact removed in 2 cities" in out.splitlines()[0]
    assert "~ city Harbourfield (harbourfield)" in out
    assert "  ~ population: approximately 21,893,000 -> approximately 22,100,000 (value, source)" in out
    assert "  ~ forest coverage rate (2021): approximately 31.2% -> more than 31.2% (qualifier, source)" in out
    assert "  - universities: more than 60\n" in out
    [line] = [ln for ln in out.splitlines() if ln.startswith("  ~ text of narrative \u201cUrban mobility\u201d: ")]
    assert "Lakeview is building a metro network" in line and "-> Lakeview has built a metro network" in line
    assert line.endswith(" (value)")
    assert "+ city Riverton (riverton) added" in out
    folders = citykg("diff", str(rel / "r2"), str(rel / "r3"))
    assert folders.returncode == 0 and "- city Pinecrest (pinecrest) removed" in folders.stdout


@pytest.mark.parametrize(("fmt", "name"), [("json", "changes.json"), ("csv", "changes.csv"),
                                           ("turtle", "changes.ttl")])
def test_diff_formats_equal_the_release_files(rel, fmt, name):
    result = citykg("diff", "--releases", str(rel), "r1", "r2", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (rel / "r2" / name).read_text(encoding="utf-8").replace("\r\n", "\n")


def test_diff_of_a_release_against_itself_is_empty(rel):
    result = citykg("diff", "--releases", str(rel), "r2", "r2", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["cities"] == [] and set(doc["summary"].values()) == {0}
    text = citykg("diff", "--releases", str(rel), "r2", "r2")
    assert "no changes against release r2" in text.stdout


def test_diff_refuses_unknown_versions_and_folders(rel, tmp_path):
    result = citykg("diff", "--releases", str(rel), "r1", "r9")
    assert result.returncode == 1 and "no release 'r9'" in result.stderr and "r1, r2, r3" in result.stderr
    result = citykg("diff", str(rel / "r1"), str(tmp_path))
    assert result.returncode == 1 and "cannot compare" in result.stderr


def test_changes_read_the_releases_not_the_seeds(rel, tmp_path):
    """The changelog is a function of the two dataset.nq files: copies elsewhere give the same."""
    import shutil

    from citykg.kg.changes import compare_releases, to_json

    for v in ("r1", "r2"):
        shutil.copytree(rel / v, tmp_path / v)
    again = compare_releases(tmp_path / "r1", tmp_path / "r2")
    assert json.loads(to_json(again)) == changes(rel, "r2")


def test_a_shared_concept_gives_each_city_its_own_sentence(tmp_path):
    """An industry minted by two profiles has a sentence in each profile's graph: each city's fact shows its own."""
    from citykg.kg.changes import compare_releases

    city = f"{BASE}/id/city/"
    industry = f"{BASE}/def/industry/salt-works"
    lines = []
    for slug, sentence in (("alpha", "Alpha lives from its salt works."), ("beta", "Beta has old salt works.")):
        g = f"<{BASE}/graph/profile/{slug}>"
        lines += [f"<{city}{slug}> <{RDF.type}> <https://schema.org/City> {g} .",
                  f"<{city}{slug}> <{BASE}/def/leadingIndustry> <{industry}> {g} .",
                  f'<{industry}> <{BASE}/def/sourceText> "{sentence}"@en {g} .']
    for name, data in (("old", []), ("new", lines)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "dataset.nq").write_text("\n".join(sorted(data)) + "\n", encoding="utf-8")
        (tmp_path / name / "manifest.json").write_text(json.dumps({"base": BASE, "files": [], "sources": []}))
    found = {c.city: c for c in compare_releases(tmp_path / "old", tmp_path / "new").cities}
    for slug, sentence in (("alpha", "Alpha lives from its salt works."), ("beta", "Beta has old salt works.")):
        [fact] = [f for f in found[slug].added if f["property"] == f"{BASE}/def/leadingIndustry"]
        assert (fact["value"], fact["source"]) == (industry, sentence)


def test_text_shows_where_two_long_texts_differ():
    from citykg.kg.changes import Changes, CityChanges, _fact, to_text

    long = "Intro words. " * 10 + "The port handles 450 million tonnes." + " More words." * 5
    old = _fact(subject=f"{BASE}/id/city/x", property=f"{BASE}/def/subdivisionSummary", label="summary", value=long,
                lang="en")
    new = dict(old, value=long.replace("450", "460"))
    c = CityChanges("x", f"{BASE}/id/city/x", "X", "changed", changed=[{"key": "k", "old": old, "new": new}])
    text = to_text(Changes("a", "b", None, None, BASE, [c]))
    [line] = [ln for ln in text.splitlines() if ln.startswith("  ~ summary: ")]
    assert "The port handles 450 million tonnes." in line and "The port handles 460 million tonnes." in line
    assert line.count("...") == 4 and len(line) < 300
