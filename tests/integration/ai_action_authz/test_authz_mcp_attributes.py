"""MCP tool calls on the request side, tools/list answers filtered, request attributes for data partitions.

The mock LLM's ``POST /mcp`` is a minimal MCP server (tools search, transfer, shell); the partition rules
use the enterprise template's shape: a tenant may score transactions of its own merchants only.
"""

from __future__ import annotations

import json

from integration.ai_action_authz.authz_support import assert_forbidden

MCP_POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource);
@id("offer") permit(principal, action == Action::"tool.offer", resource)
  unless { resource == Tool::"shell" };
@id("search") permit(principal, action == Action::"tool.call", resource == Tool::"search");
@id("own-transfers") permit(principal, action == Action::"tool.call", resource == Tool::"transfer")
  when { context.arguments.hasTag("account") && context.arguments.getTag("account") == principal.tenant };
"""


def rpc(method: str, message_id: int = 1, **params) -> dict:
    message = {"jsonrpc": "2.0", "id": message_id, "method": method}
    if params:
        message["params"] = params
    return message


def test_mcp_tools_call_is_authorized_on_name_and_arguments(authz) -> None:
    route = authz({"policy": MCP_POLICY, "mcp": True}, upstream="/mcp")
    hits_before = route.upstream_hits()  # /mcp is shared by the tests: count this test's requests
    allowed = route.post(rpc("tools/call", name="search", arguments={"q": "weather"}))
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["result"]["content"][0]["text"].startswith("called search")
    own = route.post(rpc("tools/call", name="transfer", arguments={"account": "acme", "amount": 5}))
    assert own.status_code == 200
    assert_forbidden(route.post(rpc("tools/call", name="transfer", arguments={"account": "globex"})))
    assert_forbidden(route.post(rpc("tools/call", name="shell", arguments={"cmd": "id"})))
    denied = route.post(rpc("tools/call", name="transfer", arguments={"account": "globex"}))
    published = route.shared(denied)["ai_guard"]["authz"]
    assert (published["action"], published["level"], published["rule"]) == (
        "tool.call",
        "action",
        "default-deny",
    )
    # a batch is allowed only when every call in it is
    batch = [
        rpc("tools/call", 1, name="search", arguments={}),
        rpc("tools/call", 2, name="shell", arguments={}),
    ]
    assert_forbidden(route.post(batch))
    ok_batch = [rpc("tools/call", 1, name="search", arguments={}), rpc("tools/list", 2)]
    assert route.post(ok_batch).status_code == 200
    assert route.upstream_hits() - hits_before == 3


def test_mcp_tools_list_is_filtered(authz) -> None:
    route = authz({"policy": MCP_POLICY, "mcp": True}, upstream="/mcp")
    listed = route.post(rpc("tools/list"))
    assert listed.status_code == 200, listed.text
    assert [tool["name"] for tool in listed.json()["result"]["tools"]] == ["search", "transfer"]
    assert listed.headers["X-AI-Tools-Filtered"] == "1"
    assert listed.json()["jsonrpc"] == "2.0" and listed.json()["id"] == 1
    batch = route.post([rpc("tools/list", 7), rpc("tools/call", 8, name="search", arguments={})])
    answers = {answer["id"]: answer for answer in batch.json()}
    assert [t["name"] for t in answers[7]["result"]["tools"]] == ["search", "transfer"]
    assert answers[8]["result"]["content"][0]["text"].startswith("called search")
    everything = authz(
        {"policy": MCP_POLICY.replace('unless { resource == Tool::"shell" }', ""), "mcp": True},
        upstream="/mcp",
    )
    full = everything.post(rpc("tools/list"))
    assert [t["name"] for t in full.json()["result"]["tools"]] == ["search", "transfer", "shell"]
    assert "X-AI-Tools-Filtered" not in full.headers


PARTITION_POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource)
  unless { resource == Route::"score" };
@id("acme-merchants")
permit(principal in Tenant::"acme", action == Action::"route.call", resource == Route::"score")
  when { context.attributes.hasTag("merchant_id")
         && ["m-100", "m-101"].contains(context.attributes.getTag("merchant_id")) };
@id("region-header") forbid(principal, action == Action::"route.call", resource == Route::"score")
  when { context.attributes.hasTag("region") && context.attributes.getTag("region") != "eu" };
"""


def test_attribute_based_partition_rules(authz) -> None:
    route = authz(
        {
            "policy": PARTITION_POLICY,
            "route_name": "score",
            "attributes": [
                {"name": "merchant_id", "source": "body", "key": "/transaction/merchant"},
                {"name": "region", "source": "header", "key": "X-Region"},
            ],
        }
    )
    assert route.post({"transaction": {"merchant": "m-100", "amount": 3}}).status_code == 200
    denied = route.post({"transaction": {"merchant": "m-900", "amount": 3}})
    assert_forbidden(denied)
    assert route.shared(denied)["ai_guard"]["authz"]["level"] == "endpoint"
    assert_forbidden(route.post({"transaction": {"amount": 3}}))  # no merchant: no partition, no access
    assert_forbidden(route.post({"transaction": {"merchant": {"nested": "m-100"}}}))  # not a scalar
    assert_forbidden(route.post({"transaction": {"merchant": "m-100"}}, "globex"))  # not globex's merchant
    assert_forbidden(route.post({"transaction": {"merchant": "m-100"}}, headers={"X-Region": "us"}))
    assert route.post({"transaction": {"merchant": "m-101"}}, headers={"X-Region": "eu"}).status_code == 200
    assert route.upstream_hits() == 2


def test_attributes_from_the_query_and_the_path(authz) -> None:
    route = authz(
        {
            "policy": PARTITION_POLICY,
            "route_name": "score",
            "attributes": [
                {"name": "merchant_id", "source": "query", "key": "merchant"},
                {"name": "region", "source": "path", "key": "/regions/(?P<value>[a-z]+)"},
            ],
        }
    )
    assert route.post({}, suffix="/regions/eu?merchant=m-100").status_code == 200
    assert_forbidden(route.post({}, suffix="/regions/us?merchant=m-100"))
    assert_forbidden(route.post({}, suffix="/regions/eu?merchant=m-2"))
    # two values: ambiguous (the policy would see one, or none, the upstream both): refused
    assert route.post({}, suffix="/regions/eu?merchant=m-100&merchant=m-2").status_code == 400
    published = route.shared(route.post({}, suffix="/regions/eu?merchant=m-101"))
    assert published["ai_guard"]["authz"]["decision"] == "allow"


def test_an_attribute_pattern_re2_refuses_is_refused_by_the_admin_api(gateway, make_route) -> None:
    route = make_route()
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins",
        json={
            "name": "ai-action-authz",
            "config": {
                "policy": MCP_POLICY,
                "attributes": [{"name": "region", "source": "path", "key": "(?<=/)x"}],
            },
        },
    )
    assert response.status_code == 400
    assert json.dumps(response.json()["fields"]).count("attributes") >= 1
