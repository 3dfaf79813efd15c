"""Tool calls in the answer formats beyond chat completions and Anthropic messages; pure (no ``kong``).

The request side accepts these formats, so their answers' calls are re-authorized like the others:

* **OpenAI Responses API**: ``output[]`` items of type ``function_call``, ``custom_tool_call`` (free-text
  ``input``, decided as the argument ``input``), ``mcp_call`` and ``mcp_approval_request``; streamed, every
  event that carries an ``output_index`` (``response.output_item.added``/``done``, the arguments deltas)
  and the ``response`` object of ``response.completed`` and its siblings. The SDK indexes its snapshot by
  ``output_index``, so stripping drops the denied item's events and renumbers the later ones.
* **Ollama** ``/api/chat``: ``message.tool_calls[].function`` (arguments an object), one JSON object or an
  NDJSON stream of them (one per line, as the Ollama clients read it).
* **Gemini** ``generateContent``: ``candidates[].content.parts[].functionCall`` (or ``function_call``, which
  the SDK also accepts), a JSON object, a JSON array of them (``streamGenerateContent``) or SSE events.

A stripped Gemini part leaves an empty text part when it was the last one (a candidate keeps its content).
"""

from __future__ import annotations

from typing import Any

from kong_plugins.ai_action_authz.output import ToolCall, _call, _custom_input, _dump, _Event, _reserialize

__all__ = [
    "RESPONSES_CALL_TYPES",
    "gemini_calls",
    "is_gemini",
    "is_ollama",
    "is_responses",
    "ollama_calls",
    "responses_calls",
    "responses_sse_calls",
    "strip_gemini",
    "strip_ollama",
    "strip_responses",
    "strip_responses_sse",
]

#: Responses output items that call a tool the client (or a server on its behalf) runs.
RESPONSES_CALL_TYPES = frozenset({"function_call", "custom_tool_call", "mcp_call", "mcp_approval_request"})
_GEMINI_KEYS = ("functionCall", "function_call")


# -- OpenAI Responses -----------------------------------------------------------------------------------
def is_responses(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("output"), list)


def _item_call(key: tuple[Any, ...], item: Any) -> ToolCall | None:
    if not isinstance(item, dict) or item.get("type") not in RESPONSES_CALL_TYPES:
        return None
    if item["type"] == "custom_tool_call":
        return _call(key, item.get("name"), _custom_input(item.get("input")))
    return _call(key, item.get("name"), item.get("arguments"))


def responses_calls(document: dict[str, Any]) -> list[ToolCall]:
    calls = []
    for i, item in enumerate(document["output"]):
        call = _item_call(("output", i), item)
        if call is not None:
            calls.append(call)
    return calls


def strip_responses(document: dict[str, Any], denied: set[tuple[Any, ...]]) -> dict[str, Any]:
    document["output"] = [item for i, item in enumerate(document["output"]) if ("output", i) not in denied]
    return document


def responses_sse_calls(events: list[_Event]) -> list[ToolCall]:
    """Every version of every call the stream shows: the item when added, when done, in the final
    ``response``, and the arguments joined from the deltas; a call is allowed only when all of them are."""
    calls: list[ToolCall] = []
    seen: set[ToolCall] = set()
    deltas: dict[int, list[str]] = {}
    items: dict[int, dict[str, Any]] = {}

    def add(call: ToolCall | None) -> None:
        if call is not None and call not in seen:
            seen.add(call)
            calls.append(call)

    for event in events:
        data = event.data
        if not isinstance(data, dict):
            continue
        index = data.get("output_index")
        if isinstance(index, int) and not isinstance(index, bool):
            item = data.get("item")
            if isinstance(item, dict) and item.get("type") in RESPONSES_CALL_TYPES:
                items[index] = item
                add(_item_call(("output", index), item))
            piece = data.get("delta")
            if isinstance(piece, str) and str(data.get("type", "")).endswith(
                ("arguments.delta", "input.delta")
            ):
                deltas.setdefault(index, []).append(piece)
        response = data.get("response")
        if is_responses(response):
            for call in responses_calls(response):
                add(call)
    for index, pieces in deltas.items():
        item = items.get(index, {})
        text = "".join(pieces)
        if item.get("type") == "custom_tool_call":
            add(_call(("output", index), item.get("name"), _custom_input(text)))
        else:
            add(_call(("output", index), item.get("name"), text))
    return calls


def strip_responses_sse(events: list[_Event], calls: list[ToolCall], denied: set[tuple[Any, ...]]) -> bytes:
    indices = sorted({key[1] for key in denied})

    def renumbered(index: int) -> int:
        return index - sum(1 for gone in indices if gone < index)

    out = []
    for event in events:
        data = event.data
        if not isinstance(data, dict):
            out.append(event.raw + event.separator)
            continue
        changed = False
        index = data.get("output_index")
        if isinstance(index, int) and not isinstance(index, bool):
            if ("output", index) in denied:
                continue  # every event of a denied item goes
            if renumbered(index) != index:
                data["output_index"] = renumbered(index)
                changed = True
        response = data.get("response")
        if is_responses(response) and any(("output", i) in denied for i in range(len(response["output"]))):
            strip_responses(response, denied)
            changed = True
        out.append(_reserialize(event) if changed else event.raw + event.separator)
    return b"".join(out)


# -- Ollama ---------------------------------------------------------------------------------------------
def is_ollama(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("message"), dict)


def ollama_calls(documents: list[Any]) -> list[ToolCall]:
    calls = []
    for line, document in enumerate(documents):
        if not is_ollama(document):
            continue
        entries = document["message"].get("tool_calls")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            function = entry.get("function") if isinstance(entry, dict) else None
            if isinstance(function, dict):
                calls.append(_call(("ollama", line, i), function.get("name"), function.get("arguments")))
            else:
                calls.append(_call(("ollama", line, i), "", None))
    return calls


def strip_ollama(lines: list[bytes], documents: list[Any], denied: set[tuple[Any, ...]]) -> bytes:
    """NDJSON (or one JSON object): the lines with a denied call re-serialized without it."""
    out = []
    for line, (raw, document) in enumerate(zip(lines, documents, strict=True)):
        entries = document["message"].get("tool_calls") if is_ollama(document) else None
        if isinstance(entries, list) and any(("ollama", line, i) in denied for i in range(len(entries))):
            kept = [entry for i, entry in enumerate(entries) if ("ollama", line, i) not in denied]
            if kept:
                document["message"]["tool_calls"] = kept
            else:
                document["message"].pop("tool_calls")
            ending = raw[len(raw.rstrip(b"\r\n")) :]
            raw = _dump(document) + ending
        out.append(raw)
    return b"".join(out)


# -- Gemini ---------------------------------------------------------------------------------------------
def is_gemini(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("candidates"), list)


def gemini_calls(documents: list[Any]) -> list[ToolCall]:
    calls = []
    for d, document in enumerate(documents):
        if not is_gemini(document):
            continue
        for c, p, part in _parts(document):
            for name in _GEMINI_KEYS:
                call = part.get(name)
                if call is None:
                    continue
                if isinstance(call, dict):
                    calls.append(_call(("gemini", d, c, p), call.get("name"), call.get("args")))
                else:
                    calls.append(_call(("gemini", d, c, p), "", None))
    return calls


def _parts(document: dict[str, Any]) -> list[tuple[int, int, dict[str, Any]]]:
    found = []
    for c, candidate in enumerate(document["candidates"]):
        content = candidate.get("content") if isinstance(candidate, dict) else None
        parts = content.get("parts") if isinstance(content, dict) else None
        for p, part in enumerate(parts if isinstance(parts, list) else []):
            if isinstance(part, dict):
                found.append((c, p, part))
    return found


def strip_gemini(document: Any, d: int, denied: set[tuple[Any, ...]]) -> bool:
    """Remove the denied function-call parts of one Gemini document; whether it changed."""
    if not is_gemini(document):
        return False
    changed = False
    for c, candidate in enumerate(document["candidates"]):
        content = candidate.get("content") if isinstance(candidate, dict) else None
        parts = content.get("parts") if isinstance(content, dict) else None
        if not isinstance(parts, list):
            continue
        kept = [part for p, part in enumerate(parts) if ("gemini", d, c, p) not in denied]
        if len(kept) != len(parts):
            content["parts"] = kept or [{"text": ""}]
            changed = True
    return changed
