"""HTTP behaviour shared by every route: caching, compression, CORS, security headers.

- ETag: a strong validator from the body's SHA-256 (or the one a view set, e.g. a
  dump's checksum); ``If-None-Match`` answers 304.  The gzip variant of a body has
  its own tag (suffix ``-gz``); both match.
- Last-Modified: the release's build time; ``If-Modified-Since`` answers 304 when no
  ``If-None-Match`` was sent.
- gzip when the request accepts it (``Accept-Encoding``, q-values honoured), for
  text bodies over 512 bytes; ``Vary: Accept-Encoding``.
- Cache-Control: ``public, max-age=N`` (N from the config, 1 day for static assets).
- CORS: ``Access-Control-Allow-Origin: *`` on every response that is not a page.
- Pages: Content-Security-Policy (everything from 'self'), X-Content-Type-Options
  on every response, Referrer-Policy.
"""

from __future__ import annotations

import gzip
import hashlib
from email.utils import parsedate_to_datetime

from citykg.server import formats
from citykg.server.context import state
from flask import Flask, Response, request

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

def compressible(mimetype: str) -> bool:
    """Text is worth compressing: every text format of the registry, text/*, SVG."""
    fmt = formats.by_media_type(mimetype)
    return mimetype.startswith("text/") or mimetype == "image/svg+xml" or (fmt is not None and fmt.text)


def accepts_gzip(header: str | None) -> bool:
    if not header:
        return False
    star = None
    for member in header.split(","):
        parts = [p.strip() for p in member.split(";")]
        coding = parts[0].lower()
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            return q > 0
        if coding == "*":
            star = q > 0
    return bool(star)


def _etag_matches(header: str | None, tags: set[str]) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    for candidate in header.split(","):
        c = candidate.strip()
        if c.startswith("W/"):
            c = c[2:]
        if c.strip('"') in tags:
            return True
    return False


def not_modified(inm: str | None, ims: str | None, tags: set[str], last_modified: str | None) -> bool:
    """A conditional request that a 304 answers: an ``If-None-Match`` naming one of `tags` (or ``*``),
    else (no ``If-None-Match`` sent) an ``If-Modified-Since`` not before `last_modified`."""
    if _etag_matches(inm, tags):
        return True
    if inm is not None or not ims or not last_modified:
        return False
    try:
        return parsedate_to_datetime(ims) >= parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False


def _add_vary(response: Response, value: str) -> None:
    current = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    if value.lower() not in (v.lower() for v in current):
        current.append(value)
    response.headers["Vary"] = ", ".join(current)


def finish(response: Response) -> Response:
    kg = state()
    is_page = response.mimetype == formats.HTML.media_type and request.method != "OPTIONS"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if is_page:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    else:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault(
            "Access-Control-Expose-Headers", "ETag, Link, Content-Location, Content-Length, Vary"
        )
    if request.method == "OPTIONS":  # CORS preflight
        response.headers.setdefault("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
        response.headers.setdefault(
            "Access-Control-Allow-Headers", "Accept, Accept-Encoding, Content-Type, If-None-Match, If-Modified-Since"
        )
        response.headers.setdefault("Access-Control-Max-Age", "86400")
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        if response.status_code in (303, 404, 406):
            response.headers.setdefault("Cache-Control", "public, max-age=60")
        return response

    static = request.endpoint == "static"
    max_age = 86400 if static else current_max_age()
    response.headers.setdefault("Cache-Control", f"public, max-age={max_age}")
    if "Last-Modified" not in response.headers and not static:
        response.headers["Last-Modified"] = kg.release.last_modified_http

    if response.direct_passthrough or response.is_streamed:
        # Files (dumps, static assets): the view set ETag/Last-Modified; Werkzeug's
        # conditional handling has run in send_file.
        return response

    body = response.get_data()
    tag = response.get_etag()[0] or hashlib.sha256(body).hexdigest()[:32]
    tags = {tag, tag + "-gz"}
    unchanged = not_modified(request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"), tags,
                             response.headers.get("Last-Modified"))

    compress = (
        accepts_gzip(request.headers.get("Accept-Encoding"))
        and len(body) > 512
        and compressible(response.mimetype)
        and "Content-Encoding" not in response.headers
    )
    if compressible(response.mimetype):
        _add_vary(response, "Accept-Encoding")
    response.set_etag(tag + "-gz" if compress else tag)
    if unchanged:
        response.status_code = 304
        response.set_data(b"")
        for h in ("Content-Length", "Content-Type"):
            response.headers.pop(h, None)
        return response
    if compress:
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


def current_max_age() -> int:
    return int(state().settings["CACHE_SECONDS"])


def install(app: Flask) -> None:
    app.after_request(finish)
