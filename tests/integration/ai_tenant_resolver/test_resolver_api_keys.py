"""API keys through the gateway, managed with ``kong-ai keys`` (a child process on the gateway's Redis):
issue -> works; rotate -> old and new both work during the overlap, then the old one stops; revoke -> stops
at once. The plugin does not cache key lookups, so revocation needs no waiting."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    GatewayRedis,
    KongAiCli,
    ResolverRoute,
    assert_refused,
    poll_until,
)

OVERLAP_S = 3
DEADLINE_SLACK_S = 3.0


TENANTS = [{"id": "acme"}, {"id": "globex"}, {"id": "initech", "status": "suspended"}]


@pytest.fixture
def key_route(resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis) -> Any:
    """A route whose tenants come from the api_key source; keys live in this test's Redis namespace."""
    return resolver_route(
        {
            "sources": ["api_key"],
            "tenants": TENANTS,
            "namespace": kong_ai.namespace,
            "redis": gateway_redis.plugin_config,
        }
    )


def _status(gateway: GatewayUnderTest, route: Any, key: str) -> int:
    return gateway.proxy.get(route.url(), headers={"X-API-Key": key}).status_code


def _tenant(gateway: GatewayUnderTest, route: Any, key: str) -> str:
    response = gateway.proxy.get(route.url(), headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return response.headers["X-Tenant-ID"]


def test_an_issued_key_names_its_tenant(
    gateway: GatewayUnderTest, key_route: Any, kong_ai: KongAiCli
) -> None:
    acme = kong_ai.issue_key("acme")["key"]
    globex = kong_ai.issue_key("globex")["key"]
    assert _tenant(gateway, key_route, acme) == "acme"
    assert _tenant(gateway, key_route, globex) == "globex"
    assert_refused(gateway.proxy.get(key_route.url(), headers={"X-API-Key": acme[:-1] + "x"}), 401)


def test_a_key_of_a_suspended_or_unknown_tenant_is_refused(
    gateway: GatewayUnderTest, key_route: Any, kong_ai: KongAiCli
) -> None:
    suspended = kong_ai.issue_key("initech")["key"]
    unknown = kong_ai.issue_key("hooli")["key"]
    assert_refused(gateway.proxy.get(key_route.url(), headers={"X-API-Key": suspended}), 403)
    assert_refused(gateway.proxy.get(key_route.url(), headers={"X-API-Key": unknown}), 403)


def test_rotation_keeps_the_old_key_for_the_overlap_then_stops_it(
    gateway: GatewayUnderTest, key_route: Any, kong_ai: KongAiCli
) -> None:
    old = kong_ai.issue_key("acme")["key"]
    assert _tenant(gateway, key_route, old) == "acme"

    rotation_started = time.time()
    new = kong_ai.rotate_key("acme", f"{OVERLAP_S}s")["new"]["key"]
    # inside the window (the CLI is back well before it ends): both keys work
    assert _tenant(gateway, key_route, new) == "acme"
    assert _tenant(gateway, key_route, old) == "acme"

    poll_until(
        lambda: _status(gateway, key_route, old) == 401,
        deadline_s=OVERLAP_S + DEADLINE_SLACK_S,
        what="the old key stopping at the end of the overlap",
    )
    assert time.time() >= rotation_started + OVERLAP_S  # not before its window ended
    assert_refused(gateway.proxy.get(key_route.url(), headers={"X-API-Key": old}), 401)
    assert _tenant(gateway, key_route, new) == "acme"


def test_revocation_stops_a_key_at_once(
    gateway: GatewayUnderTest, key_route: Any, kong_ai: KongAiCli
) -> None:
    first = kong_ai.issue_key("acme")
    second = kong_ai.issue_key("acme")
    assert _tenant(gateway, key_route, first["key"]) == "acme"

    kong_ai.ok("keys", "revoke", "--tenant", "acme", "--key-id", first["key_id"])
    assert_refused(gateway.proxy.get(key_route.url(), headers={"X-API-Key": first["key"]}), 401)
    assert _tenant(gateway, key_route, second["key"]) == "acme"  # the tenant's other key is untouched


def test_rotation_with_no_overlap_stops_the_old_key_at_once(
    gateway: GatewayUnderTest, key_route: Any, kong_ai: KongAiCli
) -> None:
    old = kong_ai.issue_key("acme")["key"]
    new = kong_ai.rotate_key("acme", "0")["new"]["key"]
    assert _status(gateway, key_route, old) == 401
    assert _tenant(gateway, key_route, new) == "acme"
