"""``kong-ai emergency restrict --tokens-per-minute`` in the limiter's plan: which limits it narrows (the
tenant's own per-minute token limits), by how much, on the same counters; and when the published restriction
is ignored (lapsed, malformed). Through the gateway: tests/integration/ai_tenant_resolver/
test_emergency_two_nodes.py."""

from __future__ import annotations

from typing import Any

from kong_plugins.ai_input_guard.handler import emergency_models
from kong_plugins.ai_input_guard.models import ModelList
from kong_plugins.ai_token_limiter.plan import (
    Amounts,
    EmergencyLimits,
    Subject,
    build_plan,
    emergency_cap_limit,
    emergency_cap_rule,
    restricted,
    with_emergency_cap,
)
from kong_plugins.ai_token_limiter.reservation import Reservation
from kong_plugins.ai_token_limiter.schema import SCHEMA
from kong_plugins.ai_token_limiter.settings import build_settings
from kong_plugins.core.schema import ensure_valid_config

NOW_MS = 1_800_000_000_000


def _settings(limits: list[dict[str, Any]], algorithm: str = "sliding_window", **extra: Any) -> Any:
    config = {"algorithm": algorithm, "limits": limits, **extra}
    return build_settings(ensure_valid_config(SCHEMA.config, config))


def _plan(algorithm: str = "sliding_window") -> Any:
    config = {
        "algorithm": algorithm,
        "limits": [
            {"metric": "tokens", "limit": 1000, "window": "minute", "scope": "tenant"},
            {"metric": "tokens", "limit": 50000, "window": "hour", "scope": "tenant"},
            {"metric": "requests", "limit": 60, "window": "minute", "scope": "tenant"},
            {"metric": "tokens", "limit": 9000, "window": "minute", "scope": "global"},
            {"metric": "completion_tokens", "limit": 400, "window": "60", "scope": "tenant_model"},
        ],
    }
    settings = build_settings(ensure_valid_config(SCHEMA.config, config))
    return build_plan(settings, Subject(tenant="acme", model="gpt-4o"))


def test_only_the_tenants_per_minute_token_limits_are_narrowed_on_the_same_counters() -> None:
    plan = _plan()
    narrowed = restricted(plan, EmergencyLimits(factor=0.1))
    assert [rule.units for rule in narrowed.rules] == [100, 50000, 60, 9000, 40]
    assert [counter.limit for counter in narrowed.counters] == [100, 50000, 60, 9000, 40]
    assert [c.key for c in narrowed.counters] == [c.key for c in plan.counters]  # usage so far still counts
    capped = restricted(plan, EmergencyLimits(cap=250))
    assert [rule.units for rule in capped.rules] == [250, 50000, 60, 9000, 250]
    both = restricted(plan, EmergencyLimits(factor=0.5, cap=300))
    assert [rule.units for rule in both.rules][:1] == [300]


def _rule(metric: str, limit: float, window: str, scope: str = "tenant") -> dict[str, Any]:
    return {"metric": metric, "limit": limit, "window": window, "scope": scope}


def test_an_absolute_cap_is_an_extra_limit_wherever_no_per_minute_tenant_tokens_limit_narrows() -> None:
    cap = EmergencyLimits(cap=500)
    assert emergency_cap_rule(_plan(), cap) is None  # tokens per minute (tenant) is narrowed to 500
    for limits in (
        [_rule("tokens", 6000, "hour")],
        [_rule("requests", 10, "minute")],
        [_rule("tokens", 1000, "minute", "tenant_model"), _rule("tokens", 9000, "minute", "global")],
    ):
        rule = emergency_cap_rule(build_plan(_settings(limits), Subject(tenant="acme")), cap)
        assert rule is not None and (rule.metric, rule.scope, rule.units) == ("tokens", "tenant", 500)
        assert rule.window.seconds == 60 and rule.policy_name == "tokens-minute"


def test_a_percentage_without_a_per_minute_limit_takes_the_tightest_token_limit_per_minute() -> None:
    factor = EmergencyLimits(factor=0.1)
    limits = [_rule("tokens", 6000, "hour"), _rule("prompt_tokens", 1200, "10", "global")]
    rule = emergency_cap_rule(build_plan(_settings(limits), Subject(tenant="acme")), factor)
    assert rule is not None and rule.units == 10  # min(6000/60, 1200*6) * 10%
    minute_global = [_rule("tokens", 9000, "minute", "global"), _rule("tokens", 100000, "day")]
    rule = emergency_cap_rule(build_plan(_settings(minute_global), Subject(tenant="acme")), factor)
    assert rule is not None and rule.units == 6  # min(9000, 100000/1440 = 69.4) * 10%
    assert emergency_cap_rule(_plan(), factor) is None  # per-minute tenant limits exist: narrowed
    requests_only = build_plan(_settings([_rule("requests", 10, "minute")]), Subject(tenant="acme"))
    assert emergency_cap_rule(requests_only, factor) is None  # no token limit to take a share of


def test_the_extra_counter_sits_before_fair_share_counters_in_the_same_slot() -> None:
    settings = _settings([_rule("tokens", 9000, "hour", "global")], fair_share=0.5)
    subject = Subject(tenant="acme")
    plan = build_plan(settings, subject)
    capped = with_emergency_cap(plan, settings, subject, emergency_cap_limit(500))
    assert [rule.units for rule in capped.rules] == [9000, 500]
    assert [c.limit for c in capped.counters] == [9000, 500, 4500]  # the share counter stays last
    assert capped.amounts(Amounts(10, 20, 0)) == [30, 30, 30]
    tag = capped.counters[0].key.split(":")[1]
    assert all(counter.key.split(":")[1] == tag for counter in capped.counters)
    tenant_settings = _settings([_rule("tokens", 9000, "hour")], "token_bucket")
    (_, extra) = with_emergency_cap(
        build_plan(tenant_settings, subject), tenant_settings, subject, emergency_cap_limit(500)
    ).counters
    assert extra.key.split(":")[1] == "{acme}" and extra.capacity == 500


def test_the_reservation_carries_the_extra_limit_to_settling() -> None:
    reservation = Reservation("redis", (1, 2), Subject(tenant="acme"), Amounts(1, 2, 3), emergency_cap=500)
    assert Reservation.from_shared(reservation.to_shared()) == reservation
    plain = Reservation("redis", (1,), Subject(tenant="acme"), Amounts(1, 2, 3))
    assert "reservation_emergency_cap" not in plain.to_shared()
    assert Reservation.from_shared(plain.to_shared()) == plain


def test_a_token_bucket_burst_is_narrowed_too() -> None:
    narrowed = restricted(_plan("token_bucket"), EmergencyLimits(factor=0.1))
    assert narrowed.counters[0].limit == 100 and narrowed.counters[0].capacity == 100


def test_the_published_restriction_is_read_defensively_and_its_deadline_checked() -> None:
    assert EmergencyLimits.from_facts(
        {"until_ms": NOW_MS + 1, "tokens_factor": 0.1}, NOW_MS
    ) == EmergencyLimits(factor=0.1)
    assert EmergencyLimits.from_facts({"until_ms": NOW_MS, "tokens_factor": 0.1}, NOW_MS) is None  # lapsed
    for bad in (None, [], {"tokens_factor": 3}, {"tokens_factor": "0.1"}, {"tokens_per_minute": -5}, {}):
        assert EmergencyLimits.from_facts(bad, NOW_MS) is None


def test_the_input_guard_narrows_the_tenants_models() -> None:
    narrowing = emergency_models({"models": ["gpt-4o-mini", "claude-*"], "until_ms": 10**15})
    assert narrowing is not None
    models = ModelList.of(["gpt-4o*"]).narrowed(narrowing)
    assert models.allows("gpt-4o-mini") and not models.allows("gpt-4o") and not models.allows("claude-3")
    unrestricted = ModelList.of([]).narrowed(narrowing)
    assert unrestricted.restricts and unrestricted.allows("claude-3") and not unrestricted.allows("o3")
    assert emergency_models({"models": ["x"], "until_ms": 1}) is None  # lapsed
    assert emergency_models({"tokens_factor": 0.1}) is None
