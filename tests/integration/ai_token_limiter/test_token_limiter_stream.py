"""Streaming: the buffered limiter holds an SSE stream until its end (Kong buffers for any plugin with a
``response`` handler), ``ai-token-limiter-stream`` lets it flow and settles afterwards, in ``log``."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PROMPT_TOKENS,
    STREAM_PLUGIN,
    LimitedRoute,
    LimiterEnv,
    chat,
    limit,
    poll_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness]

LIMITS = [limit("requests", 100), limit("completion_tokens", 10**6)]
SLOW_STREAM = {"X-Mock-Chunk-Delay-Ms": "150", "X-Mock-Completion-Tokens": "5"}  # 8 events, ~1 s in all


def first_byte_and_total(route: LimitedRoute) -> tuple[float, float, bytes]:
    proxy = route.route.gateway.proxy
    started = time.monotonic()
    body = b""
    first = None
    with proxy.stream(
        "POST", route.route.url(), json=chat(stream=True), headers={**SLOW_STREAM, "X-Tenant-ID": "acme"}
    ) as response:
        assert response.status_code == 200
        for piece in response.iter_raw():
            if first is None and piece:
                first = time.monotonic() - started
            body += piece
    assert first is not None
    return first, time.monotonic() - started, body


def test_only_the_stream_variant_keeps_streaming(limiter: LimiterEnv) -> None:
    buffered = limiter.route(LIMITS)
    streaming = limiter.route(LIMITS, plugin=STREAM_PLUGIN)
    buffered_first, buffered_total, buffered_body = first_byte_and_total(buffered)
    stream_first, stream_total, stream_body = first_byte_and_total(streaming)
    assert buffered_body.count(b"data: ") == stream_body.count(b"data: ") == 8
    # buffered: the first byte comes with the last one; streamed: long before the end
    assert buffered_first > 0.8 * buffered_total and buffered_first > 0.7
    assert stream_first < 0.5 * stream_total


def log_done(route: LimitedRoute, response: Any) -> dict[str, Any]:
    request_id = response.headers["X-Kong-Request-Id"]
    return poll_until(
        lambda: (stats := route.route.gateway.request_stats(request_id))["log_done"] and stats,
        deadline_s=5,
        what="the log phase ran",
    )


def test_stream_variant_settles_after_the_response(limiter: LimiterEnv) -> None:
    route = limiter.route(LIMITS, plugin=STREAM_PLUGIN)
    response = route.send(chat(stream=True))
    assert response.status_code == 200
    stats = log_done(route, response)
    assert stats["pdk_calls"][STREAM_PLUGIN] == {"access": 4, "log": 3}
    # settled from the bytes sent, capped at the reservation: never below what was really used
    assert ANSWER_TOKENS <= route.used("completion_tokens") <= 40
    assert route.used("requests") == 1


def test_stream_variant_gives_back_what_the_stream_did_not_use(limiter: LimiterEnv) -> None:
    route = limiter.route(LIMITS, plugin=STREAM_PLUGIN)
    response = route.send(chat(stream=True, max_tokens=4000))
    assert response.status_code == 200
    log_done(route, response)
    body_bytes = len(response.content)
    # about body bytes / 4 (the size Kong logs includes the headers, estimated from the logged ones):
    # every byte of SSE framing counted as text, so above the 16 really used, far below the 4000 reserved
    settled = route.used("completion_tokens")
    assert abs(settled - body_bytes / 4) <= 32
    assert ANSWER_TOKENS < settled < 4000


def test_stream_variant_releases_the_completion_on_upstream_errors(limiter: LimiterEnv) -> None:
    route = limiter.route([*LIMITS, limit("prompt_tokens", 10**6)], plugin=STREAM_PLUGIN)
    response = route.send(chat(stream=True), headers={"X-Mock-Status": "503"})
    assert response.status_code == 503
    log_done(route, response)
    assert route.used("completion_tokens") == 0
    assert route.used("prompt_tokens") == PROMPT_TOKENS


def test_stream_variant_releases_the_completion_when_the_upstream_times_out(limiter: LimiterEnv) -> None:
    route = limiter.route([*LIMITS, limit("prompt_tokens", 10**6)], plugin=STREAM_PLUGIN)
    service = route.route.service["id"]
    patched = limiter.gateway.admin.patch(f"/services/{service}", json={"read_timeout": 300})
    assert patched.status_code == 200, patched.text
    response = route.send(chat(stream=True), headers={"X-Mock-Error": "timeout"})
    assert response.status_code == 504  # Kong's answer for an upstream read timeout
    log_done(route, response)
    assert route.used("completion_tokens") == 0
    assert route.used("prompt_tokens") == PROMPT_TOKENS


def test_both_variants_on_one_route_each_settle_their_own_reservation(limiter: LimiterEnv) -> None:
    """ai-token-limiter and ai-token-limiter-stream on one route (an operator may attach one to the service
    and the other to the route): both reserve in access, the buffered one settles in response, the stream
    one in log. Each charges the tokens the answer really used, so each limit drains alike; the stream
    variant's reservation was lost when the other's took the context's ``usage`` section, and its limit
    kept the whole reservation (4000 tokens a request instead of a few dozen)."""
    stream_limits = [limit("tokens", 100000, window="3600")]
    route = limiter.route(
        [limit("tokens", 100000, window="60")],
        before=[
            (
                STREAM_PLUGIN,
                {
                    "namespace": f"s{uuid.uuid4().hex[:12]}",
                    "redis": limiter.redis.conf(),
                    "strategy": "redis",
                    "limits": stream_limits,
                },
            ),
        ],
    )
    remaining = []
    for _ in range(3):
        response = route.send(chat(max_tokens=4000))  # 4000 reserved, 16 used
        assert response.status_code == 200, response.text
        log_done(route, response)
        remaining.append(
            (
                int(response.headers["X-RateLimit-Remaining-Tokens-60"]),
                int(response.headers["X-RateLimit-Remaining-Tokens-3600"]),
            )
        )
    (minute1, hour1), (minute2, hour2), (minute3, hour3) = remaining
    used = minute1 - minute2  # what the previous request used, settled in response
    assert 0 < used < 100 and minute2 - minute3 == used
    # settled in log from what the stream variant counts (the answer's bytes: a little more), never the
    # reservation (max_tokens)
    assert 0 < hour1 - hour2 == hour2 - hour3 < 1000
