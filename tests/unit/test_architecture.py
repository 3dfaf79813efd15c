"""README's architecture picture: the committed SVG is what scripts/architecture makes of its description, and
the description says what the plugins are (priorities and phases from the plugins themselves, facts from the
context contract)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from kong_plugins.server.registry import PLUGIN_MODULES, load_plugin_module

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = yaml.safe_load((ROOT / "docs" / "architecture" / "flow.yaml").read_text())
PLUGIN_STEPS = [step for step in DESCRIPTION["steps"] if step["kind"] == "plugin"]


def _lua_plugin(name: str) -> tuple[int, set[str]]:
    handler = (ROOT / "kong" / "plugins" / name / "handler.lua").read_text()
    priority = int(re.search(r"PRIORITY\s*=\s*(\d+)", handler)[1])
    phases = set(
        re.findall(r"^function \w+:(access|response|log|header_filter|body_filter)\(", handler, re.M)
    )
    return priority, phases


def _facts(name: str) -> tuple[int, set[str]]:
    if name in PLUGIN_MODULES:
        plugin = load_plugin_module(name, PLUGIN_MODULES[name])
        return plugin.priority, set(plugin.phases)
    return _lua_plugin(name)


def test_the_committed_svg_is_the_scripts_output() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "architecture"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_every_plugin_is_drawn_with_its_priority_and_phases() -> None:
    drawn: list[str] = []
    for step in PLUGIN_STEPS:
        names = step.get("registry_names") or [step["name"]]
        drawn += names
        facts = [_facts(name) for name in names]
        assert {priority for priority, _ in facts} == {step["priority"]}, step["name"]
        assert set().union(*(phases for _, phases in facts)) == set(step["phases"]), step["name"]
    assert sorted(drawn) == sorted([*PLUGIN_MODULES, "ai-fail-closed", "ai-fail-closed-response"])
    priorities = [step["priority"] for step in PLUGIN_STEPS]
    assert priorities == sorted(priorities, reverse=True), "drawn in Kong's order"


def test_the_facts_handed_on_are_the_context_contracts() -> None:
    contract = (ROOT / "docs" / "context.md").read_text()
    for step in PLUGIN_STEPS:
        key = step["handoff"]["key"].split(" ")[0]
        if key.startswith("ai_guard."):
            assert f"`{key}`" in contract, key
            for name in re.findall(r"[a-z][a-z_0-9]*", step["handoff"]["fields"].split(";")[0]):
                if key in ("ai_guard.tenant", "ai_guard.request", "ai_guard.authz", "ai_guard.redaction"):
                    assert f"`{name}`" in contract, (key, name)
