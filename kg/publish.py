"""The build: profiles -> records -> RDF -> SHACL gate -> a release folder written atomically.

The release layout is described in docs/release.md.  Everything is written into
a temporary sibling folder first; only a validated, complete release replaces the
previous one, so a failed (or killed) build leaves the old release untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from citykg import __version__
from citykg.uris import UriPolicy, slugify

from .extract import ExtractError, extract
from .map import map_record
from .metadata import FileInfo, ReleaseSettings, build_metadata, void_only
from .record import Record
from .sidecar import load_sidecar, sidecar_path
from .tables import read_tables
from .validate import ValidationError, ValidationReport, load_ontology, load_shapes, validate_graph


class BuildError(RuntimeError):
    """The build cannot go on; the message says which file and what is wrong."""


DUMPS: list[tuple[str, str, ox.RdfFormat | None]] = [
    ("dataset.nq", "application/n-quads", None),
    ("dataset.ttl", "text/turtle", ox.RdfFormat.TURTLE),
    ("dataset.nt.gz", "application/n-triples", None),
    ("dataset.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("dataset.rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
]


@dataclass
class BuildResult:
    out: Path
    manifest: dict
    report: ValidationReport
    profiles: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _nquads(dataset: Dataset) -> list[str]:
    """Sorted N-Quads lines of the dataset's named graphs."""
    text = dataset.serialize(format="nquads")
    return sorted({line for line in text.splitlines() if line.strip()})


def _to_oxigraph(lines: list[str]) -> list[ox.Quad]:
    return list(ox.parse("\n".join(lines) + "\n", format=ox.RdfFormat.N_QUADS))


def _union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    seen = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(seen, key=str)


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Atomically puts `tmp` at `out` (Linux renameat2 RENAME_EXCHANGE when `out` exists)."""
    if not out.exists():
        os.rename(tmp, out)
        return
    libc_name = ctypes.util.find_library("c")
    exchanged = False
    if libc_name:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is not None:
            at_fdcwd, rename_exchange = -100, 2
            exchanged = renameat2(at_fdcwd, bytes(tmp), at_fdcwd, bytes(out), rename_exchange) == 0
    if exchanged:
        shutil.rmtree(tmp)  # tmp now holds the previous release
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old)


def read_profiles(seeds: Path) -> list[Path]:
    folder = seeds / "profiles"
    if not folder.is_dir():
        raise BuildError(f"{folder}: no such folder (profiles are read from SEEDS/profiles/*.txt)")
    profiles = sorted(folder.glob("*.txt"))
    if not profiles:
        raise BuildError(f"{folder}: no profiles (*.txt) to build")
    return profiles


def build_release(
    seeds: Path,
    out: Path,
    base: str | None = None,
    settings: ReleaseSettings | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> BuildResult:
    policy = UriPolicy(base) if base else UriPolicy()
    settings = settings or ReleaseSettings()
    profiles = read_profiles(seeds)

    ontology = load_ontology(policy)
    shapes = load_shapes(policy)
    log(f"ontology: {len(ontology)} triples; shapes: {len(shapes)} triples")

    dataset = Dataset()
    for prefix, ns in policy.prefixes().items():
        dataset.bind(prefix, ns)
    graph_ontology = dataset.graph(policy.graph("ontology"))
    for t in ontology:
        graph_ontology.add(t)

    sources = []
    reports: dict[str, dict] = {}
    cities: set[str] = set()
    for path in profiles:
        try:
            record = extract(path)
            sidecar = load_sidecar(path)
            profile_graph = map_record(policy, record, sidecar, ontology, settings.license)
        except ExtractError as exc:
            raise BuildError(str(exc)) from exc
        city = slugify(record.city.name)
        if city in cities:
            raise BuildError(f"{path}: a second profile of {record.city.name!r} (city slug {city!r})")
        cities.add(city)
        g = dataset.graph(policy.graph(f"profile/{city}"))
        for t in profile_graph:
            g.add(t)
        entry = {"path": str(path.relative_to(seeds)), "sha256": sha256_file(path), "city": city,
                 "graph": str(policy.graph(f"profile/{city}"))}
        side = sidecar_path(path)
        if side is not None:
            entry["sidecar"] = str(side.relative_to(seeds))
            entry["sidecar_sha256"] = sha256_file(side)
        sources.append(entry)
        reports[city] = extraction_report(record, entry["path"])
        mapped, total, unmapped = record.coverage()
        log(f"{path.name}: {record.city.name}, {len(record.figures)} figures, {len(profile_graph)} triples; "
            f"coverage {mapped}/{total} sentences mapped, {unmapped} figure(s) unmapped (see reports/{city}.json)")

    for table in read_tables(seeds, policy, cities, ontology, settings.license):
        g = dataset.graph(policy.graph(f"table/{slugify(table.path.stem)}"))
        for t in table.graph:
            g.add(t)
        sources.append({"path": str(table.path.relative_to(seeds)), "sha256": table.sha256,
                        "graph": str(g.identifier), "metadata": str(table.metadata.relative_to(seeds)),
                        "metadata_sha256": sha256_file(table.metadata)})
        log(f"{table.path.name}: {table.rows} observations")

    union = Graph()
    for g in dataset.graphs():
        for t in g:
            union.add(t)
    report = validate_graph(union, shapes)
    if not report.conforms:
        raise ValidationError(f"the release does not conform to the shapes\n{report.text()}", report)
    log(f"SHACL: conforms ({len(union)} triples checked)")

    metadata_plain = build_metadata(policy, settings, dataset)
    graph_meta = dataset.graph(policy.graph("metadata"))
    for t in metadata_plain:
        graph_meta.add(t)

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        manifest = _write_release(tmp, policy, settings, dataset, report, sources, reports)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(out, manifest, report, [s["city"] for s in sources if "city" in s])


def extraction_report(record: Record, path: str) -> dict:
    """What the extractor made of each sentence of a profile: facts, or figures it could not map."""
    mapped, total, unmapped = record.coverage()
    return {
        "source": path,
        "city": record.city.name,
        "coverage": {"mapped": mapped, "sentences": total, "unmapped_figures": unmapped},
        "sentences": [{"text": r.sentence, "facts": r.facts, "unmapped": r.unmapped} for r in record.report],
    }


def _write_release(tmp: Path, policy: UriPolicy, settings: ReleaseSettings, dataset: Dataset,
                   report: ValidationReport, sources: list[dict], reports: dict[str, dict]) -> dict:
    lines = _nquads(dataset)
    quads = _to_oxigraph(lines)
    triples = _union_triples(quads)
    prefixes = policy.prefixes()
    counts: dict[str, int] = {}

    (tmp / "dataset.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts["dataset.nq"] = len(lines)
    nt = sorted({str(t) + " .\n" for t in triples})
    with (tmp / "dataset.nt.gz").open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0
    ) as gz:
        gz.write("".join(nt).encode("utf-8"))
    counts["dataset.nt.gz"] = len(nt)
    for name, _media, fmt in DUMPS:
        if fmt is None:
            continue
        kwargs = {"prefixes": prefixes} if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
        ox.serialize(triples, str(tmp / name), format=fmt, **kwargs)
        counts[name] = len(triples)

    files = [
        FileInfo(name, (tmp / name).stat().st_size, sha256_file(tmp / name), media, counts[name])
        for name, media, _fmt in DUMPS
    ]
    # The catalogue describes the dumps, so it cannot be inside them: it is written beside them.
    data_only = Dataset()
    for g in dataset.graphs():
        if g.identifier != policy.graph("metadata"):
            target = data_only.graph(g.identifier)
            for t in g:
                target.add(t)
    catalog = build_metadata(policy, settings, data_only, files)
    for prefix, ns in prefixes.items():
        catalog.bind(prefix, ns)
    _write_graph(catalog, tmp / "catalog.ttl", prefixes)
    _write_graph(void_only(catalog, policy), tmp / "void.ttl", prefixes)
    for prefix, ns in prefixes.items():
        report.graph.bind(prefix, ns)
    _write_graph(report.graph, tmp / "shacl-report.ttl", prefixes, allow_bnodes=True)

    (tmp / "reports").mkdir()
    report_files = []
    for city, data in sorted(reports.items()):
        name = f"reports/{city}.json"
        (tmp / name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        report_files.append({"name": name, "size": (tmp / name).stat().st_size, "sha256": sha256_file(tmp / name),
                             "triples": 0, "media_type": "application/json"})

    graph_counts = {}
    for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if isinstance(g.identifier, URIRef) and len(g):
            graph_counts[str(g.identifier)] = len(g)
    manifest = {
        "software": {"name": "citykg", "version": __version__},
        "base": policy.base,
        "built": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "license": settings.license,
        "title": settings.title,
        "conforms": report.conforms,
        "triples": len(triples),
        "quads": len(lines),
        "graphs": graph_counts,
        "sources": sources,
        "files": [
            {"name": f.name, "size": f.size, "sha256": f.sha256, "triples": f.triples, "media_type": f.media_type}
            for f in files
        ]
        + [
            {"name": n, "size": (tmp / n).stat().st_size, "sha256": sha256_file(tmp / n),
             "triples": _count_turtle(tmp / n), "media_type": "text/turtle"}
            for n in ("catalog.ttl", "void.ttl", "shacl-report.ttl")
        ]
        + report_files,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _write_graph(graph: Graph, path: Path, prefixes: dict[str, str], allow_bnodes: bool = False) -> None:
    if allow_bnodes:
        graph.serialize(path, format="turtle")
        return
    nt = graph.serialize(format="nt")
    triples = sorted(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), key=str)
    ox.serialize(triples, str(path), format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _count_turtle(path: Path) -> int:
    return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
