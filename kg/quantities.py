"""Every quantity in a sentence of English city text, parsed without guessing a wrong number.

`find_quantities` reads digits (with any thousands separator), number words ("sixty-four
thousand", "half a million", "a dozen"), scale words and suffixes ("2.4 trillion", "3bn", "45k"),
ranges ("between 3 and 4 million", "3–4%"), qualifiers ("over", "nearly", "X or so", "X+") and
units written before or after the number (currencies, areas, densities, percentages, TEU,
tonnes, lengths, years).  It tells years, ordinals and ages from quantities, skips numbers that
are part of a name ("Industry 4.0", "COVID-19", "Line 2") and marks a figure in brackets that
converts the one before it ("1,234 km² (476 sq mi)").

Ambiguity rules (the only places where a reading is chosen):

* Thousands vs decimal mark.  A separator followed by anything but exactly three digits is a
  decimal mark ("2,5 %" = 2.5, "1.4 million" = 1.4e6).  Two or more of the same separator, a
  space, a no-break or thin space or an apostrophe are thousands separators; with both "." and
  "," the last one is the decimal mark.  One "." or "," followed by exactly three digits is read:
  as thousands when the figure counts people or things (a plural noun follows, or "population"
  precedes) and has no scale word — a count is never fractional ("812.000 inhabitants" = 812000,
  "1.234 people" = 1234); as thousands when it is money without a scale word (money has two
  decimals) or the three digits are "000"; otherwise by the document's style (`dot_thousands`, or
  `document_style(text)` when not given) and, when the style is unknown, in the English way ("1.234"
  = 1.234, "1,234" = 1234, "1,500 million" = 1.5e9).
* An attached "m" ("1.2m") is million unless a length word follows ("a 30m tower", "1.5m high"),
  when it is metres (unit M); a spaced "m" ("30 m") is always metres.
* A plain four-digit 1800–2100 without unit, currency or scale is a year unless a plural noun
  follows ("2000 students") or a comparative qualifier precedes ("over 1900 people" is counted,
  "around 1900" is a year).
* "from X to Y" after a verb of change ("rose from 3 to 4 million") is two quantities, not a range.
* Densities have unit "PER-KiloM2" (or "PER-MI2"): value is the number per square kilometre.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

__all__ = ["Quantity", "document_style", "find_period", "find_quantities", "parse_label_line"]


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    stated: str
    value: Decimal
    high: Decimal | None
    unit: str
    qualifier: str
    kind: str  # quantity | year | ordinal | age
    bracketed_conversion: bool = False
    decimal_comma: bool = False


# -- tables ---------------------------------------------------------------------------------------------

#: Qualifier words before a number, longest first, and the qualifier each expresses.
QUALIFIERS: list[tuple[str, str]] = [
    ("in excess of", "more-than"), ("no less than", "at-least"), ("not less than", "at-least"),
    ("no more than", "at-most"), ("not more than", "at-most"), ("no fewer than", "at-least"),
    ("an estimated", "approximately"), ("as many as", "as-many-as"), ("upwards of", "more-than"),
    ("upward of", "more-than"), ("more than", "more-than"), ("less than", "less-than"),
    ("fewer than", "less-than"), ("at least", "at-least"), ("at most", "at-most"), ("well over", "more-than"),
    ("just over", "more-than"), ("just under", "less-than"), ("close to", "nearly"), ("approximately", "approximately"),
    ("exceeding", "more-than"), ("exceeded", "more-than"), ("exceeds", "more-than"), ("surpassed", "more-than"),
    ("surpasses", "more-than"), ("topped", "more-than"), ("roughly", "approximately"), ("nearly", "nearly"),
    ("almost", "nearly"),
    ("around", "approximately"), ("about", "approximately"), ("approx.", "approximately"), ("approx", "approximately"),
    ("circa", "approximately"), ("some", "approximately"), ("above", "more-than"), ("below", "less-than"),
    ("under", "less-than"), ("over", "more-than"), ("up to", "at-most"), ("ca.", "approximately"),
    ("c.", "approximately"),
]
_QUAL_SLUG = {w: s for w, s in QUALIFIERS}
_QUAL_RE = re.compile(
    r"(?<![\w.])(?P<q>" + "|".join(re.escape(w) for w, _ in QUALIFIERS) + r")\s*$", re.I)
#: "spread over 120 km²": the place spans the figure, "over" does not qualify it.
_SPANS_OVER = re.compile(r"\b(?:spread|spreads|stretch(?:es|ing)?|extend(?:s|ing)?|span(?:s|ning)?|sprawl\w*|"
                         r"scattered|covers?|covering|across)\s+$", re.I)

SCALES: dict[str, Decimal] = {
    "hundred": Decimal(100), "thousand": Decimal(10**3), "million": Decimal(10**6), "billion": Decimal(10**9),
    "trillion": Decimal(10**12), "k": Decimal(10**3), "m": Decimal(10**6), "mn": Decimal(10**6),
    "mln": Decimal(10**6), "bn": Decimal(10**9), "b": Decimal(10**9), "tn": Decimal(10**12),
    "trn": Decimal(10**12), "mio": Decimal(10**6), "mrd": Decimal(10**9),
}
_UNITS_W = {w: i for i, w in enumerate(
    [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS_W = {w: 10 * i for i, w in enumerate([
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=2)}
_BIG_W = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ORDINAL_W = {w: i for i, w in enumerate(
    [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth"], start=1)}
_NUMBER_WORDS = set(_UNITS_W) | set(_TENS_W) | set(_BIG_W) | {"hundred", "dozen", "half", "a", "an", "and", "quarter"}

#: Units written after the number: (pattern, QUDT local name). Order matters: densities before areas,
#: areas before lengths.
_SQKM = r"(?:km²|km2\b|km\^2|sq\.?\s?kms?\b|sqkm\b|square\s+kilomet(?:er|re)s?\b|square\s+kms?\b|km\s+square\b)"
_SQMI = r"(?:sq\.?\s?mi(?:les?)?\b|square\s+miles?\b|mi²|mi2\b)"
_PERSONS = r"(?:(?:people|persons|inhabitants|residents|inh\.)\s*)?"
UNITS_AFTER: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.I), u) for p, u in [
    (_PERSONS + r"(?:/\s?|per\s+)" + _SQKM, "PER-KiloM2"),
    (_PERSONS + r"(?:/\s?|per\s+)" + _SQMI, "PER-MI2"),
    (_SQKM, "KiloM2"),
    (r"kilomet(?:er|re)s?\s+square\b", "KiloM2"),
    (_SQMI, "MI2"),
    (r"hectares?\b|ha\b", "HA"),
    (r"acres?\b", "AC"),
    (r"m²|m2\b|sq\.?\s?m\b|square\s+met(?:er|re)s?\b", "M2"),
    (r"%|per\s?cent\b|pct\b", "PERCENT"),
    (r"TEUs?\b|twenty-foot\s+equivalent\s+units?\b", "TEU"),
    (r"(?:metric\s+)?(?:tonnes?|tons?)\b|t\b(?!['’])", "TONNE"),
    (r"km\b|kilomet(?:er|re)s?\b", "KiloM"),
    (r"met(?:er|re)s?\b|m\b(?![²2])", "M"),
    (r"miles?\b", "MI"),
    (r"°\s?C\b|degrees?\s+Celsius\b", "DEG_C"),
    (r"years?\b|yrs?\b", "YR"),
    (r"hours?\b|hrs?\b", "HR"),
    (r"minutes?\b|mins?\b", "MIN"),
    (r"yuan\b|renminbi\b|RMB\b|CNY\b", "CCY_CNY"),
    (r"euros?\b|EUR\b", "CCY_EUR"),
    (r"(?:US\s+|U\.S\.\s+)?dollars\b|USD\b", "CCY_USD"),
    (r"pounds\s+sterling\b|GBP\b", "CCY_GBP"),
]]
_CURRENCY_BEFORE = re.compile(r"(?:(?<![A-Za-z])(?P<code>US\$|USD|EUR|RMB|CNY|GBP)|(?P<sym>[€¥$£]))\s?$")
_CURRENCY = {"US$": "CCY_USD", "USD": "CCY_USD", "$": "CCY_USD", "EUR": "CCY_EUR", "€": "CCY_EUR",
             "RMB": "CCY_CNY", "CNY": "CCY_CNY", "¥": "CCY_CNY", "GBP": "CCY_GBP", "£": "CCY_GBP"}
_FAMILY = {"KiloM2": "area", "MI2": "area", "HA": "area", "AC": "area", "M2": "area",
           "KiloM": "length", "MI": "length", "M": "length", "PER-KiloM2": "density", "PER-MI2": "density",
           "CCY_CNY": "money", "CCY_EUR": "money", "CCY_USD": "money", "CCY_GBP": "money"}

#: Capitalised words whose number is part of a name ("Line 2", "Industry 4.0", "Expo 2010").
_NAME_WORDS = re.compile(
    r"(?<![\w-])(?:Industry|Expo|Lines?|Route|Terminals?|Phase|No\.|Nos\.|Number|Gate|Platform|Exit|Highway|Motorway|"
    r"Metro|Tram|Bus|Level|Class|Grade|Stage|Zone|Block|Building|Hall|Pier|Berth|Chapter|Article|Section|Part|"
    r"Version|Type|Model|Room|Floor|Web|Vision|Agenda|Horizon|Apollo|Formula|Windows|Series|Channel|Ring|Lane|"
    r"Pavilion|Studio|Track|Runway|Dock|Wharf|Exit|Hangar|Plan|Programme|Program|Top)\s+(?:\d+(?:\s*(?:,|and|&|or)\s*|\s*[-–]\s*))*$")
_ACRONYM_BEFORE = re.compile(r"(?<![\w-])(?!(?:USD|EUR|RMB|CNY|GBP|GDP|US)\s)[A-Z][A-Z0-9]{1,5}\s+$")
_CAPITALISED_BEFORE = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+\s+$")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s+$")
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b")
_NOT_CAPITAL_NAME = {"In", "On", "At", "By", "Of", "From", "Since", "Until", "To", "And", "Or", "The", "A", "An",
                     "About", "Around", "Over", "Under", "Some", "Nearly", "Almost", "Approximately", "Roughly",
                     "During", "Before", "After", "Between", "Population", "Area", "Density", "Total", "With",
                     "Its", "Their", "Our", "Only", "Just", "Till", "Circa", "Up"}
_STOP_PLURALS = {"this", "thus", "plus", "less", "across", "always", "perhaps", "towards", "afterwards", "whereas",
                 "unless", "was", "has", "is", "its", "does", "goes", "yes", "us", "besides", "sometimes",
                 "years", "yrs", "ago", "as", "figures", "data", "statistics", "estimates", "results", "elections",
                 "olympics", "games", "prices", "levels", "rankings", "plans", "targets", "numbers", "accounts",
                 "his", "hers", "ours", "theirs", "nevertheless"}
_COUNT_NOUN = re.compile(r"^[\s-]*(?:(?:new|more|permanent|registered|urban|rural|resident|foreign|"
                         r"international|domestic|million|thousand)\s+)*(?P<w>[a-z][a-z-]*[a-z])\b")
_SINGULAR_COUNTS = {"people", "inhabitants", "residents", "persons", "staff", "population", "cattle", "personnel"}
_LENGTH_AFTER = re.compile(r"^[\s-]*(?:tall|high|long|wide|deep|in\s+(?:height|length|diameter)|above\s+sea|"
                           r"below\s+sea|tower|bridge|wall|statue|building|skyscraper)\b", re.I)
_CHANGE_VERB = re.compile(r"\b(?:rose|risen|rising|rises|grew|grown|growing|grows|increased|increasing|increases|"
                          r"fell|fallen|falls|falling|dropped|dropping|declined|declining|decreased|decreasing|"
                          r"jumped|climbed|went\s+up|went\s+down|surged|expanded|shrank|shrunk|up|down|"
                          r"changed|moved|soared|doubled|tripled)\s+(?:\w+\s+){0,2}from\s+$", re.I)

# -- number cores ---------------------------------------------------------------------------------------

_SEP = r"[,.'’\u2009\u202f\u00a0 ]"
_DIGITS = re.compile(
    r"(?:(?<=US\$)|(?<=USD|EUR|RMB|CNY|GBP)|(?<![\w.,'’:/\u2009\u202f\u00a0]))"
    rf"(?P<raw>\d{{1,3}}(?P<sep>{_SEP})\d{{3}}(?!\d)(?:(?P=sep)\d{{3}}(?!\d))*(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?![\d])"
    r"(?:(?P<ord>st|nd|rd|th)\b|(?P<suffix>k|K|m|M|bn|mn|mln|b|tn|trn)(?![\w²]))?"
)
_WORD = re.compile(r"[A-Za-z]+")
_WORDS_RUN = re.compile(r"\b(?:" + "|".join(sorted(_NUMBER_WORDS | set(_ORDINAL_W), key=len, reverse=True))
                        + r")\b(?:(?:\s+|-)(?:" + "|".join(sorted(_NUMBER_WORDS | {"of"}, key=len, reverse=True))
                        + r")\b)*", re.I)
_SCALE_AFTER = re.compile(r"^(?:\s+|-)(?P<s>thousand|million|billion|trillion|mln|mn|bn|tn|trn|mio|mrd|dozen)\b\.?",
                          re.I)


@dataclass
class _Core:
    start: int
    end: int
    raw: str | None  # digits as written; None for number words
    words_value: Decimal | None = None
    ordinal: bool = False
    suffix: str | None = None


@dataclass
class _M:
    """A mention being built."""

    start: int
    end: int
    core: _Core
    scale: Decimal | None = None
    scale_word: str | None = None
    unit: str = "NUM"
    qualifier: str = "exact"
    kind: str = "quantity"
    money: bool = False
    count: bool = False


def _parse_words(words: list[str]) -> tuple[Decimal, int] | None:
    """The value of the longest run of number words at the start of `words` and how many it takes."""
    w = [x.lower() for x in words]
    n = len(w)

    def at(i: int) -> str:
        return w[i] if i < n else ""

    # "half a million", "half a dozen"; "a quarter of a million"
    if at(0) == "half" and at(1) in ("a", "an") and (at(2) in _BIG_W or at(2) in ("hundred", "dozen")):
        mult = 12 if at(2) == "dozen" else _BIG_W.get(at(2), 100)
        return Decimal(mult) / 2, 3
    if at(0) in ("a", "an") and at(1) == "quarter" and at(2) == "of" and at(3) in ("a", "an") and at(4) in _BIG_W:
        return Decimal(_BIG_W[at(4)]) / 4, 5
    total = Decimal(0)
    current: Decimal | None = None
    i = 0
    last = ""  # small | tens | hundred | big | dozen
    taken = 0
    while i < n:
        word = w[i]
        if word in ("a", "an") and current is None and at(i + 1) in ({"hundred", "dozen"} | set(_BIG_W)):
            current, last, i = Decimal(1), "small", i + 1
            continue
        if word in _TENS_W and last in ("", "hundred", "big"):
            current = (current or 0) + _TENS_W[word]
            last = "tens"
        elif word in _UNITS_W and (last in ("", "hundred", "big") or (last == "tens" and 0 < _UNITS_W[word] < 10)):
            current = (current or 0) + _UNITS_W[word]
            last = "small"
        elif word == "hundred" and current is not None and last in ("small", "tens") and current < 100:
            current = current * 100
            last = "hundred"
        elif word == "dozen" and current is not None and last in ("small", "tens"):
            current = current * 12
            last = "dozen"
        elif word in _BIG_W and current is not None and last in ("small", "tens", "hundred", "half"):
            total += current * _BIG_W[word]
            current = None
            last = "big"
        elif word == "and" and at(i + 1) in ("a", "an") and at(i + 2) == "half" and last in ("small", "tens"):
            current = (current or 0) + Decimal("0.5")
            last = "half"
            i += 3
            taken = i
            continue
        elif word == "and" and last in ("hundred", "big") and (at(i + 1) in _UNITS_W or at(i + 1) in _TENS_W):
            i += 1
            continue
        else:
            break
        i += 1
        taken = i
    if taken == 0:
        return None
    return total + (current or 0), taken


def _cores(text: str) -> list[_Core]:
    cores = [_Core(m.start("raw"), m.end(), m["raw"], ordinal=bool(m["ord"]), suffix=m["suffix"])
             for m in _DIGITS.finditer(text)]
    for run in _WORDS_RUN.finditer(text):
        tokens = [(t.group(0), t.start(), t.end()) for t in _WORD.finditer(run.group(0))]
        tokens = [(s, a + run.start(), b + run.start()) for s, a, b in tokens]
        # "a quarter of a million": extend over "of a"
        k = 0
        while k < len(tokens):
            word = tokens[k][0].lower()
            if word in _ORDINAL_W:
                cores.append(_Core(tokens[k][1], tokens[k][2], None, Decimal(_ORDINAL_W[word]), ordinal=True))
                k += 1
                continue
            parsed = _parse_words([t[0] for t in tokens[k:]])
            if parsed is None:
                k += 1
                continue
            value, used = parsed
            first = tokens[k][0].lower()
            if re.search(r"\b(?:quarters?|thirds?|halves|half|fifths?|tenths?|fraction|part)\s+of\s+$",
                         text[:tokens[k][1]], re.I):
                k += used  # "three quarters of a million": a fraction this parser does not read
                continue
            end = tokens[k + used - 1][2]
            if re.match(r"\s+(?:quarters?|thirds?|halves|fifths?|tenths?)\b", text[end:], re.I):
                k += used
                continue
            after = text[end:]
            if first == "one" and used == 1 and re.match(r"\s*(?:of|another|'s|’s|day|by|way)\b", after, re.I):
                k += 1
                continue
            cores.append(_Core(tokens[k][1], end, None, value))
            k += used
    return sorted(cores, key=lambda c: c.start)


def _resolve(raw: str, *, style: bool | None, count: bool, scaled: bool, money: bool) -> tuple[Decimal, bool]:
    """The value of digits as written and whether a comma was the decimal mark."""
    spaces = "'’\u2009\u202f\u00a0 "
    if any(ch in raw for ch in spaces):
        body = "".join(ch for ch in raw if ch not in spaces)
        return Decimal(body.replace(",", ".")), "," in body
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        dec = "." if raw.rfind(".") > raw.rfind(",") else ","
        other = "," if dec == "." else "."
        return Decimal(raw.replace(other, "").replace(",", ".")), dec == ","
    if dots + commas == 0:
        return Decimal(raw), False
    sep = "." if dots else ","
    if dots + commas > 1:
        return Decimal(raw.replace(sep, "")), False
    whole, frac = raw.split(sep)
    decimal = Decimal(f"{whole}.{frac}")
    thousands = Decimal(whole + frac)
    if len(frac) != 3 or whole == "0":
        return decimal, sep == ","
    if scaled:
        reading_thousands = (sep == ".") if style else (sep == ",")
    elif count or money or frac == "000":
        reading_thousands = True
    else:
        reading_thousands = (sep == ".") if style else (sep == ",")
    return (thousands, False) if reading_thousands else (decimal, sep == ",")


def _is_count(text: str, end: int, start: int) -> bool:
    m = _COUNT_NOUN.match(text[end:])
    if m:
        word = m["w"].lower()
        if word in _SINGULAR_COUNTS or (word.endswith("s") and len(word) >= 4 and word not in _STOP_PLURALS
                                        and not word.endswith(("ss", "us", "is"))):
            return True
    return bool(re.search(r"\bpopulation\b[^.;\d]{0,30}$", text[:start], re.I))


def _right(text: str, m: _M) -> None:
    """Extends a mention over its scale word, suffix qualifier and unit."""
    core = m.core
    pos = core.end
    if core.suffix:
        s = core.suffix.lower()
        if s == "m" and (_LENGTH_AFTER.match(text[pos:]) or re.match(r"\s*(?:²|2\b|\^2)", text[pos:])):
            pos = core.end - 1  # metres: leave "m" to the unit
        else:
            m.scale, m.scale_word = SCALES[s], s
    elif core.raw is not None:
        sm = _SCALE_AFTER.match(text[pos:])
        if sm:
            word = sm["s"].lower()
            m.scale, m.scale_word = (Decimal(12) if word == "dozen" else SCALES[word]), word
            pos += sm.end()
    m.end = pos
    tail = text[pos:]
    plus = re.match(r"\s?\+|-plus\b|\s+plus\b(?!\s+\d)", tail, re.I)
    if plus:
        m.qualifier = "more-than"
        pos += plus.end()
        m.end = pos
        tail = text[pos:]
    if m.unit == "NUM":  # not already a currency
        gap = re.match(r"[ \u00a0\u2009\u202f]?-?|\s+", tail)
        skip = gap.end() if gap else 0
        for pattern, unit in UNITS_AFTER:
            um = pattern.match(tail, skip)
            if um:
                if unit == "TONNE" and um.group(0) == "t" and skip == 0 and core.raw is None:
                    continue
                m.unit = unit
                m.money = unit.startswith("CCY_")
                pos += um.end()
                m.end = pos
                break
    elif m.money:  # "RMB 45 billion yuan": a repeated currency word belongs to the mention
        um = re.match(r"\s+(?:yuan|euros?|dollars)\b", text[pos:], re.I)
        if um:
            m.end = pos = pos + um.end()
    so = re.match(r"\s+or\s+(?P<w>so|more|less|fewer)\b", text[pos:], re.I)
    if so:
        m.qualifier = {"so": "approximately", "more": "at-least"}.get(so["w"].lower(), "at-most")
        m.end = pos + so.end()


def _left(text: str, m: _M) -> None:
    """Extends a mention over its currency and qualifier."""
    before = text[:m.start]
    cur = _CURRENCY_BEFORE.search(before)
    if cur:
        m.unit = _CURRENCY[cur["code"] or cur["sym"]]
        m.money = True
        m.start = cur.start()
        before = text[:m.start]
    q = _QUAL_RE.search(before)
    if q and not (q["q"].lower() == "over" and _SPANS_OVER.search(before[:q.start()])):
        m.qualifier = _QUAL_SLUG[q["q"].lower()]
        m.start = q.start()


def _is_name(text: str, core: _Core, m: _M) -> bool:
    before = text[:core.start]
    plain = core.raw is not None and not core.suffix and m.unit == "NUM" and m.scale is None and not core.ordinal
    if core.raw is None:
        return False
    if re.search(r"[A-Za-z]-$", before) and not re.search(r"\b(?:mid|early|late|pre|post)-$", before, re.I):
        return True  # COVID-19, F-16
    if re.match(r"[A-Za-z]", text[m.end:m.end + 1]) and m.end == core.end:
        return True  # 5G, H1N1
    if re.match(r"\.\d", text[core.end:core.end + 2]) or re.match(r"[/:]\d", text[core.end:core.end + 2]) \
            and not re.fullmatch(r"\d{4}", core.raw):
        return True  # 1.2.3, 24/7, 10:30
    if not plain:
        return False
    if _NAME_WORDS.search(before):
        return True
    if _ACRONYM_BEFORE.search(before) and Decimal(core.raw.replace(",", ".")) < 100:
        return True
    if _MONTH_BEFORE.search(before) and len(core.raw) <= 2 or _MONTH_AFTER.match(text[core.end:]):
        return True  # a day of a date
    cap = _CAPITALISED_BEFORE.search(before)
    return bool(cap and cap.group(0).strip() not in _NOT_CAPITAL_NAME and not re.match(r"\s*[a-z]", text[m.end:])
                and not re.fullmatch(r"\d{4}", core.raw))


def _mention(text: str, core: _Core) -> _M | None:
    m = _M(core.start, core.end, core)
    if core.ordinal:
        if core.raw is not None and re.search(r"[A-Za-z]-$", text[:core.start]):
            return None
        m.kind = "ordinal"
        return m
    _left(text, m)
    _right(text, m)
    if _is_name(text, core, m):
        return None
    return m


_YEAR = re.compile(r"(?:18|19|20)\d\d|2100")
_YEAR_CUE = re.compile(r"\b(?:in|since|by|until|till|during|before|after|as\s+of|from|to|through|of\s+the\s+year|"
                       r"year|the|mid|early|late|end\s+of|beginning\s+of|spring|summer|autumn|fall|winter)\W*$", re.I)
_AGE_AFTER = re.compile(r"^\s+(?:ago|old)\b|^['’]?\s+(?:of\s+(?:\w+\s+)?history|history)\b|^-old\b", re.I)
_AGE_BEFORE = re.compile(r"\b(?:histor(?:y|ies)|dat(?:es|ing)\s+back|goes\s+back|going\s+back|existed\s+for|"
                         r"heritage)\s+(?:of\s+)?$", re.I)


def _plain(m: _M) -> bool:
    return (m.core.raw is not None and m.unit == "NUM" and m.scale is None and not m.core.suffix
            and not m.core.ordinal)


def _is_year(text: str, m: _M) -> bool:
    raw = m.core.raw
    if raw is not None and re.fullmatch(r"\d{1,4}", raw) and m.unit == "NUM" and m.scale is None and (
            re.search(r"\b(?:AD|A\.D\.|CE)\s*$", text[:m.start])
            or re.match(r"\s*(?:AD|A\.D\.|BC|B\.C\.|BCE|CE)\b", text[m.end:])):
        return True  # "built c. AD 305", "founded in 514 BC": an era's year
    if not _plain(m) or raw is None or not _YEAR.fullmatch(raw):
        return False
    if re.search(r"\(\s*$", text[:m.start]) and re.match(r"\s*\)", text[m.end:]):
        return True  # "(2020)": a year in brackets, whatever precedes it
    if _is_count(text, m.end, m.start) and not re.search(r"\bpopulation\b", text[m.end:m.end + 20], re.I):
        # "2000 students"; but "in 2019 tourists ..." after a strong cue stays a year
        return bool(re.search(r"\b(?:in|since|until|till|during|before|after|as\s+of)\s+$", text[:m.start], re.I))
    return m.qualifier in ("exact", "approximately")


def _finish(text: str, m: _M, style: bool | None, count: bool, high: _M | None = None,
            high_scale: Decimal | None = None) -> tuple[Decimal, bool]:
    raw = m.core.raw
    scale = m.scale if m.scale is not None else high_scale
    if raw is None:
        value, comma = m.core.words_value or Decimal(0), False
    else:
        value, comma = _resolve(raw, style=style, count=count and m.unit == "NUM", scaled=scale is not None,
                                money=m.money)
    if scale is not None:
        value *= scale
    if m.unit == "DEG_C" and re.search(r"(?:^|[\s(])[-−]$", text[:m.core.start]):
        value = -value
        m.start -= 1
    return _norm(value), comma


def _norm(value: Decimal) -> Decimal:
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _quantity(text: str, start: int, end: int, value: Decimal, high: Decimal | None, m: _M, kind: str,
              comma: bool) -> Quantity:
    unit = "NUM" if kind in ("year", "ordinal") else m.unit
    return Quantity(start, end, text[start:end].strip(), value, high, unit, m.qualifier, kind, False, comma)


_RANGE_SEP = re.compile(r"^(?:\s*[–—]\s*|-|\s+-\s+|\s+to\s+|\s+and\s+|/)")


def find_quantities(text: str, *, dot_thousands: bool | None = None) -> list[Quantity]:
    """Every quantity, year, ordinal and age mentioned in `text`, in order."""
    style = dot_thousands if dot_thousands is not None else document_style(text)
    cores = _cores(text)
    out: list[Quantity] = []
    pos = 0
    i = 0
    while i < len(cores):
        core = cores[i]
        i += 1
        if core.start < pos:
            continue
        low = _mention(text, core)
        if low is None:
            continue
        if low.kind == "ordinal":
            out.append(_quantity(text, low.start, low.end, core.words_value or Decimal(int(core.raw or 0)), None,
                                 low, "ordinal", False))
            pos = low.end
            continue
        pair = _range(text, low, cores, i, style)
        if pair is not None:
            qs, i = pair
            out.extend(qs)
            pos = max([low.end, *(q.end for q in qs)])
            if not qs:
                pos = cores[i - 1].end
            continue
        out.append(_single(text, low, style))
        pos = low.end
    return _mark_conversions(text, out)


def _kind(text: str, m: _M) -> str:
    if _is_year(text, m):
        return "year"
    if m.unit == "YR" and (_AGE_AFTER.match(text[m.end:]) or _AGE_BEFORE.search(text[:m.start])):
        return "age"
    if m.unit == "NUM" and re.match(r"-years?(?:-old)?\s+(?:old|history)\b|-year-old\b", text[m.end:], re.I):
        return "age"
    return "quantity"


def _single(text: str, m: _M, style: bool | None) -> Quantity:
    kind = _kind(text, m)
    if kind == "year":
        split = re.match(r"/(\d{2}|\d{4})\b", text[m.end:])
        if split and m.core.raw:
            end = m.core.raw[:2] + split[1] if len(split[1]) == 2 else split[1]
            if int(end) == int(m.core.raw) + 1:
                m.end += split.end()
                return Quantity(m.start, m.end, text[m.start:m.end].strip(), Decimal(int(m.core.raw)),
                                Decimal(int(end)), "NUM", m.qualifier, "year")
    count = _is_count(text, m.end, m.start)
    value, comma = _finish(text, m, style, count)
    return _quantity(text, m.start, m.end, value, None, m, kind, comma)


def _range(text: str, low: _M, cores: list[_Core], i: int, style: bool | None) -> tuple[list[Quantity], int] | None:
    """A range (or a change "from X to Y") starting at `low`, with the index of the core after it."""
    sep = _RANGE_SEP.match(text[low.end:])
    if not sep or i >= len(cores) or cores[i].start != low.end + sep.end() or cores[i].ordinal:
        return None
    word = sep.group(0).strip().lower()
    before = text[:low.start]
    opener = re.search(r"\b(?:between|from)\s+$", before, re.I)
    if word == "and" and not (opener and opener.group(0).lower().startswith("between")):
        return None
    high = _mention(text, cores[i])
    if high is None or high.start != cores[i].start:  # a qualifier or currency of its own: two quantities
        return None
    if low.core.raw is not None and low.core.raw == (low.core.raw.strip()) and _plain(low) and _plain(high) \
            and _YEAR.fullmatch(low.core.raw) and high.core.raw is not None:
        hraw = high.core.raw
        if re.fullmatch(r"\d\d", hraw) and word in ("/", "-", "–", "—"):
            hraw = low.core.raw[:2] + hraw
        if _YEAR.fullmatch(hraw) and int(hraw) > int(low.core.raw) and not _is_count(text, high.end, high.end):
            start = opener.start() if opener else low.start
            q = Quantity(start, high.end, text[start:high.end].strip(), Decimal(int(low.core.raw)),
                         Decimal(int(hraw)), "NUM", low.qualifier, "year")
            return [q], i + 1
    if word == "/":
        return None
    if low.core.raw is not None and _YEAR.fullmatch(low.core.raw) and _plain(low) and not opener \
            and (high.scale is not None or high.money) and word in ("to", "-", "–", "—"):
        return None  # "rose 6.1 per cent in 2023 to 742.3 billion yuan": a year, then the figure it reached
    # the unit and the scale of one end carry to the other ("3–4%", "3 to 4 million", "€3–4bn")
    if low.unit == "NUM" and high.unit != "NUM":
        low.unit, low.money = high.unit, high.money
    elif high.unit == "NUM" and low.money:
        high.unit, high.money = low.unit, True
    if low.unit != high.unit:
        return None
    high_scale = None
    if low.scale is None and high.scale is not None and high.qualifier == "exact" and _bare(low) <= _bare(high):
        high_scale = high.scale
    count = _is_count(text, high.end, low.start)
    lv, lcomma = _finish(text, low, style, count, high_scale=high_scale)
    hv, hcomma = _finish(text, high, style, count)
    kind = _kind(text, high) if high.unit == "YR" else "quantity"
    change = bool(_CHANGE_VERB.search(before))
    if change:
        return [_quantity(text, low.start, low.end, lv, None, low, kind, lcomma),
                _quantity(text, high.start, high.end, hv, None, high, kind, hcomma)], i + 1
    if lv >= hv:
        if word in ("-", "–", "—"):
            return [], i + 1  # "5-3": a code or a score, no quantity
        return None
    start = opener.start() if opener and low.qualifier == "exact" else low.start
    return [_quantity(text, start, high.end, lv, hv, low, kind, lcomma or hcomma)], i + 1


def _bare(m: _M) -> Decimal:
    """The number as written, without its scale (for deciding whether a scale carries over)."""
    if m.core.raw is None:
        return m.core.words_value or Decimal(0)
    return Decimal(re.sub(r"[^\d]", "", m.core.raw.split(".")[0].split(",")[0]) or "0")


def _mark_conversions(text: str, qs: list[Quantity]) -> list[Quantity]:
    out = list(qs)
    for k in range(1, len(out)):
        prev, q = out[k - 1], out[k]
        if prev.kind != "quantity" or q.kind != "quantity":
            continue
        gap = text[prev.end:q.start]
        if not re.fullmatch(r"\s*[(\[]\s*(?:or\s+)?", gap) and not re.fullmatch(r",?\s+or\s+", gap):
            continue
        fam_a, fam_b = _FAMILY.get(prev.unit), _FAMILY.get(q.unit)
        if fam_a and fam_a == fam_b and prev.unit != q.unit:
            out[k] = replace(q, bracketed_conversion=True)
    return out


# -- document style, periods, label lines ---------------------------------------------------------------

_DOT_EVIDENCE = [
    re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.]|,\d{3})"),  # 1.234.567
    re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d+(?!\d)"),  # 1.234,5
    re.compile(r"(?<![\d.,])\d+,\d{1,2}(?!\d)\s*(?:%|per\s?cent|million|billion|km|ha|€|EUR|Mio|Mrd)", re.I),  # 2,5 %
    re.compile(r"(?<![\d.,])\d{1,3}\.\d{3}(?![\d.,])\s+(?:inhabitants|residents|people|persons|citizens|visitors|"
               r"students|employees|jobs|households|tourists|passengers)\b", re.I),  # 812.000 inhabitants
]
_COMMA_EVIDENCE = [
    re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,]|\.\d{3})"),  # 1,234,567
    re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+\.\d+(?!\d)"),  # 1,234.5
    re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])\s*(?:%|per\s?cent|million|billion|trillion|bn|m\b|"
               r"km|sq|square|ha|hectares)", re.I),  # 1.4 million, 2.5 %
    re.compile(r"(?<![\d.,])\d{1,3},\d{3}(?![\d.,])\s+(?:inhabitants|residents|people|persons|citizens|visitors|"
               r"students|employees|jobs|households|tourists|passengers)\b", re.I),
]


def document_style(text: str) -> bool | None:
    """True when the text writes thousands with dots ("1.234.567", "812.000 inhabitants", "2,5 %"),
    False when with commas ("1,234,567", "1.4 million"), None when it cannot tell (no evidence, or as
    much for each)."""
    dots = sum(len(p.findall(text)) for p in _DOT_EVIDENCE)
    commas = sum(len(p.findall(text)) for p in _COMMA_EVIDENCE)
    if dots > commas:
        return True
    if commas > dots:
        return False
    return None


_PERIOD_CUES: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(r"^\s*(?:In|By(?:\s+the\s+end\s+of)?|As\s+of|At\s+the\s+end\s+of|For)\s+(?P<y>(?:18|19|20)\d\d)"
                   r"(?:\s*/\s*(?P<y2>\d{2}|\d{4}))?\b(?!\s*[-–])")),
    (1, re.compile(r"\bas\s+(?:of|at)\s+(?:(?:the\s+)?(?:end|beginning)\s+of\s+)?(?:\w+\s+)?"
                   r"(?P<y>(?:18|19|20)\d\d)\b", re.I)),
    (1, re.compile(r"\((?:as\s+of\s+|in\s+|est\.\s+|estimated\s+|census\s+)?(?P<y>(?:18|19|20)\d\d)"
                   r"(?:\s*/\s*(?P<y2>\d{2}|\d{4}))?(?:\s+(?:census|est\.?|estimate|figures?|data))?\)", re.I)),
    (1, re.compile(r"\b(?P<y>(?:18|19|20)\d\d)\s+(?:census|estimates?|figures|data|statistics|survey)\b", re.I)),
    (1, re.compile(r"\bcensus\s+of\s+(?P<y>(?:18|19|20)\d\d)\b", re.I)),
    (2, re.compile(r"(?<!\bsince )(?<!\bfrom )(?<!\buntil )(?<!\bbefore )(?<!\bafter )"
                   r"\b(?:in|by|for|during|(?:at\s+)?(?:the\s+)?end\s+of)\s+(?:the\s+year\s+)?"
                   r"(?P<y>(?:18|19|20)\d\d)(?:\s*/\s*(?P<y2>\d{2}|\d{4}))?\b(?!\s*[-–]\s*\d)", re.I)),
]
_EVENT_BEFORE = re.compile(r"\b(?:founded|established|built|opened|completed|erected|created|incorporated|"
                           r"born|died|destroyed|rebuilt|dating|dates|since|from|until|till)\s+(?:\w+\s+)?$", re.I)


def find_period(text: str) -> str | None:
    """The year a sentence states its figures for, as "YYYY" (the form kg/map.py's period_iri takes).

    "In 2021, ...", "as of 2020", "(2020)", "2021 census", "... in 2019" give that year; a split
    year "2020/21" gives its last year, "2021".  Years of events ("founded in 1850", "since 1998",
    "from 2010 to 2020") are not periods.  None when no year is stated, or when two different years
    are stated with the same strength ("1 million in 2010 and 2 million in 2020")."""
    best: dict[int, set[str]] = {}
    for rank, pattern in _PERIOD_CUES:
        for m in pattern.finditer(text):
            if rank == 2 and _EVENT_BEFORE.search(text[:m.start()]):
                continue
            year = m["y"]
            y2 = m.groupdict().get("y2")
            if y2:
                end = year[:2] + y2 if len(y2) == 2 else y2
                if int(end) != int(year) + 1:
                    continue
                year = end
            best.setdefault(rank, set()).add(year)
    for rank in sorted(best):
        years = best[rank]
        if len(years) == 1:
            return next(iter(years))
        return None
    return None


_LABEL = re.compile(r"^\s*(?P<label>[^\W\d_](?:[^\W\d_]|[ ,&'’/²³-]|\([^()\d]*\)\s)*?(?:[^\W\d_]|[²³]))"
                    r"(?:,?\s+(?:as of\s+|at\s+|on\s+)?"
                    r"(?:\d{1,2}\.?\s+)?(?:(?:January|February|March|April|May|June|July|August|September|October|"
                    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+)?"
                    r"(?P<ly>(?:19|20)\d\d))?\s*"
                    r"(?:\((?P<lp>[^)]*)\))?\s*"
                    r"(?::|\s[–—-]\s|\s*=\s*|\t)\s*(?P<value>.+?)\s*$")


def parse_label_line(line: str, *, dot_thousands: bool | None = None) -> tuple[str, Quantity, str | None] | None:
    """ "Population: 4,123,456 (2020)" -> ("Population", quantity, "2020").

    The separator is ":", a dash with spaces around it, "=" or a tab; a year in brackets after the
    label ("GDP (2022): €45.3 billion") or in the value ("(2020)", "as of 2020") is the period.  None
    when the line is not a label and one figure (a bracketed conversion after it is allowed)."""
    m = _LABEL.match(line)
    if not m:
        return None
    label, value = m["label"].strip(), m["value"]
    offset = m.start("value")
    qs = [q for q in find_quantities(line, dot_thousands=dot_thousands) if q.start >= offset]
    figures = [q for q in qs if q.kind in ("quantity", "age") and not q.bracketed_conversion]
    if len(figures) != 1:
        return None
    period = None
    if m["ly"]:
        period = m["ly"]  # "GDP 2023 (100 million yuan): 4,050.3"
    if m["lp"] and period is None:
        period = find_period(f"({m['lp'].strip()})")
        year = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", m["lp"])
        if period is None and year and not re.search(r"\d{1,3}[,. ]\d{3}", m["lp"]):
            period = year.group(1)  # "(main residence, 1 Jan 2024)": the year of the date
        if period is None and not re.fullmatch(r"[\w\s.,/%²€$¥£-]*", m["lp"]):
            return None
    value_period = find_period(value)
    if value_period is None:
        years = [q for q in qs if q.kind == "year" and q.high is None]
        if len(years) == 1:
            value_period = str(int(years[0].value))
    if period and value_period and period != value_period:
        return None
    return label, figures[0], period or value_period
