"""Serving a folder of releases (``citykg serve --releases DIR``): the latest at the usual URIs, every kept
release under ``/release/{version}/``, and Memento (RFC 7089) between them.

`serve_series` builds the app of the latest release exactly as ``--release`` does and puts `SeriesDispatcher`
in front of it (``app.wsgi_app``):

- ``/release/{version}/…`` goes to that release's own app, mounted there (``SCRIPT_NAME``), with the canonical
  root kept in ``citykg.site_root`` so that links to resources stay canonical (``/doc/…``). An earlier release's
  app is created on its first request in each worker, over its on-disk store (`DiskStore`, built once beside
  the release and opened read-only) and its ``documents.sqlite``: nothing of it is parsed into RAM. The latest
  is answered by the latest's app (its in-memory store) under that mount too. Everything there is sent
  ``Cache-Control: public, max-age=31536000, immutable``; documents get ``Memento-Datetime`` and ``Link``
  (original, TimeGate, TimeMap, first/prev/next/last memento).
- ``/doc/…`` and ``/def/…`` are their own TimeGates (RFC 7089 section 4.1.1, URI-R = URI-G, 302-style):
  ``Vary: accept-datetime`` always; with ``Accept-Datetime`` a 302 to the memento in force then, else the
  latest's answer with ``Link`` to the TimeGate and TimeMap.
- ``/timemap/doc/…`` and ``/timemap/def/…``: the TimeMap (``application/link-format``).
- The catalogue of the folder (`citykg.series.catalog_graph`: the dataset series, a dataset per kept release)
  is ``/catalog`` and, in an in-memory store, the latest's metadata graph: ``/sparql`` sees the series and its
  datasets (``BASE/id/dataset/citykg/release/{version}``) have documents.
Anything else (``/release/`` itself, an unknown version) goes on to the latest's app.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from citykg.server import docstore, queries
from citykg.server.app import create_app
from citykg.server.cache import LRU
from citykg.server.release import Release, ReleaseError, parse_triples, replace_graph
from citykg.server.routes import sparql
from citykg.server.routes.common import PATH_RE, split_ext
from citykg.server.versions import (
    IMMUTABLE,
    LINK_FORMAT,
    BadDatetimeError,
    Version,
    Versions,
    memento_links,
    parse_accept_datetime,
    timemap,
)
from flask import Flask
from werkzeug.wsgi import get_host

from citykg.series import catalog_graph

#: Settings of an earlier release's app beyond the server's: its files are checked against its manifest
#: (sizes at every first use, SHA-256 once per release), as the latest's are at start. It shares the latest's
#: response cache (`app_for`: entries carry their release key), so N releases do not mean N caches.
_EARLIER_CONFIG = {"VERIFY_RELEASE": True}

Headers = list[tuple[str, str]]
#: what `SeriesDispatcher._build_store_apart` runs: ``python -c _BUILD_STORE RELEASE BASE``: the app over the
#: on-disk store, which builds the store, verifies the files and saves what the app derives (derived.pickle)
_BUILD_STORE = ("import sys; from citykg.server.app import create_app; "
                "create_app(sys.argv[1], base=sys.argv[2], store_mode='disk', config={'VERIFY_RELEASE': True}, "
                "log=print)")


def serve_series(folder: Path | str, *, base: str | None = None, config: dict | None = None,
                 store_mode: str = "auto", log: Callable[[str], None] = lambda _m: None) -> Flask:
    """The app of the latest release of `folder` with every kept release behind it (see the module's text)."""
    try:
        versions = Versions.open(folder)
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{folder}: not a folder of releases ({exc})") from None
    if not versions.items:
        raise ReleaseError(f"{folder}: no release in it (build one with `citykg build --releases {folder}`)")
    app = create_app(versions.latest.path, base=base, config=config, store_mode=store_mode, log=log)
    dispatcher = SeriesDispatcher(app, versions, base=base, config=config, log=log)
    kg = app.extensions["citykg"]
    kg.series = dispatcher
    app.wsgi_app = dispatcher  # type: ignore[method-assign]
    data = dispatcher.catalog_ntriples()
    base_ = kg.policy.base
    # the series, its versioned datasets and their distributions and checksums join the latest's catalogue;
    # the places the catalogue types as dct:Location (a city of an earlier release only) do not
    if not replace_graph(kg.store, str(kg.policy.graph("metadata")), data,
                                              kg.release.built_base, base_,
                                              (f"{base_}/id/dataset/", f"{base_}/release/")):
        log("the store cannot be changed: its metadata graph keeps the latest's catalogue, /catalog has the series")
    else:
        documents = app.extensions.get("citykg.documents")
        if documents is not None:  # pre-rendered before the series existed: the dataset's documents by Flask
            documents.skip_prefixes = ("dataset/",)
    return app


class SeriesDispatcher:
    """WSGI middleware in front of the latest's app; see the module's text."""

    def __init__(self, app: Flask, versions: Versions, *, base: str | None, config: dict | None,
                 log: Callable[[str], None]) -> None:
        self.app = app
        self.inner = app.wsgi_app  # the latest's chain: documents, response cache, Flask
        self.versions = versions
        self.base = base
        self.config = dict(config or {})
        self.log = log
        self.kg = app.extensions["citykg"]
        self._apps: dict[str, Any] = {versions.latest.version: self.inner}
        self._kgs: dict[str, Any] = {versions.latest.version: self.kg}
        self._lock = threading.Lock()
        self._holds: LRU[list[Version]] = LRU(4 * 1024 * 1024, 64 * 1024)
        self._docs = threading.local()
        self._catalog: list | None = None
        self._catalog_nt: bytes | None = None

    # -- the releases ----------------------------------------------------------------------------------

    def app_for(self, v: Version) -> Any:
        """The WSGI app of release `v` (created on first use in this process, over its on-disk store)."""
        found = self._apps.get(v.version)
        if found is not None:
            return found
        with self._lock:
            found = self._apps.get(v.version)
            if found is None:
                self._build_store_apart(v)
                sub = create_app(v.path, base=self.base or self.kg.policy.base,
                                 config={**self.config, **_EARLIER_CONFIG}, store_mode="disk", log=self.log,
                                 pools=self.app.extensions["citykg.responses"].pools)
                # what N releases would otherwise cost N times per worker: one pool of SPARQL query processes
                # (they open an earlier release's on-disk store by its path) and one Jinja environment
                # (compiled templates; the functions it holds read the app of the request)
                sub.extensions[sparql.POOL_OWNER] = self.app
                sub.jinja_env = self.app.jinja_env  # type: ignore[misc]
                self._kgs[v.version] = sub.extensions["citykg"]
                found = self._apps[v.version] = sub.wsgi_app
        return found

    def _build_store_apart(self, v: Version) -> None:
        """Builds `v`'s on-disk store and what its app derives from it, when they are not there yet, in a process
        of its own: loading a release takes memory that a long-lived worker would keep (measured: about 70 MB for
        200,000 triples), and so does deriving the search index and the counts. A new
        interpreter, not a fork: RocksDB's background threads do not survive a fork of a process that has
        opened a store, and a forked build would wait for them forever."""
        base = self.base or self.kg.policy.base
        folder = Release.open(v.path).cache_dir(base)
        if (folder / "READY").is_file() and (folder / "derived.pickle").is_file():
            return
        proc = subprocess.run([sys.executable, "-c", _BUILD_STORE, str(v.path), base], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, check=False)
        for line in (proc.stdout + proc.stderr).splitlines():
            self.log(line)
        if proc.returncode != 0:
            self.log(f"building the on-disk store of {v.path} apart failed (exit {proc.returncode}); building it here")

    def kg_for(self, v: Version) -> Any:
        self.app_for(v)
        return self._kgs[v.version]

    def holds(self, kind: str, path: str) -> list[Version]:
        """The releases (oldest first) in which ``/{kind}/{path}`` exists."""
        key = (kind, path)
        found = self._holds.get(key)
        if found is None:
            found = [v for v in self.versions.items if self._has(v, kind, path)]
            self._holds.put(key, found, 200 + 50 * len(found))
        return found

    def _has(self, v: Version, kind: str, path: str) -> bool:
        if kind == "doc" and v is not self.versions.latest:
            con = self._doc_connection(v)
            if con is not None:
                return con.execute("SELECT 1 FROM doc WHERE path = ? LIMIT 1", (path,)).fetchone() is not None
        kg = self.kg if v is self.versions.latest else self.kg_for(v)
        segment = "id" if kind == "doc" else "def"
        return queries.exists(kg.store, f"{kg.policy.base}/{segment}/{path}")

    def _doc_connection(self, v: Version) -> sqlite3.Connection | None:
        cons = getattr(self._docs, "cons", None)
        if cons is None:
            cons = self._docs.cons = {}
        if v.version not in cons:
            file = v.path / docstore.FILE
            cons[v.version] = docstore.open_readonly(file) if file.is_file() else None
        return cons[v.version]

    def catalog_triples(self) -> list:
        """The DCAT-AP catalogue of the folder (`citykg.series.catalog_graph`: the latest's catalogue, the
        dataset series, a dataset per kept release) as triples, moved to the served base."""
        if self._catalog is None:
            data = self.catalog_ntriples()
            self._catalog = parse_triples(data, self.kg.release.built_base, self.kg.policy.base)
        return self._catalog

    def catalog_ntriples(self) -> bytes:
        """The series catalogue as N-Triples, as built (`citykg.series.catalog_graph`)."""
        if self._catalog_nt is None:
            self._catalog_nt = catalog_graph(self.versions.folder).serialize(format="nt", encoding="utf-8")
        return self._catalog_nt

    # -- WSGI ------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/release/"):
            return self._versioned(environ, start_response, path[len("/release/"):])
        if path.startswith(("/doc/", "/def/")) and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return self._original(environ, start_response, path)
        if path.startswith(("/timemap/doc/", "/timemap/def/")) and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            answer = self._timemap(environ, path[len("/timemap/"):])
            if answer is not None:
                return _send(start_response, environ, *answer)
        return self.inner(environ, start_response)

    def _host(self, environ: dict) -> str:
        return f"{environ.get('wsgi.url_scheme', 'http')}://{get_host(environ)}{environ.get('SCRIPT_NAME', '')}"

    def _resource(self, rest: str) -> tuple[str, str, str | None] | None:
        """(kind, path, extension) of ``doc/…`` or ``def/…`` when it names a resource that has mementos."""
        kind, _, tail = rest.partition("/")
        if kind not in ("doc", "def") or not tail:
            return None
        path, ext = split_ext(tail)
        if not PATH_RE.match(path) and not (kind == "def" and path.replace("_", "").replace("-", "").isalnum()):
            return None
        if kind == "def" and path == "index":
            return None
        return kind, path, ext

    def _links_for(self, host: str, kind: str, path: str, ext: str | None, current: Version | None) -> list[str]:
        dot = f".{ext}" if ext else ""
        holds = self.holds(kind, path)
        return memento_links(f"{host}/{kind}/{path}{dot}", f"{host}/timemap/{kind}/{path}{dot}",
                             lambda v: f"{host}/release/{v.version}/{kind}/{path}{dot}", holds, current)

    def _original(self, environ: dict, start_response: Callable, path: str) -> Iterable[bytes]:
        """A URI-R: its own TimeGate."""
        found = self._resource(path[1:])
        if found is None:
            return self.inner(environ, start_response)
        kind, rpath, ext = found
        host = self._host(environ)
        raw = environ.get("HTTP_ACCEPT_DATETIME")
        if raw is not None:
            try:
                when = parse_accept_datetime(raw)
            except BadDatetimeError as exc:
                return _send(start_response, environ, "400 BAD REQUEST",
                             [("Content-Type", "text/plain; charset=utf-8"), ("Vary", "accept-datetime")],
                             f"{exc}\n".encode())
            chosen = self.versions.nearest_holding(when, self.holds(kind, rpath))
            if chosen is not None:
                dot = f".{ext}" if ext else ""
                links = self._links_for(host, kind, rpath, ext, chosen)
                return _send(start_response, environ, "302 FOUND",
                             [("Location", f"{host}/release/{chosen.version}/{kind}/{rpath}{dot}"),
                              ("Vary", "accept-datetime"), ("Link", ", ".join(links)),
                              ("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "public, max-age=60")],
                             f"the memento of /{kind}/{rpath}{dot} at {when:%Y-%m-%d %H:%M:%S} UTC: release "
                             f"{chosen.version} of {chosen.http_date}\n".encode())
            # in no release: the latest's own 404

        def headers(status: str, hs: Headers) -> Headers:
            hs = _add_vary(hs, "accept-datetime")
            dot = f".{ext}" if ext else ""
            timemap_link = f'<{host}/timemap/{kind}/{rpath}{dot}>; rel="timemap"; type="{LINK_FORMAT}"'
            if status[:3] in ("200", "304"):
                hs = _add_link(hs, [f'<{host}/{kind}/{rpath}{dot}>; rel="original timegate"', timemap_link])
            elif status[:3] == "404" and self.holds(kind, rpath):  # gone from the latest, kept in earlier ones
                hs = _add_link(hs, [timemap_link])
            return hs

        return self.inner(environ, _rewriting(start_response, headers))

    def _timemap(self, environ: dict, rest: str) -> tuple[str, Headers, bytes] | None:
        found = self._resource(rest)
        if found is None:
            return None
        kind, rpath, ext = found
        holds = self.holds(kind, rpath)
        if not holds:
            return None  # the latest's 404
        host = self._host(environ)
        dot = f".{ext}" if ext else ""
        body = timemap(f"{host}/{kind}/{rpath}{dot}", f"{host}/{kind}/{rpath}{dot}",
                       f"{host}/timemap/{kind}/{rpath}{dot}",
                       lambda v: f"{host}/release/{v.version}/{kind}/{rpath}{dot}", holds).encode()
        return "200 OK", [("Content-Type", LINK_FORMAT), ("Access-Control-Allow-Origin", "*"),
                          ("Cache-Control", "public, max-age=300"), ("X-Content-Type-Options", "nosniff")], body

    def _versioned(self, environ: dict, start_response: Callable, rest: str) -> Iterable[bytes]:
        name, slash, sub = rest.partition("/")
        v = self.versions.get(name)
        if v is None:
            return self.inner(environ, start_response)  # /release/ itself, or the 404 page of an unknown version
        host = self._host(environ)
        if not slash:
            return _send(start_response, environ, "301 MOVED PERMANENTLY",
                         [("Location", f"{host}/release/{v.version}/"), ("Content-Type", "text/plain")], b"")
        script = environ.get("SCRIPT_NAME", "")
        mount = f"{script}/release/{v.version}"
        env = dict(environ)
        env["SCRIPT_NAME"] = mount
        env["PATH_INFO"] = "/" + sub
        env["citykg.site_root"] = script
        env["citykg.mount"] = mount
        latest = self.versions.latest
        env["citykg.memento"] = {"version": v.version, "built": v.built, "latest": latest.version,
                                 "is_latest": v is latest, "notes": v.notes, "root": script}
        found = self._resource(sub)
        try:
            target = self.app_for(v)
        except ReleaseError as exc:
            return _send(start_response, environ, "503 SERVICE UNAVAILABLE", [("Content-Type", "text/plain")],
                         f"release {v.version} cannot be served: {exc}\n".encode())

        def headers(status: str, hs: Headers) -> Headers:
            code = status[:3]
            if code[0] in "23":
                hs = [h for h in hs if h[0].lower() != "cache-control"] + [("Cache-Control", IMMUTABLE)]
            if found is not None and code in ("200", "304"):
                kind, rpath, ext = found
                hs = [*hs, ("Memento-Datetime", v.http_date)]
                hs = _add_link(hs, self._links_for(host, kind, rpath, ext, v))
            return hs

        return target(env, _rewriting(start_response, headers))


def _rewriting(start_response: Callable, change: Callable[[str, Headers], Headers]) -> Callable:
    def wrapped(status: str, headers: Headers, exc_info: Any = None) -> Any:
        headers = change(status, list(headers))
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
    return wrapped


def _add_vary(headers: Headers, value: str) -> Headers:
    for i, (k, v) in enumerate(headers):
        if k.lower() == "vary":
            if value.lower() not in (p.strip().lower() for p in v.split(",")):
                headers[i] = (k, f"{v}, {value}")
            return headers
    return [*headers, ("Vary", value)]


def _add_link(headers: Headers, links: list[str]) -> Headers:
    for i, (k, v) in enumerate(headers):
        if k.lower() == "link":
            headers[i] = (k, ", ".join([v, *links]) if v else ", ".join(links))
            return headers
    return [*headers, ("Link", ", ".join(links))]


def _send(start_response: Callable, environ: dict, status: str, headers: Headers, body: bytes) -> list[bytes]:
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
