"""The SPARQL endpoint's own pages: the query editor and the service description."""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph as ox
from citykg.server import formats
from citykg.server.appstate import CityKG
from citykg.server.formats import Format
from citykg.server.rdf import to_ox
from citykg.server.sparql_examples import examples
from citykg.server.store import StoreError


def editor_page(kg: CityKG, *, editor: bool) -> dict:
    """The query editor: YASGUI when its build is installed (`editor`), else a plain HTML form."""
    return dict(
        title=kg.release.title,
        prefixes=kg.policy.prefixes(),
        examples=examples(kg.policy),
        settings=kg.settings,
        editor=editor,
    )


def _iri(uri: str) -> ox.NamedNode:
    return ox.NamedNode(uri)


SD = "http://www.w3.org/ns/sparql-service-description#"


_FORMATS_NS = "http://www.w3.org/ns/formats/"


def service_description(kg: CityKG, fmt: Format) -> bytes:
    """The sd:Service of this endpoint: what the release says about it, plus what the server knows."""
    settings = kg.settings
    policy = kg.policy
    service, void, catalog, dataset = (
        str(policy.sparql_service), str(policy.void), str(policy.catalog), str(policy.dataset)
    )
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    dcat = "http://www.w3.org/ns/dcat#"
    dct = "http://purl.org/dc/terms/"
    voidns = "http://rdfs.org/ns/void#"
    triples: list[ox.Triple] = []
    # what the release's metadata graph says about the service (dcat:DataService, titles, licence, ...)
    meta = str(policy.graph("metadata"))
    query = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{meta}> {{ ?s ?p ?o
        FILTER(?s = <{service}> || STRSTARTS(STR(?s), "{service}#")
               || (?s = <{dataset}> && ?p IN (<{rdf}type>, <{voidns}sparqlEndpoint>, <{dct}title>))
               || (?s = <{catalog}> && ?p = <{dcat}service>)) }} }}"""
    try:
        for s_, p_, o_ in kg.store.construct(query):
            triples.append(ox.Triple(to_ox(s_), to_ox(p_), to_ox(o_)))
    except StoreError:
        pass
    svc = _iri(service)

    def add(s: str | ox.NamedNode, p: str, o: Any) -> None:
        triples.append(ox.Triple(_iri(s) if isinstance(s, str) else s, _iri(p), o))

    add(svc, rdf + "type", _iri(SD + "Service"))
    add(svc, rdf + "type", _iri(dcat + "DataService"))
    add(svc, SD + "endpoint", svc)
    add(svc, SD + "supportedLanguage", _iri(SD + "SPARQL11Query"))
    add(svc, SD + "feature", _iri(SD + "UnionDefaultGraph"))
    if settings["SPARQL_SERVICE_ALLOW"]:
        add(svc, SD + "feature", _iri(SD + "BasicFederatedQuery"))
    for answer in (*formats.RESULTS, *formats.GRAPHS):
        add(svc, SD + "resultFormat", _iri(_FORMATS_NS + str(answer.w3c)))
    add(svc, dcat + "endpointURL", svc)
    add(svc, dcat + "servesDataset", _iri(dataset))
    add(svc, rdfs + "seeAlso", _iri(void))
    add(svc, rdfs + "seeAlso", _iri(catalog))
    add(dataset, voidns + "sparqlEndpoint", svc)
    add(catalog, dcat + "service", svc)
    sd_dataset = _iri(f"{service}#dataset")
    add(svc, SD + "defaultDataset", sd_dataset)
    add(sd_dataset, rdf + "type", _iri(SD + "Dataset"))
    add(sd_dataset, SD + "defaultGraph", _iri(dataset))
    add(dataset, rdf + "type", _iri(SD + "Graph"))
    described = any(t.predicate.value == SD + "namedGraph" for t in triples)
    for graph in [] if described else sorted((kg.manifest.get("graphs") or {}).keys()):
        node = _iri(f"{service}#graph-{hashlib.sha256(graph.encode()).hexdigest()[:12]}")
        add(sd_dataset, SD + "namedGraph", node)
        add(node, rdf + "type", _iri(SD + "NamedGraph"))
        add(node, SD + "name", _iri(graph))
    add(svc, rdfs + "comment", ox.Literal(
        f"Read-only SPARQL 1.1 endpoint; queries time out after {float(settings['SPARQL_TIMEOUT']):g} s "
        f"and answers carry at most {int(settings['SPARQL_MAX_ROWS'])} rows.", language="en"))
    unique = list(dict.fromkeys(triples))
    prefixes = {k: v for k, v in policy.prefixes().items() if k in ("sd", "dcat", "dct", "void", "rdfs", "xsd")}
    prefixes["formats"] = _FORMATS_NS
    return ox.serialize(unique, format=fmt.engine, prefixes=prefixes)
