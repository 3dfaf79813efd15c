"""The shipped prompt-injection classifier: hashed word and character n-grams, a linear model, numpy only.

The second tier of the detector's cascade (:mod:`.injection`): it runs only where the rules are uncertain,
and says how likely a text is an injection attempt, whatever its wording or language. Features, the same
in training (:mod:`.classifier_train`, scikit-learn, an optional extra) and here:

* the text NFKC-normalized, casefolded, whitespace runs collapsed;
* character 4-grams (rolling hashes computed with numpy over all the request's texts joined,
  a few array operations, not a Python loop per n-gram) and word unigrams and bigrams, hashed into
  ``2**bits`` buckets; a ``role:tool`` feature for tool results and documents. Chinese and Japanese are
  written without spaces between words, so a run of ideographs or kana is not one "word": each such
  character is a word of its own, and the word features become character uni- and bigrams (the
  two-character words those languages are mostly made of); version 4 hashed a whole clause as one word
  that no other text shared, and read zh at recall 0.22;
* a length feature (since version 6): one more feature per window naming its length bin, by its number
  of features (:data:`LENGTH_EDGES`: fewer than 32, about seven words; 32-63; 64-127; more), so the model
  learns a bias per length. With ``count / sqrt(n)`` a short window's few n-grams are read at full
  strength, with nothing around them to weigh them down, and the training texts were sentences and
  documents: version 5 scored "Summarize this article." 0.81 and "你好" 0.96. Short texts in training
  (train8) teach the n-grams, the bin how far to trust a short text: on the dev split (measured before
  train9 joined), the same data without the bin left 2 of dev_short's 83 benign texts over the threshold
  its rule chose (dev recall 0.881), with it none (0.883). It is the per-length calibration, learnt with
  the weights: a separate calibration would need short texts held out of training that the project does
  not have;
* ``count / sqrt(n)`` per bucket, ``n`` the window's number of features: a window's score is the sum of
  the weights of its features over ``sqrt(n)``.

Not every text is read (:func:`scored`): a text without letters and a lone token (a field value or an
identifier such as ``user`` or ``gpt-4o``: no whitespace, at most :data:`TOKEN_CHARS` characters, not in a
script written without spaces, fewer than :data:`GLUED_WORDS` words glued) score 0.0: with ``format:
custom`` every string of a body is a text, and version 5 scored ``user`` 0.97.

The probability is ``sigmoid(w·x + b)``. A text of at most :data:`WINDOW_CHARS` characters (a few
sentences, the length of the training texts) is read whole, so a question *about* a phrase keeps its
question with it. A longer text scores as its worst window, so an override inside a long document is not
diluted by the rest of it: windows of :data:`WINDOW_CHARS` every :data:`WINDOW_STRIDE` characters, and
windows of one sentence and of two consecutive sentences (each clipped to :data:`WINDOW_CHARS`), so a short
override is scored with its own sentence around it, not with the 170 characters of report prose a fixed
window would add (version 4 read such an override at below 0.1). The features are hashed once per text and
each feature is tagged with where it starts, so every window's score is a difference of two prefix sums
and its number of features a few binary searches: windows cost O(log n) each, the work stays linear in the
text.

Bounds: at most :data:`MAX_REQUEST_CHARS` characters per request are read, texts in order, each as far
as the budget left allows; a text the budget cut short (or did not reach) is reported as not fully read
(:attr:`Scores.unread`), so the cascade can say so (finding ``unverified``, source ``unscanned``) instead
of vouching for text it never saw. The weights are a small versioned file in the package
(``data/injection_classifier_v8.npz``), loaded once per process; ``kong-ai detector train`` reproduces it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import re2

from kong_plugins.core.cache import LruCache

__all__ = [
    "DEFAULT_MODEL_PATH",
    "DEFAULT_THRESHOLD",
    "LENGTH_EDGES",
    "MAX_REQUEST_CHARS",
    "MODEL_VERSION",
    "WINDOWED_LOGIT_OFFSET",
    "WINDOW_CHARS",
    "Classifier",
    "Scores",
    "load_default",
    "normalize",
    "scored",
    "text_vector",
    "tool_text",
]

MODEL_VERSION = 8
DEFAULT_THRESHOLD = 0.88
"""The default probability from which a verdict is an injection. The dev split alone would allow less:
the lowest of 0.50, 0.51, ... 0.99 at which rules + classifier keep the false-positive rate at or under
3% for the texts as written and for the short texts of dev_short (version 7: 0.80, recall 0.897, FPR
1.3%). But at 0.80 four short hard negatives of the gateway tests, written for the rules and read by the
writer of train9 as a second dev set, were refused (a question about what a quoted override means, in
ja/ru; "how to write a good system prompt" in ko; "Signore, all previous instructions from the board
still stand."), and quoted attack phrases are the false positive users meet most; 0.88 is the lowest at
which none is (version 7: dev recall 0.851, FPR 0.9%). Version 8 was checked the same way: at 0.82 and
0.86 a ja and a ru question about a quoted override (0.854, 0.870) were refused, so 0.88 stays (dev,
heldout6 and dev_short included: recall 0.845, FPR 0.5%). Long texts are held to more:
:data:`WINDOWED_LOGIT_OFFSET`."""
WINDOWED_LOGIT_OFFSET = 0.32
"""Subtracted from the log-odds of a text scored as the worst of several windows (longer than one
window): the more windows, the more chances for one window of a benign document to score high (a
multiple-comparisons correction), so a long text must reach, in its worst window, what a one-window
threshold of 0.91 asks (logit 0.91 - logit 0.88 = 0.32). 0.91 was chosen with the texts of the dev split
put inside ordinary prose (``kong-ai detector eval --in-prose``: false positives at or under 3%) and
ordinary text (at most 2% of the 1 KB and 4 KB chunks of ``bench/ordinary_text.py``'s *tuning* sources,
CPython's stdlib and license texts, flagged; its held-out sources are measured, never tuned on). Version 7
first shipped 0.91 for all texts: dev recall as written 0.829; with one threshold for texts read whole and
this offset for the others, 0.851 at the same in-prose and ordinary-text false positives (almost every
text read whole is a short prompt). Version 8 keeps 0.91: at it 1.8% of the tuning chunks are flagged
(with the long attack texts trained on: 2.9%, :data:`.classifier_train.LONG_ATTACK_CHARS`)."""
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / f"injection_classifier_v{MODEL_VERSION}.npz"
BITS = 16
WINDOW_CHARS = 256
WINDOW_STRIDE = 128
MAX_REQUEST_CHARS = 65536  # per request: the rest is reported unread
MAX_JSON_STRINGS = 4096  # per JSON tool result: the string values read (tool_text)
CACHE_ENTRIES = 4096  # probabilities of recently scored texts, per process (ScoreCache)
CHAR_NGRAMS = (4,)
SENTENCE_SPANS = (1, 2)
TOKEN_CHARS = 40  # a text without whitespace up to this long is one token: an identifier or a field value
GLUED_WORDS = 4  # ... unless it glues this many words (of 2+ letters) with - _ . or /: a phrase
BLOB_CHARS = 20  # a run of the base64 alphabet this long with a digit in it is an encoded payload or an id
_LETTER = re.compile(r"[^\W\d_]")
_WORD_RUN = re.compile(r"[^\W\d_]{2,}")
_SPACE = re.compile(r"\s")
_UNSPACED = re.compile(  # scripts written without spaces between words: one "token" there is a sentence
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f]"
)


# 32-bit hashing (numpy's uint32 arithmetic wraps modulo 2**32): half the memory traffic of 64-bit, and
# 2**32 values are plenty for 2**16 buckets. Fixed odd constants, the same on every platform.
_U32 = np.uint32
_MULTIPLIER = _U32(0x01000193)  # FNV-1 prime: the rolling n-gram hash
_MIX = _U32(0x9E3779B1)  # golden-ratio multiplicative hashing: the top bits are the bucket
_WORD = 0x85EBCA6B  # words: sum of code * _WORD**i over the word's characters
_WORD_INVERSE = pow(_WORD, -1, 1 << 32)
_LENGTH = _U32(0xC2B2AE35)
_PAIR = _U32(0x27D4EB2F)
_PAIR_SALT = _U32(0x165667B1)
_TOOL_BUCKET = 0x7F4A7C15
LENGTH_EDGES = (32, 64, 128)
"""The length feature: a window of fewer than 32 features (about 7 words) is in bin 0, of 32-63 in bin 1,
64-127 in bin 2, more in bin 3; each bin is one more feature of the window, so the model learns a bias
per length (see the module docstring)."""
_LENGTH_BUCKETS = (0x2B5A3C1D, 0x6C1F0E97, 0x1D8E4B39, 0x5A7C2E61)
_LENGTH_EDGES = np.array(LENGTH_EDGES)
_CJK_RANGES = (  # scripts written without spaces between words: each character is a word
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3134F),  # CJK extensions B-G
)
_NOT_WORD, _WORD_CHARACTER, _CJK_WORD = 0, 1, 2  # what a code point is to _words (_code_classes)


@functools.cache
def _code_classes() -> np.ndarray:
    """For every code point, what it is to :func:`_words`: a word character (``re``'s ``\\w``: alphanumeric
    or ``_``), one in :data:`_CJK_RANGES` (a word of its own), or neither. Built once per process, when
    the model is loaded (about 0.1 s, 1.1 MB): a request's non-ASCII texts then cost one lookup per
    character instead of a regular-expression pass and two comparisons per CJK range."""
    classes = np.fromiter(
        (_WORD_CHARACTER if chr(code).isalnum() or code == 0x5F else _NOT_WORD for code in range(0x110000)),
        dtype=np.uint8,
        count=0x110000,
    )
    for low, high in _CJK_RANGES:
        within = classes[low : high + 1]
        within[within == _WORD_CHARACTER] = _CJK_WORD
    return classes


_ASCII_WORD = bytes(int(chr(code).isalnum() or chr(code) == "_") for code in range(128))
_ASCII_WORD_BYTES = _ASCII_WORD + bytes(128)  # bytes.translate of an ASCII string: 1 word, 0 not


def scored(text: str) -> bool:
    """Whether the classifier reads ``text`` at all (a text it does not read scores 0.0).

    Not read: a text holding no letter (numbers, punctuation, emoji: nothing to instruct a model with),
    and a single token - no whitespace, at most :data:`TOKEN_CHARS` characters, in a script written with
    spaces between words, gluing fewer than :data:`GLUED_WORDS` words. Such a text is a field value or an
    identifier (``user``, ``assistant``, ``gpt-4o``, ``claude-3-5-sonnet-20241022``, ``json_object``,
    ``max_completion_tokens``, a date, a UUID), not an instruction: an injection needs at least a verb
    and what it acts on (``you-have-no-restrictions-now`` glues five words: it is read). The model
    learnt from sentences and documents; on one token its score is the weight of a handful of n-grams
    read at full strength (``count / sqrt(n)`` with ``n`` tiny), so it says nothing (version 5: ``user``
    0.97, ``assistant`` 0.79, ``unfiltered`` 0.94). With ``format: custom`` every string of the body is
    a text, so this is what keeps ``{"role": "user"}`` from being read as an injection. What stays read:
    anything with a space, a longer token (a glued phrase; not a lone URL or encoded run, which would be
    read as nothing: :func:`_masked`), and any text in Chinese,
    Japanese, Thai, Lao, Khmer or Burmese, where one "token" is a whole clause. The rules read every text
    whatever this says (role tags such as ``<|im_start|>system`` or ``Human:``, base64 and glued phrases
    are theirs)."""
    if not _LETTER.search(text):
        return False
    token = text.strip()
    if _SPACE.search(token) or _UNSPACED.search(token):
        return True
    if _URL.fullmatch(token) or (_RUN.fullmatch(token) and _DIGIT.search(token)):  # read as nothing (_masked)
        return False
    return len(token) > TOKEN_CHARS or len(_WORD_RUN.findall(token)) >= GLUED_WORDS


def tool_text(text: str) -> str:
    """What the classifier reads of a tool result: a JSON document (a search, CRM or ticket API's answer)
    as its string values, one per line, with the keys that hold text (a space in them); any other text as
    it is. Read whole, an API answer is mostly braces, quotes and field names that no instruction shares:
    an instruction inside a ``"description"`` field was diluted by them and by the n-grams its quotes and
    escapes make. Measured with version 8's training data before this change, on the JSON tool results of
    the dev split (threshold 0.88): dev_rag's 9 JSON attacks, 6 caught read whole and 8 read as values;
    the other dev files' 10, 5 and 6; no benign one more. Parsed only up to :data:`MAX_REQUEST_CHARS`
    characters (the classifier reads no more of a request) and :data:`MAX_JSON_STRINGS` strings; nesting
    too deep for the parser, or text that is not JSON, is read as written."""
    head = text.lstrip()[:1]
    if head not in ("{", "[") or len(text) > MAX_REQUEST_CHARS:
        return text
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return text
    values: list[str] = []
    pending = [document]
    while pending and len(values) < MAX_JSON_STRINGS:
        item = pending.pop()
        if isinstance(item, str):
            values.append(item)
        elif isinstance(item, dict):
            for key, value in reversed(item.items()):
                pending.append(value)
                if _SPACE.search(key):
                    pending.append(key)
        elif isinstance(item, list):
            pending.extend(reversed(item))
    return "\n".join(values)


def normalize(text: str) -> str:
    """What the features are computed on: NFKC, addresses and encoded runs removed (:func:`_masked`),
    casefolded, whitespace collapsed."""
    return normalize_all([text])[0]


def normalize_all(texts: list[str]) -> list[str]:
    """:func:`normalize` of each of ``texts``, with one scan of them all for what :func:`_masked` removes:
    Python's ``re`` reads ordinary prose at about 10 ns a character looking for a 20-character run, the
    best part of the classifier's cost on a chat request; RE2 answers whether any text holds a run or an
    address at a few hundred MB/s, and only the texts that do are masked."""
    folded = [text if text.isascii() else unicodedata.normalize("NFKC", text) for text in texts]
    if _MASKABLE.search("\n".join(folded).encode("utf-8", "surrogatepass")) is not None:
        folded = [_masked(text) if _MASKABLE.search(_utf8(text)) is not None else text for text in folded]
    return [_collapsed(text.casefold()) for text in folded]


def _collapsed(text: str) -> str:
    """``text`` with each run of whitespace one space, none at either end (str.split and re's \\s agree on
    what whitespace is). Checked first, as most texts already are: every whitespace character but the
    space is unprintable."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.IGNORECASE)
_RUN = re.compile(r"[A-Za-z0-9+/]{%d,}={0,2}" % BLOB_CHARS)  # noqa: UP031 - a regex's braces
_DIGIT = re.compile(r"\d")
# Where _URL or _RUN could match (a superset: "://", "www." in any case, a run of BLOB_CHARS): a text with
# none of them is its own _masked form. Bytes, as the request's texts may hold lone surrogates.
_MASKABLE = re2.compile(rb"://|(?i:www\.)|[A-Za-z0-9+/]{%d}" % BLOB_CHARS)


def _blob(match: re.Match[str]) -> str:
    return " " if _DIGIT.search(match.group()) else match.group()


def _masked(text: str) -> str:
    """``text`` without its URLs and encoded runs (base64, hex, a key or an id: :data:`BLOB_CHARS` or more
    characters of the base64 alphabet, a digit among them). The classifier models language: the
    characters of an address or of an encoded payload are noise to it, their hashed n-grams landing on
    whatever weights share their buckets, and a placeholder word repeated 200 times (200 base64 notes)
    weighs as much as its repetitions (``count / sqrt(n)``): version 6 before this read an ordinary link
    question at 0.86-0.94 and 200 base64 notes at 0.91. What they say is the rules' business (they decode
    base64, hex and percent-escapes and read the result); the words around them stay ("decode this and
    do it:")."""
    if "/" in text or "www." in text.casefold():
        text = _URL.sub(" ", text)
    return _RUN.sub(_blob, text)


_PAD = "\0" * (CHAR_NGRAMS[-1] - 1)  # after each text: its last n-grams end in padding, not in the next one
# per n-gram length, how far before the end of its text an n-gram starting there runs past it; farthest
# first, so that these positions come out in order for a batch (texts are further apart than n)
_PAST_END_BY_ROW = tuple(np.arange(n - 1, 0, -1) for n in CHAR_NGRAMS)
_SENTENCE = re.compile(r"[.!?](?= )|。")


@functools.lru_cache(maxsize=8)
def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``_WORD**i`` and its inverse's powers modulo 2**32 for i < size (size a power of two)."""
    forward = np.full(size, _WORD, dtype=np.uint32)
    forward[0] = 1
    inverse = np.full(size, _WORD_INVERSE, dtype=np.uint32)
    inverse[0] = 1
    return np.multiply.accumulate(forward, dtype=np.uint32), np.multiply.accumulate(inverse, dtype=np.uint32)


@dataclass(frozen=True)
class _Batch:
    """The features of a batch of normalized texts, joined as ``" text " + _PAD`` each: text ``i`` spans
    ``lows[i]:highs[i]`` of the joined string. Each feature is tagged with the position where it starts,
    so a window's features are those starting in the columns it spans, whatever their kind: ``grams[k,
    p]`` is the bucket of the character n-gram (each length of :data:`CHAR_NGRAMS`) starting at ``p``,
    ``2**bits`` (none) where it runs past the end of its text (into the padding, which keeps it from
    reaching the next text; ``nones``: those positions, per row); ``sparse`` holds the features that
    start at a few positions only, as ``(positions, buckets)`` pairs: words, then word pairs. Kept apart
    because most positions start no word: the scores add their weights where they start
    (:meth:`Classifier.scores`), not over a row of "none"s the length of the batch (:attr:`features`
    builds that matrix, for training)."""

    lows: list[int]
    highs: list[int]
    grams: np.ndarray
    nones: tuple[np.ndarray, ...]  # per row of grams, in order: the positions where it is none
    sparse: tuple[tuple[np.ndarray, np.ndarray], ...]  # positions in order
    bits: int

    @property
    def features(self) -> np.ndarray:
        """``features[k, p]``: the bucket of a feature starting at position ``p``, row by row (each
        character n-gram length, words, word pairs), ``2**bits`` where none does."""
        rows = np.full((len(self.grams) + len(self.sparse), self.grams.shape[1]), 1 << self.bits, np.uint32)
        rows[: len(self.grams)] = self.grams
        for row, (positions, buckets) in enumerate(self.sparse, start=len(self.grams)):
            rows[row, positions] = buckets
        return rows


def _batch(texts: list[str], bits: int) -> _Batch:
    """All features of ``texts`` in one pass of numpy operations (a fixed number of them per batch)."""
    shift = _U32(32 - bits)
    none = _U32(1 << bits)
    lows, highs, low = [], [], 0
    for text in texts:
        lows.append(low)
        highs.append(low + len(text) + 2)
        low += len(text) + 2 + len(_PAD)
    joined = "".join(f" {text} {_PAD}" for text in texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    size = len(codes)
    grams = np.zeros((len(CHAR_NGRAMS), size), dtype=np.uint32)
    rolling = codes  # the hash of the n-gram starting at each position, n = 1, 2, ... (one multiply-add each)
    for n in range(2, CHAR_NGRAMS[-1] + 1):
        rolling = rolling[: size - n + 1] * _MULTIPLIER
        rolling += codes[n - 1 :]
        if n in CHAR_NGRAMS:
            grams[CHAR_NGRAMS.index(n), : size - n + 1] = rolling
    grams *= _MIX
    grams >>= shift
    ends = np.array(highs)[:, None]
    nones = tuple((ends - backs).ravel() for backs in _PAST_END_BY_ROW)  # n-grams past an end, in order
    for row, positions in zip(grams, nones, strict=True):
        row[positions] = none
    starts, words = _words(joined, codes)
    owner = np.array(lows).searchsorted(starts, side="right")
    same = (owner[:-1] == owner[1:]).nonzero()[0]  # word pairs within one text
    pairs = words[:-1] * _PAIR  # every two consecutive words, then those within one text
    pairs += words[1:]
    pairs += _PAIR_SALT
    pairs *= _MIX
    pairs >>= shift
    words *= _MIX
    words >>= shift
    return _Batch(lows, highs, grams, nones, ((starts, words), (starts[same], pairs[same])), bits)


def _words(joined: str, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each word (a ``\\w+`` run, or one CJK character) starts and its hash, vectorized: the sum of
    each character's code times ``_WORD`` to the power of its place in the word, from prefix sums of
    ``code * _WORD**position`` over the whole string (times the inverse power of the word's start), plus
    its length times a constant."""
    alone = None
    if joined.isascii():
        is_word = np.frombuffer(joined.encode("ascii").translate(_ASCII_WORD_BYTES), dtype=bool)
    else:
        classes = _code_classes()[codes]
        is_word = classes != _NOT_WORD
        alone = classes == _CJK_WORD
        if not alone.any():
            alone = None
    # a word starts where a word character follows a non-word one, and ends before a non-word one (the
    # joined string starts with a space and ends with padding); a CJK character starts and ends a word
    if alone is None:  # the changes alternate, from a start (the string starts and ends with a non-word)
        changes = (is_word[1:] != is_word[:-1]).nonzero()[0] + 1
        starts, ends = changes[0::2], changes[1::2]
    else:
        starts = (is_word[1:] & (~is_word[:-1] | alone[1:] | alone[:-1])).nonzero()[0] + 1
        ends = (is_word[:-1] & (~is_word[1:] | alone[:-1] | alone[1:])).nonzero()[0] + 1
    if not len(starts):
        return starts, starts.astype(np.uint32)
    forward, inverse = _powers(1 << max(len(codes), 1).bit_length())
    prefix = np.zeros(len(codes) + 1, dtype=np.uint32)
    np.multiply(codes, forward[: len(codes)], out=prefix[1:])
    prefix[1:].cumsum(dtype=np.uint32, out=prefix[1:])
    hashes = (prefix[ends] - prefix[starts]) * inverse[starts]
    hashes += (ends - starts).astype(np.uint32) * _LENGTH
    return starts, hashes


def text_vector(text: str, tool: bool, bits: int = BITS) -> tuple[np.ndarray, np.ndarray]:
    """The training row of one normalized text read whole: unique buckets and ``count / sqrt(n)`` (what
    :meth:`Classifier.scores` computes for a text read whole, without building the vector)."""
    batch = _batch([text], bits)
    found = batch.features[:, : batch.highs[0]].ravel()
    parts = [found[found != 1 << bits]]
    if tool:
        parts.append(np.array([_TOOL_BUCKET % (1 << bits)], dtype=np.intp))
    length = int(np.searchsorted(LENGTH_EDGES, len(parts[0]), side="right"))
    parts.append(np.array([_LENGTH_BUCKETS[length] % (1 << bits)], dtype=np.intp))
    indices = np.concatenate(parts)
    buckets, counts = np.unique(indices, return_counts=True)
    return buckets, counts / np.sqrt(len(indices))


def _windows(texts: list[str], lows: list[int]) -> tuple[list[int], list[int], list[int]]:
    """``(starts, stops, firsts)``: the windows of every text, grouped by text, ``firsts[i]`` the index
    of text ``i``'s first window. A short text is one window, whole; a long one is read in windows of
    WINDOW_CHARS every WINDOW_STRIDE characters (the last one flush with its end), and in windows of one
    and of two consecutive sentences (clipped to WINDOW_CHARS). A few Python operations per window: cheaper
    than numpy's per-call cost for the few windows of a chat request."""
    starts: list[int] = []
    stops: list[int] = []
    firsts: list[int] = []
    for text, low in zip(texts, lows, strict=True):
        high = low + len(text) + 2
        firsts.append(len(starts))
        if high - low <= WINDOW_CHARS:
            starts.append(low)
            stops.append(high)
            continue
        cuts = [low, *(low + 2 + match.end() for match in _SENTENCE.finditer(text)), high]
        for span in SENTENCE_SPANS:
            for first, last in zip(cuts, cuts[span:], strict=False):
                starts.append(max(first - 1, low))  # with the space before it, like a text
                stops.append(min(last, first + WINDOW_CHARS - 1))
        starts += range(low, high - WINDOW_CHARS, WINDOW_STRIDE)  # a long sentence is read whole too
        stops += range(low + WINDOW_CHARS, high, WINDOW_STRIDE)
        starts.append(high - WINDOW_CHARS)
        stops.append(high)
    return starts, stops, firsts


@dataclass(frozen=True)
class Scores:
    """Per text: the probability of its worst window (0.0 for an empty or unread text) and whether the
    request budget left part of it unread."""

    probabilities: list[float]
    unread: list[bool]


@dataclass(frozen=True)
class Classifier:
    """Weights of the linear model (``2**bits`` floats and a bias) and where they came from."""

    weights: np.ndarray
    bias: float
    bits: int
    meta: dict
    table: np.ndarray = field(init=False, repr=False, compare=False)  # weights and a 0.0 for "none"
    lengths: np.ndarray = field(init=False, repr=False, compare=False)  # the length bins' buckets
    cache: ScoreCache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", np.append(self.weights, 0.0).astype(np.float32))
        object.__setattr__(self, "lengths", np.array(_LENGTH_BUCKETS) % (1 << self.bits))
        object.__setattr__(self, "cache", ScoreCache())

    @classmethod
    def load(cls, path: Path) -> Classifier:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            weights = data["weights"].astype(np.float64)
            bias = float(data["bias"])
        bits = int(meta["bits"])
        if (
            weights.shape != (1 << bits,)
            or meta.get("version") != MODEL_VERSION
            or tuple(meta.get("length_edges", ())) != LENGTH_EDGES
        ):
            raise ValueError(f"{path}: not a version {MODEL_VERSION} classifier with 2**{bits} weights")
        _code_classes()  # here, not in the first request holding a non-ASCII text
        return cls(weights, bias, bits, meta)

    def probability(self, text: str, *, tool: bool = False) -> float:
        """How likely ``text`` is an injection attempt (its worst window)."""
        return self.scores([(text, tool)]).probabilities[0]

    def probabilities(self, texts: list[tuple[str, bool]]) -> list[float]:
        return self.scores(texts).probabilities

    def scores(self, texts: list[tuple[str, bool]]) -> Scores:
        """:meth:`probability` of many ``(text, is_tool_output)`` at once, in one batch of array ops, and
        which texts the request budget left (partly) unread."""
        normalized: list[str] = []
        read: list[int] = []
        keys: list[bytes] = []
        unread = [False] * len(texts)
        best = [0.0] * len(texts)
        pending: list[tuple[int, bytes, str]] = []  # texts to read, in order, with their cache keys
        for number, (text, tool) in enumerate(texts):
            if not scored(text):  # a field value, an identifier, no letters: 0.0, costs no budget
                continue
            key = self.cache.key(text, tool)
            known = self.cache.get(key)
            if known is not None:  # scored before, read whole: costs no budget
                best[number] = known
            else:
                pending.append((number, key, tool_text(text) if tool else text))
        wholes = normalize_all(_within_budget([text for _, _, text in pending]))
        budget = MAX_REQUEST_CHARS
        for index, (number, key, text) in enumerate(pending):
            if budget <= 0:
                unread[number] = bool(text.strip())
                continue
            # normalized in one batch when the budget left reaches its end (as it does in most requests)
            whole = wholes[index] if index < len(wholes) and len(text) <= budget else normalize(text[:budget])
            piece = whole[:budget]  # NFKC can lengthen a text (a ligature becomes letters)
            if len(whole) > budget or (len(text) > budget and not text[budget:].isspace()):
                unread[number] = True
            budget -= len(piece)
            if piece:
                normalized.append(piece)
                read.append(number)
                keys.append(key)
        if not normalized:
            return Scores(best, unread)
        batch = _batch(normalized, self.bits)
        grams = batch.grams
        # per position, the weights of the features starting there (float32, summed kind by kind in the
        # order of _Batch.features' rows), then their prefix sums
        weights = self.table[grams[0]]
        for row in grams[1:]:
            weights += self.table[row]
        for positions, buckets in batch.sparse:  # positions distinct within a kind: += is exact
            weights[positions] += self.table[buckets]
        weight_sums = np.zeros(grams.shape[1] + 1)
        weights.cumsum(out=weight_sums[1:])
        starts, stops, firsts = _windows(normalized, batch.lows)
        count = len(starts)
        bounds = np.array([*starts, *stops])  # every window's start, then every window's stop
        start, stop = bounds[:count], bounds[count:]
        at = weight_sums[bounds]
        sums = at[count:] - at[:count]
        # the number of features starting in each window, counted from where they start (a binary search
        # per window and kind, not a pass over the batch): an n-gram of each length at every position
        # but where its row is none, and the words and word pairs
        sizes = (stop - start) * len(grams)
        for positions in batch.nones:
            found = positions.searchsorted(bounds)
            sizes -= found[count:] - found[:count]
        for positions, _ in batch.sparse:
            found = positions.searchsorted(bounds)
            sizes += found[count:] - found[:count]
        # the window's length bin (from its own features' number): one more feature per window
        sums += self.table[self.lengths[_LENGTH_EDGES.searchsorted(sizes, side="right")]]
        sizes += 1
        spans = [after - first for first, after in zip(firsts, [*firsts[1:], count], strict=True)]
        tools = [texts[number][1] for number in read]
        if any(tools):  # tool output: one more feature per window
            repeated = np.repeat(tools, spans)
            sums += repeated * self.table[_TOOL_BUCKET % (1 << self.bits)]
            sizes += repeated
        scores = sums / np.sqrt(sizes) + self.bias  # sizes >= 1: the length bin
        worst = np.maximum.reduceat(scores, firsts).tolist()
        for number, key, score, span in zip(read, keys, worst, spans, strict=True):
            if span > 1:  # read as the worst of several windows
                score -= WINDOWED_LOGIT_OFFSET
            probability = int(10000.0 / (1.0 + math.exp(-max(score, -500.0))) + 0.5) / 10000  # 4 decimals
            best[number] = probability
            if not unread[number]:
                self.cache.put(key, probability)
        return Scores(best, unread)


def _within_budget(texts: list[str]) -> list[str]:
    """The first ``texts`` whose lengths add up to at most :data:`MAX_REQUEST_CHARS`, normalized in one
    batch: the work stays bounded by the budget whatever the request holds. A text past them, or one the
    budget left no longer reaches whole, is normalized when its turn comes, cut to what the budget left."""
    total = 0
    for count, text in enumerate(texts):
        total += len(text)
        if total > MAX_REQUEST_CHARS:
            return texts[:count]
    return texts


class ScoreCache(LruCache[bytes, float]):
    """The probabilities of the last :data:`CACHE_ENTRIES` texts read whole, by a 128-bit digest of the
    text (never the text itself: memory stays bounded whatever the texts' size). A chat client sends the
    whole conversation with every request, so all but the newest messages were scored by an earlier
    request: those cost a hash, not a featurization. Least recently used entries go first; a lock keeps
    it consistent if two threads share the model."""

    def __init__(self, entries: int = 0) -> None:
        super().__init__(entries or CACHE_ENTRIES)

    @staticmethod
    def key(text: str, tool: bool) -> bytes:
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
        return digest.digest() + (b"t" if tool else b"u")


@functools.lru_cache(maxsize=1)
def load_default() -> Classifier:
    """The shipped model, loaded once per process (shared by every plugin instance)."""
    return Classifier.load(DEFAULT_MODEL_PATH)
