"""Lua-pattern rules that let Kong itself refuse regular expressions RE2 cannot run.

Our plugins compile every operator-supplied regular expression with RE2 when their instance starts; RE2
refuses look-arounds, back-references, possessive quantifiers, atomic groups and conditionals. Kong cannot
run RE2 while validating a config, but a string field's ``match_none`` (Lua patterns, each with its own
message) can spot those constructs, so that the Admin API answers 400 instead of accepting a config whose
every request would then fail with 500.

The rules only refuse what is certainly one of these constructs: the opening ``(`` or the ``\\`` must not be
escaped by a backslash before it. Some mistakes therefore still pass Kong (an escaped backslash before a
look-around, ``\\\\(?=``); RE2 refuses them when the instance starts and ``kong-ai validate`` reports them.
A construct written inside a character class (``[(?=]``, a literal) would be refused too; no path or
content pattern needs one there.

What RE2 accepts must pass, however it looks: ``+`` after the brace of an escape (``\\p{Greek}+``,
``\\x{200B}+``: one or more of that character) is a plain repetition, only ``+`` after a counted repetition
(``{2}+``, ``{2,5}+``) is possessive; and ``\\1`` followed by an octal digit is RE2's octal escape
(``\\101`` is ``A``), not a back-reference.

RE2 also refuses what a backtracking engine would blow up on, and a Lua pattern can spot two of those forms:
a repetition operator applied to a repetition (``a**``, ``a{2}{3}``: "bad repetition operator") and a count
above 1000 (``a{1001}``: "invalid repetition size"). Nested counted repetitions whose product passes 1000
(``(a{100}){100}``) need the parentheses balanced, which Lua patterns cannot do: RE2 refuses them when the
instance starts, and ``kong-ai validate`` reports them.
"""

from __future__ import annotations

from kong_plugins.core.schema.dsl import PatternRule

__all__ = ["RE2_UNSUPPORTED"]

_UNESCAPED = ("^", "[^\\]")  # at the start, or after anything but a backslash

_LOOK_AROUND = "look-arounds ((?=, (?!, (?<=, (?<!) are not supported (RE2)"
_BACK_REFERENCE = "back-references (\\1, (?P=name)) are not supported (RE2)"
_POSSESSIVE = "possessive quantifiers (*+, ++, ?+, {n}+) are not supported (RE2)"
_ATOMIC = "atomic groups ((?>...)) and conditionals ((?(...)) are not supported (RE2)"
_REPEATED_REPETITION = "a repetition of a repetition (a**, a+*, a{2}{3}, a*{2}) is not valid RE2"
_COUNT_TOO_LARGE = "a counted repetition is at most {1000} (RE2)"

# A number above 1000 at the start of a string, as Lua patterns: 10000+, 2000-9999, 1100-1999, 1010-1099,
# 1001-1009 (each form also matches the start of a longer number, which is larger still).
_ABOVE_1000 = ("%d%d%d%d%d", "[2-9]%d%d%d", "1[1-9]%d%d", "10[1-9]%d", "100[1-9]")
# The brace that opens a counted repetition: not escaped (\{) and not an escape's (\x{41}, \p{Greek})
_COUNT_OPEN = "[^x\\]{"


def _unescaped(construct: str, message: str) -> list[tuple[str, str]]:
    return [(f"{before}{construct}", message) for before in _UNESCAPED]


RE2_UNSUPPORTED: tuple[PatternRule, ...] = (
    *_unescaped("%(%?[=!]", _LOOK_AROUND),
    *_unescaped("%(%?<[=!]", _LOOK_AROUND),
    *_unescaped("\\[1-9][^0-7]", _BACK_REFERENCE),
    *_unescaped("\\[1-9]$", _BACK_REFERENCE),
    *_unescaped("%(%?P=", _BACK_REFERENCE),
    ("[^\\][%*%+%?]%+", _POSSESSIVE),
    ("[^x\\]{%d+,?%d*}%+", _POSSESSIVE),  # a counted repetition, not an escape's braces (\\p{..}+)
    *_unescaped("x{%d+,?%d*}%+", _POSSESSIVE),
    *_unescaped("%(%?>", _ATOMIC),
    *_unescaped("%(%?%(", _ATOMIC),
    ("[^\\][%*%+%?][%*{]", _REPEATED_REPETITION),  # a**, a+*, a?{2}; not \** (a literal * repeated)
    (_COUNT_OPEN + "%d+,?%d*}[%*{]", _REPEATED_REPETITION),  # a{2}*, a{2}{3}; not \x{41}*
    *((_COUNT_OPEN + number, _COUNT_TOO_LARGE) for number in _ABOVE_1000),  # a{1001}
    *((_COUNT_OPEN + "%d*," + number, _COUNT_TOO_LARGE) for number in _ABOVE_1000),  # a{2,1001}
)
"""``match_none`` rules (``(lua_pattern, message)``) for a string field holding an RE2 pattern."""
