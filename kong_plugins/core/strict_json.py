"""JSON read the way every reader agrees on: an object that repeats a member name is refused.

``{"model": "cheap", "model": "expensive"}`` or ``{"tool_calls": [transfer], "tool_calls": []}`` means one
thing to a parser that keeps the last value (Python's ``json``, JavaScript), another to one that keeps the
first, and is an error to a strict one (RFC 8259 §4: names SHOULD be unique; RFC 7519 §4 lets a JWT parser
refuse them). A plugin that decides on one reading while the upstream or the client acts on another has
decided on nothing, so every plugin that inspects JSON it then lets through reads it with this module:

* :func:`loads` raises :class:`DuplicateKey` (a ``ValueError``) at the first repeated name;
* :data:`MARKING_DECODER` (ai-input-guard) instead returns the object as a :class:`DuplicateKeys` marked with
  the repeated name, so a validator walking the document can report where it is.

Both keep Python's other behaviours (``NaN`` and friends parsed, deep nesting a ``RecursionError``, a huge
integer literal a ``ValueError``): callers handle those as before.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MARKING_DECODER", "DuplicateKey", "DuplicateKeys", "loads", "mark_duplicates", "unique_members"]


class DuplicateKey(ValueError):
    """A JSON object repeats a member name; ``key`` is the first repeated one (the caller's data: bound it
    before showing it, never log it)."""

    def __init__(self, key: str) -> None:
        super().__init__("duplicate key in a JSON object")
        self.key = key


class DuplicateKeys(dict):  # type: ignore[type-arg]
    """An object in which a key was repeated (last value kept), marked with the first repeated key."""

    __slots__ = ("duplicate",)


def unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that raises :class:`DuplicateKey` on a repeated name."""
    members = dict(pairs)
    if len(members) != len(pairs):
        raise DuplicateKey(_first_repeated(pairs))
    return members


def mark_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that returns a :class:`DuplicateKeys` for an object with a repeated name."""
    members = dict(pairs)
    if len(members) == len(pairs):
        return members
    marked = DuplicateKeys(members)
    marked.duplicate = _first_repeated(pairs)
    return marked


def _first_repeated(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    return ""


_DECODER = json.JSONDecoder(object_pairs_hook=unique_members)
MARKING_DECODER = json.JSONDecoder(object_pairs_hook=mark_duplicates)


def loads(data: bytes | bytearray | str) -> Any:
    """``json.loads`` refusing repeated member names (:class:`DuplicateKey`). Bytes are read as UTF-8 with
    an optional BOM, like ``json.loads`` (UTF-16/32 detection aside: no LLM API sends those)."""
    if isinstance(data, bytes | bytearray):
        data = bytes(data).removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    return _DECODER.decode(data)
