"""What every route needs to answer: the variant asked for, documents with their Link headers,
pages, and marking a response as cacheable by the response cache."""

from __future__ import annotations

import re
from collections.abc import Iterable

from citykg.server import cache, conneg, formats, rdf
from citykg.server.context import state
from citykg.server.errors import HTTPError, not_acceptable
from citykg.server.formats import Format
from citykg.server.pages.documents import alternates, link_header
from citykg.server.pages.home import site_footer
from citykg.server.queries import DCT
from citykg.server.store import Term
from flask import Response, render_template, request

_EXT_RE = re.compile(r"^(?P<path>.+?)\.(?P<ext>" + formats.extension_pattern() + r")$")
#: a resource's path under /id/ or /doc/: slugs (a version of a release has dots: ``release/2026-12-02.2``)
PATH_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*)*$")


def split_ext(rest: str) -> tuple[str, str | None]:
    m = _EXT_RE.match(rest)
    if m:
        return m["path"], m["ext"]
    return rest, None


def choose(ext: str | None, offers: tuple[Format, ...] = formats.DOCUMENT) -> Format:
    """The variant: by extension when the path has one (404 if the route lacks it), else by Accept."""
    if ext:
        fmt = formats.by_extension(ext, offers)
        if fmt is None:
            raise HTTPError(404, f"no .{ext} variant here")
        return fmt
    fmt = conneg.negotiate(request.headers.get("Accept"), offers)
    if fmt is None:
        raise not_acceptable(offers)
    return fmt


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 100000:
        raise HTTPError(400, "page must be a positive integer")
    return int(raw)


def cacheable(pool: str = "documents") -> None:
    """The response of this request may be kept by the response cache (the release is immutable)."""
    request.environ[cache.FLAG] = (state().release_key, pool)


def finish_document(resp: Response, fmt: Format, *, negotiated: bool, path: str,
                    offers: tuple[Format, ...] = formats.DOCUMENT, links: list[str] | None = None) -> Response:
    resp.headers["Link"] = link_header(alternates(path, offers), links)
    if negotiated:
        resp.headers["Vary"] = "Accept"
        resp.headers["Content-Location"] = f"{path}.{fmt.extension}"
    return resp


def rdf_response(triples: Iterable, fmt: Format, *, negotiated: bool, path: str,
                 offers: tuple[Format, ...] = formats.DOCUMENT, links: list[str] | None = None,
                 primary: str | None = None, document: str | None = None) -> Response:
    """The triples as an RDF document; `document` (its canonical URI) gets the data licence
    (``dct:license``), so that a saved copy says how it may be reused."""
    kg = state()
    if document:
        licence = site_footer(kg)["licence"]
        if licence:
            triples = [*triples, (Term("uri", document), Term("uri", f"{DCT}license"), Term("uri", licence))]
    body = rdf.serialize(triples, fmt, prefixes=kg.policy.prefixes(), context=kg.context["@context"],
                         context_url=f"{kg.policy.base}/context.jsonld", primary=primary)
    resp = Response(body, content_type=fmt.content_type)
    return finish_document(resp, fmt, negotiated=negotiated, path=path, offers=offers, links=links)


def page(template: str, status: int = 200, **context) -> Response:
    return Response(render_template(template, **context), status=status, content_type=formats.HTML.content_type)
