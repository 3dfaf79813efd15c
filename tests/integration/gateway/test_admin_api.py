"""Operators enable our plugins per route through Kong's Admin API; configs are checked when posted.

Runs against the gateway by URL (the emulator by default, a real Kong with ``scripts/pongo run --real``).
"""

from __future__ import annotations

import httpx
import pytest
from fixtures.gateway import GatewayUnderTest

TENANTS = [{"id": "acme", "tier": "pro"}, {"id": "globex", "status": "suspended"}]


def chat(gateway: GatewayUnderTest, path: str, **headers: str) -> httpx.Response:
    return gateway.proxy.get(path, headers=headers)


def test_our_plugins_are_enabled_on_the_node(gateway: GatewayUnderTest) -> None:
    enabled = gateway.admin.get("/plugins/enabled").json()["enabled_plugins"]
    assert "ai-tenant-resolver" in enabled
    schema = gateway.admin.get("/schemas/plugins/ai-tenant-resolver")
    assert schema.status_code == 200
    fields = {next(iter(f)): f[next(iter(f))] for f in schema.json()["fields"]}
    config_fields = {next(iter(f)) for f in fields["config"]["fields"]}
    assert {"sources", "required", "tenants", "redis"} <= config_fields


def test_enable_plugin_on_a_route_takes_effect_on_next_request(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    assert chat(gateway, route.url()).status_code == 200  # no plugin yet: anyone passes

    route.add_plugin("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})

    assert chat(gateway, route.url()).status_code == 401
    ok = chat(gateway, route.url(), **{"X-Tenant-ID": "acme"})
    assert ok.status_code == 200
    assert ok.headers["X-Tenant-ID"] == "acme"
    assert chat(gateway, route.url(), **{"X-Tenant-ID": "globex"}).status_code == 403


def test_bad_config_is_rejected_as_kong_rejects_it(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins",
        json={"name": "ai-tenant-resolver", "config": {"sources": ["telepathy"], "required": "yes"}},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "schema violation"
    assert body["code"] == 2
    assert body["message"].startswith("2 schema violations (")
    assert set(body["fields"]["config"]) == {"sources", "required"}
    assert body["fields"]["config"]["required"] == "expected a boolean"
    assert body["fields"]["config"]["sources"] == ["expected one of: jwt, header, path, consumer, api_key"]
    # nothing was created: the route still lets everyone through
    assert gateway.admin.get(f"/routes/{route.route['id']}/plugins").json()["data"] == []
    assert chat(gateway, route.url()).status_code == 200


def test_missing_required_config_is_rejected(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    response = gateway.admin.post(f"/routes/{route.route['id']}/plugins", json={"name": "ai-tenant-resolver"})
    assert response.status_code == 400
    # the entity check naming `sources` (conditional_at_least_one_of) runs with missing fields: plain wording
    assert response.json()["fields"]["config"]["sources"] == "required field missing"


def test_unknown_plugin_name_is_rejected(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    response = gateway.admin.post(f"/routes/{route.route['id']}/plugins", json={"name": "ai-no-such-plugin"})
    assert response.status_code == 400
    assert response.json()["name"] == "schema violation"
    assert "ai-no-such-plugin" in response.json()["fields"]["name"]


def test_patch_takes_effect_on_next_request_without_restart(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    plugin = route.add_plugin("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})
    assert chat(gateway, route.url(), **{"X-Tenant-ID": "acme"}).status_code == 200

    patched = gateway.admin.patch(
        f"/plugins/{plugin['id']}",
        json={"config": {"tenants": [{"id": "acme", "status": "suspended"}, {"id": "initech"}]}},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["config"]["sources"] == ["header"]  # records merge, arrays replace
    assert chat(gateway, route.url(), **{"X-Tenant-ID": "acme"}).status_code == 403
    assert chat(gateway, route.url(), **{"X-Tenant-ID": "initech"}).status_code == 200

    bad = gateway.admin.patch(f"/plugins/{plugin['id']}", json={"config": {"header_name": 42}})
    assert bad.status_code == 400
    assert chat(gateway, route.url(), **{"X-Tenant-ID": "initech"}).status_code == 200  # old config kept


def test_delete_removes_the_plugin(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    plugin = route.add_plugin("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})
    assert chat(gateway, route.url()).status_code == 401
    assert gateway.admin.delete(f"/plugins/{plugin['id']}").status_code == 204
    assert gateway.admin.get(f"/plugins/{plugin['id']}").status_code == 404
    assert chat(gateway, route.url()).status_code == 200


@pytest.mark.harness
def test_pdk_round_trips_are_counted_per_plugin(gateway: GatewayUnderTest, make_route) -> None:
    gateway.require_harness()
    route = make_route()
    route.add_plugin("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})
    response = chat(gateway, route.url(), **{"X-Tenant-ID": "acme"})
    assert response.status_code == 200
    assert response.headers["X-Emulator-Pdk-Calls"] == "ai-tenant-resolver.access=4"
    stats = gateway.request_stats(response.headers["X-Kong-Request-Id"])
    assert stats["pdk_calls"] == {"ai-tenant-resolver": {"access": 4}}
    assert ["ai-tenant-resolver", "access", "done"] in stats["events"]


def test_plugin_protocols_must_match_the_routes(gateway: GatewayUnderTest, make_route) -> None:
    """dao/plugins.lua ``check_protocols_match``: a plugin that could never run on its route is refused."""
    route = make_route(protocols=["https"])
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins",
        json={"name": "ai-tenant-resolver", "protocols": ["http"], "config": {"sources": ["header"]}},
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": 2,
        "name": "schema violation",
        "message": "schema violation (protocols: must match the associated route's protocols)",
        "fields": {"protocols": "must match the associated route's protocols"},
    }
    assert gateway.admin.get(f"/routes/{route.route['id']}/plugins").json()["data"] == []


def test_redis_sentinel_is_refused_for_every_plugin_sharing_the_redis_record(
    gateway: GatewayUnderTest, make_route
) -> None:
    """The shared ``redis`` record keeps Kong's Sentinel fields with ``eq: null``: Kong's schema refuses any
    value, so the Admin API answers 400 instead of a 201 followed by a 500 on every request."""
    route = make_route()
    sentinel = "Redis Sentinel is not supported by kong-ai-guard; use host/port or cluster_nodes"
    limiter = {
        "limits": [{"metric": "requests", "limit": 5, "window": "minute"}],
        "strategy": "redis",
        "redis": {"sentinel_master": "mymaster", "sentinel_nodes": [{"host": "127.0.0.1", "port": 26379}]},
    }
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": "ai-token-limiter", "config": limiter}
    )
    assert response.status_code == 400, response.text
    assert response.json()["fields"] == {
        "config": {"redis": {"sentinel_master": sentinel, "sentinel_nodes": sentinel}}
    }
    assert gateway.admin.get(f"/routes/{route.route['id']}/plugins").json()["data"] == []
