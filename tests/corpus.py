"""The extraction corpus and its scorer, shared by `bench/extraction.py` and `tests/test_corpus.py`.

`tests/data/corpus/NAME.txt` is a city text (brochure, web blurb or fact box) and
`NAME.expected.yaml` the record a reader would make of it:

    source: "written for citykg, CC0"
    style: brochure | blurb | factbox
    city: Lyon
    region: Auvergne-Rhône-Alpes            # or null
    population: [522250, exact, "2020"]     # [value, qualifier, period or null], or null
    area: [47.87, KiloM2, exact]            # [value, unit, qualifier], or null
    figures:                                # [slug or [slugs], value, unit, qualifier, period(, high)]
      - [population-density, 10900, PER-KiloM2, approximately, null]
    candidates: ["6th largest", "2019"]     # figures as written that must NOT become facts
    landmarks: [Basilica of Notre-Dame de Fourvière]
    industries: [life sciences]             # only when the text lists them

`score(case, record_or_exception)` compares what the extractor returned with the
expected record, field by field (true positives, false negatives, false positives)
and lists the WRONG values: a population, area or figure whose indicator is
expected with another value, a population or area where none is expected, or a
figure whose stated text is one of the `candidates`.  Values match within
`TOLERANCE` (0.5 %); an expected unit TEU is met by NUM (a count of containers, as the dataset
publishes it).  `totals(scores)` sums the cases up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
TOLERANCE = Decimal("0.005")
STYLES = frozenset({"brochure", "blurb", "factbox"})
UNITS = frozenset({"NUM", "PERCENT", "KiloM2", "PER-KiloM2", "KiloM", "TONNE", "TEU",
                   "CCY_CNY", "CCY_EUR", "CCY_USD"})
QUALIFIERS = frozenset({"exact", "approximately", "nearly", "more-than", "less-than", "at-least", "at-most",
                        "as-many-as"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The fields of the table, in order; `period`, `qualifier` and `range` check the matched values further.
FIELDS = ("city", "region", "population", "area", "figures", "landmarks", "industries",
          "period", "qualifier", "range")


# the expected records ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Expected:
    """One expected quantity: any of `slugs` is the right indicator."""

    slugs: tuple[str, ...]
    value: Decimal
    unit: str
    qualifier: str
    period: str | None = None
    high: Decimal | None = None

    def label(self) -> str:
        slug = self.slugs[0] if len(self.slugs) == 1 else "|".join(self.slugs)
        high = f"-{_fmt(self.high)}" if self.high is not None else ""
        period = f" @{self.period}" if self.period else ""
        return f"{slug} = {_fmt(self.value)}{high} {self.unit} ({self.qualifier}){period}"


@dataclass
class Case:
    name: str
    path: Path
    style: str
    city: str
    region: str | None
    population: Expected | None
    area: Expected | None
    figures: list[Expected]
    candidates: list[str]
    landmarks: list[str]
    industries: list[str]
    raw: dict[str, Any]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _period(value: Any) -> str | None:
    return None if value is None else str(value)


def _figure(row: list[Any]) -> Expected:
    if not isinstance(row, list) or len(row) not in (5, 6):
        raise ValueError(f"a figure is [slug(s), value, unit, qualifier, period(, high)], not {row!r}")
    slugs = tuple(row[0]) if isinstance(row[0], list) else (row[0],)
    high = _dec(row[5]) if len(row) == 6 and row[5] is not None else None
    return Expected(slugs, _dec(row[1]), row[2], row[3], _period(row[4]), high)


def load_case(text: Path) -> Case:
    want_path = text.with_name(f"{text.stem}.expected.yaml")
    raw = yaml.safe_load(want_path.read_text(encoding="utf-8"))
    pop = raw.get("population")
    area = raw.get("area")
    return Case(
        name=text.stem,
        path=text,
        style=raw.get("style"),
        city=raw.get("city"),
        region=raw.get("region"),
        population=Expected(("population",), _dec(pop[0]), "NUM", pop[1], _period(pop[2])) if pop else None,
        area=Expected(("area",), _dec(area[0]), area[1], area[2]) if area else None,
        figures=[_figure(row) for row in raw.get("figures") or []],
        candidates=[str(c) for c in raw.get("candidates") or []],
        landmarks=list(raw.get("landmarks") or []),
        industries=list(raw.get("industries") or []),
        raw=raw,
    )


def load_corpus(folder: Path | str = CORPUS) -> list[Case]:
    """Every `NAME.txt` of the folder with its `NAME.expected.yaml`, sorted by name."""
    return [load_case(p) for p in sorted(Path(folder).glob("*.txt"))]


# scoring ----------------------------------------------------------------------------------------
@dataclass
class Count:
    tp: int = 0
    fn: int = 0
    fp: int = 0

    def add(self, other: Count) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None


@dataclass
class Issue:
    """A miss, an extra or a wrong value: what was expected, what the extractor gave, as stated."""

    file: str
    field: str
    kind: str  # miss | extra | wrong | qualifier | period | range | refused
    got: str | None = None
    expected: str | None = None
    stated: str | None = None
    why: str = ""

    def __str__(self) -> str:
        parts = [f"{self.file}: {self.field} {self.kind}"]
        if self.got is not None:
            parts.append(f"got {self.got}")
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        if self.stated:
            parts.append(f"stated {self.stated!r}")
        if self.why:
            parts.append(f"({self.why})")
        return "; ".join(parts)


@dataclass
class CaseScore:
    case: Case
    counts: dict[str, Count] = field(default_factory=lambda: {f: Count() for f in FIELDS})
    wrong: list[Issue] = field(default_factory=list)
    misses: list[Issue] = field(default_factory=list)
    extras: list[Issue] = field(default_factory=list)
    refused: str | None = None  # the ExtractError message
    crashed: str | None = None  # any other exception

    def _miss(self, fld: str, expected: str, kind: str = "miss", got: str | None = None,
              stated: str | None = None, why: str = "") -> None:
        self.counts[fld].fn += 1
        self.misses.append(Issue(self.case.name, fld, kind, got, expected, stated, why))

    def _extra(self, fld: str, got: str, stated: str | None = None, why: str = "") -> None:
        self.counts[fld].fp += 1
        self.extras.append(Issue(self.case.name, fld, "extra", got, None, stated, why))

    def _wrong(self, fld: str, got: str, expected: str | None, stated: str | None, why: str) -> None:
        self.wrong.append(Issue(self.case.name, fld, "wrong", got, expected, stated, why))


def _fmt(value: Any) -> str:
    if value is None:
        return "None"
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")


def same_unit(got: Any, want: str) -> bool:
    """Equal units; a count of TEU is a count (the dataset publishes container throughput as NUM)."""
    return got == want or (want == "TEU" and got == "NUM")


def close(got: Any, want: Decimal) -> bool:
    """`got` within TOLERANCE (relative) of `want`."""
    try:
        g = Decimal(str(got))
    except (InvalidOperation, ValueError):
        return False
    if want == 0:
        return g == 0
    return abs(g - want) <= TOLERANCE * abs(want)


def norm_name(name: str | None) -> str:
    """Names compare without case, curly quotes, a leading article or doubled spaces."""
    if name is None:
        return ""
    text = unicodedata.normalize("NFC", str(name)).replace("’", "'").replace("‘", "'")
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return re.sub(r"^(?:the|a|an) ", "", text)


def norm_region(name: str | None) -> str:
    """Regions compare like names, and "Anhui Province" is "Anhui", "Greater Poland Voivodeship" is "Greater
    Poland" (the word is part of the name or not)."""
    return re.sub(r"\s+(?:province|region|autonomous region|voivodeship|county|oblast|department)$", "",
                  norm_name(name))


def _norm_stated(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\u00a0", " ")).strip().casefold()


def _number_token(text: str) -> str:
    m = re.search(r"\d[\d,.\u00a0 ]*\d|\d", text)
    if m:
        return re.sub(r"[\s\u00a0]", "", m.group(0)).rstrip(".,")
    words = text.split()
    return words[0].casefold() if words else ""


def is_candidate(figure: Any, candidates: list[str]) -> str | None:
    """The `candidates` entry the figure's stated text is (or starts), if any.

    The extractor's `stated` is usually the quantity only ("more than 2,000"), a
    candidate the words around it ("2,000 years ago"): they are the same when the
    numbers agree and the candidate is in the figure's source sentence.
    """
    stated = _norm_stated(getattr(figure, "stated", None))
    source = _norm_stated(getattr(figure, "source", None))
    if not stated:
        return None
    for cand in candidates:
        c = _norm_stated(cand)
        if stated == c:
            return cand
        if _number_token(stated) == _number_token(c) and (c in source or c in stated):
            return cand
    return None


def _period_of(figure: Any) -> str | None:
    value = getattr(figure, "period", None)
    return None if value is None else str(value)


def _same_period(got: str | None, want: str | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    if got == want:
        return True
    m = re.search(r"(?<!\d)\d{4}(?!\d)", got)
    return bool(m and m.group(0) == want)


def _describe(figure: Any) -> str:
    qual = getattr(figure, "qualifier", None)
    high = getattr(figure, "high", None)
    period = _period_of(figure)
    return (f"{getattr(figure, 'indicator', '?')} = {_fmt(getattr(figure, 'value', None))}"
            f"{'-' + _fmt(high) if high is not None else ''} {getattr(figure, 'unit', '?')} ({qual})"
            f"{' @' + period if period else ''}")


def same_qualifier(got: str | None, want: Expected) -> bool:
    """Equal qualifiers; a range's "between" is the expected "exact" of a range (a low and a high end)."""
    if got == want.qualifier:
        return True
    return want.high is not None and want.qualifier == "exact" and got == "between"


def _check_period(score: CaseScore, fld: str, figure: Any, want: Expected) -> None:
    got = _period_of(figure)
    c = score.counts["period"]
    if want.period is None and got is None:
        return
    if _same_period(got, want.period):
        c.tp += 1
        return
    if want.period is not None:
        score._miss("period", f"{fld} {want.label()}", kind="period", got=got, stated=figure.stated)
    if got is not None:
        c.fp += 1
        if want.period is None:
            score.extras.append(Issue(score.case.name, "period", "extra", got, None, figure.stated,
                                      f"{fld}: the text states no period"))


def _check_range(score: CaseScore, figure: Any, want: Expected) -> None:
    got = getattr(figure, "high", None)
    c = score.counts["range"]
    if want.high is None and got is None:
        return
    if want.high is not None and got is not None and close(got, want.high):
        c.tp += 1
        return
    if want.high is not None:
        score._miss("range", want.label(), kind="range", got=_fmt(got), stated=figure.stated)
    if got is not None:
        c.fp += 1
        if want.high is None:
            score.extras.append(Issue(score.case.name, "range", "extra", _fmt(got), None, figure.stated,
                                      "not a range"))


def _score_single(score: CaseScore, fld: str, want: Expected | None, got: Any) -> None:
    """Population or area: value within tolerance AND the same qualifier."""
    c = score.counts[fld]
    if got is None:
        if want is not None:
            score._miss(fld, want.label())
        return
    desc = _describe(got)
    if want is None:
        score._extra(fld, desc, got.stated, "the text states none")
        score._wrong(fld, desc, None, got.stated, "the text states none")
        return
    value_ok = close(got.value, want.value) and got.unit == want.unit
    if value_ok and got.qualifier == want.qualifier:
        c.tp += 1
    else:
        score._miss(fld, want.label(), got=desc, stated=got.stated,
                    why="qualifier differs" if value_ok else "value differs")
        c.fp += 1
        if not value_ok:
            cand = is_candidate(got, score.case.candidates)
            score._wrong(fld, desc, want.label(), got.stated,
                         f"a candidate ({cand!r})" if cand else "another value")
    if fld == "population" and value_ok:
        _check_period(score, fld, got, want)


def _score_names(score: CaseScore, fld: str, want: list[str], got: list[str]) -> None:
    c = score.counts[fld]
    remaining = [norm_name(g) for g in got]
    for name in want:
        n = norm_name(name)
        if n in remaining:
            remaining.remove(n)
            c.tp += 1
        else:
            score._miss(fld, name)
    shown = {norm_name(g): g for g in got}
    for n in remaining:
        score._extra(fld, shown.get(n, n))


def _score_figures(score: CaseScore, figures: list[Any]) -> None:
    case = score.case
    c = score.counts["figures"]
    pool = list(figures)
    for want in case.figures:
        fits = [f for f in pool if getattr(f, "indicator", None) in want.slugs
                and same_unit(getattr(f, "unit", None), want.unit) and close(getattr(f, "value", None), want.value)]
        if not fits:
            score._miss("figures", want.label())
            continue
        best = next((f for f in fits if same_qualifier(f.qualifier, want)), fits[0])
        pool.remove(best)
        c.tp += 1
        q = score.counts["qualifier"]
        if same_qualifier(best.qualifier, want):
            q.tp += 1
        else:
            q.fn += 1
            q.fp += 1
            score.misses.append(Issue(case.name, "qualifier", "qualifier", best.qualifier, want.label(),
                                      best.stated))
        _check_period(score, "figures", best, want)
        _check_range(score, best, want)
    for f in pool:
        desc = _describe(f)
        score._extra("figures", desc, f.stated)
        cand = is_candidate(f, case.candidates)
        if cand is not None:
            score._wrong("figures", desc, None, f.stated, f"a candidate ({cand!r}), not a fact")
            continue
        same = [w for w in case.figures if f.indicator in w.slugs]
        if same:
            score._wrong("figures", desc, "; ".join(w.label() for w in same), f.stated, "another value")


def _first(figures: list[Any], indicator: str) -> Any:
    return next((f for f in figures if getattr(f, "indicator", None) == indicator), None)


def score(case: Case, outcome: Any) -> CaseScore:
    """Scores one extractor outcome (a Record, or the exception it raised) against the case."""
    s = CaseScore(case)
    if isinstance(outcome, BaseException):
        if type(outcome).__name__ == "ExtractError":
            s.refused = str(outcome)
        else:
            s.crashed = f"{type(outcome).__name__}: {outcome}"
        why = "refused" if s.refused is not None else "crashed"
        s._miss("city", case.city, kind=why)
        if case.region is not None:
            s._miss("region", case.region, kind=why)
        if case.population is not None:
            s._miss("population", case.population.label(), kind=why)
        if case.area is not None:
            s._miss("area", case.area.label(), kind=why)
        for want in case.figures:
            s._miss("figures", want.label(), kind=why)
        for name in case.landmarks:
            s._miss("landmarks", name, kind=why)
        for name in case.industries:
            s._miss("industries", name, kind=why)
        return s

    record = outcome
    city = getattr(getattr(record, "city", None), "name", None)
    if city is not None and norm_name(city) == norm_name(case.city):
        s.counts["city"].tp += 1
    else:
        s._miss("city", case.city, got=city)
        if city is not None:
            s.counts["city"].fp += 1
    province = getattr(record, "province", None)
    region = getattr(province, "name", None) if province is not None else None
    if case.region is None:
        if region is not None:
            s._extra("region", region, why="the text states none")
    elif region is not None and norm_region(region) == norm_region(case.region):
        s.counts["region"].tp += 1
    else:
        s._miss("region", case.region, got=region)
        if region is not None:
            s.counts["region"].fp += 1

    figures = list(getattr(record, "figures", None) or [])
    pop = _first(figures, "population")
    area = _first(figures, "area")
    _score_single(s, "population", case.population, pop)
    _score_single(s, "area", case.area, area)
    rest = [f for f in figures if f is not pop and f is not area]
    _score_figures(s, rest)
    _score_names(s, "landmarks", case.landmarks, [n.name for n in getattr(record, "landmarks", None) or []])
    _score_names(s, "industries", case.industries, [n.name for n in getattr(record, "industries", None) or []])
    return s


# totals -----------------------------------------------------------------------------------------
@dataclass
class Totals:
    cases: int
    fields: dict[str, Count]
    refusals: list[tuple[str, str]]  # (file, message)
    crashes: list[tuple[str, str]]
    wrong: list[Issue]
    misses: list[Issue]
    extras: list[Issue]

    def recall(self, fld: str) -> float | None:
        return self.fields[fld].recall

    def precision(self, fld: str) -> float | None:
        return self.fields[fld].precision

    def table(self) -> str:
        def pct(x: float | None) -> str:
            return "   -  " if x is None else f"{100 * x:5.1f}%"

        lines = [f"{'field':<11} {'tp':>5} {'fn':>5} {'fp':>5} {'recall':>7} {'precision':>9}"]
        for name, c in self.fields.items():
            lines.append(f"{name:<11} {c.tp:>5} {c.fn:>5} {c.fp:>5} {pct(c.recall):>7} {pct(c.precision):>9}")
        return "\n".join(lines)


def totals(scores: list[CaseScore]) -> Totals:
    fields = {f: Count() for f in FIELDS}
    for s in scores:
        for name, c in s.counts.items():
            fields[name].add(c)
    return Totals(
        cases=len(scores),
        fields=fields,
        refusals=[(s.case.name, s.refused) for s in scores if s.refused is not None],
        crashes=[(s.case.name, s.crashed) for s in scores if s.crashed is not None],
        wrong=[i for s in scores for i in s.wrong],
        misses=[i for s in scores for i in s.misses],
        extras=[i for s in scores for i in s.extras],
    )


def run_case(case: Case, extract: Any = None) -> Any:
    """The extractor's outcome for one case: its Record, or the exception it raised."""
    if extract is None:
        from citykg.kg.extract import extract
    try:
        return extract(case.path)
    except Exception as exc:  # noqa: BLE001 - a refusal (ExtractError) or a crash, both scored
        return exc


def score_corpus(folder: Path | str = CORPUS, extract: Any = None) -> tuple[list[CaseScore], Totals]:
    scores = [score(case, run_case(case, extract)) for case in load_corpus(folder)]
    return scores, totals(scores)
