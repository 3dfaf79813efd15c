"""core/encodable: lone surrogates (JSON ``\\ud800`` escapes) made safe to encode, and the wire's encoder."""

from __future__ import annotations

import msgpack

from kong_plugins.core.encodable import encodable, holds_lone_surrogate, to_utf8
from kong_plugins.server.wire import LoopPacker, pack


def test_encodable_replaces_each_surrogate_and_keeps_offsets() -> None:
    assert encodable("plain é") == "plain é"
    text = "a\ud800b\udfffc"
    assert encodable(text) == "a\ufffdb\ufffdc"
    assert len(encodable(text)) == len(text)


def test_to_utf8_keeps_escaped_bytes_and_replaces_the_rest() -> None:
    assert to_utf8("é") == "é".encode()
    assert to_utf8(b"\xff".decode("utf-8", "surrogateescape") + "\ud800") == b"\xff\xef\xbf\xbd"


def test_holds_lone_surrogate_walks_containers() -> None:
    assert not holds_lone_surrogate({"model": "gpt-4o", "tools": ["search", ("x",)]})
    assert holds_lone_surrogate({"tools": [{"name": "sea\ud800rch"}]})
    assert holds_lone_surrogate({"k\udfff": 1})


def test_the_wire_sends_a_lone_surrogate_as_u_fffd() -> None:
    escaped = b"\xff".decode("utf-8", "surrogateescape")
    for packed in (pack("gpt-\ud800" + escaped), LoopPacker().pack("gpt-\ud800" + escaped)):
        assert msgpack.unpackb(packed, raw=True) == b"gpt-\xef\xbf\xbd\xff"
