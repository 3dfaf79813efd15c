"""``kong-ai emergency restrict --tokens-per-minute`` on a route whose token limiter has no per-minute tenant
token limit (only an hourly one): nothing to narrow, so the restriction is an extra per-minute tenant limit
the limiter checks in the same Redis script call. The restricted tenant is refused (429, the limiter's
headers and body) after the cap, another tenant is not, and lifting the restriction restores the route."""

from __future__ import annotations

from typing import Any

import httpx
import redis
from fixtures.gateway import GatewayUnderTest, RouteUnderTest
from integration.ai_tenant_resolver.resolver_support import GatewayRedis, KongAiCli, ResolverRoute, pdk_calls

HOURLY_TOKENS = 6000
"""100 tokens a minute on average: a 10% restriction is 10 a minute, less than one chat reserves."""
CAP = 60
"""An absolute cap: two chats (about 23 tokens each) fit, a third does not."""
MAX_CHATS = 6
LIMITER = "ai-token-limiter"


def _route(resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis) -> RouteUnderTest:
    resolver = {
        "sources": ["header"],
        "registry": "redis",
        "namespace": kong_ai.namespace,
        "redis": gateway_redis.plugin_config,
        "cache_ttl": 0,
    }
    route = resolver_route(resolver, upstream_path="/v1/chat/completions")
    limiter = {
        "limits": [{"metric": "tokens", "limit": HOURLY_TOKENS, "window": "hour", "scope": "tenant"}],
        "strategy": "redis",
        "namespace": kong_ai.namespace,
        "redis": gateway_redis.plugin_config,
    }
    route.add_plugin(LIMITER, limiter)
    return route


def _chat(gateway: GatewayUnderTest, route: RouteUnderTest, tenant: str) -> httpx.Response:
    body: dict[str, Any] = {
        "model": "mock-gpt-4o",
        "max_tokens": 20,
        "messages": [{"role": "user", "content": "Hello there"}],
    }
    return gateway.proxy.post(route.url(), json=body, headers={"X-Tenant-ID": tenant})


def _first_refusal(gateway: GatewayUnderTest, route: RouteUnderTest, tenant: str) -> int | None:
    """How many chats were admitted before the first 429 (None: none refused)."""
    for sent in range(MAX_CHATS):
        answer = _chat(gateway, route, tenant)
        if answer.status_code == 429:
            return sent
        assert answer.status_code == 200, answer.text
    return None


def _emergency_keys(gateway_redis: GatewayRedis, namespace: str) -> list[str]:
    client = redis.Redis.from_url(gateway_redis.url, decode_responses=True)
    try:
        return list(client.scan_iter(match=f"ai-token-limiter:*{namespace}*:emergency:*", count=500))
    finally:
        client.close()


def test_an_absolute_cap_applies_on_a_route_with_only_an_hourly_token_limit(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    for tenant in ("stark", "acme"):
        kong_ai.ok("tenants", "add", tenant)
    route = _route(resolver_route, kong_ai, gateway_redis)
    before = _chat(gateway, route, "stark")
    assert before.status_code == 200 and "X-RateLimit-Limit-Tokens-Minute" not in before.headers

    kong_ai.ok("emergency", "restrict", "stark", "--for", "1h", "--tokens-per-minute", str(CAP))
    admitted = _chat(gateway, route, "stark")
    assert admitted.status_code == 200, admitted.text
    assert admitted.headers["X-RateLimit-Limit-Tokens-Minute"] == str(CAP)
    assert admitted.headers["X-RateLimit-Limit-Tokens-Hour"] == str(HOURLY_TOKENS)  # still checked too
    assert '"tokens-minute";q=60;w=60' in admitted.headers["RateLimit-Policy"]
    for phase in ("access", "response"):  # the extra limit costs no PDK round trip
        assert pdk_calls(admitted, LIMITER, phase) == pdk_calls(before, LIMITER, phase) > 0
    assert _first_refusal(gateway, route, "stark") is not None  # was None: the restriction did nothing
    refused = _chat(gateway, route, "stark")
    assert refused.status_code == 429, refused.text
    assert refused.json()["metric"] == "tokens" and refused.json()["window"] == "minute"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Limit-Tokens-Minute"] == str(CAP)
    (key,) = _emergency_keys(gateway_redis, kong_ai.namespace)
    assert "{stark}" in key  # the tenant's slot: one script call with the tenant's other counters

    assert _first_refusal(gateway, route, "acme") is None  # another tenant keeps the route's limits
    assert "X-RateLimit-Limit-Tokens-Minute" not in _chat(gateway, route, "acme").headers

    kong_ai.ok("emergency", "lift", "stark", "--only", "restrict")
    restored = _chat(gateway, route, "stark")
    assert restored.status_code == 200, restored.text
    assert "X-RateLimit-Limit-Tokens-Minute" not in restored.headers


def test_a_percentage_applies_to_the_per_minute_equivalent_of_the_hourly_limit(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "stark")
    route = _route(resolver_route, kong_ai, gateway_redis)
    assert _chat(gateway, route, "stark").status_code == 200

    kong_ai.ok("emergency", "restrict", "stark", "--for", "1h", "--tokens-per-minute", "10%")
    refused = _chat(gateway, route, "stark")  # 10% of 6000/60 = 10 a minute: less than one chat
    assert refused.status_code == 429, refused.text  # was 200: nothing per minute to narrow
    assert refused.headers["X-RateLimit-Limit-Tokens-Minute"] == str(HOURLY_TOKENS // 60 // 10)
    assert refused.json()["metric"] == "tokens" and refused.json()["window"] == "minute"

    kong_ai.ok("emergency", "lift", "stark", "--only", "restrict")
    assert _chat(gateway, route, "stark").status_code == 200
