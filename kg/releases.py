"""`citykg build --releases DIR`: a new release kept beside the earlier ones (docs/release.md).

The release is built exactly as `citykg build --out` builds one (kg/build.py), into a temporary
folder of DIR; there it gets its version, the changes against the release `latest` pointed to
when the build started (kg/changes.py: changes.json, changes.csv, changes.ttl, listed in its
manifest), and its pre-rendered documents (the CLI's `finish`). Only then is it renamed to
``DIR/V`` (never over an existing one: releases are immutable), and ``DIR/latest`` is replaced by a
relative symlink to ``V`` (made under a temporary name, then renamed over the old one). A build
that fails or is killed at any point leaves every kept release and `latest` as they were; its
temporary folder is swept away by the next build or prune.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citykg.manifest import ManifestError
from citykg.series import LATEST, Series, SeriesError, is_version, next_version, point_latest, remove_stale

from .build import BuildError, BuildResult, build_release, write_manifest
from .changes import Changes, compare_releases, summary_line, write_changes


@dataclass
class ReleasesResult:
    build: BuildResult
    root: Path
    version: str
    previous_version: str | None
    changes: Changes | None


def stamp_version(manifest: dict[str, Any], version: str, previous: str | None, notes: str | None) -> dict[str, Any]:
    """The manifest with ``version``, ``previous_version`` and ``version_notes`` after ``built``."""
    out: dict[str, Any] = {}
    for key, value in manifest.items():
        if key in ("version", "previous_version", "version_notes"):
            continue
        out[key] = value
        if key == "built":
            out.update(version=version, previous_version=previous, version_notes=notes)
    if "version" not in out:
        out.update(version=version, previous_version=previous, version_notes=notes)
    return out


def check_version(version: str) -> None:
    if not is_version(version):
        raise BuildError(f"--version {version!r}: a version is 1-64 letters, digits, '.', '_' or '-', starting with "
                         f"a letter or digit, and not {LATEST!r}")


def build_into_releases(seeds: Path, releases: Path, version: str | None = None, notes: str | None = None,
                        finish: Callable[[Path], None] | None = None, **build_options: Any) -> ReleasesResult:
    """Builds the release `version` (default: today's UTC date, ``.2``, ``.3``, … when taken) into the
    releases folder `releases` and points ``latest`` at it; `finish(folder)` runs on the complete
    release before it is put in place (the CLI pre-renders its documents there)."""
    if version is not None:
        check_version(version)  # before anything is created
    try:
        series = Series.open(releases, create=True)
    except SeriesError as exc:
        raise BuildError(str(exc)) from None
    root = series.root
    remove_stale(root)
    if version is None:
        version = next_version(root)
    if (root / version).exists() or (root / version).is_symlink():
        raise BuildError(f"{root / version}: release {version} exists; releases are immutable, so build another "
                         "--version (or leave it out: the date, then .2, .3, ...)")
    previous = series.latest
    found: dict[str, Changes | None] = {"changes": None}

    def before_swap(tmp: Path, manifest: dict[str, Any], cities: list[str]) -> dict[str, Any]:
        generated: str
        if previous is None:
            n = len(cities)
            generated = f"first release: {n} {'city' if n == 1 else 'cities'}"
        else:
            try:
                changes = compare_releases(previous.path, tmp, from_version=previous.version, to_version=version)
            except (SyntaxError, OSError, ManifestError) as exc:
                raise BuildError(f"cannot compare with the previous release {previous.version} ({previous.path}): "
                                 f"{exc}") from None
            found["changes"] = changes
            manifest["files"] = [f for f in manifest["files"] if not str(f.get("name", "")).startswith("changes.")]
            manifest["files"].extend(write_changes(changes, tmp))
            generated = summary_line(changes)
        manifest = stamp_version(manifest, version, previous.version if previous else None, notes or generated)
        write_manifest(tmp, manifest)
        if finish is not None:
            finish(tmp)
        return manifest

    result = build_release(seeds, root / version, before_swap=before_swap, replace=False, **build_options)
    point_latest(root, version)
    return ReleasesResult(result, root, version, previous.version if previous else None, found["changes"])
