"""Bounded decoding of HTTP content codings (``Content-Encoding``: gzip, deflate, br) of a body we read.

Why: an upstream answers compressed whenever the client asked for it (``Accept-Encoding`` goes through Kong
unchanged), and a plugin that reads the body (the token limiter reading ``usage``) then sees compressed
bytes. Why bounded: the body is untrusted, and a few KiB of gzip expand to GiBs (a decompression bomb).
Every decoder here is incremental with an output limit (zlib's ``decompressobj().decompress(data,
max_length)``, brotli's ``process(data, output_buffer_limit=...)``), called for at most ``STEP_BYTES`` of
output at a time: at most ``limit`` bytes (plus one step) are ever produced, so a bomb costs at most the
bound in memory and the CPU time to inflate that much, and is then refused.

A body a plugin *inspects and lets through* (a request body ai-input-guard checks) is decoded ``strict``: the
upstream decodes the bytes we pass on, not what we read of them, so a stream cut short, data after the last
member we read (gzip members beyond :data:`MAX_GZIP_MEMBERS`, trailing bytes after a zlib or brotli stream)
is refused as :data:`CORRUPT` rather than inspected in part: what was checked is all the upstream can read.

``br`` needs the ``brotli`` package, 1.2 or later: the first version whose decoder takes an output limit
(older ones inflate a whole bomb before returning). Without it, a br body is :data:`UNSUPPORTED`.
"""

from __future__ import annotations

import zlib
from typing import Any

__all__ = [
    "CORRUPT",
    "MAX_CODINGS",
    "TOO_LARGE",
    "UNSUPPORTED",
    "DecodeError",
    "brotli_available",
    "decode_body",
    "is_identity",
]

MAX_CODINGS = 4  # "gzip, br" is legal; more layers than this is an attack, not an encoder
STEP_BYTES = 256 * 1024  # output per decoder call: peak memory is the bound plus about one step
MAX_GZIP_MEMBERS = 64  # gzip allows concatenated members (RFC 1952 2.2); bounded, although each costs input

TOO_LARGE = "decoded body over the bound"
CORRUPT = "corrupt encoded body"
UNSUPPORTED = "unsupported content coding"

_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS

try:  # optional: only a brotli with a bounded decoder is used
    import brotli as _brotli

    _BROTLI: Any = _brotli if hasattr(_brotli.Decompressor(), "can_accept_more_data") else None  # 1.2+
except ImportError:  # pragma: no cover - depends on the installation
    _BROTLI = None


class DecodeError(Exception):
    """The body could not be decoded within the bound; ``reason`` is one of the module constants."""

    def __init__(self, reason: str, coding: str) -> None:
        super().__init__(f"{reason} ({coding})")
        self.reason = reason
        self.coding = coding


def brotli_available() -> bool:
    """Whether ``br`` bodies can be decoded here (``brotli`` >= 1.2 installed)."""
    return _BROTLI is not None


def _codings(content_encoding: str) -> list[str]:
    return [c.strip().lower() for c in content_encoding.split(",") if c.strip()]


def is_identity(content_encoding: str | None) -> bool:
    """True when a ``Content-Encoding`` value leaves the body as it is (absent, empty or ``identity``)."""
    if not content_encoding:
        return True
    return all(coding == "identity" for coding in _codings(content_encoding))


def decode_body(body: bytes, content_encoding: str | None, limit: int, *, strict: bool = False) -> bytes:
    """``body`` with its codings undone (last applied first), never more than ``limit`` bytes.

    A stream that ends early (a cut connection) gives what was decoded so far, unless ``strict`` (then it
    is :data:`CORRUPT`, as is data left after the stream: see the module doc); a body over ``limit`` after
    decoding, corrupt data or an unknown coding raise :class:`DecodeError`.
    """
    codings = _codings(content_encoding or "")
    if len(codings) > MAX_CODINGS:
        raise DecodeError(UNSUPPORTED, f"{len(codings)} codings")
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, _GZIP_WBITS, limit, coding, members=MAX_GZIP_MEMBERS, strict=strict)
        elif coding == "deflate":
            body = _inflate(body, _deflate_wbits(body), limit, coding, members=1, strict=strict)
        elif coding == "br" and _BROTLI is not None:
            body = _unbrotli(body, limit, strict=strict)
        else:
            raise DecodeError(UNSUPPORTED, coding[:32])
    return body


def _deflate_wbits(body: bytes) -> int:
    """HTTP's ``deflate`` is the zlib format (RFC 9110 8.4.1.2), but some servers send raw deflate: a
    zlib header (compression method 8, header checksum a multiple of 31) tells them apart."""
    if len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0:
        return _ZLIB_WBITS
    return _RAW_DEFLATE_WBITS


def _inflate(data: bytes, wbits: int, limit: int, coding: str, *, members: int, strict: bool) -> bytes:
    out = bytearray()
    for _ in range(members):
        decoder = zlib.decompressobj(wbits)
        pending = data
        try:
            while pending and not decoder.eof:
                # max_length >= 1 (0 would mean "no limit"): one byte past the bound proves the bomb
                out += decoder.decompress(pending, min(STEP_BYTES, limit + 1 - len(out)))
                if len(out) > limit:
                    raise DecodeError(TOO_LARGE, coding)
                pending = decoder.unconsumed_tail
        except zlib.error:
            raise DecodeError(CORRUPT, coding) from None
        if not decoder.eof:
            if strict:
                raise DecodeError(CORRUPT, coding)
            break  # input ended inside the stream: a cut body, decoded as far as it goes
        data = decoder.unused_data
        if not data.strip(b"\0"):  # trailing NUL padding after the last member is tolerated (as gzip does)
            return bytes(out)
    if strict:  # more members than the bound, or bytes after the one zlib stream: the upstream reads them
        raise DecodeError(CORRUPT, coding)
    return bytes(out)


def _unbrotli(data: bytes, limit: int, *, strict: bool) -> bytes:
    decoder = _BROTLI.Decompressor()
    out = bytearray()
    try:
        out += decoder.process(data, output_buffer_limit=min(STEP_BYTES, limit + 1))
        # brotli 1.2 keeps undelivered output inside; asking with empty input drains it, and an empty
        # answer before is_finished() means the input ended early (a cut body)
        while len(out) <= limit and not decoder.is_finished():
            step = decoder.process(b"", output_buffer_limit=min(STEP_BYTES, limit + 1 - len(out)))
            if not step:
                break
            out += step
    except _BROTLI.error:
        raise DecodeError(CORRUPT, "br") from None
    if len(out) > limit:
        raise DecodeError(TOO_LARGE, "br")
    if strict and not decoder.is_finished():
        raise DecodeError(CORRUPT, "br")
    return bytes(out)
