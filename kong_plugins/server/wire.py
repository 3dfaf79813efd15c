"""MessagePack encoding rules shared by the transport and the event runtime.

Kong is written in Lua, whose strings are byte strings: a header value or a ``kong.ctx.shared`` value that is
not UTF-8 still arrives as a msgpack *str* (recordings 22 and 39 in ``kong-wire``). kong-pdk 0.36 decodes with
strict UTF-8, raises, and drops the connection; Kong then logs "no data" and the plugin silently does not run,
which for a security plugin means failing open. We decode and encode with ``surrogateescape`` instead:
the plugin sees a ``str`` whose undecodable bytes are lone surrogates (``"\\udcff"``), and when that string
goes back to Kong it is re-encoded to the exact original bytes. A lone surrogate that did not come from
a decode (a JSON ``"\\ud800"`` escape in a body or an answer, read into a model name or a fact) has no
original bytes: it is sent as U+FFFD (:data:`kong_plugins.core.encodable.WIRE_ERRORS`) rather than failing
the call, and the request, with a 500.

Only Python ``bytes`` become msgpack *bin* (Kong's raw-body getters answer with bin, and a plugin may
pass bytes to ``kong.response.exit``); every ``str`` is a msgpack *str*, as in kong-pdk.
"""

from __future__ import annotations

import struct
from typing import Any

import msgpack

from kong_plugins.core.encodable import WIRE_ERRORS

UNICODE_ERRORS = "surrogateescape"  # decoding; encoding uses WIRE_ERRORS (the same bytes, and U+FFFD)

#: Largest single frame we accept from Kong. Bodies travel inside frames (``get_raw_body`` answers), so this
#: bounds memory per connection; a bigger frame closes the connection.
DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024

REQUEST = 0
RESPONSE = 1
NOTIFICATION = 2


def pack(value: Any) -> bytes:
    """Encode ``value`` as Kong expects it (bytes → bin, str → str, escaped bytes → original bytes, other
    lone surrogates → U+FFFD).

    Raises ``TypeError``/``ValueError``/``OverflowError`` for values msgpack cannot carry (sets, objects,
    integers beyond 64 bits).
    """
    return msgpack.packb(value, use_bin_type=True, unicode_errors=WIRE_ERRORS)


#: The decoder's first buffer. msgpack allocates ``read_size`` up front (default ``min(max_buffer_size,
#: 1 MiB)``) and appends each chunk after the previous one, moving the unread bytes back to the start only
#: when the end is reached: over a connection's life every page of the buffer is written, so each connection
#: Kong keeps in its keepalive pool ended up holding 1 MiB of resident memory. The 10-minute soak (100
#: clients, 165 pooled connections) saw the plugin server's RSS climb from 210 to 400 MiB that way while the
#: memory malloc reported in use stayed flat. A frame larger than this grows the buffer as it arrives, up to
#: ``max_frame_bytes``; PDK calls and answers are mostly far smaller.
UNPACKER_READ_SIZE = 16 * 1024


def new_unpacker(max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> msgpack.Unpacker:
    """A streaming decoder for one connection: non-UTF-8 strs survive, integer map keys are allowed."""
    return msgpack.Unpacker(
        raw=False,
        strict_map_key=False,
        unicode_errors=UNICODE_ERRORS,
        max_buffer_size=max_frame_bytes,
        read_size=min(UNPACKER_READ_SIZE, max_frame_bytes),
    )


def encode_response(msgid: int, error: str | None, result: Any) -> bytes:
    """``[1, msgid, error, result]``: the only frame a plugin server ever sends."""
    return pack([RESPONSE, msgid, error, result])


#: ``fixarray(4), 1, `` of the response frame; then the msgid.
_EVENT_RESPONSE_HEAD = b"\x94" + pack(RESPONSE)
#: ``nil, fixmap(2), "Data"``; then the packed data.
_EVENT_RESPONSE_DATA = pack(None) + b"\x82" + pack("Data")
_EVENT_ID_KEY = pack("EventId")


class LoopPacker:
    """Packing for one thread only (the green runtime's loop): reused packers, integers without msgpack.

    ``msgpack.packb`` builds a new ``Packer`` per call, about as costly as the packing itself; and a packer
    given ``unicode_errors`` encodes every str through the codec machinery. A PDK round trip packs twice, so
    this keeps one strict packer (the fast UTF-8 path) and falls back to a surrogateescape one only for the
    rare str that is not valid UTF-8. Not thread-safe: a packer has one buffer.
    """

    def __init__(self) -> None:
        self._strict = msgpack.Packer(use_bin_type=True)
        self._escaping = msgpack.Packer(use_bin_type=True, unicode_errors=WIRE_ERRORS)

    def pack(self, value: Any) -> bytes:
        try:
            return self._strict.pack(value)
        except UnicodeEncodeError:
            return self._escaping.pack(value)

    def event_response(self, msgid: int, event_id: int, packed_data: bytes) -> bytes:
        """:func:`encode_event_response`, byte for byte."""
        return b"".join(
            (
                _EVENT_RESPONSE_HEAD,
                pack_uint(msgid) if msgid >= 0 else pack(msgid),
                _EVENT_RESPONSE_DATA,
                packed_data,
                _EVENT_ID_KEY,
                pack_uint(event_id) if event_id >= 0 else pack(event_id),
            )
        )


_FIXINTS = [bytes((n,)) for n in range(128)]
_U8 = struct.Struct(">BB").pack
_U16 = struct.Struct(">BH").pack
_U32 = struct.Struct(">BI").pack
_U64 = struct.Struct(">BQ").pack


def pack_uint(n: int) -> bytes:
    """A non-negative integer as msgpack packs it (the shortest form), without a packer."""
    if n < 128:
        return _FIXINTS[n]
    if n < 0x100:
        return _U8(0xCC, n)
    if n < 0x10000:
        return _U16(0xCD, n)
    if n < 0x100000000:
        return _U32(0xCE, n)
    return _U64(0xCF, n)  # struct raises for 2**64 and beyond, as msgpack does


def encode_event_response(msgid: int, event_id: int, packed_data: bytes) -> bytes:
    """``[1, msgid, nil, {"Data": <packed_data>, "EventId": event_id}]`` around already packed ``Data``.

    The data of a PDK call is packed in the plugin's own thread (so that an unpackable argument raises there,
    at the call site, instead of breaking the connection); splicing the bytes in avoids packing it twice.
    Every PDK round trip sends one of these, so only the two integers are packed here.
    """
    return b"".join(
        (_EVENT_RESPONSE_HEAD, pack(msgid), _EVENT_RESPONSE_DATA, packed_data, _EVENT_ID_KEY, pack(event_id))
    )
