"""Pages as people read them (issue 13): the lead of an entity page, observation titles, the data
licence in every footer and every RDF document, labelled backlinks by property with counts, photo
credits once, licences by name, numbers with scale words and separators."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from citykg.server.queries import format_amount, licence_name

BASE = "https://w3id.org/citykg"
CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
HTML = {"Accept": "text/html"}


def page(client, path: str, status: int = 200) -> str:
    r = client.get(path, headers=HTML)
    assert r.status_code == status, (path, r.status_code)
    return r.get_data(as_text=True)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def section(html: str, start: str, end: str = "</section>") -> str:
    i = html.index(start)
    return html[i:html.index(end, i)]


def lead(html: str) -> str:
    return text_of(section(html, 'id="lead"', "</p>").split(">", 1)[1])


# -- the lead ------------------------------------------------------------------------------------------


def test_city_lead_says_what_it_is_where_its_key_figure_and_source(client):
    text = lead(page(client, "/doc/city/nanchang"))
    assert text.startswith("Nanchang is a city in Jiangxi , China")
    assert "population 6,255,000 (period not stated)" in text
    assert "Source: Nanchang: city profile (IURC China catalogue of cooperation cities)" in text


def test_observation_lead_has_value_in_words_qualifier_unit_period_and_source(client):
    html = page(client, "/doc/observation/nanchang/water-area-share")
    text = lead(html)
    assert text.startswith("An observation: the water area share of Nanchang is nearly 30 % "
                           "(percent, period not stated).")
    assert "Source: Nanchang: city profile" in text
    assert "accounts for nearly 30% of the urban space" in section(html, 'class="source-sentence"', "</blockquote>")


def test_observation_title_is_a_label_not_its_uri(client):
    html = page(client, "/doc/observation/nanchang/water-area-share")
    assert "<title>Nanchang — water area share · citykg</title>" in html
    assert '<h1><span lang="en">Nanchang — water area share</span>' in html


@pytest.mark.parametrize("path, starts", [
    ("/doc/province/jiangxi", "Jiangxi is a province in China"),
    ("/doc/landmark/tengwang-pavilion", "Tengwang Pavilion is a landmark in Nanchang , Jiangxi , China"),
    ("/doc/image/nanchang/zhangzhugang", "Photo of Nanchang by Zhangzhugang is a photo"),
    ("/doc/narrative/nanchang/urban-renewal", "Urban renewal is a cooperation narrative of Nanchang , on the "
                                              "cooperation theme Urban Agendas/planning, SUD Strategies"),
    ("/doc/agent/zhangzhugang", "Zhangzhugang is a person"),
])
def test_every_entity_page_has_a_lead(client, path, starts):
    assert lead(page(client, path)).startswith(starts)


# -- licence and attribution ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/doc/city/nanchang", "/def/", "/download", "/catalog", "/search?q=nan",
                                  "/compare", "/def/theme/nature-based-solutions-for-circular-cities-and-regions"])
def test_every_page_footer_has_the_data_licence_and_attribution(client, path):
    html = page(client, path)
    footer = section(html, '<footer class="site">', "</footer>")
    assert f'<a href="{CC_BY}" rel="license">CC BY 4.0</a>' in footer
    assert "International Urban and Regional Cooperation (IURC)" in text_of(footer)


def test_the_404_page_has_the_footer_too(client):
    html = page(client, "/doc/city/atlantis", 404)
    assert f'href="{CC_BY}" rel="license"' in html


@pytest.mark.parametrize("path, doc", [
    ("/doc/city/nanchang.ttl", f"{BASE}/doc/city/nanchang"),
    ("/doc/observation/nanchang/water-area-share.nt", f"{BASE}/doc/observation/nanchang/water-area-share"),
    ("/def/indicator/population.ttl", f"{BASE}/def/indicator/population"),
    ("/catalog.ttl", f"{BASE}/catalog"),
    ("/.well-known/void.ttl", f"{BASE}/.well-known/void"),
])
def test_every_rdf_document_states_its_licence(client, path, doc):
    r = client.get(path)
    assert r.status_code == 200
    fmt = ox.RdfFormat.N_TRIPLES if path.endswith(".nt") else ox.RdfFormat.TURTLE
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(r.data, format=fmt)}
    assert (doc, "http://purl.org/dc/terms/license", CC_BY) in triples


def test_jsonld_context_is_the_canonical_uri_not_the_serving_host(client):
    data = client.get("/doc/city/nanchang.jsonld", base_url="http://example.test:8123").get_json(force=True)
    assert data["@context"] == f"{BASE}/context.jsonld"


# -- backlinks, photos, licences ----------------------------------------------------------------------


def test_backlinks_are_labelled_and_grouped_by_property_with_counts(client):
    html = page(client, "/doc/city/nanchang")
    linked = section(html, "<h2>Linked from</h2>")
    text = text_of(linked)
    assert re.search(r"\d+ links to Nanchang, grouped by the property that links", text)
    assert "Reference Area (14)" in text and "narrative of (5)" in text
    assert "Nanchang — water area share" in text
    assert ">https://w3id.org/citykg/id/observation/" not in linked  # no raw URI as a link text


def test_photo_credits_are_given_once(client):
    html = page(client, "/doc/city/nanchang")
    photos = text_of(section(html, 'id="photos"', "</ul>"))
    assert photos.count("Zhangzhugang") == 1 and photos.count("上海道台") == 1
    assert "licence CC BY-SA 4.0" in photos


def test_licences_show_by_name_not_as_raw_uris(client):
    html = page(client, "/doc/image/nanchang/zhangzhugang")
    props = section(html, "<h2>Properties</h2>")
    assert ">CC BY-SA 4.0</a>" in props
    assert ">http://creativecommons.org/licenses/by-sa/4.0/<" not in props
    assert ">http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0<" not in props


def test_licence_names():
    assert licence_name("http://publications.europa.eu/resource/authority/licence/CC_BYNCSA_4_0") == "CC BY-NC-SA 4.0"
    assert licence_name("http://creativecommons.org/licenses/by-nd/4.0/") == "CC BY-ND 4.0"
    assert licence_name("http://example.org/my-licence") == "http://example.org/my-licence"


# -- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, words", [
    ("100000000000", "100 billion"), ("2300000000000", "2.3 trillion"), ("845000000000", "845 billion"),
    ("6255000", "6,255,000"), ("1234567890123", "1,234,567,890,123"), ("7159", "7,159"), ("2.5", "2.5"),
])
def test_large_figures_read_with_the_scale_words_of_the_chart_axes(value, words):
    assert format_amount(value) == words


def test_download_and_catalogue_sizes_have_thousands_separators(client):
    for path in ("/download", "/catalog"):
        html = page(client, path)
        sizes = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', html)
        assert sizes and all(re.fullmatch(r"\d{1,3}(,\d{3})*|", s) for s in sizes), (path, sizes)
        assert any("," in s for s in sizes), path


def test_catalogue_shows_file_types_and_licences_by_name(client):
    html = page(client, "/catalog")
    dists = text_of(section(html, "<h2>Distributions</h2>", "</table>"))
    assert "RDF N-Quads" in dists and "RDF Turtle" in dists and "CC BY 4.0" in dists
    assert "RDF_N_QUADS" not in dists and "RDF N QUADS" not in dists


# -- compare with one city -----------------------------------------------------------------------------


def test_compare_with_one_city_says_so_and_offers_ways_on(client):
    html = page(client, "/compare")
    lonely = text_of(section(html, 'id="compare-lonely"'))
    assert "This release has one city, Nanchang : comparing needs at least two" in lonely
    assert "make demo" in lonely and 'href="/doc/city/nanchang"' in html
    assert 'type="checkbox"' not in html  # no form that can never succeed
    html = page(client, "/compare?city=nanchang&city=nanchang", 400)
    assert "This release has one city, Nanchang: a comparison needs at least two cities." in html


# -- search --------------------------------------------------------------------------------------------


def search(client, q: str, **args) -> dict:
    return client.get("/search", query_string={"q": q, "format": "json", **args}).get_json()


def test_search_several_words_finds_the_city(client):
    data = search(client, "nanchang city")
    assert data["results"][0]["uri"] == f"{BASE}/id/city/nanchang" and data["results"][0]["type"] == "city"
    html = page(client, "/search?q=Nanchang+City")
    first = re.search(r"<li>(.*?)</li>", section(html, '<ol class="results"', "</ol>"), re.S)[1]
    assert text_of(first).startswith("city Nanchang")


def test_search_shows_the_preferred_label_and_the_one_that_matched(client):
    hit = search(client, "Jiangxi Province")["results"][0]
    assert (hit["label"], hit["matched"], hit["type"]) == ("Jiangxi", "Jiangxi Province", "province")
    hit = search(client, "RIS4")["results"][0]
    assert hit["label"].startswith("Regional Innovation & Smart") and hit["type"] == "cooperation theme"
    html = page(client, "/search?q=RIS4")
    assert "Regional Innovation &amp; Smart" in html and "also called “RIS4”" in html


def test_search_results_say_what_they_are(client):
    kinds = {r["label"]: r["type"] for r in search(client, "nanchang")["results"]}
    assert kinds["Nanchang"] == "city" and kinds["Nanchang Technician College"] == "educational organisation"
    assert search(client, "population")["results"][0]["type"] == "indicator"


def test_metadata_graph_is_not_searched(client):
    # the catalogue, the dataset, its distributions and the EU authority tables live in the metadata graph
    for q in ("N-Quads", "citykg: city profiles as linked data", "Access right", "Data theme"):
        assert all("/id/catalog" not in r["uri"] and "publications.europa.eu" not in r["uri"]
                   and "/id/dataset/citykg" not in r["uri"] for r in search(client, q)["results"]), q


def test_search_pages_past_fifty(client):
    first = search(client, "a")
    assert first["count"] > 50 and len(first["results"]) == 50 and first["pages"] >= 2
    assert first["next"].endswith("/search?q=a&format=json&page=2")
    second = client.get(first["next"].split("localhost", 1)[-1]).get_json()
    assert second["page"] == 2 and len(second["results"]) == min(50, first["count"] - 50)
    assert not {r["uri"] for r in second["results"]} & {r["uri"] for r in first["results"]}
    html = page(client, "/search?q=a")
    assert 'rel="next" href="/search?q=a&amp;page=2"' in html and f"Results 1–50 of {first['count']}" in html
    html = page(client, "/search?q=a&page=2")
    assert 'rel="prev" href="/search?q=a"' in html and '<ol class="results" start="51">' in html


# -- 404 -----------------------------------------------------------------------------------------------


def test_404_page_says_what_was_asked_and_offers_search(client):
    html = page(client, "/doc/city/nan-chang", 404)
    assert "<h1>Not found</h1>" in html and "Nothing is published at <code>/doc/city/nan-chang</code>." in html
    assert 'id="q404" name="q" type="search" value="nan chang"' in html  # the search, filled in
    assert 'href="/doc/city/nanchang">Nanchang</a>' in section(html, 'id="error-suggestions"')
    assert 'id="ways-on"' in html and 'href="/"' in html


def test_unknown_route_404_is_ours_not_the_frameworks(client):
    html = page(client, "/no/such/page", 404)
    assert "Nothing is published at <code>/no/such/page</code>." in html
    assert "The requested URL was not found on the server" not in html


@pytest.mark.parametrize("path, accept, media, needle", [
    ("/doc/city/atlantis", "application/json", "application/json", '"status": 404'),
    ("/doc/city/atlantis.ttl", "text/html", "text/turtle", "# 404 Not Found"),
    ("/doc/city/atlantis", "text/turtle", "text/turtle", "# 404 Not Found"),
    ("/no/such/page", "text/plain", "text/plain", "404 Not Found\nNothing is published at /no/such/page."),
])
def test_404_in_the_format_asked(client, path, accept, media, needle):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 404 and r.mimetype == media
    assert needle in r.get_data(as_text=True)


# -- SPARQL syntax errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("query, sentence, caret_line", [
    ("SELECT * WHERE { ?s ?p ?o } LIMT 3", "“LIMT” is not a SPARQL keyword: did you mean LIMIT?",
     "  1 | SELECT * WHERE { ?s ?p ?o } LIMT 3"),
    ("SELECT ?x WHERE {\n  ?x foo:bar ?y\n}", "“foo:” is not declared: add PREFIX foo: <…> before the query",
     "  2 |   ?x foo:bar ?y"),
    ("SELECT (COUNT(?x) AS ?n WHERE { ?x ?y ?z }", "A bracket is not closed: the engine expected “)” here.",
     "  1 | SELECT (COUNT(?x) AS ?n WHERE { ?x ?y ?z }"),
    ('SELECT ?x WHERE { ?x ?y "abc }', 'A string is not closed: every " needs its closing ".', None),
    ("SELECT * WHERE { ?s ?p }", "The query ends too early", None),
])
def test_sparql_syntax_errors_say_where_and_what_in_plain_words(client, query, sentence, caret_line):
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 400 and r.mimetype == "text/plain"
    text = r.get_data(as_text=True)
    first, *rest = text.splitlines()
    assert first.startswith("SPARQL syntax error at line ") and sentence in first
    if caret_line:
        i = rest.index(caret_line)
        column = int(re.search(r"column (\d+)", first)[1])
        assert rest[i + 1].index("^") == rest[i].index("|") + 2 + column - 1  # the caret under the column
    assert "The engine said: error at" in text and "'A' ..= 'Z'" not in text  # no character-class noise


# -- smaller items -------------------------------------------------------------------------------------


def test_ontology_lists_its_schemes_apart_from_the_eu_tables_and_counts_in_words(client):
    html = page(client, "/def/")
    ours = text_of(section(html, 'id="ontology-schemes"', "</ul>"))
    eu = text_of(section(html, 'id="authority-tables"', "</ul>"))
    assert "citykg cooperation themes (4 concepts)" in ours and "File type" not in ours
    assert "File type (6 concepts used)" in eu and "(1 concept used)" in eu
    assert "1 concepts" not in html


def test_vann_prefix_reads_as_a_compact_name(client):
    html = page(client, "/def/")
    assert '<span class="curie">vann:preferredNamespacePrefix</span>' in html
    assert ">http://purl.org/vocab/vann/preferredNamespacePrefix<" not in html


def test_void_has_a_page_for_people(client):
    r = client.get("/.well-known/void", headers=HTML)
    assert r.status_code == 200 and r.mimetype == "text/html" and "Accept" in r.headers["Vary"]
    html = r.get_data(as_text=True)
    assert "<h1>VoID description of citykg: city profiles as linked data</h1>" in html
    figures = text_of(section(html, 'id="void-figures"', "</dl>"))
    assert re.search(r"Triples [\d,]+ Entities \d+", figures)
    assert "Nanchang" not in figures and 'href="/sparql"' in html
    assert "Concept skos:Concept" in text_of(section(html, 'id="void-classes"', "</table>"))
    assert client.get("/.well-known/void.html").status_code == 200
    assert client.get("/.well-known/void", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
