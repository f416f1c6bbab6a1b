"""The one mapping between canonical URIs (``BASE/...``) and the URLs of the host serving them.

RDF always carries canonical URIs; pages link to this server. ``BASE/id/x`` is served at
``/doc/x`` (the page) or ``/id/x`` (the thing, 303), ``BASE/def/x`` at ``/def/x``, the
catalogue, VoID, SPARQL, downloads and the context at their own paths. A hash IRI maps to its
document's path with the fragment kept (``BASE/.well-known/void#linkset`` ->
``/.well-known/void#linkset``, ``BASE/download/dataset.nq#sha256``), so every link of a page
stays on the serving host.
"""

from __future__ import annotations

from dataclasses import dataclass

#: paths served as they are under the base
_EXACT = ("/", "/def/", "/catalog", "/sparql", "/.well-known/void", "/context.jsonld", "/download", "/compare",
          "/fragments", "/reconcile", "/sitemap.xml", "/robots.txt",
          "/search", "/changes", "/release/")
_PREFIXES = ("/doc/", "/def/", "/download/", "/release/", "/timemap/")


@dataclass(frozen=True)
class UrlMapper:
    base: str  # canonical base, no trailing slash
    script_root: str = ""  # where the app is mounted on this host ("" or "/prefix")
    host_url: str = "http://localhost/"  # scheme://host[:port]/ of the request
    #: where canonical URIs are served on this host when it differs from the mount point: an earlier
    #: release mounted at ``/release/{version}`` links resources to their canonical pages (``/doc/…``),
    #: while its own paths (variants, downloads, SPARQL) stay under the mount (`local`)
    site_root: str | None = None

    def path(self, uri: str, *, page: bool = True) -> str | None:
        """The path on this server for a canonical URI; None if this server has no route for it."""
        if not uri.startswith(self.base + "/"):
            return None
        rest = uri[len(self.base):]
        if "?" in rest:
            return None
        rest, hash_, fragment = rest.partition("#")
        suffix = hash_ + fragment
        root = self.script_root if self.site_root is None else self.site_root
        if rest.startswith("/id/") and len(rest) > 4:
            return root + ("/doc/" if page else "/id/") + rest[4:] + suffix
        if rest.startswith(_PREFIXES) or rest in _EXACT:
            return root + rest + suffix
        return None

    def href(self, uri: str) -> str:
        """The local path of a canonical URI, or the URI itself when it is not served here."""
        return self.path(uri) or uri

    def url(self, path: str) -> str:
        """An absolute URL on this host for a local path."""
        return self.host_url.rstrip("/") + path

    def local(self, path: str) -> str:
        """A path of this app (``/doc/x``) as served (with the mount point)."""
        return self.script_root + path
