"""Budget fields (``max_tokens``, ``max_completion_tokens``, ``n``, ``best_of``) are bounded integer literals.

``1e300`` and ``1.8446744073709552e19`` are whole-number floats a JSON Schema ``integer`` accepts; they used
to reach ``int()`` and then the facts published in ``kong.ctx.shared`` (a 500). Now: 400, with where and
why for authenticated callers, and nothing reaches the upstream.
"""

from __future__ import annotations

import pytest
from integration.ai_input_guard.guard_support import KEY_AUTH, chat

NOT_AN_INTEGER = "expected an integer"


@pytest.mark.parametrize(
    ("config", "raw", "expected"),
    [
        ({}, b'"max_tokens": 1e300', {"path": "/max_tokens", "error": NOT_AN_INTEGER}),
        ({}, b'"max_tokens": 1.8446744073709552e19', {"path": "/max_tokens", "error": NOT_AN_INTEGER}),
        ({}, b'"max_tokens": 100.0', {"path": "/max_tokens", "error": NOT_AN_INTEGER}),
        ({}, b'"max_completion_tokens": 1e300', {"path": "/max_completion_tokens", "error": NOT_AN_INTEGER}),
        (
            {},
            b'"max_tokens": 100000001',
            {"path": "/max_tokens", "error": "value should be between 0 and 100000000"},
        ),
        ({}, b'"n": 2e0', {"path": "/n", "error": NOT_AN_INTEGER}),
        ({}, b'"n": 1e300', {"path": "/n", "error": "must be <= 128"}),  # the format's own bound
        (
            {"format": "openai-completions"},
            b'"best_of": 2.0',
            {"path": "/best_of", "error": NOT_AN_INTEGER},
        ),
        (
            {"format": "anthropic-messages"},
            b'"max_tokens": 1e300',
            {"path": "/max_tokens", "error": NOT_AN_INTEGER},
        ),
        (
            {"format": "custom", "custom_schema": '{"type": "object"}'},
            b'"n": 1000000',
            {"path": "/n", "error": "value should be between 1 and 128"},
        ),
        (
            {"format": "custom", "custom_schema": '{"type": "object"}'},
            b'"max_output_tokens": 1e300',
            {"path": "/max_output_tokens", "error": NOT_AN_INTEGER},
        ),
    ],
)
def test_an_unbounded_budget_is_a_400_never_a_500(guarded, consumer_key: str, config, raw, expected) -> None:
    model = {"anthropic-messages": "claude-3-5-haiku-latest", "openai-completions": "gpt-3.5-turbo-instruct"}
    name = config.get("format", "openai-chat")
    if name == "openai-completions":
        head = b'{"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi", '
    else:
        budget = b'"max_tokens": 10, ' if name == "anthropic-messages" and b"max_tokens" not in raw else b""
        head = (
            b'{"model": "' + model.get(name, "gpt-4o").encode() + b'", '
            b'"messages": [{"role": "user", "content": "hi"}], ' + budget
        )
    body = head + raw + b"}"
    anonymous = guarded(config)
    refused = anonymous.post(body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["message"] == "Bad request"
    route = guarded(config, before=[KEY_AUTH])
    detailed = route.post(body, headers={"apikey": consumer_key})
    assert detailed.status_code == 400, detailed.text
    assert detailed.json()["errors"] == [expected]
    assert anonymous.upstream_hits() == 0 and route.upstream_hits() == 0


def test_integer_budgets_within_bounds_pass(guarded) -> None:
    route = guarded()
    assert route.post(chat(max_tokens=100_000, n=2)).status_code == 200
    assert route.post(chat(max_completion_tokens=16, max_tokens=None)).status_code == 200
