"""``kong-ai emergency restrict --tokens-per-minute`` in the limiter's plan: which limits it narrows (the
tenant's own per-minute token limits), by how much, on the same counters; and when the published restriction
is ignored (lapsed, malformed). Through the gateway: tests/integration/ai_tenant_resolver/
test_emergency_two_nodes.py."""

from __future__ import annotations

from typing import Any

from kong_plugins.ai_input_guard.handler import emergency_models
from kong_plugins.ai_input_guard.models import ModelList
from kong_plugins.ai_token_limiter.plan import EmergencyLimits, Subject, build_plan, restricted
from kong_plugins.ai_token_limiter.schema import SCHEMA
from kong_plugins.ai_token_limiter.settings import build_settings
from kong_plugins.core.schema import ensure_valid_config

NOW_MS = 1_800_000_000_000


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
