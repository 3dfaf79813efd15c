"""``kong-ai schema NAME [--json]``: what Kong receives for a plugin, or an outline of it."""

from __future__ import annotations

from typing import Any

import pytest

from kong_plugins.cli.main import main
from kong_plugins.server import cli as server_cli


def test_cli_schema_json_is_byte_for_byte_what_the_query_command_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert server_cli.main(["--dump", "ai-tenant-resolver"]) == 0
    query_output = capsys.readouterr().out

    assert main(["schema", "ai-tenant-resolver", "--json"]) == 0

    assert capsys.readouterr().out == query_output
    assert '"Name": "ai-tenant-resolver"' in query_output


def test_cli_schema_outline_of_a_real_plugin_lists_fields_checks_and_deprecations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "ai-tenant-resolver"]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert lines[0].startswith("ai-tenant-resolver ")
    assert "phases: access" in lines[0]
    sources = next(line for line in lines if line.startswith("config.sources "))
    assert "set of string" in sources
    assert "required" in sources
    assert "`api_key`" in sources
    assert any(line.startswith("config.jwt.keys[].kid ") for line in lines)
    assert "entity checks:" in lines
    assert any(
        "When `config.sources` contains `jwt`, at least one of `config.jwt.keys`" in line for line in lines
    )
    assert any("When `config.jwt.keys[].algorithm` is one of `RS256`" in line for line in lines)
    assert any(line.startswith("  - config.redis.timeout: redis.timeout is deprecated") for line in lines)


def test_cli_schema_outline_follows_the_plugin_table_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, synthetic_plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KONG_AI_PLUGINS", synthetic_plugin.spec)

    assert main(["schema", "ai-synthetic"]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert lines[0] == "ai-synthetic 1.2.3 (priority 5; phases: access)"
    mode = next(line for line in lines if line.startswith("config.mode "))
    assert mode.split()[1:] == ["string", "required;", "must", "be", "one", "of", "`fast`,", "`safe`"]
    limit = next(line for line in lines if line.startswith("config.limit "))
    assert limit.endswith("default 10; must be between 1 and 100")
    assert any(line.startswith("config.rules[].pattern ") for line in lines)
    assert "  - config.old_limit: old_limit is deprecated, use limit (removal in 2.0)" in lines


def test_cli_schema_of_an_unknown_plugin_fails_and_names_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "ai-nope"]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no plugin named 'ai-nope'" in captured.err
    assert "ai-tenant-resolver" in captured.err


def test_cli_schema_rejects_a_malformed_plugin_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "x", "--plugin", "no-equals-sign"]) == 2

    assert "expected NAME=python.module.path" in capsys.readouterr().err
