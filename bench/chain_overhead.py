#!/usr/bin/env python3
"""What a plugin chain costs a request through the emulated Kong gateway, as ratios from one run.

What it measures, over real HTTP/1.1 (one keep-alive client connection, as a load balancer would hold),
through the emulated gateway, its plugin servers and the mock LLM, all started here on ephemeral loopback
ports and stopped at the end (bench/gateway_stack.py):

* latency of the same chat-completions request on each route of bench/routes.json (or ``--routes FILE``):
  the first route is the baseline (``bare``, no plugins), then ``tenant-resolver`` (ai-tenant-resolver), and
  the full chain once more plugins exist (see bench/README.md). Routes are interleaved in rounds; each gets
  p50/p99 and its ratio to the baseline;
* the PDK round trips per plugin and phase on each route, from the ``X-Emulator-Pdk-Calls`` response header
  (the phases before the response is sent) and the emulator's request record (which adds ``log``);
* time to first byte of an SSE stream (``"stream": true``) from the mock LLM, without plugins and with a
  plugin that has a ``response`` handler (the toy ``wire_probe_resp`` on the stock kong-pdk server): Kong
  buffers the whole upstream response before a response handler can run, so the first byte waits for the
  last one. Reported as TTFB and time to last byte, and the ratio buffered/unbuffered.

Results: a table on stdout, a progress line on stderr, ``--json FILE``. Nothing here asserts a time.

Run: ``python bench/chain_overhead.py [--iterations 1000] [--routes routes.json] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench_processes import ProcessFailed
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
from gateway_stack import (
    DEFAULT_WIRE_PLUGINS,
    RESPONSE_PLUGIN,
    GatewayStack,
    PluginUse,
    RoutesError,
    RouteSpec,
    load_routes,
)
from proxy_client import ProxyClient, ProxyError

DEFAULT_ROUTES_FILE = Path(__file__).resolve().parent / "routes.json"
PDK_COUNT_HEADER = "X-Emulator-Pdk-Calls"
REQUEST_ID_HEADER = "X-Kong-Request-Id"
UPSTREAM_PATH = "/v1/chat/completions"
MODEL = "gpt-4o-mini"
#: The SSE comparison: the same stream through a route without plugins and one with a response handler.
SSE_PLAIN = RouteSpec("sse-plain", (), {})
SSE_BUFFERED = RouteSpec("sse-response-phase", (PluginUse(RESPONSE_PLUGIN, {"response": "[]"}),), {})
MAX_ITERATIONS = 100_000
LOG_RECORD_DEADLINE_S = 10.0


class BenchFailure(RuntimeError):
    """A route did not answer as a benchmark needs (not 200): the figures would be meaningless."""


def chat_body(stream: bool) -> bytes:
    request: dict[str, Any] = {"model": MODEL, "messages": [{"role": "user", "content": "hello bench"}]}
    if stream:
        request["stream"] = True
    return json.dumps(request).encode()


def request_headers(route: RouteSpec, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Content-Type": "application/json", **route.headers, **(extra or {})}


def parse_pdk_calls(value: str | None) -> dict[str, dict[str, int]]:
    """``"plugin.phase=N, plugin.phase=N"`` (the emulator's header) as ``{plugin: {phase: N}}``."""
    calls: dict[str, dict[str, int]] = {}
    for item in (value or "").split(","):
        key, _, count = item.strip().partition("=")
        plugin, _, phase = key.rpartition(".")
        if plugin and phase and count.isdigit():
            calls.setdefault(plugin, {})[phase] = int(count)
    return calls


def recorded_pdk_calls(stack: GatewayStack, request_id: str | None) -> dict[str, dict[str, int]] | None:
    """All phases' PDK round trips of one request, log included, from the emulator (polled until logged)."""
    if not request_id:
        return None
    deadline = time.monotonic() + LOG_RECORD_DEADLINE_S
    while time.monotonic() < deadline:
        record = stack.admin_get(f"/_emulator/requests/{request_id}")
        if isinstance(record, dict) and record.get("log_done"):
            return {p: dict(phases) for p, phases in record.get("pdk_calls", {}).items()}
        time.sleep(0.02)
    return None


def check_route(client: ProxyClient, stack: GatewayStack, route: RouteSpec) -> dict[str, Any]:
    """One untimed request: it must succeed; returns what the gateway says the plugins did."""
    answer = client.post(route.path + UPSTREAM_PATH, chat_body(False), request_headers(route))
    if answer.status != 200:
        raise BenchFailure(
            f"route {route.name}: status {answer.status}, body {answer.body[:500]!r}\n"
            f"(a route's plugins need a config and headers that let the request through; see --routes)"
        )
    header = answer.headers.get(PDK_COUNT_HEADER)
    return {
        "pdk_calls_header": parse_pdk_calls(header),
        "pdk_calls_all_phases": recorded_pdk_calls(stack, answer.headers.get(REQUEST_ID_HEADER)),
    }


def time_requests(
    client: ProxyClient,
    route: RouteSpec,
    count: int,
    samples: list[int],
    headers_seen: collections.Counter[str],
) -> None:
    """``count`` timed requests on ``route``; any non-200 answer fails the bench."""
    path, body, headers = route.path + UPSTREAM_PATH, chat_body(False), request_headers(route)
    clock = time.perf_counter_ns
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(count):
            started = clock()
            answer = client.post(path, body, headers)
            samples.append(clock() - started)
            if answer.status != 200:
                raise BenchFailure(f"route {route.name}: status {answer.status}: {answer.body[:300]!r}")
            headers_seen[answer.headers.get(PDK_COUNT_HEADER) or ""] += 1
    finally:
        if gc_was_enabled:
            gc.enable()


def time_stream(client: ProxyClient, route: RouteSpec, sse_headers: dict[str, str]) -> tuple[int, int]:
    """One streamed request: (ns to the first body byte, ns to the last one)."""
    timing = client.post_timed_stream(
        route.path + UPSTREAM_PATH, chat_body(True), request_headers(route, sse_headers)
    )
    if timing.status != 200:
        raise BenchFailure(f"route {route.name} (stream): status {timing.status}: {timing.first[:300]!r}")
    if not timing.first.startswith(b"data:"):
        raise BenchFailure(f"route {route.name} (stream): not an SSE body: {timing.first[:200]!r}")
    return timing.first_byte_ns, timing.last_byte_ns


def interleave(
    routes: Sequence[RouteSpec],
    iterations: int,
    rounds: int,
    run: Callable[[RouteSpec, int], None],
    progress: Progress,
    label: str,
) -> None:
    """Round 1 of every route, then round 2...: machine drift hits every route alike."""
    done, total = 0, iterations * len(routes)
    for round_index, count in enumerate(split_rounds(iterations, rounds), start=1):
        for route in routes:
            progress.update(f"{label} round {round_index}/{rounds}: {route.name} ({done}/{total} requests)")
            run(route, count)
            done += count


def run_bench(args: argparse.Namespace, routes: list[RouteSpec], progress: Progress) -> dict[str, Any]:
    wire_plugins = None if args.no_sse else Path(args.wire_plugins)
    all_routes = routes + ([] if args.no_sse else [SSE_PLAIN, SSE_BUFFERED])
    latency_samples: dict[str, list[int]] = {route.name: [] for route in routes}
    headers_seen: dict[str, collections.Counter[str]] = {
        route.name: collections.Counter() for route in routes
    }
    checks: dict[str, dict[str, Any]] = {}
    sse_samples: dict[str, tuple[list[int], list[int]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-chain-") as tmp:
        stack = GatewayStack(Path(tmp), all_routes, wire_plugins, runtime=args.runtime)
        try:
            progress.note(f"starting mock LLM, emulated gateway and plugin servers (logs in {tmp})")
            stack.start()
            client = ProxyClient(stack.proxy_port, args.timeout)
            try:
                for route in routes:
                    checks[route.name] = check_route(client, stack, route)
                    time_requests(client, route, args.warmup, [], collections.Counter())
                interleave(
                    routes,
                    args.iterations,
                    args.rounds,
                    lambda route, n: time_requests(
                        client, route, n, latency_samples[route.name], headers_seen[route.name]
                    ),
                    progress,
                    "latency",
                )
                if not args.no_sse:
                    sse_headers = {
                        "X-Mock-Chunk-Delay-Ms": str(args.sse_chunk_delay_ms),
                        "X-Mock-Completion-Tokens": str(args.sse_tokens),
                    }
                    for route in (SSE_PLAIN, SSE_BUFFERED):
                        sse_samples[route.name] = ([], [])
                        time_stream(client, route, sse_headers)  # warm-up (instance start)

                    def stream_round(route: RouteSpec, count: int) -> None:
                        for _ in range(count):
                            ttfb, total = time_stream(client, route, sse_headers)
                            sse_samples[route.name][0].append(ttfb)
                            sse_samples[route.name][1].append(total)

                    interleave(
                        [SSE_PLAIN, SSE_BUFFERED],
                        args.sse_iterations,
                        min(args.rounds, args.sse_iterations),
                        stream_round,
                        progress,
                        "sse",
                    )
            finally:
                client.close()
        except (BenchFailure, ProxyError, ProcessFailed):
            progress.note(f"gateway log tail:\n{stack.log_tail()}")
            raise
        finally:
            leftovers = stack.close()
            if leftovers:
                progress.note(f"plugin servers outlived the gateway and were killed: {leftovers}")
        progress.done()
    return build_report(args, routes, latency_samples, headers_seen, checks, sse_samples)


def build_report(
    args: argparse.Namespace,
    routes: Sequence[RouteSpec],
    latency_samples: dict[str, list[int]],
    headers_seen: dict[str, collections.Counter[str]],
    checks: dict[str, dict[str, Any]],
    sse_samples: dict[str, tuple[list[int], list[int]]],
) -> dict[str, Any]:
    """The JSON document (also the source of the tables)."""
    summaries = {name: summarize(values) for name, values in latency_samples.items()}
    baseline = summaries[routes[0].name]
    routes_json = []
    for route in routes:
        summary = summaries[route.name]
        seen = headers_seen[route.name]
        header_calls = parse_pdk_calls(seen.most_common(1)[0][0]) if seen else {}
        routes_json.append(
            {
                "route": route.name,
                "plugins": [use.name for use in route.plugins],
                **summary.as_json(),
                "p50_vs_baseline": ratio(summary.p50_us, baseline.p50_us),
                "p99_vs_baseline": ratio(summary.p99_us, baseline.p99_us),
                "pdk_calls": header_calls,
                "pdk_round_trips": sum(n for phases in header_calls.values() for n in phases.values()),
                "pdk_calls_varied": len(seen) > 1,
                "pdk_calls_all_phases": checks[route.name]["pdk_calls_all_phases"],
            }
        )
    sse_json: list[dict[str, Any]] = []
    if sse_samples:
        ttfb = {name: summarize(pair[0]) for name, pair in sse_samples.items()}
        total = {name: summarize(pair[1]) for name, pair in sse_samples.items()}
        plain = ttfb[SSE_PLAIN.name]
        for route in (SSE_PLAIN, SSE_BUFFERED):
            sse_json.append(
                {
                    "route": route.name,
                    "plugins": [use.name for use in route.plugins],
                    "buffered": route is SSE_BUFFERED,
                    "ttfb": ttfb[route.name].as_json(),
                    "total": total[route.name].as_json(),
                    "ttfb_p50_vs_unbuffered": ratio(ttfb[route.name].p50_us, plain.p50_us),
                    "ttfb_p99_vs_unbuffered": ratio(ttfb[route.name].p99_us, plain.p99_us),
                    "ttfb_over_total_p50": ratio(ttfb[route.name].p50_us, total[route.name].p50_us),
                }
            )
    return {
        "bench": "chain_overhead",
        "machine": machine_info(),
        "settings": {
            "iterations": args.iterations,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "sse_iterations": 0 if args.no_sse else args.sse_iterations,
            "sse_chunk_delay_ms": args.sse_chunk_delay_ms,
            "sse_tokens": args.sse_tokens,
            "baseline": routes[0].name,
            "routes_file": args.routes,
        },
        "routes": routes_json,
        "sse": sse_json,
    }


def render_report(report: dict[str, Any]) -> str:
    machine = report["machine"]
    settings = report["settings"]
    lines = [
        f"plugin chain overhead through the emulated gateway: {machine['cpus']} CPUs, Python "
        f"{machine['python']}; {settings['iterations']} requests per route, baseline {settings['baseline']}",
        "",
    ]
    rows = []
    for route in report["routes"]:
        calls = "; ".join(
            f"{plugin}: " + " ".join(f"{phase}={n}" for phase, n in sorted(phases.items()))
            for plugin, phases in sorted((route["pdk_calls_all_phases"] or route["pdk_calls"]).items())
        )
        rows.append(
            [
                route["route"],
                f"{route['p50_us'] / 1000:.2f}",
                f"{route['p99_us'] / 1000:.2f}",
                format_ratio(route["p50_vs_baseline"]),
                format_ratio(route["p99_vs_baseline"]),
                calls or "-",
            ]
        )
    lines.append(
        render_table(["route", "p50 ms", "p99 ms", "p50 vs base", "p99 vs base", "PDK round trips"], rows)
    )
    if report["sse"]:
        lines.append("")
        lines.append(
            f"SSE stream from the mock LLM ({settings['sse_tokens']} tokens, "
            f"{settings['sse_chunk_delay_ms']} ms between events, "
            f"{settings['sse_iterations']} streams per route)"
        )
        rows = [
            [
                entry["route"],
                "yes" if entry["buffered"] else "no",
                f"{entry['ttfb']['p50_us'] / 1000:.2f}",
                f"{entry['ttfb']['p99_us'] / 1000:.2f}",
                f"{entry['total']['p50_us'] / 1000:.2f}",
                format_ratio(entry["ttfb_p50_vs_unbuffered"]),
                format_ratio(entry["ttfb_over_total_p50"]),
            ]
            for entry in report["sse"]
        ]
        lines.append(
            render_table(
                [
                    "route",
                    "buffered",
                    "TTFB p50 ms",
                    "TTFB p99 ms",
                    "total p50 ms",
                    "TTFB vs plain",
                    "TTFB/total",
                ],
                rows,
            )
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--iterations",
        type=bounded_int(1, MAX_ITERATIONS),
        default=1000,
        help="timed requests per route (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=bounded_int(0, MAX_ITERATIONS),
        default=None,
        help="untimed requests per route first (default: iterations/10, at most 50)",
    )
    parser.add_argument(
        "--rounds", type=bounded_int(1, 100), default=10, help="interleaving rounds (default: %(default)s)"
    )
    parser.add_argument(
        "--routes",
        metavar="FILE",
        default=str(DEFAULT_ROUTES_FILE),
        help='JSON {"routes": [{"name", "plugins": [{"name", "config"}], "headers"}]}; the first route is '
        "the baseline (default: %(default)s)",
    )
    parser.add_argument(
        "--sse-iterations",
        type=bounded_int(1, MAX_ITERATIONS),
        default=None,
        help="streams per SSE route (default: iterations/10, at least 1, at most 20)",
    )
    parser.add_argument(
        "--sse-tokens",
        type=bounded_int(1, 4096),
        default=16,
        help="events in each stream (mock LLM completion tokens; default: %(default)s)",
    )
    parser.add_argument(
        "--sse-chunk-delay-ms",
        type=bounded_int(0, 1000),
        default=5,
        help="mock LLM delay between SSE events (default: %(default)s)",
    )
    parser.add_argument("--no-sse", action="store_true", help="skip the SSE time-to-first-byte part")
    parser.add_argument(
        "--wire-plugins",
        default=str(DEFAULT_WIRE_PLUGINS),
        help="directory of the kong-wire toy plugins (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="HTTP read timeout, seconds (default: %(default)s)"
    )
    parser.add_argument(
        "--runtime",
        choices=("green", "threads"),
        default=None,
        help="the plugin server's --runtime (default: the server's default)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = min(50, max(1, args.iterations // 10))
    if args.sse_iterations is None:
        args.sse_iterations = min(20, max(1, args.iterations // 10))
    args.rounds = min(args.rounds, args.iterations)
    try:
        routes = load_routes(args.routes)
    except (RoutesError, OSError) as exc:
        parser.error(str(exc))
    reserved = {SSE_PLAIN.name, SSE_BUFFERED.name}
    if reserved & {route.name for route in routes}:
        parser.error(f"route names {sorted(reserved)} are reserved for the SSE part")
    if not args.no_sse and not (Path(args.wire_plugins) / f"{RESPONSE_PLUGIN}.py").is_file():
        parser.error(
            f"{RESPONSE_PLUGIN}.py not found in {args.wire_plugins} (pass --wire-plugins or --no-sse)"
        )
    progress = Progress("chain_overhead")
    started = time.monotonic()
    try:
        report = run_bench(args, routes, progress)
    except (BenchFailure, ProxyError, ProcessFailed) as exc:
        progress.note(f"failed: {exc}")
        return 1
    return publish(report, started, render_report, args.json, progress)


if __name__ == "__main__":
    sys.exit(main())
