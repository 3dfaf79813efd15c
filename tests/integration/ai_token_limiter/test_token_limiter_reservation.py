"""What a request reserves is what it can really cost, through the gateway with Redis: every completion it
asks for (``n``, ``best_of``), the model's largest output when it sets no ``max_tokens``, prices matched
whatever the model's case, prompt-cache rates at settlement, and the cost-limit config Kong refuses."""

from __future__ import annotations

from typing import Any

import pytest
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PLUGIN,
    PROMPT,
    PROMPT_TOKENS,
    STREAM_PLUGIN,
    LimiterEnv,
    chat,
    limit,
    poll_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness]

TOKENS_PER_MINUTE = 1000
COST_NEEDS_PRICES = (
    "cost_usd limits need every model priced: set unknown_model to reject (a last pricing entry for "
    "'*' prices every other model)"
)
PRICED = {
    "pricing": [{"model": "gpt-4o*", "prompt_per_million": 1000, "completion_per_million": 2000}],
    "unknown_model": "reject",
}


def remaining_tokens(response: Any) -> int:
    """The ``X-RateLimit-Remaining-*`` header of the route's one tokens limit: what access reserved."""
    (value,) = [v for k, v in response.headers.items() if k.lower().startswith("x-ratelimit-remaining-")]
    return int(value)


def test_n_completions_reserve_n_times_max_tokens(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("tokens", TOKENS_PER_MINUTE, "minute")])
    # 128 completions of up to 90 tokens: 11,520 tokens can come back, far beyond 1,000 a minute
    refused = route.send({**chat(max_tokens=90), "n": 128})
    assert refused.status_code == 429, refused.text
    assert refused.json()["metric"] == "tokens"
    assert route.used("tokens") == 0  # nothing was reserved for the refused request

    admitted = route.send({**chat(max_tokens=90), "n": 8})  # 7 + 8 x 90 = 727 fit
    assert admitted.status_code == 200, admitted.text
    assert remaining_tokens(admitted) == TOKENS_PER_MINUTE - (PROMPT_TOKENS + 8 * 90)


def test_n_is_read_from_the_input_guard_facts(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("tokens", TOKENS_PER_MINUTE, "minute")], before=[("ai-input-guard", {})])
    refused = route.send({**chat(max_tokens=90), "n": 128})
    assert refused.status_code == 429, refused.text
    admitted = route.send({**chat(max_tokens=90), "n": 8})
    assert admitted.status_code == 200, admitted.text
    prompt_estimate = TOKENS_PER_MINUTE - 8 * 90 - remaining_tokens(admitted)  # the guard's own estimate
    assert 0 < prompt_estimate < 20


def test_a_guard_ceiling_caps_the_reservation_of_a_request_without_max_tokens(limiter: LimiterEnv) -> None:
    """The guard inserts its max_tokens_ceiling into a body that sets no max_tokens: the upstream cannot
    generate more, and the limiter reserves the ceiling instead of the model's largest output (16,384)."""
    limit_tokens = 100_000
    guard = ("ai-input-guard", {"max_tokens_ceiling": 100})
    route = limiter.route([limit("tokens", limit_tokens, "minute")], before=[guard])
    response = route.send(chat(max_tokens=None), headers={"X-Mock-Completion-Tokens": "1000"})
    assert response.status_code == 200, response.text
    assert response.json()["usage"]["completion_tokens"] == 100
    prompt_estimate = limit_tokens - 100 - remaining_tokens(response)  # the guard's own estimate
    assert 0 < prompt_estimate < 20


def test_best_of_reserves_every_generated_completion(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("tokens", TOKENS_PER_MINUTE, "minute")], upstream="/v1/completions")
    body = {"model": "mock-davinci", "prompt": PROMPT, "max_tokens": 50, "n": 1}
    prompt_tokens = 3  # ceil(11 / 4)
    refused = route.send({**body, "best_of": 20})  # 20 completions generated and billed: 1,003 > 1,000
    assert refused.status_code == 429, refused.text
    admitted = route.send({**body, "best_of": 4})
    assert admitted.status_code == 200, admitted.text
    assert remaining_tokens(admitted) == TOKENS_PER_MINUTE - (prompt_tokens + 4 * 50)


def test_absurd_completion_counts_are_refused(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("tokens", 10**9, "minute")])
    for n in (129, 1e300):  # above max_completions (128 by default, OpenAI's own maximum n)
        response = route.send({**chat(), "n": n})
        assert response.status_code == 400, response.text
        assert response.json()["message"] == "Too many completions requested"
    assert route.used("tokens") == 0
    assert route.send({**chat(), "n": 128}).status_code == 200


def test_without_max_tokens_the_model_largest_output_is_reserved(limiter: LimiterEnv) -> None:
    limit_tokens = 100_000
    route = limiter.route(
        [limit("tokens", limit_tokens, "minute", scope="tenant_model")],  # a fresh counter per model
        default_max_tokens=2000,
    )
    cases = [
        ("gpt-4o-2024-08-06", 16_384),  # the shipped table (OpenAI's documented maximum output)
        ("claude-3-5-sonnet-20241022", 8_192),
        ("nobody-knows-me", 2000),  # default_max_tokens
    ]
    for model, reserved in cases:
        response = route.send(chat(model=model, max_tokens=None))
        assert response.status_code == 200, response.text
        assert remaining_tokens(response) == limit_tokens - (PROMPT_TOKENS + reserved), model


def test_a_route_lists_the_largest_output_of_its_own_models(limiter: LimiterEnv) -> None:
    route = limiter.route(
        [limit("tokens", 100_000, "minute", scope="tenant_model")],
        max_output_tokens=[{"model": "my-model*", "tokens": 300}, {"model": "gpt-4o*", "tokens": 500}],
    )
    for model, reserved in [("My-Model-v2", 300), ("gpt-4o", 500)]:  # before the shipped table, any case
        response = route.send(chat(model=model, max_tokens=None))
        assert response.status_code == 200, response.text
        assert remaining_tokens(response) == 100_000 - (PROMPT_TOKENS + reserved), model


def test_model_names_are_priced_whatever_their_case(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("cost_usd", 1, "day")], **PRICED)
    for model in ("gpt-4o", "GPT-4o", "Gpt-4O-mini"):
        response = route.send(chat(model=model))
        assert response.status_code == 200, f"{model}: {response.text}"
    # each: 7 x $0.001 + 16 x $0.002 = $0.039, however the model was spelled
    assert route.used("cost_usd") == pytest.approx(3 * 0.039)


def test_a_per_model_limit_counts_every_spelling_of_the_model(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1, scope="tenant_model")])
    assert route.send(chat(model="gpt-4o")).status_code == 200
    refused = route.send(chat(model="GPT-4o"))  # the same model to the provider: the same counter
    assert refused.status_code == 429, refused.text
    assert route.send(chat(model="gpt-4o-mini")).status_code == 200  # another model


def test_a_cost_limit_with_unpriced_models_is_refused_by_the_admin_api(limiter: LimiterEnv) -> None:
    route = limiter.make_route("/v1/chat/completions")
    config: dict[str, Any] = {
        "limits": [limit("requests", 10), limit("cost_usd", 1, "month")],
        "pricing": PRICED["pricing"],
    }
    response = limiter.gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": PLUGIN, "config": config}
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["name"] == "schema violation" and body["code"] == 2
    assert body["fields"]["config"]["@entity"] == [COST_NEEDS_PRICES]
    assert body["fields"]["config"]["limits"] == [None, {"metric": "value must not be cost_usd"}]

    tiered = {"tiers": [{"name": "free", "limits": [limit("cost_usd", 1, "month")]}]}
    response = limiter.gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": PLUGIN, "config": tiered}
    )
    assert response.status_code == 400, response.text
    assert response.json()["fields"]["config"]["@entity"] == [COST_NEEDS_PRICES]

    listed = limiter.gateway.admin.get(f"/routes/{route.route['id']}/plugins").json()["data"]
    assert listed == []  # nothing was created
    route.add_plugin(PLUGIN, {**config, "unknown_model": "reject"})  # every model priced or refused: 201


def test_prompt_cache_reads_and_writes_settle_at_their_own_prices(limiter: LimiterEnv) -> None:
    price = {
        "prompt_per_million": 1000,
        "completion_per_million": 2000,
        "cached_prompt_per_million": 100,
        "cache_write_per_million": 1250,
    }
    pricing = [{"model": "mock-gpt-4o*", **price}, {"model": "mock-claude*", **price}]
    openai = limiter.route([limit("cost_usd", 1, "day")], pricing=pricing, unknown_model="reject")
    response = openai.send(chat(), headers={"X-Mock-Cached-Tokens": "4"})
    assert response.status_code == 200, response.text
    # 3 uncached x $0.001 + 4 cached x $0.0001 + 16 x $0.002
    assert openai.used("cost_usd") == pytest.approx(0.0354)

    anthropic = limiter.route(
        [limit("cost_usd", 1, "day")], pricing=pricing, unknown_model="reject", upstream="/v1/messages"
    )
    body = {"model": "mock-claude", "max_tokens": 40, "messages": [{"role": "user", "content": PROMPT}]}
    headers = {"X-Mock-Cached-Tokens": "2", "X-Mock-Cache-Write-Tokens": "3"}
    response = anthropic.send(body, headers=headers)
    assert response.status_code == 200, response.text
    # 2 uncached x $0.001 + 2 read x $0.0001 + 3 written x $0.00125 + 16 x $0.002
    assert anthropic.used("cost_usd") == pytest.approx(0.002 + 0.0002 + 0.00375 + ANSWER_TOKENS * 0.002)


def test_the_stream_variant_settlement_cap_follows_the_reservation(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("completion_tokens", 10**6)], plugin=STREAM_PLUGIN)
    # 8 completions of up to 10 tokens may stream back; the mock sends one, whose SSE framing alone counts
    # far more than 80 tokens at 4 bytes per token: the byte-based settlement stops at the reservation, 80
    response = route.send({**chat(stream=True, max_tokens=10), "n": 8})
    assert response.status_code == 200, response.text
    assert len(response.content) / 4 > 8 * 10
    request_id = response.headers["X-Kong-Request-Id"]
    poll_until(
        lambda: route.route.gateway.request_stats(request_id)["log_done"], deadline_s=5, what="log phase ran"
    )
    assert route.used("completion_tokens") == 8 * 10


def test_a_custom_format_guard_in_front_reserves_what_the_limiter_alone_would(limiter: LimiterEnv) -> None:
    custom = {"format": "custom", "custom_schema": '{"type": "object"}'}
    route = limiter.route(
        [limit("completion_tokens", 10**6)], plugin=STREAM_PLUGIN, before=[("ai-input-guard", custom)]
    )
    # the upstream honours max_completion_tokens (as OpenAI's chat API does): 2,000 tokens stream back
    body = {**chat(stream=True, max_tokens=1), "max_completion_tokens": 2000}
    response = route.send(body, headers={"X-Mock-Completion-Tokens": "2000"})
    assert response.status_code == 200, response.text
    request_id = response.headers["X-Kong-Request-Id"]
    poll_until(
        lambda: route.route.gateway.request_stats(request_id)["log_done"], deadline_s=5, what="log phase ran"
    )
    assert route.used("completion_tokens") == 2000  # was 1: the guard published max_tokens alone
