"""Plugin instances and events: what every ``plugin.*`` RPC does, independent of sockets and msgpack framing.

Locks here only guard the two tables (instances, events) for a few dictionary operations; no lock is held
while a plugin's ``__init__`` or handler runs. kong-pdk holds a server-wide lock from HandleEvent until the
handler's first PDK call, so one slow or failing handler stalls every other request (kong-protocol.md §8).

Instance ids start at a random offset in each process, unlike kong-pdk's 0: Kong caches ids per worker, and
after a server restart a cached id of config A would otherwise name a new instance of config B
(Kong/kong#8370), running a request under another route's or tenant's configuration. With fresh ids a stale
one gets "no plugin instance #N", and Kong starts a new instance and retries the event. Event ids are
randomised the same way.

Handler and Kong-answer timeouts are enforced by one watch thread that looks at the events in progress
every ``watch_interval`` (an eighth of the shorter timeout, at most a second) and wakes the waits past their
deadline; it runs only while there are events, so an idle server has no timer at all. A timeout therefore
fires up to one interval late, which Kong cannot tell apart from a slower handler.

Instances unused for ``instance_idle_ttl`` seconds are dropped when the next instance starts. That is safe:
Kong answers "no plugin instance #N" by starting a new instance and retrying the event, and it bounds the
instances Kong forgets without closing them (a worker restart, or Kong 3.6+ resetting every instance of a
plugin).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kong_plugins.server.events import (
    DEFAULT_HANDLER_TIMEOUT,
    DEFAULT_KONG_ANSWER_TIMEOUT,
    Event,
    EventReply,
)
from kong_plugins.server.pool import DEFAULT_MAX_THREADS, HandlerPool
from kong_plugins.server.registry import PHASES, LoadedPlugin, PluginCatalog

DEFAULT_INSTANCE_IDLE_TTL = 3600.0
#: Bounds of the deadline watch's interval (seconds).
_WATCH_INTERVAL_MIN = 0.005
_WATCH_INTERVAL_MAX = 1.0
#: Ids start at a random offset below this (Lua numbers hold integers exactly up to 2**53).
_ID_OFFSET_LIMIT = 2**40

_log = logging.getLogger("kong_plugins.server.runtime")


class RpcError(Exception):
    """An error Kong receives as the ``err`` string of ``[1, msgid, err, nil]``."""


@dataclass
class Instance:
    """One plugin configuration, started by ``StartInstance``; shared by all its events (and threads)."""

    instance_id: int
    name: str
    config: dict[str, Any]
    plugin: Any
    start_time: float
    last_used: float

    def status(self) -> dict[str, Any]:
        return {
            "Name": self.name,
            "Id": self.instance_id,
            "Config": self.config,
            "StartTime": self.start_time,
        }


@dataclass
class _PluginTimes:
    load_time: float
    last_start_instance: float = 0.0
    last_close_instance: float = 0.0


class PluginRuntime:
    """Instances, events and handler threads for every plugin of a :class:`PluginCatalog`."""

    def __init__(
        self,
        catalog: PluginCatalog,
        *,
        lua_style: bool = True,
        handler_timeout: float = DEFAULT_HANDLER_TIMEOUT,
        kong_answer_timeout: float = DEFAULT_KONG_ANSWER_TIMEOUT,
        instance_idle_ttl: float = DEFAULT_INSTANCE_IDLE_TTL,
        max_handler_threads: int = DEFAULT_MAX_THREADS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._catalog = catalog
        self._lua_style = lua_style
        self._handler_timeout = handler_timeout
        self._kong_answer_timeout = kong_answer_timeout
        self._instance_idle_ttl = instance_idle_ttl
        self._clock = clock
        self._pool = HandlerPool(max_handler_threads)
        self._lock = threading.Lock()
        self._instances: dict[int, Instance] = {}
        self._events: dict[int, Event] = {}
        self._instance_ids = itertools.count(secrets.randbelow(_ID_OFFSET_LIMIT))
        self._event_ids = itertools.count(secrets.randbelow(_ID_OFFSET_LIMIT))
        self.watch_interval = min(
            _WATCH_INTERVAL_MAX, max(_WATCH_INTERVAL_MIN, min(handler_timeout, kong_answer_timeout) / 8)
        )
        self._watching = False
        now = time.time()
        self._times = {name: _PluginTimes(load_time=now) for name in catalog.available}

    @property
    def active_events(self) -> int:
        """Events Kong may still Step (leak detector for tests and GetStatus)."""
        return len(self._events)

    @property
    def instance_count(self) -> int:
        return len(self._instances)

    # -- plugin info ----------------------------------------------------------------------------------------

    def plugin_info(self, name: str) -> dict[str, Any]:
        return self._plugin(name).info()

    def _plugin(self, name: str) -> LoadedPlugin:
        plugin = self._catalog.available.get(name)
        if plugin is not None:
            return plugin
        reason = self._catalog.unavailable.get(name)
        if reason is not None:
            raise RpcError(f"plugin {name} is unavailable: {_last_line(reason)}")
        raise RpcError(f"plugin {name} is not served by this plugin server")

    # -- instances ------------------------------------------------------------------------------------------

    def start_instance(self, name: str, config_json: str | bytes) -> dict[str, Any]:
        """``StartInstance``: build ``Plugin(config)``. A raising ``__init__`` becomes an error string.

        Kong logs "starting instance: <error>" and throws, so the request gets a 500 (access: Kong's JSON
        error template; rewrite/response: the error page) and the next request tries to start the instance
        again.
        """
        plugin = self._plugin(name)
        try:
            config = json.loads(config_json)
        except (ValueError, RecursionError) as exc:
            raise RpcError(f"starting instance of {name} failed: Config is not valid JSON: {exc}") from None
        if not isinstance(config, dict):
            raise RpcError(f"starting instance of {name} failed: Config must be a JSON object")
        try:
            plugin_object = plugin.plugin_class(config)
        except Exception as exc:
            _log.error(
                "Plugin(config) raised %s: %s (StartInstance fails; Kong answers 500)\n%s",
                type(exc).__name__,
                exc,
                traceback.format_exc().rstrip(),
                extra={"plugin": name},
            )
            raise RpcError(f"starting instance of {name} failed: {type(exc).__name__}: {exc}") from None
        now = self._clock()
        with self._lock:
            self._expire_idle_instances(now)
            instance_id = next(self._instance_ids)
            instance = Instance(instance_id, name, config, plugin_object, time.time(), now)
            self._instances[instance_id] = instance
            self._times[name].last_start_instance = instance.start_time
        _log.info("instance #%d of %s started", instance_id, name, extra={"plugin": name})
        return instance.status()

    def _expire_idle_instances(self, now: float) -> None:
        if self._instance_idle_ttl <= 0:
            return
        expired = [
            iid for iid, inst in self._instances.items() if now - inst.last_used > self._instance_idle_ttl
        ]
        for iid in expired:
            instance = self._instances.pop(iid)
            _log.info(
                "instance #%d of %s unused for %.0fs, dropped",
                iid,
                instance.name,
                now - instance.last_used,
                extra={"plugin": instance.name},
            )

    def close_instance(self, instance_id: int) -> dict[str, Any]:
        """``CloseInstance``: forget the instance (events already running keep their reference)."""
        with self._lock:
            instance = self._instances.pop(instance_id, None)
            if instance is None:
                raise RpcError(f"no plugin instance #{instance_id}")
            self._times[instance.name].last_close_instance = time.time()
        _log.info("instance #%d of %s closed", instance_id, instance.name, extra={"plugin": instance.name})
        return {"Name": instance.name, "Id": instance_id, "Config": instance.config}

    def instance_status(self, instance_id: int) -> dict[str, Any]:
        return self._instance(instance_id).status()

    def _instance(self, instance_id: int) -> Instance:
        instance = self._instances.get(instance_id)
        if instance is None:
            # Kong matches "no plugin instance" to start a new instance and retry the event.
            raise RpcError(f"no plugin instance #{instance_id}")
        return instance

    # -- events ---------------------------------------------------------------------------------------------

    def handle_event(self, instance_id: int, phase: str) -> EventReply:
        """``HandleEvent``: run the phase handler in a pool thread; answer with its first message."""
        instance = self._instance(instance_id)
        handler = getattr(instance.plugin, phase, None) if phase in PHASES else None
        if not callable(handler):
            raise RpcError(f"plugin {instance.name} has no handler for phase {phase!r}")
        instance.last_used = self._clock()
        event = Event(
            next(self._event_ids),
            instance.name,
            phase,
            handler,
            lua_style=self._lua_style,
            handler_timeout=self._handler_timeout,
            kong_answer_timeout=self._kong_answer_timeout,
            on_abandoned=self._forget_event,
        )
        with self._lock:
            self._events[event.event_id] = event
            start_watch = not self._watching
            self._watching = True
        if start_watch:
            threading.Thread(target=self._watch_deadlines, name="deadline-watch", daemon=True).start()
        self._pool.submit(event.run_handler)
        return self._settle(event, event.next_reply())

    def step(self, event_id: int, data: Any, *, is_error: bool = False) -> EventReply:
        """``Step`` and its aliases: hand Kong's answer to the handler, answer with its next message."""
        event = self._events.get(event_id)
        if event is None or not event.begin_step():
            raise RpcError(f"event id {event_id} not found")
        if is_error:
            event.deliver(None, data)
        else:
            event.deliver(data, None)
        return self._settle(event, event.next_reply())

    def _watch_deadlines(self) -> None:
        """Wake every wait past its deadline, each ``watch_interval``, until no event is left."""
        try:
            while True:
                time.sleep(self.watch_interval)
                with self._lock:
                    events = list(self._events.values())
                    if not events:
                        self._watching = False
                        return
                now = time.monotonic()
                for event in events:
                    event.expire_if_due(now)
        except BaseException:  # the next event starts a new watch: timeouts must never silently stop
            with self._lock:
                self._watching = False
            _log.exception("the deadline watch failed; a new one starts with the next event")
            raise

    def _settle(self, event: Event, reply: EventReply) -> EventReply:
        if reply.final:
            self._forget_event(event.event_id)
        return reply

    def _forget_event(self, event_id: int) -> None:
        with self._lock:
            self._events.pop(event_id, None)

    # -- status ---------------------------------------------------------------------------------------------

    def get_status(self) -> dict[str, Any]:
        """``GetStatus``: kong-pdk's shape, plus ``ActiveEvents`` and ``HandlerThreads``."""
        with self._lock:
            instances = list(self._instances.values())
        plugins: dict[str, Any] = {}
        for name, plugin in self._catalog.available.items():
            times = self._times[name]
            plugins[name] = {
                "Name": name,
                "Source": plugin.source,
                "LoadTime": times.load_time,
                "Instances": [inst.status() for inst in instances if inst.name == name],
                "LastStartInstance": times.last_start_instance,
                "LastCloseInstance": times.last_close_instance,
            }
        return {
            "Pid": os.getpid(),
            "Plugins": plugins,
            "Unavailable": {name: _last_line(reason) for name, reason in self._catalog.unavailable.items()},
            "ActiveEvents": self.active_events,
            "HandlerThreads": self._pool.threads,
        }


def _last_line(text: str) -> str:
    """The last non-empty line of a reason (a traceback's exception line), for one-line error strings."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text
