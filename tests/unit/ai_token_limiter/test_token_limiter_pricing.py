"""Prices: glob patterns in order (RE2, case-insensitive), a default price, refusing unknown models, exact
nano-USD costs, prompt-cache rates; the max-output table."""

from __future__ import annotations

import fnmatch

import pytest

from kong_plugins.ai_token_limiter.globs import MAX_MODEL_NAME_CHARS, GlobTable, glob_to_re2
from kong_plugins.ai_token_limiter.max_output import SHIPPED_MAX_OUTPUT, MaxOutputTable
from kong_plugins.ai_token_limiter.pricing import (
    MAX_COST_NANO_USD,
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


@pytest.mark.parametrize(
    "glob",
    [
        "gpt-4o*",
        "claude-3-?-*",
        "[!x]*",
        "[]a]b",
        "a[b",
        "a.b+c",
        "*",
        "**x",
        "[a-c]z",
        "[^a]",
        "(x)|y",
        "$a\\",
    ],
)
def test_globs_match_like_fnmatch_but_ignore_case(glob: str) -> None:
    names = ["gpt-4o", "GPT-4O-mini", "claude-3-5-x", "xa", "ab", "]b", "a[b", "a.b+c", "aXb", "bz", "^", "a"]
    names += ["", "(x)|y", "(X)|Y", "y", "$a\\", "a.bbc"]
    table = GlobTable.build([(glob, True)])
    for name in names:
        assert (table.lookup(name) is True) == fnmatch.fnmatchcase(name.lower(), glob.lower()), (glob, name)


def test_model_names_that_cannot_be_matched_are_unknown() -> None:
    table = GlobTable.build([("*", 1)])
    assert table.lookup("gpt-4o\ud800") is None  # a lone surrogate from a JSON escape
    assert table.lookup("m" * (MAX_MODEL_NAME_CHARS + 1)) is None
    assert table.lookup(None) is None
    assert glob_to_re2("a*b?[!c]") == "(?s)a.*b.[^c]"  # RE2: linear whatever the name


def test_cached_prompt_tokens_and_cache_writes_have_their_own_prices() -> None:
    price = ModelPrice(1.0, 2.0, cached_prompt_per_million=0.1, cache_write_per_million=1.25)
    # 10 prompt tokens of which 4 read from the cache and 3 written to it: 3 x 1000 + 4 x 100 + 3 x 1250
    assert price.cost_nano_usd(10, 5, cached_tokens=4, cache_write_tokens=3) == 3000 + 400 + 3750 + 5 * 2000
    assert ModelPrice(1.0, 2.0).cost_nano_usd(10, 0, cached_tokens=4) == 10_000  # no cache price: prompt rate
    assert price.cost_nano_usd(2, 0, cached_tokens=5, cache_write_tokens=5) == 200  # clamped to the prompt
    assert ModelPrice(1_000_000, 1_000_000).cost_nano_usd(10**12, 10**12) == MAX_COST_NANO_USD


def test_the_max_output_table_prefers_the_route_entries_then_the_shipped_ones() -> None:
    table = MaxOutputTable.build([("gpt-4o-mini*", 1000)], default=777)
    assert table.max_output_of("GPT-4o-mini-2024-07-18") == 1000
    assert table.max_output_of("gpt-4o-2024-08-06") == 16_384
    assert table.max_output_of("claude-3-7-sonnet-20250219") == 128_000
    assert table.max_output_of("claude-3-haiku-20240307") == 4_096
    assert table.max_output_of("text-embedding-3-small") == 0
    assert table.max_output_of("llama-3-70b") == 777
    assert table.max_output_of(None) == 777
    assert all(tokens >= 0 for _glob, tokens in SHIPPED_MAX_OUTPUT)
