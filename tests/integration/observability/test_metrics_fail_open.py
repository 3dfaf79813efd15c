"""The limiter's fail-open metric through the gateway: its Redis is stopped while ``fault_tolerant`` (the
default) keeps it enforcing with local counters, and ``kong_ai_limiter_outcomes_total{outcome="fail_open"}``
moves by exactly the number of requests admitted that way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")  # a core dependency, yet an environment may lack it
from integration.ai_token_limiter.limiter_support import RestartableRedis, poll_until
from integration.observability.metrics_gateway import MetricsNode, metrics_node

pytestmark = [pytest.mark.redis, pytest.mark.harness]

DEGRADED = "X-AI-RateLimit-Degraded"
OUTCOMES = "kong_ai_limiter_outcomes_total"


@pytest.fixture(scope="module")
def limiter_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableRedis]:
    """A Redis of this test alone (the stack's is never stopped); the audit log keeps the stack's."""
    server = RestartableRedis(tmp_path_factory.mktemp("limiter-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, limiter_redis: RestartableRedis) -> Iterator[MetricsNode]:
    tmp: Path = tmp_path_factory.mktemp("metrics-fail-open")
    # 100 requests a minute: a short window, which fault_tolerant counts locally while Redis is down
    with metrics_node(
        tmp, tenants=["acme"], requests_limit=100, limiter_redis=limiter_redis.conf(), window="60"
    ) as running:
        yield running


def outcome(node: MetricsNode, name: str, at_least: float) -> float:
    return poll_until(
        lambda: value if (value := node.value(OUTCOMES, tenant="acme", outcome=name)) >= at_least else None,
        deadline_s=10,
        what=f"{name} >= {at_least}",
    )


def test_requests_admitted_with_redis_down_are_counted_as_fail_open(
    node: MetricsNode, limiter_redis: RestartableRedis
) -> None:
    for _ in range(2):  # Redis up: counted in Redis
        response = node.send("acme")
        assert response.status_code == 200 and DEGRADED not in response.headers
        node.wait_logged(response)
    assert outcome(node, "allowed", 2) == 2
    assert node.value(OUTCOMES, outcome="fail_open") == 0

    limiter_redis.kill()
    degraded = [node.send("acme") for _ in range(3)]
    for response in degraded:
        assert response.status_code == 200, response.text
        assert DEGRADED in response.headers
        node.wait_logged(response)
    assert outcome(node, "fail_open", 3) == 3
    assert node.value(OUTCOMES, tenant="acme", outcome="allowed") == 2  # not counted twice
    assert node.value("kong_ai_redis_errors_total", operation="lua script") >= 1

    limiter_redis.start()  # back: once the limiter retries Redis (redis_retry_ms), not fail-open again
    answers = []

    def back_on_redis() -> bool:
        answers.append(node.send("acme"))
        return answers[-1].status_code == 200 and DEGRADED not in answers[-1].headers

    poll_until(back_on_redis, deadline_s=30, what="the limiter back on Redis")
    for response in answers:
        node.wait_logged(response)
    still_degraded = sum(DEGRADED in response.headers for response in answers)
    assert outcome(node, "allowed", 3) == 3
    assert node.value(OUTCOMES, tenant="acme", outcome="fail_open") == 3 + still_degraded
