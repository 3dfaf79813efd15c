"""base32 and base85 runs of a text, decoded for the detector's encoded-payload signal (issue 15).

base64 and hex are read by :mod:`.injection`; an attacker who knows it encodes the instruction in base32
(``JFTW433SMUQGC3DM...``), in base85 as Python's ``b85encode`` and git write it (RFC 1924's alphabet), or
in Ascii85 (``a85encode``, Adobe's ``!``-``u`` alphabet). :func:`decoded_texts` yields what such runs decode
to, for the same rules and readability test as the other encodings.

Bounded and cheap: one RE2 scan (:data:`_ANY_RUN`) clears a text without a run of
:data:`MIN_RUN_CHARS` characters of any of the alphabets (prose has none: its words are short and spaced);
a run made of base64 characters only is not read as base85 (it is base64, or an identifier), so an image's
base64 is not decoded twice more; decoding is a few numpy operations per run, not a Python step per
character (the stdlib decoders are pure Python loops: half a second per megabyte); and at most
:data:`MAX_DECODED_BYTES` bytes are decoded per text, past which runs are left unread (they are rare
enough in ordinary text that the cap is never reached by one; a payload behind a megabyte of base85-looking
decoys is left to the classifier).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator

import numpy as np

from kong_plugins.ai_input_guard.linear_regex import compile_linear

__all__ = ["MAX_DECODED_BYTES", "MIN_RUN_CHARS", "decoded_texts"]

MIN_RUN_CHARS = 24
MAX_DECODED_BYTES = 1024 * 1024
_BASE32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_BASE85 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_ASCII85 = bytes(range(ord("!"), ord("u") + 1))
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"
# the runs, walked with stdlib ``re`` (one character class repeated: linear; its C loop costs a fraction of
# the RE2 binding's per match, and a text may hold thousands of short runs); RE2 clears the text first
_BASE32_RUN = re.compile(rb"[A-Z2-7]{%d,}|[a-z2-7]{%d,}" % (MIN_RUN_CHARS, MIN_RUN_CHARS))
_BASE85_RUN = re.compile(rb"[0-9A-Za-z!#$%%&()*+\-;<=>?@^_`{|}~]{%d,}" % MIN_RUN_CHARS)
_ASCII85_RUN = re.compile(rb"[!-u]{%d,}" % MIN_RUN_CHARS)
_ANY_RUN = compile_linear(rf"[!-~]{{{MIN_RUN_CHARS},}}")
_ANY_BASE32_RUN = compile_linear(rf"[A-Z2-7]{{{MIN_RUN_CHARS},}}|[a-z2-7]{{{MIN_RUN_CHARS},}}")


def _digits(alphabet: bytes, folded: bool = False) -> bytes:
    """A ``bytes.translate`` table: each character of ``alphabet`` to its digit value."""
    table = bytearray(range(256))
    for value, char in enumerate(alphabet):
        table[char] = value
        if folded:
            table[bytes([char]).lower()[0]] = value
    return bytes(table)


_BASE32_DIGITS = _digits(_BASE32, folded=True)
_BASE85_DIGITS = _digits(_BASE85)
_ASCII85_DIGITS = _digits(_ASCII85)


def _decoded(runs: list[bytes], base: int, width: int, size: int, pad: int) -> Iterator[bytes]:
    """Each run of digits decoded as big-endian groups of ``width`` digits in ``base``, each ``size``
    bytes; a last short group padded with the digit ``pad`` (as the encoders do) and its padding bytes
    dropped; a run with a group that overflows is not this encoding and skipped. All runs in one numpy
    pass: a handful of array operations per text, not per run."""
    padded: list[bytes] = []
    keeps: list[int] = []
    for digits in runs:
        whole, rest = divmod(len(digits), width)
        if rest == 1:  # one digit carries no whole byte
            digits, rest = digits[:-1], 0
        padded.append(digits + bytes([pad]) * (-len(digits) % width))
        keeps.append(whole * size + rest * size // width)
    if not padded:
        return
    groups = np.frombuffer(b"".join(padded), dtype=np.uint8).reshape(-1, width).astype(np.uint64)
    value = np.zeros(len(groups), dtype=np.uint64)
    for column in range(width):
        value = value * np.uint64(base) + groups[:, column]
    counts = np.array([len(digits) // width for digits in padded])
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    overflows = np.logical_or.reduceat(value >= np.uint64(1 << (8 * size)), starts)
    shifts = np.arange(8 * (size - 1), -1, -8, dtype=np.uint64)
    raw = ((value[:, None] >> shifts) & np.uint64(0xFF)).astype(np.uint8).tobytes()
    at = 0
    for count, keep, overflow in zip(counts.tolist(), keeps, overflows.tolist(), strict=True):
        if not overflow:
            yield raw[at : at + keep]
        at += count * size


def _base32(runs: list[bytes]) -> list[bytes]:
    return [run.rstrip(b"=").translate(_BASE32_DIGITS) for run in runs]


def _base85(runs: list[bytes]) -> list[bytes]:
    # base64 characters only: base64 or a word, not base85
    return [run.translate(_BASE85_DIGITS) for run in runs if run.translate(None, _BASE64)]


def _ascii85(runs: list[bytes]) -> list[bytes]:
    return [run.translate(_ASCII85_DIGITS) for run in runs if run.translate(None, _BASE64)]


_DECODERS: tuple[tuple[re.Pattern[bytes], Callable[[list[bytes]], list[bytes]], int, int, int, int], ...] = (
    (_BASE32_RUN, _base32, 32, 8, 5, 0),
    (_BASE85_RUN, _base85, 85, 5, 4, 84),
    (_ASCII85_RUN, _ascii85, 85, 5, 4, 84),
)


def decoded_texts(data: bytes) -> Iterator[str]:
    """The UTF-8 texts the base32/base85/Ascii85 runs of ``data`` decode to (binary results skipped),
    until :data:`MAX_DECODED_BYTES` are decoded."""
    if _ANY_RUN.search(data) is None:  # type: ignore[attr-defined]
        return
    left = MAX_DECODED_BYTES
    base32 = _ANY_BASE32_RUN.search(data) is not None  # type: ignore[attr-defined]
    for pattern, digits_of, base, width, size, pad in _DECODERS if base32 else _DECODERS[1:]:
        runs = digits_of(pattern.findall(data))
        costs = list(itertools.accumulate(len(run) * size // width for run in runs))
        if costs and costs[-1] > left:
            runs = runs[: bisect.bisect_right(costs, left)]
            left = 0
        elif costs:
            left -= costs[-1]
        for raw in _decoded(runs, base, width, size, pad):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
