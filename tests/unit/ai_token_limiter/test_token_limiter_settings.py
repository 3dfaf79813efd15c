"""Configuration: Kong-style schema errors, the checks a schema cannot express, and what they compile to."""

from __future__ import annotations

from typing import Any

import pytest

import kong_plugins.ai_token_limiter as plugin_module
import kong_plugins.ai_token_limiter_stream as stream_module
from kong_plugins.ai_token_limiter.schema import SCHEMA
from kong_plugins.ai_token_limiter.settings import build_settings
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.schema import ensure_valid_config


def compile_config(config: dict[str, Any]) -> Any:
    return build_settings(ensure_valid_config(SCHEMA.config, config))


def errors_of(config: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ConfigError) as caught:
        compile_config(config)
    return caught.value.fields


def test_module_exports_and_priorities() -> None:
    assert plugin_module.priority == priority_of("ai-token-limiter") == 1004
    assert stream_module.priority == priority_of("ai-token-limiter-stream")
    assert hasattr(plugin_module.Plugin, "response") and not hasattr(plugin_module.Plugin, "log")
    assert hasattr(stream_module.Plugin, "log") and not hasattr(stream_module.Plugin, "response")


def test_defaults() -> None:
    settings = compile_config({"limits": [{"metric": "tokens", "limit": 1000, "window": "minute"}]})
    assert settings.algorithm == "sliding_window" and settings.sliding_buckets == 10
    assert settings.strategy == "local" and settings.redis is None
    assert settings.fault_tolerant and settings.node_count == 1
    assert settings.max_output.default == 16384 and settings.max_completions == 128
    assert settings.queue_max_wait_ms == 0
    assert settings.tag_by_tenant and not settings.needs_consumer and not settings.needs_route
    (rule,) = settings.base_limits
    assert (rule.metric, rule.units, rule.window.seconds, rule.scope) == ("tokens", 1000, 60, "tenant")


def test_costs_compile_to_nano_usd_and_budgets_are_recognised() -> None:
    settings = compile_config(
        {
            "limits": [
                {"metric": "cost_usd", "limit": 2.5, "window": "month"},
                {"metric": "cost_usd", "limit": 0.01, "window": "hour"},
            ],
            "unknown_model": "reject",
        }
    )
    month, hour = settings.base_limits
    assert month.units == 2_500_000_000 and month.is_budget
    assert hour.units == 10_000_000 and not hour.is_budget


def test_tiers_replace_the_base_limits() -> None:
    settings = compile_config(
        {
            "limits": [{"metric": "requests", "limit": 1, "window": "minute"}],
            "tiers": [{"name": "pro", "limits": [{"metric": "requests", "limit": 100, "window": "minute"}]}],
        }
    )
    assert settings.limits_for("pro")[0].units == 100
    assert settings.limits_for("free")[0].units == 1
    assert settings.limits_for(None)[0].units == 1


def test_global_scope_moves_every_key_to_the_namespace_tag() -> None:
    settings = compile_config(
        {
            "limits": [{"metric": "requests", "limit": 5, "window": "minute"}],
            "tiers": [
                {"name": "x", "limits": [{"metric": "tokens", "limit": 5, "window": "60", "scope": "global"}]}
            ],
        }
    )
    assert not settings.tag_by_tenant


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({"limits": [{"metric": "tokens", "limit": 5, "window": "weekly"}]}, "config.limits.1.window"),
        ({"limits": [{"metric": "bytes", "limit": 5, "window": "minute"}]}, "config.limits.1.metric"),
        ({"limits": [{"metric": "tokens", "limit": 0, "window": "minute"}]}, "config.limits.1.limit"),
        ({"limits": [{"metric": "tokens", "limit": 5, "window": "0"}]}, "config.limits.1.window"),
        ({"limits": [{"metric": "tokens", "limit": 0.2, "window": "60"}]}, "config.limits.1.limit"),
        ({"limits": [{"metric": "tokens", "limit": 5, "window": "60", "burst": 9}]}, "config.limits.1.burst"),
        ({}, "config.@entity"),
        (
            {"limits": [{"metric": "tokens", "limit": 5, "window": "60"}], "queue": {"max_wait_ms": 60000}},
            "config.queue.max_wait_ms",
        ),
        (
            {
                "limits": [{"metric": "tokens", "limit": 5, "window": "60"}],
                "strategy": "redis",
                "redis": {"port": 0},
            },
            "config.redis.port",
        ),
    ],
)
def test_invalid_configs_name_the_field(config: dict[str, Any], path: str) -> None:
    assert path in errors_of(config)


def test_cost_limits_need_every_model_priced() -> None:
    cost = {"metric": "cost_usd", "limit": 5, "window": "month"}
    assert "config.@entity" in errors_of({"limits": [cost]})
    assert "config.@entity" in errors_of({"tiers": [{"name": "free", "limits": [cost]}]})
    assert "config.@entity" in errors_of({"limits": [cost], "default_price": {"prompt_per_million": 3}})
    assert compile_config({"limits": [cost], "unknown_model": "reject"}).base_limits[0].metric == "cost_usd"


def test_model_globs_re2_refuses_are_named() -> None:
    limits = [{"metric": "requests", "limit": 5, "window": "60"}]
    assert "config.pricing.1.model" in errors_of(
        {
            "limits": limits,
            "pricing": [{"model": "[z-a]", "prompt_per_million": 1, "completion_per_million": 1}],
        }
    )
    assert "config.max_output_tokens.1.model" in errors_of(
        {"limits": limits, "max_output_tokens": [{"model": "[z-a]*", "tokens": 5}]}
    )


def test_a_zero_fair_share_is_refused() -> None:
    limits = [{"metric": "requests", "limit": 5, "window": "60", "scope": "global"}]
    assert "config.fair_share" in errors_of({"limits": limits, "fair_share": 0})


def test_duplicates_are_refused() -> None:
    limit = {"metric": "tokens", "limit": 5, "window": "minute"}
    assert "config.limits.2" in errors_of({"limits": [limit, dict(limit)]})
    tier = {"name": "pro", "limits": [limit]}
    assert "config.tiers.2.name" in errors_of({"tiers": [tier, dict(tier)]})
