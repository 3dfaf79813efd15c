#!/usr/bin/env python3
"""The full chain with one plugin-server process for all plugins vs one process per plugin (Kong 3.9).

Kong 3.9 runs one plugin server per ``pluginserver_names`` entry. kong/kong.conf points every entry at one
shared socket, so one process (one core, one event loop) serves every plugin; with one socket and start
command per entry, each plugin gets its own process, and a request's handlers run on whichever core is free.
This bench starts both layouts side by side (each its own emulated gateway, plugin servers and mock LLM,
bench/gateway_stack.py), sends the same chat request on the ``full-chain`` route of bench/routes.json from
``C`` concurrent keep-alive clients, layouts interleaved in rounds, and reports requests/s and p50/p99 per
layout and concurrency, and the ratio per-plugin / shared. Nothing here asserts a time.

The gateway here is the emulator (one Python process, itself about a core's worth of work at full load), so
on a 2-core machine the plugin servers share what is left: the ratio says how much the layout frees, not what
a real Kong with N workers would see.

Run: ``python bench/multicore.py [--requests 400] [--clients 1,16] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_report import (
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
from gateway_stack import GatewayStack, load_routes
from proxy_client import ProxyClient

BENCH_DIR = Path(__file__).resolve().parent
ROUTE = "full-chain"
LAYOUTS = ("shared", "per-plugin")
CHAT = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}).encode()


def burst(
    port: int, path: str, headers: dict[str, str], clients: int, requests: int, timeout_s: float
) -> tuple[float, list[int]]:
    """``requests`` over ``clients`` threads (one keep-alive connection each): (seconds, samples in ns)."""
    per_client = max(1, requests // clients)
    conns = [ProxyClient(port, timeout_s) for _ in range(clients)]
    samples: list[list[int]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)

    def work(index: int) -> None:
        client, own = conns[index], samples[index]
        try:
            barrier.wait(timeout_s)
            for _ in range(per_client):
                started = time.perf_counter_ns()
                answer = client.post(path, CHAT, headers)
                own.append(time.perf_counter_ns() - started)
                if answer.status != 200:
                    raise RuntimeError(f"status {answer.status}: {answer.body[:200]!r}")
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout_s)
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        for conn in conns:
            conn.close()
    if errors:
        raise RuntimeError(f"burst failed: {errors[0]!r}") from errors[0]
    return elapsed, [value for own in samples for value in own]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=bounded_int(1, 1_000_000), default=400, help="per layout, clients")
    parser.add_argument("--clients", default="1,16", help="concurrent clients, comma-separated")
    parser.add_argument("--rounds", type=bounded_int(1, 100), default=4, help="interleaving rounds")
    parser.add_argument("--runtime", default="green", help="the plugin servers' --runtime")
    parser.add_argument("--routes", default=str(BENCH_DIR / "routes.json"))
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    clients = [int(part) for part in args.clients.split(",") if part.strip()]
    routes = [route for route in load_routes(args.routes) if route.name == ROUTE]
    if not routes:
        parser.error(f"{args.routes} has no route named {ROUTE}")
    route = routes[0]
    headers = {"Content-Type": "application/json", **route.headers}
    path = route.path + "/v1/chat/completions"  # Kong strips the route prefix
    progress = Progress("multicore")
    started = time.monotonic()
    results: dict[tuple[str, int], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-mc-") as tmp:
        stacks = {
            layout: GatewayStack(
                Path(tmp) / layout, [route], None, runtime=args.runtime, per_plugin=layout == "per-plugin"
            )
            for layout in LAYOUTS
        }
        try:
            for layout, stack in stacks.items():
                stack.workdir.mkdir()
                progress.note(f"starting the {layout} layout (logs in {stack.workdir})")
                stack.start()
                burst(stack.proxy_port, path, headers, 2, 20, args.timeout)  # warm-up
            for count in clients:
                timings: dict[str, list[float]] = {layout: [] for layout in LAYOUTS}
                samples: dict[str, list[int]] = {layout: [] for layout in LAYOUTS}
                for index, share in enumerate(split_rounds(args.requests, args.rounds), start=1):
                    for layout, stack in stacks.items():
                        progress.update(f"{count} clients, round {index}/{args.rounds}: {layout}")
                        seconds, values = burst(stack.proxy_port, path, headers, count, share, args.timeout)
                        timings[layout].append(seconds)
                        samples[layout].extend(values)
                for layout in LAYOUTS:
                    summary = summarize(samples[layout])
                    results[(layout, count)] = {
                        "layout": layout,
                        "clients": count,
                        "requests": len(samples[layout]),
                        "requests_per_s": round(len(samples[layout]) / sum(timings[layout]), 1),
                        **summary.as_json(),
                        "plugin_server_processes": len(stack_pids(stacks[layout])),
                    }
        finally:
            for stack in stacks.values():
                stack.close()
    progress.done()
    rows = list(results.values())
    ratios = [
        {
            "clients": count,
            "throughput": ratio(
                results[("per-plugin", count)]["requests_per_s"], results[("shared", count)]["requests_per_s"]
            ),
            "p50": ratio(results[("per-plugin", count)]["p50_us"], results[("shared", count)]["p50_us"]),
            "p99": ratio(results[("per-plugin", count)]["p99_us"], results[("shared", count)]["p99_us"]),
        }
        for count in clients
    ]
    report = {
        "bench": "multicore",
        "machine": machine_info(),
        "settings": {
            "requests": args.requests,
            "clients": clients,
            "rounds": args.rounds,
            "runtime": args.runtime,
        },
        "route": route.name,
        "plugins": [use.name for use in route.plugins],
        "results": rows,
        "ratios": ratios,
    }
    return publish(report, started, render, args.json, progress)


def stack_pids(stack: GatewayStack) -> list[int]:
    return list(stack.plugin_server_pids)


def render(report: dict[str, Any]) -> str:
    lines = [
        f"full chain ({', '.join(report['plugins'])}), --runtime {report['settings']['runtime']}: one plugin "
        f"server for all plugins (shared) vs one per plugin; {report['machine']['cpus']} CPUs",
        "",
        render_table(
            ["layout", "processes", "clients", "requests", "req/s", "p50 us", "p99 us"],
            [
                [
                    r["layout"],
                    str(r["plugin_server_processes"]),
                    str(r["clients"]),
                    str(r["requests"]),
                    f"{r['requests_per_s']:.0f}",
                    f"{r['p50_us']:.0f}",
                    f"{r['p99_us']:.0f}",
                ]
                for r in report["results"]
            ],
        ),
        "",
        "per-plugin / shared (throughput > 1.00x: per-plugin faster; latency < 1.00x: per-plugin faster)",
        render_table(
            ["clients", "throughput", "p50", "p99"],
            [
                [str(r["clients"]), *(format_ratio(r[key]) for key in ("throughput", "p50", "p99"))]
                for r in report["ratios"]
            ],
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
