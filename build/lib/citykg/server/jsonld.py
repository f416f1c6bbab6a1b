"""The published JSON-LD context (`/context.jsonld`): short, readable keys.

Built from the data itself (every predicate and class in the release), so it
covers everything the documents hold and is the same on every start for the
same release.  Keys are local names (``label``, ``containedInPlace``,
``obsValue``); when two vocabularies share a local name the one of the earlier
namespace below keeps the short key and the other stays a compact IRI
(``foaf:name``), which the context's prefixes make readable too.  Predicates
whose values are all IRIs are typed ``@id``; predicates whose literals all share
one datatype get it as ``@type``; predicates whose values are all language-tagged
get a language map (``"label": {"en": "Nanchang", "zh": "南昌市"}``, plain strings
under ``@none``).
"""

from __future__ import annotations

import re

from citykg.server.store import Store
from citykg.uris import UriPolicy

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _namespace_order(policy: UriPolicy) -> list[str]:
    p = policy.prefixes()
    order = ["ckg", "schema", "rdfs", "skos", "dct", "dcat", "qb", "sdmx-dimension", "sdmx-measure",
             "sdmx-attribute", "prov", "geo", "owl", "void", "foaf", "spdx", "sd", "rdf", "xsd"]
    return [p[k] for k in order if k in p] + [v for k, v in p.items() if k not in order]


def _split(iri: str) -> tuple[str, str]:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1], iri[cut + 1 :]


def build_context(store: Store, policy: UriPolicy) -> dict:
    prefixes = policy.prefixes()
    rank = {ns: i for i, ns in enumerate(_namespace_order(policy))}
    rows = store.select(
        "SELECT ?p (GROUP_CONCAT(DISTINCT ?k; separator=\" \") AS ?kinds) "
        "WHERE { ?s ?p ?o . BIND(IF(isIRI(?o) || isBlank(?o), \"@id\", "
        "IF(lang(?o) != \"\", \"@lang\", STR(datatype(?o)))) AS ?k) } GROUP BY ?p"
    )
    classes = store.select(f"SELECT DISTINCT ?c WHERE {{ ?s <{_RDF_TYPE}> ?c . FILTER(isIRI(?c)) }}")
    ctx: dict[str, object] = {"@version": 1.1, "id": "@id", "type": "@type"}
    ctx.update(dict(sorted(prefixes.items())))
    candidates: list[tuple[int, str, str, object]] = []
    for row in rows:
        iri = row["p"].value
        if iri == _RDF_TYPE:
            continue
        ns, local = _split(iri)
        if not _LOCAL.match(local):
            continue
        kinds = set(row["kinds"].value.split())
        kind = next(iter(kinds)) if len(kinds) == 1 else None
        definition: object = iri
        if kind == "@id":
            definition = {"@id": iri, "@type": "@id"}
        elif "@lang" in kinds and kinds <= {"@lang", _XSD_STRING}:
            # "label": {"en": "Nanchang", "zh": "南昌市"}; plain strings under "@none"
            definition = {"@id": iri, "@container": "@language"}
        elif kind is not None and kind not in (_XSD_STRING, _LANG_STRING):
            definition = {"@id": iri, "@type": kind}
        candidates.append((rank.get(ns, len(rank)), local, iri, definition))
    for row in classes:
        iri = row["c"].value
        ns, local = _split(iri)
        if _LOCAL.match(local):
            candidates.append((rank.get(ns, len(rank)), local, iri, iri))
    taken: dict[str, str] = {}
    for _rank, local, iri, definition in sorted(candidates, key=lambda c: (c[0], c[1], c[2])):
        if local in ctx or local in prefixes or local in taken and taken[local] != iri:
            continue
        if local in taken:
            continue
        taken[local] = iri
        ctx[local] = definition
    return {"@context": ctx}
