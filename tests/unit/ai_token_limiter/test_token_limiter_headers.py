"""Answer headers (IETF and Kong-style) and the exact 429 bodies."""

from __future__ import annotations

from kong_plugins.ai_token_limiter.counters import Decision
from kong_plugins.ai_token_limiter.headers import (
    BUDGET_MESSAGE,
    DEGRADED_HEADER,
    RATE_LIMIT_MESSAGE,
    limit_headers,
    refusal,
)
from kong_plugins.ai_token_limiter.settings import LimitRule
from kong_plugins.ai_token_limiter.windows import parse_window

TOKENS = LimitRule("tokens", 1000, parse_window("minute"), "tenant", 1000)
REQUESTS_30 = LimitRule("requests", 5, parse_window("30"), "global", 5)
BUDGET = LimitRule("cost_usd", 2.5, parse_window("month"), "tenant", 2_500_000_000)


def decision(
    remaining: tuple[float, ...], reset_ms: tuple[int, ...], *, retry: int = 0, admitted: bool = True
) -> Decision:
    return Decision(
        admitted, retry, None if admitted else 0, False, remaining, reset_ms, (0,) * len(remaining)
    )


def test_both_header_families_describe_every_limit() -> None:
    headers = limit_headers(
        [TOKENS, REQUESTS_30, BUDGET],
        decision((420, 3, 1_250_000_500), (36_500, 1000, 86_400_000)),
        degraded=False,
    )
    assert headers["RateLimit-Policy"] == (
        '"tokens-minute";q=1000;w=60;qu="tokens", '
        '"requests-30-global";q=5;w=30;qu="request", '
        '"cost_usd-month";q=2500000;w=2592000;qu="usd-micro"'
    )
    assert headers["RateLimit"] == (
        '"tokens-minute";r=420;t=37, "requests-30-global";r=3;t=1, "cost_usd-month";r=1250000;t=86400'
    )
    assert headers["X-RateLimit-Limit-Tokens-Minute"] == "1000"
    assert headers["X-RateLimit-Remaining-Tokens-Minute"] == "420"
    assert headers["X-RateLimit-Limit-Requests-30-Global"] == "5"
    assert headers["X-RateLimit-Limit-Cost-Usd-Month"] == "2.5"
    assert headers["X-RateLimit-Remaining-Cost-Usd-Month"] == "1.2500005"
    assert DEGRADED_HEADER not in headers


def test_degraded_answers_show_the_node_share() -> None:
    headers = limit_headers([TOKENS], decision((100,), (0,)), degraded=True, scale=0.25)
    assert headers[DEGRADED_HEADER] == "local-counters"
    assert headers["X-RateLimit-Limit-Tokens-Minute"] == "250"


def test_rate_limit_refusal_body_and_retry_after() -> None:
    error = refusal(TOKENS, decision((0,), (5000,), retry=4200, admitted=False), {"RateLimit": "x"})
    assert error.status == 429
    assert error.body() == {
        "message": RATE_LIMIT_MESSAGE,
        "metric": "tokens",
        "window": "minute",
        "retry_after": 5,
    }
    assert error.headers == {"RateLimit": "x", "Retry-After": "5"}


def test_numeric_window_and_never_satisfiable_requests() -> None:
    error = refusal(REQUESTS_30, decision((0,), (0,), retry=-1, admitted=False), {})
    assert error.body()["window"] == 30
    assert error.body()["retry_after"] == 30  # waiting cannot help: one window


def test_budget_exhaustion_has_its_own_message() -> None:
    error = refusal(BUDGET, decision((0,), (0,), retry=3_600_000, admitted=False), {})
    assert error.body() == {
        "message": BUDGET_MESSAGE,
        "metric": "cost_usd",
        "window": "month",
        "retry_after": 3600,
    }
