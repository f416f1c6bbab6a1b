"""`citykg validate`: checks a published release against its manifest and the shapes."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset, Graph

from citykg.uris import UriPolicy

from .publish import sha256_file
from .validate import ValidationReport, load_shapes, validate_graph


class ReleaseCheckError(RuntimeError):
    """The release folder is incomplete or corrupt."""


def read_manifest(release: Path) -> dict:
    path = release / "manifest.json"
    if not path.is_file():
        raise ReleaseCheckError(f"{release}: no manifest.json (not a release folder; run `citykg build`)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseCheckError(f"{path}: not valid JSON: {exc}") from exc
    for key in ("base", "files", "sources"):
        if key not in manifest:
            raise ReleaseCheckError(f"{path}: missing {key!r}")
    return manifest


def verify_files(release: Path, manifest: dict) -> None:
    for entry in manifest["files"]:
        path = release / entry["name"]
        if not path.is_file():
            raise ReleaseCheckError(f"{path}: listed in manifest.json but missing")
        size = path.stat().st_size
        if size != entry["size"]:
            raise ReleaseCheckError(f"{path}: size {size} bytes, manifest says {entry['size']} (truncated?)")
        digest = sha256_file(path)
        if digest != entry["sha256"]:
            raise ReleaseCheckError(f"{path}: SHA-256 {digest} does not match the manifest ({entry['sha256']})")


def check_release(release: Path) -> ValidationReport:
    manifest = read_manifest(release)
    verify_files(release, manifest)
    policy = UriPolicy(manifest["base"])
    ds = Dataset()
    ds.parse(release / "dataset.nq", format="nquads")
    union = Graph()
    for g in ds.graphs():
        if g.identifier != policy.graph("metadata"):
            for t in g:
                union.add(t)
    return validate_graph(union, load_shapes(policy))
