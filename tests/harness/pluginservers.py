"""Plugin-server processes and plugin info, as Kong manages them (runloop/plugin_servers/process.lua, 3.9).

* Query: each ``pluginserver_names`` entry's ``query_cmd`` runs once at start-up; its stdout is JSON
  (``dump.Plugins`` or the array itself). Kong 3.9+ keeps only the FIRST plugin of each entry, and a later
  entry with the same plugin name silently replaces an earlier one (``available_external_plugins[name] =``);
  3.0-3.8 keep all of an entry's plugins, and a duplicate name is an error log, first wins
  (``register_plugin_info``).
* Start: an entry with a ``start_cmd`` is spawned as a child, stdout and stderr merged and logged line by line
  at INFO as ``[<name>:<pid>] <line>``; when it exits it is respawned, at most once per second.
  An entry without ``start_cmd`` is assumed to be managed externally.
* Plugin info is checked as Kong's DAO checks it: ``Priority`` an integer, ``Version`` an ``x.y.z`` string,
  ``response`` not combined with header/body filters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.conf import KongConf, PluginServerConf

_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+")
PHASES = ("certificate", "rewrite", "access", "response", "log", "preread")


class PluginInfoError(Exception):
    """A query command's output would make Kong refuse to load the plugin."""


@dataclass
class ExternalPlugin:
    """A plugin served by a plugin server: what Kong learned from the query command."""

    name: str
    priority: int
    version: str
    phases: list[str]
    schema: dict[str, Any]
    server: PluginServerConf
    is_external: bool = True

    @property
    def config_record(self) -> dict[str, Any]:
        for item in self.schema.get("fields", []):
            if "config" in item:
                return item["config"]
        return {"type": "record", "fields": []}


def parse_plugin_info(entry: dict[str, Any], server: PluginServerConf) -> ExternalPlugin:
    """Validate one dumped plugin as Kong's DAO does (kong/db/dao/plugins.lua)."""
    name = entry.get("Name")
    if not isinstance(name, str) or not name:
        raise PluginInfoError(f"plugin server {server.name}: entry without a Name")
    priority = entry.get("Priority")
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise PluginInfoError(f"{name}: Priority must be an integer, got {priority!r}")
    version = entry.get("Version")
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise PluginInfoError(
            f"{name}: Version must be a version string, got {version!r} (plugin fails to load)"
        )
    phases = list(entry.get("Phases") or [])
    if "response" in phases and ({"header_filter", "body_filter"} & set(phases)):
        raise PluginInfoError(f"{name}: response phase cannot be combined with header_filter/body_filter")
    schema = entry.get("Schema") or {"name": name, "fields": [{"config": {"type": "record", "fields": []}}]}
    return ExternalPlugin(name, priority, version, phases, schema, server)


def query_plugins(
    server: PluginServerConf,
    kong_version: tuple[int, int],
    log: Callable[[str, str], None],
    env: dict[str, str] | None = None,
) -> list[ExternalPlugin]:
    """Run the query command (Kong uses io.popen, i.e. a shell) and parse its JSON."""
    if not server.query_cmd:
        if kong_version >= (3, 9):
            raise PluginInfoError(f"no query_cmd for plugin server {server.name}")
        log("warn", f"no query_cmd for plugin server {server.name}: its plugins are unknown")
        return []
    proc = subprocess.run(server.query_cmd, shell=True, capture_output=True, timeout=60, env=env, check=False)
    try:
        dump = json.loads(proc.stdout)
    except ValueError as exc:
        raise PluginInfoError(
            f"failed decoding plugin info from {server.name}: {exc}; stderr: {proc.stderr[-500:]!r}"
        ) from None
    entries = dump.get("Plugins", []) if isinstance(dump, dict) else dump
    if not isinstance(entries, list):
        raise PluginInfoError(f"plugin server {server.name}: query output is not a list of plugins")
    if kong_version >= (3, 9):
        entries = entries[:1]  # 3.9+: one plugin server entry = one plugin
    return [parse_plugin_info(entry, server) for entry in entries]


@dataclass
class ManagedProcess:
    """A plugin server child process, respawned like Kong does."""

    conf: PluginServerConf
    log: Callable[[str, str], None]
    env: dict[str, str] | None = None
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False
    pids: list[int] = field(default_factory=list)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._supervise())

    async def _supervise(self) -> None:
        assert self.conf.start_cmd
        while not self._stopping:
            started_at = time.monotonic()
            self.proc = await asyncio.create_subprocess_shell(
                "exec " + self.conf.start_cmd,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
            self.starts += 1
            self.pids.append(self.proc.pid)
            assert self.proc.stdout
            async for line in self.proc.stdout:
                self.log(
                    "info", f"[{self.conf.name}:{self.proc.pid}] {line.decode(errors='replace').rstrip()}"
                )
            code = await self.proc.wait()
            if self._stopping:
                return
            self.log("notice", f"external pluginserver '{self.conf.name}' terminated: exit code {code}")
            # Kong respawns at most once per second.
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started_at)))

    async def stop(self) -> None:
        self._stopping = True
        if self.proc and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()  # Kong sends SIGTERM
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


async def wait_for_socket(path: str, timeout: float = 20.0) -> None:
    """Poll until a Unix socket accepts connections (Kong probes every 0.1 s in 3.1-3.4)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_unix_connection(path)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"plugin server socket {path} not ready after {timeout}s") from None
            await asyncio.sleep(0.05)


def load_all(
    conf: KongConf,
    kong_version: tuple[int, int],
    log: Callable[[str, str], None],
    env: dict[str, str] | None = None,
) -> dict[str, ExternalPlugin]:
    """Query every plugin server; a duplicated plugin name is resolved as the Kong version does it."""
    plugins: dict[str, ExternalPlugin] = {}
    for server in conf.pluginservers:
        for plugin in query_plugins(server, kong_version, log, env):
            earlier = plugins.get(plugin.name)
            if earlier is not None and kong_version < (3, 9):
                log(
                    "error",
                    f"Duplicate plugin name [{plugin.name}] by {earlier.server.name} and {server.name}",
                )
                continue
            plugins[plugin.name] = plugin
    return plugins


def environment_with(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
