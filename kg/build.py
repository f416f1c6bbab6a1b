"""The build (`citykg build`): profiles (+ tables, + included RDF) -> RDF -> SHACL gate -> a release folder, atomically.

The release layout is described in docs/release.md.  Bulk work goes through
pyoxigraph: the release is assembled in an in-memory store, included files are
parsed by its parsers, the dumps are written by its serializers.  Everything is
written into a temporary sibling folder first; only a validated, complete release
replaces the previous one, so a failed (or killed) build leaves it untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gzip
import hashlib
import heapq
import json
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from citykg import __version__
from citykg.manifest import sha256_file
from citykg.uris import UriPolicy, slugify

from .curation import ReviewCounts, apply_decisions
from .extract import ExtractError, extract
from .map import map_record
from .metadata import FileInfo, ReleaseSettings, build_metadata, summarize_store, void_only
from .progress import Steps
from .record import Named, Record
from .sidecar import load_sidecar, sidecar_path
from .tables import read_tables
from .text import read_text
from .validate import (
    ONTOLOGY_PACKAGE,
    ValidationError,
    ValidationReport,
    load_ontology,
    load_shapes,
    turtle_files,
    validate_store,
)


class BuildError(RuntimeError):
    """The build cannot go on; the message says which file and what is wrong."""


DUMPS: list[tuple[str, str, ox.RdfFormat | None]] = [
    ("dataset.nq", "application/n-quads", None),
    ("dataset.ttl", "text/turtle", ox.RdfFormat.TURTLE),
    ("dataset.nt.gz", "application/n-triples", None),
    ("dataset.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("dataset.rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
]

#: RDF files `--include` accepts (optionally gzipped: name.ttl.gz).
INCLUDE_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

#: facts `citykg build --require` can ask every profile to state
REQUIRABLE = ("population", "area")


@dataclass
class BuildResult:
    out: Path
    manifest: dict
    report: ValidationReport
    profiles: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "file: what the text lacks" (the build summary)
    facts: int = 0  # figures extracted from the profiles
    review: ReviewCounts = field(default_factory=ReviewCounts)  # the reviewers' decisions, summed over profiles


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


def _place_new(tmp: Path, out: Path) -> None:
    """Renames `tmp` to `out`, which must not exist (a rename never replaces a non-empty folder)."""
    if out.exists() or out.is_symlink():
        raise BuildError(f"{out} exists: a release is never replaced (releases are immutable)")
    try:
        os.rename(tmp, out)
    except OSError as exc:
        raise BuildError(f"{out}: cannot put the release in place ({exc.strerror}); another build made it "
                         "first?") from None


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _remove_stale_builds(out: Path) -> None:
    """Temporary folders left by builds that were killed (their process is gone)."""
    for tmp in out.parent.glob(f".{out.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(tmp, ignore_errors=True)


def read_profiles(seeds: Path) -> list[Path]:
    folder = seeds / "profiles"
    if not folder.is_dir():
        raise BuildError(f"{folder}: no such folder (profiles are read from SEEDS/profiles/*.txt)")
    profiles = sorted(folder.glob("*.txt"))
    if not profiles:
        raise BuildError(f"{folder}: no profiles (*.txt) to build")
    return profiles


# -- RDF plumbing ---------------------------------------------------------------------------------


def _quads(graph: Graph, name: ox.NamedNode) -> Iterator[ox.Quad]:
    """An rdflib graph's triples as pyoxigraph quads in graph `name`."""
    for t in ox.parse(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(t.subject, t.predicate, t.object, name)


def include_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = suffixes[-2] if gz and len(suffixes) >= 2 else (suffixes[-1] if suffixes else "")
    if ext not in INCLUDE_FORMATS:
        raise BuildError(f"{path}: not an RDF file citykg can include (use {', '.join(sorted(INCLUDE_FORMATS))}, "
                         "optionally gzipped)")
    return INCLUDE_FORMATS[ext], gz


def _skolem(policy: UriPolicy, path: Path) -> Callable[[ox.BlankNode], ox.NamedNode]:
    """Blank nodes of an included file become stable IRIs (RDF 1.1 skolemization)."""
    salt = hashlib.sha256(path.name.encode()).hexdigest()[:12]
    base = f"{policy.base}/.well-known/genid/{salt}-"
    return lambda b: ox.NamedNode(base + b.value)


def load_include(store: ox.Store, path: Path, graph: ox.NamedNode, policy: UriPolicy, step: object) -> int:
    """Parses one included RDF file into `graph` (every quad, whatever graph it named)."""
    fmt, gz = include_format(path)
    skolem = _skolem(policy, path)
    count = 0

    def term(t: object) -> object:
        return skolem(t) if isinstance(t, ox.BlankNode) else t

    def quads(source: Iterable[object]) -> Iterator[ox.Quad]:
        nonlocal count
        for q in source:
            s, o = q.subject, q.object
            if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
                s, o = term(s), term(o)
            count += 1
            if count % 100_000 == 0:
                step.advance(100_000)  # type: ignore[attr-defined]
            yield ox.Quad(s, q.predicate, o, graph)

    try:
        with (gzip.open(path, "rb") if gz else path.open("rb")) as f:
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                # Quads: each one is moved into the include's graph on its way in.
                store.bulk_extend(quads(ox.parse(f, format=fmt, base_iri=path.resolve().as_uri())))
            else:
                # Triples: the engine's bulk loader writes them straight into the graph; the few
                # triples with blank nodes are then skolemized.
                before = len(store)
                store.bulk_load(input=f, format=fmt, base_iri=path.resolve().as_uri(), to_graph=graph)
                count = len(store) - before
                blank = list(store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o "
                                         "FILTER(isBlank(?s) || isBlank(?o)) } }"))
                for row in blank:
                    store.remove(ox.Quad(row["s"], row["p"], row["o"], graph))
                store.extend([ox.Quad(term(row["s"]), row["p"], term(row["o"]), graph) for row in blank])
    except SyntaxError as exc:
        raise BuildError(f"{path}: not valid {fmt.name}: {exc}") from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise BuildError(f"{path}: cannot read: {exc}") from None
    step.advance(count % 100_000)  # type: ignore[attr-defined]
    return count


# -- the build -------------------------------------------------------------------------------------


def build_release(
    seeds: Path,
    out: Path,
    base: str | None = None,
    settings: ReleaseSettings | None = None,
    includes: Iterable[Path] = (),
    steps: Steps | None = None,
    validator: str = "auto",
    log: Callable[[str], None] | None = None,
    require: Iterable[str] = (),
    before_swap: Callable[[Path, dict, list[str]], dict] | None = None,
    replace: bool = True,
) -> BuildResult:
    """`require`: facts every profile must state (``population``, ``area``): a profile without one
    stops the build, as a curated catalogue wants; by default it builds with a warning.

    `before_swap(tmp, manifest, cities) -> manifest`: called on the complete release in its temporary folder
    (`cities`: the IRIs of its schema:City resources),
    before it is put in place (kg/releases.py adds the version and the changes files there, the CLI
    pre-renders the documents); a failure (or a kill) there leaves `out` as it was.
    `replace`: False puts the release at `out` only if nothing is there (a release of a releases
    folder is never replaced: BuildError)."""
    require = list(require)
    for fact in require:
        if fact not in REQUIRABLE:
            raise BuildError(f"--require {fact!r}: use any of {', '.join(REQUIRABLE)}")
    warnings: list[str] = []
    facts = 0
    review_total = ReviewCounts()
    policy = UriPolicy(base) if base else UriPolicy()
    settings = settings or ReleaseSettings()
    steps = steps or Steps(log=log or (lambda _m: None))
    profiles = read_profiles(seeds)
    includes = list(includes)
    for path in includes:
        if not path.is_file():
            raise BuildError(f"{path}: no such file to include")
        include_format(path)

    ontology = load_ontology(policy)
    shapes = load_shapes(policy)
    store = ox.Store()
    with steps.step("ontology and concept schemes", unit="triples") as step:
        graph = ox.NamedNode(str(policy.graph("ontology")))
        for source in turtle_files(ONTOLOGY_PACKAGE, "ontology"):
            quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in ox.parse(source.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=policy.parse_base)]
            store.extend(quads)
            step.advance(len(quads))

    sources: list[dict] = []
    reports: dict[str, dict] = {}
    cities: set[str] = set()
    with steps.step("profiles", total=len(profiles), unit="profiles") as step:
        for path in profiles:
            try:
                record = extract(path)
                sidecar = load_sidecar(path)
                # the reviewer's decisions, after extraction and before mapping
                review = apply_decisions(record, sidecar.facts, read_text(path), sidecar.path)
                profile_graph = map_record(policy, record, sidecar, ontology, settings.license)
            except ExtractError as exc:
                raise BuildError(str(exc)) from exc
            if sidecar.city.name and sidecar.city.name != record.city.name:
                # a reviewer's name for the city wins over the text's; the build says they disagree
                record.warnings.append(f"the sidecar names the city {sidecar.city.name!r}, the text "
                                       f"{record.city.name!r}: the sidecar's name is used")
                record.city = Named(sidecar.city.name, record.city.source)
                profile_graph = map_record(policy, record, sidecar, ontology, settings.license)
            for fact in require:
                if record.figure(fact) is None:
                    raise BuildError(f"{path}: no {fact} stated, and the build requires one (--require "
                                     f"{','.join(require)}); see `citykg extract {path}`")
            warnings.extend(f"{path.name}: {w}" for w in record.warnings)
            facts += len(record.figures)
            city = slugify(record.city.name)
            if city in cities:
                raise BuildError(f"{path}: a second profile of {record.city.name!r} (city slug {city!r})")
            cities.add(city)
            name = policy.graph(f"profile/{city}")
            store.extend(list(_quads(profile_graph, ox.NamedNode(str(name)))))
            entry = {"path": str(path.relative_to(seeds)), "sha256": sha256_file(path), "city": city,
                     "graph": str(name)}
            side = sidecar_path(path)
            if side is not None:
                entry["sidecar"] = str(side.relative_to(seeds))
                entry["sidecar_sha256"] = sha256_file(side)
            sources.append(entry)
            reports[city] = extraction_report(record, entry["path"], review)
            for key, n in review.as_dict().items():
                setattr(review_total, key, getattr(review_total, key) + n)
            mapped, total, unmapped = record.coverage()
            steps.log(f"{path.name}: {record.city.name}, {len(record.figures)} figures, {len(profile_graph)} "
                      f"triples; coverage {mapped}/{total} sentences mapped, {unmapped} figure(s) unmapped "
                      f"(see reports/{city}.json)")
            step.advance()

    for table in read_tables(seeds, policy, cities, ontology, settings.license):
        name = policy.graph(f"table/{slugify(table.path.stem)}")
        store.extend(list(_quads(table.graph, ox.NamedNode(str(name)))))
        sources.append({"path": str(table.path.relative_to(seeds)), "sha256": table.sha256, "graph": str(name),
                        "metadata": str(table.metadata.relative_to(seeds)),
                        "metadata_sha256": sha256_file(table.metadata)})
        steps.log(f"{table.path.name}: {table.rows} observations")

    taken: set[str] = set()
    for path in includes:
        slug = slugify(path.name.split(".")[0])
        if slug in taken:
            raise BuildError(f"{path}: another included file has the graph name include/{slug}")
        taken.add(slug)
        name = policy.graph(f"include/{slug}")
        with steps.step(f"include {path.name}", unit="quads") as step:
            count = load_include(store, path, ox.NamedNode(str(name)), policy, step)
        sources.append({"path": str(path), "sha256": sha256_file(path), "graph": str(name), "quads": count})

    with steps.step("SHACL validation", unit="quads") as step:
        report = validate_store(store, shapes, validator)
        step.advance(len(store))
    if not report.conforms:
        raise ValidationError(f"the release does not conform to the shapes\n{report.text()}", report)

    with steps.step("release metadata (DCAT-AP, VoID)"):
        union_lines = _union_lines(store)
        summary = summarize_store(store, policy, union_lines)
        plain = build_metadata(policy, settings, summary)
        metadata_quads = list(_quads(plain, ox.NamedNode(str(policy.graph("metadata")))))
        store.extend(metadata_quads)
        known = set(union_lines)
        extra = sorted({line for line in map(_nt_line, metadata_quads) if line not in known})
        union_lines = list(heapq.merge(union_lines, extra))

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        manifest = _write_release(tmp, policy, settings, store, union_lines, summary, report, sources, reports,
                                  steps)
        del store, union_lines  # the rest (changes, pre-rendering) reads the release's files
        if before_swap is not None:
            manifest = before_swap(tmp, manifest, [str(c.uri) for c in summary.cities])
        if replace:
            _swap_into_place(tmp, out)
        else:
            _place_new(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(out, manifest, report, [s["city"] for s in sources if "city" in s], warnings, facts,
                       review_total)


def extraction_report(record: Record, path: str, review: ReviewCounts | None = None) -> dict:
    """What the extractor made of each sentence of a profile: facts, or figures it could not map."""
    mapped, total, unmapped = record.coverage()
    return {
        "source": path,
        "city": record.city.name,
        "coverage": {"mapped": mapped, "sentences": total, "unmapped_figures": unmapped},
        "review": (review or ReviewCounts(extracted=len(record.figures))).as_dict(),
        "warnings": record.warnings,
        "sentences": [{"text": r.sentence, "facts": r.facts, "unmapped": r.unmapped}
                      | ({"reviewed": r.reviewed} if r.reviewed else {}) for r in record.report],
    }


def _sorted_lines(data: bytes) -> list[bytes]:
    return sorted(set(line for line in data.split(b"\n") if line.strip()))


def _union_lines(store: ox.Store) -> list[bytes]:
    """The union of the store's named graphs as sorted, distinct N-Triples lines.

    Every quad of the store is in a named graph, written by the engine as `<s> <p> <o> <g> .`:
    an IRI holds no space, so cutting the last two fields leaves the triple.
    """
    lines = store.dump(format=ox.RdfFormat.N_QUADS).split(b"\n")
    return sorted({line.rsplit(b" ", 2)[0] + b" ." for line in lines if line.strip()})


def _write_serializations(nt: bytes, folder: Path, prefixes: dict[str, str]) -> None:
    """Writes the dumps that pyoxigraph serializes from the sorted triples (byte-identical across builds)."""
    for name, _media, fmt in DUMPS:
        if fmt is None:
            continue
        kwargs = {"prefixes": prefixes} if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
        ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), str(folder / name), format=fmt, **kwargs)


def _nt_line(q: ox.Quad) -> bytes:
    return f"{q.subject} {q.predicate} {q.object} .".encode()


def _write_release(tmp: Path, policy: UriPolicy, settings: ReleaseSettings, store: ox.Store,
                   union_lines: list[bytes], summary: object, report: ValidationReport, sources: list[dict],
                   reports: dict[str, dict], steps: Steps) -> dict:
    prefixes = policy.prefixes()
    counts: dict[str, int] = {}
    with steps.step("write dumps", total=len(DUMPS), unit="files") as step:
        nt = b"\n".join(union_lines) + b"\n"
        # Turtle, JSON-LD and RDF/XML are written by a forked child while this process writes the
        # N-Quads and gzipped N-Triples: the serializers hold the GIL, two cores halve the time.
        child = multiprocessing.get_context("fork").Process(
            target=_write_serializations, args=(nt, tmp, prefixes), name="citykg-dumps")
        child.start()
        try:
            lines = _sorted_lines(store.dump(format=ox.RdfFormat.N_QUADS))
            with (tmp / "dataset.nq").open("wb") as f:
                f.write(b"\n".join(lines) + b"\n")
            counts["dataset.nq"] = len(lines)
            del lines
            step.advance()
            with (tmp / "dataset.nt.gz").open("wb") as raw, gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6
            ) as gz:
                gz.write(nt)
            counts["dataset.nt.gz"] = len(union_lines)
            step.advance()
        finally:
            child.join()
        if child.exitcode != 0:
            raise BuildError(f"writing the Turtle, JSON-LD and RDF/XML dumps failed (exit code {child.exitcode})")
        for name, _media, fmt in DUMPS:
            if fmt is not None:
                counts[name] = len(union_lines)
                step.advance()

    files = [
        FileInfo(name, (tmp / name).stat().st_size, sha256_file(tmp / name), media, counts[name])
        for name, media, _fmt in DUMPS
    ]
    # The catalogue describes the dumps, so it cannot be inside them: it is written beside them.
    catalog = build_metadata(policy, settings, summary, files)  # type: ignore[arg-type]
    _write_graph(catalog, tmp / "catalog.ttl", prefixes)
    _write_graph(void_only(catalog, policy), tmp / "void.ttl", prefixes)
    for prefix, ns in prefixes.items():
        report.graph.bind(prefix, ns)
    report.graph.serialize(tmp / "shacl-report.ttl", format="turtle")

    (tmp / "reports").mkdir()
    report_files = []
    for city, data in sorted(reports.items()):
        name = f"reports/{city}.json"
        (tmp / name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        report_files.append({"name": name, "size": (tmp / name).stat().st_size, "sha256": sha256_file(tmp / name),
                             "triples": 0, "media_type": "application/json"})

    graph_counts = {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
                    for g in sorted(store.named_graphs(), key=lambda g: g.value)}
    manifest = {
        "software": {"name": "citykg", "version": __version__},
        "base": policy.base,
        "built": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "license": settings.license,
        "title": settings.title,
        "conforms": report.conforms,
        "triples": counts["dataset.ttl"],
        "quads": counts["dataset.nq"],
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
    write_manifest(tmp, manifest)
    return manifest


def _write_graph(graph: Graph, path: Path, prefixes: dict[str, str]) -> None:
    """Writes a small rdflib graph as Turtle through pyoxigraph, triples sorted (deterministic)."""
    triples = sorted(ox.parse(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES), key=str)
    ox.serialize(triples, str(path), format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _count_turtle(path: Path) -> int:
    return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
