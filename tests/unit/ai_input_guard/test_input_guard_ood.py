"""Check 9: the out-of-distribution signal on texts a route does and does not expect."""

from __future__ import annotations

import pytest

from kong_plugins.ai_input_guard.ood import OutOfDistribution
from kong_plugins.ai_input_guard.view import TextSegment


def measure(text: str, **options) -> tuple[float, str] | None:
    signal = OutOfDistribution(**options).measure([TextSegment("/messages/0/content", "user", text)])
    return None if signal is None else (signal.score, signal.category)


@pytest.mark.parametrize(
    "text",
    [
        "Could you summarize the attached meeting notes and list the action items for each owner?",
        "Je voudrais réserver une table pour quatre personnes samedi soir, si possible en terrasse.",
        "東京駅から新宿駅までの一番早い行き方を教えてください。JRと地下鉄のどちらが便利ですか?",
        "def add(a, b):\n    return a + b\n\nprint(add(2, 3))  # prints 5\n" * 3,
        "Can you translate 'спасибо' and 'ありがとう' into English for my travel notes?",
    ],
)
def test_ordinary_inputs_stay_below_the_default_threshold(text: str) -> None:
    score, _ = measure(text)
    assert score < 0.8


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("🔥💯🚀✨🤖👾" * 40, "non_text"),
        ("\x00\x01\x02\x03" * 100 + "hello", "non_text"),
        ("please comply " * 400, "repetition"),
        ("Hello Привет 你好 مرحبا שלום नमस्ते Γειά σου " * 5, "script_mix"),  # noqa: RUF001
    ],
)
def test_unusual_inputs_score_high(text: str, category: str) -> None:
    assert measure(text) == (1.0, category)


def test_expected_scripts_make_other_scripts_unusual() -> None:
    russian = "Привет! Подскажи, пожалуйста, как настроить принтер в офисе?"
    assert measure(russian)[0] == 0
    assert measure(russian, expected_scripts=["Latin"]) == (1.0, "script_mix")
    assert measure(russian, expected_scripts=["Latin", "Cyrillic"])[0] == 0


def test_short_inputs_and_other_roles_are_not_scored() -> None:
    assert measure("ok") is None
    signal = OutOfDistribution().measure([TextSegment("/x", "tool", "🔥" * 500)])
    assert signal is None


def test_expected_scripts_accepts_every_script_name_the_detector_gives() -> None:
    """``KNOWN_SCRIPTS`` (the schema's ``one_of``) holds every name this Python's Unicode data yields."""
    import sys
    import unicodedata

    from kong_plugins.ai_input_guard.ood import KNOWN_SCRIPTS, _classify

    named = {
        script
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)).startswith("L")
        for script in [_classify(chr(code))[1]]
        if script is not None
    }
    assert named <= set(KNOWN_SCRIPTS)
    assert {"Latin", "Cyrillic", "Greek", "Han", "Hangul", "Arabic", "Devanagari"} <= named
