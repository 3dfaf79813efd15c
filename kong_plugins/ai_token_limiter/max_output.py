"""How many completion tokens a model can produce per completion: what a request without ``max_tokens`` can
really cost, and so what the limiter reserves for it.

Reserving less than a request can use lets it overdraw: the settlement corrects the counters afterwards,
but the request was admitted against a limit it then exceeds (and ``ai-token-limiter-stream`` never settles
above its reservation). So a request that sets no ``max_tokens``/``max_completion_tokens``/
``max_output_tokens`` reserves its model's largest output, looked up (first match wins, globs as in
:mod:`.globs`) in the route's ``max_output_tokens`` entries, then in :data:`SHIPPED_MAX_OUTPUT` below, then
``default_max_tokens`` for models neither lists.

Sources of the shipped table (the providers' model pages, as of 2025; where snapshots of one family differ,
the largest wins, since reserving too much only delays a request and reserving too little lets it overdraw):
OpenAI "Models" (platform.openai.com/docs/models: GPT-4o and GPT-4o mini 16,384; GPT-4.1 32,768; o1, o3,
o3-mini, o4-mini 100,000; o1-mini 65,536; GPT-5 128,000; GPT-4 Turbo and GPT-3.5 Turbo 4,096; GPT-4 8,192
(its whole context window); embedding models produce none), Anthropic "Models overview"
(docs.anthropic.com/en/docs/about-claude/models: Claude 3 4,096; Claude 3.5 8,192; Claude 3.7 Sonnet 128,000
with the ``output-128k`` beta header a client may send; Sonnet 4 and 4.5, Haiku 4.5, Opus 4.5 64,000; Opus 4
and 4.1 32,000), Google "Gemini models" (ai.google.dev/gemini-api/docs/models: 1.5 and 2.0 8,192; 2.5
65,536). Routes to other models, or to newer snapshots with larger outputs, list them in
``max_output_tokens``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kong_plugins.ai_token_limiter.globs import GlobTable

__all__ = ["SHIPPED_MAX_OUTPUT", "MaxOutputTable"]

SHIPPED_MAX_OUTPUT: tuple[tuple[str, int], ...] = (
    # OpenAI
    ("text-embedding-*", 0),
    ("gpt-5*", 128_000),
    ("gpt-4.1*", 32_768),
    ("gpt-4o*", 16_384),
    ("chatgpt-4o*", 16_384),
    ("gpt-4-turbo*", 4_096),
    ("gpt-4-*-preview", 4_096),
    ("gpt-4", 8_192),
    ("gpt-4-0*", 8_192),
    ("gpt-3.5-turbo*", 4_096),
    ("o1-mini*", 65_536),
    ("o1*", 100_000),
    ("o3*", 100_000),
    ("o4-mini*", 100_000),
    # Anthropic
    ("claude-3-7-sonnet*", 128_000),
    ("claude-3-5-*", 8_192),
    ("claude-3-*", 4_096),
    ("claude-opus-4-5*", 64_000),
    ("claude-opus-4*", 32_000),
    ("claude-sonnet-4*", 64_000),
    ("claude-haiku-4*", 64_000),
    # Google
    ("gemini-2.5*", 65_536),
    ("gemini-2.0*", 8_192),
    ("gemini-1.5*", 8_192),
)


@dataclass(frozen=True)
class MaxOutputTable:
    """The route's own entries, then the shipped table, then the default for models neither lists."""

    table: GlobTable[int]
    default: int

    @classmethod
    def build(cls, configured: Sequence[tuple[str, int]], default: int) -> MaxOutputTable:
        """Compile once; raises :class:`~.globs.InvalidGlob` for a glob RE2 refuses."""
        return cls(GlobTable.build([*configured, *SHIPPED_MAX_OUTPUT]), default)

    def max_output_of(self, model: str | None) -> int:
        found = self.table.lookup(model)
        return self.default if found is None else found
