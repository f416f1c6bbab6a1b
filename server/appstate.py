"""The `CityKG` object: the release being served and what is derived from it once per process.

No Flask here, so the page builders (`citykg.server.pages`) can take a `CityKG` as a parameter
without importing the web framework; `citykg.server.context.state()` finds the app's one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citykg.server.release import Release
from citykg.server.settings import Settings
from citykg.server.store import Store

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
    - ``series``   when serving a folder of releases (``citykg serve --releases``): what lists them, finds
                   the releases holding a resource and serves each (`citykg.server.releases.SeriesDispatcher`);
                   None for a single release
    """

    store: Store
    policy: UriPolicy
    release: Release
    settings: Settings
    release_key: str = ""  # names this release and base in every cache
    context: dict = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)
    series: Any = None

    @property
    def manifest(self) -> dict[str, Any]:
        return self.release.manifest
