"""A tenant header the client places after Kong's default 100 header lines is still seen (99, 100, 101+).

``kong.request.get_headers()`` returns the first 100 lines; the resolver asks for all of them
(``get_headers(1000)``) so that a repeated or conflicting ``X-Tenant-ID`` past line 100 is refused like one
before it, and answers 431 when even 1000 lines may not be all.
"""

from __future__ import annotations

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    Echo,
    ResolverRoute,
    SigningKey,
    assert_refused,
    pdk_calls,
)
from integration.header_lines import AROUND_THE_LIMITS, PAST_THE_BOUND, send_with_lines

TENANTS = [{"id": "acme"}, {"id": "globex"}]


@pytest.mark.parametrize("lines", AROUND_THE_LIMITS)
def test_a_second_tenant_header_past_line_100_is_still_ambiguous(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, lines: int
) -> None:
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})
    first = [("X-Tenant-ID", "acme")]
    single = send_with_lines(gateway.proxy, "GET", route.url(), lines, headers=first)
    assert single.status_code == 200, single.text
    assert Echo.of(single).values("x-tenant-id") == ["acme"]
    twice = send_with_lines(
        gateway.proxy, "GET", route.url(), lines, headers=first, last=[("X-Tenant-ID", "globex")]
    )
    assert_refused(twice, 403)


@pytest.mark.parametrize("lines", AROUND_THE_LIMITS)
def test_a_header_that_disagrees_with_the_jwt_past_line_100_is_seen(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    jwt_config,
    signing_key: SigningKey,
    lines: int,
) -> None:
    route = resolver_route({"sources": ["jwt", "header"], "jwt": jwt_config, "tenants": TENANTS})
    token = [("Authorization", f"Bearer {signing_key.token()}")]  # tenant acme
    agreeing = send_with_lines(
        gateway.proxy, "GET", route.url(), lines, headers=token, last=[("X-Tenant-ID", "acme")]
    )
    assert agreeing.status_code == 200, agreeing.text
    other = send_with_lines(
        gateway.proxy, "GET", route.url(), lines, headers=token, last=[("X-Tenant-ID", "globex")]
    )
    assert_refused(other, 403)


@pytest.mark.parametrize("lines", PAST_THE_BOUND)
def test_from_1000_header_lines_the_answer_is_431(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, lines: int
) -> None:
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})
    response = send_with_lines(gateway.proxy, "GET", route.url(), lines, headers=[("X-Tenant-ID", "acme")])
    assert response.status_code == 431, response.text
    assert response.json()["message"] == "Request header fields too large"
    assert "X-Tenant-ID" not in response.headers


@pytest.mark.harness
def test_every_header_line_costs_no_extra_round_trip(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    gateway.require_harness()
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})
    for lines in (20, 150, 999):
        response = send_with_lines(
            gateway.proxy, "GET", route.url(), lines, headers=[("X-Tenant-ID", "acme")]
        )
        assert response.status_code == 200
        assert pdk_calls(response) == 4
