"""citykg.manifest: the one reader and verifier of a release's manifest.json (build side and server)."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
from pathlib import Path

import pytest

from citykg.manifest import ManifestError, check_sizes, read_manifest, sha256_file, verify_files


def _release(folder: Path, **extra: object) -> Path:
    folder.mkdir()
    data = b"<urn:a> <urn:b> <urn:c> <urn:g> .\n"
    (folder / "dataset.nq").write_bytes(data)
    manifest = {"base": "https://example.org/kg", "sources": [],
                "files": [{"name": "dataset.nq", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}],
                **extra}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_a_good_release_verifies(tmp_path):
    folder = _release(tmp_path / "r")
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    assert list(check_sizes(folder, manifest)) == ["dataset.nq"]
    assert sha256_file(folder / "dataset.nq") == manifest["files"][0]["sha256"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no manifest.json (not a release folder"),
        ('{"files": [', "not valid JSON"),
        ("[1, 2]", "a JSON object expected, found an array"),
        ('{"base": "x", "files": []}', "missing 'sources'"),
        ('{"base": "x", "sources": [], "files": {}}', "'files' is not a list"),
        ('{"base": "x", "sources": [], "files": [{"name": "../etc/passwd", "size": 1, "sha256": ""}]}',
         "no usable name"),
        ('{"base": "x", "sources": [], "files": [{"name": "a.ttl"}]}', "a.ttl has no integer 'size'"),
    ],
)
def test_read_manifest_errors(tmp_path, content, message):
    if content is not None:
        (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError, match=re.escape(message)):
        read_manifest(tmp_path)


def test_required_keys_are_the_callers(tmp_path):
    (tmp_path / "manifest.json").write_text('{"files": []}', encoding="utf-8")
    assert read_manifest(tmp_path, required=("files",)) == {"files": []}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("delete", "dataset.nq: listed in manifest.json but missing"),
        ("truncate", "dataset.nq: 10 bytes, manifest.json says 34 (truncated or altered)"),
        ("flip", "dataset.nq: SHA-256 [0-9a-f]{64} differs from manifest.json"),
    ],
)
def test_verify_files_names_the_damaged_file(tmp_path, damage, message):
    folder = _release(tmp_path / "r")
    dump = folder / "dataset.nq"
    data = dump.read_bytes()
    if damage == "delete":
        dump.unlink()
    elif damage == "truncate":
        dump.write_bytes(data[:10])
    else:
        dump.write_bytes(data.replace(b"<urn:a>", b"<urn:x>"))
    with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        verify_files(folder, read_manifest(folder))


def test_the_server_and_validate_raise_their_own_subclass(tmp_path):
    from citykg.server.release import Release, ReleaseError

    folder = _release(tmp_path / "r")
    (folder / "dataset.nq").write_bytes(b"x")
    with pytest.raises(ReleaseError, match="truncated or altered") as caught:
        Release.open(folder).verify()
    assert isinstance(caught.value, ManifestError)


def test_manifest_module_uses_only_the_standard_library():
    import citykg.manifest as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert names - {"__future__"} <= set(sys.stdlib_module_names)
