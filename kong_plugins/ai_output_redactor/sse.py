"""Redacting a buffered ``text/event-stream`` answer, event by event, without letting split values through.

A model streams its text in deltas of a few characters: an email may arrive as ``jane.d`` in one event and
``oe@example.com`` in the next, and a redactor that looks at one event at a time sees neither half as an
email. Kong buffers the whole stream for a plugin with a ``response`` phase, so this module can do better:

1. parse the events (``data:`` lines joined, ``event:``/``id:``/comments kept as they are);
2. collect each **channel** of streamed text across events - OpenAI chat ``choices[i].delta.content`` and
   ``.refusal``, legacy ``choices[i].text``, each tool call's ``function.arguments`` fragments, Anthropic
   ``content_block_delta`` ``text``/``partial_json``/``thinking`` per block index, OpenAI Responses API
   ``response.*.delta`` events per item, OpenAI audio ``choices[i].delta.audio.transcript``, Gemini
   ``candidates[i].content.parts[].text`` per candidate - and run the detectors on each channel's **whole**
   text;
3. write the redacted text back into the same events: a replacement goes into the event where the value
   started, the rest of the value is removed from the events it spanned (they keep their structure, with
   less or empty text). Tool-call arguments that parse as JSON once joined are redacted structurally and
   sent whole in their first fragment (the later fragments become empty strings);
4. any other event's JSON is redacted on its own (:mod:`.json_body`); non-JSON ``data`` (a stream of raw
   text tokens) is one more channel, joined across events like the others.

Only modified events are re-serialized (one ``data:`` line of compact JSON); every other byte of the stream
is kept, so the number and order of events, their names, ids and the ``[DONE]`` marker are unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_output_redactor.engine import Redactor, Tally
from kong_plugins.ai_output_redactor.json_body import answer_model, redact_document, redact_json_string
from kong_plugins.core import strict_json

__all__ = ["StreamResult", "parse_events", "redact_stream"]

_LINE_END = re.compile(r"(\r\n|\n|\r)")


@dataclass
class Event:
    """One SSE event: its raw lines, its joined ``data``, and the JSON of that data when it is JSON."""

    lines: list[str]
    ends: list[str] = field(default_factory=list)  # each line's own line end ("" for the stream's last)
    data: str | None = None
    document: Any = None
    changed: bool = False
    repeated_name: bool = False  # its data is JSON with an object that repeats a member name (unreadable)


@dataclass
class Fragment:
    """One piece of a channel: where it lives (``holder[key]`` in ``event``'s document) and its text."""

    event: Event
    holder: dict[str, Any]
    key: str
    text: str


@dataclass
class StreamResult:
    text: str
    model: str | None = None
    content: str | None = None  # the first choice's (or block's) streamed text before redaction


@dataclass
class _Channels:
    text: dict[tuple[Any, ...], list[Fragment]] = field(default_factory=dict)
    json: dict[tuple[Any, ...], list[Fragment]] = field(default_factory=dict)

    def add(self, kind: str, key: tuple[Any, ...], fragment: Fragment) -> None:
        target = self.json if kind == "json" else self.text
        target.setdefault(key, []).append(fragment)


def parse_events(text: str) -> tuple[list[Event | str], str]:
    """The stream as a list of events and blank lines (each kept as its own line end), and the line end of
    its first line (for lines this module writes).

    The SSE spec ends a line with CRLF, LF or CR, mixed as the sender likes, and the official SDKs read them
    all: so every line keeps its own end. Reading the stream with one guessed line end would let an event
    framed otherwise hide inside its neighbour, and a value split across the two escape the joiner."""
    parts = _LINE_END.split(text)
    lines, ends = parts[0::2], [*parts[1::2], ""]
    newline = next((end for end in ends if end), "\n")
    items: list[Event | str] = []
    current: list[str] = []
    current_ends: list[str] = []
    for line, end in zip(lines, ends, strict=True):
        if line == "":
            if current:
                items.append(_event(current, current_ends))
                current, current_ends = [], []
            items.append(end)  # a blank line, as it came: the stream joins back unchanged
        else:
            current.append(line)
            current_ends.append(end)
    if current:
        items.append(_event(current, current_ends))
    return items, newline


def _event(lines: list[str], ends: list[str]) -> Event:
    data = [line[5:].removeprefix(" ") for line in lines if line.startswith("data:")]
    event = Event(lines=lines, ends=ends, data="\n".join(data) if data else None)
    if event.data is not None and event.data.lstrip(" \t")[:1] in ("{", "["):
        try:
            event.document = strict_json.loads(event.data)
        except strict_json.DuplicateKey:
            event.repeated_name = True
        except (ValueError, RecursionError):  # nested past the decoder's recursion limit: read as text
            event.document = None
    return event


def redact_stream(text: str, redactor: Redactor, tally: Tally, tenant: Callable[[], str]) -> StreamResult:
    """The stream with every channel and event redacted (module docstring); unchanged without findings."""
    items, newline = parse_events(text)
    if any(isinstance(item, Event) and item.repeated_name for item in items):
        raise strict_json.DuplicateKey("")  # the client reads one of the values, this would read the other
    channels = _Channels()
    model: str | None = None
    plain: list[Fragment] = []  # non-JSON data: a stream of raw text tokens is one channel
    for item in items:
        if not isinstance(item, Event) or item.data is None:
            continue
        document = item.document
        model = model or answer_model(document)
        if document is None and item.data.strip() != "[DONE]":
            plain.append(Fragment(item, {"data": item.data}, "data", item.data))
        elif not _collect(item, document, channels):
            _redact_whole(item, redactor, tally, tenant)
    if plain:
        channels.text[("data",)] = plain
    content = next(
        (
            "".join(f.text for f in channels.text[key])
            for key in (("content", 0), ("text", 0))
            if key in channels.text
        ),
        None,
    )
    cut_off = stream_cut_off(items)
    for fragments in channels.text.values():
        _redact_text_channel(fragments, redactor, tally, tenant, cut_off=cut_off)
    for fragments in channels.json.values():
        _redact_json_channel(fragments, redactor, tally, tenant, cut_off=cut_off)
    for fragment in plain:
        fragment.event.data = fragment.holder["data"]
    if not tally.total:
        return StreamResult(text, model, content)
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif item.changed:
            out.append(_serialize(item, newline))
        else:
            out.extend(line + end for line, end in zip(item.lines, item.ends, strict=True))
    return StreamResult("".join(out), model, content)


#: Events that end a stream normally (OpenAI ``[DONE]``, Anthropic ``message_stop``, Responses API).
_FINAL_TYPES = frozenset({"message_stop", "response.completed"})
#: Finish reasons that say the model was stopped mid-text (``max_tokens``); Responses: ``incomplete``.
_CUT_REASONS = frozenset({"length", "max_tokens"})


def stream_cut_off(items: list[Event | str]) -> bool:
    """True when the stream's texts are known to be cut: no final event (the upstream broke off), or a
    finish reason saying the model was stopped by its token limit."""
    final = False
    for item in items:
        if not isinstance(item, Event) or item.data is None:
            continue
        if item.data.strip() == "[DONE]":
            final = True
            continue
        document = item.document
        if not isinstance(document, dict):
            continue
        kind = document.get("type")
        if kind in _FINAL_TYPES:
            final = True
        if kind == "response.incomplete":
            return True
        delta = document.get("delta")
        if isinstance(delta, dict) and delta.get("stop_reason") in _CUT_REASONS:
            return True
        choices = document.get("choices")
        if isinstance(choices, list) and any(
            isinstance(choice, dict) and choice.get("finish_reason") in _CUT_REASONS for choice in choices
        ):
            return True
    return not final


def _serialize(event: Event, newline: str) -> str:
    """The event with its data lines replaced, in place of the first one, by the redacted data (each line
    keeps its own line end; the data lines take the first data line's)."""
    if event.document is not None:
        data_lines = ["data: " + json.dumps(event.document, ensure_ascii=False, separators=(",", ":"))]
    else:
        data_lines = ["data: " + line for line in (event.data or "").split("\n")]
    out: list[str] = []
    for line, end in zip(event.lines, event.ends, strict=True):
        if not line.startswith("data:"):
            out.append(line + end)
        elif data_lines:
            out.append((end or newline).join(data_lines) + end)
            data_lines = []
    return "".join(out)


def _collect(event: Event, document: Any, channels: _Channels) -> bool:
    """Register the streamed-text fields of an OpenAI, Anthropic or Gemini chunk; False for any other
    event."""
    if not isinstance(document, dict):
        return False
    if isinstance(document.get("choices"), list):
        for position, choice in enumerate(document["choices"]):
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", position)
            if isinstance(choice.get("text"), str):
                channels.add("text", ("text", index), Fragment(event, choice, "text", choice["text"]))
            delta = choice.get("delta")
            if not isinstance(delta, dict):
                continue
            for key in ("content", "refusal", "reasoning_content"):
                if isinstance(delta.get(key), str):
                    channels.add("text", (key, index), Fragment(event, delta, key, delta[key]))
            audio = delta.get("audio")
            if isinstance(audio, dict) and isinstance(audio.get("transcript"), str):
                # gpt-4o-audio: the spoken answer's text, streamed in pieces like content
                channels.add(
                    "text", ("audio", index), Fragment(event, audio, "transcript", audio["transcript"])
                )
            for call_position, call in enumerate(delta.get("tool_calls") or []):
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                    call_index = call.get("index", call_position)
                    fragment = Fragment(event, function, "arguments", function["arguments"])
                    channels.add("json", ("tool", index, call_index), fragment)
        return True
    if isinstance(document.get("candidates"), list):
        return _collect_gemini(event, document["candidates"], channels)
    kind = document.get("type")
    if isinstance(kind, str) and kind.startswith("response.") and isinstance(document.get("delta"), str):
        # OpenAI Responses API: response.output_text.delta, response.function_call_arguments.delta ...
        item = document.get("item_id", document.get("output_index", 0))
        key = (kind, item, document.get("content_index", 0))
        target = "json" if "arguments" in kind else "text"
        channels.add(target, key, Fragment(event, document, "delta", document["delta"]))
        return True
    if kind == "content_block_start" and isinstance(document.get("content_block"), dict):
        # the SDK starts the block with this text and appends the deltas: it is the channel's head
        block, index = document["content_block"], document.get("index", 0)
        keys = [key for key in ("text", "thinking") if isinstance(block.get(key), str)]
        for key in keys:
            channels.add("text", (key, index), Fragment(event, block, key, block[key]))
        return bool(keys)
    if kind == "content_block_delta" and isinstance(document.get("delta"), dict):
        delta, index = document["delta"], document.get("index", 0)
        for key in ("text", "thinking"):
            if isinstance(delta.get(key), str):
                channels.add("text", (key, index), Fragment(event, delta, key, delta[key]))
        if isinstance(delta.get("partial_json"), str):
            fragment = Fragment(event, delta, "partial_json", delta["partial_json"])
            channels.add("json", ("tool", index), fragment)
        return True
    if kind in ("message_start", "message_delta", "message_stop", "content_block_stop", "ping"):
        return kind != "message_start"
    return False


def _collect_gemini(event: Event, candidates: list[Any], channels: _Channels) -> bool:
    """Gemini ``streamGenerateContent?alt=sse``: each event's ``candidates[i].content.parts[].text`` continue
    candidate ``i``'s text (the client joins them), so they are one channel per candidate."""
    for position, candidate in enumerate(candidates):
        if not isinstance(candidate, dict):
            continue
        index = candidate.get("index", position)
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        for part in parts if isinstance(parts, list) else ():
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                channels.add("text", ("gemini", index), Fragment(event, part, "text", part["text"]))
    return True


def _redact_whole(event: Event, redactor: Redactor, tally: Tally, tenant: Callable[[], str]) -> None:
    before = tally.total
    if event.document is not None:
        document = redact_document(event.document, redactor, tally, tenant)
        if tally.total != before:
            event.document, event.changed = document, True
    elif event.data:
        data = redactor.redact(event.data, tally, tenant)
        if tally.total != before:
            event.data, event.changed = data, True


def _redact_text_channel(
    fragments: list[Fragment],
    redactor: Redactor,
    tally: Tally,
    tenant: Callable[[], str],
    *,
    cut_off: bool = False,
) -> None:
    full = "".join(f.text for f in fragments)
    # a channel ends where the stream did: maybe inside a value (cut_off: certainly cut)
    findings = redactor.find(full, cut=True, cut_off=cut_off)
    if not findings:
        return
    texts = redactor.replace_across([f.text for f in fragments], full, findings, tally, tenant)
    for fragment, new_text in zip(fragments, texts, strict=True):
        if new_text != fragment.text:
            fragment.holder[fragment.key] = new_text
            fragment.event.changed = True


def _redact_json_channel(
    fragments: list[Fragment],
    redactor: Redactor,
    tally: Tally,
    tenant: Callable[[], str],
    *,
    cut_off: bool = False,
) -> None:
    full = "".join(f.text for f in fragments)
    try:
        parsed = strict_json.loads(full)
    except strict_json.DuplicateKey:
        raise
    except (ValueError, RecursionError):  # too deep for the decoder: redacted as text below
        parsed = None
    if not isinstance(parsed, dict | list):
        _redact_text_channel(fragments, redactor, tally, tenant, cut_off=cut_off)
        return
    before = tally.total
    redacted = redact_json_string(full, redactor, tally, tenant)
    if tally.total == before:
        return
    for position, fragment in enumerate(fragments):
        fragment.holder[fragment.key] = redacted if position == 0 else ""
        fragment.event.changed = True
