"""How the emulated Kong turns plugin servers' query output into external plugins, per Kong version
(runloop/plugin_servers/process.lua): 3.9 keeps one plugin per entry and lets a later entry replace an
earlier one of the same name; 3.8 keeps every plugin of an entry and the first of a duplicated name."""

from __future__ import annotations

import json
import shlex
import sys
from typing import Any

from harness.conf import KongConf, PluginServerConf
from harness.pluginservers import load_all


def _server(name: str, *plugins: tuple[str, int]) -> PluginServerConf:
    infos = [
        {"Name": plugin, "Priority": priority, "Version": "1.0.0", "Phases": ["access"], "Schema": {}}
        for plugin, priority in plugins
    ]
    dump = json.dumps({"Protocol": "MsgPack:1", "Plugins": infos})
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(f'print({dump!r})')}"
    return PluginServerConf(name=name, socket=f"/tmp/{name}.sock", start_cmd=None, query_cmd=command)


def _load(
    version: tuple[int, int], *servers: PluginServerConf
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    logged: list[tuple[str, str]] = []
    plugins = load_all(
        KongConf(pluginservers=list(servers)), version, lambda level, text: logged.append((level, text))
    )
    return {name: (plugin.priority, plugin.server.name) for name, plugin in plugins.items()}, logged


def test_kong_3_9_lets_a_later_entry_replace_a_plugin_of_the_same_name_silently() -> None:
    plugins, logged = _load(
        (3, 9), _server("one", ("guard", 10), ("extra", 5)), _server("two", ("guard", 20))
    )
    assert plugins == {"guard": (20, "two")}  # one plugin per entry: "extra" is never loaded
    assert [entry for entry in logged if entry[0] == "error"] == []


def test_kong_3_8_keeps_every_plugin_and_the_first_of_a_duplicated_name() -> None:
    plugins, logged = _load(
        (3, 8), _server("one", ("guard", 10), ("extra", 5)), _server("two", ("guard", 20))
    )
    assert plugins == {"guard": (10, "one"), "extra": (5, "one")}
    assert ("error", "Duplicate plugin name [guard] by one and two") in logged
