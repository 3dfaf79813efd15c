"""``ai-token-limiter-stream`` handler: the same reservation in ``access``, settled in ``log``.

Why a second plugin: Kong buffers the whole upstream response of a request as soon as one of its plugins
has a ``response`` handler (decided by the plugin's phases, not its config: kong/runloop/plugins_iterator.lua,
kong/init.lua ``Kong.response``), and an SSE stream then reaches the client in one piece at its end. This
plugin has no ``response`` handler, so streams keep streaming; choosing it for a route is the conscious
trade below.

What it settles from: the ``log`` phase runs after the answer was sent, on Kong's snapshot, where the body
is gone. ``kong.log.serialize()`` still has ``response.status`` and ``response.size`` (nginx's
``$bytes_sent``: status line, headers and body). So:

* an error status (>= 400) releases the completion reservation, as in ``ai-token-limiter``
  (``usage_source: "upstream_error"``);
* otherwise completion tokens = ``ceil(body bytes / stream_bytes_per_token)``, where body bytes = ``size``
  minus the serialized response headers, capped at the reserved completion (``usage_source: "counted"``).
  The error is one-sided: SSE framing (``data: {"id":...,"choices":[{"delta":{"content":...}}]}``, ~150
  bytes per OpenAI delta) is counted as if it were text, so the settlement over-counts (for long
  OpenAI-style streams it stays at the reservation), and never counts less than ``text chars /
  stream_bytes_per_token``;
* the whole reservation is kept (``usage_source: "estimate"``) when the bytes say nothing about the text:
  an answer with a ``Content-Encoding`` (the snapshot's response headers: compressed bytes are several
  times fewer than the text's, so dividing them would undercount), a size of 0 or no size, no status.
  The prompt estimate always stands.

What this plugin cannot see: the body (gone in ``log``; ``kong.service.response.get_raw_body`` needs
buffering), so neither an upstream's reported usage nor whether a stream was cut before its end. A cut
stream is settled from the bytes that did arrive, framing included (over-counting the text that arrived,
but not what the model may have generated after the cut); routes that must settle exactly use
``ai-token-limiter``, which reads the body and settles a cut stream as its reservation.

PDK round trips in ``log``: ``kong.ctx.shared.get("ai_guard")``, ``kong.log.serialize``,
``kong.ctx.shared.set("ai_guard", ...)``: 3
(after the response, so the client never waits for them). Redis: at most one script call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar

from kong_plugins.ai_token_limiter.compute import serialized_compute_ms
from kong_plugins.ai_token_limiter.engine import TokenLimiterBase
from kong_plugins.ai_token_limiter.plan import Amounts
from kong_plugins.ai_token_limiter.reservation import (
    COUNTED,
    ESTIMATE,
    UPSTREAM_ERROR,
    Reservation,
    UsageSource,
)
from kong_plugins.ai_token_limiter_stream.schema import NAME, SCHEMA
from kong_plugins.core.content_encoding import is_identity
from kong_plugins.core.context import SharedEntry
from kong_plugins.core.handler import phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.schema.dsl import PluginSchema

__all__ = ["PRIORITY", "VERSION", "Plugin", "streamed_completion_tokens"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)
MAX_SERIALIZED_CHARS = 4 * 1024 * 1024
_STATUS_LINE_BYTES = len("HTTP/1.1 200 OK\r\n") + 2  # and the blank line after the headers


def _header_bytes(headers: Any) -> int:
    if not isinstance(headers, Mapping):
        return 0
    total = 0
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        total += sum(len(str(name)) + len(str(item)) + 4 for item in values)
    return total


def streamed_completion_tokens(
    serialized: Mapping[str, Any], reserved: int, bytes_per_token: int
) -> int | None:
    """Completion tokens of a successful answer from the log snapshot; None when its size is unknown."""
    response = serialized.get("response")
    if not isinstance(response, Mapping):
        return None
    size = response.get("size")
    if isinstance(size, bool) or not isinstance(size, int | float):
        return None
    body_bytes = size - _header_bytes(response.get("headers")) - _STATUS_LINE_BYTES
    if body_bytes <= 0:
        return None
    return min(reserved, math.ceil(body_bytes / bytes_per_token))


def _content_encoding(serialized: Mapping[str, Any]) -> str | None:
    """The answer's ``Content-Encoding`` from the snapshot's response headers (nginx lowercases names)."""
    response = serialized.get("response")
    headers = response.get("headers") if isinstance(response, Mapping) else None
    if not isinstance(headers, Mapping):
        return None
    for name, value in headers.items():
        if isinstance(name, str) and name.lower() == "content-encoding":
            values = value if isinstance(value, list) else [value]
            return ",".join(str(item) for item in values)
    return None


def _status(serialized: Mapping[str, Any]) -> int | None:
    response = serialized.get("response")
    status = response.get("status") if isinstance(response, Mapping) else None
    return status if isinstance(status, int) and not isinstance(status, bool) else None


class Plugin(TokenLimiterBase):
    """The limits of ``ai-token-limiter`` without buffering: settled after the response, from its size."""

    name = NAME
    schema: ClassVar[PluginSchema] = SCHEMA

    def __init__(self, config: dict[str, Any] | None) -> None:
        super().__init__(config)
        self.bytes_per_token = int(self.config.get("stream_bytes_per_token") or 4)

    @phase
    def access(self, pdk: Pdk) -> None:
        self.reserve(pdk)

    @phase
    def log(self, pdk: Pdk) -> None:
        entry = SharedEntry(pdk)
        reservation = self.pending_reservation(entry)
        if reservation is None:
            return
        raw = pdk.call("log.serialize")
        serialized: Any = {}
        if isinstance(raw, str) and len(raw) <= MAX_SERIALIZED_CHARS:
            try:
                serialized = json.loads(raw)
            except ValueError:
                serialized = {}
        elif isinstance(raw, Mapping):  # a PDK answering with the table itself
            serialized = raw
        actual, source = self._actual(reservation, serialized)
        compute_ms = serialized_compute_ms(serialized, self.settings.compute_header)
        self.settle(entry, reservation, actual, source, compute_ms=compute_ms)

    def _actual(self, reservation: Reservation, serialized: Any) -> tuple[Amounts, UsageSource]:
        reserved = reservation.reserved
        if not isinstance(serialized, Mapping):
            serialized = {}
        status = _status(serialized)
        counted = None
        if status is not None and status < 400 and is_identity(_content_encoding(serialized)):
            counted = streamed_completion_tokens(serialized, reserved.completion_tokens, self.bytes_per_token)
        source: UsageSource
        if status is not None and status >= 400:
            completion, source = 0, UPSTREAM_ERROR
        elif counted is None:
            completion, source = reserved.completion_tokens, ESTIMATE
        else:
            completion, source = counted, COUNTED
        prompt = reserved.prompt_tokens
        cost = self.price_of(reservation.subject.model).cost_nano_usd(prompt, completion)
        return Amounts(prompt, completion, cost), source
