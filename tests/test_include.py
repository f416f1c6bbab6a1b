"""`citykg build --include FILE`: RDF files join the release in a graph of their own, validated with the rest."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/citykg"
CITY = f"{BASE}/id/city/nanchang"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"


def build(out: Path, *includes: Path, validator: str = "auto") -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "citykg.cli", "build", "--seeds", str(ROOT / "seeds"), "--out", str(out),
            "--quiet", "--validator", validator]
    for path in includes:
        args += ["--include", str(path)]
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT)


def quads(release: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(release / "dataset.nq"), format=ox.RdfFormat.N_QUADS))


def test_includes_of_every_syntax_land_in_their_own_graphs(tmp_path):
    ttl = tmp_path / "links.ttl"
    ttl.write_text(f"<{CITY}> <{SEE_ALSO}> <https://example.org/nanchang-guide> .\n"
                   f"<{CITY}> <{SEE_ALSO}> [ <http://www.w3.org/2000/01/rdf-schema#label> \"a map\" ] .\n")
    ntgz = tmp_path / "more-links.nt.gz"
    ntgz.write_bytes(gzip.compress(f"<{CITY}> <{SEE_ALSO}> <https://example.org/atlas> .\n".encode()))
    nq = tmp_path / "quads.nq"
    nq.write_text(f"<{CITY}> <{SEE_ALSO}> <https://example.org/q> <http://other.example/graph> .\n")
    trig = tmp_path / "bnodes.trig"
    trig.write_text(f"<{CITY}> <{SEE_ALSO}> [ <http://www.w3.org/2000/01/rdf-schema#label> \"a note\" ] .\n")
    out = tmp_path / "dist"
    result = build(out, ttl, ntgz, nq, trig)
    assert result.returncode == 0, result.stderr
    found = {(q.graph_name.value, q.object.value) for q in quads(out) if q.predicate.value == SEE_ALSO}
    assert (f"{BASE}/graph/include/links", "https://example.org/nanchang-guide") in found
    assert any(g == f"{BASE}/graph/include/links" and o.startswith(f"{BASE}/.well-known/genid/") for g, o in found)
    assert (f"{BASE}/graph/include/more-links", "https://example.org/atlas") in found
    assert (f"{BASE}/graph/include/quads", "https://example.org/q") in found  # the file's own graph is replaced
    skolem = [o for g, o in found if g == f"{BASE}/graph/include/bnodes"]
    assert len(skolem) == 1 and skolem[0].startswith(f"{BASE}/.well-known/genid/")
    assert not any(isinstance(t, ox.BlankNode) for q in quads(out) for t in (q.subject, q.object))


def test_included_data_is_validated_with_the_rest(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"""<{BASE}/id/observation/nanchang/population/2020>
        a <http://purl.org/linked-data/cube#Observation> ;
        <http://purl.org/linked-data/sdmx/2009/measure#obsValue> "many" .\n""")
    out = tmp_path / "dist"
    result = build(out, bad)
    assert result.returncode == 1
    assert "does not conform" in result.stderr and "observation/nanchang/population/2020" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.ttl", b"<a> <b> .\n", "broken.ttl: not valid Turtle: Parser error at line 1"),
        ("broken.nt.gz", b"not gzip at all", "broken.nt.gz: cannot read"),
        ("notes.txt", b"hello", "not an RDF file citykg can include"),
    ],
)
def test_bad_includes_stop_the_build(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = build(tmp_path / "dist", path)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr


def test_missing_include(tmp_path):
    result = build(tmp_path / "dist", tmp_path / "nowhere.ttl")
    assert result.returncode == 1
    assert "nowhere.ttl: no such file to include" in result.stderr


def test_fast_and_reference_validators_build_the_same_release(tmp_path):
    fast, ref = tmp_path / "fast", tmp_path / "ref"
    assert build(fast, validator="fast").returncode == 0
    assert build(ref, validator="pyshacl").returncode == 0
    assert (fast / "dataset.nt.gz").read_bytes() == (ref / "dataset.nt.gz").read_bytes()
