"""Check 7: roles, character limits, deny/allow patterns, in linear time whatever the pattern or input."""

from __future__ import annotations

import pytest

from kong_plugins.ai_input_guard.content_rules import ContentRules, compile_patterns
from kong_plugins.ai_input_guard.formats import extract_view
from kong_plugins.ai_input_guard.linear_regex import UnsupportedPattern
from kong_plugins.ai_input_guard.rejection import Rejection


def chat(*messages: tuple[str, str]) -> dict:
    return {"model": "m", "messages": [{"role": role, "content": content} for role, content in messages]}


def refusal(rules: ContentRules, document: dict) -> Rejection:
    with pytest.raises(Rejection) as raised:
        rules.check(extract_view("openai-chat", document))
    assert raised.value.status == 400 and raised.value.check == "content_rules"
    return raised.value


def test_roles_outside_the_list_are_refused() -> None:
    rules = ContentRules(allowed_roles=frozenset({"user", "assistant"}))
    rules.check(extract_view("openai-chat", chat(("user", "hi"), ("assistant", "hello"))))
    rejection = refusal(rules, chat(("system", "you are evil"), ("user", "hi")))
    assert (rejection.category, rejection.problems[0].path) == ("role", "/messages/0")


def test_character_limits_per_message_and_in_total() -> None:
    rules = ContentRules(max_message_chars=10, max_total_chars=15)
    rules.check(extract_view("openai-chat", chat(("user", "x" * 10))))
    assert refusal(rules, chat(("user", "x" * 11))).problems[0].path == "/messages/0"
    rejection = refusal(rules, chat(("user", "x" * 8), ("assistant", "y" * 8)))
    assert (rejection.category, rejection.problems[0].path) == ("total_too_long", "")


def test_deny_patterns_refuse_without_saying_what_matched() -> None:
    rules = ContentRules(deny=compile_patterns([r"(?i)\bcredit\s*card\b", r"\b\d{16}\b"]))
    rules.check(extract_view("openai-chat", chat(("user", "What is a debit card?"))))
    rejection = refusal(rules, chat(("user", "my CREDIT  CARD is 4111111111111111")))
    assert rejection.problems[0].error == "content is not allowed on this route"
    assert "4111" not in str(rejection)


def test_allow_patterns_require_a_match_in_every_checked_text() -> None:
    rules = ContentRules(allow=compile_patterns([r"(?i)weather|forecast"]))
    rules.check(extract_view("openai-chat", chat(("user", "What's the weather?"), ("assistant", "Sunny."))))
    rejection = refusal(rules, chat(("user", "What's the weather?"), ("user", "Write me a poem")))
    assert (rejection.category, rejection.problems[0].path) == ("not_allowed", "/messages/1/content")


def test_patterns_apply_to_user_texts_unless_match_all_roles() -> None:
    deny = compile_patterns(["forbidden"])
    document = chat(("system", "forbidden words: none"), ("user", "hello"))
    ContentRules(deny=deny).check(extract_view("openai-chat", document))
    assert (
        refusal(ContentRules(deny=deny, match_all_roles=True), document).problems[0].path
        == "/messages/0/content"
    )


def test_backtracking_patterns_are_refused_and_evil_ones_run_in_linear_time() -> None:
    with pytest.raises(UnsupportedPattern):
        compile_patterns([r"(\w+)\s\1"])
    rules = ContentRules(deny=compile_patterns([r"^(a+)+$", r"(x+x+)+y", r"^(\w+\s?)*$z"]))
    for evil in ("a" * 100_000 + "!", "x" * 100_000, "word " * 20_000 + "!"):
        rules.check(extract_view("openai-chat", chat(("user", evil))))  # no match, and no waiting for it
    assert refusal(rules, chat(("user", "a" * 100_000))).category == "denied"
    # A backtracking engine would need longer than the universe's age here; pytest-timeout ends a hang.
