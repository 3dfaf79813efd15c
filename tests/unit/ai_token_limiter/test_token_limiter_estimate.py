"""The limiter's own request estimate (used only without ai-input-guard's facts)."""

from __future__ import annotations

import json

from kong_plugins.ai_token_limiter.estimate import (
    MAX_COMPLETIONS_SEEN,
    MAX_PARSED_BODY_BYTES,
    RequestEstimate,
    estimate_from_body,
    estimate_from_facts,
)
from kong_plugins.core.context import RequestFacts


def test_chat_body_follows_the_message_rule() -> None:
    body = {
        "model": "mock-gpt-4o",
        "max_tokens": 50,
        "messages": [
            {"role": "system", "content": "be brief"},  # 4 + ceil(8/4)=2
            {"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "image_url"}]},  # 4 + 2
        ],
    }
    assert estimate_from_body(json.dumps(body).encode()) == RequestEstimate("mock-gpt-4o", 12, 50)


def test_anthropic_system_and_max_completion_tokens_precedence() -> None:
    body = {"model": "m", "system": "abcd", "messages": [], "max_completion_tokens": 7, "max_tokens": 99}
    assert estimate_from_body(json.dumps(body).encode()) == RequestEstimate("m", 5, 7)


def test_prompt_and_input_lists() -> None:
    assert estimate_from_body(b'{"prompt": ["abcd", "abcde"]}').prompt_tokens == 3
    assert estimate_from_body(b'{"input": [1, 2, 3]}').prompt_tokens == 3


def test_unparseable_or_huge_bodies_count_bytes() -> None:
    assert estimate_from_body(b"not json at all!") == RequestEstimate(None, 4, None)
    assert (
        estimate_from_body(b"x" * (MAX_PARSED_BODY_BYTES + 4)).prompt_tokens == MAX_PARSED_BODY_BYTES // 4 + 1
    )
    assert estimate_from_body(None) == RequestEstimate(None, 0, None)
    assert estimate_from_body(b'{"max_tokens": -5, "model": 3}') == RequestEstimate(None, 0, 0)


def test_facts_from_the_input_guard_are_bounded() -> None:
    facts = RequestFacts(model="gpt-4o", prompt_tokens_estimate=120, max_tokens=64)
    assert estimate_from_facts(facts) == RequestEstimate("gpt-4o", 120, 64)
    odd = RequestFacts(model="m" * 1000, prompt_tokens_estimate=3.0, max_tokens=None)  # type: ignore[arg-type]
    assert estimate_from_facts(odd) == RequestEstimate(None, 3, None)


def test_completions_are_n_or_best_of_bounded() -> None:
    def completions(**extra: object) -> int:
        return estimate_from_body(json.dumps({"model": "m", "prompt": "x", **extra}).encode()).completions

    assert completions() == 1
    assert completions(n=4) == 4
    assert completions(n=2, best_of=5) == 5  # legacy completions generate (and bill) best_of
    assert completions(n=1e300) == MAX_COMPLETIONS_SEEN
    assert completions(n=-3) == completions(n="8") == completions(n=True) == 1
    assert completions(n=2.5) == 3
    facts = RequestFacts(model="gpt-4o", max_tokens=10, completions=128)
    assert estimate_from_facts(facts).completions == 128
    assert estimate_from_facts(RequestFacts(model="gpt-4o")).completions == 1


def test_embeddings_reserve_no_completion() -> None:
    facts = RequestFacts(format="openai-embeddings", model="text-embedding-3-small", prompt_tokens_estimate=9)
    assert estimate_from_facts(facts) == RequestEstimate("text-embedding-3-small", 9, 0)
