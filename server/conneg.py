"""Content negotiation on the Accept header as RFC 9110 section 12.5.1 says: one function.

Each media range may carry a weight ``q`` (0 to 1, default 1).  An offer takes the weight of
the most specific range that matches it (``type/subtype`` over ``type/*`` over ``*/*``);
``q=0`` means "not acceptable".  A format's aliases (`server.formats`) count as exact ranges
for it, unless the client names the format's own media type.  Among offers with the highest
weight the server's order of preference decides.  A missing Accept header accepts everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from citykg.server.formats import Format


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    specificity: int  # 0 = */*, 1 = type/*, 2 = type/subtype

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return (self.type in ("*", t)) and (self.subtype in ("*", s))


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parses an Accept header; malformed members are skipped, bad weights count as 0."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges: list[MediaRange] = []
    for member in header.split(","):
        parts = [p.strip() for p in member.split(";")]
        media = parts[0].lower()
        if "/" not in media:
            continue
        t, _, s = media.partition("/")
        if not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        specificity = 0 if t == "*" else (1 if s == "*" else 2)
        ranges.append(MediaRange(t, s, q, specificity))
    return ranges


def _best(ranges: list[MediaRange], media_type: str) -> MediaRange | None:
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best


def quality(ranges: list[MediaRange], offer: str) -> float:
    """The weight of a media type: the q of the most specific matching range, 0 if none."""
    best = _best(ranges, offer)
    return best.q if best else 0.0


def weight(ranges: list[MediaRange], fmt: Format, *, loose: bool = False) -> float:
    """The weight of a format. `loose`: every name of the format matches wildcards too (the
    SPARQL endpoint's rule, where ``text/*`` reaches N-Triples through ``text/plain``)."""
    if loose:
        return max(quality(ranges, name) for name in fmt.names)
    own = _best(ranges, fmt.media_type)
    if own is not None and own.specificity == 2:
        return own.q
    named = [r.q for alias in fmt.aliases for r in ranges if r.specificity == 2 and r.matches(alias)]
    if named:
        return max(named)
    return own.q if own else 0.0


def negotiate(header: str | None, offers: Sequence[Format], *, loose: bool = False) -> Format | None:
    """The best of `offers` (in the server's order of preference) for an Accept header, or None
    when none is acceptable (406)."""
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for offer in offers:
        q = weight(ranges, offer, loose=loose)
        if q > best_q:
            best, best_q = offer, q
    return best
