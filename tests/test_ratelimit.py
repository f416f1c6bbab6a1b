"""Rate limits per client address on /sparql and /search (server/limits.py, Flask-Limiter)."""

from __future__ import annotations

import pytest
from citykg.server import limits


def limited_app(release, **config):
    from citykg.server.app import create_app

    settings = {"TESTING": True, "RATELIMIT_ENABLED": True, "RATELIMIT_SPARQL": "3 per minute",
                "RATELIMIT_SEARCH": "2 per minute"}
    settings.update(config)
    return create_app(release, config=settings)


@pytest.fixture()
def limited(mini_release):
    return limited_app(mini_release)


def test_sparql_is_limited_per_address_with_retry_after(limited):
    client = limited.test_client()
    answers = [client.get("/sparql", query_string={"query": f"ASK {{ ?s ?p {i} }}"}) for i in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    over = client.get("/sparql", query_string={"query": "ASK {}"})
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 61
    assert over.headers["Cache-Control"] == "no-store"
    assert b"Traceback" not in over.data
    # POST counts against the same limit; another address has its own
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 429
    other = client.get("/sparql", query_string={"query": "ASK {}"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_cache_hits_in_front_of_flask_count_too(limited):
    """A repeated query is answered by the response cache (server/cache.py): it still counts."""
    client = limited.test_client()
    fast = limited.extensions["citykg.responses"]
    statuses = [client.get("/sparql", query_string={"query": "ASK {}"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert fast.hits == 2  # hits 2 and 3 came from the fast path, and were counted
    r = client.get("/sparql", query_string={"query": "ASK {}"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_search_is_limited_and_answers_in_the_asked_format(limited):
    client = limited.test_client()
    for _ in range(2):
        assert client.get("/search?q=cafe", headers={"Accept": "application/json"}).status_code == 200
    over = client.get("/search?q=cafe", headers={"Accept": "application/json"})
    assert over.status_code == 429 and "Retry-After" in over.headers
    assert over.json["status"] == 429
    # /sparql has its own budget, pages none
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    for _ in range(5):
        assert client.get("/doc/city/zurich").status_code == 200


def test_reconcile_shares_the_search_budget(limited):
    client = limited.test_client()
    assert client.post("/reconcile", data={"queries": '{"q0": {"query": "cafe"}}'}).status_code == 200
    assert client.get("/reconcile/suggest/entity?prefix=caf").status_code == 200
    assert client.post("/reconcile", data={"queries": '{"q0": {"query": "cafe"}}'}).status_code == 429
    assert client.get("/search?q=cafe", headers={"Accept": "application/json"}).status_code == 429
    # the fragments are not limited (cheap, cacheable: what Triple Pattern Fragments are for)
    for _ in range(5):
        assert client.get("/fragments?subject=https%3A%2F%2Fw3id.org%2Fcitykg%2Fid%2Fcity%2Fzurich").status_code == 200


def test_preflight_is_free(limited):
    client = limited.test_client()
    for _ in range(6):
        assert client.open("/sparql", method="OPTIONS").status_code == 204
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_trusted_proxy_takes_the_address_it_saw(mini_release):
    app = limited_app(mini_release, RATELIMIT_TRUSTED_PROXIES=1, RATELIMIT_SEARCH="1 per minute")
    client = app.test_client()

    def search(forwarded):
        return client.get("/search?q=cafe", headers={"X-Forwarded-For": forwarded}).status_code

    assert search("203.0.113.1") == 200
    assert search("203.0.113.1") == 429
    assert search("203.0.113.2") == 200
    # a client cannot escape by adding its own X-Forwarded-For entries: the proxy appends the real one
    assert search("1.2.3.4, 203.0.113.2") == 429


def test_client_address_without_proxies_ignores_forwarded_headers():
    env = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "10.0.0.1"}
    assert limits.client_address(env, 0) == "192.0.2.1"
    assert limits.client_address(env, 1) == "10.0.0.1"
    assert limits.client_address(env, 2) == "192.0.2.1"  # fewer entries than proxies: the peer


def test_settings_from_environment_and_defaults(monkeypatch):
    assert limits.read_settings({})["RATELIMIT_ENABLED"] is True
    assert limits.read_settings({"TESTING": True})["RATELIMIT_ENABLED"] is False
    monkeypatch.setenv("CITYKG_RATELIMIT_SPARQL", "5 per second")
    monkeypatch.setenv("CITYKG_RATELIMIT_ENABLED", "1")
    s = limits.read_settings({"TESTING": True})
    assert s["RATELIMIT_SPARQL"] == "5 per second" and s["RATELIMIT_ENABLED"] is True
    monkeypatch.setenv("CITYKG_RATELIMIT_ENABLED", "off")
    assert limits.read_settings({})["RATELIMIT_ENABLED"] is False
    monkeypatch.setenv("CITYKG_RATELIMIT_SEARCH", "lots")
    with pytest.raises(ValueError):
        limits.read_settings({})


def test_disabled_by_default_in_the_test_suite(mini_client):
    for _ in range(30):
        assert mini_client.get("/search?q=cafe").status_code == 200
