"""Text that UTF-8 can carry: lone surrogates replaced.

JSON lets a string hold any ``\\uXXXX`` escape, so ``json.loads('"\\ud800"')`` gives a ``str`` with a lone
surrogate, which no UTF-8 encoder accepts (RE2, cedarpy, msgpack, ``json.dumps(ensure_ascii=False)`` and the
audit log's file writes all raise ``UnicodeEncodeError``). A client or an upstream can send one in any field:
where a plugin hands text on, :func:`encodable` makes it safe (U+FFFD for each surrogate code point, the
result as long as ``text``, so that offsets found in it are offsets in ``text``) so that a stray escape never
becomes a 500; :func:`to_utf8` encodes a body whatever it holds; :func:`holds_lone_surrogate` tells a plugin
that decides on a request's fields that one of them is not text at all (a 400).
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "REPLACEMENT",
    "WIRE_ERRORS",
    "encodable",
    "has_lone_surrogate",
    "holds_lone_surrogate",
    "to_utf8",
]

REPLACEMENT = "\ufffd"

#: msgpack ``unicode_errors`` for the plugin-server wire (see :func:`_wire_errors`).
WIRE_ERRORS = "kong_ai_wire"


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` cannot be encoded as UTF-8 (it holds a surrogate code point)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")

#: Containers and strings :func:`holds_lone_surrogate` looks at before it gives up (and answers True).
MAX_WALKED = 100_000


def encodable(text: str) -> str:
    """``text`` with every surrogate code point replaced by U+FFFD, as long as ``text``; ``text`` itself
    when it is valid already (the common case costs one encode)."""
    if not has_lone_surrogate(text):
        return text
    return _SURROGATE.sub(REPLACEMENT, text)


def to_utf8(text: str) -> bytes:
    """``text`` as UTF-8: bytes a ``surrogateescape`` decode escaped come back as they were, any other
    surrogate becomes U+FFFD (a body is always sendable)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", WIRE_ERRORS)


def holds_lone_surrogate(value: Any) -> bool:
    """True when a string in ``value`` (strings, mappings' keys and values, lists, tuples, dataclasses)
    cannot be encoded as UTF-8; also True past :data:`MAX_WALKED` items (the caller refuses what it cannot
    vouch for)."""
    stack = [value]
    walked = 0
    while stack:
        item = stack.pop()
        walked += 1
        if walked > MAX_WALKED:
            return True
        if isinstance(item, str):
            if has_lone_surrogate(item):
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return False


def _wire_errors(error: UnicodeError) -> tuple[bytes, int]:
    """Encode error handler: ``surrogateescape``'s bytes for U+DC80..U+DCFF (bytes a decode with
    ``surrogateescape`` turned into surrogates travel back unchanged), U+FFFD for any other surrogate (a
    lone ``\\ud800`` from a JSON escape), so that a value always reaches Kong instead of failing the call."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = bytearray()
    for char in error.object[error.start : error.end]:
        code = ord(char)
        out += bytes([code - 0xDC00]) if 0xDC80 <= code <= 0xDCFF else REPLACEMENT.encode("utf-8")
    return bytes(out), error.end


codecs.register_error(WIRE_ERRORS, _wire_errors)
