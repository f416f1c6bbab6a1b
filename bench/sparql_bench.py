"""SPARQL benchmark, run by hand: citykg's /sparql (gunicorn) against Oxigraph server's /query.

    .venv/bin/python bench/sparql_bench.py [--triples 1000000] [--runs 15] [--workers 2]

1. generates the dataset with bench/generate.py (cached in bench/data/, git-ignored) and wraps
   it as a release folder (dataset.nq + manifest.json);
2. starts `citykg serve` on it (gunicorn, embedded in-memory store) and `oxigraph serve-read-only`
   (RocksDB, loaded with `oxigraph load`, `--union-default-graph`), both on loopback;
3. runs a mix of nine queries, alternating the two servers, each with `--runs` variants (another
   city, indicator or theme each run, so that citykg's result cache never answers a first
   execution) and prints the median time of each, their ratio and the geometric mean;
4. repeats one variant of each query `--runs` times on citykg (served from its result cache,
   keyed by the release) and prints the speed-up over first executions.

Times are client-side wall times of one HTTP request, JSON results (SPARQL JSON for SELECT/ASK,
N-Triples for DESCRIBE), including transfer.  The client is `http.client` with one persistent
(keep-alive) connection per server, the same for both: it adds ~0.05 ms per request, where
`requests` adds ~0.5 ms, which would hide most of a server's own per-request cost.  Queries are
sent by POST (application/x-www-form-urlencoded) to both servers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = ROOT / "bench" / "data"
BASE = "https://w3id.org/citykg"

PREFIXES = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX schema: <https://schema.org/>
PREFIX ckg: <{BASE}/def/>
"""

#: name -> template; {city}, {indicator}, {theme}, {word}, {n} are filled per run
MIX: dict[str, str] = {
    "point lookup": "SELECT ?p ?o WHERE {{ <{city}> ?p ?o }}",
    "DESCRIBE": "DESCRIBE <{city}>",
    "city series": """SELECT ?period ?value WHERE {{
  ?obs sdmx-dimension:refArea <{city}> ; ckg:indicator <{indicator}> ;
       sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?value }} ORDER BY ?period""",
    "top-10 ORDER BY": """SELECT ?city ?value WHERE {{
  ?obs ckg:indicator <{indicator}> ; sdmx-dimension:refArea ?city ; sdmx-measure:obsValue ?value ;
       sdmx-dimension:refPeriod <http://reference.data.gov.uk/id/year/2020> }}
ORDER BY DESC(?value) LIMIT 10""",
    "GROUP BY average": """SELECT ?period (AVG(?value) AS ?avg) WHERE {{
  ?obs ckg:indicator <{indicator}> ; sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?value }}
GROUP BY ?period ORDER BY ?period""",
    "COUNT": "SELECT (COUNT(?obs) AS ?n) WHERE {{ ?obs a qb:Observation ; ckg:indicator <{indicator}> }}",
    "label search": """SELECT ?s ?label WHERE {{ ?s rdfs:label ?label
  FILTER(CONTAINS(LCASE(STR(?label)), "{word}")) }} LIMIT 20""",
    "join across themes": """SELECT ?other (COUNT(?theme) AS ?shared) WHERE {{
  <{city}> ckg:seeksCooperationOn ?theme . ?other ckg:seeksCooperationOn ?theme .
  FILTER(?other != <{city}>) }} GROUP BY ?other ORDER BY DESC(?shared) ?other LIMIT 10""",
    "OPTIONAL-heavy": """SELECT ?obs ?value ?unit ?qualifier ?stated ?source ?industry WHERE {{
  ?obs sdmx-dimension:refArea <{city}> ; sdmx-measure:obsValue ?value .
  OPTIONAL {{ ?obs sdmx-attribute:unitMeasure ?unit }}
  OPTIONAL {{ ?obs ckg:valueQualifier/skos:prefLabel ?qualifier }}
  OPTIONAL {{ ?obs ckg:statedAs ?stated }}
  OPTIONAL {{ ?obs ckg:sourceText ?source }}
  OPTIONAL {{ ?obs ckg:industry ?industry }} }}""",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{what} did not start")


def prepare(triples: int) -> Path:
    """bench/data/release-N/: the generated dataset as a release folder."""
    release = DATA / f"release-{triples}"
    if (release / "manifest.json").exists():
        return release
    release.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "bench"))
    import generate  # bench/generate.py

    print(f"generating {triples} triples ...", flush=True)
    generate.generate(release / "dataset.nq", triples)
    with open(release / "dataset.nq", "rb") as f:
        n = sum(1 for _ in f)
    manifest = {"software": {"name": "citykg", "version": "bench"}, "base": BASE,
                "built": "2026-01-01T00:00:00Z", "title": f"citykg benchmark ({n} triples)",
                "conforms": True, "triples": n, "files": []}
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return release


def discover(url: str) -> dict[str, list[str]]:
    def col(q: str) -> list[str]:
        r = requests.post(url, data={"query": PREFIXES + q}, headers={"Accept": "application/sparql-results+json"},
                          timeout=120)
        r.raise_for_status()
        return [next(iter(b.values()))["value"] for b in r.json()["results"]["bindings"]]

    return {
        "city": col("SELECT ?c WHERE { ?c a ckg:City } ORDER BY ?c LIMIT 200"),
        "indicator": col("SELECT DISTINCT ?i WHERE { ?i skos:inScheme ckg:indicator ; ckg:unit ?u } ORDER BY ?i"),
        "word": ["chang 1", "nan", "river", "temple", "zhou 2", "lin", "shan", "ming", "hai", "feng", "tai 3",
                 "wu", "bei", "jiang 4", "kai", "qing", "rui", "yang", "xin", "he"],
    }


class Client:
    """One keep-alive HTTP/1.1 connection to a server (reopened if the server closes it)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        self.reconnects = 0

    def post(self, query: str, accept: str) -> tuple[int, dict[str, str], bytes]:
        body = urlencode({"query": query})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        for attempt in (0, 1):
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return r.status, {k.lower(): v for k, v in r.getheaders()}, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt:
                    raise
                self.conn.close()
                self.reconnects += 1
        raise AssertionError("unreachable")


def timed(client: Client, query: str, accept: str) -> float:
    t = time.perf_counter()
    status, _, body = client.post(query, accept)
    elapsed = time.perf_counter() - t
    if status != 200:
        raise SystemExit(f"{client.path} answered {status}: {body[:300]!r}\n{query}")
    return elapsed


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers of citykg")
    args = ap.parse_args(argv)

    release = prepare(args.triples)
    db = DATA / f"oxigraph-{args.triples}"
    if not db.exists():
        print("loading the Oxigraph server's database ...", flush=True)
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(db), "--file",
                        str(release / "dataset.nq")], check=True)
    procs: list[subprocess.Popen] = []
    try:
        ox_port, ck_port = free_port(), free_port()
        ox_url, ck_url = f"http://127.0.0.1:{ox_port}/query", f"http://127.0.0.1:{ck_port}/sparql"
        procs.append(subprocess.Popen(
            [str(BIN / "oxigraph"), "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{ox_port}",
             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))
        env = dict(os.environ, CITYKG_SPARQL_TIMEOUT="60", CITYKG_SPARQL_MAX_ROWS="100000",
                   CITYKG_RATELIMIT_ENABLED="0")
        started = time.monotonic()
        procs.append(subprocess.Popen(
            [str(BIN / "citykg"), "serve", "--release", str(release), "--port", str(ck_port),
             "--workers", str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, start_new_session=True, cwd=ROOT))
        wait_for(ox_url, procs[0], "oxigraph server")
        wait_for(ck_url, procs[1], "citykg serve")
        print(f"citykg serve ready after {time.monotonic() - started:.1f} s", flush=True)
        values = discover(ox_url)
        themes_per_city = values["city"]
        client_ck, client_ox = Client(ck_url), Client(ox_url)
        # warm both servers (first fork of the query workers, page cache of RocksDB): one query of
        # each kind, not a variant the timed runs use
        for name, template in MIX.items():
            accept = "application/n-triples" if name == "DESCRIBE" else "application/sparql-results+json"
            query = PREFIXES + template.format(city=themes_per_city[-1], indicator=values["indicator"][-1],
                                               word="warm", n=-1) + "\n# warm-up"
            for client in (client_ck, client_ox):
                for _ in range(2):
                    timed(client, query, accept)

        rows = []
        for name, template in MIX.items():
            accept = "application/n-triples" if name == "DESCRIBE" else "application/sparql-results+json"
            ck_times, ox_times = [], []
            for i in range(args.runs):
                query = PREFIXES + template.format(
                    city=themes_per_city[(i * 7) % len(themes_per_city)],
                    indicator=values["indicator"][i % len(values["indicator"])],
                    word=values["word"][i % len(values["word"])], n=i,
                ) + f"\n# {name} run {i}"
                # alternate which server goes first
                pair = [(client_ck, ck_times), (client_ox, ox_times)]
                for client, out in pair if i % 2 == 0 else reversed(pair):
                    out.append(timed(client, query, accept))
            repeat_query = query
            rep_times = [timed(client_ck, repeat_query, accept) for _ in range(args.runs)]
            ck, oxm, rep = (statistics.median(ck_times), statistics.median(ox_times), statistics.median(rep_times))
            rows.append((name, ck, oxm, ck / oxm, rep, ck / rep))
            print(f"  {name}: done", flush=True)

        print()
        print(f"{args.triples} triples requested, {args.runs} runs per query, medians in ms "
              f"(citykg: gunicorn {args.workers} gthread workers, embedded store; Oxigraph server: RocksDB)")
        header = (f"{'query':<20} {'citykg first':>13} {'oxigraph':>10} {'ratio':>7} "
                  f"{'citykg repeat':>14} {'speed-up':>9}")
        print(header)
        print("-" * len(header))
        for name, ck, oxm, ratio, rep, speed in rows:
            print(f"{name:<20} {ck * 1000:>13.2f} {oxm * 1000:>10.2f} {ratio:>7.2f} {rep * 1000:>14.2f} {speed:>8.1f}x")
        print("-" * len(header))
        print(f"{'geometric mean':<20} {'':>13} {'':>10} {geomean([r[3] for r in rows]):>7.2f} {'':>14} "
              f"{geomean([r[5] for r in rows]):>8.1f}x")
        print(f"repeated queries at least 10x faster than first executions: "
              f"{sum(r[5] >= 10 for r in rows)} of {len(rows)}")
        print("client: http.client, one keep-alive connection per server, POST form; "
              f"reconnects citykg {client_ck.reconnects}, oxigraph {client_ox.reconnects}")
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
