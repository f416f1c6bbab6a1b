"""citykg.kg.metadata: DCAT-AP 3 catalogue + VoID + SPARQL service description of a release.

Checked against the official DCAT-AP 3.0.1 shapes vendored in ``shared/vendor/dcat-ap``
(``CITYKG_SHARED`` overrides the ``shared`` folder).
"""

from __future__ import annotations

import glob
import os
from functools import cache
from pathlib import Path

import pyshacl
import pytest
import rdflib
from citykg.kg.metadata import DUMPS, FileInfo, ReleaseSettings, build_metadata, void_only
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID

from citykg.uris import (
    EU_FILETYPE,
    IANA_MEDIA,
    QB,
    SCHEMA,
    SD,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SH,
    SPDX,
    UNIT,
    UriPolicy,
)

# plain namespaces: pytest's collector probes module attributes, which DefinedNamespace warns about
DCAT = rdflib.Namespace(str(rdflib.namespace.DCAT))
XSD = rdflib.Namespace(str(rdflib.namespace.XSD))

SHARED = Path(os.environ.get("CITYKG_SHARED") or Path(__file__).resolve().parents[2] / "shared")
VENDOR = SHARED / "vendor" / "dcat-ap"
MAIN_SHAPES = VENDOR / "3.0.1" / "shacl" / "dcat-ap-SHACL.ttl"
MDR_SHAPES = VENDOR / "3.0.1" / "html" / "shacl" / "mdr-vocabularies.shape.ttl"
VOCABULARIES = VENDOR / "vocabularies" / "eu-authority"

pytestmark = pytest.mark.skipif(not MAIN_SHAPES.exists(), reason=f"DCAT-AP shapes not found in {VENDOR}")

POLICY = UriPolicy("https://example.org/ckg")
GEONAMES_NANCHANG = URIRef("https://sws.geonames.org/1800163/")
GEONAMES_CHINA = URIRef("https://sws.geonames.org/1814991/")

EXPECTED = {  # name -> (IANA media type, EU file-type code)
    "dataset.nq": ("application/n-quads", "RDF_N_QUADS"),
    "dataset.ttl": ("text/turtle", "RDF_TURTLE"),
    "dataset.nt.gz": ("application/n-triples", "RDF_N_TRIPLES"),
    "dataset.jsonld": ("application/ld+json", "JSON_LD"),
    "dataset.rdf": ("application/rdf+xml", "RDF_XML"),
}


# -- fixtures --------------------------------------------------------------------------------------


def small_release() -> rdflib.Dataset:
    """A city, its province and country, two observations (profile graph) and a bit of ontology."""
    p = POLICY
    data = rdflib.Dataset()
    ont = data.graph(p.graph("ontology"))
    ont.add((p.term("City"), RDF.type, OWL.Class))
    ont.add((p.term("City"), RDFS.label, Literal("City", lang="en")))
    ont.add((p.term("dsd"), RDF.type, QB.DataStructureDefinition))
    ont.add((p.concept("indicator", "population"), RDF.type, SKOS.Concept))
    ont.add((p.concept("indicator", "population"), SKOS.prefLabel, Literal("population", lang="en")))

    g = data.graph(p.graph("profile/nanchang"))
    city, province, country = p.id("city", "nanchang"), p.id("province", "jiangxi"), p.id("country", "china")
    g.add((city, RDF.type, SCHEMA.City))
    g.add((city, RDF.type, p.term("City")))
    g.add((city, RDFS.label, Literal("Nanchang", lang="en")))
    g.add((city, SCHEMA.name, Literal("南昌", lang="zh")))
    g.add((city, SCHEMA.containedInPlace, province))
    g.add((city, OWL.sameAs, GEONAMES_NANCHANG))
    g.add((province, RDF.type, SCHEMA.AdministrativeArea))
    g.add((province, RDFS.label, Literal("Jiangxi", lang="en")))
    g.add((province, SCHEMA.containedInPlace, country))
    g.add((country, RDF.type, SCHEMA.Country))
    g.add((country, RDFS.label, Literal("China", lang="en")))
    g.add((country, OWL.sameAs, GEONAMES_CHINA))
    qbset = p.id("dataset", "nanchang")
    g.add((qbset, RDF.type, QB.DataSet))
    g.add((qbset, QB.structure, p.term("dsd")))
    for indicator, value, unit in (
        ("population", Literal(6_000_000), UNIT.NUM),
        ("area", Literal("7195", datatype=XSD.decimal), UNIT.KiloM2),
    ):
        obs = p.observation("nanchang", indicator)
        g.add((obs, RDF.type, QB.Observation))
        g.add((obs, QB.dataSet, qbset))
        g.add((obs, SDMX_DIMENSION.refArea, city))
        g.add((obs, p.term("indicator"), p.concept("indicator", indicator)))
        g.add((obs, SDMX_MEASURE.obsValue, value))
        g.add((obs, URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"), unit))
    return data


def fake_files() -> list[FileInfo]:
    return [FileInfo(d.name, 1000 + i, f"{i:02x}" * 32, d.media_type, 33) for i, d in enumerate(DUMPS)] + [
        FileInfo("manifest.json", 10, "ff" * 32, "application/json", 0)
    ]  # not a dump: ignored


SETTINGS = ReleaseSettings(
    contact_email="data@example.org", issued="2026-11-28", publisher_url="https://example.org/"
)


@pytest.fixture(scope="module")
def data() -> rdflib.Dataset:
    return small_release()


@pytest.fixture(scope="module")
def meta(data) -> rdflib.Graph:
    return build_metadata(POLICY, SETTINGS, data)


@pytest.fixture(scope="module")
def meta_files(data) -> rdflib.Graph:
    return build_metadata(POLICY, SETTINGS, data, fake_files())


# -- SHACL helpers ------------------------------------------------------------------------------------


@cache
def main_shapes() -> rdflib.Graph:
    """dcat-ap-SHACL.ttl 3.0.1 with the documented work-around for upstream issue #448:
    drop every ``?s sh:property ?o`` whose ``?o`` has no ``sh:path`` (undefined shapes)."""
    g = rdflib.Graph().parse(MAIN_SHAPES)
    for s, o in list(g.subject_objects(SH.property)):
        if g.value(o, SH.path) is None:
            g.remove((s, SH.property, o))
    return g


@cache
def mdr_shapes(relax_spdx: bool) -> rdflib.Graph:
    """mdr-vocabularies.shape.ttl; with `relax_spdx` its ``^https://spdx.org/rdf/terms`` pattern
    also accepts the real SPDX namespace ``http://spdx.org/rdf/terms#`` (upstream bug)."""
    g = rdflib.Graph().parse(MDR_SHAPES)
    if relax_spdx:
        for s, o in list(g.subject_objects(SH.pattern)):
            if str(o) == "^https://spdx.org/rdf/terms":
                g.remove((s, SH.pattern, o))
                g.add((s, SH.pattern, Literal("^https?://spdx.org/rdf/terms")))
    return g


@cache
def vocabularies() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(glob.glob(str(VOCABULARIES / "*.ttl"))):
        g.parse(path)
    return g


def results(report: rdflib.Graph) -> list[dict]:
    """Top-level results of a report (nested sh:detail results are not listed)."""
    out = []
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(rep, SH.result):
            out.append(
                {
                    "severity": report.value(r, SH.resultSeverity),
                    "focus": report.value(r, SH.focusNode),
                    "path": report.value(r, SH.resultPath),
                    "value": report.value(r, SH.value),
                    "message": str(report.value(r, SH.resultMessage)),
                }
            )
    return out


def validate_main(graph: rdflib.Graph) -> tuple[bool, list[dict]]:
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=main_shapes(), allow_warnings=True)
    return conforms, results(report)


def validate_mdr(graph: rdflib.Graph, relax_spdx: bool = True) -> list[dict]:
    _, report, _ = pyshacl.validate(
        graph, shacl_graph=mdr_shapes(relax_spdx), ont_graph=vocabularies(), allow_warnings=True
    )
    return results(report)


def violations(found: list[dict]) -> list[dict]:
    return [r for r in found if r["severity"] == SH.Violation]


# -- official shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_files", [False, True], ids=["dumps", "catalog"])
def test_conforms_to_dcat_ap_3_0_1(data, with_files):
    graph = build_metadata(POLICY, SETTINGS, data, fake_files() if with_files else None)
    conforms, found = validate_main(graph)
    assert conforms, found
    assert found == []


@pytest.mark.parametrize("with_files", [False, True], ids=["dumps", "catalog"])
def test_controlled_vocabularies_have_no_violation(data, with_files):
    graph = build_metadata(POLICY, SETTINGS, data, fake_files() if with_files else None)
    found = validate_mdr(graph)
    assert violations(found) == []
    # what remains: our publisher is not an EU corporate body (Warning, by design)
    publisher = URIRef(f"{POLICY.base}/id/agent/citykg")
    assert {(r["path"], r["value"]) for r in found} == {(DCTERMS.publisher, publisher)}


def test_spdx_pattern_bug_is_the_only_violation_without_relaxing(meta_files):
    """The unpatched mdr shapes demand ``^https://spdx.org…`` for spdx:algorithm, but the SPDX
    namespace (and DCAT-AP 3's own shapes) use ``http://spdx.org/rdf/terms#``.  We keep the
    correct IRI; this pins that the bug is the only reason of any violation."""
    bad = violations(validate_mdr(meta_files, relax_spdx=False))
    assert len(bad) == len(DUMPS)
    assert {(r["path"], r["value"]) for r in bad} == {(SPDX.algorithm, SPDX.checksumAlgorithm_sha256)}


def test_official_shapes_catch_a_broken_catalogue(meta_files):
    dist = next(iter(meta_files.objects(POLICY.dataset, DCAT.distribution)))
    broken = rdflib.Graph()
    for t in meta_files:
        broken.add(t)
    broken.remove((dist, DCAT.accessURL, None))
    broken.remove((POLICY.dataset, DCTERMS.title, None))
    broken.add((dist, DCTERMS.format, URIRef("http://example.org/not-a-file-type")))
    conforms, found = validate_main(broken)
    assert not conforms
    bad = {(r["focus"], r["path"]) for r in violations(found)}
    assert (dist, DCAT.accessURL) in bad
    assert (POLICY.dataset, DCTERMS.title) in bad
    assert (dist, DCTERMS.format) in bad  # two formats (maxCount 1) and one untyped
    assert (dist, DCTERMS.format) in {(r["focus"], r["path"]) for r in violations(validate_mdr(broken))}


# -- structure ------------------------------------------------------------------------------------------


def test_no_blank_nodes(meta, meta_files):
    for graph in (meta, meta_files, void_only(meta_files, POLICY)):
        assert not [t for t in graph if any(isinstance(x, BNode) for x in t)]


def test_deterministic(data):
    a = build_metadata(POLICY, SETTINGS, data, fake_files())
    b = build_metadata(POLICY, SETTINGS, small_release(), list(reversed(fake_files())))
    assert sorted(a) == sorted(b)
    assert a.serialize(format="nt") == a.serialize(format="nt")
    assert sorted(a.serialize(format="nt").splitlines()) == sorted(b.serialize(format="nt").splitlines())


def test_every_dump_has_a_distribution(meta):
    p = POLICY
    by_url = {meta.value(d, DCAT.downloadURL): d for d in meta.objects(p.dataset, DCAT.distribution)}
    for name, (media, code) in EXPECTED.items():
        url = p.download(name)
        assert url in by_url, name
        dist = by_url[url]
        assert (dist, RDF.type, DCAT.Distribution) in meta
        assert meta.value(dist, DCAT.accessURL) == url
        assert meta.value(dist, DCAT.mediaType) == IANA_MEDIA[media]
        assert meta.value(dist, DCTERMS.format) == EU_FILETYPE[code]
        assert meta.value(dist, DCTERMS.license) == URIRef(SETTINGS.license)
        assert meta.value(dist, DCTERMS.title) is not None
        assert (p.dataset, VOID.dataDump, url) in meta
        # without files: no sizes or checksums (this version goes inside the dumps)
        assert meta.value(dist, DCAT.byteSize) is None
        assert meta.value(dist, SPDX.checksum) is None
    gz = by_url[p.download("dataset.nt.gz")]
    assert meta.value(gz, DCAT.compressFormat) == URIRef(
        "http://www.iana.org/assignments/media-types/application/gzip"
    )


def test_file_types_exist_in_the_eu_authority_table():
    table = rdflib.Graph().parse(VOCABULARIES / "filetypes.ttl")
    scheme = URIRef("http://publications.europa.eu/resource/authority/file-type")
    for _, code in EXPECTED.values():
        assert (EU_FILETYPE[code], SKOS.inScheme, scheme) in table, code
    assert {d.file_type for d in DUMPS} == {code for _, code in EXPECTED.values()}


def test_sizes_and_checksums_match_files(meta_files):
    p = POLICY
    for info in fake_files():
        if info.name not in EXPECTED:
            assert (None, DCAT.downloadURL, p.download(info.name)) not in meta_files
            continue
        dist = meta_files.value(predicate=DCAT.downloadURL, object=p.download(info.name))
        size = meta_files.value(dist, DCAT.byteSize)
        assert size == Literal(info.size, datatype=XSD.nonNegativeInteger)
        assert size.datatype == XSD.nonNegativeInteger
        checksum = meta_files.value(dist, SPDX.checksum)
        assert checksum == URIRef(f"{p.download(info.name)}#sha256")
        assert (checksum, RDF.type, SPDX.Checksum) in meta_files
        assert meta_files.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = meta_files.value(checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary and str(value) == info.sha256


def test_void_counts_equal_the_data(data, meta):
    p = POLICY
    union = rdflib.Graph()
    for g in data.graphs():
        for t in g:
            union.add(t)
    ds = p.dataset
    assert (ds, RDF.type, VOID.Dataset) in meta

    def count(node, prop):
        return meta.value(node, prop).toPython()

    assert count(ds, VOID.triples) == len(union)
    assert count(ds, VOID.distinctSubjects) == len(set(union.subjects()))
    assert count(ds, VOID.distinctObjects) == len(set(union.objects()))
    assert count(ds, VOID.properties) == len(set(union.predicates()))
    assert count(ds, VOID.classes) == len(set(union.objects(None, RDF.type)))
    assert count(ds, VOID.entities) == len(
        {s for s in union.subjects() if str(s).startswith(f"{p.base}/id/")}
    )
    assert str(meta.value(ds, VOID.uriSpace)) == f"{p.base}/id/"
    assert meta.value(ds, VOID.sparqlEndpoint) == p.sparql_service

    # partitions: one per class / property, with the right counts, IRI nodes under the VoID document
    classes = {
        meta.value(part, VOID["class"]): count(part, VOID.entities)
        for part in meta.objects(ds, VOID.classPartition)
    }
    assert classes == {c: len(set(union.subjects(RDF.type, c))) for c in set(union.objects(None, RDF.type))}
    props = {
        meta.value(part, VOID.property): count(part, VOID.triples)
        for part in meta.objects(ds, VOID.propertyPartition)
    }
    assert props == {q: len(list(union.triples((None, q, None)))) for q in set(union.predicates())}
    for part in [*meta.objects(ds, VOID.classPartition), *meta.objects(ds, VOID.propertyPartition)]:
        assert str(part).startswith(f"{p.void}#")

    # one subset per named graph, with that graph's triple count, and the same graph in the SD
    subsets = {}
    for subset in meta.objects(ds, VOID.subset):
        entry = meta.value(predicate=SD.graph, object=subset)
        subsets[meta.value(entry, SD.name)] = count(subset, VOID.triples)
    assert subsets == {g.identifier: len(g) for g in data.graphs() if len(g)}
    assert set(meta.objects(ds, VOID.exampleResource)) == {p.id("city", "nanchang")}


def test_dataset_catalogue_and_service_are_linked(meta):
    p = POLICY
    ds, cat, svc = p.dataset, p.catalog, p.sparql_service
    assert (cat, RDF.type, DCAT.Catalog) in meta
    assert (cat, DCAT.dataset, ds) in meta
    assert (cat, DCAT.service, svc) in meta
    assert meta.value(cat, FOAF.homepage) == URIRef(f"{p.base}/")
    assert meta.value(cat, DCTERMS.license) == URIRef(SETTINGS.license)

    assert meta.value(ds, DCTERMS.title) == Literal(SETTINGS.title, lang="en")
    assert meta.value(ds, DCAT.theme) == URIRef(
        "http://publications.europa.eu/resource/authority/data-theme/REGI"
    )
    assert meta.value(ds, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/IRREG"
    )
    assert meta.value(ds, DCTERMS.language) == URIRef(
        "http://publications.europa.eu/resource/authority/language/ENG"
    )
    assert meta.value(ds, DCTERMS.issued) == Literal("2026-11-28", datatype=XSD.date)
    assert set(meta.objects(ds, DCTERMS.spatial)) == {GEONAMES_NANCHANG, GEONAMES_CHINA}
    assert Literal("Nanchang", lang="en") in set(meta.objects(ds, DCAT.keyword))
    assert {p.ontology(), p.term("dsd")} <= set(meta.objects(ds, DCTERMS.conformsTo))
    publisher = meta.value(ds, DCTERMS.publisher)
    assert publisher == meta.value(cat, DCTERMS.publisher) == p.id("agent", "citykg")
    assert (publisher, RDF.type, FOAF.Agent) in meta
    contact = meta.value(ds, DCAT.contactPoint)
    assert meta.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef(
        "mailto:data@example.org"
    )

    assert {DCAT.DataService, SD.Service} <= set(meta.objects(svc, RDF.type))
    assert meta.value(svc, DCAT.endpointURL) == URIRef(f"{p.base}/sparql")
    assert meta.value(svc, SD.endpoint) == URIRef(f"{p.base}/sparql")
    assert meta.value(svc, DCAT.endpointDescription) is not None
    assert meta.value(svc, DCAT.servesDataset) == ds
    assert meta.value(svc, SD.supportedLanguage) == SD.SPARQL11Query
    assert (svc, SD.feature, SD.UnionDefaultGraph) in meta
    results_json = URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")
    assert results_json in set(meta.objects(svc, SD.resultFormat))
    sd_dataset = meta.value(svc, SD.defaultDataset)
    names = {meta.value(e, SD.name) for e in meta.objects(sd_dataset, SD.namedGraph)}
    assert names == {p.graph("ontology"), p.graph("profile/nanchang"), p.graph("metadata")}
    assert meta.value(sd_dataset, SD.defaultGraph) == ds
    assert meta.value(p.void, FOAF.primaryTopic) == ds


def test_defaults_without_optional_settings(data):
    graph = build_metadata(POLICY, ReleaseSettings(), data)
    assert graph.value(POLICY.dataset, DCAT.contactPoint) is None
    assert graph.value(POLICY.dataset, DCTERMS.issued) is None
    assert validate_main(graph)[0]


def test_metadata_graph_in_data_is_ignored(data, meta):
    with_meta = rdflib.Dataset()
    for g in data.graphs():
        target = with_meta.graph(g.identifier)
        for t in g:
            target.add(t)
    target = with_meta.graph(POLICY.graph("metadata"))
    for t in meta:
        target.add(t)
    again = build_metadata(POLICY, SETTINGS, with_meta)
    assert sorted(again) == sorted(meta)


def test_void_only(meta_files):
    void = void_only(meta_files, POLICY)
    ds = POLICY.dataset
    assert (ds, RDF.type, VOID.Dataset) in void
    assert (ds, RDF.type, DCAT.Dataset) not in void
    assert (POLICY.void, RDF.type, VOID.DatasetDescription) in void
    for prop in (VOID.triples, VOID.entities, VOID.sparqlEndpoint, VOID.uriSpace):
        assert void.value(ds, prop) == meta_files.value(ds, prop)
    assert set(void.objects(ds, VOID.dataDump)) == {POLICY.download(d.name) for d in DUMPS}
    assert set(void.objects(ds, VOID.classPartition)) == set(meta_files.objects(ds, VOID.classPartition))
    part = next(iter(void.objects(ds, VOID.classPartition)))
    assert void.value(part, VOID["class"]) is not None
    assert not list(void.triples((None, SPDX.checksum, None)))
    assert set(void) <= set(meta_files)


# -- the series catalogue of a releases folder (citykg.series.catalog_graph) ------------------------------


@pytest.fixture(scope="module")
def releases_folder(tmp_path_factory) -> Path:
    """Three releases of changing seeds: a city added in r2, a value corrected in r3."""
    from releases import PROFILES, citykg, edit, seeds

    work = tmp_path_factory.mktemp("series-catalog")
    s = seeds(work / "seeds", ("harbourfield", "lakeview"))
    for version, change in (("r1", None), ("r2", "add"), ("r3", "edit")):
        if change == "add":
            (s / "profiles" / "pinecrest.txt").write_bytes((PROFILES / "pinecrest.txt").read_bytes())
        elif change == "edit":
            edit(s, "harbourfield", "approximately 21,893,000", "approximately 22,100,000")
        result = citykg("build", "--seeds", str(s), "--releases", str(work / "rel"), "--version", version,
                        "--quiet", "--no-documents")
        assert result.returncode == 0, result.stderr
    return work / "rel"


@pytest.fixture(scope="module")
def series_catalog(releases_folder) -> rdflib.Graph:
    from citykg.series import catalog_graph

    return catalog_graph(releases_folder)


def test_series_catalogue_conforms_to_dcat_ap_3_0_1(series_catalog):
    conforms, found = validate_main(series_catalog)
    assert conforms, violations(found)
    assert found == []
    assert violations(validate_mdr(series_catalog)) == []


def test_series_catalogue_lists_every_kept_release(releases_folder, series_catalog):
    import json

    p = UriPolicy()
    g = series_catalog
    series = p.series
    members = [p.release_dataset(v) for v in ("r1", "r2", "r3")]
    assert (series, RDF.type, DCAT.DatasetSeries) in g
    assert set(g.subjects(DCAT.inSeries, series)) == set(members)
    assert {series, p.dataset, *members} <= set(g.objects(p.catalog, DCAT.dataset))
    assert g.value(series, DCAT.first) == members[0] and g.value(series, DCAT.last) == members[-1]
    # the dataset at its published IRI stays "the latest release": its downloads at /download/, a version of it each
    assert set(g.objects(p.dataset, DCAT.hasVersion)) == set(members)
    assert g.value(p.dataset, DCAT.hasCurrentVersion) == members[-1]
    assert p.download("dataset.nq") in set(g.objects(None, DCAT.downloadURL))
    for version, member, previous in zip(("r1", "r2", "r3"), members, [None, *members[:-1]], strict=True):
        manifest = json.loads((releases_folder / version / "manifest.json").read_text())
        assert str(g.value(member, DCAT.version)) == version
        assert g.value(member, DCAT.previousVersion) == previous
        assert str(g.value(member, URIRef("http://www.w3.org/ns/adms#versionNotes"))) == manifest["version_notes"]
        issued = g.value(member, DCTERMS.issued)
        assert issued.datatype == XSD.dateTime and issued.toPython().strftime("%Y-%m-%dT%H:%M:%SZ") == \
            manifest["built"]
        sizes = {f["name"]: f for f in manifest["files"]}
        dumps = {}
        for dist in g.objects(member, DCAT.distribution):
            url = g.value(dist, DCAT.downloadURL)
            if url is None:
                assert g.value(dist, DCAT.accessURL) == URIRef(f"{p.base}/release/{version}/sparql")
                continue
            name = str(url).rsplit("/", 1)[-1]
            assert url == URIRef(f"{p.base}/release/{version}/download/{name}")
            assert g.value(dist, DCAT.byteSize).toPython() == sizes[name]["size"]
            assert str(g.value(g.value(dist, SPDX.checksum), SPDX.checksumValue)) == sizes[name]["sha256"]
            dumps[name] = dist
        assert set(dumps) == set(EXPECTED)
    assert str(g.value(members[1], URIRef("http://www.w3.org/ns/adms#versionNotes"))) == "1 city added"


def test_series_catalogue_keeps_only_kept_releases(releases_folder, tmp_path):
    import shutil

    from citykg.series import catalog_graph, prune

    rel = tmp_path / "rel"
    shutil.copytree(releases_folder, rel, symlinks=True)
    assert prune(rel, keep=2) == ["r1"]
    g = catalog_graph(rel)
    p = UriPolicy()
    assert set(g.subjects(DCAT.inSeries, p.series)) == {p.release_dataset("r2"), p.release_dataset("r3")}
    assert g.value(p.release_dataset("r2"), DCAT.previousVersion) is None  # r1 is gone: no dangling link
    assert not [t for t in g if "/release/r1" in " ".join(map(str, t))]
    assert validate_main(g)[0]


def test_a_broken_series_catalogue_is_caught(series_catalog):
    p = UriPolicy()
    broken = rdflib.Graph()
    for t in series_catalog:
        broken.add(t)
    broken.remove((p.series, DCTERMS.description, None))
    broken.add((p.release_dataset("r1"), DCAT.inSeries, URIRef(f"{p.base}/id/dataset/nothing")))
    broken.add((p.release_dataset("r1"), DCAT.version, Literal("another")))
    conforms, found = validate_main(broken)
    assert not conforms
    bad = {(r["focus"], r["path"]) for r in violations(found)}
    assert (p.series, DCTERMS.description) in bad
    assert (p.release_dataset("r1"), DCAT.inSeries) in bad
    assert (p.release_dataset("r1"), DCAT.version) in bad
