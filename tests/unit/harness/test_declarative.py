"""Loading deck files into the emulated Kong, as DB-less Kong's declarative loader does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from harness import bundled_plugins, declarative, router
from harness.declarative import DeclarativeError
from harness.store import Store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@dataclass
class FakePlugin:
    name: str
    schema: dict[str, Any]
    priority: int = 1004
    version: str = "0.1.0"
    phases: list[str] = field(default_factory=lambda: ["access"])
    is_external: bool = True


LIMITER = FakePlugin(
    "ai-token-limiter",
    {
        "name": "ai-token-limiter",
        "fields": [
            {
                "config": {
                    "type": "record",
                    "fields": [
                        {"limit": {"type": "integer", "default": 1000, "between": [1, 1000000]}},
                        {"window": {"type": "string", "default": "minute", "one_of": ["minute", "hour"]}},
                        {
                            "redis": {
                                "type": "record",
                                "fields": [
                                    {"host": {"type": "string", "default": "127.0.0.1"}},
                                    {"port": {"type": "integer", "default": 6379}},
                                ],
                            }
                        },
                    ],
                }
            }
        ],
    },
)


@pytest.fixture
def catalog() -> dict[str, Any]:
    return {"ai-token-limiter": LIMITER, **bundled_plugins.make_bundled()}


REALISTIC = """
_format_version: "3.0"
_transform: true
services:
- name: llm
  url: http://127.0.0.1:9000/v1
  tags: [ai]
  routes:
  - name: chat
    paths: [/chat]
    methods: [POST]
    plugins:
    - name: key-auth
      config:
        key_names: [x-api-key]
  - name: embeddings
    paths: [/embeddings]
  plugins:
  - name: ai-token-limiter
    config: {limit: 50}
consumers:
- username: acme
  custom_id: tenant-acme
  keyauth_credentials:
  - key: acme-key
  jwt_secrets:
  - key: acme-issuer
    secret: s3cr3t
  plugins:
  - name: ai-token-limiter
    config: {limit: 5000, window: hour}
upstreams:
- name: llm-pool
  targets:
  - target: 10.0.0.1:9000
  - target: 10.0.0.2
    weight: 50
plugins:
- name: ai-token-limiter
  route: embeddings
  consumer: acme
  config: {limit: 7}
- name: jwt
  service: llm
  enabled: false
"""


def load(text: str, catalog: dict[str, Any], store: Store | None = None, **kwargs: Any) -> Store:
    store = store or Store()
    declarative.load_string(store, text, catalog, **kwargs)
    return store


def test_realistic_file_loads_every_entity(catalog: dict[str, Any]) -> None:
    store = load(REALISTIC, catalog)
    service = store.get("services", "llm")
    assert service is not None and (service["host"], service["port"], service["path"], service["tags"]) == (
        "127.0.0.1",
        9000,
        "/v1",
        ["ai"],
    )
    chat, embeddings = store.get("routes", "chat"), store.get("routes", "embeddings")
    assert chat is not None and embeddings is not None
    assert chat["service"] == embeddings["service"] == {"id": service["id"]}
    consumer = store.get("consumers", "acme")
    assert consumer is not None and consumer["custom_id"] == "tenant-acme"
    credential = store.keyauth_credential_by_key("acme-key")
    assert credential is not None and credential["consumer"] == {"id": consumer["id"]}
    secret = store.jwt_secret_by_key("acme-issuer")
    assert secret is not None and (secret["secret"], secret["algorithm"]) == ("s3cr3t", "HS256")
    pool = store.upstream_by_name("llm-pool")
    assert pool is not None and sorted((t["target"], t["weight"]) for t in pool["targets"]) == [
        ("10.0.0.1:9000", 100),
        ("10.0.0.2:8000", 50),
    ]


def test_plugins_get_their_scope_and_normalized_config(catalog: dict[str, Any]) -> None:
    store = load(REALISTIC, catalog)
    ids = {
        "route": store.get("routes", "embeddings")["id"],
        "service": store.get("services", "llm")["id"],  # type: ignore[index]
        "consumer": store.get("consumers", "acme")["id"],
    }  # type: ignore[index]
    on_route = store.plugin_for("key-auth", store.get("routes", "chat")["id"], ids["service"], None)  # type: ignore[index]
    assert on_route is not None and on_route["config"]["key_names"] == ["x-api-key"]
    assert on_route["config"]["hide_credentials"] is False  # key-auth's defaults filled in
    limiter = store.plugins_for(ids["route"], ids["service"], ids["consumer"])["ai-token-limiter"]
    assert limiter["config"] == {"limit": 7, "window": "minute", "redis": {"host": "127.0.0.1", "port": 6379}}
    assert store.plugin_for("ai-token-limiter", None, ids["service"], None)["config"]["limit"] == 50  # type: ignore[index]
    assert store.plugin_for("ai-token-limiter", None, None, ids["consumer"])["config"]["window"] == "hour"  # type: ignore[index]
    assert store.plugin_for("jwt", None, ids["service"], None) is None  # enabled: false


def test_loaded_routes_are_routed(catalog: dict[str, Any]) -> None:
    store = load(REALISTIC, catalog)
    result = router.match(store, "POST", "gw", "/chat/completions", [])
    assert result is not None and result.route["name"] == "chat" and result.upstream_path == "/v1/completions"
    assert router.match(store, "GET", "gw", "/chat", []) is None  # POST only


def test_ids_are_deterministic_across_reloads(catalog: dict[str, Any]) -> None:
    first, second = load(REALISTIC, catalog), load(REALISTIC, catalog)
    for kind in ("services", "routes", "consumers", "upstreams", "targets", "plugins"):
        assert sorted(e["id"] for e in first.list(kind)) == sorted(e["id"] for e in second.list(kind)), kind


def test_reload_replaces_everything_and_bumps_the_version(catalog: dict[str, Any]) -> None:
    store = load(REALISTIC, catalog)
    before = store.version
    load(
        '{"_format_version": "3.0", "services": [{"name": "only", "host": "x"}]}',
        catalog,
        store,
        filename="kong.json",
    )
    assert store.version > before
    assert [s["name"] for s in store.services()] == ["only"] and store.plugins() == []


def test_json_files_load_too(catalog: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "kong.json"
    path.write_text(json.dumps({"_format_version": "3.0", "consumers": [{"username": "bob"}]}))
    store = Store()
    declarative.load_file(store, path, catalog)
    assert [c["username"] for c in store.consumers()] == ["bob"]


def test_top_level_entities_reference_by_id_too(catalog: dict[str, Any]) -> None:
    sid = "5b2f6b9f-1e3c-4d63-8b4f-8f00f0000001"
    store = load(
        f"""
_format_version: "3.0"
services: [{{id: {sid}, host: a}}]
routes: [{{name: r, paths: [/], service: {sid}}}]
""",
        catalog,
    )
    assert store.get("routes", "r")["service"] == {"id": sid}  # type: ignore[index]


def test_format_2_1_regex_paths_are_migrated(catalog: dict[str, Any]) -> None:
    store = load(
        """
_format_version: "2.1"
services: [{name: s, host: a, routes: [{name: r, paths: ["/users/\\\\d+$", "/plain"]}]}]
""",
        catalog,
    )
    assert store.get("routes", "r")["paths"] == ["~/users/\\d+$", "/plain"]  # type: ignore[index]


# ----------------------------------------------------------------------------------------- errors


def load_error(text: str, catalog: dict[str, Any], **kwargs: Any) -> str:
    with pytest.raises(DeclarativeError) as info:
        load(text, catalog, **kwargs)
    return str(info.value)


def test_schema_errors_are_pretty_printed_with_the_entity_path(catalog: dict[str, Any]) -> None:
    message = load_error(
        """
_format_version: "3.0"
services:
- name: llm
  routes:
  - name: chat
    paths: [chat]
    plugins:
    - name: ai-token-limiter
      config: {limit: 0, window: day}
""",
        catalog,
    )
    assert message == "\n".join(
        [
            "in 'services':",
            "  - in entry 1 of 'services':",
            "    in 'host': required field missing",
            "    in 'routes':",
            "      - in entry 1 of 'routes':",
            "        in 'paths':",
            "          - in entry 1 of 'paths': should start with: / (fixed path) or ~/ (regex path)",
            "        in 'plugins':",
            "          - in entry 1 of 'plugins':",
            "            in 'config':",
            "              in 'limit': value should be between 1 and 1000000",
            "              in 'window': expected one of: minute, hour",
        ]
    )


def test_unknown_plugin_is_not_enabled(catalog: dict[str, Any]) -> None:
    message = load_error(
        '{"_format_version": "3.0", "plugins": [{"name": "rate-limiting"}]}', catalog, filename="kong.json"
    )
    assert message == (
        "in 'plugins':\n  - in entry 1 of 'plugins':\n    in 'name': plugin 'rate-limiting' not "
        "enabled; add it to the 'plugins' configuration property"
    )


def test_invalid_reference(catalog: dict[str, Any]) -> None:
    message = load_error(
        """
_format_version: "3.0"
routes: [{name: r, paths: [/], service: ghost}]
""",
        catalog,
    )
    assert message == (
        "in 'routes':\n  in 'r':\n    - in entry 1 of 'r': invalid reference 'service: ghost' "
        "(no such entry in 'services')"
    )


def test_duplicate_names_are_a_uniqueness_violation(catalog: dict[str, Any]) -> None:
    message = load_error(
        """
_format_version: "3.0"
consumers: [{username: a, custom_id: same}, {username: b, custom_id: same}]
""",
        catalog,
    )
    assert "uniqueness violation: 'consumers' entity with custom_id set to 'same' already declared" in message


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("services: []", None, "in '_format_version': required field missing"),
        ('_format_version: "4.0"', None, "in '_format_version': expected one of: 1.1, 2.1, 3.0"),
        (
            '{"_format_version": "3.0", "snis": []}',
            "kong.json",
            "in 'snis': not supported by the emulated gateway",
        ),
        ('_format_version: "3.0"\nfoo: 1', None, "in 'foo': unknown field"),
        ("- just\n- a list", None, "failed parsing declarative configuration: expected an object"),
        ("services: [", "kong.yml", "failed parsing declarative configuration: while parsing"),
        ("{}", "kong.toml", "unknown file type: kong.toml. (Accepted types: json, yaml)"),
    ],
)
def test_bad_files(catalog: dict[str, Any], text: str, filename: str | None, expected: str) -> None:
    assert load_error(text, catalog, filename=filename).startswith(expected)


def test_a_failed_load_leaves_the_store_as_it_was(catalog: dict[str, Any]) -> None:
    store = load(REALISTIC, catalog)
    version, services = store.version, store.services()
    with pytest.raises(DeclarativeError):
        load('_format_version: "3.0"\nservices: [{name: broken}]', catalog, store)
    assert (store.version, store.services()) == (version, services)


def test_missing_file_is_a_clear_error(catalog: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(DeclarativeError, match="No such file"):
        declarative.load_file(Store(), tmp_path / "absent.yaml", catalog)


def test_yaml_alias_bombs_are_bounded(catalog: dict[str, Any]) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    levels += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(8)
    ]
    message = load_error('_format_version: "3.0"\n' + "\n".join(levels), catalog)
    assert message == "failed parsing declarative configuration: too large or nested too deeply"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
ENTITY_KEYS = st.sampled_from(
    [
        "name",
        "host",
        "url",
        "paths",
        "routes",
        "plugins",
        "service",
        "route",
        "config",
        "consumer",
        "username",
        "targets",
        "target",
        "keyauth_credentials",
        "id",
        "tags",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["services", "routes", "consumers", "plugins", "upstreams"]),
        st.lists(st.dictionaries(ENTITY_KEYS, JSON_VALUES, max_size=4), max_size=3),
        max_size=3,
    )
)
def test_any_shape_of_input_gives_a_declarative_error_or_loads(entities: dict[str, Any]) -> None:
    catalog = {"ai-token-limiter": LIMITER, **bundled_plugins.make_bundled()}
    try:
        load(json.dumps({"_format_version": "3.0", **entities}), catalog, filename="kong.json")
    except DeclarativeError as exc:
        assert str(exc)
