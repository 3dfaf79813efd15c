"""The bits of Lua that Kong's schema validation leaks into its answers, redone in Python.

Kong validates plugin configs in LuaJIT, and three Lua details show through in what a client sees:

* ``match``-family attributes are **Lua patterns**, not regular expressions. :func:`lua_pattern` turns one
  into an equivalent Python ``re`` pattern over UTF-8 bytes (Lua patterns work on bytes, with ASCII-only
  classes), and refuses the items we do not translate (``%b``, ``%f``, back-references).
* Numbers and values inside messages are printed with Lua's ``tostring`` (``%.14g``): :func:`lua_tostring`.
* A nested error table inside a ``schema violation`` message is printed by Penlight's ``pl.pretty.write``
  (penlight 1.14.0, the version Kong 3.9 pins), whose quoting comes from ``pl.stringx.quote_string`` and
  LuaJIT's ``%q``: :func:`lua_pretty`.

Error tables are modelled as Kong's cjson encodes them: a Lua table with string keys is a ``dict``; one with
only positive integer keys (element errors, "holes" where an element was valid) is a ``list`` with ``None`` in
the holes.
"""

from __future__ import annotations

import functools
import math
import re
import struct
from collections.abc import Iterable
from typing import Any

# --------------------------------------------------------------------------------------------------
# tostring / string.format
# --------------------------------------------------------------------------------------------------


def lua_number_str(value: float | int) -> str:
    """``tostring(n)`` in LuaJIT: every number is a double printed with ``%.14g``."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf if value > 0 else -math.inf
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return f"{number:.14g}"


def lua_tostring(value: Any) -> str:
    """``tostring(value)`` for the JSON values a config can hold (``None`` is ``ngx.null``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return lua_number_str(value)
    if isinstance(value, str):
        return value
    return "table"


def lua_format_int(value: float | int) -> str:
    """``string.format("%d", n)``: LuaJIT truncates a non-integral number towards zero."""
    try:
        return str(int(value))
    except (OverflowError, ValueError):
        return lua_number_str(value)


def lua_format_s(template: str, argument: str) -> str:
    """``template:format(argument)`` for custom ``then_err`` messages, which may only use ``%s``/``%%``."""
    return re.sub(r"%[s%]", lambda m: argument if m.group(0) == "%s" else "%", template)


def utf8_len(value: str) -> int:
    """``#value`` for a Lua string: its length in bytes."""
    return len(value.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------------------------------------
# Lua patterns
# --------------------------------------------------------------------------------------------------

_ALL_BYTES = frozenset(range(256))


def _byte_range(first: int, last: int) -> frozenset[int]:
    return frozenset(range(first, last + 1))


# LuaJIT's own ASCII character table (lj_char.c): locale never matters.
_LOWER = _byte_range(0x61, 0x7A)
_UPPER = _byte_range(0x41, 0x5A)
_DIGIT = _byte_range(0x30, 0x39)
_CLASSES: dict[str, frozenset[int]] = {
    "a": _LOWER | _UPPER,
    "c": _byte_range(0, 31) | {127},
    "d": _DIGIT,
    "g": _byte_range(33, 126),
    "l": _LOWER,
    "p": _byte_range(33, 47) | _byte_range(58, 64) | _byte_range(91, 96) | _byte_range(123, 126),
    "s": _byte_range(9, 13) | {32},
    "u": _UPPER,
    "w": _LOWER | _UPPER | _DIGIT,
    "x": _DIGIT | _byte_range(0x41, 0x46) | _byte_range(0x61, 0x66),
    "z": frozenset({0}),
}
_QUANTIFIERS = {ord("*"): b"*", ord("+"): b"+", ord("-"): b"*?", ord("?"): b"?"}


class LuaPatternError(ValueError):
    """A Lua pattern is malformed, or uses an item we do not translate exactly."""


def _escape_class(byte: int, pattern: bytes) -> frozenset[int]:
    """The bytes matched by ``%<byte>`` (LuaJIT ``match_class``)."""
    letter = chr(byte)
    if letter in "bf" or letter.isdigit():
        raise LuaPatternError(f"unsupported Lua pattern item '%{letter}' in {pattern!r}")
    lower = letter.lower()
    if lower in _CLASSES:
        chars = _CLASSES[lower]
        return _ALL_BYTES - chars if letter.isupper() else chars
    return frozenset({byte})


def _parse_set(pattern: bytes, start: int) -> tuple[frozenset[int], int]:
    """Parse ``[...]`` starting at ``start`` (the ``[``); return its bytes and the index after ``]``.

    Mirrors Lua's ``classEnd``/``matchbracketclass``: a ``]`` right after ``[`` or ``[^`` is literal, ``%x``
    escapes, and ``a-z`` is a range unless the ``-`` is the last character before ``]``.
    """
    index = start + 1
    negate = index < len(pattern) and pattern[index] == ord("^")
    if negate:
        index += 1
    body_start = index
    # find the closing bracket the way classEnd does
    while True:
        if index >= len(pattern):
            raise LuaPatternError(f"malformed Lua pattern (missing ']') in {pattern!r}")
        byte = pattern[index]
        index += 1
        if byte == ord("%") and index < len(pattern):
            index += 1
        if index < len(pattern) and pattern[index] == ord("]"):
            break
        if index >= len(pattern):
            raise LuaPatternError(f"malformed Lua pattern (missing ']') in {pattern!r}")
    end = index  # index of the closing ']'
    chars: set[int] = set()
    cursor = body_start
    while cursor < end:
        byte = pattern[cursor]
        if byte == ord("%"):
            if cursor + 1 >= end:
                raise LuaPatternError(f"malformed Lua pattern (ends with '%') in {pattern!r}")
            chars |= _escape_class(pattern[cursor + 1], pattern)
            cursor += 2
        elif cursor + 2 < end and pattern[cursor + 1] == ord("-"):
            chars |= set(range(byte, pattern[cursor + 2] + 1))
            cursor += 3
        else:
            chars.add(byte)
            cursor += 1
    result = frozenset(chars)
    return (_ALL_BYTES - result if negate else result), end + 1


def _render_class(chars: frozenset[int]) -> bytes:
    """A Python bytes-regex character class matching exactly ``chars``."""
    if not chars:
        return b"(?!)"
    parts: list[bytes] = []
    ordered = sorted(chars)
    run_start = previous = ordered[0]
    for byte in [*ordered[1:], None]:
        if byte is not None and byte == previous + 1:
            previous = byte
            continue
        parts.append(
            b"\\x%02x" % run_start if run_start == previous else b"\\x%02x-\\x%02x" % (run_start, previous)
        )
        if byte is not None:
            run_start = previous = byte
    return b"[" + b"".join(parts) + b"]"


@functools.lru_cache(maxsize=1024)
def lua_pattern(pattern: str) -> re.Pattern[bytes]:
    """Translate a Lua pattern into a compiled Python regex with the same match/no-match answer.

    Search it on ``value.encode("utf-8")``. Raises :class:`LuaPatternError` for a malformed pattern (which Lua
    would raise while validating, turning Kong's answer into a 500) or for items we do not translate.
    """
    raw = pattern.encode("utf-8", "surrogatepass")
    out: list[bytes] = []
    index = 0
    open_captures = 0
    if raw[:1] == b"^":
        out.append(b"\\A")
        index = 1
    while index < len(raw):
        byte = raw[index]
        if byte == ord("("):
            if raw[index + 1 : index + 2] == b")":  # position capture: matches the empty string
                index += 2
                continue
            open_captures += 1
            out.append(b"(?:")
            index += 1
            continue
        if byte == ord(")"):
            if open_captures == 0:
                raise LuaPatternError(f"invalid pattern capture in {pattern!r}")
            open_captures -= 1
            out.append(b")")
            index += 1
            continue
        if byte == ord("$") and index == len(raw) - 1:
            out.append(b"\\Z")
            index += 1
            continue
        if byte == ord("%"):
            if index + 1 >= len(raw):
                raise LuaPatternError(f"malformed Lua pattern (ends with '%') in {pattern!r}")
            chars = _escape_class(raw[index + 1], raw)
            index += 2
        elif byte == ord("["):
            chars, index = _parse_set(raw, index)
        elif byte == ord("."):
            chars = _ALL_BYTES
            index += 1
        else:
            chars = frozenset({byte})
            index += 1
        out.append(_render_class(chars))
        if index < len(raw) and raw[index] in _QUANTIFIERS:
            out.append(_QUANTIFIERS[raw[index]])
            index += 1
    if open_captures:
        raise LuaPatternError(f"unfinished capture in {pattern!r}")
    return re.compile(b"".join(out))


def lua_find(value: str, pattern: str) -> bool:
    """``value:match(pattern) ~= nil``."""
    return lua_pattern(pattern).search(value.encode("utf-8", "surrogatepass")) is not None


# --------------------------------------------------------------------------------------------------
# LuaJIT's table layout, for the order in which ``pairs`` visits integer keys
# --------------------------------------------------------------------------------------------------

_U32 = 0xFFFFFFFF


def _rol(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (32 - shift))) & _U32


def _hash_number(key: int) -> int:
    """LuaJIT's ``hashnum`` (lj_tab.h ``hashrot``, x86/x64 variant) of a number key."""
    bits = struct.unpack("<Q", struct.pack("<d", float(key)))[0]
    low, high = bits & _U32, ((bits >> 32) << 1) & _U32
    low ^= high
    high = _rol(high, 14)
    low = (low - high) & _U32
    high = _rol(high, 5)
    high ^= low
    return (high - _rol(low, 13)) & _U32


def _hash_bits(size: int) -> int:
    return 0 if size == 0 else (1 if size == 1 else (size - 1).bit_length())


class _LuaJitTable:
    """Just enough of lj_tab.c (array part, hash part, rehash) to know the ``pairs`` order of integer keys.

    Kong builds element-error tables as ``errs[i] = err`` with ``i`` ascending and holes for valid
    elements; ``pairs`` (``lj_tab_next``) visits the array part, then the hash nodes in slot order.
    """

    def __init__(self) -> None:
        self.array: list[bool] = []  # slot k holds key k (slot 0 unused)
        self.keys: list[int | None] = []
        self.next: list[int | None] = []
        self.free_top = 0

    def _main_position(self, key: int) -> int:
        return _hash_number(key) & (len(self.keys) - 1)

    @staticmethod
    def _count(key: int, bins: list[int]) -> int:
        if 0 <= key < (1 << 27):
            bins[(key - 1).bit_length() - 1 if key > 2 else 0] += 1
            return 1
        return 0

    def _rehash(self, new_key: int) -> None:
        """``rehashtab``: the largest array part that stays more than half full; the rest goes to the hash."""
        bins = [0] * 32
        in_array = index = 0
        size = len(self.array)
        for bin_index in range(32 if size else 0):
            top = 2 << bin_index
            if top >= size:
                top = size - 1
                if index > top:
                    break
            count = sum(self.array[index : top + 1])
            index = top + 1
            bins[bin_index] += count
            in_array += count
        total = 1 + in_array
        integers = in_array
        for key in self.keys:
            if key is not None:
                integers += self._count(key, bins)
                total += 1
        integers += self._count(new_key, bins)
        running = best_size = best_count = bin_index = 0
        while 2 * integers > (1 << bin_index) and running != integers:
            if bins[bin_index]:
                running += bins[bin_index]
                if 2 * running > (1 << bin_index):
                    best_size, best_count = (2 << bin_index) + 1, running
            bin_index += 1
        self._resize(best_size, _hash_bits(total - best_count))

    def _resize(self, array_size: int, hash_bits: int) -> None:
        old_keys = self.keys
        if array_size > len(self.array):
            self.array += [False] * (array_size - len(self.array))
        hash_size = 1 << hash_bits if hash_bits else 0
        self.keys, self.next, self.free_top = [None] * hash_size, [None] * hash_size, hash_size
        if array_size < len(self.array):
            moved = [k for k in range(array_size, len(self.array)) if self.array[k]]
            del self.array[array_size:]
            for key in moved:
                self.insert(key)
        for key in old_keys:
            if key is not None:
                self.insert(key)

    def insert(self, key: int) -> None:
        """``t[key] = true`` for a key not yet in the table (``lj_tab_newkey``)."""
        if key < len(self.array):
            self.array[key] = True
            return
        node = self._main_position(key) if self.keys else 0
        if not self.keys or self.keys[node] is not None or len(self.keys) == 1:
            free = self.free_top
            while True:
                if free == 0:
                    self._rehash(key)
                    self.insert(key)
                    return
                free -= 1
                if self.keys[free] is None:
                    break
            self.free_top = free
            occupant = self.keys[node]
            collide = self._main_position(occupant) if occupant is not None else node
            if collide != node:  # the occupant is not in its main position: move it out
                while self.next[collide] != node:
                    collide = self.next[collide]  # type: ignore[assignment]
                self.next[collide] = free
                self.keys[free], self.next[free] = occupant, self.next[node]
                self.next[node] = None
                self.keys[node] = None
            else:
                self.next[free], self.next[node] = self.next[node], free
                node = free
        self.keys[node] = key

    def pairs_order(self) -> list[int]:
        in_array = [key for key, present in enumerate(self.array) if present]
        return in_array + [key for key in self.keys if key is not None]


def luajit_pairs_order(keys: Iterable[int]) -> list[int]:
    """The order in which ``pairs`` visits positive integer ``keys`` stored in ascending order into ``{}``."""
    table = _LuaJitTable()
    for key in sorted(keys):
        table.insert(key)
    return table.pairs_order()


# --------------------------------------------------------------------------------------------------
# pl.pretty.write (penlight 1.14.0)
# --------------------------------------------------------------------------------------------------

_LUA_KEYWORDS = frozenset(
    [
        "and",
        "break",
        "do",
        "else",
        "elseif",
        "end",
        "false",
        "for",
        "function",
        "if",
        "in",
        "local",
        "nil",
        "not",
        "or",
        "repeat",
        "return",
        "then",
        "true",
        "until",
        "while",
    ]
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LONG_BRACKET = re.compile(r"([\[\]])(=*)\1")


def _luajit_q(text: str) -> str:
    """``("%q"):format(text)`` in LuaJIT 2.1 (lj_strfmt.c ``strfmt_putquoted``)."""
    out = ['"']
    for position, char in enumerate(text):
        code = ord(char)
        if char in '"\\\n':
            out.append("\\" + char)
        elif code < 32 or code == 127:
            following = text[position + 1 : position + 2]
            if code >= 100 or (following.isdigit() and following.isascii()):
                out.append(f"\\{code:03d}")
            else:
                out.append(f"\\{code}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _long_quote_level(text: str) -> int | None:
    """pl.stringx ``has_lquote``: the most ``=`` found in ``[[``/``]]``-like sequences, or ``None``."""
    equals: int | None = None
    position = 0
    while True:
        found = _LONG_BRACKET.search(text, position)
        if found is None:
            return equals
        equals = max(equals or 0, len(found.group(2)))
        position = found.end() - 1  # Lua resumes the search at the last character of the match


def lua_quote_string(text: str) -> str:
    """pl.stringx ``quote_string``: long brackets for multi-line text or embedded brackets, else ``%q``."""
    level = _long_quote_level(text + "]")
    if ("\n" in text or level is not None) and "\r" not in text:
        equal_signs = "=" * ((level if level is not None else -1) + 1)
        if text.startswith("\n"):
            text = "\n" + text
        return f"[{equal_signs}[{text}]{equal_signs}]"
    return _luajit_q(text)


def _format_key(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if _IDENTIFIER.match(key) and key not in _LUA_KEYWORDS:
        return key
    quoted = lua_quote_string(key)
    if quoted.startswith("["):
        quoted = f" {quoted} "
    return f"[{quoted}]"


def _table_entries(table: dict[Any, Any] | list[Any]) -> tuple[list[Any], list[tuple[str | int, Any]]]:
    """Split a table the way pl.pretty walks it: the ``ipairs`` run, then keyed entries in output order.

    Keyed entries are the string keys sorted byte-wise, then the integer keys not reached by ``ipairs``, in
    the order LuaJIT's ``pairs`` visits them (:func:`luajit_pairs_order`).
    """
    if isinstance(table, list):
        items: dict[Any, Any] = {index + 1: value for index, value in enumerate(table) if value is not None}
    else:
        items = table
    sequence: list[Any] = []
    while len(sequence) + 1 in items:
        sequence.append(items[len(sequence) + 1])
    used = len(sequence)
    strings = sorted((k for k in items if not isinstance(k, int)), key=lambda k: str(k).encode())
    integer_keys = [k for k in items if isinstance(k, int)]
    order = luajit_pairs_order(integer_keys) if all(k > 0 for k in integer_keys) else sorted(integer_keys)
    numbers = [k for k in order if not 1 <= k <= used]
    return sequence, [(k, items[k]) for k in strings] + [(k, items[k]) for k in numbers]


def lua_pretty(value: Any, space: str = "  ") -> str:
    """``require("pl.pretty").write(value)``: how Kong prints a nested error table inside a message."""
    if not isinstance(value, dict | list):
        return lua_quote_string(value) if isinstance(value, str) else lua_tostring(value)
    lines: list[str] = []
    line = ""

    def put(text: str) -> None:
        nonlocal line
        line += text

    def putln(text: str) -> None:
        nonlocal line
        if line:
            lines.append(line + text)
            line = ""
        else:
            lines.append(text)

    def eat_last_comma() -> None:
        if lines and lines[-1].endswith(","):
            lines[-1] = lines[-1][:-1]

    def write(item: Any, old_indent: str, indent: str) -> None:
        if isinstance(item, str):
            putln(lua_quote_string(item) + ",")
            return
        if not isinstance(item, dict | list):
            putln(lua_tostring(item) + ",")
            return
        new_indent = indent + space
        putln("{")
        sequence, keyed = _table_entries(item)
        for element in sequence:
            put(indent)
            write(element, indent, new_indent)
        for key, element in keyed:
            put(indent + _format_key(key) + " = ")
            write(element, indent, new_indent)
        eat_last_comma()
        putln(old_indent + "},")

    write(value, "", space)
    eat_last_comma()
    return "\n".join(lines)
