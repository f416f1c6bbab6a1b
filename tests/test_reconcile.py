"""The reconciliation service (`/reconcile`, W3C Entity Reconciliation Service API 0.2) over a
release of many cities (tests/multicity.py): the manifest, a recorded OpenRefine request sequence,
names with spelling variants, accents and Chinese names, narrowing by properties, suggest, data
extension and the preview.

No test bench of the API's community group installs from npm or PyPI (its test bench is a web
application), so the sequence below is the one OpenRefine 3 sends: the manifest, a batch of
queries as the form field ``queries``, the type and property suggestions, the proposed
properties, a data extension as the form field ``extend``, and the preview of a candidate."""

from __future__ import annotations

import json

import pytest

BASE = "https://w3id.org/citykg"
CITY = f"{BASE}/def/City"
PROVINCE = f"{BASE}/def/Province"
LANDMARK = f"{BASE}/def/Landmark"
POPULATION = f"{BASE}/def/indicator/population"


def city(slug: str) -> str:
    return f"{BASE}/id/city/{slug}"


def batch(client, queries: dict, *, as_json: bool = False) -> dict:
    if as_json:
        resp = client.post("/reconcile", json={"queries": queries})
    else:
        resp = client.post("/reconcile", data={"queries": json.dumps(queries, ensure_ascii=False)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    return resp.json


def test_manifest(multicity_client):
    resp = multicity_client.get("/reconcile")
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == "*"
    m = resp.json
    assert "0.2" in m["versions"] and m["name"]
    assert m["identifierSpace"] == f"{BASE}/" and m["schemaSpace"] == f"{BASE}/def/"
    names = [t["name"] for t in m["defaultTypes"]]
    assert names == ["City", "Province", "Country", "Landmark", "Organisation", "Indicator"]
    assert m["view"]["url"] == "http://localhost/reconcile/view?id={{id}}"
    assert m["preview"]["url"].endswith("/reconcile/preview?id={{id}}") and m["preview"]["width"] > 0
    for kind in ("entity", "type", "property"):
        assert m["suggest"][kind] == {"service_url": "http://localhost/reconcile", "service_path": f"/suggest/{kind}"}
    assert m["extend"]["propose_properties"]["service_path"] == "/propose_properties"


def test_manifest_as_jsonp(multicity_client):
    resp = multicity_client.get("/reconcile?callback=jQuery123_456")
    assert resp.mimetype == "application/javascript"
    text = resp.get_data(as_text=True)
    assert text.startswith("/**/jQuery123_456(") and text.endswith(");")
    assert multicity_client.get("/reconcile?callback=alert(1)").status_code == 400


def test_openrefine_sequence(multicity_client):
    """What OpenRefine 3 sends when a column of city names is reconciled, then extended."""
    c = multicity_client
    manifest = c.get("/reconcile").json
    service = manifest["suggest"]["type"]["service_url"].removeprefix("http://localhost")
    # 1. the type guess: the first rows without a type, limit 3
    guess = batch(c, {f"q{i}": {"query": name, "limit": 3} for i, name in
                      enumerate(["Nanchang", "Krakow", "Sevilla"])})
    assert all(CITY in [t["id"] for t in guess[k]["result"][0]["type"]] for k in guess)
    # 2. the type suggestion box
    types = c.get(f"{service}/suggest/type?prefix=ci").json["result"]
    assert [t["id"] for t in types] == [CITY]
    # 3. the whole column, typed, in batches of 10 (OpenRefine's default)
    column = ["Nanchang", "Kraków", "Seville", "Xi'an", "Lyon", "Porto", "Ghent", "Bologna", "Tartu", "Graz"]
    answers = batch(c, {f"q{i}": {"query": n, "type": CITY, "type_strict": "should"} for i, n in enumerate(column)})
    for i, name in enumerate(column):
        top = answers[f"q{i}"]["result"][0]
        assert top["match"] is True and top["score"] >= 95, (name, top)
        assert {"id", "name", "type", "score", "match"} <= set(top)
    # 4. a property to add: proposed for the type, then the suggestion box
    proposed = c.get(f"{service}/propose_properties?type={CITY}&limit=20").json
    assert proposed["type"] == CITY
    ids = [p["id"] for p in proposed["properties"]]
    assert {"province", "country", POPULATION} <= set(ids)
    assert any(p["id"] == "country" for p in c.get(f"{service}/suggest/property?prefix=coun").json["result"])
    # 5. data extension
    extend = {"ids": [city("nanchang"), city("krakow")],
              "properties": [{"id": "province"}, {"id": "country"}, {"id": POPULATION}, {"id": "label@zh"}]}
    resp = c.post("/reconcile", data={"extend": json.dumps(extend)})
    assert resp.status_code == 200
    ext = resp.json
    assert [m["id"] for m in ext["meta"]] == ["province", "country", POPULATION, "label@zh"]
    assert ext["meta"][0]["type"]["id"] == PROVINCE
    nanchang = ext["rows"][city("nanchang")]
    assert nanchang["province"] == [{"id": f"{BASE}/id/province/jiangxi", "name": "Jiangxi"}]
    assert nanchang["country"] == [{"id": f"{BASE}/id/country/china", "name": "China"}]
    assert nanchang[POPULATION] == [{"int": 6255000}]
    assert nanchang["label@zh"] == [{"str": "南昌市"}]
    assert ext["rows"][city("krakow")][POPULATION][0]["int"] > 700000
    # 6. the preview of a candidate and the view link
    preview = c.get(manifest["preview"]["url"].replace("{{id}}", city("nanchang")).removeprefix("http://localhost"))
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    html = preview.get_data(as_text=True)
    assert "Nanchang" in html and "南昌市" in html and "6,255,000" in html
    view = c.get(manifest["view"]["url"].replace("{{id}}", city("nanchang")).removeprefix("http://localhost"))
    assert view.status_code == 303 and view.headers["Location"].endswith("/doc/city/nanchang")


NAMES = [
    # spelling variants
    ("Krakow", "krakow"), ("Cracow", "krakow"), ("KRAKOW", "krakow"), ("Krakau", "krakow"),
    ("Sevilla", "seville"), ("Seville", "seville"), ("Xian", "xi-an"), ("Xi An", "xi-an"), ("xi'an", "xi-an"),
    ("Lyons", "lyon"), ("Oporto", "porto"), ("Gent", "ghent"), ("Gand", "ghent"), ("Quanzou", "quanzhou"),
    ("Luoyng", "luoyang"), ("Versaille", "versailles"), ("Augsburgh", "augsburg"), ("Shao xing", "shaoxing"),
    ("Nanchang City", "nanchang"), ("  nanchang ", "nanchang"), ("Zibo", "zibo"),
    # accents, either way
    ("Kraków", "krakow"), ("Tampére", "tampere"), ("Bológna", "bologna"),
    # Chinese names, with and without 市
    ("南昌市", "nanchang"), ("南昌", "nanchang"), ("赣州", "ganzhou"), ("赣州市", "ganzhou"), ("洛阳", "luoyang"),
    ("西安", "xi-an"), ("苏州市", "suzhou"), ("泉州", "quanzhou"), ("绍兴", "shaoxing"),
]


@pytest.mark.parametrize("as_json", [False, True])
def test_names_find_the_right_city_first(multicity_client, as_json):
    answers = batch(multicity_client, {f"q{i}": {"query": q, "type": CITY} for i, (q, _) in enumerate(NAMES)},
                    as_json=as_json)
    wrong = [(q, answers[f"q{i}"]["result"][:1]) for i, (q, slug) in enumerate(NAMES)
             if not answers[f"q{i}"]["result"] or answers[f"q{i}"]["result"][0]["id"] != city(slug)]
    assert wrong == []


def test_names_without_a_type_still_rank_the_city_first(multicity_client):
    answers = batch(multicity_client, {f"q{i}": {"query": q} for i, (q, _) in enumerate(NAMES)})
    assert all(answers[f"q{i}"]["result"][0]["id"] == city(slug) for i, (_, slug) in enumerate(NAMES))


def test_exact_names_match_and_guesses_do_not(multicity_client):
    answers = batch(multicity_client, {"a": {"query": "Kraków", "type": CITY}, "b": {"query": "Luoyng", "type": CITY},
                                       "c": {"query": "南昌", "type": CITY}})
    assert answers["a"]["result"][0]["match"] is True and answers["a"]["result"][0]["score"] == 100
    assert answers["b"]["result"][0]["match"] is False and answers["b"]["result"][0]["score"] < 95
    assert answers["c"]["result"][0]["match"] is True
    assert all(r["match"] is False for r in answers["a"]["result"][1:])


def test_types_and_properties_narrow(multicity_client):
    answers = batch(multicity_client, {
        "city": {"query": "Valencia", "type": CITY},
        "province": {"query": "Valencia", "type": PROVINCE},
        "cathedral": {"query": "Cathedral", "type": LANDMARK, "properties": [{"pid": "city", "v": "Seville"}]},
        "cathedral-id": {"query": "Cathedral", "type": "Landmark",
                         "properties": [{"pid": "city", "v": {"id": city("porto")}}]},
        "suzhou": {"query": "Suzhou", "properties": [{"pid": "province", "v": "Jiangsu"}]},
        "ile": {"query": "Ile de France", "type": PROVINCE},
        "in-china": {"query": "Jiangxi", "type": PROVINCE, "properties": [{"pid": "country", "v": "中国"}]},
        "indicator": {"query": "Population", "type": "Indicator"},
    })
    assert answers["city"]["result"][0]["id"] == city("valencia")
    assert all(PROVINCE in [t["id"] for t in r["type"]] for r in answers["province"]["result"])
    assert answers["province"]["result"][0]["id"] == f"{BASE}/id/province/autonomous-community-of-valencia"
    assert answers["cathedral"]["result"][0]["id"] == f"{BASE}/id/landmark/cathedral-of-seville"
    assert answers["cathedral-id"]["result"][0]["id"] == f"{BASE}/id/landmark/cathedral-of-porto"
    top = answers["suzhou"]["result"][0]
    assert top["id"] == city("suzhou") and {"id": "province", "value": 1.0} in top["features"]
    assert answers["ile"]["result"][0]["id"] == f"{BASE}/id/province/ile-de-france"
    assert answers["in-china"]["result"][0]["id"] == f"{BASE}/id/province/jiangxi"
    assert answers["indicator"]["result"][0]["id"] == POPULATION


def test_limit_and_a_batch_of_100(multicity_client):
    answers = batch(multicity_client, {f"q{i}": {"query": NAMES[i % len(NAMES)][0], "limit": 2} for i in range(100)})
    assert len(answers) == 100 and all(1 <= len(a["result"]) <= 2 for a in answers.values())


def test_single_query_and_get(multicity_client):
    one = multicity_client.get("/reconcile?query=Tartu").json
    assert one["result"][0]["id"] == city("tartu")
    as_object = multicity_client.get("/reconcile?query=" + json.dumps({"query": "Graz", "type": CITY})).json
    assert as_object["result"][0]["id"] == city("graz")
    got = multicity_client.get("/reconcile?queries=" + json.dumps({"q0": {"query": "Lille"}})).json
    assert got["q0"]["result"][0]["id"] == city("lille")


def test_suggest_entity(multicity_client):
    got = multicity_client.get("/reconcile/suggest/entity?prefix=krak").json["result"]
    assert got[0]["id"] == city("krakow") and got[0]["name"] == "Kraków"
    zh = multicity_client.get("/reconcile/suggest/entity?prefix=南").json["result"]
    assert city("nanchang") in [r["id"] for r in zh]
    typed = multicity_client.get(f"/reconcile/suggest/entity?prefix=grand&type={LANDMARK}").json["result"]
    assert typed and all("grand" in r["name"].lower() for r in typed)


@pytest.mark.parametrize("data", [
    {"queries": "{not json"},
    {"queries": json.dumps({"q0": {"query": "x", "type": "Spaceship"}})},
    {"queries": json.dumps({"q0": {"type": CITY}})},
    {"queries": json.dumps(["Nanchang"])},
    {"extend": json.dumps({"ids": [city("nanchang")], "properties": [{"id": "no-such-property"}]})},
    {"extend": json.dumps({"properties": []})},
])
def test_bad_requests(multicity_client, data):
    resp = multicity_client.post("/reconcile", data=data)
    assert resp.status_code == 400


def test_preview_and_view_of_unknown_things(multicity_client):
    assert multicity_client.get(f"/reconcile/preview?id={BASE}/id/city/atlantis").status_code == 404
    assert multicity_client.get("/reconcile/view?id=https://example.org/x").status_code == 404


def test_preview_escapes(mini_client):
    html = mini_client.get(f"/reconcile/preview?id={BASE}/id/city/zurich").get_data(as_text=True)
    assert "<script>" not in html and "Zürich Test" in html


def test_reconcile_on_every_store(store_client):
    answers = batch(store_client, {"a": {"query": "南昌", "type": CITY}, "b": {"query": "nanchang"},
                                   "c": {"query": "Jiangxi", "type": PROVINCE}})
    assert answers["a"]["result"][0]["id"] == city("nanchang") and answers["a"]["result"][0]["match"]
    assert answers["b"]["result"][0]["id"] == city("nanchang")
    assert answers["c"]["result"][0]["id"] == f"{BASE}/id/province/jiangxi"
    ext = store_client.post("/reconcile", data={"extend": json.dumps(
        {"ids": [city("nanchang")], "properties": [{"id": "province"}, {"id": POPULATION}]})}).json
    row = ext["rows"][city("nanchang")]
    assert row["province"][0]["id"] == f"{BASE}/id/province/jiangxi" and row[POPULATION] == [{"int": 6255000}]
