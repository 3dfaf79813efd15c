"""Answers whose framing the official SDKs read but a narrow reader would not, from a raw upstream
(fixtures/raw_upstream.py, every byte chosen by the test).

An email cut in two across SSE events (``jane.doe@exa`` + ``mple.com``) is no email in either half, and a
JSON escape (``\\u0040`` for ``@``) is none in the raw text: both are redacted only when the stream's events
and the JSON are read as a client reads them. The SDK's own reader checks that each framing is one clients
accept.
"""

from __future__ import annotations

import json

import pytest
from integration.ai_output_redactor.redactor_support import PLUGIN, facts

EMAIL = "jane.doe@example.com"
HALVES = ("Mail jane.doe@exa", "mple.com today")


def chunk(text: str) -> bytes:
    document = {"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o"}
    document["choices"] = [{"index": 0, "delta": {"content": text}}]
    return json.dumps(document).encode()


def stream(line_end: bytes, event_end: bytes, head: bytes = b"", space: bytes = b" ") -> bytes:
    events = [b"data:" + space + chunk(text) for text in HALVES] + [b"data: [DONE]"]
    return head + b"".join(event + line_end + event_end for event in events)


SSE_BODIES = {
    "cr-only": stream(b"\r", b"\r"),
    "lf-events-after-a-crlf-comment": stream(b"\n", b"\n", head=b": keep-alive\r\n\r\n"),
    "lf-then-crlf": stream(b"\n", b"\r\n"),
    "crlf-then-cr": stream(b"\r\n", b"\r"),
    "two-spaces-after-data": stream(b"\n", b"\n", space=b"  "),
}


def sdk_text(body: bytes) -> str:
    """The streamed text as the official OpenAI SDK's SSE decoder and JSON reader see it."""
    from openai._streaming import SSEDecoder

    text = []
    for event in SSEDecoder().iter_bytes(iter([body])):
        if event.data and event.data != "[DONE]":
            for choice in json.loads(event.data)["choices"]:
                text.append(choice["delta"].get("content") or "")
    return "".join(text)


@pytest.mark.parametrize("name", sorted(SSE_BODIES))
def test_split_email_in_any_sse_framing_is_redacted(raw_route, name: str) -> None:
    body = SSE_BODIES[name]
    assert EMAIL in sdk_text(body)  # what a client would read without the redactor
    route = raw_route([(PLUGIN, {})], body, [("Content-Type", "text/event-stream")])
    response = route.gateway.proxy.post(route.url(), json={"model": "gpt-4o", "stream": True})
    assert response.status_code == 200, response.text
    text = sdk_text(response.content)
    assert "jane.doe" not in text and "example.com" not in text and "mple.com" not in text, text
    assert "[REDACTED:EMAIL]" in text


def test_json_after_a_byte_order_mark_is_redacted_as_json(raw_route) -> None:
    """httpx (the SDK's reader) skips a UTF-8 BOM; the escape ``\\u0040`` is an ``@`` to it."""
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Mail " + EMAIL}}]}
    body = b"\xef\xbb\xbf" + json.dumps(answer).replace("@", "\\u0040").encode()
    route = raw_route([(PLUGIN, {})], body, [("Content-Type", "application/json")])
    response = route.gateway.proxy.post(route.url(), json={"model": "gpt-4o"})
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "Mail [REDACTED:EMAIL]"


def json_answer() -> bytes:
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Mail " + EMAIL}}]}
    return json.dumps(answer).replace("@", "\\u0040").encode()


# The official OpenAI SDK reads a JSON body whatever its Content-Type says (it tries ``response.json()``),
# and a streamed call's body as SSE whatever it says: the declared type must not decide what is redacted.
LYING_TYPES = {
    "json-as-octet-stream": ([("Content-Type", "application/octet-stream")], json_answer(), False),
    "json-without-content-type": ([], json_answer(), False),
    "json-as-text-plain": ([("Content-Type", "text/plain")], json_answer(), False),
    "json-as-x-json": ([("Content-Type", "application/x-json")], json_answer(), False),
    "sse-as-text-plain": ([("Content-Type", "text/plain")], stream(b"\n", b"\n"), True),
    "sse-as-json": ([("Content-Type", "application/json")], stream(b"\n", b"\n"), True),
    "sse-as-octet-stream": ([("Content-Type", "application/octet-stream")], stream(b"\n", b"\n"), True),
}


@pytest.mark.parametrize("name", sorted(LYING_TYPES))
def test_a_lying_content_type_is_no_way_around_the_redactor(raw_route, name: str) -> None:
    headers, body, streamed = LYING_TYPES[name]
    route = raw_route([(PLUGIN, {})], body, headers)
    response = route.gateway.proxy.post(route.url(), json={"model": "gpt-4o", "stream": streamed})
    assert response.status_code == 200, response.text
    if streamed:
        text = sdk_text(response.content)
        assert "jane.doe" not in text and "mple.com" not in text, text
    else:
        assert response.json()["choices"][0]["message"]["content"] == "Mail [REDACTED:EMAIL]"


def test_binary_and_prose_of_other_types_still_pass_unchanged(raw_route) -> None:
    for content_type, body in (("image/png", b"\x89PNG\r\n\x1a\n\xff\xfe" + EMAIL.encode()), ("", b"x")):
        headers = [("Content-Type", content_type)] if content_type else []
        route = raw_route([(PLUGIN, {})], body, headers)
        response = route.gateway.proxy.post(route.url(), json={"model": "gpt-4o"})
        assert response.status_code == 200 and response.content == body


@pytest.mark.parametrize("status", [502, 503, 504])
def test_an_upstreams_own_5xx_body_is_redacted(raw_route, gateway, status: int) -> None:
    """Only Kong's own error page (a failed upstream) has no readable body; an upstream (a model gateway, a
    proxy) that answers 502/503/504 itself sends its body through, PII and all."""
    body = json.dumps({"error": {"message": f"quota of {EMAIL} exceeded"}}).encode()
    route = raw_route([(PLUGIN, {})], body, [("Content-Type", "application/json")], status=status)
    response = route.gateway.proxy.post(route.url(), json={"model": "gpt-4o"})
    assert response.status_code == status
    assert response.json() == {"error": {"message": "quota of [REDACTED:EMAIL] exceeded"}}


def test_every_tenant_header_line_of_an_answer_is_checked(raw_route) -> None:
    """An answer carrying the caller's tenant and another one: the client sees both, so both must match."""
    from integration.ai_output_redactor.redactor_support import RESOLVER

    body = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]}).encode()
    for lines in (["acme, globex"], ["acme", "globex"]):
        headers = [("Content-Type", "application/json"), *(("X-Tenant-ID", value) for value in lines)]
        route = raw_route([RESOLVER, (PLUGIN, {})], body, headers)
        response = route.gateway.proxy.post(
            route.url(), json={"model": "gpt-4o"}, headers={"X-Tenant-ID": "acme"}
        )
        assert response.status_code == 502, (lines, response.headers)
    same = raw_route(
        [RESOLVER, (PLUGIN, {})], body, [("Content-Type", "application/json"), ("X-Tenant-ID", "acme")]
    )
    assert same.gateway.proxy.post(same.url(), json={}, headers={"X-Tenant-ID": "acme"}).status_code == 200


def test_a_plain_text_stream_split_value_is_redacted(raw_route) -> None:
    """A stream of raw text tokens (``data: <text>``, no JSON: simple model servers send this) is one
    channel too: the halves of an email in two events are found joined."""
    body = b"".join(b"data: " + half.encode() + b"\n\n" for half in HALVES) + b"data: [DONE]\n\n"
    route = raw_route([(PLUGIN, {})], body, [("Content-Type", "text/event-stream")])
    response = route.gateway.proxy.post(route.url(), json={"model": "gpt-4o", "stream": True})
    assert response.status_code == 200, response.text
    from openai._streaming import SSEDecoder

    text = "".join(e.data for e in SSEDecoder().iter_bytes(iter([response.content])) if e.data != "[DONE]")
    assert text == "Mail [REDACTED:EMAIL] today", text
    assert response.content.endswith(b"data: [DONE]\n\n")


def test_anthropic_text_started_in_content_block_start_joins_its_deltas(raw_route) -> None:
    """The Anthropic SDK starts a block with ``content_block.text`` and appends the deltas to it: text
    there is the head of the block's channel, so a value split between it and a delta is found."""
    from integration.ai_output_redactor.redactor_support import stream_events

    message = {"id": "m", "type": "message", "role": "assistant", "model": "claude", "content": []}
    events = [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": HALVES[0]}},
        ),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": HALVES[1]}},
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_stop", {"type": "message_stop"}),
    ]
    body = b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)
    route = raw_route([(PLUGIN, {})], body, [("Content-Type", "text/event-stream")])
    response = route.gateway.proxy.post(route.url(), json={"model": "claude", "stream": True})
    text = ""
    for event in stream_events(response):
        if event["type"] == "content_block_start":
            text += event["content_block"]["text"]
        elif event["type"] == "content_block_delta":
            text += event["delta"]["text"]
    assert text == "Mail [REDACTED:EMAIL] today", text


def test_a_value_split_over_two_text_blocks_of_a_json_message_is_redacted(raw_route) -> None:
    """Anthropic answers carry several text blocks (citations cut the text into blocks); SDK users join
    them, so the redactor reads them joined."""
    blocks = [{"type": "text", "text": half} for half in HALVES]
    answer = {"id": "m", "type": "message", "role": "assistant", "model": "claude", "content": blocks}
    route = raw_route([(PLUGIN, {})], json.dumps(answer).encode(), [("Content-Type", "application/json")])
    response = route.gateway.proxy.post(route.url(), json={"model": "claude"})
    text = "".join(block["text"] for block in response.json()["content"])
    assert text == "Mail [REDACTED:EMAIL] today", text
    assert len(response.json()["content"]) == 2


ESCAPED_ARGUMENTS = json.dumps({"to": EMAIL}).replace("@", "\\u0040")  # {"to": "jane.doe\u0040example.com"}


def test_escaped_values_in_tool_call_arguments_are_redacted(raw_route) -> None:
    """Tool-call arguments are JSON the client parses: ``\\u0040`` is an ``@`` to it, in JSON and streams."""
    call = {"id": "c", "type": "function", "function": {"name": "send", "arguments": ESCAPED_ARGUMENTS}}
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    answer = {"choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]}
    route = raw_route([(PLUGIN, {})], json.dumps(answer).encode(), [("Content-Type", "application/json")])
    arguments = route.gateway.proxy.post(route.url(), json={}).json()["choices"][0]["message"]["tool_calls"][
        0
    ]
    assert json.loads(arguments["function"]["arguments"]) == {"to": "[REDACTED:EMAIL]"}

    pieces = [ESCAPED_ARGUMENTS[:12], ESCAPED_ARGUMENTS[12:]]
    chunks = [
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [{"index": 0, **call, "function": {"name": "send", "arguments": p}}]
                    },
                }
            ]
        }
        for p in pieces
    ]
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    streamed = raw_route([(PLUGIN, {})], body, [("Content-Type", "text/event-stream")])
    response = streamed.gateway.proxy.post(streamed.url(), json={"stream": True})
    joined = "".join(
        c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"]
        for c in (json.loads(line[6:]) for line in response.text.split("\n") if line.startswith("data: {"))
    )
    assert json.loads(joined) == {"to": "[REDACTED:EMAIL]"}, joined


def _sse(documents: list[dict]) -> bytes:
    return b"".join(b"data: " + json.dumps(d).encode() + b"\n\n" for d in documents)


def _gemini(text: str) -> dict:
    return {"candidates": [{"index": 0, "content": {"role": "model", "parts": [{"text": text}]}}]}


def _audio(text: str) -> dict:
    return {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"audio": {"transcript": text}}}],
    }


@pytest.mark.parametrize(
    ("name", "body", "read"),
    [
        (
            "gemini",
            _sse([_gemini(half) for half in HALVES]),
            lambda d: "".join(p["text"] for c in d["candidates"] for p in c["content"]["parts"]),
        ),
        (
            "openai-audio",
            _sse([_audio(half) for half in HALVES]),
            lambda d: "".join(c["delta"]["audio"]["transcript"] for c in d["choices"]),
        ),
    ],
)
def test_a_value_split_across_gemini_or_audio_transcript_events_is_redacted(
    raw_route, name, body, read
) -> None:  # type: ignore[no-untyped-def]
    route = raw_route([(PLUGIN, {})], body, [("Content-Type", "text/event-stream")])
    response = route.gateway.proxy.post(route.url(), json={"model": "m", "stream": True})
    assert response.status_code == 200, response.text
    events = [json.loads(line[6:]) for line in response.text.split("\n") if line.startswith("data: ")]
    text = "".join(read(event) for event in events)
    assert text == "Mail [REDACTED:EMAIL] today", (name, text)


# An object that repeats a member name: the client may read the first value (a leak), the redactor's JSON
# reader would keep the last. Such an answer is unreadable (core/strict_json.py): 502 by default.
REPEATED = {
    "json": (
        [("Content-Type", "application/json")],
        b'{"choices":[{"index":0,"message":{"role":"assistant","content":"jane.doe\\u0040example.com",'
        b'"content":"ok"}}]}',
    ),
    "sse": (
        [("Content-Type", "text/event-stream")],
        b'data: {"choices":[{"index":0,"delta":{"content":"jane.doe\\u0040example.com","content":"ok"}}]}'
        b"\n\ndata: [DONE]\n\n",
    ),
    "tool-arguments": (
        [("Content-Type", "application/json")],
        b'{"choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function",'
        b'"function":{"name":"mail","arguments":"{\\"to\\":\\"jane.doe\\\\u0040example.com\\",\\"to\\":\\"x\\"}"'
        b"}}]}}]}",
    ),
}


@pytest.mark.parametrize(("action", "status"), [("block", 502), ("pass", 200)])
@pytest.mark.parametrize("name", sorted(REPEATED))
def test_an_answer_with_a_repeated_name_is_unreadable(
    raw_route, gateway, name: str, action: str, status: int
):  # type: ignore[no-untyped-def]
    headers, body = REPEATED[name]
    route = raw_route([(PLUGIN, {"unreadable_action": action})], body, headers)
    response = route.gateway.proxy.post(route.url(), json={"model": "gpt-4o"})
    assert response.status_code == status, response.text
    if action == "block":
        assert b"jane.doe" not in response.content
    published = facts(gateway, response)
    assert published["reason"] == "unreadable"


def test_a_request_with_a_repeated_name_is_refused_by_redact_request(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"redact_request": True}, upstream="/echo")
    body = b'{"model":"gpt-4o","messages":[{"role":"user","content":"jane.doe@example.com","content":"hi"}]}'
    response = route.gateway.proxy.post(
        route.route.url(), content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert b"jane.doe" not in response.content
