"""The wheel, as a user gets it: built from a clean clone's files, installed in a NEW venv (its
dependencies from the index), then run from an EMPTY folder: `citykg build` of the embedded default
seeds, `citykg validate`, `citykg serve --release dist` (relative), and every page, document, download
and static asset answers. Without its shapes, the installed citykg must refuse to build.

Two wheels: the release wheel (with the YASGUI build of `make assets`, as `make wheel` makes it) and
one built without it (a clone where `make assets` never ran), whose /sparql is the plain form."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests
from conftest import ROOT, free_port
from rdflib import Graph, URIRef
from served import Server, check_assets, check_downloads, tracked_copy

pytestmark = pytest.mark.slow

YASGUI = ROOT / "server/static/vendor/yasgui/yasgui.min.js"
CITY = "https://w3id.org/citykg/id/city/nanchang"


def run(cmd: list, *, cwd: Path, env: dict | None = None, timeout: float = 600, check: bool = True):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n"
                    f"{proc.stderr[-4000:]}")
    return proc


def build_wheel(tmp: Path, vendor: bool) -> Path:
    src = tracked_copy(tmp / "src", vendor=vendor)
    out = tmp / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, src], cwd=tmp)
    wheels = list(out.glob("citykg-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


class Installed:
    """A new venv with the wheel installed; commands run with its bin/ first on PATH and nothing of
    the caller's venv or source tree."""

    def __init__(self, tmp: Path, wheel: Path) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.venv = tmp / "venv"
        self.bin = self.venv / "bin"
        run([sys.executable, "-m", "venv", self.venv], cwd=tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.venv)
        self.env = env
        run([self.bin / "python", "-m", "pip", "install", wheel], cwd=tmp, env=env)

    def empty_folder(self, path: Path) -> Path:
        path.mkdir(parents=True)
        assert not any(path.iterdir())
        return path

    def citykg(self, *args: str, cwd: Path, check: bool = True):
        return run([self.bin / "citykg", *args], cwd=cwd, env=self.env, timeout=300, check=check)

    def package_dir(self, package: str, cwd: Path) -> Path:
        code = f"import importlib.resources as r; print(r.files({package!r}))"
        return Path(run([self.bin / "python", "-c", code], cwd=cwd, env=self.env).stdout.strip())

    def serve(self, cwd: Path, log: Path) -> Server:
        port = free_port()
        return Server([str(self.bin / "citykg"), "serve", "--release", "dist", "--port", str(port)], cwd=cwd,
                      log=log, url=f"http://127.0.0.1:{port}", env=self.env)


@pytest.fixture(scope="module")
def release_wheel(tmp_path_factory) -> Path:
    if not YASGUI.is_file():
        pytest.fail(f"{YASGUI.relative_to(ROOT)} is missing: the release wheel carries YASGUI; run `make assets`")
    return build_wheel(tmp_path_factory.mktemp("release-wheel"), vendor=True)


@pytest.fixture(scope="module")
def plain_wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("plain-wheel"), vendor=False)


@pytest.fixture(scope="module")
def installed(release_wheel, tmp_path_factory) -> Installed:
    return Installed(tmp_path_factory.mktemp("installed"), release_wheel)


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


def check_contents(names: set[str]) -> None:
    top = {n.split("/", 1)[0] for n in names}
    assert top == {"citykg", "citykg-0.1.0.dist-info"}, f"top level of the wheel: {sorted(top)}"
    assert not any(n.startswith(("kg/", "server/", "ontology/", "shapes/", "seeds/")) for n in names)
    for folder in ("ontology", "shapes"):
        ttl = {f"citykg/{folder}/{p.name}" for p in (ROOT / folder).glob("*.ttl")}
        assert ttl, f"{folder}/ has no *.ttl in the repository"
        assert ttl <= names, f"missing from the wheel: {sorted(ttl - names)}"
    for p in (ROOT / "seeds/profiles").iterdir():
        assert f"citykg/seeds/profiles/{p.name}" in names
    for folder, pattern in (("server/templates", "*.html"), ("server/static", "*.*")):
        for p in (ROOT / folder).glob(pattern):
            assert f"citykg/{folder}/{p.name}" in names, f"citykg/{folder}/{p.name} is not in the wheel"
    assert {"citykg/cli.py", "citykg/kg/build.py", "citykg/server/app.py",
            "citykg/server/routes/documents.py", "citykg/server/pages/resource.py"} <= names


def test_release_wheel_holds_one_namespace_and_its_data(release_wheel):
    names = wheel_names(release_wheel)
    check_contents(names)
    vendor = {n for n in names if n.startswith("citykg/server/static/vendor/yasgui/")}
    assert {f"citykg/server/static/vendor/yasgui/{f}" for f in ("yasgui.min.js", "yasgui.min.css", "package.json")} \
        <= vendor, vendor


def test_plain_wheel_builds_without_yasgui(plain_wheel):
    names = wheel_names(plain_wheel)
    check_contents(names)
    assert not any("/vendor/" in n for n in names)


def first_run(inst: Installed, cwd: Path) -> None:
    build = inst.citykg("build", cwd=cwd)
    assert "embedded default seeds" in build.stderr, build.stderr
    assert "conforms to the shapes" in build.stdout, build.stdout
    assert (cwd / "dist/manifest.json").is_file()
    check = inst.citykg("validate", "--release", "dist", cwd=cwd)
    assert "conforms" in check.stdout, check.stdout


def test_installed_wheel_first_run_builds_validates_and_serves_everything(installed, tmp_path):
    here = installed.empty_folder(tmp_path / "empty")
    # the code and data come from the new venv, not from a source tree
    for package in ("citykg", "citykg.kg", "citykg.server", "citykg.shapes", "citykg.ontology", "citykg.seeds"):
        assert installed.venv in installed.package_dir(package, here).parents, package
    for name in ("kg", "server", "ontology", "shapes", "seeds"):
        proc = run([installed.bin / "python", "-c", f"import {name}"], cwd=here, env=installed.env, check=False)
        assert proc.returncode != 0, f"`import {name}` works: the wheel installed a top-level {name} package"
    first_run(installed, here)
    assert sorted(p.name for p in here.iterdir()) == ["dist"]

    with installed.serve(here, tmp_path / "serve.log") as server:
        url = server.url
        get = requests.get

        home, home_assets = check_assets(url, "/")
        assert "Nanchang" in home

        page = get(url + "/doc/city/nanchang", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "Nanchang" in page.text
        ttl = get(url + "/doc/city/nanchang", headers={"Accept": "text/turtle"}, timeout=30)
        assert ttl.status_code == 200 and ttl.headers["Content-Type"].startswith("text/turtle")
        g = Graph().parse(data=ttl.text, format="turtle")
        assert (URIRef(CITY), None, None) in g

        r = get(url + "/id/city/nanchang", allow_redirects=False, timeout=30)
        assert r.status_code == 303, r.status_code
        assert r.headers["Location"].endswith("/doc/city/nanchang"), r.headers["Location"]

        for path in ("/def/", "/catalog", "/.well-known/void", "/search?q=nanchang"):
            r = get(url + path, timeout=30)
            assert r.status_code == 200, f"{path}: {r.status_code}"
        assert "Nanchang" in get(url + "/search?q=nanchang", timeout=30).text

        sparql_page, sparql_assets = check_assets(url, "/sparql")
        assert 'id="sparql-form"' in sparql_page
        assert "vendor/yasgui/yasgui.min.js" in sparql_page, "the release wheel's /sparql has no query editor"
        assert any(a.endswith("/vendor/yasgui/yasgui.min.js") for a in sparql_assets)
        assert any(a.endswith("/vendor/yasgui/yasgui.min.css") for a in sparql_assets)

        query = f"SELECT ?name WHERE {{ <{CITY}> <https://schema.org/name> ?name }}"
        r = get(url + "/sparql", params={"query": query},
                headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200, r.text[:500]
        assert r.headers["Content-Type"].startswith("application/sparql-results+json")
        names = [b["name"]["value"] for b in json.loads(r.text)["results"]["bindings"]]
        assert "Nanchang" in names, names

        check_downloads(url)
        assert home_assets and sparql_assets
    assert server.proc.returncode is not None


def test_installed_wheel_keeps_releases_diffs_and_serves_them_with_memento(installed, tmp_path):
    """From the installed wheel, in a folder of its own: two releases of edited seeds (relative paths), the
    changes between them, and `citykg serve --releases` with a TimeGate and a TimeMap."""
    here = installed.empty_folder(tmp_path / "series")
    seeds = here / "seeds" / "profiles"
    seeds.mkdir(parents=True)
    profile = installed.package_dir("citykg.seeds", here) / "profiles"
    for f in profile.iterdir():
        if f.is_file():
            (seeds / f.name).write_bytes(f.read_bytes())
    installed.citykg("build", "--quiet", "--no-documents", "--releases", "rel", "--version", "v1", cwd=here)
    text = next(seeds.glob("*.txt"))
    text.write_text(text.read_text(encoding="utf-8").replace("three counties", "four counties"), encoding="utf-8")
    installed.citykg("build", "--quiet", "--no-documents", "--releases", "rel", "--version", "v2", cwd=here)
    assert (here / "rel" / "latest").resolve() == (here / "rel" / "v2").resolve()
    diff = installed.citykg("diff", "--releases", "rel", "v1", "v2", "--format", "csv", cwd=here).stdout
    assert "counties" in diff and ",3,4," in diff
    port = free_port()
    with Server([str(installed.bin / "citykg"), "serve", "--releases", "rel", "--port", str(port)], cwd=here,
                log=tmp_path / "serve.log", url=f"http://127.0.0.1:{port}", env=installed.env) as server:
        r = requests.get(server.url + "/release/v1/doc/city/nanchang.ttl", timeout=30)
        assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
        assert r.headers.get("Memento-Datetime")
        r = requests.get(server.url + "/doc/city/nanchang", allow_redirects=False, timeout=30,
                         headers={"Accept-Datetime": "Thu, 01 Jan 2015 00:00:00 GMT"})
        assert r.status_code == 302 and r.headers["Location"].endswith("/release/v1/doc/city/nanchang")
        timemap = requests.get(server.url + "/timemap/doc/city/nanchang", timeout=30)
        assert timemap.headers["Content-Type"].startswith("application/link-format")
        assert "/release/v1/doc/city/nanchang>" in timemap.text and "/release/v2/doc/city/nanchang>" in timemap.text
        assert "counties" in requests.get(server.url + "/changes", timeout=30).text


def test_installed_wheel_without_shapes_refuses_to_build(installed, tmp_path):
    here = installed.empty_folder(tmp_path / "empty")
    shapes = installed.package_dir("citykg.shapes", here)
    assert installed.venv in shapes.parents
    moved = tmp_path / "shapes-moved"
    moved.mkdir()
    ttl = sorted(shapes.glob("*.ttl"))
    assert ttl, f"no shapes installed in {shapes}"
    try:
        for f in ttl:
            shutil.move(f, moved / f.name)
        proc = installed.citykg("build", cwd=here, check=False)
    finally:
        for f in moved.iterdir():
            shutil.move(f, shapes / f.name)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "conforms" not in out, out
    assert "build failed" in proc.stderr and "shapes" in proc.stderr, proc.stderr
    assert "installation is incomplete" in proc.stderr, proc.stderr
    assert not (here / "dist").exists()
    # restored: the same venv builds again
    assert "conforms to the shapes" in installed.citykg("build", cwd=here).stdout


def test_wheel_built_without_yasgui_serves_the_plain_form(plain_wheel, tmp_path):
    inst = Installed(tmp_path / "install", plain_wheel)
    here = inst.empty_folder(tmp_path / "empty")
    first_run(inst, here)
    with inst.serve(here, tmp_path / "serve.log") as server:
        page, assets = check_assets(server.url, "/sparql")
        assert 'id="sparql-form"' in page and "yasgui.min.js" not in page
        assert not any("/vendor/" in a for a in assets)
        check_assets(server.url, "/")
        r = requests.post(server.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is True
