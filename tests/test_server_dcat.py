"""The official DCAT-AP 3 shapes (shared/vendor/dcat-ap) run on what /catalog serves."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

VENDOR = Path(__file__).resolve().parents[2] / "shared" / "vendor" / "dcat-ap"
if not VENDOR.is_dir():
    VENDOR = Path("/work/shared/vendor/dcat-ap")

pytestmark = pytest.mark.skipif(not VENDOR.is_dir(), reason="vendored DCAT-AP shapes not found")


def dcat_ap_shapes() -> Graph:
    """The 3.0.1 shapes with the upstream bug worked around (the vendored DCAT-AP README, section 3;
    SEMICeu/DCAT-AP#448): drop every `sh:property` that points at a shape without `sh:path`."""
    shapes = Graph().parse(VENDOR / "3.0.1" / "shacl" / "dcat-ap-SHACL.ttl", format="turtle")
    dangling = [(s, o) for s, o in shapes.subject_objects(SH.property) if (o, SH.path, None) not in shapes]
    for s, o in dangling:
        shapes.remove((s, SH.property, o))
    return shapes


def vocabulary_shapes() -> tuple[Graph, Graph]:
    shapes = Graph().parse(VENDOR / "3.0.1" / "html" / "shacl" / "mdr-vocabularies.shape.ttl", format="turtle")
    vocab = Graph()
    for f in sorted((VENDOR / "vocabularies" / "eu-authority").glob("*.ttl")):
        vocab.parse(f, format="turtle")
    vocab.parse(VENDOR / "vocabularies" / "adms" / "ADMS_SKOS_v1.00.rdf", format="xml")
    return shapes, vocab


@pytest.fixture(scope="module")
def catalog(client_module) -> Graph:
    r = client_module.get("/catalog", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    return Graph().parse(data=r.data, format="turtle")


@pytest.fixture(scope="module")
def client_module(app):
    return app.test_client()


def violations(report: Graph) -> list[str]:
    out = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        msg = report.value(result, SH.resultMessage)
        out.append(f"{focus} {path}: {msg}")
    return sorted(out)


def test_catalog_conforms_to_dcat_ap_3(catalog):
    from pyshacl import validate

    conforms, report, text = validate(catalog, shacl_graph=dcat_ap_shapes(), inference="none",
                                      allow_warnings=True)
    assert conforms, "\n".join(violations(report)) or text


def test_catalog_uses_eu_vocabularies(catalog):
    """Formats, frequencies, themes, ... come from the EU authority tables (mdr-vocabularies shapes).

    Allowed exceptions: a publisher that is not an EU corporate body (vendor README section 2), and
    the checksum algorithm: the shape wants ``^https://spdx.org/rdf/terms`` while the SPDX namespace
    (and every DCAT-AP 3 example) is ``http://spdx.org/rdf/terms#``."""
    from pyshacl import validate

    shapes, vocab = vocabulary_shapes()
    data = catalog + vocab
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    dct_publisher = "http://purl.org/dc/terms/publisher"
    publisher = set(catalog.objects(None, URIRef(dct_publisher)))
    problems = [
        v for v in violations(report)
        if not any(v.startswith(str(p) + " ") for p in publisher)
        and "spdx.org/rdf/terms" not in v.split(" ")[0] and "ChecksumAlgorithmRestriction" not in v
    ]
    assert problems == []


def test_catalog_describes_dumps_and_service(catalog):
    from rdflib.namespace import DCAT, DCTERMS, RDF

    spdx = URIRef("http://spdx.org/rdf/terms#checksum")
    dumps = [d for d in catalog.subjects(RDF.type, DCAT.Distribution) if catalog.value(d, DCAT.downloadURL)]
    assert len(dumps) >= 5
    for d in dumps:
        for p in (DCAT.mediaType, DCTERMS.format, DCAT.byteSize, spdx, DCTERMS.license):
            assert catalog.value(d, p) is not None, (d, p)
        assert str(catalog.value(d, DCTERMS.format)).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )
    services = list(catalog.subjects(RDF.type, DCAT.DataService))
    assert services and any(str(catalog.value(s, DCAT.endpointURL)).endswith("/sparql") for s in services)
