"""The start of a value at the end of a text known to be cut (``find(..., cut_off=True)``): masked when it
could begin a value the route redacts; complete values, short numbers, ids and allowed prefixes as before."""

from __future__ import annotations

import pytest

from kong_plugins.ai_output_redactor.engine import Redactor, Tally
from kong_plugins.ai_output_redactor.schema import SCHEMA
from kong_plugins.ai_output_redactor.settings import build_settings
from kong_plugins.core.schema import ensure_valid_config


def redactor(**config: object) -> Redactor:
    return build_settings(ensure_valid_config(SCHEMA.config, config)).redactor


DEFAULT = redactor()


def cut(text: str, on: Redactor = DEFAULT) -> str:
    return on.redact(text, Tally(), lambda: "acme", cut=True, cut_off=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111 1111 11", "card [REDACTED:CREDIT_CARD]"),
        ("card 4111-1111-1111-", "card [REDACTED:CREDIT_CARD]"),
        ("call +1 415 555 26", "call [REDACTED:PHONE]"),
        ("call (415) 555-26", "call [REDACTED:PHONE]"),
        ("key sk_live_4eC39Hq", "key [REDACTED:STRIPE_KEY]"),
        ("key sk-proj-abc", "key [REDACTED:HIGH_ENTROPY]"),
        ("token ghp_abc", "token [REDACTED:GITHUB_TOKEN]"),
        ("token eyJhbGciOi", "token [REDACTED:JWT]"),
        ("id AKIA12", "id [REDACTED:AWS_ACCESS_KEY]"),
        ("mail alice@exam", "mail [REDACTED:EMAIL]"),
    ],
)
def test_the_start_of_a_value_at_a_cut_end_is_masked(text: str, expected: str) -> None:
    assert cut(text) == expected
    assert DEFAULT.redact(text, Tally(), lambda: "acme") == text  # the detectors alone see no value


@pytest.mark.parametrize(
    "text",
    [
        "in 2024",  # under six digits
        "see chatcmpl-1234567",  # glued to a word
        "version v2.3456789",
        "card 4111 1111 1111 1111 and then 12",  # the complete value is not at the end
        "",
    ],
)
def test_other_ends_are_left_as_they_are(text: str) -> None:
    assert cut(text) == DEFAULT.redact(text, Tally(), lambda: "acme")


def test_a_complete_value_at_the_end_keeps_its_own_redaction() -> None:
    assert cut("card 4111 1111 1111 1111") == "card [REDACTED:CREDIT_CARD]"
    assert cut("call +1 415 555 2671") == "call [REDACTED:PHONE]"


def test_only_detectors_the_route_runs() -> None:
    emails_only = redactor(detectors=["email"])
    assert cut("card 4111 1111 11", emails_only) == "card 4111 1111 11"
    phones = redactor(detectors=["phone"])
    assert cut("card 4111 1111 11", phones) == "card [REDACTED:PHONE]"


def test_a_prefix_of_an_allowed_value_stays() -> None:
    allowing = redactor(allow_list=["+1 800 555 0100"])
    assert cut("call +1 800 555 01", allowing) == "call +1 800 555 01"
    assert cut("call +1 415 555 26", allowing) == "call [REDACTED:PHONE]"
