#!/usr/bin/env python3
"""What ai-audit-log costs: the log handler's own work, and how many records per second each sink takes.

* ``handler``: the CPU the ``log`` handler spends after its PDK reads: building the record
  (:func:`kong_plugins.ai_audit_log.record.build_record` on a realistic snapshot) and handing it to a writer
  (:meth:`Writer.submit`), with the sink up and with the sink down (the queue takes it either way: the
  handler never waits for a sink). p50/p99 per call.
* ``sinks``: records/s from the first ``submit`` until the sink holds all of them, per sink: ``redis`` (a
  redis-server started here on an ephemeral port; the chained Lua append), ``file`` (JSON lines, fsync per
  batch), ``syslog`` (RFC 5424 over TCP to a counting receiver here) and ``http`` (batched POST to a
  counting server here). ``--records`` each, batch 100.

The request-path latency through the gateway is measured by ``bench/chain_overhead.py --routes
bench/audit_routes.json`` (routes without and with the plugin; ratios from one run).

Run: ``python bench/audit_log.py [--records 20000] [--calls 20000] [--json out.json]``. No time asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_report import Progress, bounded_int, machine_info, publish, render_table, summarize

from kong_plugins.ai_audit_log.file_sink import FileSink
from kong_plugins.ai_audit_log.http_sink import HttpSink
from kong_plugins.ai_audit_log.record import AccessFacts, Answer, Fingerprint, build_record
from kong_plugins.ai_audit_log.redis_sink import RedisStreamSink, stream_keys
from kong_plugins.ai_audit_log.syslog_sink import SyslogSink
from kong_plugins.ai_audit_log.writer import Writer
from kong_plugins.core.redis import RedisConfig, connect

SERIALIZED = {
    "request": {"id": "0" * 32, "uri": "/v1/chat/completions", "method": "POST", "size": 420},
    "response": {"status": 200, "size": 900, "headers": {"x-ratelimit-remaining-requests-minute": "59"}},
    "latencies": {"kong": 3, "proxy": 40, "request": 45},
    "upstream_status": 200,
    "client_ip": "203.0.113.7",
    "started_at": 1_700_000_000_000,
    "source": "upstream",
    "route": {"id": "r" * 36, "name": "chat"},
    "service": {"id": "s" * 36, "name": "llm"},
}
SHARED = {
    "tenant": {"id": "acme", "source": "api_key", "tier": "pro", "region": "eu"},
    "request": {"model": "gpt-4o", "body_sha256": "ab" * 32, "body_bytes": 400, "stream": False},
    "usage": {
        "prompt_tokens": 12,
        "completion_tokens": 16,
        "cost_usd": 0.0002,
        "usage_source": "reported",
    },
    "findings": [{"plugin": "ai-input-guard", "check": "injection", "score": 0.2, "action": "log"}],
}
ANSWER = Answer(b'{"id":"x","model":"gpt-4o","choices":[{"message":{"content":"' + b"w " * 200 + b'"}}]}')


class CountingSink:
    """A sink that only counts (the handler case measures the queue, not a sink)."""

    name = "count"

    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.count = 0

    def write(self, records: list[Any]) -> int:
        if not self.up:
            raise ConnectionError("down")
        self.count += len(records)
        return len(records)


def record() -> dict[str, Any]:
    return build_record(SERIALIZED, SHARED, AccessFacts(), ANSWER, fingerprint=Fingerprint())


def handler_case(calls: int, workdir: Path, up: bool) -> dict[str, Any]:
    sink = CountingSink(up)
    writer = Writer(
        sink,
        sink_id=f"h{int(up)}",
        spill_dir=str(workdir / "spill"),
        queue_size=calls + 10,
        batch_size=100,
        flush_interval_s=0.01,
    )
    build, submit = [], []
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        item = record()
        t1 = time.perf_counter_ns()
        writer.submit(item)
        t2 = time.perf_counter_ns()
        build.append(t1 - t0)
        submit.append(t2 - t1)
    writer.close(0.5)
    return {"sink_up": up, "build": summarize(build).as_json(), "submit": summarize(submit).as_json()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SyslogCounter:
    def __init__(self) -> None:
        self.count = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        buffer = b""
        while chunk := conn.recv(1 << 20):
            buffer += chunk
            while b" " in buffer:
                length, _, rest = buffer.partition(b" ")
                if len(rest) < int(length):
                    break
                buffer = rest[int(length) :]
                self.count += 1


class HttpCounter:
    def __init__(self) -> None:
        counter = self
        self.count = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                counter.count += len(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ingest"


def sink_case(name: str, records: int, workdir: Path, progress: Progress) -> dict[str, Any]:
    """Records/s of one sink; everything it started is stopped, also when it fails."""
    cleanup: list[Any] = []
    try:
        return _sink_case(name, records, workdir, progress, cleanup)
    finally:
        for step in reversed(cleanup):
            step()


def _sink_case(
    name: str, records: int, workdir: Path, progress: Progress, cleanup: list[Any]
) -> dict[str, Any]:
    if name == "redis":
        port = free_port()
        proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        cleanup.append(lambda: (proc.terminate(), proc.wait(10)))
        config = RedisConfig.from_config({"host": "127.0.0.1", "port": port})
        deadline = time.monotonic() + 10
        while True:
            try:
                connect(config).ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client = connect(config)
        sink: Any = RedisStreamSink(lambda: connect(config), "bench", 10_000_000)
        key = stream_keys("bench", "acme").stream
        delivered = lambda: int(client.xlen(key))  # noqa: E731
    elif name == "file":
        path = workdir / "records.jsonl"
        sink = FileSink(str(path), 1 << 40, 2)
        delivered = lambda: sum(1 for _ in path.open()) if path.exists() else 0  # noqa: E731
    elif name == "syslog":
        receiver = SyslogCounter()
        sink = SyslogSink(
            "127.0.0.1", receiver.port, tls=False, verify=False, server_name=None, facility=16, timeout_s=5
        )
        delivered = lambda: receiver.count  # noqa: E731
    else:
        collector = HttpCounter()
        cleanup.append(collector.server.shutdown)
        sink = HttpSink(collector.url, {}, 5)
        delivered = lambda: collector.count  # noqa: E731
    writer = Writer(
        sink,
        sink_id=name,
        spill_dir=str(workdir / f"spill-{name}"),
        queue_size=records + 10,
        batch_size=100,
        flush_interval_s=0.01,
    )
    items = [record() for _ in range(records)]
    started = time.perf_counter()
    for item in items:
        writer.submit(item)
    while delivered() < records:
        time.sleep(0.01)
        progress.update(f"{name}: {delivered()}/{records}")
    seconds = time.perf_counter() - started
    writer.close(0.5)
    return {
        "sink": name,
        "records": records,
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds),
    }


def render(report: dict[str, Any]) -> str:
    rows = []
    for case in report["handler"]:
        label = "up" if case["sink_up"] else "down"
        rows.append(
            [
                f"build_record (sink {label})",
                f"{case['build']['p50_us']:.1f}",
                f"{case['build']['p99_us']:.1f}",
            ]
        )
        rows.append(
            [f"submit (sink {label})", f"{case['submit']['p50_us']:.1f}", f"{case['submit']['p99_us']:.1f}"]
        )
    first = render_table(["log handler step", "p50 us", "p99 us"], rows)
    second = render_table(
        ["sink", "records", "seconds", "records/s"],
        [
            [s["sink"], str(s["records"]), f"{s['seconds']:.2f}", str(s["records_per_s"])]
            for s in report["sinks"]
        ],
    )
    return first + "\n\n" + second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=bounded_int(100, 1_000_000), default=20_000)
    parser.add_argument("--calls", type=bounded_int(100, 1_000_000), default=20_000)
    parser.add_argument("--sinks", default="redis,file,syslog,http")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    progress = Progress("audit_log")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        workdir = Path(tmp)
        progress.note(f"started (logs in {workdir})")
        report: dict[str, Any] = {
            "bench": "audit_log",
            "machine": machine_info(),
            "settings": vars(args),
            "handler": [],
            "sinks": [],
        }
        for up in (True, False):
            report["handler"].append(handler_case(args.calls, workdir, up))
        for name in [s for s in args.sinks.split(",") if s]:
            progress.note(f"sink {name}")
            report["sinks"].append(sink_case(name, args.records, workdir, progress))
    progress.done()
    return publish(report, started, render, args.json, progress)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
