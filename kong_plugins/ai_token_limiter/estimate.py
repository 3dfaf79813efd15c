"""The limiter's own, minimal request estimate, used only when ``ai-input-guard`` published no request facts.

The input guard parses the body once and publishes ``ai_guard.request`` (model, prompt-token estimate,
``max_tokens``, ``completions``); the limiter prefers that. Without it, the limiter reads the raw body itself
and applies the same rule the mock upstream documents: ``4 + ceil(chars / 4)`` tokens per chat message
(an Anthropic ``system`` counts as one more message), ``ceil(chars / 4)`` per ``prompt``/``input`` string,
one token per token id. A body too large to parse (over ``MAX_PARSED_BODY_BYTES``) or not JSON counts
``ceil(bytes / 4)``: the estimate only sizes the reservation; the response's real usage settles it.

``completions`` is how many completions the upstream generates, and bills, for the request: OpenAI's ``n``,
or ``best_of`` for the legacy completions format (which generates ``best_of`` and returns ``n``), so the
larger of the two; 1 when neither is given. Client values are bounded (``MAX_COMPLETIONS_SEEN``) before
anyone multiplies with them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_token_limiter.usage import text_tokens
from kong_plugins.core.context import RequestFacts

__all__ = [
    "MAX_COMPLETIONS_SEEN",
    "MAX_PARSED_BODY_BYTES",
    "RequestEstimate",
    "estimate_from_body",
    "estimate_from_facts",
]

MAX_PARSED_BODY_BYTES = 1024 * 1024
MESSAGE_OVERHEAD_TOKENS = 4
MAX_MODEL_CHARS = 256
MAX_TOKENS_CEILING = 10_000_000
MAX_COMPLETIONS_SEEN = 1_000_000
"""Larger ``n``/``best_of`` values are read as this (any configured ``max_completions`` refuses them)."""
EMBEDDINGS_FORMAT = "openai-embeddings"
_MAX_ITEMS = 100_000


@dataclass(frozen=True, slots=True)
class RequestEstimate:
    """What a reservation is sized from."""

    model: str | None
    prompt_tokens: int
    max_tokens: int | None
    """Completion tokens per completion the request allows itself; None: it sets no limit."""
    completions: int = 1


def estimate_from_facts(facts: RequestFacts) -> RequestEstimate:
    """The input guard's facts, bounded (they crossed Lua: numbers may arrive as floats)."""
    model = facts.model if isinstance(facts.model, str) and len(facts.model) <= MAX_MODEL_CHARS else None
    max_tokens = 0 if facts.format == EMBEDDINGS_FORMAT else _bounded(facts.max_tokens)
    return RequestEstimate(
        model=model,
        prompt_tokens=_bounded(facts.prompt_tokens_estimate) or 0,
        max_tokens=max_tokens,
        completions=_completions(facts.completions),
    )


def estimate_from_body(body: bytes | None) -> RequestEstimate:
    """Estimate from the raw request body (see the module docstring for the rule)."""
    if not body:
        return RequestEstimate(None, 0, None)
    if len(body) > MAX_PARSED_BODY_BYTES:
        return RequestEstimate(None, text_tokens(len(body)), None)
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return RequestEstimate(None, text_tokens(len(body)), None)
    if not isinstance(document, Mapping):
        return RequestEstimate(None, text_tokens(len(body)), None)
    model = document.get("model")
    if not isinstance(model, str) or len(model) > MAX_MODEL_CHARS:
        model = None
    max_tokens = None
    for name in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        max_tokens = _bounded(document.get(name))
        if max_tokens is not None:
            break
    completions = max(_completions(document.get("n")), _completions(document.get("best_of")))
    return RequestEstimate(model, _prompt_tokens(document), max_tokens, completions)


def _bounded(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return int(min(max(value, 0), MAX_TOKENS_CEILING))


def _completions(value: Any) -> int:
    """A client's ``n``/``best_of`` as a count in [1, MAX_COMPLETIONS_SEEN] (1 when absent or not a
    number; a fraction counts as the next whole completion)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 1
    if value >= MAX_COMPLETIONS_SEEN:
        return MAX_COMPLETIONS_SEEN
    return max(1, math.ceil(value))


def _prompt_tokens(document: Mapping[str, Any]) -> int:
    tokens = 0
    messages = document.get("messages")
    if isinstance(messages, list):
        for message in messages[:_MAX_ITEMS]:
            if isinstance(message, Mapping):
                tokens += MESSAGE_OVERHEAD_TOKENS + text_tokens(len(_content_text(message.get("content"))))
    if "system" in document:
        tokens += MESSAGE_OVERHEAD_TOKENS + text_tokens(len(_content_text(document.get("system"))))
    for name in ("prompt", "input"):
        tokens += _strings_tokens(document.get(name))
    return tokens


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"]
            for part in content[:_MAX_ITEMS]
            if isinstance(part, Mapping) and part.get("type") == "text" and isinstance(part.get("text"), str)
        )
    return ""


def _strings_tokens(value: Any) -> int:
    if isinstance(value, str):
        return text_tokens(len(value))
    if not isinstance(value, list):
        return 0
    tokens = 0
    for item in value[:_MAX_ITEMS]:
        if isinstance(item, str):
            tokens += text_tokens(len(item))
        elif isinstance(item, int) and not isinstance(item, bool):
            tokens += 1
        elif isinstance(item, list):
            tokens += min(len(item), _MAX_ITEMS)
    return tokens
