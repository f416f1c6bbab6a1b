"""A series of releases: ``/release/`` (the kept releases, HTML or JSON), the 404 of an unknown version, and
``/changes`` (this release's changelog against the previous one: page, CSV, JSON or RDF).

``/release/{version}/…`` of a kept release never reaches these routes: `citykg.server.releases` sends it
to that release's app. Each release's app answers ``/changes`` from its own ``changes.*`` files, so
``/release/{version}/changes`` is that release's and ``/changes`` the latest's.
"""

from __future__ import annotations

import json

from citykg.server import formats
from citykg.server.context import state, urls
from citykg.server.errors import HTTPError
from citykg.server.pages.releases import changes_page, listing_json, release_rows
from citykg.server.release import read_triples
from citykg.server.routes.common import cacheable, choose, finish_document, page, rdf_response
from flask import Blueprint, Response, redirect, send_file

bp = Blueprint("releases", __name__)

_LISTING = (formats.HTML, formats.JSON)
_CHANGES = (*formats.DOCUMENT, formats.FORMATS["csv"], formats.JSON)


def _versions():
    series = state().series
    if series is None:
        raise HTTPError(404, "This server serves a single release: there are no earlier releases "
                             "(a folder of releases is served with `citykg serve --releases DIR`).")
    return series.versions


@bp.route("/release")
def release_root():
    return redirect(urls().local("/release/"), code=301)


@bp.route("/release/", defaults={"ext": None})
@bp.route("/release/index.<any(html, json):ext>")
def listing(ext: str | None):
    versions = _versions()
    fmt = choose(ext, _LISTING)
    local = urls().local("/release/")
    if fmt is formats.JSON:
        resp = Response(json.dumps(listing_json(versions, urls()), ensure_ascii=False, indent=1) + "\n",
                        content_type=fmt.content_type)
    else:
        resp = page("releases.html", releases=release_rows(versions, urls()), latest=versions.latest.version)
    resp.headers["Link"] = (f'<{local}index.json>; rel="alternate"; type="application/json", '
                            f'<{local}index.html>; rel="alternate"; type="text/html"')
    if ext is None:
        resp.headers["Vary"] = "Accept"
        resp.headers["Content-Location"] = f"{local}index.{fmt.extension}"
    return resp


@bp.route("/release/<path:rest>")
def unknown_release(rest: str):
    versions = _versions()
    name = rest.split("/", 1)[0]
    kept = ", ".join(v.version for v in reversed(versions.items))
    raise HTTPError(404, f"There is no release {name!r} here. The releases kept are: {kept} "
                         f"(the latest, {versions.latest.version}, is also served at the usual URIs); "
                         f"see {urls().local('/release/')}.")


@bp.route("/changes", defaults={"ext": None})
@bp.route("/changes.<any(html, ttl, jsonld, rdf, nt, csv, json):ext>")
def changes(ext: str | None):
    kg = state()
    folder = kg.release.path
    fmt = choose(ext, _CHANGES)
    if not (folder / "changes.json").is_file():
        version = kg.manifest.get("version")
        what = f"Release {version}" if version else "This release"
        raise HTTPError(404, f"{what} has no changelog: it is the first release of its series, or it was not "
                             "built into a folder of releases (`citykg build --releases DIR`).")
    local = urls().local("/changes")
    if fmt.extension in ("csv", "json"):
        name = f"changes.{fmt.extension}"
        if not (folder / name).is_file():
            raise HTTPError(404, f"this release has no {name}")
        resp = send_file(folder / name, mimetype=fmt.media_type, conditional=True, last_modified=kg.release.built,
                         max_age=int(kg.settings["CACHE_SECONDS"]))
        if fmt.extension == "csv":
            resp.headers["Content-Type"] = "text/csv; charset=utf-8"
        return finish_document(resp, fmt, negotiated=ext is None, path=local, offers=_CHANGES)
    cacheable()
    if fmt is formats.HTML:
        data = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
        resp = page("changes.html", **changes_page(data, urls()))
        return finish_document(resp, fmt, negotiated=ext is None, path=local, offers=_CHANGES)
    ttl = folder / "changes.ttl"
    if not ttl.is_file():
        raise HTTPError(404, "this release has no changes.ttl")
    triples = read_triples(ttl, kg.release.built_base, kg.policy.base)
    version = kg.manifest.get("version")
    # the ckg:ChangeSet is BASE/release/{version}/changes (docs/release.md): the document carries the licence
    document = f"{kg.policy.base}/release/{version}/changes" if version else None
    return rdf_response(triples, fmt, negotiated=ext is None, path=local, offers=_CHANGES, document=document)

