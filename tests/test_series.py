"""`citykg build --releases DIR`: every release kept in DIR/VERSION/, `latest` a relative symlink, the
manifest's version fields, refused versions, and `citykg.series.Series.open` over the folder."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from releases import citykg, edit, seeds

from citykg.series import Series, SeriesError


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    """Two releases: v1 of three cities, then a corrected population (default version: the date)."""
    work = tmp_path_factory.mktemp("series")
    s = seeds(work / "seeds")
    first = citykg("build", "--seeds", "seeds", "--releases", "rel", "--version", "v1", "--quiet", "--no-documents",
                   cwd=work)
    assert first.returncode == 0, first.stderr
    edit(s, "harbourfield", "approximately 21,893,000", "approximately 22,100,000")
    second = citykg("build", "--seeds", "seeds", "--releases", "rel", "--notes", "Harbourfield's population corrected",
                    "--quiet", "--no-documents", cwd=work)
    assert second.returncode == 0, second.stderr
    return work / "rel"


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_every_release_kept_and_latest_a_relative_symlink(two):
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert sorted(p.name for p in two.iterdir()) == sorted([today, "latest", "v1"])
    assert os.readlink(two / "latest") == today  # relative: the folder can move
    assert (two / "latest" / "dataset.nq").is_file()
    for version in ("v1", today):
        assert (two / version / "manifest.json").is_file() and (two / version / "catalog.ttl").is_file()


def test_manifest_version_fields(two):
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    first, second = manifest(two / "v1"), manifest(two / today)
    assert (first["version"], first["previous_version"]) == ("v1", None)
    assert first["version_notes"] == "first release: 3 cities"
    assert (second["version"], second["previous_version"]) == (today, "v1")
    assert second["version_notes"] == "Harbourfield's population corrected"
    assert list(second)[:6] == ["software", "base", "built", "version", "previous_version", "version_notes"]


def test_series_open(two, tmp_path, monkeypatch):
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    monkeypatch.chdir(two.parent)
    series = Series.open("rel")  # relative to the working directory
    assert series.root == two.resolve()
    assert series.versions == ["v1", today]
    assert series.latest is not None and series.latest.version == today
    assert series.latest.previous_version == "v1"
    assert series.latest.notes == "Harbourfield's population corrected"
    assert series.releases[0].built <= series.releases[1].built
    with pytest.raises(SeriesError, match="no release 'v9'"):
        series.get("v9")


def test_default_version_counts_up_within_a_day(two, tmp_path):
    rel = tmp_path / "rel"
    shutil.copytree(two, rel, symlinks=True)
    s = seeds(tmp_path / "seeds")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    for n in (2, 3):
        result = citykg("build", "--seeds", str(s), "--releases", str(rel), "--quiet", "--no-documents")
        assert result.returncode == 0, result.stderr
        assert os.readlink(rel / "latest") == f"{today}.{n}"
    assert manifest(rel / f"{today}.3")["previous_version"] == f"{today}.2"
    assert Series.open(rel).versions == ["v1", today, f"{today}.2", f"{today}.3"]


def test_an_existing_version_is_refused(two, tmp_path):
    rel = tmp_path / "rel"
    shutil.copytree(two, rel, symlinks=True)
    before = {p.name: (p / "manifest.json").read_bytes() for p in rel.iterdir() if p.name != "latest"}
    result = citykg("build", "--seeds", str(seeds(tmp_path / "seeds")), "--releases", str(rel), "--version", "v1",
                    "--quiet", "--no-documents")
    assert result.returncode == 1
    assert "release v1 exists; releases are immutable" in result.stderr
    assert {p.name: (p / "manifest.json").read_bytes() for p in rel.iterdir() if p.name != "latest"} == before
    assert os.readlink(rel / "latest") == os.readlink(two / "latest")
    assert not [p for p in rel.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("version", ["latest", ".hidden", "a/b", "-x", "x" * 65, "v 1", "é"])
def test_a_bad_version_is_refused(tmp_path, version):
    result = citykg("build", "--seeds", str(seeds(tmp_path / "seeds", ("pinecrest",))), "--releases",
                    str(tmp_path / "rel"), "--version", version, "--quiet", "--no-documents")
    assert result.returncode == 2, result.stderr
    assert "--version" in result.stderr and "a version is 1-64 letters" in re.sub(r"\s+", " ", result.stderr)
    assert not (tmp_path / "rel").exists()


def test_out_and_releases_together_is_a_usage_error(tmp_path):
    result = citykg("build", "--out", str(tmp_path / "dist"), "--releases", str(tmp_path / "rel"), "--quiet")
    assert result.returncode == 2
    assert "--out and --releases" in result.stderr
    assert not (tmp_path / "dist").exists() and not (tmp_path / "rel").exists()


def test_out_builds_carry_a_version_only_when_asked(tmp_path):
    s = seeds(tmp_path / "seeds", ("pinecrest",))
    plain = citykg("build", "--seeds", str(s), "--out", str(tmp_path / "a"), "--quiet", "--no-documents")
    assert plain.returncode == 0, plain.stderr
    assert "version" not in manifest(tmp_path / "a")
    tagged = citykg("build", "--seeds", str(s), "--out", str(tmp_path / "b"), "--version", "2.0", "--notes", "hi",
                    "--quiet", "--no-documents")
    assert tagged.returncode == 0, tagged.stderr
    m = manifest(tmp_path / "b")
    assert (m["version"], m["previous_version"], m["version_notes"]) == ("2.0", None, "hi")


def test_not_a_releases_folder(two, tmp_path):
    with pytest.raises(SeriesError, match="a single release folder"):
        Series.open(two / "v1")
    with pytest.raises(SeriesError, match="no such folder"):
        Series.open(tmp_path / "nowhere")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("x")
    with pytest.raises(SeriesError, match="not a releases folder"):
        Series.open(tmp_path / "junk")
    result = citykg("build", "--seeds", str(seeds(tmp_path / "seeds", ("pinecrest",))), "--releases",
                    str(two / "v1"), "--quiet", "--no-documents")
    assert result.returncode == 1 and "a single release folder" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert Series.open(empty).releases == [] and Series.open(empty).latest is None


def test_order_is_by_build_time_then_by_the_chain_of_versions(two, tmp_path):
    """Three releases built in the same second, named against their order: the chain of previous
    versions orders them; a later build time comes later whatever its name."""
    rel = tmp_path / "rel"
    rel.mkdir()
    template = manifest(two / "v1")
    for version, previous, built in (("zz", None, "2026-12-02T10:00:00Z"), ("aa", "zz", "2026-12-02T10:00:00Z"),
                                     ("mm", "aa", "2026-12-02T10:00:00Z"), ("00", "mm", "2026-12-02T10:00:01Z")):
        (rel / version).mkdir()
        m = dict(template, version=version, previous_version=previous, built=built, files=[])
        (rel / version / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    os.symlink("00", rel / "latest")
    assert Series.open(rel).versions == ["zz", "aa", "mm", "00"]


def test_latest_must_point_into_the_folder(two, tmp_path):
    rel = tmp_path / "rel"
    shutil.copytree(two, rel, symlinks=True)
    (rel / "latest").unlink()
    os.symlink(str(two / "v1"), rel / "latest")  # absolute, elsewhere
    with pytest.raises(SeriesError, match="not a release of this folder"):
        Series.open(rel)
    (rel / "latest").unlink()
    with pytest.raises(SeriesError, match="no latest symlink"):
        Series.open(rel)


def test_a_damaged_previous_release_stops_the_build_with_a_message(two, tmp_path):
    rel = tmp_path / "rel"
    shutil.copytree(two, rel, symlinks=True)
    latest = rel / os.readlink(rel / "latest")
    (latest / "dataset.nq").write_text("<not> <n-quads\n", encoding="utf-8")
    result = citykg("build", "--seeds", str(seeds(tmp_path / "seeds", ("pinecrest",))), "--releases", str(rel),
                    "--version", "v3", "--quiet", "--no-documents")
    assert result.returncode == 1
    assert f"cannot compare with the previous release {latest.name}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (rel / "v3").exists() and os.readlink(rel / "latest") == latest.name
