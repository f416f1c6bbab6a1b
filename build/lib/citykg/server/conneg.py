"""Content negotiation on the Accept header as RFC 9110 section 12.5.1 says.

Each media range may carry a weight ``q`` (0 to 1, default 1).  An offer takes the
weight of the most specific range that matches it (``type/subtype`` over
``type/*`` over ``*/*``); ``q=0`` means "not acceptable".  Among offers with the
highest weight the server's order of preference decides.  A missing Accept
header accepts everything.
"""

from __future__ import annotations

from dataclasses import dataclass

HTML = "text/html"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
NTRIPLES = "application/n-triples"

#: The RDF document variants, in the server's order of preference.
DOCUMENT_OFFERS = (HTML, TURTLE, JSONLD, RDFXML, NTRIPLES)

#: Explicit variants by extension (DESIGN section 3).
EXTENSIONS = {"html": HTML, "ttl": TURTLE, "jsonld": JSONLD, "rdf": RDFXML, "nt": NTRIPLES}
EXTENSION_OF = {v: k for k, v in EXTENSIONS.items()}

#: Other names clients use for the same variants.
ALIASES = {
    "application/json": JSONLD,
    "application/x-turtle": TURTLE,
    "application/xhtml+xml": HTML,
    "text/n3": TURTLE,
}


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


def quality(ranges: list[MediaRange], offer: str) -> float:
    """The weight of `offer`: the q of the most specific matching range, 0 if none."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(offer) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


def negotiate(header: str | None, offers: tuple[str, ...] | list[str] = DOCUMENT_OFFERS) -> str | None:
    """The best offer for an Accept header, or None when nothing is acceptable (406)."""
    ranges = parse_accept(header)
    # Aliases (application/json -> JSON-LD) count as ranges for what they stand for.
    extra = []
    for r in ranges:
        alias = ALIASES.get(f"{r.type}/{r.subtype}")
        if alias and alias in offers:
            t, _, s = alias.partition("/")
            extra.append(MediaRange(t, s, r.q, 2))
    # An explicit range for the offer itself wins over its alias.
    explicit = {f"{r.type}/{r.subtype}" for r in ranges}
    ranges = ranges + [e for e in extra if f"{e.type}/{e.subtype}" not in explicit]
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best
