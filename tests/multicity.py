"""A release of many cities for the interfaces that match names and join across cities
(reconciliation, Triple Pattern Fragments, sitemaps): the 37 texts of the extraction corpus plus
Nanchang with its sidecar, Chinese and other-language labels from sidecars written here, and
alternative labels (skos:altLabel) from an include, built with `citykg build` once per session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus"
BASE = "https://w3id.org/citykg"

#: profile -> the sidecar's city labels by language
LABELS = {
    "ganzhou": {"zh": "赣州市"},
    "quanzhou": {"zh": "泉州市"},
    "luoyang": {"zh": "洛阳市"},
    "suzhou": {"zh": "苏州市"},
    "xian": {"zh": "西安市"},
    "shaoxing": {"zh": "绍兴市"},
    "krakow": {"pl": "Kraków", "de": "Krakau"},
    "sevilla": {"es": "Sevilla"},
    "ghent": {"nl": "Gent", "fr": "Gand"},
}

#: skos:altLabel of cities (slug -> labels)
ALT_LABELS = {
    "krakow": ['"Cracow"@en', '"Cracovia"@it'],
    "lyon": ['"Lyons"@en'],
    "porto": ['"Oporto"@en'],
    "xi-an": ['"Xian"@en', '"Sian"@en'],
}


def build(folder: Path) -> Path:
    """Builds the release into `folder/dist` and returns it."""
    seeds = folder / "seeds"
    profiles = seeds / "profiles"
    profiles.mkdir(parents=True)
    for txt in CORPUS.glob("*.txt"):
        shutil.copy(txt, profiles / txt.name)
    for name in ("nanchang.txt", "nanchang.yaml"):
        shutil.copy(ROOT / "seeds" / "profiles" / name, profiles / name)
    for name, labels in LABELS.items():
        lines = ["city:", "  labels:"] + [f"    {lang}: {text}" for lang, text in labels.items()]
        (profiles / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    include = folder / "alt-labels.ttl"
    include.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        + "".join(f"<{BASE}/id/city/{slug}> skos:altLabel {', '.join(labels)} .\n"
                  for slug, labels in ALT_LABELS.items()),
        encoding="utf-8",
    )
    out = folder / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "citykg.cli", "build", "--quiet", "--seeds", str(seeds), "--out", str(out),
         "--include", str(include)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"citykg build failed:\n{proc.stdout}\n{proc.stderr}")
    return out
