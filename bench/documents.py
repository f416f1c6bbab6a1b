"""Resource documents against Oxigraph server's DESCRIBE, cold and warm, in one run.

    .venv/bin/python bench/documents.py [--triples 1000000] [--resources 30000] [--runs 3]

Builds (or reuses) the bench/generate.py catalogue with `citykg build --include` (which pre-renders
the Turtle documents), serves it with `citykg serve` (2 workers, in-memory store, rate limits off)
beside `oxigraph serve-read-only --union-default-graph` on the same dump, and drives both with wrk
at 8 connections:

- cold: each of --resources distinct resources (cities and observations) asked exactly once, on a
  server that never saw them (a fresh `citykg serve` per run);
- warm: 200 of them asked again and again for 10 s;
- the 115-odd city documents (the heaviest: 500 incoming links with their labels) apart.

Turtle (`Accept: text/turtle`) and HTML (`Accept: text/html`) for citykg, `DESCRIBE` (N-Triples)
for Oxigraph, each citykg pass followed at once by Oxigraph's on the same resources (so that the
load of a neighbour on the machine falls on both alike; Oxigraph keeps no answers, but its block
cache has seen the resources after the first pass, which only favours it). Prints requests/s,
p50 and p99, medians over --runs, and the median of the ratios citykg / Oxigraph of each pair.
Needs `wrk` and the `oxigraph` binary. Everything on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import sparql_bench  # noqa: E402
from run import DATA, Citykg, generated, run  # noqa: E402
from stores import BIN, OxigraphServer  # noqa: E402

# Each wrk thread takes every other path. Cold (`once`): each path exactly once, then the thread
# stops; wrk's own figure divides by the whole -d duration, so the script times the pass itself
# (first request to last response, CLOCK_MONOTONIC through LuaJIT's ffi) and prints it.
WRK_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } ckg_timespec;
           int clock_gettime(int clk_id, ckg_timespec *tp); ]]
local ts = ffi.new("ckg_timespec")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9 end
local paths = {}
for line in io.lines("%(listing)s") do paths[#paths + 1] = line end
local threads = {}
local id = 0
function setup(thread)
  thread:set("tid", id)
  id = id + 1
  table.insert(threads, thread)
end
function init(args)
  counter = tid
  step = %(threads)d
  answered = 0
  first = 0
  last = 0
end
request = function()
  local i = counter
  counter = counter + step
  if first == 0 then first = now() end
  if %(once)s and i >= #paths then
    wrk.thread:stop()
  end
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept"] = "%(accept)s"})
end
response = function(status, headers, body)
  answered = answered + 1
  last = now()
end
done = function(summary, latency, requests)
  local n, t0, t1 = 0, nil, 0
  for _, t in ipairs(threads) do
    n = n + t:get("answered")
    local f = t:get("first")
    if f > 0 and (t0 == nil or f < t0) then t0 = f end
    if t:get("last") > t1 then t1 = t:get("last") end
  end
  io.write(string.format("PASS %%d %%.6f\\n", n, t1 - t0))
end
"""


def wrk(base: str, paths: list[str], accept: str, *, once: bool, seconds: int = 10) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) at 8 connections; `once`: every path exactly once, then stop."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "paths.lua"
        script.write_text(WRK_SCRIPT % {"listing": listing, "threads": 2, "once": "true" if once else "false",
                                        "accept": accept})
        out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), base],
                             capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} error responses from {base}")
    if once:
        answered, elapsed = re.search(r"PASS (\d+) ([\d.]+)", out).groups()
        # a pass that did not finish in time still measured documents never asked before
        rps = int(answered) / float(elapsed)

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return rps, pct("50"), pct("99")


def resources(oxigraph_url: str, limit: int) -> tuple[list[str], list[str]]:
    """(cities, observations) of the release, canonical URIs."""
    base = sparql_bench.BASE

    def select(query: str) -> list[str]:
        r = requests.post(oxigraph_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                          timeout=120)
        r.raise_for_status()
        return [b["s"]["value"] for b in r.json()["results"]["bindings"]]

    cities = select(f'SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{base}/id/city/") '
                    f'&& !CONTAINS(STR(?s), "#")) }} ORDER BY ?s')
    # by their type, in the store's own order: a FILTER and ORDER BY over every subject takes minutes at 10M
    obs = select(f"SELECT ?s WHERE {{ ?s a <http://purl.org/linked-data/cube#Observation> "
                 f'FILTER(STRSTARTS(STR(?s), "{base}/id/observation/")) }} LIMIT {limit - len(cities)}')
    return cities, obs


def local(uris: list[str]) -> list[str]:
    return [u.replace(sparql_bench.BASE, "").replace("/id/", "/doc/", 1) for u in uris]


def describe(uris: list[str]) -> list[str]:
    return ["/query?query=" + requests.utils.quote(f"DESCRIBE <{u}>", safe="") for u in uris]


@dataclass
class Measured:
    """Every pass of `measure`: (kind, set, cold|warm) -> [(req/s, p50 ms, p99 ms)] per run; kind is
    "Turtle", "HTML", or "DESCRIBE Turtle"/"DESCRIBE HTML" for Oxigraph's pass right after citykg's."""

    release: Path
    http: str
    mode: str
    runs: int
    kinds: list[tuple[str, str]]
    resources: int
    cities: int
    results: dict[tuple[str, str, str], list[tuple[float, float, float]]] = field(default_factory=dict)
    starts: list[float] = field(default_factory=list)  # seconds from `citykg serve` to its first answer
    pss: list[float] = field(default_factory=list)  # MB, master and workers, after each server's passes

    def median(self, key: tuple[str, str, str]) -> tuple[float, float, float]:
        rows = self.results[key]
        return tuple(statistics.median(r[i] for r in rows) for i in range(3))  # type: ignore[return-value]

    def ratio(self, kind: str, name: str, when: str) -> float:
        """The ratio citykg / Oxigraph of each run (the two passes side by side), then their median."""
        return statistics.median(a[0] / b[0] for a, b in zip(self.results[(kind, name, when)],
                                                            self.results[("DESCRIBE " + kind, name, when)],
                                                            strict=True))


def measure(release: Path, oxi: OxigraphServer, *, resources_n: int = 30_000, runs: int = 3, http: str = "granian",
            kinds: list[tuple[str, str]] | None = None, cold_seconds: int = 10, mode: str = "memory") -> Measured:
    """Runs the passes against a fresh `citykg serve` each time (cold: never asked before) beside `oxi`."""
    kinds = kinds or [("Turtle", "text/turtle"), ("HTML", "text/html")]
    cities, obs = resources(oxi.url, resources_n)
    # interleave the cities among the observations, as a crawler meets them
    step = max(1, (len(cities) + len(obs)) // max(1, len(cities)))
    mixed = list(obs)
    for i, c in enumerate(cities):
        mixed.insert(min(len(mixed), i * step), c)
    warm = mixed[:: max(1, len(mixed) // 200)][:200]
    sets = {"all": mixed, "cities": cities}
    ox_base = f"http://127.0.0.1:{oxi.port}"
    m = Measured(release, http, mode, runs, kinds, len(mixed), len(cities))
    results = m.results
    for n in range(runs):
        print(f"run {n + 1}/{runs} ...", file=sys.stderr, flush=True)
        for kind, accept in kinds:
            for name, uris in sets.items():
                again = warm if name == "all" else cities
                ck = Citykg(release, mode=mode, extra=("--http", http))  # a fresh server: never asked before
                try:
                    m.starts.append(ck.ready("/"))
                    # each citykg pass right beside Oxigraph's: a neighbour's load hits both alike
                    results.setdefault((kind, name, "cold"), []).append(
                        wrk(ck.base, local(uris), accept, once=True, seconds=cold_seconds))
                    results.setdefault(("DESCRIBE " + kind, name, "cold"), []).append(
                        wrk(ox_base, describe(uris), "application/n-triples", once=True, seconds=cold_seconds))
                    results.setdefault((kind, name, "warm"), []).append(
                        wrk(ck.base, local(again), accept, once=False))
                    results.setdefault(("DESCRIBE " + kind, name, "warm"), []).append(
                        wrk(ox_base, describe(again), "application/n-triples", once=False))
                    print(f"  {kind} {name}: " + ", ".join(
                        f"{who} {when} {results[(who, name, when)][-1][0]:,.0f}/s"
                        for when in ("cold", "warm") for who in (kind, "DESCRIBE " + kind)),
                        file=sys.stderr, flush=True)
                    m.pss.append(ck.pss_mb())
                finally:
                    ck.stop()
    return m


def print_table(m: Measured) -> None:
    print(f"resource documents: {m.release.name}, {m.resources:,} resources ({m.cities} cities), wrk 8 connections, "
          f"citykg serve --http {m.http} 2 workers ({m.mode} store) beside Oxigraph server; "
          f"medians of {m.runs} runs; "
          "ratio = median over the runs of citykg req/s / Oxigraph DESCRIBE req/s measured right after it")
    print()
    print(f"| {'documents':<34} | {'citykg':>28} | {'Oxigraph DESCRIBE':>28} | ratio |")
    print(f"|{'-' * 36}|{'-' * 30}|{'-' * 30}|-------|")
    for kind, _ in m.kinds:
        for name, label in (("all", f"{m.resources:,} resources"), ("cities", f"{m.cities} cities")):
            for when in ("cold", "warm"):
                what = "each once" if when == "cold" else "200 again and again" if name == "all" else "again and again"
                a, b = m.median((kind, name, when)), m.median(("DESCRIBE " + kind, name, when))
                print(f"| {kind + ', ' + label + ', ' + when:<34} "
                      f"| {a[0]:>8,.0f} req/s p50 {a[1]:5.2f} p99 {a[2]:6.2f} "
                      f"| {b[0]:>8,.0f} req/s p50 {b[1]:5.2f} p99 {b[2]:6.2f} | {m.ratio(kind, name, when):5.2f} |"
                      f"  ({what})")
    print("(p50 and p99 in ms)")
    if m.starts:
        print(f"start (restart of a built release): median {statistics.median(m.starts):.2f} s, "
              f"max {max(m.starts):.2f} s over {len(m.starts)} starts; memory after the passes: "
              f"median {statistics.median(m.pss):,.0f} MB PSS, max {max(m.pss):,.0f} MB (master + 2 workers)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--resources", type=int, default=30_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cold-seconds", type=int, default=10, help="wrk -d of a cold pass (it stops at the list end)")
    ap.add_argument("--http", default="granian", choices=["granian", "gunicorn"], help="citykg serve --http")
    ap.add_argument("--store-mode", default="memory", choices=["memory", "disk"],
                    help="citykg serve --store-mode (disk: the on-disk store, as `auto` chooses past 2M quads)")
    ap.add_argument("--formats", default="Turtle,HTML", help="comma-separated: Turtle, HTML")
    ap.add_argument("--release", type=Path, help="serve this release instead of building one")
    args = ap.parse_args(argv)

    kinds = [(k, a) for k, a in (("Turtle", "text/turtle"), ("HTML", "text/html")) if k in args.formats.split(",")]
    release = args.release
    if release is None:
        data = generated(args.triples, ontology=False)
        release = DATA / f"release-built-{args.triples}"
        if not (release / "documents.sqlite").is_file():
            print("building ...", file=sys.stderr, flush=True)
            seconds = run([str(BIN / "citykg"), "build", "--quiet", "--out", str(release), "--include", str(data)],
                          cwd=ROOT, stdout=subprocess.DEVNULL)
            print(f"  citykg build --include: {seconds:.1f} s (pre-rendering included)", file=sys.stderr)
    work = DATA / f"stores-{release.name}"
    work.mkdir(parents=True, exist_ok=True)
    oxi = OxigraphServer(release / "dataset.nq", work)
    try:
        m = measure(release, oxi, resources_n=args.resources, runs=args.runs, http=args.http, kinds=kinds,
                    cold_seconds=args.cold_seconds, mode=args.store_mode)
    finally:
        oxi.stop()
    print()
    print_table(m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
