"""What a request costs: USD per million prompt and completion tokens, chosen by the model's name.

Prices are matched by glob pattern (``gpt-4o-mini*``, ``claude-3-5-*``, ``*``; case-insensitive, RE2, see
:mod:`.globs`), first match wins, so list the specific patterns before the general ones. A model no pattern
matches gets ``default_price``, or is refused when ``unknown_model`` is ``reject`` (a cost budget must not be
bypassed by naming a model nobody priced).

Prompt tokens read from a provider's prompt cache, and tokens written to it, are billed at their own rates
when the price gives them (``cached_prompt_per_million``, ``cache_write_per_million``; else the prompt rate):
OpenAI reports ``prompt_tokens_details.cached_tokens`` (part of ``prompt_tokens``), Anthropic
``cache_read_input_tokens``/``cache_creation_input_tokens`` (beside ``input_tokens``); :mod:`.usage` turns
both into a total prompt count plus the cached and cache-written parts of it.

Costs are computed in **nano-USD** (10⁻⁹ USD) and rounded up: USD per million tokens * 1000 is nano-USD per
token, so every price with at most three decimals is exact, and a budget of a million dollars is still far
below 2⁵³ (Redis Lua numbers are doubles).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kong_plugins.ai_token_limiter.globs import MAX_MODEL_NAME_CHARS, GlobTable

__all__ = [
    "MAX_COST_NANO_USD",
    "MAX_MODEL_NAME_CHARS",
    "NANO_USD_PER_USD",
    "ModelPrice",
    "PriceTable",
    "UnknownModel",
    "nano_usd_to_usd",
    "usd_to_nano_usd",
]

NANO_USD_PER_USD = 1_000_000_000
MAX_COST_NANO_USD = 2**53 - 1
"""Costs are capped here: counters are Redis Lua doubles, exact up to 2^53 (9 million USD)."""


class UnknownModel(Exception):
    """No price pattern matches the model and ``unknown_model`` is ``reject``."""


def usd_to_nano_usd(usd: float) -> int:
    """A USD amount as integer nano-USD (rounded to the nearest unit: limits are given in USD)."""
    return round(usd * NANO_USD_PER_USD)


def nano_usd_to_usd(nano: float) -> float:
    """Integer nano-USD back to USD, rounded to 9 decimals (headers show ``0.25``, not ``0.2499...``)."""
    return round(nano / NANO_USD_PER_USD, 9)


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per million prompt (input) and completion (output) tokens; prompt tokens read from (written to)
    the provider's prompt cache cost ``cached_prompt_per_million`` (``cache_write_per_million``) when given,
    the prompt price otherwise."""

    prompt_per_million: float
    completion_per_million: float
    cached_prompt_per_million: float | None = None
    cache_write_per_million: float | None = None

    def cost_nano_usd(
        self,
        prompt_tokens: int,
        completion_tokens: int,
        *,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> int:
        """Cost of the tokens in nano-USD, rounded up (never under-charge), at most ``MAX_COST_NANO_USD``.

        ``cached_tokens`` and ``cache_write_tokens`` are parts of ``prompt_tokens`` (clamped to it)."""
        prompt_tokens = max(prompt_tokens, 0)
        cached = min(max(cached_tokens, 0), prompt_tokens)
        written = min(max(cache_write_tokens, 0), prompt_tokens - cached)
        cached_rate = _or(self.cached_prompt_per_million, self.prompt_per_million)
        write_rate = _or(self.cache_write_per_million, self.prompt_per_million)
        nano = 1000 * (
            (prompt_tokens - cached - written) * self.prompt_per_million
            + cached * cached_rate
            + written * write_rate
            + max(completion_tokens, 0) * self.completion_per_million
        )
        if nano <= 0:
            return 0
        return min(math.ceil(nano - 1e-6), MAX_COST_NANO_USD)


def _or(rate: float | None, fallback: float) -> float:
    return fallback if rate is None else rate


@dataclass(frozen=True)
class PriceTable:
    """Ordered (pattern, price) rules plus what to do for models none matches."""

    rules: GlobTable[ModelPrice]
    default: ModelPrice
    reject_unknown: bool

    @classmethod
    def build(
        cls, rules: Sequence[tuple[str, ModelPrice]], default: ModelPrice, *, reject_unknown: bool
    ) -> PriceTable:
        """Compile glob ``rules`` once (``fnmatch`` syntax, case-insensitive; raises
        :class:`~.globs.InvalidGlob`)."""
        return cls(GlobTable.build(rules), default, reject_unknown)

    def price_of(self, model: str | None) -> ModelPrice:
        """The price of ``model``; raises :class:`UnknownModel` when it has none and unknown models are
        refused. A request without a model (or with one over ``MAX_MODEL_NAME_CHARS``) is an unknown model."""
        price = self.rules.lookup(model)
        if price is not None:
            return price
        if self.reject_unknown:
            raise UnknownModel(model)
        return self.default
