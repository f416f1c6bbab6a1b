"""``sitemap.xml`` and ``robots.txt``: every HTML page of the release for crawlers.

The pages are the home page, the downloads, the catalogue, the SPARQL editor, the ontology
(``/def/``) and every resource under ``BASE/id/`` and ``BASE/def/`` that the server has a page for
(hash IRIs are parts of their document's page). ``lastmod`` is the release's build time from its
manifest: every page of a release changes with it, none between. Past `per_file` URLs (50,000 by
the protocol) ``/sitemap.xml`` is a sitemap index of ``/sitemap-N.xml`` files.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from citykg.server.appstate import CityKG
from citykg.server.urls import UrlMapper

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: the pages that are not resources, as served paths
SITE_PAGES = ("/", "/download", "/catalog", "/sparql", "/def/")


def page_uris(kg: CityKG) -> list[str]:
    """Every canonical URI under /id/ and /def/ that is a subject of the release, sorted; once per process."""
    found = kg.derived.get("sitemap_uris")
    if found is None:
        base = kg.policy.base
        rows = kg.store.select(
            f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o . FILTER(isIRI(?s) && '
            f'(STRSTARTS(STR(?s), "{base}/id/") || STRSTARTS(STR(?s), "{base}/def/")) && !CONTAINS(STR(?s), "#")) }}'
        )
        found = sorted(r["s"].value for r in rows)
        kg.derived["sitemap_uris"] = found
    return found


def locations(kg: CityKG, urls: UrlMapper) -> list[str]:
    """The absolute URL of every page, site pages first (kept per host and mount point)."""
    kept = kg.derived.setdefault("sitemap_locations", {})
    key = (urls.host_url, urls.script_root)
    if key not in kept:
        if len(kept) > 8:
            kept.clear()
        kept[key] = _locations(kg, urls)
    return kept[key]


def _locations(kg: CityKG, urls: UrlMapper) -> list[str]:
    out = [urls.url(urls.local(p)) for p in SITE_PAGES]
    seen = set(out)
    for uri in page_uris(kg):
        path = urls.path(uri)
        if path is None:
            continue
        url = urls.url(path)
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


def files(kg: CityKG, urls: UrlMapper, per_file: int) -> int:
    """How many sitemap files the pages fill (1: /sitemap.xml is the sitemap itself)."""
    n = len(locations(kg, urls))
    return max(1, -(-n // per_file))


def lastmod(kg: CityKG) -> str:
    return str(kg.manifest.get("built") or kg.release.last_modified_http)


def urlset(kg: CityKG, urls: UrlMapper, number: int, per_file: int) -> str | None:
    """The sitemap file `number` (from 1), or None past the last."""
    locs = locations(kg, urls)
    chunk = locs[(number - 1) * per_file : number * per_file]
    if number < 1 or (not chunk and number > 1):
        return None
    mod = escape(lastmod(kg))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NS}">']
    lines += [f"<url><loc>{escape(loc)}</loc><lastmod>{mod}</lastmod></url>" for loc in chunk]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def index(kg: CityKG, urls: UrlMapper, per_file: int) -> str:
    """The sitemap index of the files /sitemap-1.xml ... /sitemap-N.xml."""
    mod = escape(lastmod(kg))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NS}">']
    for n in range(1, files(kg, urls, per_file) + 1):
        lines.append(f"<sitemap><loc>{escape(urls.url(urls.local(f'/sitemap-{n}.xml')))}</loc>"
                     f"<lastmod>{mod}</lastmod></sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def robots(urls: UrlMapper) -> str:
    """Crawlers welcome on the pages, kept off the query interfaces (endless URLs, no pages)."""
    root = urls.local("")
    return "\n".join([
        "User-agent: *",
        f"Disallow: {root}/sparql?",
        f"Disallow: {root}/fragments",
        f"Disallow: {root}/reconcile",
        f"Disallow: {root}/search?",
        f"Disallow: {root}/compare?",
        f"Allow: {root}/",
        "",
        f"Sitemap: {urls.url(urls.local('/sitemap.xml'))}",
        "",
    ])
