"""The home page of the dataset."""

from __future__ import annotations

from citykg.server import queries
from citykg.server.appstate import CityKG
from citykg.server.queries import DCT, RDF_TYPE, S, iri
from citykg.server.urls import UrlMapper


def home_page(kg: CityKG, urls: UrlMapper) -> dict:
    """The home page: title, licence, counts, the cities."""
    store = kg.store
    cities = store.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDF_TYPE}> <{S}City> }}")
    names = queries.labels(store, {r["c"].value for r in cities})
    city_list = sorted(
        (
            {
                "href": urls.path(r["c"].value),
                "name": names.exact(r["c"].value, "en") or names.get(r["c"].value),
                "zh": names.exact(r["c"].value, "zh"),
                "uri": r["c"].value,
            }
            for r in cities
        ),
        key=lambda c: (c["name"] or "").lower(),
    )
    counts = home_counts(kg)
    meta = store.select(
        f"""SELECT ?title ?desc ?lic WHERE {{
          OPTIONAL {{ {iri(str(kg.policy.dataset))} <{DCT}title> ?title }}
          OPTIONAL {{ {iri(str(kg.policy.dataset))} <{DCT}description> ?desc }}
          OPTIONAL {{ {iri(str(kg.policy.dataset))} <{DCT}license> ?lic }} }} LIMIT 1"""
    )
    m = meta[0] if meta else {}
    licence = m["lic"].value if "lic" in m else kg.release.license
    return dict(
        title=m["title"].value if "title" in m else kg.release.title,
        description=m["desc"].value if "desc" in m else None,
        licence=licence,
        licence_name=queries.licence_name(licence) if licence else None,
        cities=city_list,
        triples=counts["triples"],
        observations=counts["observations"],
        things=counts["things"],
        manifest=kg.manifest,
        base=kg.policy.base,
    )


def home_counts(kg: CityKG) -> dict[str, int]:
    """Counts for the home page, once per process (the release does not change while served)."""
    if "home_counts" not in kg.derived:
        store = kg.store
        obs = store.select(
            f"SELECT (COUNT(DISTINCT ?obs) AS ?n) WHERE {{ ?obs <{RDF_TYPE}> <{queries.QB}Observation> }}"
        )
        id_prefix = kg.policy.base + "/id/"
        things = store.select(
            f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o . FILTER(STRSTARTS(STR(?s), "{id_prefix}")) }}'
        )
        kg.derived["home_counts"] = {
            "triples": len(store),
            "observations": int(obs[0]["n"].value) if obs else 0,
            "things": int(things[0]["n"].value) if things else 0,
        }
    return kg.derived["home_counts"]


def site_footer(kg: CityKG) -> dict:
    """What every page's footer says of the data: its licence and whom to credit (once per process)."""
    if "site_footer" not in kg.derived:
        store = kg.store
        licence = queries.dataset_licence(store, kg.policy, kg.release.license)
        dataset = iri(str(kg.policy.dataset))
        rows = store.select(
            f"""SELECT ?name WHERE {{ {dataset} <{DCT}publisher> ?p .
              ?p <{queries.FOAF}name>|<{queries.RDFS}label> ?name }} LIMIT 1"""
        )
        sources = store.select(
            f"""SELECT DISTINCT ?pub WHERE {{ ?src <{RDF_TYPE}> <{kg.policy.term("SourceDocument")}> ;
              <{DCT}publisher> ?pub . FILTER isLiteral(?pub) }} ORDER BY ?pub LIMIT 4"""
        )
        publishers = [r["pub"].value for r in sources]
        kg.derived["site_footer"] = {
            "licence": licence,
            "licence_name": queries.licence_name(licence) if licence else None,
            "publisher": rows[0]["name"].value if rows else kg.release.title,
            "sources": publishers[:3],
            "more_sources": len(publishers) > 3,
        }
    return kg.derived["site_footer"]
