"""Cache hits of /sparql answered in front of Flask (WSGI), from the bytes Flask wrote the first time.

A repeated identical request (same method, URL query string, body, Content-Type, Accept,
Accept-Encoding, If-None-Match, If-Modified-Since) on the same release gets the very status line,
headers and body that Flask produced for it, with ``X-SPARQL-Cache: hit``: ETag, 304, gzip,
CORS, Vary, ``X-SPARQL-Result-Capped`` and Content-Type included, because they *are* Flask's
(tests/test_sparql_cache.py checks that a fast hit is byte-identical to a hit through Flask).
That skips routing, the request context, the protocol checks, the lexer and the after-request
hooks: a hit costs tens of microseconds of Python instead of a millisecond.

What gets stored: only answers the endpoint marked as served from its result cache (key
``ENVIRON_FLAG`` in the WSGI environ, the release key as value), with status 200 or 304 and
no Set-Cookie. Errors (4xx, 5xx: syntax errors, timeouts, refused updates) are never stored,
and a request that is not a cache hit always goes through Flask with every check and limit.

Hooks (rate limits): anything registered on the app with ``before_request``/``after_request``
for all routes or for the ``sparql`` blueprint, other than the ones listed in ``trusted``,
switches the fast path off (every request then goes through Flask), so a limit hooked in that
way is never bypassed.  A limiter that wants fast hits registers a WSGI-level gate with
`add_gate` and lists its hooks with `trust`: a gate is called as ``gate(environ)`` before every
fast hit and returns None (serve it) or a ``(status, headers, body)`` answer (e.g. a 429).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

ENVIRON_FLAG = "citykg.sparql.cached"  # set by the endpoint: the answer is in its result cache
CACHE_HEADER = "X-SPARQL-Cache"
PATH = "/sparql"

Gate = Callable[[dict], "tuple[str, list[tuple[str, str]], bytes] | None"]


class FastPath:
    """WSGI middleware: ``app.wsgi_app = FastPath(app, app.wsgi_app, ...)``."""

    def __init__(self, app: Any, wsgi_app: Callable, budget: int, max_entry: int, max_body: int) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.budget, self.max_entry, self.max_body = budget, max_entry, max_body
        self.size = 0
        self.gates: list[Gate] = []
        self.trusted: set[Callable] = set()
        self._items: OrderedDict[tuple, tuple[str, list[tuple[str, str]], bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    # -- the request ---------------------------------------------------------------------------

    def _key(self, environ: dict) -> tuple | None:
        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            body = b""
        elif method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or -1)
            except ValueError:
                return None
            if length < 0 or length > self.max_body:
                return None  # chunked or too large: Flask answers (413 and the like)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)  # Flask reads the same bytes
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input_terminated"] = True
        else:
            return None
        g = environ.get
        return (method, g("QUERY_STRING", ""), g("CONTENT_TYPE"), body, g("HTTP_ACCEPT"),
                g("HTTP_ACCEPT_ENCODING"), g("HTTP_IF_NONE_MATCH"), g("HTTP_IF_MODIFIED_SINCE"))

    def _hooks_trusted(self) -> bool:
        app = self.app
        for funcs in (app.before_request_funcs, app.after_request_funcs):
            for scope in (None, "sparql"):
                for f in funcs.get(scope, ()):
                    if f not in self.trusted:
                        return False
        return True

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or self.budget <= 0:
            return self.wsgi_app(environ, start_response)
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        release = self._release_key()
        if release is not None:
            with self._lock:
                entry = self._items.get(key)
                if entry is not None:
                    self._items.move_to_end(key)
            if entry is not None and entry[3] == release and self._hooks_trusted():
                for gate in self.gates:
                    answer = gate(environ)
                    if answer is not None:
                        status, headers, body = answer
                        start_response(status, headers)
                        return [body]
                self.hits += 1
                start_response(entry[0], list(entry[1]))
                return [entry[2]]
        return self._through_flask(key, environ, start_response)

    def _release_key(self) -> str | None:
        ep = self.app.extensions.get("sparql")
        return None if ep is None else ep.release_key

    # -- a miss: Flask answers, the answer is kept when the endpoint says it may be ------------------

    def _through_flask(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        app_iter = self.wsgi_app(environ, capture)
        release = environ.get(ENVIRON_FLAG)
        status = seen.get("status", "")
        if release is None or not (status.startswith("200 ") or status.startswith("304 ")):
            return app_iter
        try:
            body = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        self._store(key, status, seen["headers"], body, release)
        return [body]

    def _store(self, key: tuple, status: str, headers: list[tuple[str, str]], body: bytes, release: str) -> None:
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return
        kept = [(name, "hit" if name.lower() == CACHE_HEADER.lower() else value) for name, value in headers]
        n = len(body) + len(key[3]) + 512
        if n > min(self.max_entry, self.budget):
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old[2]) + len(key[3]) + 512
            self._items[key] = (status, kept, body, release)
            self.size += n
            while self.size > self.budget and self._items:
                k, dropped = self._items.popitem(last=False)
                self.size -= len(dropped[2]) + len(k[3]) + 512

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


def install(app: Any, budget: int, max_entry: int, max_body: int) -> FastPath:
    """Puts the fast path in front of the app (once); Flask's own after-request hook (server.http)
    is trusted: its output depends only on what the key holds."""
    fp = app.extensions.get("citykg.fastpath")
    if fp is None:
        fp = FastPath(app, app.wsgi_app, budget, max_entry, max_body)
        from citykg.server import http

        fp.trusted.add(http.finish)
        app.wsgi_app = fp
        app.extensions["citykg.fastpath"] = fp
    return fp


def add_gate(app: Any, gate: Gate) -> None:
    """Runs `gate(environ)` before every fast hit (a rate limiter's WSGI-level check)."""
    app.extensions["citykg.fastpath"].gates.append(gate)


def trust(app: Any, *hooks: Callable) -> None:
    """Declares before/after-request hooks whose effect a gate reproduces (they no longer turn the
    fast path off)."""
    app.extensions["citykg.fastpath"].trusted.update(hooks)
