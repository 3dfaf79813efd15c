"""Kong's MessagePack-RPC client to a plugin server (kong/runloop/plugin_servers/rpc/mp_rpc.lua).

What it copies from Kong:

* every call is ``[0, msgid, "plugin.X", [param]]`` with exactly one parameter, answered by
  ``[1, msgid, err, result]``; notifications ``[2, label, arg]`` may arrive first and are handed to a callback
  (Kong acts on ``serverPid``);
* connections are pooled and reused one call at a time, many in parallel (cosocket keepalive pool);
* msgids count per RPC object (per plugin in Kong 3.9) and Kong checks the answer's id;
* a Lua string is packed as msgpack *str* even when it is not UTF-8 (we keep such bytes as surrogate escapes);
  only raw bodies are *bin* (Python ``bytes``);
* a read that times out, or a connection that closes, is the *returned* error ``"no data"`` (the caller logs
  it   and the request goes on as if the plugin did nothing: Kong fails open here).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from typing import Any

import msgpack

DEFAULT_READ_TIMEOUT = 60.0  # lua_socket_read_timeout / cosocket default


class RpcError(Exception):
    """A returned RPC error: the server's error string, or a transport failure ("no data", ...)."""


def pack(message: Any) -> bytes:
    return msgpack.packb(message, use_bin_type=True, unicode_errors="surrogateescape")


def new_unpacker() -> msgpack.Unpacker:
    return msgpack.Unpacker(raw=False, strict_map_key=False, unicode_errors="surrogateescape")


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.unpacker = new_unpacker()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class RpcClient:
    """Calls ``plugin.*`` methods on one plugin server socket with a keepalive pool."""

    def __init__(
        self,
        socket_path: str,
        *,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        pool_size: int = 256,
        on_notification: Callable[[str, Any], None] | None = None,
        on_frame: Callable[[str, list[Any]], None] | None = None,
    ) -> None:
        self.socket_path = socket_path
        self.read_timeout = read_timeout
        self.pool_size = pool_size
        self.on_notification = on_notification
        self.on_frame = on_frame  # (direction "kong->server" | "server->kong", message) for conformance taps
        self._idle: list[_Connection] = []
        self._msgids: dict[str, itertools.count[int]] = {}

    def _next_msgid(self, counter_key: str) -> int:
        counter = self._msgids.setdefault(counter_key, itertools.count(1))
        return next(counter)

    def skip_msgid(self, counter_key: str = "") -> None:
        """Burn one msgid, as Kong does when it fails while packing a reply it had already numbered."""
        self._next_msgid(counter_key)

    async def _acquire(self) -> _Connection:
        while self._idle:
            conn = self._idle.pop()
            # nginx drops a pooled connection the peer closed while it sat idle (lua-nginx-module
            # ngx_http_lua_socket_keepalive_close_handler), so a restarted server gets a fresh connection.
            if conn.writer.is_closing() or conn.reader.at_eof() or conn.reader.exception() is not None:
                conn.close()
                continue
            return conn
        try:
            reader, writer = await asyncio.open_unix_connection(self.socket_path)
        except (OSError, ValueError) as exc:
            raise RpcError(f"failed to connect to {self.socket_path}: {exc}") from None
        return _Connection(reader, writer)

    def _release(self, conn: _Connection) -> None:
        if len(self._idle) < self.pool_size and not conn.writer.is_closing():
            self._idle.append(conn)
        else:
            conn.close()

    async def call(self, method: str, param: Any, *, counter_key: str = "") -> Any:
        """Send one request and wait for its answer; raises RpcError for returned errors."""
        msgid = self._next_msgid(counter_key)
        message = [0, msgid, method, [param]]
        conn = await self._acquire()
        try:
            if self.on_frame:
                self.on_frame("kong->server", message)
            conn.writer.write(pack(message))
            await conn.writer.drain()
            response = await asyncio.wait_for(self._read_response(conn, msgid), self.read_timeout)
        except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError, EOFError):
            conn.close()
            raise RpcError("no data") from None
        except RpcError:
            conn.close()
            raise
        except BaseException:
            conn.close()
            raise
        self._release(conn)
        _, _, err, result = response
        if err is not None:
            raise RpcError(str(err))
        return result

    async def _read_response(self, conn: _Connection, msgid: int) -> list[Any]:
        while True:
            for message in conn.unpacker:
                if self.on_frame:
                    self.on_frame("server->kong", message)
                if not isinstance(message, list) or not message:
                    raise RpcError("bad message")
                if message[0] == 2:
                    if self.on_notification:
                        self.on_notification(message[1], message[2] if len(message) > 2 else None)
                    continue
                if message[0] != 1 or len(message) != 4 or message[1] != msgid:
                    raise RpcError("bad response")
                return message
            data = await conn.reader.read(65536)
            if not data:
                raise EOFError
            try:
                conn.unpacker.feed(data)
            except msgpack.BufferFull:
                raise RpcError("response too large") from None

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
