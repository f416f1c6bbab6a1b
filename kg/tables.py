"""Indicator tables: `SEEDS/indicators/*.csv`, described by CSVW metadata, -> Data Cube observations.

Columns (in this order, named in the CSVW `tableSchema`): city, indicator, period, value,
unit, qualifier, source.  Each table becomes a `qb:DataSet` with the period-aware
structure `ckg:dsdPeriod`; each row an observation
`BASE/id/observation/{city}/{indicator}/{period}` with `sdmx-dimension:refPeriod`.
A row naming an unknown city or indicator, a bad number, period, unit or
qualifier stops the build with the file and row named.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from citykg.uris import QB, SDMX_ATTRIBUTE, SDMX_CODE, SDMX_DIMENSION, SDMX_MEASURE, UNIT, UriPolicy, slugify

from .lexicon import QUALIFIER_WORDS, UNIT_WORDS
from .map import number_literal, period_iri
from .text import ExtractError

COLUMNS = ["city", "indicator", "period", "value", "unit", "qualifier", "source"]
CSVW = "http://www.w3.org/ns/csvw"


class TableError(ExtractError):
    """A table or its metadata is wrong; the message names the file (and row)."""


@dataclass
class TableResult:
    path: Path
    graph: Graph
    rows: int
    sha256: str
    metadata: Path


def metadata_for(csv_path: Path) -> tuple[Path, dict]:
    """The CSVW metadata describing `csv_path`: `<file>-metadata.json`, else the folder's `csv-metadata.json`."""
    candidates = [csv_path.with_name(csv_path.name + "-metadata.json"), csv_path.parent / "csv-metadata.json"]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            meta = json.loads(candidate.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TableError(f"{candidate}: not valid JSON: {exc}") from exc
        tables = meta.get("tables") if "tables" in meta else [meta]
        for table in tables:
            if table.get("url") == csv_path.name:
                return candidate, table
    raise TableError(f"{csv_path}: no CSVW metadata describes it (expected {candidates[0].name} "
                     f"or csv-metadata.json with \"url\": \"{csv_path.name}\")")


def check_schema(path: Path, meta_path: Path, table: dict, header: list[str]) -> None:
    schema = table.get("tableSchema")
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), list):
        raise TableError(f"{meta_path}: the table {path.name} has no tableSchema.columns")
    names = [c.get("name") for c in schema["columns"] if not c.get("virtual")]
    if names != COLUMNS:
        raise TableError(f"{meta_path}: tableSchema columns of {path.name} must be {COLUMNS}, not {names}")
    titles = [str(c.get("titles", c.get("name"))) for c in schema["columns"] if not c.get("virtual")]
    if [h.strip() for h in header] != titles:
        raise TableError(f"{path}: header {header} does not match the CSVW column titles {titles}")


def unit_name(text: str) -> str:
    text = text.strip()
    known = {"NUM", "KiloM2", "PERCENT", "CCY_CNY", "CCY_EUR", "CCY_USD", "TONNE", "PER-KiloM2", "KiloM"}
    if text in known:
        return text
    if text.upper() in {"RMB", "CNY"}:
        return "CCY_CNY"
    for pattern, name in UNIT_WORDS:
        if pattern.match(text):
            return name
    if text.lower() in {"", "number", "count"}:
        return "NUM"
    raise ValueError(f"unknown unit {text!r} (use NUM, KiloM2, PERCENT, CCY_CNY, TONNE, km2 or %)")


def qualifier_slug(text: str, known: set[str]) -> str:
    text = text.strip().lower()
    if not text:
        return "exact"
    if text in known:
        return text
    if text in QUALIFIER_WORDS:
        return QUALIFIER_WORDS[text]
    raise ValueError(f"unknown qualifier {text!r} (use a qualifier concept such as more-than, or a word "
                     "such as 'about')")


def read_table(path: Path, policy: UriPolicy, cities: set[str], ontology: Graph, license: str) -> TableResult:
    meta_path, table = metadata_for(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text (offset {exc.start})") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise TableError(f"{path}: the file is empty")
    check_schema(path, meta_path, table, rows[0])

    indicators: dict[str, URIRef | None] = {}
    scheme = policy.scheme("indicator")
    for concept in ontology.subjects(SKOS.inScheme, scheme):
        unit = ontology.value(concept, policy.term("unit"))
        indicators[str(concept).rsplit("/", 1)[1]] = unit if isinstance(unit, URIRef) else None
    qualifiers = {str(c).rsplit("/", 1)[1] for c in ontology.subjects(SKOS.inScheme, policy.scheme("qualifier"))}

    stem = slugify(path.stem)
    digest = hashlib.sha256(raw).hexdigest()
    g = Graph()
    source = policy.id("source", f"table-{stem}")
    dataset = policy.id("dataset", f"table-{stem}")
    ckg = policy.DEF
    g.add((source, RDF.type, PROV.Entity))
    g.add((source, RDF.type, ckg.SourceDocument))
    title = table.get("dc:title") or table.get("dct:title") or f"Indicator table {path.name}"
    g.add((source, RDFS.label, Literal(str(title), lang="en")))
    g.add((source, DCTERMS.title, Literal(str(title), lang="en")))
    g.add((source, ckg.sha256, Literal(digest)))
    g.add((source, ckg.fileName, Literal(path.name)))
    g.add((dataset, RDF.type, QB.DataSet))
    g.add((dataset, QB.structure, ckg.dsdPeriod))
    g.add((dataset, RDFS.label, Literal(f"Indicator table {path.name}", lang="en")))
    g.add((dataset, PROV.wasDerivedFrom, source))
    g.add((dataset, DCTERMS.license, URIRef(license)))

    seen: dict[URIRef, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}: row {number}"
        if len(row) != len(COLUMNS):
            raise TableError(f"{where}: {len(row)} cells, expected {len(COLUMNS)} ({', '.join(COLUMNS)})")
        cell = dict(zip(COLUMNS, (c.strip() for c in row), strict=True))
        city = slugify(cell["city"]) if cell["city"] else ""
        if city not in cities:
            raise TableError(f"{where}: unknown city {cell['city']!r} (no profile of it in this build)")
        indicator = cell["indicator"]
        if indicator not in indicators:
            raise TableError(f"{where}: unknown indicator {indicator!r} (not a concept of {scheme})")
        try:
            value = Decimal(cell["value"].replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise TableError(f"{where}: value {cell['value']!r} is not a number") from None
        try:
            unit = unit_name(cell["unit"])
            period = period_iri(cell["period"])
            qualifier = qualifier_slug(cell["qualifier"], qualifiers)
        except ValueError as exc:
            raise TableError(f"{where}: {exc}") from None
        expected_unit = indicators[indicator]
        if expected_unit is not None and UNIT[unit] != expected_unit:
            raise TableError(f"{where}: unit {cell['unit']!r} does not fit {indicator!r}, which is measured in "
                             f"{str(expected_unit).rsplit('/', 1)[1]}")
        if not cell["source"]:
            raise TableError(f"{where}: the source column is empty (every value keeps its source)")
        obs = policy.observation(city, indicator, slugify(cell["period"]))
        if obs in seen:
            raise TableError(f"{where}: the same city, indicator and period as row {seen[obs]}")
        seen[obs] = number
        g.add((obs, RDF.type, QB.Observation))
        g.add((obs, QB.dataSet, dataset))
        g.add((obs, SDMX_DIMENSION.refArea, policy.id("city", city)))
        g.add((obs, ckg.indicator, policy.concept("indicator", indicator)))
        g.add((obs, SDMX_DIMENSION.refPeriod, period))
        g.add((obs, SDMX_MEASURE.obsValue, number_literal(value)))
        g.add((obs, SDMX_ATTRIBUTE.unitMeasure, UNIT[unit]))
        g.add((obs, ckg.valueQualifier, policy.concept("qualifier", qualifier)))
        g.add((obs, SDMX_ATTRIBUTE.obsStatus, SDMX_CODE["obsStatus-A"]))
        g.add((obs, ckg.statedAs, Literal(cell["value"], lang="en")))
        g.add((obs, ckg.sourceText, Literal(cell["source"], lang="en")))
        g.add((obs, PROV.wasDerivedFrom, source))
    return TableResult(path, g, len(seen), digest, meta_path)


def read_tables(seeds: Path, policy: UriPolicy, cities: set[str], ontology: Graph,
                license: str) -> list[TableResult]:
    folder = seeds / "indicators"
    if not folder.is_dir():
        return []
    return [read_table(p, policy, cities, ontology, license) for p in sorted(folder.glob("*.csv"))]
