"""The pure parts of ai-action-authz: the entity model, compiling a version, slicing, deciding, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from kong_plugins.ai_action_authz.actions import RequestView, argument_tags, request_actions, request_context
from kong_plugins.ai_action_authz.decide import DecisionCache, Principal, decide
from kong_plugins.ai_action_authz.entity_model import ACTION_LEVELS, CEDAR_SCHEMA
from kong_plugins.ai_action_authz.facts import view_from_body
from kong_plugins.ai_action_authz.policy import PolicyError, compile_policy

ROOT = Path(__file__).resolve().parents[3]
BASE = """
@id("route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use"], resource);
"""


def test_the_shipped_schema_file_is_the_one_the_plugin_uses() -> None:
    assert (ROOT / "declarative" / "policies" / "schema.cedarschema").read_text() == CEDAR_SCHEMA
    for action in ACTION_LEVELS:
        assert f'action "{action}" appliesTo' in CEDAR_SCHEMA


def test_compile_refuses_what_cedar_refuses() -> None:
    with pytest.raises(PolicyError, match="does not parse"):
        compile_policy("permit(principal, action, resource")
    with pytest.raises(PolicyError, match="does not validate"):
        compile_policy('permit(principal, action == Action::"files.delete", resource);')
    with pytest.raises(PolicyError, match="does not validate"):
        compile_policy('permit(principal, action, resource) when { context.max_tokens > "x" };')
    with pytest.raises(PolicyError, match="templates"):
        compile_policy("permit(principal == ?principal, action, resource);")


def test_a_version_is_derived_from_the_text() -> None:
    assert compile_policy(BASE).version == compile_policy(BASE).version
    assert compile_policy(BASE).version != compile_policy(BASE + "\n// changed").version


def test_tenant_scoped_policies_are_only_in_that_tenants_slice() -> None:
    text = (
        BASE
        + 'permit(principal, action == Action::"feature.use", resource);\n'
        + "".join(
            f'permit(principal in Tenant::"t{i}", action == Action::"tool.offer", resource == Tool::"x");\n'
            for i in range(50)
        )
    )
    compiled = compile_policy(text)
    assert compiled.policy_count == 53
    assert compiled.slice_size("t7") == 4
    assert compiled.slice_size("someone-else") == 3
    cache = DecisionCache(0)
    view = RequestView(format="openai-chat", model="m", tool_names=("x",))
    for tenant, allowed in (("t7", True), ("t70", False)):
        decision = decide(
            compiled, Principal(tenant=tenant), request_actions("r", view), request_context(view), {}, cache
        )
        assert decision.allowed is allowed


def test_one_batch_call_then_the_cache() -> None:
    compiled = compile_policy(BASE)
    cache = DecisionCache(3)
    view = RequestView(format="openai-chat", model="m")
    first = decide(
        compiled, Principal("acme", "pro"), request_actions("r", view), request_context(view), {}, cache
    )
    assert (first.allowed, first.cedar_calls, len(first.actions)) == (True, 1, 3)
    again = decide(
        compiled, Principal("acme", "pro"), request_actions("r", view), request_context(view), {}, cache
    )
    assert again.cedar_calls == 0 and again.id != first.id
    other = RequestView(format="openai-chat", model="n")
    decide(compiled, Principal("acme", "pro"), request_actions("r", other), request_context(other), {}, cache)
    assert len(cache) == 3  # bounded


def test_argument_tags_are_bounded_text() -> None:
    assert argument_tags('{"account": "acme", "amount": 5, "deep": {"a": [1]}, "none": null}') == (
        ("account", "acme"),
        ("amount", "5"),
        ("deep", '{"a":[1]}'),
    )
    assert argument_tags("not json") == ()
    assert argument_tags({"k": "v" * 5000}) == ()
    assert len(argument_tags({f"k{i}": i for i in range(500)})) == 64


def test_the_body_is_read_for_what_decisions_need() -> None:
    view = view_from_body(
        b'{"model": "m", "stream": true, "max_tokens": 5, "messages": [], "tools": '
        b'[{"type": "function", "function": {"name": "search"}}, {"name": "calc"}]}'
    )
    assert (view.format, view.model, view.stream, view.max_tokens, view.tool_names) == (
        "openai-chat",
        "m",
        True,
        5,
        ("search", "calc"),
    )
    assert view_from_body(b'{"input": "x"}').format == "openai-embeddings"
    assert view_from_body(b"[[[[").format == "custom"
    assert view_from_body(b"[" * 100000 + b"]" * 100000).format == "custom"


def test_an_over_long_name_is_never_cut_to_a_permitted_prefix() -> None:
    compiled = compile_policy(
        BASE
        + 'permit(principal, action == Action::"feature.use", resource);\n'
        + f'permit(principal, action == Action::"tool.offer", resource == Tool::"{"s" * 256}");\n'
    )
    view = RequestView(format="openai-chat", model="m", tool_names=("s" * 300,))
    decision = decide(
        compiled, Principal("acme"), request_actions("r", view), request_context(view), {}, DecisionCache(0)
    )
    assert not decision.allowed
    assert decision.denied[0].resource == 'Tool::""'
