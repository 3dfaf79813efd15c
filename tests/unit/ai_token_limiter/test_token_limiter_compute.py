"""compute_seconds: per-model estimates (RE2 globs), the processing-time header, store units."""

from __future__ import annotations

import pytest

from kong_plugins.ai_token_limiter.compute import ComputeTable, header_ms, serialized_compute_ms
from kong_plugins.ai_token_limiter.schema import SCHEMA
from kong_plugins.ai_token_limiter.settings import build_settings
from kong_plugins.core.schema import ensure_valid_config


def test_estimates_match_globs_case_insensitively_first_match_wins() -> None:
    table = ComputeTable.build([("gpt-4o-mini*", 2.5), ("GPT-4O*", 20), ("claude-?-haiku", 4)], 10)
    assert table.estimate_ms("gpt-4o-mini-2024") == 2500
    assert table.estimate_ms("gpt-4o") == 20_000
    assert table.estimate_ms("claude-3-haiku") == 4000
    assert table.estimate_ms("claude-3x-haiku") == 10_000
    assert table.estimate_ms(None) == 10_000
    assert table.estimate_ms("gpt-4o" + "x" * 300) == 10_000  # too long to be a model name
    assert table.estimate_ms("a.b") == 10_000 and ComputeTable.build([("a.b", 1)], 0).estimate_ms("axb") == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1234", 1234), ("12.2", 13), (["7", "9"], 7), ("0", 0), ("1e9", None), ("-5", None), ("", None),
     ("nan", None), ("1.2.3", None), ("9" * 40, None), (None, None), ("999999999999", 86_400_000)],
)  # fmt: skip
def test_the_processing_time_header(value: object, expected: int | None) -> None:
    assert header_ms(value) == expected


def test_the_header_is_found_in_the_log_snapshot_whatever_its_case() -> None:
    snapshot = {"response": {"headers": {"Openai-Processing-Ms": "321"}}}
    assert serialized_compute_ms(snapshot, "openai-processing-ms") == 321
    assert serialized_compute_ms(snapshot, None) is None
    assert serialized_compute_ms({"response": {}}, "openai-processing-ms") is None


def test_limits_are_counted_in_milliseconds_and_only_configured_limits_cost_anything() -> None:
    config = {"limits": [{"metric": "compute_seconds", "limit": 1.5, "window": "minute", "burst": 3}]}
    settings = build_settings(ensure_valid_config(SCHEMA.config, {**config, "algorithm": "token_bucket"}))
    rule = settings.base_limits[0]
    assert (rule.units, rule.burst_units) == (1500, 3000)
    assert settings.needs_compute and settings.compute_header == "openai-processing-ms"
    plain = build_settings(
        ensure_valid_config(SCHEMA.config, {"limits": [{"metric": "requests", "limit": 1, "window": "60"}]})
    )
    assert not plain.needs_compute
