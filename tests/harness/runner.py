"""The plugin runner: Kong's request lifecycle around external (and emulated Lua) plugins.

Mirrors kong/init.lua, kong/runloop/plugins_iterator.lua and kong/runloop/plugin_servers/plugin.lua (3.9):

* plugins run by descending priority, ties by name descending, Lua and external plugins in one list;
* ``rewrite`` runs for global plugin configs only; ``access`` for the one config per plugin name that the
  request matches (the consumer known when the iterator reaches the plugin decides consumer scopes);
* a plugin with a ``response`` handler in the collected set makes Kong buffer the whole upstream response;
* ``kong.response.exit`` in access ends the access loop (later access handlers are skipped, the upstream is
  not called), in rewrite/response it answers at once; a thrown PDK error answers 500 the way Kong does;
* a *returned* RPC error (timeout, closed connection, error string) is logged and the request goes on as if
  the plugin did nothing (Kong fails open), except "no plugin instance", which drops the cached instances
  and retries the whole event;
* instances are keyed by plugin id and reused while ``__seq__`` is unchanged;
* ``log`` runs after the response has been sent, from a snapshot, one concurrent task per plugin.

It also counts the PDK round trips of every plugin in every phase, for tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from harness.kong_request import MISSING, KongRequest, PluginRef
from harness.pluginservers import ExternalPlugin
from harness.rpc import RpcClient, RpcError


class EventOutcome(Enum):
    DONE = "done"  # handler returned ("ret")
    EXIT = "exit"  # kong.response.exit / error: the response is decided
    THROWN = "thrown"  # a Lua error: Kong answers 500 (except in log)
    FAILED_OPEN = "failed_open"  # a returned RPC error: logged, the request goes on


class LuaPlugin(Protocol):
    """An emulated bundled (Lua) plugin: runs in-process on the same PDK."""

    name: str
    priority: int
    version: str
    phases: list[str]
    schema: dict[str, Any]
    is_external: bool

    def run(self, phase: str, req: KongRequest, conf: dict[str, Any], ref: PluginRef) -> str: ...


@dataclass
class PluginConfig:
    """One plugin entity as the runner needs it."""

    id: str
    name: str
    config: dict[str, Any]  # normalized config, with defaults
    extras: dict[str, Any]  # route_id/service_id/consumer_id/__plugin_id/__key__/__seq__/__ws_id...

    EXTRA_KEYS = frozenset(
        {
            "route_id",
            "service_id",
            "consumer_id",
            "plugin_instance_name",
            "__plugin_id",
            "__key__",
            "__seq__",
            "__ws_id",
        }
    )

    def config_json(self) -> str:
        """The JSON string Kong sends in StartInstance (cjson escapes '/')."""
        return json.dumps({**self.config, **self.extras}, separators=(",", ":")).replace("/", "\\/")


@dataclass
class _Instance:
    id: int
    seq: Any
    name: str


@dataclass
class RequestStats:
    """PDK round trips per plugin and phase for one request (what a benchmark or test wants to see)."""

    request_id: str
    pdk_calls: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (plugin, phase, outcome)
    # every PDK call in order, (plugin, phase, method): which call each counted round trip is
    pdk_steps: list[tuple[str, str, str]] = field(default_factory=list)
    log_done: bool = False
    # kong.ctx.shared once the log phase is done, as an external plugin would read it (tests look at the
    # facts our plugins publish there: what an audit-log plugin would see)
    ctx_shared: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "pdk_calls": {p: dict(phases) for p, phases in self.pdk_calls.items()},
            "events": [list(e) for e in self.events],
            "pdk_steps": [list(s) for s in self.pdk_steps],
            "log_done": self.log_done,
            "ctx_shared": self.ctx_shared,
        }

    def header_value(self) -> str:
        parts = []
        for plugin in sorted(self.pdk_calls):
            for phase in sorted(self.pdk_calls[plugin]):
                parts.append(f"{plugin}.{phase}={self.pdk_calls[plugin][phase]}")
        return ", ".join(parts)


class PluginRuntime:
    """Talks to the plugin servers: instances, events and the PDK step loop."""

    def __init__(
        self,
        clients: dict[str, RpcClient],
        log: Callable[[str, str], None],
        kong_version: tuple[int, int] = (3, 9),
    ) -> None:
        self.clients = clients  # socket path -> client
        self.log = log
        self.kong_version = kong_version
        self._instances: dict[str, _Instance] = {}
        self._starting: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def client_for(self, plugin: ExternalPlugin) -> RpcClient:
        return self.clients[plugin.server.socket]

    def counter_key(self, plugin: ExternalPlugin) -> str:
        # msgids count per plugin in 3.9 (one RPC object per plugin), per server before.
        return plugin.name if self.kong_version >= (3, 9) else plugin.server.name

    def reset_instances(self, plugin_name: str | None = None, socket: str | None = None) -> None:
        """Forget cached instance ids (Kong 3.6+: all instances of that plugin name)."""
        for key, inst in list(self._instances.items()):
            if plugin_name is None or inst.name == plugin_name:
                del self._instances[key]

    async def instance_for(self, plugin: ExternalPlugin, cfg: PluginConfig) -> int:
        key = cfg.id  # 3.3+: kong.plugin.get_id()
        seq = cfg.extras.get("__seq__")
        cached = self._instances.get(key)
        if cached and cached.seq == seq:
            return cached.id
        async with self._starting[key]:
            cached = self._instances.get(key)
            if cached and cached.seq == seq:
                return cached.id
            rpc = self.client_for(plugin)
            result = await rpc.call(
                "plugin.StartInstance",
                {"Name": plugin.name, "Config": cfg.config_json()},
                counter_key=self.counter_key(plugin),
            )
            self._instances[key] = _Instance(result["Id"], seq, plugin.name)
            if cached is not None:
                with contextlib.suppress(RpcError):  # Kong ignores CloseInstance errors
                    await rpc.call("plugin.CloseInstance", cached.id, counter_key=self.counter_key(plugin))
            return result["Id"]

    async def run_event(
        self, req: KongRequest, plugin: ExternalPlugin, cfg: PluginConfig, phase: str, stats: RequestStats
    ) -> EventOutcome:
        ref = PluginRef(name=plugin.name, plugin_id=cfg.id)
        rpc = self.client_for(plugin)
        counter = self.counter_key(plugin)
        while True:
            try:
                try:
                    instance_id = await self.instance_for(plugin, cfg)
                except RpcError as exc:
                    if "no plugin instance" in str(exc):
                        raise
                    # A StartInstance failure is thrown in Kong (plugin.lua: "starting instance: ...").
                    req.fail(phase, f"starting instance: {exc}", ref)
                    return EventOutcome.THROWN
                result = await rpc.call(
                    "plugin.HandleEvent", {"InstanceId": instance_id, "EventName": phase}, counter_key=counter
                )
                while True:
                    data = result.get("Data") if isinstance(result, dict) else None
                    if data == "ret" or not isinstance(data, dict):
                        return EventOutcome.DONE
                    method = data.get("Method")
                    args = data.get("Args") or []
                    stats.pdk_calls[plugin.name][phase] += 1
                    stats.pdk_steps.append((plugin.name, phase, str(method)))
                    outcome = req.call(ref, str(method), list(args))
                    if outcome.consumes_msgid:
                        rpc.skip_msgid(counter)  # Kong numbered a reply it then failed to pack
                    if outcome.kind == "exit":
                        return EventOutcome.EXIT
                    if outcome.kind == "thrown":
                        req.fail(phase, outcome.error, ref)  # 500 as Kong answers it in that phase
                        return EventOutcome.THROWN
                    step: dict[str, Any] = {"EventId": result.get("EventId")}
                    if outcome.data is not MISSING:
                        step["Data"] = outcome.data
                    result = await rpc.call(outcome.step, step, counter_key=counter)
            except RpcError as exc:
                if "no plugin instance" in str(exc):
                    # rpc/mp_rpc.lua handle_event: reset_instance, kong.log.warn(err), handle_event again
                    req.log("warn", f"[kong] mp_rpc.lua:314 [{plugin.name}] {exc}")
                    self.reset_instances(plugin.name)
                    continue
                req.log("err", f"[kong] mp_rpc.lua:318 [{plugin.name}] {exc}")
                return EventOutcome.FAILED_OPEN


def sort_plugins(plugins: list[Any]) -> list[Any]:
    """Kong's order: priority descending, then name descending (dao/plugins.lua)."""
    return sorted(plugins, key=lambda p: (p.priority, p.name), reverse=True)


def now_ms() -> int:
    return int(time.time() * 1000)
