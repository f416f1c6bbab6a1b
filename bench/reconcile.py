"""How fast `/reconcile` answers batches of 100 queries, as OpenRefine sends them.

    .venv/bin/python bench/reconcile.py [--release DIR] [--batches 20] [--size 100]

Without --release it builds the many-city test release (tests/multicity.py: the 37 corpus texts,
Nanchang, Chinese and alternative labels) into bench/data/reconcile-multicity/ once. The queries
are the release's own city, province and landmark names, a third as written, a third with a
letter dropped and the case changed, a third with accents stripped or Chinese without 市; every
batch is a POST of the form field ``queries`` through the Flask test client (routing, JSON in and
out included, no network). Prints the time to build the index (first request) and the median,
90th percentile and worst batch, and how often the expected thing came first.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from citykg.server import reconcile  # noqa: E402
from citykg.server.app import create_app  # noqa: E402
from citykg.server.search import fold  # noqa: E402


def variant(rng: random.Random, name: str, kind: int) -> str:
    if kind == 0:
        return name
    if kind == 1 and len(name) > 4 and not reconcile._is_cjk(name):
        i = rng.randrange(1, len(name) - 1)
        return (name[:i] + name[i + 1:]).upper() if rng.random() < 0.5 else (name[:i] + name[i + 1:]).lower()
    if reconcile._is_cjk(name):
        return name.removesuffix("市")
    return fold(name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--release", type=Path)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--size", type=int, default=100)
    args = ap.parse_args()
    release = args.release
    if release is None:
        import multicity

        folder = ROOT / "bench" / "data" / "reconcile-multicity"
        release = folder / "dist"
        if not (release / "manifest.json").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            release = multicity.build(folder)
    app = create_app(release, config={"TESTING": True})
    kg = app.extensions["citykg"]
    client = app.test_client()
    start = time.perf_counter()
    assert client.post("/reconcile", data={"queries": json.dumps({"q": {"query": "x"}})}).status_code == 200
    index_s = time.perf_counter() - start
    ix = reconcile.index(kg)
    wanted = {t.id for t in ix.types[:4]}
    pool = [(n.label, uri) for uri, names in ix.labels.items() if wanted & set(ix.things[uri].types)
            for n in names]
    rng = random.Random(1)
    times, right, total = [], 0, 0
    for _ in range(args.batches):
        picks = [rng.choice(pool) for _ in range(args.size)]
        queries = {f"q{i}": {"query": variant(rng, label, i % 3)} for i, (label, _) in enumerate(picks)}
        body = {"queries": json.dumps(queries, ensure_ascii=False)}
        t0 = time.perf_counter()
        resp = client.post("/reconcile", data=body)
        times.append(time.perf_counter() - t0)
        answers = resp.json
        for i, (_, uri) in enumerate(picks):
            total += 1
            result = answers[f"q{i}"]["result"]
            # a name two things share (a landmark and its city) counts when the thing is among the tied best
            best = [r["id"] for r in result if r["score"] == result[0]["score"]] if result else []
            right += uri in best
    times.sort()
    ms = [t * 1000 for t in times]
    print(f"release: {release} ({len(kg.store):,} quads; {len(ix.things):,} things, "
          f"{sum(len(v) for v in ix.labels.values()):,} names in the index)")
    print(f"index built on the first request: {index_s * 1000:.0f} ms")
    print(f"batches of {args.size}: median {statistics.median(ms):.0f} ms, "
          f"p90 {ms[int(len(ms) * 0.9) - 1]:.0f} ms, worst {ms[-1]:.0f} ms ({args.batches} batches)")
    print(f"expected thing first (among ties): {right}/{total} ({100 * right / total:.1f} %)")


if __name__ == "__main__":
    main()
