"""Enabling ``ai-tenant-resolver`` on a route through Kong's Admin API, as an operator does: a good config
takes effect on the next request; a config Kong's schema refuses is answered 400 and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    PLUGIN,
    assert_refused,
    unique_suffix,
    upstream_hits,
)

TENANTS = [{"id": "acme", "tier": "pro"}]
SENTINEL = "Redis Sentinel is not supported by kong-ai-guard; use host/port or cluster_nodes"
SHORT_SECRET = {"algorithms": ["HS256"], "keys": [{"kid": "k1", "algorithm": "HS256", "key": "too-short"}]}


def _post_plugin(gateway: GatewayUnderTest, route: Any, config: dict[str, Any]) -> Any:
    return gateway.admin.post(f"/routes/{route.route['id']}/plugins", json={"name": PLUGIN, "config": config})


def test_enabling_the_plugin_on_a_route(gateway: GatewayUnderTest, make_route: Any) -> None:
    route = make_route()
    other = make_route()
    assert gateway.proxy.get(route.url()).status_code == 200  # nothing enabled yet

    created = _post_plugin(gateway, route, {"sources": ["header"], "tenants": TENANTS})
    assert created.status_code == 201, created.text
    route.created.append(f"/plugins/{created.json()['id']}")
    plugin = created.json()
    assert plugin["route"] == {"id": route.route["id"]}
    config = plugin["config"]
    assert (config["required"], config["header_name"], config["registry"]) == (True, "X-Tenant-ID", "config")
    assert config["tenants"] == [
        {
            "id": "acme",
            "tier": "pro",
            "status": "active",
            "allowed_models": [],
            "region": None,
            "metadata": None,
        }
    ]

    assert_refused(gateway.proxy.get(route.url()), 401)
    assert gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"}).headers["X-Tenant-ID"] == "acme"
    assert gateway.proxy.get(other.url()).status_code == 200  # scoped to its route
    listed = gateway.admin.get(f"/routes/{route.route['id']}/plugins").json()["data"]
    assert [entry["id"] for entry in listed] == [plugin["id"]]


def test_rejected_configs_change_nothing(gateway: GatewayUnderTest, make_route: Any) -> None:
    route = make_route()
    # config -> what Kong says about it under fields.config (None: only that it is a schema violation)
    rejected: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {
        "jwt source without keys": (
            {"sources": ["jwt"], "tenants": TENANTS},
            {"@entity": ["the jwt source needs at least one key in jwt.keys"]},
        ),
        "unknown source": (
            {"sources": ["cookie"]},
            {"sources": ["expected one of: jwt, header, path, consumer, api_key"]},
        ),
        "negative cache ttl": (
            {"sources": ["header"], "cache_ttl": -1},
            {"cache_ttl": "value should be between 0 and 3600"},
        ),
        "bad tenant id": (
            {"sources": ["header"], "tenants": [{"id": "acme corp"}]},
            {"tenants": [{"id": "invalid value: acme corp"}]},
        ),
        "bad tenant model": (
            {"sources": ["header"], "tenants": [{"id": "acme", "allowed_models": ["gpt-4o", "gpt 4o"]}]},
            {"tenants": [{"allowed_models": [None, "invalid value: gpt 4o"]}]},
        ),
        "bad tenant metadata key": (
            {"sources": ["header"], "tenants": [{"id": "acme", "metadata": {"team name": "ml"}}]},
            {"tenants": [{"metadata": "invalid value: team name"}]},
        ),
        "region upstream that is no upstream name": (
            {"sources": ["header"], "region_upstreams": {"eu": "eu upstream"}},
            {"region_upstreams": "invalid value: eu upstream"},
        ),
        "api key in a header the gateway sets": (
            {"sources": ["api_key"], "api_key_header": "x-tenant-id"},
            {"api_key_header": "this header is set by the gateway and cannot carry a tenant or credential"},
        ),
        "tenant header the gateway sets from the registry": (
            {"sources": ["header"], "header_name": "X-Tenant-Tier"},
            {"header_name": "this header is set by the gateway and cannot carry a tenant or credential"},
        ),
        "tenants with a redis registry": (
            {"sources": ["header"], "registry": "redis", "tenants": TENANTS},
            {
                "tenants": "length must be 0",
                "@entity": ["tenants are listed in the config only when registry is 'config'"],
            },
        ),
        "bad tenant status": (
            {"sources": ["header"], "tenants": [{"id": "acme", "status": "paused"}]},
            {"tenants": [{"status": "expected one of: active, suspended"}]},
        ),
        "alg none": (
            {
                "sources": ["jwt"],
                "jwt": {"algorithms": ["none"], "keys": [{"kid": "k", "algorithm": "none", "key": "x"}]},
            },
            None,
        ),
        "unknown field": (
            {"sources": ["header"], "tenant_header": "X-Org"},
            {"tenant_header": "unknown field"},
        ),
        # Kong's schema refuses these since they moved into it; Kong used to answer 201 and every request 500
        "path pattern without a tenant group": (
            {"sources": ["path"], "path_pattern": r"^/orgs/([^/]+)/"},
            {"path_pattern": "must have a named group 'tenant', e.g. (?P<tenant>[^/]{1,64})"},
        ),
        "path pattern with a look-behind": (
            {"sources": ["path"], "path_pattern": r"^/orgs/(?P<tenant>[a-z]+)(?<!x)/"},
            {"path_pattern": "look-arounds ((?=, (?!, (?<=, (?<!) are not supported (RE2)"},
        ),
        "RS256 key that is no PEM": (
            {
                "sources": ["jwt"],
                "jwt": {
                    "algorithms": ["RS256"],
                    "keys": [{"kid": "k", "algorithm": "RS256", "key": "secret"}],
                },
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
        "redis sentinel": (
            {"sources": ["api_key"], "redis": {"sentinel_master": "mymaster", "sentinel_role": "master"}},
            {"redis": {"sentinel_master": SENTINEL, "sentinel_role": SENTINEL}},
        ),
        "redis cluster and sentinel together": (
            {
                "sources": ["api_key"],
                "redis": {
                    "cluster_nodes": [{"ip": "127.0.0.1", "port": 7000}],
                    "sentinel_nodes": [{"host": "127.0.0.1", "port": 26379}],
                },
            },
            {"redis": {"sentinel_nodes": SENTINEL}},
        ),
        "redis cluster with another database": (
            {
                "sources": ["api_key"],
                "redis": {"cluster_nodes": [{"ip": "127.0.0.1", "port": 7000}], "database": 2},
            },
            {"redis": {"database": "expected one of: 0", "@entity": ["Redis Cluster only has database 0"]}},
        ),
        "redis timeout of 0": (
            {"sources": ["api_key"], "redis": {"read_timeout": 0}},
            {"redis": {"read_timeout": "value must be greater than 0"}},
        ),
        "HS256 secret that is a public key": (
            {
                "sources": ["jwt"],
                "jwt": {
                    "algorithms": ["HS256"],
                    "keys": [{"kid": "k", "algorithm": "HS256", "key": "-----BEGIN PUBLIC KEY-----\nMIIB\n"}],
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
    }
    for kind, (config, fields) in rejected.items():
        response = _post_plugin(gateway, route, config)
        assert response.status_code == 400, (kind, response.text)
        body = response.json()
        assert body["name"] == "schema violation", (kind, body)
        if fields is not None:
            assert body["fields"] == {"config": fields}, (kind, body)

    assert gateway.admin.get(f"/routes/{route.route['id']}/plugins").json()["data"] == []
    assert gateway.proxy.get(route.url()).status_code == 200  # still open: nothing was enabled


def test_a_config_only_the_plugin_can_refuse_fails_closed(gateway: GatewayUnderTest, make_route: Any) -> None:
    """Kong validates an external plugin's config with its schema only; what the schema cannot express (key
    material, the path pattern's safety) is checked when the plugin server starts the instance. Kong then
    fails the request with 500 rather than proxying it unchecked."""
    route = make_route()
    config = {"sources": ["jwt"], "jwt": SHORT_SECRET, "tenants": TENANTS}
    created = _post_plugin(gateway, route, config)
    assert created.status_code == 201, created.text
    route.created.append(f"/plugins/{created.json()['id']}")

    suffix = unique_suffix()
    response = gateway.proxy.get(route.url(suffix), headers={"Authorization": "Bearer a.b.c"})
    assert response.status_code == 500
    assert response.json()["message"] == "An unexpected error occurred"
    assert upstream_hits("/echo" + suffix) == 0


@pytest.mark.harness
@pytest.mark.parametrize(
    ("config", "reason"),
    [
        (
            {"sources": ["jwt"], "jwt": SHORT_SECRET},
            "config.jwt.keys.1.key: HS256 secret must be at least 32 bytes",
        ),
        (
            {"sources": ["header"], "tenants": [{"id": "acme"}, {"id": "acme"}]},
            "config.tenants.2.id: this tenant id is listed twice",
        ),
        (
            {"sources": ["path"], "path_pattern": r"^/t/(?P<tenant>[a-z]+)/\\(?=x)"},
            "config.path_pattern: not an RE2 regular expression (invalid perl operator: (?=)",
        ),
    ],
    ids=["short HS256 secret", "duplicate tenant ids", "escaped backslash before a look-ahead"],
)
def test_a_config_kong_accepts_and_the_instance_refuses_answers_500_every_time(
    gateway: GatewayUnderTest, make_route: Any, config: dict[str, Any], reason: str
) -> None:
    """kong-protocol.md §3/§6 (plugin.lua ``get_instance_id``): StartInstance fails, Kong logs "starting
    instance: <error>" and throws; the claim is dropped, so every request tries again and gets Kong's 500
    (access: JSON template with the request id), never the upstream. The reason is only in Kong's log."""
    gateway.require_harness()
    route = make_route()
    created = _post_plugin(gateway, route, {**config, "tenants": config.get("tenants", TENANTS)})
    assert created.status_code == 201, created.text  # Kong's schema cannot see it
    route.created.append(f"/plugins/{created.json()['id']}")

    seen_before = gateway.kong_log_mark()
    suffix = unique_suffix()
    for headers in ({}, {"X-Tenant-ID": "acme"}, {"Authorization": "Bearer a.b.c"}):
        response = gateway.proxy.get(route.url(suffix), headers=headers)
        assert response.status_code == 500
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert body == {"message": "An unexpected error occurred", "request_id": body["request_id"]}
        assert reason.split(": ", 1)[1] not in response.text
    assert upstream_hits("/echo" + suffix) == 0

    failures = [line for line in gateway.kong_log_since(seen_before) if "starting instance: " in line]
    assert len(failures) == 3, failures  # each request tried to start the instance again
    assert all("[error]" in line and "ai-tenant-resolver" in line and reason in line for line in failures)
