"""Cross-city pages: an indicator across cities, a theme's cities, a comparison of cities.

- ``/def/indicator/{slug}``: the concept, every city's values and periods with qualifiers in words,
  a bar chart of each city's latest value and, when a city has several periods, a line per city.
- ``/def/theme/{slug}``: the theme, its SDG / EU data theme matches, the cities that seek
  cooperation on it with their narratives.
- ``/compare?city=a&city=b[&city=…]``: cities side by side (slugs or URIs).

Everything goes through `Store.select`/`Store.ask`, so the pages work on a remote store too.
"""

from __future__ import annotations

import contextlib
import math
import re
from urllib.parse import quote, urlencode

from citykg.server import formats, queries
from citykg.server.appstate import CityKG
from citykg.server.pages.charts import _unit_word, bar_chart, line_chart
from citykg.server.pages.concepts import (
    CSV_COLUMNS,
    SLUG,
    S,
    _city_label,
    _number,
    concept,
    indicator_values,
    period_key,
    period_label,
)
from citykg.server.pages.documents import alternates
from citykg.server.queries import DCT, iri, labels, local_name
from citykg.server.urls import UrlMapper

#: The most cities one comparison takes.
MAX_COMPARE = 12


#: Above this many cities the comparison form asks for names instead of listing checkboxes.
MAX_CHECKBOXES = 60


#: What url_for leaves unquoted in a path segment and in a query (werkzeug's converters and
#: query encoding), so the links built here are the ones Flask built.
_PATH_SAFE = "!$&'()*+,/:;=@"


_QUERY_SAFE = "!$'()*,/:;?@"


def compare_link(urls: UrlMapper, pairs: list[tuple[str, str]]) -> str:
    """The path of the comparison with these query parameters (``city``, ``with``)."""
    return urls.local("/compare?" + urlencode(pairs, safe=_QUERY_SAFE))


def _alternates(urls: UrlMapper, uri: str) -> list[dict]:
    path = urls.path(uri)
    return alternates(path, formats.RDF) if path else []


def indicator_page(kg: CityKG, urls: UrlMapper, uri: str) -> dict:
    """The indicator across cities: its concept, every city's values, the charts."""
    c = concept(kg, uri)
    values = indicator_values(kg, uri)
    unit = c.unit or next((v.unit for v in values if v.unit), None)
    csv_href = urls.local(f"/def/indicator/{quote(local_name(uri), safe=_PATH_SAFE)}.csv")
    return dict(title=c.label, uri=uri, concept=c, values=values, unit_word=c.counted or _unit_word(unit),
                unit=unit, cities=len({v.city for v in values}),
                bars=bar_chart(values, f"{c.label}: latest value of each city", c.counted),
                lines=line_chart(values, f"{c.label} over time", c.counted),
                csv_href=csv_href, alternates=_alternates(urls, uri))


def indicator_rows(kg: CityKG, uri: str) -> list[list[str]]:
    """The indicator's table as CSV rows (header first)."""
    rows = [list(CSV_COLUMNS)]
    for v in indicator_values(kg, uri):
        rows.append([v.city_label, v.city, v.period_label, v.value,
                     local_name(v.unit) if v.unit else "", local_name(v.qualifier) if v.qualifier else "",
                     v.source or "", v.observation])
    return rows


def _excerpt(text: str | None, size: int = 320) -> str | None:
    if not text or len(text) <= size:
        return text
    cut = text[:size].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def theme_page(kg: CityKG, urls: UrlMapper, uri: str) -> dict:
    """The theme, the cities that seek cooperation on it and, under each, only the narratives that speak
    of it (``dct:subject`` the theme: the build links a narrative to each theme of its city whose labels
    or keywords it uses), with how many other narratives the city has."""
    c = concept(kg, uri)
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
                                         "others": set(), "slug": local_name(city)})
        if "n" not in r:
            continue
        n = r["n"].value
        if "on" not in r:
            entry["others"].add(n)
            continue
        entry["narratives"].setdefault(n, {
            "uri": n,
            "title": r["title"].value if "title" in r else names.get(n) or local_name(n),
            "text": _excerpt(r["text"].value if "text" in r else None),
            "position": _number(r["pos"].value) if "pos" in r else None,
            "on_theme": True,
        })
    ordered = sorted(cities.values(), key=lambda e: e["label"].lower())
    for e in ordered:
        e["others"] = len(e["others"] - set(e["narratives"]))
        e["narratives"] = sorted(e["narratives"].values(), key=lambda n: (
            n["position"] if n["position"] is not None else math.inf, n["title"].lower()))
    compare_href = None
    if len(ordered) > 1:
        compare_href = compare_link(urls, [("city", e["slug"]) for e in ordered[:MAX_COMPARE]])
    return dict(title=c.label, uri=uri, concept=c, cities=ordered, compare_href=compare_href,
                alternates=_alternates(urls, uri))


class CompareError(ValueError):
    """Cities that cannot be compared; `context` is the form to show again with the message."""

    context: dict | None = None


def city_choices(kg: CityKG) -> list[dict]:
    """Every city of the release, by name (kept per worker: the release does not change)."""
    cached = kg.derived.get("crosscity_cities")
    if cached is None:
        rows = kg.store.select(f"SELECT DISTINCT ?c WHERE {{ ?c a <{S}City> . FILTER(isIRI(?c)) }}")
        uris = {r["c"].value for r in rows}
        names = labels(kg.store, uris)
        cities = ({"uri": u, "slug": local_name(u), "label": _city_label(names, u)} for u in uris)
        cached = sorted(cities, key=lambda c: (c["label"].lower(), c["uri"]))
        kg.derived["crosscity_cities"] = cached
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


def _concept_sets(kg: CityKG, cities: list[str], predicate: str) -> dict[str, set[str]]:
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


def compare_page(kg: CityKG, urls: UrlMapper, asked: list[str], preselect: list[str]) -> dict:
    """The comparison of the cities `asked` (slugs, URIs or page links), with the cities of
    `preselect` ticked in the form; raises CompareError."""
    choices = city_choices(kg)
    asked = [c for c in asked if c.strip()]
    preselected = []
    for text in preselect[:MAX_COMPARE]:
        with contextlib.suppress(CompareError):  # a bad preselection just ticks nothing
            preselected.append(resolve_city(text, choices))
    context = {"title": "Compare cities", "choices": choices, "selected": preselected, "error": None,
               "columns": [], "rows": [], "themes": [], "industries": [], "max_compare": MAX_COMPARE,
               "checkboxes": len(choices) <= MAX_CHECKBOXES, "csv_href": None,
               "lonely": len(choices) < 2, "only": choices[0] if len(choices) == 1 else None}
    if not asked:
        return context
    if len(choices) < 2:
        only = f"one city, {choices[0]['label']}" if choices else "no city"
        exc = CompareError(f"This release has {only}: a comparison needs at least two cities.")
        exc.context = {**context, "error": str(exc)}
        raise exc
    try:
        selected = selected_cities(asked, choices)
    except CompareError as exc:
        exc.context = {**context, "error": str(exc)}
        raise

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
    themes = _concept_sets(kg, selected, str(kg.policy.term("seeksCooperationOn")))
    industries = _concept_sets(kg, selected, str(kg.policy.term("leadingIndustry")))
    concept_names = labels(kg.store, set().union(*themes.values(), *industries.values()))
    names = [col["label"] for col in columns]
    title = (", ".join(names[:-1]) + " and " + names[-1]) + " compared"
    slug_of = {c["uri"]: c["slug"] for c in choices}
    csv_href = urls.local("/compare.csv?" + urlencode([("city", slug_of[c]) for c in selected], safe=_QUERY_SAFE))
    return ({**context, "title": title, "selected": selected, "columns": columns,
                                    "rows": rows, "themes": _grid(themes, selected, concept_names),
                                    "industries": _grid(industries, selected, concept_names), "csv_href": csv_href})


#: The columns of the comparison as CSV: one row per city and indicator (the latest value).
COMPARE_COLUMNS = ("indicator", "indicator_uri", "city", "city_uri", "period", "value", "unit", "qualifier", "words",
                   "observation_uri")


def compare_rows(kg: CityKG, urls: UrlMapper, asked: list[str]) -> list[list[str]]:
    """The comparison's indicator table as CSV rows (header first): every indicator of the cities, each
    city's latest value, in the order of the page; raises CompareError as the page does."""
    context = compare_page(kg, urls, asked, [])
    out = [list(COMPARE_COLUMNS)]
    for row in context["rows"]:
        for col, cell in zip(context["columns"], row["cells"], strict=True):
            if cell is None:
                continue
            unit = local_name(cell.unit) if cell.unit else ""
            qualifier = local_name(cell.qualifier) if cell.qualifier else ""
            out.append([row["label"], row["uri"], col["label"], col["uri"], period_label(cell.period), cell.value,
                        unit, qualifier, cell.words, cell.observation])
    return out


def compare_href(kg: CityKG, urls: UrlMapper, uri: str) -> str | None:
    """The comparison form with this city ticked, for a city's page; None for anything else."""
    prefix = f"{kg.policy.base}/id/city/"
    if not isinstance(uri, str) or not uri.startswith(prefix) or not SLUG.match(uri[len(prefix):]):
        return None
    if len(city_choices(kg)) < 2:
        return None
    return compare_link(urls, [("with", uri[len(prefix):])])
