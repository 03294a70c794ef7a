"""A tiny harness: medians of repeated runs, printed beside a baseline from the same run.

A benchmark module ``benchmarks/bench_<area>.py`` defines ``run(report: Report) -> None`` and calls
``report.add(...)`` once per figure. Timing asserts never go in tests; targets are printed here.

Smoke mode (``python -m benchmarks --smoke``, or ``BENCH_SMOKE=1``) runs every figure once at a tiny
size, so that the test suite notices a benchmark that crashes. Its figures mean nothing. A module takes
its sizes from `sized` and its repeats from `median_seconds`/`paired_medians`, so the code measured is
the same in both modes.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

_Size = TypeVar("_Size", int, float)


#: The environment variable behind smoke mode (``python -m benchmarks --smoke`` sets it).
SMOKE_ENV = "BENCH_SMOKE"


def smoke() -> bool:
    """Whether this is a smoke run (every figure once, at a tiny size)."""
    return os.environ.get(SMOKE_ENV, "") not in ("", "0")


def sized(full: _Size, tiny: _Size) -> _Size:
    """``full`` for a measurement, ``tiny`` in a smoke run: a row count, a repeat, a duration."""
    return tiny if smoke() else full


def _seconds(fn: Callable[[], Any]) -> float:
    """Wall time of one ``fn()``."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_seconds(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` runs (one run when smoking)."""
    repeat, warmup = sized(repeat, 1), sized(warmup, 0)
    for _ in range(warmup):
        fn()
    return statistics.median(_seconds(fn) for _ in range(repeat))


def paired_medians(
    fn_a: Callable[[], Any], fn_b: Callable[[], Any], *, repeat: int = 5
) -> tuple[float, float]:
    """Median wall times of ``fn_a()`` and ``fn_b()``, run alternately ``repeat`` times each.

    Alternating puts both under the same drift (a growing database file, the page cache, other load on
    the machine), so their ratio is steadier than that of two separate series.
    """
    times_a, times_b = [], []
    for _ in range(sized(repeat, 1)):
        times_a.append(_seconds(fn_a))
        times_b.append(_seconds(fn_b))
    return statistics.median(times_a), statistics.median(times_b)


@dataclass
class Row:
    """One figure: what, its median, and the baseline it is compared with."""

    area: str
    name: str
    seconds: float
    baseline: str = ""
    baseline_seconds: float | None = None
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """seconds / baseline_seconds."""
        if not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds


@dataclass
class Report:
    """Collects rows and prints them as one table."""

    rows: list[Row] = field(default_factory=list)
    area: str = ""

    def add(
        self,
        name: str,
        seconds: float,
        *,
        baseline: str = "",
        baseline_seconds: float | None = None,
        target: str = "",
        note: str = "",
    ) -> Row:
        """Record one figure (and print it at once, so long runs show progress)."""
        row = Row(self.area, name, seconds, baseline, baseline_seconds, target, note)
        self.rows.append(row)
        print(_fmt(row), flush=True)
        return row

    def table(self) -> str:
        """The whole report as a markdown table."""
        head = "| area | benchmark | median | baseline | baseline median | ratio | target | note |\n"
        head += "|---|---|---:|---|---:|---:|---|---|\n"
        return head + "\n".join(_fmt(r) for r in self.rows)


def _ms(s: float | None) -> str:
    if s is None:
        return ""
    return f"{s * 1000:.2f} ms" if s < 10 else f"{s:.1f} s"


def _fmt(r: Row) -> str:
    ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
    return (f"| {r.area} | {r.name} | {_ms(r.seconds)} | {r.baseline} | {_ms(r.baseline_seconds)} | {ratio} "
            f"| {r.target} | {r.note} |")
