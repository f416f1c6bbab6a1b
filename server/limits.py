"""Rate limits per client address on /sparql and /search (with /reconcile and its suggest: name
look-ups too; Flask-Limiter, in-memory storage).

A client past a limit gets ``429 Too Many Requests`` with ``Retry-After`` (seconds until its
window resets), in the format it asked for (citykg.server.errors). The limits are counted
per client address and per route group: every /sparql request (GET, POST; not the CORS
preflight OPTIONS) counts against ``RATELIMIT_SPARQL``, every /search, /reconcile (a batch is one
request) and /reconcile/suggest request against ``RATELIMIT_SEARCH``. Pages, documents, downloads
and fragments are not limited here.

Settings: Flask config, else the environment ``CITYKG_<KEY>``, else the defaults below.

- ``RATELIMIT_ENABLED`` (default on; off when the app is created with TESTING): any false value
  (0, false, no, off) turns the limits off.
- ``RATELIMIT_SPARQL`` (default ``20 per second; 600 per minute``): limits on /sparql per client address.
- ``RATELIMIT_SEARCH`` (default ``20 per second; 600 per minute``): limits on /search per client address.
- ``RATELIMIT_TRUSTED_PROXIES`` (default ``0``): reverse proxies in front of the server; with N > 0 the
  client is the Nth address from the right of X-Forwarded-For.
- ``RATELIMIT_STORAGE_URI`` (default ``memory://``): Flask-Limiter storage (``redis://...`` shares the
  counts between gunicorn workers).

With ``memory://`` every gunicorn worker keeps its own counters: a client spread over W workers
may get up to W times the limit before every worker refuses it.

The response cache (server/cache.py, cache hits answered in front of Flask) would turn itself
off because of Flask-Limiter's before/after-request hooks; instead it gets a gate that counts a
fast hit against the same limit, with the same storage and key, so a limit is never bypassed.
"""

from __future__ import annotations

import math
import time
from typing import Any

from citykg.server import cache, errors
from citykg.server.settings import SettingError, Settings
from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many

#: route group -> (endpoint names, setting)
GROUPS = {
    "sparql": (("sparql.endpoint",), "RATELIMIT_SPARQL"),
    "search": (("site.search", "reconcile.service", "reconcile.suggest"), "RATELIMIT_SEARCH"),
}


def read_settings(settings: Settings | dict[str, Any]) -> dict[str, Any]:
    """The rate-limit settings (of the app's `Settings`, or read from a config mapping); a malformed
    limit fails at start-up, not on the first request."""
    if not isinstance(settings, Settings):
        settings = Settings.load(settings)
    out = {k: v for k, v in settings.items() if k.startswith("RATELIMIT_")}
    for key in ("RATELIMIT_SPARQL", "RATELIMIT_SEARCH"):
        try:
            parse_many(out[key])
        except ValueError as exc:
            raise SettingError(f"setting {key}: {out[key]!r} is not a rate limit ({exc})") from None
    return out


def client_address(environ: dict, proxies: int) -> str:
    """The address limits are counted for: the peer, or (behind N trusted proxies) the address the
    outermost trusted proxy saw, taken from the right of X-Forwarded-For (a client cannot forge it)."""
    if proxies > 0:
        forwarded = [a.strip() for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return environ.get("REMOTE_ADDR") or "unknown"


def _retry_after(reset_at: float) -> str:
    return str(max(1, math.ceil(reset_at - time.time())))


def install(app: Flask) -> Limiter | None:
    """Puts the limits on the app (after every blueprint is registered); None when they are off."""
    settings = read_settings(app.extensions["citykg"].settings)
    app.extensions["citykg.limits"] = settings
    if not settings["RATELIMIT_ENABLED"]:
        return None
    proxies = settings["RATELIMIT_TRUSTED_PROXIES"]

    def key() -> str:
        return client_address(request.environ, proxies)

    limiter = Limiter(
        key_func=key,
        app=None,
        storage_uri=settings["RATELIMIT_STORAGE_URI"],
        strategy="fixed-window",
        headers_enabled=False,
        enabled=True,
    )
    hooks_before = list(app.before_request_funcs.get(None, ()))
    hooks_after = list(app.after_request_funcs.get(None, ()))
    limiter.init_app(app)
    not_preflight = lambda: request.method == "OPTIONS"  # noqa: E731 - the CORS preflight is free
    for scope, (endpoints, setting) in GROUPS.items():
        limit = limiter.shared_limit(settings[setting], scope=scope, exempt_when=not_preflight)
        for endpoint in endpoints:
            view = app.view_functions.get(endpoint)
            if view is not None:
                app.view_functions[endpoint] = limit(view)

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        resp = errors.render(errors.from_werkzeug(exc))
        current = limiter.current_limit
        resp.headers["Retry-After"] = _retry_after(current.reset_at if current else time.time() + 1)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    if app.extensions.get("citykg.responses") is not None:
        items = sorted(parse_many(settings["RATELIMIT_SPARQL"]))

        def gate(environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
            if environ.get("REQUEST_METHOD") == "OPTIONS" or environ.get("PATH_INFO") != "/sparql":
                return None
            who = client_address(environ, proxies)
            for item in items:
                if not limiter.limiter.hit(item, who, "sparql"):
                    reset = limiter.limiter.get_window_stats(item, who, "sparql").reset_time
                    body = f"429 Too Many Requests\n{item}\n".encode()
                    return ("429 TOO MANY REQUESTS", [
                        ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                        ("Retry-After", _retry_after(reset)), ("Cache-Control", "no-store"),
                        ("X-Content-Type-Options", "nosniff"), ("Vary", "Accept"),
                    ], body)
            return None

        cache.add_gate(app, gate)
        new_before = [f for f in app.before_request_funcs.get(None, ()) if f not in hooks_before]
        new_after = [f for f in app.after_request_funcs.get(None, ()) if f not in hooks_after]
        cache.trust(app, *new_before, *new_after)
    return limiter
