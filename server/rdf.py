"""Serializing store triples (`Term` tuples) to the five document formats."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
from citykg.server import formats
from citykg.server.formats import Format
from citykg.server.store import Term
from pyld import jsonld

Triple = tuple[Term, Term, Term]

def to_ox(t: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if t.kind == "uri":
        return ox.NamedNode(t.value)
    if t.kind == "bnode":
        return ox.BlankNode(t.value)
    if t.lang:
        return ox.Literal(t.value, language=t.lang)
    if t.datatype:
        return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype))
    return ox.Literal(t.value)


def _sorted(triples: Iterable[Triple], primary: str | None = None) -> list[Triple]:
    """Sorted, duplicates dropped; the primary resource and its hash parts come first."""
    unique = set(triples)

    def key(t: Triple) -> tuple:
        s = t[0].value
        rank = 2
        if primary and s == primary:
            rank = 0
        elif primary and s.startswith(primary + "#"):
            rank = 1
        return (rank, t[0].n3(), t[1].n3(), t[2].n3())

    return sorted(unique, key=key)


def serialize(
    triples: Iterable[Triple],
    fmt: Format,
    *,
    prefixes: dict[str, str] | None = None,
    context: dict | None = None,
    context_url: str | None = None,
    primary: str | None = None,
) -> bytes:
    """Serializes triples (sorted, duplicates dropped, `primary` first) in a document format."""
    triples = _sorted(triples, primary)
    if fmt is formats.JSONLD:
        return to_jsonld(triples, context or {}, context_url).encode("utf-8")
    oxt = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]
    used = prefixes if fmt is not formats.NTRIPLES else None
    if used:
        text = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)
        # ``id:city\/nanchang`` reads worse than the full IRI: no prefix for things.
        used = {k: v for k, v in used.items() if v in text and k != "id"}
    return ox.serialize(oxt, format=fmt.engine, prefixes=used or None)


def to_jsonld(triples: list[Triple], context: dict, context_url: str | None) -> str:
    """JSON-LD compacted with the published context; `@context` points at its URL."""
    nquads = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples)
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads", "useNativeTypes": False})
    compacted = jsonld.compact(expanded, {"@context": context}, {"graph": True})
    compacted["@context"] = context_url or context
    if "@graph" not in compacted:
        compacted["@graph"] = []
    return json.dumps(compacted, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def serialize_dataset(
    data: Iterable[Triple],
    metadata: Iterable[Triple],
    graph: str,
    fmt: Format,
    *,
    prefixes: dict[str, str] | None = None,
    context: dict | None = None,
    context_url: str | None = None,
) -> bytes:
    """Data triples and metadata triples in one document: in a quad format (TriG, N-Quads,
    JSON-LD) the metadata goes into the named graph `graph`, as the Linked Data Fragments spec
    says, so that a client can tell them apart; a triple format holds both in one graph."""
    data, metadata = _sorted(data), _sorted(metadata)
    if fmt.engine is not None and isinstance(fmt.engine, ox.RdfFormat) and fmt.engine.supports_datasets:
        g = ox.NamedNode(graph)
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in data]
        quads += [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in metadata]
        if fmt is formats.JSONLD:
            nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
            expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads", "useNativeTypes": False})
            compacted = jsonld.compact(expanded, {"@context": context or {}}, {"graph": True})
            compacted["@context"] = context_url or context or {}
            return (json.dumps(compacted, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        used = prefixes if fmt.engine is not ox.RdfFormat.N_QUADS else None
        return ox.serialize(quads, format=fmt.engine, prefixes=used or None)
    return serialize([*data, *metadata], fmt, prefixes=prefixes, context=context, context_url=context_url)
