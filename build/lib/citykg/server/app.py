"""The Flask app factory.

``create_app(release_dir)`` loads the release into the store (or takes the store
it is given), and registers the routes of docs/server.md.  Everything a
blueprint needs sits on ``app.extensions["citykg"]``, a `CityKG` object:

- ``.store``   the `server.store.Store` (only select/ask/construct are used)
- ``.policy``  the `citykg.uris.UriPolicy` of the canonical base
- ``.release`` the `server.release.Release` (path, manifest, files)
- ``.manifest`` the release's manifest.json as a dict
- ``.context`` the JSON-LD context served at /context.jsonld

Other blueprints (the SPARQL endpoint) register themselves in `register_blueprints`.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from citykg.server.release import Release
from citykg.server.store import Store
from citykg.uris import UriPolicy


@dataclass
class CityKG:
    store: Store
    policy: UriPolicy
    release: Release
    context: dict = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def manifest(self) -> dict[str, Any]:
        return self.release.manifest


def state() -> CityKG:
    """The CityKG object of the current app."""
    return current_app.extensions["citykg"]


def create_app(
    release_dir: Path | str,
    *,
    base: str | None = None,
    store: Store | None = None,
    config: dict | None = None,
    store_mode: str = "memory",
    log: Any = lambda _msg: None,
) -> Flask:
    """Builds the app over a release folder.

    base:   the canonical base URI (default: the base the release was built with);
            RDF always carries canonical URIs, pages link to the host that serves them.
    store:  a ready store (for example a remote SPARQL store); default: load the
            release into the embedded in-memory store.
    config: extra Flask config (e.g. ``{"TESTING": True}``).
    """
    from citykg.server import http, jsonld, search

    release = Release.open(release_dir)
    if (config or {}).get("CITYKG_VERIFY_RELEASE", True):
        release.verify(log)
    policy = UriPolicy(base or release.built_base)
    cache_dir = None
    if store is None:
        store, cache_dir = release.open_store(policy.base, store_mode, log)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        JSON_SORT_KEYS=False,
        SEND_FILE_MAX_AGE_DEFAULT=86400,
        CITYKG_CACHE_SECONDS=300,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    kg = CityKG(store=store, policy=policy, release=release)
    app.extensions["citykg"] = kg
    derived = cache_dir / "derived.pickle" if cache_dir is not None else None
    if derived is not None and derived.is_file():
        # On-disk store: what start-up derives from the data was saved the first time, so a
        # restart reads it back instead of scanning millions of triples again.
        with derived.open("rb") as f:
            kg.context, kg.cache["search_index"], kg.cache["home_counts"] = pickle.load(f)
    else:
        kg.context = jsonld.build_context(store, policy)
        search.build_index(kg)  # before gunicorn forks: workers share it
        with app.app_context():
            from citykg.server.views import home_counts

            home_counts()
        if derived is not None:
            tmp = derived.with_suffix(f".tmp-{os.getpid()}")
            with tmp.open("wb") as f:
                pickle.dump((kg.context, kg.cache["search_index"], kg.cache["home_counts"]), f)
            os.replace(tmp, derived)
    http.install(app)
    register_blueprints(app)
    from citykg.server import limits

    limits.install(app)  # rate limits on /sparql and /search (server/limits.py)
    return app


def register_blueprints(app: Flask) -> None:
    from citykg.server import crosscity, views

    app.register_blueprint(views.bp)
    app.register_blueprint(crosscity.bp)
    # The SPARQL endpoint (issue 4) is the blueprint `bp` of server/sparql.py; it is
    # registered here when the module exists (no other line is needed).
    import importlib

    try:
        sparql = importlib.import_module("citykg.server.sparql")
    except ModuleNotFoundError as exc:
        if exc.name != "citykg.server.sparql":
            raise
    else:
        app.register_blueprint(sparql.bp)
