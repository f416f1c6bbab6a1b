"""The URI policy (README "Choosing the base URI", docs/model.md) and the namespaces both sides use.

Every URI the project mints comes from a `UriPolicy`; nothing else builds URIs by
string concatenation.  The canonical base is one setting: the ontology, concept
schemes and shapes are written with IRIs relative to it (for example
``@prefix ckg: <def/> .``) and are resolved against ``base + "/"`` when parsed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii
from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

DEFAULT_BASE = "https://w3id.org/citykg"

SCHEMA = Namespace("https://schema.org/")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_CODE = Namespace("http://purl.org/linked-data/sdmx/2009/code#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SF = Namespace("http://www.opengis.net/ont/sf#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GEONAMES = Namespace("https://sws.geonames.org/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
NACE = Namespace("http://data.europa.eu/ux2/nace2/")
SDG = Namespace("http://metadata.un.org/sdg/")
EU_LICENCE = Namespace("http://publications.europa.eu/resource/authority/licence/")
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_FILETYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
IANA_MEDIA = Namespace("http://www.iana.org/assignments/media-types/")

CC_BY_SA_4 = URIRef("http://creativecommons.org/licenses/by-sa/4.0/")
CC_BY_4 = URIRef("http://creativecommons.org/licenses/by/4.0/")

#: Prefixes bound in every serialization, the SPARQL editor and the JSON-LD context.
STANDARD_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "void": str(VOID),
    "schema": str(SCHEMA),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "sdmx-code": str(SDMX_CODE),
    "unit": str(UNIT),
    "qudt": str(QUDT),
    "geo": str(GEO),
    "sf": str(SF),
    "spdx": str(SPDX),
    "sd": str(SD),
    "sh": str(SH),
}

#: Types of real-world things under /id/ (docs/model.md, "Things").
ID_TYPES = (
    "city",
    "province",
    "country",
    "area",
    "industry",
    "landmark",
    "event",
    "organisation",
    "project",
    "programme",
    "narrative",
    "image",
    "agent",
    "source",
    "dataset",
    "observation",
)

#: Concept schemes under /def/ (docs/model.md, "Concept schemes"; `role` for centre roles).
SCHEMES = ("theme", "indicator", "industry", "qualifier", "role")

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: A release's version in a releases folder (docs/release.md): a folder name and an IRI segment.
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
#: The name of the symlink to the latest release; never a version.
LATEST = "latest"


def is_version(value: str) -> bool:
    """Whether `value` can name a release: ``[0-9A-Za-z][0-9A-Za-z._-]{0,63}``, not ``latest``."""
    return bool(VERSION_RE.match(value)) and value != LATEST


def slugify(name: str) -> str:
    """A stable slug from a name: lowercase ASCII words joined by hyphens.

    Non-Latin names are transliterated (``上海道台`` -> ``shanghaidaotai``), so
    the slug depends only on the name, never on order or counters.
    """
    text = unicodedata.normalize("NFKC", name)
    text = anyascii(text).lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if not text:
        raise ValueError(f"cannot derive a slug from {name!r}")
    return text


def is_slug(value: str) -> bool:
    return bool(_SLUG_RE.match(value))


@dataclass(frozen=True)
class UriPolicy:
    """Mints every URI of a deployment from its canonical base (no trailing slash)."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        base = self.base.rstrip("/")
        if not re.match(r"^https?://[^/\s]+(/[^\s?#]*)?$", base):
            raise ValueError(f"base URI must be an absolute http(s) URL without query: {self.base!r}")
        object.__setattr__(self, "base", base)

    # -- namespaces -------------------------------------------------------
    @property
    def parse_base(self) -> str:
        """The IRI relative references in ontology/ and shapes/ resolve against."""
        return self.base + "/"

    @property
    def DEF(self) -> Namespace:  # noqa: N802 - a namespace reads best in capitals
        return Namespace(f"{self.base}/def/")

    def prefixes(self) -> dict[str, str]:
        p = dict(STANDARD_PREFIXES)
        p["ckg"] = f"{self.base}/def/"
        for scheme in SCHEMES:
            p[scheme] = f"{self.base}/def/{scheme}/"
        p["id"] = f"{self.base}/id/"
        return p

    # -- things, documents, terms -------------------------------------------
    def id(self, kind: str, *slugs: str) -> URIRef:
        if kind not in ID_TYPES:
            raise ValueError(f"unknown id type {kind!r}")
        for s in slugs:
            if not is_slug(s):
                raise ValueError(f"not a slug: {s!r}")
        return URIRef("/".join([f"{self.base}/id/{kind}", *slugs]))

    def term(self, name: str) -> URIRef:
        """An ontology term: ``BASE/def/City``."""
        return URIRef(f"{self.base}/def/{name}")

    def scheme(self, scheme: str) -> URIRef:
        """A concept scheme: ``BASE/def/indicator``."""
        if scheme not in SCHEMES:
            raise ValueError(f"unknown concept scheme {scheme!r}")
        return URIRef(f"{self.base}/def/{scheme}")

    def concept(self, scheme: str, slug: str) -> URIRef:
        """A concept: ``BASE/def/indicator/population``."""
        if not is_slug(slug):
            raise ValueError(f"not a slug: {slug!r}")
        return URIRef(f"{self.scheme(scheme)}/{slug}")

    def observation(self, city: str, indicator: str, period: str | None = None) -> URIRef:
        return self.id("observation", city, indicator, *([period] if period else []))

    def graph(self, name: str) -> URIRef:
        """Named graphs of the release: ``BASE/graph/profile/nanchang``, ``BASE/graph/ontology``."""
        return URIRef(f"{self.base}/graph/{name}")

    def ontology(self) -> URIRef:
        return URIRef(f"{self.base}/def/")

    def is_local(self, uri: str) -> bool:
        return uri.startswith(self.base + "/")

    # Dataset-level resources (metadata graph).
    @property
    def catalog(self) -> URIRef:
        return URIRef(f"{self.base}/catalog")

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}/id/dataset/citykg")

    @property
    def sparql_service(self) -> URIRef:
        return URIRef(f"{self.base}/sparql")

    @property
    def void(self) -> URIRef:
        return URIRef(f"{self.base}/.well-known/void")

    def download(self, filename: str) -> URIRef:
        return URIRef(f"{self.base}/download/{filename}")

    # Releases kept over time (docs/release.md, "URIs of the releases"). `dataset` stays "the
    # dataset, latest release"; each kept release is a versioned dataset of it and a member of the series.
    @property
    def series(self) -> URIRef:
        """The `dcat:DatasetSeries` of every kept release: ``BASE/id/dataset/citykg/series``."""
        return URIRef(f"{self.dataset}/series")

    def release_dataset(self, version: str) -> URIRef:
        """The versioned `dcat:Dataset` of one release: ``BASE/id/dataset/citykg/release/{version}``."""
        return URIRef(f"{self.dataset}/release/{self._version(version)}")

    def release(self, version: str, path: str = "") -> URIRef:
        """Where the server answers for one release: ``BASE/release/{version}`` + ``/doc/…``,
        ``/download/{file}``, ``/sparql``, ``/changes``."""
        tail = f"/{path.lstrip('/')}" if path else ""
        return URIRef(f"{self.base}/release/{self._version(version)}{tail}")

    def release_download(self, version: str, filename: str) -> URIRef:
        """A file of one release: ``BASE/release/{version}/download/{file}``."""
        return self.release(version, f"download/{filename}")

    def changes(self, version: str) -> URIRef:
        """The changes a release brings against the previous one: ``BASE/release/{version}/changes``
        (the `ckg:ChangeSet` of its changes.ttl; its parts are hash IRIs under it)."""
        return self.release(version, "changes")

    @staticmethod
    def _version(version: str) -> str:
        if not is_version(version):
            raise ValueError(f"not a release version: {version!r}")
        return version
