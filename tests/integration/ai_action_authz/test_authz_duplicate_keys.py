"""JSON objects that repeat a member name, in requests and in answers: never decided on one reading of them.

Python's ``json`` keeps the last value, other readers the first: ``"tool_calls": [shell], "tool_calls": []``
is a call to one client and none to this plugin. Every JSON it reads goes through core/strict_json.py: a
request with a repeated name is refused (400, as ai-input-guard and ai-tenant-resolver refuse it), an answer
with one is uninspectable (403 with a decision id, whatever ``on_violation`` says, like any output it cannot
read). Answers come from a raw upstream (fixtures/raw_upstream.py) so the test chooses every byte.
"""

from __future__ import annotations

import json

import pytest
from integration.ai_action_authz.authz_support import RESOLVER, assert_forbidden, chat, tool
from integration.ai_action_authz.test_authz_mcp_attributes import MCP_POLICY

POLICY = """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use", Action::"feature.use",
                                          Action::"tool.offer"], resource);
@id("search") permit(principal, action == Action::"tool.call", resource == Tool::"search");
@id("no-shell-offer") forbid(principal, action == Action::"tool.offer", resource == Tool::"shell");
@id("own-transfers") permit(principal, action == Action::"tool.call", resource == Tool::"transfer")
  when { context.arguments.hasTag("account") && context.arguments.getTag("account") == principal.tenant };
"""
SHELL = '{"id":"call_1","type":"function","function":{"name":"shell","arguments":"{}"}}'
SEARCH = '{"id":"call_2","type":"function","function":{"name":"search","arguments":"{}"}}'


def _answer(message: str) -> bytes:
    return (
        '{"id":"c","object":"chat.completion","choices":[{"index":0,"finish_reason":"tool_calls",'
        f'"message":{{"role":"assistant","content":null,{message}}}}}]}}'
    ).encode()


ANSWERS = {
    # the client's parser may keep the first list (shell), this plugin's would keep the empty one
    "repeated-tool-calls": _answer(f'"tool_calls":[{SHELL}],"tool_calls":[]'),
    # a call named twice: shell to one reader, search to another
    "repeated-name": _answer(
        '"tool_calls":[{"id":"c1","type":"function","function":{"name":"shell","name":"search",'
        '"arguments":"{}"}}]'
    ),
    # the arguments the tool runs with (JSON text) repeat the name a policy condition reads
    "repeated-argument": _answer(
        '"tool_calls":[{"id":"c1","type":"function","function":{"name":"transfer",'
        '"arguments":"{\\"account\\":\\"globex\\",\\"account\\":\\"acme\\"}"}}]'
    ),
    "repeated-in-sse": b"data: "
    + (
        '{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":'
        f'[{{"index":0,{SHELL[1:-1]}}}]}},"delta":{{}}}}]}}'
    ).encode()
    + b"\n\ndata: [DONE]\n\n",
}


@pytest.mark.parametrize("on_violation", ["block", "strip"])
@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_an_answer_with_a_repeated_name_is_refused(raw_route, name: str, on_violation: str) -> None:
    body = ANSWERS[name]
    sse = body.startswith(b"data:")
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": on_violation})],
        body,
        [("Content-Type", "text/event-stream" if sse else "application/json")],
    )
    tools = [tool("search"), tool("transfer")]
    response = route.gateway.proxy.post(
        route.url(), json=chat(tools=tools, stream=sse), headers={"X-Tenant-ID": "acme"}
    )
    assert_forbidden(response)
    assert b"shell" not in response.content and b"globex" not in response.content


def test_the_same_answers_without_repetition_pass(raw_route) -> None:
    """The control: the allowed call alone, one name each, is delivered as the upstream sent it."""
    body = _answer(f'"tool_calls":[{SEARCH}]')
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY})], body, [("Content-Type", "application/json")]
    )
    response = route.gateway.proxy.post(
        route.url(), json=chat(tools=[tool("search")]), headers={"X-Tenant-ID": "acme"}
    )
    assert response.status_code == 200 and response.content == body


def test_a_request_with_a_repeated_name_is_refused(authz) -> None:
    route = authz({"policy": POLICY})
    tools = json.dumps([tool("shell")])
    body = f'{{"model":"gpt-4o","messages":[{{"role":"user","content":"hi"}}],"tools":{tools},"tools":[]}}'
    refused = route.post(body.encode())
    assert refused.status_code == 400 and refused.json()["message"] == "Bad request"
    assert route.post(chat(tools=[tool("search")])).status_code == 200
    assert route.upstream_hits() == 1


def test_an_mcp_call_with_a_repeated_name_is_refused(authz) -> None:
    route = authz({"policy": MCP_POLICY, "mcp": True}, upstream="/mcp")
    named_twice = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"shell","name":"search"}}'
    refused = route.post(named_twice)
    assert refused.status_code == 400 and b"called shell" not in refused.content
    two_accounts = (
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"transfer",'
        b'"arguments":{"account":"globex","account":"acme"}}}'
    )
    assert route.post(two_accounts).status_code == 400
    assert route.upstream_hits() == 0


def test_an_mcp_tool_list_with_a_repeated_name_is_refused(raw_route) -> None:
    """A ``tools/list`` answer whose ``tools`` is given twice: the client may read the list with shell."""
    body = (
        b'{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"shell"},{"name":"search"}],'
        b'"tools":[{"name":"search"}]}}'
    )
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": MCP_POLICY, "mcp": True})],
        body,
        [("Content-Type", "application/json")],
    )
    response = route.gateway.proxy.post(
        route.url(), json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers={"X-Tenant-ID": "acme"}
    )
    assert_forbidden(response)
    assert b"shell" not in response.content
