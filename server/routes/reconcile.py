"""``/reconcile``: the W3C Entity Reconciliation Service API (0.2), as OpenRefine uses it.

- ``GET /reconcile``: the manifest (JSON; JSONP with ``callback``);
- ``GET|POST /reconcile`` with ``queries`` (a form field or query parameter holding a JSON object
  of queries by key, or a JSON body ``{"queries": {...}}``): the candidates of each query;
  ``query`` alone is one query (API 0.1), ``extend`` a data extension request;
- ``/reconcile/suggest/entity|type|property?prefix=``, ``/reconcile/propose_properties?type=``;
- ``/reconcile/preview?id=`` (a small HTML card) and ``/reconcile/view?id=`` (303 to the page).
"""

from __future__ import annotations

import json
import re
from typing import Any

from citykg.server import formats
from citykg.server.context import state, urls
from citykg.server.errors import HTTPError
from citykg.server.pages import reconcile as answers
from citykg.server.pages.reconcile import ReconcileRequestError
from flask import Blueprint, Response, redirect, render_template, request

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

_CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$")
MAX_BODY = 4 * 1024 * 1024


def _json(value: Any) -> Response:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    callback = request.args.get("callback")
    if callback:
        if not _CALLBACK.match(callback):
            raise HTTPError(400, "callback must be a JavaScript identifier")
        return Response(f"/**/{callback}({body});", content_type="application/javascript; charset=utf-8")
    return Response(body, content_type=formats.JSON.content_type)


def _param(name: str) -> Any:
    """A JSON parameter: from the query string, the form, or a JSON body."""
    raw = request.values.get(name)
    if raw is None and request.is_json:
        if (request.content_length or 0) > MAX_BODY:
            raise HTTPError(413, "the request body is too large")
        body = request.get_json(silent=True)
        if isinstance(body, dict) and name in body:
            return body[name]
        if name == "queries" and isinstance(body, dict) and body and "extend" not in body \
                and all(isinstance(v, dict) and "query" in v for v in body.values()):
            return body  # a bare batch
        return None
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        if name == "query":
            return raw  # API 0.1: a bare name
        raise HTTPError(400, f"{name} is not JSON") from None


@bp.route("", methods=["GET", "POST"])
def service() -> Response:
    kg = state()
    try:
        queries = _param("queries")
        if queries is not None:
            return _json(answers.reconcile_batch(kg, queries))
        extend = _param("extend")
        if extend is not None:
            return _json(answers.extend(kg, extend))
        query = _param("query")
        if query is not None:
            return _json(answers.reconcile_one(answers.reconcile.index(kg), query))
    except ReconcileRequestError as exc:
        raise HTTPError(400, str(exc)) from exc
    return _json(answers.manifest(kg, urls()))


@bp.route("/suggest/<any(entity, type, property):kind>")
def suggest(kind: str) -> Response:
    kg = state()
    prefix = request.args.get("prefix", "")
    try:
        if kind == "entity":
            return _json(answers.suggest_entity(kg, prefix, request.args.get("type"), request.args.get("limit")))
        if kind == "type":
            return _json(answers.suggest_type(kg, prefix))
        return _json(answers.suggest_property(kg, prefix))
    except ReconcileRequestError as exc:
        raise HTTPError(400, str(exc)) from exc


@bp.route("/propose_properties")
def propose_properties() -> Response:
    try:
        return _json(answers.propose_properties(state(), request.args.get("type"), request.args.get("limit")))
    except ReconcileRequestError as exc:
        raise HTTPError(400, str(exc)) from exc


@bp.route("/preview")
def preview() -> Response:
    card = answers.preview(state(), urls(), request.args.get("id", ""))
    if card is None:
        raise HTTPError(404, "no such thing in this release")
    return Response(render_template("reconcile_preview.html", card=card), content_type=formats.HTML.content_type)


@bp.route("/view")
def view() -> Response:
    uri = request.args.get("id", "")
    path = urls().path(uri)
    if not path or uri not in answers.reconcile.index(state()).things:
        raise HTTPError(404, "no such thing in this release")
    return redirect(path, code=303)
