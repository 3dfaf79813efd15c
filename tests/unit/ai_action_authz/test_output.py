"""Reading and stripping tool calls in model output (pure): what is kept is kept byte for byte."""

from __future__ import annotations

import json

from kong_plugins.ai_action_authz.output import parse_output


def _chunk(delta: dict, finish: str | None = None) -> bytes:
    body = {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


STREAM = b"".join(
    [
        _chunk({"role": "assistant", "content": None}),
        _chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "a",
                        "type": "function",
                        "function": {"name": "shell", "arguments": ""},
                    }
                ]
            }
        ),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"cmd":'}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"id"}'}}]}),
        _chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "b",
                        "type": "function",
                        "function": {"name": "search", "arguments": '{"q":1}'},
                    }
                ]
            }
        ),
        _chunk({}, "tool_calls"),
        b"data: [DONE]\n\n",
    ]
)


def test_streamed_calls_are_assembled_with_their_arguments() -> None:
    output = parse_output(STREAM)
    assert output is not None and output.kind == "openai-sse"
    assert [(c.key, c.name, c.arguments) for c in output.calls] == [
        (("choice", 0, 0), "shell", (("cmd", "id"),)),
        (("choice", 0, 1), "search", (("q", "1"),)),
    ]


def test_stripping_nothing_changes_nothing_and_stripping_renumbers() -> None:
    output = parse_output(STREAM)
    assert output is not None
    assert output.strip(set()) == STREAM
    stripped = output.strip({("choice", 0, 0)})
    assert b"shell" not in stripped and stripped.endswith(b"data: [DONE]\n\n")
    assert b'"index":0,"id":"b"' in stripped  # search is now call 0
    assert b'"finish_reason": "tool_calls"' in stripped  # that event needed no change: kept as it was


def test_unknown_bodies_are_not_outputs() -> None:
    assert parse_output(b"") is None
    assert parse_output(b"hello") is None
    other = parse_output(b'{"object": "list", "data": []}')
    assert other is not None and other.calls == []
    assert parse_output(b"{" * 100000) is None


def test_legacy_function_call_is_read_and_stripped() -> None:
    answer = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "function_call",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "function_call": {"name": "shell", "arguments": "{}"},
                },
            }
        ]
    }
    output = parse_output(json.dumps(answer).encode())
    assert output is not None and [(c.key, c.name) for c in output.calls] == [(("function_call", 0), "shell")]
    stripped = json.loads(output.strip({("function_call", 0)}))
    assert stripped["choices"][0]["finish_reason"] == "stop"
    assert "function_call" not in stripped["choices"][0]["message"]
