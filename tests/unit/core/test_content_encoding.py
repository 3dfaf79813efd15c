"""Bounded decoding of gzip/deflate/br bodies: exact round trips, and bombs refused within the bound."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from kong_plugins.core.content_encoding import (
    CORRUPT,
    MAX_CODINGS,
    STEP_BYTES,
    TOO_LARGE,
    UNSUPPORTED,
    DecodeError,
    brotli_available,
    decode_body,
    is_identity,
)

TEXT = b'{"usage":{"prompt_tokens":3,"completion_tokens":5}}' * 1000
LIMIT = 1024 * 1024


def raw_deflate(data: bytes) -> bytes:
    encoder = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return encoder.compress(data) + encoder.flush()


def test_gzip_and_both_deflate_forms_round_trip() -> None:
    assert decode_body(gzip.compress(TEXT), "gzip", LIMIT) == TEXT
    assert decode_body(gzip.compress(TEXT), "X-GZIP", LIMIT) == TEXT
    assert decode_body(zlib.compress(TEXT), "deflate", LIMIT) == TEXT  # RFC 9110: the zlib format
    assert decode_body(raw_deflate(TEXT), "deflate", LIMIT) == TEXT  # what some servers send instead


def test_stacked_codings_are_undone_last_first() -> None:
    body = gzip.compress(zlib.compress(TEXT))
    assert decode_body(body, "deflate, identity, gzip", LIMIT) == TEXT
    with pytest.raises(DecodeError) as refused:
        decode_body(TEXT, ", ".join(["identity"] * (MAX_CODINGS + 1)), LIMIT)
    assert refused.value.reason == UNSUPPORTED


def test_concatenated_gzip_members_and_a_cut_stream() -> None:
    assert decode_body(gzip.compress(b"ab") + gzip.compress(b"cd") + b"\0\0", "gzip", LIMIT) == b"abcd"
    cut = gzip.compress(TEXT)[:200]
    decoded = decode_body(cut, "gzip", LIMIT)
    assert decoded and TEXT.startswith(decoded)  # what arrived, decoded as far as it goes


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_bomb_costs_at_most_the_bound(coding: str) -> None:
    expanded = 256 * LIMIT
    body = gzip.compress(b" " * expanded) if coding == "gzip" else zlib.compress(b" " * expanded)
    assert len(body) < expanded // 500
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError) as refused:
            decode_body(body, coding, LIMIT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.reason == TOO_LARGE
    assert peak < 3 * LIMIT + 4 * STEP_BYTES  # the bound and a few steps, never the 256 MiB


def test_exactly_the_bound_is_accepted() -> None:
    assert len(decode_body(gzip.compress(b"x" * LIMIT), "gzip", LIMIT)) == LIMIT
    with pytest.raises(DecodeError):
        decode_body(gzip.compress(b"x" * (LIMIT + 1)), "gzip", LIMIT)


@pytest.mark.parametrize(
    ("body", "coding", "reason"),
    [
        (b"not gzip at all", "gzip", CORRUPT),
        (b"\x78\x9c garbage", "deflate", CORRUPT),
        (b"data", "compress", UNSUPPORTED),
        (b"data", "zstd", UNSUPPORTED),
    ],
)
def test_what_cannot_be_decoded_is_refused(body: bytes, coding: str, reason: str) -> None:
    with pytest.raises(DecodeError) as refused:
        decode_body(body, coding, LIMIT)
    assert refused.value.reason == reason


def test_identity() -> None:
    assert is_identity(None) and is_identity("") and is_identity("identity") and is_identity(" Identity ")
    assert not is_identity("gzip") and not is_identity("identity, br")
    assert decode_body(TEXT, "identity", LIMIT) == TEXT


@pytest.mark.skipif(not brotli_available(), reason="brotli >= 1.2 is not installed")
def test_brotli_round_trip_and_bomb() -> None:
    import brotli

    assert decode_body(brotli.compress(TEXT), "br", LIMIT) == TEXT
    bomb = brotli.compress(b" " * (256 * LIMIT), quality=5)
    assert len(bomb) < 4096
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError) as refused:
            decode_body(bomb, "br", LIMIT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.reason == TOO_LARGE
    assert peak < 3 * LIMIT + 4 * STEP_BYTES
    with pytest.raises(DecodeError) as corrupt:
        decode_body(b"\xff\xff\xff\xff not brotli", "br", LIMIT)
    assert corrupt.value.reason == CORRUPT
