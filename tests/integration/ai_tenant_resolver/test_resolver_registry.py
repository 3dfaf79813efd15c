"""Unknown and suspended tenants, from the config registry and from the Redis registry written by
``kong-ai tenants``; and the Redis registry's cache: a suspension takes effect within ``cache_ttl``."""

from __future__ import annotations

import socket
import time
from typing import Any

from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    Echo,
    GatewayRedis,
    KongAiCli,
    ResolverRoute,
    assert_refused,
    poll_until,
    unique_suffix,
    upstream_hits,
)

CACHE_TTL = 1.0
DEADLINE_SLACK_S = 3.0
"""Time allowed beyond ``cache_ttl`` for a CLI write to show (process start, scheduling on a busy CI)."""


def _as(tenant: str) -> dict[str, str]:
    return {"X-Tenant-ID": tenant}


def _redis_registry(kong_ai: KongAiCli, gateway_redis: GatewayRedis, **extra: Any) -> dict[str, Any]:
    return {
        "sources": ["header"],
        "registry": "redis",
        "namespace": kong_ai.namespace,
        "redis": gateway_redis.plugin_config,
        **extra,
    }


def test_config_registry_refuses_unknown_and_suspended_tenants(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    route = resolver_route(
        {"sources": ["header"], "tenants": [{"id": "acme"}, {"id": "globex", "status": "suspended"}]}
    )
    suffix = unique_suffix()
    assert gateway.proxy.get(route.url(suffix), headers=_as("acme")).status_code == 200
    assert_refused(gateway.proxy.get(route.url(suffix), headers=_as("globex")), 403)
    assert_refused(gateway.proxy.get(route.url(suffix), headers=_as("initech")), 403)
    assert_refused(gateway.proxy.get(route.url(suffix), headers=_as("ACME")), 403)  # ids are case-sensitive
    assert upstream_hits("/echo" + suffix) == 1


def test_redis_registry_written_by_the_cli(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "acme", "--tier", "enterprise", "--region", "eu-west", "--model", "gpt-4o")
    kong_ai.ok("tenants", "add", "globex", "--suspended")
    route = resolver_route(_redis_registry(kong_ai, gateway_redis))

    response = gateway.proxy.get(route.url(), headers=_as("acme"))
    assert response.status_code == 200, response.text
    assert Echo.of(response).gateway_headers() == {
        "x-tenant-id": ["acme"],
        "x-tenant-tier": ["enterprise"],
        "x-tenant-region": ["eu-west"],
    }
    assert_refused(gateway.proxy.get(route.url(), headers=_as("globex")), 403)
    assert_refused(gateway.proxy.get(route.url(), headers=_as("initech")), 403)


def test_redis_registry_namespaces_are_separate(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "acme")
    elsewhere = resolver_route(
        _redis_registry(kong_ai, gateway_redis, namespace=kong_ai.namespace + "-other")
    )
    assert_refused(gateway.proxy.get(elsewhere.url(), headers=_as("acme")), 403)


def test_a_suspension_takes_effect_within_the_cache_ttl(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "acme")
    route = resolver_route(_redis_registry(kong_ai, gateway_redis, cache_ttl=CACHE_TTL))
    assert gateway.proxy.get(route.url(), headers=_as("acme")).status_code == 200  # now cached

    kong_ai.ok("tenants", "suspend", "acme")
    suspended_at = time.monotonic()
    poll_until(
        lambda: gateway.proxy.get(route.url(), headers=_as("acme")).status_code == 403,
        deadline_s=CACHE_TTL + DEADLINE_SLACK_S,
        what="the suspension reaching the gateway",
    )
    assert time.monotonic() - suspended_at <= CACHE_TTL + DEADLINE_SLACK_S
    assert_refused(gateway.proxy.get(route.url(), headers=_as("acme")), 403)  # and it stays refused

    kong_ai.ok("tenants", "activate", "acme")
    poll_until(
        lambda: gateway.proxy.get(route.url(), headers=_as("acme")).status_code == 200,
        deadline_s=CACHE_TTL + DEADLINE_SLACK_S,
        what="the reactivation reaching the gateway",
    )


def test_a_tenant_added_after_a_refusal_is_accepted_within_the_negative_ttl(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    route = resolver_route(_redis_registry(kong_ai, gateway_redis, negative_cache_ttl=CACHE_TTL))
    assert_refused(gateway.proxy.get(route.url(), headers=_as("late")), 403)  # "unknown" is cached too

    kong_ai.ok("tenants", "add", "late")
    poll_until(
        lambda: gateway.proxy.get(route.url(), headers=_as("late")).status_code == 200,
        deadline_s=CACHE_TTL + DEADLINE_SLACK_S,
        what="the new tenant reaching the gateway",
    )


def test_without_a_cache_a_suspension_is_immediate(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "acme")
    route = resolver_route(_redis_registry(kong_ai, gateway_redis, cache_ttl=0))
    assert gateway.proxy.get(route.url(), headers=_as("acme")).status_code == 200
    kong_ai.ok("tenants", "suspend", "acme")
    assert_refused(gateway.proxy.get(route.url(), headers=_as("acme")), 403)


def test_an_unreachable_redis_fails_closed(gateway: GatewayUnderTest, resolver_route: ResolverRoute) -> None:
    """No registry answer is not "no tenant": the request is refused (503) and never reaches the upstream."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    unreachable = {"host": "127.0.0.1", "port": closed_port, "connect_timeout": 500}
    registry = resolver_route({"sources": ["header"], "registry": "redis", "redis": unreachable})
    keys = resolver_route({"sources": ["api_key"], "tenants": [{"id": "acme"}], "redis": unreachable})
    suffix = unique_suffix()

    for route, headers in ((registry, _as("acme")), (keys, {"X-API-Key": "kag_" + "C" * 43})):
        response = gateway.proxy.get(route.url(suffix), headers=headers)
        assert response.status_code == 503, response.text
        assert "X-Tenant-ID" not in response.headers
    assert upstream_hits("/echo" + suffix) == 0
