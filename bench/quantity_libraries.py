"""Quantity libraries against citykg's own parser: how often each reads a city-text quantity right, and how fast.

    .venv/bin/python bench/quantity_libraries.py [--verbose]
    (or, with the venv active: python bench/quantity_libraries.py)

Candidates (the issue: "use a well-kept library where one fits"):

* quantulum3 -- reads quantities with units out of text;
* number-parser -- turns number words into digits; measured as a pre-pass in front of citykg and of quantulum3
  (does it help on "two million", "a dozen"?);
* pint -- a unit registry; measured only on unit normalisation: does it parse the unit strings city texts use?

The script installs nothing itself.  A library that is not installed is skipped with the pip command that would
install it (``pip install quantulum3 number-parser pint``); none of them is a dependency of citykg.

Inputs, the same for every reader:

* the cases of tests/test_quantities.py that state a value and a unit: SINGLE, the bracketed conversions and the
  label lines (their expectations read from the test module's parameters; the values of the bracketed
  conversions, which the test leaves to its units, are written out here), plus three sentences copied from test
  bodies; NOT_QUANTITIES for false positives (for citykg, a year or ordinal there is not one);
* every sentence of tests/data/corpus/*.txt that holds a digit (for these only the numbers are compared with
  citykg's, which reads them with the document's style as the build does: agreement, not correctness).

A case item is *right* when a reading has its value within 0.5% (and its high bound, for a range) and its unit;
*wrong* when the item is not matched but the reader gave some other reading there; *missed* when the reader gave
nothing for it.  The reader's units are mapped to citykg's codes (NUM, PERCENT, KiloM2, CCY_EUR...) by name only.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.metadata
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_quantities as tq  # noqa: E402  (tests/test_quantities.py: the cases)
from citykg.kg.quantities import document_style, find_quantities  # noqa: E402
from citykg.kg.text import sentences_of  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"
TOLERANCE = 0.005
RUNS = 5
CATEGORIES = ("european", "scale", "words", "range", "bracket", "currency")
CATEGORY_TITLES = {"european": "euro sep", "scale": "scale", "words": "num words", "range": "ranges",
                   "bracket": "brackets", "currency": "currency"}


# -- readings and readers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    value: float
    high: float | None
    unit: str
    kind: str = "quantity"  # citykg says year/ordinal/age too; the libraries only "quantity"


#: a reader: (sentence, the document's dot-thousands style or None) -> readings.  Only citykg uses the style.
Reader = Callable[[str, bool | None], list[Reading]]


def citykg_reader(text: str, style: bool | None = None) -> list[Reading]:
    return [Reading(float(q.value), float(q.high) if q.high is not None else None, q.unit, q.kind)
            for q in find_quantities(text, dot_thousands=style)]


#: quantulum3's unit names (Unit.name) -> citykg's codes, with a factor for the units that are only a count.
QUANTULUM_UNITS: dict[str, tuple[str, float]] = {
    "dimensionless": ("NUM", 1), "dozen": ("NUM", 12), "percentage": ("PERCENT", 1),
    "square kilometre": ("KiloM2", 1), "hectare": ("HA", 1), "square mile": ("MI2", 1), "acre": ("AC", 1),
    "kilometre": ("KiloM", 1), "metre": ("M", 1), "tonne": ("TONNE", 1), "degree Celsius": ("DEG_C", 1),
    "per square kilometre": ("PER-KiloM2", 1), "year": ("YR", 1),
    "chinese yuan": ("CCY_CNY", 1), "euro": ("CCY_EUR", 1), "united states dollar": ("CCY_USD", 1),
}


def quantulum_reader(parser: ModuleType) -> Reader:
    def read(text: str, style: bool | None = None) -> list[Reading]:
        out: list[Reading] = []
        for q in parser.parse(text):
            unit, factor = QUANTULUM_UNITS.get(q.unit.name, (f"?{q.unit.name}", 1))
            value, high = float(q.value) * factor, None
            if q.uncertainty:  # a range "3-4" is read as 3.5 +- 0.5
                value, high = (q.value - q.uncertainty) * factor, (q.value + q.uncertainty) * factor
            out.append(Reading(value, high, unit))
        return out
    return read


def number_parser_then(np_parse: Callable[[str], str], reader: Reader) -> Reader:
    def read(text: str, style: bool | None = None) -> list[Reading]:
        return reader(np_parse(text), style)
    return read


def load(module: str, pip: str) -> ModuleType | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # quantulum3 warns that its optional classifier is not installed
            return importlib.import_module(module)
    except ImportError as e:
        print(f"{pip} is not installed ({e}); skipped.  Install it for this benchmark: pip install {pip}")
        return None


# -- the cases ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    value: float
    high: float | None
    unit: str
    categories: frozenset[str]


@dataclass(frozen=True)
class Case:
    text: str
    items: tuple[Item, ...]


_EUROPEAN = re.compile(r"\d\.\d{3}(?!\d)|\d,\d{1,2}(?!\d)")
_SCALE = re.compile(r"(?i)\b(?:thousand|million|billion|trillion|mrd|dozen)\b|\d(?:bn|m|k)\b")


def categories_of(text: str, unit: str, high: float | None) -> frozenset[str]:
    cats = set()
    if _EUROPEAN.search(text):
        cats.add("european")
    if _SCALE.search(text) and unit != "M":
        cats.add("scale")
    if not re.search(r"\d", text):
        cats.add("words")
    if high is not None:
        cats.add("range")
    if unit.startswith("CCY_"):
        cats.add("currency")
    return frozenset(cats)


def item(value: str, unit: str, high: str | None = None, text: str = "", extra: Sequence[str] = ()) -> Item:
    hi = float(Decimal(high)) if high is not None else None
    derived = categories_of(text, unit, hi) if text else frozenset()  # no text: the categories are given
    return Item(float(Decimal(value)), hi, unit, derived | frozenset(extra))


#: the values of tests/test_quantities.py::test_bracketed_conversions (the test states only the units), and
#: whether each figure stands in the brackets.  A year that citykg reads as such is listed too (it is not an
#: error to read it).
BRACKETED_VALUES: dict[str, list[tuple[str, bool]]] = {
    "It covers 1,234 km² (476 sq mi).": [("1234", False), ("476", True)],
    "It covers 62 square miles (160 km2).": [("62", False), ("160", True)],
    "It covers 9,600 km² (about 2.3 million acres).": [("9600", False), ("2300000", True)],
    "It covers 1,234 km² (about 1.2 million inhabitants).": [("1234", False), ("1200000", True)],
    "GDP was €3.5bn (US$4bn).": [("3500000000", False), ("4000000000", True)],
    "GDP was €3.5bn (€3.1bn in 2020).": [("3500000000", False), ("3100000000", True)],
    "The lake (476 sq mi) is large.": [("476", True)],
}
BRACKETED_YEARS = {"GDP was €3.5bn (€3.1bn in 2020).": "2020"}
#: the bracketed conversion of a label line (tests/test_quantities.py::test_parse_label_line states only the first)
LABEL_CONVERSIONS = {"Area: 1,234 km² (476 sq mi)": ("476", "MI2")}


def marks(test: Callable[..., None]) -> list[tuple]:
    """The parameter rows of a @pytest.mark.parametrize'd test."""
    (mark,) = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    return list(mark.args[1])


def load_cases() -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    for text, (value, high, unit, _qualifier, _kind) in tq.SINGLE:
        cases.append(Case(text, (item(value, unit, high, text),)))
    for text, units, _conversion in marks(tq.test_bracketed_conversions):
        values = BRACKETED_VALUES.get(text)
        if values is None or len(values) != len(units):
            print(f"bracketed case without values in BRACKETED_VALUES, skipped: {text!r}")
            continue
        items = [item(v, u, None, text, ["bracket"] if inside else []) for (v, inside), u in zip(values, units,
                                                                                                  strict=True)]
        if text in BRACKETED_YEARS:
            items.append(item(BRACKETED_YEARS[text], "NUM"))
        cases.append(Case(text, tuple(items)))
    for line, expected in marks(tq.test_parse_label_line):
        if expected is None:
            continue
        _label, value, unit, period = expected
        items = [item(value, unit, None, line.split("(")[0])]
        if line in LABEL_CONVERSIONS:
            items.append(item(*LABEL_CONVERSIONS[line], extra=["bracket"]))
        if period is not None:
            items.append(item(period, "NUM"))
        cases.append(Case(line, tuple(items)))
    # copied from the bodies of test_several_quantities_in_one_sentence, test_a_change_is_not_a_range and
    # test_an_attached_m_before_a_length_word_is_metres
    several = "In 2019, the city of 812.000 inhabitants covered 1.234 km² and earned €3,5 Mrd."
    cases += [
        Case(several, (item("2019", "NUM"), item("812000", "NUM", extra=["european"]),
                       item("1234", "KiloM2", extra=["european"]),
                       item("3500000000", "CCY_EUR", extra=["european", "scale", "currency"]))),
        Case("The share rose from 20 to 30 percent.", (item("20", "PERCENT"), item("30", "PERCENT"))),
        Case("A 1.5m high wall.", (item("1.5", "M"),)),
    ]
    return cases, list(tq.NOT_QUANTITIES)


def corpus_sentences() -> list[tuple[str, bool | None]]:
    """Every sentence of the corpus with a digit, with its document's style."""
    out: list[tuple[str, bool | None]] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        style = document_style(text)
        for line in text.splitlines():
            out += [(s, style) for s in sentences_of(line) if re.search(r"\d", s)]
    return out


# -- scoring ----------------------------------------------------------------------------------------------

def close(a: float, b: float) -> bool:
    return a == b if b == 0 else abs(a - b) <= TOLERANCE * abs(b)


def show(r: Reading) -> str:
    return f"{r.value:g}" + (f"-{r.high:g}" if r.high is not None else "") + f" {r.unit}"


def value_matches(r: Reading, it: Item) -> bool:
    if (r.high is None) != (it.high is None):
        return False
    return close(r.value, it.value) and (it.high is None or r.high is not None and close(r.high, it.high))


@dataclass
class Score:
    right: int = 0
    wrong: int = 0
    missed: int = 0
    value_only: int = 0  # the value right, the unit not
    extra: int = 0  # readings that match no item
    false_positives: int = 0  # NOT_QUANTITIES sentences given a quantity
    by_category: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def score_cases(reader: Reader, cases: list[Case], not_quantities: list[str]) -> Score:
    s = Score()
    for case in cases:
        readings = reader(case.text, None)
        left = list(readings)
        unmatched: list[Item] = []
        for it in case.items:
            hit = next((r for r in left if value_matches(r, it) and r.unit == it.unit), None)
            if hit is None:
                unmatched.append(it)
                continue
            left.remove(hit)
            s.right += 1
            s.by_category.update(it.categories)
        for it in unmatched:
            near = next((r for r in left if value_matches(r, it)), left[0] if left else None)
            if near is None:
                s.missed += 1
                s.failures.append(f"missed {case.text!r}: {it.value:g} {it.unit}")
                continue
            left.remove(near)
            s.wrong += 1
            s.value_only += value_matches(near, it)
            s.failures.append(f"wrong  {case.text!r}: {it.value:g} {it.unit}, read {show(near)}")
        s.extra += len(left)
        s.failures += [f"extra  {case.text!r}: read {show(r)}" for r in left]
    for text in not_quantities:
        if any(r.kind == "quantity" for r in reader(text, None)):
            s.false_positives += 1
            s.failures.append(f"false positive {text!r}")
    return s


@dataclass
class Agreement:
    reference: int = 0  # citykg's numbers
    matched: int = 0
    extra: int = 0
    same_sentences: int = 0
    sentences: int = 0
    differences: list[str] = field(default_factory=list)


def numbers(readings: list[Reading]) -> list[float]:
    return [v for r in readings for v in (r.value, r.high) if v is not None]


def agree(reader: Reader, sentences: list[tuple[str, bool | None]]) -> Agreement:
    a = Agreement(sentences=len(sentences))
    for text, style in sentences:
        ref = numbers(citykg_reader(text, style))
        got = numbers(reader(text, style))
        left = list(got)
        for v in ref:
            hit = next((g for g in left if close(g, v)), None)
            if hit is not None:
                left.remove(hit)
                a.matched += 1
        a.reference += len(ref)
        a.extra += len(left)
        same = len(ref) == len(got) and not left
        a.same_sentences += same
        if not same:
            a.differences.append(f"{text!r}: citykg {[f'{v:g}' for v in ref]}, read {[f'{v:g}' for v in got]}")
    return a


def time_per_thousand(reader: Reader, inputs: list[tuple[str, bool | None]]) -> float:
    """Milliseconds per 1,000 sentences, the median of RUNS runs (after one warm-up call)."""
    reader(inputs[0][0], inputs[0][1])
    runs = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for text, style in inputs:
            reader(text, style)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) / len(inputs) * 1000 * 1000


# -- pint --------------------------------------------------------------------------------------------------

#: unit strings of the city texts (and of the tests) -> the unit citykg reads them as, in pint's terms
#: (None: pint has no such unit).
PINT_STRINGS: list[tuple[str, str, str | None]] = [
    ("km²", "KiloM2", "km**2"), ("km2", "KiloM2", "km**2"), ("sq km", "KiloM2", "km**2"),
    ("sq. km", "KiloM2", "km**2"), ("square kilometres", "KiloM2", "km**2"), ("square kilometers", "KiloM2", "km**2"),
    ("square km", "KiloM2", "km**2"), ("km square", "KiloM2", "km**2"), ("hectares", "HA", "hectare"),
    ("ha", "HA", "hectare"), ("sq mi", "MI2", "mi**2"), ("square miles", "MI2", "mi**2"), ("acres", "AC", "acre"),
    ("tonnes", "TONNE", "metric_ton"), ("tons", "TONNE", "metric_ton"), ("t", "TONNE", "metric_ton"),
    ("TEU", "TEU", None), ("TEUs", "TEU", None), ("per cent", "PERCENT", "percent"),
    ("percent", "PERCENT", "percent"), ("%", "PERCENT", "percent"), ("km", "KiloM", "km"),
    ("kilometres", "KiloM", "km"), ("m", "M", "m"), ("°C", "DEG_C", "degC"), ("/km²", "PER-KiloM2", "1/km**2"),
    ("per square kilometre", "PER-KiloM2", "1/km**2"), ("people per km²", "PER-KiloM2", "1/km**2"),
]


def bench_pint(pint: ModuleType) -> None:
    ureg = pint.UnitRegistry()
    rows: list[tuple[str, str, str, str]] = []
    tally: Counter[str] = Counter()
    for text, code, target in PINT_STRINGS:
        try:
            parsed = ureg.parse_units(text)
        except Exception as e:  # pint raises several kinds: undefined unit, syntax
            verdict, shown = "error", f"{type(e).__name__}"
        else:
            shown = str(parsed)
            if target is None:
                verdict = "other unit"
            else:
                try:
                    same = abs(ureg.Quantity(1, parsed).to(target).magnitude - 1) < 1e-9
                except pint.DimensionalityError:
                    same = False
                verdict = "right" if same else "other unit"
        tally[verdict] += 1
        rows.append((text, code, shown, verdict))
    print(f"pint {pint.__version__}: unit normalisation of {len(rows)} unit strings")
    print(f"  {'string':<22} {'citykg':<11} {'pint':<26} verdict")
    for text, code, shown, verdict in rows:
        print(f"  {text!r:<22} {code:<11} {shown:<26} {verdict}")
    runs = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for text, _code, _target in PINT_STRINGS:
            with contextlib.suppress(Exception):
                ureg.parse_units(text)
        runs.append(time.perf_counter() - t)
    per = statistics.median(runs) / len(PINT_STRINGS) * 1000 * 1000
    print(f"  right {tally['right']}, other unit {tally['other unit']}, error {tally['error']} "
          f"of {len(rows)}; {per:.1f} ms per 1,000 unit strings")


# -- main -------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="list every wrong, missed, extra and false positive, and the corpus differences")
    args = ap.parse_args(argv)

    readers: list[tuple[str, Reader]] = [("citykg (reference)", citykg_reader)]
    qu = load("quantulum3.parser", "quantulum3")
    np_mod = load("number_parser", "number-parser")
    pint = load("pint", "pint")
    if qu is not None:
        readers.append((f"quantulum3 {importlib.metadata.version('quantulum3')}", quantulum_reader(qu)))
    if np_mod is not None:
        version = importlib.metadata.version("number-parser")
        readers.append((f"number-parser {version} -> citykg", number_parser_then(np_mod.parse, citykg_reader)))
        if qu is not None:
            readers.append((f"number-parser {version} -> quantulum3",
                            number_parser_then(np_mod.parse, quantulum_reader(qu))))

    cases, not_quantities = load_cases()
    sentences = corpus_sentences()
    n_items = sum(len(c.items) for c in cases)
    per_cat = Counter(cat for c in cases for it in c.items for cat in it.categories)
    print(f"cases: {len(cases)} sentences with {n_items} expected quantities (tests/test_quantities.py), "
          f"{len(not_quantities)} non-quantities; corpus: {len(sentences)} sentences with a digit "
          f"({len(list(CORPUS.glob('*.txt')))} texts)")
    print("categories (expected quantities): " + ", ".join(f"{CATEGORY_TITLES[c]} {per_cat[c]}" for c in CATEGORIES))
    print()

    timing_inputs = [(c.text, None) for c in cases] + [(t, None) for t in not_quantities] + sentences
    results = []
    for name, reader in readers:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader("Warm-up: 3 km².", None)
            first = time.perf_counter() - t0
            s = score_cases(reader, cases, not_quantities)
            a = agree(reader, sentences)
            ms = time_per_thousand(reader, timing_inputs)
        results.append((name, s, a, ms, first))

    head = (f"{'library':<34} {'right':>5} {'wrong':>5} {'missed':>6} {'val ok':>6} {'extra':>5} {'FP':>3} | "
            + " ".join(f"{CATEGORY_TITLES[c]:>9}" for c in CATEGORIES) + f" | {'ms/1k':>8}")
    print(f"test cases: right / wrong / missed of {n_items}; 'val ok' = wrong but with the right value (the unit "
          f"not); extra = readings matching nothing; FP = of {len(not_quantities)} non-quantities read as one")
    print(head)
    print("-" * len(head))
    print(f"{'(expected)':<34} {n_items:>5} {'':>5} {'':>6} {'':>6} {'':>5} {'':>3} | "
          + " ".join(f"{per_cat[c]:>9}" for c in CATEGORIES) + " |")
    for name, s, _a, ms, _first in results:
        print(f"{name:<34} {s.right:>5} {s.wrong:>5} {s.missed:>6} {s.value_only:>6} {s.extra:>5} "
              f"{s.false_positives:>3} | " + " ".join(f"{s.by_category[c]:>9}" for c in CATEGORIES)
              + f" | {ms:>8.1f}")
    print()
    print(f"time: ms per 1,000 sentences, median of {RUNS} runs over {len(timing_inputs)} sentences (cases, "
          "non-quantities and corpus); first call (load) " + ", ".join(f"{n} {f * 1000:.0f} ms"
                                                                        for n, _s, _a, _ms, f in results))
    print()
    print(f"corpus agreement with citykg (numbers only, {len(sentences)} sentences)")
    print(f"{'library':<34} {'citykg numbers matched':>24} {'extra numbers':>14} {'identical sentences':>20}")
    for name, _s, a, _ms, _first in results:
        pct = 100 * a.matched / a.reference if a.reference else 0.0
        same = 100 * a.same_sentences / a.sentences if a.sentences else 0.0
        print(f"{name:<34} {f'{a.matched}/{a.reference} ({pct:.1f}%)':>24} {a.extra:>14} "
              f"{f'{a.same_sentences} ({same:.1f}%)':>20}")
    print()
    if pint is not None:
        bench_pint(pint)
    if args.verbose:
        for name, s, _a, _ms, _first in results:
            print()
            print(f"{name}: {len(s.failures)} failures")
            for line in s.failures:
                print(f"  {line}")
        for name, _s, a, _ms, _first in results[1:]:
            print()
            print(f"{name}: {len(a.differences)} corpus sentences read otherwise than by citykg")
            for line in a.differences:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
