"""``kong-ai assess --admin-url``: a running gateway, read through its Admin API, is graded as its deck file.

The gateway is the emulated Kong 3.9 (tests/harness) loaded with the same file; its Admin API returns the
plugins with Kong's defaults filled in and references as ids, paginated: the answers must not differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from integration.ops.emulated_admin import EmulatedAdmin

from kong_plugins.cli import admin_api
from kong_plugins.cli.main import main

pytestmark = pytest.mark.harness

ROOT = Path(__file__).resolve().parents[3]
#: The demo config and the tier templates the emulator can load (internal.yaml needs a TLS listener and
#: Kong's pre-function, which the emulator does not have).
FILES = [ROOT / "declarative" / "kong.yaml"] + [
    ROOT / "declarative" / "templates" / f"{name}.yaml" for name in ("free", "standard", "enterprise")
]


@pytest.fixture
def admin(ops_gateway: EmulatedAdmin) -> EmulatedAdmin:
    return ops_gateway


def _assess(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["assess", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)["sources"][0]["routes"]


@pytest.mark.parametrize("deck", FILES, ids=lambda p: p.name)
def test_the_admin_api_gives_the_same_answer_as_the_file(
    deck: Path, admin: EmulatedAdmin, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.load(deck)
    from_file = _assess(capsys, str(deck))
    assert from_file, "the file has AI routes"
    # A file's proposals name it (kong-ai limits suggest --current <file>); the gateway's say FILE.
    expected = json.loads(json.dumps(from_file).replace(f" {deck} ", " FILE "))
    assert _assess(capsys, "--admin-url", admin.url) == expected


def test_every_page_is_read(
    admin: EmulatedAdmin, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One entity per page: the plugins, routes and services come in several pages, followed by ``next``."""
    deck = FILES[0]
    admin.load(deck)
    monkeypatch.setattr(admin_api, "PAGE_SIZE", 1)
    client = admin_api.AdminClient(admin.url)
    assert len(client.list("/plugins")) == 6
    assert sum(1 for method, path in client.requests if "offset=" in path) == 5
    from_file = json.loads(json.dumps(_assess(capsys, str(deck))).replace(f" {deck} ", " FILE "))
    assert _assess(capsys, "--admin-url", admin.url) == from_file


def test_the_admin_api_is_only_read(admin: EmulatedAdmin, capsys: pytest.CaptureFixture[str]) -> None:
    admin.load(FILES[0])
    before = admin.gateway.store.version
    _assess(capsys, "--admin-url", admin.url)
    assert admin.gateway.store.version == before


def test_an_unreachable_admin_api_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--admin-url", "http://127.0.0.1:9/"]) == 1
    assert "cannot reach the Admin API" in capsys.readouterr().err
