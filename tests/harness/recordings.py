"""The kong-wire recordings (tests/data/kong-wire/*.json): loading, decoding their special forms, comparing.

Special forms: ``{"$bin": b64}`` -> ``bytes`` (msgpack bin); ``{"$str_not_utf8": b64}`` -> ``str`` with
surrogate escapes (a msgpack str holding raw bytes); ``{"$map": [[k, v], ...]}`` -> ``dict`` with non-string
keys; bodies ``{"text"}``/``{"base64"}`` -> ``bytes``; header values ``{"$bytes": b64}`` -> ``bytes``.

Comparison helpers ignore what the README calls volatile: msgid, InstanceId/EventId, client port, node id, the
nginx ``request_id`` variable, Date/Server/Connection, and the contents of ``serialize()`` (compared by key
structure).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.kong_request import MISSING

WIRE_DIR = Path(__file__).resolve().parents[1] / "data" / "kong-wire"
"""The recordings, kept in the repository (their README says where they come from)."""
VOLATILE_RESPONSE_HEADERS = frozenset({"date", "server", "connection"})
FRAMING_HEADERS = frozenset({"transfer-encoding", "content-length"})
_MAX_DECODE_DEPTH = 200


def decode_special(value: Any, _depth: int = 0) -> Any:
    """Decode the recordings' special forms recursively (see module doc)."""
    if _depth > _MAX_DECODE_DEPTH:
        raise ValueError("recording value nests too deeply")
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "$bin":
                return base64.b64decode(inner)
            if key == "$str_not_utf8":
                return base64.b64decode(inner).decode("utf-8", "surrogateescape")
            if key == "$bytes":
                return base64.b64decode(inner)
            if key == "$map":
                return {
                    _hashable(decode_special(k, _depth + 1)): decode_special(v, _depth + 1) for k, v in inner
                }
        return {k: decode_special(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_special(v, _depth + 1) for v in value]
    return value


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def decode_body(body: dict[str, str] | None) -> bytes:
    """A recording body ``{"text": ...}`` or ``{"base64": ...}`` as bytes (``None`` -> b"")."""
    if body is None:
        return b""
    if "base64" in body:
        return base64.b64decode(body["base64"])
    return body.get("text", "").encode("utf-8")


def decode_headers(headers: list[list[Any]]) -> list[tuple[str, bytes]]:
    """Recording header pairs as ``(name, raw bytes)``."""
    out = []
    for name, value in headers:
        decoded = decode_special(value)
        out.append((name, decoded if isinstance(decoded, bytes) else str(decoded).encode("utf-8")))
    return out


@dataclass
class Frame:
    """One msgpack message of a recording."""

    index: int
    dir: str  # "kong->server" | "server->kong"
    server: str
    conn: int
    msg: list[Any]

    @property
    def from_kong(self) -> bool:
        return self.dir == "kong->server"

    @property
    def is_request(self) -> bool:
        return self.msg[0] == 0

    @property
    def method(self) -> str | None:
        """``plugin.X`` of a request frame."""
        return self.msg[2] if self.is_request else None

    @property
    def param(self) -> Any:
        """The single parameter of a request, or the result of a response."""
        return self.msg[3][0] if self.is_request else self.msg[3]

    @property
    def error(self) -> Any:
        return None if self.is_request else self.msg[2]


@dataclass
class Recording:
    """One scenario file, decoded."""

    path: Path
    raw: dict[str, Any]
    frames: list[Frame] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def number(self) -> int:
        return int(self.path.stem.split("-", 1)[0])

    @property
    def plugins(self) -> list[dict[str, Any]]:
        return self.raw["plugins"]

    @property
    def kong_config(self) -> dict[str, Any]:
        return self.raw["kong_config"]

    @property
    def client_request(self) -> dict[str, Any]:
        return self.raw["client_request"]

    @property
    def client_headers(self) -> list[tuple[str, bytes]]:
        return decode_headers(self.client_request["headers"])

    @property
    def client_body(self) -> bytes:
        return decode_body(self.client_request.get("body"))

    @property
    def upstream_received(self) -> dict[str, Any] | None:
        return self.raw.get("upstream_received")

    @property
    def client_response(self) -> dict[str, Any]:
        return self.raw["client_response"]

    @property
    def kong_log(self) -> list[str]:
        return self.raw.get("kong_log") or []

    @property
    def listen_port(self) -> int:
        return int(str(self.kong_config["listen"]).rsplit(":", 1)[1])

    @property
    def client_body_buffer_size(self) -> int:
        return parse_size(str(self.kong_config.get("client_body_buffer_size", "8k")))

    def frames_of(self, server: str) -> list[Frame]:
        return [f for f in self.frames if f.server == server]

    def servers(self) -> list[str]:
        seen: list[str] = []
        for frame in self.frames:
            if frame.server not in seen:
                seen.append(frame.server)
        return seen


def parse_size(text: str) -> int:
    """nginx sizes: ``8k`` -> 8192."""
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text.strip())
    if not match:
        raise ValueError(f"bad size {text!r}")
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]


def load(path: str | Path) -> Recording:
    """Load one recording and decode its frames' special forms."""
    path = Path(path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    frames = [
        Frame(i, f["dir"], f["server"], f["conn"], decode_special(f["msg"]))
        for i, f in enumerate(raw["frames"])
    ]
    return Recording(path, raw, frames)


def all_recordings(directory: str | Path = WIRE_DIR) -> Iterator[Recording]:
    for path in sorted(Path(directory).glob("[0-9][0-9]-*.json")):
        yield load(path)


# ================================================================================================ comparison

_IGNORED_PARAM_KEYS = frozenset({"InstanceId", "EventId"})


def frame_key(frame: Frame) -> tuple[Any, ...]:
    """A frame without msgid, InstanceId or EventId (what must match between two runs)."""
    if frame.is_request:
        param = frame.param
        if isinstance(param, dict):
            param = {k: v for k, v in param.items() if k not in _IGNORED_PARAM_KEYS}
        return (frame.dir, frame.msg[0], frame.method, param)
    result = frame.param
    if isinstance(result, dict):
        result = {k: v for k, v in result.items() if k not in _IGNORED_PARAM_KEYS}
    return (frame.dir, frame.msg[0], frame.error, result)


def frames_equal(a: Frame, b: Frame) -> bool:
    return frame_key(a) == frame_key(b)


def same_value(expected: Any, actual: Any) -> bool:
    """Deep equality that keeps bytes/str and int/float/bool apart (msgpack bin vs str matters)."""
    if type(expected) is not type(actual):
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
            if isinstance(expected, bool) or isinstance(actual, bool):
                return False
            return expected == actual
        return False
    if isinstance(expected, dict):
        return expected.keys() == actual.keys() and all(same_value(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list):
        return len(expected) == len(actual) and all(
            same_value(e, a) for e, a in zip(expected, actual, strict=True)
        )
    return bool(expected == actual)


def key_structure(value: Any) -> Any:
    """The shape of a JSON value: dict keys recursively, lists by their items' shapes, scalars by type."""
    if isinstance(value, dict):
        return {k: key_structure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [key_structure(v) for v in value]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string"


def headers_by_name(
    headers: list[tuple[str, Any]] | list[list[Any]], ignore: frozenset[str] = frozenset()
) -> dict[str, list[bytes]]:
    """Header pairs as {lower-cased name: [values in order]} (values as bytes)."""
    out: dict[str, list[bytes]] = {}
    for name, value in headers:
        lowered = str(name).lower()
        if lowered in ignore:
            continue
        decoded = decode_special(value)
        raw = decoded if isinstance(decoded, bytes) else str(decoded).encode("utf-8", "surrogateescape")
        out.setdefault(lowered, []).append(raw)
    return out


def response_headers_match(
    expected: list[list[Any]], actual: list[tuple[str, bytes]], *, proxied: bool
) -> tuple[bool, dict[str, Any]]:
    """Compare a recorded client response's headers with ours: per lower-cased name, ordered values; Date,
    Server and Connection ignored; framing (Transfer-Encoding/Content-Length) ignored for proxied bodies."""
    ignore = VOLATILE_RESPONSE_HEADERS | (FRAMING_HEADERS if proxied else frozenset({"transfer-encoding"}))
    want = headers_by_name(expected, ignore)
    got = headers_by_name(actual, ignore)
    return want == got, {"expected": want, "actual": got}


# Step Data whose value differs between runs (ports, ids, times): compared by type only.
VOLATILE_METHODS = {
    "kong.client.get_port": int,
    "kong.client.get_forwarded_port": int,
    "kong.node.get_id": str,
    "kong.request.get_start_time": (int, float),
    "kong.nginx.req_start_time": (int, float),
}
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def assert_step_data(where: str, method: str, args: list[Any], expected: Any, actual: Any) -> None:
    """Kong's Step Data vs the model's, volatile values compared by type."""
    if expected is MISSING or actual is MISSING:
        assert expected is actual, f"{where}: Data {actual!r} vs recorded {expected!r}"
        return
    if method in VOLATILE_METHODS:
        assert isinstance(actual, VOLATILE_METHODS[method]) and not isinstance(actual, bool), where
        assert isinstance(expected, VOLATILE_METHODS[method]), where
        return
    if method == "kong.nginx.get_var" and args == ["request_id"]:
        assert isinstance(actual, str) and HEX32.match(actual), f"{where}: {actual!r}"
        return
    if method == "kong.log.serialize":
        assert_serialize(where, json.loads(expected), json.loads(actual))
        return
    if method == "kong.response.get_headers" and isinstance(expected, dict) and "date" in expected:
        assert isinstance(actual, dict) and "date" in actual, where
        expected = {k: v for k, v in expected.items() if k != "date"}
        actual = {k: v for k, v in actual.items() if k != "date"}
    assert same_value(expected, actual), f"{where}:\n  model    {actual!r}\n  recorded {expected!r}"


def assert_serialize(where: str, expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """serialize() by key structure, plus the values a plugin relies on. ``tries`` is real Kong's balancer
    record, absent from the recordings' glue."""
    actual = {k: v for k, v in actual.items() if k != "tries"}
    assert key_structure(expected) == key_structure(actual), where
    for key in (
        "upstream_uri",
        "source",
        "workspace",
        "workspace_name",
        "client_ip",
        "route",
        "service",
        "upstream_status",
    ):
        assert expected.get(key) == actual.get(key), f"{where}: serialize {key}"
    for key in ("method", "uri", "url", "querystring", "headers", "size", "id"):
        assert expected["request"][key] == actual["request"][key], f"{where}: serialize request.{key}"
    assert expected["response"]["status"] == actual["response"]["status"], where
    assert expected.get("custom") == actual.get("custom"), where


def log_fragment(line: str) -> str | None:
    """The part of a recorded error.log line the model must also write (None: the runner's or glue's)."""
    if "no data" in line or "ngx.sleep(0)" in line:
        return None  # returned RPC errors are the runner's; ngx.sleep is the glue's
    text = line.split(", client: ", 1)[0]
    text = re.sub(r"table: 0x[0-9a-f]+", "table: 0x", text)
    text = re.sub(r"^\[\w+\] ", "", text)
    text = text.replace("init.lua(harness glue)", "init.lua:406")
    if text.startswith("a client request body is buffered to a temporary file"):
        return "a client request body is buffered to a temporary file"
    return text


__all__ = [
    "VOLATILE_METHODS",
    "WIRE_DIR",
    "Frame",
    "Recording",
    "all_recordings",
    "assert_serialize",
    "assert_step_data",
    "decode_body",
    "decode_headers",
    "decode_special",
    "frame_key",
    "frames_equal",
    "headers_by_name",
    "key_structure",
    "load",
    "log_fragment",
    "parse_size",
    "response_headers_match",
    "same_value",
]
