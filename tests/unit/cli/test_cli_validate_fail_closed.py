"""``kong-ai validate`` and ai-fail-closed, our Lua plugin: schema.lua's checks offline, and a guard waiting
for a mark that no plugin in its scope sets (every request of the route would get 503)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from harness.lua_plugins import LuaPlugin

from kong_plugins.cli import fail_closed
from kong_plugins.cli.main import main
from kong_plugins.core.completion import FAIL_CLOSED_MARK_FIELD
from kong_plugins.server.registry import PLUGIN_MODULES

RESOLVER = (
    "{name: ai-tenant-resolver, config: {fail_closed_mark: true, sources: [header], tenants: [{id: acme}]}}"
)
DEMO = Path(__file__).resolve().parents[3] / "declarative" / "kong.yaml"

DECK = """\
_format_version: "3.0"
plugins:
{global_plugins}
services:
  - name: llm
    url: http://127.0.0.1:9000
    plugins:
{service_plugins}
    routes:
      - name: chat
        paths: [/chat]
        plugins:
          - name: ai-input-guard
            config: {{fail_closed_mark: {mark}}}
          - name: ai-fail-closed
            config: {guard}
"""


def _run(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "kong.yaml"
    path.write_text(text)
    code = main(["validate", str(path)])
    return code, capsys.readouterr().out


def _deck(guard: str, service_plugins: str = "[]", global_plugins: str = "[]", mark: str = "true") -> str:
    return DECK.format(
        guard=guard,
        service_plugins=f"      {service_plugins}",
        global_plugins=f"  {global_plugins}",
        mark=mark,
    )


def test_the_demo_file_is_valid_with_its_guards(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DEMO)]) == 0
    assert "ok (6 kong-ai-guard plugin entries valid)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("plugins", "guard"),
    [
        ("[]", "{marks: [ai-input-guard]}"),  # the route's own plugin
        (f"[{RESOLVER}]", "{marks: [ai-input-guard, ai-tenant-resolver]}"),  # + the service's
    ],
)
def test_marks_of_plugins_in_scope_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, plugins: str, guard: str
) -> None:
    code, out = _run(capsys, tmp_path, _deck(guard, service_plugins=plugins))
    assert code == 0, out


def test_a_global_plugin_is_in_scope_and_a_global_guard_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = _deck(
        "{marks: [ai-tenant-resolver]}",
        global_plugins=f"[{RESOLVER}, {{name: ai-fail-closed, config: {{marks: [ai-input-guard]}}}}]",
    )
    code, out = _run(capsys, tmp_path, text)
    assert code == 0, out
    assert "a global guard requires its marks on every route" in out


@pytest.mark.parametrize(
    ("guard", "message"),
    [
        ("{marks: [ai-tenant-resolver]}", "ai-tenant-resolver is not configured on this route"),
        ("{marks: [key-auth]}", "config.marks.1: expected one of: ai-tenant-resolver"),
        ("{marks: []}", "config.marks: length must be at least 1"),
        ("{}", "config.marks: required field missing"),
        ("{marks: [ai-input-guard], status: 500}", "config.status: unknown field"),
        ("{marks: [ai-input-guard], message: ''}", "config.message: expected a non-empty string"),
    ],
)
def test_mistakes_are_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, guard: str, message: str
) -> None:
    code, out = _run(capsys, tmp_path, _deck(guard))
    assert code == 1
    assert message in out


def test_a_guarded_plugin_without_fail_closed_mark_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Marks are opt-in: the route's ai-input-guard sets none, so the guard would answer 503 to everything."""
    code, out = _run(capsys, tmp_path, _deck("{marks: [ai-input-guard]}", mark="false"))
    assert code == 1
    assert "config.marks: ai-input-guard is configured here without fail_closed_mark: true" in out


def test_the_instance_kong_runs_decides_whether_the_mark_is_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Kong runs the most specific instance (route over service over global): a marking resolver on the
    service does not help when the route has its own resolver without the mark, and the reverse is fine."""
    unmarked = "{name: ai-tenant-resolver, config: {sources: [header], tenants: [{id: acme}]}}"
    guard = "{marks: [ai-input-guard, ai-tenant-resolver]}"
    code, out = _run(
        capsys, tmp_path, _deck(guard, service_plugins=f"[{unmarked}]", global_plugins=f"[{RESOLVER}]")
    )
    assert code == 1
    assert "ai-tenant-resolver is configured here without fail_closed_mark: true" in out
    code, out = _run(
        capsys, tmp_path, _deck(guard, service_plugins=f"[{RESOLVER}]", global_plugins=f"[{unmarked}]")
    )
    assert code == 0, out


def test_every_guarded_plugin_has_the_shared_fail_closed_mark_field() -> None:
    for name in fail_closed.GUARDED:
        schema = importlib.import_module(f"{PLUGIN_MODULES[name]}.schema")
        assert FAIL_CLOSED_MARK_FIELD in schema.SCHEMA_DUMP["fields"][0]["config"]["fields"], name


def test_a_guard_on_a_consumer_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = """\
_format_version: "3.0"
consumers:
  - username: ann
    plugins:
      - name: ai-fail-closed
        config: {marks: [ai-input-guard]}
"""
    code, out = _run(capsys, tmp_path, text)
    assert code == 1
    assert "consumer: value must be null" in out


def test_the_guarded_names_are_schema_lua_s_and_every_plugin_with_an_access_handler() -> None:
    schema = LuaPlugin(fail_closed.NAME).schema
    config = next(f["config"] for f in schema["fields"] if "config" in f)
    marks = next(f["marks"] for f in config["fields"] if "marks" in f)
    assert tuple(marks["elements"]["one_of"]) == fail_closed.GUARDED
    with_access = {
        name
        for name, module in PLUGIN_MODULES.items()
        if hasattr(importlib.import_module(module).Plugin, "access")
    }
    assert set(fail_closed.GUARDED) == with_access


def test_the_response_guard_accepts_response_plugins_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = _deck("{marks: [ai-input-guard]}").replace(
        "          - name: ai-fail-closed\n",
        "          - name: ai-output-redactor\n"
        "            config: {fail_closed_mark: true}\n"
        "          - name: ai-fail-closed-response\n"
        "            config: {marks: [ai-output-redactor]}\n"
        "          - name: ai-fail-closed-response\n"
        "            config: {marks: [ai-input-guard]}\n"
        "          - name: ai-fail-closed\n",
    )
    code, out = _run(capsys, tmp_path, text)
    assert code == 1
    assert "(ai-fail-closed-response): config.marks.1: expected one of: ai-action-authz" in out
    assert out.count("ai-fail-closed-response") == 1  # the first one is valid


def test_the_response_guard_names_are_schema_lua_s_and_every_plugin_with_a_response_handler() -> None:
    schema = LuaPlugin(fail_closed.RESPONSE_NAME).schema
    config = next(f["config"] for f in schema["fields"] if "config" in f)
    marks = next(f["marks"] for f in config["fields"] if "marks" in f)
    assert tuple(marks["elements"]["one_of"]) == fail_closed.RESPONSE_GUARDED
    with_response = {
        name
        for name, module in PLUGIN_MODULES.items()
        if hasattr(importlib.import_module(module).Plugin, "response")
    }
    assert set(fail_closed.RESPONSE_GUARDED) == with_response
