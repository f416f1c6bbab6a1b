"""What every request works with: the `CityKG` object of the app, reached with `state()`.

This module imports nothing of the web layer (routes, pages, middleware), so any of them can
import it: this is the split of Flask's ``globals.py`` and ``app.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citykg.server.release import Release
from citykg.server.settings import Settings
from citykg.server.store import Store
from citykg.server.urls import UrlMapper
from flask import current_app, request

from citykg.uris import UriPolicy


@dataclass
class CityKG:
    """The release being served and everything derived from it once per process.

    - ``store``    the `Store` (only select/ask/construct are used by pages)
    - ``policy``   the `UriPolicy` of the canonical base
    - ``release``  the `Release` (path, manifest, files)
    - ``settings`` the `Settings` of the app
    - ``context``  the JSON-LD context served at /context.jsonld
    - ``derived``  data derived at start-up (search index, home counts), shared by the workers
    """

    store: Store
    policy: UriPolicy
    release: Release
    settings: Settings
    release_key: str = ""  # names this release and base in every cache
    context: dict = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)

    @property
    def manifest(self) -> dict[str, Any]:
        return self.release.manifest


def state() -> CityKG:
    """The CityKG object of the current app."""
    return current_app.extensions["citykg"]


def urls() -> UrlMapper:
    """The URL mapper of the current request (canonical base <-> this host and mount point)."""
    kg = state()
    return UrlMapper(kg.policy.base, request.script_root, request.host_url)
