"""Bounded load test, run by hand against gunicorn on loopback.

    .venv/bin/python bench/load.py [--release DIR] [--clients 32] [--duration 60] [--workers 2]
                                   [--timeout 10] [--runaway 4]

1. starts `citykg serve` on the release (default: bench/data/release-built-1000000, a 1M-triple
   release built with `citykg build --include` from bench/generate.py's catalogue; built here when
   missing) on 127.0.0.1, rate limits off (every client here has the same address; the limits are
   tested in tests/test_ratelimit.py), `CITYKG_SPARQL_TIMEOUT=--timeout`;
2. discovers cities, landmarks, indicators and words through /sparql (not measured), warms up;
3. baseline: `--clients` threads, each with one keep-alive connection (http.client), send mixed
   traffic for `--duration` seconds: HTML pages (home, city and landmark pages), negotiated
   documents (/id/ 303s and /doc/ with Turtle, JSON-LD, N-Triples, RDF/XML by Accept), search
   (JSON and HTML) and a SPARQL mix (nine query shapes, half of them repeated so the cache
   answers, half with fresh parameters);
4. runaway: the same load again for `--duration` seconds, and `--runaway` cartesian-product
   queries sent from their own connections at 5 s into it; each must end with 503 at the
   timeout, and every kind's p99 must stay below twice its baseline;
5. prints a table: per kind, requests, p50 and p99 (ms) in both phases, p99 ratio, errors; the
   runaway queries with status and seconds; and exits 1 when a criterion fails.

Only loopback, bounded in time (about 2 x duration + start-up) and in clients.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = ROOT / "bench" / "data"
BASE = "https://w3id.org/citykg"
sys.path.insert(0, str(ROOT / "bench"))

from sparql_bench import MIX, PREFIXES  # noqa: E402 - the nine query shapes of the SPARQL benchmark

KINDS = ("page", "document", "search", "sparql")
WEIGHTS = (30, 25, 15, 30)
DOC_ACCEPT = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(STR(?c) != \"{n}\") }}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_release(path: Path | None, triples: int) -> Path:
    if path is not None:
        return path
    release = DATA / f"release-built-{triples}"
    if (release / "manifest.json").exists():
        return release
    catalogue = DATA / f"catalogue-{triples}-data.nq.gz"
    if not catalogue.exists():
        print(f"generating {triples} triples into {catalogue} ...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples),
                        "--out", str(catalogue), "--no-ontology"], check=True)
    print(f"building {release} ...", flush=True)
    subprocess.run([str(BIN / "citykg"), "build", "--quiet", "--out", str(release), "--include", str(catalogue)],
                   check=True, cwd=ROOT)
    return release


class Conn:
    """One keep-alive connection; reconnects when the server closed it."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.port, self.timeout = port, timeout
        self.c: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.c.request(method, path, body=body, headers=headers or {})
                r = self.c.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.c is not None:
            self.c.close()
            self.c = None


def sparql_post(conn: Conn, query: str) -> tuple[int, bytes]:
    return conn.request("POST", "/sparql", urlencode({"query": query}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": "application/sparql-results+json, text/turtle;q=0.9"})


def discover(port: int) -> dict[str, list[str]]:
    import json

    conn = Conn(port)

    def col(q: str) -> list[str]:
        status, body = sparql_post(conn, PREFIXES + q)
        assert status == 200, (status, body[:300])
        rows = json.loads(body)["results"]["bindings"]
        return [next(iter(r.values()))["value"] for r in rows]

    found = {
        "city": col("SELECT ?c WHERE { ?c a ckg:City } ORDER BY ?c LIMIT 300"),
        "landmark": col("SELECT ?l WHERE { ?l a ckg:Landmark } ORDER BY ?l LIMIT 300"),
        "indicator": col("SELECT DISTINCT ?i WHERE { ?i skos:inScheme ckg:indicator ; ckg:unit ?u } ORDER BY ?i"),
        "word": ["chang", "nan", "river", "temple", "zhou", "lin", "shan", "ming", "hai", "feng", "tai", "jiang",
                 "南昌", "park", "qing yang", "wu"],
    }
    conn.close()
    if not found["landmark"]:
        found["landmark"] = found["city"]
    return found


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            if ok:
                self.times[kind].append(seconds)
            else:
                self.errors[kind] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {detail}")


def local(uri: str) -> str:
    return uri[len(BASE):] if uri.startswith(BASE) else uri


def one_request(conn: Conn, kind: str, v: dict[str, list[str]], rnd: random.Random) -> tuple[int, bytes, str]:
    if kind == "page":
        pick = rnd.random()
        if pick < 0.1:
            path = "/"
        else:
            uri = rnd.choice(v["city"] if pick < 0.6 else v["landmark"])
            path = local(uri).replace("/id/", "/doc/", 1)
        status, body = conn.request("GET", path, headers={"Accept": "text/html", "Accept-Encoding": "gzip"})
        return status, body, path
    if kind == "document":
        uri = rnd.choice(v["city"] if rnd.random() < 0.5 else v["landmark"])
        if rnd.random() < 0.2:
            path = local(uri)  # /id/ -> 303
            status, body = conn.request("GET", path, headers={"Accept": "text/turtle"})
            return (200 if status == 303 else status), body, path
        path = local(uri).replace("/id/", "/doc/", 1)
        status, body = conn.request("GET", path, headers={"Accept": rnd.choice(DOC_ACCEPT)})
        return status, body, path
    if kind == "search":
        word = rnd.choice(v["word"])
        fmt = "json" if rnd.random() < 0.7 else "html"
        path = "/search?" + urlencode({"q": word, "format": fmt})
        status, body = conn.request("GET", path)
        return status, body, path
    name = rnd.choice(list(MIX))
    if rnd.random() < 0.5:  # a popular query: answered from the cache after its first time
        city, indicator, word = v["city"][0], v["indicator"][0], v["word"][0]
    else:
        city, indicator, word = rnd.choice(v["city"]), rnd.choice(v["indicator"]), rnd.choice(v["word"])
    query = PREFIXES + MIX[name].format(city=city, indicator=indicator, word=word, n=0)
    status, body = sparql_post(conn, query)
    return status, body, name


def client_loop(port: int, v: dict[str, list[str]], rec: Recorder, stop: float, seed: int) -> None:
    rnd = random.Random(seed)
    conn = Conn(port)
    while time.monotonic() < stop:
        kind = rnd.choices(KINDS, WEIGHTS)[0]
        started = time.perf_counter()
        try:
            status, body, what = one_request(conn, kind, v, rnd)
            ok = status == 200
            detail = f"{status} {what[:80]} {body[:120]!r}"
        except Exception as exc:  # noqa: BLE001 - every failure is an error of the run
            ok, detail = False, f"{type(exc).__name__}: {exc}"
            conn.close()
        rec.add(kind, time.perf_counter() - started, ok, detail)
    conn.close()


def run_phase(port: int, v: dict[str, list[str]], clients: int, duration: float, seed: int,
              runaway: int = 0, runaway_at: float = 5.0, timeout: float = 10.0) -> tuple[Recorder, list]:
    rec = Recorder()
    stop = time.monotonic() + duration
    threads = [threading.Thread(target=client_loop, args=(port, v, rec, stop, seed * 1000 + i), daemon=True)
               for i in range(clients)]
    runaways: list[tuple[int, float, str]] = []

    def send_runaway(n: int) -> None:
        time.sleep(runaway_at + 0.25 * n)
        conn = Conn(port, timeout=timeout + 30)
        started = time.perf_counter()
        try:
            status, body = sparql_post(conn, PREFIXES + CARTESIAN.format(n=f"{seed}-{n}"))
            runaways.append((status, time.perf_counter() - started, body[:100].decode("utf-8", "replace")))
        except Exception as exc:  # noqa: BLE001
            runaways.append((0, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"))
        conn.close()

    threads += [threading.Thread(target=send_runaway, args=(n,), daemon=True) for n in range(runaway)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 60)
    return rec, runaways


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))] * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--release", type=Path, default=None, help="release folder (default: 1M-triple bench release)")
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the default release")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=60, help="seconds per phase (baseline, runaway)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--timeout", type=float, default=10, help="SPARQL_TIMEOUT of the server (s)")
    ap.add_argument("--runaway", type=int, default=4, help="cartesian-product queries sent during phase 2")
    ap.add_argument("--warmup", type=float, default=20, help="seconds of load before the baseline")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    assert 1 <= args.clients <= 256 and 1 <= args.duration <= 600, "bounded runs only"

    release = ensure_release(args.release, args.triples)
    port = free_port()
    env = dict(os.environ, CITYKG_RATELIMIT_ENABLED="0", CITYKG_SPARQL_TIMEOUT=str(args.timeout))
    log = open(DATA / "load-gunicorn.log", "wb")  # noqa: SIM115 - closed below
    started = time.monotonic()
    proc = subprocess.Popen([str(BIN / "citykg"), "serve", "--release", str(release), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(args.workers), "--store-mode", "memory"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"citykg serve exited with {proc.returncode}; see {log.name}")
            try:
                if Conn(port, 5).request("GET", "/sparql?query=ASK%7B%7D")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("citykg serve did not start")
            time.sleep(0.5)
        print(f"release {release}: served after {time.monotonic() - started:.1f} s "
              f"({args.workers} gthread workers, SPARQL timeout {args.timeout:g} s)", flush=True)
        values = discover(port)
        print(f"targets: {len(values['city'])} cities, {len(values['landmark'])} landmarks, "
              f"{len(values['indicator'])} indicators", flush=True)
        print(f"warm-up: {args.warmup:g} s ...", flush=True)
        run_phase(port, values, args.clients, args.warmup, seed=args.seed + 1)  # fork query workers, fill caches
        print(f"baseline: {args.clients} clients x {args.duration:g} s ...", flush=True)
        base, _ = run_phase(port, values, args.clients, args.duration, seed=args.seed)
        print(f"with {args.runaway} runaway queries: {args.clients} clients x {args.duration:g} s ...", flush=True)
        load, runaways = run_phase(port, values, args.clients, args.duration, seed=args.seed + 2,
                                   runaway=args.runaway, timeout=args.timeout)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()

    failed = []
    print()
    print(f"{'kind':<10} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} | {'requests':>9} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'p99 x':>6}")
    print(f"{'':<10} {'baseline':-^35} | {'with runaway queries':-^42}")
    for kind in (*KINDS, "all"):
        if kind == "all":
            b = [t for k in KINDS for t in base.times[k]]
            r = [t for k in KINDS for t in load.times[k]]
            be, re_ = sum(base.errors.values()), sum(load.errors.values())
        else:
            b, r, be, re_ = base.times[kind], load.times[kind], base.errors[kind], load.errors[kind]
        ratio = pct(r, 99) / pct(b, 99) if b and r else float("nan")
        print(f"{kind:<10} {len(b) + be:>9} {pct(b, 50):>8.1f} {pct(b, 99):>8.1f} {be:>7} | {len(r) + re_:>9} "
              f"{pct(r, 50):>8.1f} {pct(r, 99):>8.1f} {re_:>7} {ratio:>6.2f}")
        if be or re_:
            failed.append(f"{kind}: {be + re_} errors")
        if kind != "all" and not ratio < 2:
            failed.append(f"{kind}: p99 {ratio:.2f}x its baseline")
    total_b = sum(len(base.times[k]) + base.errors[k] for k in KINDS)
    total_r = sum(len(load.times[k]) + load.errors[k] for k in KINDS)
    print(f"throughput: {total_b / args.duration:.0f} req/s baseline, {total_r / args.duration:.0f} req/s "
          f"with runaway queries")
    print()
    print(f"runaway queries (cartesian products, timeout {args.timeout:g} s):")
    for i, (status, seconds, text) in enumerate(sorted(runaways, key=lambda r: r[1])):
        print(f"  #{i + 1}: {status} after {seconds:.2f} s  {text.splitlines()[0][:70] if text else ''}")
        # client-side time: the timeout plus the time the request waited in gunicorn's queue
        if status != 503 or "timed out" not in text or not args.timeout - 0.5 <= seconds <= args.timeout + 3:
            failed.append(f"runaway #{i + 1}: {status} after {seconds:.2f} s")
    if len(runaways) != args.runaway:
        failed.append(f"{args.runaway - len(runaways)} runaway queries got no answer")
    for sample in base.samples + load.samples:
        print("  error:", sample)
    print()
    print("PASS" if not failed else "FAIL: " + "; ".join(failed))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
