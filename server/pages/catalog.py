"""The catalogue page (DCAT-AP 3): the dataset's distributions with sizes and checksums."""

from __future__ import annotations

from citykg.server import queries
from citykg.server.appstate import CityKG
from citykg.server.pages.documents import alternates
from citykg.server.pages.resource import property_rows
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
