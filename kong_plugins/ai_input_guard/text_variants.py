"""The spellings of a text an attacker can hide an instruction behind, undone one by one.

The detector (:mod:`.injection`) runs its phrase rules on each *variant* of a text; a rule that matches only
once a disguise is removed is itself evidence (it is reported as ``obfuscation`` or ``hidden_characters``).
Variants, each built only when it would differ from the previous one:

``plain``      casefolded text, as sent;
``unescaped``  percent-escapes (``%49gnore%20all``), HTML character references (``&#73;gnore``,
               ``&amp;``) and backslash escapes (``\\u0049gnore``) decoded, as a model reading the text would;
``uncommented`` HTML comments removed (``ign<!-- -->ore``);
``unsplit``    HTML tags, emphasis marks and hyphens removed where one splits a word attacks need
               (``ig<b></b>nore``, ``**ig**nore``, ``pre-vious``; see :data:`_SPLIT_WORD`);
``normalized`` NFKC (fullwidth, mathematical, circled and squared letters become plain ``ignore``; the
               enclosed letters NFKC leaves alone first: negative circled/squared, parenthesized, regional
               indicators), without
               invisible characters (zero-width spaces/joiners, word joiners, soft hyphens, BOMs, bidi
               controls and marks, Unicode tag characters, control characters, variation selectors, the
               grapheme joiner, Hangul fillers and the other code points in :data:`_INVISIBLE_RANGES`);
``unmarked``   combining diacritics stacked on Latin letters removed (Zalgo text, an accent on every
               letter: ``i\u0301g\u0301n\u0301o\u0301r\u0301e\u0301``);
``folded``     letters that look Latin mapped to Latin (Cyrillic o → Latin o; Greek, IPA and small capitals,
               Armenian, Coptic, Cherokee, Canadian syllabics, Lisu, Runic, Tifinagh: see
               :data:`_LOOKALIKES_BY_LETTER`);
``across``     text written down the page read across it: a letter or a word per line, in a list or a
               table (:mod:`.vertical`);
``corrected``  near-miss spellings of the words attacks need read as those words (``ignroe``, ``previus``,
               ``sytem``: :mod:`.near_miss`);
``reassembled`` the text followed by its pieces put back together (``'ign' + 'ore'``, ``[ign][ore]``,
               ``a='ignore all'; b=' previous instructions'; a+b``: :mod:`.fragments`);
``rot13``, ``reversed``, ``words reversed``, ``deciphered``, ``upside down``
               the text read in rot13, backwards, each word backwards in place, in another Caesar shift or
               atbash (the likeliest one only: :func:`_likeliest_cipher`), or turned letters read
               upright from right to left; each only when some part of the text has markedly more common
               words read so than as written (:func:`_reads_better`: a handful of RE2 scans), so an
               ordinary text pays one scan per reading and gets none of them;
``leet``       digits and symbols standing for letters (``1gn0r3`` → ``ignore``);
``words``      underscores as spaces (``ignore_all_previous_instructions``, a participant or tool name);
``collapsed``  letters spaced out with separators joined (``i g n o r e``, ``i.g.n.o.r.e``, ``i,g,n,o,r,e``,
               ``i•g•n•o•r•e``, an emoji between letters → ``ignore``): one to three of the marks in
               :data:`_SEPARATOR_CLASS`.

It also reads the two invisible channels: Unicode *tag* characters (U+E0020-U+E007E mirror ASCII and render
as nothing, so ``ignore…`` can be smuggled in plain sight; the flag emoji's legitimate tag sequences are set
aside first), and zero-width or bidi characters placed inside words.

Everything here is linear: ``str`` methods and RE2 scans, bounded counts of matches (and two fixed
unescaping patterns that cannot backtrack, see :func:`_unescape`).
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass

from kong_plugins.ai_input_guard.fragments import HINT_PATTERN, reassembled
from kong_plugins.ai_input_guard.linear_regex import compile_linear
from kong_plugins.ai_input_guard.near_miss import NEAR_MISS_PATTERN, corrected
from kong_plugins.ai_input_guard.vertical import RUN_PATTERN, across

__all__ = ["HiddenChannels", "TextVariant", "VariantBudget", "glued_readings", "hidden_channels", "variants"]

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TAG_FIRST, _TAG_LAST = 0xE0000, 0xE007F
# Other code points that render as nothing (or as a blank) and that a model reads past: C0/C1 controls but
# line breaks and tabs, the remaining format characters (bidi marks, Arabic/Syriac/Egyptian format signs,
# interlinear annotation), invisible combining marks (grapheme joiner, variation selectors, Mongolian free
# variation selectors, Khmer inherent vowels) and blank letters (Hangul fillers, the blank braille cell).
_INVISIBLE_RANGES = (
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F),
    (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x200E, 0x200F), (0x206A, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0100, 0xE01EF),
)  # fmt: skip
_REMOVE_INVISIBLE = (
    {ord(c): None for c in _ZERO_WIDTH + _BIDI}
    | {cp: None for cp in range(_TAG_FIRST, _TAG_LAST + 1)}
    | {cp: None for first, last in _INVISIBLE_RANGES for cp in range(first, last + 1)}
)
_MARKED_LATIN = compile_linear(r"\p{Latin}\p{Mn}")
# The English words attacks need with any of their letters accented (``ígnore all prévious instructions``:
# precomposed letters, which NFKC keeps and the rules' ASCII words do not match): where one stands, the
# text is also read with its accents taken off (the ``unmarked`` variant). Other texts with accents (all of
# French, Spanish, German...) are not read twice: their rules spell the accents.
_ACCENTED_LETTERS = {
    "a": "àáâãäåāăą",
    "c": "çćĉċč",
    "d": "ď",
    "e": "èéêëēĕėęě",
    "g": "ĝğġģ",
    "i": "ìíîïĩīĭįı",
    "n": "ñńņňŉ",
    "o": "òóôõöøōŏő",
    "p": "",
    "r": "ŕŗř",
    "s": "śŝşšș",
    "t": "ţťțŧ",
    "u": "ùúûüũūŭůűų",
    "y": "ýÿŷ",
}
_KEY_WORDS = (
    "ignore",
    "disregard",
    "forget",
    "previous",
    "prior",
    "instructions",
    "system",
    "prompt",
    "bypass",
)


def _accented_spellings(word: str) -> list[str]:
    """Patterns for ``word`` with at least one letter accented: one per letter that can be, accented there
    (any letter before or after it accented or not). The words as written do not pay for the reading."""

    def letter_class(letter: str, accented_only: bool = False) -> str:
        marks = _ACCENTED_LETTERS.get(letter, "")
        return f"[{marks}]" if accented_only else (f"[{letter}{marks}]" if marks else letter)

    return [
        "".join(letter_class(letter, accented_only=at == here) for here, letter in enumerate(word))
        for at in range(len(word))
        if _ACCENTED_LETTERS.get(word[at])
    ]


_ACCENTED_KEY_WORD = compile_linear(
    r"(?:^|[^\pL])(?:"
    + "|".join(spelling for word in _KEY_WORDS for spelling in _accented_spellings(word))
    + ")"
)
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_ASCII_CONTROL = compile_linear(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Letters that render like Latin ones, after NFKC and casefolding (which already turn fullwidth, mathematical,
# circled, squared, superscript and Roman-numeral letters into plain ones, and Cherokee small letters into
# capitals), by the Latin letter they pass for. Written as escapes so that this file itself holds no
# look-alikes. From Unicode's confusables (UTS #39) and the "fancy text" generators' alphabets: Cyrillic,
# Greek, IPA and Latin small capitals, Armenian, Coptic, Cherokee, Canadian syllabics, Lisu, Runic, Tifinagh.
_LOOKALIKES_BY_LETTER = {
    "a": "\u0430\u03b1\u0251\u1d00\u13aa\u15e9\u15c5\ua4ee",
    "b": "\u0432\u03b2\u0299\u044c\u13cf\u13f4\u15f7\u1472\u15af\ua4d0\u16d2",
    "c": "\u0441\u03f2\u1d04\u2ca5\u13df\u1455\ua4da",
    "d": "\u0501\u1d05\u13a0\u13e7\u15ea\u15de\u146f\ua4d3",
    "e": "\u0435\u0451\u03b5\u1d07\u13ac\u156e\ua4f0\u16d6",
    "f": "\ua730\u15b4\ua4dd",
    "g": "\u0261\u0262\u0581\u13c0\ua4d6",
    "h": "\u043d\u04bb\u029c\u0570\u13bb\u13c2\u157c\ua4e7\u16ba",
    "i": "\u0456\u0457\u03b9\u0131\u0269\u026a\u13a5\ua4f2\u16c1",
    "j": "\u0458\u03f3\u1d0a\u13ab\u148d\ua4d9",
    "k": "\u043a\u03ba\u1d0b\u13e6\ua4d7\u16d5",
    "l": "\u2113\u04cf\u029f\u13de\u14aa\ua4e1\u2d4f",
    "m": "\u043c\u1d0d\u13b7\u15f0\ua4df",
    "n": "\u03b7\u0578\u0274\u144e\ua4e0",
    "o": "\u043e\u03bf\u1d0f\u0585\u2c9f\ua4f3\u2d54",
    "p": "\u0440\u03c1\u1d18\u1d29\u2ca3\u13e2\u146d\ua4d1",
    "q": "\u051b\ua7af\u0566\u146b",
    "r": "\u0280\u13a1\u13d2\u1587\ua4e3\u16b1",
    "s": "\u0455\ua731\u13d5\u13da\u1515\ua4e2",
    "t": "\u0442\u03c4\u1d1b\u13a2\ua4d4",
    "u": "\u03c5\u057d\u03bc\u1d1c\u144c\ua4f4",
    "v": "\u03bd\u0475\u028b\u1d20\u13d9\u142f\ua4e6",
    "w": "\u051d\u03c9\u1d21\u13b3\u13d4\u15ef\ua4ea",
    "x": "\u0445\u03c7\u2cad\u166d\u1541\ua4eb",
    "y": "\u0443\u03b3\u028f\u04af\u13a9\ua4ec",
    "z": "\u1d22\u13c3\u1614\ua4dc",
}
_CONFUSABLES = str.maketrans(
    {lookalike: letter for letter, lookalikes in _LOOKALIKES_BY_LETTER.items() for lookalike in lookalikes}
)
# Enclosed letters NFKC leaves alone or spells with parentheses ("(a)"): negative circled and squared
# letters, regional indicator symbols (a flag is a pair of them), parenthesized letters. Mapped before NFKC.
_ENCLOSED_LETTERS = {
    first + offset: chr(ord("a") + offset)
    for first in (0x1F150, 0x1F170, 0x1F1E6, 0x249C, 0x1F110)
    for offset in range(26)
}
_STRIP_AND_UNENCLOSE = _REMOVE_INVISIBLE | _ENCLOSED_LETTERS
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_LEET_HINT = compile_linear(r"\pL[013457@$!]|[013457@$]\pL")
# separators: the ASCII marks people spell words out with, the no-break space and middle dot, and the
# punctuation and symbol blocks (general punctuation: bullets, dashes, spaces; arrows, mathematical and
# technical signs, shapes, dingbats, CJK and fullwidth punctuation, emoji); not every ASCII mark or every
# symbol of Latin-1, which would make every run of code, base85 or accented text a spaced-out word
_SEPARATOR_CLASS = (
    "[ \t._*|/\\\\+~,;:=#^!?'\"\u00a0\u00b7\u2000-\u2bff\u3000-\u303f\u30fb\uff01-\uff0f"
    "\U0001f000-\U0001faff-]"
)
_SPACED = compile_linear(rf"(?:\pL{_SEPARATOR_CLASS}{{1,3}}){{3,}}\pL")
_FLAG_TAGS = compile_linear(r"\x{1F3F4}[\x{E0061}-\x{E007A}\x{E0030}-\x{E0039}]{2,8}\x{E007F}")
_IN_WORD_INVISIBLE = compile_linear(
    r"\p{Latin}[\x{200B}-\x{200D}\x{2060}-\x{2064}\x{FEFF}\x{00AD}\x{180E}]+\p{Latin}"
)
_MIXED_SCRIPT = compile_linear(r"\p{Latin}[\p{Cyrillic}\p{Greek}]|[\p{Cyrillic}\p{Greek}]\p{Latin}")
MAX_COUNTED = 64  # counts of suspicious spots stop here: the score saturates long before


@dataclass(frozen=True)
class TextVariant:
    """One spelling of the text; ``disguise`` names what was undone to get it (None for the plain text)."""

    text: str
    disguise: str | None
    reordered: bool = False  # rot13, reversed or upside down: not a spelling of the text's own order
    # the ``words`` variant: the text it was spelled from, with its underscores (same length), where a match
    # can be told to sit in a code identifier (``def forget_all_rules(self)``)
    underscored: str | None = None
    # the ``corrected`` variant of the text as written (no other disguise undone before): misspelling is
    # ordinary writing, so a match there is weighed as a plain one (quoted, asked about, the writer's own
    # instructions set aside: a mention) and gets no disguise bonus
    misspelt: bool = False


@dataclass(frozen=True)
class HiddenChannels:
    """What the invisible channels of a text carry."""

    tag_text: str  # ASCII smuggled in Unicode tag characters (flag sequences excepted)
    invisible_in_words: int  # zero-width characters between Latin letters
    bidi_controls: int
    mixed_script_words: int  # Latin letters touching Cyrillic/Greek ones


def _count(regex: object, text: str) -> int:
    return sum(1 for _ in itertools.islice(regex.finditer(text), MAX_COUNTED))  # type: ignore[attr-defined]


def hidden_channels(text: str) -> HiddenChannels:
    """Read the invisible channels of ``text`` (all zero for ASCII text)."""
    if text.isascii():
        return HiddenChannels("", 0, 0, 0)
    tag_text = ""
    if any(_TAG_FIRST <= ord(c) <= _TAG_LAST for c in _tag_candidates(text)):
        without_flags = _FLAG_TAGS.sub("", text) if _FLAG_TAGS.search(text) else text  # type: ignore[attr-defined]
        tag_text = "".join(chr(ord(c) - _TAG_FIRST) for c in without_flags if 0xE0020 <= ord(c) <= 0xE007E)
    return HiddenChannels(
        tag_text=tag_text,
        invisible_in_words=_count(_IN_WORD_INVISIBLE, text),
        bidi_controls=sum(text.count(c) for c in _BIDI),
        mixed_script_words=_count(_MIXED_SCRIPT, text),
    )


def _tag_candidates(text: str) -> str:
    """Tag characters are 4-byte code points; only texts holding some are examined character by character."""
    return text if max(text) >= "\U000e0000" else ""


class VariantBudget:
    """Characters of variants (every spelling but the plain text) one request may still have built: the cap
    on the detector's work whatever the limits. Spent stage by stage (a stage may overshoot by what it
    built); once spent, no text of the request gets more variants and ``exhausted`` is set, for the detector
    to count the texts left unread as suspicious rather than harmless."""

    __slots__ = ("exhausted", "left")

    def __init__(self, chars: int) -> None:
        self.left = chars
        self.exhausted = False


def variants(text: str, budget: VariantBudget | None = None) -> list[TextVariant]:
    """The distinct variants of ``text``, plain first (see the module docstring), as many as ``budget``
    allows (built stage by stage, each stage only while some budget is left)."""
    plain = text.casefold()
    found = [TextVariant(plain, None)]
    charged = 1

    def spent() -> bool:
        nonlocal charged
        if budget is None:
            return False
        budget.left -= sum(len(variant.text) for variant in found[charged:])
        charged = len(found)
        if budget.left <= 0:
            budget.exhausted = True
        return budget.exhausted

    current = plain
    if ("%" in plain or "&" in plain or "\\" in plain) and not spent():
        unescaped = _unescape(plain)
        if unescaped != current:
            found.append(TextVariant(unescaped, "obfuscation"))
            current = unescaped
    if "<!--" in current and not spent():
        uncommented = _without_html_comments(current)
        if uncommented != current:
            found.append(TextVariant(uncommented, "obfuscation"))
            current = uncommented
    if _SPLIT_WORD.search(current) is not None and not spent():
        unsplit = _without_in_word_markup(current)
        if unsplit != current:
            found.append(TextVariant(unsplit, "obfuscation"))
            current = unsplit
    if (not current.isascii() or _ASCII_CONTROL.search(current) is not None) and not spent():
        stripped = current.translate(_STRIP_AND_UNENCLOSE)  # enclosed letters are one character each
        normalized = unicodedata.normalize("NFKC", stripped).casefold()
        if normalized != current:
            disguise = "hidden_characters" if len(stripped) != len(current) else "obfuscation"
            found.append(TextVariant(normalized, disguise))
            current = normalized
        # Zalgo, an accent on every letter; an accent on a word attacks need
        if _MARKED_LATIN.search(current) is not None or _ACCENTED_KEY_WORD.search(current) is not None:
            unmarked = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", current))
            if unmarked != current:
                found.append(TextVariant(unmarked, "obfuscation"))
                current = unmarked
        folded = current.translate(_CONFUSABLES)
        if folded != current:
            found.append(TextVariant(folded, "obfuscation"))
            current = folded
    if "\n" in current and _DOWN_THE_PAGE.search(current) is not None and not spent():
        vertical = across(current)
        if vertical is not None and vertical != current:
            found.append(TextVariant(vertical, "obfuscation"))
            current = vertical
    if _MISSPELT_OR_IN_PIECES.search(current) is not None and not spent():  # one scan clears ordinary text
        current = _reassembled(current, found)
    if spent():
        return found
    found += _reordered(current)
    if _LEET_HINT.search(current) is not None and not spent():
        leet = current.translate(_LEET)
        if leet != current:
            found.append(TextVariant(leet, "obfuscation"))
    if "_" in current and not spent():  # snake_case: RE2's \b sees no word boundary at "_"
        words = current.replace("_", " ")
        found.append(TextVariant(words, "obfuscation", underscored=current))
        # near misses glued by "_" (ignroe_all_previus_instrucitons: RE2 sees no \b there), read with the
        # underscores kept, so a misspelt identifier in code is still told to be one
        meant = corrected(current.replace("_", "\x00"))
        if meant is not None and not spent():
            meant = meant.replace("\x00", "_")
            found.append(TextVariant(meant.replace("_", " "), "obfuscation", underscored=meant))
    if _SPACED.search(current) is not None and not spent():
        collapsed = _collapse_spaced(current)
        if collapsed != current:
            found.append(TextVariant(collapsed, "obfuscation"))
    spent()
    return found


def _reassembled(current: str, found: list[TextVariant]) -> str:
    """The ``corrected`` and ``reassembled`` variants of ``current``, each built on the last, appended to
    ``found``; the last of them returned."""
    meant = corrected(current)
    if meant is not None and meant != current:
        found.append(TextVariant(meant, "obfuscation", misspelt=len(found) == 1))
        current = meant
    pieces = reassembled(current)
    if pieces is not None:  # after the text: the rules read neither across a line break
        current = f"{current}\n{pieces}"
        found.append(TextVariant(current, "obfuscation"))
    return current


# Prefilters, one scan each: text down the page; a near miss or pieces to put together (one automaton for
# the two; with the runs of lines too it outgrew RE2's memory and crawled).
_DOWN_THE_PAGE = compile_linear(RUN_PATTERN)
_MISSPELT_OR_IN_PIECES = compile_linear(f"(?:{NEAR_MISS_PATTERN})|(?:{HINT_PATTERN})")


# What splits a word for the eye only: an HTML tag (``ig<b></b>nore``), Markdown emphasis inside a word
# (``**ig**nore``, rendered ``ignore``), a hyphen inside a word (``ig-nore all pre-vious in-structions``).
# Prose has hyphens everywhere, so the variant is built only when such a mark splits one of the words
# attacks cannot do without (one RE2 scan: each word with a mark required at one place, optional at the
# others); a tag between two words (``<span>ignore</span> <span>all</span>``) is one more reason.
_MARK = r"[-*~\x{2010}\x{2011}]+"
_SPLIT_WORDS = (
    "ignore", "disregard", "forget", "bypass", "override", "previous", "prior", "instructions", "reveal",
    "system", "prompt", "jailbreak", "unrestricted", "guidelines", "restrictions", "developer", "pretend",
)  # fmt: skip


def _split_word(word: str, at: int) -> str:
    loose = f"(?:{_MARK})?"
    return loose.join(word[:at]) + _MARK + loose.join(word[at:])


_SPLIT_WORD = compile_linear(
    "|".join(_split_word(word, at) for word in _SPLIT_WORDS for at in range(1, len(word)))
    + r"|\pL</?[a-z]|[a-z\"'/]>\pL"
)
_HTML_TAG = re.compile(r"</?[a-z][a-z0-9-]*(?:[\s/][^<>]*)?>")  # [^<>] stops at the next "<": linear
_IN_WORD_MARKS = str.maketrans("", "", "*~-\u2010\u2011")


def _without_in_word_markup(text: str) -> str:
    """HTML tags removed (a tag between two words leaves their space or line break), emphasis marks and
    hyphens removed (all of them: ``str.translate``, where a look at each one's neighbours costs a Python
    step per hyphen; the plain variant still has them): the text as its reader sees it."""
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    return text.translate(_IN_WORD_MARKS)


def _without_html_comments(text: str) -> str:
    """``ign<!-- -->ore`` → ``ignore``: HTML comments (which a Markdown renderer hides and a model reads
    past) removed, so that one cannot split a word. Linear: each ``find`` starts where the last one ended;
    an unclosed comment is left as is."""
    pieces: list[str] = []
    end = 0
    while True:
        opened = text.find("<!--", end)
        if opened < 0:
            break
        closed = text.find("-->", opened + 4)
        if closed < 0:
            break
        pieces.append(text[end:opened])
        end = closed + 3
    pieces.append(text[end:])
    return "".join(pieces)


def _vocabulary(words: tuple[str, ...]) -> object:
    return compile_linear(r"\b(?:" + "|".join(words) + r")\b")


# Common English words and the words of attacks, whose rot13 and reversed forms are not words themselves
# (so "and" is not reversed: "dna"; "are", "now", "not" neither: "era", "won", "ton"). Their hits in a text
# spelled backwards or in rot13 are what says that reading it so may help; an English text has next to none.
_COMMON = (
    "the", "you", "your", "all", "ignore", "previous", "instructions", "system", "prompt", "reveal", "with",
    "that", "this", "from", "tell", "rules", "print", "forget", "must", "above", "before", "secret",
)  # fmt: skip
_ROT13 = str.maketrans("abcdefghijklmnopqrstuvwxyz", "nopqrstuvwxyzabcdefghijklm")
_PLAIN_WORDS = _vocabulary((*_COMMON, "and"))
_ROT13_WORDS = _vocabulary(tuple(word.translate(_ROT13) for word in (*_COMMON, "and")))
_REVERSED_WORDS = _vocabulary(tuple(word[::-1] for word in _COMMON))
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _enciphering(shift: int) -> dict[int, int]:
    return str.maketrans(_LETTERS, _LETTERS[shift:] + _LETTERS[:shift])


# The other Caesar shifts and atbash (a↔z, b↔y...), read like rot13: only where a cluster of words reads as
# common English deciphered. Which cipher, if any, is told by one more scan (:func:`_likeliest_cipher`):
# the common words enciphered every way, each hit naming its cipher; only the likeliest one is then checked
# and read, never 25 readings of the text. Enciphered common words that are English words themselves
# ("the" shifted by 19 is "max", "all" in atbash is "zoo") are left out.
_ENCIPHERINGS = {
    **{f"caesar{shift}": _enciphering(shift) for shift in range(1, 26) if shift != 13},
    "atbash": str.maketrans(_LETTERS, _LETTERS[::-1]),
}
_DECIPHERINGS = {
    name: str.maketrans({value: key for key, value in table.items()}) for name, table in _ENCIPHERINGS.items()
}
_ENGLISH_CIPHERTEXTS = frozenset(("aol", "mci", "max", "tee", "zoo"))
_CIPHER_OF = {
    word.translate(table): name
    for name, table in _ENCIPHERINGS.items()
    for word in (*_COMMON, "and")
    if word.translate(table) not in _ENGLISH_CIPHERTEXTS
}
_ANY_CIPHER_WORD = _vocabulary(tuple(_CIPHER_OF))
_ANY_DECODED_WORD = _vocabulary(
    (
        *(word.translate(_ROT13) for word in (*_COMMON, "and")),
        *(word[::-1] for word in _COMMON),
        *_CIPHER_OF,
    )
)
# Upside-down text: turned letters (and b/d/n/p/q/u standing for their flips), read from right to left.
_TURNED = "\u0250\u0254\u01dd\u025f\u0183\u0265\u1d09\u027e\u029e\u026f\u0279\u0287\u028c\u028d\u028e"
_UPRIGHT = str.maketrans(_TURNED + "bdnpqu", "acefghijkmrtvwy" + "qpudbn")
_TURNED_LETTERS = compile_linear("[" + _TURNED + "]")
MIN_WORD_HITS = 3
_CLUSTER_GAP = 60  # characters between two decoded-word hits of one cluster
MAX_WORD_HITS = 256  # decoded-word hits looked at per text; past them the text is read decoded anyway


def _reordered(text: str) -> list[TextVariant]:
    """The rot13, reversed (whole text, and each word in place) and upside-down readings of ``text``, each
    only when it has markedly more common words than the text as written (:func:`_reads_better`)."""
    found: list[TextVariant] = []
    if _ANY_DECODED_WORD.search(text) is not None:  # one scan clears an ordinary text
        if _reads_better(text, _ROT13_WORDS):
            found.append(TextVariant(text.translate(_ROT13), "obfuscation", reordered=True))
        if _reads_better(text, _REVERSED_WORDS):
            found.append(TextVariant(text[::-1], "obfuscation", reordered=True))
            found.append(TextVariant(_words_reversed(text), "obfuscation", reordered=True))
        cipher = _likeliest_cipher(text)
        if cipher is not None:
            found.append(TextVariant(text.translate(_DECIPHERINGS[cipher]), "obfuscation", reordered=True))
    if not text.isascii() and _count(_TURNED_LETTERS, text) >= MIN_WORD_HITS:
        upright = text[::-1].translate(_UPRIGHT)
        if _count(_PLAIN_WORDS, upright) >= MIN_WORD_HITS:
            found.append(TextVariant(upright, "obfuscation", reordered=True))
    return found


_LONG_LETTER_RUN = compile_linear(r"[a-z]{20,}")


def glued_readings(text: str, budget: VariantBudget | None = None) -> list[str]:
    """The rot13, reversed, words-reversed and upright readings of ``text`` (casefolded, every disguise
    undone) for the glued rules, where its words are glued: :func:`_reads_better` counts decoded words
    between word boundaries, which a phrase written without spaces (``vtaberNyyCerivbhfVafgehpgvbaf``,
    ``snoitcurtsnisuoiverpllaerongi``) has none of, so those readings were never made. Only for a text
    holding a run of 20 letters or more (no English word but a few is that long; one RE2 scan clears the
    rest), or 3 turned letters; charged to ``budget``."""
    readings: list[str] = []
    if budget is not None and budget.exhausted:
        return readings
    if _LONG_LETTER_RUN.search(text) is not None:  # type: ignore[attr-defined]
        backwards = text[::-1]
        readings += [text.translate(_ROT13), backwards]
        if " " in text or "\n" in text:
            readings.append(_words_reversed(text))
    if not text.isascii() and _count(_TURNED_LETTERS, text) >= MIN_WORD_HITS:
        readings.append(text[::-1].translate(_UPRIGHT))
    if budget is not None and readings:
        budget.left -= sum(map(len, readings))
        budget.exhausted = budget.left <= 0
    return readings


def _likeliest_cipher(text: str) -> str | None:
    """The Caesar shift (other than 13) or atbash that reads some part of ``text`` as more common English
    than it is written (as :func:`_reads_better` tells), judged for the one cipher most of the text's first
    :data:`MAX_WORD_HITS` enciphered common words name: one scan, and no more for that cipher."""
    data = text.encode("utf-8", "surrogatepass")  # RE2 matches in bytes cost no offset conversions
    starts: dict[str, list[int]] = {}
    for match in itertools.islice(_ANY_CIPHER_WORD.finditer(data), MAX_WORD_HITS):  # type: ignore[attr-defined]
        starts.setdefault(_CIPHER_OF[match.group().decode()], []).append(match.start())
    if not starts:
        return None
    cipher = max(starts, key=lambda name: len(starts[name]))
    if _clustered(starts[cipher], data) or len(starts[cipher]) == MAX_WORD_HITS:
        return cipher
    return None


def _reads_better(text: str, decoded_words: object) -> bool:
    """Whether some part of ``text`` has more common words read decoded than as written: a cluster of at
    least :data:`MIN_WORD_HITS` decoded words, each within :data:`_CLUSTER_GAP` characters of the next,
    holding fewer plain common words than decoded ones. Clusters, not the whole text: a payload inside a
    long English text is outnumbered by its plain words. Linear: at most :data:`MAX_WORD_HITS` hits, and
    clusters do not overlap; past that many hits the text is read decoded anyway."""
    starts = [
        match.start()  # type: ignore[attr-defined]
        for match in itertools.islice(decoded_words.finditer(text), MAX_WORD_HITS)  # type: ignore[attr-defined]
    ]
    return _clustered(starts, text) or len(starts) == MAX_WORD_HITS


def _clustered(starts: list[int], text: str | bytes) -> bool:
    """Whether the decoded-word hits at ``starts`` hold a cluster that outnumbers the plain common words
    in its span (see :func:`_reads_better`)."""
    if len(starts) < MIN_WORD_HITS:
        return False
    first = 0
    while first < len(starts):
        last = first
        while last + 1 < len(starts) and starts[last + 1] - starts[last] <= _CLUSTER_GAP:
            last += 1
        size = last - first + 1
        if size >= MIN_WORD_HITS and size > _count(_PLAIN_WORDS, text[starts[first] : starts[last] + 1]):
            return True
        first = last + 1
    return False


def _words_reversed(text: str) -> str:
    """Each word spelled backwards in place ("erongi lla" → "ignore all")."""
    return "\n".join(" ".join(word[::-1] for word in line.split(" ")) for line in text.split("\n"))


def _unescape(text: str) -> str:
    """Percent-escapes and HTML character references decoded (escaped bytes that are not UTF-8 become
    U+FFFD). ``urllib.parse.unquote`` is avoided: it costs a Python step per ``%`` even where none escapes
    anything; :data:`_PERCENT_RUN` and ``html.unescape``'s pattern are fixed and unnested (each repetition
    starts with a character nothing else in it matches), so stdlib ``re`` runs them in linear time."""
    if "%" in text:
        text = _PERCENT_RUN.sub(_percent_decoded, text)
    if "&" in text:
        text = html.unescape(text)
    if "\\" in text:
        text = _BACKSLASH_ESCAPE.sub(_backslash_decoded, text)
        if _SURROGATE.search(text):  # an escaped pair is one character, a lone half U+FFFD (RE2 reads UTF-8)
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.casefold()


_PERCENT_RUN = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_BACKSLASH_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _backslash_decoded(match: re.Match[str]) -> str:
    """``\\u0049``, ``\\x49``: escapes written into the text, which a model reads as the characters."""
    return chr(int(match.group(1) or match.group(2), 16))


def _percent_decoded(match: re.Match[str]) -> str:
    return bytes.fromhex(match.group().replace("%", "")).decode("utf-8", "replace")


def _collapse_spaced(text: str) -> str:
    """Join letters spelled out with separators; words stay apart where the separator run was wide.

    Every run is joined, however many come first (a cap on their count left a spelled-out phrase after
    1,024 decoy runs undisguised). RE2 finds the first :data:`RE2_SPACED_RUNS` runs (ordinary texts have
    far fewer); past them the rest of the text is walked with :data:`_SPACED_RUNS`, the same pattern in
    stdlib ``re``, whose C loop costs far less per match than the RE2 binding's Python one (about 1 µs
    against 40). It is linear: letters and separators are disjoint classes, so at any position at most
    one way to go on exists, and a run of three letters or more always matches (giving back at most its
    last separator), so no start position is retried over a long run."""
    pieces: list[str] = []
    end = 0
    resume: int | None = None
    for count, match in enumerate(_SPACED.finditer(text)):  # type: ignore[attr-defined]
        if count == RE2_SPACED_RUNS:
            resume = match.start()
            break
        start, stop = match.span()
        pieces.append(text[end:start])
        pieces.append(_join_letters(text[start:stop]))
        end = stop
    if resume is not None:
        for match in _SPACED_RUNS.finditer(text, resume):
            start, stop = match.span()
            pieces.append(text[end:start])
            pieces.append(_join_letters(text[start:stop]))
            end = stop
    pieces.append(text[end:])
    return "".join(pieces)


RE2_SPACED_RUNS = 1024
_SPACED_RUNS = re.compile(rf"(?:[^\W\d_]{_SEPARATOR_CLASS}{{1,3}}){{3,}}[^\W\d_]")
_LETTER = re.compile(r"[^\W\d_]")


def _join_letters(run: str) -> str:
    """``"i g n o r e   a l l"`` → ``"ignore all"``: a wider separator run than usual splits words."""
    if len(run) % 2 and _LETTER.search(run[1::2]) is None:  # one separator between each: the letters
        return run[::2]
    letters: list[str] = []
    gaps: list[int] = []
    gap = 0
    for char in run:
        if char.isalpha():
            if letters:
                gaps.append(gap)
            letters.append(char)
            gap = 0
        else:
            gap += 1
    usual = min(gaps) if gaps else 1
    out = [letters[0]]
    for letter, width in zip(letters[1:], gaps, strict=True):
        out.append((" " if width > usual else "") + letter)
    return "".join(out)
