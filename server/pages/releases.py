"""The pages of a series of releases: the list of kept releases (``/release/``) and a release's changes
(``/changes``, from the release's ``changes.json``): pure functions of their parameters."""

from __future__ import annotations

from typing import Any

from citykg.server.urls import UrlMapper

#: the statuses of a city in a changelog, in the order the page shows them
STATUSES = ("added", "changed", "removed")


def release_rows(versions: Any, urls: UrlMapper) -> list[dict[str, Any]]:
    """One row per kept release, newest first, with the URLs of its parts on this host."""
    latest = versions.latest
    rows = []
    for v in reversed(versions.items):
        root = urls.local(f"/release/{v.version}")
        rows.append({
            "version": v.version,
            "built": v.built.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "previous_version": v.previous,
            "notes": v.notes,
            "latest": v is latest,
            "url": urls.url(root + "/"),
            "download": urls.url(root + "/download"),
            "sparql": urls.url(root + "/sparql"),
            "changes": urls.url(root + "/changes") if v.previous else None,
            "href": root + "/",
        })
    return rows


def listing_json(versions: Any, urls: UrlMapper) -> dict[str, Any]:
    return {"latest": versions.latest.version, "catalog": urls.url(urls.local("/catalog")),
            "releases": [{k: v for k, v in r.items() if k != "href"} for r in release_rows(versions, urls)]}


#: QUDT units in words (the rest by their local name)
_UNITS = {"NUM": "", "PERCENT": "%", "KiloM2": "km²", "CCY_CNY": "CNY"}


def _local(iri: str | None) -> str | None:
    """The last segment of an IRI (``…/qualifier/approximately`` -> ``approximately``)."""
    if not iri:
        return None
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _fact(f: dict[str, Any] | None, urls: UrlMapper) -> dict[str, Any] | None:
    if not f:
        return None
    words = f.get("value_label")
    if not words:
        qualifier = _local(f.get("qualifier"))
        unit = _local(f.get("unit"))
        words = " ".join(str(x) for x in (qualifier if qualifier != "exact" else None, f.get("value"),
                                          _UNITS.get(unit, unit)) if x not in (None, ""))
    subject = f.get("subject")
    return {**f, "words": words or "", "href": urls.href(subject) if subject else None,
            "what": f.get("label") or f.get("indicator") or f.get("property") or ""}


def changes_page(changes: dict[str, Any], urls: UrlMapper) -> dict[str, Any]:
    """The changelog of a release against the previous one, city by city."""
    cities = []
    for c in changes.get("cities", []):
        cities.append({
            "city": c.get("city"), "label": c.get("label") or c.get("city"), "status": c.get("status", "changed"),
            "href": urls.href(c["iri"]) if c.get("iri") else None,
            "added": [_fact(f, urls) for f in c.get("added", [])],
            "removed": [_fact(f, urls) for f in c.get("removed", [])],
            "changed": [{"key": ch.get("key"), "old": _fact(ch.get("old"), urls), "new": _fact(ch.get("new"), urls)}
                        for ch in c.get("changed", [])],
        })
    cities.sort(key=lambda c: (STATUSES.index(c["status"]) if c["status"] in STATUSES else 9, str(c["label"])))
    summary = changes.get("summary")
    if isinstance(summary, dict):
        summary_rows = [(str(k).replace("_", " "), v) for k, v in summary.items()]
        summary_text = None
    else:
        summary_rows, summary_text = [], summary
    return {"from_version": changes.get("from"), "to_version": changes.get("to"),
            "from_built": changes.get("from_built"), "to_built": changes.get("to_built"),
            "summary_rows": summary_rows, "summary_text": summary_text, "cities": cities}
