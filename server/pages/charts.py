"""Charts of an indicator across cities, computed here and drawn by the templates (inline SVG)."""

from __future__ import annotations

import math
from collections import Counter

from citykg.server import queries
from citykg.server.pages.concepts import Value, _latest, period_key
from citykg.server.queries import local_name

NUM = "http://qudt.org/vocab/unit/NUM"


#: Charts stay readable: at most this many bars (the highest values) and lines.
MAX_BARS = 40


MAX_LINES = 10


#: Series colours (Okabe-Ito, readable by people with colour-vision deficiencies).
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#7f6000")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1)
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start, end = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return [round(start + i * step, 9) for i in range(round((end - start) / step) + 1)]


def short_number(x: float) -> str:
    """Tick labels: ``200 billion``, ``1.5 million``, ``12,000``, ``2.5``."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            return f"{x / size:.3g} {word}"
    if x == int(x):
        return f"{int(x):,}"
    return f"{x:.3g}"


def _clip(text: str, size: int = 24) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _chart_unit(values: list[Value]) -> tuple[str | None, list[Value], int]:
    """The unit most values have, those values (numbers only), and how many others were left out."""
    numeric = [v for v in values if v.number is not None]
    if not numeric:
        return None, [], len(values)
    unit = Counter(v.unit for v in numeric).most_common(1)[0][0]
    kept = [v for v in numeric if v.unit == unit]
    return unit, kept, len(values) - len(kept)


def _unit_word(unit: str | None) -> str:
    if not unit:
        return ""
    return queries.UNITS.get(unit, ("", queries.humanize(local_name(unit))))[1]


def bar_chart(values: list[Value], title: str, counted: str | None = None) -> dict | None:
    """A horizontal bar per city: its latest value (in the unit most values share)."""
    unit, kept, left_out = _chart_unit(values)
    by_city: dict[str, list[Value]] = {}
    for v in kept:
        by_city.setdefault(v.city, []).append(v)
    latest = [lv for vs in by_city.values() if (lv := _latest(vs)) is not None]
    if not latest:
        return None
    latest.sort(key=lambda v: (-(v.number or 0), v.city_label.lower()))
    total = len(latest)
    latest = latest[:MAX_BARS]
    nums = [v.number or 0.0 for v in latest]
    ticks = nice_ticks(min(0.0, *nums), max(0.0, *nums))
    lo, hi = ticks[0], ticks[-1]
    row, top = 30, 12
    label_w = int(min(190, 16 + 7.2 * max(len(_clip(v.city_label)) for v in latest)))
    plot_w = 360

    def x(n: float) -> float:
        return round(label_w + plot_w * (n - lo) / (hi - lo), 1)

    axis_y = top + row * len(latest) + 4
    bars = []
    for i, v in enumerate(latest):
        x0, x1 = sorted((x(0), x(v.number or 0)))
        bars.append({"v": v, "label": _clip(v.city_label), "y": top + i * row, "x": x0, "w": max(1.0, x1 - x0),
                     "text_x": x1 + 6, "period": v.period_label})
    return {
        "title": title,
        "desc": "Horizontal bars, one per city: " + "; ".join(
            f"{v.city_label} {v.words}" + (f" ({v.period_label})" if v.period_label else "") for v in latest) + ".",
        "width": label_w + plot_w + 260,
        "height": axis_y + 46,
        "label_w": label_w,
        "plot_w": plot_w,
        "bars": bars,
        "axis_y": axis_y,
        "zero_x": x(0),
        "top": top,
        "ticks": [{"x": x(t), "label": short_number(t)} for t in ticks],
        "axis_label": (counted if unit == NUM else None) or _unit_word(unit) or "value",
        "left_out": left_out,
        "cut": total - len(latest),
    }


def line_chart(values: list[Value], title: str, counted: str | None = None) -> dict | None:
    """A line per city over the stated periods; None unless some city has values for several periods."""
    unit, kept, _ = _chart_unit(values)
    dated = [v for v in kept if v.period is not None]
    series_of: dict[str, list[Value]] = {}
    for v in dated:
        series_of.setdefault(v.city, []).append(v)
    if not any(len({v.period_label for v in vs}) > 1 for vs in series_of.values()):
        return None  # no city has several periods: the bar chart says it all
    total = len(series_of)
    if total > MAX_LINES:  # the cities with the highest latest values
        keep = sorted(series_of, key=lambda c: -(_latest(series_of[c]).number or 0))[:MAX_LINES]
        series_of = {c: series_of[c] for c in keep}
    dated = [v for vs in series_of.values() for v in vs]
    periods = sorted({v.period_label for v in dated}, key=period_key)
    nums = [v.number or 0.0 for v in dated]
    ticks = nice_ticks(min(0.0, *nums), max(0.0, *nums))
    lo, hi = ticks[0], ticks[-1]
    left, top, plot_w, plot_h = 86, 16, 440, 220
    step = plot_w / max(1, len(periods) - 1)

    def px(label: str) -> float:
        return round(left + step * periods.index(label), 1) if len(periods) > 1 else left + plot_w / 2

    def py(n: float) -> float:
        return round(top + plot_h - plot_h * (n - lo) / (hi - lo), 1)

    series = []
    ordered = sorted(series_of.values(), key=lambda vs: vs[0].city_label.lower())
    for i, vs in enumerate(ordered):
        vs = sorted(vs, key=lambda v: period_key(v.period_label))
        points = [{"x": px(v.period_label), "y": py(v.number or 0), "v": v} for v in vs]
        last = points[-1]
        series.append({
            "city": vs[0].city_label,
            "label": _clip(vs[0].city_label, 20),
            "colour": PALETTE[i % len(PALETTE)],
            "points": points,
            "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
            "end_x": last["x"] + 8,
            "end_y": last["y"] + 4,
        })
    # End labels at least 14 px apart, so that lines ending close together stay readable.
    previous = -math.inf
    for s in sorted(series, key=lambda s: (s["end_y"], s["city"])):
        s["end_y"] = round(max(s["end_y"], previous + 14), 1)
        previous = s["end_y"]
    return {
        "title": title,
        "desc": "Lines, one per city, over the periods " + ", ".join(periods) + ": " + "; ".join(
            s["city"] + " " + ", ".join(f"{p['v'].period_label} {p['v'].words}" for p in s["points"])
            for s in series) + ".",
        "width": left + plot_w + 170,
        "height": max(top + plot_h + 56, int(previous) + 10),
        "left": left,
        "top": top,
        "plot_w": plot_w,
        "bottom": top + plot_h,
        "periods": [{"x": px(p), "label": p} for p in periods],
        "ticks": [{"y": py(t), "label": short_number(t)} for t in ticks],
        "axis_label": (counted if unit == NUM else None) or _unit_word(unit) or "value",
        "series": series,
        "undated": sorted({v.city_label for v in kept if v.period is None}),
        "cut": total - len(series_of),
    }
