"""Tool calls in every answer format the request side understands, re-authorized in the response phase.

OpenAI Responses API items (``function_call``, ``custom_tool_call``, ``mcp_call``; JSON and SSE), Ollama
``message.tool_calls`` (JSON and NDJSON), Gemini ``functionCall`` parts (JSON, a streamed JSON array, SSE),
Anthropic ``server_tool_use`` and ``mcp_tool_use`` blocks: the denied ``transfer`` call is refused (block)
or removed with nothing else (strip: the allowed ``search`` call stays). Answers come from a raw upstream
(fixtures/raw_upstream.py) so the test chooses every byte.
"""

from __future__ import annotations

import json

import pytest
from integration.ai_action_authz.authz_support import RESOLVER, assert_forbidden, chat, tool

POLICY = """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use", Action::"feature.use",
                                          Action::"tool.offer"], resource);
@id("search") permit(principal, action == Action::"tool.call", resource == Tool::"search");
"""
JSON = "application/json"
SSE = "text/event-stream"


def _sse(events: list[dict]) -> bytes:
    return b"".join(
        (f"event: {e['type']}\n" if "type" in e else "").encode()
        + b"data: "
        + json.dumps(e).encode()
        + b"\n\n"
        for e in events
    )


def _responses(*items: dict) -> dict:
    return {"id": "resp_1", "object": "response", "status": "completed", "output": list(items)}


def _function_call(name: str, index: int) -> dict:
    return {
        "type": "function_call",
        "id": f"fc_{index}",
        "call_id": f"call_{index}",
        "name": name,
        "arguments": "{}",
    }


def _responses_stream() -> bytes:
    items = [_function_call("transfer", 0), _function_call("search", 1)]
    events: list[dict] = [{"type": "response.created", "response": _responses()}]
    for index, item in enumerate(items):
        events.append(
            {"type": "response.output_item.added", "output_index": index, "item": {**item, "arguments": ""}}
        )
        events.append(
            {
                "type": "response.function_call_arguments.delta",
                "output_index": index,
                "item_id": item["id"],
                "delta": "{}",
            }
        )
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    events.append({"type": "response.completed", "response": _responses(*items)})
    return _sse(events)


def _ollama(*names: str, done: bool = True) -> dict:
    calls = [{"function": {"name": name, "arguments": {}}} for name in names]
    message = {"role": "assistant", "content": "", **({"tool_calls": calls} if calls else {})}
    return {"model": "llama3", "message": message, "done": done}


def _gemini(*names: str) -> dict:
    parts = [{"functionCall": {"name": name, "args": {}}} for name in names]
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}]}


def _anthropic(kind: str) -> dict:
    call = {"type": kind, "id": "srv_1", "name": "transfer", "input": {}}
    if kind == "mcp_tool_use":
        call["server_name"] = "bank"
    result_type = "web_search_tool_result" if kind == "server_tool_use" else "mcp_tool_result"
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [
            call,
            {"type": result_type, "tool_use_id": "srv_1", "content": []},
            {"type": "tool_use", "id": "tu_1", "name": "search", "input": {}},
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


ANSWERS: dict[str, tuple[str, bytes]] = {
    "responses-function-call": (
        JSON,
        json.dumps(_responses(_function_call("transfer", 0), _function_call("search", 1))).encode(),
    ),
    "responses-custom-tool-call": (
        JSON,
        json.dumps(
            _responses(
                {
                    "type": "custom_tool_call",
                    "id": "ct_0",
                    "call_id": "c0",
                    "name": "transfer",
                    "input": "all",
                },
                _function_call("search", 1),
            )
        ).encode(),
    ),
    "responses-mcp-call": (
        JSON,
        json.dumps(
            _responses(
                {
                    "type": "mcp_call",
                    "id": "mcp_0",
                    "server_label": "bank",
                    "name": "transfer",
                    "arguments": "{}",
                },
                _function_call("search", 1),
            )
        ).encode(),
    ),
    "responses-sse": (SSE, _responses_stream()),
    "ollama-json": (JSON, json.dumps(_ollama("transfer", "search")).encode()),
    "ollama-ndjson": (
        "application/x-ndjson",
        b"".join(
            json.dumps(line).encode() + b"\n"
            for line in (_ollama("transfer", done=False), _ollama("search", done=False), _ollama())
        ),
    ),
    "gemini-json": (JSON, json.dumps(_gemini("transfer", "search")).encode()),
    "gemini-array": (JSON, json.dumps([_gemini("transfer"), _gemini("search")]).encode()),
    "gemini-sse": (SSE, _sse([_gemini("transfer"), _gemini("search")])),
    "anthropic-server-tool-use": (JSON, json.dumps(_anthropic("server_tool_use")).encode()),
    "anthropic-mcp-tool-use": (JSON, json.dumps(_anthropic("mcp_tool_use")).encode()),
}


def _post(raw_route, name: str, on_violation: str):  # type: ignore[no-untyped-def]
    content_type, body = ANSWERS[name]
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": on_violation})],
        body,
        [("Content-Type", content_type)],
    )
    request = chat(tools=[tool("search"), tool("transfer")], stream=content_type == SSE)
    return route.gateway.proxy.post(route.url(), json=request, headers={"X-Tenant-ID": "acme"})


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_a_denied_call_in_any_format_is_refused(raw_route, name: str) -> None:
    response = _post(raw_route, name, "block")
    assert_forbidden(response)
    assert b"transfer" not in response.content


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_strip_removes_exactly_the_denied_call(raw_route, name: str) -> None:
    response = _post(raw_route, name, "strip")
    assert response.status_code == 200, response.text
    assert response.headers["X-AI-Tool-Calls-Stripped"] == "1"
    assert b"transfer" not in response.content and b"srv_1" not in response.content
    assert b'"search"' in response.content


def test_stripped_responses_stream_is_read_by_the_sdk(raw_route) -> None:
    """The SDK's stream accumulator indexes its snapshot by ``output_index``: the kept call is renumbered."""
    import httpx
    from openai import OpenAI

    response = _post(raw_route, "responses-sse", "strip")
    assert response.status_code == 200, response.text
    client = OpenAI(
        api_key="x",
        base_url="http://upstream.invalid/v1",
        http_client=httpx.Client(
            transport=httpx.MockTransport(
                lambda request: httpx.Response(200, content=response.content, headers={"Content-Type": SSE})
            )
        ),
    )
    with client.responses.stream(model="gpt-4o", input="hi") as stream:
        final = stream.get_final_response()
    assert [(item.type, item.name) for item in final.output] == [("function_call", "search")]


FORBID_TRANSFER = """
@id("everything") permit(principal, action, resource);
@id("no-transfers") forbid(principal, action == Action::"tool.call", resource == Tool::"transfer");
"""


@pytest.mark.parametrize("variant", ["Transfer", "transfer ", " TRANSFER"])
def test_a_call_named_like_a_declared_tool_is_decided_as_it(raw_route, variant: str) -> None:
    """Cedar ids are exact, clients and frameworks may not be: a call whose name is a declared tool's once
    whitespace is stripped and case folded is decided as that tool (a forbid on it applies)."""
    answer = {
        "id": "c",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": variant, "arguments": "{}"}},
                        {"id": "c2", "type": "function", "function": {"name": "Search", "arguments": "{}"}},
                    ],
                },
            }
        ],
    }
    for on_violation in ("block", "strip"):
        route = raw_route(
            [RESOLVER, ("ai-action-authz", {"policy": FORBID_TRANSFER, "on_violation": on_violation})],
            json.dumps(answer).encode(),
            [("Content-Type", JSON)],
        )
        request = chat(tools=[tool("search"), tool("transfer")])
        response = route.gateway.proxy.post(route.url(), json=request, headers={"X-Tenant-ID": "acme"})
        if on_violation == "block":
            assert_forbidden(response)
        else:
            assert response.status_code == 200 and response.headers["X-AI-Tool-Calls-Stripped"] == "1"
            calls = response.json()["choices"][0]["message"]["tool_calls"]
            assert [call["function"]["name"] for call in calls] == ["Search"]


def test_the_403_carries_none_of_the_upstreams_headers(raw_route) -> None:
    """The refusal replaces the model's answer: the headers that came with it (another tenant's id, a
    cookie) go too; Kong's own stay."""
    content_type, body = ANSWERS["responses-function-call"]
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY})],
        body,
        [("Content-Type", content_type), ("X-Tenant-ID", "globex"), ("Set-Cookie", "session=globex-secret")],
    )
    request = chat(tools=[tool("search"), tool("transfer")])
    response = route.gateway.proxy.post(route.url(), json=request, headers={"X-Tenant-ID": "acme"})
    assert_forbidden(response)
    assert "globex" not in response.headers.get_list("X-Tenant-ID")
    assert "Set-Cookie" not in response.headers and response.headers["X-Kong-Request-Id"]
