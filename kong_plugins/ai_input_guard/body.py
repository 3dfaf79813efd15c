"""Checks 2 and 3: how big the body is (``413``), and whether it is JSON we are willing to hold (``400``).

A body sent with a ``Content-Encoding`` (gzip, deflate, br) is decoded first, within ``max_body_bytes`` (a
decompression bomb is a 413 once the bound is passed, never inflated further) and strictly: the upstream
decodes the bytes Kong passes on, so a stream cut short or data after it (which we would not have read) is a
400, and a coding we cannot decode is a 415. Every later check then reads the decoded body.

Size is judged twice. ``Content-Length`` is read before the body is fetched, so an oversized request never
crosses the plugin-server socket; the body itself is measured again (chunked requests have no length).

JSON is parsed by the standard library's C decoder, with the limits every untrusted document needs:

* strict UTF-8 (no replacement characters), no lone surrogates from ``\\ud800`` escapes;
* nesting depth (``max_depth``): the C decoder gives up on absurd depths by itself (``RecursionError``, well
  below any stack risk), and the walk below enforces the configured bound with the path where it was crossed;
* string and array lengths (``max_string_length``, ``max_array_length``), object keys included;
* no duplicate keys: ``{"model": "cheap", "model": "expensive"}`` means different things to different parsers,
  so whatever the gateway checked might not be what the model provider reads;
* numbers: integers must fit in 64 bits and floats must be finite (``1e999`` is not infinity here), and
  ``NaN``/``Infinity`` (which Python accepts) are refused; integer literals beyond the interpreter's
  4,300-digit conversion limit are refused by the decoder itself before any big-number arithmetic.

The walk is iterative: no recursion on attacker-controlled depth anywhere in this plugin.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_input_guard.rejection import FieldProblem, Rejection, json_pointer
from kong_plugins.core.content_encoding import TOO_LARGE, UNSUPPORTED, DecodeError, decode_body, is_identity
from kong_plugins.core.strict_json import DuplicateKeys, mark_duplicates

__all__ = [
    "BodyHead",
    "BodyLimits",
    "decode_content",
    "header_value",
    "inspect_head",
    "parse_json",
    "require_body_size",
    "require_declared_size",
]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_MAX_LENGTH_DIGITS = 18  # a Content-Length with more digits than this is not a size we would accept anyway
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class BodyLimits:
    """The configured bounds of a body and of the JSON document in it."""

    max_body_bytes: int
    max_depth: int
    max_string_length: int
    max_array_length: int


@dataclass(frozen=True)
class BodyHead:
    """What the request headers say about the body before it is read."""

    declared_length: int | None
    chunked: bool

    @property
    def has_body(self) -> bool:
        return self.chunked or bool(self.declared_length)


def header_value(headers: Mapping[str, Any], name: str) -> str | None:
    """The value of a request header from ``kong.request.get_headers()`` (lowercase names); repeats joined."""
    value = headers.get(name)
    if isinstance(value, list):
        values = [v for v in value if isinstance(v, str)]
        return ", ".join(values) if values else None
    return value if isinstance(value, str) else None


def inspect_head(headers: Mapping[str, Any], limits: BodyLimits) -> BodyHead:
    """Read ``Content-Length``/``Transfer-Encoding`` (400 when the length is malformed)."""
    raw_length = header_value(headers, "content-length")
    transfer_encoding = (header_value(headers, "transfer-encoding") or "").lower()
    chunked = "chunked" in transfer_encoding
    if raw_length is None:
        return BodyHead(None, chunked)
    values = {part.strip() for part in raw_length.split(",")}
    length_text = values.pop() if len(values) == 1 else ""
    if not length_text.isascii() or not length_text.isdigit() or len(length_text) > _MAX_LENGTH_DIGITS:
        raise Rejection(400, "body_size", "malformed_length", FieldProblem("", "malformed Content-Length"))
    return BodyHead(int(length_text), chunked)


def require_declared_size(head: BodyHead, limits: BodyLimits) -> None:
    """413 when ``Content-Length`` announces more than ``max_body_bytes`` (the body is then never read)."""
    if head.declared_length is not None and head.declared_length > limits.max_body_bytes:
        raise _too_large(limits)


def _too_large(limits: BodyLimits) -> Rejection:
    return Rejection(
        413,
        "body_size",
        "too_large",
        FieldProblem("", f"request body is larger than {limits.max_body_bytes} bytes"),
    )


def require_body_size(raw: bytes, limits: BodyLimits, *, required: bool) -> None:
    """The body as read: 413 when above ``max_body_bytes``, 400 when empty on a route that needs one."""
    if len(raw) > limits.max_body_bytes:
        raise _too_large(limits)
    if required and not raw:
        raise Rejection(400, "body_size", "missing", FieldProblem("", "a request body is required"))


def decode_content(raw: bytes, content_encoding: str | None, limits: BodyLimits) -> bytes:
    """The body with its ``Content-Encoding`` undone (see the module doc), or a :class:`Rejection`."""
    if not raw or is_identity(content_encoding):
        return raw
    try:
        return decode_body(raw, content_encoding, limits.max_body_bytes, strict=True)
    except DecodeError as error:
        if error.reason == TOO_LARGE:
            raise _too_large(limits) from None
        if error.reason == UNSUPPORTED:
            raise Rejection(
                415, "content_type", "encoding", FieldProblem("", "unsupported Content-Encoding")
            ) from None
        raise Rejection(
            400, "body_size", "corrupt_encoding", FieldProblem("", f"body is not valid {error.coding} data")
        ) from None


class _NonFinite:
    """``NaN``/``Infinity``/``-Infinity``: accepted by Python's decoder, not JSON; reported by the walk."""

    __slots__ = ("literal",)

    def __init__(self, literal: str) -> None:
        self.literal = literal


_DECODER = json.JSONDecoder(object_pairs_hook=mark_duplicates, parse_constant=_NonFinite)


def _invalid(category: str, path: str, error: str) -> Rejection:
    return Rejection(400, "json", category, FieldProblem(path, error))


def parse_json(raw: bytes, limits: BodyLimits) -> Any:
    """Decode and bound-check ``raw``; the result holds only plain JSON values (dict, list, str, numbers)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid("invalid_utf8", "", f"body is not valid UTF-8 (byte {exc.start})") from None
    try:
        document = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise _invalid(
            "malformed", "", f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise _invalid("too_deep", "", f"nesting deeper than {limits.max_depth} levels") from None
    except ValueError:
        # int() refuses literals beyond sys.get_int_max_str_digits() before doing any quadratic work
        raise _invalid("huge_number", "", "number too large") from None
    _walk(document, limits, check_surrogates=_SURROGATE_ESCAPE.search(text) is not None)
    return document


def _walk(document: Any, limits: BodyLimits, *, check_surrogates: bool) -> None:
    """Enforce the limits on every value, iteratively, reporting the first problem in document order."""
    max_depth, max_string, max_array = limits.max_depth, limits.max_string_length, limits.max_array_length
    stack: list[tuple[Any, tuple[str | int, ...], int]] = [(document, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        kind = type(value)
        if kind is str:
            _check_string(value, path, max_string, check_surrogates)
        elif kind is dict or kind is DuplicateKeys:
            if depth >= max_depth:
                raise _invalid("too_deep", json_pointer(path), f"nesting deeper than {max_depth} levels")
            if kind is DuplicateKeys:
                # the pointer names the repeated member (bounded when shown); the reason never quotes it,
                # since the reason also goes to Kong's log, and a key is the client's payload
                raise _invalid("duplicate_key", json_pointer((*path, value.duplicate)), "duplicate key")
            children = []
            for key, child in value.items():
                _check_string(key, (*path, key), max_string, check_surrogates)
                children.append((child, (*path, key), depth + 1))
            stack.extend(reversed(children))
        elif kind is list:
            if depth >= max_depth:
                raise _invalid("too_deep", json_pointer(path), f"nesting deeper than {max_depth} levels")
            if len(value) > max_array:
                raise _invalid("array_too_long", json_pointer(path), f"more than {max_array} items")
            stack.extend((value[i], (*path, i), depth + 1) for i in range(len(value) - 1, -1, -1))
        elif kind is int:
            if not INT64_MIN <= value <= INT64_MAX:
                raise _invalid("huge_number", json_pointer(path), "integer out of the 64-bit range")
        elif kind is float:
            if not math.isfinite(value):
                raise _invalid("huge_number", json_pointer(path), "number out of range")
        elif kind is _NonFinite:
            raise _invalid("malformed", json_pointer(path), f"{value.literal} is not valid JSON")


def _check_string(value: str, path: tuple[str | int, ...], max_length: int, check_surrogates: bool) -> None:
    if len(value) > max_length:
        raise _invalid("string_too_long", json_pointer(path), f"string longer than {max_length} characters")
    if check_surrogates and _SURROGATE.search(value):
        raise _invalid("invalid_utf8", json_pointer(path), "unpaired UTF-16 surrogate escape")
