"""PDK round trips of ``ai-tenant-resolver`` per request, as the emulated gateway counts them: at most 4 for
a resolved request whatever its one source (and for the header-reading sources together), exactly the
counts the handler's docstring explains otherwise. Every PDK call is a round trip between Kong and the
plugin server on each request, so a new one must not slip in unnoticed."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from fixtures.gateway import MOCK_LLM_URL, GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    PATH_PATTERN,
    AdminCreate,
    GatewayRedis,
    KongAiCli,
    ResolverRoute,
    SigningKey,
    bearer,
    mock_llm_by_name,
    pdk_calls,
)

pytestmark = pytest.mark.harness

TENANTS = [{"id": "acme", "tier": "pro", "region": "eu"}]


@pytest.fixture(autouse=True)
def _needs_the_emulator(gateway: GatewayUnderTest) -> None:
    gateway.require_harness()


def _resolved_calls(gateway: GatewayUnderTest, path: str, headers: dict[str, str]) -> int:
    response = gateway.proxy.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["X-Tenant-ID"] == "acme"
    stats = gateway.request_stats(response.headers["X-Kong-Request-Id"])
    assert stats["pdk_calls"]["ai-tenant-resolver"] == {"access": pdk_calls(response)}
    return pdk_calls(response)


def test_each_source_alone_costs_four(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    admin_create: AdminCreate,
    kong_ai: KongAiCli,
    gateway_redis: GatewayRedis,
    signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    key = kong_ai.issue_key("acme")["key"]
    consumer = admin_create("/consumers", {"username": f"pdk-{uuid.uuid4().hex[:8]}", "custom_id": "acme"})
    admin_create(f"/consumers/{consumer['id']}/key-auth", {"key": "pdk-consumer-key-0123456789"})
    redis_settings = {"namespace": kong_ai.namespace, "redis": gateway_redis.plugin_config}
    cases: dict[str, tuple[dict[str, Any], str, dict[str, str], list[tuple[str, dict[str, Any]]]]] = {
        "header": ({"sources": ["header"]}, "", {"X-Tenant-ID": "acme"}, []),
        "jwt": ({"sources": ["jwt"], "jwt": jwt_config}, "", bearer(signing_key.token()), []),
        "api_key": ({"sources": ["api_key"], **redis_settings}, "", {"X-API-Key": key}, []),
        "path": ({"sources": ["path"], "path_pattern": PATH_PATTERN}, "/tenants/acme/x", {}, []),
        "consumer": (
            {"sources": ["consumer"]},
            "",
            {"apikey": "pdk-consumer-key-0123456789"},
            [("key-auth", {"key_names": ["apikey"]})],
        ),
        "jwt, header and api_key": (
            {"sources": ["jwt", "header", "api_key"], "jwt": jwt_config, **redis_settings},
            "",
            {**bearer(signing_key.token()), "X-Tenant-ID": "acme", "X-API-Key": key},
            [],
        ),
    }
    counts = {}
    for name, (config, suffix, headers, before) in cases.items():
        route = resolver_route({**config, "tenants": TENANTS}, before=before)
        counts[name] = _resolved_calls(gateway, route.url(suffix), headers)
    assert counts == dict.fromkeys(cases, 4)


def test_the_redis_registry_adds_no_round_trip(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    kong_ai.ok("tenants", "add", "acme", "--tier", "pro")
    route = resolver_route(
        {
            "sources": ["header"],
            "registry": "redis",
            "namespace": kong_ai.namespace,
            "redis": gateway_redis.plugin_config,
        }
    )
    for _ in range(2):  # a cache miss, then a hit
        assert _resolved_calls(gateway, route.url(), {"X-Tenant-ID": "acme"}) == 4


def test_reading_two_kinds_of_input_costs_one_more(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    """Headers and the path are two PDK getters; Kong has no call returning both in ``access``."""
    route = resolver_route({"sources": ["header", "path"], "path_pattern": PATH_PATTERN, "tenants": TENANTS})
    assert _resolved_calls(gateway, route.url("/tenants/acme/x"), {"X-Tenant-ID": "acme"}) == 5


def test_region_routing_costs_five(gateway: GatewayUnderTest, admin_create: AdminCreate) -> None:
    """get_headers, set_upstream, set_headers, ctx.shared.set, response.set_header: see the handler's
    docstring for why none of them can go and no one call can do two of these jobs."""
    mock = urlsplit(MOCK_LLM_URL)
    tag = uuid.uuid4().hex[:12]
    upstream = admin_create("/upstreams", {"name": f"pdk-eu-{tag}"})
    admin_create(f"/upstreams/{upstream['id']}/targets", {"target": f"{mock.hostname}:{mock.port}"})
    service_host, service_port = mock_llm_by_name()
    service = admin_create(
        "/services", {"name": f"s-{tag}", "url": f"http://{service_host}:{service_port}/echo"}
    )
    route = admin_create(f"/services/{service['id']}/routes", {"name": f"r-{tag}", "paths": [f"/r-{tag}"]})
    config = {"sources": ["header"], "tenants": TENANTS, "region_upstreams": {"eu": upstream["name"]}}
    admin_create(f"/routes/{route['id']}/plugins", {"name": "ai-tenant-resolver", "config": config})
    assert _resolved_calls(gateway, f"/r-{tag}", {"X-Tenant-ID": "acme"}) == 5


def test_refusals_cost_the_reads_and_the_answer(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})
    optional = resolver_route({"sources": ["header"], "required": False, "tenants": TENANTS})
    for path, headers, status in (
        (route.url(), {}, 401),
        (route.url(), {"X-Tenant-ID": "nobody"}, 403),
        (optional.url(), {}, 200),  # no tenant: the reads and the clean-up of gateway headers
    ):
        response = gateway.proxy.get(path, headers=headers)
        assert response.status_code == status
        assert pdk_calls(response) == 2, (headers, status)
