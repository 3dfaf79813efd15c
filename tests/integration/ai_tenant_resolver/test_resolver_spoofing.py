"""Anti-spoofing: the tenant headers the gateway owns reach the upstream only with the values it resolved,
whatever copies (repeated, other case) a client sends; the client response is tagged with ``X-Tenant-ID``."""

from __future__ import annotations

from typing import Any

from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    Echo,
    ResolverRoute,
    SigningKey,
    assert_refused,
    bearer,
    unique_suffix,
    upstream_hits,
)

TENANTS = [{"id": "acme", "tier": "pro", "region": "eu"}, {"id": "globex"}]
SPOOFED = [
    ("X-Tenant-ID", "globex"),
    ("x-tenant-id", "initech"),
    ("X-Tenant-Tier", "enterprise"),
    ("X-TENANT-TIER", "unlimited"),
    ("X-Tenant-Region", "us"),
    ("x-tenant-region", "cn"),
]
"""Client copies of every gateway-owned header, each twice and in different cases."""


def test_spoofed_tenant_headers_are_replaced_by_the_resolved_ones(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    route = resolver_route({"sources": ["jwt"], "jwt": jwt_config, "tenants": TENANTS})
    headers = [*bearer(signing_key.token()).items(), *SPOOFED]

    response = gateway.proxy.get(route.url(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers.get_list("X-Tenant-ID") == ["acme"]
    assert Echo.of(response).gateway_headers() == {
        "x-tenant-id": ["acme"],
        "x-tenant-tier": ["pro"],
        "x-tenant-region": ["eu"],
    }


def test_spoofed_headers_are_removed_when_the_tenant_has_no_tier_or_region(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    route = resolver_route({"sources": ["jwt"], "jwt": jwt_config, "tenants": TENANTS})
    headers = [*bearer(signing_key.token({"tenant_id": "globex", "exp": 2**31})).items(), *SPOOFED]

    response = gateway.proxy.get(route.url(), headers=headers)
    assert response.headers["X-Tenant-ID"] == "globex"
    assert Echo.of(response).gateway_headers() == {"x-tenant-id": ["globex"]}


def test_the_tenant_header_source_is_checked_then_replaced(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    """With ``header`` as the source, ``X-Tenant-ID`` is the client's claim: one copy, validated, then
    replaced by the registry's record (tier and region come from the registry, never from the client)."""
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})

    response = gateway.proxy.get(route.url(), headers=[("X-Tenant-ID", "acme"), *SPOOFED[2:]])
    assert Echo.of(response).gateway_headers() == {
        "x-tenant-id": ["acme"],
        "x-tenant-tier": ["pro"],
        "x-tenant-region": ["eu"],
    }
    # two copies of the tenant header are ambiguous: refused rather than one picked
    assert_refused(gateway.proxy.get(route.url(), headers=SPOOFED[:2]), 403)
    assert_refused(gateway.proxy.get(route.url(), headers=[("X-Tenant-ID", "acme\tglobex")]), 403)


def test_a_refused_request_is_not_tagged_and_never_reaches_the_upstream(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})
    suffix = unique_suffix()
    assert_refused(gateway.proxy.get(route.url(suffix), headers={"X-Tenant-ID": "nobody"}), 403)
    assert_refused(gateway.proxy.get(route.url(suffix)), 401)
    assert upstream_hits("/echo" + suffix) == 0
    assert gateway.proxy.get(route.url(suffix), headers={"X-Tenant-ID": "acme"}).status_code == 200
    assert upstream_hits("/echo" + suffix) == 1
