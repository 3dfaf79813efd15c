"""Exact bytes to the gateway's proxy port: header blocks an HTTP client library refuses to write (obs-fold,
bare CR, bare LF, raw obs-text, repeated framing headers), so the tests see what reaches Kong and what the
gateway answers."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import h11

TIMEOUT_S = 60
"""Generous: only a gateway that hangs makes it expire."""


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def send_raw(proxy_url: str, head: bytes, body: bytes = b"") -> RawResponse | None:
    """Send ``head`` (request line and header lines, each ending in CRLF unless the test says otherwise,
    without the final blank line) and ``body``; the answer, or None when the gateway closed the connection
    without one (an HTTP-level refusal of a malformed request)."""
    parts = urlsplit(proxy_url)
    with socket.create_connection(
        (parts.hostname or "127.0.0.1", parts.port or 80), timeout=TIMEOUT_S
    ) as sock:
        sock.sendall(head + b"\r\n" + body)
        conn = h11.Connection(h11.CLIENT)
        conn.send(
            h11.Request(method="GET", target="/", headers=[("Host", "x")])
        )  # client state: request sent
        conn.send(h11.EndOfMessage())
        status, headers, chunks = 0, [], []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = sock.recv(65536)
                conn.receive_data(data)
                if not data and status == 0:
                    return None
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
                headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers]
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return RawResponse(status, headers, b"".join(chunks))


def request_head(path: str, headers: list[tuple[bytes, bytes]], *, length: int | None) -> bytes:
    lines = [b"POST " + path.encode() + b" HTTP/1.1", b"Host: gateway", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if length is not None:
        lines.append(b"Content-Length: " + str(length).encode())
    return b"".join(line + b"\r\n" for line in lines)
