"""Cross-city routes: an indicator's table as CSV, the comparison of cities."""

from __future__ import annotations

import csv
import io

from citykg.server import conneg, formats
from citykg.server.context import state, urls
from citykg.server.errors import HTTPError
from citykg.server.pages import crosscity
from citykg.server.pages.concepts import SLUG, is_indicator
from citykg.server.routes.common import cacheable, page
from flask import Blueprint, Response, request

bp = Blueprint("crosscity", __name__)


@bp.route("/def/indicator/<slug>.csv")
def indicator_csv(slug: str) -> Response:
    kg = state()
    uri = f"{kg.policy.base}/def/indicator/{slug}"
    if not SLUG.match(slug) or not is_indicator(kg, uri):
        raise HTTPError(404, f"no indicator {slug!r} in this release")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(crosscity.indicator_rows(kg, uri))
    resp = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    cacheable()
    return resp


@bp.route("/compare")
def compare() -> Response:
    try:
        context = crosscity.compare_page(state(), urls(), request.args.getlist("city"), request.args.getlist("with"))
        status = 200
    except crosscity.CompareError as exc:
        if conneg.negotiate(request.headers.get("Accept"), (formats.HTML,)) is None:
            raise HTTPError(400, str(exc)) from None
        context, status = exc.context or {}, 400
    resp = page("compare.html", status, **context)
    resp.headers["Vary"] = "Accept"  # an error comes as a page or in the format asked for
    return resp


@bp.route("/compare.csv")
def compare_csv() -> Response:
    """The comparison's indicator table as CSV: a row per indicator and city (the latest value)."""
    try:
        rows = crosscity.compare_rows(state(), urls(), request.args.getlist("city"))
    except crosscity.CompareError as exc:
        raise HTTPError(400, str(exc), plain=True) from None
    if len(rows) == 1 and not request.args.getlist("city"):
        raise HTTPError(400, "Choose at least two different cities to compare: /compare.csv?city=a&city=b", plain=True)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    resp = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = 'attachment; filename="compare.csv"'
    cacheable()
    return resp


@bp.app_template_global("compare_href")
def compare_href(uri: str) -> str | None:
    """The comparison form with this city ticked, for a city's page; None for anything else."""
    return crosscity.compare_href(state(), urls(), uri)
