"""Build faults: a killed build leaves the previous release intact and servable; a corrupt release is refused."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def big_include(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "catalogue.nq.gz"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", "200000", "--out", str(path),
                    "--no-ontology"], check=True, capture_output=True)
    return path


def start_build(out: Path, include: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "citykg.cli", "build", "--quiet", "--out", str(out), "--include",
                             str(include)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["while validating", "while writing the new release"])
def test_kill_9_leaves_the_previous_release(served_release, big_include, tmp_path, moment):
    out = tmp_path / "dist"
    shutil.copytree(served_release, out)
    before = files(out)
    proc = start_build(out, big_include)
    deadline = time.monotonic() + 120
    if moment == "while validating":
        time.sleep(3)
    else:
        while not list(tmp_path.glob(f".dist.tmp-{proc.pid}/dataset.nq")):
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert proc.poll() is None, "the build ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert files(out) == before
    check = subprocess.run([sys.executable, "-m", "citykg.cli", "validate", "--release", str(out)],
                           capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stderr
    # and servable: verified (sizes and SHA-256 against manifest.json) and answering
    from citykg.server.app import create_app

    client = create_app(out, config={"TESTING": True}).test_client()
    assert client.get("/").status_code == 200
    assert client.get("/doc/city/nanchang", headers={"Accept": "text/turtle"}).status_code == 200
    # the next build sweeps the dead build's temporary folder away
    again = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--quiet", "--out", str(out)],
                           capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert not list(tmp_path.glob(".dist.tmp-*"))


def serve(release: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg.cli", "serve", "--release", str(release), "--port", "1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "truncated or altered"),
        ("flip", "SHA-256"),
        ("delete", "listed in manifest.json but missing"),
        ("manifest", "not valid JSON"),
    ],
)
def test_serve_refuses_a_corrupt_release(served_release, tmp_path, damage, message):
    release = tmp_path / "dist"
    shutil.copytree(served_release, release)
    dump = release / "dataset.ttl"
    data = bytearray(dump.read_bytes())
    if damage == "truncate":
        dump.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "flip":
        data[len(data) // 2] ^= 0x01
        dump.write_bytes(bytes(data))
    elif damage == "delete":
        dump.unlink()
    else:
        (release / "manifest.json").write_text('{"files": [', encoding="utf-8")
    result = serve(release)
    assert result.returncode == 1
    assert "cannot serve" in result.stderr and message in result.stderr, result.stderr


def test_verification_is_stamped_once_per_release(served_release, tmp_path):
    from citykg.server.release import Release

    release = tmp_path / "dist"
    shutil.copytree(served_release, release)
    messages: list[str] = []
    Release.open(release).verify(messages.append)
    Release.open(release).verify(messages.append)
    assert len(messages) == 1 and "SHA-256" in messages[0]


def snapshot(rel: Path) -> dict[str, object]:
    """Every file of every kept release, and where latest points."""
    return {"latest": os.readlink(rel / "latest"),
            **{p.name: files(p) for p in sorted(rel.iterdir()) if not p.name.startswith(".") and p.name != "latest"}}


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["while writing the new release", "while pre-rendering its documents"])
def test_kill_9_of_a_releases_build_leaves_every_release_and_latest(big_include, tmp_path, moment):
    rel = tmp_path / "rel"
    for version in ("k1", "k2"):
        built = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--quiet", "--no-documents",
                                "--releases", str(rel), "--version", version], cwd=ROOT, capture_output=True,
                               text=True)
        assert built.returncode == 0, built.stderr
    before = snapshot(rel)
    proc = subprocess.Popen([sys.executable, "-m", "citykg.cli", "build", "--quiet", "--releases", str(rel),
                             "--version", "k3", "--include", str(big_include)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    tmp = rel / f".k3.tmp-{proc.pid}"
    target = tmp / "dataset.nq" if moment == "while writing the new release" else \
        tmp / f".documents.sqlite.tmp-{proc.pid}"
    deadline = time.monotonic() + 300
    while not target.exists():
        assert proc.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    if moment != "while writing the new release":
        assert (tmp / "changes.json").is_file()  # the changes are written before the documents
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(rel) == before
    assert not (rel / "k3").exists()
    from citykg.series import Series

    series = Series.open(rel)
    assert series.versions == ["k1", "k2"] and series.latest is not None and series.latest.version == "k2"
    check = subprocess.run([sys.executable, "-m", "citykg.cli", "validate", "--release", str(rel / "latest")],
                           capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stderr
    # the next build sweeps the dead build's temporary folder away, and its version is free
    again = subprocess.run([sys.executable, "-m", "citykg.cli", "build", "--quiet", "--no-documents", "--releases",
                            str(rel), "--version", "k3"], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in rel.iterdir()) == ["k1", "k2", "k3", "latest"]
    assert os.readlink(rel / "latest") == "k3"
