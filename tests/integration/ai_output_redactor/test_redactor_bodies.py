"""Bodies beyond the plain chat answer: tool calls (JSON inside a string), Anthropic messages and streams,
any JSON route, content codings the redactor cannot read, oversized and compressed-bomb answers, Kong's own
error pages for a failed upstream."""

from __future__ import annotations

import json

import pytest
from integration.ai_output_redactor.redactor_support import (
    RESOLVER,
    chat_content,
    facts,
    mock_headers,
    stream_events,
)

EMAIL = "jane.doe@example.com"
TOOLS = [{"type": "function", "function": {"name": "send_mail", "parameters": {"type": "object"}}}]
ANTHROPIC_TOOLS = [{"name": "send_mail", "input_schema": {"type": "object"}}]
ARGS = json.dumps({"to": EMAIL, "body": "card 4111 1111 1111 1111", "id": 7})
REDACTED_ARGS = {"to": "[REDACTED:EMAIL]", "body": "card [REDACTED:CREDIT_CARD]", "id": 7}


def chat_body(text: str = "go", **fields: object) -> dict:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": text}], **fields}


def test_tool_call_arguments_stay_valid_json(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted().send(chat_body(tools=TOOLS), mock_headers(tool_call="send_mail", tool_args=ARGS))
    call = response.json()["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "send_mail" and call["id"].startswith("call_")
    assert json.loads(call["function"]["arguments"]) == REDACTED_ARGS


def test_streamed_tool_call_arguments(redacted) -> None:  # type: ignore[no-untyped-def]
    headers = mock_headers(tool_call="send_mail", tool_args=ARGS, piece_chars="3")
    response = redacted().send(chat_body(tools=TOOLS, stream=True), headers)
    pieces = [
        call["function"].get("arguments", "")
        for event in stream_events(response)
        if isinstance(event, dict)
        for choice in event["choices"]
        for call in choice["delta"].get("tool_calls", [])
    ]
    assert len(pieces) > 10  # the fragments are kept, as events
    assert json.loads("".join(pieces)) == REDACTED_ARGS


def test_anthropic_message_and_tool_use(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted(upstream="/v1/messages")
    body = {
        "model": "claude-3-5-sonnet",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": f"Hi {EMAIL}"}],
    }
    text = route.send(body).json()
    assert text["content"][0]["text"] == "Hi [REDACTED:EMAIL]" and text["id"].startswith("msg_")
    tool = route.send(
        {**body, "tools": ANTHROPIC_TOOLS}, mock_headers(tool_call="send_mail", tool_args=ARGS)
    ).json()
    assert tool["content"][0]["input"] == REDACTED_ARGS
    assert tool["content"][0]["name"] == "send_mail"


def test_anthropic_stream_split_values(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted(upstream="/v1/messages")
    body = {"model": "claude-3-5-sonnet", "max_tokens": 100, "stream": True}
    body["messages"] = [{"role": "user", "content": f"Hi {EMAIL}, call +1 415 555 2671"}]
    response = route.send(body, mock_headers(piece_chars="2"))
    text = "".join(
        e["delta"]["text"]
        for e in stream_events(response)
        if isinstance(e, dict) and e["type"] == "content_block_delta"
    )
    assert text == "Hi [REDACTED:EMAIL], call [REDACTED:PHONE]"
    assert response.headers["X-AI-Model"] == "claude-3-5-sonnet"
    assert "event: message_stop" in response.text


def test_any_json_route_every_string_value(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted(upstream="/echo").send({"user": {"email": EMAIL, "tags": ["ip 203.0.113.42", 3]}})
    echoed = json.loads(response.json()["body"])
    assert echoed == {"user": {"email": "[REDACTED:EMAIL]", "tags": ["ip [REDACTED:IPV4]", 3]}}


@pytest.mark.parametrize(("action", "status"), [("block", 502), ("pass", 200)])
def test_unknown_content_coding(redacted, gateway, action: str, status: int) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"unreadable_action": action})
    response = route.chat(f"Mail {EMAIL}", **{"X-Mock-Response-Header": "Content-Encoding: zstd"})
    assert response.status_code == status
    published = facts(gateway, response)
    assert published["reason"] == "unreadable" and published["action"] == (
        "block" if action == "block" else "pass_unread"
    )
    if action == "pass":
        assert "answer passed unread: unreadable" in "\n".join(gateway.kong_log())


@pytest.mark.parametrize(("action", "status"), [("block", 502), ("pass", 200)])
def test_oversized_answer(redacted, gateway, action: str, status: int) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"max_body_bytes": 4096, "oversize_action": action})
    response = route.chat(f"Mail {EMAIL}", **mock_headers(pad_bytes="8000"))
    assert response.status_code == status
    assert facts(gateway, response)["reason"] == "oversize"
    small = route.chat(f"Mail {EMAIL}")
    assert chat_content(small) == "Mail [REDACTED:EMAIL]"


def test_gzip_bomb_stops_at_the_bound(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"max_body_bytes": 65536})
    response = route.chat(f"Mail {EMAIL}", **mock_headers(pad_bytes="50000000", content_encoding="gzip"))
    assert response.status_code == 502
    assert facts(gateway, response)["reason"] == "oversize"


def test_reencode_off_sends_identity_with_the_header_cleared(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted({"reencode": False}).chat(f"Mail {EMAIL}", **mock_headers(content_encoding="gzip"))
    assert "Content-Encoding" not in response.headers
    assert chat_content(response) == "Mail [REDACTED:EMAIL]"


def test_br_is_decoded_and_sent_identity(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted().chat(f"Mail {EMAIL}", **mock_headers(content_encoding="br"))
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert chat_content(response) == "Mail [REDACTED:EMAIL]"


def test_failed_upstream_keeps_kongs_error_and_gets_headers(gateway, make_route) -> None:  # type: ignore[no-untyped-def]
    route = make_route(upstream_path="/v1/chat/completions")
    gateway.admin.patch(f"/services/{route.service['id']}", json={"port": 9})  # nothing listens there
    route.add_plugin("ai-output-redactor", {})
    response = gateway.proxy.post(route.url(), json=chat_body())
    assert response.status_code == 502
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_upstream_error_bodies_are_redacted_too(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted(upstream="/echo", before=[RESOLVER]).send(
        {"note": EMAIL}, {"X-Mock-Status": "400", "X-Tenant-ID": "acme"}
    )
    assert EMAIL not in response.text
