"""The one registry of formats the server speaks: media type, extension, engine format, label.

Every negotiation (documents, errors, search, the SPARQL endpoint) and every serializer looks
its formats up here; nothing else lists media types.

- ``name``: the key, also the value of the SPARQL ``format``/``output`` parameter.
- ``kind``: ``page`` (HTML), ``document`` (an RDF document variant of a resource), ``results``
  (SELECT/ASK answers), ``graph`` (CONSTRUCT/DESCRIBE answers), ``data`` (other JSON/text).
- ``aliases``: other media types clients send for the same format (``application/json`` for
  JSON-LD documents); an alias counts as an exact range for the format.
- ``sparql_aliases``: more names the SPARQL endpoint accepts for its answers (``text/plain`` for
  N-Triples, ``application/xml`` for RDF/XML), where they also match wildcards (``text/*``);
  resource documents do not take them (``text/plain`` there is 406, not N-Triples).
- ``params``: more values of the ``format`` parameter that name the format.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    kind: str
    media_type: str
    label: str
    extension: str | None = None
    engine: ox.RdfFormat | ox.QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()
    sparql_aliases: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    w3c: str | None = None  # the name under http://www.w3.org/ns/formats/
    text: bool = True

    @property
    def content_type(self) -> str:
        """The Content-Type header value (with charset for text formats)."""
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    @property
    def names(self) -> tuple[str, ...]:
        """Every media type that names the format at the SPARQL endpoint."""
        return (self.media_type, *self.aliases, *self.sparql_aliases)


def _f(*args, **kwargs) -> Format:
    return Format(*args, **kwargs)


#: every format, by name
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        _f("html", "page", "text/html", "HTML", "html", aliases=("application/xhtml+xml",)),
        _f("turtle", "document", "text/turtle", "Turtle", "ttl", ox.RdfFormat.TURTLE,
           aliases=("application/x-turtle", "text/n3"), sparql_aliases=("application/turtle", "text/rdf+n3"),
           params=("ttl", "n3"), w3c="Turtle"),
        _f("jsonld", "document", "application/ld+json", "JSON-LD", "jsonld", ox.RdfFormat.JSON_LD,
           aliases=("application/json",), sparql_aliases=("application/x-json+ld",), params=("json-ld", "json"),
           w3c="JSON-LD"),
        _f("rdfxml", "document", "application/rdf+xml", "RDF/XML", "rdf", ox.RdfFormat.RDF_XML,
           sparql_aliases=("application/xml", "text/xml"), params=("rdf+xml", "rdf", "xml"), w3c="RDF_XML"),
        _f("ntriples", "document", "application/n-triples", "N-Triples", "nt", ox.RdfFormat.N_TRIPLES,
           sparql_aliases=("text/plain",), params=("n-triples", "nt"), w3c="N-Triples"),
        _f("json", "results", "application/sparql-results+json", "SPARQL JSON", "srj", ox.QueryResultsFormat.JSON,
           aliases=("application/json", "text/javascript", "application/javascript"),
           params=("srj",), w3c="SPARQL_Results_JSON"),
        _f("xml", "results", "application/sparql-results+xml", "SPARQL XML", "srx", ox.QueryResultsFormat.XML,
           aliases=("application/xml", "text/xml"), params=("srx",),
           w3c="SPARQL_Results_XML"),
        _f("csv", "results", "text/csv", "CSV", "csv", ox.QueryResultsFormat.CSV, w3c="SPARQL_Results_CSV"),
        _f("tsv", "results", "text/tab-separated-values", "TSV", "tsv", ox.QueryResultsFormat.TSV,
           w3c="SPARQL_Results_TSV"),
        _f("json-data", "data", "application/json", "JSON", "json"),
        _f("text", "data", "text/plain", "plain text", "txt"),
        _f("nquads", "data", "application/n-quads", "N-Quads", "nq", ox.RdfFormat.N_QUADS),
        _f("trig", "data", "application/trig", "TriG", "trig", ox.RdfFormat.TRIG),
        _f("link-format", "data", "application/link-format", "Link format", None),
    )
}

HTML = FORMATS["html"]
TURTLE = FORMATS["turtle"]
JSONLD = FORMATS["jsonld"]
RDFXML = FORMATS["rdfxml"]
NTRIPLES = FORMATS["ntriples"]
JSON = FORMATS["json-data"]
TEXT = FORMATS["text"]

#: a resource's variants in the server's order of preference: the page, then the RDF documents
DOCUMENT = (HTML, TURTLE, JSONLD, RDFXML, NTRIPLES)
#: RDF only (VoID, service description)
RDF = (TURTLE, JSONLD, RDFXML, NTRIPLES)
#: SPARQL answers: SELECT/ASK results and CONSTRUCT/DESCRIBE graphs, in order of preference
RESULTS = (FORMATS["json"], FORMATS["xml"], FORMATS["csv"], FORMATS["tsv"])
GRAPHS = (TURTLE, JSONLD, NTRIPLES, RDFXML)

def by_extension(ext: str, among: tuple[Format, ...] = DOCUMENT) -> Format | None:
    for f in among:
        if f.extension == ext:
            return f
    return None


def by_media_type(media_type: str) -> Format | None:
    bare = media_type.split(";")[0].strip().lower()
    for f in FORMATS.values():
        if f.media_type == bare:
            return f
    return None


def by_param(value: str, among: tuple[Format, ...]) -> Format | None:
    """The format a ``format``/``output`` parameter names (its name, a param alias or a media type)."""
    v = value.strip().lower().split(";")[0].strip()
    for f in among:
        if v == f.name or v in f.params:
            return f
    for f in among:
        if v in f.names:
            return f
    return None


def extension_pattern(among: tuple[Format, ...] = DOCUMENT) -> str:
    return "|".join(f.extension for f in among if f.extension)
