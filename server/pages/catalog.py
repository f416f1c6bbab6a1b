"""The catalogue page (DCAT-AP 3): the dataset's distributions with sizes and checksums."""

from __future__ import annotations

from citykg.server import queries
from citykg.server.appstate import CityKG
from citykg.server.pages.documents import alternates
from citykg.server.pages.resource import compact, property_rows
from citykg.server.queries import DCT, RDF_TYPE, iri
from citykg.server.urls import UrlMapper


def catalog_page(kg: CityKG, urls: UrlMapper) -> dict:
    """The DCAT-AP catalogue as a page: its properties and every distribution."""
    store = kg.store
    dcat = "http://www.w3.org/ns/dcat#"
    spdx = "http://spdx.org/rdf/terms#"
    rows = store.select(
        f"""SELECT ?d ?url ?media ?format ?size ?sum ?lic ?title WHERE {{
          GRAPH {iri(str(kg.policy.graph("metadata")))} {{
            ?d <{RDF_TYPE}> <{dcat}Distribution> .
            OPTIONAL {{ ?d <{dcat}downloadURL> ?url }}
            OPTIONAL {{ ?d <{dcat}mediaType> ?media }}
            OPTIONAL {{ ?d <{DCT}format> ?format }}
            OPTIONAL {{ ?d <{dcat}byteSize> ?size }}
            OPTIONAL {{ ?d <{spdx}checksum>/<{spdx}checksumValue> ?sum }}
            OPTIONAL {{ ?d <{DCT}license> ?lic }}
            OPTIONAL {{ ?d <{DCT}title> ?title }}
          }} }} ORDER BY ?url"""
    )
    names = queries.labels(store, {r[k].value for r in rows for k in ("format", "media") if k in r})
    dists = []
    for r in rows:
        url = r["url"].value if "url" in r else None
        code = queries.local_name(r["format"].value) if "format" in r else None
        dists.append(
            {
                "uri": r["d"].value,
                "title": r["title"].value if "title" in r else None,
                "url": url,
                "href": (urls.path(url) if url else None) or url,
                "media": queries.local_name(r["media"].value) if "media" in r else None,
                "media_full": r["media"].value.split("media-types/")[-1] if "media" in r else None,
                "format": (names.get(r["format"].value) or queries.FILE_TYPES.get(code, code.replace("_", " ")))
                if code else None,
                "format_code": queries.local_name(r["format"].value) if "format" in r else None,
                "format_uri": r["format"].value if "format" in r else None,
                "size": queries.format_number(r["size"].value) if "size" in r else None,
                "sha256": r["sum"].value if "sum" in r else None,
                "licence": queries.licence_name(r["lic"].value) if "lic" in r else None,
                "licence_uri": r["lic"].value if "lic" in r else None,
            }
        )
    pairs = queries.outgoing(store, str(kg.policy.catalog))
    wanted = {str(kg.policy.catalog)} | {o.value for _, o in pairs if o.is_uri} | {p.value for p, _ in pairs}
    names = queries.labels(store, wanted)
    return dict(
        uri=str(kg.policy.catalog),
        title=names.get(str(kg.policy.catalog)) or "Catalogue",
        rows=property_rows(kg, urls, [(p, o) for p, o in pairs if p.value != RDF_TYPE], names),
        distributions=dists,
        alternates=alternates(urls.local("/catalog")),
    )


VOID = "http://rdfs.org/ns/void#"


def void_page(kg: CityKG, urls: UrlMapper) -> dict:
    """The VoID description as a page: the dataset's figures and links, its graphs, classes and properties."""
    store = kg.store
    dataset = str(kg.policy.dataset)
    ds = iri(dataset)
    facts = store.select(f"""SELECT ?p ?o WHERE {{ {ds} ?p ?o . FILTER(STRSTARTS(STR(?p), "{VOID}")
        || ?p IN (<{DCT}title>, <{DCT}description>, <{DCT}license>)) }}""")
    figures: dict[str, str] = {}
    links: dict[str, list[str]] = {}
    title = description = licence = None
    for r in facts:
        p, o = r["p"].value, r["o"]
        if p == f"{DCT}title":
            title = o.value
        elif p == f"{DCT}description":
            description = o.value
        elif p == f"{DCT}license":
            licence = o.value
        elif o.is_literal and p[len(VOID):] in ("triples", "entities", "distinctSubjects", "distinctObjects",
                                                 "properties", "classes"):
            figures[p[len(VOID):]] = queries.format_number(o.value)
        elif p[len(VOID):] in ("sparqlEndpoint", "dataDump", "exampleResource", "uriSpace", "vocabulary"):
            links.setdefault(p[len(VOID):], []).append(o.value)

    def partitions(kind: str, key: str) -> list[dict]:
        rows = store.select(f"""SELECT ?x (SAMPLE(?n) AS ?count) WHERE {{ {ds} <{VOID}{kind}Partition> ?part .
            ?part <{VOID}{key}> ?x . OPTIONAL {{ ?part <{VOID}{'entities' if kind == 'class' else 'triples'}> ?n }} }}
            GROUP BY ?x""")
        names = queries.labels(store, {r["x"].value for r in rows})
        out = [{"uri": r["x"].value, "href": urls.href(r["x"].value),
                "label": names.get(r["x"].value) or queries.local_name(r["x"].value),
                "compact": compact(kg, r["x"].value),
                "count": int(r["count"].value) if "count" in r else None} for r in rows]
        return sorted(out, key=lambda e: (-(e["count"] or 0), e["label"].lower()))

    graphs = store.select(f"""SELECT ?g ?title ?triples ?entities WHERE {{ {ds} <{VOID}subset> ?g .
        OPTIONAL {{ ?g <{DCT}title> ?title }} OPTIONAL {{ ?g <{VOID}triples> ?triples }}
        OPTIONAL {{ ?g <{VOID}entities> ?entities }} }} ORDER BY ?g""")
    return dict(
        uri=str(kg.policy.void),
        title=f"VoID description of {title}" if title else "VoID description",
        dataset=dataset, dataset_href=urls.path(dataset) or dataset, dataset_title=title, description=description,
        licence=licence, licence_name=queries.licence_name(licence) if licence else None,
        figures=figures,
        sparql=[urls.href(u) for u in links.get("sparqlEndpoint", [])],
        dumps=[(queries.local_name(u), urls.href(u)) for u in sorted(links.get("dataDump", []))],
        examples=[(u, urls.href(u)) for u in sorted(links.get("exampleResource", []))],
        uri_space=links.get("uriSpace", []),
        vocabularies=sorted(compact(kg, u).rstrip(":") or u for u in links.get("vocabulary", [])),
        graphs=[{"title": r["title"].value if "title" in r else r["g"].value,
                 "triples": queries.format_number(r["triples"].value) if "triples" in r else "",
                 "entities": queries.format_number(r["entities"].value) if "entities" in r else ""} for r in graphs],
        classes=partitions("class", "class"),
        properties=partitions("property", "property"),
        alternates=alternates(urls.local("/.well-known/void")),
    )
