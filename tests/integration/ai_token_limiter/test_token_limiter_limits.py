"""Every metric, scope, window, algorithm and tier, through the gateway with Redis; answers as clients see
them (statuses, the exact 429 bodies, Retry-After)."""

from __future__ import annotations

from typing import Any

import pytest
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PROMPT_TOKENS,
    LimiterEnv,
    chat,
    limit,
    poll_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness]

RATE_LIMITED = "API rate limit exceeded"


def refusal_body(response: Any) -> dict[str, Any]:
    assert response.status_code == 429, f"{response.status_code} {response.text}"
    body = response.json()
    assert set(body) == {"message", "metric", "window", "retry_after"}, body
    assert response.headers["Retry-After"] == str(body["retry_after"])
    return body


def test_requests_per_tenant_and_the_window_reopens(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 2, "2")])
    assert [route.send().status_code for _ in range(2)] == [200, 200]
    body = refusal_body(route.send())
    assert body["message"] == RATE_LIMITED and body["metric"] == "requests" and body["window"] == 2
    assert 1 <= body["retry_after"] <= 3
    assert route.send(tenant="globex").status_code == 200  # another tenant, another counter
    poll_until(lambda: route.send().status_code == 200, deadline_s=4, what="the 2 s window slid")


@pytest.mark.parametrize(
    ("metric", "limit_value", "statuses"),
    [
        # prompt: 7 per request, reserved and actual alike
        ("prompt_tokens", 2 * PROMPT_TOKENS, [200, 200, 429]),
        # completion: 40 reserved, 16 used; without settling the second would already be refused (80 > 60)
        ("completion_tokens", 60, [200, 200, 429]),
        # tokens: 47 reserved, 23 used: 47, then 23 + 47 = 70, then 46 + 47 = 93 > 90
        ("tokens", 90, [200, 200, 429]),
    ],
)
def test_token_metrics_are_reserved_then_settled(
    limiter: LimiterEnv, metric: str, limit_value: int, statuses: list[int]
) -> None:
    route = limiter.route([limit(metric, limit_value)])
    got = [route.send().status_code for _ in statuses]
    assert got == statuses
    expected_used = {"prompt_tokens": 2 * PROMPT_TOKENS, "completion_tokens": 2 * ANSWER_TOKENS}
    expected_used["tokens"] = expected_used["prompt_tokens"] + expected_used["completion_tokens"]
    assert route.used(metric) == expected_used[metric]


PRICING = [{"model": "mock-gpt-4o*", "prompt_per_million": 1000, "completion_per_million": 2000}]
# one request reserves 7 x $0.001 + 40 x $0.002 = $0.087 and really costs 7 x 0.001 + 16 x 0.002 = $0.039


def test_cost_limit_per_minute(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("cost_usd", 0.13, "minute")], pricing=PRICING, unknown_model="reject")
    assert [route.send().status_code for _ in range(2)] == [200, 200]  # 0.087, then 0.039 + 0.087 = 0.126
    body = refusal_body(route.send())
    assert body["message"] == RATE_LIMITED and body["metric"] == "cost_usd" and body["window"] == "minute"
    assert route.used("cost_usd") == pytest.approx(0.078)


def test_monthly_budget_exhaustion_has_its_own_message(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("cost_usd", 0.1, "month")], pricing=PRICING, unknown_model="reject")
    assert route.send().status_code == 200
    body = refusal_body(route.send(chat(max_tokens=60)))  # 0.039 + 0.127 > 0.1
    assert body["message"] == "Budget exhausted" and body["window"] == "month"
    assert body["retry_after"] <= 31 * 86400  # until the 1st of next month, UTC
    assert route.send(chat(max_tokens=20)).status_code == 200  # 0.039 + 0.047 still fits


def test_unknown_models_are_refused_when_configured(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("cost_usd", 1, "day")], pricing=PRICING, unknown_model="reject")
    response = route.send(chat(model="other-model"))
    assert response.status_code == 400
    assert response.json()["message"] == "Model has no price"
    assert route.send().status_code == 200


def test_global_scope_is_shared_by_tenants(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 2, scope="global")])
    assert route.send(tenant="acme").status_code == 200
    assert route.send(tenant="globex").status_code == 200
    assert refusal_body(route.send(tenant="initech"))["metric"] == "requests"


def test_tenant_model_scope_counts_each_model_apart(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1, scope="tenant_model")])
    assert route.send(chat(model="mock-gpt-4o")).status_code == 200
    assert route.send(chat(model="mock-gpt-4o-mini")).status_code == 200
    assert route.send(chat(model="mock-gpt-4o")).status_code == 429
    assert route.send(chat(model="mock-gpt-4o"), tenant="globex").status_code == 200


def test_route_scope_counts_each_route_apart(limiter: LimiterEnv) -> None:
    first = limiter.route([limit("requests", 1, scope="route")])
    second = limiter.route([limit("requests", 1, scope="route")], namespace=first.namespace)
    assert first.send().status_code == 200
    assert first.send(tenant="globex").status_code == 429  # the route's counter, whoever the tenant
    assert second.send().status_code == 200  # same namespace, another route


@pytest.mark.parametrize("scope", ["consumer", "consumer_model"])
def test_consumer_scopes(limiter: LimiterEnv, scope: str) -> None:
    admin = limiter.gateway.admin
    keys = []
    created = []
    for name in ("alice", "bob"):
        consumer = admin.post("/consumers", json={"username": f"{name}-{scope}-{id(limiter)}"}).json()
        created.append(consumer["id"])
        key = f"{name}-{consumer['id']}"
        assert admin.post(f"/consumers/{consumer['id']}/key-auth", json={"key": key}).status_code == 201
        keys.append(key)
    try:
        route = limiter.route(
            [limit("requests", 1, scope=scope)], before=[("key-auth", {"key_names": ["apikey"]})]
        )
        assert route.send(headers={"apikey": keys[0]}).status_code == 200
        assert route.send(headers={"apikey": keys[0]}).status_code == 429
        assert route.send(headers={"apikey": keys[1]}).status_code == 200  # another consumer
        if scope == "consumer_model":
            assert route.send(chat(model="mock-gpt-4o-mini"), headers={"apikey": keys[0]}).status_code == 200
    finally:
        for consumer_id in created:
            admin.delete(f"/consumers/{consumer_id}")


def test_tiers_select_the_limit_set(limiter: LimiterEnv) -> None:
    route = limiter.route(
        [limit("requests", 1)],
        tiers=[
            {"name": "free", "limits": [limit("requests", 1)]},
            {"name": "pro", "limits": [limit("requests", 3)]},
        ],
    )
    assert [route.send(tenant="acme").status_code for _ in range(2)] == [200, 429]  # free
    assert [route.send(tenant="globex").status_code for _ in range(4)] == [200, 200, 200, 429]  # pro
    assert [route.send(tenant="initech").status_code for _ in range(2)] == [200, 429]  # no tier: base
    assert route.send(tenant="globex").headers["X-RateLimit-Limit-Requests-60"] == "3"


def test_token_bucket_allows_a_burst_then_the_sustained_rate(limiter: LimiterEnv) -> None:
    # 1 request per 4 s sustained, bursts of 3 (a 12-second burst window)
    route = limiter.route([limit("requests", 1, "4", burst=3)], algorithm="token_bucket")
    assert [route.send().status_code for _ in range(3)] == [200, 200, 200]
    body = refusal_body(route.send())
    assert 1 <= body["retry_after"] <= 4


def test_fixed_window_reopens_at_the_boundary(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 2, "1")], algorithm="fixed_window")
    statuses = [route.send().status_code for _ in range(3)]
    assert statuses.count(200) >= 2  # a boundary may fall between two requests
    poll_until(lambda: route.send().status_code == 429, deadline_s=3, what="a full 1 s window")
    poll_until(lambda: route.send().status_code == 200, deadline_s=3, what="the next 1 s window")


def test_headers_describe_every_limit_and_can_be_hidden(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 5, "minute"), limit("tokens", 1000, "30", scope="global")])
    response = route.send()
    assert response.status_code == 200
    assert response.headers["RateLimit-Policy"] == (
        '"requests-minute";q=5;w=60;qu="request", "tokens-30-global";q=1000;w=30;qu="tokens"'
    )
    assert response.headers["RateLimit"].startswith('"requests-minute";r=4;t=')
    assert f'"tokens-30-global";r={1000 - PROMPT_TOKENS - 40};' in response.headers["RateLimit"]
    assert response.headers["X-RateLimit-Limit-Requests-Minute"] == "5"
    assert response.headers["X-RateLimit-Remaining-Requests-Minute"] == "4"
    assert response.headers["X-RateLimit-Limit-Tokens-30-Global"] == "1000"
    hidden = limiter.route([limit("requests", 1)], hide_client_headers=True)
    assert not [name for name in hidden.send().headers if "ratelimit" in name.lower()]
    refused = hidden.send()
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert not [name for name in refused.headers if "ratelimit" in name.lower()]


def test_local_strategy_needs_no_redis(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1)], strategy="local")
    assert [route.send().status_code for _ in range(2)] == [200, 429]
