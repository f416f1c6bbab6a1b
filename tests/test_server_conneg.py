"""Content negotiation (RFC 9110 section 12.5.1): q-values, wildcards, specificity, 406."""

from __future__ import annotations

import pytest
from citykg.server import conneg
from citykg.server.conneg import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, negotiate, parse_accept, quality


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("", HTML),
        ("*/*", HTML),
        ("text/turtle", TURTLE),
        ("application/ld+json", JSONLD),
        ("application/rdf+xml", RDFXML),
        ("application/n-triples", NTRIPLES),
        ("application/json", JSONLD),
        ("text/html;q=0.5, text/turtle", TURTLE),
        ("text/turtle;q=0.2, application/ld+json;q=0.9", JSONLD),
        ("text/*", HTML),
        ("text/*;q=0.5, text/html;q=0.1", TURTLE),  # the specific range wins for text/html
        ("*/*;q=0.1, application/rdf+xml", RDFXML),
        ("text/html;q=0, */*", TURTLE),  # q=0 means "not this one"
        ("TEXT/TURTLE", TURTLE),  # media types are case-insensitive
        ("text/turtle; charset=utf-8; q=0.8, text/html;q=0.7", TURTLE),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),  # a browser
        ("application/ld+json;profile=\"http://www.w3.org/ns/json-ld#compacted\"", JSONLD),
        ("garbage, text/turtle", TURTLE),
        ("text/turtle;q=abc, application/n-triples;q=0.3", NTRIPLES),
    ],
)
def test_negotiate(accept, expected):
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    "accept", ["image/png", "text/html;q=0, text/turtle;q=0, */*;q=0", "application/xml", "text/plain"]
)
def test_nothing_acceptable(accept):
    assert negotiate(accept) is None


def test_most_specific_range_sets_quality():
    ranges = parse_accept("*/*;q=0.1, text/*;q=0.5, text/turtle;q=0.9")
    assert quality(ranges, TURTLE) == 0.9
    assert quality(ranges, HTML) == 0.5
    assert quality(ranges, JSONLD) == 0.1


def test_ties_follow_server_preference():
    assert negotiate("text/turtle, application/ld+json") == TURTLE
    assert negotiate("application/ld+json, text/turtle") == TURTLE


def test_extensions_cover_every_offer():
    assert set(conneg.EXTENSIONS.values()) == set(conneg.DOCUMENT_OFFERS)
