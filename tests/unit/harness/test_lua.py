"""Lua value rules at the msgpack boundary (harness.lua), checked against what Kong 3.9.1 did on the wire and,
for table borders, against a real LuaJIT when one is installed."""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess

import pytest
from harness.lua import (
    LUA_NULL,
    CjsonError,
    LuaArray,
    LuaError,
    cjson_decode,
    cjson_encode,
    fix_mmap,
    from_wire,
    lua_border,
    lua_quote,
    lua_tostring,
    to_wire,
    unpack_args,
)
from hypothesis import given
from hypothesis import strategies as st


def round_trip(value: object) -> object:
    """What kong.ctx.shared.get returns after kong.ctx.shared.set(value) (recording 21)."""
    return to_wire(from_wire(value))


# ========================================================================== values through Lua (recording 21)


def test_ctx_shared_round_trips_as_recorded() -> None:
    assert round_trip({"a": {"b": [1, 2, {"c": "d"}]}}) == {"a": {"b": [1, 2, {"c": "d"}]}}
    assert round_trip([1, "two", 3.5, True, None, "x"]) == {1: 1, 2: "two", 3: 3.5, 4: True, 6: "x"}
    assert round_trip({}) == []
    assert round_trip([]) == []
    assert round_trip(1.5) == 1.5
    assert round_trip(2.0) == 2 and isinstance(round_trip(2.0), int)
    assert round_trip(-7) == -7
    assert round_trip(1099511627776) == 1099511627776
    assert round_trip("h\u00e9llo \u2603 \U0001f600") == "h\u00e9llo \u2603 \U0001f600"
    assert round_trip({"k": None, "j": 1}) == {"j": 1}


def test_bytes_become_lua_strings_that_are_not_utf8() -> None:
    """Recording 22: bytes set into ctx.shared come back as a msgpack *str* with the raw bytes."""
    value = round_trip(b"\x00\x01\x02\xff\xfe\x80\x7f\nA")
    assert isinstance(value, str)
    assert value.encode("utf-8", "surrogateescape") == b"\x00\x01\x02\xff\xfe\x80\x7f\nA"
    assert round_trip(b"plain ascii") == "plain ascii"


def test_map_keys_lua_cannot_hold_are_dropped() -> None:
    assert from_wire({None: 1, "a": 2}) == {"a": 2}
    assert from_wire({float("nan"): 1}) == {}
    assert from_wire({1.0: "x", 2: "y"}) == ["x", "y"]  # keys 1..n: a sequence
    assert to_wire(from_wire({b"k": b"v"})) == {"k": "v"}


def test_packing_follows_lua_messagepack_without_hole() -> None:
    assert to_wire({1: "a", 2: "b"}) == ["a", "b"]
    assert to_wire({1: "a", 3: "b"}) == {1: "a", 3: "b"}
    assert to_wire({0: "whole", 1: "group"}) == {0: "whole", 1: "group"}  # URI captures keep index 0
    assert to_wire({"unnamed": LuaArray(), "named": {}}) == {"unnamed": [], "named": []}
    assert to_wire([1, LUA_NULL, "x"]) == [1, None, "x"]  # cjson.null keeps its slot (recording 05)
    assert to_wire(float("inf")) == float("inf")
    assert to_wire(1e300) == 1e300


def test_numbers_are_doubles() -> None:
    assert from_wire(2**53 + 1) == 2**53  # precision lost like a Lua double
    assert from_wire(-0.0) == 0 and isinstance(from_wire(-0.0), int)
    assert lua_tostring(1.0) == "1"
    assert lua_tostring(0.1) == "0.1"
    assert lua_tostring(1e15) == "1e+15"
    assert lua_tostring(123456789012345) == "1.2345678901234e+14"
    assert lua_tostring(True) == "true"
    assert lua_tostring(None) == "nil"
    assert lua_tostring({}).startswith("table: 0x")


def test_too_deep_values_are_refused() -> None:
    value: object = "leaf"
    for _ in range(300):
        value = [value]
    with pytest.raises(ValueError):
        from_wire(value)


def test_lua_quote_like_string_format_q() -> None:
    assert lua_quote("x-bad") == '"x-bad"'
    assert lua_quote('a"b\\c\nd\re\x00f') == '"a\\"b\\\\c\\\nd\\re\\0f"'
    assert lua_quote(5) == '"5"'
    with pytest.raises(LuaError):
        lua_quote(None)


# ============================================================================ fix_mmap


def test_fix_mmap_lists_every_value_and_keeps_empty_as_map() -> None:
    query = {"flag": True, "empty": "", "x": "1", "y": ["2", "3"]}
    assert fix_mmap(query) == {"flag": [], "empty": [""], "x": ["1"], "y": ["2", "3"]}
    assert fix_mmap({}) == {} and isinstance(fix_mmap({}), dict)  # Kong's mp_empty_map
    assert fix_mmap({"a": ["1", True]}) == {"a": ["1", True]}


# ============================================================================ unpack(args)


def test_nil_in_args_follows_luajit_border() -> None:
    # recording 46: exit(204, None, {headers}) reaches Lua as exit(204): the headers are lost
    assert unpack_args([204, None, {"x-empty": "yes"}]) == [204]
    assert unpack_args(["x-bad", None]) == ["x-bad"]
    assert unpack_args([None, {"id": "c"}]) == [None, {"id": "c"}]
    assert unpack_args(["a", "b", None, None, "e"]) == ["a", "b"]
    assert unpack_args([1, None, 3, 4]) == [1, None, 3, 4]


def test_args_without_nil_pass_whole() -> None:
    assert unpack_args([]) == []
    assert unpack_args(["a", 1, True, {"k": "v"}]) == ["a", 1, True, {"k": "v"}]
    assert unpack_args(None) == []
    assert unpack_args("solo") == ["solo"]
    assert unpack_args({1: "a", 2: "b"}) == ["a", "b"]


@given(st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=3)), max_size=40))
def test_sequences_without_holes_have_their_length_as_border(values: list[object]) -> None:
    assert lua_border(values) == len(values)


LUAJIT = shutil.which("luajit")
_BORDER_SCRIPT = """
for line in io.lines() do
  local t = {}
  local i = 0
  for c in line:gmatch("%d") do
    i = i + 1
    if c == "1" then t[i] = i else t[i] = nil end
  end
  print(#t)
end
"""


@pytest.mark.skipif(LUAJIT is None, reason="no luajit to compare with")
def test_border_matches_real_luajit(tmp_path: object) -> None:
    patterns = [bits for n in range(1, 12) for bits in itertools.product((0, 1), repeat=n)]
    patterns += [tuple((i * 7919 + j * 104729) % 3 != 0 for j in range(20 + i % 40)) for i in range(300)]
    script = f"{tmp_path}/border.lua"
    with open(script, "w") as handle:
        handle.write(_BORDER_SCRIPT)
    text = "\n".join(",".join(str(int(b)) for b in bits) for bits in patterns) + "\n"
    for flags in (["-joff"], []):
        assert LUAJIT is not None
        done = subprocess.run(
            [LUAJIT, *flags, script], input=text, capture_output=True, text=True, timeout=60
        )
        real = [int(x) for x in done.stdout.split()]
        ours = [lua_border([1 if b else None for b in bits]) for bits in patterns]
        assert real == ours


# ============================================================================ cjson


def test_cjson_encode_like_kong() -> None:
    assert cjson_encode({"message": "denied", "n": [1, 2]}) == '{"message":"denied","n":[1,2]}'
    assert cjson_encode({"path": "/a/b"}) == '{"path":"\\/a\\/b"}'
    assert cjson_encode({}) == "{}"  # empty table without array_mt
    assert cjson_encode(LuaArray()) == "[]"
    assert cjson_encode({1: "a", 3: "b"}) == '["a",null,"b"]'
    assert cjson_encode(0.1) == "0.1"
    assert cjson_encode(1 / 3) == "0.3333333333333333"
    assert cjson_encode("\x01\x7f\t") == '"\\u0001\\u007f\\t"'
    assert cjson_encode({1: "x", "k": "v"}) == '{"1":"x","k":"v"}'
    with pytest.raises(CjsonError):
        cjson_encode({1: "a", 40000: "b"})
    with pytest.raises(CjsonError):
        cjson_encode(math.nan)


def test_cjson_decode_to_lua() -> None:
    body = cjson_decode('{"a":1,"b":[true,null,"x"],"c":{"d":1.5},"e":{},"f":[]}')
    assert to_wire(body) == {"a": 1, "b": [True, None, "x"], "c": {"d": 1.5}, "e": [], "f": []}
    assert isinstance(body["f"], LuaArray) and body["b"][1] is LUA_NULL
    assert cjson_decode('{"a":1,"a":2}') == {"a": 2}
    assert cjson_decode("5") == 5
    for bad in ("", "{", '{"a":}', '"\\ud800"'):
        with pytest.raises(CjsonError):
            cjson_decode(bad)
    deep = "[" * 1200 + "]" * 1200
    with pytest.raises(CjsonError):
        cjson_decode(deep)
