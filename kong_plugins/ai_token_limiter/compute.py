"""The ``compute_seconds`` metric: upstream processing time, counted in milliseconds.

Reserved in ``access`` from a per-model estimate (``compute_estimates``: glob patterns on the model name,
case-insensitive, first match wins; else ``default_compute_seconds``), settled with what the upstream really
took, in this order:

1. the response header ``compute_header`` (default ``openai-processing-ms``: OpenAI's own measure of its
   processing time, in milliseconds), when the answer has one that is a number;
2. else the time from this plugin's reservation (end of its ``access``) to the phase that settles
   (``response`` for ``ai-token-limiter``, ``log`` for the stream variant), on the plugin server's clock.
   It contains the upstream's whole processing, so it never counts less. Kong's own
   ``latencies.proxy`` (``KONG_WAITING_TIME``) is not used: it stops at the upstream's response headers,
   so for a stream it misses the generation itself, and no PDK call gives it in ``response``.

Globs are :mod:`.globs`' (RE2, case-insensitive, compiled once), as for ``pricing``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_token_limiter.globs import GlobTable

__all__ = [
    "MAX_COMPUTE_MS",
    "ComputeTable",
    "header_ms",
    "seconds_to_ms",
    "serialized_compute_ms",
]

MAX_COMPUTE_MS = 86_400_000
"""One day: the most one request is counted (a header claiming more is clamped)."""
MAX_HEADER_CHARS = 32


def seconds_to_ms(seconds: float) -> int:
    return round(seconds * 1000)


@dataclass(frozen=True)
class ComputeTable:
    """Ordered (glob, milliseconds) estimates and the default."""

    rules: GlobTable[int]
    default_ms: int

    @classmethod
    def build(cls, rules: Sequence[tuple[str, float]], default_seconds: float) -> ComputeTable:
        """Compile the globs once (raises :class:`~.globs.InvalidGlob`)."""
        table = GlobTable.build([(pattern, seconds_to_ms(seconds)) for pattern, seconds in rules])
        return cls(table, seconds_to_ms(default_seconds))

    def estimate_ms(self, model: str | None) -> int:
        """The processing time to reserve for ``model``."""
        found = self.rules.lookup(model)
        return self.default_ms if found is None else found


def header_ms(value: Any) -> int | None:
    """A processing-time header (milliseconds, possibly fractional) as whole milliseconds rounded up;
    None when it is absent or not a finite non-negative number (the measured time is used then)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_HEADER_CHARS:
        return None
    text = value.strip()
    if not text or not all(char.isdigit() or char == "." for char in text) or text.count(".") > 1:
        return None
    try:
        ms = float(text)
    except ValueError:
        return None
    return min(MAX_COMPUTE_MS, math.ceil(ms)) if math.isfinite(ms) else None


def serialized_compute_ms(serialized: Any, header: str | None) -> int | None:
    """``header`` of the answer, from ``kong.log.serialize()``'s response headers; None when absent."""
    if not header or not isinstance(serialized, dict):
        return None
    response = serialized.get("response")
    headers = response.get("headers") if isinstance(response, dict) else None
    if not isinstance(headers, dict):
        return None
    wanted = header.lower()
    for name, value in headers.items():
        if isinstance(name, str) and name.lower() == wanted:
            return header_ms(value)
    return None
