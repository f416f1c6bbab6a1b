"""The releases of a series (``citykg build --releases DIR``) as the server sees them, and Memento.

`Versions` lists the kept releases oldest to newest (from `citykg.series`), picks the one in force at
a datetime (RFC 7089 datetime negotiation), and writes the Memento headers and TimeMaps: plain
functions of the list, the request's host and the releases that hold a resource, no web framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from citykg.series import Series, SeriesError

#: what a version may look like in a URL (the build's versions: dates, numbers, dots, hyphens)
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
LINK_FORMAT = "application/link-format"
#: Cache-Control of everything under /release/{version}/: a kept release never changes
IMMUTABLE = "public, max-age=31536000, immutable"


class BadDatetimeError(ValueError):
    """An Accept-Datetime that is not an HTTP-date."""


@dataclass(frozen=True)
class Version:
    version: str
    path: Path
    built: datetime
    previous: str | None = None
    notes: str = ""

    @property
    def http_date(self) -> str:
        """The build time as an HTTP-date (Memento-Datetime, TimeMap datetimes)."""
        return http_date(self.built)


@dataclass
class Versions:
    """The kept releases of a folder, oldest first; the last is the latest."""

    folder: Path
    items: list[Version]
    by_name: dict[str, Version] = field(default_factory=dict)
    latest_name: str | None = None

    def __post_init__(self) -> None:
        self.by_name = {v.version: v for v in self.items}

    @classmethod
    def open(cls, folder: Path | str) -> Versions:
        folder = Path(folder).expanduser().resolve()
        try:
            series = Series.open(folder)
        except SeriesError as exc:
            raise ValueError(str(exc)) from None
        items = [Version(str(r.version), Path(r.path).resolve(), _as_datetime(r.built),
                         getattr(r, "previous_version", None), getattr(r, "notes", "") or "")
                 for r in series.releases]  # oldest first (releases of one second by their chain)
        found = cls(folder, items)
        if series.latest is not None:
            found.latest_name = series.latest.version
        return found

    @property
    def latest(self) -> Version:
        """The release ``latest`` points to (the newest, unless it was pointed back)."""
        return self.by_name.get(self.latest_name, self.items[-1]) if self.latest_name else self.items[-1]

    def get(self, version: str) -> Version | None:
        return self.by_name.get(version)

    def in_force(self, when: datetime) -> Version:
        """The release in force at `when`: the latest built at or before it; the first before the first."""
        chosen = self.items[0]
        for v in self.items:
            if v.built <= when:
                chosen = v
        return chosen

    def nearest_holding(self, when: datetime, holds: list[Version]) -> Version | None:
        """The memento for `when` among the releases that hold a resource: the one in force, else the
        nearest earlier one that holds it, else the nearest later one (None when none holds it)."""
        if not holds:
            return None
        chosen = self.in_force(when)
        # by position in the series, not by time: two releases built in the same second (an HTTP-date's
        # resolution) are still one before the other
        rank = {v.version: i for i, v in enumerate(self.items)}
        earlier = [v for v in holds if rank[v.version] <= rank[chosen.version]]
        if earlier:
            return earlier[-1]
        return holds[0]


def _as_datetime(value: Any) -> datetime:
    """A build time as an aware UTC datetime, to the second (what an HTTP-date can say)."""
    if isinstance(value, datetime):
        when = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    return when.replace(microsecond=0)


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def parse_accept_datetime(value: str) -> datetime:
    """An Accept-Datetime header (an HTTP-date, RFC 7089 section 2.1.1) as an aware UTC datetime."""
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None or not re.search(r"\d{1,2}:\d{2}:\d{2}", value):
        raise BadDatetimeError(f"Accept-Datetime {value.strip()!r} is not an HTTP date; send one such as "
                          f"'Tue, 01 Dec 2026 12:00:00 GMT' (RFC 7089, RFC 9110 IMF-fixdate)")
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _link(target: str, rel: str, **params: str) -> str:
    return f'<{target}>; rel="{rel}"' + "".join(f'; {k}="{v}"' for k, v in params.items())


def memento_links(original: str, timemap: str, memento_url: Any, holds: list[Version],
                  current: Version | None) -> list[str]:
    """Link values of a memento (or of a TimeGate's answer pointing at `current`): the original (which is its
    own TimeGate), the TimeMap, and the first, last, previous and next mementos (RFC 7089 sections 2.2, 4.1.1);
    relation types of one target are given together (``rel="first prev memento"``)."""
    links = [_link(original, "original timegate"), _link(timemap, "timemap", type=LINK_FORMAT)]
    if not holds:
        return links
    rels: dict[str, list[str]] = {}
    order: list[Version] = []

    def add(v: Version, rel: str) -> None:
        if v.version not in rels:
            rels[v.version] = []
            order.append(v)
        rels[v.version].append(rel)

    add(holds[0], "first")
    if current is not None and current in holds:
        i = holds.index(current)
        if i > 0:
            add(holds[i - 1], "prev")
        add(current, "")
        if i + 1 < len(holds):
            add(holds[i + 1], "next")
    add(holds[-1], "last")
    for v in order:
        words = [r for r in ("first", "prev", "next", "last") if r in rels[v.version]]
        links.append(_link(memento_url(v), " ".join([*words, "memento"]), datetime=v.http_date))
    return links


def timemap(original: str, timegate: str, self_url: str, memento_url: Any, holds: list[Version]) -> str:
    """The TimeMap of a resource in application/link-format (RFC 7089 section 5.1.1, RFC 6690)."""
    lines = [_link(original, "original"), _link(timegate, "timegate")]
    if holds:
        lines.append(_link(self_url, "self", type=LINK_FORMAT, **{"from": holds[0].http_date,
                                                                    "until": holds[-1].http_date}))
    else:
        lines.append(_link(self_url, "self", type=LINK_FORMAT))
    for i, v in enumerate(holds):
        words = (["first"] if i == 0 else []) + (["last"] if i == len(holds) - 1 else [])
        lines.append(_link(memento_url(v), " ".join([*words, "memento"]), datetime=v.http_date))
    return ",\n".join(lines) + "\n"
