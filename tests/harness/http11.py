"""HTTP/1.1 on asyncio with h11, for the emulated gateway's listeners and its upstream calls.

We speak HTTP ourselves (instead of using a framework) to keep what nginx keeps: header order, repeated
headers, header-name case and raw (possibly non-UTF-8) header bytes, on the way in and on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

import h11

MAX_REQUEST_BODY = 64 * 1024 * 1024  # a sane bound for a test gateway (nginx: client_max_body_size)
READ_CHUNK = 65536

Headers = list[tuple[str, bytes]]


@dataclass
class HttpRequest:
    method: str
    target: str  # request target as sent: path[?query]
    headers: Headers
    body: bytes
    client_ip: str
    client_port: int
    server_port: int
    http_version: str = "1.1"


@dataclass
class HttpResponse:
    status: int
    headers: Headers
    body: bytes | AsyncIterator[bytes] = b""
    on_sent: Callable[[], Awaitable[None]] | None = None  # e.g. Kong's log phase, after the response is out
    reason: bytes = b""


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


@dataclass
class ConnectionStats:
    """nginx's stub_status counters, which Kong's ``GET /status`` reports as ``server`` (api/routes/health.lua
    via ``kong.nginx.get_statistics()``): shared by every listener of the gateway, as nginx's are.

    As in nginx (ngx_http_request.c), a request is counted and its connection is *reading* from the first
    byte of the request until its header is in, then *writing* (body, handling, response) until the response
    is out; otherwise the connection is *waiting* (an idle keep-alive connection)."""

    accepted: int = 0
    handled: int = 0
    active: int = 0
    reading: int = 0
    writing: int = 0
    total_requests: int = 0

    def as_kong(self) -> dict[str, int]:
        return {
            "connections_accepted": self.accepted,
            "connections_active": self.active,
            "connections_handled": self.handled,
            "connections_reading": self.reading,
            "connections_waiting": self.active - self.reading - self.writing,
            "connections_writing": self.writing,
            "total_requests": self.total_requests,
        }


def _reason_phrase(status: int) -> bytes:
    try:
        return HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""


def _status_may_have_body(status: int, method: str) -> bool:
    return not (method == "HEAD" or status in (204, 304) or 100 <= status < 200)


def http_date(timestamp: float | None = None) -> bytes:
    """``Date`` as nginx writes it (``ngx_http_time``): ``Mon, 07 Dec 2026 09:20:00 GMT``."""
    return email.utils.formatdate(timestamp, usegmt=True).encode("ascii")


def _framed_headers(response: HttpResponse, method: str) -> Headers:
    """Drop framing headers we cannot honour and choose our own, as nginx re-frames a proxied response.

    nginx's header filter also writes ``Date`` whenever the response has none (``headers_out.date`` unset):
    Kong's ``proxy_pass_header Date`` passes the upstream's, and every answer Kong or nginx makes itself
    (``kong.response.exit``/``error``, error pages, the router's 404, the Admin API) gets the current time.
    """
    headers = [(n, v) for n, v in response.headers if n.lower() not in ("connection", "keep-alive")]
    if not any(n.lower() == "date" for n, _ in headers):
        headers.insert(0, ("Date", http_date()))
    if not _status_may_have_body(response.status, method):
        return [(n, v) for n, v in headers if n.lower() not in ("transfer-encoding",)]
    if isinstance(response.body, bytes | bytearray):
        headers = [(n, v) for n, v in headers if n.lower() not in ("content-length", "transfer-encoding")]
        headers.append(("Content-Length", str(len(response.body)).encode()))
        return headers
    if not any(n.lower() in ("content-length", "transfer-encoding") for n, _ in headers):
        headers.append(("Transfer-Encoding", b"chunked"))
    return headers


class HttpServer:
    """A tiny keep-alive HTTP/1.1 server calling ``handler`` for every request."""

    def __init__(self, handler: Handler, host: str, port: int, stats: ConnectionStats | None = None) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.stats = stats or ConnectionStats()
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, self.host, self.port, limit=READ_CHUNK)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        stats = self.stats
        stats.accepted += 1
        stats.handled += 1
        stats.active += 1
        state = [""]  # "", "reading" or "writing": this connection's share of the counters

        def enter(new: str) -> None:
            if state[0]:
                setattr(stats, state[0], getattr(stats, state[0]) - 1)
            if new:
                setattr(stats, new, getattr(stats, new) + 1)
            state[0] = new

        try:
            while True:
                request = await self._read_request(conn, reader, peer, enter)
                if request is None:
                    return
                try:
                    response = await self.handler(request)
                except Exception:  # the emulator must never drop a client silently
                    import traceback

                    traceback.print_exc()
                    response = HttpResponse(500, [("Content-Type", b"text/plain")], b"emulator error\n")
                try:
                    await self._write_response(conn, writer, request.method, response)
                except (ConnectionError, h11.ProtocolError, UpstreamError):
                    # The client left, or the upstream broke a streamed body off: nginx still runs the log
                    # phase of the request (Kong's log handlers see it), and the connection is closed.
                    self._after(response)
                    return
                enter("")
                self._after(response)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    return
                try:
                    conn.start_next_cycle()
                except h11.LocalProtocolError:
                    return
        except (ConnectionError, h11.ProtocolError, asyncio.IncompleteReadError):
            return
        finally:
            enter("")
            stats.active -= 1
            with contextlib.suppress(Exception):
                writer.close()

    def _after(self, response: HttpResponse) -> None:
        """Runs the response's ``on_sent`` (Kong's log phase) in a task of its own."""
        if response.on_sent is not None:
            task = asyncio.create_task(response.on_sent())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _read_request(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        peer: tuple[str, int],
        enter: Callable[[str], None] = lambda state: None,
    ) -> HttpRequest | None:
        head: h11.Request | None = None
        body = bytearray()
        started = False
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(READ_CHUNK)
                if data and not started:
                    started = True
                    self.stats.total_requests += 1
                    enter("reading")
                conn.receive_data(data)
                if not data and conn.their_state is h11.IDLE:
                    return None
                continue
            if isinstance(event, h11.ConnectionClosed):
                return None
            if isinstance(event, h11.Request):
                head = event
                enter("writing")
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_REQUEST_BODY:
                    raise h11.RemoteProtocolError("request body too large")
            elif isinstance(event, h11.EndOfMessage):
                assert head is not None
                headers = [(name.decode("latin-1"), bytes(value)) for name, value in head.headers.raw_items()]
                sockname_port = self.port
                return HttpRequest(
                    method=head.method.decode("ascii"),
                    target=head.target.decode("latin-1"),
                    headers=headers,
                    body=bytes(body),
                    client_ip=peer[0],
                    client_port=peer[1],
                    server_port=sockname_port,
                    http_version=head.http_version.decode("ascii"),
                )

    async def _write_response(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, method: str, response: HttpResponse
    ) -> None:
        headers = _framed_headers(response, method)
        # nginx writes a value as it is: Kong's set_headers (normalize_multi_header) makes an empty upstream
        # value " ", sent as "X-Foo:  ", which every client reads as empty. h11 refuses whitespace around a
        # value, so it is sent without it: the same header on the client's side.
        h11_headers = [(n.encode("latin-1"), bytes(v).strip(b" \t")) for n, v in headers]
        writer.write(
            conn.send(
                h11.Response(
                    status_code=response.status,
                    headers=h11_headers,
                    reason=response.reason or _reason_phrase(response.status),
                )
            )
        )
        if _status_may_have_body(response.status, method):
            if isinstance(response.body, bytes | bytearray):
                if response.body:
                    writer.write(conn.send(h11.Data(data=bytes(response.body))))
            else:
                async for chunk in response.body:
                    if chunk:
                        writer.write(conn.send(h11.Data(data=chunk)))
                        await writer.drain()
        elif not isinstance(response.body, bytes | bytearray):
            async for _ in response.body:
                pass
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()


# ------------------------------------------------------------------------------------------ upstream client


class UpstreamError(Exception):
    """The upstream could not be reached or answered badly; ``kind`` is "connect", "timeout" or "protocol"."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass
class UpstreamResponse:
    status: int
    headers: Headers
    body_iter: AsyncIterator[bytes]
    chunked: bool = False
    _parts: list[bytes] = field(default_factory=list)

    async def read_all(self) -> bytes:
        return b"".join([chunk async for chunk in self.body_iter])


async def upstream_call(
    host: str,
    port: int,
    method: str,
    target: str,
    headers: Headers,
    body: bytes,
    *,
    connect_timeout: float = 60.0,
    read_timeout: float = 60.0,
) -> UpstreamResponse:
    """One HTTP/1.1 request to the upstream (a fresh connection: simple and faithful enough for tests)."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, limit=READ_CHUNK), connect_timeout
        )
    except TimeoutError:
        raise UpstreamError("timeout", f"connect to {host}:{port} timed out") from None
    except OSError as exc:
        raise UpstreamError("connect", f"connect to {host}:{port} failed: {exc}") from None
    conn = h11.Connection(h11.CLIENT)
    try:
        h11_headers = [(n.encode("latin-1"), v) for n, v in headers]
        writer.write(
            conn.send(h11.Request(method=method, target=target.encode("latin-1"), headers=h11_headers))
        )
        if body:
            writer.write(conn.send(h11.Data(data=body)))
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await asyncio.wait_for(reader.read(READ_CHUNK), read_timeout)
                conn.receive_data(data)
                continue
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                break
            raise UpstreamError("protocol", f"unexpected {event!r}")
    except TimeoutError:
        writer.close()
        raise UpstreamError("timeout", "upstream read timed out") from None
    except (OSError, h11.ProtocolError) as exc:
        writer.close()
        raise UpstreamError("protocol", str(exc)) from None

    resp_headers = [(n.decode("latin-1"), bytes(v)) for n, v in event.headers.raw_items()]
    chunked = any(n.lower() == "transfer-encoding" and b"chunked" in v.lower() for n, v in resp_headers)

    async def body_iter() -> AsyncIterator[bytes]:
        try:
            while True:
                ev = conn.next_event()
                if ev is h11.NEED_DATA:
                    data = await asyncio.wait_for(reader.read(READ_CHUNK), read_timeout)
                    conn.receive_data(data)
                    continue
                if isinstance(ev, h11.Data):
                    yield bytes(ev.data)
                elif isinstance(ev, h11.EndOfMessage | h11.ConnectionClosed):
                    return
                else:
                    return
        except (TimeoutError, OSError, h11.ProtocolError) as exc:
            raise UpstreamError("protocol", f"upstream body: {exc}") from None
        finally:
            writer.close()

    return UpstreamResponse(event.status_code, resp_headers, body_iter(), chunked)
