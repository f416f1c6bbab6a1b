"""The Flask app factory: ``create_app(release_dir)`` wires the layers together.

The release is opened (and verified), loaded into the store (or the store given is used), the
`CityKG` context (`citykg.server.context`) is put on ``app.extensions["citykg"]``, and then come
the error renderer, the HTTP finishing (`http`), the routes (`routes.*`), the response cache in
front of Flask (`cache`) and the rate limits (`limits`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from citykg.server import cache, docstore, errors, http, jsonld, limits, search
from citykg.server.appstate import CityKG
from citykg.server.pages.home import home_counts
from citykg.server.release import Release
from citykg.server.routes import crawlers, crosscity, data, documents, fragments, reconcile, releases, site, sparql
from citykg.server.settings import Settings
from citykg.server.store import Store
from flask import Flask, current_app, request

from citykg.uris import UriPolicy


def release_key(release: Release, base: str) -> str:
    """Names a release served under a base: part of every cache key."""
    h = hashlib.sha256((release.path / "manifest.json").read_bytes())
    h.update(base.encode())
    return h.hexdigest()


def _release_banner() -> dict[str, Any]:
    """Pages of a release served under ``/release/{version}/`` say which release they show
    (``citykg.server.releases`` puts it in the request's environment)."""
    banner = request.environ.get("citykg.memento")
    series = current_app.extensions["citykg"].series is not None or banner is not None
    root = banner["root"] if banner else request.script_root
    return {"release_banner": banner, "serves_series": series, "series_root": root}


def create_app(
    release_dir: Path | str,
    *,
    base: str | None = None,
    store: Store | None = None,
    config: dict | None = None,
    store_mode: str = "memory",
    log: Any = lambda _msg: None,
    pools: dict[str, cache.LRU] | None = None,
) -> Flask:
    """Builds the app over a release folder.

    base:   the canonical base URI (default: the base the release was built with);
            RDF always carries canonical URIs, pages link to the host that serves them.
    store:  a ready store (for example a remote SPARQL store); default: load the
            release into the embedded store (`store_mode` memory, disk or auto).
    config: Flask config and settings (`citykg.server.settings`, e.g. ``{"TESTING": True}``).
    pools:  the response cache's pools to use (another app's, so that several releases served
            together share one budget: entries carry their release key); default: new ones.
    """
    settings = Settings.load(config)
    release = Release.open(release_dir)
    if settings["VERIFY_RELEASE"]:
        release.verify(log)
    policy = UriPolicy(base or release.built_base)
    cache_dir = None
    if store is None:
        store, cache_dir = release.open_store(policy.base, store_mode, log)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(JSON_SORT_KEYS=False, SEND_FILE_MAX_AGE_DEFAULT=86400)
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    kg = CityKG(store=store, policy=policy, release=release, settings=settings,
                release_key=release_key(release, policy.base))
    app.extensions["citykg"] = kg
    derived = cache_dir / "derived.pickle" if cache_dir is not None else None
    if derived is not None and derived.is_file():
        # On-disk store: what start-up derives from the data was saved the first time, so a
        # restart reads it back instead of scanning millions of triples again.
        with derived.open("rb") as f:
            kg.context, kg.derived["search_index"], kg.derived["home_counts"] = pickle.load(f)
    else:
        kg.context = jsonld.build_context(store, policy)
        search.build_index(kg)  # before gunicorn forks: workers share it
        home_counts(kg)
        if derived is not None:
            tmp = derived.with_suffix(f".tmp-{os.getpid()}")
            with tmp.open("wb") as f:
                pickle.dump((kg.context, kg.derived["search_index"], kg.derived["home_counts"]), f)
            os.replace(tmp, derived)
    app.context_processor(_release_banner)
    errors.install(app)
    http.install(app)
    for blueprint in (site.bp, documents.bp, data.bp, crosscity.bp, sparql.bp, fragments.bp, reconcile.bp,
                      crawlers.bp, releases.bp):
        app.register_blueprint(blueprint)
    if pools is None:
        pools = {"documents": cache.LRU(settings["DOC_CACHE_MB"] * 1024 * 1024, settings["DOC_CACHE_MB"] * 1024 * 128),
                 "sparql": cache.LRU(settings["SPARQL_RESPONSE_CACHE_BYTES"] if settings["SPARQL_CACHE_BYTES"] > 0
                                     else 0, settings["SPARQL_CACHE_MAX_ENTRY"])}
    cache.install(app, pools, max_body=3 * settings["SPARQL_MAX_QUERY_BYTES"] + 4096, trusted=(http.finish,))
    limits.install(app)  # rate limits on /sparql and /search
    if settings["DOC_STORE"]:  # pre-rendered documents (citykg build), in front of everything
        docstore.install(app, release.path / docstore.FILE, kg.release_key, last_modified=release.last_modified_http,
                         max_age=int(settings["CACHE_SECONDS"]), log=log)
    return app
