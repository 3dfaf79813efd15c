"""Replays a kong-wire recording end to end: the emulated gateway, a REAL plugin server process, a real
upstream, and the client request as recorded, capturing every frame on the plugin-server sockets.

The recordings were made with real Kong 3.9.1 Lua driving the stock kong-pdk server; replaying them through
the emulator with the same toy plugins must give the same Kong->server frames and the same client response.
Used by tests/conformance/. One Gateway per scenario, on the recording's own ports (the recorded values
contain them: ``kong.request.get_port`` is 18082, the upstream Host is 127.0.0.1:18090).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11

from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from harness.http11 import HttpRequest
from harness.kong_request import MISSING
from harness.recordings import Recording, assert_step_data
from harness.runner import RequestStats
from harness.wire_upstream import WireUpstream

TOY_PLUGINS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "wire_plugins"
"""The toy plugins the recordings were made with (and this repository's extra ones)."""


@dataclass
class TappedFrame:
    dir: str
    server: str
    msg: list[Any]


@dataclass
class ReplayResult:
    frames: list[TappedFrame]
    status: int
    headers: list[tuple[str, bytes]]
    body: bytes
    upstream_received: list[HttpRequest]
    kong_log: list[str]
    log_done: bool

    def requests_to(self, server: str) -> list[TappedFrame]:
        return [f for f in self.frames if f.server == server and f.dir == "kong->server"]


@dataclass
class ServerKind:
    """How to run the toy plugins: under the stock kong-pdk server, or under ours."""

    name: str

    def commands(self, plugin: str, prefix: Path, plugin_dir: Path = TOY_PLUGINS_DIR) -> tuple[str, str]:
        """(start_cmd, query_cmd) serving ``plugin_dir/<plugin>.py`` on ``prefix/<plugin>.sock``."""
        script = plugin_dir / f"{plugin}.py"
        py = shlex.quote(sys.executable)
        if self.name == "stock":
            start = f"{py} {shlex.quote(str(script))} -p {shlex.quote(str(prefix))}"
            return start, f"{py} {shlex.quote(str(script))} --dump"
        ours = f"{py} -m kong_plugins.server.cli"
        directory = shlex.quote(str(plugin_dir))
        start = f"{ours} -p {shlex.quote(str(prefix))} --socket-name {plugin}.sock -d {directory}"
        return start, f"{ours} -d {directory} --dump {plugin}"

    def server_conf(self, plugin: str, prefix: Path, plugin_dir: Path = TOY_PLUGINS_DIR) -> PluginServerConf:
        """The ``pluginserver_names`` entry Kong would be configured with for this plugin."""
        start, query = self.commands(plugin, prefix, plugin_dir)
        return PluginServerConf(plugin, str(prefix / f"{plugin}.sock"), start, query)


STOCK = ServerKind("stock")
OURS = ServerKind("ours")


def _populate(gateway: Gateway, rec: Recording) -> None:
    config = rec.kong_config
    service = dict(config["service"])
    route = dict(config["route"])
    route.setdefault("service", {"id": service["id"]})
    store = gateway.store
    store.put_raw("services", service)
    store.put_raw("routes", route)
    for plugin in rec.plugins:
        entity = {
            "id": plugin["id"],
            "name": plugin["name"],
            "config": plugin["config"],
            "enabled": True,
            "protocols": ["grpc", "grpcs", "http", "https"],
        }
        if not plugin.get("global"):
            entity["route"] = {"id": route["id"]}
        store.put_raw("plugins", entity)


async def _send(port: int, rec: Recording) -> tuple[int, list[tuple[str, bytes]], bytes]:
    """Send the recorded request byte for byte (header order, case, raw values) and read the answer."""
    request = rec.client_request
    target = request["path"] + ("?" + request["query"] if request.get("query") is not None else "")
    return await send_request(port, request["method"], target, rec.client_headers, rec.client_body)


async def send_request(
    port: int,
    method: str,
    target: str,
    headers: list[tuple[str, bytes]],
    body: bytes = b"",
    *,
    max_body: int = 64 << 20,
) -> tuple[int, list[tuple[str, bytes]], bytes]:
    """Send one HTTP/1.1 request exactly as given (header order, case, raw values; the caller frames the
    body with its own Content-Length/Transfer-Encoding) to 127.0.0.1:``port`` and read the whole answer
    (at most ``max_body`` bytes of body, 30 s per read)."""
    head = f"{method} {target} HTTP/1.1\r\n".encode("latin-1")
    for name, value in headers:
        head += name.encode("latin-1") + b": " + value + b"\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + b"\r\n" + body)
    await writer.drain()
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method=method, target=target.encode("latin-1"), headers=[("Host", "x")]))
    conn.send(h11.EndOfMessage())
    status, headers, body = 0, [], bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await asyncio.wait_for(reader.read(65536), 30))
            continue
        if isinstance(event, h11.Response):
            status = event.status_code
            headers = [(n.decode("latin-1"), bytes(v)) for n, v in event.headers.raw_items()]
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > max_body:
                writer.close()
                raise ValueError(f"response body over {max_body} bytes")
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            break
    writer.close()
    return status, headers, bytes(body)


PORTS_LOCK = Path(tempfile.gettempdir()) / "kong-ai-wire-replay-ports.lock"
"""Held while a replay listens on the recordings' fixed ports, so that two test runs on one machine (two
checkouts, two helpers) take turns instead of failing with "address already in use"."""


@contextlib.asynccontextmanager
async def recorded_ports_lock() -> Any:
    with PORTS_LOCK.open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


async def replay(
    rec: Recording, kind: ServerKind, *, rpc_read_timeout: float = 10.0, log_deadline: float = 30.0
) -> ReplayResult:
    """Run one recording's request through the emulator and a real plugin server of ``kind``."""
    async with recorded_ports_lock():
        return await _replay(rec, kind, rpc_read_timeout=rpc_read_timeout, log_deadline=log_deadline)


async def _replay(
    rec: Recording, kind: ServerKind, *, rpc_read_timeout: float, log_deadline: float
) -> ReplayResult:
    with tempfile.TemporaryDirectory(prefix="kong-wire-") as tmp:
        prefix = Path(tmp)
        servers = [kind.server_conf(name, prefix) for name in dict.fromkeys(p["name"] for p in rec.plugins)]
        conf = KongConf(
            prefix=str(prefix),
            plugins=[s.name for s in servers],
            pluginservers=servers,
            client_body_buffer_size=rec.client_body_buffer_size,
            headers=["off"],
        )
        upstream = WireUpstream(port=int(rec.kong_config["service"]["port"]))
        await upstream.start()
        gateway = Gateway(
            conf,
            declarative_path=None,
            path_map=[],
            rpc_read_timeout=rpc_read_timeout,
            pdk_count_header=False,
            echo_log=False,
        )
        gateway.workspace_id = rec.kong_config["workspace_id"]
        gateway.store.workspace_id = gateway.workspace_id
        try:
            await gateway.start(("127.0.0.1", rec.listen_port), ("127.0.0.1", 0))
            frames = tap_frames(gateway, servers)
            _populate(gateway, rec)
            status, headers, body = await _send(rec.listen_port, rec)
            stats = list(gateway.stats.values())[-1]
            await wait_log_done(stats, log_deadline)
            return ReplayResult(
                frames,
                status,
                headers,
                body,
                list(upstream.received),
                list(gateway.log.lines),
                stats.log_done,
            )
        finally:
            with contextlib.suppress(Exception):
                await gateway.stop()
            await upstream.close()


def tap_frames(gateway: Gateway, servers: list[PluginServerConf]) -> list[TappedFrame]:
    """Record every frame on these servers' sockets, in the order they cross (one list for all servers)."""
    frames: list[TappedFrame] = []
    for server in servers:

        def record(direction: str, msg: list[Any], _name: str = server.name) -> None:
            frames.append(TappedFrame(direction, _name, msg))

        gateway.clients[server.socket].on_frame = record
    return frames


async def wait_log_done(stats: RequestStats, deadline: float) -> bool:
    """Poll (the log phase runs after the response, in the background) until it finished or ``deadline``
    seconds passed; whether it finished."""
    until = time.monotonic() + deadline
    while not stats.log_done and time.monotonic() < until:
        await asyncio.sleep(0.02)
    return stats.log_done


def run_replay(rec: Recording, kind: ServerKind, **kwargs: Any) -> ReplayResult:
    return asyncio.run(replay(rec, kind, **kwargs))


def _normalized_request(msg: list[Any]) -> tuple[str, Any]:
    """A Kong->server request without msgid, instance and event ids; StartInstance's Config decoded."""
    method, param = msg[2], msg[3][0] if msg[3] else None
    if method == "plugin.StartInstance":
        config = json.loads(param["Config"])
        config.pop("__seq__", None)  # a counter: its value depends on how many rebuilds came before
        return method, {"Name": param["Name"], "Config": config}
    if method == "plugin.CloseInstance":
        return method, None
    if isinstance(param, dict):
        return method, {k: v for k, v in param.items() if k not in ("InstanceId", "EventId")}
    return method, param


def _serialize_pair(expected: str, actual: str) -> tuple[str, str]:
    """serialize() JSON with our route/service entities cut to the recorded keys (see compare_frames)."""
    want, got = json.loads(expected), json.loads(actual)
    for key in ("route", "service"):
        if isinstance(want.get(key), dict) and isinstance(got.get(key), dict):
            got[key] = {k: v for k, v in got[key].items() if k in want[key]}
    return json.dumps(want), json.dumps(got)


def compare_frames(rec: Recording, result: ReplayResult, server: str) -> list[str]:
    """Every Kong->server request to ``server``, in order, against the recording's; [] when they agree.

    Step Data is compared as recordings.assert_step_data does (volatile values by type). Router entities:
    ours may carry more fields than the recordings' glue router gave (real Kong's DAO rows have them all).
    """
    problems: list[str] = []
    recorded = [f.msg for f in rec.frames_of(server)]
    ours = [f.msg for f in result.frames if f.server == server]
    want = [m for m in recorded if m[0] == 0]
    got: list[list[Any]] = []
    calls: list[dict[str, Any]] = []  # for each of our requests: the PDK call it answers (Steps only)
    last_call: dict[str, Any] = {}
    for message in ours:
        if message[0] == 1 and isinstance(message[3], dict) and isinstance(message[3].get("Data"), dict):
            last_call = message[3]["Data"]
        elif message[0] == 0:
            got.append(message)
            calls.append(last_call)
    for index, (w, g) in enumerate(zip(want, got, strict=False)):
        w_method, w_param = _normalized_request(w)
        g_method, g_param = _normalized_request(g)
        where = f"{rec.name} {server} request #{index} {w_method}"
        if w_method != g_method:
            problems.append(f"{where}: ours is {g_method}")
            break
        if w_method.startswith("plugin.Step"):
            method, args = calls[index].get("Method", ""), calls[index].get("Args") or []
            expected, actual = w_param.get("Data", MISSING), g_param.get("Data", MISSING)
            if method == "kong.log.serialize" and isinstance(expected, str) and isinstance(actual, str):
                expected, actual = _serialize_pair(expected, actual)
            if method in ("kong.router.get_route", "kong.router.get_service") and isinstance(expected, dict):
                actual = (
                    {k: v for k, v in actual.items() if k in expected} if isinstance(actual, dict) else actual
                )
            try:
                assert_step_data(f"{where} ({method})", method, args, expected, actual)
            except AssertionError as exc:
                problems.append(str(exc))
        elif w_param != g_param:
            problems.append(f"{where}: params {g_param!r} != recorded {w_param!r}")
    if len(want) != len(got):
        problems.append(
            f"{rec.name} {server}: {len(got)} requests, recorded {len(want)}: "
            f"ours {[m[2] for m in got]} recorded {[m[2] for m in want]}"
        )
    return problems
