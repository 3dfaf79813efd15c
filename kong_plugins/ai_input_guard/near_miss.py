"""Near-miss spellings of the words attacks cannot do without, read as the words they miss.

``ignroe all previus instrucitons``, ``disreguard``, ``sytem promt``: a model reads a word with one letter
missing, added, changed or two letters swapped as the word meant, and the phrase rules see nothing they
know (issue 15). :func:`corrected` puts back each word of the text within edit distance 1 (transposition
included) of one of :data:`KEY_WORDS`, so the rules read the phrase as the model does.

False positives are kept out three ways: only key words of six letters or more and near misses of five
letters or more (a short word has many neighbours that are words themselves); the near misses that are
words of English or of the neighbouring languages the corpora hold (``ignored``, ``precious``, ``forgot``,
``developed``, ``systems``, French ``ignorez``, Italian ``ignora``, Dutch ``systeem``:
:data:`REAL_WORDS`, taken from the word-frequency lists of pyspellchecker 0.9.1 for en, es, fr, de, it, pt,
nl) are left as written; and a corrected word only matters where the rules then read a whole attack phrase.

Linear and cheap: the near misses are enumerated once (about 10,000 strings) into one RE2 alternation, so
an ordinary text pays one scan and no Python step; the first :data:`RE2_MATCHES` near misses are replaced
from that scan, and past them the rest of the text is walked with one stdlib ``re`` substitution over its
words (a fixed, unnested pattern: linear), as :func:`.text_variants._collapse_spaced` does.
"""

from __future__ import annotations

import re
import string

from kong_plugins.ai_input_guard.linear_regex import compile_linear

__all__ = ["KEY_WORDS", "MIN_LETTERS", "NEAR_MISS_PATTERN", "REAL_WORDS", "corrected"]

KEY_WORDS = (
    "ignore", "disregard", "forget", "override", "bypass", "previous", "preceding", "instructions",
    "instruction", "directives", "guidelines", "restrictions", "system", "prompt", "reveal", "jailbreak",
    "unrestricted", "uncensored", "developer", "pretend", "constraints",
)  # fmt: skip
MIN_LETTERS = 5
"""Letters a near miss needs: ``sytem`` and ``promt`` (a letter short of six) are read, four-letter words
never."""
REAL_WORDS = frozenset(
    (
        "bypast", "constrains", "constraint", "contraints", "developed", "developers", "directies",
        "directive", "disregards", "foret", "forgat", "forge", "forgea", "forged", "forgent", "forger",
        "forges", "forgets", "forgez", "forgot", "gorget", "guideline", "ignare", "ignora", "ignored",
        "ignorei", "ignorem", "ignorer", "ignores", "ignorez", "ignori", "ignoro", "ignote", "instruction",
        "instructions", "instruktion", "jailbreaks", "overrede", "overrides", "overripe", "overrode",
        "overside", "pervious", "plompt", "pompt", "pratend", "prebend", "precious", "prekend", "prepend",
        "pretenda", "pretende", "pretendi", "pretendo", "pretends", "promet", "promit", "prompte",
        "prompts", "promptu", "promut", "propt", "receding", "repeal", "reseal", "restriction", "reval",
        "reveals", "reveil", "revel", "revela", "rompt", "signore", "sustem", "systeem", "systeme",
        "systemd", "systems", "tretend", "trompt", "uncensured",
    )
)  # fmt: skip
"""Words of English and of es/fr/de/it/pt/nl within edit distance 1 of a key word (``systemd`` added: a
name every Linux text uses): written on purpose, never corrected."""
RE2_MATCHES = 64


def _near_misses(word: str) -> set[str]:
    """Every string within edit distance 1 of ``word``: a letter deleted, two adjacent ones swapped, one
    changed, one inserted."""
    letters = string.ascii_lowercase
    splits = [(word[:at], word[at:]) for at in range(len(word) + 1)]
    deleted = {head + tail[1:] for head, tail in splits if tail}
    swapped = {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    changed = {head + letter + tail[1:] for head, tail in splits if tail for letter in letters}
    inserted = {head + letter + tail for head, tail in splits for letter in letters}
    return (deleted | swapped | changed | inserted) - {word}


def _canonical() -> dict[str, str]:
    meant: dict[str, str] = {}
    for word in KEY_WORDS:
        for miss in sorted(_near_misses(word)):
            if len(miss) >= MIN_LETTERS and miss not in REAL_WORDS and miss not in KEY_WORDS:
                meant.setdefault(miss, word)
    return meant


_MEANT = _canonical()
NEAR_MISS_PATTERN = r"\b(?:" + "|".join(sorted(_MEANT)) + r")\b"
"""Any near miss (RE2): what :func:`corrected` reads, for a caller's prefilter."""
_NEAR_MISS = compile_linear(NEAR_MISS_PATTERN)
_WORD = re.compile(rf"\b[a-z]{{{MIN_LETTERS},{max(map(len, KEY_WORDS)) + 1}}}\b")


def corrected(text: str) -> str | None:
    """``text`` (casefolded) with each near miss of a key word replaced by the word, or None when it has
    none. A match glued to a non-ASCII letter (``ignorée``: RE2's ``\\b`` is ASCII) is part of another word
    and left alone."""
    pieces: list[str] = []
    end = 0
    resume: int | None = None
    for count, match in enumerate(_NEAR_MISS.finditer(text)):  # type: ignore[attr-defined]
        if count == RE2_MATCHES:
            resume = match.start()
            break
        start, stop = match.span()
        if (start and text[start - 1].isalpha()) or (stop < len(text) and text[stop].isalpha()):
            continue
        pieces.append(text[end:start])
        pieces.append(_MEANT[text[start:stop]])
        end = stop
    if resume is not None:
        pieces.append(text[end:resume])
        pieces.append(_WORD.sub(_meant, text[resume:]))
    elif not pieces:
        return None
    else:
        pieces.append(text[end:])
    return "".join(pieces)


def _meant(match: re.Match[str]) -> str:
    return _MEANT.get(match.group(), match.group())
