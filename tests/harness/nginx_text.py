"""nginx / ngx_lua / Kong string helpers the PDK model needs, byte-exact where a plugin can see the result.

All functions take and return *Lua strings*: ``str`` with raw non-UTF-8 bytes kept as surrogate escapes (see
``harness.lua``). Sources: lua-nginx-module ``ngx_http_lua_args.c``/``ngx_http_lua_util.c`` (``parse_args``,
``unescape_uri``, ``escape_uri``, ``encode_args``), kong/tools/uri.lua (``escape``, ``normalize``),
resty.ada ``search.remove`` (WHATWG urlencoded re-serialization).
"""

from __future__ import annotations

import re
from typing import Any

from harness.lua import LuaError, ipairs, is_table, lua_string_bytes, lua_tostring, lua_type, to_lua_string

_HEX = b"0123456789ABCDEF"


def _is_hex(byte: int) -> bool:
    return 48 <= byte <= 57 or 65 <= byte <= 70 or 97 <= byte <= 102


def unescape_uri(text: str, component: bool = True) -> str:
    """``ngx.unescape_uri``: ``%XX`` decoded, ``+`` -> space (component mode), bad escapes kept literally."""
    raw = lua_string_bytes(text)
    out = bytearray()
    i = 0
    n = len(raw)
    while i < n:
        byte = raw[i]
        if byte == 0x25 and i + 2 < n and _is_hex(raw[i + 1]) and _is_hex(raw[i + 2]):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
            continue
        if byte == 0x2B and component:
            out.append(0x20)
        else:
            out.append(byte)
        i += 1
    return to_lua_string(bytes(out))


def decode_args(text: str, max_args: int = 100) -> tuple[dict[str, Any], bool]:
    """ngx_http_lua_parse_args: ``(table, truncated)``; a bare key is ``true``, repeats become lists, empty
    keys are dropped (but still counted), ``max_args`` (> 0) stops after that many ``&``-terminated pairs."""
    table: dict[str, Any] = {}
    count = 0

    def store(key: str, value: Any) -> None:
        if key == "":
            return
        if key in table:
            existing = table[key]
            if isinstance(existing, list):
                existing.append(value)
            else:
                table[key] = [existing, value]
        else:
            table[key] = value

    parsing_value = False
    key = ""
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "=" and not parsing_value:
            key = unescape_uri(text[start:i])
            i += 1
            start = i
            parsing_value = True
        elif ch == "&":
            segment = unescape_uri(text[start:i])
            i += 1
            start = i
            if parsing_value:
                store(key, segment)
                parsing_value = False
            else:
                store(segment, True)
            count += 1
            if max_args > 0 and count == max_args:
                return table, True
        else:
            i += 1
    if start != n or parsing_value:
        segment = unescape_uri(text[start:n])
        if parsing_value:
            store(key, segment)
        else:
            store(segment, True)
    return table, False


_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def escape_uri_component(text: str) -> str:
    """``ngx.escape_uri`` (type 2): everything but ``A-Za-z0-9-._~`` as ``%XX``."""
    out = bytearray()
    for byte in lua_string_bytes(text):
        if byte in _UNRESERVED:
            out.append(byte)
        else:
            out += b"%" + bytes([_HEX[byte >> 4], _HEX[byte & 15]])
    return to_lua_string(bytes(out))


def encode_args(table: dict[Any, Any] | list[Any]) -> str:
    """``ngx.encode_args``: ``k=v`` pairs joined by ``&``; ``true`` -> bare key, ``false`` dropped, a sequence
    value repeats the key. Raises ``LuaError`` (without position, as luaL_error from C) for bad values."""
    parts: list[str] = []
    items = list(table.items()) if isinstance(table, dict) else [(i + 1, v) for i, v in enumerate(table)]
    for key, value in items:
        if isinstance(key, str):
            name = escape_uri_component(key)
        elif isinstance(key, (int, float)) and not isinstance(key, bool):
            name = escape_uri_component(lua_tostring(key))
        else:
            raise LuaError(f"attempt to use {lua_type(key)} as query arg key")
        parts.extend(_encode_value(name, value, nested=False))
    return "&".join(parts)


def _encode_value(name: str, value: Any, nested: bool) -> list[str]:
    if isinstance(value, bool):
        return [name] if value else []
    if isinstance(value, str):
        return [f"{name}={escape_uri_component(value)}"]
    if isinstance(value, (int, float)):
        return [f"{name}={escape_uri_component(lua_tostring(value))}"]
    if is_table(value) and not nested:
        out: list[str] = []
        for item in ipairs(value):
            out.extend(_encode_value(name, item, nested=True))
        return out
    raise LuaError(f"attempt to use {lua_type(value)} as query arg value")


# ----------------------------------------------------------------------------------------- kong/tools/uri.lua

_KONG_SAFE = frozenset(
    b"!#$&'()*+,/:;=?@[]ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%"
)
_RESERVED = frozenset(b"!*'();:@&=+$,/?%#[]")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")


def kong_escape(uri: str) -> str:
    """kong/tools/uri.lua ``escape``: ``%XX`` for every byte outside Kong's safe set (``$upstream_uri``)."""
    out = bytearray()
    for byte in lua_string_bytes(uri):
        if byte in _KONG_SAFE:
            out.append(byte)
        else:
            out += b"%" + bytes([_HEX[byte >> 4], _HEX[byte & 15]])
    return to_lua_string(bytes(out))


def kong_normalize(uri: str, merge_slashes: bool = True) -> str:
    """kong/tools/uri.lua ``normalize``: decode ``%XX`` of non-reserved bytes (reserved ones upper-cased),
    remove dot segments, merge slashes. What ``kong.request.get_path`` returns and the router matches."""
    if uri in ("", "/"):
        return uri
    raw = lua_string_bytes(uri)
    if b"%" in raw:

        def decode(match: re.Match[bytes]) -> bytes:
            num = int(match.group(1), 16)
            if num in _RESERVED:
                return match.group(0).upper()
            return bytes([num])

        raw = re.sub(rb"%([0-9A-Fa-f]{2})", decode, raw)
    if b"." not in raw and (not merge_slashes or b"//" not in raw):
        return to_lua_string(raw)
    return to_lua_string(_remove_dot_segments(raw, merge_slashes))


def _remove_dot_segments(raw: bytes, merge_slashes: bool) -> bytes:
    output: list[bytes] = []
    rest = raw
    while rest:
        if rest == b"/.":
            rest = b"/"
        elif rest == b"/..":
            rest = b"/"
            if output:
                output.pop()
        elif rest in (b".", b".."):
            rest = b""
        elif rest.startswith(b"../"):
            rest = rest[3:]
        elif rest.startswith(b"./") or rest.startswith(b"/./"):
            rest = rest[2:]
        elif rest.startswith(b"/../"):
            rest = rest[3:]
            if output:
                output.pop()
        elif merge_slashes and rest.startswith(b"//"):
            rest = rest[1:]
        else:
            slash = rest.find(b"/", 1)
            if slash >= 0:
                output.append(rest[:slash])
                rest = rest[slash:]
            else:
                output.append(rest)
                rest = b""
    return b"".join(output)


def nginx_uri(raw_path: str) -> str:
    """nginx ``$uri``: the path fully percent-decoded (``+`` kept), dot segments resolved, slashes merged."""
    decoded = lua_string_bytes(unescape_uri(raw_path, component=False))
    return to_lua_string(_remove_dot_segments(decoded, True) if decoded not in (b"", b"/") else decoded)


# ------------------------------------------------------------------------------------------- headers

_UNSAFE_HEADER = re.compile("[\r\n]")


def header_safe(text: str) -> str:
    """ngx_lua escapes CR/LF in header names and values it sets (``%0D``/``%0A``) instead of sending them."""
    return _UNSAFE_HEADER.sub(lambda m: "%0D" if m.group(0) == "\r" else "%0A", text)


def token_list(value: str) -> list[str]:
    """A comma-separated header value as lower-cased, stripped, non-empty tokens."""
    return [part.strip().lower() for part in value.split(",") if part.strip()]


# ------------------------------------------------------------------------------------------ WHATWG urlencoded

_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


def _form_decode(text: str) -> str:
    return unescape_uri(text, component=True)


def _form_encode(text: str) -> str:
    out = bytearray()
    for byte in lua_string_bytes(text):
        if byte in _FORM_SAFE:
            out.append(byte)
        elif byte == 0x20:
            out.append(0x2B)
        else:
            out += b"%" + bytes([_HEX[byte >> 4], _HEX[byte & 15]])
    return to_lua_string(bytes(out))


def search_remove(query: str, name: str) -> str:
    """resty.ada ``search.remove(args, name)``: parse as URLSearchParams, drop ``name``, re-serialize."""
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        if part == "":
            continue
        key, sep, value = part.partition("=")
        pairs.append((_form_decode(key), _form_decode(value) if sep else ""))
    kept = [(k, v) for k, v in pairs if k != name]
    return "&".join(f"{_form_encode(k)}={_form_encode(v)}" for k, v in kept)
