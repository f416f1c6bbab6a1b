"""`citykg build`: the release holds every fact of the profile, conforms, and is deterministic."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/citykg"
PREFIXES = f"""
PREFIX ckg: <{BASE}/def/>
PREFIX id: <{BASE}/id/>
PREFIX indicator: <{BASE}/def/indicator/>
PREFIX qualifier: <{BASE}/def/qualifier/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
"""
ECOLOGY = ("Its water area accounts for nearly 30% of the urban space, the urban green coverage rate is 43%, "
           "and the wetland area covers more than 20% of the city.")


def run_build(seeds: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citykg.cli", "build", "--seeds", str(seeds), "--out", str(out), "--quiet", *extra],
        capture_output=True, text=True, cwd=ROOT,
    )


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dist"
    result = run_build(ROOT / "seeds", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def store(release) -> ox.Store:
    s = ox.Store()
    s.bulk_load(path=str(release / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    return s


def expand(query: str) -> str:
    """`id:city/nanchang` is not a legal prefixed name in SPARQL (slash): write it out in full."""
    return PREFIXES + re.sub(r"\bid:([a-z]+/[\w/-]+)", rf"<{BASE}/id/\1>", query)


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(expand(query), use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(expand(query), use_default_graph_as_union=True))


def test_release_layout(release):
    names = {p.name for p in release.iterdir()}
    assert {"dataset.nq", "dataset.ttl", "dataset.nt.gz", "dataset.jsonld", "dataset.rdf", "catalog.ttl",
            "void.ttl", "shacl-report.ttl", "manifest.json"} <= names
    assert not [p for p in release.parent.iterdir() if p.name.startswith(".dist")], "temporary folder left"


def test_manifest_sizes_checksums_counts(release):
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["base"] == BASE and manifest["conforms"] is True
    assert manifest["software"]["name"] == "citykg"
    for entry in manifest["files"]:
        data = (release / entry["name"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["triples"] > 0 or entry["media_type"] == "application/json"
    [source] = manifest["sources"]
    assert source["sha256"] == hashlib.sha256((ROOT / "seeds/profiles/nanchang.txt").read_bytes()).hexdigest()
    nq = next(e for e in manifest["files"] if e["name"] == "dataset.nq")
    assert nq["triples"] == sum(manifest["graphs"].values())


def test_dumps_parse_to_the_same_triples(release):
    def triples(path: Path, fmt: ox.RdfFormat) -> set[str]:
        return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in ox.parse(path=str(path), format=fmt)}

    nq = triples(release / "dataset.nq", ox.RdfFormat.N_QUADS)
    assert triples(release / "dataset.ttl", ox.RdfFormat.TURTLE) == nq
    assert triples(release / "dataset.rdf", ox.RdfFormat.RDF_XML) == nq
    assert triples(release / "dataset.jsonld", ox.RdfFormat.JSON_LD) == nq
    nt = gzip.decompress((release / "dataset.nt.gz").read_bytes()).decode()
    assert {str(t) for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)} == nq


def test_named_graphs(store):
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {f"{BASE}/graph/ontology", f"{BASE}/graph/profile/nanchang", f"{BASE}/graph/metadata"}


def test_no_blank_nodes_outside_owl_and_shacl(store):
    rows = select(store, "SELECT ?s ?p WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } LIMIT 5")
    assert rows == []
    # and who asserted it: the extractor (no reviewer's decision in the default seeds)
    assert not select(store, f"""SELECT ?s WHERE {{ GRAPH <{BASE}/graph/profile/nanchang> {{
        ?s a qb:Observation FILTER NOT EXISTS {{ ?s prov:wasAttributedTo id:agent/citykg-extractor }} }} }}""")


def test_city_facts(store):
    assert ask(store, """ASK { id:city/nanchang a schema:City ; rdfs:label "Nanchang"@en ; rdfs:label "南昌市"@zh ;
        schema:containedInPlace id:province/jiangxi ; ckg:capitalOf id:province/jiangxi ;
        owl:sameAs <https://sws.geonames.org/1800163/> ;
        geo:hasGeometry/geo:asWKT "POINT(115.85306 28.68396)"^^geo:wktLiteral ;
        prov:wasDerivedFrom id:source/nanchang }""")
    assert ask(store, """ASK { id:province/jiangxi a schema:AdministrativeArea ; rdfs:label "江西省"@zh ;
        owl:sameAs <http://www.wikidata.org/entity/Q57052>, <https://sws.geonames.org/1806222/> ;
        schema:containedInPlace ?c . ?c owl:sameAs <http://www.wikidata.org/entity/Q148> }""")
    roles = select(store, "SELECT ?r WHERE { id:city/nanchang ckg:centreRole ?r }")
    assert sorted(r["r"].rsplit("/", 1)[1] for r in roles) == sorted(
        ["political", "economic", "cultural", "scientific", "technological", "transportation"])
    assert ask(store, """ASK { id:area/wanli-administration schema:containedInPlace id:city/nanchang ;
        rdfs:label "Wanli Administration"@en }""")


@pytest.mark.parametrize(
    ("indicator", "value", "unit", "qualifier", "stated", "source"),
    [
        ("population", "6255000", "NUM", "exact", "6,255,000", "6,255,000"),
        ("area", "7159", "KiloM2", "exact", "7,159 km²", "7,159 km²"),
        ("water-area-share", "30", "PERCENT", "nearly", "nearly 30%", ECOLOGY),
        ("urban-green-coverage-rate", "43", "PERCENT", "exact", "43%", ECOLOGY),
        ("wetland-area-share", "20", "PERCENT", "more-than", "more than 20%", ECOLOGY),
        ("counties", "3", "NUM", "exact", "three counties", None),
        ("districts", "6", "NUM", "exact", "six districts", None),
        ("state-level-development-zones", "3", "NUM", "exact", "three state-level development zones", None),
        ("leading-industries", "4", "NUM", "exact", "4 leading industries", None),
        ("industrial-output-value-electronic-information", "100000000000", "CCY_CNY", "more-than",
         "more than RMB 100 billion", None),
        ("industrial-output-value-new-materials", "100000000000", "CCY_CNY", "more-than",
         "more than RMB 100 billion", None),
        ("historical-cultural-sites", "600", "NUM", "as-many-as", "as many as 600",
         "The city is home to as many as 600 historical and cultural sites."),
    ],
)
def test_observation(store, indicator, value, unit, qualifier, stated, source):
    rows = select(store, f"""SELECT ?v ?unit ?q ?stated ?src ?ql WHERE {{
        ?o a qb:Observation ; qb:dataSet id:dataset/nanchang ; sdmx-dimension:refArea id:city/nanchang ;
           ckg:indicator indicator:{indicator} ; sdmx-measure:obsValue ?v ;
           sdmx-attribute:unitMeasure ?unit ; ckg:valueQualifier ?q ; ckg:statedAs ?stated ;
           ckg:sourceText ?src ; prov:wasDerivedFrom id:source/nanchang .
        ?q skos:prefLabel ?ql }}""")
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["v"] == value
    assert row["unit"] == f"http://qudt.org/vocab/unit/{unit}"
    assert row["q"] == f"{BASE}/def/qualifier/{qualifier}"
    assert row["stated"] == stated
    if source:
        assert row["src"] == source


def test_observation_uri_policy(store):
    assert ask(store, "ASK { id:observation/nanchang/population ckg:indicator indicator:population }")


def test_industries_with_nace(store):
    rows = select(store, "SELECT ?i ?l WHERE { id:city/nanchang ckg:leadingIndustry ?i . ?i skos:prefLabel ?l }")
    assert {r["i"].rsplit("/", 1)[1] for r in rows} == {
        "electronic-information", "automobiles-and-new-energy-vehicle", "green-food", "new-materials"}
    assert ask(store, f"ASK {{ <{BASE}/def/industry/electronic-information> skos:closeMatch "
                      "<http://data.europa.eu/ux2/nace2/26> }")


def test_landmark(store):
    rows = select(store, """SELECT ?rep ?zh WHERE {
        id:landmark/tengwang-pavilion a schema:LandmarksOrHistoricalBuildings ;
        schema:containedInPlace id:city/nanchang ; ckg:reputation ?rep ; rdfs:label ?zh FILTER(lang(?zh) = "zh") }""")
    assert rows == [{"rep": "one of three famous towers in Jiangnan (south of the Yangtze River)", "zh": "滕王阁"}]


def test_themes(store):
    rows = select(store, "SELECT ?l WHERE { id:city/nanchang ckg:seeksCooperationOn ?t . ?t skos:prefLabel ?l }")
    assert {r["l"] for r in rows} == {
        "Nature Based Solutions for Circular Cities and Regions",
        "Urban Agendas/planning, SUD Strategies, public space, urban model",
        "Education, jobs & skills, Innovation centres, business clusters",
        "Regional Innovation & Smart and Sustainable Specialization Strategies (RIS 4)",
    }


def test_narratives_and_mentions(store):
    rows = select(store, """SELECT ?pos ?title WHERE { ?n ckg:narrativeOf id:city/nanchang ;
        schema:position ?pos ; rdfs:label ?title ; schema:text ?text ; prov:wasDerivedFrom id:source/nanchang }
        ORDER BY ?pos""")
    assert [r["title"] for r in rows] == [
        "Urban renewal", "Ecological civilization and green development", "Urban issues and planning",
        "Regional collaborative innovation", "Cooperation in education and vocational training"]
    assert ask(store, """ASK { ?n schema:mentions id:event/world-conference-on-vr-industry .
        id:event/world-conference-on-vr-industry ckg:editionCount 4 ; ckg:sourceText ?s }""")
    for uri in ("organisation/nanchang-technician-college",
                "project/china-nanchang-modern-vocational-education-city",
                "programme/national-ecological-civilization-pilot-zone"):
        assert ask(store, f"ASK {{ ?n schema:mentions id:{uri} . id:{uri} schema:location id:city/nanchang }}"), uri


def test_photo_credits(store):
    rows = select(store, """SELECT ?name ?credit WHERE { ?img a schema:ImageObject ; schema:about id:city/nanchang ;
        schema:creditText ?credit ; schema:creator/schema:name ?name ;
        schema:license <http://creativecommons.org/licenses/by-sa/4.0/> ;
        dct:license <http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0> }""")
    assert {r["name"] for r in rows} == {"上海道台", "Zhangzhugang"}
    assert {r["credit"] for r in rows} == {"©上海道台, CC BY-SA 4.0", "©Zhangzhugang, CC BY-SA 4.0"}


def test_source_document(store):
    digest = hashlib.sha256((ROOT / "seeds/profiles/nanchang.txt").read_bytes()).hexdigest()
    assert ask(store, f'ASK {{ id:source/nanchang a prov:Entity ; ckg:sha256 "{digest}" }}')


def test_every_fact_has_provenance(store):
    rows = select(store, f"""SELECT ?s WHERE {{ GRAPH <{BASE}/graph/profile/nanchang> {{
        ?s a ?t FILTER(STRSTARTS(STR(?s), "{BASE}/id/"))
        FILTER(?t NOT IN (<http://xmlns.com/foaf/0.1/Agent>, schema:Person, schema:Country))
        FILTER NOT EXISTS {{ ?s a ?agent FILTER(?agent IN (prov:Agent, <http://xmlns.com/foaf/0.1/Agent>)) }}
        FILTER NOT EXISTS {{ ?s prov:wasDerivedFrom ?src }}
        FILTER(!STRSTARTS(STR(?s), "{BASE}/id/source/"))
        FILTER(!CONTAINS(STR(?s), "#")) }} }}""")  # hash IRIs: geometry nodes of a resource with provenance
    assert rows == []


def test_deterministic(tmp_path, release):
    again = tmp_path / "again"
    assert run_build(ROOT / "seeds", again).returncode == 0
    for name in ("dataset.nt.gz", "dataset.nq", "dataset.ttl", "catalog.ttl"):
        assert (again / name).read_bytes() == (release / name).read_bytes(), name


def test_base_is_one_setting(tmp_path):
    out = tmp_path / "other"
    result = run_build(ROOT / "seeds", out, "--base", "http://data.example.org/cities")
    assert result.returncode == 0, result.stderr
    text = gzip.decompress((out / "dataset.nt.gz").read_bytes()).decode()
    assert "<http://data.example.org/cities/id/city/nanchang>" in text
    assert "<http://data.example.org/cities/def/City>" in text
    assert "w3id.org/citykg" not in text


def _seeds_with(tmp_path: Path, name: str, content: bytes) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "profiles" / name).write_bytes(content)
    return seeds


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
        (b"caf\xe9 city\n", "not UTF-8 text"),
        (b"A town with no name at all, many parks and rivers and good food.\n\n1,200,000\n",
         "no recognisable city name"),
    ],
)
def test_bad_input_stops_build_and_keeps_previous_release(tmp_path, release, content, message):
    """An empty, binary or non-UTF-8 file, or a text naming no city, stops the build (naming the file)."""
    out = tmp_path / "dist"
    shutil.copytree(release, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    seeds = _seeds_with(tmp_path, "broken.txt", content)
    result = run_build(seeds, out)
    assert result.returncode == 1
    assert "broken.txt" in result.stderr and message in result.stderr
    assert "unchanged" in result.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def test_profile_without_sidecar_builds(tmp_path):
    seeds = tmp_path / "seeds"
    (seeds / "profiles").mkdir(parents=True)
    shutil.copy(ROOT / "seeds/profiles/nanchang.txt", seeds / "profiles/nanchang.txt")
    result = run_build(seeds, tmp_path / "dist")
    assert result.returncode == 0, result.stderr


def test_validate_command(release, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "citykg.cli", "validate", "--release", str(release)],
                        capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "conforms" in ok.stdout
    broken = tmp_path / "broken"
    shutil.copytree(release, broken)
    data = (broken / "dataset.ttl").read_bytes()
    (broken / "dataset.ttl").write_bytes(data[: len(data) // 2])
    bad = subprocess.run([sys.executable, "-m", "citykg.cli", "validate", "--release", str(broken)],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert "dataset.ttl" in bad.stderr and "truncated" in bad.stderr


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_validate_command_finds_violations(release, tmp_path, validator):
    """`citykg validate --validator` runs the engine the build would: a shape violation smuggled into
    dataset.nq (with a manifest that matches it) is reported by either, and exits 1."""
    ok = subprocess.run([sys.executable, "-m", "citykg.cli", "validate", "--release", str(release),
                         "--validator", validator], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "conforms" in ok.stdout, ok.stderr
    broken = tmp_path / "broken"
    shutil.copytree(release, broken)
    dump = broken / "dataset.nq"
    lines = dump.read_bytes().split(b"\n")
    kept = [line for line in lines if not line.startswith(f"<{BASE}/id/source/nanchang> <{BASE}/def/sha256> ".encode())]
    assert len(kept) == len(lines) - 1
    dump.write_bytes(b"\n".join(kept))
    manifest = json.loads((broken / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["name"] == "dataset.nq")
    entry["size"], entry["sha256"] = dump.stat().st_size, hashlib.sha256(dump.read_bytes()).hexdigest()
    (broken / "manifest.json").write_text(json.dumps(manifest))
    bad = subprocess.run([sys.executable, "-m", "citykg.cli", "validate", "--release", str(broken),
                          "--validator", validator], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "1 SHACL violation(s)" in bad.stdout and "id/source/nanchang" in bad.stdout


# -- no ontology or shapes: an error, never a vacuous pass -----------------------------------------


@pytest.mark.parametrize("loader", ["load_ontology", "load_shapes"])
def test_missing_or_empty_terms_are_an_error(tmp_path, loader):
    from citykg.kg import validate

    from citykg.uris import UriPolicy

    load = getattr(validate, loader)
    policy = UriPolicy(BASE)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(validate.MissingTermsError, match=r"no Turtle \(\*\.ttl\) files"):
        load(policy, empty)
    with pytest.raises(validate.MissingTermsError, match="no such folder"):
        load(policy, tmp_path / "absent")
    with pytest.raises(validate.MissingTermsError, match="is not installed"):
        load(policy, "citykg.no_such_package")
    (empty / "other.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    with pytest.raises(validate.MissingTermsError, match="would pass vacuously"):
        load(policy, empty)


def test_build_without_shapes_fails_and_keeps_the_release(tmp_path, release, monkeypatch):
    from citykg.kg import build, validate
    from click.testing import CliRunner

    from citykg import cli

    empty = tmp_path / "empty-shapes"
    empty.mkdir()
    monkeypatch.setattr(build, "load_shapes", lambda policy: validate.load_shapes(policy, empty))
    out = tmp_path / "dist"
    shutil.copytree(release, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli.main, ["build", "--seeds", str(ROOT / "seeds"), "--out", str(out), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "build failed:" in result.output and "no Turtle (*.ttl) files" in result.output
    assert "unchanged" in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_error_messages_are_printed_as_text_not_markup(tmp_path):
    """A path with [brackets] (rich markup syntax) reaches the user as written."""
    seeds = tmp_path / "[draft]" / "seeds [/b]"
    seeds.mkdir(parents=True)
    result = run_build(seeds, tmp_path / "dist")
    assert result.returncode == 1
    assert "build failed:" in result.stderr and f"{seeds}/profiles: no such folder" in result.stderr, result.stderr


def test_missing_facts_warn_unless_required(tmp_path, release):
    """Only a city name is required: a text stating no population builds, with a warning in the
    summary and the report; `--require population,area` restores the strict rule."""
    seeds = _seeds_with(tmp_path, "lakeside.txt", b"Lakeside, the capital city of Hill Province, has many parks, "
                                                  b"rivers and a lot of visitors from the whole region.\n")
    out = tmp_path / "dist"
    built = run_build(seeds, out)
    assert built.returncode == 0, built.stderr
    assert "warning: lakeside.txt: no population stated" in built.stderr
    assert "warning: lakeside.txt: no area stated" in built.stderr and "warning(s)" in built.stdout
    report = json.loads((out / "reports" / "lakeside.json").read_text())
    assert any("no population stated" in w for w in report["warnings"])
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    strict = run_build(seeds, out, "--require", "population,area")
    assert strict.returncode == 1
    assert "lakeside.txt: no population stated, and the build requires one" in strict.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    wrong = run_build(seeds, out, "--require", "mayor")
    assert wrong.returncode == 1 and "--require 'mayor'" in wrong.stderr
