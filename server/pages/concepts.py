"""What the cross-city pages read: observations of an indicator, concepts and their matches."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from citykg.server import queries
from citykg.server.appstate import CityKG
from citykg.server.queries import SDMX_ATTR, SDMX_DIM, SDMX_MEASURE, iri, labels, local_name, qualified

S = "https://schema.org/"


SKOS = "http://www.w3.org/2004/02/skos/core#"


PROV = "http://www.w3.org/ns/prov#"


MATCHES = ("exactMatch", "closeMatch", "relatedMatch", "broadMatch", "narrowMatch")


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


def indicator_values(kg: CityKG, indicator: str) -> list[Value]:
    """Every observation of the indicator: cities by their latest value (highest first), then periods."""
    t = kg.policy.term
    rows = kg.store.select(f"""SELECT ?obs ?city ?value ?unit ?qual ?stated ?source ?from ?period ?counted WHERE {{
        ?obs <{t("indicator")}> {iri(indicator)} ; <{SDMX_DIM}refArea> ?city ; <{SDMX_MEASURE}obsValue> ?value .
        OPTIONAL {{ ?obs <{SDMX_ATTR}unitMeasure> ?unit }}
        OPTIONAL {{ ?obs <{t("valueQualifier")}> ?qual }}
        OPTIONAL {{ ?obs <{t("statedAs")}> ?stated }}
        OPTIONAL {{ ?obs <{t("sourceText")}> ?source }}
        OPTIONAL {{ ?obs <{PROV}wasDerivedFrom> ?from }}
        OPTIONAL {{ ?obs <{SDMX_DIM}refPeriod> ?period }}
        OPTIONAL {{ {iri(indicator)} <{t("countedIn")}> ?counted }} }}""")
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
            words=qualified(r["value"].value, unit, names.get(qual) if qual else None, qual,
                            r["counted"].value if "counted" in r else None),
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
    counted: str | None = None  # what a count counts (ckg:countedIn): TEU
    scheme: str | None = None
    broader: list[tuple[str, str]] = field(default_factory=list)  # (uri, label)
    narrower: list[tuple[str, str]] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)  # {"relation", "uri", "text"}


def _match_text(kg: CityKG, uri: str, names: queries.Labels) -> str:
    if uri.startswith(EU_THEME_NS):
        code = local_name(uri)
        return f"{names.get(uri) or EU_THEMES.get(code, code)} ({code})"  # the relation says "EU data theme"
    m = re.fullmatch(r"https?://metadata\.un\.org/sdg/(\d+)(?:\.(\w+))?(?:\.(\w+))?", uri)
    if m:
        if m[3]:
            return f"SDG indicator {m[1]}.{m[2]}.{m[3]}"
        return f"SDG target {m[1]}.{m[2]}" if m[2] else f"SDG {m[1]}"
    m = re.fullmatch(r"https?://www\.wikidata\.org/(?:entity|prop/direct|wiki/Property:)/?(P\d+|Q\d+)", uri)
    if m:
        label = names.get(uri)
        return f"Wikidata {m[1]}" + (f" ({label})" if label else "")
    return names.get(uri) or queries.compact(uri, kg.policy.prefixes())


def concept(kg: CityKG, uri: str) -> Concept:
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
        elif p == str(kg.policy.term("countedIn")) and english:
            c.counted = o.value
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
            c.matches.append({"relation": relation, "uri": u, "text": _match_text(kg, u, names)})
    c.alt_labels.sort()
    return c


def is_indicator(kg: CityKG, uri: str) -> bool:
    """In the indicator scheme, or at least the indicator of some observation."""
    return kg.store.ask(f"""ASK {{ {{ {iri(uri)} <{SKOS}inScheme> <{kg.policy.base}/def/indicator> }} UNION
        {{ ?obs <{kg.policy.term("indicator")}> {iri(uri)} }} }}""")
