"""Pre-rendering the documents of a release into its ``documents.sqlite`` (`citykg.server.docstore`).

Every resource ``BASE/id/…`` is asked of the app itself (Flask's test client, document store off),
so the file holds exactly what the routes answer; the work is shared by `processes` forked
workers over the loaded store. Written to a temporary file and renamed: a half-written file is
never served.
"""

from __future__ import annotations

import gzip
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from citykg.server import docstore, formats
from citykg.server.app import create_app, release_key

_APP: Any = None  # the app of the forked workers
Row = tuple[str, str, str, str, str, int, bytes, int]


def resources(app: Any) -> list[str]:
    """Local paths (``city/nanchang``) of every resource with a document under /doc/."""
    kg = app.extensions["citykg"]
    prefix = f"{kg.policy.base}/id/"
    rows = kg.store.select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}") '
                           f'&& !CONTAINS(STR(?s), "#")) }}')
    return sorted(r["s"].value[len(prefix):] for r in rows)


def render(app: Any, paths: list[str]) -> list[Row]:
    """(path, ext, etag, Link, Link of the .ext variant, size, gzipped body, hosted) of each document."""
    client = app.test_client()
    out: list[Row] = []
    for path in paths:
        for ext in docstore.KEPT:
            fmt = formats.by_extension(ext)
            assert fmt is not None
            r = client.get(f"/doc/{path}", headers={"Accept": fmt.media_type}, base_url=docstore.MARKER)
            if r.status_code != 200:
                continue
            body = r.get_data()
            tag = (r.headers.get("ETag") or "").strip('"')
            link = r.headers.get("Link", "")
            local = f"/doc/{path}"
            link_ext = link.replace(f'<{local}?page=2>; rel="next"', f'<{local}.{ext}?page=2>; rel="next"')
            hosted = docstore.MARKER.encode() in body
            out.append((path, ext, "" if hosted else tag, link, link_ext, len(body),
                        gzip.compress(body, compresslevel=6, mtime=0), int(hosted)))
    return out


def _work(paths: list[str]) -> list[Row]:
    return render(_APP, paths)


def _chunks(paths: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(paths), size):
        yield paths[i:i + size]


def prerender(release: Path, *, processes: int | None = None, store_mode: str = "auto",
              log: Callable[[str], None] = lambda _m: None) -> dict[str, float]:
    """Writes ``release/documents.sqlite``; returns counts and seconds."""
    global _APP
    start = time.perf_counter()
    app = create_app(release, config={"TESTING": True, "DOC_CACHE_MB": 0, "DOC_STORE": False,
                                      "VERIFY_RELEASE": False}, store_mode=store_mode)
    kg = app.extensions["citykg"]
    paths = resources(app)
    loaded = time.perf_counter()
    target = release / docstore.FILE
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    count = 0
    try:
        con.executescript(docstore.SCHEMA)
        con.executemany("INSERT INTO meta VALUES (?, ?)",
                        [("release_key", release_key(kg.release, kg.policy.base)), ("base", kg.policy.base),
                         ("formats", ",".join(docstore.KEPT))])
        n = processes or min(4, os.cpu_count() or 1)
        chunks = _chunks(paths, 200)
        if n > 1 and len(paths) > 400 and "fork" in multiprocessing.get_all_start_methods():
            _APP = app
            with multiprocessing.get_context("fork").Pool(n) as pool:
                for rows in pool.imap_unordered(_work, chunks):
                    con.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                    count += len(rows)
            _APP = None
        else:
            for chunk in chunks:
                rows = render(app, chunk)
                con.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                count += len(rows)
        con.commit()
        con.close()
        os.replace(tmp, target)
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    seconds = time.perf_counter() - start
    log(f"pre-rendered {count:,} documents of {len(paths):,} resources into {target} in {seconds:.1f} s")
    return {"documents": count, "resources": len(paths), "seconds": seconds, "load_seconds": loaded - start,
            "bytes": target.stat().st_size}
