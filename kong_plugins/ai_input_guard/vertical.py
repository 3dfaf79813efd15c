"""Text written down the page, read back across it: one letter or one word per line.

A letter per line (a blank line between words: ``I\\ng\\nn\\no\\nr\\ne\\n\\na\\nl\\nl ...``), the same
in a Markdown list (``- I``), a numbered list (``1. ignore``) or a one-column table (``| I |``) reads, to a
model, as the phrase it spells; the phrase rules see a letter per line and nothing they know (issue 15).
The detector reads the text also with every such run of lines put back on one line (:func:`across`): the
lines' decoration
(list markers, numbers, table bars, spaces, carriage returns) dropped, lines of one letter joined into their
word, a blank line read as a space, lines of one word kept one per line (a line break is a space to the
rules).

Only runs of at least :data:`MIN_LINES` lines holding one token each are read so (one RE2 scan finds them);
ordinary prose has none, and a list of single words (a CSV column, a shopping list) joined back is still a
list of words. Linear: one RE2 scan, then a fixed number of stdlib ``re`` substitutions per run, whose
patterns cannot backtrack (fixed-width lookarounds, one character class each).
"""

from __future__ import annotations

import re

from kong_plugins.ai_input_guard.linear_regex import compile_linear

__all__ = ["MIN_LINES", "across"]

MIN_LINES = 4
"""Lines of one token a run needs: four one-letter lines spell at most a four-letter word."""
_DECORATION = r"[^\pL\n]*"  # list markers, numbers, table bars, spaces, a carriage return
_TOKEN_LINE = rf"{_DECORATION}\pL+{_DECORATION}"
_VERTICAL_RUN = compile_linear(
    rf"(?:^|\n)(?:{_TOKEN_LINE}\n(?:{_DECORATION}\n)?){{{MIN_LINES - 1},}}{_TOKEN_LINE}(?:\n|$)"
)
_NOT_A_LETTER = re.compile(r"[^\w\n]+|[\d_]+")
_BLANK_LINES = re.compile(r"\n{2,}")
# a line break after a one-letter line and before another one: the letters of one word
_TWO_LETTERS = re.compile(r"\w\w")
_LETTER_BREAK = re.compile(r"(?<=(?<!\w)\w)\n(?=\w(?!\w))")


def across(text: str) -> str | None:
    """``text`` with each run of one-token lines put back on one line, or None when it has no such run."""
    if "\n" not in text:
        return None
    pieces: list[str] = []
    end = 0
    for match in _VERTICAL_RUN.finditer(text):  # type: ignore[attr-defined]
        start, stop = match.span()
        pieces.append(text[end:start])
        pieces.append(_read_across(text[start:stop]))
        end = stop
    if not pieces:
        return None
    pieces.append(text[end:])
    return "".join(pieces)


def _read_across(run: str) -> str:
    """One run of one-token lines (its leading line break kept): decoration dropped, blank lines read as a
    space, one-letter lines joined into their word."""
    lead = "\n" if run.startswith("\n") else ""
    tail = "\n" if run.endswith("\n") else ""
    tokens = _NOT_A_LETTER.sub("", run.removeprefix("\n").removesuffix("\n"))
    tokens = _BLANK_LINES.sub(" ", tokens)
    if _TWO_LETTERS.search(tokens) is None:  # a letter per line throughout: one C-level replace
        return lead + tokens.replace("\n", "") + tail
    return lead + _LETTER_BREAK.sub("", tokens) + tail
