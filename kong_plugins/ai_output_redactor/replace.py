"""The ``replace`` answer: a configured safe message in the same format as the answer it replaces, so the
client's SDK still parses it (``on_violation: replace``).

OpenAI chat and legacy completions keep their envelope (``id``, ``model``, ``usage``...) with each
choice's text replaced, tool calls dropped and ``finish_reason: stop``; Anthropic messages get one text
block and ``stop_reason: end_turn``; streams become the shortest well-formed stream of the same API
(OpenAI: a role+content chunk, a finish chunk, ``[DONE]``; Anthropic: ``message_start`` to
``message_stop``); other JSON becomes ``{"message": ...}``, text the message itself.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kong_plugins.ai_output_redactor.sse import Event, parse_events

__all__ = ["replace_json", "replace_stream"]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def replace_json(document: Any, message: str) -> str:
    """The JSON answer ``document`` with its text replaced by ``message``."""
    if isinstance(document, dict) and isinstance(document.get("choices"), list):
        out = copy.deepcopy(document)
        for choice in out["choices"]:
            if not isinstance(choice, dict):
                continue
            if "message" in choice:
                choice["message"] = {"role": "assistant", "content": message, "refusal": None}
            else:
                choice["text"] = message
            choice["finish_reason"] = "stop"
        return _dumps(out)
    if isinstance(document, dict) and document.get("type") == "message":
        out = {k: v for k, v in document.items() if k not in ("content", "stop_reason", "stop_sequence")}
        out.update(content=[{"type": "text", "text": message}], stop_reason="end_turn", stop_sequence=None)
        return _dumps(out)
    return _dumps({"message": message})


def replace_stream(text: str, message: str) -> str:
    """The stream ``text`` replaced by the shortest well-formed stream of its API saying ``message``."""
    items, newline = parse_events(text)
    documents = [i.document for i in items if isinstance(i, Event) and isinstance(i.document, dict)]
    end = newline * 2
    openai = next((d for d in documents if isinstance(d.get("choices"), list)), None)
    if openai is not None:
        envelope = {
            k: v for k, v in openai.items() if k in ("id", "object", "created", "model", "system_fingerprint")
        }

        def chunk(delta: dict[str, Any], finish: str | None) -> str:
            body = {**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return "data: " + _dumps(body) + end

        first = {"role": "assistant", "content": message}
        return chunk(first, None) + chunk({}, "stop") + "data: [DONE]" + end
    start = next((d for d in documents if d.get("type") == "message_start"), None)
    if start is not None:
        message_start = copy.deepcopy(start)
        if isinstance(message_start.get("message"), dict):
            message_start["message"]["content"] = []

        def event(name: str, body: dict[str, Any]) -> str:
            return f"event: {name}{newline}data: {_dumps(body)}{end}"

        return (
            event("message_start", message_start)
            + event(
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            )
            + event(
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": message}},
            )
            + event("content_block_stop", {"type": "content_block_stop", "index": 0})
            + event(
                "message_delta",
                {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}},
            )
            + event("message_stop", {"type": "message_stop"})
        )
    return "".join("data: " + line + newline for line in message.split("\n")) + newline
