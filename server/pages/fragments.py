"""A Triple Pattern Fragment as RDF: the data triples of the page and its Hydra controls.

Follows the Triple Pattern Fragments specification of the Linked Data Fragments project: the
page is a ``hydra:PartialCollectionView`` of the fragment with its count (``hydra:totalItems``
and ``void:triples``, exact or estimated), ``hydra:itemsPerPage``, ``hydra:first``,
``hydra:previous`` and ``hydra:next``; the dataset it belongs to (``void:subset`` the page) carries
the ``hydra:search`` form: an ``hydra:IriTemplate`` with the mappings of ``subject``,
``predicate`` and ``object`` to ``rdf:subject``, ``rdf:predicate`` and ``rdf:object`` in the
explicit representation. The controls are the URLs of the serving host (clients follow them);
the data carries the canonical URIs, as every document does.

With ``graph=G`` the fragments are those of one named graph of the release: a dataset of its
own, whose search template keeps the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from citykg.server import fragments
from citykg.server.appstate import CityKG
from citykg.server.fragments import Counter, Pattern, Statistics
from citykg.server.queries import RDF_TYPE
from citykg.server.release import read_triples
from citykg.server.store import Term
from citykg.server.urls import UrlMapper

HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PATH = "/fragments"

Triple = tuple[Term, Term, Term]


@dataclass
class Fragment:
    data: list[Triple]
    metadata: list[Triple]
    graph: str  # the named graph of the metadata in quad formats
    count: int
    exact: bool
    links: dict[str, str]  # first / previous / next: URLs of the serving host


def _u(value: str) -> Term:
    return Term("uri", value)


def _lit(value: str, datatype: str | None = None, lang: str | None = None) -> Term:
    return Term("literal", value, lang=lang, datatype=None if lang else datatype)


def _enc(value: str) -> str:
    # as RFC 6570 expands {?subject}: every reserved character percent-encoded
    return quote(value, safe="")


def statistics(kg: CityKG) -> Statistics:
    """The store's size and the release's VoID statistics (void.ttl), read once per process."""
    stats = kg.derived.get("fragment_statistics")
    if stats is not None:
        return stats
    stats = Statistics(triples=len(kg.store), properties={}, classes={})
    path = kg.release.path / "void.ttl"
    if path.is_file():
        by_subject: dict[str, dict[str, Term]] = {}
        for s, p, o in read_triples(path, kg.release.built_base, kg.policy.base):
            by_subject.setdefault(s.value, {})[p.value] = o
        for props in by_subject.values():
            triples = props.get(f"{VOID}triples")
            n = int(triples.value) if triples is not None and triples.value.isdigit() else None
            if f"{VOID}property" in props and n is not None:
                stats.properties[props[f"{VOID}property"].value] = n  # type: ignore[index]
            elif f"{VOID}class" in props and f"{VOID}entities" in props:
                entities = props[f"{VOID}entities"].value
                if entities.isdigit():
                    stats.classes[props[f"{VOID}class"].value] = int(entities)  # type: ignore[index]
    kg.derived["fragment_statistics"] = stats
    return stats


def counter(kg: CityKG) -> Counter:
    c = kg.derived.get("fragment_counter")
    if c is None:
        c = kg.derived["fragment_counter"] = Counter(kg.store, statistics(kg))
    return c


def fragment_url(urls: UrlMapper, pattern: Pattern, number: int = 1) -> str:
    """The URL of a page of a fragment on the serving host (parameters in a fixed order)."""
    params = []
    if pattern.graph:
        params.append(f"graph={_enc(pattern.graph)}")
    for name, term in zip(("subject", "predicate", "object"), pattern.terms, strict=True):
        if term is not None:
            params.append(f"{name}={_enc(fragments.explicit(term))}")
    if number > 1:
        params.append(f"page={number}")
    base = urls.url(urls.local(PATH))
    return base + ("?" + "&".join(params) if params else "")


def fragment_page(kg: CityKG, urls: UrlMapper, pattern: Pattern, number: int, page_url: str) -> Fragment:
    """The page `number` of the fragment of `pattern`; `page_url` is the URL it was asked at."""
    data, more = fragments.page(kg.store, pattern, number)
    count, exact = counter(kg).count(pattern)
    if number == 1 and not more:
        count, exact = len(data), True  # the whole fragment is here
    elif more and count < number * fragments.PAGE_SIZE + 1:
        count = number * fragments.PAGE_SIZE + 1
    base = urls.url(urls.local(PATH))
    if pattern.graph:
        dataset_url = f"{base}?graph={_enc(pattern.graph)}"
        template = f"{dataset_url}{{&subject,predicate,object}}"
    else:
        dataset_url = base
        template = f"{base}{{?subject,predicate,object}}"
    dataset = _u(f"{dataset_url}#dataset")
    search = _u(f"{dataset_url}#search")
    page = _u(page_url)
    # the fragment (all its pages) and its metadata graph, named as the Linked Data Fragments
    # server names them: Comunica takes the metadata graph to be the one whose foaf:primaryTopic
    # is the last thing it reads with `void:subset` the page, so `<fragment> void:subset <page>`
    # comes after the dataset's (the serializer keeps the metadata in this order)
    whole = _u(fragment_url(urls, pattern, 1))
    meta_graph = f"{whole.value}#metadata"
    m: list[Triple] = []

    def add(s: Term, p: str, o: Term) -> None:
        m.append((s, _u(p), o))

    add(dataset, RDF_TYPE, _u(f"{VOID}Dataset"))
    add(dataset, RDF_TYPE, _u(f"{HYDRA}Collection"))
    add(dataset, f"{VOID}subset", page)
    if whole != page:
        add(dataset, f"{VOID}subset", whole)
    add(dataset, f"{HYDRA}search", search)
    add(dataset, f"{DCT}source", _u(str(kg.policy.dataset)))
    if pattern.graph:
        add(dataset, f"{DCT}isPartOf", _u(f"{base}#dataset"))
    add(search, f"{HYDRA}template", _lit(template))
    add(search, f"{HYDRA}variableRepresentation", _u(f"{HYDRA}ExplicitRepresentation"))
    for name, prop in (("subject", "subject"), ("predicate", "predicate"), ("object", "object")):
        mapping = _u(f"{dataset_url}#{name}")
        add(search, f"{HYDRA}mapping", mapping)
        add(mapping, f"{HYDRA}variable", _lit(name))
        add(mapping, f"{HYDRA}property", _u(f"{RDF}{prop}"))
    add(whole, f"{VOID}subset", page)
    add(_u(meta_graph), f"{FOAF}primaryTopic", whole)
    add(page, RDF_TYPE, _u(f"{HYDRA}PartialCollectionView"))
    described = " ".join(fragments.explicit(t) if t is not None else f"?{v}"
                         for t, v in zip(pattern.terms, ("s", "p", "o"), strict=True))
    where = f" in the graph {pattern.graph}" if pattern.graph else ""
    add(page, f"{DCT}title", _lit(f"Triple Pattern Fragment {{ {described} }}{where}, page {number}", lang="en"))
    add(page, f"{DCT}source", dataset)
    add(page, f"{HYDRA}totalItems", _lit(str(count), f"{XSD}integer"))
    add(page, f"{VOID}triples", _lit(str(count), f"{XSD}integer"))
    add(page, f"{HYDRA}itemsPerPage", _lit(str(fragments.PAGE_SIZE), f"{XSD}integer"))
    links = {"first": fragment_url(urls, pattern, 1)}
    if number > 1:
        links["previous"] = fragment_url(urls, pattern, number - 1)
    if more:
        links["next"] = fragment_url(urls, pattern, number + 1)
    for rel, url in links.items():
        add(page, f"{HYDRA}{rel}", _u(url))
    return Fragment(data=data, metadata=m, graph=meta_graph, count=count, exact=exact, links=links)
