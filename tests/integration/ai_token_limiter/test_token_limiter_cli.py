"""``kong-ai usage show|reset`` against the counters the gateway wrote."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PROMPT_TOKENS,
    LimitedRoute,
    LimiterEnv,
    limit,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness]

PRICING = [{"model": "mock-*", "prompt_per_million": 1000, "completion_per_million": 2000}]


def kong_ai(route: LimitedRoute, *args: str) -> subprocess.CompletedProcess[str]:
    assert route.redis is not None
    argv = [sys.executable, "-m", "kong_plugins.cli.main", "usage", *args]
    argv += ["--redis-url", route.redis.url, "--namespace", route.namespace]
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


def test_show_lists_usage_and_budget_left(limiter: LimiterEnv) -> None:
    route = limiter.route(
        [
            limit("requests", 10, "minute"),
            limit("cost_usd", 1, "month"),
            limit("tokens", 1000, scope="global"),
        ],
        pricing=PRICING,
        unknown_model="reject",
    )
    for tenant in ("acme", "acme", "globex"):
        assert route.send(tenant=tenant).status_code == 200
    shown = kong_ai(route, "show", "--tenant", "acme", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = {(row["scope"], row["metric"]): row for row in json.loads(shown.stdout)}
    assert set(rows) == {("tenant", "requests"), ("tenant", "cost_usd")}  # the global counter is nobody's
    assert rows[("tenant", "requests")]["used"] == 2 and rows[("tenant", "requests")]["remaining"] == 8
    cost = 2 * (PROMPT_TOKENS * 0.001 + ANSWER_TOKENS * 0.002)
    assert rows[("tenant", "cost_usd")]["used"] == pytest.approx(cost)
    assert rows[("tenant", "cost_usd")]["remaining"] == pytest.approx(1 - cost)
    table = kong_ai(route, "show")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["SCOPE", "SUBJECT", "METRIC", "WINDOW", "USED", "LIMIT", "LEFT"]
    assert any(line.split()[:3] == ["global", "-", "tokens"] for line in lines)
    assert any(line.split()[:4] == ["tenant", "globex", "requests", "minute"] for line in lines)


def test_reset_starts_a_tenant_afresh(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1)])
    assert route.send(tenant="acme").status_code == 200
    assert route.send(tenant="globex").status_code == 200
    assert route.send(tenant="acme").status_code == 429
    reset = kong_ai(route, "reset", "--tenant", "acme")
    assert reset.returncode == 0 and "deleted 1 counter(s) of tenant acme" in reset.stdout
    assert route.send(tenant="acme").status_code == 200
    assert route.send(tenant="globex").status_code == 429  # other tenants keep their usage
    everything = kong_ai(route, "reset", "--all")
    assert everything.returncode == 0 and "deleted 2 counter(s)" in everything.stdout
    assert kong_ai(route, "show").stdout.strip() == "no counters"


def test_unreachable_redis_is_exit_code_3(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1)])
    argv = [
        sys.executable,
        "-m",
        "kong_plugins.cli.main",
        "usage",
        "show",
        "--redis-url",
        "redis://127.0.0.1:1",
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert result.returncode == 3 and "Redis unavailable" in result.stderr
    assert route.namespace  # the route exists; only the CLI's Redis is wrong
