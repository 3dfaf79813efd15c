"""``--metrics-dir`` across a restart of the node: the second run's scrape counts only its own requests
(the previous run's files were deleted when the node started, not added to the new counts)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")  # a core dependency, yet an environment may lack it
from integration.ai_token_limiter.limiter_support import poll_until
from integration.observability.metrics_gateway import metrics_node

pytestmark = [pytest.mark.redis, pytest.mark.harness]

REQUESTS = "kong_ai_requests_total"


def test_a_restarted_node_counts_from_zero(tmp_path: Path) -> None:
    with metrics_node(tmp_path, tenants=["acme"], requests_limit=100) as first:
        for _ in range(3):
            first.wait_logged(first.send("acme"))
        poll_until(lambda: first.value(REQUESTS, tenant="acme") >= 3, deadline_s=10, what="3 counted")
        assert first.value(REQUESTS, tenant="acme") == 3
    assert any(path.suffix == ".db" for path in (tmp_path / "metrics").iterdir())

    with metrics_node(tmp_path, tenants=["acme"], requests_limit=100) as second:
        assert second.value(REQUESTS, tenant="acme") == 0
        second.wait_logged(second.send("acme"))
        poll_until(lambda: second.value(REQUESTS, tenant="acme") >= 1, deadline_s=10, what="1 counted")
        assert second.value(REQUESTS, tenant="acme") == 1
        phases = second.value("kong_ai_phase_seconds_count", plugin="ai-audit-log", phase="log")
        assert phases == 1
