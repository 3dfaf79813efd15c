"""The emulated Kong Admin API: endpoints, status codes and error bodies as Kong 3.9.1 answers them."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import pytest
from harness import bundled_plugins
from harness.admin import AdminApi
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
                        {
                            "sources": {
                                "type": "array",
                                "elements": {"type": "string", "one_of": ["header", "jwt"]},
                                "default": ["header"],
                            }
                        },
                        {
                            "redis": {
                                "type": "record",
                                "fields": [
                                    {"host": {"type": "string", "default": "127.0.0.1"}},
                                    {"port": {"type": "integer", "default": 6379}},
                                    {"ssl": {"type": "boolean", "default": False}},
                                ],
                            }
                        },
                    ],
                }
            }
        ],
    },
)


class Client:
    """Calls AdminApi.handle like an HTTP client would."""

    def __init__(self, api: AdminApi) -> None:
        self.api = api

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        form: bool = False,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        path, _, query = path.partition("?")
        hdrs = dict(headers or {})
        data = b""
        if raw is not None:
            data = raw
        elif body is not None and form:
            data = urllib.parse.urlencode(body).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        status, out_headers, out = self.api.handle(method, path, query, hdrs, data)
        return status, json.loads(out) if out else None, dict(out_headers)

    def get(self, path: str) -> tuple[int, Any]:
        status, body, _ = self.request("GET", path)
        return status, body

    def post(self, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        status, data, _ = self.request("POST", path, body, **kwargs)
        return status, data

    def patch(self, path: str, body: Any, **kwargs: Any) -> tuple[int, Any]:
        status, data, _ = self.request("PATCH", path, body, **kwargs)
        return status, data

    def delete(self, path: str) -> tuple[int, Any]:
        status, data, _ = self.request("DELETE", path)
        return status, data


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def client(store: Store) -> Client:
    return Client(AdminApi(store, {"ai-token-limiter": LIMITER, **bundled_plugins.make_bundled(store)}))


@pytest.fixture
def route(client: Client) -> dict[str, Any]:
    assert client.post("/services", {"name": "llm", "url": "http://127.0.0.1:9000"})[0] == 201
    status, body = client.post("/services/llm/routes", {"name": "chat", "paths": ["/chat"]})
    assert status == 201
    return body  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------------------- node


def test_node_info(client: Client, route: dict[str, Any]) -> None:
    client.post("/routes/chat/plugins", {"name": "key-auth"})
    status, info = client.get("/")
    assert status == 200 and info["version"] == "3.9.1" and info["tagline"] == "Welcome to kong"
    available = info["plugins"]["available_on_server"]
    assert available["key-auth"] == {"version": "3.9.1", "priority": 1250}
    assert available["ai-token-limiter"] == {"version": "0.1.0", "priority": 1004}
    assert info["plugins"]["enabled_in_cluster"] == ["key-auth"]


def test_status(client: Client) -> None:
    status, body = client.get("/status")
    assert status == 200 and body["database"] == {"reachable": True} and "server" in body and "memory" in body


def test_enabled_plugins(client: Client) -> None:
    assert client.get("/plugins/enabled") == (
        200,
        {"enabled_plugins": ["ai-token-limiter", "jwt", "key-auth"]},
    )


def test_response_headers(client: Client) -> None:
    status, _, headers = client.request("GET", "/services", headers={"Origin": "http://ui.local"})
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Access-Control-Allow-Origin"] == "http://ui.local"
    assert headers["Server"] == "kong/3.9.1" and "X-Kong-Admin-Latency" in headers


# ----------------------------------------------------------------------------------------- services & routes


def test_service_lifecycle(client: Client) -> None:
    status, created = client.post("/services", {"name": "llm", "host": "upstream", "port": 9000})
    assert status == 201 and created["port"] == 9000 and created["protocol"] == "http"
    assert client.get(f"/services/{created['id']}") == (200, created)
    status, patched = client.patch("/services/llm", {"path": "/v1"})
    assert status == 200 and patched["path"] == "/v1" and patched["port"] == 9000
    assert client.get("/services/llm") == (200, patched)
    assert client.delete("/services/llm") == (204, None)
    assert client.get("/services/llm") == (404, {"message": "Not found"})
    assert client.delete("/services/llm") == (204, None)  # Kong deletes idempotently


def test_collections_and_pagination(client: Client) -> None:
    for i in range(5):
        client.post("/consumers", {"username": f"user{i}"})
    status, page = client.get("/consumers?size=2")
    assert status == 200 and [c["username"] for c in page["data"]] == ["user0", "user1"]
    assert page["next"].startswith("/consumers?offset=") and page["next"].endswith("&size=2")
    seen = [c["username"] for c in page["data"]]
    while page["next"]:
        status, page = client.get(page["next"])
        seen += [c["username"] for c in page["data"]]
    assert seen == [f"user{i}" for i in range(5)]
    assert client.get("/services") == (200, {"data": [], "next": None})
    status, body = client.get("/consumers?size=0")
    assert (status, body["code"], body["name"]) == (400, 9, "invalid size")


def test_nested_routes_and_route_service(client: Client, route: dict[str, Any]) -> None:
    status, listing = client.get("/services/llm/routes")
    assert status == 200 and [r["name"] for r in listing["data"]] == ["chat"]
    status, service = client.get("/routes/chat/service")
    assert status == 200 and service["name"] == "llm"
    assert client.get("/services/ghost/routes") == (404, {"message": "Not found"})


def test_schema_violation(client: Client) -> None:
    status, body = client.post("/services", {"name": "bad", "port": "eighty"})
    assert status == 400
    assert body == {
        "code": 2,
        "name": "schema violation",
        "message": "2 schema violations (host: required field missing; port: expected an integer)",
        "fields": {"host": "required field missing", "port": "expected an integer"},
    }


def test_unique_violation(client: Client) -> None:
    client.post("/services", {"name": "llm", "host": "a"})
    status, body = client.post("/services", {"name": "llm", "host": "b"})
    assert (status, body) == (
        409,
        {
            "code": 5,
            "name": "unique constraint violation",
            "message": "UNIQUE violation detected on '{name=\"llm\"}'",
            "fields": {"name": "llm"},
        },
    )


def test_foreign_key_errors(client: Client, route: dict[str, Any]) -> None:
    ghost = "5b2f6b9f-1e3c-4d63-8b4f-8f00f0000009"
    status, body = client.post("/routes", {"paths": ["/x"], "service": {"id": ghost}})
    assert (status, body["code"], body["fields"]) == (400, 4, {"service": {"id": ghost}})
    status, body = client.delete("/services/llm")
    assert (status, body["code"], body["message"]) == (
        400,
        4,
        "an existing 'routes' entity references this 'services' entity",
    )


def test_patch_of_a_missing_entity(client: Client) -> None:
    status, body = client.patch("/services/ghost", {"port": 81})
    assert (status, body["code"], body["name"]) == (404, 6, "not found")


def test_put_creates_then_replaces(client: Client) -> None:
    status, created = client.request("PUT", "/services/llm", {"host": "a", "port": 81})[:2]
    assert status == 200 and created["name"] == "llm" and created["port"] == 81
    status, replaced = client.request("PUT", "/services/llm", {"host": "b"})[:2]
    assert status == 200 and replaced["id"] == created["id"] and replaced["port"] == 80


def test_request_errors(client: Client) -> None:
    assert client.post("/services", raw=b"{nope", headers={"Content-Type": "application/json"}) == (
        400,
        {"message": "Cannot parse JSON body"},
    )
    status, body, _ = client.request("POST", "/services", raw=b"x", headers={"Content-Type": "text/plain"})
    assert (status, body) == (415, None)
    assert client.get("/nowhere") == (404, {"message": "Not found"})
    assert client.delete("/services") == (405, {"message": "Method not allowed"})


def test_options_lists_the_methods(client: Client) -> None:
    status, body, headers = client.request("OPTIONS", "/services")
    assert (status, body) == (204, None)
    assert headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_form_bodies_are_typed_by_the_schema(client: Client) -> None:
    status, service = client.post(
        "/services", {"name": "llm", "host": "a", "port": "9000", "retries": ""}, form=True
    )
    assert status == 201 and service["port"] == 9000 and service["retries"] is None
    status, created = client.post(
        "/routes",
        [
            ("name", "r"),
            ("paths[]", "/a"),
            ("paths[]", "/b"),
            ("service.name", "llm"),
            ("strip_path", "false"),
        ],
        form=True,
    )
    assert status == 201 and created["paths"] == ["/a", "/b"] and created["strip_path"] is False
    assert created["service"] == {"id": service["id"]}


# ----------------------------------------------------------------------------------------- plugins


def test_enable_a_plugin_on_a_route_by_name(client: Client, store: Store, route: dict[str, Any]) -> None:
    version = store.version
    status, plugin = client.post("/routes/chat/plugins", {"name": "key-auth"})
    assert status == 201 and plugin["route"] == {"id": route["id"]}
    assert plugin["service"] is None and plugin["consumer"] is None and plugin["enabled"] is True
    assert plugin["config"] == {
        "key_names": ["apikey"],
        "hide_credentials": False,
        "anonymous": None,
        "key_in_header": True,
        "key_in_query": True,
        "key_in_body": False,
        "run_on_preflight": True,
        "realm": None,
    }
    assert store.version > version
    assert store.plugin_for("key-auth", route["id"], None, None) == plugin
    status, listing = client.get("/routes/chat/plugins")
    assert status == 200 and [p["id"] for p in listing["data"]] == [plugin["id"]]


def test_bad_plugin_config_is_a_schema_violation(client: Client, route: dict[str, Any]) -> None:
    status, body = client.post(
        "/routes/chat/plugins", {"name": "ai-token-limiter", "config": {"limit": 0, "sources": ["cookie"]}}
    )
    assert status == 400
    assert body == {
        "code": 2,
        "name": "schema violation",
        "message": "2 schema violations (config.limit: value should be between 1 and 1000000; "
        'config.sources: {\n  "expected one of: header, jwt"\n})',
        "fields": {
            "config": {
                "limit": "value should be between 1 and 1000000",
                "sources": ["expected one of: header, jwt"],
            }
        },
    }


def test_unknown_plugin(client: Client) -> None:
    status, body = client.post("/plugins", {"name": "rate-limiting"})
    assert status == 400 and body["fields"] == {
        "name": "plugin 'rate-limiting' not enabled; add it to the 'plugins' configuration property"
    }


def test_plugin_scoping_that_the_plugin_forbids(client: Client) -> None:
    client.post("/consumers", {"username": "alice"})
    status, body = client.post("/consumers/alice/plugins", {"name": "key-auth"})
    assert status == 400 and body["fields"] == {"consumer": "value must be null"}


ROUTE_PROTOCOLS_MISMATCH = {
    "code": 2,
    "name": "schema violation",
    "message": "schema violation (protocols: must match the associated route's protocols)",
    "fields": {"protocols": "must match the associated route's protocols"},
}


def test_plugin_protocols_must_match_the_routes(client: Client, store: Store) -> None:
    """dao/plugins.lua ``check_protocols_match``: checked before the schema, on the protocols as sent."""
    client.post("/services", {"name": "llm", "url": "http://127.0.0.1:9000"})
    _, route = client.post("/services/llm/routes", {"name": "tls", "protocols": ["https"], "paths": ["/s"]})
    status, body = client.post("/routes/tls/plugins", {"name": "key-auth", "protocols": ["http"]})
    assert (status, body) == (400, ROUTE_PROTOCOLS_MISMATCH)
    # the protocols check comes before the config is validated
    bad_config = {"name": "key-auth", "protocols": ["grpc"], "config": {"key_names": 5}}
    assert client.post("/routes/tls/plugins", bad_config) == (400, ROUTE_PROTOCOLS_MISMATCH)
    route_ref = {"id": route["id"]}
    assert client.post("/plugins", {"name": "key-auth", "route": route_ref, "protocols": ["http"]}) == (
        400,
        ROUTE_PROTOCOLS_MISMATCH,
    )
    assert store.plugins() == []

    status, plugin = client.post("/routes/tls/plugins", {"name": "key-auth", "protocols": ["http", "https"]})
    assert status == 201
    assert client.patch(f"/plugins/{plugin['id']}", {"protocols": ["http"]}) == (
        400,
        ROUTE_PROTOCOLS_MISMATCH,
    )
    status, _ = client.patch(f"/plugins/{plugin['id']}", {"config": {"hide_credentials": True}})
    assert status == 200  # nothing about protocols or scope in the patch: not checked
    assert client.post("/routes/tls/plugins", {"name": "ai-token-limiter"})[0] == 201  # absent: not checked


def test_service_plugin_protocols_must_match_one_of_its_routes(client: Client) -> None:
    client.post("/services", {"name": "llm", "url": "http://127.0.0.1:9000"})
    assert client.post("/services/llm/plugins", {"name": "key-auth", "protocols": ["http"]})[0] == 201
    client.post("/services", {"name": "tls", "url": "http://127.0.0.1:9000"})
    client.post("/services/tls/routes", {"name": "s", "protocols": ["https"], "paths": ["/s"]})
    status, body = client.post("/services/tls/plugins", {"name": "key-auth", "protocols": ["http"]})
    assert status == 400
    message = "must match the protocols of at least one route pointing to this Plugin's service"
    assert body["fields"] == {"protocols": message}
    assert body["message"] == f"schema violation (protocols: {message})"


def test_patch_merges_plugin_config_and_bumps_the_version(
    client: Client, store: Store, route: dict[str, Any]
) -> None:
    status, plugin = client.post(
        "/routes/chat/plugins",
        {
            "name": "ai-token-limiter",
            "config": {"limit": 10, "sources": ["jwt", "header"], "redis": {"host": "redis.local"}},
        },
    )
    assert status == 201
    seq = store.plugin_config_json_extras(plugin)["__seq__"]
    version = store.version
    status, patched = client.patch(
        f"/plugins/{plugin['id']}", {"config": {"sources": ["jwt"], "redis": {"port": 6380}}}
    )
    assert status == 200
    expected = {"limit": 10, "sources": ["jwt"], "redis": {"host": "redis.local", "port": 6380, "ssl": False}}
    assert patched["config"] == expected
    assert client.get(f"/plugins/{plugin['id']}")[1]["config"] == expected
    assert store.version > version and store.plugin_config_json_extras(patched)["__seq__"] != seq
    status, body = client.patch(f"/plugins/{plugin['id']}", {"config": {"limit": -1}})
    assert status == 400 and body["fields"] == {"config": {"limit": "value should be between 1 and 1000000"}}


def test_patch_with_a_form_body_uses_the_plugin_schema(client: Client, route: dict[str, Any]) -> None:
    _, plugin = client.post("/routes/chat/plugins", {"name": "ai-token-limiter"})
    status, patched = client.patch(
        f"/plugins/{plugin['id']}",
        [("config.limit", "25"), ("config.redis.ssl", "true"), ("config.sources[1]", "jwt")],
        form=True,
    )
    assert status == 200
    assert (patched["config"]["limit"], patched["config"]["redis"]["ssl"], patched["config"]["sources"]) == (
        25,
        True,
        ["jwt"],
    )


def test_delete_plugin(client: Client, store: Store, route: dict[str, Any]) -> None:
    _, plugin = client.post("/routes/chat/plugins", {"name": "key-auth"})
    assert client.delete(f"/plugins/{plugin['id']}") == (204, None)
    assert client.get(f"/plugins/{plugin['id']}") == (404, {"message": "Not found"})
    assert store.plugin_for("key-auth", route["id"], None, None) is None


def test_plugins_on_services_and_consumers(client: Client, route: dict[str, Any]) -> None:
    client.post("/consumers", {"username": "alice"})
    assert client.post("/services/llm/plugins", {"name": "ai-token-limiter"})[0] == 201
    status, plugin = client.post("/consumers/alice/plugins", {"name": "ai-token-limiter"})
    assert status == 201 and plugin["consumer"] is not None
    assert len(client.get("/plugins")[1]["data"]) == 2
    assert len(client.get("/consumers/alice/plugins")[1]["data"]) == 1
    assert client.get(f"/services/llm/plugins/{plugin['id']}") == (404, {"message": "Not found"})


def test_plugin_schema_is_kongs_subschema(client: Client) -> None:
    status, schema = client.get("/schemas/plugins/ai-token-limiter")
    assert status == 200 and schema["entity_checks"] == []
    (config,) = [f["config"] for f in schema["fields"] if "config" in f]
    assert config["type"] == "record" and config["required"] is True
    assert [next(iter(f)) for f in config["fields"]] == ["limit", "sources", "redis"]
    assert config["fields"][2]["redis"]["required"] is True  # records below config are made required
    status, key_auth = client.get("/schemas/plugins/key-auth")
    assert [next(iter(f)) for f in key_auth["fields"]] == ["consumer", "protocols", "config"]
    assert key_auth["fields"][0]["consumer"]["eq"] is None
    assert client.get("/schemas/plugins/nope") == (404, {"message": "No plugin named 'nope'"})


def test_validate_plugin_without_storing(client: Client, store: Store) -> None:
    assert client.post("/schemas/plugins/validate", {"name": "key-auth"}) == (
        200,
        {"message": "schema validation successful"},
    )
    status, body = client.post(
        "/schemas/plugins/validate", {"name": "key-auth", "config": {"key_names": "x"}}
    )
    assert status == 400 and body["code"] == 2
    assert store.plugins() == []


# ----------------------------------------------------------------------------------- credentials, upstreams


def test_key_auth_and_jwt_credentials(client: Client, store: Store) -> None:
    _, consumer = client.post("/consumers", {"username": "alice"})
    status, credential = client.post("/consumers/alice/key-auth", {"key": "secret-key"})
    assert (
        status == 201
        and credential["consumer"] == {"id": consumer["id"]}
        and credential["key"] == "secret-key"
    )
    status, generated = client.post("/consumers/alice/key-auth")
    assert status == 201 and len(generated["key"]) == 32
    assert client.post("/consumers/alice/key-auth", {"key": "secret-key"})[0] == 409
    assert store.keyauth_credential_by_key("secret-key") is not None
    status, secret = client.post("/consumers/alice/jwt", {"key": "issuer-a"})
    assert status == 201 and secret["algorithm"] == "HS256" and len(secret["secret"]) == 32
    status, body = client.post("/consumers/alice/jwt", {"algorithm": "RS256"})
    assert status == 400 and body["fields"]["rsa_public_key"] == "required field missing"
    assert len(client.get("/consumers/alice/key-auth")[1]["data"]) == 2
    status, patched = client.patch(f"/consumers/alice/key-auth/{credential['id']}", {"tags": ["rotated"]})
    assert status == 200 and patched["tags"] == ["rotated"] and patched["key"] == "secret-key"
    assert client.delete(f"/consumers/alice/key-auth/{credential['id']}") == (204, None)
    assert client.post("/consumers/ghost/key-auth", {})[0] == 404


def test_upstream_targets(client: Client) -> None:
    status, upstream = client.post("/upstreams", {"name": "llm-pool"})
    assert status == 201 and upstream["algorithm"] == "round-robin"
    status, target = client.post("/upstreams/llm-pool/targets", {"target": "10.0.0.1:9000", "weight": 10})
    assert status == 201 and target["upstream"] == {"id": upstream["id"]}
    assert client.post("/upstreams/llm-pool/targets", {"target": "10.0.0.1:9000"})[0] == 409
    assert [t["target"] for t in client.get("/upstreams/llm-pool/targets")[1]["data"]] == ["10.0.0.1:9000"]
    assert client.delete("/upstreams/llm-pool/targets/10.0.0.1:9000") == (204, None)
    status, body = client.post("/upstreams", {"name": "10.0.0.1"})
    assert status == 400 and body["fields"] == {"name": "Invalid name ('10.0.0.1'); no ip addresses allowed"}


def test_db_less_mode_refuses_writes(store: Store) -> None:
    client = Client(AdminApi(store, {}, db_less=True))
    status, body = client.post("/services", {"name": "x", "host": "a"})
    assert (status, body) == (
        405,
        {
            "code": 12,
            "name": "operation unsupported",
            "message": "cannot create 'services' entities when not using a database",
        },
    )
    assert client.get("/services")[0] == 200


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = st.sampled_from(
    [
        "name",
        "host",
        "port",
        "url",
        "paths",
        "hosts",
        "service",
        "route",
        "consumer",
        "config",
        "protocols",
        "enabled",
        "username",
        "key",
        "tags",
        "id",
        "target",
        "weight",
        "headers",
        "methods",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(
        [
            "/services",
            "/routes",
            "/plugins",
            "/consumers",
            "/upstreams",
            "/routes/chat/plugins",
            "/consumers/alice/key-auth",
            "/consumers/alice/jwt",
            "/upstreams/pool/targets",
        ]
    ),
    body=st.dictionaries(FIELDS, JSON_VALUES, max_size=5),
)
def test_no_body_makes_the_admin_api_fail(path: str, body: dict[str, Any]) -> None:
    store = Store()
    client = Client(AdminApi(store, {"ai-token-limiter": LIMITER, **bundled_plugins.make_bundled(store)}))
    client.post("/services", {"name": "llm", "host": "a"})
    client.post("/routes", {"name": "chat", "paths": ["/"], "service": {"name": "llm"}})
    client.post("/consumers", {"username": "alice"})
    client.post("/upstreams", {"name": "pool"})
    status, answer = client.post(path, body)
    assert status in (201, 400, 404, 409), (status, answer)
    if status == 400:
        assert "message" in answer
