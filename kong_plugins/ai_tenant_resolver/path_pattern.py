"""The ``path_pattern`` setting: an RE2 regular expression with a named group ``tenant``.

The pattern runs on every request path the ``path`` source reads, a string the client chooses. Python's
``re`` backtracks, so a careless pattern (``(a+)+``, ``(a|a)*``) could take exponential time on a crafted
path. RE2 (google-re2, already the engine of the input guard's patterns) matches in time linear in the path
whatever the pattern, and refuses what it cannot run that way (look-arounds, back-references, possessive
quantifiers, atomic groups) when the configuration is compiled. That refusal is the linear-time check: a
pattern RE2 compiles, within :data:`MAX_PROGRAM_MEMORY`, cannot be slow on any path.

RE2's syntax is the ``re`` syntax Kong users know for route paths, with these differences: ``\\d``, ``\\w``
and ``\\s`` are ASCII-only, ``\\Z`` is spelled ``\\z``, and a repetition count is at most 1000. The ``tenant``
group is written ``(?P<tenant>...)`` or ``(?<tenant>...)``; the default
``^/tenants/(?P<tenant>[A-Za-z0-9][A-Za-z0-9_-]{0,63})/`` is unchanged. Paths longer than
:data:`MAX_PATH_LENGTH` are refused by the caller rather than matched.
"""

from __future__ import annotations

from typing import Protocol

import re2

__all__ = [
    "DEFAULT_PATH_PATTERN",
    "MAX_PATH_LENGTH",
    "MAX_PATTERN_LENGTH",
    "MAX_PROGRAM_MEMORY",
    "PathMatch",
    "PathPattern",
    "UnsafePattern",
    "compile_path_pattern",
]

DEFAULT_PATH_PATTERN = r"^/tenants/(?P<tenant>[A-Za-z0-9][A-Za-z0-9_-]{0,63})/"
MAX_PATH_LENGTH = 4096
"""Longest request path the ``path`` source reads; a longer one is refused rather than matched."""
MAX_PATTERN_LENGTH = 1024
MAX_PROGRAM_MEMORY = 1 << 20
"""Memory RE2 may use for one compiled pattern (``max_mem``); a pattern needing more is refused."""
TENANT_GROUP = "tenant"


class PathMatch(Protocol):
    """The part of an RE2 match the ``path`` source reads."""

    def group(self, name: str) -> str | None: ...


class PathPattern(Protocol):
    """A compiled ``path_pattern`` (an RE2 ``_Regexp``)."""

    def search(self, text: str) -> PathMatch | None: ...


class UnsafePattern(ValueError):
    """The pattern is empty, too long, not RE2 syntax, or has no ``tenant`` group."""


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_MEMORY
    options.log_errors = False  # the reason goes into the ConfigError, not to stderr
    return options


def compile_path_pattern(pattern: object) -> PathPattern:
    """Compile ``pattern`` with RE2, once per plugin instance; raises :class:`UnsafePattern` if it cannot."""
    if not isinstance(pattern, str) or not pattern:
        raise UnsafePattern("the path pattern must be a non-empty string")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(f"the path pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re2.compile(pattern, _options())
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise UnsafePattern(
            f"not an RE2 regular expression ({detail}); look-arounds, back-references, possessive "
            "quantifiers and atomic groups are not supported"
        ) from None
    if TENANT_GROUP not in compiled.groupindex:
        raise UnsafePattern("the path pattern needs a named group 'tenant', e.g. (?P<tenant>[^/]{1,64})")
    return compiled  # type: ignore[no-any-return]
