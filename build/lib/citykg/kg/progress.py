"""Progress of the long build steps: a rich progress bar with counts and rates, or nothing (--quiet)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", justify="right")


class Step:
    """One running step; `advance` counts what it has done."""

    def __init__(self, progress: Progress | None, task: int | None) -> None:
        self.progress = progress
        self.task = task
        self.count = 0

    def advance(self, n: int = 1) -> None:
        self.count += n
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, advance=n)

    def total(self, total: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, total=total)


class Steps:
    """Reports build steps to a progress display (optional) and a log function."""

    def __init__(self, progress: Progress | None = None, log: Callable[[str], None] = lambda _m: None) -> None:
        self.progress = progress
        self.log = log

    @contextmanager
    def step(self, description: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        task = self.progress.add_task(description, total=total) if self.progress is not None else None
        step = Step(self.progress, task)
        start = time.perf_counter()
        yield step
        seconds = time.perf_counter() - start
        if self.progress is not None and task is not None:
            done = step.count if total is None else total
            self.progress.update(task, total=max(done, 1), completed=max(done, 1))
        if unit:
            rate = f", {step.count / seconds:,.0f} {unit}/s" if seconds > 0 and step.count else ""
            self.log(f"{description}: {step.count:,} {unit} in {seconds:.1f} s{rate}")
        else:
            self.log(f"{description}: {seconds:.1f} s")


def rich_progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
