"""What every request works with: the `CityKG` object of the app, reached with `state()`, and the
URL mapper of the request, `urls()`.

This module imports nothing of the web layer (routes, pages, middleware), so any of them can
import it: this is the split of Flask's ``globals.py`` and ``app.py``. Only the routes and the
middleware call `state()` and `urls()`; the page builders take a `CityKG` and a `UrlMapper` as
parameters (`CityKG` itself lives in `citykg.server.appstate`, which does not import Flask).
"""

from __future__ import annotations

from citykg.server.appstate import CityKG
from citykg.server.urls import UrlMapper
from flask import current_app, request

__all__ = ["CityKG", "UrlMapper", "state", "urls"]


def state() -> CityKG:
    """The CityKG object of the current app."""
    return current_app.extensions["citykg"]


def urls() -> UrlMapper:
    """The URL mapper of the current request (canonical base <-> this host and mount point)."""
    kg = state()
    return UrlMapper(kg.policy.base, request.script_root, request.host_url,
                     site_root=request.environ.get("citykg.site_root"))
