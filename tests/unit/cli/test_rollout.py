"""scripts/enable-plugins' pure parts: which entries it handles, and equality as Kong stores configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kong_plugins.cli import fail_closed
from kong_plugins.cli.rollout import desired_plugins, same_value
from kong_plugins.server.registry import PLUGIN_MODULES

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", sorted(fail_closed.DEFAULT_MESSAGES))
def test_the_guards_default_message_is_schema_luas(name: str) -> None:
    schema = (ROOT / "kong" / "plugins" / name / "schema.lua").read_text()
    assert re.search(r'default = "([^"]+)"', schema)[1] == fail_closed.DEFAULT_MESSAGES[name]


def test_values_compare_as_kong_stores_them() -> None:
    assert same_value({"a": 1, "b": None}, {"a": 1.0})
    assert same_value({"m": {}}, {"m": []})  # one empty table in Lua
    assert not same_value({"a": True}, {"a": 1})
    assert not same_value({"a": [1, 2]}, {"a": [2, 1]})
    assert not same_value({"a": "x"}, {"a": "x", "b": 0})


def test_route_entries_are_handled_and_the_rest_named() -> None:
    document = {
        "_format_version": "3.0",
        "plugins": [{"name": "ai-audit-log", "config": {}}, {"name": "ai-input-guard", "route": "r2"}],
        "services": [
            {
                "name": "s",
                "url": "http://x",
                "plugins": [{"name": "ai-output-redactor"}],
                "routes": [
                    {
                        "name": "r1",
                        "paths": ["/a"],
                        "plugins": [
                            {"name": "key-auth"},
                            {
                                "name": "ai-fail-closed",
                                "config": {"marks": ["ai-input-guard"]},
                                "tags": ["t"],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    desired, notes = desired_plugins(document, PLUGIN_MODULES)
    assert [(d.route, d.name) for d in desired] == [("r1", "ai-fail-closed"), ("r2", "ai-input-guard")]
    assert desired[0].config == {
        "marks": ["ai-input-guard"],
        "message": fail_closed.DEFAULT_MESSAGES["ai-fail-closed"],
    }
    assert desired[0].tags == ("t",)
    assert desired[1].config["injection"]["mode"] == "block"  # defaults filled in, as Kong stores them
    assert notes == [
        "route r1: key-auth is not one of our plugins: not handled",
        "service s: ai-output-redactor is not on a route: not handled",
        "global: ai-audit-log is not on a route: not handled",
    ]
