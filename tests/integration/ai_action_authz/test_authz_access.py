"""ai-action-authz in access, through the gateway: the three levels, deny-overrides, default deny, decisions.

Each test builds a route with ai-tenant-resolver (tenant and tier from ``X-Tenant-ID``) and the plugin with
an inline Cedar policy; the mock LLM's counters show that a denied request never reached the model.
"""

from __future__ import annotations

import gzip
import json
import uuid

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_action_authz.authz_support import (
    INPUT_GUARD,
    RESOLVER,
    assert_forbidden,
    chat,
    tool,
)

BASE = """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use"], resource);
"""


def test_endpoint_level_allows_a_tier_and_denies_the_others(authz) -> None:
    route = authz(
        {
            "route_name": "chat-api",
            "policy": """
@id("paid-tiers-only") permit(principal, action == Action::"route.call", resource == Route::"chat-api")
  when { principal in Tier::"pro" || principal in Tier::"enterprise" };
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use"], resource);
""",
        }
    )
    assert route.post(chat(), "acme").status_code == 200
    assert route.post(chat(), "initech").status_code == 200
    denied = route.post(chat(), "globex")
    decision_id = assert_forbidden(denied)
    assert route.upstream_hits() == 2
    published = route.shared(denied)["ai_guard"]["authz"]
    assert published["decision"] == "deny"
    assert published["decision_id"] == decision_id
    assert published["level"] == "endpoint"
    assert published["rule"] == "default-deny"
    assert published["action"] == "route.call"
    assert published["policy_version"].startswith("inline-")


def test_tenant_level_model_entitlement(authz) -> None:
    route = authz(
        {
            "policy": """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action == Action::"chat.create", resource);
@id("free-models") permit(principal in Tier::"free", action == Action::"model.use",
                          resource == Model::"gpt-4o-mini");
@id("pro-models") permit(principal in Tier::"pro", action == Action::"model.use", resource);
"""
        }
    )
    assert route.post(chat("gpt-4o-mini"), "globex").status_code == 200
    denied = route.post(chat("gpt-4o"), "globex")
    assert_forbidden(denied)
    published = route.shared(denied)["ai_guard"]["authz"]
    assert (published["level"], published["action"]) == ("tenant", "model.use")
    assert route.post(chat("gpt-4o"), "acme").status_code == 200
    assert route.upstream_hits() == 2


def test_tenant_level_streaming_and_tools_are_features(authz) -> None:
    route = authz(
        {
            "policy": BASE
            + """
@id("pro-features") permit(principal in Tier::"pro", action == Action::"feature.use", resource);
@id("tools") permit(principal, action == Action::"tool.offer", resource);
"""
        }
    )
    assert route.post(chat(stream=True), "acme").status_code == 200
    assert_forbidden(route.post(chat(stream=True), "globex"))
    assert_forbidden(route.post(chat(tools=[tool("search")]), "globex"))
    assert route.post(chat(), "globex").status_code == 200


def test_action_level_chat_embeddings_and_tool_offer(authz) -> None:
    route = authz(
        {
            "policy": BASE
            + """
@id("features") permit(principal, action == Action::"feature.use", resource);
@id("search-only") permit(principal, action == Action::"tool.offer", resource == Tool::"search");
@id("embeddings-enterprise") permit(principal in Tier::"enterprise", action == Action::"embeddings.create",
                                    resource);
"""
        }
    )
    assert route.post(chat(tools=[tool("search")])).status_code == 200
    denied = route.post(chat(tools=[tool("search"), tool("shell")]))
    assert_forbidden(denied)
    published = route.shared(denied)["ai_guard"]["authz"]
    assert (published["level"], published["action"]) == ("action", "tool.offer")
    assert {"action": "tool.offer", "resource": 'Tool::"shell"', "decision": "deny"}.items() <= next(
        a for a in published["actions"] if a["resource"] == 'Tool::"shell"'
    ).items()
    embed = {"model": "text-embedding-3-small", "input": "hello"}
    assert route.post(embed, "initech").status_code == 200
    assert_forbidden(route.post(embed, "acme"))


def test_a_content_coded_body_is_decoded_or_refused_without_the_guard(authz) -> None:
    """A gzip body on a route without ai-input-guard: decided on the document the upstream decodes (its
    tools and model), never as a body with no facts; a coding that cannot be undone is refused."""
    route = authz(
        {
            "policy": BASE
            + """
@id("features") permit(principal, action == Action::"feature.use", resource);
@id("search-only") permit(principal, action == Action::"tool.offer", resource == Tool::"search");
"""
        }
    )
    gzip_header = {"Content-Encoding": "gzip"}
    denied = route.post(gzip.compress(json.dumps(chat(tools=[tool("shell")])).encode()), headers=gzip_header)
    assert_forbidden(denied)
    published = route.shared(denied)["ai_guard"]["authz"]
    assert (published["level"], published["action"]) == ("action", "tool.offer")
    allowed = route.post(
        gzip.compress(json.dumps(chat(tools=[tool("search")])).encode()), headers=gzip_header
    )
    actions = route.shared(allowed)["ai_guard"]["authz"]["actions"]
    assert {(a["action"], a["resource"], a["decision"]) for a in actions} >= {
        ("tool.offer", 'Tool::"search"', "allow"),
        ("model.use", 'Model::"gpt-4o"', "allow"),
    }
    corrupt = route.post(b"\x1f\x8b\x08\x00garbage", headers=gzip_header)
    assert corrupt.status_code == 400 and corrupt.json()["message"] == "Bad request"
    unknown = route.post(b"(zstd frame)", headers={"Content-Encoding": "zstd"})
    assert unknown.status_code == 415, unknown.text
    bomb = gzip.compress(json.dumps(chat(padding="x" * 70_000)).encode())
    assert len(bomb) < 1024
    too_large = authz({"policy": BASE, "max_body_bytes": 4096}).post(bomb, headers=gzip_header)
    assert too_large.status_code == 413
    assert route.upstream_hits() == 1


def test_forbid_overrides_permit(authz) -> None:
    route = authz(
        {
            "policy": BASE
            + """
@id("no-big-answers-on-free") forbid(principal in Tier::"free", action == Action::"chat.create", resource)
  when { context has max_tokens && context.max_tokens > 256 };
"""
        }
    )
    assert route.post(chat(max_tokens=200), "globex").status_code == 200
    denied = route.post(chat(max_tokens=1000), "globex")
    assert_forbidden(denied)
    published = route.shared(denied)["ai_guard"]["authz"]
    assert published["rule"] == "no-big-answers-on-free"
    assert published["level"] == "action"
    assert route.post(chat(max_tokens=1000), "acme").status_code == 200


def test_default_deny(authz) -> None:
    route = authz(
        {"policy": '@id("only-route") permit(principal, action == Action::"route.call", resource);'}
    )
    denied = route.post(chat())
    assert_forbidden(denied)
    assert route.shared(denied)["ai_guard"]["authz"]["rule"] == "default-deny"
    # without a tenant the principal is Tenant::"": nothing permits it either
    nobody = authz({"policy": BASE}, before=[("ai-tenant-resolver", {**RESOLVER[1], "required": False})])
    assert nobody.post(chat(), tenant=None).status_code == 200
    strict = authz(
        {"policy": '@id("t") permit(principal in Tier::"pro", action, resource);'},
        before=[("ai-tenant-resolver", {**RESOLVER[1], "required": False})],
    )
    assert_forbidden(strict.post(chat(), tenant=None))
    assert strict.post(chat(), "acme").status_code == 200
    assert route.upstream_hits() == 0


def test_facts_from_the_input_guard_or_from_the_body(authz, gateway: GatewayUnderTest) -> None:
    policy = BASE.replace("resource);\n", "resource);\n", 1) + (
        '@id("no-o1") forbid(principal, action == Action::"model.use", resource == Model::"o1");'
    )
    with_guard = authz({"policy": policy}, before=[RESOLVER, INPUT_GUARD])
    alone = authz({"policy": policy})
    for route in (with_guard, alone):
        assert route.post(chat("gpt-4o")).status_code == 200
        assert_forbidden(route.post(chat("o1")))


@pytest.mark.harness
def test_pdk_round_trips_for_an_allowed_request(authz, gateway: GatewayUnderTest) -> None:
    gateway.require_harness()
    route = authz({"policy": BASE}, before=[RESOLVER, INPUT_GUARD])
    allowed = route.post(chat())
    assert allowed.status_code == 200
    # the ai_guard entry (tenant and request facts), the entry back with the decision
    assert "ai-action-authz.access=2" in allowed.headers["X-Emulator-Pdk-Calls"]
    # the answer has no tool calls: only its body is read, the decision is not needed
    assert "ai-action-authz.response=1" in allowed.headers["X-Emulator-Pdk-Calls"]
    alone = authz({"policy": BASE})
    # without ai-input-guard: + the body, read once
    assert "ai-action-authz.access=3" in alone.post(chat()).headers["X-Emulator-Pdk-Calls"]


def test_a_body_over_max_body_bytes_is_refused_without_the_guard(authz) -> None:
    route = authz({"policy": BASE, "max_body_bytes": 100})
    assert route.post(chat()).status_code == 200
    assert route.post(chat(padding="x" * 200)).status_code == 413
    assert route.upstream_hits() == 1


def test_context_sources_method_path_and_the_consumer_as_principal(authz, gateway: GatewayUnderTest) -> None:
    tag = uuid.uuid4().hex[:10]
    consumer = gateway.admin.post("/consumers", json={"username": f"alice-{tag}", "custom_id": "acme"})
    assert consumer.status_code == 201, consumer.text
    key = f"key-{tag}"
    gateway.admin.post(f"/consumers/{consumer.json()['id']}/key-auth", json={"key": key})
    try:
        route = authz(
            {
                "context_sources": ["method", "path", "consumer"],
                "policy": BASE
                + f"""
@id("alice-reads-only")
forbid(principal == Consumer::"alice-{tag}", action == Action::"chat.create", resource)
  unless {{ context.path like "*/ask" && context.method == "POST" }};
@id("acme-consumers") forbid(principal, action, resource) unless {{ principal in Tenant::"acme" }};
""",
            },
            before=[
                ("key-auth", {"key_names": ["apikey"]}),
                ("ai-tenant-resolver", {"sources": ["consumer"], "tenants": RESOLVER[1]["tenants"]}),
            ],
        )
        ok = route.post(chat(), tenant=None, suffix="/ask", headers={"apikey": key})
        assert ok.status_code == 200, ok.text
        denied = route.post(chat(), tenant=None, suffix="/other", headers={"apikey": key})
        assert_forbidden(denied)
        assert route.shared(denied)["ai_guard"]["authz"]["rule"] == "alice-reads-only"
        if not gateway.real_kong:  # the entry, body (no guard), method, path, consumer, the entry back
            assert "ai-action-authz.access=6" in ok.headers["X-Emulator-Pdk-Calls"]
            assert "ai-action-authz.response=1" in ok.headers["X-Emulator-Pdk-Calls"]
    finally:
        gateway.admin.delete(f"/consumers/{consumer.json()['id']}")
