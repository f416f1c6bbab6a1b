"""The server's settings: one table, read once per app.

Each setting is read from, in order: the app's config (``create_app(config={...})``, the name
with or without the ``CITYKG_`` prefix), the environment (``CITYKG_SPARQL_TIMEOUT=5``), the
default below. `citykg serve --set NAME=VALUE` sets any of them (it exports the environment
variable before the app is created), and `citykg serve --help-settings` lists them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


def _flag(raw: Any) -> bool:
    if isinstance(raw, str):
        return raw.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(raw)


TABLE: tuple[Setting, ...] = (
    Setting("CACHE_SECONDS", 300, "max-age of pages and data (Cache-Control), in seconds"),
    Setting("DOC_CACHE_MB", 64, "finished pages and documents kept per worker (compressed as sent), in MiB"),
    Setting("DOC_STORE", True, "answer documents from the release's pre-rendered documents.sqlite when it has one"),
    Setting("VERIFY_RELEASE", True, "check every file of the release against its manifest before serving"),
    Setting("SPARQL_TIMEOUT", 10.0, "seconds a query may run; 503 after it"),
    Setting("SPARQL_MAX_ROWS", 10_000, "rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer"),
    Setting("SPARQL_MAX_QUERY_BYTES", 64 * 1024, "largest query text accepted (UTF-8 bytes); 413 above it"),
    Setting("SPARQL_SERVICE_ALLOW", (), "SERVICE endpoints a query may call (exact IRIs, space-separated)"),
    Setting("SPARQL_PROCESSES", 2, "query worker processes per server process"),
    Setting("SPARQL_DEMOTE_AFTER", 0.5, "seconds after which a running query gets nice 19 (0: off)"),
    Setting("SPARQL_MEMORY_MB", 2048, "memory a query may use on top of the store (0: no limit); 503 past it"),
    Setting("SPARQL_CACHE_BYTES", 64 * 1024 * 1024, "SPARQL result cache per server process (0: off)"),
    Setting("SPARQL_CACHE_MAX_ENTRY", 4 * 1024 * 1024, "larger answers are not cached"),
    Setting("SPARQL_RESPONSE_CACHE_BYTES", 32 * 1024 * 1024,
            "whole responses of repeated /sparql requests, answered in front of Flask (0: off)"),
    Setting("SITEMAP_URLS", 50_000, "URLs per sitemap file (the protocol's limit); past it /sitemap.xml is an index"),
    Setting("RATELIMIT_ENABLED", True, "rate limits on /sparql and /search (off in apps created with TESTING)"),
    Setting("RATELIMIT_SPARQL", "20 per second; 600 per minute", "limits on /sparql per client address"),
    Setting("RATELIMIT_SEARCH", "20 per second; 600 per minute", "limits on /search per client address"),
    Setting("RATELIMIT_TRUSTED_PROXIES", 0, "reverse proxies in front of the server (X-Forwarded-For)"),
    Setting("RATELIMIT_STORAGE_URI", "memory://", "Flask-Limiter storage (redis://... shares counts)"),
)
NAMES = {s.name: s for s in TABLE}


class SettingError(ValueError):
    """A setting with a value of the wrong kind."""


def _convert(setting: Setting, raw: Any) -> Any:
    default = setting.default
    try:
        if isinstance(default, bool):
            return _flag(raw)
        if isinstance(default, tuple):
            if isinstance(raw, str):
                return tuple(raw.replace(",", " ").split())
            return tuple(raw or ())
        if isinstance(default, int):
            value = int(raw)
            if value < 0:
                raise ValueError("negative")
            return value
        if isinstance(default, float):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise SettingError(f"setting {setting.name}: {raw!r} is not a valid value "
                           f"(expected {type(default).__name__}, e.g. {default!r})") from None


class Settings(Mapping[str, Any]):
    """Read-only mapping from setting name to its typed value."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    @classmethod
    def load(cls, config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        config = config or {}
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for s in TABLE:
            if s.name in config:
                raw = config[s.name]
            elif f"CITYKG_{s.name}" in config:
                raw = config[f"CITYKG_{s.name}"]
            elif f"CITYKG_{s.name}" in environ:
                raw = environ[f"CITYKG_{s.name}"]
            elif s.name == "RATELIMIT_ENABLED" and config.get("TESTING"):
                raw = False  # the test suite is not limited unless a test asks for it
            else:
                raw = s.default
            values[s.name] = _convert(s, raw)
        return cls(values)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` of `citykg serve --set`; the name must be a known setting."""
    name, sep, value = text.partition("=")
    name = name.strip().upper().removeprefix("CITYKG_")
    if not sep or name not in NAMES:
        known = ", ".join(NAMES)
        raise SettingError(f"--set {text!r}: use NAME=VALUE with one of: {known}")
    _convert(NAMES[name], value)
    return name, value
