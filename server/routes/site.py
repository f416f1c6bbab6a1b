"""The site: home page, search, favicon, and the asset URLs templates use."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from citykg.server import conneg, formats
from citykg.server.context import state, urls
from citykg.server.errors import not_acceptable
from citykg.server.pages.home import home_page, site_footer
from citykg.server.routes.common import cacheable, page_number
from citykg.server.search import search as run_search
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

bp = Blueprint("site", __name__)

_SEARCH_OFFERS = (formats.HTML, formats.JSON)

#: Search results per page.
SEARCH_PAGE = 50


@bp.route("/")
def home():
    cacheable()
    return render_template("home.html", **home_page(state(), urls()))


@bp.route("/search")
def search():
    kg = state()
    q = request.args.get("q", "")[:200]
    fmt = {"json": formats.JSON, "html": formats.HTML}.get(request.args.get("format") or "")
    if fmt is None:
        fmt = conneg.negotiate(request.headers.get("Accept"), _SEARCH_OFFERS)
        if fmt is None:
            raise not_acceptable(_SEARCH_OFFERS)
    number = page_number()
    hits = run_search(kg, q) if q.strip() else []
    pages = max(1, -(-len(hits) // SEARCH_PAGE))
    shown = hits[(number - 1) * SEARCH_PAGE : number * SEARCH_PAGE]
    mapper = urls()
    results = [{"uri": h.uri, "label": h.label, "lang": h.lang or None, "match": h.rank, "type": h.kind,
                "matched": h.matched, "page": mapper.url(mapper.path(h.uri)) if mapper.path(h.uri) else None}
               for h in shown]

    def link(n: int, fmt_name: str | None = None) -> str:
        args = {"q": q, **({"format": fmt_name} if fmt_name else {}), **({"page": n} if n > 1 else {})}
        return url_for("site.search", **args)

    paging = {"page": number, "pages": pages, "per_page": SEARCH_PAGE,
              "first": (number - 1) * SEARCH_PAGE + 1 if shown else 0, "last": (number - 1) * SEARCH_PAGE + len(shown)}
    if fmt is formats.JSON:
        body = {"query": q, "count": len(hits), **paging, "results": results,
                "next": mapper.url(link(number + 1, "json")) if number < pages else None,
                "previous": mapper.url(link(number - 1, "json")) if 1 < number <= pages else None}
        resp = Response(json.dumps(body, ensure_ascii=False, indent=1), content_type=fmt.content_type)
    else:
        for r, h in zip(results, shown, strict=True):
            r["href"] = mapper.path(h.uri)
        resp = Response(render_template("search.html", q=q, results=results, total=len(hits), **paging,
                                        next_href=link(number + 1) if number < pages else None,
                                        prev_href=link(number - 1) if 1 < number <= pages else None),
                        content_type=fmt.content_type)
    if request.args.get("format") is None:
        resp.headers["Vary"] = "Accept"
    return resp


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.app_template_global("asset")
def asset(filename: str) -> str:
    """A static file's URL with a content hash, so it can be cached for a day and still change."""
    hashes = state().derived.setdefault("assets", {})
    if filename not in hashes:
        path = Path(current_app.static_folder or "") / filename
        hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else None
    if hashes[filename] is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=hashes[filename])


@bp.app_template_global("footer")
def footer() -> dict:
    """The data licence and attribution every page's footer shows."""
    return site_footer(state())
