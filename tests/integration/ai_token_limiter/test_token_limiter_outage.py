"""A Redis outage hands out no fresh budget: fallback counters start from what Redis last said, budgets
answer 503 unless the configuration opts in, an unset ``node_count`` is announced, and what the fallback
counted reaches Redis once it is back: nothing lost, nothing doubled."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PROMPT_TOKENS,
    LimitedRoute,
    LimiterEnv,
    RestartableRedis,
    chat,
    limit,
    poll_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness]

DEGRADED = "X-AI-RateLimit-Degraded"
RETRY_MS = 200
SETTLED_TOKENS = PROMPT_TOKENS + ANSWER_TOKENS  # what one chat() request really uses


def outage_route(limiter: LimiterEnv, limits: list[dict], **config: object) -> LimitedRoute:
    return limiter.route(limits, redis_retry_ms=RETRY_MS, degraded_log_interval=3600, **config)


def on_redis(route: LimitedRoute, tenant: str = "acme") -> httpx.Response:
    """The first answer given from Redis (a previous test may have left the breaker of this Redis open)."""
    return poll_until(
        lambda: (
            (response := route.send(tenant=tenant)).status_code == 200
            and DEGRADED not in response.headers
            and response
        ),
        deadline_s=5,
        what="answered from Redis",
    )


def test_a_counter_exhausted_before_the_outage_stays_exhausted(limiter: LimiterEnv) -> None:
    route = outage_route(limiter, [limit("requests", 3, "60")], node_count=3)
    on_redis(route)
    assert [route.send().status_code for _ in range(3)] == [200, 200, 429]
    limiter.redis.kill()
    refused = route.send()
    assert refused.status_code == 429, refused.text  # not a fresh per-node share of the limit
    assert refused.headers[DEGRADED] == "local-counters"
    assert route.send(tenant="globex").status_code == 200  # a tenant with room still gets its share


def test_budgets_answer_503_during_an_outage(limiter: LimiterEnv) -> None:
    route = outage_route(
        limiter, [limit("requests", 100, "minute"), limit("tokens", 10**6, "month")], node_count=2
    )
    on_redis(route)
    earlier = limiter.gateway.kong_log_mark()
    limiter.redis.kill()
    for tenant in ("acme", "globex"):  # seen in Redis or not
        refused = route.send(tenant=tenant)
        assert refused.status_code == 503, refused.text
        assert refused.json()["message"] == "Service unavailable"
        assert refused.headers["Retry-After"] == "1"
    short_only = outage_route(limiter, [limit("requests", 100, "minute")], node_count=2)
    assert short_only.send().status_code == 200  # limits under an hour are still counted locally
    assert any(
        "limits of an hour or more refused with 503" in line
        for line in limiter.gateway.kong_log_since(earlier)
        if f":{limiter.redis.port}" in line
    )


def test_budgets_opted_in_are_counted_locally_from_what_redis_said(limiter: LimiterEnv) -> None:
    route = outage_route(limiter, [limit("requests", 4, "day")], node_count=1, fault_tolerant_budgets=True)
    on_redis(route)
    assert route.send().status_code == 200  # 2 of 4 used
    limiter.redis.kill()
    statuses = [route.send() for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert all(r.headers[DEGRADED] == "local-counters" for r in statuses)
    unseen = route.send(tenant="globex")  # this node never saw globex's daily counter: usage unknown
    assert unseen.status_code == 503


def test_node_count_unset_is_announced_in_the_header_and_the_log(limiter: LimiterEnv) -> None:
    route = outage_route(limiter, [limit("requests", 10, "60")])
    on_redis(route)
    earlier = limiter.gateway.kong_log_mark()
    limiter.redis.kill()
    response = route.send()
    assert response.status_code == 200
    assert response.headers[DEGRADED] == "local-counters, node-count-unset"
    lines = [line for line in limiter.gateway.kong_log_since(earlier) if f":{limiter.redis.port}" in line]
    assert any("node_count is not set, so the divided limit is a guess" in line for line in lines)


@pytest.fixture
def persistent_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableRedis]:
    """A Redis of this test alone that keeps its counters across a SIGKILL and restart."""
    server = RestartableRedis(tmp_path_factory.mktemp("persistent-redis"), persistent=True)
    server.start()
    yield server
    server.stop()


def test_after_the_outage_redis_has_every_request_once(
    limiter: LimiterEnv, persistent_redis: RestartableRedis
) -> None:
    limits = [limit("requests", 10, "60"), limit("tokens", 10**6, "60")]
    route = outage_route(limiter, limits, node_count=2, redis_conf=persistent_redis.conf())
    route.redis = persistent_redis  # counters are read back from this Redis
    on_redis(route)
    assert all(route.send().status_code == 200 for _ in range(3))  # 4 requests counted in Redis
    persistent_redis.kill()
    # each node gets half of what was left: 10 / 2 = 5 per node, starting from 4 / 2 = 2 -> 3 more
    during = [route.send() for _ in range(4)]
    assert [r.status_code for r in during] == [200, 200, 200, 429]
    assert all(r.headers[DEGRADED] == "local-counters" for r in during)
    persistent_redis.start()  # back with the 4 requests it had counted
    recovered = poll_until(
        lambda: (r := route.send()).status_code == 200 and DEGRADED not in r.headers and r,
        deadline_s=5,
        what="back on Redis",
    )
    # 4 before + 3 during (added once, the seeded share not again) + this one
    assert recovered.headers["X-RateLimit-Remaining-Requests-60"] == "2"
    assert route.used("requests") == 8
    assert route.used("tokens") == 8 * SETTLED_TOKENS  # degraded settlements reached Redis too
    assert route.send().headers["X-RateLimit-Remaining-Requests-60"] == "1"  # nothing added twice


def test_a_settlement_a_frozen_redis_runs_late_is_not_released_twice(limiter: LimiterEnv) -> None:
    """A slow Redis, not a dead one: the settlement's reply times out, Redis runs it when it answers again,
    and the journal must not release the unused reservation a second time (that would hand the tenant
    budget it never had). The upstream's latency holds the request between its reservation and its
    settlement, long enough to freeze Redis in between."""
    route = outage_route(limiter, [limit("tokens", 10**6, "60")], node_count=1)
    on_redis(route)
    before = route.used("tokens")
    held: dict[str, httpx.Response] = {}
    request = threading.Thread(
        target=lambda: held.setdefault(
            "answer", route.send(chat(max_tokens=1000), headers={"X-Mock-Latency-Ms": "1500"})
        )
    )
    request.start()
    poll_until(lambda: route.used("tokens") > before, deadline_s=5, what="reserved in Redis")
    limiter.redis.freeze()
    request.join()  # settled against the frozen Redis: the reply timed out
    assert held["answer"].status_code == 200
    limiter.redis.thaw()  # Redis now runs the settlement it had received
    sent = 0

    def back_on_redis() -> httpx.Response | None:
        nonlocal sent
        sent += 1
        response = route.send()
        return response if response.status_code == 200 and DEGRADED not in response.headers else None

    poll_until(back_on_redis, deadline_s=5, what="back on Redis")  # the journal is added on the way
    assert route.used("tokens") == before + SETTLED_TOKENS * (1 + sent)  # was 46 short of that
