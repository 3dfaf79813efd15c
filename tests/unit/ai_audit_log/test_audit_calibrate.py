"""Limits from usage: legitimate days only, nearest-rank quantile, headroom, and the proposed config."""

from __future__ import annotations

from kong_plugins.ai_audit_log.calibrate import quantile, suggest
from kong_plugins.cli.limits import proposed_config

DAY_MS = 86_400_000


def record(tenant: str, tier: str | None, day: int, tokens: int, status: int = 200, **extra: object) -> dict:
    return {
        "tenant": tenant,
        "tier": tier,
        "started_at_ms": 1_700_000_000_000 + day * DAY_MS,
        "status": status,
        "upstream_status": extra.pop("upstream_status", status),
        "usage": {"prompt_tokens": tokens // 2, "completion_tokens": tokens - tokens // 2, "cost_usd": 0.01},
        **extra,
    }


def test_quantile_is_nearest_rank() -> None:
    assert quantile([float(n) for n in range(1, 101)], 0.99) == 99
    assert quantile([5.0], 0.99) == 5
    assert quantile([3.0, 1.0, 2.0], 1.0) == 3


def test_refusals_and_failures_are_not_legitimate_usage() -> None:
    records = [
        record("acme", "free", 0, 100),
        record("acme", "free", 0, 50),
        record("acme", "free", 0, 10_000, status=429, upstream_status=None),
        record("acme", "free", 1, 10_000, status=502),
        record("globex", "pro", 0, 1000),
    ]
    free, pro = suggest(records, q=0.99, headroom=1.5)
    assert (free.tier, free.days, free.observed["tokens"], free.observed["requests"]) == ("free", 1, 150, 2)
    assert free.limits["tokens"] == 225 and free.limits["requests"] == 3 and free.limits["cost_usd"] == 0.03
    assert (pro.tier, pro.limits["tokens"]) == ("pro", 1500)


def test_p99_over_tenant_days_of_a_tier() -> None:
    records = [record(f"t{n % 5}", "pro", n // 5, 100 + n) for n in range(500)]
    (pro,) = suggest(records, q=0.99, headroom=1.0)
    assert pro.days == 500 and pro.observed["tokens"] == 100 + 494 and pro.top_tenant["tokens"] == "t4"


def test_proposed_config_updates_daily_limits_and_adds_missing_ones() -> None:
    current = {
        "limits": [{"metric": "requests", "limit": 60, "window": "minute"}],
        "tiers": [{"name": "free", "limits": [{"metric": "tokens", "limit": 10, "window": "day"}]}],
    }
    (free, default) = suggest(
        [record("acme", "free", 0, 100), record("solo", None, 0, 40)], q=0.99, headroom=1.0
    )
    proposed = proposed_config(current, [free, default])
    assert proposed["tiers"][0]["limits"][0] == {"metric": "tokens", "limit": 100, "window": "day"}
    assert {"metric": "requests", "limit": 1, "window": "day", "scope": "tenant"} in proposed["tiers"][0][
        "limits"
    ]
    assert {"metric": "tokens", "limit": 40, "window": "day", "scope": "tenant"} in proposed["limits"]
    assert current["tiers"][0]["limits"][0]["limit"] == 10  # the input is left alone
