"""Regular expressions that run in linear time, whatever the pattern or the input (Google RE2).

Python's ``re`` backtracks: an operator's ``(a+)+$`` or a careless built-in rule meets ``"aaaa…!"`` and a
worker burns seconds per request. RE2 compiles to automata and answers in time linear in the input, and it
refuses what it cannot do that way (backreferences, lookarounds), so the refusal happens when the
configuration is loaded, not when a request arrives. Every pattern applied to request content in this plugin
goes through here: ``deny_patterns``/``allow_patterns``, the injection detector's rules, and the ``pattern``
keywords of JSON Schemas.
"""

from __future__ import annotations

from typing import Protocol

import re2

__all__ = ["MAX_PROGRAM_MEMORY", "LinearRegex", "UnsupportedPattern", "compile_linear"]

#: Memory one compiled pattern may use (RE2 ``max_mem``). Patterns that need more are refused at compile time;
#: at match time RE2 falls back from its DFA to an NFA, which is slower but still linear.
MAX_PROGRAM_MEMORY = 16 << 20


class LinearRegex(Protocol):
    """The part of a compiled RE2 pattern this plugin uses."""

    def search(self, text: str | bytes) -> object | None: ...


class UnsupportedPattern(ValueError):
    """The pattern is not valid RE2 syntax (e.g. a backreference or lookaround) or is too large."""


def _options(case_insensitive: bool) -> re2.Options:
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_MEMORY
    options.log_errors = False  # a refused pattern is reported to the caller, not printed to stderr
    options.never_capture = True  # we only ask "does it match": no submatch bookkeeping
    options.case_sensitive = not case_insensitive
    return options


def compile_linear(pattern: str, *, case_insensitive: bool = False) -> LinearRegex:
    """Compile ``pattern`` with RE2; raise :class:`UnsupportedPattern` when RE2 cannot run it."""
    if not isinstance(pattern, str):
        raise UnsupportedPattern("a pattern must be a string")
    try:
        return re2.compile(pattern, _options(case_insensitive))
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise UnsupportedPattern(f"not a linear-time (RE2) pattern: {detail}") from None
