"""Reference SPARQL stores for the benchmarks, started on loopback: Oxigraph server and Virtuoso.

Both load a release's dataset.nq with their own bulk loaders and answer SPARQL over the
union of the release's graphs (Oxigraph: --union-default-graph; Virtuoso: its default).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, what: str, timeout: float = 600, params: dict | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            if requests.get(url, params=params or {"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class OxigraphServer:
    """`oxigraph serve-read-only` over a database loaded once from dataset.nq (kept in `work`);
    with `dataset=None`, an empty read-write server (`oxigraph serve`) to publish into."""

    def __init__(self, dataset: Path | None, work: Path) -> None:
        self.db = work / "oxigraph-db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.store_url = f"http://127.0.0.1:{self.port}/store"
        if dataset is None:
            self.proc = subprocess.Popen(
                [str(BIN / "oxigraph"), "serve", "--location", str(self.db), "--bind", f"127.0.0.1:{self.port}",
                 "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            wait_for(self.url, self.proc, "oxigraph server")
            return
        if not (self.db / "READY").exists():
            shutil.rmtree(self.db, ignore_errors=True)
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(self.db), "--file", str(dataset)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            (self.db / "READY").write_text("ok\n")
        self.proc = subprocess.Popen(
            [str(BIN / "oxigraph"), "serve-read-only", "--location", str(self.db), "--bind",
             f"127.0.0.1:{self.port}", "--union-default-graph"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(self.url, self.proc, "oxigraph server")

    def stop(self) -> None:
        stop(self.proc)


VIRTUOSO_INI = """[Database]
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
DirsAllowed = ., {data}, /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 2G
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 16
MaxKeepAlives = 16
KeepAliveTimeout = 10
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
DefaultQuery = SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10
"""


class Virtuoso:
    """Virtuoso Open Source (Debian `virtuoso-opensource`) on loopback, loaded with its bulk loader."""

    def __init__(self, dataset: Path | None, work: Path, memory_gb: int = 4) -> None:
        virtuoso = shutil.which("virtuoso-t")
        if virtuoso is None:
            raise RuntimeError("virtuoso-t not found: apt-get install virtuoso-opensource")
        self.db = work / "virtuoso-db"
        self.data = dataset.parent.resolve() if dataset is not None else self.db
        self.db.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        buffers = memory_gb * 85000  # Virtuoso's sizing rule: ~85,000 buffers per GB
        (self.db / "virtuoso.ini").write_text(VIRTUOSO_INI.format(
            db=self.db, data=self.data, sql_port=self.sql_port, http_port=self.http_port,
            buffers=buffers, dirty=buffers * 3 // 4))
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.store_url = f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"
        self.proc = subprocess.Popen([virtuoso, "-f", "-c", str(self.db / "virtuoso.ini")], cwd=self.db,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(self.url, self.proc, "virtuoso")
        if dataset is not None and not (self.db / "LOADED").exists():
            self.isql(f"ld_dir('{self.data}', '{dataset.name}', 'http://localhost/default'); "
                      "rdf_loader_run(); checkpoint;")
            (self.db / "LOADED").write_text("ok\n")

    def isql(self, sql: str) -> str:
        isql = shutil.which("isql-vt") or shutil.which("isql")
        if isql is None:
            raise RuntimeError("isql-vt not found (Debian virtuoso-opensource)")
        out = subprocess.run([isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                             capture_output=True, text=True, timeout=3600)
        if out.returncode != 0 or "*** Error" in out.stdout:
            raise RuntimeError(f"isql failed: {out.stdout[-800:]} {out.stderr[-400:]}")
        return out.stdout

    def stop(self) -> None:
        stop(self.proc)
