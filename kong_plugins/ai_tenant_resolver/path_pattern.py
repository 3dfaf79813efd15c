"""The ``path_pattern`` setting: a regular expression with a named group ``tenant``, checked for bounded work.

Python's ``re`` backtracks, so a careless pattern (``(a+)+``, ``(a|a)*``, ``[^/]*[^/]*[^/]*x``) can take
exponential or high-polynomial time on a crafted path. Rather than add a native dependency (google-re2 is
available as a wheel, but would be the project's only compiled regex engine, and its syntax differs from the
``re`` syntax Kong users know from route paths), the pattern is analysed when the configuration is compiled
and refused unless its backtracking work is provably small:

* every repetition (``*``, ``+``, ``?``, ``{m,n}``) applies to a single character or character class, so the
  engine can never try many ways of splitting the same text *inside* one repetition;
* no back-references, look-arounds or conditionals;
* an upper bound of the number of ways the pattern can split a path is computed: the product, over
  repetitions in sequence, of the number of lengths each can take (capped by :data:`MAX_PATH_LENGTH`), the sum
  over alternatives, times the number of start positions when the pattern is not anchored with ``^``. It must
  not exceed :data:`MAX_MATCH_PATHS`.

Paths longer than :data:`MAX_PATH_LENGTH` are never matched (the caller refuses the request), which is what
makes the bound hold. The default pattern ``^/tenants/(?P<tenant>[A-Za-z0-9][A-Za-z0-9_-]{0,63})/`` scores 64.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the parser's opcodes; stable across 3.11-3.13
import re._parser as sre_parse
from typing import Any

__all__ = [
    "DEFAULT_PATH_PATTERN",
    "MAX_MATCH_PATHS",
    "MAX_PATH_LENGTH",
    "MAX_PATTERN_LENGTH",
    "UnsafePattern",
    "compile_path_pattern",
    "match_cost",
]

DEFAULT_PATH_PATTERN = r"^/tenants/(?P<tenant>[A-Za-z0-9][A-Za-z0-9_-]{0,63})/"
MAX_PATH_LENGTH = 4096
"""Longest request path the ``path`` source reads; a longer one is refused rather than matched."""
MAX_PATTERN_LENGTH = 1024
MAX_MATCH_PATHS = 1_000_000
"""Upper bound of the backtracking work a pattern may imply on a path of :data:`MAX_PATH_LENGTH` chars."""

_SINGLE_CHARACTER = {
    sre_constants.LITERAL,
    sre_constants.NOT_LITERAL,
    sre_constants.ANY,
    sre_constants.IN,
    sre_constants.CATEGORY,
}
_ZERO_WIDTH_SAFE = {sre_constants.AT}
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE_REPEAT = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
_ATOMIC_GROUP = getattr(sre_constants, "ATOMIC_GROUP", None)
_ANCHORS_AT_START = {sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING}


class UnsafePattern(ValueError):
    """The pattern is invalid, lacks the ``tenant`` group, or could take too long to match."""


class _TooCostly(Exception):
    pass


def compile_path_pattern(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` after checking it is safe; raises :class:`UnsafePattern` with the reason."""
    if not isinstance(pattern, str) or not pattern:
        raise UnsafePattern("the path pattern must be a non-empty string")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(f"the path pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise UnsafePattern(f"invalid regular expression: {exc}") from exc
    if "tenant" not in compiled.groupindex:
        raise UnsafePattern("the path pattern needs a named group 'tenant', e.g. (?P<tenant>[^/]{1,64})")
    if compiled.flags & re.MULTILINE:
        raise UnsafePattern("the (?m) flag is not allowed: '^' must mean the start of the path")
    cost = match_cost(pattern)
    if cost > MAX_MATCH_PATHS:
        raise UnsafePattern(
            "the path pattern could backtrack too much; bound repetitions ({1,64} instead of + or *), avoid "
            "several unbounded repetitions in a row, and anchor it with '^'"
        )
    return compiled


def match_cost(pattern: str) -> int:
    """Upper bound of the ways ``pattern`` can be tried on a path (see the module docstring).

    Raises :class:`UnsafePattern` for constructs whose cost cannot be bounded this way.
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise UnsafePattern(f"invalid regular expression: {exc}") from exc
    items = list(parsed)
    anchored = bool(items) and items[0][0] == sre_constants.AT and items[0][1] in _ANCHORS_AT_START
    starts = 1 if anchored else MAX_PATH_LENGTH + 1
    if items and _is_repeat(items[-1][0]):
        # A repetition that ends the pattern succeeds with whatever length it first takes: nothing after it
        # can fail and make the engine try other lengths. Its body is still checked.
        _item_cost(*items[-1])
        items = items[:-1]
    try:
        return starts * _sequence_cost(items)
    except _TooCostly:
        return MAX_MATCH_PATHS + 1


def _is_repeat(op: Any) -> bool:
    return op in _REPEATS or (_POSSESSIVE_REPEAT is not None and op == _POSSESSIVE_REPEAT)


def _sequence_cost(items: Any) -> int:
    total = 1
    for op, argument in items:
        total *= _item_cost(op, argument)
        if total > MAX_MATCH_PATHS:
            raise _TooCostly
    return total


def _item_cost(op: Any, argument: Any) -> int:
    if op in _SINGLE_CHARACTER or op in _ZERO_WIDTH_SAFE:
        return 1
    if op == sre_constants.SUBPATTERN:
        return _sequence_cost(argument[-1])
    if _ATOMIC_GROUP is not None and op == _ATOMIC_GROUP:
        return _sequence_cost(argument)
    if op == sre_constants.BRANCH:
        return sum(_sequence_cost(alternative) for alternative in argument[1])
    if _is_repeat(op):
        low, high, body = argument
        body_items = list(body)
        if len(body_items) != 1 or body_items[0][0] not in _SINGLE_CHARACTER:
            raise UnsafePattern(
                "a repetition may only apply to one character or character class ([...]), not to a group"
            )
        high = MAX_PATH_LENGTH if high == sre_constants.MAXREPEAT else min(high, MAX_PATH_LENGTH)
        return max(high - low, 0) + 1
    raise UnsafePattern(f"the path pattern uses an unsupported construct ({str(op).lower()})")
