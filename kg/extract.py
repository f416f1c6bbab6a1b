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
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from citykg.uris import slugify

from .lexicon import (
    FIGURE_LINE,
    LICENCE,
    QUANTITY,
    plural,
    qualifier_of,
    unit_of,
)
from .names import clean_industry, industry_list, industry_names, landmark_list, landmark_names
from .quantities import Quantity, document_style, find_period, find_quantities, parse_label_line
from .record import Credit, Figure, Named, Narrative, Record, SentenceReport
from .roles import INDICATOR_HEAD, JOINT, OTHER_OWNER, Role, assign, named_label
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


MI2_IN_KM2 = Decimal("2.589988110336")
#: words that start sentences and are never a city's name
SENTENCE_START = re.compile(
    r"^(?:The|This|That|These|It|Its|A|An|In|On|At|With|As|By|For|From|Located|Situated|Specifically|"
    r"Historically|Today|Nowadays|Currently|Together|However|Moreover|Furthermore|Also|Besides|Overall|"
    r"Known|Famous|Founded|Lying|Set|Nestled|Home|Once|Since|After|Before|During|Here|There|Its)\b")
#: the administrative divisions a city governs (counted in "governs 3 counties and 6 districts")
DIVISION_WORDS = re.compile(r"(?:^|\s|-)(?:counties|districts|cities|towns|townships|sub-districts|subdistricts|"
                            r"villages|zones|areas|banners|municipalities|boroughs|wards|prefectures|"
                            r"arrondissements|parishes|communes|administrations|streets)$")
#: the words of a figure box that are a label rather than the noun of a count ("permanent residents" is both)
LABEL_WORDS = re.compile(r"^(?:total |permanent |registered |resident )?(?:population|inhabitants|residents|people)\b",
                         re.I)
DIVISIONS_LABEL = re.compile(r"^(?:administrative )?(?:divisions|subdivisions|administrative units)$", re.I)
LANDMARK_LABEL = re.compile(r"^(?:main |major |famous |top |other |more |further |key )?(?:unesco )?"
                            r"(?:landmarks?|sights?|attractions?|scenic spots|"
                            r"scenic areas|must-see|must see|highlights|sightseeing|what to see|not to miss|"
                            r"heritage(?: sites)?|monuments|world heritage(?: sites)?|places of interest)$", re.I)
INDUSTRY_LABEL = re.compile(r"^(?:main |leading |pillar |key |major |business |economic )?(?:industries|sectors|"
                            r"economy|economic sectors|industrial sectors|strengths|clusters|industrial clusters)$",
                            re.I)
ECONOMY_CUE = re.compile(r"\b(?:economy|industry)\s+(?:\w+\s+){0,2}(?:relies|rely|based|built|driven|depends|rests|"
                         r"known)\b|\bclusters\s+in\b|\b(?:strongest|largest|biggest|dominant)\s+sectors\b", re.I)
STRONG_INDUSTRY_CUE = re.compile(r"\b(?:main|leading|pillar|key|major|strategic|core|principal)\s+(?:industrial\s+)?"
                                 r"(?:industries|sectors|clusters)\b|\bindustries\s+(?:such as|including|include)\b",
                                 re.I)
REGION_LABEL = re.compile(r"^(?:province|region|state|federal state|autonomous community|county|prefecture|department|"
                          r"land|voivodeship|oblast|canton)$", re.I)
LABEL_LINE = re.compile(r"^(?P<label>(?:[A-Z]|of which |incl\. |including )[\w .,()/&'’%²€$¥-]{0,64}?)\s*"
                        r"(?::|\s[–—-]\s)\s*"
                        r"(?P<value>\S.*)$")


def _key(text: str) -> str:
    """A name reduced for comparison: ``Xi'an`` ~ ``xian`` ~ ``xi-an``."""
    return re.sub(r"[^a-z0-9]", "", slugify(text))


#: a unit the quantity reader does not know, right after a fact box value ("22,500 MW", "181 m")
UNKNOWN_UNIT = re.compile(r"\s*(?:[A-Z]{1,4}|[a-zµ]{1,2}|[A-Za-z]{1,3}[²³/]\S*)(?:\s|$|\))")


def box_line(line: str) -> str:
    """A fact box line in the ``Label: value`` form, whatever its layout: "• Area: 297,8 km²",
    "Land area ........ 21,227 km²", "Inhabitants | 246,417 | 2024" (a year column), "74 255   inhabitants,
    as of 1 January 2024" (the figure first), "area_km2: 1,921.8  # comment" (a data sheet's keys)."""
    key = YAML_KEY.match(line)
    if key:
        label = re.sub(r"_per_km2$", " per km²", key["key"])
        label = re.sub(r"_(?:km2|sq_km)$", " (km²)", label)
        label = re.sub(r"_km$", " (km)", label).replace("_", " ")
        value = key["value"].strip()
        comment = re.match(r"^(?P<v>.*?)\s+#\s*(?P<c>.+)$", value)
        if comment:
            value = f"{comment['v']} ({comment['c']})"
        return f"{label[:1].upper()}{label[1:]}: {value}"
    first = VALUE_FIRST.match(line)
    if first:
        label = first["label"].strip()
        return f"{label[:1].upper()}{label[1:]}: {first['value'].strip()}"
    line = BULLET.sub("", line.strip())
    m = re.match(r"^(?P<label>[^.|:]{2,60}?)\s*(?:\.{3,}|…+)\s*(?P<value>\S.*)$", line) \
        or re.match(r"^(?P<label>[^|:]{2,60}?)(?:\s*\.{3,}|\s+\.{2,})\s+(?P<value>\S.*)$", line)
    if m:
        return f"{m['label'].strip()}: {m['value'].strip()}"
    if "|" in line:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) in (3, 4) and re.fullmatch(r"(?:km²|km2|sq km|ha|hectares|%|per cent|t|tonnes|TEU|km|"
                                                  r"persons|people|inhabitants|EUR|€|USD|\$|CNY|RMB|yuan|"
                                                  r"(?:million|billion|thousand)\s+\S+)", cells[2], re.I):
            cells = [cells[0], f"{cells[1]} {cells[2]}", *cells[3:]]  # "| Total area | 90,021 | km² | — |"
        if len(cells) == 3 and cells[2] in ("—", "–", "-", ""):
            cells = cells[:2]
        if len(cells) in (2, 3) and cells[0] and cells[1] and not re.fullmatch(r"-+", cells[0]):
            year = cells[2] if len(cells) == 3 and re.fullmatch(r"(?:19|20)\d\d", cells[2]) else None
            bracket = re.search(r"\s*\(([^)]*)\)\s*$", cells[0]) if year else None
            if bracket:  # "Permanent population (year-end) | 3,996,000 | persons | 2023": the year, then the bracket
                return f"{cells[0][:bracket.start()]} {year} ({bracket.group(1)}): {cells[1]}"
            return f"{cells[0]}{f' ({year})' if year else ''}: {cells[1]}"
    return line


#: a data sheet's "snake_case_key: value" line
YAML_KEY = re.compile(r"^\s*(?P<key>[a-z][a-z0-9]*(?:_[a-z0-9]+)*):\s+(?P<value>[^\s#].*)$")
#: a line that gives the figure first and says what it measures after it ("74 255   inhabitants, as of ...",
#: "246,417 — inhabitants (2024)")
VALUE_FIRST = re.compile(r"^\s*(?P<value>(?:[€$¥£]\s?|(?:RMB|CNY|EUR|USD)\s)?\d[\d \u00a0.,']*\d?\s?"
                         r"(?:%|km²|km2|sq km|km|ha|hectares|m|t|tonnes|TEU|million|billion|thousand)?)"
                         r"(?:\s{2,}|\s+[—–]\s+)"
                         r"(?P<label>[a-z][^\d].*)$")
#: the heading of a box of figures that are not the city's ("Figures about the region or single institutions —
#: not city totals", "context:", "# --- not Sanya totals: context only ---")
OTHERS_HEADER = re.compile(r"\bnot (?:the )?(?:city|[A-Z][\w’'-]+)(?:'s)? (?:totals|figures)\b|\bcontext only\b|"
                           r"^\s*context:\s*$|\(not (?:of )?the city\)|\bnot of the city\b", re.I)
#: the value of a "Label – value" line: a figure (a dash is also how prose sets words apart)
DASH_VALUE = re.compile(r"\s*(?:[~≈<>]|about|approx\.?|around|over|nearly|some|c\.|ca\.|more than|less than|RMB|CNY|"
                        r"EUR|USD|€|\$|¥)?\s*\d", re.I)


def label_lines(blocks: list[Block]) -> tuple[list[Block], list[tuple[str, str]]]:
    """Takes the ``Label: value`` lines (fact boxes) out of the blocks: (the rest, [(label, line)])."""
    kept: list[Block] = []
    named: list[tuple[str, str]] = []
    for block in blocks:
        rest = []
        years: list[str] | None = None  # a table's year columns ("| Indicator | 2022 | 2023 |")
        others = False  # inside a section the text marks as not the city's
        section: tuple[int, str] | None = None  # a data sheet's "key:" over its indented lines
        items: list[str] = []
        for raw in block.lines:
            indent = len(raw) - len(raw.lstrip())
            if section is not None and (indent <= section[0] or not raw.strip()):
                if items:
                    named.append((section[1], f"{section[1]}: {', '.join(items)}"))
                section, items = None, []
                others = others and indent > 0
            if OTHERS_HEADER.search(raw):
                others = True
                if re.match(r"^\s*context:\s*$", raw):
                    section = (indent, "Context")
                continue
            if others:
                if section is None and re.fullmatch(r"\s*[a-z_]+:\s*", raw):
                    others = False  # the next section of a data sheet
                else:
                    continue  # the text says these figures are not the city's
            head = re.fullmatch(r"(?P<i>\s*)(?P<key>[a-z][a-z0-9_]*):\s*", raw)
            if head:
                label = head["key"].replace("_", " ")
                section = (len(head["i"]), label[:1].upper() + label[1:])
                continue
            if section is not None and re.match(r"^\s*-\s+\S", raw):
                items.append(re.sub(r"^\s*-\s+", "", raw).strip())
                continue
            cells = [c.strip() for c in raw.strip().strip("|").split("|")] if raw.count("|") >= 2 else []
            if len(cells) >= 3 and all(re.fullmatch(r"(?:19|20)\d\d", c) for c in cells[1:]):
                years = cells[1:]
                continue
            if years and len(cells) == len(years) + 1 and cells[0] and not re.fullmatch(r"[-: ]+", cells[0]):
                for year, value in zip(years, cells[1:], strict=True):  # a row a year: "Label (2022): value"
                    if value and not re.fullmatch(r"[—–-]+", value):
                        unit = re.search(r"\s*\(([^)]*)\)\s*$", cells[0])
                        label = cells[0][:unit.start()] if unit else cells[0]
                        named.append((cells[0], f"{label} {year}{f' ({unit.group(1)})' if unit else ''}: {value}"))
                continue
            line = box_line(raw)
            if re.fullmatch(r"[-|\s]+", line) or re.match(r"^(?:Indicator|Item|Figure)\s*:\s*Value\b", line):
                continue  # a table's rule or header row
            m = LABEL_LINE.match(line.strip())
            if m and ":" not in line[:m.start("value")] and not DASH_VALUE.match(m["value"]):
                m = None  # "Marjan Forest Park – the hill rises to 178 m": a name and words about it, not a figure
            if m and len(re.sub(r"\([^)]*\)", "", m["label"]).split()) <= 7 and not m["label"].endswith((".", ",")) \
                    and not re.search(r"\s(?:is|are|was|were|has|have|had|lies|lie)\s", m["label"]) \
                    and len(line) <= 160 and not CREDIT_LINE.match(line.strip()):
                named.append((m["label"].strip(), line.strip()))
            else:
                rest.append(raw)
        if section is not None and items:
            named.append((section[1], f"{section[1]}: {', '.join(items)}"))
        if rest:
            kept.append(Block(block.line, rest))
    return kept, named


LABEL_UNIT = re.compile(r"\((?P<scale>[\d,. ]+|hundred|thousand|ten thousand|million|billion|100 million|"
                        r"10,000|10 000)?\s*(?P<unit>persons|people|inhabitants|yuan|rmb|cny|eur|euros?|€|usd|"
                        r"dollars?|us\$|\$|sq\.? ?km|km²|km2|square kilomet(?:re|er)s|hectares|ha|%|per ?cent|"
                        r"tonnes|tons|t|teu|km)?\s*(?P<scale2>thousand|million|billion|bn|m)?\s*\)",
                        re.I)
_LABEL_UNITS = {"yuan": "CCY_CNY", "rmb": "CCY_CNY", "cny": "CCY_CNY", "eur": "CCY_EUR", "euro": "CCY_EUR",
                "euros": "CCY_EUR", "€": "CCY_EUR", "usd": "CCY_USD", "dollar": "CCY_USD", "dollars": "CCY_USD",
                "us$": "CCY_USD", "$": "CCY_USD", "sq km": "KiloM2", "sqkm": "KiloM2", "sq. km": "KiloM2",
                "km²": "KiloM2", "km2": "KiloM2", "square kilometres": "KiloM2", "square kilometers": "KiloM2",
                "hectares": "HA", "ha": "HA", "%": "PERCENT", "percent": "PERCENT", "per cent": "PERCENT",
                "tonnes": "TONNE", "tons": "TONNE", "t": "TONNE", "teu": "NUM", "km": "KiloM"}
_LABEL_SCALES = {"hundred": 100, "thousand": 1000, "ten thousand": 10_000, "10,000": 10_000, "10 000": 10_000,
                 "million": 10**6, "100 million": 10**8, "billion": 10**9}


#: units the dataset publishes as they are, and conversions of others: factor, exact
PUBLISHED_UNITS = {"NUM", "PERCENT", "KiloM2", "KiloM", "TONNE", "PER-KiloM2", "CCY_CNY", "CCY_EUR", "CCY_USD",
                   "CCY_GBP"}
CONVERSIONS: dict[str, tuple[str, Decimal, bool]] = {
    "HA": ("KiloM2", Decimal("0.01"), True),
    "M2": ("KiloM2", Decimal("0.000001"), True),
    "MI2": ("KiloM2", MI2_IN_KM2, False),
    "AC": ("KiloM2", Decimal("0.0040468564224"), False),
    "MI": ("KiloM", Decimal("1.609344"), False),
    "PER-MI2": ("PER-KiloM2", 1 / MI2_IN_KM2, False),
    "TEU": ("NUM", Decimal(1), True),  # twenty-foot equivalent units: a count of containers
}


def convert(value: Decimal, unit: str) -> tuple[Decimal, str, bool] | None:
    """(value, unit, exactly) in a unit the dataset publishes; None for a unit it does not (metres, hours...)."""
    if unit in PUBLISHED_UNITS:
        return value, unit, True
    if unit not in CONVERSIONS:
        return None
    target, factor, exact = CONVERSIONS[unit]
    converted = value * factor
    if not exact:
        converted = converted.quantize(Decimal("0.01")) if converted < 10_000 else converted.quantize(Decimal(1))
    return converted.normalize() if converted == converted.to_integral_value() else converted, target, exact


def label_unit(label: str, q: Quantity) -> Quantity:
    """A unit in the label's brackets applies to the value: "GDP (100 million yuan): 2,705.05" is
    270,505,000,000 CNY, "Permanent residents (10,000 persons): 412.97" is 4,129,700 people."""
    m = LABEL_UNIT.search(label)
    if not m or not (m["scale"] or m["unit"] or m["scale2"]) or q.unit not in ("NUM",):
        return q
    scale = Decimal(1)
    if m["scale"] or m["scale2"]:  # "(100 million yuan)", "(CNY billion)", "(million tonnes)"
        raw = (m["scale"] or {"bn": "billion", "m": "million"}.get(m["scale2"].lower(), m["scale2"])).strip().lower()
        if raw not in _LABEL_SCALES:
            return q
        scale = Decimal(_LABEL_SCALES[raw])
    unit = q.unit
    if m["unit"]:
        word = m["unit"].strip().lower()
        unit = "NUM" if word in ("persons", "people", "inhabitants") else _LABEL_UNITS.get(word, q.unit)
    value = (q.value * scale).normalize()
    high = (q.high * scale).normalize() if q.high is not None else None
    return replace(q, value=value, high=high, unit=unit)


#: a document's title line: "Seville (Sevilla) – city data", "Zhaoqing, Guangdong Province: main indicators"
TITLE_LINE = re.compile(
    r"^(?P<name>[A-ZÀ-ÖØ-Þ][\w’'\-]*(?: [A-ZÀ-ÖØ-Þ][\w’'\-]*){0,3})(?:\s*\([^)]*\))?(?:,[^:–—]{0,60})?\s*"
    r"(?:[:–—-]\s*|\s+)(?:city data|city profile|profile|key facts|key figures|facts and figures|facts|"
    r"statistics at a glance|statistics|"
    r"(?:main )?(?:statistical )?indicators|at a glance|in figures|in brief|fact sheet|factsheet)"
    r"(?:\s*\((?:19|20)\d\d\))?\s*$", re.I)
OTHER_PLACE = re.compile(r"^(?:About [^:]{1,40}:\s*)?(?P<s>[A-ZÀ-ÖØ-Þ][\w’'\-]+(?: [A-ZÀ-ÖØ-Þ][\w’'\-]+){0,2}),\s+"
                         r"(?:(?:a|an|the|its|our)\s+(?:[\w\-]+\s+){0,4}?(?:city|town|capital|metropolis|municipality|"
                         r"port|partner|sister city|twin town)\b|(?:capital|seat) of\b)")


OTHER_PLACE_WHICH = re.compile(r"^(?P<s>[A-ZÀ-ÖØ-Þ][\w’'\-]+(?: [A-ZÀ-ÖØ-Þ][\w’'\-]+){0,2}),\s+(?:which|where|whose)\b")


def about_other_place(sentence: str, city: str) -> str | None:
    """The place a sentence is about when it is not the city ("Okayama, a city of about 720,000 people ...",
    "Aarhus, which has grown faster, now counts more than 360,000 residents")."""
    m = OTHER_PLACE.match(sentence)
    if m is None and re.search(r"\b(?:inhabitants|residents|people|population)\b", sentence):
        m = OTHER_PLACE_WHICH.match(sentence)
    if m and (SENTENCE_ADVERB.fullmatch(m["s"]) or SENTENCE_START.match(m["s"])):
        return None  # "Specifically, the town is known for ...": an adverb, not a place
    if m and _key(m["s"]) != _key(city) and not m["s"].startswith(city) and not city.startswith(m["s"]):
        return m["s"]
    return None


#: what a fact box's value may add after its figure: a bracketed part, "incl. ...", "of which ..."
VALUE_TAIL = re.compile(r"(?:\s\([^()]*(?:\([^()]*\)[^()]*)?\)|,\s+(?:incl\.?|including|of which|of whom|thereof|"
                        r"with)\s.*)\s*$")
#: a verb in the present tense: the clause says how things are, not how they were in a year before it
PRESENT_VERB = re.compile(r"\b(?:has|have|is|are|remains?|counts|covers|hosts|employs|comprises|attends?|lives?|"
                          r"houses|holds|numbers|lies|live|attend|study|studies|works?|reaches|stands)\b")
SENTENCE_ADVERB = re.compile(r"[A-Z][a-z]+ly|However|Moreover|Today|Besides|Indeed|Meanwhile|Furthermore|Overall|"
                             r"Nowadays|Since then|Thus|Hence|Still|Also|Yet|Instead|Likewise|Altogether|Together")
BULLET = re.compile(r"^\s*[•·▪‣◦*\-–—►▸✓]\s+")
SAME_YEAR = re.compile(r"^(?:In\s+)?(?:the same year|that year|that same year)\b", re.I)
PERIOD_WORDS = re.compile(r"\b(?:in|as of|at the end of)\s+(?:19|20)\d\d\b")
PARTNER = re.compile(r"\b(?:partner|sister|twin(?:ned)?)\b", re.I)
LEADING_PERIOD = re.compile(r"^(?:In|As of|As at|By|At the end of|By the end of|Since|During|On|According to|At)\s+"
                            r"(?:the\s+)?"
                            r"(?:year\s+)?(?:\d{1,2}\s+[A-Z][a-z]+\s+|[A-Z][a-z]+\s+)?(?:19|20)\d\d\b")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: a date stating a period: "1 January 2024", "31 December 2023", "1.1.2024", "31/12/2023"
DATE = re.compile(rf"\b(?:\d{{1,2}}\s+)?(?:{MONTHS})\s+(?P<a>(?:19|20)\d\d)\b"
                  r"|\b\d{1,2}[./]\d{1,2}[./](?P<b>(?:19|20)\d\d)\b")


def period_in(text: str) -> str | None:
    """The period a text states: a year ("in 2021", "(2020)", "2020 census") or the year of a date."""
    found = find_period(text)
    if found:
        return found
    m = DATE.search(text)
    return (m["a"] or m["b"]) if m else None


_NAME = r"[A-ZÀ-ÖØ-Þ][\w’'\-]*(?:[ -](?:[A-ZÀ-ÖØ-Þ][\w’'\-]*|de|del|di|la|le|du|des))*"
#: where a city lies, in the order of trust: "the Autonomous Community of Valencia", "Guangdong Province",
#: "Zhejiang province", "the Emilia-Romagna region", "the federal state of Styria"
REGION_PATTERNS = [
    re.compile(rf"\b(?P<r>(?:Autonomous Community|Free State|Federal State|Autonomous Region|Region|Province|"
               rf"Voivodeship|Canton|Land|Department|County|Prefecture|State) of (?:the )?{_NAME})"),
    re.compile(rf"\b(?P<r>{_NAME} (?:Province|Region|Voivodeship|Oblast|Autonomous Region|Prefecture|County))\b"),
    re.compile(rf"\b(?P<r>{_NAME} province)\b"),
    re.compile(rf"\b(?:the )?(?P<r>{_NAME}) (?:region|autonomous community|voivodeship|department|département|"
               r"canton)\b"),
    re.compile(rf"\b(?:federal state|state|region|province|department|département|prefecture|county|canton|land) of "
               rf"(?:the )?(?P<r>{_NAME})"),
]
#: the words before a region that say the city lies in it
IN_REGION = re.compile(r"\b(?:capital|centre|center|seat|city|town|municipality|located|situated|lies|lying|part|"
                       r"in|of)\b[^.;]{0,40}$")


def region_in(sentence: str, city: str) -> str | None:
    """The region or province a sentence places the city in, as written; None when it says none."""
    if city not in sentence and not re.match(
            r"^(?:It|The city|The town|The municipality|The capital of|The seat of|"
            r"(?:Statutory |Independent |Free |Regional )?(?:city|capital|town|seat)\b)", sentence, re.I) \
            and not re.search(r"\bthe city\b", sentence):
        return None
    for pattern in REGION_PATTERNS:
        for m in pattern.finditer(sentence):
            name = m["r"].strip()
            if re.match(r"\s+(?:from|until|in|between|since)\s+\d+\s*(?:BC|AD)?\b", sentence[m.end():]) \
                    or re.search(r"\b(?:ancient|former|historic|old)\s+(?:the\s+)?$", sentence[:m.start()]):
                continue  # "the capital of the State of Zhao from 386 BC": a state of history, not the region
            if name == city or not IN_REGION.search(sentence[:m.start()]) or name in COUNTRIES \
                    or any(name.endswith(" of " + c) for c in COUNTRIES):
                continue  # "the Flemish Region of Belgium": the country's part named by the country
            name = re.sub(r"\s*\([^)]*\)$", "", name)
            owner = re.match(r"^(?P<c>[\w ]+?)(?:'s|’s)\s+(?P<rest>.+)$", name)
            if owner and owner["c"] in COUNTRIES:
                name = owner["rest"]  # "Portugal's Norte region": the Norte
            if re.match(r"^(?:The|A|An|Its|In|Of)\b", name):
                continue
            wider = re.match(rf"\s+(?:department|county|district|prefecture)?\s*in (?:the )?(?P<r>{_NAME})",
                             sentence[m.end():])
            if wider and wider["r"] not in COUNTRIES:
                return wider["r"]  # "the Yvelines department in Île-de-France": the region
            return name
    m = re.search(rf"\b(?:city|town|municipality|capital|centre|center|seat)\b[^.;,]{{0,30}}?\b(?:in|of) (?:the )?"
                  rf"(?P<r>{_NAME})", sentence)
    if m and m["r"] not in COUNTRIES and m["r"] != city and not re.match(r"^(?:The|A|An)\b", m["r"]) \
            and sentence.startswith(city):
        return m["r"]
    return None


#: countries (never a city's region), as English texts name them
COUNTRIES = {
    "China", "France", "Germany", "Italy", "Spain", "Portugal", "Austria", "Poland", "Finland", "Estonia",
    "Latvia", "Lithuania", "Sweden", "Norway", "Denmark", "Netherlands", "the Netherlands", "Belgium",
    "Luxembourg", "Switzerland", "Czechia", "Czech Republic", "Slovakia", "Hungary", "Slovenia", "Croatia",
    "Romania", "Bulgaria", "Greece", "Cyprus", "Malta", "Ireland", "United Kingdom", "UK", "Iceland", "Serbia",
    "Bosnia and Herzegovina", "Montenegro", "Albania", "North Macedonia", "Ukraine", "Moldova", "Turkey",
    "Europe", "Asia", "Japan", "Korea", "South Korea", "India", "Vietnam", "Thailand", "Mongolia", "Russia",
    "United States", "USA", "Canada", "Brazil", "Mexico", "Australia", "the EU", "EU", "European Union",
    "Scandinavia", "Nordic", "Baltic", "Mediterranean", "Alps", "Asia Pacific",
}


CLAUSE_BREAK = re.compile(r",\s|;\s|\s(?:and|but|while|whereas)\s+(?=(?:has|have|is|was|are|were|its|the|it|"
                          r"their|a|an)\b)|\s(?:while|whereas|which|where)\s")


def clause_period(sentence: str, q: Quantity) -> str | None:
    """The period stated in the figure's own clause ("the population was 804,200 in 2022")."""
    starts = [0] + [m.end() for m in CLAUSE_BREAK.finditer(sentence) if m.end() <= q.start]
    ends = [m.start() for m in CLAUSE_BREAK.finditer(sentence) if m.start() >= q.end] + [len(sentence)]
    clause = sentence[max(starts):min(ends)]
    return period_in(clause)


def q_period(sentence: str, q: Quantity) -> str | None:
    """A period written right after the figure: "450 million tonnes in 2022", "522,250 (2020)"."""
    m = re.match(r"^[^,;.]{0,40}?(?:\(\s*(?:in |as of |est\.? )?(?P<a>(?:19|20)\d\d)\s*\)"
                 r"|\b(?:in|as of) (?P<b>(?:19|20)\d\d)\b)", sentence[q.end:])
    if m and not re.search(r"\d", sentence[q.end:q.end + (m.start("a") if m["a"] else m.start("b"))]):
        return m["a"] or m["b"]
    return None


def _fmt(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


class Extractor:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.blocks, self.named_lines = label_lines(blocks_of(text))
        self.prose = [b for b in self.blocks
                      if is_prose(b.text) and not all(CREDIT_LINE.match(line) for line in b.lines)]
        self.sentences = [s for b in self.prose for s in sentences_of(b.text)]
        self.reports: dict[str, SentenceReport] = {}
        self.consumed: dict[str, list[tuple[int, int]]] = {}
        self.warnings: list[str] = []
        self.box_period: str | None = None
        self.last_period: str | None = None  # the period the prose last stated ("In the same year ...")
        self.table_period: tuple[int | None, str] | None = None  # a table's header year, by block
        self.shared_subject = False  # the sentence before spoke of something the city shares ("jointly with")
        self.line_block = {box_line(raw).strip(): i for i, b in enumerate(blocks_of(text)) for raw in b.lines}
        #: the year a table's heading line states ("Main Indicators of ... Development, 2023"), by block
        self.header_period = {
            i: m.group(1) for i, b in enumerate(blocks_of(text)) if len(b.lines) > 2 and ":" not in b.lines[0]
            and (m := re.search(r"(?:,|\(|\bin|\bfor)\s*((?:19|20)\d\d)\)?\s*$", b.lines[0].strip()))}
        self.industry_strength = -1  # no list yet; 0 weak cue ("a hub of"), 1 the economy's words, 2 "main industries"
        self.dot_thousands = document_style(text)

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
        record.warnings = self.warnings
        self.fact(city.source, f"city: {city.name}")
        self.credits(record)
        self.admin(record)
        self.standalone_figures(record)
        for name, line in self.named_lines:
            if INDUSTRY_LABEL.match(name) and self.industry_strength < 2:
                items = industry_list(re.split(r"\.\s+(?=[A-Z])", line.split(":", 1)[-1])[0])
                if items:
                    record.industries = [Named(i, line, kind="industry") for i in items]
                    self.industry_strength = 2  # a fact box's own list
                    self.fact(line, f"industries: {', '.join(items)}")
        for block in self.blocks:  # "Leading industries" over a bulleted list
            head = block.lines[0].strip().rstrip(":")
            bullets = [ln.strip() for ln in block.lines[1:]]
            if len(block.lines) >= 2 and INDUSTRY_LABEL.match(head) and all(BULLET.match(b) for b in bullets) \
                    and self.industry_strength < 2:
                items = [i for i in (clean_industry(BULLET.sub("", b)) for b in bullets) if i]  # one bullet, one item
                if items:
                    record.industries = [Named(i, block.text, kind="industry") for i in items]
                    self.industry_strength = 2
                    self.fact(block.text, f"industries: {', '.join(items)}")
        previous_other: str | None = None
        for sentence in self.sentences:
            other = about_other_place(sentence, record.city.name)
            if other is None and previous_other and re.match(r"^(?:It|Its)\b", sentence):
                other = previous_other  # "Katowice, capital of ... . It is the centre of the GZM Metropolis ..."
            previous_other = other
            if other:
                self.report(sentence).unmapped.append(f"— a sentence about {other}, not {record.city.name}: "
                                                      "its figures and names are left out")
                continue
            self.industries(record, sentence)
            self.prose_figures(record, sentence)
        self.landmarks(record)
        self.themes_and_narratives(record)
        for indicator, example in (("population", "'a population of 8,452,000' or 'Population: 8,452,000'"),
                                   ("area", "'covers an area of 11,282 square kilometres' or 'Area: 11,282 km²'")):
            if record.figure(indicator) is None:
                seen = [u for r in self.reports.values() for u in r.unmapped if indicator in u.lower()]
                hint = f"; found {seen[0].split(' — ')[0]!r} but could not read it as the city's" if seen else ""
                self.warnings.append(f"no {indicator} stated (a sentence such as {example}){hint}")
        order = {s: i for i, s in enumerate(self.sentences)}
        record.report = sorted(self.reports.values(), key=lambda r: order.get(r.sentence, -1))
        for sentence in self.sentences:
            if sentence not in self.reports:
                record.report.append(SentenceReport(sentence))
        record.report.sort(key=lambda r: order.get(r.sentence, -1))
        return record

    # city, province, divisions, roles -------------------------------------------------------------
    def city(self) -> Named:
        """The city's name: from a heading line (a name on a line of its own that the text uses), a
        ``City:``/``Name:`` line, the file name (as the text spells it), or the subject of the first
        sentence when it names a city; never from an arbitrary sentence. When the heading and the file
        name disagree, the record carries a warning."""
        stem = _key(self.path.stem)
        heading = None
        for block in self.blocks:
            t = block.text
            if len(block.lines) == 1 and NAME_LINE.fullmatch(t) and len(t.split()) <= 4 \
                    and not KNOWN_HEADINGS.match(t) and not SENTENCE_START.match(t):
                used = [s for s in self.sentences if re.match(rf"{re.escape(t)}(?:[ ,’'(]|$)", s)]
                if used:
                    heading = Named(t, used[0])
                    break
        for name, line in self.named_lines:
            if re.fullmatch(r"(?:city|name|city name|municipality)", name, re.I):
                heading = heading or Named(line.split(":", 1)[1].strip(), line)
        first = self.text.strip().split("\n", 1)[0].strip()
        titled = TITLE_LINE.match(first)
        year = re.search(r"\(((?:19|20)\d\d)\)\s*$", first)
        self.box_period = year.group(1) if titled and year else None  # "CITY PROFILE (2023)": the box's period
        if heading is None and titled:
            name = titled["name"].title() if titled["name"].isupper() else titled["name"]
            heading = Named(name, first)  # "Seville (Sevilla) – city data", "YICHANG — CITY PROFILE (2023)"
        by_file = self.name_from_file(stem) if stem else None
        if heading is not None and re.search(r"\s(?:City|CITY)$", heading.name):
            bare = heading.name.rsplit(" ", 1)[0]
            bare = bare.title() if bare.isupper() else bare
            province = re.search(rf"\b{re.escape(bare)}\s+(?:Province|province|Prefecture|Region)\b", self.text)
            if not province and (any(re.match(rf"{re.escape(bare)}(?:[ ,’'(]|$)", s) for s in self.sentences)
                                 or re.search(rf"\b{re.escape(bare)}\b(?!\s+(?:City|CITY))", self.text)):
                heading = Named(bare, heading.source)  # "Longyan City Profile", then "Longyan is located ..."
        if heading is not None:
            if by_file is not None and _key(by_file.name) != _key(heading.name) and stem not in _key(heading.name):
                self.warnings.append(f"the file name {self.path.name!r} names {by_file.name!r}, the text's heading "
                                     f"{heading.name!r}: the heading is used")
            return heading
        if by_file is not None:
            if re.search(rf"\b{re.escape(by_file.name)} City\b", self.text) \
                    and re.search(rf"\b{re.escape(by_file.name)} [Pp]rovince\b", self.text):
                return Named(f"{by_file.name} City", by_file.source)  # "Jilin City, Jilin province": two places
            return by_file
        first = self.sentences[0] if self.sentences else ""
        m = CITY_SENTENCE.match(first)
        if m and not SENTENCE_START.match(m["city"]):
            return Named(m["city"], first)
        raise self.fail("no recognisable city name (expected the name on a line of its own, a 'City: <name>' "
                        "line, a file named after the city, or a first sentence such as '<City> is a city ...')")

    def name_from_file(self, stem: str) -> Named | None:
        """The city the file is named after, spelled as the text spells it (``xian.txt`` -> "Xi'an"),
        preferring a spelling that is not in capitals ("Quanzhou" over a heading's "QUANZHOU")."""
        found: list[Named] = []
        lines = [line.strip() for block in self.blocks for line in block.lines]
        for sentence in self.sentences + [line for _, line in self.named_lines] + lines:
            for m in re.finditer(r"\b[A-ZÀ-ÖØ-Þ][\w’'\-]*(?:[ -][A-ZÀ-ÖØ-Þ][\w’'\-]*){0,3}", sentence):
                words = m.group(0).split()
                for n in range(len(words), 0, -1):
                    candidate = " ".join(words[:n])
                    if _key(candidate) == stem:
                        if not candidate.isupper():
                            return Named(candidate, sentence)
                        found.append(Named(candidate, sentence))
        if found:
            return Named(found[0].name.title(), found[0].source)
        return None

    def admin(self, record: Record) -> None:
        city = record.city.name
        for name, line in self.named_lines:
            parts = line.split(":", 1) if ":" in line else re.split(r"\s[–—-]\s", line, maxsplit=1)
            value = parts[-1].strip()
            if REGION_LABEL.match(name) and record.province is None and value and not re.search(r"\d", value):
                record.province = Named(re.sub(r"\s*\([^)]*\)$", "", value.rstrip(".")), line, kind="province")
                self.fact(line, f"in {record.province.name}")
            elif re.fullmatch(r"location|situated|lies in", name, re.I) and record.province is None:
                region = next((m["r"] for pattern in REGION_PATTERNS[:3] for m in pattern.finditer(value)), None)
                if region and region not in COUNTRIES:
                    record.province = Named(region, line, kind="province")
                    self.fact(line, f"in {region}")
            elif re.fullmatch(r"country", name, re.I) and record.country is None and value:
                record.country = Named(value.rstrip("."), line, kind="country")
                self.fact(line, f"in {record.country.name}")
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
        caps = re.match(r"^[A-ZÀ-ÖØ-Þ' -]+,\s*(?P<r>[A-ZÀ-ÖØ-Þ' -]+(?:PROVINCE|REGION|STATE|COUNTY))\s*$",
                        self.text.strip().split("\n", 1)[0].strip())
        dateline = re.search(r"(?m)^[A-ZÀ-ÖØ-Þ'’ -]{3,},\s+(?P<r>[A-Z][\w'’ -]{2,40}?)\s+[—–-]\s", self.text[:800]) \
            or re.search(rf"(?m)^{re.escape(city)},\s+(?P<r>[A-Z][\w'’ -]{{2,40}}?(?:Province|Region|County|"
                         r"Voivodeship|Prefecture|Oblast|Canton|Department))\s*(?:[—–:-]|,|$)", self.text[:800]) \
            or re.search(r"(?m)^(?i:A\s+)?(?i:prefecture-level|county-level|sub-provincial)\s+city\s+(?:of|in)\s+"
                         r"(?:the\s+(?:north|south|east|west|centre|center|north-east|north-west|south-east|south-west|"
                         r"northeast|northwest|southeast|southwest)\s+of\s+)?(?:the\s+)?"
                         r"(?P<r>[A-Z][\w'’ -]{2,40}?(?:Province|Autonomous Region))\b", self.text[:800]) \
            or re.search(r"(?m)^[^\n,]{2,60},\s+(?P<r>[A-ZÀ-ÖØ-Þ][\w'’ -]{2,40}?)\s+\((?:" + "|".join(
                sorted((re.escape(c) for c in COUNTRIES), key=len, reverse=True)) + r")\)\s*$", self.text[:400]) \
            or re.search(r"(?m)^(?P<r>[A-ZÀ-ÖØ-Þ][\w'’ -]{2,40}?\s(?:County|Province|Region|Voivodeship|Oblast|Canton))"
                         r"\s*,\s*[A-Z][\w ]+$", self.text[:400])
        if record.province is None and dateline and dateline["r"] not in COUNTRIES \
                and not re.search(r"\d", dateline["r"]):  # a news dateline "YIWU, Zhejiang — ..."
            record.province = Named(dateline["r"].strip(), dateline.group(0), kind="province")
            self.fact(dateline.group(0), f"in {record.province.name}")
        if record.province is None and caps:  # a title line "QUANZHOU, FUJIAN PROVINCE"
            record.province = Named(caps["r"].title(), caps.group(0), kind="province")
            self.fact(caps.group(0), f"in {record.province.name}")
        if record.province is None:
            first = self.sentences[:4] + [s for s in self.sentences[4:] if s.startswith(city) or re.match(
                r"^The (?:city|town|municipality|seat|capital)\b", s)] + [
                line for _, line in self.named_lines] + [
                ln.strip() for b in self.blocks[:4] for ln in b.lines
                if re.match(r"^(?:Statutory|Independent|Free|Imperial|Regional)?\s*(?:city|capital|town|seat)\b",
                            ln.strip(), re.I)]
            for sentence in first:
                region = region_in(sentence, city)
                if region:
                    record.province = Named(region, sentence, kind="province")
                    self.fact(sentence, f"in {region}")
                    break
        for sentence in self.sentences:
            m = DIVISIONS.search(sentence)
            if m and OTHER_OWNER.search(sentence[max(0, m.start() - 80):m.start()]):
                m = None  # "the Brainport region, which comprises 21 municipalities": not the city's divisions
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
        listed = re.split(r"\s+(?:with|covering|and a|and an|and has|where|which|whose|spread|home to|totall?ing)\s",
                          m["list"])[0]
        listed = re.sub(r"\s+[—–]\s+|\s*:\s+", ", ", listed)  # "three districts — Xiangzhou, Doumen and Jinwan"
        listed = re.sub(r"\s*\([^)]*\)", "", listed)  # "1 county-level city (Wuwei)"
        items = [i for part in split_list(listed) for i in re.split(r"\s+and\s+(?=(?:\d+|[a-z]+)\s)", part)]
        found = False
        for item in items:
            if len(item.split()) > 8:
                continue
            cm = re.match(r"^(?P<n>\d+|[a-z]+)\s+(?P<what>[a-z][\w\- ]+)$", item)
            n = count_word(cm["n"]) if cm else None
            start = sentence.find(item, offset)
            span = (start, start + len(item)) if start >= 0 else None
            if cm and n is not None and DIVISION_WORDS.search(plural(cm["what"])):
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
        """Lines that are only a figure (a brochure's figure boxes) and ``Label: value`` lines."""
        for name, line in self.named_lines:
            if DIVISIONS_LABEL.match(name) and not record.divisions_source:
                listed = re.match(r"^[^:]+:\s*(?P<list>.+)$", line)
                if listed:
                    self.divisions(record, line, listed)
                    continue
            if (LANDMARK_LABEL.match(name) or INDUSTRY_LABEL.match(name)) \
                    and re.search(r"[A-Za-z]{3}", line.split(":", 1)[-1]):
                continue  # a list of names: its numbers are dates of the names ("Zhili Governor's Office (1729)")
            self.labelled(record, name, line)
        self.figure_boxes(record)

    def labelled(self, record: Record, name: str, line: str) -> None:
        """One ``Label: value`` line: its figure with the role its label gives, or the report."""
        block = self.line_block.get(line)
        if re.fullmatch(r"\s*(?:19|20)\d\d\s*", line.split(":", 1)[-1]):
            self.table_period = (block, line.split(":", 1)[-1].strip())  # "Tourism and transport | 2023": a header
            return
        table_period = self.table_period[1] if self.table_period and self.table_period[0] == block else None
        table_period = table_period or (self.header_period.get(block) if block is not None else None)
        labelled = parse_label_line(line, dot_thousands=self.dot_thousands)
        tail = VALUE_TAIL.search(line) if labelled is None else None
        if tail is not None and parse_label_line(line[:tail.start()], dot_thousands=self.dot_thousands):
            # "Surface: 87,4 km² (of which 21,2 km² water)", "Higher education institutions: 16, incl. Hebei
            # University (more than 40,000 students)": the line's figure, and the part as a figure of its own
            labelled = parse_label_line(line[:tail.start()], dot_thousands=self.dot_thousands)
            self.figure_part(record, line, tail.start())
        if labelled is not None:
            label, q, period = labelled
            q = label_unit(name, q)
            tail = line[q.end:]
            if q.unit in ("KiloM", "MI") and re.match(r"\s*(?:away|from|to the|north|south|east|west|north-east|"
                                                      r"north-west|south-east|south-west|by road|by rail)\b", tail):
                role = Role("candidate", reason="a distance, not a length of the city's")  # "Vienna: 185 km east"
            elif q.unit == "NUM" and UNKNOWN_UNIT.match(tail) and not re.match(r"\s*(?:per|in|of|or|to|km²)\b", tail):
                unit = tail.split()[0]
                role = Role("candidate", reason=f"a figure in {unit!r}, a unit the dataset does not publish")
            elif q.unit == "NUM" and re.match(r"\s+[A-Z][a-z]", tail) and not q.stated[:1].isdigit():
                role = Role("candidate", reason="a number word in a name")
            elif named_label(label, record.city.name) or _key(re.sub(r"\s*\([^)]*\)", "", label)) \
                    == _key(record.city.name):
                role = assign(line, q, label=label, city=record.city.name)
            elif q.unit == "NUM" and re.match(r"\s+[a-z]{3,}", tail) and not re.match(r"\s+(?:in|as of)\b", tail) \
                    and not INDICATOR_HEAD.search(label):
                role = assign(line, q)  # "Harbour: 1.200 moorings for yachts": the words after name it
            else:
                full = line.split(":", 1)[0].strip() if ":" in line else label
                role = assign(line, q, label=full if full.startswith(label) and "(" in full else label,
                              city=record.city.name)
            self.place(record, line, q, role, period or period_in(line) or table_period or self.box_period)
        elif re.search(r"\d", line.split(":", 1)[-1]) and not REGION_LABEL.match(name):
            self.report(line).unmapped.append(f"{line} — candidate: found {line!r} but could not read it")

    def figure_boxes(self, record: Record) -> None:
        """A brochure's figure boxes: a figure with its words below or above it, or a figure alone."""
        for block in self.blocks:
            if len(block.lines) == 2 and not is_prose(block.lines[0]):
                first, second = block.lines[0].strip(), block.lines[1].strip()
                label = re.sub(r"\s*\((?:19|20)\d\d\)$", "", first)
                found = find_quantities(second, dot_thousands=self.dot_thousands)
                if re.fullmatch(r"[A-Z][A-Za-z ,&'’/()-]{1,60}", label) and len(label.split()) <= 6 \
                        and len(found) == 1 and len(found[0].stated) >= len(second) - 14 \
                        and not re.search(r"\s(?:is|are|was|were|has|have)\s", second) \
                        and parse_label_line(f"{first}: {second}", dot_thousands=self.dot_thousands):
                    # "Permanent population (2023)" / "3,737,000": the label above its figure
                    self.labelled(record, label, f"{first}: {second}")
                    continue
                self.stacked_figure(record, first, second)
            for line in block.lines if len(block.lines) == 1 else []:
                line = line.strip()
                m = FIGURE_LINE.match(line)
                if not m:
                    continue
                found = find_quantities(line, dot_thousands=self.dot_thousands)
                if len(found) != 1:
                    continue
                q = found[0]
                if q.kind == "year" or (YEAR.match(m["num"]) and not m["scale"] and not m["unit"] and not m["cur"]):
                    self.report(line).unmapped.append(f"{line} (a year on its own line)")
                    continue
                if q.unit in ("KiloM2", "HA", "MI2"):
                    role = Role("area", "area", reason="an area on its own line")
                elif q.unit.startswith("CCY_"):
                    role = Role("indicator", "gdp", reason="an amount on its own line")
                elif q.unit == "NUM":
                    role = Role("population", "population", reason="a count on its own line")
                else:
                    role = assign(line, q, figure_line=True)
                self.place(record, line, q, role, None)

    def figure_part(self, record: Record, line: str, start: int) -> None:
        """The part a ``Label: value`` line gives in brackets ("Surface: 87,4 km² (of which 21,2 km² water)",
        "Counties: 5 (including 2 autonomous counties)"): a fact of its own when its words name it."""
        found = [q for q in find_quantities(line, dot_thousands=self.dot_thousands)
                 if q.start >= start and q.kind != "year"]
        if not found:
            return
        if len(found) != 1:
            self.report(line).unmapped.append(f"{line[start:].strip()} — candidate: a part of the figure")
            return
        q = found[0]
        role = assign(line, q, city=record.city.name)
        self.place(record, line, q, role, period_in(line) or self.box_period)

    def stacked_figure(self, record: Record, figure: str, words: str) -> None:
        """A brochure's figure box: the figure on a line, the words that name it on the next
        ("246,417" / "residents (1 January 2024)", "€1.2 billion" / "municipal budget in 2024")."""
        found = find_quantities(figure, dot_thousands=self.dot_thousands)
        if len(found) != 1 or found[0].kind != "quantity" or not words[:1].islower() and not words[:3].isupper():
            return
        q = found[0]
        if len(q.stated) < len(figure.strip()) - 2:
            return  # more than a figure on the line
        line = f"{figure} {words}"
        period = period_in(words)
        label = re.sub(r"\s*\([^)]*\)|,.*$|\s+(?:in|as of|at the end of|by)\s+(?:19|20)\d\d\b.*$", "", words).strip()
        if q.unit in ("KiloM2", "HA", "MI2"):
            other = re.search(r"\b(?:forest|green|park|water|wetland|farmland|built-up|urban area|metropolitan)\b",
                              label) and not re.search(r"\bcity\b|\bland\b|total", label)
            role = Role("candidate", reason="an area of something else") if other else \
                Role("area", "area", reason="an area in a figure box")
        elif q.unit == "NUM" and not re.match(r"^(?:of|in)\b", label):
            role = assign(line, q) if not LABEL_WORDS.match(label) else assign(line, q, label=label)
        else:
            role = assign(line, q, label=re.sub(r"^(?:of|in)\s+", "", label))
        self.place(record, line, q, role, period)

    def prose_figures(self, record: Record, sentence: str) -> None:
        found = find_quantities(sentence, dot_thousands=self.dot_thousands)
        shared, self.shared_subject = self.shared_subject, bool(JOINT.search(sentence))
        if shared and re.match(r"^(?:It|Its)\b", sentence):
            # "The Ningbo-Zhoushan Port, which the city operates jointly with Zhoushan, ... It has ranked first
            # ..., and its container throughput ...": the shared thing's figures, not the city's
            for q in found:
                if q.kind != "year":
                    self.report(sentence).unmapped.append(f"{q.stated} — candidate: a figure of what the city shares "
                                                          "with another (the sentence before)")
            return
        # the sentence's period when stated at its start ("In 2021, ..."); a period elsewhere belongs to
        # the clause that states it ("..., and its GDP was less than RMB 300 billion in 2020": the GDP only)
        period = period_in(sentence) if LEADING_PERIOD.match(sentence) else None
        if period is None and SAME_YEAR.match(sentence):
            period = self.last_period  # "In the same year the Port of Wuhu handled 1.32 million TEU"
        if period is None:
            stated = period_in(sentence) if LEADING_PERIOD.match(sentence) or PERIOD_WORDS.search(sentence) else None
            self.last_period = stated or self.last_period
        else:
            self.last_period = period
        carry: str | None = None  # a period stated for a figure holds for the figures after it in the sentence
        carry_end = 0
        for q in found:
            if self.is_consumed(sentence, q.start, q.end):
                continue
            if q.kind == "year":
                continue  # a date: the period of the sentence's figures, not a figure
            if re.search(r"\b[A-Z][\w-]*\s$", sentence[:q.start]) and q.unit == "NUM" and q.qualifier == "exact" \
                    and not re.match(r"\s*[a-z]", sentence[q.end:]) and q.stated.isdigit():
                self.report(sentence).unmapped.append(f"{q.stated} — a number in a name")  # "RIS 4", "Expo 2010"
                continue
            role = assign(sentence, q, city=record.city.name)
            right = q_period(sentence, q)
            if right:  # "..., and the unemployment rate fell to 5,9 % in 2023": its own year before the sentence's
                own: str | None = right
                self.place(record, sentence, q, role, right)
                if role.is_fact:
                    carry, carry_end = own, q.end
                continue
            own = clause_period(sentence, q)
            # "The GRP amounted to RMB 567.5 billion in 2021, with a growth rate of 4.8 percent": 2021 for both
            after = re.split(r"\.\s|;\s|,\s+and\s", sentence[q.end:q.end + 80], maxsplit=1)[0]
            if carry is not None and (PRESENT_VERB.search(sentence[carry_end:q.start]) or PRESENT_VERB.search(after)):
                carry = None  # "..., and the urban region has about 420,000 inhabitants": said of today
            self.place(record, sentence, q, role, period or own or carry)
            if role.is_fact and own and not period:
                carry, carry_end = own, q.end

    def place(self, record: Record, sentence: str, q: Quantity, role: Role, period: str | None) -> None:
        """A fact for the quantity when its role is one, else a line of the report saying why not."""
        words = " ".join(sentence[q.end:].split()[:3]).rstrip(".,;:")
        if not role.is_fact or role.indicator is None:
            self.report(sentence).unmapped.append(f"{q.stated} {words}".strip() + f" — {role.kind}: {role.reason}")
            return
        indicator = role.indicator
        qualifier = q.qualifier
        converted = convert(q.value, q.unit)
        if converted is None:
            self.report(sentence).unmapped.append(f"{q.stated} {words} — candidate: a figure in {q.unit}, "
                                                  "a unit the dataset does not publish")
            return
        value, unit, exact = converted
        if role.kind == "density" and unit == "NUM":
            unit = "PER-KiloM2"  # "Inhabitants per km²: 113": the label gives the unit
        high = convert(q.high, q.unit)[0] if q.high is not None else None  # type: ignore[index]
        if not exact and qualifier == "exact":
            qualifier = "approximately"  # a converted figure is rounded
        if q.high is not None:
            qualifier = "between"
        if role.kind == "population" and value != value.to_integral_value():
            grouped = re.search(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,])", q.stated)
            if grouped is None or q.high is not None or re.search(r"million|thousand|billion|mln", q.stated, re.I):
                self.report(sentence).unmapped.append(f"{q.stated} {words} — candidate: a fractional population")
                return
            value = Decimal(grouped.group(0).replace(".", ""))  # "131.059": a population is never fractional
        if any(f.indicator == indicator and (f.period or None) == (period or None) for f in record.figures):
            self.fact(sentence, f"{indicator} stated again: {q.stated}", (q.start, q.end))
            return
        if indicator in ("population", "area") and record.figure(indicator) is not None:
            self.report(sentence).unmapped.append(f"{q.stated} {words} — candidate: a second {indicator}")
            return
        figure = Figure(indicator, value, unit, qualifier, q.stated, sentence, period=period, high=high,
                        label=role.label)
        self.add_figure(record, figure, (q.start, q.end))

    def industries(self, record: Record, sentence: str) -> None:
        m = INDUSTRIES.search(sentence)
        strength = 2 if STRONG_INDUSTRY_CUE.search(sentence) else 1 if ECONOMY_CUE.search(sentence) else 0
        if record.industries and self.industry_strength >= strength:
            return  # a list named by a stronger cue ("main industries are ...") replaces one named by a weaker one
        if not m:
            names = industry_names(sentence)
            if names:
                record.industries = [Named(n, sentence, kind="industry") for n in names]
                self.industry_strength = strength
                self.fact(sentence, f"industries: {', '.join(names)}")
            return
        self.industry_strength = 2
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
        exclude = {record.city.name, *(COUNTRIES)}
        if record.province is not None:
            exclude.add(record.province.name)
        for name, line in self.named_lines:
            if LANDMARK_LABEL.match(name):
                for landmark in landmark_list(line.split(":", 1)[-1], exclude):
                    if not any(x.name == landmark for x in record.landmarks):
                        record.landmarks.append(Named(landmark, line, kind="landmark"))
                        self.fact(line, f"landmark: {landmark}")
        for block in self.blocks:  # "What to see" over a bulleted list
            head = block.lines[0].strip().rstrip(":")
            bullets = [ln.strip() for ln in block.lines[1:]]
            if len(block.lines) >= 2 and LANDMARK_LABEL.match(re.sub(r"^(?:key|top|main)\s+", "", head, flags=re.I)) \
                    and all(BULLET.match(b) for b in bullets):
                for b in bullets:
                    item = re.split(r"\s+[–—-]\s+|,\s+(?:with|built|founded|where|the)\b", BULLET.sub("", b))[0]
                    for landmark in landmark_list(item, exclude):
                        if not any(x.name == landmark for x in record.landmarks):
                            record.landmarks.append(Named(landmark, b, kind="landmark"))
                            self.fact(b, f"landmark: {landmark}")
        for sentence in self.sentences:
            if (PARTNER.search(sentence) and not sentence.startswith(record.city.name)) \
                    or about_other_place(sentence, record.city.name):
                continue  # a sentence about a partner city: its landmarks are not this city's
            for name in landmark_names(sentence, exclude, record.city.name):
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
