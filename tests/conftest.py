"""Shared fixtures: the real release (built once per session), a tiny hand-made release
for edge cases, Flask apps over both, and a real gunicorn server on loopback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["stores"]  # the SPARQL stores: Oxigraph server, Virtuoso
CITYKG = Path(sys.executable).with_name("citykg")
BASE = "https://w3id.org/citykg"


def _citykg(*args: str) -> list[str]:
    if CITYKG.exists():
        return [str(CITYKG), *args]
    return [sys.executable, "-m", "citykg.cli", *args]


@pytest.fixture(scope="session")
def served_release(tmp_path_factory) -> Path:
    """The real release: `citykg build` of seeds/, into a temporary folder, once.

    CITYKG_TEST_RELEASE=DIR serves an existing release instead (e.g. a large one).
    """
    if os.environ.get("CITYKG_TEST_RELEASE"):
        return Path(os.environ["CITYKG_TEST_RELEASE"])
    out = tmp_path_factory.mktemp("served") / "dist"
    proc = subprocess.run(
        _citykg("build", "--seeds", str(ROOT / "seeds"), "--out", str(out), "--quiet"),
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(f"citykg build failed:\n{proc.stdout}\n{proc.stderr}")
    return out


@pytest.fixture(scope="session")
def app(served_release):
    from citykg.server.app import create_app

    return create_app(served_release, config={"TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


# -- a tiny hand-made release for edge cases --------------------------------------------------

MINI_INCOMING = 1203  # more than two pages of incoming links
XSS = '<script>alert("x")</script> & "quotes"'


def _lit(text: str, lang: str | None = None, dt: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{esc}"@{lang}'
    if dt:
        return f'"{esc}"^^<{dt}>'
    return f'"{esc}"'


def write_mini_release(folder: Path, base: str = BASE) -> Path:
    """A release folder following docs/model.md and docs/release.md, small and tricky."""
    folder.mkdir(parents=True, exist_ok=True)
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    s = "https://schema.org/"
    skos = "http://www.w3.org/2004/02/skos/core#"
    owl = "http://www.w3.org/2002/07/owl#"
    dct = "http://purl.org/dc/terms/"
    dcat = "http://www.w3.org/ns/dcat#"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    qb = "http://purl.org/linked-data/cube#"
    dim = "http://purl.org/linked-data/sdmx/2009/dimension#"
    meas = "http://purl.org/linked-data/sdmx/2009/measure#"
    attr = "http://purl.org/linked-data/sdmx/2009/attribute#"
    g_onto, g_prof, g_meta = f"{base}/graph/ontology", f"{base}/graph/profile/zurich", f"{base}/graph/metadata"
    city = f"{base}/id/city/zurich"
    lines: list[str] = []

    def q(sub: str, pred: str, obj: str, graph: str) -> None:
        lines.append(f"<{sub}> <{pred}> {obj} <{graph}> .")

    # ontology graph
    q(f"{base}/def/", f"{rdf}type", f"<{owl}Ontology>", g_onto)
    q(f"{base}/def/", f"{rdfs}label", _lit("citykg ontology", "en"), g_onto)
    q(f"{base}/def/City", f"{rdf}type", f"<{owl}Class>", g_onto)
    q(f"{base}/def/City", f"{rdfs}label", _lit("City", "en"), g_onto)
    q(f"{base}/def/City", f"{rdfs}comment", _lit("A city described by a profile.", "en"), g_onto)
    q(f"{base}/def/indicator", f"{rdf}type", f"<{owl}ObjectProperty>", g_onto)
    q(f"{base}/def/indicator", f"{rdfs}label", _lit("indicator", "en"), g_onto)
    q(f"{base}/def/valueQualifier", f"{rdfs}label", _lit("value qualifier", "en"), g_onto)
    q(f"{base}/def/indicator", f"{rdf}type", f"<{skos}ConceptScheme>", g_onto)
    q(f"{base}/def/indicator/population", f"{rdf}type", f"<{skos}Concept>", g_onto)
    q(f"{base}/def/indicator/population", f"{skos}inScheme", f"<{base}/def/indicator>", g_onto)
    q(f"{base}/def/indicator/population", f"{skos}prefLabel", _lit("population", "en"), g_onto)
    q(f"{base}/def/indicator/population", f"{skos}closeMatch", "<http://www.wikidata.org/entity/P1082>", g_onto)
    q(f"{base}/def/qualifier/nearly", f"{skos}prefLabel", _lit("nearly", "en"), g_onto)
    # profile graph
    q(city, f"{rdf}type", f"<{s}City>", g_prof)
    q(city, f"{rdf}type", f"<{base}/def/City>", g_prof)
    q(city, f"{rdfs}label", _lit("Zürich Test", "en"), g_prof)
    q(city, f"{rdfs}label", _lit("苏黎世", "zh"), g_prof)
    q(city, f"{s}name", _lit("Zürich Test", "en"), g_prof)
    q(city, f"{s}description", _lit(XSS, "en"), g_prof)
    q(city, f"{base}/def/sourceText", _lit(XSS, "en"), g_prof)
    q(city, f"{owl}sameAs", "<https://sws.geonames.org/2657896/>", g_prof)
    q(f"{base}/id/landmark/cafe", f"{rdfs}label", _lit("Café", "en"), g_prof)
    q(f"{base}/id/landmark/bridge", f"{rdfs}label", _lit("Ümlaut Brücke", "en"), g_prof)
    q(f"{base}/id/landmark/cafe", f"{s}containedInPlace", f"<{city}>", g_prof)
    q(f"{base}/id/landmark/grand-cafe", f"{rdfs}label", _lit("Grand Cafe", "en"), g_prof)
    q(f"{base}/id/landmark/cafe-society", f"{rdfs}label", _lit("cafe society", "en"), g_prof)
    q(f"{base}/id/landmark/cafeteria", f"{rdfs}label", _lit("Cafeteria", "en"), g_prof)
    for i in range(MINI_INCOMING):
        obs = f"{base}/id/observation/zurich/population/y{i:04d}"
        q(obs, f"{rdf}type", f"<{qb}Observation>", g_prof)
        q(obs, f"{dim}refArea", f"<{city}>", g_prof)
        q(obs, f"{base}/def/indicator", f"<{base}/def/indicator/population>", g_prof)
        q(obs, f"{meas}obsValue", _lit(str(1000 + i), dt=f"{xsd}integer"), g_prof)
        q(obs, f"{attr}unitMeasure", "<http://qudt.org/vocab/unit/NUM>", g_prof)
        q(obs, f"{base}/def/valueQualifier", f"<{base}/def/qualifier/nearly>", g_prof)
        q(obs, f"{base}/def/sourceText", _lit(f"nearly {1000 + i} people <b>lived</b> here", "en"), g_prof)
    # metadata graph as the dumps carry it (no sizes); catalog.ttl replaces it when loaded
    q(f"{base}/catalog", f"{rdf}type", f"<{dcat}Catalog>", g_meta)
    q(f"{base}/catalog", f"{dct}title", _lit("stale metadata", "en"), g_meta)
    lines.sort()
    (folder / "dataset.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "catalog.ttl").write_text(
        f"""@prefix dcat: <{dcat}> . @prefix dct: <{dct}> . @prefix xsd: <{xsd}> .
<{base}/catalog> a dcat:Catalog ; dct:title "Mini catalogue"@en ; dcat:dataset <{base}/id/dataset/citykg> .
<{base}/id/dataset/citykg> a dcat:Dataset ; dct:title "Mini dataset"@en ;
  dct:description "A tiny release for tests."@en ;
  dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ;
  dcat:distribution <{base}/id/dataset/citykg/distribution/dataset-ttl> .
<{base}/id/dataset/citykg/distribution/dataset-ttl> a dcat:Distribution ;
  dcat:downloadURL <{base}/download/dataset.ttl> ; dcat:byteSize "12"^^xsd:nonNegativeInteger .
""",
        encoding="utf-8",
    )
    (folder / "void.ttl").write_text(
        f"@prefix void: <http://rdfs.org/ns/void#> .\n<{base}/id/dataset/citykg> a void:Dataset ; "
        f"void:triples 10 ; void:dataDump <{base}/download/dataset.ttl> .\n",
        encoding="utf-8",
    )
    (folder / "dataset.ttl").write_text("# mini dump\n", encoding="utf-8")
    import hashlib

    files = []
    for name, media in (("dataset.nq", "application/n-quads"), ("dataset.ttl", "text/turtle"),
                        ("catalog.ttl", "text/turtle"), ("void.ttl", "text/turtle")):
        data = (folder / name).read_bytes()
        files.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                      "media_type": media})
    manifest = {
        "software": {"name": "citykg", "version": "0.1.0"},
        "base": base,
        "built": "2026-11-28T15:00:00Z",
        "license": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
        "title": "mini <release>",
        "conforms": True,
        "triples": len(lines),
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def mini_release(tmp_path_factory) -> Path:
    return write_mini_release(tmp_path_factory.mktemp("mini") / "dist")


@pytest.fixture(scope="session")
def mini_app(mini_release):
    from citykg.server.app import create_app

    return create_app(mini_release, config={"TESTING": True})


@pytest.fixture()
def mini_client(mini_app):
    return mini_app.test_client()


# -- a real server (citykg serve) on loopback ---------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`citykg serve` on a free loopback port, under its default HTTP server (granian) or `http`;
    `option` --release or --releases."""

    def __init__(self, release: Path, log: Path, http: str | None = None, option: str = "--release",
                 workers: int = 2, settings: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        sets = [a for name in settings for a in ("--set", name)]
        self.proc = subprocess.Popen(
            _citykg("serve", option, str(release), "--host", "127.0.0.1", "--port", str(self.port),
                    "--workers", str(workers), *sets, *(["--http", http] if http else [])),
            cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"citykg serve exited:\n{log.read_text(errors='replace')}")
            try:
                if requests.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"citykg serve did not answer:\n{log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the server's main process and its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._out.close()


@pytest.fixture(scope="session")
def live_server(served_release, tmp_path_factory):
    server = LiveServer(served_release, tmp_path_factory.mktemp("live") / "serve.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gunicorn_server(served_release, tmp_path_factory):
    """The same release under `citykg serve --http gunicorn`."""
    server = LiveServer(served_release, tmp_path_factory.mktemp("live-gunicorn") / "serve.log", http="gunicorn")
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["granian", "gunicorn"])
def any_server(request):
    """The release under each HTTP server `citykg serve` offers (for the limits both must keep)."""
    return request.getfixturevalue("live_server" if request.param == "granian" else "gunicorn_server")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("chromium is not installed")
    return path


# -- a release of many cities (tests/multicity.py) --------------------------------------------------


@pytest.fixture(scope="session")
def multicity_release(tmp_path_factory) -> Path:
    import multicity

    return multicity.build(tmp_path_factory.mktemp("multicity"))


@pytest.fixture(scope="session")
def multicity_app(multicity_release):
    from citykg.server.app import create_app

    return create_app(multicity_release, config={"TESTING": True})


@pytest.fixture()
def multicity_client(multicity_app):
    return multicity_app.test_client()


@pytest.fixture(scope="session")
def multicity_server(multicity_release, tmp_path_factory):
    server = LiveServer(multicity_release, tmp_path_factory.mktemp("multicity-live") / "gunicorn.log")
    yield server
    server.stop()


# -- three releases of changing seeds, served together (tests/series.py) ---------------------------


@pytest.fixture(scope="session")
def release_series(tmp_path_factory):
    import series

    return series.build_series(tmp_path_factory.mktemp("series"))


@pytest.fixture(scope="session")
def series_server(release_series, tmp_path_factory):
    server = LiveServer(release_series.folder, tmp_path_factory.mktemp("series-live") / "gunicorn.log",
                        option="--releases")
    yield server
    server.stop()
