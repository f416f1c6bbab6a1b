"""`Record` (+ reviewed sidecar) -> RDF, with every URI minted by `citykg.uris.UriPolicy`.

The model is described in docs/model.md.  Quantities become W3C Data Cube
observations carrying unit, qualifier, the figure as written and the source
sentence; every resource derived from the profile has `prov:wasDerivedFrom` the
source document.  No blank nodes: secondary nodes get hash IRIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from citykg.uris import (
    EU_LICENCE,
    GEO,
    QB,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_CODE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    UNIT,
    UriPolicy,
    slugify,
)

from .record import Figure, Named, Record, Review
from .sidecar import Sidecar
from .text import ExtractError

EN = "en"
DEFAULT_LICENSE = str(EU_LICENCE["CC_BY_4_0"])

_CC_LICENCE = re.compile(r"^CC\s*(?P<parts>BY(?:[- ](?:NC|ND|SA))*)\s+(?P<version>\d\.\d)$", re.I)
_CC0 = re.compile(r"^CC0(?:\s+1\.0)?$", re.I)


def licence_iris(label: str) -> tuple[URIRef, URIRef]:
    """'CC BY-SA 4.0' -> (Creative Commons IRI, EU licence authority IRI)."""
    label = label.strip()
    if _CC0.match(label):
        return (URIRef("http://creativecommons.org/publicdomain/zero/1.0/"), EU_LICENCE["CC0"])
    m = _CC_LICENCE.match(label)
    if not m:
        raise ValueError(f"unknown licence {label!r} (expected e.g. 'CC BY-SA 4.0', 'CC BY 2.0', 'CC0 1.0')")
    parts = [p.upper() for p in re.split(r"[- ]", m["parts"])]
    version = m["version"]
    cc = URIRef(f"http://creativecommons.org/licenses/{'-'.join(p.lower() for p in parts)}/{version}/")
    eu = EU_LICENCE[f"CC_{''.join(parts)}_{version.replace('.', '_')}"]
    return cc, eu


def number_literal(value: Decimal) -> Literal:
    if value == value.to_integral_value():
        return Literal(str(int(value)), datatype=XSD.integer)
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)


#: how a unit names the variant of an indicator in that unit (gdp-eur)
UNIT_SUFFIX = {"CCY_CNY": "cny", "CCY_EUR": "eur", "CCY_USD": "usd", "CCY_GBP": "gbp"}
REF_PERIOD_BASE = "http://reference.data.gov.uk/id/"
PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<q>Q[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


def period_iri(period: str) -> URIRef:
    """``2020`` -> reference.data.gov.uk year IRI (quarters ``2020-Q1``, months ``2020-05`` too)."""
    m = PERIOD.match(period)
    if not m:
        raise ValueError(f"period {period!r} is not a year (2020), quarter (2020-Q1) or month (2020-05)")
    if m["q"]:
        return URIRef(f"{REF_PERIOD_BASE}quarter/{m['year']}-{m['q']}")
    if m["month"]:
        return URIRef(f"{REF_PERIOD_BASE}month/{m['year']}-{m['month']}")
    return URIRef(f"{REF_PERIOD_BASE}year/{m['year']}")


ACRONYMS = {"gdp": "GDP", "grp": "GRP", "co2": "CO2", "eur": "EUR", "usd": "USD", "cny": "CNY", "gbp": "GBP",
            "unesco": "UNESCO", "it": "IT", "rd": "R&D", "ict": "ICT", "pm2": "PM2", "teu": "TEU"}


def indicator_label(slug: str) -> str:
    """``gdp-per-capita-eur`` -> "GDP per capita EUR": a minted indicator's label, from its slug."""
    return " ".join(ACRONYMS.get(w, w) for w in slug.split("-"))


def humanize_indicator(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def words(text: str) -> str:
    """The words of a text for matching: lowercase ASCII, punctuation as spaces (``Eco-tourism`` ->
    ``eco tourism``), ``&`` as ``and``."""
    return " ".join(slugify(text).split("-")) if re.search(r"[^\W_]", text) else ""


def speaks_of(text: str, phrases: list[str]) -> bool:
    """Whether `text` uses one of `phrases` as whole words (a phrase may take a plural ``s``)."""
    haystack = f" {words(text)} "
    return any(re.search(rf" {re.escape(w)}s? ", haystack) for p in phrases if (w := words(p)))


@dataclass
class ThemeScheme:
    """The cooperation themes the ontology defines: each concept by the slug of each of its labels
    (preferred and alternative), and the phrases that show a narrative speaks of it (its labels and
    its ``skos:hiddenLabel`` keywords)."""

    by_slug: dict[str, URIRef] = field(default_factory=dict)
    phrases: dict[URIRef, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, policy: UriPolicy, ontology: Graph | None) -> ThemeScheme:
        out = cls()
        if ontology is None:
            return out
        for c in sorted(set(ontology.subjects(SKOS.inScheme, policy.scheme("theme")))):
            if not isinstance(c, URIRef):
                continue
            phrases = []
            for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
                for label in sorted(str(o) for o in ontology.objects(c, predicate)
                                    if isinstance(o, Literal) and (o.language or "en").startswith("en")):
                    phrases.append(label)
                    if predicate is not SKOS.hiddenLabel:
                        out.by_slug.setdefault(slugify(label), c)
            out.phrases[c] = phrases
        return out


class Mapper:
    def __init__(self, policy: UriPolicy, record: Record, sidecar: Sidecar, known: set[URIRef],
                 license: str = DEFAULT_LICENSE, units: dict[URIRef, URIRef] | None = None,
                 themes: ThemeScheme | None = None) -> None:
        self.p = policy
        self.r = record
        self.s = sidecar
        self.known = known  # terms and concepts the ontology graph defines
        self.units = units or {}  # the ckg:unit of each indicator concept the ontology defines
        self.license = URIRef(license)
        self.g = Graph()
        self.ckg = policy.DEF
        for prefix, ns in policy.prefixes().items():
            self.g.bind(prefix, ns)
        self.city_slug = slugify(record.city.name)
        self.city = policy.id("city", self.city_slug)
        self.source = policy.id("source", self.city_slug)
        self.minted: set[URIRef] = set()  # indicator concepts minted from this profile's words
        self.theme_scheme = themes or ThemeScheme()
        self.city_themes: dict[URIRef, list[str]] = {}  # the themes the city seeks, with their phrases

    # helpers -----------------------------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.g.add((s, p, o))

    def label(self, s: URIRef, text: str, lang: str = EN, name: bool = True) -> None:
        self.add(s, RDFS.label, Literal(text, lang=lang))
        if name:
            self.add(s, SCHEMA.name, Literal(text, lang=lang))

    def provenance(self, s: URIRef, sentence: str | None) -> None:
        self.add(s, PROV.wasDerivedFrom, self.source)
        if sentence:
            self.add(s, self.ckg.sourceText, Literal(sentence, lang=EN))

    def attribution(self, s: URIRef, review: Review | None) -> None:
        """Who asserted a fact: the reviewer who accepted, corrected or added it (a person, with the day),
        else the extractor (a software agent)."""
        if review is None:
            agent = self.p.id("agent", "citykg-extractor")
            self.add(s, PROV.wasAttributedTo, agent)
            for t in (PROV.SoftwareAgent, PROV.Agent, FOAF.Agent):
                self.add(agent, RDF.type, t)
            self.add(agent, RDFS.label, Literal("citykg extractor", lang=EN))
            self.add(agent, FOAF.name, Literal("citykg extractor"))
            return
        agent = self.p.id("agent", slugify(review.by))
        self.add(s, PROV.wasAttributedTo, agent)
        self.add(s, DCTERMS.date, Literal(review.at, datatype=XSD.date))
        self.add(s, self.ckg.reviewDecision, Literal(review.decision))
        for t in (SCHEMA.Person, FOAF.Person, FOAF.Agent, PROV.Person, PROV.Agent):
            self.add(agent, RDF.type, t)
        for p in (SCHEMA.name, RDFS.label, FOAF.name):
            self.add(agent, p, Literal(review.by))

    def place_extras(self, s: URIRef, labels: dict[str, str], same_as: list[str]) -> None:
        for lang, text in sorted(labels.items()):
            self.label(s, text, lang)
        for iri in same_as:
            self.add(s, OWL.sameAs, URIRef(iri))

    def concept(self, scheme: str, slug: str, label: str, sentence: str | None = None,
                definition: str | None = None, broader: URIRef | None = None) -> URIRef:
        """A concept of one of the project's schemes; defined here when the ontology lacks it."""
        c = self.p.concept(scheme, slug)
        if c not in self.known:
            self.add(c, RDF.type, SKOS.Concept)
            self.add(c, SKOS.inScheme, self.p.scheme(scheme))
            if broader is not None:
                self.add(c, SKOS.broader, broader)
            else:
                self.add(c, SKOS.topConceptOf, self.p.scheme(scheme))
                self.add(self.p.scheme(scheme), SKOS.hasTopConcept, c)
            self.add(c, SKOS.prefLabel, Literal(label, lang=EN))
            self.add(c, SKOS.definition, Literal(definition or f"{label}, as named in the source profile of "
                                                 f"{self.r.city.name}.", lang=EN))
            self.add(c, RDFS.isDefinedBy, self.p.ontology())
            if sentence:
                self.provenance(c, sentence)
        return c

    # the mapping -----------------------------------------------------------------------
    def run(self) -> Graph:
        self.source_document()
        self.places()
        self.dataset_and_observations()
        self.industries()
        self.landmarks()
        self.themes()
        self.narratives()
        self.organisations()
        self.photos()
        return self.g

    def source_document(self) -> None:
        src, r = self.source, self.r
        for t in (PROV.Entity, SCHEMA.DigitalDocument, self.ckg.SourceDocument):
            self.add(src, RDF.type, t)
        title = self.s.source_title or f"{r.city.name}: source profile"
        self.add(src, RDFS.label, Literal(title, lang=EN))
        self.add(src, DCTERMS.title, Literal(title, lang=EN))
        self.add(src, self.ckg.sha256, Literal(r.sha256))
        self.add(src, self.ckg.fileName, Literal(r.file))
        if self.s.publisher:
            self.add(src, DCTERMS.publisher, Literal(self.s.publisher, lang=EN))
        if self.s.issued:
            dtype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(self.s.issued), XSD.date)
            self.add(src, DCTERMS.issued, Literal(self.s.issued, datatype=dtype))

    def places(self) -> None:
        r, s, city = self.r, self.s, self.city
        for t in (SCHEMA.City, self.ckg.City):
            self.add(city, RDF.type, t)
        self.label(city, r.city.name)
        self.place_extras(city, s.city.labels, s.city.same_as)
        self.provenance(city, r.city.source)
        if s.city.lat is not None and s.city.lon is not None:
            geom = URIRef(f"{city}#geometry")
            self.add(city, GEO.hasGeometry, geom)
            self.add(geom, RDF.type, GEO.Geometry)
            self.add(geom, GEO.asWKT, Literal(f"POINT({s.city.lon} {s.city.lat})", datatype=GEO.wktLiteral))
            coords = URIRef(f"{city}#coordinates")
            self.add(city, SCHEMA.geo, coords)
            self.add(coords, RDF.type, SCHEMA.GeoCoordinates)
            self.add(coords, SCHEMA.latitude, Literal(str(s.city.lat), datatype=XSD.decimal))
            self.add(coords, SCHEMA.longitude, Literal(str(s.city.lon), datatype=XSD.decimal))

        country = None
        if s.country is not None and s.country.name:
            country = self.p.id("country", slugify(s.country.name))
            self.add(country, RDF.type, SCHEMA.Country)
            self.label(country, s.country.name)
            self.place_extras(country, s.country.labels, s.country.same_as)
        elif r.country is not None:
            country = self.p.id("country", slugify(r.country.name))
            self.add(country, RDF.type, SCHEMA.Country)
            self.label(country, r.country.name)
            self.provenance(country, r.country.source)

        if r.province is not None:
            full = r.province.name
            short = s.province.name or re.sub(r"\s+Province$", "", full)
            prov = self.p.id("province", slugify(short))
            for t in (SCHEMA.AdministrativeArea, self.ckg.Province):
                self.add(prov, RDF.type, t)
            self.label(prov, short)
            if full != short:
                self.add(prov, SKOS.altLabel, Literal(full, lang=EN))
            self.place_extras(prov, s.province.labels, s.province.same_as)
            self.provenance(prov, r.province.source)
            if country is not None:
                self.add(prov, SCHEMA.containedInPlace, country)
            self.add(city, SCHEMA.containedInPlace, prov)
            if r.capital:
                self.add(city, self.ckg.capitalOf, prov)
        elif country is not None:
            self.add(city, SCHEMA.containedInPlace, country)

        if r.divisions_source:
            self.add(city, self.ckg.subdivisionSummary, Literal(r.divisions_source, lang=EN))
        for division in r.divisions:
            area = self.p.id("area", slugify(division.name))
            for t in (SCHEMA.AdministrativeArea, self.ckg.AdministrativeDivision):
                self.add(area, RDF.type, t)
            self.label(area, division.name)
            self.add(area, SCHEMA.containedInPlace, city)
            self.add(city, SCHEMA.containsPlace, area)
            self.provenance(area, division.source)
        for role in r.centre_roles:
            c = self.concept("role", role, f"{role.replace('-', ' ')} centre", r.roles_source)
            self.add(city, self.ckg.centreRole, c)

    def dataset_and_observations(self) -> None:
        """The profile's figures: those without a period in the dataset ``dataset/{city}`` (structure
        ckg:dsd), those with the period their sentence states in ``dataset/{city}/periods``
        (ckg:dsdPeriod, refPeriod a dimension), as the Data Cube wants one structure per dataset."""
        undated = [f for f in self.r.figures if not f.period]
        dated = [f for f in self.r.figures if f.period]
        ds = self.p.id("dataset", self.city_slug)
        self.add(ds, RDF.type, QB.DataSet)
        self.add(ds, QB.structure, self.ckg.dsd)
        self.label(ds, f"Indicators of {self.r.city.name} from its source profile", name=False)
        self.add(ds, PROV.wasDerivedFrom, self.source)
        self.add(ds, DCTERMS.license, self.license)
        for figure in undated:
            self.observation(ds, figure)
        if dated:
            by_period = self.p.id("dataset", self.city_slug, "periods")
            self.add(by_period, RDF.type, QB.DataSet)
            self.add(by_period, QB.structure, self.ckg.dsdPeriod)
            self.label(by_period, f"Indicators of {self.r.city.name} by period, from its source profile", name=False)
            self.add(by_period, PROV.wasDerivedFrom, self.source)
            self.add(by_period, DCTERMS.license, self.license)
            for figure in dated:
                self.observation(by_period, figure)

    def observation(self, ds: URIRef, f: Figure) -> None:
        slug, label, broader = f.indicator, indicator_label(f.indicator), None
        indicator = self.p.concept("indicator", slug)
        if indicator in self.units and self.units[indicator] != UNIT[f.unit]:
            # the scheme's concept is in another unit (gdp is in CNY): a narrower concept in this unit
            suffix = UNIT_SUFFIX.get(f.unit, f.unit.lower())
            broader, slug = indicator, f"{slug}-{suffix}"
            label = f"{label} ({suffix.upper()})"
            indicator = self.p.concept("indicator", slug)
        elif indicator not in self.known and f.unit in UNIT_SUFFIX and not slug.endswith(f"-{UNIT_SUFFIX[f.unit]}"):
            # a minted amount of money names its currency: "exports" of one profile in EUR and of another in
            # CNY are two concepts (exports-eur, exports-cny), whichever profile comes first
            suffix = UNIT_SUFFIX[f.unit]
            slug, label = f"{slug}-{suffix}", f"{label} ({suffix.upper()})"
            indicator = self.p.concept("indicator", slug)
        obs = self.p.observation(self.city_slug, slug, f.period)
        if indicator not in self.known and indicator not in self.minted:
            # an indicator the scheme does not have: minted from the text's own words, marked unreviewed
            # label and definition from the slug alone: every profile that names it mints the same concept
            c = self.concept("indicator", slug, label, f.source, broader=broader,
                             definition=f"{label[:1].upper()}{label[1:]}, an indicator named in the source profiles "
                                        f"and minted by the extractor.")
            self.add(c, self.ckg.unit, UNIT[f.unit])
            self.add(c, SKOS.editorialNote, Literal(
                "Minted by the extractor from the wording of the source profile; not reviewed.", lang=EN))
            self.minted.add(indicator)
        if f.period:
            self.add(obs, SDMX_DIMENSION.refPeriod, period_iri(f.period))
        if f.high is not None:
            self.add(obs, self.ckg.upperBound, number_literal(f.high))
        self.add(obs, RDF.type, QB.Observation)
        self.add(obs, QB.dataSet, ds)
        self.add(obs, SDMX_DIMENSION.refArea, self.city)
        self.add(obs, self.ckg.indicator, indicator)
        self.add(obs, SDMX_MEASURE.obsValue, number_literal(f.value))
        self.add(obs, SDMX_ATTRIBUTE.unitMeasure, UNIT[f.unit])
        self.add(obs, self.ckg.valueQualifier, self.p.concept("qualifier", f.qualifier))
        self.add(obs, SDMX_ATTRIBUTE.obsStatus, SDMX_CODE["obsStatus-A"])
        self.add(obs, self.ckg.statedAs, Literal(f.stated, lang=EN))
        if f.industry:
            self.add(obs, self.ckg.industry, self.p.concept("industry", f.industry))
        self.provenance(obs, f.source)
        self.attribution(obs, f.review)

    def industries(self) -> None:
        for industry in self.r.industries:
            c = self.concept("industry", slugify(industry.name), industry.name, industry.source)
            self.add(self.city, self.ckg.leadingIndustry, c)

    def landmarks(self) -> None:
        for lm in self.r.landmarks:
            uri = self.p.id("landmark", slugify(lm.name))
            for t in (SCHEMA.LandmarksOrHistoricalBuildings, self.ckg.Landmark):
                self.add(uri, RDF.type, t)
            self.label(uri, lm.name)
            extra = self.s.landmarks.get(lm.name)
            if extra is not None:
                self.place_extras(uri, extra.labels, extra.same_as)
            self.add(uri, SCHEMA.containedInPlace, self.city)
            self.add(uri, SCHEMA.description, Literal(lm.source, lang=EN))
            if lm.note:
                self.add(uri, self.ckg.reputation, Literal(lm.note, lang=EN))
            self.provenance(uri, lm.source)
            self.attribution(uri, lm.review)

    def themes(self) -> None:
        """The cooperation themes: one shared scheme. A theme whose label (or one of whose alternative
        labels) the scheme has, matched by slug (case, accents and punctuation aside), is that concept;
        any other label is minted once at ``def/theme/{slug}``, with a definition that names no city,
        so that every profile naming the same theme names the same concept."""
        for theme in self.r.themes:
            slug = slugify(theme.name)
            c = self.theme_scheme.by_slug.get(slug)
            phrases = self.theme_scheme.phrases.get(c, []) if c is not None else [theme.name]
            if c is None:
                c = self.concept("theme", slug, theme.name, definition=(
                    f"{theme.name}: a preferred area of cooperation named in the source profiles, minted from its "
                    f"label."))
                if c not in self.known:
                    self.add(c, SKOS.editorialNote, Literal(
                        "Minted from the label a source profile gives it; not reviewed, not linked to SDG targets "
                        "or EU data themes yet.", lang=EN))
                    self.add(c, PROV.wasDerivedFrom, self.source)
            self.add(self.city, self.ckg.seeksCooperationOn, c)
            self.city_themes[c] = phrases

    def mention(self, m: Named) -> URIRef:
        kinds = {
            "event": ("event", [SCHEMA.EventSeries, self.ckg.Event]),
            "organisation": ("organisation", [self._org_type(m.name), self.ckg.Organisation]),
            "project": ("project", [SCHEMA.Project, self.ckg.Project]),
            "programme": ("programme", [self.ckg.Programme]),
        }
        if m.kind not in kinds:
            raise ExtractError(f"{self.r.file}: unknown kind of mention {m.kind!r} for {m.name!r}")
        kind, types = kinds[m.kind]
        uri = self.p.id(kind, slugify(m.name))
        for t in types:
            self.add(uri, RDF.type, t)
        self.label(uri, m.name)
        self.add(uri, SCHEMA.location, self.city)
        if m.count is not None:
            self.add(uri, self.ckg.editionCount, Literal(str(m.count), datatype=XSD.integer))
        self.provenance(uri, m.source)
        return uri

    def organisations(self) -> None:
        """Organisations a reviewer named (those of the narratives are their mentions)."""
        for org in self.r.organisations:
            uri = self.mention(Named(org.name, org.source, kind="organisation"))
            self.attribution(uri, org.review)

    @staticmethod
    def _org_type(name: str) -> URIRef:
        if re.search(r"College|University|School|Academy|Institute", name):
            return SCHEMA.EducationalOrganization
        return SCHEMA.Organization

    def narratives(self) -> None:
        for n in self.r.narratives:
            uri = self.p.id("narrative", self.city_slug, slugify(n.title))
            for t in (self.ckg.CooperationNarrative, SCHEMA.CreativeWork):
                self.add(uri, RDF.type, t)
            self.add(uri, RDFS.label, Literal(n.title, lang=EN))
            self.add(uri, DCTERMS.title, Literal(n.title, lang=EN))
            self.add(uri, SCHEMA.text, Literal(n.text, lang=EN))
            self.add(uri, SCHEMA.position, Literal(str(n.position), datatype=XSD.integer))
            self.add(uri, self.ckg.narrativeOf, self.city)
            self.add(self.city, self.ckg.hasNarrative, uri)
            for m in n.mentions:
                self.add(uri, SCHEMA.mentions, self.mention(m))
            # the themes of the city this narrative speaks of: its title or text uses one of a theme's
            # labels or keywords (whole words), so a theme page lists only the narratives about it
            for theme, phrases in sorted(self.city_themes.items()):
                if speaks_of(f"{n.title}. {n.text}", phrases):
                    self.add(uri, DCTERMS.subject, theme)
            self.provenance(uri, f"{n.title}. {n.text}")

    def photos(self) -> None:
        for credit in self.r.credits:
            slug = slugify(credit.creator)
            image = self.p.id("image", self.city_slug, slug)
            agent = self.p.id("agent", slug)
            try:
                cc, eu = licence_iris(credit.licence)
            except ValueError as exc:
                raise ExtractError(f"{self.r.file}: photo credit {credit.text!r}: {exc}") from exc
            for t in (SCHEMA.ImageObject, self.ckg.Photo):
                self.add(image, RDF.type, t)
            self.add(image, RDFS.label, Literal(f"Photo of {self.r.city.name} by {credit.creator}", lang=EN))
            self.add(image, SCHEMA.creditText, Literal(credit.text))
            self.add(image, SCHEMA.creator, agent)
            self.add(image, SCHEMA.license, cc)
            self.add(image, DCTERMS.license, eu)
            self.add(image, SCHEMA.about, self.city)
            self.provenance(image, credit.text)
            for t in (SCHEMA.Person, FOAF.Agent):
                self.add(agent, RDF.type, t)
            self.add(agent, SCHEMA.name, Literal(credit.creator))
            self.add(agent, RDFS.label, Literal(credit.creator))
            self.add(agent, FOAF.name, Literal(credit.creator))


def map_record(policy: UriPolicy, record: Record, sidecar: Sidecar, ontology: Graph | None = None,
               license: str = DEFAULT_LICENSE) -> Graph:
    """The profile graph of one record; `license` is the dataset's licence IRI."""
    known: set[URIRef] = set()
    units: dict[URIRef, URIRef] = {}
    if ontology is not None:
        known = {s for s in ontology.subjects() if isinstance(s, URIRef)}
        units = {s: o for s, o in ontology.subject_objects(policy.DEF.unit)
                 if isinstance(s, URIRef) and isinstance(o, URIRef)}
    return Mapper(policy, record, sidecar, known, license, units, ThemeScheme.of(policy, ontology)).run()
