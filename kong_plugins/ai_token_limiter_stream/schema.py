"""The ``ai-token-limiter-stream`` configuration: every ``ai-token-limiter`` field, plus how to settle from
the number of bytes streamed (the only measure of the answer Kong's log snapshot keeps)."""

from __future__ import annotations

from kong_plugins.ai_token_limiter.schema import limiter_schema
from kong_plugins.core.schema import field, integer

__all__ = ["NAME", "SCHEMA", "SCHEMA_DUMP", "Schema"]

NAME = "ai-token-limiter-stream"

SCHEMA = limiter_schema(
    NAME,
    [
        field(
            "stream_bytes_per_token",
            integer(
                default=4,
                between=[1, 1024],
                description="Completion tokens are settled as the bytes of the answer's body divided by "
                "this, capped at the reservation. 4 (about one token per four characters of text, and "
                "every byte of SSE framing counted too) over-counts, never under-counts, for ordinary "
                "text.",
            ),
        )
    ],
)
Schema = SCHEMA.schema
SCHEMA_DUMP = SCHEMA.dump
