"""The Lua-pattern rules (``RE2_UNSUPPORTED``) that let Kong's Admin API refuse a regular expression RE2
cannot run, checked against RE2 itself: every pattern they refuse, RE2 refuses too (no valid configuration
is turned away), and the evil patterns of the shared catalogue that RE2 refuses are refused by Kong already,
so a config is not accepted only to answer 500 to every request when its instance starts.

Regression: ``a{1001}``, ``a{1000}{1000}{1000}`` and ``a**`` passed the Admin API
(``(x{1,1000}){1,1000}`` still does: nested counts need balanced parentheses).
"""

from __future__ import annotations

from typing import Any

import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kong_plugins.core.hostile_inputs import EVIL_PATTERNS
from kong_plugins.core.schema.lua import lua_find
from kong_plugins.core.schema.regex_rules import RE2_UNSUPPORTED

_OPTIONS: Any = re2.Options()
_OPTIONS.log_errors = False


def refused_by_kong(pattern: str) -> list[str]:
    return [message for rule, message in RE2_UNSUPPORTED if lua_find(pattern, rule)]


def refused_by_re2(pattern: str) -> bool:
    try:
        re2.compile(pattern, _OPTIONS)
    except re2.error:
        return True
    return False


VALID = [
    r"^/t/(?P<tenant>[a-z]{1,64})/",
    r"a{1000}",
    r"a{0,1000}",
    r"a{1000,}",
    r"a{,5}",
    r"\x{1001}",
    r"\x{10FFFF}+",
    r"\p{Greek}+",
    r"\}{2}",
    r"\*\*",
    r"\**",
    r"a*?",
    r"a+?",
    r"a??",
    r"a{2}?",
    r"(?:\d{3}){2}",
    r"(?i)sk-[A-Za-z0-9]{20,200}",
    r"\d{4}-\d{2}-\d{2}",
    r"[0-9]{1,999}",
    r"(a|aa)*c",
    r"(a+)+$",
]
NEWLY_REFUSED = [
    r"a{1001}",
    r"a{2,1001}",
    r"a{99999}",
    r"a**",
    r"a+*",
    r"a{2}{3}",
    r"a?{2}",
]


def test_valid_patterns_pass_and_newly_spotted_ones_are_refused() -> None:
    for pattern in VALID:
        assert not refused_by_re2(pattern), pattern
        assert refused_by_kong(pattern) == [], pattern
    for pattern in NEWLY_REFUSED:
        assert refused_by_re2(pattern), pattern
        assert refused_by_kong(pattern), pattern


NOT_SPOTTABLE = {"nested counted repetition"}
"""Needs balanced parentheses (product of nested counts): RE2 refuses it when the instance starts."""


def test_every_catalogued_evil_pattern_is_refused_by_kong_or_runs_on_re2() -> None:
    for name, pattern in EVIL_PATTERNS.items():
        if refused_by_re2(pattern) and name not in NOT_SPOTTABLE:
            assert refused_by_kong(pattern), f"{name}: {pattern} passes Kong, fails when the instance starts"


atoms = st.sampled_from(["a", "x", "\\d", "[a-z]", "(?:ab)", "(a)", "\\x{41}", "\\p{L}", "\\*", "\\{", "."])
operators = st.sampled_from(
    ["", "*", "+", "?", "*?", "+?", "{2}", "{1,3}", "{1000}", "{1001}", "{0,2000}", "**", "{2}{2}", "*{2}"]
)
patterns = st.lists(st.tuples(atoms, operators).map("".join), min_size=1, max_size=6).map("".join)


@settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(pattern=patterns)
def test_kong_refuses_only_what_re2_refuses(pattern: str) -> None:
    if refused_by_kong(pattern):
        assert refused_by_re2(pattern), (pattern, refused_by_kong(pattern))
