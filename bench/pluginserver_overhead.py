#!/usr/bin/env python3
"""Our plugin server against the stock kong-pdk server: the cost of an event, as ratios from one run.

What it measures, with the same synchronous Kong-like client (bench/kong_side.py: one call at a time per
connection, as Kong's pooled cosockets do), on the same machine, interleaved in rounds so that drift in the
machine's load hits every server alike:

* per event, sequentially on one connection: a no-op ``access`` event (HandleEvent answered "ret"), an event
  with 1 PDK call and one with 5 (each call one Step round trip), on ``stock`` (kong-pdk, threading mode),
  ``stock-g`` (kong-pdk ``-g``), ``ours`` (kong-ai-pluginserver, threading) and ``ours-g`` (``-g``): p50/p99;
* the floor: a bare msgpack echo over a Unix socket (bench/msgpack_echo_server.py), so each case is also
  shown in "bare round trips" (p50 / (round trips x echo p50));
* concurrency: N connections in parallel (threads, one connection each) running 1-PDK-call events:
  events per second and per-event p50/p99;
* ratios ours/stock (same mode), ours-g/stock-g, and ours-g/stock (gevent against kong-pdk's default mode).

Both servers load the same plugin file (bench/plugins/bench_calls.py). Results: a table on stdout, a progress
line on stderr, and ``--json FILE``. Nothing here asserts a time: the figures are for reading.

Run: ``python bench/pluginserver_overhead.py [--iterations 3000] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_processes import ProcessSet, python, python_env
from bench_report import (
    LatencySummary,
    Progress,
    bounded_int,
    format_ratio,
    machine_info,
    publish,
    ratio,
    render_table,
    split_rounds,
    summarize,
)
from kong_side import KongConnection

BENCH_DIR = Path(__file__).resolve().parent
PLUGINS_DIR = BENCH_DIR / "plugins"
ECHO_SERVER = BENCH_DIR / "msgpack_echo_server.py"
PLUGIN_NAME = "bench_calls"
#: ``kong-python-pluginserver``'s entry point, run by this interpreter (no PATH lookup, no pyenv shim).
STOCK_ENTRY = (
    "import sys; from kong_pdk.cli import start_server; "
    "sys.argv[0] = 'kong-python-pluginserver'; start_server()"
)
SERVER_LABELS = ("echo", "stock", "stock-g", "ours", "ours-g", "ours-green")
#: (ours, reference) pairs reported as ratios, when both were run.
RATIO_PAIRS = (
    ("ours", "stock"),
    ("ours-g", "stock-g"),
    ("ours-g", "stock"),
    ("ours-green", "stock-g"),
    ("ours-green", "ours"),
)
#: Issue 17's targets, as ratios to the floor (the echo's p50) and to stock gevent's throughput.
TARGET_PER_CALL_OVER_FLOOR = 1.5
TARGET_NOOP_OVER_FLOOR = 2.0
MAX_ITERATIONS = 1_000_000
MAX_CONNECTIONS = 256


@dataclass(frozen=True)
class Case:
    """One kind of event: ``pdk_calls`` Step round trips after the HandleEvent."""

    name: str
    pdk_calls: int

    @property
    def round_trips(self) -> int:
        return 1 + self.pdk_calls


CASES = (Case("noop", 0), Case("pdk1", 1), Case("pdk5", 5))
ECHO_CASE = Case("echo", 0)
CONCURRENCY_CASE = CASES[2]  # 5 PDK calls per event, as in issue 17's table


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server under test, and what it is."""

    label: str
    family: str  # "echo" | "stock" | "ours"
    mode: str  # "threading" | "gevent" | "green" (ours: --runtime green, the event loop + greenlets)

    def socket_path(self, prefix: Path) -> Path:
        return prefix / f"{self.label}.sock"

    def command(self, prefix: Path) -> list[str]:
        socket_name = self.socket_path(prefix).name
        gevent = ["-g"] if self.mode == "gevent" else []
        runtime = {"green": ["--runtime", "green"], "threading": ["--runtime", "threads"]}.get(self.mode, [])
        if self.family == "echo":
            return [python(), str(ECHO_SERVER), str(self.socket_path(prefix))]
        if self.family == "stock":
            return [
                python(),
                "-c",
                STOCK_ENTRY,
                "-d",
                str(PLUGINS_DIR),
                "-p",
                str(prefix),
                "--socket-name",
                socket_name,
                *gevent,
            ]
        return [
            python(),
            "-m",
            "kong_plugins.server.cli",
            "-p",
            str(prefix),
            "--socket-name",
            socket_name,
            "--plugin",
            f"{PLUGIN_NAME}={PLUGIN_NAME}",
            *gevent,
            *runtime,
        ]


SERVERS = {
    "echo": ServerSpec("echo", "echo", "threading"),
    "stock": ServerSpec("stock", "stock", "threading"),
    "stock-g": ServerSpec("stock-g", "stock", "gevent"),
    "ours": ServerSpec("ours", "ours", "threading"),
    "ours-g": ServerSpec("ours-g", "ours", "gevent"),
    "ours-green": ServerSpec("ours-green", "ours", "green"),
}


@dataclass
class Target:
    """A started server, its connection for sequential cases, and its instance id per case."""

    spec: ServerSpec
    conn: KongConnection
    instances: dict[str, int]

    def operation(self, case: Case) -> Callable[[], Any]:
        if self.spec.family == "echo":
            param = {"InstanceId": 0, "EventName": "access"}
            return lambda: self.conn.echo(param)
        instance_id = self.instances[case.name]
        return lambda: self.conn.run_event(instance_id)


def time_calls(operation: Callable[[], Any], count: int, samples: list[int]) -> None:
    """Run ``operation`` ``count`` times, appending each duration (ns) to ``samples``; GC paused meanwhile."""
    clock = time.perf_counter_ns
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(count):
            started = clock()
            operation()
            samples.append(clock() - started)
    finally:
        if gc_was_enabled:
            gc.enable()


def cases_of(spec: ServerSpec) -> tuple[Case, ...]:
    return (ECHO_CASE,) if spec.family == "echo" else CASES


def connect_target(spec: ServerSpec, prefix: Path, timeout_s: float) -> Target:
    conn = KongConnection(spec.socket_path(prefix), timeout=timeout_s)
    instances: dict[str, int] = {}
    if spec.family != "echo":
        for case in CASES:
            instances[case.name] = conn.start_instance(PLUGIN_NAME, {"calls": case.pdk_calls})
    return Target(spec, conn, instances)


def run_sequential(
    targets: Sequence[Target], iterations: int, warmup: int, rounds: int, progress: Progress
) -> dict[tuple[str, str], list[int]]:
    """Every (server, case), interleaved: round 1 of all of them, then round 2, ... (same drift for all)."""
    samples: dict[tuple[str, str], list[int]] = {}
    for target in targets:
        for case in cases_of(target.spec):
            progress.update(f"warm-up {target.spec.label} {case.name}")
            time_calls(target.operation(case), warmup, [])
            samples[(target.spec.label, case.name)] = []
    total = sum(len(cases_of(t.spec)) for t in targets) * iterations
    done = 0
    for round_index, count in enumerate(split_rounds(iterations, rounds), start=1):
        for target in targets:
            for case in cases_of(target.spec):
                progress.update(
                    f"round {round_index}/{rounds}: {target.spec.label} {case.name} ({done}/{total} events)"
                )
                time_calls(target.operation(case), count, samples[(target.spec.label, case.name)])
                done += count
    return samples


@dataclass
class ConcurrencyResult:
    label: str
    connections: int
    events: int
    seconds: float
    latency: LatencySummary

    def as_json(self) -> dict[str, Any]:
        return {
            "server": self.label,
            "case": CONCURRENCY_CASE.name if self.label != "echo" else ECHO_CASE.name,
            "connections": self.connections,
            "events": self.events,
            "seconds": round(self.seconds, 4),
            "events_per_s": round(self.events / self.seconds, 1) if self.seconds > 0 else None,
            **self.latency.as_json(),
        }


def run_concurrent(
    spec: ServerSpec, prefix: Path, instance_id: int, connections: int, per_connection: int, timeout_s: float
) -> ConcurrencyResult:
    """``connections`` threads, one connection each, released together; throughput over the whole burst."""
    conns = [KongConnection(spec.socket_path(prefix), timeout=timeout_s) for _ in range(connections)]
    barrier = threading.Barrier(connections + 1)
    samples: list[list[int]] = [[] for _ in range(connections)]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        conn = conns[index]
        if spec.family == "echo":
            param = {"InstanceId": 0, "EventName": "access"}
            operation: Callable[[], Any] = lambda: conn.echo(param)  # noqa: E731
        else:
            operation = lambda: conn.run_event(instance_id)  # noqa: E731
        try:
            time_calls(operation, 5, [])  # this connection's own warm-up (the server's thread, buffers)
            barrier.wait(timeout_s)
            time_calls(operation, per_connection, samples[index])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    try:
        for thread in threads:
            thread.start()
        barrier.wait(timeout_s)
        started = time.perf_counter()
        for thread in threads:
            thread.join(timeout_s + per_connection * timeout_s)
        elapsed = time.perf_counter() - started
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join(timeout_s)
        elapsed = 0.0
    finally:
        for conn in conns:
            conn.close()
    if errors:
        raise RuntimeError(f"{spec.label}: concurrent run failed: {errors[0]!r}") from errors[0]
    merged = [sample for per_thread in samples for sample in per_thread]
    return ConcurrencyResult(spec.label, connections, len(merged), elapsed, summarize(merged))


def build_report(
    args: argparse.Namespace,
    specs: Sequence[ServerSpec],
    latencies: dict[tuple[str, str], LatencySummary],
    concurrency: Sequence[ConcurrencyResult],
) -> dict[str, Any]:
    """The JSON document (also the source of the tables)."""
    echo = latencies.get(("echo", ECHO_CASE.name))
    cases_json: list[dict[str, Any]] = []
    for spec in specs:
        for case in cases_of(spec):
            summary = latencies[(spec.label, case.name)]
            floor = echo.p50_us * case.round_trips if echo else None
            cases_json.append(
                {
                    "case": case.name,
                    "server": spec.label,
                    "family": spec.family,
                    "mode": spec.mode,
                    "pdk_calls": case.pdk_calls,
                    "round_trips": case.round_trips,
                    **summary.as_json(),
                    "p50_over_floor": ratio(summary.p50_us, floor),
                }
            )
    labels = {spec.label for spec in specs}
    by_label = {result.label: result for result in concurrency}
    ratios: list[dict[str, Any]] = []
    for ours, reference in RATIO_PAIRS:
        if ours not in labels or reference not in labels:
            continue
        for case in CASES:
            mine, theirs = latencies[(ours, case.name)], latencies[(reference, case.name)]
            ratios.append(
                {
                    "case": case.name,
                    "ours": ours,
                    "reference": reference,
                    "p50": ratio(mine.p50_us, theirs.p50_us),
                    "p99": ratio(mine.p99_us, theirs.p99_us),
                }
            )
        if ours in by_label and reference in by_label:
            mine_c, theirs_c = by_label[ours], by_label[reference]
            ratios.append(
                {
                    "case": f"concurrent-{CONCURRENCY_CASE.name}",
                    "ours": ours,
                    "reference": reference,
                    "p50": ratio(mine_c.latency.p50_us, theirs_c.latency.p50_us),
                    "p99": ratio(mine_c.latency.p99_us, theirs_c.latency.p99_us),
                    "throughput": ratio(mine_c.events / mine_c.seconds, theirs_c.events / theirs_c.seconds)
                    if mine_c.seconds > 0 and theirs_c.seconds > 0
                    else None,
                }
            )
    per_call = per_call_overhead(specs, latencies, echo, by_label)
    return {
        "bench": "pluginserver_overhead",
        "machine": machine_info(),
        "settings": {
            "iterations": args.iterations,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "connections": args.connections,
            "concurrent_events": args.concurrent_events,
            "servers": [spec.label for spec in specs],
        },
        "servers": {spec.label: {"family": spec.family, "mode": spec.mode} for spec in specs},
        "floor": echo.as_json() if echo else None,
        "cases": cases_json,
        "concurrency": [result.as_json() for result in concurrency],
        "ratios": ratios,
        "per_call": per_call,
    }


def per_call_overhead(
    specs: Sequence[ServerSpec],
    latencies: dict[tuple[str, str], LatencySummary],
    echo: LatencySummary | None,
    by_label: dict[str, ConcurrencyResult],
) -> list[dict[str, Any]]:
    """Per server: one PDK call's cost ((pdk5 - noop) / 5, p50) and a no-op event's, over the floor; the
    concurrent throughput over stock gevent's; and whether issue 17's targets are met."""
    reference = by_label.get("stock-g")
    rows = []
    for spec in specs:
        if spec.family == "echo":
            continue
        noop, pdk5 = latencies[(spec.label, "noop")], latencies[(spec.label, "pdk5")]
        call_us = (pdk5.p50_us - noop.p50_us) / 5
        floor = echo.p50_us if echo else None
        mine = by_label.get(spec.label)
        throughput = (
            ratio(mine.events / mine.seconds, reference.events / reference.seconds)
            if mine and reference and mine.seconds > 0 and reference.seconds > 0
            else None
        )
        call_ratio, noop_ratio = ratio(call_us, floor), ratio(noop.p50_us, floor)
        rows.append(
            {
                "server": spec.label,
                "per_call_us": round(call_us, 2),
                "per_call_over_floor": call_ratio,
                "noop_us": round(noop.p50_us, 2),
                "noop_over_floor": noop_ratio,
                "throughput_over_stock_g": throughput,
                "meets_per_call": call_ratio is not None and call_ratio <= TARGET_PER_CALL_OVER_FLOOR,
                "meets_noop": noop_ratio is not None and noop_ratio <= TARGET_NOOP_OVER_FLOOR,
                "meets_throughput": throughput is not None and throughput >= 1.0,
            }
        )
    return rows


def render_report(report: dict[str, Any]) -> str:
    """The three tables printed on stdout."""
    machine = report["machine"]
    lines = [
        f"plugin server overhead: {machine['cpus']} CPUs, Python {machine['python']}, "
        f"kong-pdk {machine['kong_pdk']}; {report['settings']['iterations']} events per case",
        "",
    ]
    rows = [
        [
            f"{c['case']} ({c['pdk_calls']} PDK calls)" if c["server"] != "echo" else "echo (floor)",
            c["server"],
            f"{c['p50_us']:.0f}",
            f"{c['p99_us']:.0f}",
            format_ratio(c["p50_over_floor"]),
        ]
        for c in report["cases"]
    ]
    lines.append(render_table(["case", "server", "p50 us", "p99 us", "p50 / bare round trips"], rows))
    if report["concurrency"]:
        lines.append("")
        rows = [
            [
                c["server"],
                str(c["connections"]),
                str(c["events"]),
                f"{c['events_per_s']:.0f}" if c["events_per_s"] else "-",
                f"{c['p50_us']:.0f}",
                f"{c['p99_us']:.0f}",
            ]
            for c in report["concurrency"]
        ]
        title = f"concurrency ({CONCURRENCY_CASE.name} events; echo = bare round trips)"
        lines.append(title)
        lines.append(render_table(["server", "connections", "events", "events/s", "p50 us", "p99 us"], rows))
    if report["ratios"]:
        lines.append("")
        rows = [
            [
                f"{r['ours']} / {r['reference']}",
                r["case"],
                format_ratio(r["p50"]),
                format_ratio(r["p99"]),
                format_ratio(r.get("throughput")),
            ]
            for r in report["ratios"]
        ]
        lines.append("ratios (latency < 1.00x: ours faster; throughput > 1.00x: ours faster)")
        lines.append(render_table(["comparison", "case", "p50", "p99", "throughput"], rows))
    if report.get("per_call"):
        lines.append("")
        lines.append(
            f"targets (issue 17): per PDK call <= {TARGET_PER_CALL_OVER_FLOOR}x floor, no-op event <= "
            f"{TARGET_NOOP_OVER_FLOOR}x floor, {report['settings']['connections']}-connection throughput "
            ">= stock-g"
        )
        rows = [
            [
                r["server"],
                f"{r['per_call_us']:.1f}",
                format_ratio(r["per_call_over_floor"]) + (" ok" if r["meets_per_call"] else " MISS"),
                f"{r['noop_us']:.1f}",
                format_ratio(r["noop_over_floor"]) + (" ok" if r["meets_noop"] else " MISS"),
                format_ratio(r["throughput_over_stock_g"]) + _verdict(r),
            ]
            for r in report["per_call"]
        ]
        lines.append(
            render_table(
                ["server", "per call us", "/ floor", "no-op us", "/ floor", "throughput / stock-g"], rows
            )
        )
    return "\n".join(lines)


def _verdict(row: dict[str, Any]) -> str:
    if row["throughput_over_stock_g"] is None:
        return ""
    return " ok" if row["meets_throughput"] else " MISS"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--iterations",
        type=bounded_int(1, MAX_ITERATIONS),
        default=3000,
        help="timed events per server and case (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=bounded_int(0, MAX_ITERATIONS),
        default=None,
        help="untimed events per server and case first (default: iterations/10, at most 200)",
    )
    parser.add_argument(
        "--rounds",
        type=bounded_int(1, 100),
        default=10,
        help="interleaving rounds; each runs every case on every server (default: %(default)s)",
    )
    parser.add_argument(
        "--connections",
        type=bounded_int(0, MAX_CONNECTIONS),
        default=8,
        help="parallel connections for the concurrency case; 0 skips it (default: %(default)s)",
    )
    parser.add_argument(
        "--concurrent-events",
        type=bounded_int(1, MAX_ITERATIONS),
        default=None,
        help="events in the concurrency case, over all connections (default: iterations)",
    )
    parser.add_argument(
        "--servers",
        default=",".join(SERVER_LABELS),
        help=f"servers to run, comma-separated, from {','.join(SERVER_LABELS)} (default: all)",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="read timeout per call, seconds (default: %(default)s)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    labels = [label.strip() for label in args.servers.split(",") if label.strip()]
    unknown = [label for label in labels if label not in SERVERS]
    if unknown or not labels:
        parser.error(f"unknown server(s) {unknown}; choose from {','.join(SERVER_LABELS)}")
    if args.warmup is None:
        args.warmup = min(200, max(1, args.iterations // 10))
    if args.concurrent_events is None:
        args.concurrent_events = args.iterations
    args.rounds = min(args.rounds, args.iterations)
    specs = [SERVERS[label] for label in SERVER_LABELS if label in labels]
    progress = Progress("pluginserver_overhead")
    env = python_env(PLUGINS_DIR)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-ps-") as tmp, ProcessSet(Path(tmp)) as processes:
        prefix = Path(tmp)
        progress.note(f"starting {', '.join(spec.label for spec in specs)} (logs in {prefix})")
        children = [processes.spawn(spec.label, spec.command(prefix), env) for spec in specs]
        for spec, child in zip(specs, children, strict=True):
            child.wait_for_socket(spec.socket_path(prefix))
        targets = [connect_target(spec, prefix, args.timeout) for spec in specs]
        try:
            samples = run_sequential(targets, args.iterations, args.warmup, args.rounds, progress)
            concurrency: list[ConcurrencyResult] = []
            if args.connections:
                per_connection = max(1, args.concurrent_events // args.connections)
                for target in targets:
                    progress.update(
                        f"concurrency: {target.spec.label}, "
                        f"{args.connections} connections x {per_connection} events",
                        force=True,
                    )
                    instance_id = target.instances.get(CONCURRENCY_CASE.name, 0)
                    concurrency.append(
                        run_concurrent(
                            target.spec, prefix, instance_id, args.connections, per_connection, args.timeout
                        )
                    )
        finally:
            for target in targets:
                target.conn.close()
        progress.done()
    latencies = {key: summarize(values) for key, values in samples.items()}
    report = build_report(args, specs, latencies, concurrency)
    return publish(report, started, render_report, args.json, progress)


if __name__ == "__main__":
    sys.exit(main())
