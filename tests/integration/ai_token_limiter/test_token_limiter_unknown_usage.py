"""Never settle less than was used: compressed answers are decoded (within a bound), and when the usage still
cannot be read — a decompression bomb, an oversized body, a format the parser does not know, a stream cut
before it ended — the reservation is settled, and ``ai_guard.usage.usage_source`` says ``estimate``.

The mock LLM shapes its answers on request (``X-Mock-Content-Encoding``, ``X-Mock-Pad-Bytes``,
``X-Mock-Body-Format``); the counters are read back from Redis, the published facts from the emulator's
record of ``kong.ctx.shared`` after the request (what an audit-log plugin reads).
"""

from __future__ import annotations

from typing import Any

import pytest
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PLUGIN,
    PROMPT_TOKENS,
    STREAM_PLUGIN,
    LimitedRoute,
    LimiterEnv,
    chat,
    limit,
    pdk_calls,
    poll_until,
)

from kong_plugins.ai_token_limiter.usage import MAX_BODY_BYTES

pytestmark = [pytest.mark.redis, pytest.mark.harness]

LIMITS = [limit("prompt_tokens", 10**6), limit("completion_tokens", 10**6), limit("tokens", 10**6)]
PRICING = [{"model": "mock-gpt-4o*", "prompt_per_million": 1000, "completion_per_million": 2000}]
RESERVED = 40  # chat()'s max_tokens
GZIP = {"X-Mock-Content-Encoding": "gzip"}
DEFLATE = {"X-Mock-Content-Encoding": "deflate"}
BROTLI = {"X-Mock-Content-Encoding": "br"}  # brotli is a dependency: the mock answers br with it
BOMB = {**GZIP, "X-Mock-Pad-Bytes": str(4 * MAX_BODY_BYTES)}  # ~30 KiB on the wire, 32 MiB decoded
BROTLI_BOMB = {**BROTLI, "X-Mock-Pad-Bytes": str(4 * MAX_BODY_BYTES)}
OVERSIZED = {"X-Mock-Pad-Bytes": str(MAX_BODY_BYTES + 1024)}
UNKNOWN_FORMAT = {"X-Mock-Body-Format": "text"}
CUT = {"X-Mock-Error": "truncated-stream"}


def usage_facts(route: LimitedRoute, response: Any) -> dict[str, Any]:
    """``ai_guard.usage`` as the request left it in ``kong.ctx.shared`` (once its log phase is over)."""
    request_id = response.headers["X-Kong-Request-Id"]
    stats = poll_until(
        lambda: (found := route.route.gateway.request_stats(request_id))["log_done"] and found,
        deadline_s=5,
        what="the log phase ran",
    )
    shared = stats["ctx_shared"]
    assert isinstance(shared, dict) and isinstance(shared.get("ai_guard", {}).get("usage"), dict), shared
    return shared["ai_guard"]["usage"]


# ---------------------------------------------------------------------------------- ai-token-limiter
DECODED: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    ("gzip json", "/v1/chat/completions", chat(), GZIP),
    ("deflate json", "/v1/chat/completions", chat(), DEFLATE),
    ("gzip sse", "/v1/chat/completions", chat(stream=True, include_usage=True), GZIP),
    ("deflate anthropic sse", "/v1/messages", chat(stream=True), DEFLATE),
    ("br json", "/v1/chat/completions", chat(), BROTLI),
    ("br sse", "/v1/chat/completions", chat(stream=True, include_usage=True), BROTLI),
]


@pytest.mark.parametrize(("label", "path", "body", "headers"), DECODED, ids=[c[0] for c in DECODED])
def test_compressed_answers_are_decoded_and_settled_from_their_usage(
    limiter: LimiterEnv, label: str, path: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    route = limiter.route(LIMITS, upstream=path)
    response = route.send(body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Encoding"] == headers["X-Mock-Content-Encoding"]  # sent on as it came
    assert route.used("completion_tokens") == ANSWER_TOKENS  # not 0: the usage was read after decoding
    assert route.used("prompt_tokens") == PROMPT_TOKENS
    facts = usage_facts(route, response)
    assert facts["usage_source"] == "reported" and facts["completion_tokens"] == ANSWER_TOKENS
    # the raw body said nothing, so the handler asked for Content-Encoding: one more round trip
    assert pdk_calls(response, PLUGIN, "response") == 5


UNREADABLE: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("gzip bomb", chat(), BOMB),
    ("br bomb", chat(), BROTLI_BOMB),
    ("oversized json", chat(), OVERSIZED),
    ("unknown format", chat(), UNKNOWN_FORMAT),
    ("sse cut before usage", chat(stream=True, include_usage=True), CUT),
    ("gzip sse cut before usage", chat(stream=True, include_usage=True), {**GZIP, **CUT}),
]


@pytest.mark.parametrize(("label", "body", "headers"), UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_unreadable_usage_settles_the_reservation(
    limiter: LimiterEnv, label: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    route = limiter.route([*LIMITS, limit("cost_usd", 10, "month")], pricing=PRICING, unknown_model="reject")
    response = route.send(body, headers=headers)
    assert response.status_code == 200, response.text
    assert route.used("completion_tokens") == RESERVED  # the reservation, not 0 (nor the part that arrived)
    assert route.used("tokens") == PROMPT_TOKENS + RESERVED
    assert route.used("cost_usd", "tenant") == pytest.approx(PROMPT_TOKENS * 0.001 + RESERVED * 0.002)
    facts = usage_facts(route, response)
    assert facts["usage_source"] == "estimate"
    assert facts["completion_tokens"] == facts["reserved_completion_tokens"] == RESERVED


def test_a_cut_anthropic_stream_keeps_its_reported_prompt_and_settles_the_reserved_completion(
    limiter: LimiterEnv,
) -> None:
    route = limiter.route(LIMITS, upstream="/v1/messages")
    response = route.send(chat(stream=True, max_tokens=60), headers=CUT)
    assert response.status_code == 200
    assert b"message_delta" not in response.content  # cut before the final usage
    assert route.used("completion_tokens") == 60
    assert route.used("prompt_tokens") == PROMPT_TOKENS  # message_start's input_tokens
    assert usage_facts(route, response)["usage_source"] == "estimate"


def test_an_upstream_error_still_releases_the_completion(limiter: LimiterEnv) -> None:
    route = limiter.route(LIMITS)
    response = route.send(headers={**GZIP, "X-Mock-Status": "500"})
    assert response.status_code == 500
    assert route.used("completion_tokens") == 0
    assert usage_facts(route, response)["usage_source"] == "upstream_error"


def test_a_plain_answer_costs_no_extra_round_trip(limiter: LimiterEnv) -> None:
    route = limiter.route(LIMITS)
    response = route.send()
    assert response.status_code == 200
    assert pdk_calls(response, PLUGIN, "response") == 4
    assert usage_facts(route, response)["usage_source"] == "reported"


# --------------------------------------------------------------------------- ai-token-limiter-stream
STREAM_RESERVED = 4000


@pytest.mark.parametrize(
    ("label", "body", "headers"),
    [
        ("gzip sse", chat(stream=True, max_tokens=STREAM_RESERVED), GZIP),
        ("deflate json", chat(max_tokens=STREAM_RESERVED), DEFLATE),
        ("gzip bomb", chat(max_tokens=STREAM_RESERVED), BOMB),
    ],
    ids=["gzip sse", "deflate json", "gzip bomb"],
)
def test_stream_variant_settles_the_reservation_for_compressed_answers(
    limiter: LimiterEnv, label: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    """Compressed bytes are several times fewer than the text's: dividing them would undercount."""
    route = limiter.route(LIMITS, plugin=STREAM_PLUGIN)
    response = route.send(body, headers=headers)
    assert response.status_code == 200
    facts = usage_facts(route, response)
    assert facts["usage_source"] == "estimate"
    assert route.used("completion_tokens") == STREAM_RESERVED
    assert route.used("prompt_tokens") == PROMPT_TOKENS


def test_stream_variant_says_its_plain_settlement_is_counted(limiter: LimiterEnv) -> None:
    route = limiter.route(LIMITS, plugin=STREAM_PLUGIN)
    response = route.send(chat(stream=True, max_tokens=STREAM_RESERVED))
    assert response.status_code == 200
    facts = usage_facts(route, response)
    assert facts["usage_source"] == "counted"
    assert ANSWER_TOKENS <= route.used("completion_tokens") < STREAM_RESERVED
