"""Look-alike characters folded to what a reader sees, before the detectors run; pure.

A model (or a prompt injection steering it) can write a card number in full-width digits (U+FF11...),
grouped with no-break spaces, an email with a zero-width space inside or a full-width at sign (U+FF20): a
reader sees a card or an email, while ASCII patterns see neither. The detectors therefore read a folded
copy of the text: full-width letters, digits and ``+-._@`` to ASCII, every decimal digit of any script to
``0-9``, Unicode spaces to a space, Unicode hyphens and the minus sign to ``-``, invisible characters
(zero-width spaces and joiners, word joiner, soft hyphen, BOM) dropped. Findings are mapped back to the
original text, so what is replaced is exactly what the reader would have seen (invisible characters
included).

Folding is a one-to-one ``str.translate`` (offsets unchanged) unless the text holds an invisible character;
a text with nothing to fold (ASCII, or no look-alike: one set scan, ~30 MB/s) is not touched at all.
"""

from __future__ import annotations

import re
import sys
import unicodedata

__all__ = ["fold"]

_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
_INVISIBLE_RE = re.compile("[" + _INVISIBLE + "]")


def _table() -> dict[int, int]:
    # full-width letters, digits and the characters of emails and phone numbers; not other punctuation
    # (a full-width colon after CJK text is prose, and folding it would glue it to an IPv6 address)
    table = {ord(char): ord(char) - 0xFEE0 for char in "＋－．＠＿"}  # noqa: RUF001
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
        table.update({code: code - 0xFEE0 for code in range(start, end + 1)})
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Nd":
            table[code] = ord("0") + unicodedata.digit(char)
        elif category == "Zs":
            table[code] = ord(" ")
    for code in (*range(0x2010, 0x2016), 0x2212, 0xFE58, 0xFE63):
        table[code] = ord("-")
    return table


_TABLE = _table()
_FOLDABLE = frozenset(map(chr, _TABLE)) | frozenset(_INVISIBLE)


def fold(text: str) -> tuple[str, list[int] | None]:
    """The text the detectors read, and (when characters were dropped) for each of its characters the
    index in ``text`` it came from; None means the offsets are those of ``text``."""
    if text.isascii() or _FOLDABLE.isdisjoint(text):
        return text, None
    folded = text.translate(_TABLE)
    if not _INVISIBLE_RE.search(folded):
        return folded, None
    origin = [index for index, char in enumerate(folded) if char not in _INVISIBLE]
    return "".join(folded[index] for index in origin), origin
