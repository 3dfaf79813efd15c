"""The soak test's short form, run in CI: 20 s, 20 clients through the six-plugin chain (tests/load/soak.py).

The full form is ``scripts/pongo soak`` (10 minutes, 100 clients); both make the same checks: no 5xx, every
answer the one its request deserves, limits exact (the tight tenant's admissions per window, Redis counters
against the traffic), one audit record per request with every hash chain verified, the plugin server's RSS
flat after warm-up within the documented tolerance. No latency is asserted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.gateway import GatewayUnderTest
from load.soak import Stack, run_soak


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_short_soak_through_the_six_plugin_chain(gateway: GatewayUnderTest, tmp_path: Path) -> None:
    stack = Stack.from_env()
    stack.proxy_url, stack.admin_url = gateway.proxy_url, gateway.admin_url
    report = run_soak(stack, seconds=20, clients=20, spill_dir=tmp_path, progress=False)
    figures = json.dumps(report.as_dict(), indent=1)
    assert report.requests > 0, figures
    for name in (
        "no_5xx",
        "answers_as_expected",
        "tight_limit_exact",
        "redis_counters_match_traffic",
        "audit_chain_verifies",
        "memory_bounded",
    ):
        assert report.checks[name]["ok"], f"{name}: {figures}"
