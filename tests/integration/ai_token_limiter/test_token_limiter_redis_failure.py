"""Redis killed, frozen and restarted mid-test: local counters with divided limits and a header saying so
(fault_tolerant), or 503 (not fault tolerant); never a request waiting longer than the Redis timeouts; the
return to shared counters needs nobody; the outage is logged once per interval."""

from __future__ import annotations

import time

import httpx
import pytest
from integration.ai_token_limiter.limiter_support import LimitedRoute, LimiterEnv, limit, poll_until

pytestmark = [pytest.mark.redis, pytest.mark.harness]

DEGRADED = "X-AI-RateLimit-Degraded"
TIMEOUT_MS = 500
RETRY_MS = 200


def timed_send(route: LimitedRoute, tenant: str = "acme") -> tuple[int, float, httpx.Headers]:
    started = time.monotonic()
    response = route.send(tenant=tenant)
    return response.status_code, time.monotonic() - started, response.headers


def on_redis(route: LimitedRoute) -> None:
    """Wait until requests are answered from Redis (a previous test may have left this Redis's breaker
    open: it is shared by every configuration using the same Redis in the plugin server)."""
    poll_until(
        lambda: (outcome := timed_send(route))[0] == 200 and DEGRADED not in outcome[2],
        deadline_s=5,
        what="answered from Redis",
    )


def test_fault_tolerant_limits_go_local_and_come_back(limiter: LimiterEnv) -> None:
    route = limiter.route(
        [limit("requests", 6, "60")],
        node_count=3,
        redis_retry_ms=RETRY_MS,
        degraded_log_interval=3600,
        redis_conf=limiter.redis.conf(connect_timeout=TIMEOUT_MS, read_timeout=TIMEOUT_MS),
    )
    on_redis(route)
    earlier = limiter.gateway.kong_log_mark()  # other tests kill this Redis too
    limiter.redis.kill()
    outcomes = [timed_send(route) for _ in range(4)]
    # 6 / 3 nodes = 2 per node, starting from this node's share of the request Redis counted (1 / 3)
    assert [status for status, _, _ in outcomes] == [200, 429, 429, 429]
    assert all(headers.get(DEGRADED) == "local-counters" for _, _, headers in outcomes)
    assert outcomes[0][2]["X-RateLimit-Limit-Requests-60"] == "2"
    assert max(elapsed for _, elapsed, _ in outcomes) < TIMEOUT_MS / 1000 + 1.0
    log = limiter.gateway.kong_log_since(earlier)
    outage_lines = [line for line in log if "Redis unavailable" in line and f":{limiter.redis.port}" in line]
    assert len(outage_lines) == 1  # once per degraded_log_interval, however many requests
    limiter.redis.start()  # same port, empty (no persistence)
    recovered = poll_until(
        lambda: (outcome := timed_send(route))[0] == 200 and DEGRADED not in outcome[2] and outcome,
        deadline_s=5,
        what="back on Redis",
    )
    # shared counters again: the fresh Redis got the request admitted during the outage, then this one
    assert recovered[2]["X-RateLimit-Remaining-Requests-60"] == "4"
    assert any("Redis reachable again" in line for line in limiter.gateway.kong_log())


def test_not_fault_tolerant_answers_503_quickly_and_recovers(limiter: LimiterEnv) -> None:
    route = limiter.route(
        [limit("requests", 100, "60")],
        fault_tolerant=False,
        redis_retry_ms=RETRY_MS,
        redis_conf=limiter.redis.conf(connect_timeout=TIMEOUT_MS, read_timeout=TIMEOUT_MS),
    )
    on_redis(route)
    limiter.redis.kill()
    outcomes = [timed_send(route) for _ in range(3)]
    assert [status for status, _, _ in outcomes] == [503, 503, 503]
    assert max(elapsed for _, elapsed, _ in outcomes) < TIMEOUT_MS / 1000 + 1.0
    limiter.redis.start()
    poll_until(lambda: route.send().status_code == 200, deadline_s=5, what="recovered without restart")


def test_a_hung_redis_costs_at_most_its_timeout(limiter: LimiterEnv) -> None:
    """SIGSTOP: connections are accepted but nothing answers; the read timeout bounds the wait, once."""
    route = limiter.route(
        [limit("requests", 100, "60")],
        redis_retry_ms=5000,
        redis_conf=limiter.redis.conf(connect_timeout=TIMEOUT_MS, read_timeout=300, send_timeout=300),
    )
    on_redis(route)
    limiter.redis.freeze()
    try:
        outcomes = [timed_send(route) for _ in range(3)]
    finally:
        limiter.redis.thaw()
    assert [status for status, _, _ in outcomes] == [200, 200, 200]
    first, *rest = (elapsed for _, elapsed, _ in outcomes)
    assert 0.25 < first < 0.3 + 1.0  # this one waited for the read timeout
    assert all(elapsed < 0.25 for elapsed in rest)  # the breaker spared the others
    assert all(headers.get(DEGRADED) for _, _, headers in outcomes)
