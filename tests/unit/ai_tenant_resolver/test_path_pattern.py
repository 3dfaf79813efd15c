"""The path pattern: RE2 syntax with a ``tenant`` group, matched in time linear in the path."""

from __future__ import annotations

import re

import pytest

from kong_plugins.ai_tenant_resolver.path_pattern import (
    DEFAULT_PATH_PATTERN,
    MAX_PATH_LENGTH,
    UnsafePattern,
    compile_path_pattern,
)


@pytest.mark.parametrize(
    "pattern",
    [
        DEFAULT_PATH_PATTERN,
        r"^/v1/(?P<tenant>[^/]+)/",
        r"^/(?:v1|v2)/orgs/(?P<tenant>[a-z0-9-]{1,64})(?:/|$)",
        r"^/(?P<tenant>[^/]{1,64})/.*",
        r"/t/(?P<tenant>[a-z]{1,8})/",
        r"^/o/(?<tenant>[a-z]+)/",  # RE2 also takes the (?<name>...) spelling
    ],
)
def test_usual_patterns_are_accepted(pattern: str) -> None:
    assert "tenant" in compile_path_pattern(pattern).groupindex


def test_default_pattern_extracts_the_tenant() -> None:
    compiled = compile_path_pattern(DEFAULT_PATH_PATTERN)
    match = compiled.search("/tenants/acme-1/v1/chat/completions")
    assert match is not None and match.group("tenant") == "acme-1"
    assert compiled.search("/v1/chat/completions") is None


def test_an_optional_tenant_group_that_did_not_take_part_is_none() -> None:
    match = compile_path_pattern(r"^/(?:t/(?P<tenant>[a-z]+)/)?v1/").search("/v1/chat")
    assert match is not None and match.group("tenant") is None


def test_unanchored_patterns_search_the_whole_path() -> None:
    match = compile_path_pattern(r"/orgs/(?P<tenant>[a-z]+)/").search("/api/v2/orgs/acme/chat")
    assert match is not None and match.group("tenant") == "acme"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^/tenants/([^/]+)/", "named group 'tenant'"),
        (r"^/(?P<tenant>a)(?=b)", "invalid perl operator: (?="),
        (r"^/(?P<tenant>a)(?<!b)", "not an RE2 regular expression"),
        (r"^/(?P<tenant>a)\1", "invalid escape sequence: \\1"),
        (r"^/(?P<tenant>a++)", "bad repetition operator: ++"),
        (r"^/(?P<tenant>(?>a))", "not an RE2 regular expression"),
        (r"^/(?P<tenant>[a-", "missing ]"),
        (r"^/(?P<tenant>a{1001})", "invalid repetition size"),
        ("", "non-empty"),
        ("x" * 1025, "longer than 1024"),
    ],
)
def test_patterns_re2_cannot_run_or_without_a_tenant_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(UnsafePattern, match=re.escape(reason)):
        compile_path_pattern(pattern)


@pytest.mark.parametrize(
    "pattern",
    [r"^/(?P<tenant>(a+)+)/", r"^/(?P<tenant>(?:a|a)*)/", r"(?P<tenant>[a-z]*)[a-z]*[a-z]*[a-z]*x"],
)
def test_patterns_that_backtrack_exponentially_in_re_are_linear_in_re2(pattern: str) -> None:
    """Python's ``re`` needs 2^n steps for these on ``a`` * n + ``!``; RE2 answers at once, so they are safe
    to accept (pytest-timeout would stop a backtracking engine)."""
    compiled = compile_path_pattern(pattern)
    assert compiled.search("/" + "a" * (MAX_PATH_LENGTH - 2) + "!") is None
