"""A 64-bit similarity hash of a prompt (SimHash over character 4-grams), to see near-duplicate prompts.

Model-extraction probing sends many systematically varied prompts (the same template with a word changed, a
refused prompt retried with small edits). A cryptographic hash sees every variant as new; a SimHash maps
texts that share most of their 4-grams to hashes a few bits apart, so the metrics side
(core/metrics.py) can count a tenant's prompts within :data:`NEAR_BITS` of one it sent recently, without
keeping or publishing any text. ai-input-guard computes it once per request and publishes it in
``ai_guard.request`` (``prompt_simhash``: 16 hex digits; a Lua number could not carry 64 bits).

Why this shape:

* **Character 4-grams of the case-folded text with whitespace runs collapsed**: robust to a changed word,
  re-spacing and case, and to languages written without spaces (word shingles would see one long word).
* **Bounded**: only the first :data:`MAX_CHARS` characters count (a long prompt's start decides), so the
  cost is at most a few hundred microseconds whatever the body size.
* **numpy, no Python loop per shingle**: the 4-gram hashes, their mixing (SplitMix64's finalizer) and the
  per-bit vote are array operations.

A SimHash leaks little (64 bits that only say "close to another text's"), but it is still derived from the
prompt: it stays in ``kong.ctx.shared`` and in the metrics process's memory, never in a label, a log or an
audit record.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_CHARS", "NEAR_BITS", "HashWindow", "distance", "from_hex", "simhash64", "to_hex"]

MAX_CHARS = 4096
SHINGLE = 4
NEAR_BITS = 12
"""Two prompts whose hashes differ in at most this many of 64 bits are near-duplicates (unrelated texts
differ in about 32, random ones by 18 or more; one word of twelve changed moves 9 at the median, 13 at the
90th percentile: tests/unit/core/test_simhash.py)."""

_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_BITS_OF_BYTE = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).astype(np.int64)


def simhash64(text: str) -> int | None:
    """The prompt's SimHash, or None for a text too short to say anything (under 4 characters)."""
    normalized = " ".join(text[: MAX_CHARS * 2].casefold().split())[:MAX_CHARS]
    if len(normalized) < SHINGLE:
        return None
    codes = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - SHINGLE + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        hashes = hashes * _PRIME + codes[offset : offset + count]
    hashes ^= hashes >> np.uint64(30)
    hashes *= _MIX1
    hashes ^= hashes >> np.uint64(27)
    hashes *= _MIX2
    hashes ^= hashes >> np.uint64(31)
    # the vote of every bit: how many hashes have each byte value at each byte position, times the bits of
    # each byte value (a 256 x 8 table): 8 bincounts instead of unpacking count x 64 bits
    octets = hashes.astype(">u8").view(np.uint8).reshape(count, 8)
    per_value = np.stack([np.bincount(octets[:, position], minlength=256) for position in range(8)])
    votes = (per_value @ _BITS_OF_BYTE).reshape(64)
    return int.from_bytes(np.packbits(votes * 2 > count).tobytes(), "big")


def distance(a: int, b: int) -> int:
    """Hamming distance of two hashes."""
    return (a ^ b).bit_count()


def to_hex(value: int) -> str:
    return f"{value:016x}"


def from_hex(value: object) -> int | None:
    """A published hash back to an int; None for anything that is not 16 hex digits."""
    if not isinstance(value, str) or len(value) != 16:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


class HashWindow:
    """The last ``size`` hashes, in a ring; :meth:`near` compares a new one with all of them at once (numpy's
    popcount when it has one, numpy >= 2: about 5 µs for 256 hashes instead of 60 in a Python loop).
    Not thread-safe: the caller holds its lock."""

    def __init__(self, size: int) -> None:
        self.ring = np.zeros(size, dtype=np.uint64)
        self.filled = 0
        self.next = 0

    def __len__(self) -> int:
        return self.filled

    def near(self, value: int, bits: int = NEAR_BITS) -> bool:
        """True when one of the hashes is within ``bits`` of ``value``."""
        if not self.filled:
            return False
        xor = self.ring[: self.filled] ^ np.uint64(value)
        if _POPCOUNT is not None:
            return bool(_POPCOUNT(xor).min() <= bits)
        return any(int(x).bit_count() <= bits for x in xor)

    def add(self, value: int) -> None:
        self.ring[self.next] = value
        self.next = (self.next + 1) % len(self.ring)
        self.filled = min(self.filled + 1, len(self.ring))


_POPCOUNT = getattr(np, "bitwise_count", None)
