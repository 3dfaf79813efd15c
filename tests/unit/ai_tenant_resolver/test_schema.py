"""The plugin's module shape and schema: what Kong loads, the defaults it fills, the configs it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

import kong_plugins.ai_tenant_resolver as plugin_module
from kong_plugins.ai_tenant_resolver import SCHEMA_DUMP, Plugin, Schema
from kong_plugins.ai_tenant_resolver.path_pattern import DEFAULT_PATH_PATTERN
from kong_plugins.ai_tenant_resolver.schema import NAME, SCHEMA
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.redis import SENTINEL_UNSUPPORTED
from kong_plugins.core.schema import validate_config
from kong_plugins.server.registry import load_plugin_module

BAD_PEM = "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n"


def _config_fields(dump: dict[str, Any]) -> dict[str, Any]:
    return {next(iter(entry)): entry[next(iter(entry))] for entry in dump["fields"][0]["config"]["fields"]}


def test_module_exports_only_the_kong_pdk_surface() -> None:
    assert sorted(plugin_module.__all__) == ["Plugin", "SCHEMA_DUMP", "Schema", "priority", "version"]
    assert plugin_module.version == "0.1.0"
    assert plugin_module.priority == priority_of("ai-tenant-resolver") == 1010
    assert NAME == "ai-tenant-resolver"


def test_the_plugin_server_loads_it_with_the_access_phase_only() -> None:
    loaded = load_plugin_module("ai-tenant-resolver", "kong_plugins.ai_tenant_resolver")
    assert loaded.phases == ("access",)
    assert loaded.priority == 1010
    assert loaded.schema["name"] == "ai-tenant-resolver"
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
            elements = spec.get("elements") or {}
            if elements.get("type") == "record":
                walk(elements["fields"], f"{path}{name}[].")

    walk(Schema, "config.")


def test_defaults_filled_like_kong() -> None:
    normalized, errors = validate_config(SCHEMA.config, {"sources": ["header"]})
    assert errors == {}
    assert normalized["required"] is True
    assert normalized["header_name"] == "X-Tenant-ID"
    assert normalized["path_pattern"] == DEFAULT_PATH_PATTERN
    assert normalized["registry"] == "config"
    assert normalized["hide_credentials"] is True
    assert normalized["jwt"]["algorithms"] == ["RS256", "ES256"]
    assert normalized["jwt"]["required_claims"] == ["exp"]
    assert normalized["redis"]["port"] == 6379
    assert normalized["region_upstreams"] is None


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "sources"),
        ({"sources": []}, "sources"),
        ({"sources": ["cookie"]}, "sources"),
        ({"sources": ["header"], "registry": "ldap"}, "registry"),
        ({"sources": ["header"], "consumer_by": "username"}, "consumer_by"),
        ({"sources": ["header"], "header_name": "X Tenant"}, "header_name"),
        ({"sources": ["header"], "tenants": [{"status": "active"}]}, "tenants"),
        ({"sources": ["header"], "tenants": [{"id": "bad id"}]}, "tenants"),
        ({"sources": ["header"], "jwt": {"algorithms": ["none"]}}, "jwt"),
        ({"sources": ["header"], "jwt": {"leeway": 100000}}, "jwt"),
        ({"sources": ["header"], "cache_ttl": -1}, "cache_ttl"),
        ({"sources": ["header"], "redis": {"port": 70000}}, "redis"),
    ],
)
def test_the_schema_refuses_bad_fields(config: dict[str, Any], field: str) -> None:
    _, errors = validate_config(SCHEMA.config, config)
    assert field in errors


def test_the_jwt_source_needs_keys_at_the_admin_api() -> None:
    _, errors = validate_config(SCHEMA.config, {"sources": ["header", "jwt"]})
    assert errors["@entity"] == ["the jwt source needs at least one key in jwt.keys"]


# -- rules the schema cannot express, checked when the instance starts --------------------------------------


def _config_error(config: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ConfigError) as caught:
        Plugin(config)
    return caught.value.fields


def test_an_instance_refuses_a_config_the_schema_refuses() -> None:
    assert _config_error({"sources": ["cookie"]}) == {
        "config.sources.1": "expected one of: jwt, header, path, consumer, api_key"
    }


def test_an_instance_refuses_unusable_keys(rsa_keys: Any) -> None:
    fields = _config_error(
        {
            "sources": ["jwt"],
            "jwt": {
                "algorithms": ["RS256", "HS256"],
                "keys": [
                    {"kid": "a", "algorithm": "HS256", "key": "too-short"},
                    {"kid": "b", "algorithm": "RS256", "key": BAD_PEM},
                    {"kid": "c", "algorithm": "ES256", "key": rsa_keys.public_pem},
                    {"kid": "a", "algorithm": "RS256", "key": rsa_keys.public_pem},
                ],
            },
        }
    )
    assert set(fields) == {
        "config.jwt.keys.1.key",
        "config.jwt.keys.2.key",
        "config.jwt.keys.3.algorithm",
        "config.jwt.keys.4.kid",
    }


def test_an_instance_refuses_a_path_pattern_re2_cannot_run() -> None:
    # an escaped backslash before a look-ahead: Kong's Lua patterns let it through, RE2 refuses it
    fields = _config_error({"sources": ["path"], "path_pattern": r"^/(?P<tenant>a)\\(?=b)"})
    assert fields["config.path_pattern"].startswith(
        "not an RE2 regular expression (invalid perl operator: (?=)"
    )
    # `(` escaped: Kong's pattern sees a tenant group, RE2 sees a literal and an unmatched `)`
    fields = _config_error({"sources": ["path"], "path_pattern": r"^/t/\(?P<tenant>a)/"})
    assert "config.path_pattern" in fields


def test_a_pattern_that_backtracks_in_re_starts_and_matches_with_re2() -> None:
    plugin = Plugin({"sources": ["path"], "path_pattern": r"^/t/(?P<tenant>(a+)+)/"})
    assert plugin.settings.sources.path_pattern is not None
    assert plugin.settings.sources.path_pattern.search("/t/" + "a" * 4000 + "!") is None


# -- what Kong's schema now refuses at the Admin API (it used to pass Kong and fail StartInstance) ----------


SCHEMA_REFUSALS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "group-less path_pattern",
        {"sources": ["path"], "path_pattern": r"^/t/([^/]+)/"},
        {"path_pattern": "must have a named group 'tenant', e.g. (?P<tenant>[^/]{1,64})"},
    ),
    (
        "look-ahead in path_pattern",
        {"sources": ["path"], "path_pattern": r"^/t/(?P<tenant>[a-z]+)(?=/)"},
        {"path_pattern": "look-arounds ((?=, (?!, (?<=, (?<!) are not supported (RE2)"},
    ),
    (
        "back-reference in path_pattern",
        {"sources": ["path"], "path_pattern": r"^/(?P<tenant>[a-z]+)/\1/"},
        {"path_pattern": "back-references (\\1, (?P=name)) are not supported (RE2)"},
    ),
    (
        "RS256 key that is no PEM",
        {
            "sources": ["jwt"],
            "jwt": {"algorithms": ["RS256"], "keys": [{"kid": "k", "algorithm": "RS256", "key": "x"}]},
        },
        {
            "jwt": {
                "keys": [
                    {
                        "key": "expected a PEM public key (-----BEGIN PUBLIC KEY-----) or a public JWK",
                        "@entity": ["RS*, PS*, ES* and EdDSA keys are PEM public keys or public JWKs"],
                    }
                ]
            }
        },
    ),
    (
        "RS256 private key",
        {
            "sources": ["jwt"],
            "jwt": {
                "algorithms": ["RS256"],
                "keys": [{"kid": "k", "algorithm": "RS256", "key": "-----BEGIN PRIVATE KEY-----\nMII\n"}],
            },
        },
        {
            "jwt": {
                "keys": [
                    {
                        "key": "give the public key, not the private key",
                        "@entity": ["RS*, PS*, ES* and EdDSA keys are PEM public keys or public JWKs"],
                    }
                ]
            }
        },
    ),
    (
        "sentinel fields",
        {"sources": ["header"], "redis": {"sentinel_master": "mymaster", "sentinel_role": "master"}},
        {"redis": {"sentinel_master": SENTINEL_UNSUPPORTED, "sentinel_role": SENTINEL_UNSUPPORTED}},
    ),
    (
        "cluster and sentinel together",
        {
            "sources": ["api_key"],
            "redis": {
                "cluster_nodes": [{"ip": "127.0.0.1", "port": 7000}],
                "sentinel_nodes": [{"host": "127.0.0.1", "port": 26379}],
            },
        },
        {"redis": {"sentinel_nodes": SENTINEL_UNSUPPORTED}},
    ),
    (
        "HS256 secret that is a public key",
        {
            "sources": ["jwt"],
            "jwt": {
                "algorithms": ["HS256"],
                "keys": [{"kid": "k", "algorithm": "HS256", "key": BAD_PEM}],
            },
        },
        {
            "jwt": {
                "keys": [
                    {
                        "key": "expected a shared secret, not a public key",
                        "@entity": ["HS256, HS384 and HS512 keys are shared secrets (or oct JWKs)"],
                    }
                ]
            }
        },
    ),
    (
        "redis cluster with database 1, port and timeout 0",
        {
            "sources": ["api_key"],
            "redis": {
                "cluster_nodes": [{"ip": "127.0.0.1", "port": 0}],
                "database": 1,
                "port": 0,
                "connect_timeout": 0,
            },
        },
        {
            "redis": {
                "cluster_nodes": [{"port": "value must be greater than 0"}],
                "port": "value must be greater than 0",
                "connect_timeout": "value must be greater than 0",
            }
        },
    ),
    (
        "redis cluster with database 1",
        {
            "sources": ["api_key"],
            "redis": {"cluster_nodes": [{"ip": "127.0.0.1", "port": 7000}], "database": 1},
        },
        {"redis": {"database": "expected one of: 0", "@entity": ["Redis Cluster only has database 0"]}},
    ),
]


@pytest.mark.parametrize(("kind", "config", "errors"), SCHEMA_REFUSALS, ids=[c[0] for c in SCHEMA_REFUSALS])
def test_kongs_schema_refuses_what_the_instance_would_refuse(
    kind: str, config: dict[str, Any], errors: dict[str, Any]
) -> None:
    assert validate_config(SCHEMA.config, config)[1] == errors
    with pytest.raises(ConfigError):
        Plugin(config)


def test_an_asymmetric_key_given_as_a_vault_reference_is_left_to_the_instance() -> None:
    config = {
        "sources": ["jwt"],
        "jwt": {
            "algorithms": ["RS256"],
            "keys": [{"kid": "k", "algorithm": "RS256", "key": "{vault://env/k}"}],
        },
    }
    assert validate_config(SCHEMA.config, config)[1] == {}


def test_an_instance_refuses_inconsistent_registries_and_headers() -> None:
    duplicate = _config_error({"sources": ["header"], "tenants": [{"id": "acme"}, {"id": "acme"}]})
    assert "config.tenants.2.id" in duplicate
    assert "config.tenants" in _config_error(
        {"sources": ["header"], "registry": "redis", "tenants": [{"id": "a"}]}
    )
    assert "config.header_name" in _config_error({"sources": ["header"], "header_name": "X-Tenant-Region"})
    clash = _config_error({"sources": ["header"], "api_key_header": "X-Tenant-ID"})
    assert "config.api_key_header" in clash


def test_an_instance_refuses_bad_redis_settings_only_when_redis_is_used() -> None:
    assert "config.redis.cluster_nodes.1.ip" in _config_error(
        {"sources": ["api_key"], "redis": {"cluster_nodes": [{"ip": "bad host!", "port": 7000}]}}
    )
    Plugin({"sources": ["header"], "redis": {"cluster_nodes": [{"ip": "bad host!", "port": 7000}]}})


def test_a_valid_instance_starts_without_redis_running() -> None:
    plugin = Plugin({"sources": ["api_key"], "registry": "redis", "redis": {"host": "127.0.0.1", "port": 1}})
    assert plugin.settings.sources.sources == ("api_key",)


def test_kong_config_extras_are_accepted() -> None:
    plugin = Plugin(
        {
            "sources": ["header"],
            "route_id": "4a1f5a8e-0d2b-4c52-9a3e-7f00e0000001",
            "__plugin_id": "0a0a0a0a-0000-4000-8000-000000000001",
            "__seq__": 1,
            "__key__": "plugins:ai-tenant-resolver:...",
            "__ws_id": "99999999-8888-4777-8666-555555555555",
        }
    )
    assert plugin.plugin_id == "0a0a0a0a-0000-4000-8000-000000000001"


def test_the_config_fields_use_kongs_words() -> None:
    fields = _config_fields(SCHEMA_DUMP)
    for name in ("sources", "header_name", "hide_credentials", "redis", "namespace", "jwt", "tenants"):
        assert name in fields
