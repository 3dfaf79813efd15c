"""The plugin's module shape and schema: what Kong loads, the defaults it fills, the configs it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

import kong_plugins.ai_input_guard as plugin_module
from kong_plugins.ai_input_guard import SCHEMA_DUMP, Plugin, Schema
from kong_plugins.ai_input_guard.schema import NAME, SCHEMA
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.schema import validate_config
from kong_plugins.server.registry import load_plugin_module


def test_module_exports_only_the_kong_pdk_surface() -> None:
    assert sorted(plugin_module.__all__) == ["Plugin", "SCHEMA_DUMP", "Schema", "priority", "version"]
    assert plugin_module.version == "0.1.0"
    assert plugin_module.priority == priority_of("ai-input-guard") == 1008
    assert NAME == "ai-input-guard"


def test_the_plugin_server_loads_it_with_the_access_phase_only() -> None:
    loaded = load_plugin_module("ai-input-guard", "kong_plugins.ai_input_guard")
    assert loaded.phases == ("access",)
    assert loaded.priority == 1008
    assert loaded.schema["fields"][0]["config"]["entity_checks"]


def test_schema_is_json_and_every_field_is_described() -> None:
    assert json.loads(json.dumps(SCHEMA_DUMP)) == SCHEMA_DUMP
    assert Schema == SCHEMA_DUMP["fields"][0]["config"]["fields"]

    def walk(fields: list[dict[str, Any]], path: str) -> None:
        for entry in fields:
            name, spec = next(iter(entry.items()))
            assert spec.get("description"), f"{path}{name} has no description"
            if spec.get("type") == "record":
                walk(spec["fields"], f"{path}{name}.")

    walk(Schema, "config.")


def test_defaults_filled_like_kong() -> None:
    normalized, errors = validate_config(SCHEMA.config, {})
    assert errors == {}
    assert normalized["format"] == "openai-chat"
    assert normalized["max_body_bytes"] == 1048576
    assert normalized["max_depth"] == 32
    assert normalized["allowed_content_types"] == ["application/json"]
    assert normalized["injection"]["mode"] == "block"
    assert normalized["injection"]["threshold"] == 0.5
    assert normalized["ood"]["mode"] == "log"
    assert normalized["tenant_models"] is True


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        ({"format": "yaml"}, "format", "expected one of:"),
        ({"max_depth": 0}, "max_depth", "value should be between 1 and 128"),
        ({"max_body_bytes": 2**40}, "max_body_bytes", "value should be between"),
        ({"allowed_content_types": ["text plain"]}, "allowed_content_types", "invalid value"),
        ({"injection": {"mode": "shout"}}, "injection", "expected one of: off, log, block"),
        ({"max_tokens_action": "truncate"}, "max_tokens_action", "expected one of: reject, clamp"),
    ],
)
def test_kong_refuses_malformed_configs(config: dict[str, Any], field: str, message: str) -> None:
    _, errors = validate_config(SCHEMA.config, config)
    assert message in json.dumps(errors[field])


def test_the_custom_format_needs_a_schema() -> None:
    _, errors = validate_config(SCHEMA.config, {"format": "custom"})
    assert errors["custom_schema"] == "required field missing"
    assert errors["@entity"] == ["failed conditional validation given value of field 'format'"]


def test_a_valid_config_with_every_feature_compiles() -> None:
    plugin = Plugin(
        {
            "format": "custom",
            "custom_schema": json.dumps(
                {"type": "object", "properties": {"q": {"type": "string", "pattern": "^[a-z]+$"}}}
            ),
            "allowed_models": ["gpt-4o*"],
            "context_windows": {"my-model": 4096},
            "default_context_window": 8192,
            "max_tokens_ceiling": 1000,
            "max_tokens_action": "clamp",
            "deny_patterns": ["(?i)credit\\s+card"],
            "allow_patterns": ["(?i)weather"],
            "allowed_roles": ["user", "assistant"],
            "max_message_chars": 1000,
            "max_total_chars": 5000,
            "injection": {"mode": "log", "threshold": 0.7, "categories": ["instruction_override"]},
            "ood": {"mode": "block", "expected_scripts": ["Latin"]},
        }
    )
    assert plugin.settings.format.name == "custom"
    assert plugin.settings.context.window_of("my-model-v2") == 4096
