"""Text structure of a profile: reading, blocks, sentences, lists and numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .lexicon import NUMBER_WORDS, SCALES


class ExtractError(ValueError):
    """The profile cannot be turned into a record; the message names the file and the problem."""


TERMINAL = (".", "!", "?", '"', "”", "'", "’", ")")


@dataclass
class Block:
    line: int  # 1-based line number of the first line
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(s.strip() for s in self.lines).strip()


def read_text(path: Path) -> str:
    """The profile as text; empty, binary and non-UTF-8 files are refused with the reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read: {exc.strerror}") from exc
    if not raw.strip():
        raise ExtractError(f"{path}: the file is empty")
    if b"\x00" in raw:
        raise ExtractError(f"{path}: not a text file (it contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{path}: not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def blocks_of(text: str) -> list[Block]:
    """Paragraphs separated by blank lines; a sentence broken by a blank line is joined again."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append(Block(start, current))
            current = []
    if current:
        blocks.append(Block(start, current))
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and len(prev.text.split()) >= 3
            and re.search(r"[a-z]", prev.text)
            and not prev.text.endswith(TERMINAL)
            and block.text[:1].islower()
        ):
            prev.lines = [prev.text + " " + block.text]
        else:
            merged.append(block)
    return merged


def is_prose(text: str) -> bool:
    return len(text.split()) >= 8 and bool(re.search(r"[a-z]", text))


_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|approx|No|Dr|Mr|Ms|St|km|sq)\.$", re.I)


def sentences_of(text: str) -> list[str]:
    """Splits prose into sentences, keeping quotes and parentheses with their sentence."""
    text = text.strip()
    out: list[str] = []
    start = 0
    for m in re.finditer(r'[.!?]["”’)]?(?=\s+["“(]?[A-Z0-9])', text):
        if _ABBREVIATIONS.search(text[start:m.end()]):
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def split_list(text: str) -> list[str]:
    """'a, b, c and d' -> [a, b, c, d]; the conjunction splits only the last comma item."""
    items = [i.strip() for i in re.split(r",\s+|,(?=\D)|;\s*|\s+[·•|]\s+", text) if i.strip()]  # "15,400" is a number
    if items and len(items) > 1 and items[-1].startswith("and "):
        items[-1] = items[-1][4:]  # "a, b, and c": an Oxford comma's last item, whole
        return items
    if items:
        last = items.pop()
        head, sep, tail = last.rpartition(" and ")
        if sep and head:
            items.extend([head.strip(), tail.strip()])
        else:
            items.append(last)
    return [re.sub(r"^(?:and|as well as)\s+", "", i).strip() for i in items if i.strip()]


def parse_number(num: str, scale: str | None = None) -> Decimal:
    try:
        value = Decimal(re.sub(r"[, ]", "", num))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {num!r}") from exc
    if scale:
        value *= SCALES[scale.lower()]
    return value


def count_word(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)
