"""Both handlers on a recording fake ``kong``: PDK calls per phase, what is published, what clients get."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from typing import Any

import pytest
from fixtures.fake_kong import FakeKong as BaseFakeKong

from kong_plugins.ai_token_limiter import Plugin
from kong_plugins.ai_token_limiter_stream import Plugin as StreamPlugin
from kong_plugins.core.answer_digest import AnswerDigest
from kong_plugins.core.context import ENTRY_KEY, RequestFacts, TenantFacts

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello there"}], "max_tokens": 40}
OPENAI_ANSWER = {
    "choices": [{"message": {"content": "hi"}}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 4},
}


class FakeKong(BaseFakeKong):
    """One request's ``kong``: records every call; answers only what these plugins may ask."""

    def __init__(self, shared: dict[str, Any] | None = None, body: bytes = b"", **response: Any) -> None:
        super().__init__()
        self.shared: dict[str, Any] = dict(shared or {})
        self.body = body
        self.upstream = response
        self.headers: dict[str, str] = {}
        self.exit: tuple[Any, ...] | None = None

    def dispatch(self, method: str, args: tuple[Any, ...]) -> Any:
        if method == "ctx.shared.get":
            return self.shared.get(args[0])
        if method == "ctx.shared.set":
            self.shared[args[0]] = json.loads(json.dumps(args[1]))  # what survives the wire
            return None
        if method == "request.get_raw_body":
            return self.body
        if method == "response.set_headers":
            self.headers.update(args[0])
            return None
        if method in ("response.exit", "response.error"):
            self.exit = args
            return None
        if method == "service.response.get_status":
            return self.upstream.get("status", 200)
        if method == "service.response.get_raw_body":
            return self.upstream.get("upstream_body", b"")
        if method == "service.response.get_header":
            return self.upstream.get("upstream_headers", {}).get(args[0].lower())
        if method == "log.serialize":
            return json.dumps(self.upstream.get("serialized", {}))
        return super().dispatch(method, args)


def config(**overrides: Any) -> dict[str, Any]:
    return {
        "limits": [
            {"metric": "requests", "limit": 2, "window": "minute"},
            {"metric": "tokens", "limit": 1000, "window": "minute"},
            {"metric": "cost_usd", "limit": 1, "window": "month"},
        ],
        "pricing": [{"model": "gpt-4o*", "prompt_per_million": 2.5, "completion_per_million": 10}],
        "unknown_model": "reject",
        "namespace": uuid.uuid4().hex[:16],
        **overrides,
    }


def tenant(tier: str | None = None, **sections: Any) -> dict[str, Any]:
    """``kong.ctx.shared`` holding the ``ai_guard`` entry with the tenant's facts (and ``sections``)."""
    return {ENTRY_KEY: {"tenant": TenantFacts(id="acme", source="header", tier=tier).to_shared(), **sections}}


def usage_of(kong: Any) -> Any:
    """The ``usage`` section the limiter left in the entry."""
    return (kong.shared.get(ENTRY_KEY) or {}).get("usage")


def test_access_with_input_guard_facts_costs_three_round_trips_and_publishes_the_reservation() -> None:
    facts = RequestFacts(format="openai-chat", model="gpt-4o", prompt_tokens_estimate=12, max_tokens=40)
    kong = FakeKong(tenant(request=facts.to_shared()))
    Plugin(config()).access(kong)
    assert kong.methods == ["ctx.shared.get", "response.set_headers", "ctx.shared.set"]
    usage = usage_of(kong)
    assert usage["reserved_prompt_tokens"] == 12 and usage["reserved_completion_tokens"] == 40
    assert usage["reserved_cost_usd"] == pytest.approx((12 * 2.5 + 40 * 10) / 1e6)
    assert usage["degraded"] is False and usage["reservation_mode"] == "local"
    assert kong.headers["X-RateLimit-Remaining-Requests-Minute"] == "1"
    assert kong.headers["X-RateLimit-Remaining-Tokens-Minute"] == str(1000 - 52)


def test_without_facts_the_body_is_read_once() -> None:
    kong = FakeKong(tenant(), body=json.dumps(CHAT).encode())
    Plugin(config(hide_client_headers=True)).access(kong)
    assert kong.methods == ["ctx.shared.get", "request.get_raw_body", "ctx.shared.set"]
    assert usage_of(kong)["reserved_prompt_tokens"] == 4 + 3


def test_response_settles_with_the_reported_usage() -> None:
    plugin = Plugin(config())
    kong = FakeKong(tenant(), body=json.dumps(CHAT).encode())
    plugin.access(kong)
    shared = kong.shared
    response = FakeKong(shared, status=200, upstream_body=json.dumps(OPENAI_ANSWER).encode())
    plugin.response(response)
    assert response.methods == [
        "ctx.shared.get",
        "service.response.get_status",
        "service.response.get_raw_body",
        "ctx.shared.set",
    ]
    usage = usage_of(response)
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (9, 4)
    assert usage["cost_usd"] == pytest.approx((9 * 2.5 + 4 * 10) / 1e6)
    assert usage["reservation_settled"] is True and usage["usage_source"] == "reported"
    # handed on in the same write: the status (ai-output-redactor) and the body's digest (ai-audit-log)
    body = json.dumps(OPENAI_ANSWER).encode()
    answer = response.shared[ENTRY_KEY]["answer"]
    assert answer == {"status": 200, "digest": AnswerDigest.of_body(body).to_shared()}
    assert answer["digest"]["sha256"] == hashlib.sha256(body).hexdigest()
    again = FakeKong(response.shared, status=200, upstream_body=b"{}")
    plugin.response(again)
    assert again.methods == ["ctx.shared.get"]  # never settled twice


def test_upstream_errors_release_the_completion_reservation() -> None:
    plugin = Plugin(config())
    kong = FakeKong(tenant(), body=json.dumps(CHAT).encode())
    plugin.access(kong)
    response = FakeKong(kong.shared, status=503)
    plugin.response(response)
    assert "service.response.get_raw_body" not in response.methods  # no body read for an error
    usage = usage_of(response)
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (7, 0)
    assert usage["usage_source"] == "upstream_error"


def settled(body: bytes, **headers: str) -> tuple[list[str], dict[str, Any]]:
    plugin = Plugin(config())
    kong = FakeKong(tenant(), body=json.dumps(CHAT).encode())
    plugin.access(kong)
    response = FakeKong(kong.shared, status=200, upstream_body=body, upstream_headers=headers)
    plugin.response(response)
    return response.methods, usage_of(response)


def test_a_compressed_answer_costs_one_more_round_trip_and_is_decoded() -> None:
    methods, usage = settled(
        gzip.compress(json.dumps(OPENAI_ANSWER).encode()), **{"content-encoding": "gzip"}
    )
    assert methods[2:4] == ["service.response.get_raw_body", "service.response.get_header"]
    assert len(methods) == 5
    assert (usage["completion_tokens"], usage["usage_source"]) == (4, "reported")


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (gzip.compress(b"{" + b" " * (9 * 1024 * 1024) + b"}"), {"content-encoding": "gzip"}),  # a bomb
        (b"\x1f\x8b garbage", {"content-encoding": "gzip"}),
        (b"opaque", {"content-encoding": "compress"}),  # a coding nothing here decodes
        (b"opaque", {}),  # a format the parser does not know
        (b'data: {"choices":[{"delta":{"content":"a b"}}]}\n\n', {}),  # a stream cut before its end
    ],
    ids=["bomb", "corrupt", "unknown coding", "unknown format", "cut stream"],
)
def test_unreadable_usage_settles_the_reservation(body: bytes, headers: dict[str, str]) -> None:
    _, usage = settled(body, **headers)
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (7, 40)
    assert usage["usage_source"] == "estimate"
    assert usage["cost_usd"] == pytest.approx(usage["reserved_cost_usd"])


def test_refusal_is_a_429_with_the_issue_body() -> None:
    plugin = Plugin(config())
    for _ in range(2):
        plugin.access(FakeKong(tenant(), body=json.dumps(CHAT).encode()))
    kong = FakeKong(tenant(), body=json.dumps(CHAT).encode())
    plugin.access(kong)
    assert kong.methods[-1] == "response.exit"
    status, body, headers = kong.exit  # type: ignore[misc]
    assert status == 429
    retry_after = body.pop("retry_after")
    assert body == {"message": "API rate limit exceeded", "metric": "requests", "window": "minute"}
    assert 60 < retry_after <= 66  # the oldest request leaves the sliding window: W plus at most one bucket
    assert headers["Retry-After"] == str(retry_after)
    assert headers["X-RateLimit-Remaining-Requests-Minute"] == "0"
    assert usage_of(kong) is None


def test_unknown_model_can_be_refused() -> None:
    kong = FakeKong(tenant(), body=json.dumps({**CHAT, "model": "llama"}).encode())
    Plugin(config(unknown_model="reject")).access(kong)
    assert kong.exit is not None and kong.exit[0] == 400
    assert kong.exit[1] == "Model has no price"


def test_tier_limits_apply() -> None:
    plugin = Plugin(
        config(tiers=[{"name": "pro", "limits": [{"metric": "requests", "limit": 100, "window": "minute"}]}])
    )
    kong = FakeKong(tenant("pro"), body=json.dumps(CHAT).encode())
    plugin.access(kong)
    assert kong.headers["X-RateLimit-Limit-Requests-Minute"] == "100"
    assert "X-RateLimit-Limit-Tokens-Minute" not in kong.headers


@pytest.mark.parametrize(
    ("serialized", "completion"),
    [
        # 2xx: body bytes = size - headers - status line, / 4, capped at the 40 reserved
        ({"response": {"status": 200, "size": 19 + 22 + 80, "headers": {"content-type": "text/x"}}}, 20),
        ({"response": {"status": 200, "size": 100_000, "headers": {}}}, 40),
        ({"response": {"status": 502, "size": 300, "headers": {}}}, 0),
        ({"response": {"status": 200, "size": 10, "headers": {"a": "b" * 50}}}, 40),  # unknown size
        ({"response": {"status": 200, "size": 80, "headers": {"content-encoding": "gzip"}}}, 40),
        ({"response": {"status": 200, "size": 80, "headers": {"Content-Encoding": ["identity"]}}}, 9),
        ({}, 40),
    ],
)
def test_stream_variant_settles_in_log_from_the_snapshot(serialized: dict[str, Any], completion: int) -> None:
    plugin = StreamPlugin(config())
    kong = FakeKong(tenant(), body=json.dumps(CHAT).encode())
    plugin.access(kong)
    log = FakeKong(kong.shared, serialized=serialized)
    plugin.log(log)
    assert log.methods == ["ctx.shared.get", "log.serialize", "ctx.shared.set"]
    usage = usage_of(log)
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (7, completion)
