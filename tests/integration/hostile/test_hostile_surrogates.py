"""Lone surrogate escapes (``"\\ud800"``: valid JSON, but no text any UTF-8 encoder accepts) in the request
fields a plugin hands on, without ai-input-guard in front: never a 500.

* ai-action-authz decides on the model, the tool names and an MCP ``tools/call`` name: Cedar cannot read
  such a value, and a policy on ``Tool::"transfer"`` must not be asked about something else. Refused: 400.
* ai-token-limiter(-stream) publishes the model name to ``kong.ctx.shared``: it reaches Kong with U+FFFD in
  place of the surrogate (the plugin server's MessagePack encoder), and the request goes through.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from integration.hostile.chain_support import RESOLVER, TENANTS, assert_kong_error, chat, redis_conf

POLICY = '@id("everyone") permit(principal, action, resource);'
ANSWER = b'{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"called"}]}}'
HEADERS = {"X-Tenant-ID": "acme", "Content-Type": "application/json"}


def _tool(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}


def test_authz_refuses_a_lone_surrogate_in_what_the_policy_decides_on(raw_route: Any, gateway: Any) -> None:
    plugins = [
        (RESOLVER, {"sources": ["header"], "tenants": TENANTS}),
        ("ai-action-authz", {"policy": POLICY}),
    ]
    route = raw_route(plugins, b'{"choices":[]}', [("Content-Type", "application/json")])
    mcp_plugins = [plugins[0], ("ai-action-authz", {"policy": POLICY, "mcp": True})]
    mcp = raw_route(mcp_plugins, ANSWER, [("Content-Type", "application/json")])

    def post(target: Any, body: dict[str, Any]) -> Any:
        return gateway.proxy.post(target.url(), content=json.dumps(body), headers=HEADERS, timeout=60)

    assert post(route, chat(tools=[_tool("search")])).status_code == 200
    for body in (chat(model="gpt-\ud800"), chat(tools=[_tool("search\udfff")])):
        assert_kong_error(post(route, body), 400)
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "search", "arguments": {}}}
    assert post(mcp, call).status_code == 200
    call["params"]["name"] = "sea\ud800rch"
    assert_kong_error(post(mcp, call), 400)


@pytest.mark.parametrize("plugin", ["ai-token-limiter", "ai-token-limiter-stream"])
def test_the_limiter_passes_a_model_name_with_a_lone_surrogate(
    make_route: Any, gateway: Any, plugin: str
) -> None:
    route = make_route("/v1/chat/completions")
    route.add_plugin(RESOLVER, {"sources": ["header"], "tenants": TENANTS})
    limits = [{"metric": "tokens", "limit": 1_000_000, "window": "60", "scope": "tenant_model"}]
    route.add_plugin(plugin, {"strategy": "redis", "redis": redis_conf(), "limits": limits})
    for model in ("gpt-4o", "gpt-\ud800"):
        response = gateway.proxy.post(
            route.url(), content=json.dumps(chat(model=model)), headers=HEADERS, timeout=60
        )
        assert response.status_code == 200, (model, response.text)
