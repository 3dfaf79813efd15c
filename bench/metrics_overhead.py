#!/usr/bin/env python3
"""What ``--metrics-listen`` costs a request: the same chain with metrics on and off, as a ratio from one run.

Two emulated Kong 3.9 nodes run side by side (tests/integration/observability/metrics_gateway.py): the chain
ai-tenant-resolver, ai-input-guard, ai-token-limiter (Redis), ai-audit-log (Redis sink) in two plugin-server
processes, in front of the mock LLM. One node's processes record metrics into a shared directory and one of
them serves ``/metrics`` (scraped once per round, as Prometheus would); the other node runs without
metrics. Requests alternate between the two nodes in rounds, so both see the same machine load. Reported:
p50/p90 per node and the ratio on/off. Nothing asserts a time.

Needs the stack's Redis and mock LLM (``scripts/pongo up``; ports from ``.pongo/run/env``).
Run: ``python bench/metrics_overhead.py [--rounds 300] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]


def stack_env() -> None:
    env_file = ROOT / ".pongo" / "run" / "env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.startswith(("KONG_AI_", "REDIS_")):
                os.environ.setdefault(key, value)
    os.environ.setdefault(
        "KONG_AI_MOCK_LLM_URL", f"http://127.0.0.1:{os.environ.get('KONG_AI_MOCK_LLM_PORT', '9000')}"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    stack_env()
    from integration.observability.metrics_gateway import metrics_node

    times: dict[str, list[float]] = {"on": [], "off": []}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-metrics-")))
        (tmp / "on").mkdir()
        (tmp / "off").mkdir()
        nodes = {
            "on": stack.enter_context(metrics_node(tmp / "on", tenants=["acme"], requests_limit=10**9)),
            "off": stack.enter_context(
                metrics_node(tmp / "off", tenants=["acme"], requests_limit=10**9, metrics=False)
            ),
        }
        for index in range(args.warmup + args.rounds):
            order = ("on", "off") if index % 2 == 0 else ("off", "on")
            for name in order:
                started = time.perf_counter()
                response = nodes[name].send("acme")
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{name}: status {response.status_code}: {response.text[:200]}")
                if index >= args.warmup:
                    times[name].append(elapsed)
            if index % 50 == 0:
                nodes["on"].scrape()
                print(f"round {index}/{args.warmup + args.rounds}", file=sys.stderr)
    result = {
        name: {
            "n": len(values),
            "p50_ms": percentile(values, 0.5) * 1000,
            "p90_ms": percentile(values, 0.9) * 1000,
            "mean_ms": statistics.fmean(values) * 1000,
        }
        for name, values in times.items()
    }
    result["ratio_p50_on_off"] = result["on"]["p50_ms"] / result["off"]["p50_ms"]
    result["ratio_mean_on_off"] = result["on"]["mean_ms"] / result["off"]["mean_ms"]
    print(f"{'metrics':<8} {'n':>6} {'p50 ms':>9} {'p90 ms':>9} {'mean ms':>9}")
    for name in ("off", "on"):
        row = result[name]
        print(f"{name:<8} {row['n']:>6} {row['p50_ms']:>9.2f} {row['p90_ms']:>9.2f} {row['mean_ms']:>9.2f}")
    print(f"ratio on/off: p50 {result['ratio_p50_on_off']:.3f}, mean {result['ratio_mean_on_off']:.3f}")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
