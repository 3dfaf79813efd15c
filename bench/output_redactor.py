"""What ai-output-redactor costs, as ratios from one run.

* **Redaction throughput** (in this process, the plugin's own code without Kong): a 100 KB OpenAI chat
  answer (prose with an email, a phone number, a card number and a key every ~5 KB, and a dense variant
  with them every ~400 characters: about 1,000 values) through
  :func:`answer.process_answer` (parse, redact every string, serialize), and an SSE stream of 2,000 chat
  chunks (the same text, a few characters per event) through the same function; each as MB/s and as a ratio
  to a plain ``json.loads`` + ``json.dumps`` of the same body (of every event's data for the stream).
  Interleaved, p50 of ``--iterations``.
* **Through the emulated gateway**: PDK round trips of the plugin per request (``X-Emulator-Pdk-Calls``,
  a clean and a redacted answer), request latency with / without the plugin, and **SSE time to first
  byte** with / without it: Kong buffers the whole answer for a ``response``-phase plugin, so the first
  byte leaves when the stream has ended.

Results: a table on stdout, a progress line on stderr, ``--json FILE``. Nothing here asserts a time.

Run: ``python bench/output_redactor.py [--iterations 30] [--json out.json]`` (about 30 s on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench_processes import REPO_ROOT, ProcessFailed
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
from proxy_client import ProxyClient, ProxyError

from kong_plugins.ai_output_redactor.answer import process_answer
from kong_plugins.ai_output_redactor.schema import SCHEMA
from kong_plugins.ai_output_redactor.settings import build_settings
from kong_plugins.core.schema import ensure_valid_config

PLUGIN = "ai-output-redactor"
UPSTREAM_PATH = "/v1/chat/completions"
SENTENCE = (
    "The quarterly report was reviewed by the team and the figures were reconciled against the ledger. "
    "Contact jane.doe@example.com or call +44 20 7946 0958 about card 4111 1111 1111 1111 and key "
    "AKIAIOSFODNN7EXAMPLE before Friday. Everything else in the account looked ordinary and needs no action. "
    "The team will meet again next week to go through the remaining items on the list, one by one. "
)


class BenchFailure(RuntimeError):
    """An answer that makes the figures meaningless."""


PROSE = (
    "The quarterly report was reviewed by the team and the figures were reconciled against the ledger; "
    "nothing unusual came up, and the remaining items were assigned to their owners for next week. "
)


def answer_text(size: int, dense: bool) -> str:
    """``dense``: four values (email, phone, card, key) every ~400 characters; else every ~5 KB."""
    unit = SENTENCE if dense else PROSE * 24 + SENTENCE
    return (unit * (size // len(unit) + 1))[:size]


def json_answer(size: int, dense: bool = True) -> bytes:
    text = answer_text(size, dense)
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "mock-gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20000, "total_tokens": 20010},
    }
    return json.dumps(body).encode()


def sse_answer(events: int) -> bytes:
    text = answer_text(events * 6 + 6, False)
    size = max(1, len(text) // events)
    chunks = []
    for index in range(events):
        piece = text[index * size : (index + 1) * size]
        chunk = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "model": "mock-gpt-4o",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
        }
        chunks.append("data: " + json.dumps(chunk) + "\n\n")
    return ("".join(chunks) + "data: [DONE]\n\n").encode()


def plain_json(body: bytes) -> None:
    json.dumps(json.loads(body))


def plain_sse(body: bytes) -> None:
    for block in body.split(b"\n\n"):
        if block.startswith(b"data: {"):
            json.dumps(json.loads(block[6:]))


def throughput(args: argparse.Namespace, progress: Progress) -> list[dict[str, Any]]:
    settings = build_settings(ensure_valid_config(SCHEMA.config, {}))
    cases = {
        "json-100KB-sparse": (
            json_answer(100 * 1024, False),
            {"content-type": "application/json"},
            plain_json,
        ),
        "json-100KB-dense": (json_answer(100 * 1024, True), {"content-type": "application/json"}, plain_json),
        "sse-2000-events": (sse_answer(args.sse_events), {"content-type": "text/event-stream"}, plain_sse),
    }
    rows = []
    for name, (body, headers, plain) in cases.items():
        redact_ns: list[int] = []
        plain_ns: list[int] = []
        redactions = 0
        for index in range(args.iterations):
            started = time.perf_counter_ns()
            outcome = process_answer(settings, headers, body, lambda: "", lambda: None)
            redact_ns.append(time.perf_counter_ns() - started)
            started = time.perf_counter_ns()
            plain(body)
            plain_ns.append(time.perf_counter_ns() - started)
            redactions = outcome.tally.total
            progress.update(f"{name} {index + 1}/{args.iterations}")
        redact, base = summarize(redact_ns), summarize(plain_ns)
        rows.append(
            {
                "case": name,
                "bytes": len(body),
                "redactions": redactions,
                "redact_p50_us": redact.p50_us,
                "plain_p50_us": base.p50_us,
                "redact_mb_per_s": round(len(body) / redact.p50_us, 2) if redact.p50_us else None,
                "plain_mb_per_s": round(len(body) / base.p50_us, 2) if base.p50_us else None,
                "ratio_to_plain": ratio(redact.p50_us, base.p50_us),
            }
        )
    return rows


def routes() -> list[RouteSpec]:
    return [RouteSpec("bare"), RouteSpec("redactor", (PluginUse(PLUGIN, {}),))]


def gateway(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-redactor-") as tmp,
        GatewayStack(Path(tmp), routes(), None) as stack,
    ):
        stack.start()
        client = ProxyClient(stack.proxy_port, args.timeout)
        try:
            headers = {"Content-Type": "application/json", "X-Mock-Verbatim": "1"}

            def chat(text: str, **extra: Any) -> bytes:
                return json.dumps(
                    {"model": "mock-gpt-4o", "messages": [{"role": "user", "content": text}], **extra}
                ).encode()

            calls = {}
            for label, text in (("clean", "nothing to hide here"), ("redacted", "mail jane.doe@example.com")):
                answer = client.post(f"/r/redactor{UPSTREAM_PATH}", chat(text), headers)
                if answer.status != 200:
                    raise BenchFailure(f"{label}: status {answer.status}")
                calls[label] = answer.headers.get("X-Emulator-Pdk-Calls")
            latency: dict[str, list[int]] = {"bare": [], "redactor": []}
            body = chat(SENTENCE * 8)
            for index in range(args.iterations):
                for name in latency:
                    started = time.perf_counter_ns()
                    answer = client.post(f"/r/{name}{UPSTREAM_PATH}", body, headers)
                    latency[name].append(time.perf_counter_ns() - started)
                    if answer.status != 200:
                        raise BenchFailure(f"{name}: status {answer.status}")
                progress.update(f"latency {index + 1}/{args.iterations}")
            stream_body = chat(SENTENCE * 2, stream=True)
            stream_headers = {
                **headers,
                "X-Mock-Piece-Chars": "4",
                "X-Mock-Chunk-Delay-Ms": str(args.sse_chunk_delay_ms),
            }
            ttfb: dict[str, list[int]] = {"bare": [], "redactor": []}
            total: dict[str, list[int]] = {"bare": [], "redactor": []}
            for index in range(args.sse_iterations):
                for name in ttfb:
                    timing = client.post_timed_stream(
                        f"/r/{name}{UPSTREAM_PATH}", stream_body, stream_headers
                    )
                    if timing.status != 200:
                        raise BenchFailure(f"SSE {name}: status {timing.status}")
                    ttfb[name].append(timing.first_byte_ns)
                    total[name].append(timing.last_byte_ns)
                progress.update(f"SSE {index + 1}/{args.sse_iterations}")
        finally:
            client.close()
    lat = {name: summarize(samples) for name, samples in latency.items()}
    first = {name: summarize(samples) for name, samples in ttfb.items()}
    last = {name: summarize(samples) for name, samples in total.items()}
    return {
        "pdk_calls": calls,
        "latency_p50_us": {name: s.p50_us for name, s in lat.items()},
        "latency_ratio": ratio(lat["redactor"].p50_us, lat["bare"].p50_us),
        "sse_events": len(SENTENCE * 2) // 4,
        "ttfb_p50_us": {name: s.p50_us for name, s in first.items()},
        "total_p50_us": {name: s.p50_us for name, s in last.items()},
        "ttfb_ratio": ratio(first["redactor"].p50_us, first["bare"].p50_us),
    }


def render_report(report: dict[str, Any]) -> str:
    rows = [
        [
            r["case"],
            str(r["bytes"]),
            str(r["redactions"]),
            f"{r['redact_mb_per_s']}",
            f"{r['plain_mb_per_s']}",
            format_ratio(r["ratio_to_plain"]),
        ]
        for r in report["throughput"]
    ]
    out = [
        "Redaction throughput (p50, in process)",
        render_table(["case", "bytes", "redactions", "MB/s redact", "MB/s loads+dumps", "ratio"], rows),
    ]
    g = report.get("gateway")
    if not g:
        return "\n".join(out)
    out += [
        "",
        "Through the emulated gateway",
        render_table(
            ["figure", "value"],
            [
                ["PDK calls, clean answer", str(g["pdk_calls"]["clean"])],
                ["PDK calls, redacted answer", str(g["pdk_calls"]["redacted"])],
                ["request p50 redactor / bare", format_ratio(g["latency_ratio"])],
                [f"SSE TTFB p50 redactor / bare ({g['sse_events']} events)", format_ratio(g["ttfb_ratio"])],
                [
                    "SSE TTFB p50 bare / redactor (us)",
                    f"{g['ttfb_p50_us']['bare']} / {g['ttfb_p50_us']['redactor']}",
                ],
                [
                    "SSE total p50 bare / redactor (us)",
                    f"{g['total_p50_us']['bare']} / {g['total_p50_us']['redactor']}",
                ],
            ],
        ),
    ]
    return "\n".join(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=bounded_int(3, 10_000), default=30, help="samples per case")
    parser.add_argument("--sse-events", type=bounded_int(10, 100_000), default=2000)
    parser.add_argument("--sse-iterations", type=bounded_int(1, 1000), default=10)
    parser.add_argument("--sse-chunk-delay-ms", type=bounded_int(0, 1000), default=2)
    parser.add_argument("--no-gateway", action="store_true", help="only the in-process throughput")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per HTTP request")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    return parser


def run_bench(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    report: dict[str, Any] = {"machine": machine_info(), "settings": vars(args).copy()}
    progress.note("redaction throughput")
    report["throughput"] = throughput(args, progress)
    if not args.no_gateway:
        progress.note("through the gateway")
        report["gateway"] = gateway(args, progress)
    progress.done()
    return report


def main(argv: Sequence[str] | None = None, *, progress_factory: Callable[[str], Progress] = Progress) -> int:
    args = build_parser().parse_args(argv)
    progress = progress_factory("output_redactor")
    started = time.monotonic()
    try:
        report = run_bench(args, progress)
    except (BenchFailure, ProxyError, ProcessFailed) as exc:
        progress.note(f"failed: {exc}")
        return 1
    return publish(report, started, render_report, args.json, progress, f" (repository {REPO_ROOT})")


if __name__ == "__main__":
    sys.exit(main())
