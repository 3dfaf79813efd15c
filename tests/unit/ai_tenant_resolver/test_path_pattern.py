"""The path pattern: needs a `tenant` group, and only patterns with bounded backtracking are accepted."""

from __future__ import annotations

import re
import time

import pytest

from kong_plugins.ai_tenant_resolver.path_pattern import (
    DEFAULT_PATH_PATTERN,
    MAX_MATCH_PATHS,
    MAX_PATH_LENGTH,
    UnsafePattern,
    compile_path_pattern,
    match_cost,
)


@pytest.mark.parametrize(
    "pattern",
    [
        DEFAULT_PATH_PATTERN,
        r"^/v1/(?P<tenant>[^/]+)/",
        r"^/(?:v1|v2)/orgs/(?P<tenant>[a-z0-9-]{1,64})(?:/|$)",
        r"^/(?P<tenant>[^/]{1,64})/.*",
        r"/t/(?P<tenant>[a-z]{1,8})/",
    ],
)
def test_usual_patterns_are_accepted(pattern: str) -> None:
    assert "tenant" in compile_path_pattern(pattern).groupindex


def test_default_pattern_extracts_the_tenant() -> None:
    compiled = compile_path_pattern(DEFAULT_PATH_PATTERN)
    match = compiled.search("/tenants/acme-1/v1/chat/completions")
    assert match is not None and match.group("tenant") == "acme-1"
    assert compiled.search("/v1/chat/completions") is None
    assert match_cost(DEFAULT_PATH_PATTERN) == 64


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^/tenants/([^/]+)/", "named group 'tenant'"),
        (r"^/(?P<tenant>(a+)+)/", "one character"),
        (r"^/(?P<tenant>(?:a|a)*)/", "one character"),
        (r"^/(?P<tenant>[a-z]*)[a-z]*[a-z]*x", "backtrack too much"),
        (r"(?P<tenant>[a-z]+)[0-9]+x", "backtrack too much"),
        (r"^/(?P<tenant>a)(?=b)", "unsupported construct"),
        (r"^/(?P<tenant>a)\1", "unsupported construct"),
        (r"(?m)^/(?P<tenant>a)", "(?m)"),
        (r"^/(?P<tenant>[a-", "invalid regular expression"),
        ("", "non-empty"),
    ],
)
def test_unsafe_or_useless_patterns_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(UnsafePattern, match=re.escape(reason)):
        compile_path_pattern(pattern)


def test_an_accepted_pattern_at_the_bound_stays_fast_on_the_longest_path() -> None:
    pattern = r"^/(?P<tenant>[a-z]{0,999})[a-z]{0,999}x"
    assert match_cost(pattern) <= MAX_MATCH_PATHS
    compiled = compile_path_pattern(pattern)
    started = time.perf_counter()
    assert compiled.search("/" + "a" * (MAX_PATH_LENGTH - 1)) is None
    assert time.perf_counter() - started < 0.5
