"""``scripts/enable-plugins FILE``: our plugins put on routes through the Admin API, idempotently.

Against the emulated Kong 3.9 Admin API (tests/harness), which validates each plugin with the schema our
plugin server's query command gives it, as Kong does: created when missing, one PATCH when a config differs,
nothing when identical, and nothing at all in a dry run.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from integration.ops.emulated_admin import EmulatedAdmin

from kong_plugins.cli.admin_api import AdminClient
from kong_plugins.cli.main import main
from kong_plugins.cli.rollout import enable_plugins
from kong_plugins.server.registry import PLUGIN_MODULES

pytestmark = pytest.mark.harness

ROOT = Path(__file__).resolve().parents[3]
STANDARD = ROOT / "declarative" / "templates" / "standard.yaml"
OURS = [
    "ai-tenant-resolver",
    "ai-input-guard",
    "ai-action-authz",
    "ai-token-limiter",
    "ai-output-redactor",
    "ai-audit-log",
    "ai-fail-closed",
]


@pytest.fixture
def gateway(ops_gateway: EmulatedAdmin) -> EmulatedAdmin:
    return ops_gateway


def _document() -> dict[str, Any]:
    return yaml.safe_load(STANDARD.read_text())


@pytest.fixture
def bare(gateway: EmulatedAdmin, tmp_path: Path) -> EmulatedAdmin:
    """The standard template's service and route on the gateway, with Kong's key-auth but none of ours."""
    document = _document()
    route = document["services"][0]["routes"][0]
    route["plugins"] = [p for p in route["plugins"] if p["name"] == "key-auth"]
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump(document))
    gateway.load(path)
    return gateway


def _writes(client: AdminClient) -> list[tuple[str, str]]:
    return [(method, path) for method, path in client.requests if method != "GET"]


def _route_plugins(gateway: EmulatedAdmin) -> dict[str, dict[str, Any]]:
    client = AdminClient(gateway.url)
    return {p["name"]: p for p in client.list("/routes/chat/plugins")}


def test_missing_plugins_are_created_and_a_second_run_changes_nothing(bare: EmulatedAdmin) -> None:
    first = AdminClient(bare.url)
    actions, notes = enable_plugins(first, _document(), PLUGIN_MODULES)
    assert [(a.kind, a.plugin.name) for a in actions] == [("create", name) for name in OURS]
    assert [method for method, _ in _writes(first)] == ["POST"] * len(OURS)
    assert notes == ["route chat: key-auth is not one of our plugins: not handled"]
    on_gateway = _route_plugins(bare)
    assert sorted(on_gateway) == sorted([*OURS, "key-auth"])
    assert on_gateway["ai-audit-log"]["config"]["syslog_host"] == "siem.example.internal"

    version = bare.gateway.store.version
    second = AdminClient(bare.url)
    actions, _ = enable_plugins(second, _document(), PLUGIN_MODULES)
    assert {a.kind for a in actions} == {"unchanged"}
    assert _writes(second) == []
    assert bare.gateway.store.version == version


def test_a_changed_config_is_one_patch(bare: EmulatedAdmin) -> None:
    enable_plugins(AdminClient(bare.url), _document(), PLUGIN_MODULES)
    before = _route_plugins(bare)
    document = _document()
    guard = next(p for p in document["services"][0]["routes"][0]["plugins"] if p["name"] == "ai-input-guard")
    guard["config"]["injection"]["threshold"] = 0.7
    client = AdminClient(bare.url)
    actions, _ = enable_plugins(client, document, PLUGIN_MODULES)
    assert [(a.kind, a.plugin.name) for a in actions if a.kind != "unchanged"] == [
        ("update", "ai-input-guard")
    ]
    plugin_id = before["ai-input-guard"]["id"]
    assert _writes(client) == [
        ("PATCH", f"/routes/{before['ai-input-guard']['route']['id']}/plugins/{plugin_id}")
    ]
    after = _route_plugins(bare)
    assert after["ai-input-guard"]["id"] == plugin_id  # updated in place, not re-created
    assert after["ai-input-guard"]["config"]["injection"]["threshold"] == 0.7
    assert after["ai-token-limiter"] == before["ai-token-limiter"]


def test_a_dry_run_changes_nothing_and_shows_the_diff(bare: EmulatedAdmin, tmp_path: Path) -> None:
    enable_plugins(AdminClient(bare.url), _document(), PLUGIN_MODULES)
    document = _document()
    plugins = document["services"][0]["routes"][0]["plugins"]
    next(p for p in plugins if p["name"] == "ai-input-guard")["config"]["ood"]["mode"] = "log"
    changed = copy.deepcopy(document)
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(changed))
    version = bare.gateway.store.version
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "enable-plugins"),
            str(path),
            "--admin-url",
            bare.url,
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "~ ai-input-guard on route chat: would update" in result.stdout
    assert '-      "mode": "block",' in result.stdout and '+      "mode": "log",' in result.stdout
    assert "would create 0, would update 1, unchanged 6 (dry run: nothing sent)" in result.stdout
    assert bare.gateway.store.version == version
    assert _route_plugins(bare)["ai-input-guard"]["config"]["ood"]["mode"] == "block"


def test_a_route_missing_from_the_gateway_is_an_error(gateway: EmulatedAdmin, tmp_path: Path) -> None:
    gateway.load(None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "enable-plugins"), str(STANDARD), "--admin-url", gateway.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "route chat is not on the gateway" in result.stderr


def test_once_enabled_the_gateway_is_graded_as_the_file(
    bare: EmulatedAdmin, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rolled out plugin by plugin, the route has the file's posture: kong-ai assess gives the same answer."""
    enable_plugins(AdminClient(bare.url), _document(), PLUGIN_MODULES)

    def graded(*args: str) -> Any:
        assert main(["assess", "--format", "json", *args]) == 0
        return json.loads(capsys.readouterr().out)["sources"][0]["routes"]

    from_file = json.loads(json.dumps(graded(str(STANDARD))).replace(f" {STANDARD} ", " FILE "))
    assert graded("--admin-url", bare.url) == from_file
    assert from_file[0]["level"] == "Applied"
