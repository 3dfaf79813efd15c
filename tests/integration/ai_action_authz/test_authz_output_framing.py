"""Tool calls in answers whose framing the official SDKs accept but a narrow sniffer would not recognise.

Each answer comes from a raw upstream (fixtures/raw_upstream.py) so the test chooses every byte: SSE events
ended by any of the line endings the SSE spec allows (CR, LF, CRLF, mixed), a stream that opens with a
``retry:`` field, JSON after a byte order mark or more than 64 bytes of whitespace. The denied ``shell`` call
must be refused in every one of them (``on_violation: block``), never delivered as "no chat answer".
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

CALL = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "shell", "arguments": ""}}
CHUNKS = [
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"tool_calls": [CALL]}}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
    },
]
ANSWER = {
    "id": "c",
    "object": "chat.completion",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [{**CALL, "function": {"name": "shell", "arguments": "{}"}}],
            },
        }
    ],
}


def stream(line_end: bytes, event_end: bytes, head: bytes = b"") -> bytes:
    events = [b"data: " + json.dumps(chunk).encode() for chunk in CHUNKS] + [b"data: [DONE]"]
    return head + b"".join(event + line_end + event_end for event in events)


SSE_BODIES = {
    "lf-then-crlf": stream(b"\n", b"\r\n"),
    "crlf-then-cr": stream(b"\r\n", b"\r"),
    "cr-only": stream(b"\r", b"\r"),
    "lf-then-cr": stream(b"\n", b"\r"),
    "retry-field-first": stream(b"\n", b"\n", head=b"retry: 3000\n\n"),
    "blank-lines-first": stream(b"\n", b"\n", head=b"\n" * 70),
    "byte-order-mark": stream(b"\n", b"\n", head=b"\xef\xbb\xbf: a comment\n\n"),
}
JSON_BODIES = {
    "whitespace-first": b" " * 70 + json.dumps(ANSWER).encode(),
    "byte-order-mark": b"\xef\xbb\xbf" + json.dumps(ANSWER).encode(),
}


def _client_sees_the_call(body: bytes, sse: bool) -> bool:
    """What the official OpenAI SDK reads from ``body``: its SSE decoder, or httpx's JSON reader."""
    import httpx
    from openai._streaming import SSEDecoder

    if not sse:
        answer = httpx.Response(200, content=body).json()
        return answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "shell"
    names = []
    for event in SSEDecoder().iter_bytes(iter([body])):
        if event.data and event.data != "[DONE]":
            for choice in json.loads(event.data)["choices"]:
                for call in choice["delta"].get("tool_calls") or []:
                    names.append(call.get("function", {}).get("name"))
    return "shell" in names


@pytest.mark.parametrize("name", sorted(SSE_BODIES))
def test_denied_tool_call_in_any_sse_framing_is_refused(raw_route, name: str) -> None:
    body = SSE_BODIES[name]
    assert _client_sees_the_call(body, sse=True)  # the framing is one the SDK reads
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": "block"})],
        body,
        [("Content-Type", "text/event-stream")],
    )
    response = route.gateway.proxy.post(
        route.url(), json=chat(tools=[tool("shell")], stream=True), headers={"X-Tenant-ID": "acme"}
    )
    assert_forbidden(response)
    assert b"shell" not in response.content


@pytest.mark.parametrize("name", sorted(JSON_BODIES))
def test_denied_tool_call_in_json_after_leading_bytes_is_refused(raw_route, name: str) -> None:
    body = JSON_BODIES[name]
    assert _client_sees_the_call(body, sse=False)
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": "block"})],
        body,
        [("Content-Type", "application/json")],
    )
    response = route.gateway.proxy.post(
        route.url(), json=chat(tools=[tool("shell")]), headers={"X-Tenant-ID": "acme"}
    )
    assert_forbidden(response)


def test_strip_in_crlf_cr_framing_keeps_the_allowed_call(raw_route) -> None:
    """Stripping re-serializes the events it changes; the stream must keep the upstream's own framing."""
    allowed = {**CALL, "index": 1, "id": "call_2", "function": {"name": "search", "arguments": "{}"}}
    chunks = [
        {
            "id": "c",
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{**CALL, "function": {"name": "shell", "arguments": "{}"}}]},
                }
            ],
        },
        {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [allowed]}}]},
    ]
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\r\n\r" for c in chunks) + b"data: [DONE]\r\n\r"
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": "strip"})],
        body,
        [("Content-Type", "text/event-stream")],
    )
    response = route.gateway.proxy.post(
        route.url(),
        json=chat(tools=[tool("shell"), tool("search")], stream=True),
        headers={"X-Tenant-ID": "acme"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-AI-Tool-Calls-Stripped"] == "1"
    assert not _client_sees_the_call(response.content, sse=True)
    assert b'"search"' in response.content


def anthropic_stream(blocks: list[tuple[int, str, str]]) -> bytes:
    """An Anthropic stream of tool_use blocks: (the index the events claim, tool name, input JSON)."""
    message = {"id": "m", "type": "message", "role": "assistant", "model": "claude", "content": []}
    message.update(stop_reason=None, stop_sequence=None, usage={"input_tokens": 1, "output_tokens": 1})
    events = [("message_start", {"type": "message_start", "message": message})]
    for index, name, arguments in blocks:
        block = {"type": "tool_use", "id": f"t{index}{name}", "name": name, "input": {}}
        events.append(
            ("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})
        )
        delta = {"type": "input_json_delta", "partial_json": arguments}
        events.append(
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    stop = {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None}}
    events += [
        ("message_delta", {**stop, "usage": {"output_tokens": 1}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)


def test_anthropic_blocks_claiming_one_index_are_each_decided(raw_route) -> None:
    """The Anthropic SDK appends every content_block_start whatever index it claims: two blocks claiming
    index 0 are two tool calls to it (the first one, shell, included), never one call named after the last."""
    import httpx
    from integration.ai_action_authz.authz_support import anthropic_answer

    body = anthropic_stream([(0, "shell", '{"cmd": "id"}'), (0, "search", "{}")])
    sdk = anthropic_answer(httpx.Response(200, content=body, headers={"Content-Type": "text/event-stream"}))
    assert [block.name for block in sdk.content] == ["shell", "search"]
    for on_violation in ("block", "strip"):
        route = raw_route(
            [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": on_violation})],
            body,
            [("Content-Type", "text/event-stream")],
        )
        response = route.gateway.proxy.post(
            route.url(),
            json=chat(tools=[tool("shell"), tool("search")], stream=True),
            headers={"X-Tenant-ID": "acme"},
        )
        if response.status_code == 200:
            names = [b.name for b in anthropic_answer(response).content if b.type == "tool_use"]
            assert "shell" not in names, names
        else:
            assert_forbidden(response)


@pytest.mark.parametrize("status", [400, 500, 503])
def test_tool_calls_in_an_error_answer_are_decided_too(raw_route, status: int) -> None:
    """A client (or an agent framework retrying) may still read a non-2xx body as an answer."""
    route = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": "block"})],
        json.dumps(ANSWER).encode(),
        [("Content-Type", "text/plain")],  # a lying type: the body is read for what it is
        status=status,
    )
    response = route.gateway.proxy.post(
        route.url(), json=chat(tools=[tool("shell")]), headers={"X-Tenant-ID": "acme"}
    )
    assert_forbidden(response)


def custom_answer(*calls: tuple[str, str]) -> dict:
    entries = [
        {"id": f"call_{n}", "type": "custom", "custom": {"name": name, "input": text}}
        for n, (name, text) in enumerate(calls)
    ]
    message = {"role": "assistant", "content": None, "tool_calls": entries}
    return {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-5",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": message, "logprobs": None}],
    }


def test_custom_tool_calls_are_decided(raw_route) -> None:
    """OpenAI custom tools (``{"type": "custom", "custom": {"name", "input"}}``, free-text input) are tool
    calls too: offered on the request side, called in the output; the SDK reads both."""
    from openai.types.chat import ChatCompletion

    body = json.dumps(custom_answer(("search", "weather"), ("shell", "rm -rf /"))).encode()
    sdk = ChatCompletion.model_validate_json(body)
    assert [c.custom.name for c in sdk.choices[0].message.tool_calls] == ["search", "shell"]
    offer = {"type": "custom", "custom": {"name": "search"}}
    for mode in ("block", "strip"):
        route = raw_route(
            [RESOLVER, ("ai-action-authz", {"policy": POLICY, "on_violation": mode})],
            body,
            [("Content-Type", "application/json")],
        )
        response = route.gateway.proxy.post(
            route.url(), json=chat(tools=[offer]), headers={"X-Tenant-ID": "acme"}
        )
        if mode == "block":
            assert_forbidden(response)
        else:
            assert response.status_code == 200, response.text
            kept = ChatCompletion.model_validate_json(response.content).choices[0].message.tool_calls
            assert [c.custom.name for c in kept] == ["search"]
    # offering a custom tool the policy does not permit is refused (the feature and the offer are decided)
    no_offers = """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use", Action::"feature.use"],
  resource);
"""
    strict = raw_route(
        [RESOLVER, ("ai-action-authz", {"policy": no_offers})], body, [("Content-Type", "application/json")]
    )
    refused = strict.gateway.proxy.post(
        strict.url(), json=chat(tools=[offer]), headers={"X-Tenant-ID": "acme"}
    )
    assert refused.status_code in (400, 403), refused.text
