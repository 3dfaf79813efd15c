"""What a request costs: USD per million prompt and completion tokens, chosen by the model's name.

Prices are matched by glob pattern (``gpt-4o-mini*``, ``claude-3-5-*``, ``*``), first match wins, so list the
specific patterns before the general ones. A model no pattern matches gets ``default_price``, or is refused
when ``unknown_model`` is ``reject`` (a cost budget must not be bypassed by naming a model nobody priced).

Costs are computed in **nano-USD** (10⁻⁹ USD) and rounded up: USD per million tokens * 1000 is nano-USD per
token, so every price with at most three decimals is exact, and a budget of a million dollars is still far
below 2⁵³ (Redis Lua numbers are doubles).
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "NANO_USD_PER_USD",
    "ModelPrice",
    "PriceTable",
    "UnknownModel",
    "nano_usd_to_usd",
    "usd_to_nano_usd",
]

NANO_USD_PER_USD = 1_000_000_000
MAX_MODEL_NAME_CHARS = 256
"""Model names longer than this are not matched against patterns (they are priced as unknown)."""


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
    """USD per million prompt (input) and completion (output) tokens."""

    prompt_per_million: float
    completion_per_million: float

    def cost_nano_usd(self, prompt_tokens: int, completion_tokens: int) -> int:
        """Cost of the tokens in nano-USD, rounded up (never under-charge)."""
        nano = (
            prompt_tokens * self.prompt_per_million * 1000
            + completion_tokens * self.completion_per_million * 1000
        )
        return math.ceil(nano - 1e-6) if nano > 0 else 0


@dataclass(frozen=True)
class PriceTable:
    """Ordered (pattern, price) rules plus what to do for models none matches."""

    rules: tuple[tuple[re.Pattern[str], ModelPrice], ...]
    default: ModelPrice
    reject_unknown: bool

    @classmethod
    def build(
        cls, rules: Sequence[tuple[str, ModelPrice]], default: ModelPrice, *, reject_unknown: bool
    ) -> PriceTable:
        """Compile glob ``rules`` once (``fnmatch`` syntax, case-sensitive)."""
        compiled = tuple((re.compile(fnmatch.translate(pattern)), price) for pattern, price in rules)
        return cls(compiled, default, reject_unknown)

    def price_of(self, model: str | None) -> ModelPrice:
        """The price of ``model``; raises :class:`UnknownModel` when it has none and unknown models are
        refused. A request without a model is an unknown model."""
        if model is not None and len(model) <= MAX_MODEL_NAME_CHARS:
            for pattern, price in self.rules:
                if pattern.match(model):
                    return price
        if self.reject_unknown:
            raise UnknownModel(model)
        return self.default
