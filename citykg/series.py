"""A releases folder (docs/release.md, "The releases folder"): every kept release, and `latest`.

Shared by the build (`citykg build --releases`, `citykg prune`, `citykg diff`) and the server (the
series catalogue, `/release/{version}/…`); it imports neither of them (pyproject.toml
[tool.importlinter]).

    DIR/
      2026-12-01/        a release folder, exactly as `citykg build --out` writes one
      2026-12-02/
      2026-12-02.2/
      latest -> 2026-12-02.2   a relative symlink, replaced atomically by each build

    series = Series.open(DIR)        # SeriesError: not a releases folder
    series.releases                  # oldest -> newest by build time
    series.latest                    # the release `latest` points to (None in an empty folder)
    prune(DIR, keep=3)               # the oldest releases beyond 3 deleted, never latest's target
    catalog_graph(DIR)               # the DCAT-AP 3 catalogue of the series (what /catalog serves)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from citykg.manifest import MANIFEST, ManifestError, read_manifest
from citykg.uris import ADMS, DCATAP, LATEST, SD, SPDX, UriPolicy, is_version

#: DCAT 3 (rdflib's DCAT namespace object lacks the DCAT 3 terms: DatasetSeries, inSeries, version, ...)
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")

__all__ = ["LATEST", "Release", "Series", "SeriesError", "catalog_graph", "next_version", "point_latest", "prune",
           "remove_stale", "is_version"]


class SeriesError(RuntimeError):
    """The folder is not a releases folder, or an operation on it is refused; the message says why."""


#: temporary names in a releases folder: `.V.tmp-PID` (a build), `.V.prune-PID` (a prune),
#: `.latest.tmp-PID` (a new symlink), `.V.tmp-PID.cache` (a store the pre-rendering built)
_STALE = re.compile(r"^\.(?P<name>.+)\.(?:tmp|prune)-(?P<pid>\d+)(?:\.cache)?$")


@dataclass(frozen=True)
class Release:
    """One kept release of a releases folder."""

    version: str
    path: Path
    built: datetime
    previous_version: str | None
    notes: str | None
    manifest: dict[str, Any] = field(repr=False, compare=False)

    @property
    def base(self) -> str:
        return str(self.manifest.get("base") or "")


def _built(manifest: dict[str, Any], path: Path) -> datetime:
    raw = manifest.get("built")
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.fromtimestamp((path / MANIFEST).stat().st_mtime, UTC)


def _order(releases: list[Release]) -> list[Release]:
    """Oldest -> newest by build time; releases built in the same second by their chain of
    previous versions, then by name."""
    by_version = {r.version: r for r in releases}

    def depth(r: Release) -> int:
        seen, n = {r.version}, 0
        while r.previous_version in by_version and r.previous_version not in seen:
            r = by_version[r.previous_version]
            seen.add(r.version)
            n += 1
        return n

    return sorted(releases, key=lambda r: (r.built, depth(r), r.version))


@dataclass(frozen=True)
class Series:
    """The releases of a releases folder, oldest -> newest, and the one `latest` points to."""

    root: Path
    releases: list[Release]
    latest: Release | None

    @classmethod
    def open(cls, folder: Path | str, *, create: bool = False) -> Series:
        """The releases folder `folder` (resolved: relative paths work from any directory).

        `create`: a missing folder is created empty (the first `citykg build --releases`)."""
        root = Path(folder).expanduser().resolve()
        if not root.exists() and create:
            root.mkdir(parents=True)
        if not root.is_dir():
            raise SeriesError(f"{folder}: no such folder (a releases folder is written by "
                              f"`citykg build --releases {folder}`)")
        if (root / MANIFEST).is_file():
            raise SeriesError(f"{folder}: a single release folder (it has a {MANIFEST}), not a releases folder: "
                              "use --release for it, or --releases for the folder holding VERSION/ and latest")
        releases: list[Release] = []
        others: list[str] = []
        for entry in sorted(root.iterdir()):
            if entry.name.startswith(".") or entry.name == LATEST:
                continue
            if not entry.is_dir() or entry.is_symlink() or not is_version(entry.name):
                others.append(entry.name)
                continue
            try:
                manifest = read_manifest(entry)
            except ManifestError:
                others.append(entry.name)
                continue
            previous = manifest.get("previous_version")
            notes = manifest.get("version_notes")
            releases.append(Release(entry.name, entry, _built(manifest, entry),
                                    previous if isinstance(previous, str) else None,
                                    notes if isinstance(notes, str) else None, manifest))
        link = root / LATEST
        latest: Release | None = None
        if link.is_symlink() or link.exists():
            if not link.is_symlink():
                raise SeriesError(f"{link}: not a symlink (a releases folder's latest points to one VERSION/)")
            target = os.readlink(link)
            latest = next((r for r in releases if r.version == Path(target).name), None)
            if latest is None or Path(target).name != target.rstrip("/"):
                raise SeriesError(f"{link} -> {target}: not a release of this folder")
        elif others:
            raise SeriesError(f"{folder}: not a releases folder (no {LATEST} symlink, and {', '.join(others[:3])} "
                              "are not release folders)")
        elif releases:
            names = ", ".join(r.version for r in releases)
            raise SeriesError(f"{folder}: no {LATEST} symlink beside the releases {names}")
        return cls(root, _order(releases), latest)

    @property
    def versions(self) -> list[str]:
        return [r.version for r in self.releases]

    def get(self, version: str) -> Release:
        for r in self.releases:
            if r.version == version:
                return r
        known = ", ".join(self.versions) or "none"
        raise SeriesError(f"{self.root}: no release {version!r} (kept: {known})")


def next_version(folder: Path, today: str | None = None) -> str:
    """The default version of a new release: the UTC date ``YYYY-MM-DD``, then ``YYYY-MM-DD.2``, ``.3``, …"""
    day = today or datetime.now(UTC).strftime("%Y-%m-%d")
    if not (folder / day).exists():
        return day
    n = 2
    while (folder / f"{day}.{n}").exists():
        n += 1
    return f"{day}.{n}"


def point_latest(folder: Path, version: str) -> None:
    """Makes ``folder/latest`` a relative symlink to `version`, atomically (a new symlink under a
    temporary name, then renamed over the old one)."""
    if not (folder / version / MANIFEST).is_file():
        raise SeriesError(f"{folder / version}: not a release to point {LATEST} at")
    tmp = folder / f".{LATEST}.tmp-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(version, tmp)
    os.replace(tmp, folder / LATEST)


def _alive(pid: int) -> bool:
    return pid == os.getpid() or Path(f"/proc/{pid}").exists()


def remove_stale(folder: Path) -> list[str]:
    """Removes what killed builds and prunes left in `folder` (their process is gone); returns the names."""
    removed = []
    for entry in sorted(folder.iterdir()):
        m = _STALE.match(entry.name)
        if m is None or _alive(int(m["pid"])):
            continue
        if entry.is_symlink() or entry.is_file():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    return removed


def prune(folder: Path | str, keep: int) -> list[str]:
    """Deletes the oldest releases beyond the `keep` newest (never the one `latest` points to);
    returns the versions deleted, oldest first.  Each is first renamed to a hidden temporary name,
    then removed, so no half-deleted release is ever visible; leftovers of killed builds and prunes
    are cleaned up too."""
    if keep < 1:
        raise SeriesError(f"--keep {keep}: keep at least 1 release (the latest)")
    series = Series.open(folder)
    remove_stale(series.root)
    kept = {r.version for r in series.releases[-keep:]}
    if series.latest is not None:
        kept.add(series.latest.version)
    removed = []
    for r in series.releases:
        if r.version in kept:
            continue
        tmp = series.root / f".{r.version}.prune-{os.getpid()}"
        os.rename(r.path, tmp)
        shutil.rmtree(tmp)
        # the server's derived data of that release (on-disk store), if any
        shutil.rmtree(series.root / f".{r.version}.cache", ignore_errors=True)
        removed.append(r.version)
    return removed


# -- the series catalogue (DCAT-AP 3) ---------------------------------------------------------------

#: what a versioned dataset repeats of the dataset's description in its release's catalog.ttl
_COPIED = (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.license, DCTERMS.accessRights,
           DCTERMS.accrualPeriodicity, DCTERMS.language, DCAT.theme, DCAT.landingPage, DCTERMS.conformsTo,
           DCAT.keyword, DCTERMS.spatial, DCAT.contactPoint)
#: what a versioned distribution repeats of the distribution it is in its release's catalog.ttl
_DIST_COPIED = (RDF.type, DCTERMS.title, DCTERMS.description, DCATAP.availability, DCAT.mediaType, DCTERMS.format,
                DCTERMS.license, DCTERMS.conformsTo, DCAT.compressFormat)


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _when(r: Release) -> Literal:
    return Literal(r.built.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)


def _file_entries(r: Release) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in r.manifest.get("files", []) if isinstance(e, dict) and "name" in e}


def _release_catalog(r: Release) -> rdflib.Graph:
    g = rdflib.Graph()
    path = r.path / "catalog.ttl"
    if path.is_file():
        g.parse(path, format="turtle")
    return g


def _describe_release(m: rdflib.Graph, policy: UriPolicy, r: Release, kept: set[str]) -> URIRef:
    """The versioned dataset of release `r`: its description, version, place in the series and its
    downloads at ``BASE/release/V/download/{file}`` with the sizes and checksums of its manifest."""
    own = _release_catalog(r)
    dataset = policy.dataset
    node = policy.release_dataset(r.version)
    m.add((node, RDF.type, DCAT.Dataset))
    m.add((node, DCTERMS.identifier, Literal(str(node))))
    for p in _COPIED:
        for o in own.objects(dataset, p):
            if p == DCTERMS.title and isinstance(o, Literal):
                o = Literal(f"{o} (release {r.version})", lang=o.language)
            m.add((node, p, o))
            for t in own.objects(o, RDF.type):  # publisher, licence, spatial, ... keep their types
                m.add((o, RDF.type, t))
    if (node, DCTERMS.title, None) not in m:
        m.add((node, DCTERMS.title, _en(f"{r.manifest.get('title') or 'citykg'} (release {r.version})")))
    if (node, DCTERMS.description, None) not in m:
        m.add((node, DCTERMS.description, _en(f"Release {r.version} of the dataset.")))
    m.add((node, DCAT.version, Literal(r.version)))
    m.add((node, DCTERMS.issued, _when(r)))
    m.add((node, DCAT.inSeries, policy.series))
    if r.previous_version and r.previous_version in kept:
        m.add((node, DCAT.previousVersion, policy.release_dataset(r.previous_version)))
    if r.notes:
        m.add((node, ADMS.versionNotes, _en(r.notes)))
    files = _file_entries(r)
    if "changes.json" in files:
        page = policy.changes(r.version)
        m.add((node, FOAF.page, page))
        m.add((page, RDF.type, FOAF.Document))
        m.add((page, DCTERMS.title, _en(f"What changed in release {r.version}")))

    any_checksum = False
    for dist in sorted(own.objects(dataset, DCAT.distribution)):
        url = own.value(dist, DCAT.downloadURL)
        if not isinstance(url, URIRef) or not str(url).startswith(f"{policy.base}/download/"):
            continue
        name = str(url)[len(f"{policy.base}/download/"):]
        entry = files.get(name)
        if entry is None:
            continue
        slug = str(dist).rsplit("/", 1)[-1]
        vdist = URIRef(f"{node}/distribution/{slug}")
        vurl = policy.release_download(r.version, name)
        m.add((node, DCAT.distribution, vdist))
        for p in _DIST_COPIED:
            for o in own.objects(dist, p):
                m.add((vdist, p, o))
                for t in own.objects(o, RDF.type):
                    m.add((o, RDF.type, t))
                for scheme in own.objects(o, SKOS.inScheme):
                    m.add((o, SKOS.inScheme, scheme))
        m.add((vdist, RDF.type, DCAT.Distribution))
        m.add((vdist, DCAT.downloadURL, vurl))
        m.add((vdist, DCAT.accessURL, vurl))
        m.add((vdist, DCTERMS.issued, _when(r)))
        m.add((vdist, DCAT.byteSize, Literal(int(entry["size"]), datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{vurl}#sha256")
        m.add((vdist, SPDX.checksum, checksum))
        m.add((checksum, RDF.type, SPDX.Checksum))
        m.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        m.add((checksum, SPDX.checksumValue, Literal(str(entry["sha256"]).lower(), datatype=XSD.hexBinary)))
        any_checksum = True
    if any_checksum:
        m.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))

    # its SPARQL endpoint (the server's /release/V/sparql)
    service = policy.release(r.version, "sparql")
    sdist = URIRef(f"{node}/distribution/sparql")
    licence = own.value(dataset, DCTERMS.license)
    publisher = own.value(dataset, DCTERMS.publisher)
    m.add((node, DCAT.distribution, sdist))
    m.add((sdist, RDF.type, DCAT.Distribution))
    m.add((sdist, DCTERMS.title, _en(f"Release {r.version} (SPARQL 1.1 endpoint)")))
    m.add((sdist, DCAT.accessURL, service))
    m.add((sdist, DCAT.accessService, service))
    sparql_format = URIRef("http://publications.europa.eu/resource/authority/file-type/SPARQLQ")
    m.add((sdist, DCTERMS.format, sparql_format))
    m.add((sparql_format, RDF.type, DCTERMS.MediaTypeOrExtent))
    m.add((sparql_format, SKOS.inScheme, URIRef("http://publications.europa.eu/resource/authority/file-type")))
    m.add((service, RDF.type, DCAT.DataService))
    m.add((service, RDF.type, SD.Service))
    m.add((service, DCTERMS.title, _en(f"Release {r.version}: SPARQL 1.1 endpoint")))
    m.add((service, DCAT.endpointURL, service))
    m.add((service, SD.endpoint, service))
    m.add((service, DCAT.servesDataset, node))
    protocol = URIRef("http://www.w3.org/TR/sparql11-protocol/")
    m.add((service, DCTERMS.conformsTo, protocol))
    m.add((protocol, RDF.type, DCTERMS.Standard))
    if isinstance(licence, URIRef):
        m.add((sdist, DCTERMS.license, licence))
        m.add((service, DCTERMS.license, licence))
    if isinstance(publisher, URIRef):
        m.add((service, DCTERMS.publisher, publisher))
    return node


def catalog_graph(folder: Path | str) -> rdflib.Graph:
    """The DCAT-AP 3 catalogue of a releases folder: the latest release's ``catalog.ttl`` (whose
    dataset ``BASE/id/dataset/citykg`` is the latest release, downloads at ``BASE/download/…``), plus

    - the `dcat:DatasetSeries` ``BASE/id/dataset/citykg/series`` of every kept release;
    - one versioned `dcat:Dataset` ``BASE/id/dataset/citykg/release/V`` per kept release
      (`dcat:inSeries`, `dcat:version`, `dcat:previousVersion`, `dct:issued`, `adms:versionNotes`,
      its distributions at ``BASE/release/V/download/{file}`` with the sizes and checksums of
      that release's manifest, its SPARQL endpoint ``BASE/release/V/sparql``);
    - ``BASE/id/dataset/citykg`` `dcat:hasVersion` each of them and `dcat:hasCurrentVersion` the latest.
    """
    series = Series.open(folder)
    if series.latest is None:
        raise SeriesError(f"{folder}: no release yet (build one with `citykg build --releases {folder}`)")
    latest = series.latest
    policy = UriPolicy(latest.base) if latest.base else UriPolicy()
    m = _release_catalog(latest)
    for prefix, ns in policy.prefixes().items():
        m.bind(prefix, ns, override=True)
    m.bind("adms", str(ADMS))
    m.bind("dcatap", str(DCATAP))
    kept = set(series.versions)
    catalog, dataset, node = policy.catalog, policy.dataset, policy.series

    title = m.value(dataset, DCTERMS.title)
    m.add((node, RDF.type, DCAT.DatasetSeries))
    m.add((node, RDF.type, DCAT.Dataset))  # a dcat:DatasetSeries is a dcat:Dataset (DCAT 3)
    m.add((node, DCTERMS.identifier, Literal(str(node))))
    m.add((node, DCTERMS.title, _en(f"{title or latest.manifest.get('title') or 'citykg'}: every release")))
    m.add((node, DCTERMS.description, _en(
        "Every kept release of the dataset, oldest to newest: profiles corrected and cities added over time. "
        "Each release keeps its downloads, its SPARQL endpoint and the changes it brings against the previous "
        "one.")))
    for p in (DCTERMS.publisher, DCTERMS.license, DCTERMS.accrualPeriodicity, DCTERMS.language, DCAT.theme,
              DCAT.contactPoint):
        for o in m.objects(dataset, p):
            m.add((node, p, o))
    first, last = series.releases[0], series.releases[-1]
    m.add((node, DCTERMS.issued, _when(first)))
    m.add((node, DCTERMS.modified, _when(last)))
    m.add((catalog, DCAT.dataset, node))
    members = []
    for r in series.releases:
        member = _describe_release(m, policy, r, kept)
        members.append(member)
        m.add((catalog, DCAT.dataset, member))
        m.add((dataset, DCAT.hasVersion, member))
    m.add((node, DCAT.first, members[0]))
    m.add((node, DCAT.last, members[-1]))
    m.add((dataset, DCAT.hasCurrentVersion, policy.release_dataset(latest.version)))
    m.add((dataset, RDFS.seeAlso, node))
    return m


def versions_of(series: Series, names: Iterable[str]) -> list[Release]:
    """The releases of `names` (versions) in `series`, in the order given."""
    return [series.get(n) for n in names]
