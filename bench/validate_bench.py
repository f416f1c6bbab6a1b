"""SHACL validation: pyshacl (kg.validate, the reference) against kg.fastshacl, same shapes, same data.

    python bench/validate_bench.py [--sizes 100000 1000000] [--repeat 3] [--no-pyshacl-above N]

For each size a synthetic catalogue is generated (bench/generate.py, cached in bench/data/) and
validated by both; the table gives median seconds of validation proper (pyshacl: validate_graph on
an rdflib Graph; fast path: validate_store on a pyoxigraph Store), the load times separately, the
ratio, and whether the two reports hold the same results.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
from citykg.kg.fastshacl import load_store, validate_store  # noqa: E402
from citykg.kg.validate import load_shapes, validate_graph  # noqa: E402
from rdflib import Dataset, Graph  # noqa: E402

from citykg.uris import UriPolicy  # noqa: E402


def _timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _keys(report) -> set[tuple]:
    return {(v.focus, v.component, v.shape, v.value) for v in report.results}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="runs of the fast path (median); pyshacl runs once")
    ap.add_argument("--pyshacl-repeat", type=int, default=1)
    ap.add_argument("--no-pyshacl-above", type=int, default=10**9, help="skip pyshacl above this size")
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    args = ap.parse_args(argv)
    shapes = load_shapes(UriPolicy())
    rows = []
    for size in args.sizes:
        path = args.data / f"catalogue-{size}.nq.gz"
        if not path.exists():
            generate.generate(path, size)
        t_load_fast, store = _timed(lambda p=path: load_store(p), 1)
        t_fast, fast = _timed(lambda s=store: validate_store(s, shapes), args.repeat)
        t_load_ref = t_ref = None
        same = "-"
        if size <= args.no_pyshacl_above:
            def load(p=path):
                ds = Dataset()
                ds.parse(p, format="nquads") if not str(p).endswith(".gz") else ds.parse(
                    data=__import__("gzip").open(p, "rt", encoding="utf-8").read(), format="nquads")
                g = Graph()
                for s, pr, o, _g in ds.quads():
                    g.add((s, pr, o))
                return g
            t_load_ref, graph = _timed(load, 1)
            t_ref, ref = _timed(lambda g=graph: validate_graph(g, shapes), args.pyshacl_repeat)
            same = "yes" if (_keys(ref) == _keys(fast) and ref.conforms == fast.conforms) else "NO"
        rows.append((size, len(store), t_load_ref, t_ref, t_load_fast, t_fast, same, fast.conforms))
        print(f"... {size}: done", file=sys.stderr, flush=True)

    def f(x):
        return f"{x:8.2f}" if x is not None else "       -"

    print(f"{'triples':>10} {'rdflib load':>11} {'pyshacl s':>9} {'ox load':>8} {'fast s':>8} {'ratio':>7} "
          f"{'same':>5} {'conforms':>8}")
    for _size, n, lr, r, lf, fs, same, conforms in rows:
        ratio = f"{r / fs:6.1f}x" if r is not None else "      -"
        print(f"{n:>10} {f(lr):>11} {f(r):>9} {f(lf)} {f(fs)} {ratio:>7} {same:>5} {str(conforms):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
