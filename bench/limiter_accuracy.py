#!/usr/bin/env python3
"""ai-token-limiter under 50 and 200 concurrent clients, on 1 and 2 gateway nodes sharing one Redis.

Two emulated gateway nodes (bench/gateway_stack.py: each its own gateway process, plugin server and mock
LLM) load the same deck and share one redis-server started here, as two Kong nodes of a cluster would: what
one node admits reaches the other only through Redis. With one node, every client talks to node A; with
two, clients alternate between A and B.

* **Accuracy**: a route allowing ``limit`` requests per hour (``sliding_window``, a namespace of its own per
  trial, so every trial starts from an empty window) gets ``--oversubscribe`` times that many requests from
  ``C`` clients released together. Admitted (200) against the limit: accuracy = admitted / limit, and
  over-admission = admitted - limit, which must be 0. Any answer other than 200 or 429 fails the bench.
  The limit is ``--limit-per-client`` x ``C``, so each client sends several requests and the contention lasts.
* **Admission latency**: the same concurrency on a route with the limiter (roomy limits: everything is
  admitted, each request pays the reservation in ``access`` and the settlement in ``response``) and on the
  same route without plugins, interleaved in rounds: p50/p99 and their ratio limiter / no limiter.

Nothing here asserts a time; the accuracy figures are counts.

Run: ``python bench/limiter_accuracy.py [--clients 50,200] [--nodes 1,2] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
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
from gateway_stack import GatewayStack, PluginUse, RouteSpec
from load_clients import ClientPool, spread
from token_limiter import start_redis

LIMITER = "ai-token-limiter"
UPSTREAM_PATH = "/v1/chat/completions"
HEADERS = {"Content-Type": "application/json"}
CHAT = json.dumps(
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello bench"}], "max_tokens": 32}
).encode()
NODE_NAMES = ("node-a", "node-b")
BARE = "bare"
ROOMY = "limiter-roomy"


class BenchFailure(RuntimeError):
    """An answer the bench cannot count (neither 200 nor 429)."""


def limiter_route(name: str, redis_port: int, limits: list[dict[str, Any]]) -> RouteSpec:
    config = {
        "strategy": "redis",
        "namespace": f"bench-{name}-{uuid.uuid4().hex[:8]}",
        "redis": {"host": "127.0.0.1", "port": redis_port},
        "limits": limits,
    }
    return RouteSpec(name, (PluginUse(LIMITER, config),), {})


def trial_name(clients: int, nodes: int, trial: int) -> str:
    return f"acc-c{clients}-n{nodes}-t{trial}"


def build_routes(args: argparse.Namespace, redis_port: int) -> list[RouteSpec]:
    routes = [
        RouteSpec(BARE, (), {}),
        limiter_route(
            ROOMY,
            redis_port,
            [
                {"metric": "requests", "limit": 10**9, "window": "3600"},
                {"metric": "tokens", "limit": 10**12, "window": "3600"},
            ],
        ),
    ]
    for clients in args.clients_levels:
        for nodes in args.node_counts:
            for trial in range(1, args.trials + 1):
                limit = args.limit_per_client * clients
                routes.append(
                    limiter_route(
                        trial_name(clients, nodes, trial),
                        redis_port,
                        [{"metric": "requests", "limit": limit, "window": "3600"}],
                    )
                )
    return routes


def accuracy_trial(
    pool: ClientPool, args: argparse.Namespace, clients: int, nodes: int, trial: int
) -> dict[str, Any]:
    limit = args.limit_per_client * clients
    sent = limit * args.oversubscribe
    route = trial_name(clients, nodes, trial)
    result = pool.burst(clients, spread(sent, clients), f"/r/{route}{UPSTREAM_PATH}", CHAT, HEADERS)
    statuses = Counter(result.statuses)
    unexpected = {code: n for code, n in statuses.items() if code not in (200, 429)}
    if unexpected:
        raise BenchFailure(f"{route}: answers other than 200/429: {unexpected}")
    admitted = statuses.get(200, 0)
    per_node = [0] * nodes  # the pool gives client i node i % nodes; a burst lists answers client by client
    index = 0
    for client, count in enumerate(spread(sent, clients)):
        for code in result.statuses[index : index + count]:
            if code == 200:
                per_node[client % nodes] += 1
        index += count
    admitted_ns = result.samples_with(200)
    refused_ns = result.samples_with(429)
    return {
        "clients": clients,
        "nodes": nodes,
        "trial": trial,
        "limit": limit,
        "sent": sent,
        "admitted": admitted,
        "refused": statuses.get(429, 0),
        "admitted_per_node": per_node,
        "accuracy": ratio(admitted, limit),
        "over_admitted": max(0, admitted - limit),
        "under_admitted": max(0, limit - admitted),
        "admitted_latency": summarize(admitted_ns).as_json() if admitted_ns else None,
        "refused_latency": summarize(refused_ns).as_json() if refused_ns else None,
    }


def admission_latency(
    pool: ClientPool, args: argparse.Namespace, clients: int, nodes: int, progress: Progress
) -> dict[str, Any]:
    """The roomy limiter route vs the bare route at ``clients``, interleaved: p50/p99 and the ratios."""
    samples: dict[str, list[int]] = {BARE: [], ROOMY: []}
    per_client = max(1, args.latency_requests // (clients * args.rounds))
    for round_index in range(1, args.rounds + 1):
        for route in (BARE, ROOMY):
            progress.update(f"admission latency, {clients} clients, {nodes} node(s), round {round_index}")
            result = pool.burst(clients, [per_client] * clients, f"/r/{route}{UPSTREAM_PATH}", CHAT, HEADERS)
            bad = [code for code in result.statuses if code != 200]
            if bad:
                raise BenchFailure(f"{route}: answered {bad[0]}")
            samples[route].extend(result.samples_ns)
    bare, limited = summarize(samples[BARE]), summarize(samples[ROOMY])
    return {
        "clients": clients,
        "nodes": nodes,
        "bare": bare.as_json(),
        "limiter": limited.as_json(),
        "p50_vs_bare": ratio(limited.p50_us, bare.p50_us),
        "p99_vs_bare": ratio(limited.p99_us, bare.p99_us),
    }


def run_bench(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    trials: list[dict[str, Any]] = []
    latencies: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-limacc-") as tmp:
        root = Path(tmp)
        processes = ProcessSet(root)
        stacks: list[GatewayStack] = []
        try:
            nodes_needed = max(args.node_counts)
            progress.note(f"starting redis-server and {nodes_needed} gateway node(s) (logs in {tmp})")
            redis_port = start_redis(processes, root)
            routes = build_routes(args, redis_port)
            for name in NODE_NAMES[: max(args.node_counts)]:
                (root / name).mkdir()
                stack = GatewayStack(root / name, routes, None, runtime=args.runtime)
                stacks.append(stack)
                stack.start()
            for nodes in args.node_counts:
                ports = [stack.proxy_port for stack in stacks[:nodes]]
                for clients in args.clients_levels:
                    pool = ClientPool(ports, clients, args.timeout)
                    try:
                        # warm-up: every connection opened, every node's limiter instance built
                        pool.burst(clients, [1] * clients, f"/r/{ROOMY}{UPSTREAM_PATH}", CHAT, HEADERS)
                        for trial in range(1, args.trials + 1):
                            progress.update(f"accuracy, {clients} clients, {nodes} node(s), trial {trial}")
                            trials.append(accuracy_trial(pool, args, clients, nodes, trial))
                        latencies.append(admission_latency(pool, args, clients, nodes, progress))
                    finally:
                        pool.close()
        except BaseException:
            for stack in stacks:
                progress.note(f"gateway log tail:\n{stack.log_tail()}")
            raise
        finally:
            for stack in stacks:
                stack.close()
            processes.stop_all()
    progress.done()
    return {
        "bench": "limiter_accuracy",
        "machine": machine_info(),
        "settings": {
            "clients": args.clients_levels,
            "nodes": args.node_counts,
            "trials": args.trials,
            "limit_per_client": args.limit_per_client,
            "oversubscribe": args.oversubscribe,
            "latency_requests": args.latency_requests,
            "rounds": args.rounds,
            "runtime": args.runtime,
            "algorithm": "sliding_window",
        },
        "trials": trials,
        "latency": latencies,
        "over_admitted_total": sum(t["over_admitted"] for t in trials),
    }


def render(report: dict[str, Any]) -> str:
    lines = [
        f"ai-token-limiter, one Redis, {report['machine']['cpus']} CPUs: admitted vs the limit "
        f"(over-admission must be 0), then admission latency vs the same burst without the limiter",
        "",
        render_table(
            ["clients", "nodes", "trial", "limit", "sent", "admitted", "per node", "accuracy", "over"],
            [
                [
                    str(t["clients"]),
                    str(t["nodes"]),
                    str(t["trial"]),
                    str(t["limit"]),
                    str(t["sent"]),
                    str(t["admitted"]),
                    "/".join(str(n) for n in t["admitted_per_node"]),
                    format_ratio(t["accuracy"]),
                    str(t["over_admitted"]),
                ]
                for t in report["trials"]
            ],
        ),
        "",
        render_table(
            ["clients", "nodes", "bare p50 ms", "p99 ms", "limiter p50 ms", "p99 ms", "p50 ÷", "p99 ÷"],
            [
                [
                    str(r["clients"]),
                    str(r["nodes"]),
                    f"{r['bare']['p50_us'] / 1000:.2f}",
                    f"{r['bare']['p99_us'] / 1000:.2f}",
                    f"{r['limiter']['p50_us'] / 1000:.2f}",
                    f"{r['limiter']['p99_us'] / 1000:.2f}",
                    format_ratio(r["p50_vs_bare"]),
                    format_ratio(r["p99_vs_bare"]),
                ]
                for r in report["latency"]
            ],
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="50,200", help="concurrent clients, comma-separated")
    parser.add_argument("--nodes", default="1,2", help="gateway node counts, comma-separated (1 or 2)")
    parser.add_argument("--trials", type=bounded_int(1, 5), default=2, help="accuracy trials per case")
    parser.add_argument("--limit-per-client", type=bounded_int(1, 100), default=2)
    parser.add_argument("--oversubscribe", type=bounded_int(1, 10), default=2, help="requests sent / limit")
    parser.add_argument("--latency-requests", type=bounded_int(1, 100_000), default=800, help="per route")
    parser.add_argument("--rounds", type=bounded_int(1, 100), default=2, help="interleaving rounds")
    parser.add_argument("--runtime", default="green", help="the plugin servers' --runtime")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    args.clients_levels = [int(part) for part in args.clients.split(",") if part.strip()]
    args.node_counts = [int(part) for part in args.nodes.split(",") if part.strip()]
    if not all(1 <= n <= len(NODE_NAMES) for n in args.node_counts):
        parser.error(f"--nodes: between 1 and {len(NODE_NAMES)}")
    if not all(1 <= c <= 1000 for c in args.clients_levels):
        parser.error("--clients: between 1 and 1000")
    progress = Progress("limiter_accuracy")
    started = time.monotonic()
    report = run_bench(args, progress)
    return publish(report, started, render, args.json, progress)


if __name__ == "__main__":
    sys.exit(main())
