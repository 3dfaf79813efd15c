"""Fixtures for the ``kong-ai`` schema commands: a small synthetic plugin, installed as a real module.

The synthetic plugin is a standard kong-pdk plugin module (``Plugin``, ``version``, ``priority``,
``SCHEMA_DUMP``) registered in ``sys.modules`` for one test, so the commands load it through the same
``--plugin NAME=MODULE`` / ``KONG_AI_PLUGINS`` path as a real one.
"""

from __future__ import annotations

import copy
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kong_plugins.core.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[3]

SYNTHETIC_NAME = "ai-synthetic"
SYNTHETIC_MODULE = "cli_test_synthetic_plugin"

SYNTHETIC_DUMP: dict[str, Any] = {
    "name": SYNTHETIC_NAME,
    "fields": [
        {
            "config": {
                "type": "record",
                "fields": [
                    {
                        "mode": {
                            "type": "string",
                            "required": True,
                            "one_of": ["fast", "safe"],
                            "description": "How to run | with a pipe\nand a newline.",
                        }
                    },
                    {
                        "limit": {
                            "type": "integer",
                            "default": 10,
                            "between": [1, 100],
                            "description": "Most.",
                        }
                    },
                    {
                        "rules": {
                            "type": "array",
                            "default": [],
                            "description": "Rules.",
                            "elements": {
                                "type": "record",
                                "fields": [
                                    {
                                        "pattern": {
                                            "type": "string",
                                            "required": True,
                                            "len_max": 64,
                                            "description": "A regex.",
                                        }
                                    }
                                ],
                            },
                        }
                    },
                    {
                        "labels": {
                            "type": "map",
                            "keys": {"type": "string"},
                            "values": {"type": "string", "len_min": 0},
                            "description": "Labels.",
                        }
                    },
                    {
                        "old_limit": {
                            "type": "integer",
                            "description": "Old name of limit.",
                            "deprecation": {
                                "message": "old_limit is deprecated, use limit",
                                "removal_in_version": "2.0",
                            },
                        }
                    },
                    {
                        "backend": {
                            "type": "record",
                            "description": "Where to go.",
                            "fields": [
                                {"host": {"type": "string", "default": "127.0.0.1", "description": "Host."}},
                                {"port": {"type": "integer", "default": 0, "description": "Port."}},
                            ],
                        }
                    },
                ],
                "entity_checks": [
                    {"at_least_one_of": ["limit", "old_limit"]},
                    {
                        "conditional": {
                            "if_field": "mode",
                            "if_match": {"eq": "safe"},
                            "then_field": "rules",
                            "then_match": {"len_min": 1},
                        }
                    },
                ],
            }
        }
    ],
}


class SyntheticPlugin:
    """Refuses a rule pattern that does not compile, as a real plugin does when its instance starts."""

    def __init__(self, config: dict[str, Any]) -> None:
        for index, rule in enumerate(config.get("rules") or [], start=1):
            if rule["pattern"].count("(") != rule["pattern"].count(")"):
                raise ConfigError("bad rules", {f"config.rules.{index}.pattern": "unbalanced parenthesis"})

    def access(self, kong: Any) -> None:
        """An access phase, so that the plugin has one."""


@dataclass(frozen=True)
class PluginUnderTest:
    """A plugin module installed for one test: ``spec`` is what ``--plugin`` takes."""

    name: str
    module_name: str
    dump: dict[str, Any]
    version: str
    priority: int

    @property
    def spec(self) -> str:
        return f"{self.name}={self.module_name}"


InstallPlugin = Callable[..., PluginUnderTest]


@pytest.fixture
def install_plugin(monkeypatch: pytest.MonkeyPatch) -> InstallPlugin:
    """Put a kong-pdk plugin module in ``sys.modules`` for this test (removed afterwards)."""

    def install(
        module_name: str,
        plugin_class: type,
        dump: dict[str, Any],
        *,
        version: str = "1.2.3",
        priority: int = 5,
    ) -> PluginUnderTest:
        module = types.ModuleType(module_name)
        module.Plugin = plugin_class  # type: ignore[attr-defined]
        module.Schema = dump["fields"][0]["config"]["fields"]  # type: ignore[attr-defined]
        module.SCHEMA_DUMP = dump  # type: ignore[attr-defined]
        module.version = version  # type: ignore[attr-defined]
        module.priority = priority  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module_name, module)
        return PluginUnderTest(dump["name"], module_name, dump, version, priority)

    return install


@pytest.fixture
def synthetic_plugin(install_plugin: InstallPlugin) -> PluginUnderTest:
    """The synthetic plugin (``ai-synthetic``, version 1.2.3, priority 5, phase access), installed."""
    return install_plugin(SYNTHETIC_MODULE, SyntheticPlugin, copy.deepcopy(SYNTHETIC_DUMP))


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(autouse=True)
def no_plugin_table_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands honour ``KONG_AI_PLUGINS``; a developer's shell must not change what tests see."""
    monkeypatch.delenv("KONG_AI_PLUGINS", raising=False)
