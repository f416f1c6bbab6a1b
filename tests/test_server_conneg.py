"""Content negotiation (RFC 9110 section 12.5.1): q-values, wildcards, specificity, 406."""

from __future__ import annotations

import pytest
from citykg.server import formats
from citykg.server.conneg import negotiate as negotiate_offers
from citykg.server.conneg import parse_accept, quality
from citykg.server.formats import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE


def negotiate(accept):
    return negotiate_offers(accept, formats.DOCUMENT)


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
    assert quality(ranges, TURTLE.media_type) == 0.9
    assert quality(ranges, HTML.media_type) == 0.5
    assert quality(ranges, JSONLD.media_type) == 0.1


def test_ties_follow_server_preference():
    assert negotiate("text/turtle, application/ld+json") == TURTLE
    assert negotiate("application/ld+json, text/turtle") == TURTLE


def test_extensions_cover_every_offer():
    assert all(formats.by_extension(f.extension) is f for f in formats.DOCUMENT)


def test_sparql_answers_take_more_names():
    # text/plain is N-Triples for a CONSTRUCT answer, not for a resource document
    assert negotiate("text/plain") is None
    assert negotiate_offers("text/plain", formats.GRAPHS, loose=True) is NTRIPLES
    assert negotiate_offers("application/json", formats.RESULTS, loose=True).name == "json"
