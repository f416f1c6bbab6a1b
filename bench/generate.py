"""A deterministic generator of a synthetic citykg catalogue (docs/model.md), as N-Quads.

    python bench/generate.py --triples 1000000 --out bench/data/1m.nq.gz [--base URL] [--seed 1]

Same arguments -> byte-identical output (gzip with mtime 0 and no file name). The data follows the
project's own model and conforms to shapes/: N cities, each with its province (and one country),
labels in en and zh, a source document with a SHA-256, a qb:DataSet, areas, a landmark, events and
organisations mentioned by narratives, a photo with its agent, links to the theme, industry and
role concepts of the ontology, and Data Cube observations for every indicator of the ontology x
years (`sdmx-dimension:refPeriod <http://reference.data.gov.uk/id/year/2015>`, observation URIs
`BASE/id/observation/{city}/{indicator}/{year}`). One named graph per city profile
(`BASE/graph/profile/{city}`); the ontology graph (`BASE/graph/ontology`, ontology/*.ttl) is
included unless --no-ontology. Lines are written as plain strings, city by city (streaming); the
line count (= triples, no triple is repeated across graphs) reaches the target within one
observation (about a dozen triples) for targets above a few thousand triples.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from citykg.uris import DEFAULT_BASE, UriPolicy  # noqa: E402

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEAS = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_ATTR = "http://purl.org/linked-data/sdmx/2009/attribute#"
SDMX_CODE = "http://purl.org/linked-data/sdmx/2009/code#"
GEO = "http://www.opengis.net/ont/geosparql#"
YEAR = "http://reference.data.gov.uk/id/year/"
UNIT = "http://qudt.org/vocab/unit/"
CC_BY_SA = "http://creativecommons.org/licenses/by-sa/4.0/"
EU_CC_BY_SA = "http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0"
EU_CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"

SYLLABLES = ("an", "bei", "chang", "dong", "feng", "gan", "hai", "jiang", "kai", "lin", "ming", "nan",
             "ping", "qing", "rui", "shan", "tai", "wu", "xin", "yang", "zhou", "he", "lu", "bao")
HANZI = "安北昌东丰赣海江开林明南平青瑞山泰武新阳州和鹿宝"
QUALIFIERS = (  # slug, words used in statedAs, weight
    ("exact", "", 6), ("approximately", "about ", 3), ("nearly", "nearly ", 1), ("more-than", "more than ", 2),
    ("at-least", "at least ", 1), ("less-than", "less than ", 1), ("at-most", "at most ", 1),
    ("as-many-as", "as many as ", 1),
)
UNIT_WORDS = {"NUM": "", "KiloM2": " km²", "PERCENT": "%", "CCY_CNY": " RMB"}


def _esc(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def iri(value: str) -> str:
    return f"<{value}>"


def en(text: str) -> str:
    return f'"{_esc(text)}"@en'


def zh(text: str) -> str:
    return f'"{_esc(text)}"@zh'


def plain(text: str) -> str:
    return f'"{_esc(text)}"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{_esc(lexical)}"^^<{datatype}>'


class Catalogue:
    """Emits the N-Quads of the synthetic catalogue, city by city."""

    def __init__(self, base: str, seed: int, years: int) -> None:
        self.p = UriPolicy(base)
        self.seed = seed
        self.years = list(range(2025 - years, 2025))
        self.defs = self.p.base + "/def/"
        self._ontology = None
        self.ontology_lines = self._ontology_lines()
        self.indicators = self._indicators()

    # -- the ontology graph ---------------------------------------------------------------
    def _ontology_graph(self):
        if self._ontology is None:
            from citykg.kg.validate import load_ontology

            self._ontology = load_ontology(self.p)
        return self._ontology

    def _ontology_lines(self) -> list[str]:
        import pyoxigraph as ox
        from rdflib.compare import to_canonical_graph

        graph = to_canonical_graph(self._ontology_graph())  # deterministic blank node labels, if any
        nt = graph.serialize(format="nt")
        g = ox.NamedNode(str(self.p.graph("ontology")))
        triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
        quads = sorted(str(ox.Quad(t.subject, t.predicate, t.object, g)) for t in triples)
        return [q + " .\n" for q in quads]

    def _indicators(self) -> list[tuple[str, str, str | None]]:
        """(indicator IRI, unit local name, industry IRI or None) of every indicator concept of the ontology."""
        from rdflib import URIRef
        from rdflib.namespace import SKOS as RSKOS

        g = self._ontology_graph()
        unit_p, industry_p = URIRef(self.defs + "unit"), URIRef(self.defs + "industry")
        out = []
        for c in sorted(g.subjects(RSKOS.inScheme, self.p.scheme("indicator")), key=str):
            unit = g.value(c, unit_p)
            if unit is None:
                continue
            industry = g.value(c, industry_p)
            out.append((str(c), str(unit).rsplit("/", 1)[-1], str(industry) if industry is not None else None))
        if not out:
            raise SystemExit("the ontology defines no indicator concepts with a ckg:unit")
        return out

    def concepts(self, scheme: str) -> list[str]:
        from rdflib.namespace import SKOS as RSKOS

        g = self._ontology_graph()
        return sorted(str(c) for c in g.subjects(RSKOS.inScheme, self.p.scheme(scheme)))

    # -- one city -------------------------------------------------------------------------
    def city_name(self, i: int, rnd: random.Random) -> tuple[str, str]:
        a, b = rnd.choice(SYLLABLES), rnd.choice(SYLLABLES)
        name = f"{(a + b).capitalize()} {i + 1}"
        hanzi = HANZI[SYLLABLES.index(a)] + HANZI[SYLLABLES.index(b)] + str(i + 1)
        return name, hanzi

    def city_fixed(self, i: int, rnd: random.Random, themes: list[str], industries: list[str],
                   roles: list[str], cities_per_province: int) -> tuple[list[str], dict]:
        """Lines of everything of city i except its observations, and the context for them."""
        p, d = self.p, self.defs
        name, hanzi = self.city_name(i, rnd)
        slug = f"{name.lower().replace(' ', '-')}"
        city = str(p.id("city", slug))
        graph = iri(str(p.graph(f"profile/{slug}")))
        source = str(p.id("source", slug))
        dataset = str(p.id("dataset", slug))
        lines: list[str] = []

        def add(s: str, pred: str, o: str) -> None:
            lines.append(f"<{s}> <{pred}> {o} {graph} .\n")

        def prov(s: str, sentence: str) -> None:
            add(s, PROV + "wasDerivedFrom", iri(source))
            add(s, d + "sourceText", en(sentence))

        def labels(s: str, text: str, text_zh: str | None = None) -> None:
            add(s, RDFS + "label", en(text))
            add(s, SCHEMA + "name", en(text))
            if text_zh:
                add(s, RDFS + "label", zh(text_zh))
                add(s, SCHEMA + "name", zh(text_zh))

        # source document and dataset
        for t in (PROV + "Entity", SCHEMA + "DigitalDocument", d + "SourceDocument"):
            add(source, RDF + "type", iri(t))
        title = f"{name}: source profile"
        add(source, RDFS + "label", en(title))
        add(source, DCT + "title", en(title))
        add(source, d + "sha256", plain(hashlib.sha256(f"{self.seed}/{slug}".encode()).hexdigest()))
        add(source, d + "fileName", plain(f"{slug}.txt"))
        add(source, DCT + "publisher", en("Synthetic City Profiles Office"))
        add(source, DCT + "issued", typed(f"20{rnd.randint(10, 24)}", XSD + "gYear"))
        add(dataset, RDF + "type", iri(QB + "DataSet"))
        add(dataset, QB + "structure", iri(d + "dsdPeriod"))  # observations carry a refPeriod
        add(dataset, RDFS + "label", en(f"Indicators of {name} from its source profile"))
        add(dataset, PROV + "wasDerivedFrom", iri(source))
        add(dataset, DCT + "license", iri(EU_CC_BY))

        # country (in the first city's graph) and province (in the graph of its first city)
        country = str(p.id("country", "synthetia"))
        if i == 0:
            add(country, RDF + "type", iri(SCHEMA + "Country"))
            labels(country, "Synthetia", "合成国")
        pidx = i // cities_per_province
        province = str(p.id("province", f"province-{pidx + 1}"))
        first_of_province = i % cities_per_province == 0
        if first_of_province:
            for t in (SCHEMA + "AdministrativeArea", d + "Province"):
                add(province, RDF + "type", iri(t))
            labels(province, f"Province {pidx + 1}", f"第{pidx + 1}省")
            add(province, SKOS + "altLabel", en(f"Province {pidx + 1} Province"))
            add(province, SCHEMA + "containedInPlace", iri(country))
            prov(province, f"{name} is the capital of Province {pidx + 1}.")

        # the city
        for t in (SCHEMA + "City", d + "City"):
            add(city, RDF + "type", iri(t))
        labels(city, name, hanzi)
        add(city, SCHEMA + "containedInPlace", iri(province))
        if first_of_province:
            add(city, d + "capitalOf", iri(province))
        prov(city, f"{name} is a city of Province {pidx + 1}.")
        for role in rnd.sample(roles, 2):
            add(city, d + "centreRole", iri(role))
        for industry in rnd.sample(industries, 2):
            add(city, d + "leadingIndustry", iri(industry))
        city_themes = rnd.sample(themes, 2)
        for theme in city_themes:
            add(city, d + "seeksCooperationOn", iri(theme))
        add(city, d + "subdivisionSummary", en(f"{name} has 2 districts."))
        lat, lon = f"{rnd.uniform(20, 45):.4f}", f"{rnd.uniform(100, 125):.4f}"
        geom, coords = f"{city}#geometry", f"{city}#coordinates"
        add(city, GEO + "hasGeometry", iri(geom))
        add(geom, RDF + "type", iri(GEO + "Geometry"))
        add(geom, GEO + "asWKT", typed(f"POINT({lon} {lat})", GEO + "wktLiteral"))
        add(city, SCHEMA + "geo", iri(coords))
        add(coords, RDF + "type", iri(SCHEMA + "GeoCoordinates"))
        add(coords, SCHEMA + "latitude", typed(lat, XSD + "decimal"))
        add(coords, SCHEMA + "longitude", typed(lon, XSD + "decimal"))

        # districts and a landmark
        for k in (1, 2):
            area = str(p.id("area", f"{slug}-district-{k}"))
            for t in (SCHEMA + "AdministrativeArea", d + "AdministrativeDivision"):
                add(area, RDF + "type", iri(t))
            labels(area, f"{name} District {k}")
            add(area, SCHEMA + "containedInPlace", iri(city))
            add(city, SCHEMA + "containsPlace", iri(area))
            prov(area, f"{name} has 2 districts.")
        landmark = str(p.id("landmark", f"{slug}-tower"))
        for t in (SCHEMA + "LandmarksOrHistoricalBuildings", d + "Landmark"):
            add(landmark, RDF + "type", iri(t))
        labels(landmark, f"{name} Tower", hanzi + "塔")
        add(landmark, SCHEMA + "containedInPlace", iri(city))
        sentence = f"{name} Tower is known as the pearl of the river."
        add(landmark, SCHEMA + "description", en(sentence))
        add(landmark, d + "reputation", en("the pearl of the river"))
        prov(landmark, sentence)

        # narratives mentioning an event and an organisation
        for k in (1, 2):
            title = f"Cooperation story {k} of {name}"
            narrative = str(p.id("narrative", slug, f"cooperation-story-{k}"))
            for t in (d + "CooperationNarrative", SCHEMA + "CreativeWork"):
                add(narrative, RDF + "type", iri(t))
            text = f"{name} hosts partners from abroad (story {k})."
            add(narrative, RDFS + "label", en(title))
            add(narrative, DCT + "title", en(title))
            add(narrative, SCHEMA + "text", en(text))
            add(narrative, SCHEMA + "position", typed(str(k), XSD + "integer"))
            add(narrative, d + "narrativeOf", iri(city))
            add(city, d + "hasNarrative", iri(narrative))
            add(narrative, DCT + "subject", iri(city_themes[k - 1]))
            if k == 1:
                thing = str(p.id("event", f"{slug}-expo"))
                types = (SCHEMA + "EventSeries", d + "Event")
                thing_name = f"{name} Expo"
            else:
                thing = str(p.id("organisation", f"{slug}-university"))
                types = (SCHEMA + "EducationalOrganization", d + "Organisation")
                thing_name = f"{name} University"
            add(narrative, SCHEMA + "mentions", iri(thing))
            for t in types:
                add(thing, RDF + "type", iri(t))
            labels(thing, thing_name)
            add(thing, SCHEMA + "location", iri(city))
            if k == 1:
                add(thing, d + "editionCount", typed(str(rnd.randint(1, 40)), XSD + "integer"))
            prov(thing, f"{thing_name} is in {name}.")
            prov(narrative, f"{title}. {text}")

        # a photo and its agent
        creator = f"Photographer {i + 1}"
        agent = str(p.id("agent", f"photographer-{i + 1}"))
        image = str(p.id("image", slug, f"photographer-{i + 1}"))
        credit = f"Photo: {creator} (CC BY-SA 4.0)"
        for t in (SCHEMA + "ImageObject", d + "Photo"):
            add(image, RDF + "type", iri(t))
        add(image, RDFS + "label", en(f"Photo of {name} by {creator}"))
        add(image, SCHEMA + "creditText", plain(credit))
        add(image, SCHEMA + "creator", iri(agent))
        add(image, SCHEMA + "license", iri(CC_BY_SA))
        add(image, DCT + "license", iri(EU_CC_BY_SA))
        add(image, SCHEMA + "about", iri(city))
        add(image, PROV + "wasDerivedFrom", iri(source))
        add(image, d + "sourceText", en(credit))
        for t in (SCHEMA + "Person", FOAF + "Agent"):
            add(agent, RDF + "type", iri(t))
        add(agent, SCHEMA + "name", plain(creator))
        add(agent, RDFS + "label", plain(creator))
        add(agent, FOAF + "name", plain(creator))

        ctx = {"name": name, "slug": slug, "city": city, "graph": graph, "source": source, "dataset": dataset}
        return lines, ctx

    def observation(self, ctx: dict, indicator: tuple[str, str, str | None], year: int,
                    rnd: random.Random) -> list[str]:
        ind, unit, industry = indicator
        ind_slug = ind.rsplit("/", 1)[-1]
        obs = f"{self.p.base}/id/observation/{ctx['slug']}/{ind_slug}/{year}"
        g, d = ctx["graph"], self.defs
        if unit == "PERCENT":
            value = f"{rnd.uniform(0, 100):.1f}"
            literal = typed(value, XSD + "decimal")
        elif unit == "KiloM2":
            value = f"{rnd.uniform(100, 20000):.2f}"
            literal = typed(value, XSD + "decimal")
        else:
            value = str(rnd.randint(1, 10_000_000) if unit != "NUM" or "population" in ind_slug else rnd.randint(1, 60))
            literal = typed(value, XSD + "integer")
        qslug, words, _w = rnd.choices(QUALIFIERS, weights=[q[2] for q in QUALIFIERS])[0]
        stated = f"{words}{value}{UNIT_WORDS.get(unit, ' ' + unit)}"
        label = ind_slug.replace("-", " ")
        sentence = f"In {year}, the {label} of {ctx['name']} was {stated}."
        o = f"<{obs}> "
        tail = f" {g} .\n"
        lines = [
            f"{o}<{RDF}type> <{QB}Observation>{tail}",
            f"{o}<{QB}dataSet> <{ctx['dataset']}>{tail}",
            f"{o}<{SDMX_DIM}refArea> <{ctx['city']}>{tail}",
            f"{o}<{SDMX_DIM}refPeriod> <{YEAR}{year}>{tail}",
            f"{o}<{d}indicator> <{ind}>{tail}",
            f"{o}<{SDMX_MEAS}obsValue> {literal}{tail}",
            f"{o}<{SDMX_ATTR}unitMeasure> <{UNIT}{unit}>{tail}",
            f"{o}<{d}valueQualifier> <{d}qualifier/{qslug}>{tail}",
            f"{o}<{SDMX_ATTR}obsStatus> <{SDMX_CODE}obsStatus-A>{tail}",
            f"{o}<{d}statedAs> {en(stated)}{tail}",
            f"{o}<{d}sourceText> {en(sentence)}{tail}",
            f"{o}<{PROV}wasDerivedFrom> <{ctx['source']}>{tail}",
        ]
        if industry:
            lines.append(f"{o}<{d}industry> <{industry}>{tail}")
        return lines

    def lines(self, triples: int, ontology: bool = True, cities_per_province: int = 8) -> Iterator[list[str]]:
        """Chunks of N-Quads lines totalling `triples` lines (to within one observation)."""
        count = 0
        if ontology:
            yield self.ontology_lines
            count += len(self.ontology_lines)
        themes, industries, roles = self.concepts("theme"), self.concepts("industry"), self.concepts("role")
        i = 0
        while count < triples:
            rnd = random.Random(f"{self.seed}/{i}")
            fixed, ctx = self.city_fixed(i, rnd, themes, industries, roles, cities_per_province)
            if i > 0 and count + len(fixed) > triples + triples // 100:
                break  # a whole extra city would overshoot by more than 1%
            yield fixed
            count += len(fixed)
            chunk: list[str] = []
            for year in self.years:
                for indicator in self.indicators:
                    obs = self.observation(ctx, indicator, year, rnd)
                    if count + len(obs) > triples:
                        break
                    chunk.extend(obs)
                    count += len(obs)
                else:
                    continue
                break
            yield chunk
            i += 1


@contextmanager
def open_output(path: Path) -> Iterator[TextIO]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                   compresslevel=6) as gz, \
                io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as text:
            yield text
    else:
        with path.open("w", encoding="utf-8", newline="\n") as text:
            yield text


def generate(out: Path, triples: int, base: str = DEFAULT_BASE, seed: int = 1, ontology: bool = True,
             years: int = 25) -> int:
    """Writes the catalogue to `out` (gzipped if it ends in .gz); returns the number of quads written."""
    if triples < 1:
        raise ValueError("--triples must be positive")
    cat = Catalogue(base, seed, years)
    n = 0
    with open_output(Path(out)) as f:
        for chunk in cat.lines(triples, ontology=ontology):
            f.write("".join(chunk))
            n += len(chunk)
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, required=True, help="target number of triples (quads)")
    ap.add_argument("--out", type=Path, required=True, help="output file (.nq or .nq.gz)")
    ap.add_argument("--base", default=DEFAULT_BASE, help=f"canonical base (default {DEFAULT_BASE})")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--years", type=int, default=25, help="years of observations per indicator (default 25)")
    ap.add_argument("--no-ontology", action="store_true", help="leave out the ontology graph")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    n = generate(args.out, args.triples, args.base, args.seed, not args.no_ontology, args.years)
    dt = time.perf_counter() - t0
    print(f"{args.out}: {n} quads in {dt:.1f} s ({n / max(dt, 1e-9):,.0f}/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
