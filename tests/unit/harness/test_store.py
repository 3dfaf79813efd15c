"""The emulated Kong's entity store: Kong's generated fields and defaults, DAO errors, plugin scoping."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from harness.store import (
    DEFAULT_WORKSPACE_ID,
    EntityError,
    PluginCatalog,
    Store,
    plugin_cache_key,
)

WIRE = Path(__file__).resolve().parents[2] / "data" / "kong-wire"


@dataclass
class FakePlugin:
    """A catalog entry, as a plugin server's dump describes a plugin."""

    name: str
    schema: dict[str, Any]
    priority: int = 1000
    version: str = "1.0.0"
    phases: list[str] = field(default_factory=lambda: ["access"])


def demo_catalog() -> PluginCatalog:
    config = {
        "type": "record",
        "fields": [
            {"tier": {"type": "string", "default": "free", "one_of": ["free", "pro"]}},
            {"limits": {"type": "array", "elements": {"type": "integer"}, "default": [10]}},
        ],
    }
    return PluginCatalog({"demo": FakePlugin("demo", {"name": "demo", "fields": [{"config": config}]})})


@pytest.fixture
def store() -> Store:
    return Store()


def error_of(action: Any) -> EntityError:
    with pytest.raises(EntityError) as info:
        action()
    return info.value


# ----------------------------------------------------------------------------------------- entities


def test_service_gets_kong_generated_fields_and_defaults(store: Store) -> None:
    service = store.insert("services", {"name": "llm", "host": "upstream.internal"})
    assert len(service["id"]) == 36 and isinstance(service["created_at"], int)
    assert service["updated_at"] == service["created_at"]
    assert {
        k: service[k]
        for k in (
            "protocol",
            "port",
            "retries",
            "path",
            "connect_timeout",
            "write_timeout",
            "read_timeout",
            "enabled",
            "tags",
        )
    } == {
        "protocol": "http",
        "port": 80,
        "retries": 5,
        "path": None,
        "connect_timeout": 60000,
        "write_timeout": 60000,
        "read_timeout": 60000,
        "enabled": True,
        "tags": None,
    }


def test_service_url_shorthand_sets_protocol_host_port_and_path(store: Store) -> None:
    service = store.insert("services", {"url": "https://api.example.com/v1/chat"})
    assert (service["protocol"], service["host"], service["port"], service["path"]) == (
        "https",
        "api.example.com",
        443,
        "/v1/chat",
    )
    assert "url" not in service


def test_route_defaults(store: Store) -> None:
    route = store.insert("routes", {"paths": ["/chat"]})
    assert {
        k: route[k]
        for k in (
            "protocols",
            "strip_path",
            "preserve_host",
            "path_handling",
            "https_redirect_status_code",
            "regex_priority",
            "request_buffering",
            "response_buffering",
            "service",
            "hosts",
            "methods",
        )
    } == {
        "protocols": ["http", "https"],
        "strip_path": True,
        "preserve_host": False,
        "path_handling": "v0",
        "https_redirect_status_code": 426,
        "regex_priority": 0,
        "request_buffering": True,
        "response_buffering": True,
        "service": None,
        "hosts": None,
        "methods": None,
    }


def test_upstream_and_target_defaults(store: Store) -> None:
    upstream = store.insert("upstreams", {"name": "llm-pool"})
    assert upstream["algorithm"] == "round-robin" and upstream["slots"] == 10000
    assert upstream["healthchecks"]["active"]["healthy"]["http_statuses"] == [200, 302]
    target = store.insert("targets", {"upstream": {"id": upstream["id"]}, "target": "10.0.0.7"})
    assert target["target"] == "10.0.0.7:8000" and target["weight"] == 100
    assert isinstance(target["created_at"], float)
    found = store.upstream_by_name("llm-pool")
    assert found is not None and [t["target"] for t in found["targets"]] == ["10.0.0.7:8000"]


def test_schema_violation_lists_every_field_error(store: Store) -> None:
    error = error_of(lambda: store.insert("services", {"port": 70000, "colour": "blue"}))
    assert error.http_status == 400
    assert error.body() == {
        "code": 2,
        "name": "schema violation",
        "message": "3 schema violations (colour: unknown field; host: required field missing; "
        "port: value should be between 0 and 65535)",
        "fields": {
            "colour": "unknown field",
            "host": "required field missing",
            "port": "value should be between 0 and 65535",
        },
    }


def test_route_needs_a_matching_condition(store: Store) -> None:
    error = error_of(lambda: store.insert("routes", {"name": "nothing"}))
    assert error.fields == {
        "@entity": [
            "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
        ]
    }


def test_route_path_must_be_normalized_or_a_regex(store: Store) -> None:
    error = error_of(lambda: store.insert("routes", {"paths": ["/a/../b", "api"]}))
    assert error.fields == {
        "paths": [
            "non-normalized path, consider use '/b' instead",
            "should start with: / (fixed path) or ~/ (regex path)",
        ]
    }


def test_consumer_needs_username_or_custom_id(store: Store) -> None:
    error = error_of(lambda: store.insert("consumers", {"tags": ["x"]}))
    assert error.fields == {
        "@entity": ["at least one of these fields must be non-empty: 'custom_id', 'username'"]
    }


def test_unique_violation_is_a_409(store: Store) -> None:
    store.insert("services", {"name": "llm", "host": "a"})
    error = error_of(lambda: store.insert("services", {"name": "llm", "host": "b"}))
    assert (error.http_status, error.body()) == (
        409,
        {
            "code": 5,
            "name": "unique constraint violation",
            "message": "UNIQUE violation detected on '{name=\"llm\"}'",
            "fields": {"name": "llm"},
        },
    )


def test_foreign_key_by_name_is_resolved_and_a_missing_one_rejected(store: Store) -> None:
    service = store.insert("services", {"name": "llm", "host": "a"})
    route = store.insert("routes", {"paths": ["/x"], "service": {"name": "llm"}})
    assert route["service"] == {"id": service["id"]}
    unresolved = error_of(lambda: store.insert("routes", {"paths": ["/y"], "service": {"name": "nope"}}))
    assert (unresolved.code, unresolved.http_status) == (13, 400)
    missing_id = "5b2f6b9f-1e3c-4d63-8b4f-8f00f0000009"
    violation = error_of(lambda: store.insert("routes", {"paths": ["/y"], "service": {"id": missing_id}}))
    assert violation.body() == {
        "code": 4,
        "name": "foreign key violation",
        "message": f"the foreign key '{{id=\"{missing_id}\"}}' does not reference an existing "
        "'services' entity.",
        "fields": {"service": {"id": missing_id}},
    }


def test_lookup_by_id_or_endpoint_key(store: Store) -> None:
    service = store.insert("services", {"name": "llm", "host": "a"})
    consumer = store.insert("consumers", {"username": "alice"})
    assert store.get("services", "llm") == store.get("services", service["id"]) == service
    assert store.get("consumers", "alice") == consumer
    assert store.get("services", "missing") is None


def test_update_merges_and_refreshes_updated_at() -> None:
    now = [1000.0]
    store = Store(clock=lambda: now[0])
    upstream = store.insert("upstreams", {"name": "pool"})
    now[0] = 2000.0
    updated = store.update("upstreams", "pool", {"healthchecks": {"active": {"timeout": 5}}})
    assert updated["healthchecks"]["active"]["timeout"] == 5
    assert updated["healthchecks"]["active"]["concurrency"] == 10  # the rest of the record is kept
    assert (updated["created_at"], updated["updated_at"]) == (upstream["created_at"], 2000)


def test_update_of_a_missing_entity_is_not_found(store: Store) -> None:
    error = error_of(lambda: store.update("services", "ghost", {"port": 81}))
    assert (error.http_status, error.code, error.message) == (
        404,
        6,
        "could not find the entity with '{name=\"ghost\"}'",
    )


def test_deleting_a_consumer_cascades_to_its_credentials_and_plugins(store: Store) -> None:
    consumer = store.insert("consumers", {"username": "alice"})
    store.insert("keyauth_credentials", {"consumer": {"id": consumer["id"]}, "key": "k1"})
    store.insert("plugins", {"name": "demo", "consumer": {"id": consumer["id"]}})
    assert store.delete("consumers", "alice") is True
    assert store.list("keyauth_credentials") == [] and store.plugins() == []
    assert store.delete("consumers", "alice") is False


def test_a_service_still_used_by_routes_cannot_be_deleted(store: Store) -> None:
    service = store.insert("services", {"name": "llm", "host": "a"})
    store.insert("routes", {"paths": ["/x"], "service": {"id": service["id"]}})
    error = error_of(lambda: store.delete("services", "llm"))
    assert error.body() == {
        "code": 4,
        "name": "foreign key violation",
        "message": "an existing 'routes' entity references this 'services' entity",
        "fields": {"@referenced_by": "routes"},
    }
    assert store.get("services", "llm") is not None


def test_every_change_bumps_the_version(store: Store) -> None:
    versions = [store.version]
    store.insert("services", {"name": "a", "host": "a"})
    versions.append(store.version)
    store.update("services", "a", {"port": 81})
    versions.append(store.version)
    store.delete("services", "a")
    versions.append(store.version)
    assert versions == sorted(set(versions)) and len(versions) == 4


def test_concurrent_writers_lose_nothing(store: Store) -> None:
    def writer(n: int) -> None:
        for i in range(50):
            store.insert("consumers", {"username": f"user-{n}-{i}"})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.consumers()) == 400 and store.version == 400


def test_expired_key_auth_credential_is_not_found() -> None:
    now = [100.0]
    store = Store(clock=lambda: now[0])
    consumer = store.insert("consumers", {"username": "alice"})
    created = store.insert("keyauth_credentials", {"consumer": {"id": consumer["id"]}, "key": "k", "ttl": 10})
    assert created["ttl"] == 10
    assert store.keyauth_credential_by_key("k") is not None
    now[0] = 111.0
    assert store.keyauth_credential_by_key("k") is None


def test_load_consumer_drops_nulls_and_searches_usernames_only_when_asked(store: Store) -> None:
    consumer = store.insert("consumers", {"username": "alice"})
    assert store.load_consumer(consumer["id"]) == {
        "id": consumer["id"],
        "username": "alice",
        "created_at": consumer["created_at"],
        "updated_at": consumer["updated_at"],
    }
    assert store.load_consumer("alice") is None
    assert store.load_consumer("alice", True) == store.load_consumer(consumer["id"])


# ----------------------------------------------------------------------------------------- plugins


def test_plugin_config_is_validated_and_normalized_with_the_plugins_schema(store: Store) -> None:
    plugin = store.insert("plugins", {"name": "demo", "config": {"tier": "pro"}}, plugins=demo_catalog())
    assert plugin["config"] == {"tier": "pro", "limits": [10]}
    assert plugin["protocols"] == ["grpc", "grpcs", "http", "https"] and plugin["enabled"] is True
    error = error_of(
        lambda: store.insert("plugins", {"name": "demo", "config": {"tier": "gold"}}, plugins=demo_catalog())
    )
    assert error.fields == {"config": {"tier": "expected one of: free, pro"}}


def test_unknown_plugin_name_is_refused_like_kong(store: Store) -> None:
    error = error_of(lambda: store.insert("plugins", {"name": "nope"}, plugins=demo_catalog()))
    assert error.fields == {
        "name": "plugin 'nope' not enabled; add it to the 'plugins' configuration property"
    }


def test_plugin_patch_merges_config_and_revalidates(store: Store) -> None:
    catalog = demo_catalog()
    plugin = store.insert(
        "plugins", {"name": "demo", "config": {"tier": "pro", "limits": [1, 2]}}, plugins=catalog
    )
    updated = store.update("plugins", plugin["id"], {"config": {"limits": [5]}}, plugins=catalog)
    assert updated["config"] == {"tier": "pro", "limits": [5]}
    error = error_of(
        lambda: store.update("plugins", plugin["id"], {"config": {"limits": ["x"]}}, plugins=catalog)
    )
    assert error.fields == {"config": {"limits": ["expected an integer"]}}


SCOPES = [  # kong-protocol.md §7, most specific first
    ("route", "service", "consumer"),
    ("route", "consumer"),
    ("service", "consumer"),
    ("route", "service"),
    ("consumer",),
    ("route",),
    ("service",),
    (),
]


@pytest.fixture
def scoped() -> tuple[Store, dict[str, str], dict[tuple[str, ...], str]]:
    """A route, its service and a consumer, with one ``demo`` plugin at each of the eight scopes."""
    store = Store()
    service = store.insert("services", {"name": "svc", "host": "a"})
    route = store.insert("routes", {"name": "r", "paths": ["/"], "service": {"id": service["id"]}})
    consumer = store.insert("consumers", {"username": "alice"})
    ids = {"route": route["id"], "service": service["id"], "consumer": consumer["id"]}
    by_scope = {}
    for scope in SCOPES:
        plugin = store.insert("plugins", {"name": "demo", **{k: {"id": ids[k]} for k in scope}})
        by_scope[scope] = plugin["id"]
    return store, ids, by_scope


def test_the_most_specific_plugin_config_wins_at_every_level(scoped: Any) -> None:
    store, ids, by_scope = scoped
    for scope in SCOPES:
        chosen = store.plugins_for(ids["route"], ids["service"], ids["consumer"])["demo"]
        assert chosen["id"] == by_scope[scope], scope
        store.delete("plugins", chosen["id"])
    assert store.plugins_for(ids["route"], ids["service"], ids["consumer"]) == {}


@pytest.mark.parametrize(
    ("route", "service", "consumer", "expected"),
    [
        (True, True, False, ("route", "service")),
        (True, False, True, ("route", "consumer")),
        (False, True, True, ("service", "consumer")),
        (False, False, True, ("consumer",)),
        (True, False, False, ("route",)),
        (False, True, False, ("service",)),
        (False, False, False, ()),
    ],
)
def test_scopes_apply_only_to_what_the_request_has(
    scoped: Any, route: bool, service: bool, consumer: bool, expected: tuple[str, ...]
) -> None:
    store, ids, by_scope = scoped
    chosen = store.plugin_for(
        "demo",
        ids["route"] if route else None,
        ids["service"] if service else None,
        ids["consumer"] if consumer else None,
    )
    assert chosen is not None and chosen["id"] == by_scope[expected]


def test_another_routes_plugin_never_applies(scoped: Any) -> None:
    store, _, _ = scoped
    other = store.insert("routes", {"paths": ["/other"]})
    for plugin in store.plugins():
        if plugin["route"] is None and plugin["service"] is None and plugin["consumer"] is None:
            store.delete("plugins", plugin["id"])
    assert store.plugin_for("demo", other["id"], None, None) is None


def test_disabled_and_stream_only_plugins_do_not_apply(store: Store) -> None:
    store.insert("plugins", {"name": "off", "enabled": False})
    store.insert("plugins", {"name": "tcp-only", "protocols": ["tcp"]})
    store.insert("plugins", {"name": "on"})
    assert list(store.global_plugins()) == ["on"]
    assert store.global_plugin("off") is None and store.global_plugin("on") is not None


def test_config_json_extras_follow_kong(store: Store) -> None:
    route = store.insert("routes", {"paths": ["/"]})
    plugin = store.insert(
        "plugins", {"name": "demo", "instance_name": "demo-1", "route": {"id": route["id"]}}
    )
    extras = store.plugin_config_json_extras(plugin)
    assert extras == {
        "route_id": route["id"],
        "plugin_instance_name": "demo-1",
        "__plugin_id": plugin["id"],
        "__key__": f"plugins:demo:{route['id']}::::{DEFAULT_WORKSPACE_ID}",
        "__seq__": extras["__seq__"],
        "__ws_id": DEFAULT_WORKSPACE_ID,
    }


def test_seq_changes_only_when_the_store_changed(store: Store) -> None:
    plugin = store.insert("plugins", {"name": "demo"})
    first = store.plugin_config_json_extras(plugin)["__seq__"]
    assert store.plugin_config_json_extras(plugin)["__seq__"] == first
    store.insert("consumers", {"username": "bob"})
    assert store.plugin_config_json_extras(plugin)["__seq__"] != first


def test_instance_config_leaves_db_nulls_out(store: Store) -> None:
    catalog = PluginCatalog(
        {
            "demo": FakePlugin(
                "demo",
                {
                    "fields": [
                        {
                            "config": {
                                "type": "record",
                                "fields": [{"access": {"type": "string"}}, {"log": {"type": "string"}}],
                            }
                        }
                    ]
                },
            )
        }
    )
    plugin = store.insert("plugins", {"name": "demo", "config": {"access": "[]"}}, plugins=catalog)
    assert plugin["config"] == {"access": "[]", "log": None}
    config = store.instance_config(plugin)
    assert config["access"] == "[]" and "log" not in config


def _start_instance_config(recording: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = json.loads((WIRE / recording).read_text())
    start = next(f["msg"] for f in data["frames"] if f["msg"][2:3] == ["plugin.StartInstance"])
    return data, json.loads(start[3][0]["Config"])


@pytest.mark.parametrize("recording", ["01-access-request-line-getters.json", "19-rewrite-exit-global.json"])
def test_config_json_matches_the_recorded_start_instance(recording: str) -> None:
    data, recorded = _start_instance_config(recording)
    kong = data["kong_config"]
    store = Store(workspace_id=kong["workspace_id"])
    store.put_raw("services", kong["service"])
    store.put_raw("routes", {**kong["route"], "service": {"id": kong["service"]["id"]}})
    spec = data["plugins"][0]
    plugin = store.put_raw(
        "plugins",
        {
            "id": spec["id"],
            "name": spec["name"],
            "config": {"rewrite": None, "access": None, "response": None, "log": None, **spec["config"]},
            "route": None if spec["global"] else {"id": kong["route"]["id"]},
            "service": None,
            "consumer": None,
            "enabled": True,
            "protocols": ["grpc", "grpcs", "http", "https"],
        },
    )
    ours = store.instance_config(plugin)
    assert {k: v for k, v in ours.items() if k != "__seq__"} == {
        k: v for k, v in recorded.items() if k != "__seq__"
    }
    assert isinstance(ours["__seq__"], int)


def test_cache_key_shape() -> None:
    assert plugin_cache_key("p", None, None, None, "ws") == "plugins:p:::::ws"
    assert plugin_cache_key("p", "r", "s", "c", "ws") == "plugins:p:r:s:c::ws"
