"""Cross-city views: an indicator across cities (table, SVG charts, CSV), a theme's cities, a comparison.

- ``/def/indicator/{slug}`` (HTML; `server.views.definition` hands it over): the concept, every
  city's values and periods with qualifiers in words, a bar chart of each city's latest value and,
  when a city has several periods, a line per city over the periods; ``….csv`` the same table.
- ``/def/theme/{slug}`` (HTML): the theme, its SDG / EU data theme matches, the cities that seek
  cooperation on it with their narratives.
- ``/compare?city=a&city=b[&city=…]``: cities side by side (slugs or URIs).

Everything goes through `Store.select`/`Store.ask`, so the pages work on a remote store too; HTTP
behaviour (ETag, gzip, CSP, CORS, caching) comes from `server.http`. Charts are computed here and
drawn by the templates (inline SVG, no script).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, abort, render_template, request, url_for

from citykg.server import conneg, queries
from citykg.server.app import state
from citykg.server.queries import DCT, SDMX_ATTR, SDMX_DIM, SDMX_MEASURE, iri, labels, local_name, qualified

bp = Blueprint("crosscity", __name__)

S = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
MATCHES = ("exactMatch", "closeMatch", "relatedMatch", "broadMatch", "narrowMatch")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The most cities one comparison takes.
MAX_COMPARE = 12
#: Charts stay readable: at most this many bars (the highest values) and lines.
MAX_BARS = 40
MAX_LINES = 10
#: Above this many cities the comparison form asks for names instead of listing checkboxes.
MAX_CHECKBOXES = 60
CSV_COLUMNS = ("city", "city_uri", "period", "value", "unit", "qualifier", "source", "observation_uri")

#: Names of the EU data themes (http://publications.europa.eu/resource/authority/data-theme).
EU_THEMES = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "JUST": "Justice, legal system and public safety",
    "OP_DATPRO": "Provisional data",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
}
EU_THEME_NS = "http://publications.europa.eu/resource/authority/data-theme/"
#: Series colours (Okabe-Ito, readable by people with colour-vision deficiencies).
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#7f6000")


# -- reading ---------------------------------------------------------------------------------


@dataclass
class Value:
    """One observation of an indicator, as the page, the chart and the CSV show it."""

    city: str
    city_label: str
    period: str | None
    period_label: str
    value: str
    number: float | None
    unit: str | None
    words: str
    qualifier: str | None
    stated: str | None
    source: str | None
    derived_from: str | None
    derived_label: str | None
    observation: str


def period_label(period: str | None) -> str:
    """``http://reference.data.gov.uk/id/year/2020`` -> ``2020`` (``2021-Q4``, ``2021-05``)."""
    return period.rstrip("/").rsplit("/", 1)[-1] if period else ""


def period_key(label: str) -> tuple:
    """Chronological order of period labels: a year before its quarters, a quarter before its months."""
    m = re.fullmatch(r"(\d{4})(?:-Q([1-4])|-(\d{2}))?", label)
    if not m:
        return (1, label)
    year, quarter, month = int(m[1]), m[2], m[3]
    if quarter:
        return (0, year, 3 * int(quarter) - 2, -3)
    if month:
        return (0, year, int(month), -1)
    return (0, year, 1, -12)


def _number(text: str) -> float | None:
    try:
        n = float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None
    return n if math.isfinite(n) else None


def _city_label(names: queries.Labels, uri: str) -> str:
    return names.exact(uri, "en") or names.get(uri) or local_name(uri)


def indicator_values(indicator: str) -> list[Value]:
    """Every observation of the indicator: cities by their latest value (highest first), then periods."""
    kg = state()
    t = kg.policy.term
    rows = kg.store.select(f"""SELECT ?obs ?city ?value ?unit ?qual ?stated ?source ?from ?period WHERE {{
        ?obs <{t("indicator")}> {iri(indicator)} ; <{SDMX_DIM}refArea> ?city ; <{SDMX_MEASURE}obsValue> ?value .
        OPTIONAL {{ ?obs <{SDMX_ATTR}unitMeasure> ?unit }}
        OPTIONAL {{ ?obs <{t("valueQualifier")}> ?qual }}
        OPTIONAL {{ ?obs <{t("statedAs")}> ?stated }}
        OPTIONAL {{ ?obs <{t("sourceText")}> ?source }}
        OPTIONAL {{ ?obs <{PROV}wasDerivedFrom> ?from }}
        OPTIONAL {{ ?obs <{SDMX_DIM}refPeriod> ?period }} }}""")
    wanted = {r[k].value for r in rows for k in ("city", "qual", "from") if k in r and r[k].is_uri}
    names = labels(kg.store, wanted)
    out: dict[str, Value] = {}
    for r in rows:
        obs = r["obs"].value
        if obs in out:
            continue
        unit = r["unit"].value if "unit" in r else None
        qual = r["qual"].value if "qual" in r else None
        derived = r["from"].value if "from" in r and r["from"].is_uri else None
        period = r["period"].value if "period" in r else None
        out[obs] = Value(
            city=r["city"].value,
            city_label=_city_label(names, r["city"].value),
            period=period,
            period_label=period_label(period),
            value=r["value"].value,
            number=_number(r["value"].value),
            unit=unit,
            words=qualified(r["value"].value, unit, names.get(qual) if qual else None, qual),
            qualifier=qual,
            stated=r["stated"].value if "stated" in r else None,
            source=r["source"].value if "source" in r else None,
            derived_from=derived,
            derived_label=names.get(derived) if derived else None,
            observation=obs,
        )
    by_city: dict[str, list[Value]] = {}
    for v in out.values():
        by_city.setdefault(v.city, []).append(v)
    for vs in by_city.values():
        vs.sort(key=lambda v: (v.period is not None, period_key(v.period_label), v.observation))

    def rank(vs: list[Value]) -> tuple:
        latest = _latest(vs)
        n = latest.number if latest else None
        return (n is None, -(n or 0), vs[0].city_label.lower(), vs[0].city)

    return [v for vs in sorted(by_city.values(), key=rank) for v in vs]


def _latest(values: list[Value]) -> Value | None:
    """The value of the latest period (a stated period beats none); only numbers count."""
    numeric = [v for v in values if v.number is not None]
    if not numeric:
        return None
    return max(numeric, key=lambda v: (v.period is not None, period_key(v.period_label)))


@dataclass
class Concept:
    uri: str
    label: str
    definition: str | None = None
    alt_labels: list[str] = field(default_factory=list)
    unit: str | None = None
    scheme: str | None = None
    broader: list[tuple[str, str]] = field(default_factory=list)  # (uri, label)
    narrower: list[tuple[str, str]] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)  # {"relation", "uri", "text"}


def _match_text(uri: str, names: queries.Labels) -> str:
    if uri.startswith(EU_THEME_NS):
        code = local_name(uri)
        return f"EU data theme: {names.get(uri) or EU_THEMES.get(code, code)} ({code})"
    m = re.fullmatch(r"https?://metadata\.un\.org/sdg/(\d+)(?:\.(\w+))?(?:\.(\w+))?", uri)
    if m:
        if m[3]:
            return f"SDG indicator {m[1]}.{m[2]}.{m[3]}"
        return f"SDG target {m[1]}.{m[2]}" if m[2] else f"SDG {m[1]}"
    m = re.fullmatch(r"https?://www\.wikidata\.org/(?:entity|prop/direct|wiki/Property:)/?(P\d+|Q\d+)", uri)
    if m:
        label = names.get(uri)
        return f"Wikidata {m[1]}" + (f" ({label})" if label else "")
    return names.get(uri) or queries.compact(uri, state().policy.prefixes())


def concept(uri: str) -> Concept:
    kg = state()
    rows = kg.store.select(f"""SELECT ?p ?o WHERE {{ {{ {iri(uri)} ?p ?o }} UNION
        {{ ?o <{SKOS}broader> {iri(uri)} BIND(<urn:citykg:narrower> AS ?p) }} }}""")
    c = Concept(uri=uri, label=local_name(uri))
    unit_p, eu_p = str(kg.policy.term("unit")), str(kg.policy.term("euDataTheme"))  # URIRef != str
    label = None
    related: list[tuple[str, str]] = []
    for r in rows:
        p, o = r["p"].value, r["o"]
        english = o.is_literal and (o.lang or "en").lower().startswith("en")
        if p == f"{SKOS}prefLabel" and english:
            label = o.value
        elif p == f"{SKOS}definition" and english:
            c.definition = o.value
        elif p == f"{SKOS}altLabel" and english:
            c.alt_labels.append(o.value)
        elif p == unit_p and o.is_uri:
            c.unit = o.value
        elif p == f"{SKOS}inScheme" and o.is_uri:
            c.scheme = o.value
        elif p == f"{SKOS}broader" and o.is_uri:
            related.append(("broader", o.value))
        elif p == "urn:citykg:narrower" and o.is_uri:
            related.append(("narrower", o.value))
        elif o.is_uri and (p.startswith(SKOS) and local_name(p) in MATCHES or p == eu_p):
            related.append((p, o.value))
    names = labels(kg.store, {u for _, u in related})
    c.label = label or names.get(uri) or local_name(uri)
    for kind, u in sorted(set(related)):
        if kind in ("broader", "narrower"):
            getattr(c, kind).append((u, names.get(u) or local_name(u)))
        else:
            relation = "EU data theme" if kind == eu_p else queries.humanize(local_name(kind))
            c.matches.append({"relation": relation, "uri": u, "text": _match_text(u, names)})
    c.alt_labels.sort()
    return c


def is_indicator(uri: str) -> bool:
    """In the indicator scheme, or at least the indicator of some observation."""
    kg = state()
    return kg.store.ask(f"""ASK {{ {{ {iri(uri)} <{SKOS}inScheme> <{kg.policy.base}/def/indicator> }} UNION
        {{ ?obs <{kg.policy.term("indicator")}> {iri(uri)} }} }}""")


# -- charts ----------------------------------------------------------------------------------


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


def bar_chart(values: list[Value], title: str) -> dict | None:
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
        "axis_label": _unit_word(unit) or "value",
        "left_out": left_out,
        "cut": total - len(latest),
    }


def line_chart(values: list[Value], title: str) -> dict | None:
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
        "axis_label": _unit_word(unit) or "value",
        "series": series,
        "undated": sorted({v.city_label for v in kept if v.period is None}),
        "cut": total - len(series_of),
    }


# -- pages -----------------------------------------------------------------------------------


def _html(template: str, status: int = 200, **context) -> Response:
    return Response(render_template(template, **context), status=status, content_type="text/html; charset=utf-8")


def _compare_page(status: int = 200, **context) -> Response:
    resp = _html("compare.html", status, **context)
    resp.headers["Vary"] = "Accept"  # an error comes as a page or in the format asked for
    return resp


def _alternates(uri: str) -> list[dict]:
    from citykg.server.views import alternates, served_path

    path = served_path(uri)
    return alternates(path, (conneg.TURTLE, conneg.JSONLD, conneg.RDFXML, conneg.NTRIPLES)) if path else []


def indicator_page(uri: str) -> Response:
    c = concept(uri)
    values = indicator_values(uri)
    unit = c.unit or next((v.unit for v in values if v.unit), None)
    csv_href = url_for("crosscity.indicator_csv", slug=local_name(uri))
    return _html("indicator.html", title=c.label, uri=uri, concept=c, values=values, unit_word=_unit_word(unit),
                 unit=unit, cities=len({v.city for v in values}),
                 bars=bar_chart(values, f"{c.label}: latest value of each city"),
                 lines=line_chart(values, f"{c.label} over time"),
                 csv_href=csv_href, alternates=_alternates(uri))


@bp.route("/def/indicator/<slug>.csv")
def indicator_csv(slug: str) -> Response:
    kg = state()
    uri = f"{kg.policy.base}/def/indicator/{slug}"
    if not SLUG.match(slug) or not is_indicator(uri):
        abort(404, f"no indicator {slug!r} in this release")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for v in indicator_values(uri):
        writer.writerow([v.city_label, v.city, v.period_label, v.value,
                         local_name(v.unit) if v.unit else "", local_name(v.qualifier) if v.qualifier else "",
                         v.source or "", v.observation])
    resp = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return resp


def _excerpt(text: str | None, size: int = 320) -> str | None:
    if not text or len(text) <= size:
        return text
    cut = text[:size].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def theme_page(uri: str) -> Response:
    kg = state()
    c = concept(uri)
    t = kg.policy.term
    rows = kg.store.select(f"""SELECT ?city ?n ?title ?text ?pos ?on WHERE {{
        ?city <{t("seeksCooperationOn")}> {iri(uri)} .
        OPTIONAL {{ ?city <{t("hasNarrative")}> ?n .
          OPTIONAL {{ ?n <{DCT}title> ?title FILTER(lang(?title) = "" || langMatches(lang(?title), "en")) }}
          OPTIONAL {{ ?n <{S}text> ?text FILTER(lang(?text) = "" || langMatches(lang(?text), "en")) }}
          OPTIONAL {{ ?n <{S}position> ?pos }}
          OPTIONAL {{ ?n <{DCT}subject> ?on FILTER(?on = {iri(uri)}) }} }} }}""")
    names = labels(kg.store, {r["city"].value for r in rows} | {r["n"].value for r in rows if "n" in r})
    cities: dict[str, dict] = {}
    for r in rows:
        city = r["city"].value
        entry = cities.setdefault(city, {"uri": city, "label": _city_label(names, city), "narratives": {},
                                         "slug": local_name(city)})
        if "n" in r:
            n = r["n"].value
            entry["narratives"].setdefault(n, {
                "uri": n,
                "title": r["title"].value if "title" in r else names.get(n) or local_name(n),
                "text": _excerpt(r["text"].value if "text" in r else None),
                "position": _number(r["pos"].value) if "pos" in r else None,
                "on_theme": "on" in r,
            })
    ordered = sorted(cities.values(), key=lambda e: e["label"].lower())
    for e in ordered:
        e["narratives"] = sorted(e["narratives"].values(), key=lambda n: (
            not n["on_theme"], n["position"] if n["position"] is not None else math.inf, n["title"].lower()))
    compare_href = None
    if len(ordered) > 1:
        compare_href = url_for("crosscity.compare", city=[e["slug"] for e in ordered[:MAX_COMPARE]])
    return _html("theme.html", title=c.label, uri=uri, concept=c, cities=ordered, compare_href=compare_href,
                 alternates=_alternates(uri))


# -- comparison ------------------------------------------------------------------------------


class CompareError(ValueError):
    pass


def city_choices() -> list[dict]:
    """Every city of the release, by name (kept per worker: the release does not change)."""
    kg = state()
    cached = kg.cache.get("crosscity_cities")
    if cached is None:
        rows = kg.store.select(f"SELECT DISTINCT ?c WHERE {{ ?c a <{S}City> . FILTER(isIRI(?c)) }}")
        uris = {r["c"].value for r in rows}
        names = labels(kg.store, uris)
        cities = ({"uri": u, "slug": local_name(u), "label": _city_label(names, u)} for u in uris)
        cached = sorted(cities, key=lambda c: (c["label"].lower(), c["uri"]))
        kg.cache["crosscity_cities"] = cached
    return cached


def resolve_city(text: str, choices: list[dict]) -> str:
    """A city's URI from its slug, its URI, or a link to its page on this or any citykg server."""
    text = text.strip()
    by_uri = {c["uri"]: c["uri"] for c in choices}
    if text in by_uri:
        return text
    slug = text
    m = re.fullmatch(r"https?://[^\s/]+(?:/[^\s]*)?/(?:id|doc)/city/([a-z0-9-]+)(?:\.html)?/?", text)
    if m:
        slug = m[1]
    matches = [c["uri"] for c in choices if c["slug"] == slug.lower()]
    if len(matches) == 1:
        return matches[0]
    shown = text if len(text) <= 80 else text[:79] + "…"
    raise CompareError(f"Unknown city: “{shown}”. Pick cities from the list below.")


def selected_cities(asked: list[str], choices: list[dict]) -> list[str]:
    if len(asked) > MAX_COMPARE:
        raise CompareError(f"Too many cities: compare at most {MAX_COMPARE} at a time.")
    selected: list[str] = []
    for text in asked:
        uri = resolve_city(text, choices)
        if uri not in selected:
            selected.append(uri)
    if len(selected) < 2:
        raise CompareError("Choose at least two different cities to compare.")
    return selected


def _concept_sets(cities: list[str], predicate: str) -> dict[str, set[str]]:
    kg = state()
    values = " ".join(iri(c) for c in cities)
    rows = kg.store.select(
        f"SELECT ?c ?x WHERE {{ VALUES ?c {{ {values} }} ?c {iri(predicate)} ?x . FILTER(isIRI(?x)) }}")
    out: dict[str, set[str]] = {c: set() for c in cities}
    for r in rows:
        out[r["c"].value].add(r["x"].value)
    return out


def _grid(sets: dict[str, set[str]], cities: list[str], names: queries.Labels) -> list[dict]:
    everything = set().union(*sets.values())
    rows = []
    for u in everything:
        cells = [u in sets[c] for c in cities]
        count = sum(cells)
        rows.append({"uri": u, "label": names.get(u) or queries.humanize(local_name(u)), "cells": cells,
                     "count": count, "shared": count > 1,
                     "badge": ("shared by all" if count == len(cities) else f"shared by {count}") if count > 1 else ""})
    return sorted(rows, key=lambda r: (-r["count"], r["label"].lower()))


@bp.route("/compare")
def compare() -> Response:
    kg = state()
    choices = city_choices()
    asked = [c for c in request.args.getlist("city") if c.strip()]
    preselected = []
    for text in request.args.getlist("with")[:MAX_COMPARE]:
        with contextlib.suppress(CompareError):  # a bad preselection just ticks nothing
            preselected.append(resolve_city(text, choices))
    context = {"title": "Compare cities", "choices": choices, "selected": preselected, "error": None,
               "columns": [], "rows": [], "themes": [], "industries": [], "max_compare": MAX_COMPARE,
               "checkboxes": len(choices) <= MAX_CHECKBOXES}
    if not asked:
        return _compare_page(**context)
    try:
        selected = selected_cities(asked, choices)
    except CompareError as exc:
        if conneg.negotiate(request.headers.get("Accept"), (conneg.HTML,)) is None:
            abort(400, str(exc))
        return _compare_page(400, **{**context, "error": str(exc)})

    label_of = {c["uri"]: c["label"] for c in choices}
    columns = [{"uri": c, "label": label_of[c]} for c in selected]
    table: dict[str, dict[str, queries.Indicator]] = {}
    order: dict[str, str] = {}
    for c in selected:
        for ind in queries.indicators(kg.store, kg.policy, c):
            current = table.setdefault(ind.indicator, {}).get(c)
            if current is None or period_key(period_label(ind.period)) > period_key(period_label(current.period)):
                table[ind.indicator][c] = ind
            order[ind.indicator] = ind.label
    first = ["population", "area"]

    def row_key(uri: str) -> tuple:
        name = local_name(uri)
        return (first.index(name) if name in first else len(first), order[uri].lower(), uri)

    rows = [{"uri": ind, "label": order[ind], "cells": [table[ind].get(c) for c in selected],
             "count": sum(1 for c in selected if c in table[ind])} for ind in sorted(table, key=row_key)]
    themes = _concept_sets(selected, str(kg.policy.term("seeksCooperationOn")))
    industries = _concept_sets(selected, str(kg.policy.term("leadingIndustry")))
    concept_names = labels(kg.store, set().union(*themes.values(), *industries.values()))
    names = [col["label"] for col in columns]
    title = (", ".join(names[:-1]) + " and " + names[-1]) + " compared"
    return _compare_page(**{**context, "title": title, "selected": selected, "columns": columns,
                                    "rows": rows, "themes": _grid(themes, selected, concept_names),
                                    "industries": _grid(industries, selected, concept_names)})


@bp.app_template_global("compare_href")
def compare_href(uri: str) -> str | None:
    """The comparison form with this city ticked, for a city's page; None for anything else."""
    prefix = f"{state().policy.base}/id/city/"
    if not isinstance(uri, str) or not uri.startswith(prefix) or not SLUG.match(uri[len(prefix):]):
        return None
    if len(city_choices()) < 2:
        return None
    return url_for("crosscity.compare", **{"with": uri[len(prefix):]})
