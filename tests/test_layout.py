"""The package layout as the import rules of pyproject.toml ([tool.importlinter]) state it: the
build and the server never import each other, the server is layered, and no module imports
another from inside a function to dodge a circle."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
#: repository folder -> installed package (pyproject.toml [tool.setuptools.package-dir])
PACKAGES = {"citykg": "citykg", "kg": "citykg/kg", "server": "citykg/server"}


@pytest.fixture(scope="module")
def installed_tree(tmp_path_factory) -> Path:
    """The Python modules as they install (citykg/, citykg/kg/, citykg/server/), for tools that
    walk a package's folder (the editable install maps the folders instead)."""
    root = tmp_path_factory.mktemp("tree")
    for folder, target in PACKAGES.items():
        for source in (ROOT / folder).rglob("*.py"):
            relative = source.relative_to(ROOT / folder)
            if "vendor" in relative.parts or (folder == "citykg" and len(relative.parts) > 1):
                continue
            dest = root / target / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, dest)
    return root


def test_import_contracts_hold(installed_tree):
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), str(ROOT / "pyproject.toml")], cwd=installed_tree, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 kept, 0 broken" in result.stdout


def test_no_import_circle(installed_tree, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_tree))
    for name in [m for m in sys.modules if m == "citykg" or m.startswith("citykg.")]:
        monkeypatch.delitem(sys.modules, name)
    graph = grimp.build_graph("citykg")
    circles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if importer.startswith("citykg.server") and graph.chain_exists(imported=importer, importer=imported):
                circles.append(f"{importer} -> {imported} -> ... -> {importer}")
    assert not circles, "\n".join(circles)


def test_no_import_hidden_in_a_function():
    hidden = []
    for source in sorted((ROOT / "server").rglob("*.py")):
        if "vendor" in source.parts:
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        hidden.append(f"{source.relative_to(ROOT)}:{inner.lineno}")
    assert not hidden, "imports inside functions: " + ", ".join(hidden)
