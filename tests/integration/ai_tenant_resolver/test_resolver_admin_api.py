"""Enabling ``ai-tenant-resolver`` on a route through Kong's Admin API, as an operator does: a good config
takes effect on the next request; a config Kong's schema refuses is answered 400 and changes nothing."""

from __future__ import annotations

from typing import Any

from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    PLUGIN,
    assert_refused,
    unique_suffix,
    upstream_hits,
)

TENANTS = [{"id": "acme", "tier": "pro"}]


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
            {
                "@entity": ["the jwt source needs at least one key in jwt.keys"],
                "jwt": {"keys": "length must be at least 1"},
            },
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
    config = {
        "sources": ["jwt"],
        "jwt": {"algorithms": ["HS256"], "keys": [{"kid": "k1", "algorithm": "HS256", "key": "too-short"}]},
        "tenants": TENANTS,
    }
    created = _post_plugin(gateway, route, config)
    assert created.status_code == 201, created.text
    route.created.append(f"/plugins/{created.json()['id']}")

    suffix = unique_suffix()
    response = gateway.proxy.get(route.url(suffix), headers={"Authorization": "Bearer a.b.c"})
    assert response.status_code == 500
    assert response.json()["message"] == "An unexpected error occurred"
    assert upstream_hits("/echo" + suffix) == 0
