"""The floor: a Python server that answers every msgpack-RPC request with its own parameter, at once.

Why: a plugin server's time per round trip is the socket + msgpack + Python cost that no server can avoid,
plus the server's own work. Timing this echo with the same client, in the same run, gives the first part,
so a bench can say how many "bare round trips" an event costs. It is built like a plugin server (a Unix
stream socket, a thread per connection, a streaming unpacker) so that the floor is a fair one.

Run: ``python bench/msgpack_echo_server.py SOCKET_PATH``; stops on SIGTERM/SIGINT and removes its socket.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from typing import Any

import msgpack

READ_BYTES = 65536
MAX_FRAME_BYTES = 1024 * 1024
ACCEPT_POLL_S = 0.2


def serve_connection(conn: socket.socket) -> None:
    """Answer ``[0, msgid, method, [param]]`` with ``[1, msgid, None, param]`` until the peer closes."""
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=MAX_FRAME_BYTES)
    with conn:
        while True:
            try:
                chunk = conn.recv(READ_BYTES)
            except OSError:
                return
            if not chunk:
                return
            try:
                unpacker.feed(chunk)
                for frame in unpacker:
                    conn.sendall(_answer(frame))
            except (msgpack.UnpackException, ValueError, OSError):
                return  # garbage or a vanished peer: drop the connection, as a plugin server does


def _answer(frame: Any) -> bytes:
    if not isinstance(frame, list) or len(frame) != 4 or frame[0] != 0:
        raise ValueError("not a request")
    params = frame[3]
    param = params[0] if isinstance(params, list) and params else None
    return msgpack.packb([1, frame[1], None, param], use_bin_type=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: msgpack_echo_server.py SOCKET_PATH", file=sys.stderr)
        return 2
    path = argv[0]
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)
    listener.settimeout(ACCEPT_POLL_S)  # so that a stop request is seen within this time
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            threading.Thread(target=serve_connection, args=(conn,), daemon=True).start()
    finally:
        listener.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
