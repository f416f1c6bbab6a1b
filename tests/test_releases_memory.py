"""Serving N releases costs little more than serving one: the earlier releases answer from their on-disk
stores and documents.sqlite, opened in each worker on first use, never parsed into RAM.

Two real servers (`citykg serve --releases`) over the same latest release: one with only it, one with the
three releases of tests/series.py. After every release has been asked for its documents (Turtle and pages),
its SPARQL endpoint, its changes and a TimeMap (which opens all of them), the proportional set size (Pss,
/proc/PID/smaps_rollup) of every process of each server is added up. One worker and one SPARQL process, so
that both servers have the same processes (with two workers the share of the requests each worker gets, and
so how many query processes it forks, varies from run to run; docs/server.md has such figures too)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests
from conftest import LiveServer
from series import VERSIONS

#: a generous bound on what one more release may add to the whole server (master, worker, its SPARQL
#: process); measured: about 12 MB, most of it the RocksDB handles of the on-disk store in the worker and in
#: the query process
PER_RELEASE_MB = 30


def group_pss_kb(pgid: int) -> dict[int, int]:
    """Pss (kB) of every live process of the process group `pgid`."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid or fields[0] == "Z":
                continue
            rollup = (stat.parent / "smaps_rollup").read_text()
        except (OSError, IndexError, ValueError):
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                found[int(stat.parent.name)] = int(line.split()[1])
    return found


def touch_everything(server: LiveServer, versions: list[str]) -> None:
    s = requests.Session()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for _ in range(2):
        for v in versions:
            root = f"{server.url}/release/{v}"
            for path, accept in (("/doc/city/harbourfield", "text/turtle"), ("/doc/city/harbourfield", "text/html"),
                                 ("/doc/observation/harbourfield/population.jsonld", "*/*"), ("/", "text/html")):
                assert s.get(root + path, headers={"Accept": accept}, timeout=60).status_code == 200
            r = s.get(root + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
            assert r.status_code == 200
            s.get(root + "/changes", timeout=60)
        assert s.get(server.url + "/timemap/doc/city/harbourfield", timeout=60).status_code == 200


@pytest.fixture(scope="module")
def one_release(release_series, tmp_path_factory) -> Path:
    """A folder of releases holding only the latest of the three."""
    folder = tmp_path_factory.mktemp("one") / "releases"
    folder.mkdir()
    shutil.copytree(release_series.folder / VERSIONS[-1], folder / VERSIONS[-1])
    os.symlink(VERSIONS[-1], folder / "latest")
    return folder


def measure(folder: Path, versions: list[str], log: Path) -> tuple[int, int]:
    server = LiveServer(folder, log, option="--releases", workers=1, settings=("SPARQL_PROCESSES=1",))
    try:
        touch_everything(server, versions)
        pss = group_pss_kb(server.proc.pid)
        assert len(pss) == 3, f"expected the master, a worker and its query process, found {pss}"
        return sum(pss.values()), len(pss)
    finally:
        server.stop()


def test_three_releases_cost_little_more_than_one(release_series, one_release, tmp_path):
    one_kb, one_procs = measure(one_release, [VERSIONS[-1]], tmp_path / "one.log")
    three_kb, three_procs = measure(release_series.folder, list(VERSIONS), tmp_path / "three.log")
    growth_mb = (three_kb - one_kb) / 1024 / (len(VERSIONS) - 1)
    print(f"\nPss, whole server: 1 release {one_kb / 1024:.1f} MB ({one_procs} processes), "
          f"3 releases {three_kb / 1024:.1f} MB ({three_procs} processes): {growth_mb:+.1f} MB per extra release")
    assert growth_mb < PER_RELEASE_MB, f"{growth_mb:.1f} MB per extra release"
