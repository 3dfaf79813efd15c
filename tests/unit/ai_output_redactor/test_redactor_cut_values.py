"""A text that ends inside a value: a stream the upstream broke off (or an answer stopped by ``max_tokens``)
cut in the middle of an e-mail address. The detector alone sees no address in ``jane.doe@exam`` and would
let the part that names the person through; ``find(..., cut=True)`` (used on every streamed channel and on
whole text answers) masks it up to the end."""

from __future__ import annotations

import json

import pytest

from kong_plugins.ai_output_redactor.engine import Redactor, Tally
from kong_plugins.ai_output_redactor.schema import SCHEMA
from kong_plugins.ai_output_redactor.settings import build_settings
from kong_plugins.ai_output_redactor.sse import redact_stream
from kong_plugins.core.schema import ensure_valid_config

EMAIL = "alice.smith@example.com"
REDACTOR = build_settings(ensure_valid_config(SCHEMA.config, {})).redactor
ALLOWING = build_settings(
    ensure_valid_config(SCHEMA.config, {"allow_list": ["support@example.com"]})
).redactor


def redacted(text: str, *, cut: bool = True, redactor: Redactor = REDACTOR) -> str:
    return redactor.redact(text, Tally(), lambda: "acme", cut=cut)


@pytest.mark.parametrize("end", range(EMAIL.index("@") + 1, len(EMAIL) + 1))
def test_an_address_cut_anywhere_after_its_at_sign_is_masked(end: int) -> None:
    text = "write to " + EMAIL[:end]
    assert redacted(text) == "write to [REDACTED:EMAIL]"
    assert "alice" not in redacted(text)


def test_without_cut_the_detector_alone_lets_a_cut_address_through() -> None:
    assert redacted("write to alice.smith@exam", cut=False) == "write to alice.smith@exam"


@pytest.mark.parametrize(
    "text",
    [
        "write to alice.smith",  # no '@' yet: nothing says it is an address
        "a price of 5 @ 3 each",
        "done.",
        "",
        "mail alice.smith@example.com and done",  # an address not at the end: found as usual
    ],
)
def test_texts_not_ending_inside_an_address_are_redacted_as_usual(text: str) -> None:
    assert redacted(text) == redacted(text, cut=False)


def test_a_complete_allowed_address_at_the_end_stays_allowed() -> None:
    assert redacted("ask support@example.com", redactor=ALLOWING) == "ask support@example.com"
    assert redacted("ask support@exam", redactor=ALLOWING) == "ask [REDACTED:EMAIL]"


def test_a_broken_off_stream_ending_inside_an_address_is_masked_across_events() -> None:
    pieces = ["mail alice.sm", "ith@exam"]  # the upstream stopped here: no finish, no [DONE]
    events = [{"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in pieces]
    stream = "".join("data: " + json.dumps(event) + "\n\n" for event in events)
    tally = Tally()
    result = redact_stream(stream, REDACTOR, tally, lambda: "acme")
    text = "".join(
        json.loads(line[5:])["choices"][0]["delta"]["content"]
        for line in result.text.splitlines()
        if line.startswith("data:")
    )
    assert text == "mail [REDACTED:EMAIL]"
    assert tally.counts["email"] == 1
