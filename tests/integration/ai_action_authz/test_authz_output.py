"""Tool calls in the model's output re-authorized in the response phase (OWASP LLM06), JSON and SSE.

The mock LLM answers with the tool calls the test asks for (``X-Mock-Tool-Call`` + ``X-Mock-Tool-Args``,
more with ``X-Mock-Extra-Tool-Call``); a stripped answer is read back with the official OpenAI and Anthropic
SDKs, so "still valid for the client's SDK" is checked by the SDKs themselves.
"""

from __future__ import annotations

import json

import pytest
from integration.ai_action_authz.authz_support import (
    anthropic_answer,
    assert_forbidden,
    chat,
    openai_answer,
    tool,
)

POLICY = """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use", Action::"feature.use",
                                          Action::"tool.offer"], resource);
@id("search") permit(principal, action == Action::"tool.call", resource == Tool::"search");
@id("own-account-transfers") permit(principal, action == Action::"tool.call", resource == Tool::"transfer")
  when { context.arguments.hasTag("account") && context.arguments.getTag("account") == principal.tenant };
"""
OPENAI = "/v1/chat/completions"
ANTHROPIC = "/v1/messages"
TOOLS = [tool("search"), tool("transfer"), tool("shell")]


def calls(first: str, args: str = "{}", *extra: str) -> dict[str, str]:
    headers = {"X-Mock-Tool-Call": first, "X-Mock-Tool-Args": args}
    return headers


def post(route, upstream: str, headers: dict[str, str], *extra: str, stream: bool = False, tenant="acme"):
    body = chat(tools=TOOLS, stream=stream)
    if upstream == ANTHROPIC:
        body = {
            "model": "claude",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"name": "search"}, {"name": "transfer"}, {"name": "shell"}],
            "stream": stream,
        }
    all_headers = dict(headers)
    response = route.gateway.proxy.post(
        route.route.url(),
        content=json.dumps(body).encode(),
        headers=[
            ("Content-Type", "application/json"),
            ("X-Tenant-ID", tenant),
            *all_headers.items(),
            *(("X-Mock-Extra-Tool-Call", value) for value in extra),
        ],
    )
    return response


def openai_calls(response) -> list[tuple[str, str]]:
    message = openai_answer(response).choices[0].message
    return [(c.function.name, c.function.arguments) for c in message.tool_calls or []]


def anthropic_calls(response) -> list[tuple[str, dict]]:
    return [(b.name, b.input) for b in anthropic_answer(response).content if b.type == "tool_use"]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("upstream", [OPENAI, ANTHROPIC], ids=["openai", "anthropic"])
def test_allowed_tool_calls_pass_unchanged(authz, upstream: str, stream: bool) -> None:
    route = authz({"policy": POLICY}, upstream=upstream)
    response = post(route, upstream, calls("transfer", '{"account": "acme", "amount": 5}'), stream=stream)
    assert response.status_code == 200, response.text
    assert "X-AI-Tool-Calls-Stripped" not in response.headers
    if upstream == OPENAI:
        assert openai_calls(response) == [("transfer", '{"account": "acme", "amount": 5}')]
    else:
        assert anthropic_calls(response) == [("transfer", {"account": "acme", "amount": 5})]
    published = route.shared(response)["ai_guard"]["authz"]
    assert (published["output_decision"], published["tool_calls"], published["tool_calls_denied"]) == (
        "allow",
        1,
        0,
    )


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("upstream", [OPENAI, ANTHROPIC], ids=["openai", "anthropic"])
def test_block_refuses_the_whole_output(authz, upstream: str, stream: bool) -> None:
    route = authz({"policy": POLICY, "on_violation": "block"}, upstream=upstream)
    # a tool the policy never permits, and a permitted tool with another tenant's account
    for headers in (calls("shell", '{"cmd": "rm -rf /"}'), calls("transfer", '{"account": "globex"}')):
        response = post(route, upstream, headers, stream=stream)
        decision_id = assert_forbidden(response)
        assert b"rm -rf" not in response.content and b"globex" not in response.content
        published = route.shared(response)["ai_guard"]["authz"]
        assert published["output_decision"] == "block"
        assert published["output_decision_id"] == decision_id
        assert published["output_rule"] == "default-deny"
        assert published["decision"] == "allow"  # the request itself was allowed


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_strip_openai_keeps_a_valid_answer(authz, stream: bool) -> None:
    route = authz({"policy": POLICY, "on_violation": "strip"}, upstream=OPENAI)
    response = post(
        route,
        OPENAI,
        calls("shell", '{"cmd": "id"}'),
        'search {"q": "weather"}',
        'transfer {"account": "globex"}',
        'transfer {"account": "acme"}',
        stream=stream,
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-AI-Tool-Calls-Stripped"] == "2"
    assert openai_calls(response) == [("search", '{"q": "weather"}'), ("transfer", '{"account": "acme"}')]
    assert openai_answer(response).choices[0].finish_reason == "tool_calls"
    # every call stripped: a plain answer that ends with "stop"
    only_denied = post(route, OPENAI, calls("shell", "{}"), stream=stream)
    assert only_denied.headers["X-AI-Tool-Calls-Stripped"] == "1"
    answer = openai_answer(only_denied)
    assert not answer.choices[0].message.tool_calls
    assert answer.choices[0].finish_reason == "stop"
    published = route.shared(only_denied)["ai_guard"]["authz"]
    assert (published["output_decision"], published["tool_calls_denied"]) == ("strip", 1)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_strip_anthropic_keeps_a_valid_answer(authz, stream: bool) -> None:
    route = authz({"policy": POLICY, "on_violation": "strip"}, upstream=ANTHROPIC)
    response = post(
        route,
        ANTHROPIC,
        calls("search", '{"q": "news"}'),
        'shell {"cmd": "id"}',
        'transfer {"account": "acme"}',
        stream=stream,
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-AI-Tool-Calls-Stripped"] == "1"
    assert anthropic_calls(response) == [("search", {"q": "news"}), ("transfer", {"account": "acme"})]
    assert anthropic_answer(response).stop_reason == "tool_use"
    only_denied = post(route, ANTHROPIC, calls("shell", "{}"), stream=stream)
    answer = anthropic_answer(only_denied)
    assert [b.type for b in answer.content] == ["text"]
    assert answer.stop_reason == "end_turn"


def test_answers_without_tool_calls_and_compressed_answers(authz) -> None:
    route = authz({"policy": POLICY, "on_violation": "strip"}, upstream=OPENAI)
    plain = route.post(chat())
    assert plain.status_code == 200 and openai_answer(plain).choices[0].message.content
    if not route.gateway.real_kong:  # the body only: no tool calls, so no decision read, nothing written
        assert "ai-action-authz.response=1" in plain.headers["X-Emulator-Pdk-Calls"]
    gz = post(route, OPENAI, {**calls("shell", "{}"), "X-Mock-Content-Encoding": "gzip"}, 'search {"q": "x"}')
    assert gz.status_code == 200
    assert "Content-Encoding" not in gz.headers  # sent decoded once rewritten
    assert gz.headers["X-AI-Tool-Calls-Stripped"] == "1"
    assert openai_calls(gz) == [("search", '{"q": "x"}')]
    blocked = authz({"policy": POLICY}, upstream=OPENAI)
    assert_forbidden(post(blocked, OPENAI, {**calls("shell", "{}"), "X-Mock-Content-Encoding": "gzip"}))
    # an output too large to check is not delivered
    small = authz({"policy": POLICY, "max_response_bytes": 64}, upstream=OPENAI)
    too_large = post(small, OPENAI, calls("search", "{}"))
    assert_forbidden(too_large)
    assert small.shared(too_large)["ai_guard"]["authz"]["output_rule"] == "uninspectable-output"
