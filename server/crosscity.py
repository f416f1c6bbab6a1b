"""Cross-city views: an indicator across cities (table, SVG chart, CSV), a theme's cities, a comparison.

Everything goes through the Store interface, so the pages work on a remote store too.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, abort, render_template, request

from server import conneg, queries
from server.app import state
from server.queries import SDMX_ATTR, SDMX_DIM, SDMX_MEASURE, iri, labels, local_name, qualified

bp = Blueprint("crosscity", __name__)

S = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MATCHES = ("closeMatch", "exactMatch", "relatedMatch", "broadMatch", "narrowMatch")


@dataclass
class Value:
    city: str
    city_label: str
    period: str | None
    value: str
    unit: str | None
    words: str
    qualifier: str | None
    qualifier_label: str
    source: str | None
    observation: str


def _period_label(period: str | None) -> str:
    return period.rsplit("/", 1)[-1] if period else ""


def indicator_values(indicator: str) -> list[Value]:
    kg = state()
    t = kg.policy.term
    rows = kg.store.select(f"""SELECT ?obs ?city ?value ?unit ?qual ?source ?period WHERE {{
        ?obs <{t("indicator")}> {iri(indicator)} ; <{SDMX_DIM}refArea> ?city ; <{SDMX_MEASURE}obsValue> ?value .
        OPTIONAL {{ ?obs <{SDMX_ATTR}unitMeasure> ?unit }}
        OPTIONAL {{ ?obs <{t("valueQualifier")}> ?qual }}
        OPTIONAL {{ ?obs <{t("sourceText")}> ?source }}
        OPTIONAL {{ ?obs <{SDMX_DIM}refPeriod> ?period }} }}""")
    names = labels(kg.store, {r[k].value for r in rows for k in ("city", "qual") if k in r})
    out: dict[str, Value] = {}
    for r in rows:
        obs = r["obs"].value
        if obs in out:
            continue
        unit = r["unit"].value if "unit" in r else None
        qual = r["qual"].value if "qual" in r else None
        city = r["city"].value
        out[obs] = Value(
            city=city,
            city_label=names.exact(city, "en") or names.get(city) or local_name(city),
            period=r["period"].value if "period" in r else None,
            value=r["value"].value,
            unit=unit,
            words=qualified(r["value"].value, unit, names.get(qual) if qual else None, qual),
            qualifier=qual,
            qualifier_label=(names.get(qual) or local_name(qual)) if qual else "",
            source=r["source"].value if "source" in r else None,
            observation=obs,
        )
    return sorted(out.values(), key=lambda v: (v.city_label.lower(), v.period or ""))


def _number(text: str) -> float | None:
    try:
        return float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def bar_chart(values: list[Value], title: str) -> dict:
    """Geometry of a horizontal bar chart: the latest value of each city (periodless values count)."""
    latest: dict[str, Value] = {}
    for v in values:
        if _number(v.value) is None:
            continue
        if v.city not in latest or (v.period or "") > (latest[v.city].period or ""):
            latest[v.city] = v
    bars = sorted(latest.values(), key=lambda v: -(_number(v.value) or 0))
    top = max((_number(v.value) or 0 for v in bars), default=0) or 1
    row, label_w, plot_w = 28, 170, 360
    return {
        "title": title,
        "width": label_w + plot_w + 150,
        "height": row * len(bars) + 40,
        "label_w": label_w,
        "bars": [
            {"y": 10 + i * row, "w": max(1.0, plot_w * (_number(v.value) or 0) / top), "v": v,
             "period": _period_label(v.period)}
            for i, v in enumerate(bars)
        ],
        "axis_y": 10 + row * len(bars) + 4,
        "plot_w": plot_w,
    }


def _concept(uri: str) -> tuple[str, str | None, list[tuple[str, str]]]:
    kg = state()
    rows = kg.store.select(f"""SELECT ?p ?o WHERE {{ {iri(uri)} ?p ?o }}""")
    label = definition = None
    matches = []
    for r in rows:
        p, o = r["p"].value, r["o"]
        if p == f"{SKOS}prefLabel" and (o.lang or "en") == "en":
            label = o.value
        elif p == f"{SKOS}definition" and (o.lang or "en") == "en":
            definition = o.value
        elif p.startswith(SKOS) and local_name(p) in MATCHES or p == kg.policy.term("euDataTheme"):
            matches.append((queries.humanize(local_name(p)), o.value))
    return label or local_name(uri), definition, sorted(matches)


def _html(template: str, **context) -> Response:
    resp = Response(render_template(template, **context), content_type="text/html; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    return resp


def indicator_page(uri: str) -> Response:
    label, definition, matches = _concept(uri)
    values = indicator_values(uri)
    unit = next((v.unit for v in values if v.unit), None)
    unit_word = queries.UNITS.get(unit or "", ("", queries.humanize(local_name(unit)) if unit else ""))[1]
    return _html("indicator.html", title=label, uri=uri, definition=definition, matches=matches, values=values,
                 unit_word=unit_word, chart=bar_chart(values, f"{label}: latest value per city"),
                 csv_href=f"{request.script_root}{request.path.rsplit('.', 1)[0]}.csv")


@bp.route("/def/indicator/<slug>.csv")
def indicator_csv(slug: str) -> Response:
    kg = state()
    uri = f"{kg.policy.base}/def/indicator/{slug}"
    if not queries.exists(kg.store, uri):
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["city", "city_uri", "period", "value", "unit", "qualifier", "source", "observation_uri"])
    for v in indicator_values(uri):
        writer.writerow([v.city_label, v.city, _period_label(v.period), v.value,
                         local_name(v.unit) if v.unit else "", local_name(v.qualifier) if v.qualifier else "",
                         v.source or "", v.observation])
    resp = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = f'inline; filename="{slug}.csv"'
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def theme_page(uri: str) -> Response:
    kg = state()
    label, definition, matches = _concept(uri)
    t = kg.policy.term
    rows = kg.store.select(f"""SELECT ?city ?n ?title WHERE {{ ?city <{t("seeksCooperationOn")}> {iri(uri)} .
        OPTIONAL {{ ?city <{t("hasNarrative")}> ?n . ?n <http://purl.org/dc/terms/title> ?title }} }}""")
    names = labels(kg.store, {r["city"].value for r in rows})
    cities: dict[str, dict] = {}
    for r in rows:
        c = r["city"].value
        entry = cities.setdefault(c, {"uri": c, "label": names.exact(c, "en") or names.get(c) or local_name(c),
                                      "narratives": []})
        if "n" in r and (r["n"].value, r["title"].value) not in entry["narratives"]:
            entry["narratives"].append((r["n"].value, r["title"].value))
    ordered = sorted(cities.values(), key=lambda c: c["label"].lower())
    return _html("theme.html", title=label, uri=uri, definition=definition, matches=matches, cities=ordered)


def _city_uri(text: str) -> str | None:
    kg = state()
    text = text.strip()
    uri = text if text.startswith(("http://", "https://")) else f"{kg.policy.base}/id/city/{text}"
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", uri):
        return None
    return uri if queries.exists(kg.store, uri) else None


@bp.route("/compare")
def compare() -> Response:
    kg = state()
    t = kg.policy.term
    all_cities = kg.store.select(f"SELECT DISTINCT ?c WHERE {{ ?c a <{S}City> }}")
    all_names = labels(kg.store, {r["c"].value for r in all_cities})
    choices = sorted(({"uri": r["c"].value, "slug": r["c"].value.rsplit("/", 1)[-1],
                       "label": all_names.exact(r["c"].value, "en") or all_names.get(r["c"].value)
                       or local_name(r["c"].value)} for r in all_cities), key=lambda c: c["label"].lower())
    asked = [c for c in request.args.getlist("city") if c.strip()][:8]
    error = None
    selected: list[str] = []
    for text in asked:
        uri = _city_uri(text)
        if uri is None:
            error = f"unknown city: {text}"
            break
        if uri not in selected:
            selected.append(uri)
    if not error and asked and len(selected) < 2:
        error = "choose at least two different cities to compare"
    if error or not asked:
        resp = _html("compare.html", title="Compare cities", choices=choices, error=error, columns=[], rows=[],
                     themes=[], industries=[])
        if error:
            resp.status_code = 400
        return resp

    names = labels(kg.store, selected)
    columns = [{"uri": c, "label": names.exact(c, "en") or names.get(c) or local_name(c)} for c in selected]
    table: dict[str, dict[str, queries.Indicator]] = {}
    order: dict[str, str] = {}
    for c in selected:
        for ind in queries.indicators(kg.store, kg.policy, c):
            current = table.setdefault(ind.indicator, {}).get(c)
            if current is None or (ind.period or "") > (current.period or ""):
                table[ind.indicator][c] = ind
            order[ind.indicator] = ind.label
    first = ["population", "area"]
    rows = sorted(table.items(), key=lambda kv: (
        first.index(local_name(kv[0])) if local_name(kv[0]) in first else len(first), order[kv[0]].lower()))
    theme_sets, industry_sets = {}, {}
    for c in selected:
        theme_sets[c] = {r["t"].value for r in kg.store.select(
            f"SELECT ?t WHERE {{ {iri(c)} <{t('seeksCooperationOn')}> ?t }}")}
        industry_sets[c] = {r["i"].value for r in kg.store.select(
            f"SELECT ?i WHERE {{ {iri(c)} <{t('leadingIndustry')}> ?i }}")}
    concept_names = labels(kg.store, set().union(*theme_sets.values(), *industry_sets.values()))

    def grid(sets: dict[str, set[str]]) -> list[dict]:
        everything = sorted(set().union(*sets.values()), key=lambda u: (concept_names.get(u) or u).lower())
        return [{"uri": u, "label": concept_names.get(u) or local_name(u),
                 "cells": [u in sets[c] for c in selected], "shared": all(u in sets[c] for c in selected)}
                for u in everything]

    return _html("compare.html", title="Compare: " + ", ".join(col["label"] for col in columns), choices=choices,
                 error=None, columns=columns, selected=selected,
                 rows=[{"uri": ind, "label": order[ind], "cells": [cells.get(c) for c in selected]}
                       for ind, cells in rows],
                 themes=grid(theme_sets), industries=grid(industry_sets))


def wants_html(ext: str | None) -> bool:
    if ext:
        return ext == "html"
    return conneg.negotiate(request.headers.get("Accept"), conneg.DOCUMENT_OFFERS) == conneg.HTML
