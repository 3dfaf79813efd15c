#!/usr/bin/env python3
"""Memory of the plugin server: RSS after 100,000 events vs after 1,000 (no growth beyond caches' bounds).

Each runtime (``green``, ``threads``) serves the bench plugin (bench/plugins/bench_calls.py, 5 PDK calls per
event) to the Kong-side client of bench/kong_side.py, over 4 connections in turn (Kong's pool reuses
connections, events are routed by id). The server's resident set size (``/proc/PID/status`` ``VmRSS``) is
read after ``--warm`` events and again after ``--events``; a leak of even a few hundred bytes per event
(an event table that is never emptied, a greenlet or thread per event kept) shows as tens of MB.

Run: ``python bench/memory.py [--events 100000] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_processes import ProcessSet, python, python_env
from bench_report import Progress, bounded_int, format_ratio, machine_info, publish, ratio, render_table
from kong_side import KongConnection

BENCH_DIR = Path(__file__).resolve().parent
PLUGINS_DIR = BENCH_DIR / "plugins"
PLUGIN = "bench_calls"
RUNTIMES = ("green", "threads")
CONNECTIONS = 4


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def run_events(
    conns: list[KongConnection], instance_id: int, count: int, progress: Progress, label: str
) -> None:
    for index in range(count):
        conns[index % len(conns)].run_event(instance_id)
        if index % 5000 == 0:
            progress.update(f"{label}: {index}/{count} events")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=bounded_int(2, 10_000_000), default=100_000)
    parser.add_argument("--warm", type=bounded_int(1, 1_000_000), default=1_000)
    parser.add_argument("--runtimes", default=",".join(RUNTIMES), help=f"from {', '.join(RUNTIMES)}")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    runtimes = [name for name in args.runtimes.split(",") if name]
    if not runtimes or any(name not in RUNTIMES for name in runtimes):
        parser.error(f"--runtimes: from {', '.join(RUNTIMES)}")
    progress = Progress("memory")
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp, ProcessSet(Path(tmp)) as processes:
        prefix = Path(tmp)
        for runtime in runtimes:
            socket_name = f"{runtime}.sock"
            command = [
                python(),
                "-m",
                "kong_plugins.server.cli",
                "-p",
                str(prefix),
                "--socket-name",
                socket_name,
                "--plugin",
                f"{PLUGIN}={PLUGIN}",
                "--runtime",
                runtime,
            ]
            child = processes.spawn(runtime, command, python_env(PLUGINS_DIR))
            child.wait_for_socket(prefix / socket_name)
            conns = [KongConnection(prefix / socket_name, timeout=10) for _ in range(CONNECTIONS)]
            try:
                instance_id = conns[0].start_instance(PLUGIN, {"calls": 5})
                run_events(conns, instance_id, args.warm, progress, runtime)
                after_warm = rss_kib(child.pid)
                run_events(conns, instance_id, args.events - args.warm, progress, runtime)
                after_all = rss_kib(child.pid)
            finally:
                for conn in conns:
                    conn.close()
            rows.append(
                {
                    "runtime": runtime,
                    "events_warm": args.warm,
                    "events": args.events,
                    "rss_kib_warm": after_warm,
                    "rss_kib_end": after_all,
                    "growth_kib": after_all - after_warm,
                    "ratio": ratio(after_all, after_warm),
                }
            )
            child.stop()
    progress.done()
    report = {"bench": "memory", "machine": machine_info(), "results": rows}
    return publish(report, started, render, args.json, progress)


def render(report: dict[str, Any]) -> str:
    return "\n".join(
        [
            "plugin server RSS (bench_calls, 5 PDK calls per event, 4 connections)",
            render_table(
                ["runtime", "after", "RSS KiB", "after", "RSS KiB", "growth KiB", "ratio"],
                [
                    [
                        r["runtime"],
                        f"{r['events_warm']} events",
                        str(r["rss_kib_warm"]),
                        f"{r['events']} events",
                        str(r["rss_kib_end"]),
                        str(r["growth_kib"]),
                        format_ratio(r["ratio"]),
                    ]
                    for r in report["results"]
                ],
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
