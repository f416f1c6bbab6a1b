"""Pre-rendered resource documents, shared by every worker, answered in front of Flask.

`citykg build` (through `citykg.server.prerender`) writes ``documents.sqlite`` into the release
folder: for every resource ``BASE/id/…`` its Turtle document and its HTML page (first page of
incoming links) as Flask renders them, gzipped once, with their ETag and Link headers (a page, which
names the serving host once, is kept with a marker in its place: see `MARKER`). The release is immutable, so the
file is opened read-only (``immutable=1``) by each process after the fork and never changes.

`DocumentStore` is WSGI middleware in front of the response cache: a ``GET``/``HEAD`` of
``/doc/{path}`` (negotiated) or ``/doc/{path}.ttl`` / ``.html`` without a query string, on the mount point the
documents were rendered for, is answered from the file with the very headers Flask would send
(content negotiation by the one negotiation function, ``Vary``, ``Content-Location``, ``Link``,
ETag and its ``-gz`` twin, ``If-None-Match``/``If-Modified-Since`` -> 304, gzip when accepted).
Anything else (another format, a page of incoming links, an unknown path, an untrusted hook)
goes on to Flask unchanged. An earlier release served under ``/release/{version}`` (``citykg.mount`` in the
environment, `citykg.server.releases`) has its Turtle answered from its own file, the links moved under the mount;
its pages (which say which release they show) are rendered by Flask. The file names the release and base it
was rendered for; another release or base leaves it unused.
"""

from __future__ import annotations

import gzip
import hashlib
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from citykg.server import conneg, formats
from citykg.server.cache import LRU, ResponseCache
from citykg.server.formats import Format
from citykg.server.http import CSP, accepts_gzip, not_modified
from werkzeug.wsgi import get_host

FILE = "documents.sqlite"
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE doc (path TEXT NOT NULL, ext TEXT NOT NULL, etag TEXT NOT NULL, link TEXT NOT NULL,
                  link_ext TEXT NOT NULL, size INTEGER NOT NULL, gz BLOB NOT NULL, hosted INTEGER NOT NULL,
                  PRIMARY KEY (path, ext));
"""
#: The formats kept pre-rendered (by extension).
KEPT = ("ttl", "html")
#: The host a page is rendered for (a page links to the host serving it in one place, its schema.org
#: ``url``): replaced by the request's ``scheme://host`` when served. Such a row is ``hosted``.
MARKER = "http://citykg-host.invalid"
_ACCEPT_MEMO_MAX = 256
#: What a 304 leaves out (as Werkzeug drops entity headers from it).
_NOT_IN_304 = ("Content-Type", "Content-Length", "Last-Modified")


def open_readonly(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    con.execute("PRAGMA query_only = 1")
    con.execute("PRAGMA mmap_size = 17179869184")  # read through the page cache: no read() per lookup
    return con


def read_meta(path: Path) -> dict[str, str]:
    con = open_readonly(path)
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()


class DocumentStore:
    """``app.wsgi_app = DocumentStore(app, app.wsgi_app, path, ...)``; see the module's text."""

    def __init__(self, app: Any, wsgi_app: Callable, path: Path, *, last_modified: str, max_age: int,
                 responses: ResponseCache | None = None, hosted_budget: int = 32 * 1024 * 1024) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.path = path
        self.last_modified = last_modified
        self.cache_control = f"public, max-age={max_age}"
        self.responses = responses  # its hook rule and gates (rate limits) hold here too
        self.formats: dict[str, Format] = {ext: f for ext in KEPT if (f := formats.by_extension(ext)) is not None}
        self.offers = formats.DOCUMENT
        self._local = threading.local()
        self._accept: dict[str | None, Format | None] = {}
        self._hosted: LRU[tuple[str, bytes]] = LRU(hosted_budget, hosted_budget // 8)
        self.hits = 0
        #: paths (after /doc/) left to Flask: the dataset's documents when a series adds to its description
        self.skip_prefixes: tuple[str, ...] = ()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:  # one connection per thread, opened after the fork
            con = self._local.con = open_readonly(self.path)
        return con

    def _negotiate(self, accept: str | None) -> Format | None:
        try:
            return self._accept[accept]
        except KeyError:
            fmt = conneg.negotiate(accept, self.offers)
            if len(self._accept) < _ACCEPT_MEMO_MAX:
                self._accept[accept] = fmt
            return fmt

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = self.answer(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def answer(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The response from the file, or None when Flask must answer."""
        g = environ.get
        method = g("REQUEST_METHOD")
        path = g("PATH_INFO", "")
        mount = g("SCRIPT_NAME", "")
        if (method not in ("GET", "HEAD") or not path.startswith("/doc/") or g("QUERY_STRING")
                or (mount and mount != g("citykg.mount"))):
            return None
        rest = path[5:]
        dot = rest.rfind(".")
        ext = rest[dot + 1:] if dot > rest.rfind("/") else ""
        if ext:
            fmt = self.formats.get(ext)
            if fmt is None:
                return None
            rest = rest[:dot]
        else:
            fmt = self._negotiate(g("HTTP_ACCEPT"))
            if fmt is None or fmt.extension not in self.formats:
                return None
        if mount and fmt is formats.HTML:
            return None  # a page under a release's mount links differently: Flask renders it
        if rest.startswith(self.skip_prefixes):
            return None
        row = self._con().execute("SELECT etag, link, link_ext, size, gz, hosted FROM doc WHERE path = ? AND ext = ?",
                                  (rest, fmt.extension)).fetchone()
        if row is None or (row[5] and self.app.config.get("TRUSTED_HOSTS")):
            return None
        rc = self.responses
        if rc is not None:
            if not rc.hooks_trusted():
                return None
            for gate in rc.gates:
                answer = gate(environ)
                if answer is not None:
                    return answer
        tag, link, link_ext, size, gz, hosted = row
        compress = size > 512 and accepts_gzip(g("HTTP_ACCEPT_ENCODING"))
        body = b""
        if hosted:  # the page names this host: the body, its tag (and gzip) are of this host
            here = f"{g('wsgi.url_scheme', 'http')}://{get_host(environ)}"
            kept = self._hosted.get((rest, fmt.extension, here, compress))
            if kept is None:
                body = zlib.decompress(gz, 31).replace(MARKER.encode(), here.encode())
                tag = hashlib.sha256(body).hexdigest()[:32]
                if compress:
                    body = gzip.compress(body, compresslevel=6, mtime=0)
                self._hosted.put((rest, fmt.extension, here, compress), (tag, body), len(body) + 200)
            else:
                tag, body = kept
        headers = [("Content-Type", fmt.content_type), ("Content-Length", "")]
        if mount:  # a release served under /release/{version} (citykg.server.releases): its own variants
            link, link_ext = link.replace("</doc/", f"<{mount}/doc/"), link_ext.replace("</doc/", f"<{mount}/doc/")
        if ext:
            headers += [("Link", link_ext), ("Vary", "Accept-Encoding")]
        else:
            headers += [("Link", link), ("Vary", "Accept, Accept-Encoding"),
                        ("Content-Location", f"{mount}/doc/{rest}.{fmt.extension}")]
        headers.append(("X-Content-Type-Options", "nosniff"))
        if fmt is formats.HTML:
            headers += [("Content-Security-Policy", CSP), ("Referrer-Policy", "strict-origin-when-cross-origin")]
        else:
            headers += [("Access-Control-Allow-Origin", "*"),
                        ("Access-Control-Expose-Headers", "ETag, Link, Content-Location, Content-Length, Vary")]
        headers += [("Cache-Control", self.cache_control), ("Last-Modified", self.last_modified),
                    ("ETag", f'"{tag}-gz"' if compress else f'"{tag}"')]
        self.hits += 1
        if not_modified(g("HTTP_IF_NONE_MATCH"), g("HTTP_IF_MODIFIED_SINCE"), {tag, tag + "-gz"},
                        self.last_modified):
            return "304 NOT MODIFIED", [h for h in headers if h[0] not in _NOT_IN_304], b""
        if compress:
            body = body or gz
            headers.append(("Content-Encoding", "gzip"))
        elif not hosted:
            body = zlib.decompress(gz, 31)
        headers[1] = ("Content-Length", str(len(body)))
        return "200 OK", headers, b"" if method == "HEAD" else body


def install(app: Any, path: Path, release_key: str, *, last_modified: str, max_age: int,
            log: Callable[[str], None] = lambda _m: None) -> DocumentStore | None:
    """Puts the document store in front of the app when `path` was rendered for this release and base."""
    if not path.is_file():
        return None
    try:
        meta = read_meta(path)
    except sqlite3.Error as exc:
        log(f"{path}: unreadable ({exc}); documents are rendered on request")
        return None
    if meta.get("release_key") != release_key:
        log(f"{path} was rendered for another release or base; documents are rendered on request")
        return None
    ds = DocumentStore(app, app.wsgi_app, path, last_modified=last_modified, max_age=max_age,
                       responses=app.extensions.get("citykg.responses"))
    app.wsgi_app = ds
    app.extensions["citykg.documents"] = ds
    return ds
