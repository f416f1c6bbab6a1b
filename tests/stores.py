"""Store fixtures (a pytest plugin, `pytest_plugins = ["stores"]` in tests/conftest.py): real SPARQL stores on loopback,
loaded with the real release by `citykg publish`, started once per session and stopped at its end.

- ``oxigraph_store``: Oxigraph server (PyPI package `oxigraph`), ``oxigraph serve`` read-write with
  ``--union-default-graph``; query endpoint /query, Graph Store endpoint /store.
- ``virtuoso_store``: Virtuoso Open Source (Debian package `virtuoso-opensource`), ``virtuoso-t -f``
  with a virtuoso.ini written here that listens on 127.0.0.1 only (SQL and HTTP); query endpoint
  /sparql, Graph Store endpoint /sparql-graph-crud-auth with digest authentication (dba/dba).
- ``remote_store``: each of the two in turn (parametrized).
- ``store_app``: the Flask app over the real release on each store, "embedded" | "oxigraph" |
  "virtuoso" (parametrized); ``store_client`` is its test client.

Nothing is skipped: a store that is missing or does not start fails the tests that need it
(CI installs both, see .ci/run).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
REMOTE_KINDS = ("oxigraph", "virtuoso")
STORE_KINDS = ("embedded", *REMOTE_KINDS)
#: the stores' own limit on one query (s): past it they stop evaluating (the citykg endpoint
#: answers 503 at its own, shorter, timeout; this frees the store's threads soon after)
STORE_QUERY_TIMEOUT = 5


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StoreProcess:
    """A SPARQL store running on loopback, started by the tests."""

    kind: str
    url: str  # SPARQL query endpoint
    graph_store: str  # SPARQL 1.1 Graph Store HTTP Protocol endpoint
    credentials: list[str]  # `citykg publish` options
    proc: subprocess.Popen
    log: Path
    extra: dict = field(default_factory=dict)

    def publish_args(self, release: Path) -> list[str]:
        return ["publish", "--release", str(release), "--to", self.url, "--graph-store", self.graph_store,
                *self.credentials]

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.kind} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                r = requests.get(self.url, params={"query": "ASK {}"}, timeout=5)
                if r.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"{self.kind} did not answer {self.url} within {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        texts = [p.read_text(errors="replace")[-3000:] for p in (self.log, *self.extra.get("logs", ())) if p.exists()]
        return "\n".join(texts)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def oxigraph_binary() -> str:
    here = Path(sys.executable).with_name("oxigraph")
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server (PyPI package `oxigraph`, in the test extras) is not installed")
    return found


def start_oxigraph(work: Path) -> StoreProcess:
    port = _free_port()
    log = work / "oxigraph.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(work / "db"), "--bind", f"127.0.0.1:{port}",
             "--union-default-graph", "--timeout-s", str(STORE_QUERY_TIMEOUT)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    store = StoreProcess("oxigraph", f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/store", [],
                         proc, log)
    store.wait(30)
    return store


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
MaxCheckpointRemap = 2000
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {timeout}
MaxQueryCostEstimationTime = 0
"""


def start_virtuoso(work: Path) -> StoreProcess:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.fail("virtuoso-t not found: install the Debian package virtuoso-opensource (.ci/run does)")
    db = work / "virtuoso"
    db.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=db, sql_port=sql_port, http_port=http_port, timeout=STORE_QUERY_TIMEOUT))
    log = db / "stdout.log"
    with log.open("wb") as out:
        # -f: foreground (a child of the tests, stopped by them); +configfile: our loopback-only ini
        proc = subprocess.Popen([binary, "-f", "+configfile", str(ini)], cwd=db, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    store = StoreProcess("virtuoso", f"http://127.0.0.1:{http_port}/sparql",
                         f"http://127.0.0.1:{http_port}/sparql-graph-crud-auth", ["--user", "dba", "--password", "dba"],
                         proc, log, {"logs": [db / "virtuoso.log"], "sql_port": sql_port})
    store.wait(120)
    return store


def citykg(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def publish(store: StoreProcess, release: Path) -> subprocess.CompletedProcess[str]:
    out = citykg(*store.publish_args(release))
    if out.returncode != 0:
        pytest.fail(f"citykg publish into {store.kind} failed:\n{out.stdout}\n{out.stderr}")
    return out


def _started(kind: str, release: Path, work: Path):
    store = start_oxigraph(work) if kind == "oxigraph" else start_virtuoso(work)
    try:
        publish(store, release)
    except BaseException:
        store.stop()
        raise
    return store


@pytest.fixture(scope="session")
def oxigraph_store(served_release, tmp_path_factory):
    store = _started("oxigraph", served_release, tmp_path_factory.mktemp("oxigraph-store"))
    yield store
    store.stop()


@pytest.fixture(scope="session")
def virtuoso_store(served_release, tmp_path_factory):
    store = _started("virtuoso", served_release, tmp_path_factory.mktemp("virtuoso-store"))
    yield store
    store.stop()


@pytest.fixture(scope="session", params=REMOTE_KINDS)
def remote_store(request) -> StoreProcess:
    return request.getfixturevalue(f"{request.param}_store")


_APPS: dict[tuple[str, str], object] = {}


def remote_app(release: Path, store: StoreProcess):
    """The app over `release` answered from `store` (one per store and release in a session)."""
    from citykg.server.app import create_app
    from citykg.server.remote import RemoteStore

    key = (store.url, str(release))
    if key not in _APPS:
        _APPS[key] = create_app(release, store=RemoteStore.for_release(store.url, release),
                                config={"TESTING": True})
    return _APPS[key]


@pytest.fixture(scope="session", params=STORE_KINDS)
def store_app(request, served_release):
    """The app over the real release, on each store in turn: embedded, Oxigraph server, Virtuoso."""
    if request.param == "embedded":
        return request.getfixturevalue("app")
    return remote_app(served_release, request.getfixturevalue(f"{request.param}_store"))


@pytest.fixture()
def store_client(store_app):
    return store_app.test_client()
