"""Text written down the page, read back across it: one letter or one word per line.

A letter per line (a blank line between words: ``I\\ng\\nn\\no\\nr\\ne\\n\\na\\nl\\nl ...``), the same
in a Markdown list (``- I``), a numbered list (``1. ignore``) or a one-column table (``| I |``) reads, to a
model, as the phrase it spells; the phrase rules see a letter per line and nothing they know (issue 15).
The detector reads the text also with every such run of lines put back on one line (:func:`across`): the
lines' decoration
(list markers, numbers, table bars, spaces, carriage returns) dropped, lines of one letter joined into their
word, a blank line read as a space, lines of one word kept one per line (a line break is a space to the
rules).

Any number of blank lines between two words is one space (``I\ng\nn\no\nr\ne\n\n\na\nl\nl``: two
blank lines used to end the run, and each word stood alone). A run of short lines, two or three
characters of letters and spaces each, is a phrase cut into chunks (``Ig\nno\nre\n a\nll``,
``Ign\nore\n al\nl p``): its lines are glued back (:func:`_glue_chunks`).

Only runs of at least :data:`MIN_LINES` lines holding one token each (or one chunk each) are read so (one
RE2 scan per shape finds them); ordinary prose has none, and a list of single words (a CSV column, a
shopping list) joined back is still a list of words. Linear: one RE2 scan per shape, then a fixed number
of stdlib ``re`` substitutions per run, whose patterns cannot backtrack (fixed-width lookarounds, one
character class each).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kong_plugins.ai_input_guard.linear_regex import compile_linear

__all__ = ["MIN_LINES", "RUN_PATTERN", "across"]

MIN_LINES = 4
"""Lines of one token a run needs: four one-letter lines spell at most a four-letter word."""
_DECORATION = r"[^\pL\n]*"  # list markers, numbers, table bars, spaces, a carriage return
# one token a line: a word, or a word spelled out with a separator between its letters (``a l l``)
_TOKEN_LINE = rf"{_DECORATION}(?:\pL+|\pL(?:[ ._*-]\pL)+){_DECORATION}"
_VERTICAL_PATTERN = (
    rf"(?:^|\n)(?:{_TOKEN_LINE}\n(?:{_DECORATION}\n)*){{{MIN_LINES - 1},}}{_TOKEN_LINE}(?:\n|$)"
)
_VERTICAL_RUN = compile_linear(_VERTICAL_PATTERN)
# a line of a phrase cut into chunks: one to three letters and spaces, at least one letter
_CHUNK_LINE = r"(?:\pL[\pL ]{0,2}| \pL[\pL ]?|  \pL)"
_CHUNK_PATTERN = rf"(?:^|\n)(?:{_CHUNK_LINE}\n){{{MIN_LINES - 1},}}{_CHUNK_LINE}(?:\n|$)"
_CHUNK_RUN = compile_linear(_CHUNK_PATTERN)
RUN_PATTERN = (
    rf"(?:^|\n)(?:{_TOKEN_LINE}\n(?:{_DECORATION}\n)*){{{MIN_LINES - 1}}}{_TOKEN_LINE}(?:\n|$)"
    rf"|(?:^|\n)(?:{_CHUNK_LINE}\n){{{MIN_LINES - 1}}}{_CHUNK_LINE}(?:\n|$)"
)
"""The start of either shape of run (RE2), for a caller's prefilter: exactly :data:`MIN_LINES` lines, so
a search stops there. With ``{3,}`` a search ran to the end of the run to report its span, in the
automaton of both shapes at once: 0.3-0.4 s for 500 KB of one-letter lines, ten times :func:`across`'s
own two scans and the whole request's CPU before text down the page was read."""
_NOT_A_LETTER = re.compile(r"[^\w\n]+|[\d_]+")
_BLANK_LINES = re.compile(r"\n{2,}")
# a line break after a one-letter line and before another one: the letters of one word
_TWO_LETTERS = re.compile(r"\w\w")
_LETTER_BREAK = re.compile(r"(?<=(?<!\w)\w)\n(?=\w(?!\w))")


def across(text: str) -> str | None:
    """``text`` with each run of chunk lines glued, then each run of one-token lines put back on one line,
    or None when it has no such run. Chunks first: a chunk ending in a space (``ns ``) is a token line too,
    and read as a word of its own it glued the next words together (``instructionsandreveal``)."""
    if "\n" not in text:
        return None
    glued = _replace_runs(text, _CHUNK_RUN, _glue_chunks)
    read = _replace_runs(glued if glued is not None else text, _VERTICAL_RUN, _read_across)
    return read if read is not None else glued


def _replace_runs(text: str, runs: object, read: Callable[[str], str]) -> str | None:
    pieces: list[str] = []
    end = 0
    for match in runs.finditer(text):  # type: ignore[attr-defined]
        start, stop = match.span()
        pieces.append(text[end:start])
        pieces.append(read(text[start:stop]))
        end = stop
    if not pieces:
        return None
    pieces.append(text[end:])
    return "".join(pieces)


def _glue_chunks(run: str) -> str:
    """One run of lines of one to three characters (its leading line break kept) glued into one line:
    ``Ig|no|re| a|ll`` → ``Ignore all``. A list of short words (``the|cat|sat|on``) glued is a glued
    phrase, which only the glued rules read; one letter a line with no blank lines between words reads
    the same glued or read across."""
    lead = "\n" if run.startswith("\n") else ""
    tail = "\n" if run.endswith("\n") else ""
    lines = run.removeprefix("\n").removesuffix("\n")
    return lead + lines.replace("\n", "") + tail


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
