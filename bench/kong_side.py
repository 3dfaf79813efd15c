"""A minimal synchronous stand-in for Kong's side of the plugin-server protocol, for timing.

Why not ``harness.rpc.RpcClient``: it is asyncio, and an event loop's own cost per call would sit in every
sample and shrink every ratio toward 1. This client does what Kong's cosocket does and nothing more: one
connection, one call at a time (``[0, msgid, "plugin.X", [param]]`` out, ``[1, msgid, err, result]`` back,
msgid checked), and for an event the HandleEvent/Step loop until ``"ret"``. Every read has a timeout and an
event has a bounded number of steps, so a stuck server fails the bench instead of hanging it.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import msgpack

READ_BYTES = 65536
MAX_STEPS_PER_EVENT = 1000
#: Largest frame the client accepts: bench answers are tiny, anything bigger is a broken server.
MAX_FRAME_BYTES = 1024 * 1024


class KongSideError(Exception):
    """The server answered an error, broke the protocol, or went silent."""


class KongConnection:
    """One of Kong's pooled connections to a plugin server (or to the echo floor server)."""

    def __init__(self, socket_path: str | Path, *, timeout: float = 10.0) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        self._sock.connect(str(socket_path))
        self._unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=MAX_FRAME_BYTES)
        self._msgid = 0

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> KongConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, param: Any) -> Any:
        """One request/response; returns the result or raises :class:`KongSideError` with the server's err."""
        self._msgid += 1
        self._sock.sendall(msgpack.packb([0, self._msgid, method, [param]], use_bin_type=True))
        frame = self._read_frame()
        if not isinstance(frame, list) or len(frame) != 4 or frame[0] != 1 or frame[1] != self._msgid:
            raise KongSideError(f"bad response to {method}: {frame!r:.200}")
        if frame[2] is not None:
            raise KongSideError(f"{method}: {frame[2]}")
        return frame[3]

    def _read_frame(self) -> Any:
        while True:
            for frame in self._unpacker:
                if isinstance(frame, list) and frame and frame[0] == 2:
                    continue  # a notification: Kong handles serverPid, the bench has nothing to do
                return frame
            try:
                chunk = self._sock.recv(READ_BYTES)
            except TimeoutError:
                raise KongSideError("no data (read timed out)") from None
            if not chunk:
                raise KongSideError("no data (connection closed)")
            self._unpacker.feed(chunk)

    def start_instance(self, name: str, config: dict[str, Any]) -> int:
        """StartInstance as Kong sends it (Config is a JSON string); returns the instance id."""
        result = self.call("plugin.StartInstance", {"Name": name, "Config": json.dumps(config)})
        return int(result["Id"])

    def run_event(self, instance_id: int, phase: str = "access", answer: Any = "bench") -> int:
        """HandleEvent, then answer every PDK call with ``answer`` until "ret"; returns the round trips."""
        result = self.call("plugin.HandleEvent", {"InstanceId": instance_id, "EventName": phase})
        round_trips = 1
        while True:
            data = result.get("Data") if isinstance(result, dict) else None
            if data == "ret":
                return round_trips
            if not isinstance(data, dict) or "Method" not in data:
                raise KongSideError(f"unexpected event data: {result!r:.200}")
            if round_trips > MAX_STEPS_PER_EVENT:
                raise KongSideError(f"event made more than {MAX_STEPS_PER_EVENT} PDK calls")
            result = self.call("plugin.Step", {"EventId": result["EventId"], "Data": answer})
            round_trips += 1

    def echo(self, param: Any) -> Any:
        """One bare round trip (against the echo server: the floor)."""
        return self.call("plugin.Echo", param)
