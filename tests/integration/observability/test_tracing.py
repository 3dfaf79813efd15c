"""``kong-ai-pluginserver --otel-endpoint``: each plugin phase is a span of the request's trace
(``traceparent``), exported over OTLP/HTTP to a receiver of ours on loopback; both plugin-server processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from integration.ai_token_limiter.limiter_support import poll_until
from integration.observability.metrics_gateway import (
    AUDIT,
    GUARD,
    LIMITER,
    RESOLVER,
    MetricsNode,
    metrics_node,
)

pytest.importorskip("opentelemetry.proto")
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

pytestmark = [pytest.mark.redis, pytest.mark.harness]

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


class Receiver:
    """An OTLP/HTTP traces endpoint (protobuf) keeping every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                for resource in request.resource_spans:
                    service = next(
                        a.value.string_value for a in resource.resource.attributes if a.key == "service.name"
                    )
                    for scope in resource.scope_spans:
                        for span in scope.spans:
                            receiver.spans.append(
                                {
                                    "service": service,
                                    "name": span.name,
                                    "trace_id": span.trace_id.hex(),
                                    "parent": span.parent_span_id.hex(),
                                    "attributes": {a.key: _value(a.value) for a in span.attributes},
                                }
                            )
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1/traces"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MetricsNode, Receiver]]:
    receiver = Receiver()
    tmp: Path = tmp_path_factory.mktemp("traced-node")
    try:
        with metrics_node(
            tmp, tenants=["acme"], metrics=False, server_args=("--otel-endpoint", receiver.url)
        ) as node:
            yield node, receiver
    finally:
        receiver.close()


def test_each_plugin_phase_is_a_span_of_the_clients_trace(traced: tuple[MetricsNode, Receiver]) -> None:
    node, receiver = traced
    headers = {"X-Tenant-ID": "acme", "traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    body = {"model": "mock-gpt-4o", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 20}
    response = node.proxy.post("/chat", json=body, headers=headers)
    assert response.status_code == 200
    node.wait_logged(response)
    wanted = {f"{RESOLVER} access", f"{GUARD} access", f"{LIMITER} access", f"{LIMITER} response"}
    wanted |= {f"{AUDIT} access", f"{AUDIT} log"}

    def traced_spans() -> list[dict[str, Any]] | None:
        found = [span for span in receiver.spans if span["trace_id"] == TRACE_ID]
        return found if wanted <= {span["name"] for span in found} else None

    spans = poll_until(traced_spans, deadline_s=20, what="the request's spans")
    by_name = {span["name"]: span for span in spans}
    for name in wanted:
        span = by_name[name]
        assert span["parent"] == PARENT_ID  # each continues the client's span
        assert span["service"] == "kong-ai-pluginserver"
        plugin, phase = name.split(" ")
        assert span["attributes"]["kong.plugin"] == plugin and span["attributes"]["kong.phase"] == phase
        assert span["attributes"]["kong_ai.pdk_calls"] >= 1  # traceparent read, at least
    # the plugin-server process of ai-audit-log (B) exported its own spans: same trace
    assert {s["name"] for s in spans if s["name"].startswith(AUDIT)} == {f"{AUDIT} access", f"{AUDIT} log"}


def test_a_request_without_traceparent_gets_a_trace_of_its_own(traced: tuple[MetricsNode, Receiver]) -> None:
    node, receiver = traced
    before = len(receiver.spans)
    response = node.send("acme")
    assert response.status_code == 200
    node.wait_logged(response)
    spans = poll_until(
        lambda: new if len(new := receiver.spans[before:]) >= 6 else None, deadline_s=20, what="new spans"
    )
    assert {span["parent"] for span in spans} == {""}  # roots
    assert TRACE_ID not in {span["trace_id"] for span in spans}
