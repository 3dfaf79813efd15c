"""Upstream failures on a streaming route: ai-tenant-resolver, ai-token-limiter-stream (settles in ``log``,
so the stream flows to the client as it comes) and ai-audit-log, no response-phase plugin (Kong does not
buffer). A stream broken off after its head has gone out cannot be turned into an error any more: the client
sees the 200 and then the connection end. What must still hold: no client hangs, the limiter counts every
request and at least every completion token that reached the client, and the audit log has exactly one
record per request with the status the client got."""

from __future__ import annotations

import contextlib
import json
import math
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures.gateway import GatewayUnderTest
from fixtures.redis_servers import RedisServer
from integration.ai_token_limiter.limiter_support import poll_until
from integration.faults.fault_support import Load, hung, summary

from kong_plugins.ai_audit_log.redis_sink import read_entries
from kong_plugins.ai_token_limiter.report import read_counters

pytestmark = [pytest.mark.redis, pytest.mark.harness]

PROMPT = "tell me a story"
PROMPT_TOKENS = 4 + math.ceil(len(PROMPT) / 4)
BROKEN = b"\n<connection broken>"
# name -> (mock headers, statuses the client may get, the stream completes)
CASES: dict[str, tuple[dict[str, str], set[int], bool]] = {
    "stream": ({}, {200}, True),
    "truncated stream": ({"X-Mock-Error": "truncated-stream"}, {200}, False),
    "reset stream": ({"X-Mock-Error": "reset"}, {200}, False),
    "read timeout": ({"X-Mock-Error": "timeout"}, {504}, False),
    "500": ({"X-Mock-Status": "500"}, {500}, False),
}


def delivered_tokens(body: bytes) -> int:
    """Completion tokens that reached the client: one per content delta (the mock streams a word each)."""
    count = 0
    for line in body.decode(errors="replace").splitlines():
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            with contextlib.suppress(ValueError):
                for choice in json.loads(line[5:]).get("choices") or []:
                    count += bool((choice.get("delta") or {}).get("content"))
    return count


def test_streamed_upstream_failures_with_the_stream_limiter(
    gateway: GatewayUnderTest, make_route: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    gateway.require_harness()
    namespace = f"s{uuid.uuid4().hex[:12]}"
    route = make_route("/v1/chat/completions")
    service = gateway.admin.patch(f"/services/{route.service['id']}", json={"read_timeout": 2000})
    assert service.status_code == 200, service.text
    route.add_plugin("ai-tenant-resolver", {"sources": ["header"], "tenants": [{"id": "acme"}]})
    route.add_plugin(
        "ai-token-limiter-stream",
        {
            "namespace": namespace,
            "strategy": "redis",
            "redis": redis_server.redis_conf(),
            "limits": [  # 30 minutes: no counter slides out during the test
                {"metric": metric, "limit": 10**8, "window": "1800", "scope": "tenant"}
                for metric in ("requests", "prompt_tokens", "completion_tokens")
            ],
        },
    )
    route.add_plugin(
        "ai-audit-log",
        {
            "namespace": namespace,
            "sinks": ["redis"],
            "redis": redis_server.redis_conf(),
            "spill_dir": str(tmp_path / "spill"),
            "flush_interval_ms": 100,
        },
    )
    names = list(CASES)
    rounds = 2

    def send(client: httpx.Client, index: int) -> tuple[str, httpx.Response]:
        name = names[index % len(names)]
        body = {"model": "mock-gpt-4o", "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
        headers = {"X-Tenant-ID": "acme", **CASES[name][0]}
        with client.stream("POST", route.url(), json=body, headers=headers) as response:
            chunks = []
            try:
                for chunk in response.iter_raw():
                    chunks.append(chunk)
            except (httpx.RemoteProtocolError, httpx.ReadError):  # the stream ended without its end
                chunks.append(BROKEN)
            got = httpx.Response(response.status_code, headers=response.headers, content=b"".join(chunks))
            return name, got

    with Load(gateway.proxy_url, send, clients=4, max_requests=rounds * len(names)) as load:
        load.wait_done(rounds * len(names), deadline_s=120, what="every fault twice")
        outcomes = load.stop()
    seen = Counter((outcome.tenant, outcome.status, outcome.body.endswith(BROKEN)) for outcome in outcomes)
    summary(outcomes, f" {dict(seen)}")

    assert not hung(outcomes), hung(outcomes)[:3]
    for outcome in outcomes:  # `tenant` holds the case name
        _, statuses, completes = CASES[outcome.tenant]
        assert outcome.status in statuses, (outcome.tenant, outcome.status, outcome.body[:300])
        if completes:
            assert outcome.body.rstrip().endswith(b"data: [DONE]")
    assert all(o.body.endswith(BROKEN) for o in outcomes if o.tenant == "reset stream")

    # the limiter (settled in the log phase, after the stream): every request, at least what was delivered
    delivered = sum(delivered_tokens(outcome.body) for outcome in outcomes)
    reached_model = sum(outcome.status == 200 for outcome in outcomes)

    def settled() -> dict[str, float] | None:
        with redis_server.client() as client:
            reports = read_counters(client, namespace, "acme")
        used = {r.metric: r.used for r in reports if r.scope == "tenant" and r.share_of is None}
        if used.get("requests", 0) < len(outcomes) or used.get("completion_tokens", 0) < delivered:
            return None
        return used

    used = poll_until(settled, deadline_s=20, what=f"{len(outcomes)} requests and {delivered} tokens counted")
    assert used["prompt_tokens"] >= reached_model * PROMPT_TOKENS

    # the audit log: exactly one record per request, with the status the client got
    expected = {outcome.request_id: outcome.status for outcome in outcomes}

    def records() -> list[dict[str, Any]] | None:
        with redis_server.client() as client:
            found = [record for _, record in read_entries(client, namespace, "acme") if record]
        return found if len(found) >= len(expected) else None

    found = poll_until(records, deadline_s=30, what=f"{len(expected)} audit records")
    ids = Counter(record["request_id"] for record in found)
    assert [rid for rid, n in ids.items() if n > 1] == []
    assert set(ids) == set(expected)
    wrong = [(r["request_id"], r["status"]) for r in found if r["status"] != expected[r["request_id"]]]
    assert wrong == []
