"""One outbound JSON POST with a hard deadline and a bounded answer (core: ai-input-guard's guardrail tier).

Every outbound call of a guard goes through :func:`post_json`, one small blocking function, so that the
plugin server's runtime can later swap it for a cooperative one in one place. It is a plain ``http.client``
request: the socket timeout is re-armed with what is left of the deadline before each step (connect, send)
and before *every* receive on the socket (:class:`_DeadlineSocket`: the status line, each header line, each
chunk-size line and body read), so the whole call never takes much longer than ``timeout_s`` however slowly
the peer trickles its answer (re-arming only between ``http.client``'s own reads would not do: one header
line is many receives, each one byte every second and none timing out), and at most ``max_bytes`` of the
answer are read (a larger one is an error, never buffered).
Nothing here logs: the caller decides what of the URL may appear in a log line (never its headers).
"""

from __future__ import annotations

import http.client
import io
import json
import socket
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from kong_plugins.core import blocking

__all__ = ["HttpAnswer", "HttpFailure", "post_json", "safe_target"]

_READ_CHUNK = 16384


class HttpFailure(Exception):
    """The call failed: ``reason`` is one of ``timeout``, ``unreachable``, ``too_large``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class HttpAnswer:
    """The status and the (bounded) body of an answer."""

    status: int
    body: bytes


def safe_target(url: str) -> str:
    """``scheme://host:port/path`` of ``url`` for logs: no user info, no query (either may hold a key)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def post_json(
    url: str, payload: Any, *, headers: dict[str, str], timeout_s: float, max_bytes: int
) -> HttpAnswer:
    """POST ``payload`` as JSON to ``url``; raise :class:`HttpFailure` on timeout, transport error or an
    answer larger than ``max_bytes``. Any status is returned: the caller decides what a 5xx means.

    Runs through :func:`kong_plugins.core.blocking.run`: a handler waiting for the answer never holds the
    plugin server's event loop."""
    return blocking.run(_post_json, url, payload, headers=headers, timeout_s=timeout_s, max_bytes=max_bytes)


def _post_json(
    url: str, payload: Any, *, headers: dict[str, str], timeout_s: float, max_bytes: int
) -> HttpAnswer:
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    deadline = time.monotonic() + timeout_s
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout_s)
    sent = {"Content-Type": "application/json", "Accept": "application/json", **headers}
    try:
        connection.connect()
        connection.sock = _DeadlineSocket(connection.sock, deadline)  # type: ignore[assignment]
        _arm(connection, deadline)
        connection.request("POST", target, body=body, headers=sent)
        _arm(connection, deadline)
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while True:
            _arm(connection, deadline)
            chunk = response.read1(_READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise HttpFailure("too_large", f"answer larger than {max_bytes} bytes")
            chunks.append(chunk)
        return HttpAnswer(response.status, b"".join(chunks))
    except TimeoutError as exc:
        raise HttpFailure("timeout", f"no answer within {timeout_s:g}s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise HttpFailure("unreachable", type(exc).__name__) from exc
    finally:
        connection.close()


def _arm(connection: http.client.HTTPConnection, deadline: float) -> None:
    """Give the next socket operation only what is left of the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    if connection.sock is not None:
        connection.sock.settimeout(left)


class _DeadlineReader(io.RawIOBase):
    """The answer's bytes, each receive given only what is left of the deadline (``TimeoutError`` after)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """A connected socket whose ``makefile`` (what ``http.client`` reads the answer through) is bounded by
    the call's deadline; everything else is the socket's own."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)
