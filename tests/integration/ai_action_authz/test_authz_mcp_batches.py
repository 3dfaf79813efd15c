"""MCP batches the JSON-RPC server answers item by item: every ``tools/call`` in them must be decided.

The mock LLM's ``/mcp`` answers each item of a batch on its own (an invalid item gets its own error, the
others are executed), as JSON-RPC 2.0 asks; so a batch is allowed only when every call in it is, whatever
else it carries and however many items come before the call.
"""

from __future__ import annotations

from integration.ai_action_authz.authz_support import assert_forbidden
from integration.ai_action_authz.test_authz_mcp_attributes import MCP_POLICY, rpc


def shell_ran(response) -> bool:  # type: ignore[no-untyped-def]
    return b"called shell" in response.content


def test_a_batch_with_an_invalid_item_still_decides_its_calls(authz) -> None:
    route = authz({"policy": MCP_POLICY, "mcp": True}, upstream="/mcp")
    for junk in (1, "x", None, []):
        response = route.post([junk, rpc("tools/call", 2, name="shell", arguments={"cmd": "id"})])
        assert not shell_ran(response)
        assert_forbidden(response)


def test_a_call_after_128_other_items_is_decided(authz) -> None:
    route = authz({"policy": MCP_POLICY, "mcp": True}, upstream="/mcp")
    pings = [rpc("ping", n) for n in range(128)]
    response = route.post([*pings, rpc("tools/call", 999, name="shell", arguments={"cmd": "id"})])
    assert not shell_ran(response)
    assert_forbidden(response)
    many_calls = [rpc("tools/call", n, name="search", arguments={}) for n in range(128)]
    refused = route.post([*many_calls, rpc("tools/call", 999, name="shell", arguments={})])
    assert not shell_ran(refused)
    assert refused.status_code in (400, 403), refused.text
    # within the bound, a batch of allowed calls still passes
    assert route.post([*pings[:100], rpc("tools/call", 7, name="search", arguments={})]).status_code == 200


def test_more_offered_tools_than_decided_are_refused(authz) -> None:
    policy = (
        MCP_POLICY + '\n@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use",'
    )
    policy += ' Action::"feature.use"], resource);'
    route = authz({"policy": policy}, upstream="/v1/chat/completions")
    tools = [{"type": "function", "function": {"name": "search"}}] * 128
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    shell = {"type": "function", "function": {"name": "shell"}}
    assert_forbidden(route.post({**body, "tools": [shell]}))  # shell is never offered
    response = route.post({**body, "tools": [*tools, shell]})
    assert response.status_code in (400, 403), response.text


CHAT_POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action == Action::"chat.create", resource);
@id("gpt-4o-only") permit(principal, action == Action::"model.use", resource == Model::"gpt-4o");
"""


def test_a_chat_body_dressed_as_json_rpc_is_still_a_chat_request(authz) -> None:
    """On a route that is no MCP route, ``jsonrpc``/``method`` fields (which an OpenAI-compatible server
    ignores) must not turn a chat request into JSON-RPC whose model nobody decides."""
    route = authz({"policy": CHAT_POLICY}, upstream="/v1/chat/completions")
    body = {"model": "o1", "messages": [{"role": "user", "content": "hi"}]}
    assert_forbidden(route.post(body))
    assert_forbidden(route.post({**body, "jsonrpc": "2.0", "method": "ping"}))
    assert route.post({**body, "model": "gpt-4o", "jsonrpc": "2.0", "method": "ping"}).status_code == 200


def test_on_an_mcp_route_a_message_without_the_jsonrpc_member_is_still_decided(authz) -> None:
    """A lenient JSON-RPC server (the mock's) runs a message that lacks ``"jsonrpc": "2.0"``."""
    route = authz({"policy": MCP_POLICY, "mcp": True}, upstream="/mcp")
    message = {"id": 1, "method": "tools/call", "params": {"name": "shell", "arguments": {}}}
    response = route.post(message)
    assert not shell_ran(response)
    assert_forbidden(response)


def test_a_compressed_tools_list_is_filtered_too(authz) -> None:
    import gzip
    import json

    route = authz({"policy": MCP_POLICY, "mcp": True}, upstream="/mcp")
    listed = route.post(rpc("tools/list"), headers={"X-Mock-Content-Encoding": "gzip"})
    assert listed.status_code == 200, listed.text
    body = listed.content
    if listed.headers.get("Content-Encoding") == "gzip" and body[:2] == b"\x1f\x8b":  # httpx left it coded
        body = gzip.decompress(body)
    assert [tool["name"] for tool in json.loads(body)["result"]["tools"]] == ["search", "transfer"]


NO_TOOLS_POLICY = (
    CHAT_POLICY
    + """
@id("offer-search") permit(principal, action == Action::"tool.offer", resource == Tool::"search");
"""
)


def test_legacy_functions_are_offered_tools_too(authz) -> None:
    """OpenAI's deprecated ``functions`` parameter still offers functions to the model (it answers with
    ``function_call``): the tools feature and every function offered are decided, with and without the
    guard's facts."""
    from integration.ai_action_authz.authz_support import INPUT_GUARD, RESOLVER

    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    for before in ([RESOLVER], [RESOLVER, INPUT_GUARD]):
        route = authz({"policy": NO_TOOLS_POLICY}, before=before, upstream="/v1/chat/completions")
        assert route.post(body).status_code == 200
        assert_forbidden(route.post({**body, "functions": [{"name": "search", "parameters": {}}]}))
        features = authz(
            {
                "policy": NO_TOOLS_POLICY
                + '@id("f") permit(principal, action == Action::"feature.use", resource);'
            },
            before=before,
            upstream="/v1/chat/completions",
        )
        assert features.post({**body, "functions": [{"name": "search", "parameters": {}}]}).status_code == 200
        assert_forbidden(features.post({**body, "functions": [{"name": "shell", "parameters": {}}]}))
