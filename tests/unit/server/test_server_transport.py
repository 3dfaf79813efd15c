"""UnixSocketServer in-process: serving, and never deleting a socket or file that is not its own."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

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
    old, _ = running
    path = Path(old.socket_path)
    successor = new_server(path)
    successor.bind()  # replaces the socket file atomically
    thread = threading.Thread(target=successor.serve_forever, daemon=True)
    thread.start()
    try:
        old.stop()
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
