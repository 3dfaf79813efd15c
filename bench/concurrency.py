#!/usr/bin/env python3
"""Latency p50/p99 and throughput at 1, 16 and 64 concurrent clients, per plugin and for the full chain,
on our plugin server and on the stock kong-pdk server (threads and gevent), as ratios from one run.

Three emulated gateways run side by side (bench/gateway_stack.py), one per plugin-server runtime: ``ours``
(``kong-ai-pluginserver --runtime green``), ``stock`` (kong-pdk's ``kong-python-pluginserver``, threads,
its default) and ``stock-g`` (the same with ``-g``), each serving the same deck: a route without plugins
(``bare``, the baseline), one route per plugin alone (the six of the chain) and the six together
(``full-chain``: resolver, input guard, action authz, token limiter, output redactor, audit log, as
tests/integration/hostile/chain_support.py configures them). The limiter and the audit log use one
redis-server started here. Each gateway has its own mock LLM.

For each concurrency ``C`` (``--clients``, default 1,16,64), ``C`` keep-alive clients (opened once,
bench/load_clients.py) send the same chat request, released together; cells (route x runtime) are
interleaved in ``--rounds`` rounds so that the machine's drift hits all of them alike. Per cell: p50/p99 of
the request time and requests/s over the bursts; ratios to ``bare`` on the same runtime and concurrency,
``added`` p50/p99 (route minus bare, the figure gateway benchmarks publish), and ours / stock per row. And
each route's PDK round trips per plugin and phase on ours, ``log`` included (the emulator's request record).

The gateway is the emulator, one Python process: at 16 and 64 clients it and the plugin servers share the
machine's cores, so the throughput is the emulator's as much as ours. Nothing here asserts a time.

Run: ``python bench/concurrency.py [--requests 96] [--clients 1,16,64] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_processes import ProcessSet
from bench_report import (
    Progress,
    bounded_int,
    format_ratio,
    machine_info,
    publish,
    ratio,
    render_table,
    summarize,
)
from chain_overhead import REQUEST_ID_HEADER, recorded_pdk_calls
from gateway_stack import GatewayStack, PluginUse, RouteSpec
from load_clients import ClientPool
from proxy_client import ProxyClient
from token_limiter import start_redis

UPSTREAM_PATH = "/v1/chat/completions"
TENANT_HEADER = {"X-Tenant-ID": "acme", "Content-Type": "application/json"}
CHAT = json.dumps(
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello bench"}], "max_tokens": 32}
).encode()
#: Runtime label -> (our --runtime, stock mode): exactly one of the two is set.
RUNTIMES: dict[str, tuple[str | None, str | None]] = {
    "ours": ("green", None),
    "stock": (None, "threads"),
    "stock-g": (None, "gevent"),
}
CHAIN_ORDER = (
    "ai-tenant-resolver",
    "ai-input-guard",
    "ai-action-authz",
    "ai-token-limiter",
    "ai-output-redactor",
    "ai-audit-log",
)
BASELINE = "bare"
CHAIN = "full-chain"


class BenchFailure(RuntimeError):
    """A route did not answer 200: the figures would be meaningless."""


def plugin_configs(redis_port: int, workdir: Path) -> dict[str, dict[str, Any]]:
    """Each plugin's configuration, alone and in the chain (roomy limits: nothing is refused)."""
    redis = {"host": "127.0.0.1", "port": redis_port}
    return {
        "ai-tenant-resolver": {
            "sources": ["header"],
            "tenants": [{"id": "acme", "tier": "pro", "region": "eu"}],
        },
        "ai-input-guard": {},
        "ai-action-authz": {"policy": '@id("everyone") permit(principal, action, resource);'},
        "ai-token-limiter": {
            "strategy": "redis",
            "namespace": "bench-concurrency",
            "redis": redis,
            "limits": [
                {"metric": "requests", "limit": 10**9, "window": "60"},
                {"metric": "tokens", "limit": 10**12, "window": "60"},
            ],
        },
        "ai-output-redactor": {},
        "ai-audit-log": {
            "namespace": "bench-concurrency",
            "redis": redis,
            "spill_dir": str(workdir / "audit-spill"),
        },
    }


def bench_routes(redis_port: int, workdir: Path) -> list[RouteSpec]:
    configs = plugin_configs(redis_port, workdir)
    routes = [RouteSpec(BASELINE, (), TENANT_HEADER)]
    for name in CHAIN_ORDER:
        routes.append(RouteSpec(name.removeprefix("ai-"), (PluginUse(name, configs[name]),), TENANT_HEADER))
    chain = tuple(PluginUse(name, configs[name]) for name in CHAIN_ORDER)
    routes.append(RouteSpec(CHAIN, chain, TENANT_HEADER))
    return routes


def check_routes(pool: ClientPool, routes: Sequence[RouteSpec], label: str) -> None:
    """Two requests per route on a runtime: each must be a 200 (and they warm the plugin instances up)."""
    for route in routes:
        result = pool.burst(1, [2], route.path + UPSTREAM_PATH, CHAT, dict(route.headers))
        bad = [code for code in result.statuses if code != 200]
        if bad:
            raise BenchFailure(f"{label}: route {route.name} answered {bad[0]}")


def pdk_round_trips(stack: GatewayStack, route: RouteSpec, timeout_s: float) -> dict[str, dict[str, int]]:
    """One request's PDK round trips per plugin and phase, ``log`` included (the emulator's record)."""
    client = ProxyClient(stack.proxy_port, timeout_s)
    try:
        answer = client.post(route.path + UPSTREAM_PATH, CHAT, dict(route.headers))
    finally:
        client.close()
    if answer.status != 200:
        raise BenchFailure(f"route {route.name} answered {answer.status}")
    calls = recorded_pdk_calls(stack, answer.headers.get(REQUEST_ID_HEADER))
    if calls is None:
        raise BenchFailure(f"route {route.name}: the emulator kept no record of the request")
    return calls


def per_client_counts(requests: int, clients: int, rounds: int) -> int:
    """Requests each client sends per round: at least one, so every round really has ``clients`` in flight."""
    return max(1, math.ceil(requests / (clients * rounds)))


def run_bench(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    clients_levels = [int(part) for part in args.clients.split(",") if part.strip()]
    runtimes = [name for name in args.runtimes.split(",") if name]
    unknown = [name for name in runtimes if name not in RUNTIMES]
    if unknown or "ours" not in runtimes:
        raise SystemExit(f"--runtimes: from {', '.join(RUNTIMES)}, ours included")
    samples: dict[tuple[str, str, int], list[int]] = {}
    seconds: dict[tuple[str, str, int], float] = {}
    round_trips: dict[str, dict[str, dict[str, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-conc-") as tmp:
        root = Path(tmp)
        processes = ProcessSet(root)
        stacks: dict[str, GatewayStack] = {}
        pools: dict[str, ClientPool] = {}
        try:
            progress.note(f"starting redis-server and {len(runtimes)} gateways (logs in {tmp})")
            redis_port = start_redis(processes, root)
            routes = bench_routes(redis_port, root)
            only = {BASELINE, *args.routes.split(",")}
            wanted = [route for route in routes if not args.routes or route.name in only]
            for label in runtimes:
                workdir = root / label
                workdir.mkdir()
                runtime, stock = RUNTIMES[label]
                stacks[label] = GatewayStack(workdir, wanted, None, runtime=runtime, stock=stock)
                stacks[label].start()
                pools[label] = ClientPool([stacks[label].proxy_port], max(clients_levels), args.timeout)
                check_routes(pools[label], wanted, label)
            ours = stacks["ours"]
            round_trips = {route.name: pdk_round_trips(ours, route, args.timeout) for route in wanted}
            cells = len(wanted) * len(runtimes)
            for clients in clients_levels:
                per_client = per_client_counts(args.requests, clients, args.rounds)
                for round_index in range(1, args.rounds + 1):
                    for index, route in enumerate(wanted):
                        for label in runtimes:
                            progress.update(
                                f"{clients} clients, round {round_index}/{args.rounds}: {route.name} on "
                                f"{label} ({index * len(runtimes) + 1}/{cells})"
                            )
                            result = pools[label].burst(
                                clients,
                                [per_client] * clients,
                                route.path + UPSTREAM_PATH,
                                CHAT,
                                dict(route.headers),
                            )
                            bad = [code for code in result.statuses if code != 200]
                            if bad:
                                raise BenchFailure(f"{label}: route {route.name} answered {bad[0]}")
                            key = (label, route.name, clients)
                            samples.setdefault(key, []).extend(result.samples_ns)
                            seconds[key] = seconds.get(key, 0.0) + result.seconds
        except BaseException:
            for stack in stacks.values():
                progress.note(f"gateway log tail:\n{stack.log_tail()}")
            raise
        finally:
            for pool in pools.values():
                pool.close()
            for stack in stacks.values():
                stack.close()
            processes.stop_all()
    progress.done()
    report = build_report(args, runtimes, [r.name for r in wanted], clients_levels, samples, seconds)
    report["pdk_round_trips"] = [
        {
            "route": name,
            "per_plugin": {plugin: sum(phases.values()) for plugin, phases in calls.items()},
            "per_phase": calls,
            "total": sum(sum(phases.values()) for phases in calls.values()),
        }
        for name, calls in round_trips.items()
    ]
    return report


def build_report(
    args: argparse.Namespace,
    runtimes: Sequence[str],
    routes: Sequence[str],
    clients_levels: Sequence[int],
    samples: dict[tuple[str, str, int], list[int]],
    seconds: dict[tuple[str, str, int], float],
) -> dict[str, Any]:
    cells: dict[tuple[str, str, int], dict[str, Any]] = {}
    for key, values in samples.items():
        summary = summarize(values)
        cells[key] = {
            "runtime": key[0],
            "route": key[1],
            "clients": key[2],
            **summary.as_json(),
            "requests_per_s": round(len(values) / seconds[key], 1),
        }
    for (label, _route, clients), cell in cells.items():
        base = cells[(label, BASELINE, clients)]
        cell["p50_vs_bare"] = ratio(cell["p50_us"], base["p50_us"])
        cell["p99_vs_bare"] = ratio(cell["p99_us"], base["p99_us"])
        cell["added_p50_ms"] = round((cell["p50_us"] - base["p50_us"]) / 1000, 2)
        cell["added_p99_ms"] = round((cell["p99_us"] - base["p99_us"]) / 1000, 2)
        cell["throughput_vs_bare"] = ratio(cell["requests_per_s"], base["requests_per_s"])
    comparisons = []
    for route in routes:
        for clients in clients_levels:
            ours = cells[("ours", route, clients)]
            for other in runtimes:
                if other == "ours":
                    continue
                theirs = cells[(other, route, clients)]
                comparisons.append(
                    {
                        "route": route,
                        "clients": clients,
                        "versus": other,
                        "p50": ratio(ours["p50_us"], theirs["p50_us"]),
                        "p99": ratio(ours["p99_us"], theirs["p99_us"]),
                        "throughput": ratio(ours["requests_per_s"], theirs["requests_per_s"]),
                    }
                )
    return {
        "bench": "concurrency",
        "machine": machine_info(),
        "settings": {
            "requests": args.requests,
            "rounds": args.rounds,
            "clients": list(clients_levels),
            "runtimes": list(runtimes),
            "baseline": BASELINE,
            "chain": list(CHAIN_ORDER),
        },
        "routes": list(routes),
        "cells": list(cells.values()),
        "ours_vs": comparisons,
    }


def render(report: dict[str, Any]) -> str:
    settings = report["settings"]
    lines = [
        f"latency and throughput vs concurrent clients, {report['machine']['cpus']} CPUs; runtimes "
        f"{', '.join(settings['runtimes'])}; ratios to {settings['baseline']} on the same runtime",
        "",
        render_table(
            ["runtime", "route", "clients", "n", "p50 ms", "p99 ms", "req/s", "p50 ÷ bare", "p99 ÷ bare"],
            [
                [
                    c["runtime"],
                    c["route"],
                    str(c["clients"]),
                    str(c["count"]),
                    f"{c['p50_us'] / 1000:.2f}",
                    f"{c['p99_us'] / 1000:.2f}",
                    f"{c['requests_per_s']:.0f}",
                    format_ratio(c["p50_vs_bare"]),
                    format_ratio(c["p99_vs_bare"]),
                ]
                for c in report["cells"]
            ],
        ),
        "",
        "ours / stock (latency < 1.00x and throughput > 1.00x: ours better)",
        render_table(
            ["route", "clients", "versus", "p50", "p99", "throughput"],
            [
                [
                    r["route"],
                    str(r["clients"]),
                    r["versus"],
                    *(format_ratio(r[k]) for k in ("p50", "p99", "throughput")),
                ]
                for r in report["ours_vs"]
            ],
        ),
        "",
        "PDK round trips per request (ours, every phase)",
        render_table(
            ["route", "total", "per plugin"],
            [
                [
                    r["route"],
                    str(r["total"]),
                    "; ".join(f"{p} {n}" for p, n in r["per_plugin"].items()) or "-",
                ]
                for r in report["pdk_round_trips"]
            ],
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests", type=bounded_int(1, 100_000), default=96, help="per cell (route, runtime, clients)"
    )
    parser.add_argument("--clients", default="1,16,64", help="concurrent clients, comma-separated")
    parser.add_argument("--rounds", type=bounded_int(1, 100), default=2, help="interleaving rounds")
    parser.add_argument("--runtimes", default=",".join(RUNTIMES), help="from ours, stock, stock-g")
    parser.add_argument("--routes", default="", help="only these routes (comma-separated; bare always)")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    progress = Progress("concurrency")
    started = time.monotonic()
    report = run_bench(args, progress)
    return publish(report, started, render, args.json, progress)


if __name__ == "__main__":
    sys.exit(main())
