"""The end of an answer that was cut: a stream the upstream broke off (``X-Mock-Error: truncated-stream``)
or an answer stopped by ``max_tokens`` (finish reason ``length``), streamed or not. Its last characters may be
the start of a card number, a phone number, an address or a key that the detectors cannot recognise any more;
they are masked up to the end. A complete value keeps its usual redaction, an answer that was not cut keeps
its trailing digits, an allowed value stays allowed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from integration.ai_output_redactor.redactor_support import RedactedRoute, chat_content, stream_text

pytestmark = pytest.mark.harness

CUT = {"X-Mock-Error": "truncated-stream"}


def split_stream(route: RedactedRoute, text: str, cut_after: str) -> str:
    """The client's text of a stream of ``text`` in two deltas, broken off after the first (``cut_after``)."""
    split = text.index(cut_after) + len(cut_after)
    response = route.chat(text, stream=True, **{**CUT, "X-Mock-Split-At": str(split)})
    assert response.status_code == 200, response.text
    assert "[DONE]" not in response.text  # the stream really was broken off
    return stream_text(response)


@pytest.mark.parametrize(
    ("text", "cut_after", "expected"),
    [
        ("card 4111 1111 1111 1111 ok", "card 4111 1111 11", "card [REDACTED:CREDIT_CARD]"),
        ("call +1 415 555 2671 now", "call +1 415 555 26", "call [REDACTED:PHONE]"),
        ("key sk_live_4eC39HqLyjWDarjtT1zdp7dc ok", "key sk_live_4eC3", "key [REDACTED:STRIPE_KEY]"),
        ("mail alice.smith@example.com ok", "mail alice.smith@exam", "mail [REDACTED:EMAIL]"),
    ],
)
def test_a_stream_broken_off_inside_a_value_masks_its_start(
    redacted: Callable[..., RedactedRoute], text: str, cut_after: str, expected: str
) -> None:
    assert split_stream(redacted({}), text, cut_after) == expected


def test_a_broken_off_stream_keeps_short_numbers_and_ids(redacted: Callable[..., RedactedRoute]) -> None:
    route = redacted({})
    assert split_stream(route, "it was in 2024 and more", "it was in 2024") == "it was in 2024"
    assert split_stream(route, "see chatcmpl-12345678 ok", "see chatcmpl-12345678") == "see chatcmpl-12345678"


def test_a_complete_stream_keeps_its_trailing_digits(redacted: Callable[..., RedactedRoute]) -> None:
    response = redacted({}).chat("your order number is 41111111", stream=True)
    assert "[DONE]" in response.text
    assert stream_text(response) == "your order number is 41111111"


def test_a_complete_value_at_the_end_of_a_broken_off_stream_is_redacted_as_usual(
    redacted: Callable[..., RedactedRoute],
) -> None:
    text = "card 4111 1111 1111 1111 and more"
    assert split_stream(redacted({}), text, "card 4111 1111 1111 1111") == "card [REDACTED:CREDIT_CARD]"


def stopped(route: RedactedRoute, prompt: str, words: int, *, stream: bool = False) -> Any:
    """The mock's answer ``Echo: <prompt words>`` stopped by ``max_tokens`` after ``words`` words."""
    body: dict[str, Any] = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": words,
    }
    if stream:
        body["stream"] = True
    response = route.send(body, {"X-Mock-Verbatim": "0"})
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("card 4111111111 more words", "Echo: card [REDACTED:CREDIT_CARD]"),
        ("call +1-415-555 more words", "Echo: call [REDACTED:PHONE]"),
        ("mail alice.smith@exam more words", "Echo: mail [REDACTED:EMAIL]"),
        ("key sk-proj-4eC39HqL more words", "Echo: key [REDACTED:HIGH_ENTROPY]"),
    ],
)
def test_an_answer_stopped_by_max_tokens_masks_the_start_of_a_value(
    redacted: Callable[..., RedactedRoute], prompt: str, expected: str
) -> None:
    route = redacted({})
    response = stopped(route, prompt, 3)
    assert json.loads(response.content)["choices"][0]["finish_reason"] == "length"
    assert chat_content(response) == expected
    streamed = stopped(route, prompt, 3, stream=True)
    assert '"finish_reason":"length"' in streamed.text.replace(" ", "")
    assert stream_text(streamed) == expected


def test_an_answer_that_finished_keeps_its_trailing_digits(redacted: Callable[..., RedactedRoute]) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "card 4111111111"}], "max_tokens": 16}
    response = redacted({}).send(body, {"X-Mock-Verbatim": "0", "X-Mock-Completion-Tokens": "3"})
    assert json.loads(response.content)["choices"][0]["finish_reason"] == "stop"
    assert chat_content(response) == "Echo: card 4111111111"


def test_an_allowed_value_cut_at_the_end_stays_allowed(redacted: Callable[..., RedactedRoute]) -> None:
    route = redacted({"allow_list": ["support@example.com", "+1 800 555 0100"]})
    answer = chat_content(stopped(route, "mail support@example.com more", 3))
    assert answer == "Echo: mail support@example.com"
    text = "call +1 800 555 0100 now"
    assert split_stream(route, text, "call +1 800 555 01") == "call +1 800 555 01"


def test_an_anthropic_answer_stopped_by_max_tokens_masks_the_start_of_a_value(
    redacted: Callable[..., RedactedRoute],
) -> None:
    route = redacted({}, upstream="/v1/messages")
    body: dict[str, Any] = {
        "model": "claude-3-5-sonnet-latest",
        "max_tokens": 3,
        "messages": [{"role": "user", "content": "card 4111111111 more words"}],
    }
    response = route.send(body, {"X-Mock-Verbatim": "0"})
    assert response.status_code == 200, response.text
    answer = json.loads(response.content)
    assert answer["stop_reason"] == "max_tokens"
    assert answer["content"][-1]["text"] == "Echo: card [REDACTED:CREDIT_CARD]"
    streamed = route.send({**body, "stream": True}, {"X-Mock-Verbatim": "0"})
    assert "4111111111" not in streamed.text and "[REDACTED:CREDIT_CARD]" in streamed.text
