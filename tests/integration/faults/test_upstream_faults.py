"""Upstream failures through the full chain: ai-tenant-resolver, ai-token-limiter (Redis), ai-output-redactor
and ai-audit-log (Redis Stream), in front of the mock LLM told to fail (``X-Mock-Error``, ``X-Mock-Status``,
``X-Mock-Content-Encoding`` + ``X-Mock-Pad-Bytes``).

Every answer the model gives holds an e-mail address and a card number (``X-Mock-Verbatim``: the answer is
the prompt), so a failure that made the redactor skip an answer shows as a leak. For each fault: the status
Kong gives (502 for a reset or a body shorter than its ``Content-Length``, Kong's buffered proxy refusing a
truncated answer; 504 for a read timeout), no secret in any body the client gets, no client hangs; the
limiter's counters in Redis are never less than what was used; the audit log holds exactly one record per
request, with the status the client got.
"""

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

EMAIL = "alice.smith@example.com"
CARD = "4111 1111 1111 1111"
SECRETS = (EMAIL, CARD, CARD.replace(" ", ""), "alice.smith@")
PROMPT = f"mail {EMAIL} card {CARD} " + " ".join(f"word{i}" for i in range(24))
PROMPT_TOKENS = 4 + math.ceil(len(PROMPT) / 4)
ANSWER_TOKENS = math.ceil(len(PROMPT) / 4)  # verbatim: the answer is the prompt
VERBATIM = {"X-Mock-Verbatim": "1", "X-Mock-Piece-Chars": "8"}
READ_TIMEOUT_MS = 2000
BOMB_BYTES = 16 * 1024 * 1024  # 16 MiB of spaces (16 KiB gzipped), twice the redactor's max_body_bytes

CUT_IN_ADDRESS = "x" * 80 + f"{EMAIL} " + "y" * 80
"""With 8-character pieces, the mock's truncated stream ends inside the address (``alice.smith@exam``)."""
# name -> (stream, extra mock headers, statuses the client may get)
CASES: dict[str, tuple[bool, dict[str, str], set[int]]] = {
    "answer": (False, {}, {200}),
    "stream": (True, {}, {200}),
    "gzip answer": (False, {"X-Mock-Content-Encoding": "gzip"}, {200}),
    "read timeout": (False, {"X-Mock-Error": "timeout"}, {504}),
    "reset": (False, {"X-Mock-Error": "reset"}, {502}),
    "reset stream": (True, {"X-Mock-Error": "reset"}, {502}),
    "500": (False, {"X-Mock-Status": "500"}, {500}),
    "503": (False, {"X-Mock-Status": "503"}, {503}),
    "truncated stream": (True, {"X-Mock-Error": "truncated-stream"}, {200}),
    "stream cut in an address": (True, {"X-Mock-Error": "truncated-stream"}, {200}),
    "truncated answer": (False, {"X-Mock-Error": "truncated-stream"}, {200, 502}),
    "short Content-Length": (False, {"X-Mock-Error": "short-body"}, {502}),
    "gzip bomb": (
        False,
        {"X-Mock-Content-Encoding": "gzip", "X-Mock-Pad-Bytes": str(BOMB_BYTES)},
        {502},
    ),
}
COMPLETE = ("answer", "stream", "gzip answer")
"""The cases whose usage is known exactly: the limiter must have counted at least that."""


def chat(stream: bool, prompt: str = PROMPT) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "mock-gpt-4o", "messages": [{"role": "user", "content": prompt}]}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def streamed_text(body: bytes) -> str:
    """The text a client assembles from an SSE answer (the deltas' ``content`` joined): a value split over
    events is whole only here."""
    text = []
    for line in body.decode(errors="replace").splitlines():
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            with contextlib.suppress(ValueError):
                for choice in json.loads(line[5:]).get("choices") or []:
                    text.append((choice.get("delta") or {}).get("content") or "")
    return "".join(text)


def test_upstream_failures_through_the_full_chain(
    gateway: GatewayUnderTest, make_route: Any, redis_server: RedisServer, tmp_path: Path
) -> None:
    gateway.require_harness()
    namespace = f"u{uuid.uuid4().hex[:12]}"
    route = make_route("/v1/chat/completions")
    service = gateway.admin.patch(f"/services/{route.service['id']}", json={"read_timeout": READ_TIMEOUT_MS})
    assert service.status_code == 200, service.text
    route.add_plugin("ai-tenant-resolver", {"sources": ["header"], "tenants": [{"id": "acme"}]})
    route.add_plugin(
        "ai-token-limiter",
        {
            "namespace": namespace,
            "strategy": "redis",
            "redis": redis_server.redis_conf(),
            # 30 minutes: longer than any test on a loaded machine, so the counters read back hold every
            # request; under an hour, so not a budget (an outage refuses budgets with 503)
            "limits": [
                {"metric": "requests", "limit": 100000, "window": "1800", "scope": "tenant"},
                {"metric": "tokens", "limit": 10**8, "window": "1800", "scope": "tenant"},
            ],
        },
    )
    route.add_plugin("ai-output-redactor", {})
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
        stream, extra, _ = CASES[name]
        headers = {"X-Tenant-ID": "acme", **VERBATIM, **extra}
        prompt = CUT_IN_ADDRESS if name == "stream cut in an address" else PROMPT
        return name, client.post(route.url(), json=chat(stream, prompt), headers=headers)

    with Load(gateway.proxy_url, send, clients=4, max_requests=rounds * len(names)) as load:
        load.wait_done(rounds * len(names), deadline_s=120, what="every fault twice")
        outcomes = load.stop()
    seen = Counter((outcome.tenant, outcome.status) for outcome in outcomes)
    summary(outcomes, f" {dict(seen)}")

    assert not hung(outcomes), hung(outcomes)[:3]
    for outcome in outcomes:  # `tenant` holds the case name here
        _, _, statuses = CASES[outcome.tenant]
        assert outcome.status in statuses, (outcome.tenant, outcome.status, outcome.body[:300])
        seen_by_client = outcome.body.decode(errors="replace") + "\n" + streamed_text(outcome.body)
        leaked = [secret for secret in SECRETS if secret in seen_by_client]
        assert leaked == [], (outcome.tenant, outcome.status, outcome.body[:300])
        if outcome.tenant in COMPLETE:
            assert b"[REDACTED:EMAIL]" in outcome.body  # the answer came, redacted

    # the limiter: every request counted, at least the known usage of the complete answers
    with redis_server.client() as client:
        reports = read_counters(client, namespace, "acme")
    used = {r.metric: r.used for r in reports if r.scope == "tenant" and r.share_of is None}
    assert used["requests"] >= len(outcomes)
    complete = sum(outcome.tenant in COMPLETE for outcome in outcomes)
    assert used["tokens"] >= complete * (PROMPT_TOKENS + ANSWER_TOKENS), used

    # the audit log: exactly one record per request, with the client's status
    expected = {outcome.request_id: outcome.status for outcome in outcomes}
    assert None not in expected

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
