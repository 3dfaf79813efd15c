"""Real token usage, read from an upstream response body (buffered by Kong): JSON or Server-Sent Events.

Sources, best first (``Usage.source``):

* ``reported``: a JSON body's ``usage``: OpenAI (``prompt_tokens``/``completion_tokens``, with the cache
  hits in ``prompt_tokens_details.cached_tokens``) or Anthropic (``input_tokens``, ``output_tokens``, plus
  ``cache_creation_input_tokens``/``cache_read_input_tokens``, which are prompt too; the cached and
  cache-written parts of the prompt are kept apart, for their own prices); an SSE stream's usage: OpenAI's
  final chunk with ``usage`` (``stream_options.include_usage``), Anthropic's ``message_start`` (input) and
  last ``message_delta`` (cumulative output);
* ``counted``: otherwise the completion is counted: from a JSON body's message/choice texts, or from the
  deltas of a stream that **ended** (``[DONE]``, a ``finish_reason`` for every choice, Anthropic's
  ``message_stop`` or ``stop_reason``) — OpenAI ``choices[].delta.content``/tool-call arguments, Anthropic
  ``content_block_delta`` — as ``max(number of non-empty deltas, ceil(characters / 4))``: providers stream
  about one token per delta and English averages about four characters per token, and taking the larger
  errs on the side of counting too much, never too little. Prompt tokens are then unknown (the
  reservation's estimate stands);
* ``partial``: a stream cut before its end (and before its final usage): what was counted is only a lower
  bound — the model may have generated more than arrived, and the provider bills what it generated;
* ``unknown``: nothing could be read — an empty body, a format this module does not know, a body over
  ``MAX_BODY_BYTES``, a compressed body that could not be decoded within that bound.

The handler settles ``partial`` and ``unknown`` as the reservation (at least), never as what little was
seen (see :func:`kong_plugins.ai_token_limiter.handler.actual_amounts`).

Compressed bodies (``Content-Encoding: gzip``/``deflate``/``br``) are decoded first by
:mod:`kong_plugins.core.content_encoding`, never to more than ``MAX_BODY_BYTES``
(:func:`parse_encoded_usage`).

Bodies are untrusted: at most ``MAX_BODY_BYTES`` are parsed, at most ``MAX_EVENTS`` SSE events, and JSON
nesting is whatever ``json`` accepts within that size (it is iterative for containers and bounded by it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kong_plugins.core.content_encoding import DecodeError, decode_body, is_identity

__all__ = [
    "COUNTED",
    "MAX_BODY_BYTES",
    "MAX_EVENTS",
    "NO_USAGE",
    "PARTIAL",
    "REPORTED",
    "UNKNOWN",
    "Usage",
    "parse_encoded_usage",
    "parse_usage",
    "text_tokens",
]

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_EVENTS = 100_000
MAX_EVENT_BYTES = 1024 * 1024
MAX_CHOICES = 256  # distinct choice indexes tracked in a stream; more make it count as cut (conservative)
CHARS_PER_TOKEN = 4
_TOKEN_COUNT_MAX = 10**12


REPORTED = "reported"
COUNTED = "counted"
PARTIAL = "partial"
UNKNOWN = "unknown"
Source = Literal["reported", "counted", "partial", "unknown"]


@dataclass(frozen=True, slots=True)
class Usage:
    """What a response used. ``None`` means unknown; ``source`` says how far the numbers can be trusted
    (module docstring): with ``partial`` the completion is a lower bound."""

    prompt_tokens: int | None
    completion_tokens: int | None
    source: Source
    cached_tokens: int = 0
    """Prompt tokens read from the provider's prompt cache (part of ``prompt_tokens``), priced apart."""
    cache_write_tokens: int = 0
    """Prompt tokens written to the provider's prompt cache (part of ``prompt_tokens``), priced apart."""

    @property
    def known(self) -> bool:
        """The completion is the whole answer's (reported or counted), not a guess or a lower bound."""
        return self.source in (REPORTED, COUNTED) and self.completion_tokens is not None


NO_USAGE = Usage(None, None, UNKNOWN)


def text_tokens(chars: int) -> int:
    """``ceil(chars / 4)``: the counting rule when no tokenizer answer exists."""
    return math.ceil(chars / CHARS_PER_TOKEN)


def _raw(body: bytes | str) -> bytes:
    # a str from the PDK carries undecodable bytes as lone surrogates (server/wire.py): back to the bytes
    return body.encode("utf-8", "surrogateescape") if isinstance(body, str) else bytes(body)


def parse_usage(body: bytes | str | None) -> Usage:
    """The usage of a buffered response body (JSON or SSE, told apart by their first bytes)."""
    if not body:
        return NO_USAGE
    raw = _raw(body)
    if len(raw) > MAX_BODY_BYTES:
        return NO_USAGE
    stripped = raw.lstrip()
    if stripped.startswith((b"{", b"[")):
        return _from_json(stripped)
    return _from_sse(raw)


def parse_encoded_usage(body: bytes | str | None, content_encoding: str | None) -> Usage:
    """The usage of a body sent with ``content_encoding``: decoded (at most ``MAX_BODY_BYTES``), then
    parsed; ``NO_USAGE`` when it cannot be decoded within that bound or by a decoder installed here."""
    if not body or is_identity(content_encoding):
        return parse_usage(body)
    try:
        return parse_usage(decode_body(_raw(body), content_encoding, MAX_BODY_BYTES))
    except DecodeError:
        return NO_USAGE


# ------------------------------------------------------------------------------------------------ JSON
def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value < 0 or value > _TOKEN_COUNT_MAX or value != value:
        return None
    return int(value)


def _reported(usage: Any) -> Usage | None:
    """A provider ``usage`` object → :class:`Usage`, or ``None`` when it is not one."""
    if not isinstance(usage, Mapping):
        return None
    prompt = _count(usage.get("prompt_tokens"))
    completion = _count(usage.get("completion_tokens"))
    if prompt is not None or completion is not None:
        total = _count(usage.get("total_tokens"))
        if completion is None and total is not None and prompt is not None:
            completion = max(0, total - prompt)  # embeddings report only prompt and total
        details = usage.get("prompt_tokens_details")
        cached = (_count(details.get("cached_tokens")) or 0) if isinstance(details, Mapping) else 0
        return Usage(prompt, completion if completion is not None else 0, REPORTED, cached)
    inputs = _count(usage.get("input_tokens"))
    outputs = _count(usage.get("output_tokens"))
    if inputs is None and outputs is None:
        return None
    written = _count(usage.get("cache_creation_input_tokens")) or 0
    read = _count(usage.get("cache_read_input_tokens")) or 0
    if inputs is None:
        return Usage(None, outputs, REPORTED)
    return Usage(inputs + read + written, outputs, REPORTED, read, written)


def _from_json(raw: bytes) -> Usage:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return NO_USAGE
    if not isinstance(document, Mapping):
        return NO_USAGE
    reported = _reported(document.get("usage"))
    if reported is not None:
        return reported
    chars = sum(len(text) for text in _json_texts(document))
    return Usage(None, text_tokens(chars), COUNTED) if chars else NO_USAGE


def _json_texts(document: Mapping[str, Any]) -> Iterator[str]:
    """Completion texts of an OpenAI chat/completions or Anthropic messages answer without ``usage``."""
    for choice in _list(document.get("choices")):
        if not isinstance(choice, Mapping):
            continue
        if isinstance(choice.get("text"), str):
            yield choice["text"]
        message = choice.get("message")
        if isinstance(message, Mapping):
            if isinstance(message.get("content"), str):
                yield message["content"]
            for call in _list(message.get("tool_calls")):
                yield from _tool_arguments(call)
    for block in _list(document.get("content")):
        if isinstance(block, Mapping):
            if isinstance(block.get("text"), str):
                yield block["text"]
            if "input" in block:
                yield json.dumps(block["input"], separators=(",", ":"))


def _tool_arguments(call: Any) -> Iterator[str]:
    if isinstance(call, Mapping):
        function = call.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("arguments"), str):
            yield function["arguments"]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# ------------------------------------------------------------------------------------------------ SSE
def _sse_data(raw: bytes) -> Iterator[str]:
    """The ``data`` of each SSE event (multi-line data joined with ``\\n``), at most MAX_EVENTS events."""
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    events = 0
    for block in text.split("\n\n"):
        lines = [line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")]
        if not lines:
            continue
        events += 1
        if events > MAX_EVENTS:
            return
        data = "\n".join(lines)
        if len(data) <= MAX_EVENT_BYTES:
            yield data


class _StreamTally:
    """Accumulates what the events of one stream say."""

    def __init__(self) -> None:
        self.prompt: int | None = None
        self.cached = self.cache_write = 0
        self.completion: int | None = None
        self.reported = False
        self.final = False  # the completion count came from a closing event (not message_start's 0)
        self.ended = False  # the stream said it was complete: [DONE], message_stop, a stop_reason
        # OpenAI choices (n > 1 streams them interleaved): a finish_reason ends only its own choice, so the
        # stream counts as ended by finish reasons alone only when every choice that appeared has finished
        self.choices_seen: set[Any] = set()
        self.choices_finished: set[Any] = set()
        self.too_many_choices = False
        self.deltas = 0
        self.chars = 0

    def delta(self, text: Any) -> None:
        if isinstance(text, str) and text:
            self.deltas += 1
            self.chars += len(text)

    def usage(self, usage: Usage | None, *, final: bool) -> None:
        if usage is None:
            return
        self.reported = True
        if usage.prompt_tokens is not None:
            self.prompt = usage.prompt_tokens
            self.cached, self.cache_write = usage.cached_tokens, usage.cache_write_tokens
        if usage.completion_tokens is not None and (final or not self.final):
            self.completion = usage.completion_tokens
            self.final = final

    def event(self, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if kind == "message_stop":
            self.ended = True
        if kind == "message_start" and isinstance(event.get("message"), Mapping):
            self.usage(_reported(event["message"].get("usage")), final=False)
        elif kind == "message_delta":
            self.usage(_reported(event.get("usage")), final=True)
            if isinstance(event.get("delta"), Mapping) and event["delta"].get("stop_reason"):
                self.ended = True
        elif kind == "content_block_delta" and isinstance(event.get("delta"), Mapping):
            delta = event["delta"]
            self.delta(delta.get("text") if "text" in delta else delta.get("partial_json"))
        if event.get("usage") is not None and kind is None:
            self.usage(_reported(event.get("usage")), final=True)  # OpenAI: the final chunk (include_usage)
        for choice in _list(event.get("choices")):
            if not isinstance(choice, Mapping):
                continue
            index = choice.get("index", 0)
            index = index if isinstance(index, int) and not isinstance(index, bool) else repr(index)[:32]
            if index in self.choices_seen or len(self.choices_seen) < MAX_CHOICES:
                self.choices_seen.add(index)
                if choice.get("finish_reason"):
                    self.choices_finished.add(index)
            else:
                self.too_many_choices = True  # its deltas still count below
            if isinstance(choice.get("text"), str):
                self.delta(choice["text"])  # legacy completions stream
            delta = choice.get("delta")
            if isinstance(delta, Mapping):
                self.delta(delta.get("content"))
                for call in _list(delta.get("tool_calls")):
                    for arguments in _tool_arguments(call):
                        self.delta(arguments)

    def result(self) -> Usage:
        if self.final and self.completion is not None:
            return Usage(self.prompt, self.completion, REPORTED, self.cached, self.cache_write)
        counted = max(self.deltas, text_tokens(self.chars)) if self.deltas else None
        if self.completion is not None:  # only a provisional count (message_start's)
            counted = max(counted or 0, self.completion)
        if counted is None and self.prompt is None:
            return NO_USAGE
        # a stream that did not say it ended was cut: what arrived is a lower bound, not the usage
        every_choice_finished = bool(self.choices_seen) and self.choices_seen <= self.choices_finished
        ended = self.ended or (every_choice_finished and not self.too_many_choices)
        source = COUNTED if ended and counted is not None else PARTIAL
        return Usage(self.prompt, counted, source, self.cached, self.cache_write)


def _from_sse(raw: bytes) -> Usage:
    tally = _StreamTally()
    for data in _sse_data(raw):
        if data.strip() == "[DONE]":
            tally.ended = True
            continue
        try:
            event = json.loads(data)
        except (ValueError, RecursionError):
            continue
        if isinstance(event, Mapping):
            tally.event(event)
    return tally.result()
