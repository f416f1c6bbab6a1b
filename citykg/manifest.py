"""A release's manifest.json (docs/release.md): reading it and checking the files it lists.

Shared by the build side (`citykg validate`, `citykg publish`) and the server (`Release.open`,
`Release.verify`), so both refuse a damaged release with the same messages.  Standard library only.

    manifest = read_manifest(folder)        # ManifestError: no file, not JSON, not an object, a key missing
    verify_files(folder, manifest)          # ManifestError: a file missing, truncated or altered

`check_sizes` and `check_digests` are the two halves of `verify_files`, for a caller that checks
sizes often and digests once (the server stamps the digests it has checked).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "manifest.json"

#: The keys `citykg validate` requires; every build writes them.
REQUIRED_KEYS = ("base", "files", "sources")


class ManifestError(RuntimeError):
    """The release folder is missing, incomplete or corrupt; the message names the file."""


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file as lowercase hex, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(release: Path, required: Iterable[str] = REQUIRED_KEYS) -> dict[str, Any]:
    """The manifest of the release folder `release`, which must hold every key of `required`."""
    path = release / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{release}: no {MANIFEST} (not a release folder; run `citykg build --out {release}`)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: not valid JSON ({exc}): the release is corrupt, rebuild it") from None
    if not isinstance(manifest, dict):
        raise ManifestError(f"{path}: not a release manifest (a JSON object expected, found {_kind(manifest)})")
    for key in required:
        if key not in manifest:
            raise ManifestError(f"{path}: not a release manifest: missing {key!r}")
    if "files" in manifest:
        file_entries(release, manifest)  # the listing's shape is checked as soon as it is read
    return manifest


def file_entries(release: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's `files` list, each entry checked: a relative `name` inside the release, an
    integer `size` and a `sha256` string."""
    path = release / MANIFEST
    entries = manifest.get("files", [])
    if not isinstance(entries, list):
        raise ManifestError(f"{path}: 'files' is not a list")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ManifestError(f"{path}: files[{i}] is not an object")
        name = entry.get("name")
        if not isinstance(name, str) or not name or PurePosixPath(name).is_absolute() or ".." in Path(name).parts:
            raise ManifestError(f"{path}: files[{i}] has no usable name ({name!r}): not a file of the release")
        if not isinstance(entry.get("size"), int) or not isinstance(entry.get("sha256"), str):
            raise ManifestError(f"{path}: {name} has no integer 'size' and 'sha256' string")
    return entries


def check_sizes(release: Path, manifest: dict[str, Any]) -> dict[str, list[int]]:
    """Every listed file exists and has the listed size; returns {name: [size, mtime_ns]}."""
    stats: dict[str, list[int]] = {}
    for entry in file_entries(release, manifest):
        file = release / entry["name"]
        if not file.is_file():
            raise ManifestError(f"{file}: listed in {MANIFEST} but missing")
        st = file.stat()
        if st.st_size != entry["size"]:
            raise ManifestError(f"{file}: {st.st_size} bytes, {MANIFEST} says {entry['size']} "
                                "(truncated or altered): rebuild the release")
        stats[entry["name"]] = [st.st_size, st.st_mtime_ns]
    return stats


def check_digests(release: Path, manifest: dict[str, Any]) -> None:
    """Every listed file has the listed SHA-256 (reads every byte)."""
    for entry in file_entries(release, manifest):
        file = release / entry["name"]
        try:
            digest = sha256_file(file)
        except OSError as exc:
            raise ManifestError(f"{file}: listed in {MANIFEST} but unreadable ({exc.strerror})") from None
        if digest != entry["sha256"]:
            raise ManifestError(f"{file}: SHA-256 {digest} differs from {MANIFEST} ({entry['sha256']}): "
                                "the release is corrupt, rebuild it")


def verify_files(release: Path, manifest: dict[str, Any]) -> None:
    """Every listed file exists, with the listed size and SHA-256 (sizes of all first: cheap)."""
    check_sizes(release, manifest)
    check_digests(release, manifest)


def _kind(value: object) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)
