"""Prices: glob patterns in order, a default price, refusing unknown models, exact nano-USD costs."""

from __future__ import annotations

import pytest

from kong_plugins.ai_token_limiter.pricing import (
    ModelPrice,
    PriceTable,
    UnknownModel,
    nano_usd_to_usd,
    usd_to_nano_usd,
)

MINI = ModelPrice(0.15, 0.60)
BIG = ModelPrice(2.50, 10.00)
DEFAULT = ModelPrice(1.0, 2.0)


def table(*, reject: bool) -> PriceTable:
    return PriceTable.build([("gpt-4o-mini*", MINI), ("gpt-4o*", BIG)], DEFAULT, reject_unknown=reject)


def test_first_matching_pattern_wins() -> None:
    prices = table(reject=False)
    assert prices.price_of("gpt-4o-mini-2024-07-18") == MINI
    assert prices.price_of("gpt-4o") == BIG
    assert prices.price_of("GPT-4O") == BIG  # case-insensitive: providers that accept both bill both alike


def test_unknown_models_get_the_default_price_or_are_refused() -> None:
    assert table(reject=False).price_of("llama-3") == DEFAULT
    assert table(reject=False).price_of(None) == DEFAULT
    with pytest.raises(UnknownModel):
        table(reject=True).price_of("llama-3")
    with pytest.raises(UnknownModel):
        table(reject=True).price_of("gpt-4o" + "x" * 300)  # too long to be matched: unknown


def test_costs_are_exact_nano_usd_rounded_up() -> None:
    assert MINI.cost_nano_usd(1, 0) == 150  # $0.15 per million = 150 nano-USD per token
    assert MINI.cost_nano_usd(1_000_000, 1_000_000) == usd_to_nano_usd(0.75)
    assert BIG.cost_nano_usd(7, 16) == 7 * 2500 + 16 * 10_000
    assert ModelPrice(0.0000001, 0).cost_nano_usd(1, 0) == 1  # a fraction of a unit still costs one
    assert ModelPrice(0, 0).cost_nano_usd(10, 10) == 0
    assert nano_usd_to_usd(usd_to_nano_usd(12.345678901)) == 12.345678901
