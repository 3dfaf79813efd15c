"""Safe Redis key building.

Keys hold untrusted values (tenant ids, consumer ids, model names, header values). A value must never be
able to add a separator, open or close a Redis Cluster hash tag, collide with another tuple of segments, or
make a key unbounded. Every part of a key is therefore encoded with :func:`encode_segment`:

* characters in ``[A-Za-z0-9._-]`` stay as they are, so common keys stay readable
  (``ai-token-limiter:{tenant-a}:gpt-4o:minute``);
* every other character, including the separator ``:``, the hash-tag braces ``{`` ``}``, the escape ``%``
  and ``~``, becomes ``%XX`` per UTF-8 byte (upper-case hex): injective, and never yields ``:``, ``{``, ``}``;
* the empty string becomes ``~`` (an empty hash tag ``{}`` would make Redis hash the whole key);
* a value whose encoding is longer than :data:`MAX_SEGMENT_CHARS` becomes ``~h`` followed by 32 hex digits of
  its SHA-256, so no value can make a key longer than a fixed bound.

``~`` never appears in the percent-encoded form, so the three forms cannot be confused, and a key splits
back into its parts on ``:``. A key is ``<namespace>[:{<hash tag>}][:<segment>]...``: the only ``{`` in a
key is the one that opens the hash tag and the first ``}`` after it closes it, so Redis Cluster computes the
slot from the encoded hash tag alone, and all keys sharing a hash tag live in one slot whatever the other
segments contain.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "HASHED_SEGMENT_PREFIX",
    "MAX_SEGMENTS",
    "MAX_SEGMENT_CHARS",
    "SEPARATOR",
    "KeyBuilder",
    "Segment",
    "encode_segment",
    "redis_key",
]

Segment = str | int
"""A key part: text, or an integer rendered in decimal (so ``1`` and ``"1"`` name the same key)."""

SEPARATOR = ":"
MAX_SEGMENT_CHARS = 64
"""Longest encoded segment kept readable; longer ones are replaced by a marked SHA-256 digest."""
MAX_SEGMENTS = 16
"""Most segments one key may have (the namespace and the hash tag not counted), so keys stay bounded."""
HASHED_SEGMENT_PREFIX = "~h"
EMPTY_SEGMENT = "~"
_DIGEST_HEX_CHARS = 32  # 128 bits of SHA-256: collisions are not a practical concern for key names.

_SAFE_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_ALL_SAFE = re.compile(r"[A-Za-z0-9._-]+")
_ENCODED_BYTE = tuple(chr(b) if b in _SAFE_BYTES else f"%{b:02X}" for b in range(256))


def _as_text(value: Segment, what: str) -> str:
    # bool is an int subclass; True would silently become "True" or 1, so refuse it outright.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"{what} must be str or int, not {type(value).__name__}")
    return value if isinstance(value, str) else str(value)


def encode_segment(value: Segment) -> str:
    """Encode one key part so it can sit between separators or inside a hash tag.

    The result only contains ``[A-Za-z0-9._-%~]``, is at most :data:`MAX_SEGMENT_CHARS` characters long and is
    distinct for distinct inputs (up to a 128-bit digest collision for over-long values).
    """
    text = _as_text(value, "key segment")
    if not text:
        return EMPTY_SEGMENT
    if len(text) <= MAX_SEGMENT_CHARS and _ALL_SAFE.fullmatch(text):
        return text  # the common case: readable ids need no work
    # surrogatepass keeps lone surrogates (possible in decoded JSON) distinct instead of raising.
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_SEGMENT_CHARS:
        encoded = "".join(_ENCODED_BYTE[b] for b in raw)
        if len(encoded) <= MAX_SEGMENT_CHARS:
            return encoded
    return HASHED_SEGMENT_PREFIX + hashlib.sha256(raw).hexdigest()[:_DIGEST_HEX_CHARS]


def _encode_parts(namespace: Segment, segments: tuple[Segment, ...], hash_tag: Segment | None) -> list[str]:
    if len(segments) > MAX_SEGMENTS:
        raise ValueError(f"a key has at most {MAX_SEGMENTS} segments, got {len(segments)}")
    if isinstance(namespace, str) and not namespace:
        raise ValueError("the key namespace must not be empty")
    parts = [encode_segment(namespace)]
    if hash_tag is not None:
        parts.append("{" + encode_segment(hash_tag) + "}")
    parts.extend(encode_segment(segment) for segment in segments)
    return parts


def redis_key(namespace: Segment, *segments: Segment, hash_tag: Segment | None = None) -> str:
    """Build ``namespace[:{hash_tag}]:segment...`` with every part encoded by :func:`encode_segment`.

    ``hash_tag`` groups keys in one Redis Cluster slot: give all keys a Lua script or transaction touches the
    same hash tag (a tenant id, a request id). Without it the key has no brace at all: no value can add one.
    """
    return SEPARATOR.join(_encode_parts(namespace, segments, hash_tag))


class KeyBuilder:
    """Builds keys under one namespace (and optionally one hash tag), encoding those once.

    ``KeyBuilder("ai-token-limiter").for_tag(tenant_id).key(model, "minute")`` equals
    ``redis_key("ai-token-limiter", model, "minute", hash_tag=tenant_id)``.
    """

    __slots__ = ("_prefix",)

    def __init__(self, namespace: Segment, *, hash_tag: Segment | None = None) -> None:
        self._prefix = SEPARATOR.join(_encode_parts(namespace, (), hash_tag))

    @property
    def prefix(self) -> str:
        """The encoded namespace (and hash tag) every key of this builder starts with."""
        return self._prefix

    def for_tag(self, hash_tag: Segment) -> KeyBuilder:
        """A builder for the same namespace whose keys all share ``hash_tag`` (so one cluster slot)."""
        if "{" in self._prefix:
            raise ValueError("this key builder already has a hash tag")
        builder = KeyBuilder.__new__(KeyBuilder)
        builder._prefix = self._prefix + SEPARATOR + "{" + encode_segment(hash_tag) + "}"
        return builder

    def key(self, *segments: Segment) -> str:
        """The key for ``segments`` under this builder's prefix."""
        if len(segments) > MAX_SEGMENTS:
            raise ValueError(f"a key has at most {MAX_SEGMENTS} segments, got {len(segments)}")
        if not segments:
            return self._prefix
        return self._prefix + SEPARATOR + SEPARATOR.join(encode_segment(segment) for segment in segments)

    def __repr__(self) -> str:
        return f"KeyBuilder({self._prefix!r})"
