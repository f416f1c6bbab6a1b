"""The data as files and metadata: ``/download`` (the dumps), ``/catalog`` (DCAT-AP 3),
``/.well-known/void`` (VoID) and ``/context.jsonld``."""

from __future__ import annotations

import json
from urllib.parse import quote

from citykg.server import formats, queries
from citykg.server.context import state, urls
from citykg.server.errors import HTTPError
from citykg.server.pages.catalog import catalog_page, void_page
from citykg.server.release import read_triples
from citykg.server.routes.common import cacheable, choose, finish_document, rdf_response
from flask import Blueprint, Response, render_template, send_file

bp = Blueprint("data", __name__)


@bp.route("/download")
def downloads():
    kg = state()
    files = [{**f, "href": urls().local(f"/download/{quote(f['name'])}")}
             for f in kg.manifest.get("files", []) if (kg.release.path / f["name"]).is_file()]
    return render_template("download.html", files=files, manifest=kg.manifest)


@bp.route("/download/<path:name>")
def download_file(name: str):
    """A file of the release; only names the manifest lists (so nothing else can be reached)."""
    kg = state()
    entry = kg.release.files.get(name)
    if name == "manifest.json":
        entry = {"name": name, "media_type": "application/json"}
    if entry is None or ".." in name.split("/") or name.startswith(("/", ".")):
        raise HTTPError(404, f"{name!r} is not a file of this release (see /download)")
    path = kg.release.path / name
    if not path.is_file():
        raise HTTPError(404, f"{name!r} is missing from the release folder")
    media = entry.get("media_type") or "application/octet-stream"
    if name.endswith(".gz"):
        # The file is the gzip package (dcat:compressFormat); its content is `media`.
        media = "application/gzip"
    resp = send_file(path, mimetype=media, conditional=True, etag=entry.get("sha256") or True,
                     last_modified=kg.release.built, max_age=3600)
    if entry.get("sha256"):
        resp.headers["Digest"] = f"sha-256={entry['sha256']}"
    return resp


@bp.route("/catalog", defaults={"ext": None})
@bp.route("/catalog.<any(html, ttl, jsonld, rdf, nt):ext>")
def catalog(ext: str | None):
    kg = state()
    fmt = choose(ext)
    local = urls().local("/catalog")
    cacheable()
    if fmt is formats.HTML:
        resp = Response(render_template("catalog.html", **catalog_page(kg, urls())), content_type=fmt.content_type)
        return finish_document(resp, fmt, negotiated=ext is None, path=local)
    path = kg.release.path / "catalog.ttl"
    series = kg.series.catalog_triples() if kg.series is not None else None
    if series is not None:
        # a folder of releases: the latest's catalogue with the dataset series and every kept release
        triples = series
    elif path.is_file():
        # From the file, not the store: pyoxigraph's store turns derived integer types
        # (xsd:nonNegativeInteger, which DCAT-AP requires for dcat:byteSize) into xsd:integer.
        triples = read_triples(path, kg.release.built_base, kg.policy.base)
    else:
        triples = queries.graph_triples(kg.store, str(kg.policy.graph("metadata")))
    return rdf_response(triples, fmt, negotiated=ext is None, path=local, document=str(kg.policy.catalog))


@bp.route("/.well-known/void", defaults={"ext": None})
@bp.route("/.well-known/void.<any(html, ttl, jsonld, rdf, nt):ext>")
def void(ext: str | None):
    """The VoID description: a page for people (the description's properties, its linked resources) or RDF."""
    kg = state()
    # RDF first: a client that states no preference (a crawler) gets Turtle as before; browsers get the page
    fmt = choose(ext, (*formats.RDF, formats.HTML))
    path = kg.release.path / "void.ttl"
    local = urls().local("/.well-known/void")
    cacheable()
    if fmt is formats.HTML:
        resp = Response(render_template("void.html", **void_page(kg, urls())), content_type=fmt.content_type)
        return finish_document(resp, fmt, negotiated=ext is None, path=local)
    if path.is_file():
        triples = read_triples(path, kg.release.built_base, kg.policy.base)
    else:
        triples = queries.document(kg.store, kg.policy, str(kg.policy.void), str(kg.policy.void))[0]
    return rdf_response(triples, fmt, negotiated=ext is None, path=local, document=str(kg.policy.void))


@bp.route("/context.jsonld")
def context():
    return Response(json.dumps(state().context, ensure_ascii=False, indent=1) + "\n",
                    content_type=formats.JSONLD.content_type)
