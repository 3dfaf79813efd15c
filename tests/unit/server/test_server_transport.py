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
