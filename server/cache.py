"""The one cache type of the server, and the cache of finished responses built on it.

`LRU`: least-recently-used entries bounded in bytes, thread-safe (gunicorn gthread workers serve
several requests at once). Every cache of the server is one: SPARQL results
(`citykg.server.routes.sparql`) and finished responses (below).

`ResponseCache`: WSGI middleware in front of Flask. A route marks a response as cacheable by
setting ``request.environ[FLAG] = (release key, pool)``; the middleware then keeps the very
status line, headers and body that Flask wrote, after every after-request hook (so ETag, 304,
gzip, CORS, Vary are included and compression is paid once), and answers the next identical
request (same method, path, query string, body, Content-Type, Accept, Accept-Encoding,
If-None-Match, If-Modified-Since, host and mount point) on the same release with those bytes,
without routing, the request context or the hooks. Pools (``documents``, ``sparql``) have
budgets of their own. Errors (4xx, 5xx) and responses with Set-Cookie are never kept.

Hooks (rate limits): a before/after-request hook registered on the app other than the trusted
ones switches the middleware off (every request goes through Flask), so a limit hooked in that
way is never bypassed. A limiter that wants fast hits registers a WSGI-level gate with
`add_gate` and lists its hooks with `trust`: a gate is called as ``gate(environ)`` before every
hit and returns None (serve it) or a ``(status, headers, body)`` answer (e.g. a 429).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

FLAG = "citykg.cacheable"  # set by a route: (release key, pool name)
HIT_HEADERS = {"x-sparql-cache": "hit"}  # headers whose value says where the answer came from

Gate = Callable[[dict], "tuple[str, list[tuple[str, str]], bytes] | None"]


class LRU(Generic[V]):
    """Least-recently-used entries, bounded in bytes: an entry costs what `put` is told."""

    def __init__(self, budget: int, max_entry: int | None = None) -> None:
        self.budget = budget
        self.max_entry = budget if max_entry is None else min(max_entry, budget)
        self.size = 0
        self.items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self.items.get(key)
            if item is None:
                return None
            self.items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: V, cost: int) -> bool:
        """Keeps `value`; False when it is too large to keep (or the cache is off)."""
        if self.budget <= 0 or cost > self.max_entry:
            return False
        with self._lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self.items[key] = (value, cost)
            self.size += cost
            while self.size > self.budget and self.items:
                _, (_, dropped) = self.items.popitem(last=False)
                self.size -= dropped
        return True

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self.items

    def clear(self) -> None:
        with self._lock:
            self.items.clear()
            self.size = 0


Entry = tuple[str, list[tuple[str, str]], bytes, str]  # status, headers, body, release key


class ResponseCache:
    """WSGI middleware: ``app.wsgi_app = ResponseCache(app, app.wsgi_app, pools, max_body)``."""

    def __init__(self, app: Any, wsgi_app: Callable, pools: dict[str, LRU[Entry]], max_body: int) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.pools = pools
        self.max_body = max_body
        self.gates: list[Gate] = []
        self.trusted: set[Callable] = set()
        self.hits = 0

    def _key(self, environ: dict) -> tuple | None:
        method = environ.get("REQUEST_METHOD")
        if method in ("GET", "HEAD"):
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
        return (method, g("PATH_INFO", ""), g("QUERY_STRING", ""), g("CONTENT_TYPE"), body, g("HTTP_ACCEPT"),
                g("HTTP_ACCEPT_ENCODING"), g("HTTP_IF_NONE_MATCH"), g("HTTP_IF_MODIFIED_SINCE"),
                g("HTTP_HOST"), g("SERVER_NAME"), g("SERVER_PORT"), g("wsgi.url_scheme"), g("SCRIPT_NAME", ""))

    def hooks_trusted(self) -> bool:
        for funcs in (self.app.before_request_funcs, self.app.after_request_funcs):
            for scope_funcs in funcs.values():
                for f in scope_funcs:
                    if f not in self.trusted:
                        return False
        return True

    def _find(self, key: tuple, release: str) -> Entry | None:
        for pool in self.pools.values():
            entry = pool.get(key)
            if entry is not None and entry[3] == release:
                return entry
        return None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        release = self.app.extensions["citykg"].release_key
        key = self._key(environ) if any(p.budget > 0 for p in self.pools.values()) else None
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self._find(key, release)
        if entry is not None and self.hooks_trusted():
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

    def _through_flask(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        app_iter = self.wsgi_app(environ, capture)
        flag = environ.get(FLAG)
        status = seen.get("status", "")
        if flag is None or flag[1] not in self.pools or not status.startswith(("200 ", "304 ")):
            return app_iter
        try:
            body = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        headers = seen["headers"]
        if not any(name.lower() == "set-cookie" for name, _ in headers):
            kept = [(name, HIT_HEADERS.get(name.lower(), value)) for name, value in headers]
            self.pools[flag[1]].put(key, (status, kept, body, flag[0]), len(body) + len(key[4]) + 512)
        return [body]

    def clear(self) -> None:
        for pool in self.pools.values():
            pool.clear()


def install(app: Any, pools: dict[str, LRU[Entry]], max_body: int, trusted: Iterable[Callable] = ()) -> ResponseCache:
    """Puts the response cache in front of the app (once)."""
    rc = app.extensions.get("citykg.responses")
    if rc is None:
        rc = ResponseCache(app, app.wsgi_app, pools, max_body)
        rc.trusted.update(trusted)
        app.wsgi_app = rc
        app.extensions["citykg.responses"] = rc
    return rc


def add_gate(app: Any, gate: Gate) -> None:
    """Runs `gate(environ)` before every cached answer (a rate limiter's WSGI-level check)."""
    app.extensions["citykg.responses"].gates.append(gate)


def trust(app: Any, *hooks: Callable) -> None:
    """Declares before/after-request hooks whose effect a gate reproduces."""
    app.extensions["citykg.responses"].trusted.update(hooks)
