"""How fast `/fragments` answers Triple Pattern Fragments of a large release.

    .venv/bin/python bench/fragments.py --triples 1000000      # generates and builds into bench/data/
    .venv/bin/python bench/fragments.py --release DIR [--requests 200]

Serves the release with `citykg serve` (gunicorn, 2 workers, on 127.0.0.1) and asks, one request
at a time over a kept-alive connection, fragments of eight kinds of pattern, each request a first
execution (a different subject, object or page every time, so the response cache never answers):
a subject, a subject and predicate, a predicate (above the exact-count cap: the VoID estimate), a
class (``rdf:type`` and an object), a literal object, the whole dataset at a deep page, a named
graph, and a typed-literal object. Prints the median and 90th percentile latency of each kind (ms,
client side, N-Quads as Comunica asks), then the same through the page builder in-process.
"""

from __future__ import annotations

import argparse
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QB_OBS = "http://purl.org/linked-data/cube#Observation"
OBS_VALUE = "http://purl.org/linked-data/sdmx/2009/measure#obsValue"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ACCEPT = "application/n-quads,application/trig;q=0.95,text/turtle;q=0.6"


def release_for(triples: int) -> Path:
    data = DATA / f"catalogue-{triples}-data.nq.gz"
    out = DATA / f"release-built-{triples}"
    if not (out / "manifest.json").is_file():
        DATA.mkdir(parents=True, exist_ok=True)
        if not data.exists():
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples),
                            "--out", str(data), "--no-ontology"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([str(BIN / "citykg"), "build", "--quiet", "--out", str(out), "--include", str(data)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def samples(store, n: int, rng: random.Random) -> dict[str, list[dict[str, str]]]:
    """`n` parameter sets of each kind, drawn from the data."""
    def column(query: str, var: str) -> list:
        return [r[var] for r in store.select(query)]

    base = "https://w3id.org/citykg"
    subjects = [t.value for t in column(f'SELECT DISTINCT ?s WHERE {{ ?s <{RDF_TYPE}> ?t . '
                                        f'FILTER(STRSTARTS(STR(?s), "{base}/id/")) }} LIMIT 20000', "s")]
    preds = [t.value for t in column("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", "p")]
    classes = [t.value for t in column(f"SELECT DISTINCT ?c WHERE {{ ?s <{RDF_TYPE}> ?c }}", "c")]
    labels = column(f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l }} LIMIT 5000", "l")
    values = column(f"SELECT ?v WHERE {{ ?s <{OBS_VALUE}> ?v }} LIMIT 5000", "v")
    graphs = [t.value for t in column("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "g")]

    def lit(t) -> str:
        if t.lang:
            return f'"{t.value}"@{t.lang}'
        return f'"{t.value}"^^{t.datatype}' if t.datatype else f'"{t.value}"'

    kinds: dict[str, list[dict[str, str]]] = {
        "subject": [{"subject": rng.choice(subjects)} for _ in range(n)],
        "subject + predicate": [{"subject": rng.choice(subjects), "predicate": RDF_TYPE} for _ in range(n)],
        "predicate (estimate)": [{"predicate": rng.choice(preds), "page": str(rng.randint(1, 10))} for _ in range(n)],
        "class": [{"predicate": RDF_TYPE, "object": rng.choice(classes), "page": str(rng.randint(1, 5))}
                  for _ in range(n)],
        "literal object": [{"object": lit(rng.choice(labels))} for _ in range(n)],
        "typed literal object": [{"object": lit(rng.choice(values))} for _ in range(n)],
        "everything, deep page": [{"page": str(rng.randint(2, 60))} for _ in range(n)],
        "one graph": [{"graph": rng.choice(graphs), "page": str(rng.randint(1, 60))} for _ in range(n)],
    }
    # first executions: no parameter set twice (the response cache would answer the second)
    return {k: list({tuple(sorted(p.items())): p for p in v}.values()) for k, v in kinds.items()}


def url_of(params: dict[str, str]) -> str:
    order = ("graph", "subject", "predicate", "object", "page")
    return "/fragments?" + "&".join(f"{k}={quote(params[k], safe='')}" for k in order if k in params)


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"median {statistics.median(ms):6.2f} ms, p90 {ms[max(int(len(ms) * 0.9) - 1, 0)]:6.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--release", type=Path)
    ap.add_argument("--requests", type=int, default=200, help="requests of each kind")
    args = ap.parse_args()
    release = args.release or release_for(args.triples)

    from citykg.server.app import create_app
    from citykg.server.fragments import Pattern, parse_term
    from citykg.server.pages.fragments import fragment_page
    from citykg.server.urls import UrlMapper

    t0 = time.perf_counter()
    app = create_app(release, config={"TESTING": True})
    kg = app.extensions["citykg"]
    print(f"release: {release} ({len(kg.store):,} quads; loaded in {time.perf_counter() - t0:.1f} s)")
    rng = random.Random(7)
    kinds = samples(kg.store, args.requests, rng)

    port = free_port()
    log = open(DATA / "fragments-bench.log", "wb") if DATA.is_dir() else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen([str(BIN / "citykg"), "serve", "--release", str(release), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "2"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if requests.get(url + "/robots.txt", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("citykg serve did not start")
            time.sleep(0.5)
        session = requests.Session()
        session.headers["Accept"] = ACCEPT
        # once per process: the VoID statistics and the first count of each worker
        for _ in range(4):
            session.get(url + "/fragments?predicate=" + quote(RDF_TYPE, safe=""))
        print(f"\nover HTTP (gunicorn, 2 workers, one client, N-Quads), up to {args.requests} first executions each:")
        everything: list[float] = []
        for name, params_list in kinds.items():
            ms = []
            for params in params_list:
                start = time.perf_counter()
                resp = session.get(url + url_of(params))
                ms.append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200, (resp.status_code, resp.text[:200])
            everything += ms
            print(f"  {name:24s} {summary(ms)}  ({len(ms)} requests)")
        print(f"  {'all':24s} {summary(everything)}")
    finally:
        import os

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

    print("\nin-process (the page builder: store queries and controls, no HTTP, no serialization):")
    mapper = UrlMapper(kg.policy.base, "", "http://127.0.0.1/")
    everything = []
    for name, params_list in samples(kg.store, args.requests, random.Random(8)).items():
        ms = []
        for params in params_list:
            g = parse_term(params.get("graph"), "graph")
            pattern = Pattern(parse_term(params.get("subject"), "subject"),
                              parse_term(params.get("predicate"), "predicate"),
                              parse_term(params.get("object"), "object"), g.value if g else None)
            start = time.perf_counter()
            fragment_page(kg, mapper, pattern, int(params.get("page", "1")), "http://127.0.0.1" + url_of(params))
            ms.append((time.perf_counter() - start) * 1000)
        everything += ms
        print(f"  {name:24s} {summary(ms)}")
    print(f"  {'all':24s} {summary(everything)}")


if __name__ == "__main__":
    main()
