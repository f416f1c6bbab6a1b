"""Resources and terms: ``/id/…`` (303 to the document), ``/doc/…`` and ``/def/…`` (the page or an RDF
document by Accept or extension; incoming links paged)."""

from __future__ import annotations

import re

from citykg.server import formats, queries
from citykg.server.context import state, urls
from citykg.server.errors import HTTPError
from citykg.server.formats import Format
from citykg.server.pages import crosscity
from citykg.server.pages.concepts import period_label
from citykg.server.pages.resource import resource_page
from citykg.server.queries import SKOS
from citykg.server.routes.common import (
    PATH_RE,
    cacheable,
    choose,
    finish_document,
    page_number,
    rdf_response,
    split_ext,
)
from flask import Blueprint, Response, redirect, render_template, request

bp = Blueprint("documents", __name__)

_TERM_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_VERSION_RE = re.compile(r"^[0-9][0-9A-Za-z.-]*$")


@bp.route("/id/<path:rest>")
def thing(rest: str):
    kg = state()
    path, _ext = split_ext(rest)
    if not PATH_RE.match(path) or not queries.exists(kg.store, f"{kg.policy.base}/id/{path}"):
        raise HTTPError(404, f"nothing is published at /id/{path}")
    resp = redirect(urls().local(f"/doc/{rest}"), code=303)
    resp.headers["Vary"] = "Accept"
    return resp


@bp.route("/doc/<path:rest>")
def doc(rest: str):
    kg = state()
    path, ext = split_ext(rest)
    if not PATH_RE.match(path):
        raise HTTPError(404, f"no document at /doc/{rest}")
    uri = f"{kg.policy.base}/id/{path}"
    page = page_number()
    if not queries.exists(kg.store, uri):  # 404 comes before 406
        raise HTTPError(404, f"nothing is published at /id/{path}")
    return document(uri, f"{kg.policy.base}/doc/{path}", urls().local(f"/doc/{path}"), choose(ext), ext, page)


def every_figure() -> bool:
    """``?figures=all``: a page's figures table holds every figure (by default, past 50, the latest of each
    indicator)."""
    raw = request.args.get("figures")
    if raw not in (None, "all", "latest"):
        raise HTTPError(400, "figures must be all (every figure on the page) or latest (the latest of each "
                             "indicator, the default)")
    return raw == "all"


def document(uri: str, doc_uri: str, local: str, fmt: Format, ext: str | None, page: int,
             kind: str = "resource") -> Response:
    """A resource's page or RDF document; kept by the response cache (the release is immutable)."""
    kg = state()
    cacheable()
    if fmt is formats.HTML:
        page_ctx = resource_page(kg, urls(), uri, local, page, kind=kind, every_figure=every_figure())
        resp = Response(render_template("resource.html", **page_ctx), content_type=fmt.content_type)
        return finish_document(resp, fmt, negotiated=ext is None, path=local)
    if kind == "ontology":
        triples, more = queries.graph_triples(kg.store, str(kg.policy.graph("ontology"))), False
    else:
        triples, more = queries.document(kg.store, kg.policy, uri, doc_uri, page)
    links = [f'<{local}{"." + ext if ext else ""}?page={page + 1}>; rel="next"'] if more else []
    return rdf_response(triples, fmt, negotiated=ext is None, path=local, links=links, primary=uri,
                        document=doc_uri)


@bp.route("/def")
def def_root_redirect():
    return redirect(urls().local("/def/"), code=301)


@bp.route("/def/", defaults={"rest": ""})
@bp.route("/def/<path:rest>")
def definition(rest: str):
    kg = state()
    ontology = str(kg.policy.ontology())
    path, ext = split_ext(rest)
    if path in ("", "index") or (_VERSION_RE.match(path)
                                 and queries.is_version_of(kg.store, ontology, f"{kg.policy.base}/def/{path}")):
        # the ontology, at /def/ and at its version IRI (/def/{version})
        local = urls().local("/def/index" if path in ("", "index") else f"/def/{path}")
        if rest == "":
            ext = None
        return document(ontology, ontology, local, choose(ext), ext, 1, kind="ontology")
    if not PATH_RE.match(path) and not _TERM_RE.match(path):
        raise HTTPError(404, f"no term at /def/{rest}")
    uri = f"{kg.policy.base}/def/{path}"
    if not queries.exists(kg.store, uri):
        raise HTTPError(404, f"no term or concept is defined at /def/{path}")
    fmt = choose(ext)
    kind = "scheme" if f"{SKOS}ConceptScheme" in queries.types(kg.store, uri) else "resource"
    local = urls().local(f"/def/{path}")
    if fmt is formats.HTML and kind == "resource" and path.startswith(("indicator/", "theme/")):
        # cross-city pages: an indicator with every city's values, a theme with its cities
        if path.startswith("indicator/"):
            body = render_template("indicator.html", **crosscity.indicator_page(kg, urls(), uri))
        else:
            body = render_template("theme.html", **crosscity.theme_page(kg, urls(), uri))
        cacheable()
        resp = Response(body, content_type=fmt.content_type)
        return finish_document(resp, fmt, negotiated=ext is None, path=local)
    return document(uri, uri, local, fmt, ext, page_number(), kind=kind)


@bp.app_template_filter("page")
def page_filter(uri: str) -> str:
    """The local page of a canonical URI, or the URI itself when it is not served here."""
    return urls().href(uri)



@bp.app_template_filter("period")
def period_filter(period: str) -> str:
    """A period as people read it: ``http://reference.data.gov.uk/id/year/2020`` -> ``2020``."""
    return period_label(period)
