"""Memento (RFC 7089) over three real releases served with `citykg serve --releases`: every document URI is
its own TimeGate (302-style), TimeMaps in application/link-format, Memento-Datetime and Link on the
mementos; checked with the Memento client library (memento-client, offline against loopback) and
against the RFC's header syntax."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
import requests
from memento_client import MementoClient
from series import VERSIONS
from served import raw

FIRST, SECOND, THIRD = VERSIONS
#: RFC 9110 IMF-fixdate, the form RFC 7089 dates take
HTTP_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                       r"\d{4} \d{2}:\d{2}:\d{2} GMT$")
#: one link-value of RFC 8288: <URI> then ;-separated parameters
LINK_VALUE = re.compile(r'^<[^<>]+>(\s*;\s*[a-z]+="[^"]*")+$')


def split_links(header: str) -> list[str]:
    """The link-values of a Link header or a link-format document (commas outside <> and quotes)."""
    out, cur, depth, quoted = [], "", 0, False
    for ch in header:
        if ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "<" and not quoted:
            depth += 1
        elif ch == ">" and not quoted:
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_links(header: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    for value in split_links(header):
        value = re.sub(r"\s+", " ", value)
        assert LINK_VALUE.match(value), f"not an RFC 8288 link-value: {value!r}"
        target = value[1:value.index(">")]
        params = dict(re.findall(r'([a-z]+)="([^"]*)"', value[value.index(">"):]))
        found.append((target, params))
    return found


def by_rel(links: list[tuple[str, dict[str, str]]], rel: str) -> list[tuple[str, dict[str, str]]]:
    return [(t, p) for t, p in links if rel in p.get("rel", "").split()]


def built(release_series, version: str) -> datetime:
    return datetime.fromisoformat(release_series.built(version).replace("Z", "+00:00")).astimezone(UTC)


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


@pytest.fixture()
def client():
    # The URI-R is its own TimeGate (RFC 7089 section 4.1.1), so the TimeGate URI is the URI itself: an empty
    # preferred TimeGate base; nothing leaves the machine.
    with MementoClient(timegate_uri="", check_native_timegate=False) as c:
        yield c


def test_timegate_before_between_at_and_after_releases(series_server, release_series, client):
    uri = series_server.url + "/doc/observation/harbourfield/population"
    t1, t2, t3 = (built(release_series, v) for v in VERSIONS)
    cases = [
        (t1 - timedelta(days=400), FIRST),  # before the first release: the first
        (t1, FIRST),  # at its build time
        (t1 + (t2 - t1) / 2, FIRST),  # between the first and the second: the first is in force
        (t2, SECOND),
        (t3 + timedelta(days=1), THIRD),  # after the last
    ]
    for when, version in cases:
        info = client.get_memento_info(uri, when.replace(tzinfo=None))
        closest = info["mementos"]["closest"]
        assert closest["uri"] == [f"{series_server.url}/release/{version}/doc/observation/harbourfield/population"], \
            (when, closest)
        assert closest["http_status_code"] == 200
        assert closest["datetime"] == built(release_series, version).replace(microsecond=0, tzinfo=None)
    info = client.get_memento_info(uri, t2.replace(tzinfo=None))
    tail = "doc/observation/harbourfield/population"
    assert info["mementos"]["first"]["uri"] == [f"{series_server.url}/release/{FIRST}/{tail}"]
    assert info["mementos"]["prev"]["uri"] == info["mementos"]["first"]["uri"]
    assert info["mementos"]["next"]["uri"] == [f"{series_server.url}/release/{THIRD}/{tail}"]
    assert info["mementos"]["last"]["uri"] == info["mementos"]["next"]["uri"]
    assert client.is_timegate(uri, accept_datetime=http_date(t2))
    memento = info["mementos"]["closest"]["uri"][0]
    assert client.is_memento(memento)
    assert client.get_original_uri(memento) == uri


def test_timegate_302_headers(series_server, release_series):
    when = http_date(built(release_series, SECOND) + timedelta(seconds=1))
    r = raw(series_server, "GET", "/doc/city/harbourfield.ttl", {"Accept-Datetime": when})
    assert r.status == 302
    assert r.getheader("Location") == f"{series_server.url}/release/{SECOND}/doc/city/harbourfield.ttl"
    assert "accept-datetime" in r.getheader("Vary").lower()
    assert r.getheader("Memento-Datetime") is None  # a TimeGate's answer is not a memento
    links = parse_links(r.getheader("Link"))
    assert by_rel(links, "original") == [(f"{series_server.url}/doc/city/harbourfield.ttl",
                                          {"rel": "original timegate"})]
    assert by_rel(links, "timemap")[0][0] == f"{series_server.url}/timemap/doc/city/harbourfield.ttl"
    assert by_rel(links, "timemap")[0][1]["type"] == "application/link-format"
    for _target, params in by_rel(links, "memento"):
        assert HTTP_DATE.match(params["datetime"]), params
    head = raw(series_server, "HEAD", "/doc/city/harbourfield.ttl", {"Accept-Datetime": when})
    assert head.status == 302 and head.getheader("Location") == r.getheader("Location")


def test_resource_absent_from_the_chosen_release(series_server, release_series):
    after = http_date(built(release_series, THIRD) + timedelta(days=1))
    before = http_date(built(release_series, FIRST) - timedelta(days=1))
    # districts: a fact removed in the third release -> the nearest earlier release that has it
    r = raw(series_server, "GET", "/doc/observation/harbourfield/districts", {"Accept-Datetime": after})
    assert r.status == 302
    assert r.getheader("Location").endswith(f"/release/{SECOND}/doc/observation/harbourfield/districts")
    # pinecrest: a city removed in the third release
    r = raw(series_server, "GET", "/doc/city/pinecrest", {"Accept-Datetime": after})
    assert r.status == 302 and r.getheader("Location").endswith(f"/release/{SECOND}/doc/city/pinecrest")
    # lakeview: added in the second release -> the nearest later one
    r = raw(series_server, "GET", "/doc/city/lakeview", {"Accept-Datetime": before})
    assert r.status == 302 and r.getheader("Location").endswith(f"/release/{SECOND}/doc/city/lakeview")
    # in no release at all
    r = raw(series_server, "GET", "/doc/city/atlantis", {"Accept-Datetime": after})
    assert r.status == 404 and "accept-datetime" in r.getheader("Vary").lower()
    # the latest's 404 of a removed city points at its TimeMap
    gone = raw(series_server, "GET", "/doc/city/pinecrest")
    assert gone.status == 404
    assert by_rel(parse_links(gone.getheader("Link")), "timemap")


@pytest.mark.parametrize("value", ["yesterday", "2026-12-01", "Tue, 45 Foo 2026 99:00:00 GMT", ""])
def test_bad_accept_datetime_is_400(series_server, value):
    r = raw(series_server, "GET", "/doc/city/harbourfield", {"Accept-Datetime": value})
    assert r.status == 400
    assert "accept-datetime" in r.getheader("Vary").lower()
    assert b"Accept-Datetime" in r.body and b"GMT" in r.body  # says what it wants


def test_original_always_varies_and_links_its_timegate_and_timemap(series_server):
    for path, accept in (("/doc/city/harbourfield", "text/turtle"), ("/doc/city/harbourfield", "text/html"),
                         ("/doc/city/harbourfield.jsonld", "*/*")):
        r = raw(series_server, "GET", path, {"Accept": accept})
        assert r.status == 200
        assert "accept-datetime" in r.getheader("Vary").lower(), path
        assert r.getheader("Memento-Datetime") is None
        links = parse_links(r.getheader("Link"))
        assert by_rel(links, "timegate") == [(f"{series_server.url}{path}", {"rel": "original timegate"})]
        assert by_rel(links, "timemap") == [(f"{series_server.url}/timemap{path}",
                                            {"rel": "timemap", "type": "application/link-format"})]
    assert "accept-datetime" in raw(series_server, "GET", "/doc/city/atlantis").getheader("Vary").lower()


def test_timemap(series_server, release_series):
    r = raw(series_server, "GET", "/timemap/doc/observation/harbourfield/districts")
    assert r.status == 200
    assert r.getheader("Content-Type") == "application/link-format"
    links = parse_links(r.body.decode())
    original = f"{series_server.url}/doc/observation/harbourfield/districts"
    assert links[0] == (original, {"rel": "original"})
    assert by_rel(links, "timegate") == [(original, {"rel": "timegate"})]
    (self_url, self_params), = by_rel(links, "self")
    assert self_url == f"{series_server.url}/timemap/doc/observation/harbourfield/districts"
    assert self_params["type"] == "application/link-format"
    assert self_params["from"] == http_date(built(release_series, FIRST))
    assert self_params["until"] == http_date(built(release_series, SECOND))  # gone from the third
    mementos = by_rel(links, "memento")
    assert [(t, p["datetime"]) for t, p in mementos] == [
        (f"{series_server.url}/release/{v}/doc/observation/harbourfield/districts", http_date(built(release_series, v)))
        for v in (FIRST, SECOND)]
    assert mementos[0][1]["rel"] == "first memento" and mementos[-1][1]["rel"] == "last memento"
    for target, params in mementos:
        m = requests.head(target, timeout=30)
        assert m.status_code == 200
        assert m.headers["Memento-Datetime"] == params["datetime"]
    lakeview = parse_links(raw(series_server, "GET", "/timemap/doc/city/lakeview").body.decode())
    assert [t.rsplit("/release/", 1)[1].split("/")[0] for t, _ in by_rel(lakeview, "memento")] == [SECOND, THIRD]
    assert raw(series_server, "GET", "/timemap/doc/city/atlantis").status == 404


def test_memento_headers(series_server, release_series):
    path = "/doc/observation/harbourfield/population"
    r = raw(series_server, "GET", f"/release/{SECOND}{path}", {"Accept": "text/turtle"})
    assert r.status == 200
    assert HTTP_DATE.match(r.getheader("Memento-Datetime"))
    stated = parsedate_to_datetime(r.getheader("Memento-Datetime"))
    assert stated == built(release_series, SECOND).replace(microsecond=0)
    links = parse_links(r.getheader("Link"))
    url = series_server.url
    assert by_rel(links, "original") == [(url + path, {"rel": "original timegate"})]
    assert by_rel(links, "timemap")[0][0] == f"{url}/timemap{path}"
    rels = {p["rel"]: t for t, p in links if "memento" in p["rel"].split()}
    assert rels == {"first prev memento": f"{url}/release/{FIRST}{path}", "memento": f"{url}/release/{SECOND}{path}",
                    "next last memento": f"{url}/release/{THIRD}{path}"}
    for _, p in by_rel(links, "memento"):
        assert HTTP_DATE.match(p["datetime"])
    first = parse_links(raw(series_server, "GET", f"/release/{FIRST}{path}.ttl").getheader("Link"))
    assert {p["rel"] for _, p in by_rel(first, "memento")} == {"first memento", "next memento", "last memento"}
    # the memento of a page too, and of the 304 answer
    page = raw(series_server, "GET", f"/release/{FIRST}/doc/city/harbourfield", {"Accept": "text/html"})
    assert page.status == 200 and page.getheader("Memento-Datetime")
    again = raw(series_server, "GET", f"/release/{FIRST}/doc/city/harbourfield",
                {"Accept": "text/html", "If-None-Match": page.getheader("ETag")})
    assert again.status == 304 and again.getheader("Memento-Datetime") == page.getheader("Memento-Datetime")


def test_def_terms_time_travel_too(series_server, release_series):
    when = http_date(built(release_series, FIRST))
    r = raw(series_server, "GET", "/def/indicator/population", {"Accept-Datetime": when, "Accept": "text/turtle"})
    assert r.status == 302
    assert r.getheader("Location") == f"{series_server.url}/release/{FIRST}/def/indicator/population"
    m = raw(series_server, "GET", f"/release/{FIRST}/def/indicator/population", {"Accept": "text/turtle"})
    assert m.status == 200 and m.getheader("Memento-Datetime") == http_date(built(release_series, FIRST))
    tm = parse_links(raw(series_server, "GET", "/timemap/def/City").body.decode())
    assert len(by_rel(tm, "memento")) == 3


def test_releases_built_in_the_same_second_keep_their_order():
    """Two builds within one second (an HTTP-date's resolution): a date before both still goes to the first,
    one at that second to the second (the one in force), whichever of them holds the resource."""
    from pathlib import Path

    from citykg.server.versions import Version, Versions

    second = datetime(2026, 12, 2, 14, 48, 29, tzinfo=UTC)
    v1, v2 = Version("v1", Path("/r/v1"), second), Version("v2", Path("/r/v2"), second)
    versions = Versions(Path("/r"), [v1, v2])
    before = second - timedelta(days=3650)
    assert versions.nearest_holding(before, [v1, v2]) == v1
    assert versions.nearest_holding(second, [v1, v2]) == v2
    assert versions.nearest_holding(before, [v2]) == v2  # only the later one holds it
