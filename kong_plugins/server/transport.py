"""The Unix stream socket Kong connects to: accept loop, one thread per connection, msgpack framing.

Kong's workers keep connections in a keepalive pool and reuse each one for one call at a time, with many
connections in parallel; so a connection is served by one thread that reads a request, dispatches it (which
may wait for a plugin handler) and writes the response. Frames are bounded by ``max_frame_bytes``; a
connection that sends garbage or an oversized frame is closed (there is no msgid to answer).

A connection idle for ``idle_timeout`` (waiting for a frame, not while its request is being answered) is
shut down by one reaper thread rather than by a timeout on every ``recv``: under ``-g`` each timed ``recv``
starts and stops a gevent timer, a cost paid on every PDK round trip.

Binding replaces the socket file atomically (bind a temporary name, then ``rename``), so Kong never sees the
path missing while a new server takes over from an old one (``kong reload``). On shutdown the file is removed
only if it is still ours, so an old server stopping late cannot delete its successor's socket.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import selectors
import socket
import stat
import threading
import time
from pathlib import Path

import msgpack

from kong_plugins.server import wire
from kong_plugins.server.dispatch import Dispatcher, ProtocolError

DEFAULT_SOCKET_NAME = "kong-ai.sock"
DEFAULT_LISTEN_QUEUE_SIZE = 4096
#: A pooled connection idle this long is closed (Kong's own keepalive timeout is 60 s, so this only reaps
#: connections whose peer vanished).
DEFAULT_IDLE_TIMEOUT = 300.0
_MAX_UNIX_PATH = 107
_RECV_BYTES = 256 * 1024

_log = logging.getLogger("kong_plugins.server.transport")


class UnixSocketServer:
    """Serves :class:`Dispatcher` on a Unix stream socket until :meth:`stop`."""

    def __init__(
        self,
        socket_path: str | Path,
        dispatcher: Dispatcher,
        *,
        listen_queue_size: int = DEFAULT_LISTEN_QUEUE_SIZE,
        max_frame_bytes: int = wire.DEFAULT_MAX_FRAME_BYTES,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.socket_path = str(socket_path)
        self._dispatcher = dispatcher
        self._listen_queue_size = listen_queue_size
        self._max_frame_bytes = max_frame_bytes
        self._idle_timeout = idle_timeout
        self._listener: socket.socket | None = None
        self._identity: tuple[int, int] | None = None
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._wake_fds: tuple[int, ...] = (self._wake_r, self._wake_w)
        os.set_blocking(self._wake_w, False)
        # Each open connection → since when it has been waiting for a frame (inf while a request is answered).
        # Written by its own thread, read by the reaper through a copy (dict copies are atomic in CPython).
        self._waiting_since: dict[socket.socket, float] = {}

    def bind(self) -> None:
        """Create the listening socket at :attr:`socket_path`, replacing a stale one."""
        if len(os.fsencode(self.socket_path)) > _MAX_UNIX_PATH:
            raise OSError(f"socket path {self.socket_path} is longer than {_MAX_UNIX_PATH} bytes")
        _refuse_non_socket(self.socket_path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        directory, name = os.path.split(self.socket_path)
        temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
        try:
            if len(os.fsencode(temporary)) <= _MAX_UNIX_PATH:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
                listener.bind(temporary)
                listener.listen(self._listen_queue_size)
                os.replace(temporary, self.socket_path)
            else:  # no room for a temporary name: remove, then bind (a short window without a socket)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.socket_path)
                listener.bind(self.socket_path)
                listener.listen(self._listen_queue_size)
        except OSError:
            listener.close()
            raise
        info = os.stat(self.socket_path)
        self._identity = (info.st_dev, info.st_ino)
        self._listener = listener

    def serve_forever(self) -> None:
        """Accept connections until :meth:`stop`; each connection gets a daemon thread."""
        if self._listener is None:
            raise RuntimeError("bind() first")
        self._listener.setblocking(False)
        threading.Thread(target=self._reap_idle_connections, name="idle-reaper", daemon=True).start()
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._listener:
                        self._accept_ready()

    def _accept_ready(self) -> None:
        assert self._listener is not None
        while True:
            try:
                connection, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and friends: keep serving the connections we have
                _log.error("accept failed: %s", exc)
                return
            connection.setblocking(True)
            threading.Thread(target=self._serve_connection, args=(connection,), daemon=True).start()

    def _serve_connection(self, connection: socket.socket) -> None:
        with connection:
            try:
                self._serve_frames(connection)
            finally:
                self._waiting_since.pop(connection, None)

    def _serve_frames(self, connection: socket.socket) -> None:
        unpacker = wire.new_unpacker(self._max_frame_bytes)
        waiting_since = self._waiting_since
        while not self._stopping.is_set():
            waiting_since[connection] = time.monotonic()
            try:
                chunk = connection.recv(_RECV_BYTES)
            except OSError:
                return
            if not chunk:
                return
            waiting_since[connection] = math.inf
            try:
                unpacker.feed(chunk)
                for frame in unpacker:
                    response = self._dispatcher.handle(frame)
                    if response is not None:
                        connection.sendall(response)
            except (ValueError, msgpack.UnpackException, ProtocolError) as exc:
                _log.warning("closing a connection that sent an invalid frame: %s", exc)
                return
            except OSError as exc:
                _log.debug("connection lost while answering: %s", exc)
                return

    def _reap_idle_connections(self) -> None:
        """Shut down connections waiting for a frame longer than ``idle_timeout``, until :meth:`stop`."""
        interval = min(30.0, max(0.05, self._idle_timeout / 4))
        while not self._stopping.wait(interval):
            now = time.monotonic()
            for connection, since in dict(self._waiting_since).items():
                if now - since > self._idle_timeout:
                    _log.debug("closing a connection idle for %.0fs", now - since)
                    with contextlib.suppress(OSError):  # already closed by its own thread
                        connection.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Make :meth:`serve_forever` return. Safe from a signal handler or any thread."""
        self._stopping.set()
        if self._wake_fds:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")

    def close(self) -> None:
        """Close the listener and remove the socket file if it is still the one we created."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._identity is not None:
            with contextlib.suppress(FileNotFoundError):
                info = os.stat(self.socket_path)
                if (info.st_dev, info.st_ino) == self._identity:
                    os.unlink(self.socket_path)
            self._identity = None
        wake_fds, self._wake_fds = self._wake_fds, ()
        for fd in wake_fds:  # once only: a closed descriptor number may be reused by anything
            with contextlib.suppress(OSError):
                os.close(fd)


def _refuse_non_socket(path: str) -> None:
    """Never replace a regular file or directory that happens to sit where the socket should go."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise OSError(f"{path} exists and is not a socket; not replacing it")
