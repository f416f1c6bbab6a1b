"""The extractor's lexicon: qualifiers, scale words, number words, units and indicator phrases.

Profiles of one catalogue vary in wording, not in kind; what the extractor knows
about the wording lives here, as data, so that a new phrasing is a new row rather
than new code.  Indicator slugs are the concepts of `ontology/indicators.ttl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

#: Words that qualify a figure (longest first), and the qualifier concept each expresses.
QUALIFIERS: list[tuple[str, str]] = [
    ("as many as", "as-many-as"),
    ("no less than", "at-least"),
    ("no more than", "at-most"),
    ("not less than", "at-least"),
    ("not more than", "at-most"),
    ("more than", "more-than"),
    ("less than", "less-than"),
    ("fewer than", "less-than"),
    ("at least", "at-least"),
    ("at most", "at-most"),
    ("approximately", "approximately"),
    ("exceeding", "more-than"),
    ("exceeded", "more-than"),
    ("exceeds", "more-than"),
    ("roughly", "approximately"),
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("close to", "nearly"),
    ("around", "approximately"),
    ("about", "approximately"),
    ("some", "approximately"),
    ("above", "more-than"),
    ("below", "less-than"),
    ("under", "less-than"),
    ("over", "more-than"),
    ("up to", "at-most"),
    ("approx.", "approximately"),
]
QUALIFIER_WORDS = {word: slug for word, slug in QUALIFIERS}

SCALES = {
    "thousand": Decimal(10**3),
    "million": Decimal(10**6),
    "mln": Decimal(10**6),
    "billion": Decimal(10**9),
    "bn": Decimal(10**9),
    "trillion": Decimal(10**12),
}

NUMBER_WORDS = {
    "no": 0, "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}

#: Unit words as written -> QUDT unit local names.
UNIT_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^%$|^per ?cent$", re.I), "PERCENT"),
    (re.compile(r"^(?:km²|km2|sq\.? ?km|square kilomet(?:er|re)s?)$", re.I), "KiloM2"),
    (re.compile(r"^(?:tonnes|tons|t)$", re.I), "TONNE"),
]
CURRENCIES = {"RMB": "CCY_CNY", "CNY": "CCY_CNY", "¥": "CCY_CNY", "yuan": "CCY_CNY", "EUR": "CCY_EUR",
              "€": "CCY_EUR", "USD": "CCY_USD", "US$": "CCY_USD", "$": "CCY_USD"}

_QUAL_RE = "|".join(re.escape(w) for w, _ in QUALIFIERS)
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?!\d)|\d+(?:\.\d+)?"
#: A quantity as written: qualifier, currency, number, scale word, unit.
QUANTITY = re.compile(
    rf"(?:\b(?P<qual>{_QUAL_RE})\s+)?"
    r"(?P<cur>RMB|CNY|EUR|USD|US\$|¥|€|\$)?\s?"
    rf"(?<![\w.])(?P<num>{_NUMBER})"
    r"(?:\s*(?P<scale>thousand|million|mln|billion|bn|trillion)\b)?"
    r"(?:\s*(?P<unit>%|per ?cent\b|km²|km2\b|sq\.? ?km\b|square kilomet(?:er|re)s?\b|tonnes\b|tons\b))?"
    r"(?:\s*(?P<cur_after>yuan)\b)?",
    re.I,
)
#: A line that is only a figure (the brochures' figure boxes).
FIGURE_LINE = re.compile(
    r"^(?:(?P<qual>about|approximately|around|over|nearly|more than)\s+)?"
    r"(?P<cur>RMB|CNY|¥)?\s?"
    rf"(?P<num>{_NUMBER})\s*"
    r"(?P<scale>thousand|million|billion|trillion)?\s*"
    r"(?P<unit>km²|km2|sq\.? ?km|square kilomet(?:er|re)s?)?"
    r"(?:\s*(?P<label>inhabitants|residents|people|population))?$",
    re.I,
)


@dataclass(frozen=True)
class IndicatorDef:
    """How an indicator shows up in prose.

    `context` matches words before the figure in its clause ("GDP of ..."), `noun`
    the words right after it ("60 universities").  `units` are the units the
    indicator may take; a figure in any other unit is not this indicator (so "2
    million visitors" is never a population and "450 million tonnes" never a GDP).
    """

    slug: str
    units: frozenset[str]
    context: re.Pattern[str] | None = None
    noun: re.Pattern[str] | None = None


def _ctx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


INDICATORS: list[IndicatorDef] = [
    IndicatorDef("population", frozenset({"NUM"}),
                 _ctx(r"\b(?:total |permanent |resident |registered )?population\b(?! density)"),
                 _ctx(r"^(?:permanent |registered |urban )?(?:inhabitants|residents|people)\b")),
    IndicatorDef("area", frozenset({"KiloM2"}),
                 _ctx(r"\b(?:total |land |administrative )?area\b|\bcovers?\b|\bcovering\b")),
    IndicatorDef("gdp", frozenset({"CCY_CNY", "CCY_EUR", "CCY_USD"}),
                 _ctx(r"\bGDP\b|gross domestic product|regional gross product")),
    IndicatorDef("forest-coverage-rate", frozenset({"PERCENT"}), _ctx(r"\bforest(?:ry)? cover(?:age)?\b")),
    IndicatorDef("water-area-share", frozenset({"PERCENT"}), _ctx(r"\bwater (?:area|surface)\b")),
    IndicatorDef("urban-green-coverage-rate", frozenset({"PERCENT"}),
                 _ctx(r"\bgreen (?:coverage|space) (?:rate|ratio)\b")),
    IndicatorDef("wetland-area-share", frozenset({"PERCENT"}), _ctx(r"\bwetlands?\b")),
    IndicatorDef("unemployment-rate", frozenset({"PERCENT"}), _ctx(r"\bunemployment\b(?: rate)?")),
    IndicatorDef("port-cargo-throughput", frozenset({"TONNE"}), _ctx(r"\bport\b|\bthroughput\b|\bcargo\b")),
    IndicatorDef("container-throughput", frozenset({"NUM"}), None, _ctx(r"^(?:TEUs?|twenty-foot equivalent units)\b")),
    IndicatorDef("universities", frozenset({"NUM"}), None,
                 _ctx(r"^(?:universities(?: and colleges)?|colleges and universities|higher education institutions"
                      r"|institutions of higher (?:education|learning))\b")),
    IndicatorDef("historical-cultural-sites", frozenset({"NUM"}), None,
                 _ctx(r"^(?:historical and cultural|historic(?:al)?|cultural heritage|heritage) (?:sites|relics)\b")),
    IndicatorDef("leading-industries", frozenset({"NUM"}), None, _ctx(r"^(?:leading|pillar) industries\b")),
]

#: Nouns that make a number a non-population decoy when they follow it.
DECOY_NOUNS = _ctx(r"^(?:visitors|tourists|tonnes|tons|passengers|vehicles|enterprises|companies|students|"
                   r"jobs|trips|yuan)")

#: Names of administrative divisions, singular -> plural (indicator slugs are plural).
DIVISION_PLURALS = {
    "county": "counties",
    "district": "districts",
    "county-level city": "county-level cities",
    "state-level new area": "state-level new areas",
    "state-level development zone": "state-level development zones",
    "development zone": "development zones",
    "township": "townships",
    "town": "towns",
    "sub-district": "sub-districts",
    "street": "streets",
    "new area": "new areas",
}

#: Licences of photo credits as written -> normalised label (validated again by the mapper).
LICENCE = re.compile(r"CC0(?: 1\.0)?|CC[ -]BY(?:[ -](?:NC|ND|SA))*[ -]\d\.\d", re.I)


def plural(noun: str) -> str:
    noun = noun.strip().lower()
    if noun in DIVISION_PLURALS:
        return DIVISION_PLURALS[noun]
    if noun in DIVISION_PLURALS.values() or noun.endswith("s"):
        return noun
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + "s"


def unit_of(unit: str | None, currency: str | None) -> str:
    if currency:
        return CURRENCIES.get(currency, CURRENCIES.get(currency.upper(), "CCY_CNY"))
    if not unit:
        return "NUM"
    for pattern, name in UNIT_WORDS:
        if pattern.match(unit.strip()):
            return name
    raise ValueError(f"unknown unit {unit!r}")


def qualifier_of(word: str | None) -> str:
    if not word:
        return "exact"
    return QUALIFIER_WORDS[word.lower()]
