"""`make serve` as the README gives it: it builds the release into the RELATIVE folder dist/ and serves
it; every download the server lists must be the bytes the manifest describes.

It runs in a copy of the tracked files (what a clone has), so a developer's own dist/ is never
touched; the copy uses this venv (VENV=, BIN=, and `-o` so make does not re-create it there)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, free_port
from served import Server, check_downloads, tracked_copy

VENV = Path(sys.prefix)
BIN = Path(sys.executable).parent
# make variables a caller's environment could set (or an outer `make test` passes down)
CLEAN_ENV = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "RELEASE", "HOST", "PORT", "PY", "WHEELS")


def make_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    if not (BIN / "citykg").exists():
        pytest.fail(f"{BIN / 'citykg'} is missing: run the tests from the venv `make venv` creates")
    return tracked_copy(tmp_path_factory.mktemp("checkout"))


def make_cmd(*args: str) -> list[str]:
    return ["make", *args, f"VENV={VENV}", f"BIN={BIN}", "-o", f"{BIN}/citykg"]


def test_make_serve_builds_dist_and_serves_every_download(checkout, tmp_path):
    port = free_port()
    root_dist = ROOT / "dist" / "manifest.json"
    before = root_dist.stat().st_mtime_ns if root_dist.exists() else None
    with Server(make_cmd("serve", f"PORT={port}"), cwd=checkout, log=tmp_path / "make-serve.log",
                url=f"http://127.0.0.1:{port}", env=make_env()) as server:
        manifest = check_downloads(server.url)
        out = server.output()
    # make's own command lines, with the relative release folder
    assert f"{BIN}/citykg build --seeds seeds --out dist\n" in out, out
    assert f"{BIN}/citykg serve --release dist --host 127.0.0.1 --port {port}\n" in out, out
    assert "conforms to the shapes" in out, out
    assert (checkout / "dist/manifest.json").is_file()
    assert manifest["conforms"] is True
    assert {f["name"] for f in manifest["files"]} >= {"dataset.nq", "dataset.ttl", "catalog.ttl", "void.ttl"}
    after = root_dist.stat().st_mtime_ns if root_dist.exists() else None
    assert before == after, "the test rebuilt the developer's own dist/"


def test_make_serve_rebuilds_only_when_an_input_changed(checkout):
    """After the serve above, dist/ is current; touching a shape (or seeds, ontology, code) rebuilds."""
    if not (checkout / "dist/manifest.json").exists():
        subprocess.run(make_cmd("-s", "dist/manifest.json"), cwd=checkout, env=make_env(), check=True,
                       capture_output=True, timeout=300)

    def dry_run() -> str:
        return subprocess.run(make_cmd("-n", "serve", "PORT=1"), cwd=checkout, env=make_env(), check=True,
                              capture_output=True, text=True, timeout=60).stdout

    assert "citykg build" not in dry_run()
    for inp in ("shapes/citykg.ttl", "ontology/citykg.ttl", "seeds/profiles/nanchang.txt", "kg/build.py"):
        future = (checkout / "dist/manifest.json").stat().st_mtime + 10
        os.utime(checkout / inp, (future, future))
        assert "citykg build --seeds seeds --out dist" in dry_run(), f"{inp} changed but make serve would not rebuild"
        subprocess.run(["touch", "-d", "@0", str(checkout / inp)], check=True)
