"""What every bench shares: latency summaries, ratios, a progress line, the table and the JSON file.

Why ratios: absolute times on a shared 2-core machine move by tens of percent from one run to the next,
but two things measured in the same run, interleaved, on the same client, move together. So the benches
report each case's p50/p99 and, above all, its ratio to a reference case measured in the same run;
nothing here ever compares a time against a fixed threshold.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO


@dataclass(frozen=True)
class LatencySummary:
    """Nearest-rank percentiles of one case's samples, in microseconds."""

    count: int
    p50_us: float
    p99_us: float
    mean_us: float
    min_us: float
    max_us: float

    def as_json(self) -> dict[str, float | int]:
        return {
            "count": self.count,
            "p50_us": round(self.p50_us, 1),
            "p99_us": round(self.p99_us, 1),
            "mean_us": round(self.mean_us, 1),
            "min_us": round(self.min_us, 1),
            "max_us": round(self.max_us, 1),
        }


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: every reported value is one that was really measured)."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(samples_ns: Sequence[int]) -> LatencySummary:
    """p50/p99/mean/min/max of samples taken with ``time.perf_counter_ns``."""
    values = sorted(sample / 1000.0 for sample in samples_ns)
    return LatencySummary(
        count=len(values),
        p50_us=percentile(values, 0.50),
        p99_us=percentile(values, 0.99),
        mean_us=sum(values) / len(values),
        min_us=values[0],
        max_us=values[-1],
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator`` rounded to 3 places; None when either side is missing or zero."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table for results.md: first column left-aligned, the others right-aligned (numbers)."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|",
    ]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned (they are numbers)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def split_rounds(iterations: int, rounds: int) -> list[int]:
    """``iterations`` spread over ``rounds`` as evenly as integers allow (the first rounds take the rest)."""
    return [iterations // rounds + (1 if index < iterations % rounds else 0) for index in range(rounds)]


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an int in [low, high] (each count on a command line is bounded)."""

    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def machine_info() -> dict[str, Any]:
    """What a reader needs to interpret the figures: core count, Python, kong-pdk."""
    try:
        pdk_version = metadata.version("kong-pdk")
    except metadata.PackageNotFoundError:
        pdk_version = "unknown"
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "kong_pdk": pdk_version,
    }


def write_json(path: str | os.PathLike[str], payload: dict[str, Any]) -> None:
    """Write the results atomically (a reader never sees half a file)."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    partial.replace(target)


class Progress:
    """A progress line on stderr, so that a long run shows it is alive without touching stdout (the table).

    On a terminal the line is rewritten in place; otherwise (CI logs) it is printed at most every few
    seconds, so a log does not fill with thousands of lines.
    """

    def __init__(self, name: str, stream: TextIO | None = None) -> None:
        self.name = name
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.min_interval = 0.2 if self.interactive else 5.0
        self._last = 0.0
        self._shown = False

    def update(self, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        if self.interactive:
            self.stream.write(f"\r\033[K[{self.name}] {text}")
            self._shown = True
        else:
            self.stream.write(f"[{self.name}] {text}\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        """A line that stays (a phase of the run starting, a warning)."""
        if self._shown:
            self.stream.write("\r\033[K")
            self._shown = False
        self.stream.write(f"[{self.name}] {text}\n")
        self.stream.flush()

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False


def publish(
    report: dict[str, Any],
    started: float,
    render: Callable[[dict[str, Any]], str],
    json_path: str | None,
    progress: Progress,
    suffix: str = "",
) -> int:
    """The end of every bench: the run time, the table on stdout, the JSON file, a last progress note."""
    report["seconds"] = round(time.monotonic() - started, 1)
    print(render(report))
    if json_path:
        write_json(json_path, report)
    progress.note(f"done in {report['seconds']} s{suffix}")
    return 0
