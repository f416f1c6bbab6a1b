"""bench/generate.py: deterministic, on target size, valid N-Quads, conforming to the shapes."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from citykg.kg.validate import load_shapes, validate_graph
from rdflib import Dataset, Graph

from citykg.uris import UriPolicy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

BASE = "https://w3id.org/citykg"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("target", [10_000, 100_000])
def test_size_and_every_line_parses(tmp_path, target):
    path = tmp_path / "c.nq"
    n = generate.generate(path, target, BASE, seed=1)
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == n == len(path.read_text(encoding="utf-8").splitlines())
    assert abs(n - target) <= 0.02 * target
    assert len(set(quads)) == n  # no quad twice
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == n  # no triple in two graphs
    graphs = {q.graph_name.value for q in quads}
    assert f"{BASE}/graph/ontology" in graphs
    assert any(g.startswith(f"{BASE}/graph/profile/") for g in graphs)
    assert not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads)


def test_deterministic_and_seeded(tmp_path):
    a, b, c = tmp_path / "a.nq.gz", tmp_path / "b.nq.gz", tmp_path / "c.nq.gz"
    generate.generate(a, 20_000, BASE, seed=7)
    generate.generate(b, 20_000, BASE, seed=7)
    generate.generate(c, 20_000, BASE, seed=8)
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(c)
    with gzip.open(a, "rt", encoding="utf-8") as f:
        assert f.readline().endswith(" .\n")


def test_cli_and_base(tmp_path):
    out = tmp_path / "x.nq.gz"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", "5000", "--out", str(out),
                    "--base", "https://example.org/kg", "--seed", "2"], check=True, capture_output=True)
    with gzip.open(out, "rt", encoding="utf-8") as f:
        text = f.read()
    assert "https://example.org/kg/id/observation/" in text
    assert "https://w3id.org/citykg" not in text
    assert "<http://reference.data.gov.uk/id/year/" in text


def test_observations_follow_the_model(tmp_path):
    path = tmp_path / "c.nq"
    generate.generate(path, 10_000, BASE, seed=1)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query("""
        PREFIX qb: <http://purl.org/linked-data/cube#>
        PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        SELECT ?obs ?city ?ind ?period WHERE { GRAPH ?g {
          ?obs a qb:Observation ; sdmx-dimension:refArea ?city ; <https://w3id.org/citykg/def/indicator> ?ind ;
               sdmx-dimension:refPeriod ?period } } LIMIT 50""", use_default_graph_as_union=False))
    assert rows
    for r in rows:
        city = r["city"].value.rsplit("/", 1)[-1]
        ind = r["ind"].value.rsplit("/", 1)[-1]
        year = r["period"].value.rsplit("/", 1)[-1]
        assert r["obs"].value == f"{BASE}/id/observation/{city}/{ind}/{year}"


def test_conforms_to_the_shapes(tmp_path):
    path = tmp_path / "c.nq"
    generate.generate(path, 30_000, BASE, seed=5)
    ds = Dataset()
    ds.parse(path, format="nquads")
    g = Graph()
    for s, p, o, _g in ds.quads():
        g.add((s, p, o))
    report = validate_graph(g, load_shapes(UriPolicy(BASE)))
    assert report.conforms, report.text()
