"""`citykg prune --releases DIR --keep N`: the oldest releases beyond N go, latest's target never does,
and leftovers of killed builds and prunes are cleaned up (citykg.series.prune)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from releases import citykg, seeds

from citykg.series import Series, SeriesError, point_latest, prune


@pytest.fixture(scope="module")
def four(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("prune")
    s = seeds(work / "seeds", ("pinecrest",))
    for version in ("a1", "a2", "a3", "a4"):
        result = citykg("build", "--seeds", str(s), "--releases", str(work / "rel"), "--version", version, "--quiet",
                        "--no-documents")
        assert result.returncode == 0, result.stderr
    return work / "rel"


@pytest.fixture()
def rel(four, tmp_path) -> Path:
    copy = tmp_path / "rel"
    shutil.copytree(four, copy, symlinks=True)
    return copy


def test_prune_removes_the_oldest(rel):
    result = citykg("prune", "--releases", str(rel), "--keep", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"removed 2 release(s) from {rel}: a1, a2"
    assert sorted(p.name for p in rel.iterdir()) == ["a3", "a4", "latest"]
    assert os.readlink(rel / "latest") == "a4"
    again = citykg("prune", "--releases", str(rel), "--keep", "2")
    assert again.returncode == 0 and "nothing to remove" in again.stdout
    assert Series.open(rel).versions == ["a3", "a4"]


def test_prune_never_removes_latest(rel):
    point_latest(rel, "a1")  # latest rolled back to the oldest release
    assert prune(rel, keep=1) == ["a2", "a3"]
    assert sorted(p.name for p in rel.iterdir()) == ["a1", "a4", "latest"]
    assert Series.open(rel).latest.version == "a1"  # type: ignore[union-attr]


@pytest.mark.parametrize("keep", ["0", "-1"])
def test_keep_zero_is_refused(rel, keep):
    result = citykg("prune", "--releases", str(rel), "--keep", keep)
    assert result.returncode == 2
    assert "keep at least 1 release" in result.stderr
    assert len(Series.open(rel).releases) == 4
    with pytest.raises(SeriesError, match="keep at least 1"):
        prune(rel, keep=0)


def test_prune_refuses_what_is_not_a_releases_folder(rel):
    result = citykg("prune", "--releases", str(rel / "a1"), "--keep", "1")
    assert result.returncode == 1 and "a single release folder" in result.stderr
    assert (rel / "a1" / "manifest.json").is_file()


def test_leftovers_of_killed_builds_and_prunes_are_cleaned(rel):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (rel / f".a5.tmp-{dead}").mkdir()
    (rel / f".a5.tmp-{dead}" / "dataset.nq").write_text("half a release")
    shutil.copytree(rel / "a1", rel / f".a0.prune-{dead}")
    os.symlink("a4", rel / f".latest.tmp-{dead}")
    (rel / f".a6.tmp-{os.getpid()}").mkdir()  # a live process's build: left alone
    assert Series.open(rel).versions == ["a1", "a2", "a3", "a4"]  # hidden names are never releases
    assert prune(rel, keep=4) == []
    assert sorted(p.name for p in rel.iterdir()) == [f".a6.tmp-{os.getpid()}", "a1", "a2", "a3", "a4", "latest"]


def test_the_server_cache_of_a_pruned_release_goes_too(rel):
    (rel / ".a1.cache" / "abc").mkdir(parents=True)
    (rel / ".a4.cache").mkdir()
    prune(rel, keep=3)
    assert not (rel / ".a1.cache").exists() and (rel / ".a4.cache").exists()
