"""Lua value semantics at the msgpack boundary, as Kong 3.9's ``mp_rpc.lua`` + lua-MessagePack 0.5.4 see them.

Why this exists: what a Python plugin sends is *not* what Lua holds, and what Lua returns is not what was set.
Kong decodes every ``Args`` array and map into Lua tables, calls ``method(unpack(args))`` and packs the first
return value back. On the way:

* Lua has one string type. A Lua string is modelled as a Python ``str`` that may carry non-UTF-8 bytes as
  surrogate escapes (``bytes.decode("utf-8", "surrogateescape")``); the RPC layer packs with
  ``unicode_errors="surrogateescape"`` so such a string leaves as a msgpack *str* holding raw bytes, exactly
  as Kong sends it. Python ``bytes`` on the wire (msgpack *bin*) only come out of the three raw-body getters.
* Lua has one number type (a double): ``2.0`` comes back as ``2``; integers beyond 2^53 lose precision.
* A Lua table is modelled as a ``dict`` (any keys) or a ``list`` (a sequence ``1..n`` without holes). ``nil``
  cannot be stored: ``None`` in a map drops the key, ``None`` in an array leaves a hole. ``LuaArray`` marks a
  table carrying cjson's ``array_mt`` (JSON-decoded arrays, URI captures): it matters only to
  ``cjson_encode``.
* Packing a table (``to_wire``): empty -> ``[]``; keys exactly ``1..n`` -> array; anything else -> map.
* ``LUA_NULL`` is ``cjson.null``/``ngx.null``: a value (it keeps its slot in a table) that packs as nil.

``unpack_args`` reproduces what ``method(unpack(args))`` passes when ``Args`` has ``None`` in it: LuaJIT's
``#t`` is *a* border of the table, which depends on how the array part grew while lua-MessagePack filled it
with ``t[i] = v``. The rule implemented is the one of the LuaJIT 2.1 *interpreter* (lj_tab.c ``rehashtab``/
``bestasize``/``lj_tab_len``, simulated exactly, number hashing included). Examples: ``[204, None, {...}]`` ->
only ``204`` (recording 46: the headers are lost); ``[None, x]`` -> ``(nil, x)``; ``["k", None]`` ->
``("k")``. Caveat (not modelled): once a worker's JIT compiles lua-MessagePack's decoding loop it may bump the
table size hint in the bytecode (lj_record.c ``rec_idx_bump``), after which the same Args can keep more
arguments. So arguments after a ``None`` are unreliable in real Kong; a plugin must never send ``None`` before
a used argument.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Iterable, Mapping
from typing import Any

MAX_DEPTH = 200  # msgpack/Lua nesting we accept from untrusted values (Kong's cjson refuses > 1000)
_INT_LIMIT = 2**63
_EXACT_DOUBLE = 2**53


class LuaError(Exception):
    """A Lua ``error()`` raised while Kong ran a PDK call; ``str(exc)`` is the full message Kong logs."""


class _LuaNull:
    """``cjson.null`` / ``ngx.null``: a lightuserdata that is a table element but packs as msgpack nil."""

    _instance: _LuaNull | None = None

    def __new__(cls) -> _LuaNull:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "LUA_NULL"

    def __bool__(self) -> bool:  # a lightuserdata is truthy in Lua
        return True


LUA_NULL = _LuaNull()


class LuaArray(list):  # type: ignore[type-arg]
    """A sequence carrying cjson's ``array_mt``: ``cjson_encode`` writes it as ``[]`` even when empty."""


# ========================================================================================== numbers / strings


def lua_number(value: int | float) -> int | float:
    """A number as Lua holds it (a double): integral values as ``int``, precision beyond 2^53 lost."""
    if isinstance(value, bool):
        raise TypeError("bool is not a Lua number")
    if isinstance(value, int):
        if -_EXACT_DOUBLE <= value <= _EXACT_DOUBLE:
            return value
        value = float(value)
    if math.isfinite(value) and value == math.floor(value) and -_INT_LIMIT < value < _INT_LIMIT:
        return int(value)
    return value


def lua_tostring(value: Any) -> str:
    """Lua's ``tostring``: numbers with ``%.14g``, ``nil``/booleans by name, tables by a fake address."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number):
            return "nan" if math.copysign(1.0, number) > 0 else "-nan"
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return format(number, ".14g")
    if isinstance(value, str):
        return value
    if value is LUA_NULL:
        return "userdata: NULL"
    return f"table: 0x{id(value) & 0xFFFFFFFFFFFF:012x}"


def lua_quote(value: Any) -> str:
    """``string.format("%q", value)`` as LuaJIT 2.1 writes it (numbers are quoted after ``tostring``)."""
    text = lua_tostring(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    if not isinstance(text, str):
        raise LuaError(f"bad argument #2 to 'format' (string expected, got {lua_type(value)})")
    out = ['"']
    for i, ch in enumerate(text):
        code = ord(ch)
        if ch in '"\\\n':
            out.append("\\" + ch)
        elif ch == "\r":
            out.append("\\r")
        elif code == 0:
            nxt = text[i + 1 : i + 2]
            out.append("\\000" if nxt.isdigit() else "\\0")
        elif code < 0x20 or code == 0x7F:
            nxt = text[i + 1 : i + 2]
            out.append(f"\\{code:03d}" if nxt.isdigit() else f"\\{code}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def lua_type(value: Any) -> str:
    """Lua's ``type()`` of a modelled value."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is LUA_NULL:
        return "userdata"
    if isinstance(value, (dict, list)):
        return "table"
    return "userdata"


def to_lua_string(value: str | bytes) -> str:
    """Bytes (or text) as a Lua string: raw bytes kept as surrogate escapes."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def lua_string_bytes(value: str) -> bytes:
    """The raw bytes of a Lua string."""
    return value.encode("utf-8", "surrogateescape")


def lua_len_bytes(value: str) -> int:
    """``#s`` for a Lua string: its length in bytes."""
    return len(lua_string_bytes(value))


# ============================================================================================ tables


def is_table(value: Any) -> bool:
    return isinstance(value, (dict, list))


def table_get(table: dict[Any, Any] | list[Any], key: Any) -> Any:
    """``t[key]`` (``None`` when absent); integral float keys are the same as integer keys."""
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    if isinstance(table, list):
        if isinstance(key, int) and not isinstance(key, bool) and 1 <= key <= len(table):
            return table[key - 1]
        return None
    return table.get(key)


def ipairs(table: dict[Any, Any] | list[Any]) -> list[Any]:
    """The values ``ipairs`` visits: ``t[1], t[2], ...`` up to the first nil."""
    if isinstance(table, list):
        return list(table)
    out = []
    index = 1
    while index in table:
        out.append(table[index])
        index += 1
    return out


def table_items(table: dict[Any, Any] | list[Any]) -> list[tuple[Any, Any]]:
    """``pairs(t)`` in a deterministic order (arrays by index, maps in insertion order)."""
    if isinstance(table, list):
        return [(i + 1, v) for i, v in enumerate(table)]
    return list(table.items())


def _lua_key(key: Any) -> Any:
    """A msgpack map key as a Lua key; ``None`` when Lua cannot hold it (nil, NaN)."""
    if isinstance(key, bytes):
        return to_lua_string(key)
    if isinstance(key, (bool, str)):
        return key
    if isinstance(key, (int, float)):
        if isinstance(key, float) and math.isnan(key):
            return None
        return lua_number(key)
    if key is None:
        return None
    raise TypeError(f"unhashable msgpack key type {type(key).__name__}")


def from_wire(value: Any, _depth: int = 0) -> Any:
    """What Lua holds after Kong decodes ``value`` (an msgpack-decoded Python object).

    bytes -> string; ints/floats -> Lua numbers; lists with ``None`` holes -> int-keyed dicts; maps drop
    ``None`` values and ``None``/NaN keys; an empty list or map -> the empty table ``{}``.
    """
    if _depth > MAX_DEPTH:
        raise ValueError("value nests too deeply")
    if value is None or isinstance(value, (bool, str)) or value is LUA_NULL:
        return value
    if isinstance(value, bytes):
        return to_lua_string(value)
    if isinstance(value, (int, float)):
        return lua_number(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return {}
        if any(item is None for item in value):
            return {i + 1: from_wire(item, _depth + 1) for i, item in enumerate(value) if item is not None}
        converted = [from_wire(item, _depth + 1) for item in value]
        return LuaArray(converted) if isinstance(value, LuaArray) else converted
    if isinstance(value, Mapping):
        table: dict[Any, Any] = {}
        for key, item in value.items():
            lua_key = _lua_key(key)
            if lua_key is None or item is None:
                table.pop(lua_key, None)
                continue
            table[lua_key] = from_wire(item, _depth + 1)
        return _normalize_table(table)
    raise TypeError(f"cannot hold {type(value).__name__} in Lua")


def _normalize_table(table: dict[Any, Any]) -> dict[Any, Any] | list[Any]:
    """A dict whose keys are exactly ``1..n`` is a sequence: keep it as a list (same Lua table)."""
    if table and all(isinstance(k, int) and not isinstance(k, bool) for k in table):
        n = len(table)
        if all(1 <= k <= n for k in table):
            return [table[i] for i in range(1, n + 1)]
    return table


def to_wire(value: Any, _depth: int = 0) -> Any:
    """How Kong's lua-MessagePack packs a Lua value (``set_array'without_hole'``, integral doubles as int)."""
    if _depth > MAX_DEPTH + 10:
        raise LuaError("pack: value nests too deeply")
    if value is None or value is LUA_NULL:
        return None
    if isinstance(value, (bool, str, bytes)):
        return value
    if isinstance(value, (int, float)):
        return lua_number(value)
    if isinstance(value, list):
        return [to_wire(item, _depth + 1) for item in value]
    if isinstance(value, dict):
        n = len(value)
        max_key: float = 0
        is_map = False
        for key in value:
            if isinstance(key, (int, float)) and not isinstance(key, bool) and key > 0:
                max_key = max(max_key, key)
            else:
                is_map = True
        if max_key != n:
            is_map = True
        if not is_map:
            return [to_wire(value[i], _depth + 1) for i in range(1, n + 1)]
        return {to_wire(k, _depth + 1): to_wire(v, _depth + 1) for k, v in value.items()}
    raise LuaError(f"pack '{lua_type(value)}' is unimplemented")


def fix_mmap(table: Any) -> Any:
    """mp_rpc.lua ``fix_mmap`` for query/header multimaps, wire-ready: strings -> ``[str]``, ``true`` ->
    ``[]``, other values packed as they are, and an empty table -> an empty msgpack *map* (not ``[]``)."""
    if not isinstance(table, (dict, list)) or not table:
        if table is None:
            # fix_mmap(nil) is a Lua error ("bad argument #1 to 'for iterator'"); callers never pass nil.
            raise LuaError("bad argument #1 to 'for iterator' (table expected, got nil)")
        return {}
    out: dict[Any, Any] = {}
    for key, item in table_items(table):
        if item is True:
            out[to_wire(key)] = []
        elif isinstance(item, str):
            out[to_wire(key)] = [item]
        else:
            out[to_wire(key)] = to_wire(item)
    return out


# ============================================================================================ LuaJIT tables

_M32 = 0xFFFFFFFF
_LJ_MAX_ASIZE = (1 << 27) + 1  # LJ_MAX_ABITS = 28
_LJ_MAX_ABITS = 28


def _rol(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _M32


def _hash_number(key: float) -> int:
    """lj_tab.h ``hashnum``: ``hashrot(lo, hi << 1)`` over the double's bits (x86/x64 variant)."""
    bits = struct.unpack("<Q", struct.pack("<d", float(key)))[0]
    lo = bits & _M32
    hi = ((bits >> 32) << 1) & _M32
    lo ^= hi
    hi = _rol(hi, 14)
    lo = (lo - hi) & _M32
    hi = _rol(hi, 5)
    hi ^= lo
    hi = (hi - _rol(lo, 13)) & _M32
    return hi


def _fls(x: int) -> int:
    return x.bit_length() - 1


class _Node:
    __slots__ = ("key", "next", "val")

    def __init__(self) -> None:
        self.key: float | None = None
        self.val: Any = None  # None = nil
        self.next: int | None = None


_NIL = None


class LuaJitTable:
    """A LuaJIT 2.1 table with integer keys only, with its array part and hash part (lj_tab.c, interpreter).

    Enough to answer ``#t`` exactly as ``lj_tab_len`` does after a sequence of ``t[k] = v`` stores.
    """

    def __init__(self) -> None:
        self.array: list[Any] = []  # slots 0..asize-1, None = nil
        self.nodes: list[_Node] = []  # empty = no hash part (hmask 0, the shared nil node)
        self.freetop = 0

    # -- lookups
    def _mainpos(self, key: float) -> int:
        return _hash_number(key) & (len(self.nodes) - 1)

    def _find_node(self, key: float) -> _Node | None:
        if not self.nodes:
            return None
        index: int | None = self._mainpos(key)
        while index is not None:
            node = self.nodes[index]
            if node.key is not None and node.key == key:
                return node
            index = node.next
        return None

    def get(self, key: int) -> Any:
        if 0 <= key < len(self.array):
            return self.array[key]
        node = self._find_node(float(key))
        return node.val if node is not None else None

    # -- stores
    def set(self, key: int, value: Any) -> None:
        """``t[key] = value`` through the interpreter path (lj_meta_tset / lj_tab_newkey)."""
        if 0 <= key < len(self.array):
            self.array[key] = value
            return
        node = self._find_node(float(key))
        if node is None:
            node = self._newkey(float(key))
            if node is None:  # rehashed: retry the store
                self.set(key, value)
                return
        node.val = value

    def _newkey(self, key: float) -> _Node | None:
        nodes = self.nodes
        if not nodes:
            self._rehash(key)
            return None
        main = self._mainpos(key)
        n = nodes[main]
        if n.val is not _NIL:
            freenode = self.freetop
            while True:
                if freenode == 0:
                    self._rehash(key)
                    return None
                freenode -= 1
                if nodes[freenode].key is None:
                    break
            self.freetop = freenode
            assert n.key is not None
            collide = self._mainpos(n.key)
            if collide != main:
                while nodes[collide].next != main:
                    nxt = nodes[collide].next
                    assert nxt is not None
                    collide = nxt
                nodes[collide].next = freenode
                free = nodes[freenode]
                free.val, free.key, free.next = n.val, n.key, n.next
                n.next = None
                n.val = _NIL
                # (the string-key rechaining of lj_tab_newkey never applies to number keys)
            else:
                free = nodes[freenode]
                free.next = n.next
                n.next = freenode
                n = free
        n.key = key
        return n

    def _rehash(self, extra_key: float) -> None:
        bins = [0] * _LJ_MAX_ABITS

        def countint(k: float) -> int:
            ik = int(k)
            if float(ik) == k and 0 <= ik < _LJ_MAX_ASIZE:
                bins[_fls(ik - 1) if ik > 2 else 0] += 1
                return 1
            return 0

        # countarray
        na = 0
        asize = len(self.array)
        if asize:
            i = 0
            for b in range(_LJ_MAX_ABITS):
                top = 2 << b
                if top >= asize:
                    top = asize - 1
                    if i > top:
                        break
                n = 0
                while i <= top:
                    if self.array[i] is not _NIL:
                        n += 1
                    i += 1
                bins[b] += n
                na += n
        total = 1 + na
        # counthash
        for node in self.nodes:
            if node.val is not _NIL:
                assert node.key is not None
                na += countint(node.key)
                total += 1
        na += countint(extra_key)
        # bestasize
        nn = na
        b = 0
        total_sum = 0
        best_na = 0
        new_asize = 0
        while 2 * nn > (1 << b) and total_sum != nn:
            if bins[b] > 0:
                total_sum += bins[b]
                if 2 * total_sum > (1 << b):
                    new_asize = (2 << b) + 1
                    best_na = total_sum
            b += 1
        total -= best_na
        self._resize(new_asize, _hsize2hbits(total))

    def _resize(self, asize: int, hbits: int) -> None:
        old_array = self.array
        old_nodes = self.nodes
        if asize > len(old_array):
            self.array = old_array + [_NIL] * (asize - len(old_array))
        self.nodes = [_Node() for _ in range(1 << hbits)] if hbits else []
        self.freetop = len(self.nodes)
        if asize < len(old_array):
            self.array = old_array[:asize]
            for index in range(asize, len(old_array)):
                if old_array[index] is not _NIL:
                    self.set(index, old_array[index])
        for node in old_nodes:
            if node.val is not _NIL:
                assert node.key is not None
                self.set(int(node.key), node.val)

    # -- length
    def border(self) -> int:
        """lj_tab_len."""
        hi = len(self.array)
        if hi:
            hi -= 1
        if hi > 0 and self.array[hi] is _NIL:
            lo = 0
            while hi - lo > 1:
                mid = (lo + hi) >> 1
                if self.array[mid] is _NIL:
                    hi = mid
                else:
                    lo = mid
            return lo
        if not self.nodes:
            return hi
        # tab_len_slow
        lo = hi
        hi += 1
        while self.get(hi) is not _NIL:
            lo = hi
            hi += hi
            if hi > 0x7FFFFFFD:
                lo = 1
                while self.get(lo) is not _NIL:
                    lo += 1
                return lo - 1
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            if self.get(mid) is not _NIL:
                lo = mid
            else:
                hi = mid
        return lo


def _hsize2hbits(size: int) -> int:
    if size == 0:
        return 0
    if size == 1:
        return 1
    return 1 + _fls(size - 1)


def lua_border(values: Iterable[Any]) -> int:
    """``#t`` after lua-MessagePack built ``t`` from a msgpack array (``t[i] = v`` for i = 1..n)."""
    table = LuaJitTable()
    for index, value in enumerate(values, start=1):
        table.set(index, value)
    return table.border()


MAX_ARGS = 64  # a PDK call never needs more; bounds the simulation on hostile input


def unpack_args(args: Any) -> list[Any]:
    """The Lua arguments ``call_pdk_method`` passes for a msgpack ``Args`` value (``fn(unpack(args))``).

    A list goes through ``from_wire`` element by element and is cut at LuaJIT's border (see module doc);
    ``nil`` elements inside the border stay ``None``. A map becomes one table whose integer keys are unpacked
    the same way. Anything else is passed as the single argument (``method(args)``).
    """
    if isinstance(args, (list, tuple)):
        values = [from_wire(item) for item in list(args)[:MAX_ARGS]]
        return values[: lua_border(values)]
    if isinstance(args, Mapping):
        table = from_wire(args)
        if isinstance(table, list):
            return table[:MAX_ARGS]
        return ipairs(table)[:MAX_ARGS]
    if args is None:
        return []
    return [from_wire(args)]


# ============================================================================================ cjson

_CJSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    "\x7f": "\\u007f",
}
_CJSON_ESCAPE_RE = re.compile('["\\\\/\x00-\x1f\x7f]')
CJSON_SPARSE_SAFE = 2**15  # globalpatches.lua: cjson.encode_sparse_array(nil, nil, 2^15)
CJSON_SPARSE_RATIO = 2
CJSON_MAX_DEPTH = 1000


class CjsonError(ValueError):
    """cjson.safe returned (nil, err)."""


def _cjson_string(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        ch = match.group(0)
        return _CJSON_ESCAPES.get(ch) or f"\\u{ord(ch):04x}"

    return '"' + _CJSON_ESCAPE_RE.sub(escape, text) + '"'


def _cjson_number(value: int | float) -> str:
    number = float(value) if not isinstance(value, int) or abs(value) > _EXACT_DOUBLE else value
    if isinstance(number, float):
        if not math.isfinite(number):
            raise CjsonError("Cannot serialise number: must not be NaN or Infinity")
        return format(number, ".16g")
    return str(number)


def cjson_encode(value: Any) -> str:
    """``cjson.safe.encode`` as Kong configures it (precision 16, '/' escaped, empty tables as ``{}``).

    Raises ``CjsonError`` where cjson.safe returns ``nil, err``. Key order is the dict's (Lua's is random).
    """
    parts: list[str] = []
    _cjson_append(parts, value, 0)
    return "".join(parts)


def _cjson_append(parts: list[str], value: Any, depth: int) -> None:
    if value is None or value is LUA_NULL:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, (int, float)):
        parts.append(_cjson_number(value))
    elif isinstance(value, str):
        parts.append(_cjson_string(value))
    elif isinstance(value, bytes):
        parts.append(_cjson_string(to_lua_string(value)))
    elif isinstance(value, (dict, list)):
        depth += 1
        if depth > CJSON_MAX_DEPTH:
            raise CjsonError(f"Cannot serialise, excessive nesting ({depth})")
        length = _cjson_array_length(value)
        if length > 0 or (length == 0 and isinstance(value, LuaArray)):
            parts.append("[")
            for index in range(1, length + 1):
                if index > 1:
                    parts.append(",")
                _cjson_append(parts, table_get(value, index), depth)
            parts.append("]")
        else:
            parts.append("{")
            first = True
            for key, item in table_items(value):
                if not first:
                    parts.append(",")
                first = False
                if isinstance(key, str):
                    parts.append(_cjson_string(key))
                elif isinstance(key, (int, float)) and not isinstance(key, bool):
                    parts.append('"' + _cjson_number(key) + '"')
                else:
                    raise CjsonError(
                        f"Cannot serialise {lua_type(key)}: table key must be a number or string"
                    )
                parts.append(":")
                _cjson_append(parts, item, depth)
            parts.append("}")
    else:
        raise CjsonError(f"Cannot serialise {lua_type(value)}: type not supported")


def _cjson_array_length(table: dict[Any, Any] | list[Any]) -> int:
    """lua_cjson ``lua_array_length``: the array size, or -1 for an object (0 = empty)."""
    if isinstance(table, list):
        return len(table)
    max_key = 0
    items = 0
    for key in table:
        if (
            isinstance(key, (int, float))
            and not isinstance(key, bool)
            and float(key).is_integer()
            and key >= 1
        ):
            max_key = max(max_key, int(key))
            items += 1
        else:
            return -1
    if max_key > items * CJSON_SPARSE_RATIO and max_key > CJSON_SPARSE_SAFE:
        raise CjsonError("Cannot serialise table: excessively sparse array")
    return max_key


_LONE_SURROGATE_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<![0-9a-fA-F]{4})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def cjson_decode(text: str) -> Any:
    """``cjson.decode`` with Kong's ``decode_array_with_array_mt``: Lua values, ``LuaArray`` for arrays,
    ``LUA_NULL`` for null. Raises ``CjsonError`` for what cjson rejects."""
    if _LONE_SURROGATE_ESCAPE.search(text):
        raise CjsonError("Expected value but found invalid unicode escape code")

    def number(token: str) -> int | float:
        return lua_number(float(token))

    def pairs_hook(items: list[tuple[str, Any]]) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for key, item in items:
            table[key] = item
        return table

    try:
        decoder = json.JSONDecoder(
            object_pairs_hook=pairs_hook, parse_float=number, parse_int=number, strict=False
        )
        result = decoder.decode(text)
    except (ValueError, RecursionError) as exc:
        raise CjsonError(str(exc)) from None
    return _from_json(result, 0)


def _from_json(value: Any, depth: int) -> Any:
    if depth > CJSON_MAX_DEPTH:
        raise CjsonError("Found too many nested data structures")
    if value is None:
        return LUA_NULL
    if isinstance(value, list):
        return LuaArray(_from_json(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return {key: _from_json(item, depth + 1) for key, item in value.items()}
    if isinstance(value, float) and not isinstance(value, bool):
        return lua_number(value)
    return value


def to_python(value: Any) -> Any:
    """A Lua value as plain JSON-able Python (for reports and tests): ``LUA_NULL`` -> None, tables packed."""
    return to_wire(value)
