"""The changelog between two releases (docs/release.md, "Changes between releases").

Read from the two releases' ``dataset.nq`` (never the seeds), city by city:

- observations: indicator + period -> value, unit, qualifier (+ upper bound, the figure as written
  and the source sentence), matched by the key (city, indicator, period), so that a corrected
  value is "changed", not removed and added;
- the city's other direct facts: its literal values (labels and names in each language,
  subdivision summary, coordinates of its hash nodes, the text of its narratives) matched by
  (subject, property, language),
  so a corrected label is "changed"; its links (province, leading industries, cooperation themes,
  centre roles, narratives, divisions, owl:sameAs, ...) and the things linked to it (landmarks,
  events, organisations, photos), matched by the linked IRI: added or removed;
- cities added and removed.

A fact is "changed" when its value, unit, qualifier, upper bound or language differs; a reworded
source sentence alone (the profile edited elsewhere in that sentence) changes no fact. Provenance
bookkeeping (prov:wasDerivedFrom, the reviewer's attribution, types) is not a fact of the city.
`write_changes` writes changes.json, changes.csv and changes.ttl.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from citykg.manifest import read_manifest, sha256_file
from citykg.uris import GEO, QB, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE, UriPolicy

from .validate import (
    ONTOLOGY_PACKAGE,
    ValidationError,
    ValidationReport,
    load_shapes,
    turtle_files,
    validate_store,
)

__all__ = ["FACT_FIELDS", "Changes", "CityChanges", "compare_releases", "summary_line", "to_csv", "to_graph",
           "to_json", "to_text", "to_turtle", "triples", "validate_changes", "write_changes"]

#: every key of a FACT in changes.json, in order (docs/release.md)
FACT_FIELDS = ("subject", "property", "label", "indicator", "period", "value", "unit", "qualifier", "source",
               "value_label", "stated", "upper", "lang", "datatype", "inverse")
#: the fields that make a fact "changed" when they differ
COMPARED = ("value", "unit", "qualifier", "upper", "lang", "datatype")

Fact = dict[str, Any]

#: properties of a city that are bookkeeping, not facts about it
_SKIPPED = {str(RDF.type), str(PROV.wasDerivedFrom), str(PROV.wasAttributedTo), str(DCTERMS.date)}
#: links from a thing to the city that make the thing one of the city's facts
_INCOMING = (SCHEMA.containedInPlace, SCHEMA.location, SCHEMA.about)
#: words for the properties of other vocabularies (the release's own terms carry rdfs:label)
_PROPERTY_LABELS = {
    str(RDFS.label): "label",
    str(SCHEMA.name): "name",
    str(SKOS.altLabel): "alternative label",
    str(OWL.sameAs): "same as",
    str(SCHEMA.containedInPlace): "contained in",
    str(SCHEMA.containsPlace): "division",
    str(SCHEMA.geo): "coordinates",
    str(SCHEMA.latitude): "latitude",
    str(SCHEMA.longitude): "longitude",
    str(GEO.hasGeometry): "geometry",
    str(GEO.asWKT): "point (WKT)",
    str(SCHEMA.location): "located in",
    str(SCHEMA.about): "about",
}
#: what a thing linked to the city is, by its /id/{type}/
_THING_WORDS = {"landmark": "landmark", "event": "event", "organisation": "organisation", "project": "project",
                "programme": "programme", "image": "photo", "area": "division", "narrative": "narrative"}
_PERIOD_KINDS = ("year", "quarter", "month")


@dataclass
class CityChanges:
    city: str  # slug
    iri: str
    label: str | None
    status: str  # added | removed | changed
    added: list[Fact] = field(default_factory=list)
    removed: list[Fact] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # {"key", "old", "new"}
    keys: dict[int, str] = field(default_factory=dict, repr=False, compare=False)  # id(fact) -> its key

    def key(self, fact: Fact) -> str:
        return self.keys.get(id(fact)) or _key_of(fact)

    def as_dict(self) -> dict[str, Any]:
        return {"city": self.city, "iri": self.iri, "label": self.label, "status": self.status,
                "added": self.added, "removed": self.removed, "changed": self.changed}


@dataclass
class Changes:
    from_version: str | None
    to_version: str | None
    from_built: str | None
    to_built: str | None
    base: str
    cities: list[CityChanges]

    @property
    def summary(self) -> dict[str, int]:
        changed = [c for c in self.cities if c.status == "changed"]
        return {
            "cities_added": sum(1 for c in self.cities if c.status == "added"),
            "cities_removed": sum(1 for c in self.cities if c.status == "removed"),
            "cities_changed": len(changed),
            "facts_added": sum(len(c.added) for c in changed),
            "facts_removed": sum(len(c.removed) for c in changed),
            "facts_changed": sum(len(c.changed) for c in changed),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.from_version, "to": self.to_version, "from_built": self.from_built,
                "to_built": self.to_built, "base": self.base, "summary": self.summary,
                "cities": [c.as_dict() for c in self.cities]}


# -- reading a release --------------------------------------------------------------------------------


class _Release:
    """A release's dataset.nq in an in-memory store, and the facts of each of its cities."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = read_manifest(folder)
        self.base = str(self.manifest.get("base") or UriPolicy().base)
        self.policy = UriPolicy(self.base)
        self.store = ox.Store()
        path = folder / "dataset.nq"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file (not a complete release)")
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        self._labels: dict[str, str | None] = {}
        self._sources: dict[str, str | None] = {}

    def select(self, query: str) -> Iterator[Any]:
        yield from self.store.query(query, use_default_graph_as_union=True)  # type: ignore[misc]

    def cities(self) -> dict[str, str]:
        """slug -> IRI of every city of the release."""
        prefix = f"{self.base}/id/city/"
        rows = self.select(f"SELECT DISTINCT ?c WHERE {{ ?c a <{SCHEMA.City}> "
                           f"FILTER(STRSTARTS(STR(?c), \"{prefix}\")) }}")
        out = {}
        for row in rows:
            iri = row["c"].value
            if "#" not in iri:
                out[iri[len(prefix):]] = iri
        return out

    def label(self, iri: str) -> str | None:
        """The English label of a thing (rdfs:label, skos:prefLabel, schema:name), else any label."""
        if iri not in self._labels:
            found: dict[str, list[str]] = defaultdict(list)
            for row in self.select(f"SELECT ?l WHERE {{ VALUES ?p {{ <{RDFS.label}> <{SKOS.prefLabel}> "
                                   f"<{SCHEMA.name}> }} <{iri}> ?p ?l FILTER(isLiteral(?l)) }}"):
                lit = row["l"]
                found[lit.language or ""].append(lit.value)
            best = found.get("en") or found.get("") or next(iter(found.values()), None)
            self._labels[iri] = sorted(best)[0] if best else None
        return self._labels[iri]

    def source(self, iri: str, slug: str) -> str | None:
        """The source sentence of a thing (ckg:sourceText) in the city's own profile graph, else in any
        graph: a concept minted by several profiles has one sentence in each."""
        key = f"{slug}|{iri}"
        if key not in self._sources:
            text = str(self.policy.term("sourceText"))
            own = str(self.policy.graph(f"profile/{slug}"))
            rows = self.select(f"SELECT ?t ?g WHERE {{ GRAPH ?g {{ <{iri}> <{text}> ?t }} }}")
            texts = sorted((row["g"].value != own, row["t"].value) for row in rows)
            self._sources[key] = texts[0][1] if texts else None
        return self._sources[key]

    def property_label(self, iri: str) -> str:
        own = self.label(iri) if iri.startswith(f"{self.base}/def/") else None
        return own or _PROPERTY_LABELS.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    # -- facts -----------------------------------------------------------------------------------------

    def facts(self, slug: str, city: str) -> dict[str, list[Fact]]:
        """key -> facts (usually one) of the city."""
        out: dict[str, list[Fact]] = defaultdict(list)
        for fact in self._observations(city):
            out[f"observation|{fact['indicator']}|{fact['period'] or ''}"].append(fact)
        literals: dict[str, list[Fact]] = defaultdict(list)
        for fact in self._direct(slug, city):
            if fact["inverse"]:
                out[f"in|{fact['property']}|{fact['value']}"].append(fact)
            elif fact.get("_iri"):
                out[f"link|{fact['subject']}|{fact['property']}|{fact['value']}"].append(fact)
            else:
                literals[f"literal|{fact['subject']}|{fact['property']}|{fact['lang'] or ''}"].append(fact)
        for key, facts in literals.items():
            if len(facts) == 1:
                out[key] = facts
            else:  # several values in one language (alternative labels): each one a fact of its own
                for fact in facts:
                    out[f"{key}|{fact['value']}"].append(fact)
        for facts in out.values():
            for fact in facts:
                fact.pop("_iri", None)
        return dict(out)

    def _observations(self, city: str) -> Iterator[Fact]:
        ckg = self.policy.term
        query = f"""SELECT ?obs ?ind ?v ?u ?q ?period ?src ?stated ?high WHERE {{
            ?obs <{SDMX_DIMENSION.refArea}> <{city}> ; a <{QB.Observation}> ; <{ckg('indicator')}> ?ind ;
                 <{SDMX_MEASURE.obsValue}> ?v .
            OPTIONAL {{ ?obs <{SDMX_ATTRIBUTE.unitMeasure}> ?u }}
            OPTIONAL {{ ?obs <{ckg('valueQualifier')}> ?q }}
            OPTIONAL {{ ?obs <{SDMX_DIMENSION.refPeriod}> ?period }}
            OPTIONAL {{ ?obs <{ckg('sourceText')}> ?src }}
            OPTIONAL {{ ?obs <{ckg('statedAs')}> ?stated }}
            OPTIONAL {{ ?obs <{ckg('upperBound')}> ?high }}
        }}"""
        by_obs: dict[str, Fact] = {}
        for row in self.select(query):
            obs = row["obs"].value
            fact = by_obs.get(obs)
            indicator = row["ind"].value
            period = _period(row["period"]) if row["period"] is not None else None
            label = self.label(indicator) or indicator.rsplit("/", 1)[-1]
            new = _fact(subject=obs, property=str(SDMX_MEASURE.obsValue),
                        label=f"{label} ({period})" if period else label, indicator=indicator, period=period,
                        value=row["v"].value, datatype=_datatype(row["v"]), unit=_value(row["u"]),
                        qualifier=_value(row["q"]),
                        source=_value(row["src"]), stated=_value(row["stated"]), upper=_value(row["high"]))
            if fact is None:
                by_obs[obs] = new
            else:  # an observation with two values of one field (two graphs disagreeing): all of them
                for k in ("value", "unit", "qualifier", "source", "stated", "upper"):
                    if new[k] is not None and new[k] != fact[k]:
                        fact[k] = " / ".join(sorted({*(fact[k] or "").split(" / "), new[k]} - {""}))
        yield from by_obs.values()

    def _direct(self, slug: str, city: str) -> Iterator[Fact]:
        source_text = str(self.policy.term("sourceText"))
        skipped = _SKIPPED | {source_text, str(self.policy.term("reviewDecision"))}
        contained = {row["a"].value
                     for row in self.select(f"SELECT ?a WHERE {{ <{city}> <{SCHEMA.containsPlace}> ?a }}")}
        subjects = [city]
        seen = set()
        has_narrative, narratives = str(self.policy.term("hasNarrative")), f"{self.base}/id/narrative/{slug}/"
        texts: list[str] = []
        while subjects:
            subject = subjects.pop(0)
            if subject in seen:
                continue
            seen.add(subject)
            for row in self.select(f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"):
                p, o = row["p"].value, row["o"]
                if p in skipped:
                    continue
                if isinstance(o, ox.NamedNode) and o.value.startswith(f"{city}#"):
                    subjects.append(o.value)  # the city's own hash nodes: geometry, coordinates
                if p == has_narrative and isinstance(o, ox.NamedNode) and o.value.startswith(narratives):
                    texts.append(o.value)
                yield self._fact_of(subject, p, o, city, slug)
        for narrative in texts:  # the text of each of the city's own narratives
            title = self.label(narrative) or narrative.rsplit("/", 1)[-1]
            for row in self.select(f"SELECT ?t WHERE {{ <{narrative}> <{SCHEMA.text}> ?t }}"):
                yield _fact(subject=narrative, property=str(SCHEMA.text), value=row["t"].value,
                            label=f"text of narrative \u201c{title}\u201d", lang=row["t"].language or None)
        for prop in _INCOMING:
            for row in self.select(f"SELECT ?s WHERE {{ ?s <{prop}> <{city}> FILTER(isIRI(?s)) }}"):
                thing = row["s"].value
                if thing in contained or thing.startswith(f"{city}#"):
                    continue
                kind = thing[len(f"{self.base}/id/"):].split("/", 1)[0] if thing.startswith(f"{self.base}/id/") else ""
                yield _fact(subject=city, property=str(prop), label=_THING_WORDS.get(kind, kind or "linked thing"),
                            value=thing, value_label=self.label(thing), source=self.source(thing, slug),
                            inverse=True)

    def _fact_of(self, subject: str, p: str, o: Any, city: str, slug: str) -> Fact:
        label = self.property_label(p)
        if isinstance(o, ox.Literal):
            lang = o.language or None
            if subject != city:
                label = f"{self.property_label_of_node(subject, city)} {label}"
            return _fact(subject=subject, property=p, label=f"{label} ({lang})" if lang else label, value=o.value,
                         lang=lang, datatype=_datatype(o), source=None)
        fact = _fact(subject=subject, property=p, label=label, value=o.value,
                     value_label=self.label(o.value) if isinstance(o, ox.NamedNode) else None,
                     source=self.source(o.value, slug) if isinstance(o, ox.NamedNode) else None)
        fact["_iri"] = True
        return fact

    def property_label_of_node(self, node: str, city: str) -> str:
        return node[len(city) + 1:] if node.startswith(f"{city}#") else node


def _value(term: Any) -> str | None:
    return None if term is None else term.value


def _datatype(term: Any) -> str | None:
    """The datatype of a literal, unless it is a plain or language-tagged string."""
    if not isinstance(term, ox.Literal) or term.language:
        return None
    dt = term.datatype.value
    return None if dt == str(XSD.string) else dt


def _period(term: Any) -> str:
    """``http://reference.data.gov.uk/id/year/2020`` -> ``2020`` (quarters, months likewise)."""
    value = term.value
    parts = value.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] in _PERIOD_KINDS:
        return parts[-1]
    return value


def _fact(**values: Any) -> Fact:
    fact: Fact = {k: None for k in FACT_FIELDS}
    fact["inverse"] = False
    fact.update(values)
    return fact


def _same(old: Fact, new: Fact) -> bool:
    return all(old.get(k) == new.get(k) for k in COMPARED)


def _identity(fact: Fact) -> tuple[Any, ...]:
    return tuple(fact.get(k) for k in ("subject", *COMPARED))


def _city_changes(slug: str, iri: str, old: dict[str, list[Fact]], new: dict[str, list[Fact]]) -> CityChanges:
    c = CityChanges(slug, iri, None, "changed")

    def note(facts: list[Fact], into: list[Fact], key: str) -> None:
        for f in facts:
            into.append(f)
            c.keys[id(f)] = key

    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key, []), new.get(key, [])
        if a and b:
            if len(a) == 1 and len(b) == 1:
                if not _same(a[0], b[0]):
                    c.changed.append({"key": key, "old": a[0], "new": b[0]})
                continue
            # several facts under one key (two graphs giving one observation): compared as sets
            a_ids, b_ids = {_identity(f) for f in a}, {_identity(f) for f in b}
            note([f for f in a if _identity(f) not in b_ids], c.removed, key)
            note([f for f in b if _identity(f) not in a_ids], c.added, key)
        elif a:
            note(a, c.removed, key)
        else:
            note(b, c.added, key)
    return c


@dataclass
class _Facts:
    """What one release says of its cities: slug -> IRI, label and facts (key -> facts)."""

    manifest: dict[str, Any]
    base: str
    cities: dict[str, str]
    labels: dict[str, str | None]
    facts: dict[str, dict[str, list[Fact]]]


def _read(folder: Path) -> _Facts:
    r = _Release(folder)
    cities = r.cities()
    return _Facts(r.manifest, r.base, cities, {slug: r.label(iri) for slug, iri in cities.items()},
                  {slug: r.facts(slug, iri) for slug, iri in cities.items()})


def compare_releases(old_folder: Path, new_folder: Path, from_version: str | None = None,
                     to_version: str | None = None) -> Changes:
    """What changed from the release folder `old_folder` to `new_folder` (their dataset.nq, one after the
    other: only one release is in memory at a time)."""
    for folder in (old_folder, new_folder):
        read_manifest(folder)  # a clear error for a folder that is not a release, before any work
    old = _read(old_folder)
    new = _read(new_folder)
    cities: list[CityChanges] = []
    for slug in sorted(old.cities.keys() | new.cities.keys()):
        if slug not in new.cities:
            facts = old.facts[slug]
            c = CityChanges(slug, old.cities[slug], old.labels[slug], "removed",
                            removed=[f for k in sorted(facts) for f in facts[k]])
            c.keys = {id(f): k for k in facts for f in facts[k]}
        elif slug not in old.cities:
            facts = new.facts[slug]
            c = CityChanges(slug, new.cities[slug], new.labels[slug], "added",
                            added=[f for k in sorted(facts) for f in facts[k]])
            c.keys = {id(f): k for k in facts for f in facts[k]}
        else:
            c = _city_changes(slug, new.cities[slug], old.facts[slug], new.facts[slug])
            c.label = new.labels[slug]
            if not (c.added or c.removed or c.changed):
                continue
        cities.append(c)
    return Changes(from_version if from_version is not None else old.manifest.get("version"),
                   to_version if to_version is not None else new.manifest.get("version"),
                   old.manifest.get("built"), new.manifest.get("built"), new.base, cities)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary_line(changes: Changes) -> str:
    """One line for adms:versionNotes: "2 cities added, 5 facts changed" (or "no changes")."""
    s = changes.summary
    parts = []
    for key, one, many in (("cities_added", "city added", "cities added"),
                           ("cities_removed", "city removed", "cities removed"),
                           ("facts_changed", "fact changed", "facts changed"),
                           ("facts_added", "fact added", "facts added"),
                           ("facts_removed", "fact removed", "facts removed")):
        if s[key]:
            parts.append(_count(s[key], one, many))
    if not parts:
        return f"no changes against release {changes.from_version}"
    cities = s["cities_changed"]
    tail = f" in {_count(cities, 'city', 'cities')}" if cities and (s["facts_changed"] or s["facts_added"]
                                                                      or s["facts_removed"]) else ""
    return ", ".join(parts) + tail


# -- formats ----------------------------------------------------------------------------------------


def to_json(changes: Changes) -> str:
    return json.dumps(changes.as_dict(), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("city", "city_label", "change", "key", "label", "subject", "property", "indicator", "period",
               "old_value", "new_value", "old_unit", "new_unit", "old_qualifier", "new_qualifier", "old_source",
               "new_source", "old_value_label", "new_value_label")


def _rows(changes: Changes) -> Iterator[dict[str, Any]]:
    for c in changes.cities:
        base = {"city": c.city, "city_label": c.label}
        if c.status != "changed":
            yield base | {"change": f"city {c.status}"}
        items = [("added", None, f, c.key(f)) for f in c.added] + \
            [("removed", f, None, c.key(f)) for f in c.removed] + \
            [("changed", ch["old"], ch["new"], ch["key"]) for ch in c.changed]
        for kind, old, new, key in items:
            either = new or old
            assert either is not None
            yield base | {
                "change": kind, "key": key, "label": either["label"], "subject": either["subject"],
                "property": either["property"], "indicator": either["indicator"], "period": either["period"],
                **{f"old_{k}": (old or {}).get(k) for k in ("value", "unit", "qualifier", "source", "value_label")},
                **{f"new_{k}": (new or {}).get(k) for k in ("value", "unit", "qualifier", "source", "value_label")},
            }


def _key_of(fact: Fact) -> str:
    """The key of a fact (as `_Release.facts` gives it; several literals of one language add their value)."""
    if fact["indicator"]:
        return f"observation|{fact['indicator']}|{fact['period'] or ''}"
    if fact["inverse"]:
        return f"in|{fact['property']}|{fact['value']}"
    if fact["lang"] is None and fact["datatype"] is None and str(fact["value"]).startswith(("http://", "https://")):
        return f"link|{fact['subject']}|{fact['property']}|{fact['value']}"
    return f"literal|{fact['subject']}|{fact['property']}|{fact['lang'] or ''}"


def to_csv(changes: Changes) -> str:
    """One row per change (a city added or removed: a row of its own, then its facts)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in _rows(changes):
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()


#: how the changelog writes a unit after a number (the QUDT unit's local name otherwise)
_UNIT_WORDS = {"PERCENT": "%", "KiloM2": "km²", "NUM": "", "TONNE": "t", "CCY_CNY": "CNY", "CCY_EUR": "EUR",
               "CCY_USD": "USD", "CCY_GBP": "GBP"}


def _number(text: str) -> str:
    """``21893000`` -> ``21,893,000``; decimals and anything else as they are."""
    return f"{int(text):,}" if text.isdigit() else text


def _short(fact: Fact, policy: UriPolicy) -> str:
    """A fact's value for people: ``approximately 21,893,000``, ``more than 31.2%``, a thing's label."""
    value = fact["value_label"] or fact["value"]
    if isinstance(value, str) and value.startswith(policy.base + "/"):
        value = value[len(policy.base) + 1:]
    text = str(value)
    if fact["indicator"]:
        text = _number(text)
        if fact["upper"]:
            text = f"{text}-{_number(fact['upper'])}"
        if fact["unit"]:
            word = _UNIT_WORDS.get(fact["unit"].rsplit("/", 1)[-1], fact["unit"].rsplit("/", 1)[-1])
            text = f"{text}{word}" if word == "%" else f"{text} {word}".rstrip()
        if fact["qualifier"]:
            q = fact["qualifier"].rsplit("/", 1)[-1]
            if q not in ("exact", "between"):
                text = f"{q.replace('-', ' ')} {text}"
    elif len(text) > 100:
        text = text[:97] + "..."
    return text


def _around(old: str, new: str, width: int = 40) -> tuple[str, str]:
    """Where two long texts differ: ``...as 21,893,000 and...`` and ``...as 22,100,000 and...``."""
    i = next((n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    j = 0
    while j < min(len(old), len(new)) - i and old[-1 - j] == new[-1 - j]:
        j += 1
    start = max(0, i - width)

    def cut(text: str) -> str:
        end = min(len(text), len(text) - j + width)
        return ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")

    return cut(old), cut(new)


def to_text(changes: Changes) -> str:
    """The changelog for people: a line per change, city by city."""
    policy = UriPolicy(changes.base)
    lines = [f"changes from {changes.from_version or '?'} ({changes.from_built or '?'}) to {changes.to_version or '?'} "
             f"({changes.to_built or '?'}): {summary_line(changes)}"]
    if not changes.cities:
        return lines[0] + "\n"
    for c in changes.cities:
        name = c.label or c.city
        if c.status == "added":
            lines.append(f"+ city {name} ({c.city}) added, {_count(len(c.added), 'fact', 'facts')}")
            continue
        if c.status == "removed":
            lines.append(f"- city {name} ({c.city}) removed, {_count(len(c.removed), 'fact', 'facts')}")
            continue
        lines.append(f"~ city {name} ({c.city})")
        for ch in c.changed:
            old, new = ch["old"], ch["new"]
            what = []
            for k in ("value", "unit", "qualifier"):
                if old[k] != new[k]:
                    what.append(k)
            if old["source"] != new["source"] or old["stated"] != new["stated"]:
                what.append("source")
            before, after = _short(old, policy), _short(new, policy)
            if before == after:  # long texts differing after their first 100 characters: show where
                before, after = _around(str(old["value"]), str(new["value"]))
            lines.append(f"  ~ {new['label']}: {before} -> {after} ({', '.join(what)})")
            if new["source"]:
                lines.append(f"      source: {new['source']}")
        for f in c.added:
            lines.append(f"  + {f['label']}: {_short(f, policy)}")
        for f in c.removed:
            lines.append(f"  - {f['label']}: {_short(f, policy)}")
    return "\n".join(lines) + "\n"


# -- RDF (changes.ttl) --------------------------------------------------------------------------------


def _digest(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _term(fact: Fact) -> ox.NamedNode | ox.Literal:
    """The value of a FACT as the RDF term the release has."""
    value = fact["value"]
    if fact["lang"]:
        return ox.Literal(value, language=fact["lang"])
    if fact["datatype"]:
        return ox.Literal(value, datatype=ox.NamedNode(fact["datatype"]))
    if fact["value_label"] is not None or fact["inverse"] or value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    return ox.Literal(value)


def triples(changes: Changes) -> list[ox.Triple]:
    """The changes as RDF (the project's `ckg:ChangeSet` vocabulary, ontology/citykg.ttl): a change
    set ``BASE/release/V/changes`` from the previous release's versioned dataset to this one's, one
    `ckg:Change` per change (`ckg:FactAdded`, `ckg:FactRemoved`, `ckg:FactChanged`, `ckg:CityAdded`,
    `ckg:CityRemoved`) with the fact before and after as `rdf:Statement`s (the subject, property and
    value, with the indicator, period, unit, qualifier, figure as written and source sentence of an
    observation: ckg:factIndicator, ckg:factPeriod, sdmx-attribute:unitMeasure, ckg:factQualifier,
    ckg:factStatedAs, ckg:sourceText). Sorted, no blank nodes."""
    policy = UriPolicy(changes.base)
    if changes.to_version is None:
        raise ValueError("the changes of a release without a version have no IRI")
    ckg = f"{policy.base}/def/"
    out: list[ox.Triple] = []
    iri = ox.NamedNode

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, iri(p), o))

    def en(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    cs_iri = str(policy.changes(changes.to_version))
    cs = iri(cs_iri)
    add(cs, _RDF + "type", iri(ckg + "ChangeSet"))
    add(cs, _RDF + "type", iri(str(PROV.Entity)))
    add(cs, _RDFS + "label", en(f"Changes from release {changes.from_version} to {changes.to_version}"))
    add(cs, _RDFS + "comment", en(summary_line(changes)))
    add(cs, ckg + "toRelease", iri(str(policy.release_dataset(changes.to_version))))
    if changes.from_version:
        add(cs, ckg + "fromRelease", iri(str(policy.release_dataset(changes.from_version))))
    if changes.to_built:
        add(cs, str(DCTERMS.issued), ox.Literal(changes.to_built, datatype=iri(str(XSD.dateTime))))
    statement_type, unit = iri(_RDF + "Statement"), str(SDMX_ATTRIBUTE.unitMeasure)

    def statement(fact: Fact, key: str, side: str) -> ox.NamedNode:
        node = iri(f"{cs_iri}#fact-{_digest(key, side, json.dumps(fact, sort_keys=True))}")
        add(node, _RDF + "type", statement_type)
        subject = iri(fact["subject"])
        if fact["inverse"]:
            add(node, _RDF + "subject", iri(fact["value"]))
            add(node, _RDF + "object", subject)
        else:
            add(node, _RDF + "subject", subject)
            add(node, _RDF + "object", _term(fact))
        add(node, _RDF + "predicate", iri(fact["property"]))
        add(node, _RDFS + "label", en(fact["label"]))
        for k, p in (("indicator", ckg + "factIndicator"), ("unit", unit), ("qualifier", ckg + "factQualifier")):
            if fact[k]:
                add(node, p, iri(fact[k]))
        if fact["period"]:
            add(node, ckg + "factPeriod", ox.Literal(fact["period"]))
        if fact["source"]:
            add(node, ckg + "sourceText", en(fact["source"]))
        if fact["stated"]:
            add(node, ckg + "factStatedAs", en(fact["stated"]))
        return node

    for c in changes.cities:
        city = iri(c.iri)
        if c.status in ("added", "removed"):
            node = iri(f"{cs_iri}#city-{c.city}")
            add(cs, ckg + "change", node)
            add(node, _RDF + "type", iri(ckg + ("CityAdded" if c.status == "added" else "CityRemoved")))
            add(node, ckg + "city", city)
            add(node, _RDFS + "label", en(f"city {c.label or c.city} {c.status}"))
        for kind, facts in (("added", c.added), ("removed", c.removed)):
            for f in facts:
                key = c.key(f)
                node = iri(f"{cs_iri}#{kind}-{_digest(c.city, key, f['value'])}")
                add(cs, ckg + "change", node)
                add(node, _RDF + "type", iri(ckg + ("FactAdded" if kind == "added" else "FactRemoved")))
                add(node, ckg + "city", city)
                add(node, _RDFS + "label", en(f"{f['label']} {kind}"))
                add(node, ckg + ("after" if kind == "added" else "before"), statement(f, key, kind))
        for ch in c.changed:
            node = iri(f"{cs_iri}#changed-{_digest(c.city, ch['key'])}")
            add(cs, ckg + "change", node)
            add(node, _RDF + "type", iri(ckg + "FactChanged"))
            add(node, ckg + "city", city)
            add(node, _RDFS + "label", en(f"{ch['new']['label']} changed"))
            add(node, ckg + "before", statement(ch["old"], ch["key"], "old"))
            add(node, ckg + "after", statement(ch["new"], ch["key"], "new"))
    return sorted(set(out), key=str)


def to_graph(changes: Changes) -> rdflib.Graph:
    """`triples` as an rdflib graph."""
    g = rdflib.Graph()
    for prefix, ns in UriPolicy(changes.base).prefixes().items():
        g.bind(prefix, ns)
    data = ox.serialize(triples(changes), format=ox.RdfFormat.N_TRIPLES)
    return g.parse(data=data.decode() if isinstance(data, bytes) else "", format="nt")


#: the prefixes changes.ttl uses
_PREFIXES = ("rdf", "rdfs", "xsd", "dct", "prov", "sdmx-attribute", "sdmx-measure", "schema", "unit", "ckg", "id",
             "indicator", "qualifier")


def to_turtle(changes: Changes, data: list[ox.Triple] | None = None) -> str:
    prefixes = {k: v for k, v in UriPolicy(changes.base).prefixes().items() if k in _PREFIXES}
    text = ox.serialize(data if data is not None else triples(changes), format=ox.RdfFormat.TURTLE,
                        prefixes=prefixes)
    return text.decode() if isinstance(text, bytes) else ""


def validate_changes(turtle: str, policy: UriPolicy, validator: str = "auto") -> ValidationReport:
    """changes.ttl with the ontology against the project's shapes (shapes/: "Changes between releases")."""
    store = ox.Store()
    graph = ox.NamedNode(str(policy.graph("ontology")))
    for source in turtle_files(ONTOLOGY_PACKAGE, "ontology"):
        store.extend([ox.Quad(t.subject, t.predicate, t.object, graph)
                      for t in ox.parse(source.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=policy.parse_base)])
    changes_graph = ox.NamedNode(str(policy.graph("changes")))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, changes_graph)
                      for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))
    return validate_store(store, load_shapes(policy), validator)


def write_changes(changes: Changes, folder: Path, validate: bool = True) -> list[dict[str, Any]]:
    """Writes changes.json, changes.csv and changes.ttl into `folder` (changes.ttl checked against the
    shapes first: ValidationError); their manifest entries."""
    entries = []
    turtle = to_turtle(changes)
    if validate:
        report = validate_changes(turtle, UriPolicy(changes.base))
        if not report.conforms:
            raise ValidationError(f"changes.ttl does not conform to the shapes\n{report.text()}", report)
    for name, text, media in (("changes.json", to_json(changes), "application/json"),
                              ("changes.csv", to_csv(changes), "text/csv"),
                              ("changes.ttl", turtle, "text/turtle")):
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="")
        triples = sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)) if name.endswith(".ttl") else 0
        entries.append({"name": name, "size": path.stat().st_size, "sha256": sha256_file(path), "triples": triples,
                        "media_type": media})
    return entries
