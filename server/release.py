"""Loading a release folder (docs/release.md) into a store.

`dataset.nq` is bulk-loaded into the in-memory pyoxigraph store, then the graph
`BASE/graph/metadata` is replaced by `catalog.ttl` so that SPARQL and /catalog
see the dump sizes and checksums.  Loading happens once, in the gunicorn master
before it forks (``preload_app``), so every worker shares the same pages.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from citykg.server.store import DiskStore, EmbeddedStore, Store, term_from_ox

from citykg.manifest import ManifestError, check_digests, check_sizes, read_manifest
from citykg.uris import UriPolicy

#: Above this many quads, `--store-mode auto` serves from the on-disk store (restart in
#: milliseconds instead of re-parsing the dump: about 3 s per million quads in memory).
DISK_THRESHOLD = 2_000_000


class ReleaseError(ManifestError):
    """The release folder is missing or incomplete (what the server raises; the manifest checks are
    citykg.manifest's, shared with `citykg validate`)."""


@dataclass
class Release:
    """A release folder and what the server needs from its manifest."""

    path: Path
    manifest: dict[str, Any]
    built_base: str  # the base the release was built with (manifest "base")
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path | str) -> Release:
        # absolute from here on: Flask resolves relative file paths against the package, not the cwd
        path = Path(path).expanduser().resolve()
        try:
            manifest = read_manifest(path, required=("files",))
        except ManifestError as exc:
            raise ReleaseError(str(exc)) from None
        if not (path / "dataset.nq").is_file():
            raise ReleaseError(f"{path}: no dataset.nq")
        files = {f["name"]: f for f in manifest["files"]}
        return cls(path, manifest, manifest.get("base") or "https://w3id.org/citykg", files)

    def verify(self, log: Any = lambda _msg: None) -> None:
        """Refuses a corrupt release: a missing or truncated file, or one whose SHA-256 differs.

        Sizes are checked at every start; the SHA-256 of every file once per release: the
        result is stamped (with each file's size and mtime) beside the release, so a restart
        of a large release does not re-read gigabytes.
        """
        try:
            stats = check_sizes(self.path, self.manifest)
        except ManifestError as exc:
            raise ReleaseError(str(exc)) from None
        stamp = self.path.parent / f".{self.path.name}.cache" / (self._digest() + ".verified")
        try:
            if json.loads(stamp.read_text()) == stats:
                return
        except (OSError, ValueError):
            pass
        log(f"verifying the SHA-256 of {len(stats)} files of {self.path} (once per release)")
        try:
            check_digests(self.path, self.manifest)
        except ManifestError as exc:
            raise ReleaseError(str(exc)) from None
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(json.dumps(stats))
        except OSError:
            pass  # a read-only location: verify again next time

    def _digest(self) -> str:
        return hashlib.sha256((self.path / "manifest.json").read_bytes()).hexdigest()[:20]

    @property
    def built(self) -> datetime:
        """Build time from the manifest (falls back to the manifest file's mtime)."""
        raw = self.manifest.get("built")
        if raw:
            try:
                return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                pass
        return datetime.fromtimestamp(os.stat(self.path / "manifest.json").st_mtime, UTC)

    @property
    def last_modified_http(self) -> str:
        return format_datetime(self.built.replace(microsecond=0), usegmt=True)

    @property
    def title(self) -> str:
        return self.manifest.get("title") or "citykg"

    @property
    def license(self) -> str | None:
        return self.manifest.get("license")

    def cache_dir(self, base: str | None = None) -> Path:
        """Where the on-disk store and derived data of this release (and base) are kept.

        Beside the release folder, keyed by the manifest's digest: a rebuilt release gets a
        new folder, so a stale store is never served.
        """
        digest = hashlib.sha256((self.path / "manifest.json").read_bytes())
        digest.update((base or self.built_base).encode())
        return self.path.parent / f".{self.path.name}.cache" / digest.hexdigest()[:20]

    def quads(self) -> int:
        return int(self.manifest.get("quads") or 0)

    def open_store(self, base: str | None = None, mode: str = "auto",
                   log: Any = lambda _msg: None) -> tuple[Store, Path | None]:
        """The store to serve, and the cache folder for derived data (None in memory mode).

        mode: "memory" (parse the dump into RAM: fastest queries, slow restart), "disk"
        (a RocksDB store built once beside the release, then opened read-only in each
        process: restart in milliseconds), or "auto" (disk above DISK_THRESHOLD quads).
        """
        if mode == "auto":
            mode = "disk" if self.quads() > DISK_THRESHOLD else "memory"
        if mode == "memory":
            return self.load_store(base), None
        if mode != "disk":
            raise ReleaseError(f"unknown store mode {mode!r} (memory, disk or auto)")
        folder = self.cache_dir(base)
        if not (folder / "READY").is_file():
            log(f"building the on-disk store of {self.path} in {folder} (once per release)")
            tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            try:
                store = ox.Store(str(tmp / "store"))
                self._fill(store, base)
                store.optimize()
                store.flush()
                del store
                (tmp / "READY").write_text(json.dumps({"quads": self.quads()}) + "\n")
                try:
                    os.rename(tmp, folder)
                except OSError:  # another process built it first
                    shutil.rmtree(tmp, ignore_errors=True)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        return DiskStore(folder / "store"), folder

    def _fill(self, store: ox.Store, base: str | None) -> None:
        policy = UriPolicy(self.built_base)
        target = UriPolicy(base or self.built_base)
        metadata = ox.NamedNode(str(policy.graph("metadata")))
        catalog = self.path / "catalog.ttl"
        if target.base == policy.base:
            store.bulk_load(path=str(self.path / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
            if catalog.is_file():
                store.clear_graph(metadata)
                store.bulk_load(path=str(catalog), format=ox.RdfFormat.TURTLE, to_graph=metadata)
            return
        rewrite = _Rewriter(policy.base + "/", target.base + "/")
        store.bulk_extend(
            rewrite.quad(q) for q in ox.parse(path=str(self.path / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
            if not (catalog.is_file() and q.graph_name == metadata)
        )
        if catalog.is_file():
            store.bulk_extend(rewrite.quad(ox.Quad(q.subject, q.predicate, q.object, metadata))
                              for q in ox.parse(path=str(catalog), format=ox.RdfFormat.TURTLE))

    def load_store(self, base: str | None = None) -> Store:
        """Loads the release into a new in-memory store.

        When `base` differs from the base the release was built with, every IRI
        under the built base is rewritten to `base` while loading (one setting
        moves the whole dataset; the dump files themselves are served as built).
        """
        policy = UriPolicy(self.built_base)
        target = UriPolicy(base or self.built_base)
        metadata = ox.NamedNode(str(policy.graph("metadata")))
        catalog = self.path / "catalog.ttl"
        if target.base == policy.base:
            store = EmbeddedStore.from_files([self.path / "dataset.nq"])
            if catalog.is_file():
                store.ox.clear_graph(metadata)
                store.ox.bulk_load(path=str(catalog), format=ox.RdfFormat.TURTLE, to_graph=metadata)
            return store
        store = EmbeddedStore()
        rewrite = _Rewriter(policy.base + "/", target.base + "/")
        quads = [
            rewrite.quad(q)
            for q in ox.parse(path=str(self.path / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
            if not (catalog.is_file() and q.graph_name == metadata)
        ]
        if catalog.is_file():
            for q in ox.parse(path=str(catalog), format=ox.RdfFormat.TURTLE):
                quads.append(rewrite.quad(ox.Quad(q.subject, q.predicate, q.object, metadata)))
        store.ox.extend(quads)
        store.ox.optimize()
        return store


class _Rewriter:
    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def term(self, t: Any) -> Any:
        if isinstance(t, ox.NamedNode) and t.value.startswith(self.old):
            return ox.NamedNode(self.new + t.value[len(self.old) :])
        if isinstance(t, ox.Literal) and t.datatype.value.startswith(self.old):
            return ox.Literal(t.value, datatype=self.term(t.datatype))
        return t

    def quad(self, q: ox.Quad) -> ox.Quad:
        g = q.graph_name
        return ox.Quad(
            self.term(q.subject),
            self.term(q.predicate),
            self.term(q.object),
            g if isinstance(g, ox.DefaultGraph) else self.term(g),
        )


def replace_graph(store: Store, graph: str, ntriples: bytes, built_base: str, base: str,
                  new_subjects: tuple[str, ...] = ()) -> bool:
    """Replaces a named graph of an in-memory store with these N-Triples (IRIs moved to `base`), keeping only
    the triples about the graph's subjects and about subjects under one of `new_subjects` (prefixes): what
    the graph did not describe stays undescribed. False when the store cannot be changed (on disk, opened
    read-only, or remote)."""
    if not isinstance(store, EmbeddedStore) or isinstance(store, DiskStore):
        return False
    rewrite = _Rewriter(built_base.rstrip("/") + "/", base.rstrip("/") + "/")
    name = ox.NamedNode(graph)
    known = {q.subject for q in store.ox.quads_for_pattern(None, None, None, name)}
    moved = (rewrite.quad(ox.Quad(t.subject, t.predicate, t.object, name))
             for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    quads = [q for q in moved if q.subject in known
             or (isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(new_subjects))]
    store.ox.clear_graph(name)
    store.ox.extend(quads)
    return True


def read_triples(path: Path, built_base: str, base: str) -> list:
    """The triples of a Turtle file of the release as `Term` tuples, IRIs moved to `base`."""
    return _triples(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), built_base, base)


def parse_triples(ntriples: bytes, built_base: str, base: str) -> list:
    """N-Triples as `Term` tuples, IRIs moved to `base`."""
    return _triples(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), built_base, base)


def _triples(quads: Any, built_base: str, base: str) -> list:
    rewrite = _Rewriter(built_base.rstrip("/") + "/", base.rstrip("/") + "/")
    out = []
    for q in quads:
        s, p, o = rewrite.term(q.subject), rewrite.term(q.predicate), rewrite.term(q.object)
        out.append((term_from_ox(s), term_from_ox(p), term_from_ox(o)))
    return out
