"""compute_seconds limits through the gateway: reserved from the per-model estimate, settled from the
upstream's ``openai-processing-ms`` header (the mock LLM sends it when asked), else from the measured time;
both plugins; counters read back from Redis (in seconds)."""

from __future__ import annotations

import pytest
from integration.ai_token_limiter.limiter_support import (
    PLUGIN,
    STREAM_PLUGIN,
    LimiterEnv,
    chat,
    limit,
    pdk_calls,
    poll_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness]

ESTIMATES = [{"model": "mock-gpt-4o-mini*", "seconds": 2}, {"model": "MOCK-GPT-4O*", "seconds": 20}]
REMAINING = "X-RateLimit-Remaining-Compute-Seconds-60"


def processing_ms(ms: int) -> dict[str, str]:
    return {"X-Mock-Response-Header": f"openai-processing-ms: {ms}"}


@pytest.mark.parametrize("plugin", [PLUGIN, STREAM_PLUGIN])
def test_reserved_from_the_model_estimate_settled_from_the_processing_header(
    limiter: LimiterEnv, plugin: str
) -> None:
    route = limiter.route([limit("compute_seconds", 30, "60")], plugin=plugin, compute_estimates=ESTIMATES)
    body = chat(stream=plugin == STREAM_PLUGIN, include_usage=True)
    first = route.send(body, headers=processing_ms(1500))
    assert first.status_code == 200, first.text
    assert first.headers[REMAINING] == "10"  # 30 - the 20 s reserved for mock-gpt-4o
    assert first.headers["X-RateLimit-Limit-Compute-Seconds-60"] == "30"
    assert '"compute_seconds-60";q=30000;w=60;qu="compute-ms"' in first.headers["RateLimit-Policy"]
    poll_until(lambda: route.used("compute_seconds") == 1.5, deadline_s=5, what="settled at 1.5 s")
    second = route.send(chat(model="mock-gpt-4o-mini"), headers=processing_ms(250))
    assert second.headers[REMAINING] == "26.5"  # 30 - 1.5 - 2 reserved for the mini model
    poll_until(lambda: route.used("compute_seconds") == 1.75, deadline_s=5, what="settled at 1.75 s")


def test_an_exhausted_compute_budget_refuses(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("compute_seconds", 25, "60")], compute_estimates=ESTIMATES)
    assert route.send(headers=processing_ms(20_000)).status_code == 200
    refused = route.send(headers=processing_ms(1))
    assert refused.status_code == 429  # 20 used + 20 reserved > 25
    assert refused.json()["metric"] == "compute_seconds"
    assert route.send(chat(model="mock-gpt-4o-mini")).status_code == 200  # 20 + 2 fits


def test_without_the_header_the_measured_time_is_settled(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("compute_seconds", 30, "60")], compute_estimates=ESTIMATES)
    assert route.send(headers={"X-Mock-Latency-Ms": "300"}).status_code == 200
    used = route.used("compute_seconds")
    assert 0.3 <= used < 20  # at least the upstream's 300 ms, and no longer the 20 s reserved


def test_the_header_costs_one_round_trip_in_response_only_with_compute_limits(limiter: LimiterEnv) -> None:
    plain = limiter.route([limit("requests", 10)])
    assert pdk_calls(plain.send(), PLUGIN, "response") == 4
    route = limiter.route([limit("compute_seconds", 30, "60")])
    response = route.send(headers=processing_ms(10))
    assert pdk_calls(response, PLUGIN, "access") == 4  # no more than any other limit
    assert pdk_calls(response, PLUGIN, "response") == 5  # + kong.service.response.get_header
