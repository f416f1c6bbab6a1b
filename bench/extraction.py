"""Extraction quality on the corpus of tests/data/corpus: recall and precision per field, refusals, wrong values.

    .venv/bin/python bench/extraction.py [--corpus DIR] [--verbose]

Runs the extractor (`citykg.kg.extract.extract`) on every `NAME.txt` of the corpus and scores it
against `NAME.expected.yaml` with the scorer of tests/corpus.py (imported by path: the tests and the
bench share one scorer).  A refusal (`ExtractError`) is counted, not fatal; the exit status is 0
whatever the scores (it measures, it does not judge: the thresholds live in the tests).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import corpus  # noqa: E402  (tests/corpus.py: loader and scorer)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=corpus.CORPUS, help="folder of NAME.txt + NAME.expected.yaml")
    ap.add_argument("--verbose", "-v", action="store_true", help="also list every miss and every extra")
    args = ap.parse_args(argv)

    cases = corpus.load_corpus(args.corpus)
    if not cases:
        print(f"no texts in {args.corpus}")
        return 0
    from citykg.kg.extract import extract

    scores = [corpus.score(case, corpus.run_case(case, extract)) for case in cases]
    t = corpus.totals(scores)
    styles = Counter(c.style for c in cases)
    print(f"corpus: {args.corpus} — {t.cases} texts ({', '.join(f'{n} {s}' for s, n in sorted(styles.items()))})")
    print()
    print(t.table())
    print()
    refused_by_style = Counter(s.case.style for s in scores if s.refused is not None)
    print(f"refusals: {len(t.refusals)} of {t.cases}"
          + (f" ({', '.join(f'{n} {s}' for s, n in sorted(refused_by_style.items()))})" if t.refusals else ""))
    for name, message in t.refusals:
        print(f"  {name}: {message.split(': ', 1)[-1]}")
    if t.crashes:
        print(f"crashes: {len(t.crashes)}")
        for name, message in t.crashes:
            print(f"  {name}: {message}")
    print()
    print(f"wrong values: {len(t.wrong)}")
    for issue in t.wrong:
        print(f"  {issue.file}: {issue.field}: got {issue.got}; expected {issue.expected or '(none)'}; "
              f"stated {issue.stated!r} — {issue.why}")
    if args.verbose:
        print()
        print(f"misses: {len(t.misses)}")
        for issue in t.misses:
            print(f"  {issue}")
        print()
        print(f"extras: {len(t.extras)}")
        for issue in t.extras:
            print(f"  {issue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
