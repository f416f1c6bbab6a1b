"""Helpers of the releases tests: seeds copied from tests/data and edited, `citykg` run as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "tests" / "data" / "profiles"


def citykg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=600)


def seeds(folder: Path, cities: tuple[str, ...] = ("harbourfield", "lakeview", "pinecrest")) -> Path:
    """A seeds folder with the test profiles of `cities` (their .txt only)."""
    (folder / "profiles").mkdir(parents=True)
    for city in cities:
        shutil.copy(PROFILES / f"{city}.txt", folder / "profiles" / f"{city}.txt")
    return folder


def edit(seeds_folder: Path, city: str, old: str, new: str) -> None:
    path = seeds_folder / "profiles" / f"{city}.txt"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
