"""Check 9: how far the input is from ordinary text for this route (``mode`` off | log | block).

A deliberately simple, explainable signal; three measures on the texts of the configured roles, each
mapped to a score between 0 and 1, the signal being the highest (its name is the category):

``non_text``   share of characters that are neither letters, marks, digits, punctuation nor spaces (symbols,
               controls, private-use and unassigned code points): 0 up to 25%, 1 from 60%. Emoji soup,
               binary pasted as text and glitch-token spam land here.
``script_mix`` with ``expected_scripts`` (e.g. ``["Latin"]``): the share of letters in other scripts, 0 up to
               20%, 1 from 70%. Without it: the number of writing systems each holding at least 5% of the
               letters (Chinese, Japanese and Korean scripts count as one), 0 up to 2, 1 from 4.
``repetition`` zlib compression ratio of the text (from 256 characters): ordinary prose compresses to
               0.3-0.6 of its size, code to ~0.25; 0 from 0.12 down to 1 at 0.03 (a phrase repeated
               thousands of times, token flooding).

Texts are sampled (head, middle and tail, :data:`SAMPLE_CHARS` in all) so that the cost is bounded whatever
the body size; shorter inputs than :data:`MIN_CHARS` carry too little signal and are not scored.
"""

from __future__ import annotations

import functools
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from kong_plugins.ai_input_guard.view import TextSegment

__all__ = ["KNOWN_SCRIPTS", "MIN_CHARS", "SAMPLE_CHARS", "OodSignal", "OutOfDistribution"]

SAMPLE_CHARS = 24576
MIN_CHARS = 32
#: Every name :func:`_classify` gives a letter's script (the first word of its Unicode name, capitalized;
#: ``CJK`` ideographs are ``Han``), for the Unicode versions of Python 3.11 to 3.14: the only values
#: ``expected_scripts`` accepts (any other name would silently count every letter as foreign). Most are
#: script names (``Latin``, ``Cyrillic``, ``Han``...); a few are the first word of longer ones (``Old`` for
#: Old Italic, Old Persian...) or of letter-like symbols (``Mathematical``, ``Modifier``).
KNOWN_SCRIPTS: tuple[str, ...] = (
    "Adlam",
    "Ahom",
    "Alef",
    "Anatolian",
    "Angstrom",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa",
    "Batak",
    "Bengali",
    "Bet",
    "Bhaiksuki",
    "Black-letter",
    "Bopomofo",
    "Brahmi",
    "Buginese",
    "Buhid",
    "Canadian",
    "Carian",
    "Caron",
    "Caucasian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cypro-minoan",
    "Cyrillic",
    "Dalet",
    "Deseret",
    "Devanagari",
    "Dives",
    "Dogra",
    "Double-struck",
    "Duployan",
    "Egyptian",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Euler",
    "Feminine",
    "Garay",
    "Georgian",
    "Gimel",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala",
    "Gurmukhi",
    "Gurung",
    "Han",
    "Hangul",
    "Hanifi",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hentaigana",
    "Hiragana",
    "Ideographic",
    "Imperial",
    "Information",
    "Inscriptional",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Katakana-hiragana",
    "Kawi",
    "Kayah",
    "Kelvin",
    "Kharoshthi",
    "Khitan",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Kirat",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram",
    "Masculine",
    "Masu",
    "Mathematical",
    "Medefaidrin",
    "Meetei",
    "Mende",
    "Meroitic",
    "Miao",
    "Micro",
    "Modi",
    "Modifier",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nag",
    "Nandinagari",
    "New",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng",
    "Ogham",
    "Ohm",
    "Ol",
    "Old",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh",
    "Palmyrene",
    "Pau",
    "Phags-pa",
    "Phoenician",
    "Planck",
    "Psalter",
    "Rejang",
    "Roman",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Script",
    "Sharada",
    "Shavian",
    "Siddham",
    "Sinhala",
    "Sogdian",
    "Sora",
    "Soyombo",
    "Sundanese",
    "Sunuwar",
    "Superscript",
    "Syloti",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Todhri",
    "Toto",
    "Tulu-tigalari",
    "Turned",
    "Ugaritic",
    "Vai",
    "Vedic",
    "Vertical",
    "Vithkuqi",
    "Wancho",
    "Warang",
    "Yezidi",
    "Yi",
    "Zanabazar",
)
_CJK = frozenset({"Han", "Hiragana", "Katakana", "Hangul", "Bopomofo"})
_TEXT_CATEGORIES = ("L", "M", "N", "P", "Z")


@dataclass(frozen=True)
class OodSignal:
    """The strongest measure and its score, and the (first) text segment it was computed over."""

    score: float
    category: str
    path: str


@functools.lru_cache(maxsize=8192)
def _classify(char: str) -> tuple[bool, str | None]:
    """``(is text, script of a letter)`` for one character."""
    category = unicodedata.category(char)
    if char in "\n\r\t":
        return True, None
    if not category.startswith(_TEXT_CATEGORIES):
        return False, None
    if not category.startswith("L"):
        return True, None
    words = unicodedata.name(char, "").split()
    if not words:
        return True, None
    word = words[1] if words[0] in ("FULLWIDTH", "HALFWIDTH") and len(words) > 1 else words[0]
    return True, "Han" if word == "CJK" else word.capitalize()


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    third = SAMPLE_CHARS // 3
    middle = len(text) // 2 - third // 2
    return text[:third] + text[middle : middle + third] + text[-third:]


def _ramp(value: float, start: float, end: float) -> float:
    """0 at ``start``, 1 at ``end`` (either direction), linear between."""
    position = (value - start) / (end - start)
    return round(min(1.0, max(0.0, position)), 4)


class OutOfDistribution:
    """Built once per plugin instance; ``measure`` is pure and thread-safe."""

    def __init__(self, roles: Iterable[str] = ("user",), expected_scripts: Iterable[str] = ()) -> None:
        self.roles = frozenset(roles)
        self.expected_scripts = frozenset(expected_scripts)

    def measure(self, segments: Iterable[TextSegment]) -> OodSignal | None:
        chosen = [s for s in segments if s.role in self.roles and s.text]
        text = "\n".join(s.text for s in chosen)
        if len(text) < MIN_CHARS:
            return None
        sample = _sample(text)
        scores = {
            **self._character_scores(sample),
            "repetition": self._repetition(sample),
        }
        category, score = max(scores.items(), key=lambda item: item[1])
        return OodSignal(score, category, chosen[0].path if len(chosen) == 1 else "")

    def _character_scores(self, sample: str) -> dict[str, float]:
        counts = Counter(sample)
        non_text = 0
        scripts: Counter[str] = Counter()
        for char, count in counts.items():
            is_text, script = _classify(char)
            if not is_text:
                non_text += count
            elif script is not None:
                scripts[script] += count
        letters = sum(scripts.values())
        non_text_score = _ramp(non_text / len(sample), 0.25, 0.60)
        if not letters:
            return {"non_text": non_text_score, "script_mix": 0.0}
        if self.expected_scripts:
            foreign = sum(n for script, n in scripts.items() if script not in self.expected_scripts)
            mix_score = _ramp(foreign / letters, 0.20, 0.70)
        else:
            families: Counter[str] = Counter()
            for script, n in scripts.items():
                families["CJK" if script in _CJK else script] += n
            major = sum(1 for n in families.values() if n >= 0.05 * letters)
            mix_score = _ramp(major, 2, 4)
        return {"non_text": non_text_score, "script_mix": mix_score}

    @staticmethod
    def _repetition(sample: str) -> float:
        if len(sample) < 256:
            return 0.0
        data = sample.encode("utf-8", "surrogatepass")
        ratio = len(zlib.compress(data, 6)) / len(data)
        return _ramp(ratio, 0.12, 0.03)
