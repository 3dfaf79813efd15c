"""Tool calls in a model's output, and the same output with some of them removed; pure (no ``kong``).

Read: OpenAI chat ``choices[].message.tool_calls`` (function and custom tools; a custom tool's free-text
input is the argument ``input``) and legacy ``function_call``, Anthropic ``tool_use``, ``server_tool_use``
and ``mcp_tool_use`` content blocks (a denied server tool's result block goes with it), and both in SSE
streams; the Responses API, Ollama and Gemini in :mod:`.output_formats` (Kong buffers the whole stream for
the response phase). Stripping
keeps the answer valid for the client's SDK: OpenAI ``tool_calls`` are filtered (streamed ones re-indexed so
the indices stay contiguous) and a ``finish_reason`` of ``tool_calls`` becomes ``stop`` when none remain;
Anthropic ``tool_use`` blocks are removed (streamed ones become empty text blocks at the same index, so no
later index moves), an emptied ``content`` gets one empty text block, and ``stop_reason`` ``tool_use``
becomes ``end_turn``. Events that need no change are kept byte for byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_action_authz.actions import argument_tags, bounded_name
from kong_plugins.core import strict_json

__all__ = [
    "EVENT_SPLIT",
    "MAX_TOOL_CALLS",
    "Output",
    "ToolCall",
    "Uninspectable",
    "answer_start",
    "as_declared",
    "parse_output",
]

MAX_TOOL_CALLS = 128
MAX_EVENTS = 100_000
MAX_ARGUMENT_BYTES = 65536

#: An SSE event ends at an empty line, and the SSE spec ends a line with CRLF, LF or CR, mixed as the sender
#: likes (the official SDKs read them all): a line end then another one; a CR right before LF is one CRLF.
EVENT_SPLIT = re.compile(rb"((?:\r\n|\n|\r(?!\n))(?:\r\n|\n|\r))")
_SSE_DATA = re.compile(rb"(?:^|[\r\n])data:")
_BOM = b"\xef\xbb\xbf"
_LEADING = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")


class Uninspectable(ValueError):
    """An answer in a known format whose tool calls cannot be read as its client reads them: refused."""


@dataclass(frozen=True)
class ToolCall:
    key: tuple[Any, ...]  # where it is: ("choice", c, i), ("function_call", c), ("block", b)
    name: str
    arguments: tuple[tuple[str, str], ...]


@dataclass
class _Event:
    raw: bytes
    separator: bytes
    name: str | None = None
    data: Any = None  # parsed JSON of the data lines, when it is JSON


@dataclass
class Output:
    kind: str  # json | ndjson | openai-sse | anthropic-sse | responses-sse | gemini-sse | other
    calls: list[ToolCall]
    document: Any = None
    events: list[_Event] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)  # ndjson: each line as sent (with its line end)

    def strip(self, denied: set[tuple[Any, ...]]) -> bytes:
        """The output without the calls whose key is in ``denied``."""
        from kong_plugins.ai_action_authz import output_formats as formats

        if self.kind == "json":
            return _dump(_strip_json(self.document, denied))
        if self.kind == "ndjson":
            return formats.strip_ollama(self.lines, self.document, denied)
        if self.kind == "openai-sse":
            return _strip_openai_sse(self.events, self.calls, denied)
        if self.kind == "responses-sse":
            return formats.strip_responses_sse(self.events, self.calls, denied)
        if self.kind == "gemini-sse":
            out = []
            for d, event in enumerate(self.events):
                changed = formats.strip_gemini(event.data, d, denied)
                out.append(_reserialize(event) if changed else event.raw + event.separator)
            return b"".join(out)
        return _strip_anthropic_sse(self.events, self.calls, denied)


def answer_start(body: bytes) -> bytes:
    """The first significant byte of ``body``: a byte order mark and leading whitespace, however long, are
    skipped by JSON readers and SSE decoders alike, so they must not hide an answer from this one."""
    match = _LEADING.match(body)
    start = match.end() if match else 0
    return body[start : start + 1]


def parse_output(body: bytes) -> Output | None:
    """The tool calls in ``body`` (none in JSON that is no chat answer); None when it is not JSON or SSE;
    :class:`Uninspectable` when it is SSE whose calls cannot be read faithfully.

    SSE is recognised by any ``data:`` line, not by the first field: a stream may open with ``retry:``, a
    comment or any field a decoder ignores. A JSON document is read for every format at once (a body with
    both ``choices`` and ``output`` is read as each client would read it); JSON text that is several
    objects, one per line, is NDJSON (Ollama's stream)."""
    if answer_start(body) in (b"{", b"["):
        try:
            document = strict_json.loads(body)
        except strict_json.DuplicateKey:
            raise Uninspectable("a JSON object repeats a member name") from None
        except RecursionError:
            return None
        except ValueError:
            return _parse_ndjson(body)
        return Output("json", _json_calls(document), document)
    if _SSE_DATA.search(body):
        return _parse_sse(body)
    return None


def _json_calls(document: Any) -> list[ToolCall]:
    """The calls of every answer format ``document`` has the shape of (none: JSON, but no chat answer)."""
    from kong_plugins.ai_action_authz import output_formats as formats

    if isinstance(document, list):  # Gemini's streamGenerateContent: an array of answers
        return formats.gemini_calls(document)
    if not isinstance(document, dict):
        return []
    calls = []
    if isinstance(document.get("choices"), list):
        calls += _openai_json_calls(document)
    if isinstance(document.get("content"), list):
        calls += _anthropic_json_calls(document)
    if formats.is_responses(document):
        calls += formats.responses_calls(document)
    calls += formats.ollama_calls([document])
    calls += formats.gemini_calls([document])
    return calls


def _strip_json(document: Any, denied: set[tuple[Any, ...]]) -> Any:
    from kong_plugins.ai_action_authz import output_formats as formats

    kinds = {key[0] for key in denied}
    if isinstance(document, list):
        for d, item in enumerate(document):
            formats.strip_gemini(item, d, denied)
        return document
    if kinds & {"choice", "function_call"}:
        _strip_openai_json(document, denied)
    if "block" in kinds:
        _strip_anthropic_json(document, denied)
    if "output" in kinds:
        formats.strip_responses(document, denied)
    if "ollama" in kinds:
        formats.strip_ollama([b""], [document], denied)
    if "gemini" in kinds:
        formats.strip_gemini(document, 0, denied)
    return document


def _parse_ndjson(body: bytes) -> Output | None:
    """Ollama's stream: one JSON object per line (None when a line is not JSON: no client reads it)."""
    from kong_plugins.ai_action_authz import output_formats as formats

    lines = body.splitlines(keepends=True)
    if len(lines) > MAX_EVENTS:
        raise Uninspectable(f"more than {MAX_EVENTS} lines")
    documents: list[Any] = []
    for line in lines:
        if not line.strip():
            documents.append(None)
            continue
        try:
            documents.append(strict_json.loads(line))
        except strict_json.DuplicateKey:
            raise Uninspectable("a JSON object repeats a member name") from None
        except (ValueError, RecursionError):
            return None
    return Output("ndjson", formats.ollama_calls(documents), documents, lines=lines)


# -- OpenAI ---------------------------------------------------------------------------------------------
def _openai_json_calls(document: dict[str, Any]) -> list[ToolCall]:
    calls = []
    for c, choice in enumerate(document["choices"]):
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            continue
        for i, entry in enumerate(message.get("tool_calls") or []):
            if not isinstance(entry, dict):
                continue
            function, custom = entry.get("function"), entry.get("custom")
            if isinstance(function, dict):
                calls.append(_call(("choice", c, i), function.get("name"), function.get("arguments")))
            elif isinstance(custom, dict):  # a custom tool: free-text input, decided as the tag "input"
                calls.append(_call(("choice", c, i), custom.get("name"), _custom_input(custom.get("input"))))
            else:  # a kind of call this parser does not know: decided as the unnamed tool (denied)
                calls.append(_call(("choice", c, i), "", None))
        function_call = message.get("function_call")
        if isinstance(function_call, dict):
            calls.append(
                _call(("function_call", c), function_call.get("name"), function_call.get("arguments"))
            )
    return calls


def _strip_openai_json(document: dict[str, Any], denied: set[tuple[Any, ...]]) -> dict[str, Any]:
    for c, choice in enumerate(document["choices"]):
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            continue
        entries = message.get("tool_calls")
        if isinstance(entries, list):
            kept = [entry for i, entry in enumerate(entries) if ("choice", c, i) not in denied]
            if kept:
                message["tool_calls"] = kept
            else:
                message.pop("tool_calls")
        if ("function_call", c) in denied:
            message.pop("function_call", None)
        no_calls = not message.get("tool_calls") and "function_call" not in message
        if no_calls and choice.get("finish_reason") in ("tool_calls", "function_call"):
            choice["finish_reason"] = "stop"
    return document


def _openai_sse_calls(events: list[_Event]) -> list[ToolCall]:
    names: dict[tuple[Any, ...], str] = {}
    arguments: dict[tuple[Any, ...], list[str]] = {}
    custom: set[tuple[Any, ...]] = set()
    for event in events:
        for c, delta in _deltas(event):
            for entry in delta.get("tool_calls") or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("index"), int):
                    continue
                key = ("choice", c, entry["index"])
                if isinstance(entry.get("custom"), dict):  # a custom tool: its input fragments
                    custom.add(key)
                    piece = entry["custom"].get("input")
                    _accumulate(key, {**entry["custom"], "arguments": piece}, names, arguments)
                else:
                    _accumulate(key, entry.get("function"), names, arguments)
            if isinstance(delta.get("function_call"), dict):
                _accumulate(("function_call", c), delta["function_call"], names, arguments)
    return [
        _call(
            key,
            names.get(key),
            _custom_input("".join(arguments.get(key, [])))
            if key in custom
            else "".join(arguments.get(key, [])),
        )
        for key in names
    ]


def _custom_input(value: Any) -> dict[str, str] | None:
    return {"input": value} if isinstance(value, str) else None


def _accumulate(
    key: tuple[Any, ...],
    function: Any,
    names: dict[tuple[Any, ...], str],
    arguments: dict[tuple[Any, ...], list[str]],
) -> None:
    if not isinstance(function, dict):
        return
    if isinstance(function.get("name"), str):
        names[key] = names.get(key, "") + function["name"]
    names.setdefault(key, "")
    piece = function.get("arguments")
    if isinstance(piece, str):
        pieces = arguments.setdefault(key, [])
        if sum(map(len, pieces)) <= MAX_ARGUMENT_BYTES:
            pieces.append(piece)


def _deltas(event: _Event) -> list[tuple[int, dict[str, Any]]]:
    chunk = event.data
    if not isinstance(chunk, dict) or not isinstance(chunk.get("choices"), list):
        return []
    found = []
    for choice in chunk["choices"]:
        if isinstance(choice, dict) and isinstance(choice.get("delta"), dict):
            found.append((choice.get("index", 0), choice["delta"]))
    return found


def _strip_openai_sse(events: list[_Event], calls: list[ToolCall], denied: set[tuple[Any, ...]]) -> bytes:
    kept_by_choice: dict[Any, list[int]] = {}
    denied_choices: set[Any] = set()
    for call in calls:
        if call.key[0] == "choice" and call.key not in denied:
            kept_by_choice.setdefault(call.key[1], []).append(call.key[2])
        if call.key in denied:
            denied_choices.add(call.key[1])
    renumber = {c: {old: new for new, old in enumerate(sorted(kept))} for c, kept in kept_by_choice.items()}
    out = []
    for event in events:
        chunk = event.data
        changed = False
        if isinstance(chunk, dict) and isinstance(chunk.get("choices"), list):
            for choice in chunk["choices"]:
                if not isinstance(choice, dict):
                    continue
                c = choice.get("index", 0)
                delta = choice.get("delta")
                if isinstance(delta, dict) and isinstance(delta.get("tool_calls"), list):
                    entries = []
                    for entry in delta["tool_calls"]:
                        index = entry.get("index") if isinstance(entry, dict) else None
                        if ("choice", c, index) in denied:
                            continue
                        if index in renumber.get(c, {}) and renumber[c][index] != index:
                            entry = {**entry, "index": renumber[c][index]}
                        entries.append(entry)
                    if entries != delta["tool_calls"]:
                        changed = True
                        if entries:
                            delta["tool_calls"] = entries
                        else:
                            delta.pop("tool_calls")
                if isinstance(delta, dict) and ("function_call", c) in denied and "function_call" in delta:
                    delta.pop("function_call")
                    changed = True
                if (
                    c in denied_choices
                    and not kept_by_choice.get(c)
                    and choice.get("finish_reason") in ("tool_calls", "function_call")
                ):
                    choice["finish_reason"] = "stop"
                    changed = True
        out.append(_reserialize(event) if changed else event.raw + event.separator)
    return b"".join(out)


# -- Anthropic ------------------------------------------------------------------------------------------
#: Anthropic content blocks that call a tool: the client's (``tool_use``), Anthropic's own server tools
#: (``server_tool_use``: web search, code execution...) and a remote MCP server's (``mcp_tool_use``).
ANTHROPIC_CALL_TYPES = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})


def _is_anthropic_call(block: Any) -> bool:
    return isinstance(block, dict) and block.get("type") in ANTHROPIC_CALL_TYPES


def _anthropic_json_calls(document: dict[str, Any]) -> list[ToolCall]:
    calls = []
    for b, block in enumerate(document["content"]):
        if _is_anthropic_call(block):
            calls.append(_call(("block", b), block.get("name"), block.get("input")))
    return calls


def _denied_ids(blocks: list[Any], denied: set[tuple[Any, ...]]) -> set[str]:
    """The ids of denied call blocks: a server tool's result block (``tool_use_id``) goes with its call."""
    return {
        block["id"]
        for b, block in enumerate(blocks)
        if ("block", b) in denied and isinstance(block, dict) and isinstance(block.get("id"), str)
    }


def _is_result_of(block: Any, ids: set[str]) -> bool:
    return isinstance(block, dict) and block.get("tool_use_id") in ids and block.get("type") != "tool_use"


def _strip_anthropic_json(document: dict[str, Any], denied: set[tuple[Any, ...]]) -> dict[str, Any]:
    ids = _denied_ids(document["content"], denied)
    content = [
        block
        for b, block in enumerate(document["content"])
        if ("block", b) not in denied and not _is_result_of(block, ids)
    ]
    document["content"] = content or [{"type": "text", "text": ""}]
    remaining = any(isinstance(block, dict) and block.get("type") == "tool_use" for block in content)
    if not remaining and document.get("stop_reason") == "tool_use":
        document["stop_reason"] = "end_turn"
    return document


def _anthropic_sse_calls(events: list[_Event]) -> list[ToolCall]:
    names: dict[tuple[Any, ...], str] = {}
    initial: dict[tuple[Any, ...], Any] = {}
    partial: dict[tuple[Any, ...], list[str]] = {}
    for event in events:
        data = event.data
        if not isinstance(data, dict):
            continue
        key = ("block", data.get("index"))
        if data.get("type") == "content_block_start":
            block = data.get("content_block")
            if _is_anthropic_call(block):
                names[key] = block.get("name") if isinstance(block.get("name"), str) else ""
                initial[key] = block.get("input")
        elif data.get("type") == "content_block_delta" and key in names:
            delta = data.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("partial_json"), str):
                pieces = partial.setdefault(key, [])
                if sum(map(len, pieces)) <= MAX_ARGUMENT_BYTES:
                    pieces.append(delta["partial_json"])
    calls = []
    for key, name in names.items():
        arguments = "".join(partial[key]) if key in partial else initial.get(key)
        calls.append(_call(key, name, arguments))
    return calls


def _strip_anthropic_sse(events: list[_Event], calls: list[ToolCall], denied: set[tuple[Any, ...]]) -> bytes:
    remaining = any(call.key not in denied for call in calls)
    starts = {
        ("block", e.data.get("index")): e.data.get("content_block")
        for e in events
        if isinstance(e.data, dict) and _is_block_start(e.data)
    }
    ids = _denied_ids([starts.get(("block", b)) for b in range(len(starts))], denied)
    denied = denied | {key for key, block in starts.items() if _is_result_of(block, ids)}
    out = []
    for event in events:
        data = event.data
        if isinstance(data, dict):
            key = ("block", data.get("index"))
            kind = data.get("type")
            if kind == "content_block_start" and key in denied:
                data["content_block"] = {"type": "text", "text": ""}
                out.append(_reserialize(event))
                continue
            if kind == "content_block_delta" and key in denied:
                continue
            delta = data.get("delta")
            if (
                kind == "message_delta"
                and not remaining
                and isinstance(delta, dict)
                and delta.get("stop_reason") == "tool_use"
            ):
                delta["stop_reason"] = "end_turn"
                out.append(_reserialize(event))
                continue
        out.append(event.raw + event.separator)
    return b"".join(out)


# -- SSE and helpers ------------------------------------------------------------------------------------
def _parse_sse(body: bytes) -> Output | None:
    parts = EVENT_SPLIT.split(body.removeprefix(_BOM))
    events: list[_Event] = []
    for index in range(0, len(parts), 2):
        raw = parts[index]
        separator = parts[index + 1] if index + 1 < len(parts) else b""
        if not raw and not separator:
            continue
        event = _Event(raw, separator)
        data_lines = []
        for line in raw.splitlines():
            if line.startswith(b"event:"):
                event.name = line[6:].strip().decode("utf-8", "replace")
            elif line.startswith(b"data:"):
                data_lines.append(line[5:].removeprefix(b" "))
        if data_lines:
            text = b"\n".join(data_lines)
            if text.strip() != b"[DONE]":
                try:
                    event.data = strict_json.loads(text)
                except strict_json.DuplicateKey:
                    raise Uninspectable("a JSON object repeats a member name") from None
                except (ValueError, RecursionError):
                    event.data = None
        events.append(event)
        if len(events) > MAX_EVENTS:
            raise Uninspectable(f"more than {MAX_EVENTS} events")
    from kong_plugins.ai_action_authz import output_formats as formats

    kinds = [e.data.get("type") for e in events if isinstance(e.data, dict)]
    found = {
        "openai-sse": _openai_sse_calls(events),
        "responses-sse": formats.responses_sse_calls(events),
        "gemini-sse": formats.gemini_calls([e.data for e in events]),
    }
    if "message_start" in kinds or "content_block_start" in kinds:
        starts = [e.data.get("index") for e in events if isinstance(e.data, dict) and _is_block_start(e.data)]
        if starts != list(range(len(starts))):
            # the Anthropic SDK appends every block start, whatever index it claims: blocks whose indices are
            # not 0, 1, 2... in order are not the blocks it builds (two claiming index 0 are two tool calls)
            raise Uninspectable("Anthropic content blocks out of order")
        found["anthropic-sse"] = _anthropic_sse_calls(events)
    with_calls = [kind for kind, calls in found.items() if calls]
    if len(with_calls) > 1:  # one stream, calls in two formats: which ones its client runs is unknowable
        raise Uninspectable(f"tool calls in {len(with_calls)} stream formats")
    kind = with_calls[0] if with_calls else "openai-sse"
    return Output(kind, found[kind], events=events)


def _is_block_start(data: dict[str, Any]) -> bool:
    return data.get("type") == "content_block_start"


def _reserialize(event: _Event) -> bytes:
    lines = []
    if event.name is not None:
        lines.append(b"event: " + event.name.encode("utf-8"))
    lines.append(b"data: " + _dump(event.data))
    return b"\n".join(lines) + (event.separator or b"\n\n")


def as_declared(calls: list[ToolCall], declared: Any) -> list[ToolCall]:
    """The calls with each name that is not exactly a tool the request declared, but is one once surrounding
    whitespace is stripped and case folded (``"Transfer"``, ``"transfer "`` for ``transfer``), decided as
    that tool: a client or framework that matches names loosely runs it. Cedar ids stay exact: no other
    name changes (a policy on ``Tool::"getWeather"`` keeps matching it), and a name that matches no declared
    tool, or two of them, is decided as it is."""
    names = (
        [bounded_name(name) for name in declared if isinstance(name, str)]
        if isinstance(declared, list)
        else []
    )
    if not names:
        return calls
    exact = set(names)
    loose: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        loose.setdefault(_loose(name), []).append(name)
    resolved = []
    for call in calls:
        match = loose.get(_loose(call.name), [])
        if call.name not in exact and len(match) == 1:
            call = ToolCall(call.key, match[0], call.arguments)
        resolved.append(call)
    return resolved


def _loose(name: str) -> str:
    return name.strip().casefold()


def _call(key: tuple[Any, ...], name: Any, arguments: Any) -> ToolCall:
    try:
        tags = argument_tags(arguments)
    except strict_json.DuplicateKey:
        raise Uninspectable("tool call arguments repeat a member name") from None
    return ToolCall(key, bounded_name(name) if isinstance(name, str) else "", tags)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
