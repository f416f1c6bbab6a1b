"""Three releases of changing seeds, built with the real `citykg build --releases`, and a real
`citykg serve --releases` over them (used by test_releases_served.py and test_memento.py).

- 2026.1: Harbourfield and Pinecrest;
- 2026.2: Harbourfield's population edited (21,893,000 -> 22,500,000), Lakeview added;
- 2026.3: the sentence with Harbourfield's districts removed (a fact removed), Pinecrest removed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "tests" / "data" / "profiles"
VERSIONS = ("2026.1", "2026.2", "2026.3")
#: the page types of a folder of releases (tests/test_releases_browser.py, tests/test_html_valid.py)
PAGES = [f"/release/{VERSIONS[0]}/doc/city/harbourfield",
         f"/release/{VERSIONS[1]}/doc/observation/harbourfield/population", "/release/", "/changes",
         f"/release/{VERSIONS[1]}/changes", f"/release/{VERSIONS[0]}/", "/release/1999.9/"]
CITYKG = Path(sys.executable).with_name("citykg")


def citykg(*args: str) -> list[str]:
    if CITYKG.exists():
        return [str(CITYKG), *args]
    return [sys.executable, "-m", "citykg.cli", *args]


@dataclass
class Built:
    folder: Path  # the releases folder
    manifests: dict[str, dict]  # version -> manifest.json

    def built(self, version: str) -> str:
        return self.manifests[version]["built"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer has {old!r}: the test's edit must change something"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _build(seeds: Path, folder: Path, version: str) -> None:
    proc = subprocess.run(citykg("build", "--quiet", "--seeds", str(seeds), "--releases", str(folder),
                                 "--version", version),
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"citykg build --releases {folder} --version {version} failed:\n"
                           f"{proc.stdout}\n{proc.stderr}")


def build_series(tmp: Path) -> Built:
    seeds = tmp / "seeds"
    profiles = seeds / "profiles"
    profiles.mkdir(parents=True)
    for name in ("harbourfield.txt", "pinecrest.txt"):
        shutil.copy(PROFILES / name, profiles / name)
    folder = tmp / "releases"
    _build(seeds, folder, VERSIONS[0])
    time.sleep(1.1)  # build times one second apart at least (HTTP dates have seconds)
    _edit(profiles / "harbourfield.txt", "approximately 21,893,000", "approximately 22,500,000")
    shutil.copy(PROFILES / "lakeview.txt", profiles / "lakeview.txt")
    _build(seeds, folder, VERSIONS[1])
    time.sleep(1.1)
    _edit(profiles / "harbourfield.txt", " Harbourfield is divided into 16 districts.", "")
    (profiles / "pinecrest.txt").unlink()
    _build(seeds, folder, VERSIONS[2])
    manifests = {v: json.loads((folder / v / "manifest.json").read_text()) for v in VERSIONS}
    return Built(folder, manifests)
