"""``/sitemap.xml`` (or a sitemap index past the protocol's 50,000 URLs, with ``/sitemap-N.xml``)
and ``/robots.txt`` (`citykg.server.pages.sitemap`)."""

from __future__ import annotations

from citykg.server.context import state, urls
from citykg.server.errors import HTTPError
from citykg.server.pages import sitemap
from citykg.server.routes.common import cacheable
from flask import Blueprint, Response

bp = Blueprint("crawlers", __name__)

XML = "application/xml; charset=utf-8"


def _per_file() -> int:
    return max(1, int(state().settings["SITEMAP_URLS"]))


@bp.route("/sitemap.xml")
def sitemap_xml() -> Response:
    kg, mapper, per_file = state(), urls(), _per_file()
    cacheable()
    if sitemap.files(kg, mapper, per_file) > 1:
        return Response(sitemap.index(kg, mapper, per_file), content_type=XML)
    return Response(sitemap.urlset(kg, mapper, 1, per_file), content_type=XML)


@bp.route("/sitemap-<int:number>.xml")
def sitemap_file(number: int) -> Response:
    kg, mapper, per_file = state(), urls(), _per_file()
    body = sitemap.urlset(kg, mapper, number, per_file) if sitemap.files(kg, mapper, per_file) > 1 else None
    if body is None:
        raise HTTPError(404, "no such sitemap file (see /sitemap.xml)")
    cacheable()
    return Response(body, content_type=XML)


@bp.route("/robots.txt")
def robots() -> Response:
    cacheable()
    return Response(sitemap.robots(urls()), content_type="text/plain; charset=utf-8")
