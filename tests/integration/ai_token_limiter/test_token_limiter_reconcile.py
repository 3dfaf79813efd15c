"""Reserve, then settle with the real usage: OpenAI and Anthropic, JSON and SSE, reported or counted, and
upstream errors releasing the completion reservation. Counters are read back from Redis."""

from __future__ import annotations

import math
import socket
import threading
from typing import Any

import httpx
import pytest
from fixtures.gateway import MOCK_LLM_URL
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PROMPT_TOKENS,
    LimiterEnv,
    chat,
    limit,
    poll_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness]

LIMITS = [limit("prompt_tokens", 10**6), limit("completion_tokens", 10**6), limit("tokens", 10**6)]
RESERVED_COMPLETION = 40


def answer_chars() -> int:
    """Characters of the mock's answer to ``chat()`` (what counting falls back to without usage)."""
    response = httpx.post(
        f"{MOCK_LLM_URL}/v1/chat/completions", json=chat(), headers={"X-Mock-No-Usage": "1"}
    )
    return len(response.json()["choices"][0]["message"]["content"])


def counted_json() -> int:
    return math.ceil(answer_chars() / 4)


def counted_stream() -> int:
    return max(ANSWER_TOKENS, math.ceil(answer_chars() / 4))  # one delta per word, or chars / 4


CASES: list[tuple[str, str, dict[str, Any], dict[str, str], Any]] = [
    ("openai json usage", "/v1/chat/completions", chat(), {}, ANSWER_TOKENS),
    ("openai json counted", "/v1/chat/completions", chat(), {"X-Mock-No-Usage": "1"}, counted_json),
    ("openai sse usage", "/v1/chat/completions", chat(stream=True, include_usage=True), {}, ANSWER_TOKENS),
    ("openai sse counted", "/v1/chat/completions", chat(stream=True), {}, counted_stream),
    ("anthropic json", "/v1/messages", chat(), {}, ANSWER_TOKENS),
    ("anthropic sse", "/v1/messages", chat(stream=True), {}, ANSWER_TOKENS),
    ("capped by max_tokens", "/v1/chat/completions", chat(), {"X-Mock-Completion-Tokens": "100"}, 40),
    ("upstream 500", "/v1/chat/completions", chat(), {"X-Mock-Status": "500"}, 0),
    ("upstream 429", "/v1/messages", chat(stream=True), {"X-Mock-Status": "429"}, 0),
]


@pytest.mark.parametrize(("label", "path", "body", "headers", "completion"), CASES, ids=[c[0] for c in CASES])
def test_settled_usage(
    limiter: LimiterEnv, label: str, path: str, body: dict[str, Any], headers: dict[str, str], completion: Any
) -> None:
    route = limiter.route(LIMITS, upstream=path)
    response = route.send(body, headers=headers)
    expected_status = int(headers.get("X-Mock-Status", "200"))
    assert response.status_code == expected_status, response.text
    expected = completion() if callable(completion) else completion
    assert route.used("completion_tokens") == expected
    assert route.used("prompt_tokens") == PROMPT_TOKENS
    assert route.used("tokens") == PROMPT_TOKENS + expected


def test_a_cut_stream_settles_its_reservation(limiter: LimiterEnv) -> None:
    """Half the deltas arrived, but what the model generated (and the provider bills) is unknown: the
    reservation is settled, never the part that arrived (test_token_limiter_unknown_usage.py has more)."""
    route = limiter.route(LIMITS)
    response = route.send(chat(stream=True, include_usage=True), headers={"X-Mock-Error": "truncated-stream"})
    assert response.status_code == 200
    assert b"[DONE]" not in response.content and b'"usage":{' not in response.content
    assert route.used("completion_tokens") == RESERVED_COMPLETION


def test_the_reservation_is_held_while_the_upstream_works(limiter: LimiterEnv) -> None:
    """During the call the counter holds the full reservation; afterwards only what was used."""
    route = limiter.route(LIMITS)
    slow = threading.Thread(target=route.send, kwargs={"headers": {"X-Mock-Latency-Ms": "800"}})
    slow.start()
    try:
        held = poll_until(
            lambda: route.used("completion_tokens") or None, deadline_s=5, what="the reservation is counted"
        )
        assert held == RESERVED_COMPLETION
    finally:
        slow.join()
    assert route.used("completion_tokens") == ANSWER_TOKENS


def test_an_unreachable_upstream_releases_the_completion(limiter: LimiterEnv) -> None:
    """With buffered proxying Kong answers a refused connection inside its capture (502) and still runs the
    response handlers (kong/init.lua Kong.response): the completion reservation is given back."""
    route = limiter.route(LIMITS)
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    admin = limiter.gateway.admin
    patched = admin.patch(f"/services/{route.route.service['id']}", json={"port": closed})
    assert patched.status_code == 200, patched.text
    response = route.send()
    assert response.status_code == 502
    assert route.used("prompt_tokens") == PROMPT_TOKENS
    assert route.used("completion_tokens") == 0
