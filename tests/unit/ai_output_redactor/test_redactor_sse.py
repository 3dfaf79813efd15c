"""Streams: every detector's value split at every position across events (OpenAI chat deltas, Anthropic
text deltas, tool-call argument fragments of both), and the stream stays well-formed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fixtures.redactor_samples import SAMPLES, masked, sentence

from kong_plugins.ai_output_redactor.engine import Tally
from kong_plugins.ai_output_redactor.schema import SCHEMA
from kong_plugins.ai_output_redactor.settings import build_settings
from kong_plugins.ai_output_redactor.sse import redact_stream
from kong_plugins.core.schema import ensure_valid_config

REDACTOR = build_settings(ensure_valid_config(SCHEMA.config, {})).redactor


def openai_stream(pieces: list[str], *, tool: bool = False) -> str:
    def chunk(delta: dict[str, Any]) -> str:
        body = {
            "id": "c1",
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": delta}],
        }
        return "data: " + json.dumps(body) + "\n\n"

    if tool:
        events = [
            chunk(
                {"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "send", "arguments": ""}}]}
            )
        ]
        events += [chunk({"tool_calls": [{"index": 0, "function": {"arguments": p}}]}) for p in pieces]
    else:
        events = [chunk({"role": "assistant", "content": ""})] + [chunk({"content": p}) for p in pieces]
    return "".join(events) + "data: [DONE]\n\n"


def anthropic_stream(pieces: list[str], *, tool: bool = False) -> str:
    def event(name: str, body: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps(body)}\n\n"

    kind, key = ("input_json_delta", "partial_json") if tool else ("text_delta", "text")
    out = event(
        "message_start",
        {"type": "message_start", "message": {"id": "msg_1", "model": "claude", "content": []}},
    )
    for piece in pieces:
        out += event(
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": kind, key: piece}},
        )
    return out + event("message_stop", {"type": "message_stop"})


def data_of(stream: str) -> list[Any]:
    out = []
    for block in stream.split("\n\n"):
        lines = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
        if lines:
            out.append(lines[0] if lines[0] == "[DONE]" else json.loads(lines[0]))
    return out


def joined(stream: str, path: str) -> str:
    text = []
    for event in data_of(stream):
        if not isinstance(event, dict):
            continue
        if path == "content":
            text += [c["delta"].get("content") or "" for c in event.get("choices", [])]
        elif path == "arguments":
            for choice in event.get("choices", []):
                for call in choice["delta"].get("tool_calls", []):
                    text.append(call["function"].get("arguments", ""))
        elif event.get("type") == "content_block_delta":
            text.append(event["delta"].get(path, ""))
    return "".join(text)


def splits(text: str) -> list[list[str]]:
    return [[text[:k], text[k:]] for k in range(1, len(text))]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_openai_content_split_at_every_position(name: str) -> None:
    value, _ = SAMPLES[name]
    text = sentence(value)
    start = text.index(value)
    for k in range(start, start + len(value) + 1):
        stream = openai_stream([text[:k], text[k:]])
        result = redact_stream(stream, REDACTOR, Tally(), lambda: "")
        assert joined(result.text, "content") == sentence(masked(name, value)), k
        assert len(data_of(result.text)) == len(data_of(stream))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_anthropic_text_split_at_every_position(name: str) -> None:
    value, _ = SAMPLES[name]
    text = sentence(value)
    start = text.index(value)
    for k in range(start, start + len(value) + 1):
        result = redact_stream(anthropic_stream([text[:k], text[k:]]), REDACTOR, Tally(), lambda: "")
        assert joined(result.text, "text") == sentence(masked(name, value)), k
        assert result.model == "claude"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_one_character_per_event(name: str) -> None:
    value, _ = SAMPLES[name]
    text = sentence(value)
    tally = Tally()
    result = redact_stream(openai_stream(list(text)), REDACTOR, tally, lambda: "")
    assert joined(result.text, "content") == sentence(masked(name, value))
    assert tally.counts == {name: 1}


@pytest.mark.parametrize("anthropic", [False, True])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_tool_arguments_split_at_every_position(name: str, anthropic: bool) -> None:
    value, _ = SAMPLES[name]
    arguments = json.dumps({"to": value, "note": "ok"})
    build, path = (anthropic_stream, "partial_json") if anthropic else (openai_stream, "arguments")
    for pieces in splits(arguments):
        result = redact_stream(build(pieces, tool=True), REDACTOR, Tally(), lambda: "")
        assert json.loads(joined(result.text, path)) == {"to": masked(name, value), "note": "ok"}


def test_unparsable_arguments_are_redacted_as_text() -> None:
    arguments = '{"to": "jane.doe@example.com", "cut'
    for pieces in splits(arguments):
        result = redact_stream(openai_stream(pieces, tool=True), REDACTOR, Tally(), lambda: "")
        assert joined(result.text, "arguments") == '{"to": "[REDACTED:EMAIL]", "cut'


def test_nothing_found_leaves_the_stream_byte_for_byte() -> None:
    stream = openai_stream(["Hello", " world"]).replace("\n\n", "\r\n\r\n")
    assert redact_stream(stream, REDACTOR, Tally(), lambda: "").text == stream


def test_crlf_streams_comments_and_other_events_survive() -> None:
    stream = ": keep-alive\r\n\r\nevent: custom\r\nid: 7\r\ndata: mail jane.doe@example.com\r\n\r\n"
    stream += 'data: {"note": "call +44 20 7946 0958"}\r\n\r\n'
    result = redact_stream(stream, REDACTOR, Tally(), lambda: "").text
    assert result == (
        ": keep-alive\r\n\r\nevent: custom\r\nid: 7\r\ndata: mail [REDACTED:EMAIL]\r\n\r\n"
        'data: {"note":"call [REDACTED:PHONE]"}\r\n\r\n'
    )


def test_two_choices_are_separate_channels() -> None:
    def chunk(index: int, content: str) -> str:
        return "data: " + json.dumps({"choices": [{"index": index, "delta": {"content": content}}]}) + "\n\n"

    stream = chunk(0, "jane.doe@exa") + chunk(1, "x@y") + chunk(0, "mple.com") + chunk(1, ".org")
    result = redact_stream(stream, REDACTOR, Tally(), lambda: "").text
    events = data_of(result)
    first = "".join(e["choices"][0]["delta"]["content"] for e in events if e["choices"][0]["index"] == 0)
    second = "".join(e["choices"][0]["delta"]["content"] for e in events if e["choices"][0]["index"] == 1)
    assert (first, second) == ("[REDACTED:EMAIL]", "[REDACTED:EMAIL]")


def test_openai_responses_api_deltas_are_channels() -> None:
    def event(kind: str, delta: str) -> str:
        body = {"type": kind, "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": delta}
        return f"event: {kind}\ndata: {json.dumps(body)}\n\n"

    text = "mail jane.doe@example.com now"
    for cut in range(1, len(text)):
        stream = event("response.output_text.delta", text[:cut]) + event(
            "response.output_text.delta", text[cut:]
        )
        result = redact_stream(stream, REDACTOR, Tally(), lambda: "").text
        assert "".join(e["delta"] for e in data_of(result)) == "mail [REDACTED:EMAIL] now", cut
