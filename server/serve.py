"""Serving a release under gunicorn (never Flask's development server).

The app, and with it the store, is created once in the gunicorn master
(``preload_app``); the workers fork from it and share the loaded store.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import time
from pathlib import Path

from citykg.server.app import create_app
from citykg.server.release import ReleaseError
from citykg.server.releases import serve_series
from citykg.server.remote import RemoteStore
from citykg.server.store import StoreError
from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server
from gunicorn.app.base import BaseApplication


class GunicornApp(BaseApplication):
    def __init__(self, app, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        return self.application


def remote_store(url: str, release: Path, log=print):
    """The SPARQL store `citykg publish` loaded with `release`, checked before serving from it."""

    store = RemoteStore.for_release(url, release)
    try:
        probe = store.probe()
    except StoreError as exc:
        raise ReleaseError(f"--store {url}: {exc}") from None
    if not probe.graphs:
        raise ReleaseError(f"--store {url} holds none of the graphs of {release}: load it with "
                           f"`citykg publish --release {release} --to {url}`")
    if probe.missing:
        log(f"warning: {len(probe.missing)} graph(s) of the release are not in the store "
            f"(first: {probe.missing[0]}); run `citykg publish` again")
    server = probe.server.split()[0] if probe.server else "a SPARQL 1.1 endpoint"
    extra = ""
    if probe.other_graphs:
        extra = f"; queries restricted to them ({len(probe.other_graphs)} other graph(s) in the store)"
    elif probe.restricted:
        extra = "; queries restricted to them (the store's default graph is not the union of its graphs)"
    log(f"store {url}: {server}, {len(probe.graphs)} graph(s) of the release{extra}")
    return store


def default_workers() -> int:
    return max(2, min(8, multiprocessing.cpu_count()))


def main(release: Path | str = "dist", host: str = "127.0.0.1", port: int = 8080, base: str | None = None,
         workers: int | None = None, log_level: str = "info", store_mode: str = "auto",
         store_url: str | None = None, settings: dict[str, str] | None = None, http: str = "granian",
         releases: Path | str | None = None) -> None:
    """Loads the release (or, with `releases`, the latest of a folder of releases, the others behind it,
    opened on first use) and serves it with granian (or gunicorn) on host:port; `settings` override
    `citykg.server.settings` (``{"SPARQL_TIMEOUT": "5"}``)."""
    start = time.perf_counter()
    store = None

    def log(msg: str) -> None:
        print(f"citykg: {msg}", file=sys.stderr, flush=True)

    if releases is not None:
        app = serve_series(Path(releases), base=base, store_mode=store_mode, config=dict(settings or {}), log=log)
        series = app.extensions["citykg"].series.versions
        print(f"citykg: {len(series.items)} release(s) of {releases}, latest {series.latest.version}, ready in "
              f"{time.perf_counter() - start:.2f} s", file=sys.stderr, flush=True)
    else:
        if store_url:
            store = remote_store(store_url, Path(release), log=log)
        app = create_app(Path(release), base=base, store=store, store_mode=store_mode, config=dict(settings or {}),
                         log=log)
        print(f"citykg: release {release} ready in {time.perf_counter() - start:.2f} s", file=sys.stderr, flush=True)
    if http == "granian":
        granian(app, host, port, workers or default_workers(), log_level)
        return
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        "preload_app": True,
        # gthread: HTTP/1.1 keep-alive (a sync worker closes every connection, ~0.3 ms more per
        # request) and a slow query occupies one thread, not the whole worker
        # (server/slowclients.py: gthread that gives a connection a thread only once its request head is in,
        # so slow clients cannot hold every thread)
        "worker_class": "citykg.server.slowclients.SlowClientSafeWorker",
        # 8 threads: a runaway query waiting for its timeout (SPARQL_TIMEOUT) holds one; four of them in
        # one worker still leave four for everyone else (bench/load.py)
        "threads": 8,
        "keepalive": 5,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": log_level,
        "proc_name": "citykg",
    }
    GunicornApp(app, options).run()


#: The longest request target (path and query) served, in bytes: gunicorn's own limit is 4094;
#: granian sets none, so `limit_request_line` answers 414 past this one.
MAX_REQUEST_TARGET = 8190


def limit_request_line(app, limit: int = MAX_REQUEST_TARGET):
    """WSGI middleware: ``414 URI Too Long`` for a request target longer than `limit` bytes."""

    def guarded(environ, start_response):
        target = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) + 1
        if target > limit:
            body = (f"414 URI Too Long: the request target is {target:,} bytes, more than the {limit:,} this "
                    f"server reads; send a long SPARQL query by POST\n").encode()
            start_response("414 URI Too Long", [("Content-Type", "text/plain; charset=utf-8"),
                                                ("Content-Length", str(len(body))), ("Connection", "close")])
            return [body]
        return app(environ, start_response)

    return guarded


class AccessTarget(logging.Filter):
    """granian's access log line names the path only: this puts the query string back (``GET /x?y=1``),
    as gunicorn's does, so an operator sees which page or query was asked."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, dict) and args.get("query_string"):
            record.args = {**args, "path": f"{args.get('path', '')}?{args['query_string']}"}
        return True


#: granian's own logging configuration, with `AccessTarget` on the access log's handler.
GRANIAN_LOGGING = {
    "filters": {"target": {"()": AccessTarget}},
    "handlers": {
        "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
        "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                   "filters": ["target"]},
    },
}


def granian(app, host: str, port: int, workers: int, log_level: str) -> None:
    """Serves the loaded app with granian (Rust HTTP): worker processes forked from this one, as
    gunicorn's preload does, so they share the loaded store and the search index.

    Slow clients hold no thread (connections wait in the event loop until their request head is in;
    a head not complete in 10 s is dropped, as server/slowclients.py does under gunicorn); a head
    larger than 16 KiB is refused by granian (431), a request target longer than
    `MAX_REQUEST_TARGET` by `limit_request_line` (414)."""
    if multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
        raise SystemExit("granian needs the fork start method to share the loaded app")
    multiprocessing.set_start_method("fork", force=True)
    server = Server("citykg", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
                    # 8 threads as gunicorn's: a runaway query holds one while it waits for its timeout
                    blocking_threads=8, backpressure=64, log_level=LogLevels(log_level), log_access=True,
                    log_dictconfig=GRANIAN_LOGGING, respawn_failed_workers=True,
                    http1_settings=HTTP1Settings(header_read_timeout=10_000, max_buffer_size=16 * 1024))
    guarded = limit_request_line(app)
    server.serve(target_loader=lambda: guarded, wrap_loader=False)
