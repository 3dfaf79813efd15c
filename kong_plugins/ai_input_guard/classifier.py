"""The shipped prompt-injection classifier: hashed word and character n-grams, a linear model, numpy only.

The second tier of the detector's cascade (:mod:`.injection`): it runs only where the rules are uncertain,
and says how likely a text is an injection attempt, whatever its wording or language. Features, the same
in training (:mod:`.classifier_train`, scikit-learn, an optional extra) and here:

* the text NFKC-normalized, casefolded, whitespace runs collapsed;
* character 3-, 4- and 5-grams (rolling hashes computed with numpy, so a 4 KB text costs a few arrays
  operations, not a Python loop per n-gram) and word unigrams and bigrams (the same, per word), hashed into
  ``2**bits`` buckets; a ``role:tool`` feature for tool results and documents;
* ``count / sqrt(n)`` per bucket, ``n`` the window's number of features: the score is the sum of the
  weights of its features over ``sqrt(n)``, two ``bincount``s, no sorting (version 2 used ``log(1 + count)``
  scaled to unit length, which needs each window's distinct buckets and cost half the inference time).

The probability is ``sigmoid(w·x + b)``. Texts longer than :data:`WINDOW_CHARS` (256: a few sentences)
are scored in windows of that size overlapping by half, the text scoring as its worst window, so an
override of a sentence or two inside a long document or message is scored with at most a couple of
hundred characters of its surroundings, not diluted by a kilobyte of them (version 1 used 1,024-character
windows, and a short override with 160 characters of report text on each side scored below the
threshold). Windows are not sentences: a short text is read whole, so a question *about* a phrase keeps
its question with it. Each character is read at most twice, so the work stays linear. At most
:data:`MAX_CHARS` characters per text are read (head and tail) and :data:`MAX_REQUEST_CHARS` per request
(later texts are left to the rules), so the work is bounded whatever the body size. The weights are a small
versioned file in the package (``data/injection_classifier_v4.npz``), loaded once per process;
``kong-ai detector train`` reproduces it.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_MODEL_PATH",
    "DEFAULT_THRESHOLD",
    "MAX_CHARS",
    "MODEL_VERSION",
    "WINDOW_CHARS",
    "Classifier",
    "feature_indices",
    "load_default",
    "normalize",
]

MODEL_VERSION = 4
DEFAULT_THRESHOLD = 0.85
"""The default probability from which a verdict is an injection: chosen on the dev split (heldout, heldout2,
heldout3; never on heldout4) as the lowest threshold of 0.5, 0.6, ... 0.95 at which rules + classifier keep
false positives on hard negatives at or under 3% (dev: precision 0.964, recall 0.809, FPR 0.030)."""
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / f"injection_classifier_v{MODEL_VERSION}.npz"
BITS = 16
WINDOW_CHARS = 256
MAX_CHARS = 16384
MAX_REQUEST_CHARS = 65536  # per request: texts past it are left to the rules
CHAR_NGRAMS = (3, 4, 5)
_NON_WORD = re.compile(r"\W")


def _splitmix64(count: int, seed: int) -> np.ndarray:
    """Fixed odd pseudo-random multipliers (SplitMix64), the same on every platform and numpy version."""
    values, state, mask = [], seed, (1 << 64) - 1
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        values.append((z ^ (z >> 31)) | 1)
    return np.array(values, dtype=np.uint64)


_POSITION = _splitmix64(64, 15)
_LENGTH = np.uint64(0xC2B2AE3D27D4EB4F)
_PAIR = np.uint64(0x165667B19E3779F9)
_PAIR_SALT = np.uint64(0x5BD1E995)
_TOOL_BUCKET = 0x7F4A7C15
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-style rolling multiplier, wraps modulo 2**64
_MIX = np.uint64(0x9E3779B97F4A7C15)
_NGRAM_SALT = {n: np.uint64((0xC2B2AE3D27D4EB4F * n) & ((1 << 64) - 1)) for n in CHAR_NGRAMS}


def normalize(text: str) -> str:
    """What the features are computed on: NFKC, casefolded, whitespace collapsed, at most MAX_CHARS."""
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS * 3 // 4] + " " + text[-MAX_CHARS // 4 :]
    if not text.isascii():  # ASCII is its own NFKC form
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.casefold().split())  # str.split and re's \s agree on what whitespace is


def windows(text: str) -> list[str]:
    """``text`` (normalized) cut into windows of WINDOW_CHARS overlapping by half."""
    if len(text) <= WINDOW_CHARS:
        return [text]
    step = WINDOW_CHARS // 2
    return [text[start : start + WINDOW_CHARS] for start in range(0, len(text) - step, step)]


def feature_indices(window: str, tool: bool, bits: int = BITS) -> np.ndarray:
    """The hashed feature buckets of one normalized window (with repeats: counts are taken later)."""
    _, buckets = _batch_indices([(window, tool)], bits)
    return buckets


def _batch_indices(items: list[tuple[str, bool]], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """``(window number, bucket)`` of every feature of every window, computed in one pass of numpy
    operations over all windows joined (n-grams across two windows are dropped), so a request with many
    texts costs a few array operations, not a loop per text."""
    shift = np.uint64(64 - bits)
    padded = [f" {window} " for window, _ in items]
    lengths = np.array([len(text) for text in padded], dtype=np.int64)
    owner = np.repeat(np.arange(len(items), dtype=np.int64), lengths)
    joined = "".join(padded)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    ids: list[np.ndarray] = []
    parts: list[np.ndarray] = []
    rolling = codes  # the hash of the n-gram starting at each position, n = 1, 2, ... (one multiply-add each)
    for n in range(2, CHAR_NGRAMS[-1] + 1):
        count = len(codes) - n + 1
        if count <= 0:
            break
        rolling = rolling[:count] * _MULTIPLIER + codes[n - 1 :]
        if n in CHAR_NGRAMS:
            inside = owner[:count] == owner[n - 1 :]
            ids.append(owner[:count][inside])
            parts.append(((rolling[inside] + _NGRAM_SALT[n]) * _MIX) >> shift)
    words, word_owner = _word_hashes(_word_mask(joined, codes), codes, owner)
    if len(words):
        ids.append(word_owner)
        parts.append((words * _MIX) >> shift)
        same = word_owner[:-1] == word_owner[1:]
        pairs = words[:-1][same] * _PAIR + words[1:][same]
        ids.append(word_owner[:-1][same])
        parts.append(((pairs + _PAIR_SALT) * _MIX) >> shift)
    tools = np.array([number for number, (_, tool) in enumerate(items) if tool], dtype=np.int64)
    if len(tools):
        ids.append(tools)
        parts.append(np.full(len(tools), _TOOL_BUCKET % (1 << bits), dtype=np.uint64))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(ids), np.concatenate(parts).astype(np.int64)


_ASCII_WORD = np.array([chr(code).isalnum() or chr(code) == "_" for code in range(128)], dtype=bool)


def _word_mask(joined: str, codes: np.ndarray) -> np.ndarray:
    """Which characters are word characters (``\\w``): a table lookup for ASCII text, ``re`` otherwise."""
    if joined.isascii():
        return _ASCII_WORD[codes.astype(np.intp)]
    spaced = _NON_WORD.sub(" ", joined)
    return np.frombuffer(spaced.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) != 32


def _word_hashes(is_word: np.ndarray, codes: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A hash per word (a ``\\w+`` run) and the window it is in, vectorized: each character's code times a
    fixed pseudo-random multiplier for its position in the word, summed per word, plus the length."""
    positions = np.flatnonzero(is_word)
    if not len(positions):
        empty = np.zeros(0, dtype=np.int64)
        return empty.astype(np.uint64), empty
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    starts = np.concatenate(([0], breaks))
    lengths = np.diff(np.append(starts, len(positions)))
    offset = np.arange(len(positions)) - np.repeat(starts, lengths)
    terms = codes[positions] * _POSITION[np.minimum(offset, len(_POSITION) - 1)]
    hashes = np.add.reduceat(terms, starts) + lengths.astype(np.uint64) * _LENGTH
    return hashes, owner[positions[starts]]


def batch_vectors(items: list[tuple[str, bool]], bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse rows of many windows: ``(window number, bucket, value)``, values ``count / sqrt(n)`` where
    ``n`` is the window's number of features (with repeats)."""
    owners, buckets = _batch_indices(items, bits)
    ordered = np.sort(owners * (1 << bits) + buckets)
    if len(ordered) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    keys, counts = ordered[starts], np.diff(np.append(starts, len(ordered)))
    rows, columns = keys >> bits, keys & ((1 << bits) - 1)
    sizes = np.bincount(owners, minlength=len(items)).astype(np.float64)
    return rows, columns, counts / np.sqrt(sizes[rows])


def vector(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique buckets and their values (``count / sqrt(n)``, ``n`` the number of features with repeats):
    the same as :func:`batch_vectors`, and what :meth:`Classifier.probabilities` computes without building
    the vector (the score is the sum of the weights of the features, repeats included, over ``sqrt(n)``)."""
    buckets, counts = np.unique(indices, return_counts=True)
    return buckets, counts / np.sqrt(max(len(indices), 1))


@dataclass(frozen=True)
class Classifier:
    """Weights of the linear model (``2**bits`` floats and a bias) and where they came from."""

    weights: np.ndarray
    bias: float
    bits: int
    meta: dict

    @classmethod
    def load(cls, path: Path) -> Classifier:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            weights = data["weights"].astype(np.float32)
            bias = float(data["bias"])
        bits = int(meta["bits"])
        if weights.shape != (1 << bits,) or meta.get("version") != MODEL_VERSION:
            raise ValueError(f"{path}: not a version {MODEL_VERSION} classifier with 2**{bits} weights")
        return cls(weights, bias, bits, meta)

    def probability(self, text: str, *, tool: bool = False) -> float:
        """How likely ``text`` is an injection attempt (its worst window)."""
        return self.probabilities([(text, tool)])[0]

    def probabilities(self, texts: list[tuple[str, bool]]) -> list[float]:
        """:meth:`probability` of many ``(text, is_tool_output)`` at once, in one batch of array ops."""
        items: list[tuple[str, bool]] = []
        owners: list[int] = []
        budget = MAX_REQUEST_CHARS
        for number, (text, tool) in enumerate(texts):
            normalized = normalize(text[:budget]) if budget > 0 else ""
            budget -= len(normalized)
            if normalized:
                for window in windows(normalized):
                    items.append((window, tool))
                    owners.append(number)
        best = np.full(len(texts), -np.inf)
        if items:
            owners_of_windows = np.array(owners)
            windows_of, buckets = _batch_indices(items, self.bits)
            sums = np.bincount(windows_of, weights=self.weights[buckets], minlength=len(items))
            sizes = np.bincount(windows_of, minlength=len(items))
            scores = sums / np.sqrt(np.maximum(sizes, 1)) + self.bias
            firsts = np.flatnonzero(np.concatenate(([True], owners_of_windows[1:] != owners_of_windows[:-1])))
            best[owners_of_windows[firsts]] = np.maximum.reduceat(scores, firsts)
        return [round(float(1.0 / (1.0 + np.exp(-score))), 4) if score > -np.inf else 0.0 for score in best]


@functools.lru_cache(maxsize=1)
def load_default() -> Classifier:
    """The shipped model, loaded once per process (shared by every plugin instance)."""
    return Classifier.load(DEFAULT_MODEL_PATH)
