"""Metrics when things go wrong: a request that waits in the limiter's queue, an audit sink whose Redis is
down (records spilled, the spill's size, Redis errors counted), through the emulated gateway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")  # a core dependency, yet an environment may lack it
from integration.ai_token_limiter.limiter_support import poll_until
from integration.observability.metrics_gateway import MetricsNode, free_port, metrics_node

pytestmark = [pytest.mark.redis, pytest.mark.harness]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricsNode]:
    tmp: Path = tmp_path_factory.mktemp("metrics-faults")
    # nothing listens on the audit sink's port; the limiter allows 1 request per hour and queues 300 ms
    with metrics_node(
        tmp, tenants=["acme"], requests_limit=1, audit_redis_port=free_port(), queue_ms=300
    ) as running:
        yield running


def test_a_queued_request_is_counted_as_queued_then_limited(node: MetricsNode) -> None:
    first, second = node.send("acme"), node.send("acme")
    assert (first.status_code, second.status_code) == (200, 429)
    for response in (first, second):
        node.wait_logged(response)
    outcomes = "kong_ai_limiter_outcomes_total"
    poll_until(lambda: node.value(outcomes, outcome="limited") >= 1, deadline_s=10, what="limited counted")
    assert node.value(outcomes, tenant="acme", outcome="queued") == 1
    assert node.value(outcomes, tenant="acme", outcome="allowed") == 1
    assert node.value(outcomes, tenant="acme", outcome="limited") == 1


def test_a_down_audit_sink_shows_as_spill_and_redis_errors(node: MetricsNode) -> None:
    # the two requests above were recorded while the sink's Redis refused connections
    spilled = poll_until(
        lambda: node.value("kong_ai_audit_spilled_total", sink="redis") or None,
        deadline_s=20,
        what="spilled records counted",
    )
    assert spilled == 2
    assert node.value("kong_ai_audit_spill_bytes", sink="redis") > 0
    assert node.value("kong_ai_audit_backlog", sink="redis") == 0  # nothing waits in memory: all on disk
    assert node.value("kong_ai_redis_errors_total", operation="ai-audit-log append") >= 1
    # the limiter's Redis is up: no error there
    assert node.value("kong_ai_redis_errors_total", operation="lua script") == 0
