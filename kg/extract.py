"""Profile text -> `Record`.

The profiles are text extracted from brochures, so the layout is loose: credits
first, figures on lines of their own, a list item broken across two lines, a
heading after the list it heads, a sentence broken by a blank line.  The
extractor first rebuilds blocks and sentences, then reads facts out of them with
a small lexicon (qualifiers, units, scale words, indicator phrases) rather than
per-city rules.  Every value keeps the exact sentence it came from.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from citykg.uris import slugify

from .record import Credit, Figure, Named, Narrative, Record


class ExtractError(ValueError):
    """The profile cannot be turned into a record; the message names the file and the problem."""


# -- lexicon ---------------------------------------------------------------

#: Words that qualify a figure, longest first, mapped to qualifier slugs.
QUALIFIERS: list[tuple[str, str]] = [
    ("as many as", "as-many-as"),
    ("more than", "more-than"),
    ("no less than", "at-least"),
    ("no more than", "at-most"),
    ("less than", "less-than"),
    ("fewer than", "less-than"),
    ("at least", "at-least"),
    ("at most", "at-most"),
    ("approximately", "approximately"),
    ("exceeding", "more-than"),
    ("exceeded", "more-than"),
    ("roughly", "approximately"),
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("around", "approximately"),
    ("about", "approximately"),
    ("above", "more-than"),
    ("over", "more-than"),
    ("up to", "at-most"),
]

SCALES = {"thousand": Decimal(10**3), "million": Decimal(10**6), "billion": Decimal(10**9),
          "trillion": Decimal(10**12)}

NUMBER_WORDS = {
    "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}

#: Indicator phrases found in prose, mapped to indicator slugs (percentages and counts).
INDICATOR_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bwater area\b", re.I), "water-area-share"),
    (re.compile(r"\bgreen coverage rate\b", re.I), "urban-green-coverage-rate"),
    (re.compile(r"\bwetland\b", re.I), "wetland-area-share"),
    (re.compile(r"\bforest coverage\b", re.I), "forest-coverage-rate"),
    (re.compile(r"\bhistorical and cultural sites\b", re.I), "historical-cultural-sites"),
    (re.compile(r"\bleading industries\b", re.I), "leading-industries"),
]

_QUAL_RE = "|".join(re.escape(w) for w, _ in QUALIFIERS)
QUANTITY = re.compile(
    rf"(?:(?P<qual>{_QUAL_RE})\s+)?"
    r"(?P<cur>RMB|CNY|¥)?\s?"
    r"(?P<num>\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion))?"
    r"(?:\s*(?P<unit>%|km²|km2|sq\.? ?km|square kilomet(?:er|re)s))?",
    re.I,
)
FIGURE_LINE = re.compile(
    r"^(?P<num>\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<scale>thousand|million|billion)?\s*"
    r"(?P<unit>km²|km2|sq\.? ?km|square kilomet(?:er|re)s)?$",
    re.I,
)
CREDIT_LINE = re.compile(r"^(?:©|\(c\)|photo:)\s*(?P<creator>.+?)\s*,\s*(?P<licence>CC[\w .\-]+?\d\.\d)\s*$", re.I)
TERMINAL = ('.', '!', '?', '"', '”', "'", '’', ')')
KNOWN_HEADINGS = re.compile(
    r"^(general socio-economic profile|preferred areas of cooperation|areas of cooperation"
    r"|cooperation priorities|profile)$",
    re.I,
)
THEMES_HEADING = re.compile(r"^(preferred )?areas of cooperation$|^cooperation priorities$", re.I)


# -- text structure ----------------------------------------------------------


@dataclass
class Block:
    line: int  # 1-based line number of the first line
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(s.strip() for s in self.lines).strip()


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read: {exc.strerror}") from exc
    if not raw.strip():
        raise ExtractError(f"{path}: the file is empty")
    if b"\x00" in raw:
        raise ExtractError(f"{path}: not a text file (it contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{path}: not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def blocks_of(text: str) -> list[Block]:
    """Paragraphs separated by blank lines; a sentence broken by a blank line is joined again."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append(Block(start, current))
            current = []
    if current:
        blocks.append(Block(start, current))
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and len(prev.text.split()) >= 3
            and re.search(r"[a-z]", prev.text)
            and not prev.text.endswith(TERMINAL)
            and block.text[:1].islower()
        ):
            prev.lines = [prev.text + " " + block.text]
        else:
            merged.append(block)
    return merged


def is_prose(text: str) -> bool:
    return len(text.split()) >= 8 and bool(re.search(r"[a-z]", text))


def sentences_of(text: str) -> list[str]:
    """Splits prose into sentences, keeping quotes and parentheses with their sentence."""
    text = text.strip()
    out: list[str] = []
    start = 0
    for m in re.finditer(r'[.!?]["”’)]?(?=\s+["“(]?[A-Z0-9])', text):
        out.append(text[start:m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def split_list(text: str) -> list[str]:
    """'a, b, c and d' -> [a, b, c, d]; the conjunction splits only the last comma item."""
    items = [i.strip() for i in re.split(r",\s*", text) if i.strip()]
    if items:
        last = items.pop()
        head, sep, tail = last.rpartition(" and ")
        if sep and head:
            items.extend([head.strip(), tail.strip()])
        else:
            items.append(re.sub(r"^and\s+", "", last))
    return [re.sub(r"^(?:and|the)\s+", "", i) for i in items]


def parse_number(num: str, scale: str | None = None) -> Decimal:
    try:
        value = Decimal(re.sub(r"[, ]", "", num))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {num!r}") from exc
    if scale:
        value *= SCALES[scale.lower()]
    return value


def count_word(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def unit_of(unit: str | None, currency: str | None) -> str:
    if currency:
        return "CCY_CNY"
    if not unit:
        return "NUM"
    if unit == "%":
        return "PERCENT"
    return "KiloM2"


def qualifier_of(word: str | None) -> str:
    if not word:
        return "exact"
    word = word.lower()
    return next(slug for w, slug in QUALIFIERS if w == word)


# -- the extractor -------------------------------------------------------------


class Extractor:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.blocks = blocks_of(text)
        self.prose = [b for b in self.blocks if is_prose(b.text)]
        self.sentences = [s for b in self.prose for s in sentences_of(b.text)]

    def fail(self, what: str) -> ExtractError:
        return ExtractError(f"{self.path}: {what}")

    def run(self) -> Record:
        record = Record(
            file=self.path.name,
            sha256=hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            city=self.city(),
        )
        self.credits(record)
        self.admin(record)
        self.standalone_figures(record)
        self.prose_figures(record)
        self.landmarks(record)
        self.themes_and_narratives(record)
        if record.figure("population") is None:
            raise self.fail("no recognisable population (a figure line such as '6,255,000' "
                            "or a sentence with 'population of ...')")
        return record

    # city, province, capital -------------------------------------------------
    def city(self) -> Named:
        for sentence in self.sentences:
            m = re.match(r"^(?P<city>[A-Z][\w’'\- ]{1,40}?),\s+(?:the\s+)?capital(?:\s+city)?\s+of\s+", sentence)
            if m:
                return Named(m["city"], sentence)
        # A name on a line of its own that the prose also uses.
        for block in self.blocks:
            t = block.text
            if len(block.lines) == 1 and re.fullmatch(r"[A-Z][a-z’'\-]+(?: [A-Z][a-z’'\-]+){0,2}", t):
                if KNOWN_HEADINGS.match(t):
                    continue
                used = [s for s in self.sentences if s.startswith(t + " ") or s.startswith(t + ",")]
                if used:
                    return Named(t, used[0])
        raise self.fail("no recognisable city name (expected a sentence like "
                        "'<City>, the capital city of <Province>, ...' or the name on a line of its own)")

    def admin(self, record: Record) -> None:
        city = record.city.name
        for sentence in self.sentences:
            m = re.search(r"capital(?:\s+city)?\s+of\s+(?:the\s+)?(?P<prov>[A-Z][\w\- ]*?Province)\b", sentence)
            if m and record.province is None and sentence.startswith(city):
                record.province = Named(m["prov"], sentence, kind="province")
                record.capital = True
            m = re.search(r"\b(?:governs|administers|comprises|has jurisdiction over)\s+(?P<list>[^.]+)", sentence)
            if m and not record.divisions_source:
                record.divisions_source = sentence
                for item in split_list(m["list"]):
                    cm = re.match(r"^(?P<n>\d+|[a-z]+)\s+(?P<what>.+)$", item)
                    n = count_word(cm["n"]) if cm else None
                    if cm and n is not None:
                        indicator = slugify(cm["what"])
                        record.figures.append(Figure(indicator, Decimal(n), "NUM", "exact", item, sentence))
                    else:
                        name = re.sub(r"^the\s+", "", item)
                        record.divisions.append(Named(name, sentence, kind="area"))
            m = re.search(r"\bis the (?P<roles>[a-z ,]+?) cent(?:er|re) of\b", sentence)
            if m and not record.centre_roles:
                record.centre_roles = [slugify(r) for r in split_list(m["roles"])]
                record.roles_source = sentence

    # figures ---------------------------------------------------------------------
    def standalone_figures(self, record: Record) -> None:
        for block in self.blocks:
            if len(block.lines) != 1:
                continue
            m = FIGURE_LINE.match(block.text)
            if not m:
                continue
            value = parse_number(m["num"], m["scale"])
            if m["unit"]:
                if record.figure("area") is None:
                    record.figures.append(Figure("area", value, "KiloM2", "exact", block.text, block.text))
            elif (
                value >= 1000
                and value == value.to_integral_value()
                and record.figure("population") is None
                # Years are decoys: a four-digit figure from 1000 to 2100 is not a population.
                and not (1000 <= value <= 2100 and len(m["num"]) == 4)
            ):
                record.figures.append(Figure("population", value, "NUM", "exact", block.text, block.text))

    def prose_figures(self, record: Record) -> None:
        for sentence in self.sentences:
            if sentence == record.divisions_source:
                continue
            self._industries(record, sentence)
            for clause in re.split(r",\s+(?:and\s+)?|\s+and\s+(?=the\b)", sentence):
                for pattern, indicator in INDICATOR_PHRASES:
                    if not pattern.search(clause) or record.figure(indicator):
                        continue
                    q = self._quantity_near(clause, pattern)
                    if q is None:
                        continue
                    value, unit, qualifier, stated = q
                    record.figures.append(Figure(indicator, value, unit, qualifier, stated, sentence))
            m = re.search(r"population of\s+(?P<q>[^,;]+)", sentence, re.I)
            if m and record.figure("population") is None:
                q = self._first_quantity(m["q"])
                if q:
                    value, _unit, qualifier, stated = q
                    record.figures.append(Figure("population", value, "NUM", qualifier, stated, sentence))

    @staticmethod
    def _first_quantity(text: str) -> tuple[Decimal, str, str, str] | None:
        for m in QUANTITY.finditer(text):
            return (parse_number(m["num"], m["scale"]), unit_of(m["unit"], m["cur"]),
                    qualifier_of(m["qual"]), m.group(0).strip())
        return None

    def _quantity_near(self, clause: str, pattern: re.Pattern[str]) -> tuple[Decimal, str, str, str] | None:
        """The quantity of a clause that names an indicator (the one closest after the phrase)."""
        anchor = pattern.search(clause)
        assert anchor is not None
        candidates = [m for m in QUANTITY.finditer(clause) if m["num"]]
        if not candidates:
            return None
        after = [m for m in candidates if m.start() >= anchor.end()]
        before = [m for m in candidates if m.end() <= anchor.start()]
        m = after[0] if after else before[-1]
        value = parse_number(m["num"], m["scale"])
        return value, unit_of(m["unit"], m["cur"]), qualifier_of(m["qual"]), m.group(0).strip()

    def _industries(self, record: Record, sentence: str) -> None:
        m = re.search(r"(?P<n>\d+|[a-z]+)\s+leading industries(?P<rest>[^(]*)\((?P<list>[^)]+)\)", sentence)
        if not m or record.industries:
            return
        names = split_list(m["list"])
        record.industries = [Named(n, sentence, kind="industry") for n in names]
        n = count_word(m["n"])
        if n is not None:
            record.figures.append(Figure("leading-industries", Decimal(n), "NUM", "exact",
                                         f"{m['n']} leading industries", sentence))
        out = re.search(r"output value of\s+(?P<q>.+)", m["rest"])
        q = self._first_quantity(out["q"]) if out else None
        if q:
            value, unit, qualifier, stated = q
            for name in names:
                slug = slugify(name)
                record.figures.append(Figure(f"industrial-output-value-{slug}", value, unit, qualifier,
                                             stated, sentence, industry=slug))

    # landmarks ---------------------------------------------------------------------
    def landmarks(self, record: Record) -> None:
        kinds = r"Pavilion|Tower|Temple|Pagoda|Palace|Gate|Bridge|Museum|Garden|Mountain|Lake|Park|Square"
        for sentence in self.sentences:
            for m in re.finditer(rf"\b(?P<name>(?:[A-Z][\w’']+\s)+(?:{kinds}))\b", sentence):
                name = m["name"].strip()
                if any(x.name == name for x in record.landmarks):
                    continue
                rep = re.search(rf"{re.escape(name)} is (?:reputed|known|renowned|famous) as\s+"
                                r"[\"“](?P<q>[^\"”]+)[\"”]", sentence)
                record.landmarks.append(Named(name, sentence, kind="landmark", note=rep["q"] if rep else None))

    # credits -------------------------------------------------------------------------
    def credits(self, record: Record) -> None:
        for block in self.blocks:
            for line in block.lines:
                m = CREDIT_LINE.match(line.strip())
                if m:
                    record.credits.append(Credit(m["creator"].strip(), m["licence"].strip(), line.strip()))

    # themes and narratives ----------------------------------------------------------------
    def themes_and_narratives(self, record: Record) -> None:
        heading = next((i for i, b in enumerate(self.blocks) if THEMES_HEADING.match(b.text)), None)
        if heading is None:
            return

        def is_item(b: Block) -> bool:
            t = b.text
            return (not is_prose(t) or not t.endswith(".")) and not FIGURE_LINE.match(t) \
                and not CREDIT_LINE.match(t) and not KNOWN_HEADINGS.match(t) and len(t) <= 160 \
                and t != record.city.name

        before: list[Block] = []
        i = heading - 1
        while i >= 0 and is_item(self.blocks[i]):
            before.insert(0, self.blocks[i])
            i -= 1
        after: list[Block] = []
        j = heading + 1
        if not before:
            while j < len(self.blocks) and is_item(self.blocks[j]):
                after.append(self.blocks[j])
                j += 1
        for block in before or after:
            for item in self._theme_items(block):
                record.themes.append(Named(item, item, kind="theme"))
        position = 0
        for block in self.blocks[j:]:
            if not is_prose(block.text):
                continue
            m = re.match(r"^(?P<title>[A-Z][^.]{2,100}?)\.\s+(?P<body>.+)$", block.text)
            if not m:
                continue
            position += 1
            narrative = Narrative(position, m["title"].strip(), m["body"].strip())
            narrative.mentions = self._mentions(sentences_of(narrative.text))
            record.narratives.append(narrative)

    @staticmethod
    def _theme_items(block: Block) -> list[str]:
        items: list[str] = []
        pending = ""
        for line in block.lines:
            text = (pending + " " + line).strip() if pending else line.strip()
            if re.search(r"(?:\band|&|,|/|-|\bof|\bfor|\bthe)$", text):
                pending = text
                continue
            items.append(text)
            pending = ""
        if pending:
            items.append(pending)
        return items

    @staticmethod
    def _mentions(sentences: list[str]) -> list[Named]:
        found: list[Named] = []

        def add(name: str, sentence: str, kind: str, count: int | None = None) -> None:
            name = name.strip()
            if not any(f.name == name for f in found):
                found.append(Named(name, sentence, kind=kind, count=count))

        for s in sentences:
            for m in re.finditer(r"(?:(?P<n>\d+|[a-z]+) editions of )?the (?P<name>(?:World |International |China )?"
                                 r"(?:[A-Z][\w-]*\s(?:on\s|of\s|and\s)?)*(?:Conference|Forum|Expo|Summit|Festival|Fair)"
                                 r"(?:\s(?:on|of)\s(?:[A-Z][\w-]*\s?)+)?)", s):
                n = count_word(m["n"]) if m["n"] else None
                add(m["name"], s, "event", n)
            for m in re.finditer(r"\bthe (?P<name>(?:[A-Z][\w()-]*\s)+"
                                 r"(?:College|University|Institute|School|Academy))\b", s):
                add(m["name"], s, "organisation")
            for m in re.finditer(r"\bthe (?P<name>(?:[A-Z][\w-]*|\([A-Z][\w-]*\))"
                                 r"(?:\s(?:[A-Z][\w-]*|\([A-Z][\w-]*\)|of|and|for))*) project\b", s):
                add(m["name"], s, "project")
            for m in re.finditer(r"\b(?:a |the )?(?P<name>(?:national|provincial|municipal) [a-z ]*?"
                                 r"(?:pilot zone|demonstration zone|pilot city|demonstration city))\b", s):
                add(m["name"], s, "programme")
        return found


def extract(path: Path) -> Record:
    """Reads one profile and returns its record, or raises `ExtractError` naming the file."""
    return Extractor(path, read_text(path)).run()
