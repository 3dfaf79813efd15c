"""Model-name globs (``gpt-4o-mini*``, ``claude-3-?-*``, ``[!x]*``), compiled once to RE2.

Model names come from the request, so they are never given to Python's backtracking ``re``: each glob is
translated to an RE2 pattern (linear time in the name, whatever the glob) and matched whole and
**case-insensitively** — ``GPT-4o`` is the same model as ``gpt-4o`` to every provider that accepts both, so
it must cost and reserve the same. Syntax is ``fnmatch``'s: ``*`` any run of characters, ``?`` one
character, ``[seq]`` / ``[!seq]`` a character (not) in ``seq``; everything else is literal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import re2

__all__ = ["MAX_MODEL_NAME_CHARS", "GlobTable", "InvalidGlob", "glob_to_re2"]

MAX_MODEL_NAME_CHARS = 256
"""Model names longer than this are not matched against globs (they are treated as unknown)."""
_MAX_PROGRAM_MEMORY = 1 << 20

T = TypeVar("T")


class InvalidGlob(ValueError):
    """A glob RE2 cannot compile (e.g. a character class with a reversed range)."""


def glob_to_re2(glob: str) -> str:
    """The RE2 pattern (to be matched whole) equivalent to ``fnmatch`` glob ``glob``."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        char = glob[i]
        i += 1
        if char == "*":
            if not out or out[-1] != ".*":  # a run of stars is one star
                out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            end = i + 1 if i < n and glob[i] == "!" else i
            end = end + 1 if end < n and glob[end] == "]" else end  # a leading ']' is literal
            end = glob.find("]", end)
            if end < 0:  # no closing bracket: a literal '['
                out.append(r"\[")
                continue
            body = glob[i:end]
            i = end + 1
            negated = body.startswith("!")
            body = body[1:] if negated else body
            escaped = body.replace("\\", r"\\").replace("[", r"\[").replace("]", r"\]").replace("^", r"\^")
            out.append(f"[{'^' if negated else ''}{escaped}]")
        else:
            out.append(_escape(char))
    return "(?s)" + "".join(out)


def _escape(char: str) -> str:
    return char if char.isalnum() or char == "_" or ord(char) > 127 else "\\" + char


def _compile(glob: str) -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.never_capture = True
    options.log_errors = False
    options.max_mem = _MAX_PROGRAM_MEMORY
    try:
        return re2.compile(glob_to_re2(glob), options)
    except (re2.error, UnicodeEncodeError) as exc:
        raise InvalidGlob(f"not a valid model pattern: {glob!r}") from exc


@dataclass(frozen=True)
class GlobTable(Generic[T]):
    """Ordered ``(glob, value)`` rules: the first glob that matches a model name gives its value."""

    rules: tuple[tuple[str, Any, T], ...]

    @classmethod
    def build(cls, rules: Sequence[tuple[str, T]]) -> GlobTable[T]:
        """Compile every glob once; raises :class:`InvalidGlob`."""
        return cls(tuple((glob, _compile(glob), value) for glob, value in rules))

    def lookup(self, model: str | None) -> T | None:
        """The value of the first rule matching ``model``, or None (no model, too long, no match)."""
        if not isinstance(model, str) or len(model) > MAX_MODEL_NAME_CHARS:
            return None
        try:
            model.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a JSON escape: no provider knows that model
            return None
        for _glob, pattern, value in self.rules:
            if pattern.fullmatch(model):
                return value
        return None
