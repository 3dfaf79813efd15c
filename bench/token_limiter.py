#!/usr/bin/env python3
"""What ai-token-limiter costs and how exact it is, as counts and ratios from one run.

Everything runs on loopback and is stopped at the end: a private redis-server, the mock LLM and the emulated
gateway with our plugin server (bench/gateway_stack.py). Measured:

* **Redis round trips per request** (INFO commandstats deltas, EVALSHA + EVAL): an admitted request through
  ``ai-token-limiter`` (access + response), one through ``ai-token-limiter-stream`` (access + log), and a
  refused one (access only). Also every other command the server received in that time, to show there is
  nothing but the script.
* **Admission latency as a ratio to a bare PING on the same connection**: the reservation script (three
  limits: requests, tokens, monthly cost) and the settlement, timed in this process against ``PING`` on one
  pooled connection (pool size 1), interleaved.
* **Request latency through the gateway**: ``bare`` (no plugin), ``limiter`` and ``limiter-stream`` routes,
  interleaved, with their ratio to ``bare`` and their PDK round trips (``X-Emulator-Pdk-Calls``).
* **Accuracy under concurrency**: ``--threads`` clients send ``--accuracy-requests`` requests at once at a
  route allowing ``--accuracy-limit`` requests: admitted / allowed. And a token limit where each request
  uses more than it reserves: final tokens against the limit and the bound the in-flight corrections allow.
* **SSE time to first byte**: the same stream with no limiter, the buffered limiter (Kong buffers every
  response of a route with a ``response`` handler) and the streaming variant; TTFB ratios to no limiter.

Results: a table on stdout, a progress line on stderr, ``--json FILE``. Nothing here asserts a time.

Run: ``python bench/token_limiter.py [--iterations 300] [--json out.json]`` (about 20 s on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import redis
from bench_processes import REPO_ROOT, ProcessFailed, ProcessSet
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
from gateway_stack import GatewayStack, PluginUse, RouteSpec
from proxy_client import ProxyClient, ProxyError

from kong_plugins.ai_token_limiter.lua_source import SCRIPT_REDIS_COMMANDS
from kong_plugins.ai_token_limiter.plan import Amounts, Subject, build_plan
from kong_plugins.ai_token_limiter.report import read_counters
from kong_plugins.ai_token_limiter.schema import SCHEMA
from kong_plugins.ai_token_limiter.script import RedisCounterStore
from kong_plugins.ai_token_limiter.settings import build_settings
from kong_plugins.core.redis import RedisConfig, close_all_clients, connect
from kong_plugins.core.schema import ensure_valid_config

LIMITER = "ai-token-limiter"
STREAM = "ai-token-limiter-stream"
CHAT = {"model": "mock-gpt-4o", "messages": [{"role": "user", "content": "hello there"}], "max_tokens": 512}
PROMPT_TOKENS, ANSWER_TOKENS = 7, 16
RESERVED_COMPLETION = 8  # the token-accuracy route's default_max_tokens (its requests set none)
PRICING = [{"model": "mock-*", "prompt_per_million": 2.5, "completion_per_million": 10}]
SCRIPT_COMMANDS = ("evalsha", "eval")
UPSTREAM_PATH = "/v1/chat/completions"  # after the route prefix, which the gateway strips
REDIS_START_S = 15.0


class BenchFailure(RuntimeError):
    """An answer that makes the figures meaningless (a refusal on a route that must admit)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def limiter_config(port: int, namespace: str, limits: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "limits": limits,
        "strategy": "redis",
        "namespace": namespace,
        "pricing": PRICING,
        "unknown_model": "reject",
        "redis": {"host": "127.0.0.1", "port": port},
        **extra,
    }


ROOMY = [
    {"metric": "requests", "limit": 10**9, "window": "60"},
    {"metric": "tokens", "limit": 10**12, "window": "minute"},
    {"metric": "cost_usd", "limit": 10**6, "window": "month"},
]


def routes(port: int, accuracy_limit: int, token_limit: int) -> list[RouteSpec]:
    def limited(name: str, plugin: str, config: dict[str, Any]) -> RouteSpec:
        return RouteSpec(name, (PluginUse(plugin, config),))

    return [
        RouteSpec("bare"),
        limited("limiter", LIMITER, limiter_config(port, "bench", ROOMY)),
        limited("limiter-stream", STREAM, limiter_config(port, "bench-stream", ROOMY)),
        limited(
            "refusing",
            LIMITER,
            limiter_config(port, "bench-refusing", [{"metric": "requests", "limit": 1, "window": "3600"}]),
        ),
        limited(
            "accuracy-requests",
            LIMITER,
            limiter_config(
                port, "acc-requests", [{"metric": "requests", "limit": accuracy_limit, "window": "3600"}]
            ),
        ),
        limited(
            "accuracy-tokens",
            LIMITER,
            limiter_config(
                port,
                "acc-tokens",
                [{"metric": "tokens", "limit": token_limit, "window": "3600"}],
                default_max_tokens=RESERVED_COMPLETION,
            ),
        ),
    ]


# ---------------------------------------------------------------------------------------------- Redis
def start_redis(processes: ProcessSet, workdir: Path) -> int:
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    processes.spawn("redis", [*argv, "--dir", str(workdir)])
    deadline = time.monotonic() + REDIS_START_S
    while True:
        try:
            with redis.Redis(port=port, socket_timeout=1) as client:
                client.ping()
                return port
        except redis.RedisError as exc:
            if time.monotonic() > deadline:
                raise BenchFailure(f"redis-server did not start on {port}: {exc}") from exc
            time.sleep(0.02)


class CommandStats:
    """INFO commandstats on one long-lived connection (a new one would add its own handshake)."""

    def __init__(self, port: int) -> None:
        self.client = redis.Redis(port=port, decode_responses=True, socket_timeout=5)

    def snapshot(self) -> dict[str, int]:
        stats = self.client.info("commandstats")
        return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}

    @staticmethod
    def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
        return {
            name: calls - before.get(name, 0)
            for name, calls in after.items()
            if calls != before.get(name, 0) and name != "info"
        }


def round_trips(
    stack: GatewayStack, stats: CommandStats, client: ProxyClient, route: str, count: int, status: int
) -> dict[str, Any]:
    """Script calls per request on ``route`` (waiting for log phases to finish)."""
    body = json.dumps(CHAT).encode()
    before = stats.snapshot()
    ids = []
    for _ in range(count):
        answer = client.post(f"/r/{route}{UPSTREAM_PATH}", body, {"Content-Type": "application/json"})
        if answer.status != status:
            raise BenchFailure(f"{route}: expected {status}, got {answer.status}: {answer.body[:200]!r}")
        ids.append(answer.headers.get("X-Kong-Request-Id"))
    deadline = time.monotonic() + 10
    for request_id in ids:  # log phases run after the response: wait until they are done
        while request_id and not stack.admin_get(f"/_emulator/requests/{request_id}").get("log_done"):
            if time.monotonic() > deadline:
                raise BenchFailure(f"{route}: log phase not done after 10 s")
            time.sleep(0.01)
    delta = CommandStats.delta(before, stats.snapshot())
    scripts = sum(delta.get(name, 0) for name in SCRIPT_COMMANDS)
    others = sorted(name for name in delta if name not in SCRIPT_COMMANDS)
    return {
        "route": route,
        "requests": count,
        "status": status,
        "script_calls_per_request": round(scripts / count, 3),
        "commands_inside_the_script": [name for name in others if name in SCRIPT_REDIS_COMMANDS],
        "other_commands": [name for name in others if name not in SCRIPT_REDIS_COMMANDS],
    }


def admission_vs_ping(port: int, iterations: int) -> dict[str, Any]:
    """The reservation and settlement scripts against PING, on one pooled connection, interleaved."""
    config = limiter_config(port, "bench-admission", ROOMY)
    settings = build_settings(ensure_valid_config(SCHEMA.config, config))
    cfg = RedisConfig(host="127.0.0.1", port=port, keepalive_pool_size=1)
    client = connect(cfg)
    store = RedisCounterStore(lambda: client)
    plan = build_plan(settings, Subject(tenant="acme", model="mock-gpt-4o"))
    reserved = Amounts(PROMPT_TOKENS, 512, 1000)
    actual = Amounts(PROMPT_TOKENS, ANSWER_TOKENS, 500)
    amounts, deltas = plan.amounts(reserved), plan.deltas(actual, reserved)
    samples: dict[str, list[int]] = {"ping": [], "reserve": [], "settle": []}
    for _ in range(min(50, iterations)):  # warm-up: script loaded, connection open
        store.settle(plan.counters, deltas, store.reserve(plan.counters, amounts, "acme").buckets)
    for _ in range(iterations):
        started = time.perf_counter_ns()
        client.ping()
        samples["ping"].append(time.perf_counter_ns() - started)
        started = time.perf_counter_ns()
        decision = store.reserve(plan.counters, amounts, "acme")
        samples["reserve"].append(time.perf_counter_ns() - started)
        started = time.perf_counter_ns()
        store.settle(plan.counters, deltas, decision.buckets)
        samples["settle"].append(time.perf_counter_ns() - started)
    close_all_clients()
    summaries = {name: summarize(values) for name, values in samples.items()}
    ping = summaries["ping"]
    return {
        "counters": len(plan.counters),
        **{name: summary.as_json() for name, summary in summaries.items()},
        "reserve_p50_vs_ping": ratio(summaries["reserve"].p50_us, ping.p50_us),
        "reserve_p99_vs_ping": ratio(summaries["reserve"].p99_us, ping.p99_us),
        "settle_p50_vs_ping": ratio(summaries["settle"].p50_us, ping.p50_us),
    }


# ---------------------------------------------------------------------------------------------- gateway
def latency(
    client: ProxyClient, names: Sequence[str], iterations: int, rounds: int, progress: Progress
) -> list[dict[str, Any]]:
    body = json.dumps(CHAT).encode()
    samples: dict[str, list[int]] = {name: [] for name in names}
    pdk: dict[str, str] = {}
    for round_index, per_route in enumerate(split_rounds(iterations, rounds)):
        for name in names:
            for _ in range(per_route):
                started = time.perf_counter_ns()
                answer = client.post(f"/r/{name}{UPSTREAM_PATH}", body, {"Content-Type": "application/json"})
                samples[name].append(time.perf_counter_ns() - started)
                if answer.status != 200:
                    raise BenchFailure(f"{name}: {answer.status} {answer.body[:200]!r}")
                pdk[name] = answer.headers.get("X-Emulator-Pdk-Calls") or "none"
        progress.update(f"latency round {round_index + 1}/{rounds}")
    base = summarize(samples[names[0]])
    rows = []
    for name in names:
        summary = summarize(samples[name])
        rows.append(
            {
                "route": name,
                **summary.as_json(),
                "p50_vs_bare": ratio(summary.p50_us, base.p50_us),
                "p99_vs_bare": ratio(summary.p99_us, base.p99_us),
                "pdk_calls": pdk[name],
            }
        )
    return rows


def concurrent_statuses(port: int, path: str, total: int, threads: int, body: dict[str, Any]) -> list[int]:
    """``total`` requests from ``threads`` clients released together."""
    data = json.dumps(body).encode()
    gate = threading.Barrier(threads)
    statuses: list[int] = []
    lock = threading.Lock()
    shares = split_rounds(total, threads)

    def worker(count: int) -> None:
        client = ProxyClient(port, 60)
        try:
            gate.wait()
            for _ in range(count):
                answer = client.post(path, data, {"Content-Type": "application/json"})
                with lock:
                    statuses.append(answer.status)
        finally:
            client.close()

    workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return statuses


def accuracy(stack: GatewayStack, port: int, args: argparse.Namespace) -> dict[str, Any]:
    statuses = concurrent_statuses(
        stack.proxy_port, f"/r/accuracy-requests{UPSTREAM_PATH}", args.accuracy_requests, args.threads, CHAT
    )
    admitted = statuses.count(200)
    no_max = {key: value for key, value in CHAT.items() if key != "max_tokens"}
    token_statuses = concurrent_statuses(
        stack.proxy_port, f"/r/accuracy-tokens{UPSTREAM_PATH}", args.accuracy_requests, args.threads, no_max
    )
    token_admitted = token_statuses.count(200)
    with redis.Redis(port=port, decode_responses=True) as client:
        tokens = sum(r.used for r in read_counters(client, "acc-tokens") if r.metric == "tokens")
    actual, reserved = PROMPT_TOKENS + ANSWER_TOKENS, PROMPT_TOKENS + RESERVED_COMPLETION
    return {
        "threads": args.threads,
        "requests": args.accuracy_requests,
        "requests_limit": args.accuracy_limit,
        "requests_admitted": admitted,
        "requests_admitted_vs_allowed": ratio(admitted, args.accuracy_limit),
        "other_statuses": sorted(set(statuses) - {200, 429}),
        "tokens_limit": args.token_limit,
        "tokens_admitted_requests": token_admitted,
        "tokens_used": tokens,
        "tokens_used_vs_limit": ratio(tokens, args.token_limit),
        "tokens_bound": args.token_limit + token_admitted * (actual - reserved),
        "token_route_other_statuses": sorted(set(token_statuses) - {200, 429}),
    }


def sse_ttfb(stack: GatewayStack, args: argparse.Namespace, progress: Progress) -> list[dict[str, Any]]:
    body = json.dumps({**CHAT, "stream": True, "max_tokens": args.sse_tokens}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Mock-Chunk-Delay-Ms": str(args.sse_chunk_delay_ms),
        "X-Mock-Completion-Tokens": str(args.sse_tokens),
    }
    names = ["bare", "limiter", "limiter-stream"]
    ttfb: dict[str, list[int]] = {name: [] for name in names}
    total: dict[str, list[int]] = {name: [] for name in names}
    client = ProxyClient(stack.proxy_port, args.timeout)
    try:
        for index in range(args.sse_iterations):
            for name in names:
                timing = client.post_timed_stream(f"/r/{name}{UPSTREAM_PATH}", body, headers)
                if timing.status != 200:
                    raise BenchFailure(f"SSE on {name}: status {timing.status}")
                ttfb[name].append(timing.first_byte_ns)
                total[name].append(timing.last_byte_ns)
            progress.update(f"SSE {index + 1}/{args.sse_iterations}")
    finally:
        client.close()
    base = summarize(ttfb["bare"])
    rows = []
    for name in names:
        first, last = summarize(ttfb[name]), summarize(total[name])
        rows.append(
            {
                "route": name,
                "ttfb": first.as_json(),
                "total": last.as_json(),
                "ttfb_p50_vs_bare": ratio(first.p50_us, base.p50_us),
                "ttfb_over_total_p50": ratio(first.p50_us, last.p50_us),
            }
        )
    return rows


def run_bench(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-limiter-") as tmp:
        workdir = Path(tmp)
        with ProcessSet(workdir) as processes:
            redis_port = start_redis(processes, workdir)
            progress.note(f"redis-server on {redis_port}; starting the gateway")
            with GatewayStack(
                workdir, routes(redis_port, args.accuracy_limit, args.token_limit), None
            ) as stack:
                stack.start()
                stats = CommandStats(redis_port)
                client = ProxyClient(stack.proxy_port, args.timeout)
                try:
                    progress.note("Redis round trips per request")
                    for name in ("limiter", "limiter-stream"):  # the first call loads the script (EVAL)
                        round_trips(stack, stats, client, name, 1, 200)
                    round_trip_rows = [
                        round_trips(stack, stats, client, "limiter", args.round_trip_requests, 200),
                        round_trips(stack, stats, client, "limiter-stream", args.round_trip_requests, 200),
                    ]
                    round_trips(stack, stats, client, "refusing", 1, 200)
                    round_trip_rows.append(
                        round_trips(stack, stats, client, "refusing", args.round_trip_requests, 429)
                    )
                    progress.note("admission latency against PING")
                    admission = admission_vs_ping(redis_port, args.iterations)
                    progress.note("request latency through the gateway")
                    names = ["bare", "limiter", "limiter-stream"]
                    for name in names:
                        for _ in range(args.warmup):
                            client.post(f"/r/{name}{UPSTREAM_PATH}", json.dumps(CHAT).encode(), {})
                    latency_rows = latency(client, names, args.iterations, args.rounds, progress)
                finally:
                    client.close()
                progress.note("accuracy under concurrency")
                accuracy_row = accuracy(stack, redis_port, args)
                progress.note("SSE time to first byte")
                sse_rows = sse_ttfb(stack, args, progress)
                stats.client.close()
    progress.done()
    return {
        "machine": machine_info(),
        "settings": {
            key: getattr(args, key)
            for key in (
                "iterations",
                "rounds",
                "warmup",
                "round_trip_requests",
                "threads",
                "accuracy_requests",
                "accuracy_limit",
                "token_limit",
                "sse_iterations",
                "sse_tokens",
                "sse_chunk_delay_ms",
            )
        },
        "redis_round_trips": round_trip_rows,
        "admission": admission,
        "latency": latency_rows,
        "accuracy": accuracy_row,
        "sse": sse_rows,
    }


# ---------------------------------------------------------------------------------------------- report
def render_report(report: dict[str, Any]) -> str:
    def us(summary: dict[str, Any]) -> str:
        return f"{summary['p50_us']:.0f} / {summary['p99_us']:.0f}"

    out = ["Redis round trips per request (EVALSHA + EVAL, INFO commandstats)"]
    out.append(
        render_table(
            ["route", "status", "script calls / request", "any other command sent"],
            [
                [
                    row["route"],
                    str(row["status"]),
                    f"{row['script_calls_per_request']:.2f}",
                    ", ".join(row["other_commands"]) or "none",
                ]
                for row in report["redis_round_trips"]
            ],
        )
    )
    admission = report["admission"]
    out += ["", f"Admission vs PING on one connection ({admission['counters']} counters per reservation)"]
    out.append(
        render_table(
            ["call", "p50 / p99 (us)", "p50 vs PING"],
            [
                ["PING", us(admission["ping"]), "1.00x"],
                ["reserve script", us(admission["reserve"]), format_ratio(admission["reserve_p50_vs_ping"])],
                ["settle script", us(admission["settle"]), format_ratio(admission["settle_p50_vs_ping"])],
            ],
        )
    )
    out += ["", "Request latency through the emulated gateway"]
    out.append(
        render_table(
            ["route", "p50 / p99 (us)", "p50 vs bare", "p99 vs bare", "PDK calls"],
            [
                [
                    row["route"],
                    us(row),
                    format_ratio(row["p50_vs_bare"]),
                    format_ratio(row["p99_vs_bare"]),
                    row["pdk_calls"],
                ]
                for row in report["latency"]
            ],
        )
    )
    acc = report["accuracy"]
    out += ["", f"Accuracy: {acc['requests']} requests from {acc['threads']} threads at once"]
    out.append(
        render_table(
            ["limit", "allowed", "admitted / used", "ratio", "bound"],
            [
                [
                    "requests",
                    str(acc["requests_limit"]),
                    str(acc["requests_admitted"]),
                    format_ratio(acc["requests_admitted_vs_allowed"]),
                    str(acc["requests_limit"]),
                ],
                [
                    "tokens",
                    str(acc["tokens_limit"]),
                    f"{acc['tokens_used']:.0f} ({acc['tokens_admitted_requests']} requests)",
                    format_ratio(acc["tokens_used_vs_limit"]),
                    str(acc["tokens_bound"]),
                ],
            ],
        )
    )
    out += ["", "SSE time to first byte"]
    out.append(
        render_table(
            ["route", "TTFB p50 / p99 (us)", "total p50 (us)", "TTFB vs no limiter", "TTFB / total"],
            [
                [
                    row["route"],
                    us(row["ttfb"]),
                    f"{row['total']['p50_us']:.0f}",
                    format_ratio(row["ttfb_p50_vs_bare"]),
                    format_ratio(row["ttfb_over_total_p50"]),
                ]
                for row in report["sse"]
            ],
        )
    )
    return "\n".join(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=bounded_int(10, 100_000), default=300, help="samples per case")
    parser.add_argument("--rounds", type=bounded_int(1, 100), default=5, help="interleaving rounds")
    parser.add_argument("--warmup", type=bounded_int(0, 1000), default=20, help="requests per route first")
    parser.add_argument("--round-trip-requests", type=bounded_int(1, 10_000), default=20)
    parser.add_argument("--threads", type=bounded_int(1, 64), default=16, help="concurrent clients")
    parser.add_argument("--accuracy-requests", type=bounded_int(1, 10_000), default=400)
    parser.add_argument("--accuracy-limit", type=bounded_int(1, 10_000), default=100)
    parser.add_argument("--token-limit", type=bounded_int(1, 10**6), default=1500)
    parser.add_argument("--sse-iterations", type=bounded_int(1, 1000), default=10)
    parser.add_argument("--sse-tokens", type=bounded_int(1, 1000), default=16)
    parser.add_argument("--sse-chunk-delay-ms", type=bounded_int(0, 1000), default=5)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per HTTP request")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    return parser


def main(argv: Sequence[str] | None = None, *, progress_factory: Callable[[str], Progress] = Progress) -> int:
    args = build_parser().parse_args(argv)
    args.rounds = min(args.rounds, args.iterations)
    progress = progress_factory("token_limiter")
    started = time.monotonic()
    try:
        report = run_bench(args, progress)
    except (BenchFailure, ProxyError, ProcessFailed) as exc:
        progress.note(f"failed: {exc}")
        return 1
    return publish(report, started, render_report, args.json, progress, f" (repository {REPO_ROOT})")


if __name__ == "__main__":
    sys.exit(main())
