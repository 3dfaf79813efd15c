"""The event loop of ``--runtime green``: one thread, one epoll, every connection and every handler.

Kong's workers keep pooled connections and use each for one call at a time, many in parallel. Here one
epoll loop (``select.epoll`` itself: ``selectors`` costs a few µs per wake-up) accepts them, reads what
arrived, decodes frames with one streaming ``msgpack.Unpacker`` per connection, and answers.
``HandleEvent`` and ``Step`` (the hot path: every PDK call is one) are handled here directly and drive the
event's greenlet (:mod:`kong_plugins.server.green`); the rarer methods go through
:class:`~kong_plugins.server.dispatch.Dispatcher`, which gives the same error strings and trace lines
as the thread runtime.

An answer that cannot be written at once (a large body) is kept and written when the socket is writable;
reading from that connection waits meanwhile (Kong sends nothing before it has its answer anyway).

Deadlines (handler and Kong-answer timeouts, idle connections) are checked by the loop itself: while events
exist, the selector waits at most ``watch_interval``; an idle server has no timer at all. Frames are bounded
by ``max_frame_bytes``; a connection that sends garbage or an oversized frame is closed (there is no msgid
to answer). Binding and removing the socket file: :class:`~kong_plugins.server.transport.UnixSocketServer`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import select
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack

from kong_plugins.server import wire
from kong_plugins.server.dispatch import STEP_METHODS, Dispatcher, ProtocolError, _described, _field, _integer
from kong_plugins.server.green import GreenRuntime, new_eventfd
from kong_plugins.server.runtime import RpcError
from kong_plugins.server.transport import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_LISTEN_QUEUE_SIZE,
    UnixSocketServer,
)

_RECV_BYTES = 256 * 1024
#: A handler holding the loop this long (seconds) is logged, with where it is.
DEFAULT_STALL_WARNING = 5.0
_HANDLE_EVENT = "plugin.HandleEvent"
_STEP_ERROR = "plugin.StepError"
#: Step, its aliases and StepError: the hot path.
_STEPS = frozenset({*(f"plugin.{name}" for name in STEP_METHODS), _STEP_ERROR})
_READ = select.EPOLLIN
_WRITE = select.EPOLLOUT
_READ_OR_HANGUP = select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR

_log = logging.getLogger("kong_plugins.server.loop")


class _Connection:
    """One of Kong's pooled connections: its socket, decoder and unsent bytes."""

    __slots__ = ("closed", "fd", "last_active", "loop", "pending", "sock", "unpacker")

    def __init__(self, sock: socket.socket, loop: EventLoopServer, max_frame_bytes: int, now: float) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        self.loop = loop
        self.unpacker = wire.new_unpacker(max_frame_bytes)
        self.pending = b""  # answer bytes the socket did not take yet
        self.closed = False
        self.last_active = now

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if self.pending:
            self.pending += data
            return
        try:
            sent = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            _log.debug("connection lost while answering: %s", exc)
            self.loop.close_connection(self)
            return
        if sent < len(data):
            self.pending = data[sent:]
            self.loop.want_write(self)


class EventLoopServer(UnixSocketServer):
    """Serves a :class:`GreenRuntime` on a Unix stream socket from one thread until :meth:`stop`."""

    def __init__(
        self,
        socket_path: str | Path,
        runtime: GreenRuntime,
        dispatcher: Dispatcher,
        *,
        listen_queue_size: int = DEFAULT_LISTEN_QUEUE_SIZE,
        max_frame_bytes: int = wire.DEFAULT_MAX_FRAME_BYTES,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        trace: bool = False,
        stall_warning: float = DEFAULT_STALL_WARNING,
    ) -> None:
        super().__init__(
            socket_path,
            dispatcher,
            listen_queue_size=listen_queue_size,
            max_frame_bytes=max_frame_bytes,
            idle_timeout=idle_timeout,
        )
        self._runtime = runtime
        self._trace = trace
        self._poller: Any = None
        #: fd → what to do when it is ready (epoll answers with fds; one dict lookup per wake-up).
        self._ready_handlers: dict[int, Callable[[int], None]] = {}
        self._connections: dict[int, _Connection] = {}
        self._stop_requested = False
        self._event_fd, self._wake, self._drain = new_eventfd()
        self._stall_warning = stall_warning

    # -- running --------------------------------------------------------------------------------------------

    def serve_forever(self) -> None:
        if self._listener is None:
            raise RuntimeError("bind() first")
        runtime = self._runtime
        runtime.attach(self._wake)
        if self._stall_warning > 0:
            threading.Thread(
                target=self._watch_stalls, args=(threading.get_ident(),), name="stall-watch", daemon=True
            ).start()
        self._listener.setblocking(False)
        poller = self._poller = select.epoll()
        handlers = self._ready_handlers
        poller.register(self._listener.fileno(), _READ)
        handlers[self._listener.fileno()] = self._accept_ready
        poller.register(self._event_fd, _READ)
        handlers[self._event_fd] = self._jobs_ready
        watch = runtime.watch_interval
        idle_check = min(30.0, max(0.05, self._idle_timeout / 4))
        monotonic = time.monotonic
        poll = poller.poll
        next_watch = math.inf
        next_idle_check = monotonic() + idle_check
        try:
            while not self._stop_requested:
                if runtime.has_events:
                    if next_watch == math.inf:
                        next_watch = runtime.now + watch
                    timeout = max(0.0, min(next_watch, next_idle_check) - runtime.now)
                else:
                    next_watch = math.inf
                    timeout = max(0.0, next_idle_check - runtime.now)
                ready = poll(timeout)
                runtime.now = now = monotonic()
                for fd, mask in ready:
                    handler = handlers.get(fd)
                    if handler is not None:
                        handler(mask)
                if now >= next_watch:
                    next_watch = now + watch
                    runtime.expire(now)
                if now >= next_idle_check:
                    next_idle_check = now + idle_check
                    self._close_idle(now)
        finally:
            runtime.detach()
            for conn in list(self._connections.values()):
                self.close_connection(conn)
            poller.close()
            self._poller = None
            handlers.clear()

    def _watch_stalls(self, loop_thread: int) -> None:
        """Log (once per stall) a handler that holds the loop longer than ``stall_warning`` seconds.

        Every other event of the process waits meanwhile, and the loop cannot answer Kong for the stalled one:
        the cause is a blocking call outside :func:`kong_plugins.core.blocking.run` or a long computation. The
        log line names the plugin and phase and shows where the handler is, so that it can be fixed.
        """
        runtime = self._runtime
        interval = min(1.0, self._stall_warning / 4)
        seen: tuple[int, str | None] = (-1, None)
        held_since = 0.0
        warned = False
        while not self._stop_requested:
            time.sleep(interval)
            label = runtime.current_label
            now = time.monotonic()
            state = (runtime.drives, label)
            if label is None or state != seen:
                seen, held_since, warned = state, now, False
                continue
            if not warned and now - held_since >= self._stall_warning:
                warned = True
                frame = sys._current_frames().get(loop_thread)
                where = "".join(traceback.format_stack(frame)[-6:]).rstrip() if frame is not None else "?"
                _log.error(
                    "%s has held the event loop for %.1fs: every other event waits (a blocking call outside "
                    "kong_plugins.core.blocking.run?); it is at:\n%s",
                    label,
                    now - held_since,
                    where,
                    extra={"plugin": label},
                )

    def stop(self) -> None:
        """Make :meth:`serve_forever` return. Safe from a signal handler or any thread."""
        self._stop_requested = True
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake()

    def close(self) -> None:
        super().close()
        with contextlib.suppress(OSError):
            os.close(self._event_fd)

    # -- readiness ------------------------------------------------------------------------------------------

    def _accept_ready(self, _mask: int) -> None:
        assert self._listener is not None and self._poller is not None
        while True:
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and friends: keep serving the connections we have
                _log.error("accept failed: %s", exc)
                return
            sock.setblocking(False)
            conn = _Connection(sock, self, self._max_frame_bytes, self._runtime.now)
            self._connections[conn.fd] = conn
            self._ready_handlers[conn.fd] = self._make_reader(conn)
            self._poller.register(conn.fd, _READ)

    def _jobs_ready(self, _mask: int) -> None:
        self._drain()
        self._runtime.resume_finished_jobs()

    def _make_reader(self, conn: _Connection) -> Callable[[int], None]:
        on_frame = self._on_frame
        recv = conn.sock.recv
        unpacker = conn.unpacker

        def ready(mask: int) -> None:
            if mask & _WRITE:
                self._flush(conn)
                if conn.closed or conn.pending or not mask & _READ_OR_HANGUP:
                    return
            try:
                chunk = recv(_RECV_BYTES)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.close_connection(conn)
                return
            if not chunk:
                self.close_connection(conn)
                return
            conn.last_active = self._runtime.now
            try:
                unpacker.feed(chunk)
                for frame in unpacker:
                    on_frame(conn, frame)
                    if conn.closed:
                        return
            except (ValueError, msgpack.UnpackException, ProtocolError) as exc:
                _log.warning("closing a connection that sent an invalid frame: %s", exc)
                self.close_connection(conn)

        return ready

    # -- frames ---------------------------------------------------------------------------------------------

    def _on_frame(self, conn: _Connection, frame: Any) -> None:
        if type(frame) is list and len(frame) == 4 and frame[0] == wire.REQUEST:
            _, msgid, method, params = frame
            if type(msgid) is int and type(params) is list and len(params) == 1 and type(params[0]) is dict:
                if method in _STEPS:
                    self._step(conn, msgid, method, params[0])
                    return
                if method == _HANDLE_EVENT:
                    self._handle_event(conn, msgid, params[0])
                    return
        response = self._dispatcher.handle(frame)
        if response is not None:
            conn.write(response)

    def _handle_event(self, conn: _Connection, msgid: int, param: dict[str, Any]) -> None:
        if self._trace:
            _log.debug("rpc #%d %s %s", msgid, _HANDLE_EVENT, _described([param]))
        try:
            instance_id = _integer(_field(param, "InstanceId", int), "InstanceId")
            phase = _field(param, "EventName", str)
            self._runtime.start_event(instance_id, phase, conn, msgid)
        except RpcError as exc:
            _log.debug("rpc #%d %s error: %s", msgid, _HANDLE_EVENT, exc)
            conn.write(wire.encode_response(msgid, str(exc), None))
        except Exception as exc:
            _log.exception("rpc #%d %s failed", msgid, _HANDLE_EVENT)
            conn.write(wire.encode_response(msgid, _internal_error(exc), None))

    def _step(self, conn: _Connection, msgid: int, method: str, param: dict[str, Any]) -> None:
        if self._trace:
            _log.debug("rpc #%d %s %s", msgid, method, _described([param]))
        event_id = param.get("EventId")
        try:
            if type(event_id) is not int:
                event_id = _integer(_field(param, "EventId", int), "EventId")
            if method == _STEP_ERROR:
                self._runtime.step_event(event_id, None, param.get("Data"), conn, msgid)
            else:
                self._runtime.step_event(event_id, param.get("Data"), None, conn, msgid)
        except RpcError as exc:
            _log.debug("rpc #%d %s error: %s", msgid, method, exc)
            conn.write(wire.encode_response(msgid, str(exc), None))
        except Exception as exc:
            _log.exception("rpc #%d %s failed", msgid, method)
            conn.write(wire.encode_response(msgid, _internal_error(exc), None))

    # -- connections ----------------------------------------------------------------------------------------

    def want_write(self, conn: _Connection) -> None:
        if self._poller is not None and not conn.closed:
            self._poller.modify(conn.fd, _READ | _WRITE)

    def _flush(self, conn: _Connection) -> None:
        try:
            sent = conn.sock.send(conn.pending)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            _log.debug("connection lost while answering: %s", exc)
            self.close_connection(conn)
            return
        conn.pending = conn.pending[sent:]
        if not conn.pending and self._poller is not None:
            self._poller.modify(conn.fd, _READ)

    def close_connection(self, conn: _Connection) -> None:
        if conn.closed:
            return
        conn.closed = True
        self._connections.pop(conn.fd, None)
        self._ready_handlers.pop(conn.fd, None)
        if self._poller is not None:
            with contextlib.suppress(OSError, ValueError):
                self._poller.unregister(conn.fd)
        with contextlib.suppress(OSError):
            conn.sock.close()
        self._runtime.forget_target(conn)

    def _close_idle(self, now: float) -> None:
        for conn in list(self._connections.values()):
            if now - conn.last_active > self._idle_timeout and not conn.pending:
                _log.debug("closing a connection idle for %.0fs", now - conn.last_active)
                self.close_connection(conn)


def _internal_error(exc: Exception) -> str:
    return f"internal plugin server error: {type(exc).__name__}"
