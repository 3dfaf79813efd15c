#!/usr/bin/env python3
"""Mock LLM upstream over real HTTP/1.1 for the gateway harness, the tests, the tour and the benches.

Why a process of its own: the emulated gateway proxies to an upstream exactly as Kong would, over a real
socket, so the plugins see real status codes, real chunked SSE streams and real connection failures. The
script uses only the standard library so that it runs anywhere ``python3`` does, without the project
installed.

Every answer is a pure function of the request (method, path, body and ``X-Mock-*`` headers): the same
request gives byte-for-byte the same body, so tests can assert on content and token counts.

Token-counting rule (the contract tests and token limiters rely on):

* ``text_tokens(s) = ceil(len(s) / 4)`` where ``len`` counts Unicode code points (0 for an empty string).
* Chat and Anthropic prompt tokens: for each message (and for an Anthropic top-level ``system``, counted
  as one more message) ``4 + text_tokens(text)``, where ``text`` is the string ``content``, or the ``text``
  fields of the ``{"type": "text"}`` parts of a list ``content`` concatenated; other parts count 0 chars.
* Legacy completions: ``text_tokens`` of each prompt string (a list of integers counts one token per item).
* Embeddings: ``text_tokens`` of each input string (a list of integers counts one token per item).
* Completion tokens: the "natural" answer length is ``X-Mock-Completion-Tokens`` (0..4096) or 16; a request
  limit (``max_completion_tokens``, else ``max_tokens``) caps it like a real model would, and then the finish
  reason is ``length`` / ``max_tokens``. A text answer has exactly that many words, one word = one token, one
  streamed delta per word. A tool call costs ``X-Mock-Completion-Tokens`` or
  ``max(1, ceil((len(name) + len(arguments)) / 4))`` tokens and is never capped.
* ``X-Mock-Extra-Tool-Call: name {json arguments}`` (repeatable, at most 16) adds calls after the first one
  (OpenAI ``tool_calls[1..]``, Anthropic ``tool_use`` blocks ``1..``; each costs its own tokens as above).
* ``POST /mcp``: a minimal MCP server (JSON-RPC 2.0, batches too): ``tools/list`` answers the tools
  ``search``, ``transfer`` and ``shell``; ``tools/call`` answers ``called <name> with <arguments>``.
* Prompt caching: ``X-Mock-Cached-Tokens`` (0..4096) prompt tokens are reported as read from the cache
  (OpenAI chat ``usage.prompt_tokens_details.cached_tokens``, part of ``prompt_tokens``; Anthropic
  ``cache_read_input_tokens``, taken out of ``input_tokens``), ``X-Mock-Cache-Write-Tokens`` (Anthropic only)
  as written to it (``cache_creation_input_tokens``); each is capped by what is left of the prompt.

Answer shape (for tests of readers of the answer, such as the token limiter's usage parser):

* ``X-Mock-Content-Encoding: gzip | deflate | br`` compresses the answer (``Content-Encoding`` set; deflate
  is the zlib format; br only where the ``brotli`` package is installed, else a 400). A JSON body is
  compressed whole; an SSE stream is one compressed stream, flushed after each event (``Z_SYNC_FLUSH``) so
  that it still streams, and finished after the last event sent (also when ``X-Mock-Error:
  truncated-stream`` cut it; not after a ``reset``).
* ``X-Mock-Error``: ``timeout`` never answers (until the client leaves or ``--hang-limit``), ``reset`` sends
  half the answer then a TCP RST, ``truncated-stream`` ends a stream cleanly halfway (no finish event, usage
  or ``[DONE]``; a JSON answer: half the document, framed to its cut length), ``short-body`` (JSON answers)
  announces the whole ``Content-Length`` but sends half of it and closes cleanly (a wrong Content-Length).
* ``X-Mock-Pad-Bytes: N`` (0..64 MiB) inserts N spaces after the opening ``{`` of a successful JSON answer:
  the same document, N bytes longer (an oversized body; with gzip, a decompression bomb of a few KiB).
* ``X-Mock-Verbatim: 1`` (chat and Anthropic messages): the answer text is the last user message exactly
  as sent (no ``Echo:``, no word cutting or padding, never capped; ``text_tokens`` of it are reported), so
  tests choose what the model "says" (PII, secrets, JSON...).
* ``X-Mock-Piece-Chars: N`` (1..65536): a streamed answer's text, and tool-call arguments (16 by default),
  arrive in deltas of N characters instead of one word each (``1``: one character per event).
* ``X-Mock-Split-At: 3,17`` (with ``X-Mock-Verbatim``; up to 64 offsets, increasing): a streamed answer's
  text is cut at exactly these character offsets (so a test can split a value at one chosen position).
* ``X-Mock-Body-Format: text`` answers a successful JSON route with its answer text alone, as
  ``text/plain`` (a format a JSON/SSE reader does not know).

Answer text: ``"Echo:"`` followed by the words of the last user message (each cut to 32 characters), padded
with a fixed lorem-ipsum cycle, then truncated to the completion token count; words are joined by one space.

Run ``python3 scripts/mock_llm.py --help`` for the CLI; the first stdout line is always
``mock_llm listening on <host>:<port>``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import ipaddress
import json
import math
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib

try:  # optional, so that the script still runs on the standard library alone: "br" answers need it
    import brotli
except ImportError:
    brotli = None
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice, pairwise
from typing import Any

# --- Limits: every size, count and delay taken from a request is bounded. ---------------------------
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_CHUNK_LINE_BYTES = 1024
MAX_TRAILER_LINES = 64
MAX_LATENCY_MS = 30_000
MAX_CHUNK_DELAY_MS = 10_000
MAX_COMPLETION_TOKENS = 4096
MAX_HANG_LIMIT_S = 600.0
DEFAULT_HANG_LIMIT_S = 30.0
HANG_POLL_S = 0.2
IDLE_TIMEOUT_S = 30.0
MAX_EMBEDDING_INPUTS = 2048
MAX_EMBEDDING_DIMENSIONS = 256
MAX_ECHO_WORD_CHARS = 32
MAX_PAD_BYTES = 64 * 1024 * 1024
MAX_EXTRA_TOOL_CALLS = 16
# http.server refuses requests with more than 100 header lines (431); a provider's front end takes more, and
# the gateway tests send up to Kong's 1000 (kong.request.get_headers(1000)). Module-wide: the only knob.
MAX_HEADER_LINES = 1100
http.client._MAXHEADERS = MAX_HEADER_LINES  # type: ignore[attr-defined]

# --- The token-counting rule (see the module docstring). ---------------------------------------------
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
DEFAULT_COMPLETION_TOKENS = 16
DEFAULT_EMBEDDING_DIMENSIONS = 8
TOOL_ARGUMENT_PIECE_CHARS = 16

# Fixed values where a real API would put a clock or a random value: keeps answers deterministic.
CREATED_TIMESTAMP = 1_700_000_000
SYSTEM_FINGERPRINT = "fp_mock_llm"
ANSWER_PREFIX = "Echo:"
# fmt: off
FILLER_WORDS = (
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod",
    "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua",
)
# fmt: on
MODELS = ("mock-gpt-4o", "mock-gpt-4o-mini", "mock-claude-3-5-sonnet", "mock-embedding-small")
DEFAULT_MODEL = "mock-gpt-4o"

LISTENING_LINE_PREFIX = "mock_llm listening on"
ERROR_KINDS = frozenset({"timeout", "reset", "truncated-stream", "short-body"})
ZLIB_CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}  # coding -> zlib wbits
CONTENT_ENCODINGS = frozenset(ZLIB_CODINGS) | (frozenset({"br"}) if brotli is not None else frozenset())
BODY_FORMATS = frozenset({"text"})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
TOOL_NAME_PATTERN = r"[A-Za-z0-9_-]{1,64}"
TOOL_NAME_RE = re.compile(TOOL_NAME_PATTERN)
TOOL_TRIGGER_RE = re.compile(rf"call_tool:({TOOL_NAME_PATTERN})")
HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
DIGITS_RE = re.compile(r"[0-9]{1,9}")
CONTENT_LENGTH_RE = re.compile(r"[0-9]{1,20}")
WORD_RE = re.compile(r"\S+")
CHUNK_SIZE_RE = re.compile(rb"[0-9A-Fa-f]{1,8}")


# ======================================================================================================
# Errors and replies: route functions are pure (request in, reply out) so the transport stays in one place.
# ======================================================================================================
class ApiError(Exception):
    """A request the mock refuses; sent as an OpenAI-style ``{"error": {...}}`` body with ``status``."""

    def __init__(self, status: int, message: str, code: str, error_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.error_type = error_type or error_type_for_status(status)


@dataclass(frozen=True)
class JsonReply:
    """A complete response body sent with ``Content-Length``."""

    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class StreamReply:
    """An SSE stream: pre-encoded events, each sent as one HTTP chunk and flushed on its own.

    ``cut`` is where ``X-Mock-Error: truncated-stream`` / ``reset`` stop: after the opening events and
    the first half of the content deltas, before any finish event, usage or ``[DONE]``.
    """

    events: tuple[bytes, ...]
    cut: int


Reply = JsonReply | StreamReply


def error_type_for_status(status: int) -> str:
    """Maps a status to the ``type`` word both OpenAI and Anthropic clients switch on."""
    named = {
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
        529: "overloaded_error",
    }
    if status in named:
        return named[status]
    return "server_error" if status >= 500 else "invalid_request_error"


def error_body(error: ApiError, anthropic: bool) -> bytes:
    """OpenAI-style error body; on the Anthropic route it also carries ``"type": "error"`` (a superset)."""
    payload: dict[str, Any] = {}
    if anthropic:
        payload["type"] = "error"
    payload["error"] = {"message": error.message, "type": error.error_type, "code": error.code}
    return dump_json(payload)


def dump_json(value: Any) -> bytes:
    """Compact, key-order-preserving JSON: stable bytes for stable requests."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def json_reply(value: Any, status: int = 200) -> JsonReply:
    return JsonReply(status=status, body=dump_json(value))


# ======================================================================================================
# Per-request controls (X-Mock-* headers), with the CLI giving the defaults for the two delays.
# ======================================================================================================
@dataclass(frozen=True)
class Settings:
    """Process-wide settings from the CLI."""

    latency_ms: int = 0
    chunk_delay_ms: int = 0
    hang_limit_s: float = DEFAULT_HANG_LIMIT_S
    max_body_bytes: int = MAX_BODY_BYTES
    quiet: bool = False


@dataclass(frozen=True)
class Controls:
    """What the test asked of this one request."""

    latency_ms: int = 0
    chunk_delay_ms: int = 0
    status: int | None = None
    error: str | None = None
    no_usage: bool = False
    completion_tokens: int | None = None
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    tool_call: str | None = None
    tool_args: str = "{}"
    extra_tool_calls: tuple[tuple[str, str], ...] = ()
    verbatim: bool = False
    piece_chars: int | None = None
    split_at: tuple[int, ...] = ()
    response_headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    content_encoding: str | None = None
    pad_bytes: int = 0
    body_format: str | None = None


def _single_header(headers: Message, name: str) -> str | None:
    values = headers.get_all(name) or []
    if len(values) > 1:
        raise ApiError(400, f"{name} given more than once", "invalid_mock_control")
    return values[0].strip() if values else None


def _bounded_int_header(headers: Message, name: str, low: int, high: int) -> int | None:
    raw = _single_header(headers, name)
    if raw is None:
        return None
    if not DIGITS_RE.fullmatch(raw) or not low <= int(raw) <= high:
        raise ApiError(400, f"{name} must be an integer in [{low}, {high}]", "invalid_mock_control")
    return int(raw)


def parse_controls(headers: Message, settings: Settings) -> Controls:
    """Reads the ``X-Mock-*`` headers; anything malformed or out of bounds is a 400, never guessed."""
    latency = _bounded_int_header(headers, "X-Mock-Latency-Ms", 0, MAX_LATENCY_MS)
    chunk_delay = _bounded_int_header(headers, "X-Mock-Chunk-Delay-Ms", 0, MAX_CHUNK_DELAY_MS)
    status = _bounded_int_header(headers, "X-Mock-Status", 400, 599)
    completion_tokens = _bounded_int_header(headers, "X-Mock-Completion-Tokens", 0, MAX_COMPLETION_TOKENS)
    cached = _bounded_int_header(headers, "X-Mock-Cached-Tokens", 0, MAX_COMPLETION_TOKENS)
    cache_write = _bounded_int_header(headers, "X-Mock-Cache-Write-Tokens", 0, MAX_COMPLETION_TOKENS)
    error = _single_header(headers, "X-Mock-Error")
    if error is not None:
        error = error.lower()
        if error not in ERROR_KINDS:
            raise ApiError(400, f"X-Mock-Error must be one of {sorted(ERROR_KINDS)}", "invalid_mock_control")
    content_encoding = _choice_header(headers, "X-Mock-Content-Encoding", CONTENT_ENCODINGS)
    body_format = _choice_header(headers, "X-Mock-Body-Format", BODY_FORMATS)
    pad_bytes = _bounded_int_header(headers, "X-Mock-Pad-Bytes", 0, MAX_PAD_BYTES)
    no_usage_raw = _single_header(headers, "X-Mock-No-Usage")
    verbatim_raw = _single_header(headers, "X-Mock-Verbatim")
    piece_chars = _bounded_int_header(headers, "X-Mock-Piece-Chars", 1, 65536)
    split_at = _split_offsets(_single_header(headers, "X-Mock-Split-At"))
    tool_call = _single_header(headers, "X-Mock-Tool-Call")
    if tool_call is not None and not TOOL_NAME_RE.fullmatch(tool_call):
        raise ApiError(400, "X-Mock-Tool-Call must match [A-Za-z0-9_-]{1,64}", "invalid_mock_control")
    tool_args = _single_header(headers, "X-Mock-Tool-Args")
    extra_tool_calls: list[tuple[str, str]] = []
    for raw in (headers.get_all("X-Mock-Extra-Tool-Call") or [])[:MAX_EXTRA_TOOL_CALLS]:
        name, _, arguments = raw.strip().partition(" ")
        if not TOOL_NAME_RE.fullmatch(name):
            raise ApiError(400, "X-Mock-Extra-Tool-Call must be 'name {json}'", "invalid_mock_control")
        extra_tool_calls.append((name, arguments.strip() or "{}"))
    extra_headers: list[tuple[str, str]] = []
    for raw in headers.get_all("X-Mock-Response-Header") or []:
        name, sep, value = raw.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not HEADER_NAME_RE.fullmatch(name) or "\r" in value or "\n" in value:
            raise ApiError(400, "X-Mock-Response-Header must be 'Name: value'", "invalid_mock_control")
        extra_headers.append((name, value))
    return Controls(
        latency_ms=settings.latency_ms if latency is None else latency,
        chunk_delay_ms=settings.chunk_delay_ms if chunk_delay is None else chunk_delay,
        status=status,
        error=error,
        no_usage=no_usage_raw is not None and no_usage_raw.lower() in TRUE_WORDS,
        completion_tokens=completion_tokens,
        cached_tokens=cached or 0,
        cache_write_tokens=cache_write or 0,
        tool_call=tool_call,
        tool_args="{}" if tool_args is None else tool_args,
        extra_tool_calls=tuple(extra_tool_calls),
        verbatim=verbatim_raw is not None and verbatim_raw.lower() in TRUE_WORDS,
        piece_chars=piece_chars,
        split_at=split_at,
        response_headers=tuple(extra_headers),
        content_encoding=content_encoding,
        pad_bytes=pad_bytes or 0,
        body_format=body_format,
    )


def _choice_header(headers: Message, name: str, choices: Collection[str]) -> str | None:
    raw = _single_header(headers, name)
    if raw is None:
        return None
    if raw.lower() not in choices:
        raise ApiError(400, f"{name} must be one of {sorted(choices)}", "invalid_mock_control")
    return raw.lower()


# ======================================================================================================
# The deterministic "model": token counts and answer text.
# ======================================================================================================
def text_tokens(text: str) -> int:
    """``ceil(chars / 4)``: close enough to BPE for budgets, and trivial to predict in a test."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def content_text(content: Any, where: str) -> str:
    """Text of a message ``content``: a string, or the ``text`` of its text parts; other parts are 0 chars."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict):
                raise ApiError(400, f"{where}: content parts must be objects", "invalid_content")
            if part.get("type") == "text" and isinstance(part.get("text"), str):
                texts.append(part["text"])
        return "".join(texts)
    raise ApiError(400, f"{where}: content must be a string, a list of parts or null", "invalid_content")


def message_list(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    messages = request.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ApiError(400, "'messages' must be a list of objects", "invalid_messages")
    return messages


def messages_prompt_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(
        MESSAGE_OVERHEAD_TOKENS + text_tokens(content_text(m.get("content"), f"messages[{i}]"))
        for i, m in enumerate(messages)
    )


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "user":
            return content_text(messages[index].get("content"), f"messages[{index}]")
    return ""


def answer_words(prompt_text: str, count: int) -> list[str]:
    """``Echo:`` + the prompt's first words + filler, exactly ``count`` words (each one token)."""
    words = [ANSWER_PREFIX]
    words.extend(m.group(0)[:MAX_ECHO_WORD_CHARS] for m in islice(WORD_RE.finditer(prompt_text), count))
    filler_index = 0
    while len(words) < count:
        words.append(FILLER_WORDS[filler_index % len(FILLER_WORDS)])
        filler_index += 1
    return words[:count]


def word_pieces(words: list[str]) -> list[str]:
    """The streamed deltas: joined back together they give exactly ``" ".join(words)``."""
    return [word if index == 0 else " " + word for index, word in enumerate(words)]


def optional_limit(request: Mapping[str, Any], *names: str) -> int | None:
    """The first present token limit among ``names``; must be a non-negative integer."""
    for name in names:
        value = request.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ApiError(400, f"'{name}' must be a non-negative integer", "invalid_max_tokens")
        return value
    return None


@dataclass(frozen=True)
class Completion:
    """How many tokens the answer has and whether a request limit cut it."""

    tokens: int
    truncated: bool


def plan_completion(controls: Controls, limit: int | None) -> Completion:
    natural = DEFAULT_COMPLETION_TOKENS if controls.completion_tokens is None else controls.completion_tokens
    if limit is not None and limit < natural:
        return Completion(tokens=limit, truncated=True)
    return Completion(tokens=natural, truncated=False)


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str
    tokens: int


def plan_tool_call(request: Mapping[str, Any], controls: Controls, prompt_text: str) -> ToolCall | None:
    """A tool call is answered only when the request declares tools and the test asked for one."""
    tools = request.get("tools")
    if not isinstance(tools, list) or not tools:
        return None
    name = controls.tool_call
    if name is None:
        trigger = TOOL_TRIGGER_RE.search(prompt_text)
        if trigger is None:
            return None
        name = trigger.group(1)
    arguments = controls.tool_args
    tokens = controls.completion_tokens
    if tokens is None:
        tokens = max(1, math.ceil((len(name) + len(arguments)) / CHARS_PER_TOKEN))
    return ToolCall(name=name, arguments=arguments, tokens=tokens)


def plan_extra_tool_calls(controls: Controls, first: ToolCall | None) -> list[ToolCall]:
    """``X-Mock-Extra-Tool-Call: name {json}`` (repeatable): more calls after the first, in header order."""
    if first is None:
        return []
    return [
        ToolCall(name=name, arguments=arguments, tokens=max(1, math.ceil((len(name) + len(arguments)) / 4)))
        for name, arguments in controls.extra_tool_calls
    ]


def stable_id(prefix: str, path: str, body: bytes, length: int = 24) -> str:
    """Same request, same id: a hash where a real API would put a random value."""
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape") + b"\0" + body).hexdigest()
    return prefix + digest[:length]


def requested_model(request: Mapping[str, Any]) -> str:
    model = request.get("model")
    return model if isinstance(model, str) and model else DEFAULT_MODEL


def include_usage_in_stream(request: Mapping[str, Any]) -> bool:
    options = request.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def sse_data(value: Any) -> bytes:
    return b"data: " + dump_json(value) + b"\n\n"


def sse_event(name: str, value: Any) -> bytes:
    return b"event: " + name.encode("ascii") + b"\ndata: " + dump_json(value) + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"


def _split_offsets(raw: str | None) -> tuple[int, ...]:
    if raw is None:
        return ()
    parts = raw.split(",")
    if len(parts) > 64 or not all(DIGITS_RE.fullmatch(p.strip()) for p in parts):
        raise ApiError(
            400, "X-Mock-Split-At must be up to 64 comma-separated offsets", "invalid_mock_control"
        )
    offsets = tuple(int(p) for p in parts)
    if list(offsets) != sorted(set(offsets)):
        raise ApiError(400, "X-Mock-Split-At offsets must increase", "invalid_mock_control")
    return offsets


def split_pieces(text: str, size: int) -> list[str]:
    """``text`` in pieces of ``size`` characters (one empty piece for an empty text)."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def planned_answer(
    prompt_text: str, completion: Completion, controls: Controls
) -> tuple[str, list[str], int, bool]:
    """The answer's text, its streamed pieces, its completion tokens and whether a limit cut it."""
    if controls.verbatim and controls.split_at:
        cuts = [0, *(o for o in controls.split_at if 0 < o < len(prompt_text)), len(prompt_text)]
        pieces = [prompt_text[a:b] for a, b in pairwise(cuts)]
        return prompt_text, pieces, text_tokens(prompt_text), False
    if controls.verbatim:
        pieces = split_pieces(prompt_text, controls.piece_chars or max(1, len(prompt_text)))
        return prompt_text, pieces, text_tokens(prompt_text), False
    words = answer_words(prompt_text, completion.tokens)
    text = " ".join(words)
    pieces = word_pieces(words) if controls.piece_chars is None else split_pieces(text, controls.piece_chars)
    return text, pieces, completion.tokens, completion.truncated


def split_arguments(arguments: str, size: int | None = None) -> list[str]:
    size = size or TOOL_ARGUMENT_PIECE_CHARS
    return [arguments[i : i + size] for i in range(0, len(arguments), size)]


# ======================================================================================================
# Routes. Each takes the parsed request and returns a Reply or raises ApiError.
# ======================================================================================================
@dataclass(frozen=True)
class RouteInput:
    """Everything a route may depend on; nothing else, so answers are deterministic."""

    path: str
    raw_body: bytes
    request: dict[str, Any]
    controls: Controls


def openai_usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def chat_completions(route: RouteInput) -> Reply:
    request, controls = route.request, route.controls
    messages = message_list(request)
    prompt_tokens = messages_prompt_tokens(messages)
    prompt_text = last_user_text(messages)
    limit = optional_limit(request, "max_completion_tokens", "max_tokens")
    tool = plan_tool_call(request, controls, prompt_text)
    extra = plan_extra_tool_calls(controls, tool)
    completion = plan_completion(controls, limit)
    completion_id = stable_id("chatcmpl-", route.path, route.raw_body)
    model = requested_model(request)
    if tool is not None:
        finish_reason, text, pieces = "tool_calls", "", []
        completion_tokens = tool.tokens + sum(call.tokens for call in extra)
    else:
        text, pieces, completion_tokens, truncated = planned_answer(prompt_text, completion, controls)
        finish_reason = "length" if truncated else "stop"
    tool_call_id = stable_id("call_", route.path, route.raw_body)
    usage: dict[str, Any] = openai_usage(prompt_tokens, completion_tokens)
    if controls.cached_tokens:
        usage["prompt_tokens_details"] = {"cached_tokens": min(controls.cached_tokens, prompt_tokens)}

    if request.get("stream") is True:
        return chat_stream(
            completion_id, model, pieces, tool, tool_call_id, finish_reason, usage, route, extra
        )

    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    if tool is not None:
        message["content"] = None
        message["tool_calls"] = [
            {
                "id": tool_call_id + (f"_{index}" if index else ""),
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for index, call in enumerate([tool, *extra])
        ]
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion",
        "created": CREATED_TIMESTAMP,
        "model": model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
    }
    if not controls.no_usage:
        body["usage"] = usage
    return json_reply(body)


def chat_stream(
    completion_id: str,
    model: str,
    pieces: list[str],
    tool: ToolCall | None,
    tool_call_id: str,
    finish_reason: str,
    usage: dict[str, Any],
    route: RouteInput,
    extra: list[ToolCall] | None = None,
) -> StreamReply:
    """OpenAI chunk sequence: role, one delta per token (or tool-call pieces), finish, [usage], [DONE]."""
    with_usage = include_usage_in_stream(route.request) and not route.controls.no_usage

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        body: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": CREATED_TIMESTAMP,
            "model": model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if with_usage:
            body["usage"] = None  # OpenAI marks every non-final chunk this way when usage is requested.
        return sse_data(body)

    if tool is None:
        events = [chunk({"role": "assistant", "content": "", "refusal": None})]
        deltas = [chunk({"content": piece}) for piece in pieces]
    else:
        events = [chunk({"role": "assistant", "content": None, "refusal": None})]
        deltas = []
        for index, call in enumerate([tool, *(extra or [])]):
            opening = {
                "index": index,
                "id": tool_call_id + (f"_{index}" if index else ""),
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            deltas.append(chunk({"tool_calls": [opening]}))
            deltas.extend(
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                for piece in split_arguments(call.arguments, route.controls.piece_chars)
            )
    cut = len(events) + math.ceil(len(deltas) / 2)
    events.extend(deltas)
    events.append(chunk({}, finish_reason))
    if with_usage:
        events.append(
            sse_data(
                {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": CREATED_TIMESTAMP,
                    "model": model,
                    "system_fingerprint": SYSTEM_FINGERPRINT,
                    "choices": [],
                    "usage": usage,
                }
            )
        )
    events.append(SSE_DONE)
    return StreamReply(events=tuple(events), cut=cut)


def prompt_strings(request: Mapping[str, Any], name: str) -> tuple[list[str], int]:
    """A ``prompt``/``input`` value as (texts, token count): str, list of str, or list of token ints."""
    value = request.get(name)
    if isinstance(value, str):
        return [value], text_tokens(value)
    if isinstance(value, list) and value:
        if all(isinstance(item, str) for item in value):
            return list(value), sum(text_tokens(item) for item in value)
        if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            return [" ".join(str(item) for item in value)], len(value)
        if all(
            isinstance(item, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in item)
            for item in value
        ):
            return [" ".join(str(t) for t in item) for item in value], sum(len(item) for item in value)
    raise ApiError(
        400, f"'{name}' must be a string, a list of strings or a list of token ids", "invalid_input"
    )


def legacy_completions(route: RouteInput) -> Reply:
    request, controls = route.request, route.controls
    prompts, prompt_tokens = prompt_strings(request, "prompt")
    completion = plan_completion(controls, optional_limit(request, "max_tokens"))
    words = answer_words(" ".join(prompts), completion.tokens)
    finish_reason = "length" if completion.truncated else "stop"
    usage = openai_usage(prompt_tokens, completion.tokens)
    base = {
        "id": stable_id("cmpl-", route.path, route.raw_body),
        "object": "text_completion",
        "created": CREATED_TIMESTAMP,
        "model": requested_model(request),
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }

    def choice(text: str, finish: str | None) -> dict[str, Any]:
        return {"text": text, "index": 0, "logprobs": None, "finish_reason": finish}

    if request.get("stream") is True:
        deltas = [sse_data({**base, "choices": [choice(piece, None)]}) for piece in word_pieces(words)]
        events = [*deltas, sse_data({**base, "choices": [choice("", finish_reason)]})]
        if include_usage_in_stream(request) and not controls.no_usage:
            events.append(sse_data({**base, "choices": [], "usage": usage}))
        events.append(SSE_DONE)
        return StreamReply(events=tuple(events), cut=math.ceil(len(deltas) / 2))

    body: dict[str, Any] = {**base, "choices": [choice(" ".join(words), finish_reason)]}
    if not controls.no_usage:
        body["usage"] = usage
    return json_reply(body)


def embedding_vector(text: str, index: int, dimensions: int) -> list[float]:
    """Hash-derived values in [-1, 1], rounded so the JSON is short and stable."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        seed = f"{counter}:{index}:{text}".encode("utf-8", "surrogatepass")
        digest = hashlib.sha256(seed).digest()
        values.extend(round(byte / 127.5 - 1.0, 6) for byte in digest)
        counter += 1
    return values[:dimensions]


def embeddings(route: RouteInput) -> Reply:
    request, controls = route.request, route.controls
    inputs, prompt_tokens = prompt_strings(request, "input")
    if len(inputs) > MAX_EMBEDDING_INPUTS:
        raise ApiError(400, f"at most {MAX_EMBEDDING_INPUTS} inputs", "invalid_input")
    dimensions = request.get("dimensions", DEFAULT_EMBEDDING_DIMENSIONS)
    if (
        isinstance(dimensions, bool)
        or not isinstance(dimensions, int)
        or not 1 <= dimensions <= MAX_EMBEDDING_DIMENSIONS
    ):
        raise ApiError(
            400, f"'dimensions' must be an integer in [1, {MAX_EMBEDDING_DIMENSIONS}]", "invalid_input"
        )
    encoding = request.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise ApiError(400, "'encoding_format' must be 'float' or 'base64'", "invalid_input")
    data = []
    for index, text in enumerate(inputs):
        vector = embedding_vector(text, index, dimensions)
        encoded: Any = vector
        if encoding == "base64":
            encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    body: dict[str, Any] = {"object": "list", "data": data, "model": requested_model(request)}
    if not controls.no_usage:
        body["usage"] = {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens}
    return json_reply(body)


def anthropic_messages(route: RouteInput) -> Reply:
    request, controls = route.request, route.controls
    messages = message_list(request)
    input_tokens = messages_prompt_tokens(messages)
    if request.get("system") is not None:
        input_tokens += MESSAGE_OVERHEAD_TOKENS + text_tokens(content_text(request["system"], "system"))
    prompt_text = last_user_text(messages)
    tool = plan_tool_call(request, controls, prompt_text)
    extra = plan_extra_tool_calls(controls, tool)
    completion = plan_completion(controls, optional_limit(request, "max_tokens"))
    message_id = stable_id("msg_", route.path, route.raw_body)
    model = requested_model(request)
    blocks: list[dict[str, Any]]
    if tool is not None:
        blocks = []
        for index, call in enumerate([tool, *extra]):
            try:
                tool_input = json.loads(call.arguments)
            except (ValueError, RecursionError):
                tool_input = {}
            if not isinstance(tool_input, dict):
                tool_input = {}
            tool_id = stable_id("toolu_", route.path, route.raw_body) + (f"_{index}" if index else "")
            blocks.append({"type": "tool_use", "id": tool_id, "name": call.name, "input": tool_input})
        stop_reason, pieces = "tool_use", []
        output_tokens = tool.tokens + sum(call.tokens for call in extra)
    else:
        text, pieces, output_tokens, truncated = planned_answer(prompt_text, completion, controls)
        blocks = [{"type": "text", "text": text}]
        stop_reason = "max_tokens" if truncated else "end_turn"
    usage = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    read = min(controls.cached_tokens, input_tokens)
    written = min(controls.cache_write_tokens, input_tokens - read)
    if read or written:
        usage = {
            "input_tokens": input_tokens - read - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
            "output_tokens": output_tokens,
        }
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks,
        "stop_reason": stop_reason,
        "stop_sequence": None,
    }
    if not controls.no_usage:
        message["usage"] = usage
    if request.get("stream") is not True:
        return json_reply(message)
    return anthropic_stream(message, pieces, controls.piece_chars)


def anthropic_stream(
    message: dict[str, Any], pieces: list[str], piece_chars: int | None = None
) -> StreamReply:
    """Anthropic events: message_start, block start, deltas, block stop, message_delta, message_stop."""
    blocks = message["content"]
    start_message = {**message, "content": [], "stop_reason": None}
    if "usage" in message:
        # output_tokens in message_delta is the cumulative total, so the start carries 0.
        start_message["usage"] = {**message["usage"], "output_tokens": 0}
    events = [sse_event("message_start", {"type": "message_start", "message": start_message})]

    def block_delta(index: int, delta: dict[str, str]) -> bytes:
        body = {"type": "content_block_delta", "index": index, "delta": delta}
        return sse_event("content_block_delta", body)

    cut = 0
    for index, block in enumerate(blocks):
        if block["type"] == "tool_use":
            opening = {**block, "input": {}}
            partial = json.dumps(block["input"], separators=(",", ":")) if block["input"] else ""
            deltas = [
                block_delta(index, {"type": "input_json_delta", "partial_json": piece})
                for piece in split_arguments(partial, piece_chars)
            ]
        else:
            opening = {"type": "text", "text": ""}
            deltas = [block_delta(index, {"type": "text_delta", "text": piece}) for piece in pieces]
        start_block = {"type": "content_block_start", "index": index, "content_block": opening}
        events.append(sse_event("content_block_start", start_block))
        if index == 0:
            cut = len(events) + math.ceil(len(deltas) / 2)
        events.extend(deltas)
        events.append(sse_event("content_block_stop", {"type": "content_block_stop", "index": index}))
    message_delta: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
    }
    if "usage" in message:
        message_delta["usage"] = {"output_tokens": message["usage"]["output_tokens"]}
    events.append(sse_event("message_delta", message_delta))
    events.append(sse_event("message_stop", {"type": "message_stop"}))
    return StreamReply(events=tuple(events), cut=cut)


def list_models() -> Reply:
    data = [
        {"id": m, "object": "model", "created": CREATED_TIMESTAMP, "owned_by": "mock-llm"} for m in MODELS
    ]
    return json_reply({"object": "list", "data": data})


def echo(method: str, path: str, query: str, headers: Message, body: bytes) -> Reply:
    """What the upstream received, headers in arrival order with repeats kept, for anti-spoofing asserts."""
    try:
        text: str = body.decode("utf-8")
        is_base64 = False
    except UnicodeDecodeError:
        text, is_base64 = base64.b64encode(body).decode("ascii"), True
    return json_reply(
        {
            "method": method,
            "path": path,
            "query": query,
            "headers": [[name, value] for name, value in headers.items()],
            "body": text,
            "body_base64": is_base64,
        }
    )


MCP_TOOLS = ("search", "transfer", "shell")


def mcp_answer(message: Any) -> dict[str, Any]:
    """One JSON-RPC answer of a minimal MCP server: ``tools/list`` (MCP_TOOLS) and ``tools/call``."""
    if not isinstance(message, dict) or not isinstance(message.get("method"), str):
        return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Invalid Request"}}
    answer: dict[str, Any] = {"jsonrpc": "2.0", "id": message.get("id")}
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    if message["method"] == "tools/list":
        answer["result"] = {
            "tools": [
                {"name": name, "description": f"the {name} tool", "inputSchema": {"type": "object"}}
                for name in MCP_TOOLS
            ]
        }
    elif message["method"] == "tools/call":
        text = f"called {params.get('name')} with {dump_json(params.get('arguments') or {}).decode()}"
        answer["result"] = {"content": [{"type": "text", "text": text}], "isError": False}
    else:
        answer["error"] = {"code": -32601, "message": "Method not found"}
    return answer


def mcp(route: RouteInput) -> Reply:
    """``POST /mcp``: JSON-RPC 2.0, one message or a batch (an array answered by an array)."""
    try:
        request = json.loads(route.raw_body.decode("utf-8"))
    except (ValueError, RecursionError):
        return json_reply({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
    if isinstance(request, list):
        return json_reply([mcp_answer(message) for message in request[:MAX_EMBEDDING_INPUTS]])
    return json_reply(mcp_answer(request))


JSON_ROUTES: dict[str, Callable[[RouteInput], Reply]] = {
    "/v1/chat/completions": chat_completions,
    "/v1/completions": legacy_completions,
    "/v1/embeddings": embeddings,
    "/v1/messages": anthropic_messages,
}
ANTHROPIC_PATHS = frozenset({"/v1/messages"})


def is_echo_path(path: str) -> bool:
    return path == "/echo" or path.startswith(("/echo/", "/anything"))


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Strict UTF-8 JSON object; depth bombs and giant integers are a 400 like any other bad JSON."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise ApiError(
            400, f"request body is not valid JSON: {type(error).__name__}", "invalid_json"
        ) from None
    if not isinstance(value, dict):
        raise ApiError(400, "request body must be a JSON object", "invalid_json")
    return value


# ======================================================================================================
# Counters for "did this request reach the upstream at all?"
# ======================================================================================================
class RequestStats:
    """Thread-safe request counts per path (query excluded); ``/__*`` control paths are never counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: dict[str, int] = {}

    def count(self, path: str) -> None:
        with self._lock:
            self._paths[path] = self._paths.get(path, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            paths = dict(sorted(self._paths.items()))
        return {"total": sum(paths.values()), "paths": paths}

    def reset(self) -> None:
        with self._lock:
            self._paths.clear()


# ======================================================================================================
# HTTP transport.
# ======================================================================================================
class BodyError(Exception):
    """The request body cannot be read; the connection must close because its framing is now unknown."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class MockLLMServer(ThreadingHTTPServer):
    """Threaded server holding the settings and counters; handler threads are daemons so SIGTERM is quick."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # The default backlog of 5 drops connections under bench concurrency.

    def __init__(self, address: tuple[str, int], settings: Settings, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.settings = settings
        self.stats = RequestStats()
        super().__init__(address, MockLLMHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the FQDN of the host, a DNS round trip we neither need nor trust.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # A client going away mid-response is a normal event for a fault-injecting upstream.
        super().handle_error(request, client_address)


class MockLLMHandler(BaseHTTPRequestHandler):
    """One request at a time per connection (HTTP/1.1 keep-alive); any method name is dispatched."""

    protocol_version = "HTTP/1.1"
    server_version = "mock-llm/1.0"
    timeout = IDLE_TIMEOUT_S
    # Headers and body (and each SSE event) are separate writes: Nagle + delayed ACK would add ~40 ms each.
    disable_nagle_algorithm = True
    server: MockLLMServer

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler looks up do_<METHOD>; the echo endpoint accepts every method.
        if name.startswith("do_"):
            return self.handle_any_method
        raise AttributeError(name)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.settings.quiet:
            sys.stderr.write(f"mock_llm: {self.address_string()} {format % args}\n")

    # --- request side --------------------------------------------------------------------------------
    def handle_any_method(self) -> None:
        path, _, query = self.path.partition("?")
        if not path.startswith("/__"):
            self.server.stats.count(path)
        try:
            body = self.read_body()
        except BodyError as error:
            self.close_connection = True  # The rest of the body is unread, so the framing is lost.
            refusal = ApiError(error.status, error.message, "invalid_body")
            self.send_json(error.status, error_body(refusal, False), ())
            return
        if path.startswith("/__"):
            self.send_reply(self.control_endpoint(path), Controls())
            return
        anthropic = path in ANTHROPIC_PATHS
        try:
            controls = parse_controls(self.headers, self.server.settings)
        except ApiError as error:
            self.send_json(error.status, error_body(error, anthropic), ())
            return
        if controls.latency_ms:
            time.sleep(controls.latency_ms / 1000)
        if controls.error == "timeout":
            self.hang_until_client_leaves()
            return
        try:
            if controls.status is not None:
                raise ApiError(
                    controls.status,
                    f"mock upstream error (status {controls.status})",
                    f"mock_status_{controls.status}",
                )
            reply = self.route(path, query, body, controls)
        except ApiError as error:
            reply = JsonReply(status=error.status, body=error_body(error, anthropic))
        self.send_reply(reply, controls)

    def route(self, path: str, query: str, body: bytes, controls: Controls) -> Reply:
        if is_echo_path(path):
            return echo(self.command, path, query, self.headers, body)
        if path == "/v1/models":
            if self.command != "GET":
                raise ApiError(405, "use GET", "method_not_allowed")
            return list_models()
        if path == "/mcp" and self.command == "POST":
            return mcp(RouteInput(path=path, raw_body=body, request={}, controls=controls))
        handler = JSON_ROUTES.get(path)
        if handler is None:
            raise ApiError(404, f"no route for {path}", "not_found")
        if self.command != "POST":
            raise ApiError(405, "use POST", "method_not_allowed")
        return handler(
            RouteInput(path=path, raw_body=body, request=parse_json_object(body), controls=controls)
        )

    def control_endpoint(self, path: str) -> Reply:
        expected = {"/__health": "GET", "/__stats": "GET", "/__reset": "POST"}.get(path)
        if expected is None:
            return JsonReply(404, error_body(ApiError(404, f"no route for {path}", "not_found"), False))
        if self.command != expected:
            return JsonReply(405, error_body(ApiError(405, f"use {expected}", "method_not_allowed"), False))
        if path == "/__stats":
            return json_reply(self.server.stats.snapshot())
        if path == "/__reset":
            self.server.stats.reset()
            return json_reply({"status": "reset"})
        return json_reply({"status": "ok"})

    def read_body(self) -> bytes:
        """Reads a Content-Length or chunked body, refusing ambiguous framing and anything over the bound."""
        limit = self.server.settings.max_body_bytes
        transfer_encodings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if transfer_encodings and lengths:
            raise BodyError(400, "both Transfer-Encoding and Content-Length")
        if transfer_encodings:
            if [v.strip().lower() for v in transfer_encodings] != ["chunked"]:
                raise BodyError(501, "only 'Transfer-Encoding: chunked' is supported")
            return self.read_chunked_body(limit)
        if not lengths:
            return b""
        if len(set(lengths)) != 1 or not CONTENT_LENGTH_RE.fullmatch(lengths[0].strip()):
            raise BodyError(400, "invalid Content-Length")
        length = int(lengths[0].strip())
        if length > limit:
            raise BodyError(413, f"request body over {limit} bytes")
        return self.read_exactly(length)

    def read_exactly(self, length: int) -> bytes:
        data = self.rfile.read(length)
        if len(data) != length:
            raise BodyError(400, "request body ended early")
        return data

    def read_chunked_body(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(MAX_CHUNK_LINE_BYTES + 1)
            if len(line) > MAX_CHUNK_LINE_BYTES or not line.endswith(b"\n"):
                raise BodyError(400, "invalid chunk size line")
            size_text = line.split(b";", 1)[0].strip()
            if not CHUNK_SIZE_RE.fullmatch(size_text):
                raise BodyError(400, "invalid chunk size")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > limit:
                raise BodyError(413, f"request body over {limit} bytes")
            parts.append(self.read_exactly(size))
            if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise BodyError(400, "chunk not followed by CRLF")
        for _ in range(MAX_TRAILER_LINES):
            trailer = self.rfile.readline(MAX_CHUNK_LINE_BYTES + 1)
            if trailer in (b"\r\n", b"\n"):
                return b"".join(parts)
            if not trailer or len(trailer) > MAX_CHUNK_LINE_BYTES:
                break
        raise BodyError(400, "invalid chunked trailer")

    # --- response side -------------------------------------------------------------------------------
    def send_reply(self, reply: Reply, controls: Controls) -> None:
        try:
            if isinstance(reply, StreamReply):
                self.send_stream(reply, controls)
            else:
                self.send_body(reply, controls)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def start_response(
        self, status: int, headers: list[tuple[str, str]], extra: tuple[tuple[str, str], ...]
    ) -> None:
        self.send_response(status)
        for name, value in (*headers, *extra):
            self.send_header(name, value)
        self.end_headers()

    def send_json(self, status: int, body: bytes, extra: tuple[tuple[str, str], ...]) -> None:
        self.send_reply(JsonReply(status=status, body=body), Controls(response_headers=extra))

    def send_body(self, reply: JsonReply, controls: Controls) -> None:
        body, content_type = shaped_body(reply, controls)
        encoding_headers: list[tuple[str, str]] = []
        if controls.content_encoding is not None:
            encoder = new_encoder(controls.content_encoding)
            body = encoder.compress(body) + encoder.flush()
            encoding_headers.append(("Content-Encoding", controls.content_encoding))
        announced = len(body)
        if controls.error == "truncated-stream":
            body = body[: len(body) // 2]  # Correctly framed, but not the whole JSON document.
            announced = len(body)
        headers = [("Content-Type", content_type), *encoding_headers, ("Content-Length", str(announced))]
        if self.close_connection:
            headers.append(("Connection", "close"))
        self.start_response(reply.status, headers, controls.response_headers)
        if self.command == "HEAD":
            return
        if controls.error == "reset":
            self.wfile.write(body[: len(body) // 2])
            self.abort_connection()
            return
        if controls.error == "short-body":  # a wrong Content-Length: the whole announced, half sent, FIN
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def send_stream(self, reply: StreamReply, controls: Controls) -> None:
        headers = [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("Transfer-Encoding", "chunked"),
        ]
        encoder = None
        if controls.content_encoding is not None:
            encoder = new_encoder(controls.content_encoding)
            headers.append(("Content-Encoding", controls.content_encoding))
        self.start_response(200, headers, controls.response_headers)
        events = reply.events if controls.error is None else reply.events[: reply.cut]
        for index, event in enumerate(events):
            if index and controls.chunk_delay_ms:
                time.sleep(controls.chunk_delay_ms / 1000)
            if encoder is not None:
                event = encoder.compress(event) + encoder.flush(zlib.Z_SYNC_FLUSH)
            self.write_chunk(event)
        if controls.error == "reset":
            self.abort_connection()
            return
        if encoder is not None:
            self.write_chunk(encoder.flush())
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def write_chunk(self, data: bytes) -> None:
        if data:  # an empty chunk would end the body
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def abort_connection(self) -> None:
        """Closes with a TCP RST (SO_LINGER 0) so the client sees a reset, not a clean end of stream."""
        self.wfile.flush()
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def hang_until_client_leaves(self) -> None:
        """Never answers: waits until the client closes (or the hang limit passes), then drops the socket."""
        self.close_connection = True
        deadline = time.monotonic() + self.server.settings.hang_limit_s
        sock = self.connection
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(min(remaining, HANG_POLL_S))
            try:
                peeked = sock.recv(1, socket.MSG_PEEK)
            except TimeoutError:
                continue  # Nothing from the client: it is still waiting for us.
            except OSError:
                return
            if not peeked:
                return  # Orderly close: the client went away.
            # Pipelined bytes: the client is still there, and peeking again would return at once.
            time.sleep(min(remaining, HANG_POLL_S))


# ======================================================================================================
# Answer shapes (X-Mock-Content-Encoding, X-Mock-Pad-Bytes, X-Mock-Body-Format).
# ======================================================================================================
def new_encoder(coding: str) -> Any:
    """A compressor for ``coding`` (gzip, deflate in the zlib format as HTTP defines it, br) with zlib's
    ``compress(data)`` / ``flush(mode)`` interface."""
    if coding == "br":
        return BrotliEncoder()
    return zlib.compressobj(6, zlib.DEFLATED, ZLIB_CODINGS[coding])


class BrotliEncoder:
    """brotli's compressor behind zlib's interface: ``flush(Z_SYNC_FLUSH)`` flushes, ``flush()`` finishes."""

    def __init__(self) -> None:
        self.compressor = brotli.Compressor(quality=5)

    def compress(self, data: bytes) -> bytes:
        return bytes(self.compressor.process(data))

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        if mode == zlib.Z_FINISH:
            return bytes(self.compressor.finish())
        return bytes(self.compressor.flush())


def shaped_body(reply: JsonReply, controls: Controls) -> tuple[bytes, str]:
    """(body, content type) of a JSON reply after the shape controls; error answers keep their shape."""
    if reply.status != 200 or reply.content_type != "application/json":
        return reply.body, reply.content_type
    if controls.body_format == "text":
        return answer_text(json.loads(reply.body)).encode("utf-8"), "text/plain; charset=utf-8"
    if controls.pad_bytes and reply.body.startswith(b"{"):
        return padded(reply.body, controls.pad_bytes), reply.content_type
    return reply.body, reply.content_type


def padded(body: bytes, pad_bytes: int) -> bytes:
    """The same JSON document with ``pad_bytes`` spaces after its ``{``."""
    return b"{" + b" " * pad_bytes + body[1:]


def answer_text(document: Any) -> str:
    """The text of an OpenAI chat/completions or Anthropic messages answer ("" for other answers)."""
    if not isinstance(document, dict):
        return ""
    texts: list[str] = []
    for choice in document.get("choices") or []:
        message = choice.get("message") or {}
        texts.append(message.get("content") or choice.get("text") or "")
    for block in document.get("content") or []:
        if isinstance(block, dict) and block.get("type") == "text":
            texts.append(block.get("text", ""))
    return "".join(texts)


# ======================================================================================================
# CLI.
# ======================================================================================================
def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_family(host: str) -> socket.AddressFamily:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def bounded_number(kind: type[int] | type[float], low: float, high: float) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        try:
            value = kind(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in [{low}, {high}]")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mock_llm.py",
        description="Deterministic mock LLM upstream (OpenAI + Anthropic shapes, echo, fault injection).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address; loopback only unless allowed")
    parser.add_argument(
        "--port", type=bounded_number(int, 0, 65535), default=9000, help="0 picks a free port"
    )
    parser.add_argument(
        "--allow-non-loopback", action="store_true", help="permit binding a non-loopback address"
    )
    parser.add_argument(
        "--latency-ms",
        type=bounded_number(int, 0, MAX_LATENCY_MS),
        default=0,
        help="default delay before each response (X-Mock-Latency-Ms overrides)",
    )
    parser.add_argument(
        "--chunk-delay-ms",
        type=bounded_number(int, 0, MAX_CHUNK_DELAY_MS),
        default=0,
        help="default delay between SSE events (X-Mock-Chunk-Delay-Ms overrides)",
    )
    parser.add_argument(
        "--hang-limit-s",
        type=bounded_number(float, 0.0, MAX_HANG_LIMIT_S),
        default=DEFAULT_HANG_LIMIT_S,
        help="longest an 'X-Mock-Error: timeout' request holds its connection",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=bounded_number(int, 0, MAX_BODY_BYTES),
        default=MAX_BODY_BYTES,
        help="largest accepted request body",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    return parser


def serve(server: MockLLMServer) -> int:
    """Serves until SIGTERM/SIGINT; the signal only sets a flag, the main thread does the shutdown."""
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    worker.start()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


def listening_line(server: MockLLMServer) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if server.address_family == socket.AF_INET6 else str(host)
    return f"{LISTENING_LINE_PREFIX} {shown}:{port}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.allow_non_loopback and not is_loopback(args.host):
        parser.error(f"refusing to bind non-loopback host {args.host!r} (pass --allow-non-loopback)")
    settings = Settings(
        latency_ms=args.latency_ms,
        chunk_delay_ms=args.chunk_delay_ms,
        hang_limit_s=args.hang_limit_s,
        max_body_bytes=args.max_body_bytes,
        quiet=args.quiet,
    )
    try:
        server = MockLLMServer((args.host, args.port), settings, address_family(args.host))
    except OSError as error:
        print(f"mock_llm: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    print(listening_line(server), flush=True)
    return serve(server)


if __name__ == "__main__":
    sys.exit(main())
