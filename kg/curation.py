"""A reviewer's decisions on an extraction: the `facts:` section of a profile's sidecar.

Each decision is anchored on the exact words of the profile text: `quote` (the words of the fact)
and `sentence` (the sentence they are in), compared with runs of white space folded to one space.
Decisions:

- ``accept`` an extracted fact (``fact:`` names its indicator): the reviewer confirms it; or accept a
  candidate the extractor left out (with ``indicator``, ``value``, ``unit``, ...): it becomes a fact;
- ``correct`` an extracted fact: the fields given (``indicator``, ``value``, ``unit``, ``qualifier``,
  ``period``) replace the extractor's;
- ``add`` a fact the extractor missed (a figure, or a ``landmark``, ``organisation`` or ``theme``);
- ``reject`` an extracted fact (a figure, or a landmark, organisation or theme): it leaves the graph.

Every decision says who took it (``by``) and when (``at``, a date). The build applies them after
extraction, before mapping (:func:`apply_decisions`); a decision whose words are no longer in the text
stops the build with the sidecar line and the missing words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .record import Figure, Named, Record, Review, SentenceReport
from .text import ExtractError

DECISIONS = ("accept", "correct", "add", "reject")
FIGURE_FIELDS = ("indicator", "value", "unit", "qualifier", "period")
NAMED_KINDS = ("landmark", "organisation", "theme")
#: the key order of an entry as `save` writes it
KEYS = ("decision", "fact", *FIGURE_FIELDS, *NAMED_KINDS, "quote", "sentence", "by", "at", "note")
UNITS = ("NUM", "PERCENT", "KiloM2", "KiloM", "PER-KiloM2", "TONNE", "CCY_CNY", "CCY_EUR", "CCY_USD", "CCY_GBP")
QUALIFIERS = ("exact", "approximately", "nearly", "more-than", "at-least", "less-than", "at-most", "as-many-as",
              "between")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PERIOD = re.compile(r"^\d{4}(?:-(?:Q[1-4]|0[1-9]|1[0-2]))?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def norm(text: str) -> str:
    """Text compared as words: every run of white space (line breaks of the brochure) is one space."""
    return " ".join(text.split())


@dataclass
class Decision:
    decision: str
    quote: str
    sentence: str
    by: str
    at: str  # YYYY-MM-DD
    fact: str | None = None  # the indicator of the extracted fact it is about (accept, correct, reject)
    indicator: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    qualifier: str | None = None
    period: str | None = None
    landmark: str | None = None
    organisation: str | None = None
    theme: str | None = None
    note: str | None = None
    line: int = 0  # the sidecar line the entry starts on (0: not loaded from a file)

    @property
    def named(self) -> tuple[str, str] | None:
        """("landmark", name) for a decision on a named thing, None for one on a figure."""
        return next(((k, getattr(self, k)) for k in NAMED_KINDS if getattr(self, k)), None)

    def to_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in KEYS:
            v = getattr(self, key)
            if v is None:
                continue
            if isinstance(v, Decimal):
                v = int(v) if v == v.to_integral_value() else float(v)
            elif key == "at":
                v = dt.date.fromisoformat(v)
            out[key] = v
        return out


@dataclass
class ReviewCounts:
    """What review made of a profile's facts (figures; landmarks, organisations and themes added or
    rejected count too)."""

    extracted: int = 0  # figures the extractor took
    reviewed: int = 0  # facts in the graph that carry a reviewer's decision (accepted, corrected, added)
    accepted: int = 0  # extracted facts confirmed, and candidates the extractor left out taken in
    corrected: int = 0
    added: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _fail(path: Path | None, line: int, what: str) -> ExtractError:
    return ExtractError(f"{path}:{line}: facts: {what}")


def parse_decisions(path: Path | None, text: str) -> tuple[list[Decision], tuple[int, int] | None]:
    """The decisions of a sidecar's `facts:` section, each with its line, and the section's line range
    ``(first, after last)`` (0-based, for :func:`save_text`); None when the sidecar has no section."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ExtractError(f"{path}: not a valid YAML sidecar: {exc}") from exc
    if not isinstance(root, yaml.MappingNode):
        return [], None
    section: tuple[int, int] | None = None
    items: list[yaml.Node] = []
    for i, (key, value) in enumerate(root.value):
        if getattr(key, "value", None) != "facts":
            continue
        after = root.value[i + 1][0].start_mark.line if i + 1 < len(root.value) else None
        end = after if after is not None else len(text.splitlines())
        section = (key.start_mark.line, end)
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~"):
            break
        if not isinstance(value, yaml.SequenceNode):
            raise _fail(path, key.start_mark.line + 1, "a list of decisions (- decision: accept|correct|add|reject)")
        items = value.value
    decisions = []
    for node in items:
        line = node.start_mark.line + 1
        data = yaml.safe_load(yaml.serialize(node))
        decisions.append(decision_of(path, line, data))
    return decisions, section


def decision_of(path: Path | None, line: int, data: Any) -> Decision:
    """One entry, checked: every problem names the sidecar line."""
    if not isinstance(data, dict):
        raise _fail(path, line, "each decision is a mapping (decision:, quote:, sentence:, by:, at:, ...)")
    unknown = sorted(set(map(str, data)) - set(KEYS))
    if unknown:
        raise _fail(path, line, f"unknown key(s) {', '.join(unknown)} (use {', '.join(KEYS)})")
    kind = data.get("decision")
    if kind not in DECISIONS:
        raise _fail(path, line, f"decision must be one of {', '.join(DECISIONS)}, not {kind!r}")
    for key in ("quote", "sentence", "by"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise _fail(path, line, f"{kind} needs {key}: (" + {
                "quote": "the exact words of the fact in the text",
                "sentence": "the sentence of the text they are in",
                "by": "the reviewer's name"}[key] + ")")
    at = data.get("at")
    at = at.isoformat() if isinstance(at, dt.date) and not isinstance(at, dt.datetime) else str(at or "")
    if not DATE.match(at):
        raise _fail(path, line, f"at: must be the date of the decision, YYYY-MM-DD, not {data.get('at')!r}")
    d = Decision(decision=kind, quote=data["quote"], sentence=data["sentence"], by=data["by"].strip(), at=at,
                 note=data.get("note"), line=line)
    for key in ("fact", "indicator", *NAMED_KINDS):
        v = data.get(key)
        if v is not None:
            if not isinstance(v, str) or not v.strip():
                raise _fail(path, line, f"{key}: must be a text")
            setattr(d, key, v.strip())
    for key in ("fact", "indicator"):
        v = getattr(d, key)
        if v is not None and not SLUG.match(v):
            raise _fail(path, line, f"{key}: {v!r} is not an indicator slug (lowercase words and hyphens)")
    if data.get("value") is not None:
        try:
            d.value = Decimal(str(data["value"]).replace(",", ""))
        except InvalidOperation:
            raise _fail(path, line, f"value: {data['value']!r} is not a number") from None
    if data.get("unit") is not None:
        if data["unit"] not in UNITS:
            raise _fail(path, line, f"unit: {data['unit']!r} is not one of {', '.join(UNITS)}")
        d.unit = data["unit"]
    if data.get("qualifier") is not None:
        if data["qualifier"] not in QUALIFIERS:
            raise _fail(path, line, f"qualifier: {data['qualifier']!r} is not one of {', '.join(QUALIFIERS)}")
        d.qualifier = data["qualifier"]
    if data.get("period") is not None:
        if not PERIOD.match(str(data["period"])):
            raise _fail(path, line, f"period: {data['period']!r} is not a year (2021), quarter (2021-Q4) or month "
                                    "(2021-05)")
        d.period = str(data["period"])
    named = [k for k in NAMED_KINDS if getattr(d, k)]
    figure = [k for k in FIGURE_FIELDS if getattr(d, k) is not None]
    if len(named) > 1 or (named and (figure or d.fact)):
        raise _fail(path, line, "a decision is about one thing: a figure, or one landmark, organisation or theme")
    if named:
        if kind not in ("add", "reject"):
            raise _fail(path, line, f"a {named[0]} can be added or rejected, not {kind}ed")
        return d
    if kind == "add" or (kind == "accept" and d.fact is None):
        missing = [k for k in ("indicator", "value", "unit") if getattr(d, k) is None]
        if missing:
            what = "a candidate accepted" if kind == "accept" else "an added fact"
            raise _fail(path, line, f"{what} needs {', '.join(missing)} (or accept an extracted fact with fact:)")
        if d.fact is not None:
            raise _fail(path, line, "an added fact has no fact: (that names an extracted fact: correct it instead)")
    elif kind == "correct":
        if d.fact is None or not figure:
            raise _fail(path, line, "correct needs fact: (the extracted fact's indicator) and the fields it "
                                    "changes (indicator, value, unit, qualifier, period)")
    elif kind in ("reject", "accept") and figure:
        raise _fail(path, line, f"{kind} takes fact: only; to change a value, correct it")
    if kind == "reject" and d.fact is None:
        raise _fail(path, line, "reject needs fact: (the extracted fact's indicator) or landmark:/organisation:/theme:")
    return d


def dump_section(decisions: list[Decision]) -> str:
    """The `facts:` section as `save` writes it: one entry a decision, keys in a fixed order."""
    if not decisions:
        return ""
    body = yaml.safe_dump([d.to_yaml() for d in decisions], allow_unicode=True, sort_keys=False,
                          width=10_000, default_flow_style=False)
    return "facts:\n" + "".join(f"  {ln}\n" if ln else "\n" for ln in body.splitlines())


def save_text(text: str, section: tuple[int, int] | None, decisions: list[Decision]) -> str:
    """The sidecar's text with its `facts:` section written anew; every other line stays as it was
    (comments included), so load -> save gives the same file."""
    lines = text.splitlines(keepends=True)
    new = dump_section(decisions)
    if section is None:
        if not new:
            return text
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + new
    first, end = section
    # trailing blank and comment lines before the next key belong to what follows
    while end > first + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return "".join(lines[:first]) + new + "".join(lines[end:])


# -- applying decisions to a record ------------------------------------------------------------------


@dataclass
class _Anchor:
    sentence: str  # the record's own sentence (as the report has it), else the decision's words
    report: SentenceReport


def _anchor(record: Record, text: str, d: Decision, where: Path | None) -> _Anchor:
    words = norm(d.sentence)
    if words not in norm(text):
        raise ExtractError(f"{where}:{d.line}: the {d.decision} decision stands on words that are no longer in "
                           f"{record.file}: {d.sentence!r} (the profile changed: review it again with `citykg "
                           "review`, or remove the decision)")
    if norm(d.quote) not in words:
        raise ExtractError(f"{where}:{d.line}: the words {d.quote!r} are not in the sentence the decision names "
                           f"({d.sentence!r})")
    report = next((r for r in record.report if norm(r.sentence) == words), None)
    if report is None:
        report = SentenceReport(words)
        record.report.append(report)
    return _Anchor(report.sentence, report)


def _target(record: Record, d: Decision, where: Path | None) -> Figure:
    found = [f for f in record.figures if norm(f.source) == norm(d.sentence) and norm(f.stated) == norm(d.quote)
             and (d.fact is None or f.indicator == d.fact)]
    if not found:
        raise ExtractError(f"{where}:{d.line}: the {d.decision} decision is about the fact {d.fact!r} from the words "
                           f"{d.quote!r}, which the extractor no longer takes from that sentence; review it again")
    if len(found) > 1:
        raise ExtractError(f"{where}:{d.line}: the words {d.quote!r} give several facts "
                           f"({', '.join(f.indicator for f in found)}): name one with fact:")
    return found[0]


def _describe(f: Figure) -> str:
    value = str(int(f.value)) if f.value == f.value.to_integral_value() else format(f.value.normalize(), "f")
    period = f" in {f.period}" if f.period else ""
    return f"{f.indicator} = {value} {f.unit} ({f.qualifier}{period})"


def apply_decisions(record: Record, decisions: list[Decision], text: str, where: Path | None = None) -> ReviewCounts:
    """Applies the reviewer's decisions to the extracted `record` (in place) and counts them.

    `text` is the profile text; `where` the sidecar (named in errors)."""
    counts = ReviewCounts(extracted=len(record.figures))
    for d in decisions:
        anchor = _anchor(record, text, d, where)
        review = Review({"accept": "accepted", "correct": "corrected", "add": "added", "reject": "rejected"}
                        [d.decision], d.by, d.at, d.note)
        named = d.named
        if named is not None:
            kind, name = named
            things = {"landmark": record.landmarks, "organisation": record.organisations,
                      "theme": record.themes}[kind]
            existing = next((x for x in things if x.name == name), None)
            if d.decision == "reject":
                if existing is None:
                    raise ExtractError(f"{where}:{d.line}: there is no {kind} {name!r} to reject (the extractor "
                                       "no longer finds it)")
                things.remove(existing)
                counts.rejected += 1
                anchor.report.reviewed.append(f"{kind} {name} rejected by {d.by} on {d.at}")
                continue
            if norm(name).casefold() not in norm(d.sentence).casefold():
                raise ExtractError(f"{where}:{d.line}: the {kind} {name!r} is not named in its sentence")
            if existing is None:
                things.append(Named(name, anchor.sentence, kind=kind, review=review))
            else:
                existing.review = review
            counts.added += 1
            counts.reviewed += 1
            anchor.report.reviewed.append(f"{kind} {name} added by {d.by} on {d.at}")
            continue
        if d.decision == "add" or (d.decision == "accept" and d.fact is None):
            assert d.indicator and d.value is not None and d.unit  # checked on load
            same = next((f for f in record.figures if f.indicator == d.indicator and f.period == d.period), None)
            if same is not None and norm(same.source) != norm(d.sentence):
                raise ExtractError(f"{where}:{d.line}: the fact {d.indicator}"
                                   f"{' in ' + d.period if d.period else ''} is already taken from another sentence "
                                   f"({same.source!r}): correct or reject that one instead")
            figure = Figure(d.indicator, d.value, d.unit, d.qualifier or "exact", d.quote, anchor.sentence,
                            period=d.period, review=review)
            if same is not None:
                record.figures[record.figures.index(same)] = figure  # the extractor learnt it since
            else:
                record.figures.append(figure)
            if d.decision == "accept":
                counts.accepted += 1  # a candidate the extractor left out, taken in
            else:
                counts.added += 1
            counts.reviewed += 1
            anchor.report.reviewed.append(f"{_describe(figure)} {review.decision} by {d.by} on {d.at}")
            continue
        figure = _target(record, d, where)
        if d.decision == "reject":
            record.figures.remove(figure)
            counts.rejected += 1
            anchor.report.reviewed.append(f"{_describe(figure)} rejected by {d.by} on {d.at}")
            continue
        if d.decision == "correct":
            before = _describe(figure)
            for key in FIGURE_FIELDS:
                if getattr(d, key) is not None:
                    setattr(figure, key, getattr(d, key))
            if d.indicator is not None:
                figure.industry, figure.label = None, None
            counts.corrected += 1
            anchor.report.reviewed.append(f"{before} corrected to {_describe(figure)} by {d.by} on {d.at}")
        else:
            counts.accepted += 1
            anchor.report.reviewed.append(f"{_describe(figure)} accepted by {d.by} on {d.at}")
        figure.review = review
        counts.reviewed += 1
    return counts


@dataclass
class Facts:
    """The `facts:` section of one sidecar file, to read and write (the review tool)."""

    path: Path
    text: str = ""
    decisions: list[Decision] = field(default_factory=list)
    section: tuple[int, int] | None = None

    @classmethod
    def load(cls, path: Path) -> Facts:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        decisions, section = parse_decisions(path, text)
        return cls(path, text, decisions, section)

    def render(self) -> str:
        return save_text(self.text, self.section, self.decisions)

    def save(self) -> None:
        new = self.render()
        self.path.write_text(new, encoding="utf-8")
        self.text = new
        self.decisions, self.section = parse_decisions(self.path, new)
