"""The `citykg` command line: every command in one place.

Commands import their side lazily: `build` (kg/build.py), `extract`, `review` (kg/review.py: a local
page to review an extraction, build-side), `validate`
(kg/release_check.py) and `publish` (kg/upload.py: uploads a built release to a store)
load the pipeline (kg), `serve` loads only the server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(label: str, message: object) -> None:
    """Prints `label: message` in red to stderr; the message is text, never markup (paths may hold [...])."""
    err.print(f"[bold red]{label}:[/bold red] {escape(str(message))}")

#: `--validator` of build and validate (the choices are kg.validate.VALIDATORS, not imported: the CLI loads lazily).
VALIDATOR_OPTION = click.option(
    "--validator", type=click.Choice(["auto", "fast", "pyshacl"]), default="auto", show_default=True,
    help="SHACL engine: the compiled SPARQL validator (fast), pyshacl, or auto: pyshacl up to 50,000 triples, "
         "fast above.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="citykg")
def main() -> None:
    """citykg: publish city profiles as validated linked open data."""


@main.command()
@click.option("--seeds", "seeds", type=click.Path(path_type=Path), default=None,
              help="Folder with profiles/*.txt (each with an optional reviewed .yaml sidecar) and indicators/*.csv "
                   "[default: ./seeds, else the embedded default seeds (the Nanchang profile)].")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Release folder, replaced atomically when the build succeeds [default: dist].")
@click.option("--releases", "releases", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Instead of --out: keep the release beside the earlier ones, in DIR/VERSION/, and point DIR/latest "
                   "at it (with the changes against the previous release).")
@click.option("--version", "version", default=None, metavar="V",
              help="The release's version (with --releases: default the UTC date YYYY-MM-DD, then .2, .3, ...; an "
                   "existing version is refused). With --out: written into the manifest.")
@click.option("--notes", "notes", default=None, metavar="TEXT",
              help="Version notes (adms:versionNotes) [default: a one-line summary of the changes].")
@click.option("--base", default=None, help="Canonical base URI (default https://w3id.org/citykg).")
@click.option("--license", "license_", default=None,
              help="Dataset licence IRI (default EU authority CC_BY_4_0).")
@click.option("--include", "includes", multiple=True, type=click.Path(path_type=Path),
              help="RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; .gz too) to add in a named "
                   "graph of its own, validated with the rest. Repeatable.")
@VALIDATOR_OPTION
@click.option("--require", "require", default="", metavar="FACTS",
              help="Facts every profile must state, comma-separated (population,area): a profile without one "
                   "stops the build. By default such a profile builds, with a warning in its report.")
@click.option("--documents/--no-documents", default=True, show_default=True,
              help="Pre-render every resource's Turtle document into OUT/documents.sqlite (served by every worker).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars: print only errors and the final line.")
def build(seeds: Path | None, out: Path | None, releases: Path | None, version: str | None, notes: str | None,
          base: str | None, license_: str | None, includes: tuple[Path, ...], validator: str, require: str,
          documents: bool, quiet: bool) -> None:
    """Extract, map and validate every profile of SEEDS and write the release folder OUT (or a new release of
    the releases folder DIR)."""
    from contextlib import nullcontext
    from dataclasses import replace

    from citykg.kg.build import BuildError, build_release
    from citykg.kg.metadata import ReleaseSettings
    from citykg.kg.progress import Steps, rich_progress
    from citykg.kg.releases import build_into_releases, check_version, stamp_version
    from citykg.kg.validate import MissingTermsError, ValidationError

    if out is not None and releases is not None:
        raise click.UsageError("--out and --releases are two ways to write the release: give one of them")
    if releases is None and out is None:
        out = Path("dist")
    if version is not None:
        try:
            check_version(version)
        except BuildError as exc:
            raise click.BadParameter(str(exc), param_hint="--version") from None
    kept = f"every release in {releases} and its latest are unchanged" if releases is not None else \
        f"the previous release in {out} is unchanged"

    if seeds is None:
        seeds = Path("seeds")
        if not (seeds / "profiles").is_dir():
            seeds = embedded_seeds()
            err.print(f"· no ./seeds folder: building the embedded default seeds ({seeds})", markup=False)
    settings = ReleaseSettings()
    if license_:
        settings = replace(settings, license=license_)
    progress = None if quiet else rich_progress(err)
    steps = Steps(progress, log=(lambda _m: None) if quiet else (lambda m: err.print(f"· {m}", markup=False)))
    say = (lambda _m: None) if quiet else (lambda m: err.print(f"· {m}", markup=False))

    def prerender_into(folder: Path) -> None:
        from citykg.server.prerender import prerender

        done = prerender(folder, log=say)
        click.echo(f"pre-rendered {done['documents']:,} documents in {done['seconds']:.1f} s "
                   f"({done['bytes'] / 1e6:,.0f} MB)")

    options = dict(base=base, settings=settings, includes=includes, steps=steps, validator=validator,
                   require=[r.strip() for r in require.split(",") if r.strip()])
    series = None
    try:
        with progress if progress is not None else nullcontext():
            if releases is not None:
                # the documents are pre-rendered in the new release's temporary folder: it becomes
                # DIR/V and latest only complete
                series = build_into_releases(seeds, releases, version, notes,
                                             finish=prerender_into if documents else None, **options)
                result = series.build
            else:
                assert out is not None
                stamp = None
                if version is not None or notes is not None:
                    def stamp(_tmp: Path, manifest: dict, _cities: list[str]) -> dict:
                        from citykg.kg.build import write_manifest

                        manifest = stamp_version(manifest, version, None, notes)  # type: ignore[arg-type]
                        write_manifest(_tmp, manifest)
                        return manifest
                result = build_release(seeds, out, before_swap=stamp, **options)  # type: ignore[arg-type]
    except ValidationError as exc:
        fail("build stopped", exc)
        err.print(kept, markup=False)
        sys.exit(1)
    except (BuildError, MissingTermsError, ValueError, OSError) as exc:
        fail("build failed", exc)
        err.print(kept, markup=False)
        sys.exit(1)
    m = result.manifest
    if documents and series is None:
        prerender_into(result.out)
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)
    r = result.review
    click.echo(f"facts: {r.extracted} extracted, {r.reviewed} reviewed ({r.accepted} accepted, {r.corrected} "
               f"corrected, {r.added} added), {r.rejected} rejected (per profile: reports/CITY.json)")
    click.echo(f"built {result.out}: {len(result.profiles)} profile(s), {result.facts} facts, {m['triples']:,} "
               f"triples, {len(m['files'])} files, conforms to the shapes"
               + (f"; {len(result.warnings)} warning(s) (see reports/)" if result.warnings else ""))
    if series is not None:
        click.echo(f"release {series.version} of {series.root} (previous: {series.previous_version or 'none'}): "
                   f"{m.get('version_notes')}; {series.root / 'latest'} -> {series.version}")


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--releases", "releases", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="OLD and NEW are versions of the releases folder DIR (else they are two release folders).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json", "turtle"]), default="text",
              show_default=True)
def diff(old: str, new: str, releases: Path | None, fmt: str) -> None:
    """Print what changed from the release OLD to the release NEW: per city, the facts added, removed and
    changed (old -> new value, with unit, qualifier, period and source sentence), and the cities added and
    removed."""
    from citykg.kg.changes import compare_releases, to_csv, to_json, to_text, to_turtle
    from citykg.manifest import ManifestError
    from citykg.series import Series, SeriesError

    try:
        if releases is not None:
            series = Series.open(releases)
            a, b = series.get(old), series.get(new)
            changes = compare_releases(a.path, b.path, a.version, b.version)
        else:
            changes = compare_releases(Path(old), Path(new))
    except (SeriesError, ManifestError, OSError, SyntaxError) as exc:
        fail("cannot compare", exc)
        sys.exit(1)
    if fmt == "turtle" and changes.to_version is None:
        changes.to_version = "unversioned"
    writer = {"text": to_text, "csv": to_csv, "json": to_json, "turtle": to_turtle}[fmt]
    click.echo(writer(changes), nl=False)


@main.command()
@click.option("--releases", "releases", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="The releases folder (written by `citykg build --releases DIR`).")
@click.option("--keep", "keep", type=int, required=True, metavar="N",
              help="How many releases to keep (the newest; the one latest points to is always kept). At least 1.")
def prune(releases: Path, keep: int) -> None:
    """Delete the oldest releases of DIR beyond the newest N (never the one latest points to)."""
    from citykg.series import SeriesError
    from citykg.series import prune as run_prune

    if keep < 1:
        raise click.BadParameter(f"{keep}: keep at least 1 release (the latest)", param_hint="--keep")
    try:
        removed = run_prune(releases, keep)
    except (SeriesError, OSError) as exc:
        fail("cannot prune", exc)
        sys.exit(1)
    if removed:
        click.echo(f"removed {len(removed)} release(s) from {releases}: {', '.join(removed)}")
    else:
        click.echo(f"nothing to remove: {releases} keeps at most {keep} release(s)")


@main.command()
@click.option("--seeds", "seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder with profiles/*.txt; decisions go to each profile's sidecar (profiles/NAME.yaml).")
@click.option("--port", default=8765, show_default=True, type=int, help="TCP port on 127.0.0.1.")
@click.option("--by", "reviewer", default=None, metavar="NAME",
              help="The reviewer's name, written as by: in every decision (the page asks for it otherwise).")
def review(seeds: Path, port: int, reviewer: str | None) -> None:
    """Review the extraction of each profile in a local web page; every decision is written to its sidecar."""
    from citykg.kg.review import serve as run_review
    from citykg.kg.text import ExtractError

    try:
        err.print(f"· reviewing {seeds / 'profiles'} on http://127.0.0.1:{port}/ (Ctrl-C to stop)", markup=False)
        run_review(seeds, port, reviewer)
    except ExtractError as exc:
        fail("cannot review", exc)
        sys.exit(1)


def embedded_seeds() -> Path:
    """The seeds installed with the package (citykg.seeds): a real folder in any non-zipped install."""
    from importlib.resources import files

    return Path(str(files("citykg.seeds")))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
def extract(file: Path, fmt: str) -> None:
    """Print the typed record extracted from one profile FILE."""
    from citykg.kg.extract import ExtractError
    from citykg.kg.extract import extract as run_extract

    try:
        record = run_extract(file).to_dict()
    except ExtractError as exc:
        fail("error", exc)
        sys.exit(1)
    if fmt == "yaml":
        import yaml

        click.echo(yaml.safe_dump(record, allow_unicode=True, sort_keys=False))
    else:
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))


@main.command()
@click.option("--release", type=click.Path(path_type=Path), default=Path("dist"), show_default=True)
@VALIDATOR_OPTION
def validate(release: Path, validator: str) -> None:
    """Check a release: file checksums against its manifest, and the data against the shapes."""
    from citykg.kg.release_check import check_release
    from citykg.manifest import ManifestError

    try:
        report = check_release(release, validator)
    except ManifestError as exc:
        fail("invalid release", exc)
        sys.exit(1)
    click.echo(report.text())
    sys.exit(0 if report.conforms else 1)


def _check_settings(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    from citykg.server.settings import SettingError, parse_assignment

    try:
        return dict(parse_assignment(v) for v in values)
    except SettingError as exc:
        raise click.BadParameter(str(exc)) from None


def _list_settings(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from citykg.server.settings import TABLE

    for s in TABLE:
        default = " ".join(s.default) if isinstance(s.default, tuple) else s.default
        click.echo(f"{s.name:30} {str(default)!s:32} {s.help}")
    ctx.exit()


@main.command()
@click.option("--release", type=click.Path(path_type=Path), default=None,
              help="Release folder written by `citykg build`  [default: dist].")
@click.option("--releases", "releases", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="A folder of releases (`citykg build --releases DIR`): the latest at the usual URIs, every kept "
                   "release under /release/{version}/, Memento between them. Not with --release.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="TCP port.")
@click.option("--base", default=None,
              help="Canonical base URI of the data (default: the base the release was built with).")
@click.option("--workers", default=None, type=int, help="Worker processes (default: CPUs, 2-8).")
@click.option("--http", "http_server", type=click.Choice(["gunicorn", "granian"]), default="granian",
              show_default=True,
              help="HTTP server: gunicorn (threads, slow-client guard) or granian (Rust HTTP/1.1 and 2, about "
                   "twice the requests per second on documents and pages answered from the release).")
@click.option("--store", "store_url", default=None, metavar="URL",
              help="Answer pages, documents, search and /sparql from this SPARQL 1.1 endpoint (loaded with "
                   "`citykg publish`) instead of the embedded store; the release still gives manifest and downloads.")
@click.option("--store-mode", type=click.Choice(["auto", "memory", "disk"]), default="auto", show_default=True,
              help="memory: parse the release into RAM (fastest queries); disk: a RocksDB store built once beside "
                   "the release and reopened in milliseconds; auto: disk above 2 million quads.")
@click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE", callback=_check_settings,
              help="Set a server setting (SPARQL_TIMEOUT=5, CACHE_SECONDS=60, RATELIMIT_ENABLED=0, ...); repeatable. "
                   "Also read from CITYKG_NAME environment variables. --list-settings shows them all.")
@click.option("--list-settings", is_flag=True, is_eager=True, expose_value=False, callback=_list_settings,
              help="List every server setting with its default and exit.")
def serve(release: Path | None, releases: Path | None, host: str, port: int, base: str | None, workers: int | None,
          http_server: str, store_url: str | None, store_mode: str, assignments: dict[str, str]) -> None:
    """Serve RELEASE as linked data (pages, RDF, SPARQL, downloads) under gunicorn or granian."""
    from citykg.server.release import ReleaseError
    from citykg.server.serve import main as run_server
    from citykg.server.settings import SettingError

    if release is not None and releases is not None:
        raise click.UsageError("give either --release DIR (one release) or --releases DIR (a folder of releases)")
    if releases is not None and store_url:
        raise click.UsageError("--store serves one release: it cannot be combined with --releases")
    try:
        run_server(release or Path("dist"), host=host, port=port, base=base, workers=workers, store_mode=store_mode,
                   store_url=store_url, settings=assignments, http=http_server, releases=releases)
    except (ReleaseError, SettingError) as exc:
        fail("cannot serve", exc)
        sys.exit(1)


@main.command()
@click.option("--release", type=click.Path(path_type=Path), default=Path("dist"), show_default=True)
@click.option("--to", "to", required=True, metavar="URL", help="SPARQL query endpoint of the store.")
@click.option("--graph-store", default=None, metavar="URL",
              help="Graph Store Protocol endpoint (default: guessed, /store for Oxigraph, "
                   "/sparql-graph-crud-auth for Virtuoso).")
@click.option("--user", default=None, help="User for HTTP digest or basic authentication.")
@click.option("--password", default=None, envvar="CITYKG_STORE_PASSWORD",
              help="Password (or the CITYKG_STORE_PASSWORD environment variable).")
def publish(release: Path, to: str, graph_store: str | None, user: str | None, password: str | None) -> None:
    """Upload a built RELEASE to a SPARQL 1.1 store (Graph Store Protocol), replacing the previous release's graphs.

    The release is not rebuilt: run `citykg build` first.
    """
    from citykg.kg.upload import UploadError, upload

    try:
        result = upload(release, to, graph_store, user, password, log=lambda m: err.print(f"· {m}", markup=False))
    except (UploadError, OSError, SyntaxError) as exc:
        fail("publish failed", exc)
        sys.exit(1)
    click.echo(f"published {release} to {to}: {len(result.graphs)} graphs, "
               f"{sum(result.graphs.values()):,} triples; {len(result.removed)} old graph(s) removed")


if __name__ == "__main__":
    main()
