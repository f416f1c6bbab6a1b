"""Profile text -> `Record`.

The profiles are text extracted from brochures, so the layout is loose: credits
first, figures on lines of their own, a list item broken across two lines, a
heading after (or before) the list it heads, a sentence broken by a blank line.
The extractor first rebuilds blocks and sentences (`kg.text`), then reads facts
out of them with the lexicon (`kg.lexicon`: qualifiers, units, scale words,
indicator phrases), never with per-city rules.  Every value keeps the exact
sentence it came from, and every sentence is reported as mapped or not, with the
figures it holds that no fact took, so that nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

from citykg.uris import slugify

from .lexicon import (
    DECOY_NOUNS,
    FIGURE_LINE,
    INDICATORS,
    LICENCE,
    QUANTITY,
    IndicatorDef,
    plural,
    qualifier_of,
    unit_of,
)
from .record import Credit, Figure, Named, Narrative, Record, SentenceReport
from .text import (
    Block,
    ExtractError,
    blocks_of,
    count_word,
    is_prose,
    parse_number,
    read_text,
    sentences_of,
    split_list,
)

__all__ = ["ExtractError", "Extractor", "extract"]

CREDIT_LINE = re.compile(
    rf"^(?:©|\(c\)|photo:|photo by)?\s*(?P<creator>[^,©]{{1,80}}?)(?:\s*[-–]\s*own work)?\s*,\s*"
    rf"(?P<licence>{LICENCE.pattern})\s*$",
    re.I,
)
KNOWN_HEADINGS = re.compile(
    r"^(?:general )?(?:socio-economic )?profile$|^general socio-economic profile$"
    r"|^(?:preferred )?(?:areas|fields|sectors) of cooperation$|^cooperation (?:priorities|themes|areas)$"
    r"|^key (?:figures|facts)$|^city profile$",
    re.I,
)
THEMES_HEADING = re.compile(
    r"^(?:preferred )?(?:areas|fields|sectors) of cooperation$|^cooperation (?:priorities|themes|areas)$", re.I)
NAME_LINE = re.compile(r"[A-Z][\w’'\-]+(?: (?:[A-Z][\w’'\-]+|of|de|la))*")
CITY_SENTENCE = re.compile(
    r"^(?P<city>[A-Z][\w’'\-]+(?: [A-Z][\w’'\-]+){0,3})"
    r"(?:,\s+(?:the\s+)?(?:provincial\s+)?capital|,\s+(?:a|an|the)\s+[\w\- ]*?(?:city|municipality|area|region)\b"
    r"|\s+is\s+(?:the|a|an)\s+(?:[\w\-]+\s+){0,4}?(?:capital|city|municipality|metropolis|area|region)\b)"
)
PROVINCE = re.compile(r"\b(?P<prov>(?:[A-Z][\w\-]+ )+(?:Province|Autonomous Region))\b")
CAPITAL_OF = re.compile(
    r"\bcapital(?:\s+city)?\s+of\s+(?:the\s+)?(?P<prov>(?:[A-Z][\w\-]+ )+(?:Province|Autonomous Region))"
)
DIVISIONS = re.compile(
    r"\b(?:governs|administers|has jurisdiction over|is divided into|consists of|comprises|oversees)\s+"
    r"(?P<list>[^.;]+?)(?=,\s+(?:with|covering|and has|which|where)\b|[.;]|$)"
)
ROLES = re.compile(
    r"\b(?:is|serves as|acts as)\s+(?:the|a|an)\s+(?P<roles>[a-z ,\-]+?)\s+cent(?:er|re)s?\s+(?:of|for|in)\b"
)
INDUSTRIES = re.compile(
    r"(?P<n>\d+|[a-z]+)\s+(?:leading|pillar)\s+industries(?P<rest>[^(:]*?)"
    r"(?:\((?P<plist>[^)]+)\)|(?:including|such as|namely|:)\s+(?P<list>[^.;]+))"
)
LANDMARK = re.compile(
    r"\b(?P<name>(?:[A-Z][\w’']+\s)+(?:Pavilion|Tower|Temple|Pagoda|Palace|Gate|Bridge|Museum|Garden|Mountain|"
    r"Lake|Park|Square|Mosque|Cathedral|Monastery|Grottoes|Wall))\b(?! [A-Z])"
)
EVENT = re.compile(
    r"(?:(?P<n>\d+|[a-z]+) (?:editions|sessions) of )?[Tt]he (?P<name>(?:World |International |China )?"
    r"(?:[A-Z][\w-]*\s(?:on\s|of\s|and\s)?)*(?:Conference|Forum|Expo|Summit|Festival|Fair|Congress)"
    r"(?:\s(?:on|of)\s(?:[A-Z][\w-]*\s?)+)?)"
)
ORGANISATION = re.compile(
    r"\b(?P<name>(?:[A-Z][\w()-]*\s)+(?:College|University|Institute|School|Academy|Laboratory|Centre|Center))\b"
)
PROJECT = re.compile(
    r"\bthe (?P<name>(?:[A-Z][\w-]*|\([A-Z][\w-]*\))(?:\s(?:[A-Z][\w-]*|\([A-Z][\w-]*\)|of|and|for))*) project\b"
)
PROGRAMME = re.compile(
    r"\b(?P<name>(?:national|provincial|municipal) [a-z\- ]*?"
    r"(?:pilot zone|demonstration zone|pilot city|demonstration city|pilot area|free trade zone))\b"
)
YEAR = re.compile(r"^(?:19|20)\d\d$")


def normalise_licence(text: str) -> str:
    """'cc by-sa 3.0' / 'CC-BY-SA-3.0' -> 'CC BY-SA 3.0'; 'CC0' -> 'CC0 1.0'."""
    upper = text.upper()
    if upper.startswith("CC0"):
        return "CC0 1.0"
    parts = re.findall(r"BY|NC|ND|SA", upper[2:])
    version = re.search(r"\d\.\d", upper)
    return f"CC {'-'.join(parts)} {version.group(0) if version else ''}".strip()


def _fmt(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


class Extractor:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.blocks = blocks_of(text)
        self.prose = [b for b in self.blocks
                      if is_prose(b.text) and not all(CREDIT_LINE.match(line) for line in b.lines)]
        self.sentences = [s for b in self.prose for s in sentences_of(b.text)]
        self.reports: dict[str, SentenceReport] = {}
        self.consumed: dict[str, list[tuple[int, int]]] = {}

    def fail(self, what: str) -> ExtractError:
        return ExtractError(f"{self.path}: {what}")

    # bookkeeping ----------------------------------------------------------------------------
    def report(self, sentence: str) -> SentenceReport:
        if sentence not in self.reports:
            self.reports[sentence] = SentenceReport(sentence)
        return self.reports[sentence]

    def fact(self, sentence: str, text: str, span: tuple[int, int] | None = None) -> None:
        self.report(sentence).facts.append(text)
        if span is not None:
            self.consumed.setdefault(sentence, []).append(span)

    def is_consumed(self, sentence: str, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.consumed.get(sentence, []))

    def add_figure(self, record: Record, figure: Figure, span: tuple[int, int] | None = None) -> None:
        record.figures.append(figure)
        industry = f" [{figure.industry}]" if figure.industry else ""
        self.fact(figure.source, f"{figure.indicator}{industry} = {_fmt(figure.value)} {figure.unit} "
                                 f"({figure.qualifier}; stated {figure.stated!r})", span)

    # the run -------------------------------------------------------------------------------
    def run(self) -> Record:
        city = self.city()
        record = Record(
            file=self.path.name,
            sha256=hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            city=city,
        )
        self.fact(city.source, f"city: {city.name}")
        self.credits(record)
        self.admin(record)
        self.standalone_figures(record)
        for sentence in self.sentences:
            self.industries(record, sentence)
            self.prose_figures(record, sentence)
        self.landmarks(record)
        self.themes_and_narratives(record)
        if record.figure("population") is None:
            raise self.fail("no recognisable population (a figure line such as '6,255,000' or '5.6 million', "
                            "or a sentence such as 'a population of 8,452,000')")
        if record.figure("area") is None:
            raise self.fail("no recognisable area (a figure line such as '7,159 km²', or a sentence such as "
                            "'covers an area of 11,282 square kilometres')")
        order = {s: i for i, s in enumerate(self.sentences)}
        record.report = sorted(self.reports.values(), key=lambda r: order.get(r.sentence, -1))
        for sentence in self.sentences:
            if sentence not in self.reports:
                record.report.append(SentenceReport(sentence))
        record.report.sort(key=lambda r: order.get(r.sentence, -1))
        return record

    # city, province, divisions, roles -------------------------------------------------------------
    def city(self) -> Named:
        for block in self.blocks:
            t = block.text
            if len(block.lines) == 1 and NAME_LINE.fullmatch(t) and len(t.split()) <= 4 \
                    and not KNOWN_HEADINGS.match(t):
                used = [s for s in self.sentences if re.match(rf"{re.escape(t)}(?:[ ,’']|$)", s)]
                if used:
                    return Named(t, used[0])
        for sentence in self.sentences:
            m = CITY_SENTENCE.match(sentence)
            if m and not re.match(r"^(?:The|This|It|A|An|In|With|As|Its)\b", m["city"]):
                return Named(m["city"], sentence)
        raise self.fail("no recognisable city name (expected the name on a line of its own, or a sentence "
                        "such as '<City>, the capital city of <Province>, ...' or '<City> is a city ...')")

    def admin(self, record: Record) -> None:
        city = record.city.name
        for sentence in self.sentences:
            m = CAPITAL_OF.search(sentence)
            if m and record.province is None and sentence.startswith(city):
                record.province = Named(m["prov"].strip(), sentence, kind="province")
                record.capital = True
                self.fact(sentence, f"capital of {record.province.name}")
            if record.province is None and sentence.startswith(city):
                pm = PROVINCE.search(sentence)
                if pm:
                    record.province = Named(pm["prov"].strip(), sentence, kind="province")
                    self.fact(sentence, f"in {record.province.name}")
            m = DIVISIONS.search(sentence)
            if m and not record.divisions_source:
                self.divisions(record, sentence, m)
            m = ROLES.search(sentence)
            if m and not record.centre_roles:
                record.centre_roles = [slugify(r) for r in split_list(m["roles"].replace(" and ", ", "))
                                       if r.strip()]
                record.roles_source = sentence
                self.fact(sentence, f"centre roles: {', '.join(record.centre_roles)}")

    def divisions(self, record: Record, sentence: str, m: re.Match[str]) -> None:
        offset = m.start("list")
        items = split_list(m["list"])
        found = False
        for item in items:
            if len(item.split()) > 8:
                continue
            cm = re.match(r"^(?P<n>\d+|[a-z]+)\s+(?P<what>[a-z][\w\- ]+)$", item)
            n = count_word(cm["n"]) if cm else None
            start = sentence.find(item, offset)
            span = (start, start + len(item)) if start >= 0 else None
            if cm and n is not None:
                indicator = slugify(plural(cm["what"]))
                self.add_figure(record, Figure(indicator, Decimal(n), "NUM", "exact", item, sentence), span)
                found = True
            elif re.match(r"^(?:the\s+)?[A-Z]", item):
                name = re.sub(r"^the\s+", "", item)
                record.divisions.append(Named(name, sentence, kind="area"))
                self.fact(sentence, f"division: {name}", span)
                found = True
        if found:
            record.divisions_source = sentence

    # figures -------------------------------------------------------------------------------------
    def standalone_figures(self, record: Record) -> None:
        for block in self.blocks:
            if len(block.lines) != 1:
                continue
            m = FIGURE_LINE.match(block.text)
            if not m:
                continue
            value = parse_number(m["num"], m["scale"])
            qualifier = qualifier_of(m["qual"])
            line = block.text
            if m["unit"]:
                indicator, unit = "area", "KiloM2"
            elif m["cur"]:
                indicator, unit = "gdp", unit_of(None, m["cur"])
            elif YEAR.match(m["num"]) and not m["scale"]:
                self.report(line).unmapped.append(f"{line} (a year on its own line)")
                continue
            else:
                indicator, unit = "population", "NUM"
            if record.figure(indicator) is None:
                self.add_figure(record, Figure(indicator, value, unit, qualifier, line, line))
            else:
                self.report(line).unmapped.append(f"{line} (a second {indicator} figure)")

    def prose_figures(self, record: Record, sentence: str) -> None:
        for m in QUANTITY.finditer(sentence):
            if not m["num"] or self.is_consumed(sentence, m.start("num"), m.end("num")):
                continue
            stated = m.group(0).strip()
            plain = not (m["qual"] or m["cur"] or m["scale"] or m["unit"] or m["cur_after"])
            if plain and YEAR.match(m["num"]):
                continue  # a year is a date, not a figure
            if plain and re.search(r"\b[A-Z][\w-]*\s$", sentence[:m.start("num")]) \
                    and not re.match(r"\s*[a-z]", sentence[m.end():]):
                continue  # part of a name: "RIS 4", "Industry 4.0", "Expo 2010"
            try:
                unit = unit_of(m["unit"], m["cur"] or m["cur_after"])
            except ValueError:
                self.report(sentence).unmapped.append(stated)
                continue
            after = sentence[m.end():].lstrip()
            indicator = self.indicator_for(sentence, m, unit, after)
            if indicator is None:
                words = " ".join(after.split()[:3]).rstrip(".,;:")
                self.report(sentence).unmapped.append(f"{stated} {words}".strip())
                continue
            if record.figure(indicator.slug) is not None:
                self.fact(sentence, f"{indicator.slug} stated again: {stated}", (m.start(), m.end()))
                continue
            value = parse_number(m["num"], m["scale"])
            self.add_figure(record, Figure(indicator.slug, value, unit, qualifier_of(m["qual"]), stated, sentence),
                            (m.start(), m.end()))

    @staticmethod
    def indicator_for(sentence: str, m: re.Match[str], unit: str, after: str) -> IndicatorDef | None:
        # The clause of the figure: between the nearest separators around it.
        left = max(sentence.rfind(sep, 0, m.start()) for sep in (", ", "; ", " and the ", " while "))
        left = 0 if left < 0 else left
        rights = [i for i in (sentence.find(sep, m.end()) for sep in (", ", "; ", " and the ", " while ")) if i >= 0]
        right = min(rights) if rights else len(sentence)
        before, behind = sentence[left:m.start()], sentence[m.end():right]
        if DECOY_NOUNS.match(after) and unit == "NUM":
            return None
        for ind in INDICATORS:
            if ind.noun is not None and unit in ind.units and ind.noun.match(after) \
                    and not re.match(r"^\w+ per\b", after):
                return ind
        best: tuple[int, IndicatorDef] | None = None
        for ind in INDICATORS:
            if ind.context is None or unit not in ind.units:
                continue
            for cm in ind.context.finditer(before):
                if best is None or cm.end() > best[0]:
                    best = (cm.end(), ind)
        if best is not None:
            return best[1]
        for ind in INDICATORS:
            if ind.context is not None and unit in ind.units and ind.context.search(behind):
                return ind
        return None

    def industries(self, record: Record, sentence: str) -> None:
        m = INDUSTRIES.search(sentence)
        if not m or record.industries:
            return
        names = split_list(m["plist"] or m["list"])
        record.industries = [Named(n, sentence, kind="industry") for n in names]
        self.fact(sentence, f"industries: {', '.join(names)}")
        n = count_word(m["n"])
        if n is not None:
            self.add_figure(record, Figure("leading-industries", Decimal(n), "NUM", "exact",
                                           f"{m['n']} leading industries", sentence), (m.start("n"), m.end("n")))
        out = re.search(r"output value of\s+", m["rest"])
        if out:
            q = QUANTITY.search(m["rest"], out.end())
            if q and q["num"]:
                value = parse_number(q["num"], q["scale"])
                unit = unit_of(q["unit"], q["cur"] or q["cur_after"])
                start = m.start("rest") + q.start()
                for name in names:
                    slug = slugify(name)
                    self.add_figure(record, Figure(f"industrial-output-value-{slug}", value, unit,
                                                   qualifier_of(q["qual"]), q.group(0).strip(), sentence,
                                                   industry=slug), (start, start + len(q.group(0))))

    # landmarks, credits ---------------------------------------------------------------------------
    def landmarks(self, record: Record) -> None:
        for sentence in self.sentences:
            for m in LANDMARK.finditer(sentence):
                name = re.sub(r"^(?:The|A|An|Its)\s+", "", m["name"].strip())
                if any(x.name == name for x in record.landmarks):
                    continue
                rep = re.search(rf"{re.escape(name)} is (?:reputed|known|renowned|famous|praised) as\s+"
                                r"[\"“](?P<q>[^\"”]+)[\"”]", sentence)
                record.landmarks.append(Named(name, sentence, kind="landmark", note=rep["q"] if rep else None))
                self.fact(sentence, f"landmark: {name}")

    def credits(self, record: Record) -> None:
        for block in self.blocks:
            for line in block.lines:
                line = line.strip()
                m = CREDIT_LINE.match(line) if len(line) <= 120 else None
                if m:
                    licence = normalise_licence(m["licence"])
                    record.credits.append(Credit(m["creator"].strip(), licence, line))
                    self.fact(line, f"photo credit: {m['creator'].strip()} ({licence})")

    # themes and narratives --------------------------------------------------------------------------
    def themes_and_narratives(self, record: Record) -> None:
        heading = next((i for i, b in enumerate(self.blocks) if THEMES_HEADING.match(b.text)), None)
        if heading is None:
            return

        def is_item(b: Block) -> bool:
            t = b.text
            return (
                (not is_prose(t) or not t.endswith("."))
                and not FIGURE_LINE.match(t)
                and not CREDIT_LINE.match(t)
                and not KNOWN_HEADINGS.match(t)
                and len(t) <= 160
                and t != record.city.name
            )

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
                self.fact(item, f"cooperation theme: {item}")
        position = 0
        for block in self.blocks[j:]:
            if not is_prose(block.text):
                continue
            m = re.match(r"^(?P<title>[A-Z][^.]{2,100}?)\.\s+(?P<body>.+)$", block.text)
            if not m or len(m["title"].split()) > 12:
                continue
            position += 1
            narrative = Narrative(position, m["title"].strip(), m["body"].strip())
            narrative.mentions = self.mentions(sentences_of(narrative.text))
            record.narratives.append(narrative)
            for sentence in sentences_of(block.text):
                self.fact(sentence, f"narrative {position}: {narrative.title}")

    @staticmethod
    def _theme_items(block: Block) -> list[str]:
        items: list[str] = []
        pending = ""
        for line in block.lines:
            text = (pending + " " + line).strip() if pending else line.strip()
            if items and not pending and line[:1].islower():
                items[-1] = f"{items[-1]} {line.strip()}"  # a continuation line
                continue
            if re.search(r"(?:\band|&|,|/|-|\bof|\bfor|\bthe|\bin|\bwith)$", text):
                pending = text
                continue
            items.append(re.sub(r"^[•\-–*]\s*", "", text))
            pending = ""
        if pending:
            items.append(pending)
        return items

    def mentions(self, sentences: list[str]) -> list[Named]:
        found: list[Named] = []

        def add(name: str, sentence: str, kind: str, count: int | None = None) -> None:
            name = name.strip()
            if not any(f.name == name for f in found):
                found.append(Named(name, sentence, kind=kind, count=count))
                self.fact(sentence, f"{kind}: {name}" + (f" ({count} editions)" if count else ""))

        for s in sentences:
            for m in EVENT.finditer(s):
                add(m["name"], s, "event", count_word(m["n"]) if m["n"] else None)
            for m in ORGANISATION.finditer(s):
                add(re.sub(r"^(?:The|A|An)\s+", "", m["name"]), s, "organisation")
            for m in PROJECT.finditer(s):
                add(m["name"], s, "project")
            for m in PROGRAMME.finditer(s):
                add(m["name"], s, "programme")
        return found


def extract(path: Path) -> Record:
    """Reads one profile and returns its record, or raises `ExtractError` naming the file."""
    return Extractor(path, read_text(path)).run()
