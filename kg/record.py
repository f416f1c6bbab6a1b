"""The typed record a profile is extracted into: every value keeps its source sentence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Review:
    """A reviewer's decision on a fact (from the sidecar's `facts:` section)."""

    decision: str  # accepted | corrected | added | rejected
    by: str  # the reviewer's name
    at: str  # the date, YYYY-MM-DD
    note: str | None = None


@dataclass
class Figure:
    """A quantity as the source states it."""

    indicator: str  # indicator slug, e.g. "population"
    value: Decimal
    unit: str  # "NUM" | "KiloM2" | "PERCENT" | "CCY_CNY"
    qualifier: str  # qualifier slug, e.g. "more-than"
    stated: str  # the figure as written, e.g. "more than 20%"
    source: str  # the exact source sentence
    industry: str | None = None  # industry slug for per-industry figures
    period: str | None = None  # the period the sentence states: "2021", "2021-Q4", "2021-05"
    high: Decimal | None = None  # upper end of a range ("between 3 and 4 million"): qualifier "between"
    label: str | None = None  # the indicator's name in the text, for an indicator the lexicon does not know
    review: Review | None = None  # a reviewer's decision; None: as the extractor took it


@dataclass
class Named:
    """A named thing the source mentions, with the sentence that names it."""

    name: str
    source: str
    kind: str = ""  # event | organisation | project | programme | area | landmark
    note: str | None = None  # e.g. a landmark's reputation
    count: int | None = None  # e.g. editions of an event series
    review: Review | None = None  # added by a reviewer


@dataclass
class Narrative:
    position: int
    title: str
    text: str
    mentions: list[Named] = field(default_factory=list)


@dataclass
class Credit:
    creator: str
    licence: str  # as written, e.g. "CC BY-SA 4.0"
    text: str  # the whole credit line


@dataclass
class SentenceReport:
    """What the extractor made of one sentence (or figure line) of the profile."""

    sentence: str
    facts: list[str] = field(default_factory=list)  # e.g. "population = 6255000 NUM (exact)"
    unmapped: list[str] = field(default_factory=list)  # figures found in it but not mapped
    reviewed: list[str] = field(default_factory=list)  # the reviewer's decisions on its facts

    @property
    def mapped(self) -> bool:
        return bool(self.facts)


@dataclass
class Record:
    file: str
    sha256: str
    city: Named
    province: Named | None = None
    country: Named | None = None  # as a "Country:" line states it (a sidecar's country comes first)
    capital: bool = False
    divisions_source: str | None = None
    divisions: list[Named] = field(default_factory=list)
    centre_roles: list[str] = field(default_factory=list)
    roles_source: str | None = None
    figures: list[Figure] = field(default_factory=list)
    industries: list[Named] = field(default_factory=list)
    landmarks: list[Named] = field(default_factory=list)
    themes: list[Named] = field(default_factory=list)
    organisations: list[Named] = field(default_factory=list)  # named by a reviewer (the extractor's are mentions)
    narratives: list[Narrative] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    report: list[SentenceReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what the text lacks or contradicts (build summary)

    def figure(self, indicator: str) -> Figure | None:
        return next((f for f in self.figures if f.indicator == indicator), None)

    def coverage(self) -> tuple[int, int, int]:
        """(sentences mapped to facts, sentences in all, figures found but not mapped)."""
        mapped = sum(1 for r in self.report if r.mapped)
        return mapped, len(self.report), sum(len(r.unmapped) for r in self.report)

    def to_dict(self) -> dict[str, Any]:
        def clean(obj: Any) -> Any:
            if isinstance(obj, Decimal):
                return int(obj) if obj == obj.to_integral_value() else float(obj)
            if isinstance(obj, dict):
                return {k: clean(v) for k, v in obj.items() if v not in (None, [], "")}
            if isinstance(obj, list):
                return [clean(v) for v in obj]
            return obj

        return clean(asdict(self))
