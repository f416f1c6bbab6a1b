"""The variants of a document (one per format) and their links, for pages and Link headers."""

from __future__ import annotations

from citykg.server import formats
from citykg.server.formats import Format


def alternates(path: str, offers: tuple[Format, ...] = formats.DOCUMENT) -> list[dict]:
    """The variants of a document at `path`: one link per format, by extension."""
    return [{"media": f.media_type, "name": f.label, "ext": f.extension, "href": f"{path}.{f.extension}"}
            for f in offers]


def link_header(alts: list[dict], extra: list[str] | None = None) -> str:
    links = [f'<{a["href"]}>; rel="alternate"; type="{a["media"]}"' for a in alts]
    return ", ".join(links + (extra or []))
