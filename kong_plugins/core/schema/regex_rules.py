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
"""

from __future__ import annotations

from kong_plugins.core.schema.dsl import PatternRule

__all__ = ["RE2_UNSUPPORTED"]

_UNESCAPED = ("^", "[^\\]")  # at the start, or after anything but a backslash

_LOOK_AROUND = "look-arounds ((?=, (?!, (?<=, (?<!) are not supported (RE2)"
_BACK_REFERENCE = "back-references (\\1, (?P=name)) are not supported (RE2)"
_POSSESSIVE = "possessive quantifiers (*+, ++, ?+, {n}+) are not supported (RE2)"
_ATOMIC = "atomic groups ((?>...)) and conditionals ((?(...)) are not supported (RE2)"


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
)
"""``match_none`` rules (``(lua_pattern, message)``) for a string field holding an RE2 pattern."""
