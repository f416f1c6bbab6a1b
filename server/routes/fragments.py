"""``/fragments``: Triple Pattern Fragments for Linked Data Fragments clients (Comunica, ...).

``/fragments?subject=&predicate=&object=[&graph=][&page=N]``: the triples matching the pattern,
100 a page, with the Hydra controls (`citykg.server.pages.fragments`). Turtle by default; TriG,
N-Quads, JSON-LD and N-Triples by ``Accept`` (in the quad formats the controls sit in a named
graph of their own). The release is immutable, so every fragment is kept by the response cache
and gets the ETag and Cache-Control of every document.
"""

from __future__ import annotations

from citykg.server import conneg, formats, rdf
from citykg.server.context import state, urls
from citykg.server.errors import HTTPError, not_acceptable
from citykg.server.fragments import MAX_PAGE, Pattern, PatternError, parse_term
from citykg.server.pages.fragments import fragment_page
from citykg.server.routes.common import cacheable
from flask import Blueprint, Response, request, url_for

bp = Blueprint("fragments", __name__)

#: the server's order of preference: Turtle for people, the quad formats for clients that ask
OFFERS = (formats.TURTLE, formats.FORMATS["trig"], formats.FORMATS["nquads"], formats.JSONLD, formats.NTRIPLES)
_KNOWN = {"subject", "predicate", "object", "graph", "page"}


@bp.route("/fragments", methods=["GET", "HEAD"])
def fragment() -> Response:
    kg = state()
    fmt = conneg.negotiate(request.headers.get("Accept"), OFFERS)
    if fmt is None:
        raise not_acceptable(OFFERS)
    args = request.args
    raw_page = args.get("page", "1")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise HTTPError(400, f"page must be an integer from 1 to {MAX_PAGE}")
    graph = args.get("graph", "").strip() or None
    try:
        graph_term = parse_term(graph, "graph") if graph else None
        pattern = Pattern(parse_term(args.get("subject"), "subject"), parse_term(args.get("predicate"), "predicate"),
                          parse_term(args.get("object"), "object"), graph_term.value if graph_term else None)
    except PatternError as exc:
        raise HTTPError(400, str(exc)) from exc
    # the page is named by the URL it was asked at: clients match the controls to it
    query = request.query_string.decode("latin-1")
    mapper = urls()
    page_url = mapper.url(mapper.local("/fragments")) + (f"?{query}" if query else "")
    frag = fragment_page(kg, mapper, pattern, int(raw_page), page_url)
    body = rdf.serialize_dataset(frag.data, frag.metadata, frag.graph, fmt, prefixes=kg.policy.prefixes(),
                                 context=kg.context.get("@context"),
                                 context_url=mapper.url(url_for("data.context")))
    cacheable()
    resp = Response(body, content_type=fmt.content_type)
    resp.headers["Vary"] = "Accept"
    resp.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in frag.links.items())
    unknown = sorted(set(args) - _KNOWN)
    if unknown:
        resp.headers["Warning"] = f'299 - "ignored parameters: {", ".join(unknown)}"'
    return resp
