"""MessagePack encoding rules shared by the transport and the event runtime.

Kong is written in Lua, whose strings are byte strings: a header value or a ``kong.ctx.shared`` value that is
not UTF-8 still arrives as a msgpack *str* (recordings 22 and 39 in ``kong-wire``). kong-pdk 0.36 decodes with
strict UTF-8, raises, and drops the connection; Kong then logs "no data" and the plugin silently does not run,
which for a security plugin means failing open. We decode and encode with ``surrogateescape`` instead:
the plugin sees a ``str`` whose undecodable bytes are lone surrogates (``"\\udcff"``), and when that string
goes back to Kong it is re-encoded to the exact original bytes.

Only Python ``bytes`` become msgpack *bin* (Kong's raw-body getters answer with bin, and a plugin may
pass bytes to ``kong.response.exit``); every ``str`` is a msgpack *str*, as in kong-pdk.
"""

from __future__ import annotations

from typing import Any

import msgpack

UNICODE_ERRORS = "surrogateescape"

#: Largest single frame we accept from Kong. Bodies travel inside frames (``get_raw_body`` answers), so this
#: bounds memory per connection; a bigger frame closes the connection.
DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024

REQUEST = 0
RESPONSE = 1
NOTIFICATION = 2


def pack(value: Any) -> bytes:
    """Encode ``value`` as Kong expects it (bytes → bin, str → str, lone surrogates → original bytes).

    Raises ``TypeError``/``ValueError``/``OverflowError`` for values msgpack cannot carry (sets, objects,
    integers beyond 64 bits, surrogates that did not come from ``surrogateescape``).
    """
    return msgpack.packb(value, use_bin_type=True, unicode_errors=UNICODE_ERRORS)


def new_unpacker(max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> msgpack.Unpacker:
    """A streaming decoder for one connection: non-UTF-8 strs survive, integer map keys are allowed."""
    return msgpack.Unpacker(
        raw=False,
        strict_map_key=False,
        unicode_errors=UNICODE_ERRORS,
        max_buffer_size=max_frame_bytes,
    )


def encode_response(msgid: int, error: str | None, result: Any) -> bytes:
    """``[1, msgid, error, result]``: the only frame a plugin server ever sends."""
    return pack([RESPONSE, msgid, error, result])


#: ``fixarray(4), 1, `` of the response frame; then the msgid.
_EVENT_RESPONSE_HEAD = b"\x94" + pack(RESPONSE)
#: ``nil, fixmap(2), "Data"``; then the packed data.
_EVENT_RESPONSE_DATA = pack(None) + b"\x82" + pack("Data")
_EVENT_ID_KEY = pack("EventId")


def encode_event_response(msgid: int, event_id: int, packed_data: bytes) -> bytes:
    """``[1, msgid, nil, {"Data": <packed_data>, "EventId": event_id}]`` around already packed ``Data``.

    The data of a PDK call is packed in the plugin's own thread (so that an unpackable argument raises there,
    at the call site, instead of breaking the connection); splicing the bytes in avoids packing it twice.
    Every PDK round trip sends one of these, so only the two integers are packed here.
    """
    return b"".join(
        (_EVENT_RESPONSE_HEAD, pack(msgid), _EVENT_RESPONSE_DATA, packed_data, _EVENT_ID_KEY, pack(event_id))
    )
