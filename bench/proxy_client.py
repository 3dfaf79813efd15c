"""The chain bench's HTTP client: one keep-alive HTTP/1.1 connection to the gateway's proxy port.

Why the standard library's ``http.client`` and not httpx: it is the thinnest blocking client there is, so
its own cost per request stays small and the same on every route. Bodies are read with a bound; a streamed
response is timed at its first body byte and at its last.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass

MAX_BODY_BYTES = 16 * 1024 * 1024
FIRST_READ_BYTES = 65536


class ProxyError(RuntimeError):
    """An answer the bench cannot use (too large)."""


@dataclass
class HttpAnswer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class StreamTiming:
    """A streamed answer: status, ns to the first body byte and to the last, and the first bytes read."""

    status: int
    first_byte_ns: int
    last_byte_ns: int
    first: bytes


class ProxyClient:
    """One connection to 127.0.0.1:``port``, reused request after request (reopened if the server closed)."""

    def __init__(self, port: int, timeout_s: float) -> None:
        self.port = port
        self.timeout_s = timeout_s
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)

    def close(self) -> None:
        self.conn.close()

    def send(self, path: str, body: bytes, headers: dict[str, str]) -> http.client.HTTPResponse:
        """POST and return the response once its head is in (the body is still to be read)."""
        try:
            self.conn.request("POST", path, body, headers)
            return self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout_s)
            self.conn.request("POST", path, body, headers)
            return self.conn.getresponse()

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        """POST and read the whole answer."""
        response = self.send(path, body, headers)
        data = response.read(MAX_BODY_BYTES + 1)
        if len(data) > MAX_BODY_BYTES:
            raise ProxyError(f"{path}: response larger than {MAX_BODY_BYTES} bytes")
        return HttpAnswer(response.status, response.headers, data)

    def post_timed_stream(self, path: str, body: bytes, headers: dict[str, str]) -> StreamTiming:
        """POST and time the body: the first bytes that arrive, then the end of the response."""
        started = time.perf_counter_ns()
        response = self.send(path, body, headers)
        first = response.read1(FIRST_READ_BYTES)
        first_at = time.perf_counter_ns()
        rest = response.read(MAX_BODY_BYTES + 1)  # read(), unlike read1(), marks the response complete
        last_at = time.perf_counter_ns()
        if len(first) + len(rest) > MAX_BODY_BYTES:
            raise ProxyError(f"{path}: response larger than {MAX_BODY_BYTES} bytes")
        return StreamTiming(response.status, first_at - started, last_at - started, first)
