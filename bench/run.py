"""citykg's benchmark: one command, one table, ratios against references measured in the same run.

    .venv/bin/python bench/run.py [--triples 1000000] [--runs 11] [--pyshacl-triples 100000]
                                  [--restart-release DIR] [--no-virtuoso]

1. build + validate: `citykg build --include` of a generated catalogue (bench/generate.py), seconds
   per million triples; pyshacl and the compiled validator on the same sample of --pyshacl-triples
   (pyshacl takes minutes per million: its per-million figure is scaled from the sample, and says so);
2. /sparql: the query mix of bench/sparql_bench.py, median per query, citykg (first executions:
   every query text is new) against Oxigraph server and Virtuoso on the same data, with ratios;
3. resource documents: bench/documents.py's passes (Turtle and HTML, cold and warm, cities apart,
   requests/s with p50/p99 at concurrency 8) against Oxigraph server's `DESCRIBE`, with ratios;
4. restart: seconds from `citykg serve` to the first answered request, on-disk store
   (--restart-release adds a larger release, e.g. 10M triples); RSS (PSS) of the server.

Needs: the `oxigraph` binary (PyPI, test extra), Debian `virtuoso-opensource` and `wrk`.
Everything runs on 127.0.0.1. Data and databases are cached in bench/data/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import sparql_bench  # noqa: E402  (bench/sparql_bench.py: the query mix)
from stores import BIN, OxigraphServer, Virtuoso, free_port, stop  # noqa: E402

DATA = ROOT / "bench" / "data"


def run(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, **kw)
    return time.perf_counter() - start


def generated(triples: int, ontology: bool) -> Path:
    path = DATA / f"catalogue-{triples}{'' if ontology else '-data'}.nq.gz"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples), "--out", str(path),
             *([] if ontology else ["--no-ontology"])], stdout=subprocess.DEVNULL)
    return path


def bench_build(triples: int) -> tuple[Path, float]:
    data = generated(triples, ontology=False)
    out = DATA / f"release-built-{triples}"
    seconds = run([str(BIN / "citykg"), "build", "--quiet", "--out", str(out), "--include", str(data)],
                  cwd=ROOT, stdout=subprocess.DEVNULL)
    return out, seconds


def bench_validators(triples: int) -> tuple[float, float]:
    """(pyshacl seconds, compiled validator seconds) on one generated sample, validation only."""
    import pyoxigraph as ox
    from citykg.kg.fastshacl import validate_store
    from citykg.kg.validate import load_shapes, validate_graph
    from rdflib import Graph

    from citykg.uris import UriPolicy

    sample = generated(triples, ontology=True)
    shapes = load_shapes(UriPolicy())
    store = ox.Store()
    import gzip

    with gzip.open(sample, "rb") as f:
        store.bulk_load(input=f, format=ox.RdfFormat.N_QUADS)
    start = time.perf_counter()
    fast = validate_store(store, shapes)
    fast_s = time.perf_counter() - start
    union = ox.Store()
    union.extend([ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in store])
    graph = Graph().parse(data=union.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode(),
                          format="nt")
    start = time.perf_counter()
    ref = validate_graph(graph, shapes)
    ref_s = time.perf_counter() - start
    if fast.conforms != ref.conforms:
        raise SystemExit("the validators disagree on the sample")
    return ref_s, fast_s


class Citykg:
    def __init__(self, release: Path, mode: str = "memory", workers: int = 2, extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/sparql"
        env = dict(os.environ, CITYKG_SPARQL_TIMEOUT="120", CITYKG_SPARQL_MAX_ROWS="1000000",
                   CITYKG_RATELIMIT_ENABLED="0")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(BIN / "citykg"), "serve", "--release", str(release), "--port", str(self.port), "--workers",
             str(workers), "--store-mode", mode, *extra], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)

    def ready(self, path: str = "/") -> float:
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"citykg serve exited with {self.proc.returncode}")
            try:
                if requests.get(self.base + path, timeout=60).status_code == 200:
                    return time.perf_counter() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.02)
        raise SystemExit("citykg serve did not start")

    def pss_mb(self) -> float:
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            m = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
            total += int(m.group(1)) if m else 0
        return total / 1024

    def stop(self) -> None:
        stop(self.proc)


def timed(session: requests.Session, url: str, query: str, accept: str) -> float:
    """Seconds for one query, POSTed as a form, whole answer read (keep-alive session)."""
    start = time.perf_counter()
    r = session.post(url, data={"query": query}, headers={"Accept": accept}, timeout=300)
    r.content  # noqa: B018 - read the whole body
    elapsed = time.perf_counter() - start
    if r.status_code != 200:
        raise SystemExit(f"{url} answered {r.status_code}: {r.text[:300]}\n{query}")
    return elapsed


def bench_queries(urls: dict[str, str], runs: int) -> list[tuple[str, dict[str, float]]]:
    values = sparql_bench.discover(urls["oxigraph"])
    sessions = {name: requests.Session() for name in urls}
    for name, url in urls.items():  # warm-up
        for _ in range(3):
            timed(sessions[name], url, sparql_bench.PREFIXES + "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                               "application/sparql-results+json")
    rows = []
    for qname, template in sparql_bench.MIX.items():
        accept = "application/n-triples" if qname == "DESCRIBE" else "application/sparql-results+json"
        times: dict[str, list[float]] = {name: [] for name in urls}
        for i in range(runs):
            query = sparql_bench.PREFIXES + template.format(
                city=values["city"][(i * 7) % len(values["city"])],
                indicator=values["indicator"][i % len(values["indicator"])],
                word=values["word"][i % len(values["word"])], n=i,
            ) + f"\n# {qname} run {i} {time.time_ns()}"
            order = list(urls) if i % 2 == 0 else list(reversed(urls))
            for name in order:
                times[name].append(timed(sessions[name], urls[name], query, accept))
        rows.append((qname, {name: statistics.median(t) for name, t in times.items()}))
        print(f"  /sparql {qname}: done", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--pyshacl-triples", type=int, default=100_000)
    ap.add_argument("--restart-release", type=Path, help="another release to time a restart on (e.g. 10M)")
    ap.add_argument("--no-virtuoso", action="store_true")
    ap.add_argument("--doc-resources", type=int, default=30_000, help="resources of the documents passes")
    ap.add_argument("--doc-runs", type=int, default=1, help="runs of bench/documents.py's passes")
    args = ap.parse_args(argv)
    millions = args.triples / 1e6
    report: dict[str, object] = {}

    print("building ...", file=sys.stderr, flush=True)
    release, build_s = bench_build(args.triples)
    triples = json.loads((release / "manifest.json").read_text())["triples"]
    print("validating the sample with pyshacl and the compiled validator ...", file=sys.stderr, flush=True)
    ref_s, fast_s = bench_validators(args.pyshacl_triples)
    scale = 1e6 / args.pyshacl_triples

    print("starting the servers ...", file=sys.stderr, flush=True)
    work = DATA / f"stores-{args.triples}"
    work.mkdir(parents=True, exist_ok=True)
    servers: list = []
    try:
        ck = Citykg(release)
        servers.append(ck)
        ck.ready("/sparql?query=ASK%7B%7D")
        oxi = OxigraphServer(release / "dataset.nq", work)
        servers.append(oxi)
        urls = {"citykg": ck.url, "oxigraph": oxi.url}
        if not args.no_virtuoso:
            vt = Virtuoso(release / "dataset.nq", work)
            servers.append(vt)
            urls["virtuoso"] = vt.url
        rows = bench_queries(urls, args.runs)
        pss = ck.pss_mb()
        ck.stop()
        servers.remove(ck)
        if not args.no_virtuoso:
            vt.stop()
            servers.remove(vt)

        import documents  # bench/documents.py (it imports this module: imported here, once both exist)

        print("resource documents against Oxigraph's DESCRIBE ...", file=sys.stderr, flush=True)
        docs = documents.measure(release, oxi, resources_n=args.doc_resources, runs=args.doc_runs)
    finally:
        for s in servers:
            s.stop()

    print("timing restarts ...", file=sys.stderr, flush=True)
    restarts = []
    for target in [release, *([args.restart_release] if args.restart_release else [])]:
        first = Citykg(target, mode="disk")
        first.ready()  # builds the on-disk store once
        first.stop()
        again = Citykg(target, mode="disk")
        seconds = again.ready("/doc/city/nanchang.ttl")
        disk_pss = again.pss_mb()
        again.stop()
        n = json.loads((target / "manifest.json").read_text()).get("triples")
        restarts.append((target, n, seconds, disk_pss))

    geo = {name: sparql_bench.geomean([r[1]["citykg"] / r[1][name] for r in rows]) for name in urls if name != "citykg"}
    print()
    print(f"citykg benchmark: {triples:,} triples, 2 cores; medians of {args.runs} runs; ratios citykg / reference")
    print()
    print("build + validate")
    print(f"  citykg build --include (extract, load, validate, metadata, 5 dumps): {build_s:.1f} s "
          f"= {build_s / millions:.1f} s per million triples")
    print(f"  SHACL on a {args.pyshacl_triples:,}-triple sample: pyshacl {ref_s:.1f} s "
          f"(~{ref_s * scale:.0f} s per million, scaled), compiled validator {fast_s:.2f} s "
          f"(~{fast_s * scale:.1f} s per million); ratio {ref_s / fast_s:.1f}x")
    print()
    names = list(urls)
    print("/sparql, first executions (ms)")
    header = f"  {'query':<20}" + "".join(f"{n:>11}" for n in names) + "".join(
        f"{'/ ' + n:>13}" for n in names[1:])
    print(header)
    for qname, med in rows:
        print(f"  {qname:<20}" + "".join(f"{med[n] * 1000:>11.2f}" for n in names)
              + "".join(f"{med['citykg'] / med[n]:>13.2f}" for n in names[1:]))
    print(f"  {'geometric mean':<20}" + " " * 11 * len(names) + "".join(f"{geo[n]:>13.2f}" for n in names[1:]))
    print()
    documents.print_table(docs)
    print()
    print(f"memory: citykg serve, in-memory store, master + 2 workers: {pss:,.0f} MB PSS")
    for target, n, seconds, disk_pss in restarts:
        print(f"restart ({n:,} triples, on-disk store): ready in {seconds:.2f} s; {disk_pss:,.0f} MB PSS "
              f"({target})")
    report.update(build_s=build_s, ref_s=ref_s, fast_s=fast_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
