"""Serving from memory or from the on-disk store: same answers; the disk store and its derived data are reused."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from citykg.server.app import create_app
from citykg.server.release import Release
from citykg.server.store import DiskStore, EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def release_copy(served_release, tmp_path) -> Path:
    target = tmp_path / "dist"
    shutil.copytree(served_release, target)
    return target


def test_disk_mode_builds_once_then_reopens(release_copy):
    app = create_app(release_copy, store_mode="disk", config={"TESTING": True})
    kg = app.extensions["citykg"]
    assert isinstance(kg.store, DiskStore)
    folder = Release.open(release_copy).cache_dir()
    assert (folder / "READY").is_file() and (folder / "derived.pickle").is_file()
    stamp = (folder / "READY").stat().st_mtime_ns

    again = create_app(release_copy, store_mode="disk", config={"TESTING": True})
    assert (folder / "READY").stat().st_mtime_ns == stamp  # reused, not rebuilt
    kg2 = again.extensions["citykg"]
    assert kg2.context == kg.context
    assert kg2.derived["home_counts"] == kg.derived["home_counts"]


def test_disk_and_memory_answer_alike(release_copy):
    memory = create_app(release_copy, store_mode="memory", config={"TESTING": True}).test_client()
    disk = create_app(release_copy, store_mode="disk", config={"TESTING": True}).test_client()
    for path in ("/doc/city/nanchang.ttl", "/doc/observation/nanchang/population.nt", "/search?q=nanch&format=json"):
        a, b = memory.get(path), disk.get(path)
        assert a.status_code == b.status_code == 200, path
        assert a.data == b.data, path
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    a = memory.get("/sparql", query_string={"query": query, "format": "json"})
    b = disk.get("/sparql", query_string={"query": query, "format": "json"})
    assert a.status_code == b.status_code == 200
    assert a.get_json()["results"] == b.get_json()["results"]


def test_rebuilt_release_gets_a_new_disk_store(release_copy):
    create_app(release_copy, store_mode="disk", config={"TESTING": True})
    first = Release.open(release_copy).cache_dir()
    manifest = release_copy / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"built": "', '"built": "1'))
    assert Release.open(release_copy).cache_dir() != first


def test_auto_mode_keeps_small_releases_in_memory(release_copy):
    app = create_app(release_copy, store_mode="auto", config={"TESTING": True})
    store = app.extensions["citykg"].store
    assert isinstance(store, EmbeddedStore) and not isinstance(store, DiskStore)


def test_served_from_disk_under_gunicorn(release_copy):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = release_copy.parent / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "citykg.cli", "serve", "--release", str(release_copy),
                                 "--port", str(port), "--workers", "2", "--store-mode", "disk"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/doc/city/nanchang.ttl", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert r.status_code == 200 and "Nanchang" in r.text
        # every worker opens its own read-only handle
        for _ in range(6):
            assert requests.get(f"http://127.0.0.1:{port}/doc/city/nanchang.nt", timeout=5).status_code == 200
        assert "ready in" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
