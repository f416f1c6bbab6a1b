"""Helpers for the first-run tests: start a server command in a process group of its own, wait until
it answers, check the downloads against the manifest and the static assets a page references, and
stop the whole group (the command, gunicorn's master and its workers)."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import signal
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]


class Server:
    """`cmd` run with `cwd`, its output in `log`; `url` answers once the constructor returns."""

    def __init__(self, cmd: list[str], cwd: Path, log: Path, url: str, env: dict | None = None,
                 timeout: float = 180) -> None:
        self.url = url
        self.log = log
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.pgid = os.getpgid(self.proc.pid)  # == proc.pid: start_new_session made a new group
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise AssertionError(f"{' '.join(cmd)} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if requests.get(url + "/", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        self.stop()
        raise AssertionError(f"{' '.join(cmd)} did not answer on {url} in {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM to the group this server created, SIGKILL if it lingers."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGKILL)
            self.proc.wait()
        # the workers may outlive the master for a moment: wait until no live process is left in
        # the group (zombies waiting for a reaper do not count)
        deadline = time.monotonic() + 20
        while self._group_alive():
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pgid, signal.SIGKILL)
                break
            time.sleep(0.1)
        if not self._out.closed:
            self._out.close()

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        proc = Path("/proc")
        if not proc.is_dir():
            return True
        for stat in proc.glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == self.pgid and fields[0] != "Z":  # state, ppid, pgrp
                return True
        return False

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def tracked_copy(dest: Path, vendor: bool = True) -> Path:
    """What a clean clone has: the files `git ls-files` lists (mtimes kept, so make sees what the
    checkout has), plus (`vendor`) the git-ignored YASGUI build of `make assets` when it is there."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, names.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    if vendor and (ROOT / "server/static/vendor").is_dir():
        shutil.copytree(ROOT / "server/static/vendor", dest / "server/static/vendor")
    return dest


class _Refs(HTMLParser):
    """Every <a href>, <link href>, <script src> and <img src> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("href"):
            self.assets.append(a["href"])
        elif tag in ("script", "img") and a.get("src"):
            self.assets.append(a["src"])


def page_refs(html: str) -> _Refs:
    parser = _Refs()
    parser.feed(html)
    return parser


def raw_get(url: str, **kw) -> tuple[requests.Response, bytes]:
    """GET, and the body exactly as sent (no transparent gunzip)."""
    r = requests.get(url, stream=True, timeout=30, **kw)
    body = r.raw.read(decode_content=False)
    r.close()
    return r, body


def check_downloads(url: str) -> dict:
    """/download/manifest.json and every file the /download page lists: 200, and the bytes have the
    manifest's size and SHA-256; the page lists exactly the manifest's files. Returns the manifest."""
    r = requests.get(url + "/download/manifest.json", timeout=30)
    assert r.status_code == 200, f"/download/manifest.json: {r.status_code}"
    manifest = r.json()
    expected = {f["name"]: f for f in manifest["files"]}
    assert expected, "the manifest lists no files"
    page = requests.get(url + "/download", timeout=30)
    assert page.status_code == 200, f"/download: {page.status_code}"
    listed = {
        unquote(urlsplit(urljoin(url + "/download", href)).path).removeprefix("/download/")
        for href in page_refs(page.text).links
        if urlsplit(urljoin(url + "/download", href)).path.startswith("/download/")
    }
    listed.discard("manifest.json")
    assert listed == set(expected), f"/download lists {sorted(listed)}, the manifest {sorted(expected)}"
    for name, entry in expected.items():
        r, body = raw_get(urljoin(url + "/download/", name))
        assert r.status_code == 200, f"/download/{name}: {r.status_code}"
        assert len(body) == entry["size"], f"/download/{name}: {len(body)} bytes, the manifest says {entry['size']}"
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], f"/download/{name}: SHA-256 differs"
    return manifest


def check_assets(url: str, path: str, accept: str = "text/html") -> tuple[str, list[str]]:
    """The page at `path` (200) and every asset it references (<link href>, <script src>, <img src>,
    /favicon.ico): all 200 and all from this server. Returns the page and the assets fetched."""
    r = requests.get(url + path, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, f"{path}: {r.status_code}"
    assets = page_refs(r.text).assets + ["/favicon.ico"]
    fetched = []
    for ref in assets:
        full = urljoin(url + path, ref)
        assert full.startswith(url + "/"), f"{path} references {ref}, not on this server"
        a = requests.get(full, timeout=30)
        assert a.status_code == 200, f"{path} references {ref}: {a.status_code}"
        assert a.content, f"{path} references {ref}: empty"
        fetched.append(urlsplit(full).path)
    return r.text, fetched


def raw(server, method: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """One request to a live server with nothing added (no automatic decompression, no redirects); the body
    is read into ``resp.body``."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    resp.body = resp.read()
    conn.close()
    return resp
