"""The one error type of the server and its renderer (HTML, JSON, RDF or text, by Accept).

Routes raise `HTTPError`; Flask's own errors (unknown route 404, 405, 413, a rate limit's 429)
are werkzeug ``HTTPException``s. Both are answered by `render`, in the format the client asked
for: an HTML page with a way on for browsers, ``{"status", "error", "message", "offers"}`` for
JSON clients, a comment in Turtle/N-Triples/RDF-XML for RDF clients, plain text otherwise. A
file extension on the path (``/doc/x.ttl``) says what the client wants, whatever Accept says.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from urllib.parse import unquote

from citykg.server import conneg, formats
from citykg.server.context import state, urls
from citykg.server.formats import Format
from citykg.server.search import search as run_search
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException


class HTTPError(Exception):
    """An HTTP answer other than success: status, a message for the reader, extra headers.

    ``offers``: for 406, the formats the route has. ``plain``: the client is a program that
    reads text (the SPARQL endpoint's errors): text/plain unless it asks for something else.
    """

    def __init__(self, status: int, message: str = "", *, headers: dict[str, str] | None = None,
                 offers: tuple[Format, ...] = (), plain: bool = False) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})
        self.offers, self.plain = offers, plain

    @property
    def name(self) -> str:
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Error"


def not_acceptable(offers: tuple[Format, ...]) -> HTTPError:
    return HTTPError(406, "None of the requested media types is available. Offered: "
                     + ", ".join(f.media_type for f in offers), offers=offers)


_PAGE_OFFERS = (formats.HTML, formats.JSON, formats.JSONLD, formats.TURTLE, formats.NTRIPLES, formats.RDFXML,
                formats.TEXT)
_PLAIN_OFFERS = (formats.TEXT, formats.JSON, formats.HTML)
_EXT_RE = re.compile(r"\.(" + formats.extension_pattern() + r")$")


def render(error: HTTPError) -> Response:
    code = error.status
    fmt = conneg.negotiate(request.headers.get("Accept"), _PLAIN_OFFERS if error.plain else _PAGE_OFFERS)
    fmt = fmt or formats.TEXT
    ext = _EXT_RE.search(request.path)
    if ext and code == 404 and not error.plain:
        fmt = formats.by_extension(ext.group(1)) or fmt
    offered = [f.media_type for f in error.offers]
    message = error.message or error.name
    if fmt is formats.HTML:
        words, suggestions = (_suggest(request.path) if code == 404 else ("", []))
        body = render_template("error.html", code=code, name=error.name, message=message, offered=offered,
                               asked=request.full_path.rstrip("?"), words=words, suggestions=suggestions)
    elif fmt in (formats.JSON, formats.JSONLD):
        body = json.dumps({"status": code, "error": error.name, "message": message, "offers": offered},
                          ensure_ascii=False)
    elif fmt in (formats.TURTLE, formats.NTRIPLES):
        body = "".join(f"# {line}\n" for line in (f"{code} {error.name}", *message.splitlines(), *offered))
    elif fmt is formats.RDFXML:
        body = ('<?xml version="1.0" encoding="utf-8"?>\n'
                f"<!-- {code} {error.name}: {message.replace('--', '- -')} -->\n"
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    else:
        fmt = formats.TEXT
        body = (message + "\n") if error.plain else (f"{code} {error.name}\n{message}\n"
                                                      + "".join(f"{o}\n" for o in offered))
    resp = Response(body, status=code, content_type=fmt.content_type)
    resp.headers["Vary"] = "Accept"
    if error.plain:
        resp.headers["Cache-Control"] = "no-store"
    for k, v in error.headers.items():
        resp.headers[k] = v
    return resp


def _suggest(path: str) -> tuple[str, list]:
    """The words of a path that found nothing (``/doc/city/nan-chang.ttl`` -> "nan chang") and what
    the search finds for them, as a way on from the 404 page."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    last = _EXT_RE.sub("", last)
    words = " ".join(w for w in re.split(r"[-_.+\s]+", unquote(last)) if w)[:100]
    if not words or not re.search(r"\w", words):
        return "", []
    try:
        kg, mapper = state(), urls()
        hits = run_search(kg, words, limit=5) or run_search(kg, words.replace(" ", ""), limit=5)
    except (RuntimeError, KeyError):  # no release here (an error before the app was set up)
        return words, []
    return words, [{"label": h.label, "kind": h.kind, "href": mapper.path(h.uri) or h.uri} for h in hits]


def from_werkzeug(exc: HTTPException) -> HTTPError:
    if exc.code == 404:
        return HTTPError(404, f"Nothing is published at {request.path[:300]}.")
    error = HTTPError(exc.code or 500, exc.description or exc.name or "")
    valid = getattr(exc, "valid_methods", None)
    if (exc.code or 500) == 405 and valid:
        error.headers["Allow"] = ", ".join(valid)
    return error


def install(app: Flask) -> None:
    app.register_error_handler(HTTPError, render)
    app.register_error_handler(HTTPException, lambda exc: render(from_werkzeug(exc)))
