"""What the query command prints is what Kong 3.x needs to load every plugin we ship.

Kong JSON-decodes the query command's stdout and uses each entry's Schema as a Lua schema table; its DAO
refuses a plugin whose Version is not a version string, whose Priority is not an integer, or whose schema
breaks the metaschema. The emulator's loader checks the same (tests/harness/pluginservers.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness.conf import PluginServerConf
from harness.pluginservers import parse_plugin_info

from kong_plugins.core.priorities import PRIORITIES
from kong_plugins.core.schema import check_record
from kong_plugins.server.registry import PLUGIN_MODULES

ROOT = Path(__file__).resolve().parents[3]
SERVER = [sys.executable, "-m", "kong_plugins.server.cli"]
KONG_CONF_SERVER = PluginServerConf("kong-ai", "/usr/local/kong/kong-ai.sock", None, None)


def installed_plugins() -> list[str]:
    out = subprocess.run([*SERVER, "--dump-all-plugins"], capture_output=True, text=True, check=True)
    return [entry["Name"] for entry in json.loads(out.stdout)]


def test_dump_all_plugins_is_loadable_by_kong() -> None:
    out = subprocess.run([*SERVER, "--dump-all-plugins"], capture_output=True, text=True, check=True)
    entries = json.loads(out.stdout)
    assert entries, "no plugin dumped"
    for entry in entries:
        plugin = parse_plugin_info(entry, KONG_CONF_SERVER)  # Kong's DAO checks
        assert plugin.priority == PRIORITIES[plugin.name]
        assert set(plugin.phases) <= {"certificate", "rewrite", "access", "response", "log", "preread"}
        assert entry["Schema"]["name"] == plugin.name
        check_record(plugin.config_record)  # Kong's metaschema (descriptions, attributes per type, defaults)


@pytest.mark.parametrize("name", sorted(PLUGIN_MODULES))
def test_per_plugin_dump_puts_that_plugin_first(name: str) -> None:
    if name not in installed_plugins():
        pytest.skip(f"{name} is not written yet")
    out = subprocess.run([*SERVER, "--dump", name], capture_output=True, text=True, check=True)
    entries = json.loads(out.stdout)
    assert [e["Name"] for e in entries] == [name]  # Kong 3.9 keeps only the first entry


def test_kong_conf_lists_a_query_command_for_every_shipped_plugin() -> None:
    conf = (ROOT / "kong" / "kong.conf").read_text()
    for name in installed_plugins():
        key = name.replace("-", "_")
        assert f"pluginserver_{key}_query_cmd = /usr/local/bin/kong-ai-pluginserver --dump {name}" in conf
        assert f"pluginserver_{key}_socket = /usr/local/kong/kong-ai.sock" in conf
        assert (ROOT / "kong" / "python-plugins" / f"{name}.py").exists()


def test_declarative_file_passes_deck_validate() -> None:
    deck = shutil.which("deck")
    if deck is None:
        pytest.skip("Debian's deck is not installed (.ci/run installs it)")
    result = subprocess.run(
        [deck, "validate", "-s", str(ROOT / "declarative" / "kong.yaml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
