#!/usr/bin/env python3
"""The bench suite in one command: runs each bench, writes ``bench/results.md`` (tables) and plots.

Steps, each a bench of this directory run as a child process with ``--json`` (so a failing step is reported
and the others still run):

1. ``pluginserver_overhead.py``: per-PDK-call and no-op event cost over the floor (a bare msgpack round trip
   between two Python processes), 8-connection throughput; stock kong-pdk (threads, gevent) and ours
   (``--runtime threads``, ``-g``, ``--runtime green``), with issue 17's targets;
2. ``chain_overhead.py --runtime green``: a request through the emulated gateway per route (no plugin, the
   resolver alone, the chain), p50/p99 and the PDK round trips per plugin and phase;
3. ``concurrency.py``: p50/p99 and throughput at 1, 16 and 64 concurrent clients for no plugin, each of the
   six plugins alone and the full chain, on ours and on the stock server (threads, gevent); PNG plots
   (``plots/concurrency_*.png``, matplotlib);
4. ``limiter_accuracy.py``: ai-token-limiter's admitted count vs its limit and its admission latency under
   50 and 200 concurrent clients, on 1 and 2 gateway nodes sharing one Redis;
5. ``multicore.py``: the chain with one plugin server for all plugins vs one per plugin, 1 and 16 clients;
6. ``memory.py``: the plugin server's RSS after 100,000 events vs after 1,000 (the default runtime; the
   thread runtime with ``memory.py`` alone);
7. ``input_guard.py``, ``output_redactor.py``, ``token_limiter.py``: the plugins' own figures (validation
   time, redaction MB/s, Redis commands per request...), their tables copied into results.md as printed.

A progress line on stderr throughout; the whole suite runs in about 7 minutes on 2 cores (``--quick``: seconds
per step, only to check that everything runs, as CI does). Every figure is a ratio within one run.

Run: ``python bench/run_all.py [--quick] [--out bench/results.md]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_report import format_ratio, markdown_table
from load_report import concurrency_section, draw_concurrency_plots, limiter_section

BENCH_DIR = Path(__file__).resolve().parent

#: (name, script, full-run arguments, --quick arguments)
STEPS: tuple[tuple[str, str, list[str], list[str]], ...] = (
    (
        "pluginserver",
        "pluginserver_overhead.py",
        ["--iterations", "3000"],
        ["--iterations", "30", "--rounds", "2", "--connections", "2"],
    ),
    (
        "chain",
        "chain_overhead.py",
        ["--iterations", "300", "--no-sse", "--runtime", "green"],
        ["--iterations", "5", "--rounds", "1", "--no-sse", "--runtime", "green"],
    ),
    (
        "concurrency",
        "concurrency.py",
        ["--requests", "200", "--clients", "1,16,64", "--rounds", "2"],
        ["--requests", "2", "--clients", "1,4", "--rounds", "1"],
    ),
    (
        "limiter",
        "limiter_accuracy.py",
        ["--clients", "50,200", "--nodes", "1,2", "--trials", "2"],
        ["--clients", "4,8", "--nodes", "1,2", "--trials", "1", "--latency-requests", "16", "--rounds", "1"],
    ),
    (
        "multicore",
        "multicore.py",
        ["--requests", "400", "--clients", "1,16", "--rounds", "4"],
        ["--requests", "8", "--clients", "1,2", "--rounds", "1"],
    ),
    (
        "memory",
        "memory.py",
        ["--events", "100000", "--runtimes", "green"],
        ["--events", "300", "--warm", "100"],
    ),
    ("input_guard", "input_guard.py", ["--rounds", "5"], ["--rounds", "1"]),
    (
        "output_redactor",
        "output_redactor.py",
        [],
        ["--iterations", "3", "--sse-events", "10", "--sse-iterations", "1"],
    ),
    (
        "token_limiter",
        "token_limiter.py",
        [],
        [
            *("--iterations", "10", "--rounds", "1", "--warmup", "0", "--round-trip-requests", "1"),
            *("--accuracy-requests", "8", "--accuracy-limit", "4", "--sse-iterations", "1"),
        ],
    ),
)

#: Steps whose own table (their stdout) goes into results.md as it is.
TEXT_SECTIONS = {
    "input_guard": "ai-input-guard: validation time per body, ÷ `json.loads` of the same body",
    "output_redactor": "ai-output-redactor: redaction throughput and PDK calls",
    "token_limiter": "ai-token-limiter: Redis commands per request, admission cost, accuracy at 16 threads",
}


def run_step(script: str, args: list[str], json_path: Path, index: int, total: int) -> tuple[bool, str]:
    """Run one bench; its own progress lines go to our stderr, prefixed with the step number."""
    command = [sys.executable, str(BENCH_DIR / script), *args, "--json", str(json_path)]
    print(f"[run_all] step {index}/{total}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    result = subprocess.run(command, cwd=BENCH_DIR, stdout=subprocess.PIPE, text=True, check=False)
    return result.returncode == 0 and json_path.exists(), result.stdout


# -- SVG --------------------------------------------------------------------------------------------------


def bar_chart(title: str, bars: Sequence[tuple[str, float]], unit: str, marker: float | None = None) -> str:
    """A horizontal bar chart as SVG text (no plotting library needed); ``marker``: a target line."""
    width, left, row = 640, 190, 26
    height = 40 + row * len(bars) + 20
    top = max([value for _, value in bars] + [marker or 0.0]) or 1.0
    scale = (width - left - 70) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        'font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{_escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(bars):
        y = 35 + index * row
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{_escape(label)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{value * scale:.1f}" height="{row - 8}" fill="#4a7bb7"/>'
        )
        parts.append(
            f'<text x="{left + value * scale + 4:.1f}" y="{y + 15}">{value:.2f}{_escape(unit)}</text>'
        )
    if marker is not None:
        x = left + marker * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="30" x2="{x:.1f}" y2="{height - 15}" stroke="#c0392b" '
            'stroke-dasharray="4 3"/>'
        )
        parts.append(f'<text x="{x + 3:.1f}" y="{height - 5}" fill="#c0392b">target {marker:g}{unit}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _loads(loads: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in loads)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- markdown ---------------------------------------------------------------------------------------------


def pluginserver_section(report: dict[str, Any], plots: dict[str, str]) -> list[str]:
    floor = report["floor"]["p50_us"] if report.get("floor") else None
    lines = [
        "## Plugin server: per PDK call and per event, over the floor",
        "",
        f"Floor: a bare msgpack request/reply between two Python processes over a Unix socket, p50 "
        f"{floor:.1f} µs in this run. Per call = (5-call event - no-op event) / 5, p50. Targets (issue 17): "
        "per call ≤ 1.5x the floor, no-op event ≤ 2x, 8-connection throughput ≥ stock gevent's.",
        "",
    ]
    rows = []
    for r in report["per_call"]:
        rows.append(
            [
                r["server"],
                f"{r['per_call_us']:.1f}",
                format_ratio(r["per_call_over_floor"]) + ("" if r["meets_per_call"] else " (miss)"),
                f"{r['noop_us']:.1f}",
                format_ratio(r["noop_over_floor"]) + ("" if r["meets_noop"] else " (miss)"),
                format_ratio(r["throughput_over_stock_g"]) + ("" if r["meets_throughput"] else " (miss)"),
            ]
        )
    lines += markdown_table(
        ["server", "per call µs", "÷ floor", "no-op µs", "÷ floor", "8-conn events/s ÷ stock-g"], rows
    )
    plots["pluginserver.svg"] = bar_chart(
        "per PDK call, p50 ÷ bare round trip",
        [(r["server"], r["per_call_over_floor"] or 0.0) for r in report["per_call"]],
        "x",
        1.5,
    )
    lines += ["", "![per PDK call over the floor](plots/pluginserver.svg)", ""]
    return lines


def chain_section(report: dict[str, Any], plots: dict[str, str]) -> list[str]:
    lines = ["## A request through the emulated gateway (`--runtime green`)", ""]
    rows = []
    for route in report["routes"]:
        calls = route["pdk_calls_all_phases"] or route["pdk_calls"]
        per_plugin = "; ".join(f"{plugin} {sum(phases.values())}" for plugin, phases in sorted(calls.items()))
        rows.append(
            [
                route["route"],
                f"{route['p50_us'] / 1000:.2f}",
                f"{route['p99_us'] / 1000:.2f}",
                format_ratio(route["p50_vs_baseline"]),
                str(sum(sum(p.values()) for p in calls.values())),
                per_plugin or "-",
            ]
        )
    lines += markdown_table(
        ["route", "p50 ms", "p99 ms", "p50 ÷ no plugin", "PDK round trips", "per plugin"], rows
    )
    plots["chain.svg"] = bar_chart(
        "request p50 ÷ route without plugins",
        [(r["route"], r["p50_vs_baseline"] or 0.0) for r in report["routes"]],
        "x",
    )
    lines += ["", "![chain latency](plots/chain.svg)", ""]
    return lines


def multicore_section(report: dict[str, Any], plots: dict[str, str]) -> list[str]:
    lines = [
        f"## One plugin server for the chain vs one per plugin ({', '.join(report['plugins'])})",
        "",
        "The emulated gateway is itself one Python process: on 2 cores the plugin servers share what it",
        "leaves.",
        "",
    ]
    rows = [
        [
            r["layout"],
            str(r["plugin_server_processes"]),
            str(r["clients"]),
            f"{r['requests_per_s']:.1f}",
            f"{r['p50_us'] / 1000:.1f}",
            f"{r['p99_us'] / 1000:.1f}",
        ]
        for r in report["results"]
    ]
    lines += markdown_table(["layout", "processes", "clients", "requests/s", "p50 ms", "p99 ms"], rows)
    lines += [""]
    lines += markdown_table(
        ["clients", "throughput per-plugin ÷ shared", "p50", "p99"],
        [
            [str(r["clients"]), format_ratio(r["throughput"]), format_ratio(r["p50"]), format_ratio(r["p99"])]
            for r in report["ratios"]
        ],
    )
    plots["multicore.svg"] = bar_chart(
        "throughput, one process per plugin ÷ one for all",
        [(f"{r['clients']} clients", r["throughput"] or 0.0) for r in report["ratios"]],
        "x",
        1.0,
    )
    lines += ["", "![multi-core](plots/multicore.svg)", ""]
    return lines


def memory_section(report: dict[str, Any], plots: dict[str, str]) -> list[str]:
    lines = ["## Memory: plugin-server RSS", ""]
    lines += markdown_table(
        ["runtime", "RSS after warm-up (KiB)", "RSS at the end (KiB)", "events", "growth (KiB)", "ratio"],
        [
            [
                r["runtime"],
                f"{r['rss_kib_warm']} ({r['events_warm']} events)",
                str(r["rss_kib_end"]),
                str(r["events"]),
                str(r["growth_kib"]),
                format_ratio(r["ratio"]),
            ]
            for r in report["results"]
        ],
    )
    return [*lines, ""]


SECTIONS = {
    "pluginserver": pluginserver_section,
    "chain": chain_section,
    "multicore": multicore_section,
    "memory": memory_section,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny runs: check that every step works")
    parser.add_argument("--out", default=str(BENCH_DIR / "results.md"), help="the markdown file to write")
    parser.add_argument("--only", default="", help="comma-separated steps to run (default: all)")
    parser.add_argument("--json-dir", help="keep each step's JSON results in this directory")
    args = parser.parse_args(argv)
    wanted = {name for name in args.only.split(",") if name}
    steps = [step for step in STEPS if not wanted or step[0] in wanted]
    out = Path(args.out)
    started = time.monotonic()
    load_before = os.getloadavg()
    reports: dict[str, dict[str, Any]] = {}
    outputs: dict[str, str] = {}
    failed: list[str] = []
    if args.json_dir:
        Path(args.json_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        for index, (name, script, full, quick) in enumerate(steps, start=1):
            json_path = Path(args.json_dir or tmp) / f"{name}.json"
            ok, stdout = run_step(script, quick if args.quick else full, json_path, index, len(steps))
            if ok:
                reports[name] = json.loads(json_path.read_text())
                outputs[name] = stdout
            else:
                failed.append(name)
            elapsed = time.monotonic() - started
            print(f"[run_all] {index}/{len(steps)} steps done, {elapsed:.0f} s", file=sys.stderr, flush=True)
    plots: dict[str, str] = {}
    machine = next(iter(reports.values()))["machine"] if reports else {}
    lines = [
        "# Bench results",
        "",
        f"Written by `python bench/run_all.py{' --quick' if args.quick else ''}` in "
        f"{time.monotonic() - started:.0f} s on {machine.get('cpus', '?')} CPUs, Python "
        f"{machine.get('python', '?')}, kong-pdk {machine.get('kong_pdk', '?')}. One run: compare figures "
        "within it (ratios), not with another machine's.",
        "",
        f"Load average (1/5/15 min) at the start: {_loads(load_before)}; at the end: "
        f"{_loads(os.getloadavg())} (other jobs share the machine: every ratio below compares cases "
        "measured in the same minutes).",
        "",
    ]
    if failed:
        lines += [f"**Failed steps:** {', '.join(failed)}", ""]
    plot_dir = out.parent / "plots"
    plot_dir.mkdir(exist_ok=True)
    pngs: list[str] = []
    for name, report in reports.items():
        if name == "concurrency":
            pngs, plot_error = draw_concurrency_plots(report, plot_dir)
            lines += concurrency_section(report, pngs, plot_error)
        elif name == "limiter":
            lines += limiter_section(report)
        elif name in TEXT_SECTIONS:
            lines += [
                f"## {TEXT_SECTIONS[name]} (`bench/{name}.py`)",
                "",
                "```",
                outputs[name].rstrip(),
                "```",
                "",
            ]
        else:
            lines += SECTIONS[name](report, plots)
    out.write_text("\n".join(lines))
    for file_name, svg in plots.items():
        (plot_dir / file_name).write_text(svg)
    print(
        f"[run_all] wrote {out} and {len(plots) + len(pngs)} plots in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
