"""UnixSocketServer in-process: serving, and never deleting a socket or file that is not its own."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack
import pytest

from kong_plugins.server.dispatch import Dispatcher
from kong_plugins.server.registry import PluginCatalog
from kong_plugins.server.runtime import PluginRuntime
from kong_plugins.server.transport import UnixSocketServer


def new_server(path: Path) -> UnixSocketServer:
    return UnixSocketServer(path, Dispatcher(PluginRuntime(PluginCatalog())))


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[UnixSocketServer, threading.Thread]]:
    server = new_server(tmp_path / "s.sock")
    server.bind()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, thread
    server.stop()
    thread.join(10)
    server.close()


def status_pid(path: Path) -> int:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(5)
        conn.connect(str(path))
        conn.sendall(msgpack.packb([0, 1, "plugin.GetStatus", [None]]))
        unpacker = msgpack.Unpacker(raw=False)
        while True:
            unpacker.feed(conn.recv(65536))
            for frame in unpacker:
                return int(frame[3]["Pid"])


def test_serves_until_stopped_then_removes_its_socket(
    running: tuple[UnixSocketServer, threading.Thread],
) -> None:
    server, thread = running
    path = Path(server.socket_path)
    assert status_pid(path) > 0
    server.stop()
    thread.join(10)
    assert not thread.is_alive()
    server.close()
    assert not path.exists()


def test_a_successor_takes_over_the_path_and_the_old_server_leaves_it_alone(
    running: tuple[UnixSocketServer, threading.Thread],
) -> None:
    old, old_thread = running
    path = Path(old.socket_path)
    successor = new_server(path)
    successor.bind()  # replaces the socket file atomically
    thread = threading.Thread(target=successor.serve_forever, daemon=True)
    thread.start()
    try:
        old.stop()
        old_thread.join(10)  # as the server's main does: close only once serving has returned
        old.close()
        assert path.exists(), "the old server removed its successor's socket"
        assert status_pid(path) > 0
    finally:
        successor.stop()
        thread.join(10)
        successor.close()


def test_a_regular_file_at_the_socket_path_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "important.txt"
    path.write_text("keep me")
    with pytest.raises(OSError, match="is not a socket"):
        new_server(path).bind()
    assert path.read_text() == "keep me"


def test_a_socket_path_too_long_for_unix_sockets_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="longer than"):
        new_server(tmp_path / ("x" * 120)).bind()


class BlockingDispatcher(Dispatcher):
    """Answers every request only once ``release`` is set: a request that takes as long as the test wants."""

    def __init__(self) -> None:
        super().__init__(PluginRuntime(PluginCatalog()))
        self.started = threading.Event()
        self.release = threading.Event()

    def handle(self, frame: Any) -> bytes | None:
        self.started.set()
        assert self.release.wait(10)
        return super().handle(frame)


def test_an_idle_connection_is_closed_but_not_one_whose_request_is_being_answered(tmp_path: Path) -> None:
    path = tmp_path / "idle.sock"
    dispatcher = BlockingDispatcher()
    server = UnixSocketServer(path, dispatcher, idle_timeout=0.3)
    server.bind()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with (
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as busy,
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as idle,
        ):
            busy.settimeout(10)
            busy.connect(str(path))
            busy.sendall(msgpack.packb([0, 7, "plugin.GetStatus", [None]]))
            assert dispatcher.started.wait(10)
            idle.settimeout(10)  # a bound for the test only: the server closes it after 0.3 s
            idle.connect(str(path))
            assert idle.recv(1) == b"", "the idle connection was not closed"
            # The busy connection has been open longer than the idle one, but its request is in progress.
            dispatcher.release.set()
            unpacker = msgpack.Unpacker(raw=False)
            unpacker.feed(busy.recv(65536))
            assert next(iter(unpacker))[:3] == [1, 7, None]
    finally:
        dispatcher.release.set()
        server.stop()
        thread.join(10)
        server.close()


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    pytest.skip("no /proc/self/status")


def _answer(conn: socket.socket, msgid: int, padding: str) -> list[Any]:
    conn.sendall(msgpack.packb([0, msgid, "plugin.GetStatus", [padding]]))
    unpacker = msgpack.Unpacker(raw=False)
    while True:
        unpacker.feed(conn.recv(65536))
        for frame in unpacker:
            return frame


def test_pooled_connections_do_not_each_grow_to_a_megabyte_of_resident_memory(
    running: tuple[UnixSocketServer, threading.Thread],
) -> None:
    """Kong keeps its connections to the plugin server in a keepalive pool. Each connection's decoder used to
    start with msgpack's default 1 MiB buffer and write every page of it over its life (each chunk lands after
    the previous one until the end is reached): 1 MiB resident per pooled connection, 190 MiB of growth in the
    10-minute soak. 40 connections x 400 frames of 3 KB now add a few MiB, not 40; large frames still pass."""
    server, _ = running
    conns = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(40)]
    try:
        for conn in conns:
            conn.settimeout(10)
            conn.connect(str(server.socket_path))
        before = _rss_kib()
        padding = "x" * 3000
        for msgid in range(400):
            for conn in conns:
                assert _answer(conn, msgid, padding)[:3] == [1, msgid, None]
        grown_mib = (_rss_kib() - before) / 1024
        assert grown_mib < 20, f"{grown_mib:.0f} MiB for 40 pooled connections"
        assert _answer(conns[0], 401, "x" * (3 * 1024 * 1024))[:3] == [1, 401, None]  # a 3 MiB frame
    finally:
        for conn in conns:
            conn.close()
