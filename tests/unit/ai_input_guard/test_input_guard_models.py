"""Checks 5 and 6: route and tenant model lists, context windows, the max_tokens ceiling."""

from __future__ import annotations

import pytest

from kong_plugins.ai_input_guard.models import DEFAULT_CONTEXT_WINDOWS, ContextPolicy, ModelList, check_model
from kong_plugins.ai_input_guard.rejection import Rejection


def test_empty_lists_allow_every_model() -> None:
    check_model("anything", ModelList.of([]), None)
    check_model("anything", ModelList.of([]), ModelList.of([]))


def test_exact_ids_and_prefixes() -> None:
    allowed = ModelList.of(["gpt-4o-mini", "claude-3-5-*"])
    assert allowed.allows("gpt-4o-mini")
    assert allowed.allows("claude-3-5-sonnet-20241022")
    assert not allowed.allows("gpt-4o")
    assert not allowed.allows("GPT-4O-MINI")  # providers' ids are case-sensitive


@pytest.mark.parametrize(
    ("model", "route", "tenant", "category"),
    [
        ("gpt-4o", ["gpt-4o-mini"], None, "not_allowed_for_route"),
        ("gpt-4o", [], ["gpt-4o-mini"], "not_allowed_for_tenant"),
        ("gpt-4o", ["gpt-4o*"], ["claude-*"], "not_allowed_for_tenant"),
        (None, ["gpt-4o"], None, "not_allowed_for_route"),
    ],
)
def test_both_lists_must_allow_the_model(
    model: str | None, route: list[str], tenant: list[str] | None, category: str
) -> None:
    with pytest.raises(Rejection) as raised:
        check_model(model, ModelList.of(route), None if tenant is None else ModelList.of(tenant))
    assert (raised.value.status, raised.value.category) == (403, category)
    assert raised.value.problems[0].path == "/model"


def test_windows_use_the_longest_prefix() -> None:
    policy = ContextPolicy.build({"gpt-4o": 64000, "acme-": 2048}, None, None, clamp=False)
    assert policy.window_of("gpt-4o-2024-08-06") == 64000  # override wins
    assert policy.window_of("gpt-4o-mini") == DEFAULT_CONTEXT_WINDOWS["gpt-4o-mini"]
    assert policy.window_of("gpt-4-0613") == 8192
    assert policy.window_of("claude-3-haiku-20240307") == 200000
    assert policy.window_of("acme-small") == 2048
    assert policy.window_of("unknown-model") is None
    assert ContextPolicy.build(None, 4096, None, clamp=False).window_of("unknown-model") == 4096


def test_prompt_plus_max_tokens_must_fit() -> None:
    policy = ContextPolicy.build(None, None, None, clamp=False)
    policy.check_fit("gpt-4", 8000, 192, per_input=False)
    with pytest.raises(Rejection) as raised:
        policy.check_fit("gpt-4", 8000, 193, per_input=False)
    assert (raised.value.status, raised.value.check, raised.value.category) == (
        400,
        "context_window",
        "exceeded",
    )
    assert "8192-token context window" in raised.value.problems[0].error
    policy.check_fit("unknown-model", 10**9, None, per_input=False)  # unknown windows are not checked


def test_the_ceiling_refuses_or_clamps() -> None:
    reject = ContextPolicy.build(None, None, 1000, clamp=False)
    assert reject.ceiling_for({"max_tokens": 1000}, "openai-chat") == {}
    with pytest.raises(Rejection) as raised:
        reject.ceiling_for({"max_tokens": 1001}, "openai-chat")
    assert raised.value.problems[0].path == "/max_tokens"
    clamp = ContextPolicy.build(None, None, 1000, clamp=True)
    both = {"max_tokens": 5000, "max_completion_tokens": 10}
    assert clamp.ceiling_for(both, "openai-chat") == {"max_tokens": 1000}
    assert (
        ContextPolicy.build(None, None, None, clamp=True).ceiling_for({"max_tokens": 10**8}, "custom") == {}
    )


@pytest.mark.parametrize("clamp", [False, True])
def test_a_request_without_a_budget_gets_the_ceiling(clamp: bool) -> None:
    """Leaving max_tokens out must not bypass the ceiling: it is inserted, or required where the field the
    upstream reads is unknown (custom)."""
    policy = ContextPolicy.build(None, None, 1000, clamp=clamp)
    assert policy.ceiling_for({}, "openai-chat") == {"max_tokens": 1000}
    assert policy.ceiling_for({}, "openai-completions") == {"max_tokens": 1000}
    assert policy.ceiling_for({"max_completion_tokens": 10}, "openai-chat") == {}
    assert policy.ceiling_for({}, "openai-embeddings") == {}
    assert policy.ceiling_for({"max_output_tokens": 10}, "custom") == {}
    with pytest.raises(Rejection) as raised:
        policy.ceiling_for({}, "custom")
    assert raised.value.category == "max_tokens_required"
