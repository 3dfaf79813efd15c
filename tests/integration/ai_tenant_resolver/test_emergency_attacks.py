"""``kong-ai emergency restrict`` with an empty list: an operator who types ``--routes ,`` (or a record
written with ``"routes": []``) must never end up with a tenant that is less restricted than asked. The CLI
refuses the empty list (nothing written); a stored empty list is an unreadable control: the resolver fails
closed (503), never serves the tenant on every route."""

from __future__ import annotations

import json

import redis
from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    GatewayRedis,
    KongAiCli,
    ResolverRoute,
)

from kong_plugins.ai_tenant_resolver.emergency import emergency_key


def _route(resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis) -> object:
    config = {
        "sources": ["header"],
        "registry": "redis",
        "namespace": kong_ai.namespace,
        "redis": gateway_redis.plugin_config,
        "cache_ttl": 0,
    }
    return resolver_route(config)


def test_an_empty_routes_or_models_list_is_refused_by_the_cli(
    kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "acme")
    for option in ("--routes", "--models"):
        result = kong_ai.run(
            "emergency", "restrict", "acme", "--for", "1h", "--tokens-per-minute", "10%", option, " , "
        )
        assert result.returncode != 0, result.stdout
        assert option.strip("-") in result.stderr
    client = redis.Redis.from_url(gateway_redis.url, decode_responses=True)
    try:
        assert client.hgetall(emergency_key(kong_ai.namespace, "acme")) == {}  # nothing written
    finally:
        client.close()


def test_a_stored_restriction_to_no_route_does_not_open_every_route(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "acme")
    route = _route(resolver_route, kong_ai, gateway_redis)
    assert gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"}).status_code == 200
    body = {"by": "alice", "reason": "INC-1", "terms": {"routes": []}, "at_ms": 0}
    client = redis.Redis.from_url(gateway_redis.url, decode_responses=True)
    try:
        key = emergency_key(kong_ai.namespace, "acme")
        client.hset(key, mapping={"restrict": json.dumps(body), "restrict_until": ""})
        client.expire(key, 600)
    finally:
        client.close()
    response = gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"})
    assert response.status_code == 503, response.text  # was 200: the restriction read as "none"
    assert "x-tenant-id" not in response.headers


def test_a_control_on_a_tenant_id_the_registry_does_not_hold_is_refused(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    """``isolate ACME`` for tenant ``acme``: ids are case-sensitive, so the control would never refuse acme
    while the CLI said "isolated". Refused, with the likely id named; nothing written; acme still served."""
    kong_ai.ok("tenants", "add", "acme")
    route = _route(resolver_route, kong_ai, gateway_redis)
    for command in (
        ("isolate", "ACME"),
        ("restrict", "Acme", "--for", "1h", "--models", "gpt-4o-mini"),
        ("revoke-keys", "ACME"),
    ):
        result = kong_ai.run("emergency", *command)
        assert result.returncode == 1, result.stdout
        assert "did you mean acme?" in result.stderr
    client = redis.Redis.from_url(gateway_redis.url, decode_responses=True)
    try:
        for tenant in ("ACME", "Acme"):
            assert client.hgetall(emergency_key(kong_ai.namespace, tenant)) == {}
    finally:
        client.close()
    assert kong_ai.ok("emergency", "list", "--json").strip() == "[]"
    # the real id works, and an operator may still act on an id only a config registry holds
    kong_ai.ok("emergency", "isolate", "acme", "--for", "1h")
    response = gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"})
    assert response.status_code == 403, response.text
    kong_ai.ok("emergency", "isolate", "initech", "--for", "1h", "--unknown-tenant")


def test_an_unreadable_control_can_be_lifted(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    """The runbook's way out of a control nobody can read (the resolver answers 503 for the tenant): lift
    it. The lift read the control first and stopped on it (a traceback), so the tenant stayed refused."""
    kong_ai.ok("tenants", "add", "acme")
    route = _route(resolver_route, kong_ai, gateway_redis)
    client = redis.Redis.from_url(gateway_redis.url, decode_responses=True)
    try:
        key = emergency_key(kong_ai.namespace, "acme")
        client.hset(key, mapping={"isolate": "{not json", "isolate_until": ""})
        assert gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"}).status_code == 503
        result = kong_ai.run("emergency", "lift", "acme", "--reason", "corrupt record")
        assert result.returncode == 0, result.stderr
        assert "isolate lifted" in result.stdout
        assert client.exists(key) == 0
    finally:
        client.close()
    assert gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"}).status_code == 200
    history = json.loads(kong_ai.ok("emergency", "list", "--history", "--json"))
    assert [(h["action"], h["detail"]) for h in history] == [("lift", {"controls": ["isolate"]})]


def test_tenant_ids_with_key_syntax_write_nothing(kong_ai: KongAiCli, gateway_redis: GatewayRedis) -> None:
    """Ids that would reach another tenant's keys or slot if put in a key unencoded (``a}:x``, ``*``,
    ``acme:emergency``, a look-alike ``\u0430cme`` with a Cyrillic a) are refused before Redis is touched."""
    kong_ai.ok("tenants", "add", "acme")
    client = redis.Redis.from_url(gateway_redis.url, decode_responses=True)
    try:
        before = sorted(client.scan_iter(match=f"{kong_ai.namespace}:*"))
        for tenant in ("acme}:x", "{acme}", "*", "acme:emergency", "\u0430cme", "acme "):
            result = kong_ai.run("emergency", "isolate", tenant, "--unknown-tenant")
            assert result.returncode == 1 and "invalid tenant id" in result.stderr, (tenant, result.stderr)
        assert kong_ai.run("emergency", "lift", "*").returncode == 1
        assert kong_ai.run("emergency", "revoke-keys", "acme", "--key", "*").returncode == 1
        assert sorted(client.scan_iter(match=f"{kong_ai.namespace}:*")) == before
    finally:
        client.close()
