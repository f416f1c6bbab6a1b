"""Example queries of the SPARQL editor (docs/model.md is the reference for every term).

Each example is written with prefixed names; `examples()` prepends the PREFIX lines it
needs, taken from the deployment's `UriPolicy.prefixes()`, so the examples follow the base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from citykg.uris import UriPolicy

#: the city the examples are about (``@CITY@`` in the bodies)
EXAMPLE_CITY = "nanchang"


@dataclass(frozen=True)
class Example:
    title: str
    query: str


_BODIES: tuple[tuple[str, str], ...] = (
    (
        "Cities with their names in English and Chinese",
        """SELECT ?city ?en ?zh ?province WHERE {
  ?city a ckg:City ;
        rdfs:label ?en .
  FILTER(LANG(?en) = "en")
  OPTIONAL { ?city rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?city schema:containedInPlace ?p . ?p a ckg:Province ; rdfs:label ?province
             FILTER(LANG(?province) = "en") }
}
ORDER BY ?en""",
    ),
    (
        "A city's indicators with value, unit and qualifier",
        """SELECT ?indicator ?value ?unit ?qualifier ?statedAs WHERE {
  ?obs a qb:Observation ;
       sdmx-dimension:refArea @CITY@ ;
       ckg:indicator ?i ;
       sdmx-measure:obsValue ?value ;
       sdmx-attribute:unitMeasure ?unit ;
       ckg:valueQualifier ?q .
  ?i skos:prefLabel ?indicator .
  ?q skos:prefLabel ?qualifier .
  OPTIONAL { ?obs ckg:statedAs ?statedAs }
}
ORDER BY ?indicator""",
    ),
    (
        "The provenance of one value: source sentence, document and its SHA-256",
        """SELECT ?obs ?value ?sentence ?source ?file ?sha256 WHERE {
  ?obs ckg:indicator indicator:population ;
       sdmx-dimension:refArea @CITY@ ;
       sdmx-measure:obsValue ?value ;
       ckg:sourceText ?sentence ;
       prov:wasDerivedFrom ?source .
  ?source ckg:sha256 ?sha256 .
  OPTIONAL { ?source ckg:fileName ?file }
}""",
    ),
    (
        "Leading industries and their NACE Rev. 2 matches",
        """SELECT ?city ?industry ?nace WHERE {
  ?c ckg:leadingIndustry ?i ; rdfs:label ?city .
  ?i skos:prefLabel ?industry .
  OPTIONAL { ?i skos:closeMatch|skos:relatedMatch ?nace
             FILTER(STRSTARTS(STR(?nace), "http://data.europa.eu/ux2/nace2/")) }
  FILTER(LANG(?city) = "en")
}
ORDER BY ?city ?industry""",
    ),
    (
        "Cooperation themes across cities (how many cities seek each)",
        """SELECT ?theme (COUNT(DISTINCT ?city) AS ?cities) (GROUP_CONCAT(DISTINCT ?name; separator=", ") AS ?which)
WHERE {
  ?city ckg:seeksCooperationOn ?t ; rdfs:label ?name .
  ?t skos:prefLabel ?theme .
  FILTER(LANG(?name) = "en")
}
GROUP BY ?theme
ORDER BY DESC(?cities) ?theme""",
    ),
    (
        "Cooperation themes and the UN SDG targets they relate to",
        """SELECT ?theme ?sdg ?euTheme WHERE {
  ?t skos:inScheme ckg:theme ; skos:prefLabel ?theme .
  OPTIONAL { ?t skos:relatedMatch ?sdg }
  OPTIONAL { ?t ckg:euDataTheme ?euTheme }
}
ORDER BY ?theme""",
    ),
    (
        "Landmarks with Chinese names and what they are known for",
        """SELECT ?landmark ?en ?zh ?reputation WHERE {
  ?landmark a ckg:Landmark ; rdfs:label ?en .
  FILTER(LANG(?en) = "en")
  OPTIONAL { ?landmark rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?landmark ckg:reputation ?reputation }
}""",
    ),
    (
        "Cooperation narratives in order, with what they mention",
        """SELECT ?position ?title (GROUP_CONCAT(?mentionLabel; separator=" | ") AS ?mentions) WHERE {
  ?n a ckg:CooperationNarrative ;
     ckg:narrativeOf @CITY@ ;
     schema:position ?position ;
     rdfs:label ?title .
  OPTIONAL { ?n schema:mentions ?m . ?m rdfs:label ?mentionLabel }
}
GROUP BY ?position ?title
ORDER BY ?position""",
    ),
    (
        "Photos with their credits and licences",
        """SELECT ?photo ?credit ?creator ?licence WHERE {
  ?photo a schema:ImageObject ;
         schema:creditText ?credit ;
         schema:license ?licence .
  OPTIONAL { ?photo schema:creator/schema:name ?creator }
}""",
    ),
    (
        "Named graphs of the release and their sizes",
        """SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
GROUP BY ?graph
ORDER BY DESC(?triples)""",
    ),
    (
        "Is Nanchang the capital of a province? (ASK)",
        """ASK { @CITY@ ckg:capitalOf ?province }""",
    ),
    (
        "Everything about one city (DESCRIBE)",
        """DESCRIBE @CITY@""",
    ),
    (
        "A small graph: cities and their leading industries (CONSTRUCT)",
        """CONSTRUCT {
  ?city ckg:leadingIndustry ?i .
  ?i skos:prefLabel ?label .
} WHERE {
  ?city ckg:leadingIndustry ?i .
  ?i skos:prefLabel ?label .
}""",
    ),
)

_PNAME = re.compile(r"(?<![\w<:/#?-])([A-Za-z][\w-]*):(?=[\w/])")


def with_prefixes(body: str, prefixes: dict[str, str]) -> str:
    """The query with PREFIX lines for the prefixes it uses."""
    used = [p for p in dict.fromkeys(m.group(1) for m in _PNAME.finditer(body)) if p in prefixes]
    head = "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in used)
    return f"{head}\n{body}\n" if head else body + "\n"


def examples(policy: UriPolicy) -> list[Example]:
    prefixes = policy.prefixes()
    city = f"<{policy.id('city', EXAMPLE_CITY)}>"
    return [Example(title, with_prefixes(body.replace("@CITY@", city), prefixes)) for title, body in _BODIES]
