"""Protocol scenarios: the emulated gateway with real toy plugin servers, entities built in code, free ports.

Why this exists: each kong-wire recording pins down one request. Behaviours that span requests or entities
(instance reuse and restarts, plugin scoping, priority ties, the log phase running after the response) need
a gateway a test can configure and poke in code. :func:`scenario` starts one, in-process, with:

* one dedicated plugin-server process per :class:`ToyServer` (the stock ``kong-python-pluginserver`` script
  or ours, exactly as :mod:`harness.replay` runs them), every frame on their sockets tapped in order;
* a real upstream (by default :class:`~harness.wire_upstream.WireUpstream`, the recordings' upstream);
* ephemeral ports on 127.0.0.1 and a private prefix directory, so scenarios never collide.

Entities go through the store's DAO logic (defaults, validation against the dumped plugin schemas), as the
Admin API would put them; changing one bumps the plugins iterator version like Kong's rebuild does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from harness.pluginservers import ManagedProcess
from harness.replay import (
    STOCK,
    TOY_PLUGINS_DIR,
    ServerKind,
    TappedFrame,
    send_request,
    tap_frames,
    wait_log_done,
)
from harness.runner import RequestStats
from harness.wire_upstream import WireUpstream

# Extra toy plugins of this repository (kong-pdk dedicated-server scripts like the kong-wire ones).
FIXTURE_PLUGINS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "wire_plugins"
MAX_REPLY_BYTES = 1 << 20  # the toy upstream answers a few hundred bytes; bound what a test reads
DEFAULT_LOG_DEADLINE = 15.0


@dataclass(frozen=True)
class ToyServer:
    """One ``pluginserver_names`` entry serving the toy plugin ``plugin_dir/<plugin>.py``.

    ``managed=False`` configures it without a start command (Kong: "assuming external process management")
    and nothing starts it: its socket does not exist, as for a plugin server that is down.
    """

    plugin: str
    kind: ServerKind = field(default_factory=lambda: STOCK)
    plugin_dir: Path = TOY_PLUGINS_DIR
    managed: bool = True

    def conf(self, prefix: Path) -> PluginServerConf:
        server = self.kind.server_conf(self.plugin, prefix, self.plugin_dir)
        return (
            server if self.managed else PluginServerConf(server.name, server.socket, None, server.query_cmd)
        )


def toy_config(**phases: list[list[Any]]) -> dict[str, str]:
    """A toy plugin's config: per phase, the PDK steps (``[method, args...]`` or ``["raise", msg]``) as the
    JSON string the toy plugins read."""
    return {phase: json.dumps(steps) for phase, steps in phases.items()}


@dataclass
class Reply:
    """What the client received."""

    status: int
    headers: list[tuple[str, bytes]]
    body: bytes

    def header_values(self, name: str) -> list[bytes]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def header(self, name: str) -> bytes | None:
        values = self.header_values(name)
        return values[0] if values else None

    @property
    def request_id(self) -> str:
        """Kong's request id (X-Kong-Request-Id), the key of the gateway's per-request stats."""
        value = self.header("X-Kong-Request-Id")
        assert value is not None, f"no X-Kong-Request-Id in {self.headers}"
        return value.decode()


@dataclass
class Scenario:
    """A started gateway and what a test needs to drive and observe it."""

    gateway: Gateway
    upstream: WireUpstream
    prefix: Path
    servers: list[PluginServerConf]
    frames: list[TappedFrame] = field(default_factory=list)

    # ------------------------------------------------------------------------------------------ entities
    @property
    def proxy_port(self) -> int:
        assert self.gateway.proxy is not None
        return self.gateway.proxy.port

    def _insert(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        assert self.gateway.admin_api is not None
        return self.gateway.store.insert(kind, data, plugins=self.gateway.admin_api.plugins)

    def service(self, name: str | None = None, **fields: Any) -> dict[str, Any]:
        """A Service pointing at the scenario's upstream (unless ``fields`` say otherwise)."""
        data = {
            "name": name or f"svc-{uuid.uuid4().hex[:8]}",
            "host": "127.0.0.1",
            "port": self.upstream.port,
        }
        return self._insert("services", {**data, **fields})

    def route(self, service: dict[str, Any] | None, paths: Sequence[str], **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"name": f"route-{uuid.uuid4().hex[:8]}", "paths": list(paths)}
        if service is not None:
            data["service"] = {"id": service["id"]}
        return self._insert("routes", {**data, **fields})

    def consumer(self, username: str) -> dict[str, Any]:
        return self._insert("consumers", {"username": username})

    def key_credential(self, consumer: dict[str, Any], key: str) -> dict[str, Any]:
        """A key-auth credential (the emulated bundled key-auth looks keys up in the store)."""
        return self._insert("keyauth_credentials", {"consumer": {"id": consumer["id"]}, "key": key})

    def plugin(
        self,
        name: str,
        config: dict[str, Any] | None = None,
        *,
        route: dict[str, Any] | None = None,
        service: dict[str, Any] | None = None,
        consumer: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A plugin entity; global when no route, service or consumer is given."""
        data: dict[str, Any] = {"name": name, "config": config or {}}
        for scope, entity in (("route", route), ("service", service), ("consumer", consumer)):
            if entity is not None:
                data[scope] = {"id": entity["id"]}
        return self._insert("plugins", data)

    def update_plugin_config(self, plugin: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        """PATCH the plugin's config (Kong rebuilds the plugins iterator: configs get a new ``__seq__``)."""
        assert self.gateway.admin_api is not None
        return self.gateway.store.update(
            "plugins", plugin["id"], {"config": config}, plugins=self.gateway.admin_api.plugins
        )

    # ------------------------------------------------------------------------------------------ traffic
    async def request(
        self,
        path: str,
        *,
        method: str = "GET",
        headers: Sequence[tuple[str, str | bytes]] = (),
        body: bytes = b"",
    ) -> Reply:
        """One HTTP/1.1 request to the proxy (``Host: localhost`` and a Content-Length for a body added)."""
        lines: list[tuple[str, bytes]] = [("Host", b"localhost")]
        lines += [(n, v.encode("latin-1") if isinstance(v, str) else v) for n, v in headers]
        if body:
            lines.append(("Content-Length", str(len(body)).encode()))
        status, reply_headers, reply_body = await send_request(
            self.proxy_port, method, path, lines, body, max_body=MAX_REPLY_BYTES
        )
        return Reply(status, reply_headers, reply_body)

    async def logged(self, reply: Reply, deadline: float = DEFAULT_LOG_DEADLINE) -> RequestStats:
        """The request's stats once its log phase (which runs after the response) has finished."""
        stats = self.gateway.stats[reply.request_id]
        assert await wait_log_done(stats, deadline), f"log phase of {reply.request_id} did not finish"
        return stats

    # ------------------------------------------------------------------------------------------ observation
    def sent(self, server: str | None = None, method: str | None = None) -> list[list[Any]]:
        """Kong->server requests (``[0, msgid, method, [param]]``), in order, optionally filtered."""
        return [
            f.msg
            for f in self.frames
            if f.dir == "kong->server"
            and (server is None or f.server == server)
            and (method is None or f.msg[2] == method)
        ]

    def answer_to(self, server: str, request: list[Any]) -> list[Any]:
        """The server's response (``[1, msgid, err, result]``) to one request returned by :meth:`sent`."""
        frames = [f for f in self.frames if f.server == server]
        start = next(i for i, f in enumerate(frames) if f.msg is request)
        return next(f.msg for f in frames[start + 1 :] if f.dir == "server->kong" and f.msg[1] == request[1])

    def answered(self, server: str | None = None) -> list[list[Any]]:
        """Server->Kong responses (``[1, msgid, err, result]``), in order."""
        return [
            f.msg for f in self.frames if f.dir == "server->kong" and (server is None or f.server == server)
        ]

    def pdk_calls(self, server: str) -> list[dict[str, Any]]:
        """Every ``{Method, Args}`` the server asked Kong to run, in order."""
        return [
            msg[3]["Data"]
            for msg in self.answered(server)
            if msg[0] == 1 and isinstance(msg[3], dict) and isinstance(msg[3].get("Data"), dict)
        ]

    def step_answer(self, server: str, pdk_method: str, nth: int = 0) -> dict[str, Any]:
        """The Step param Kong sent back for the ``nth`` call of ``pdk_method`` (``Data`` absent for nil)."""
        seen = 0
        last_call: dict[str, Any] | None = None
        for frame in self.frames:
            if frame.server != server:
                continue
            msg = frame.msg
            if frame.dir == "server->kong" and msg[0] == 1 and isinstance(msg[3], dict):
                data = msg[3].get("Data")
                last_call = data if isinstance(data, dict) else None
            elif frame.dir == "kong->server" and str(msg[2]).startswith("plugin.Step") and last_call:
                if last_call.get("Method") == pdk_method:
                    if seen == nth:
                        return msg[3][0]
                    seen += 1
                last_call = None
        raise AssertionError(f"{server} never got an answer to {pdk_method} #{nth}")

    def events(self, server: str | None = None) -> list[tuple[str, str]]:
        """(server, EventName) of every HandleEvent, in the order Kong sent them."""
        return [
            (f.server, f.msg[3][0]["EventName"])
            for f in self.frames
            if f.dir == "kong->server" and f.msg[2] == "plugin.HandleEvent" and (server in (None, f.server))
        ]

    def log_lines(self, fragment: str, level: str | None = None) -> list[str]:
        """Kong error.log lines containing ``fragment`` (and ``[level]`` if given)."""
        return [
            line
            for line in self.gateway.log.lines
            if fragment in line and (level is None or f"[{level}]" in line)
        ]

    def process(self, server: str) -> ManagedProcess:
        return next(p for p in self.gateway.processes if p.conf.name == server)


async def poll_until(condition: Callable[[], bool], what: str, deadline: float = 10.0) -> float:
    """Wait until ``condition()`` holds, checking every 10 ms (no fixed sleeps); the monotonic time at which
    it was seen to hold. Fails the test after ``deadline`` seconds."""
    until = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < until, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)
    return time.monotonic()


@contextlib.asynccontextmanager
async def scenario(
    servers: Sequence[ToyServer | str],
    *,
    kong_version: tuple[int, int] = (3, 9),
    plugins: Sequence[str] | None = None,
    rpc_read_timeout: float = 10.0,
    upstream: WireUpstream | None = None,
) -> AsyncIterator[Scenario]:
    """Start a gateway whose ``pluginserver_names`` are ``servers`` (a bare name = the stock server of that
    kong-wire toy plugin). ``plugins`` is Kong's ``plugins`` setting (default: ``bundled`` plus every
    server's name, which is its plugin's name for a dedicated server); a name nobody serves stops the start,
    as in Kong. Everything is stopped, and the prefix removed, on exit."""
    toys = [s if isinstance(s, ToyServer) else ToyServer(s) for s in servers]
    with tempfile.TemporaryDirectory(prefix="kong-scenario-") as tmp:
        prefix = Path(tmp)
        confs = [toy.conf(prefix) for toy in toys]
        conf = KongConf(
            prefix=str(prefix),
            plugins=list(plugins) if plugins is not None else ["bundled", *(c.name for c in confs)],
            pluginservers=confs,
        )
        upstream = upstream or WireUpstream()
        await upstream.start()
        gateway = Gateway(
            conf,
            declarative_path=None,
            path_map=[],
            kong_version=kong_version,
            rpc_read_timeout=rpc_read_timeout,
            pdk_count_header=False,
            echo_log=False,
        )
        try:
            await gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0))
            frames = tap_frames(gateway, confs)
            yield Scenario(gateway, upstream, prefix, confs, frames)
        finally:
            with contextlib.suppress(Exception):
                await gateway.stop()
            await upstream.close()
