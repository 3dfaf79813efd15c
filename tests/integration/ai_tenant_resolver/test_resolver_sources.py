"""Every tenant source through the gateway (real plugin server, real upstream), their order, conflicts, and
a missing tenant with ``required`` on and off.

What a user sees is checked: the status, the ``X-Tenant-ID`` response tag, and what the upstream received
(the mock LLM's ``/echo``): the resolved tenant headers, and no credential the plugin verified.
"""

from __future__ import annotations

import http.client
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    PATH_PATTERN,
    AdminCreate,
    Echo,
    GatewayRedis,
    KongAiCli,
    ResolverRoute,
    SigningKey,
    assert_refused,
    bearer,
)

TENANTS = [
    {"id": "acme", "tier": "pro", "region": "eu"},
    {"id": "globex", "tier": "free"},
    {"id": "initech", "status": "suspended"},
]


def _resolved(response: Any, tenant: str) -> Echo:
    """The request reached the upstream as ``tenant``, and the client response is tagged with it."""
    assert response.status_code == 200, response.text
    assert response.headers["X-Tenant-ID"] == tenant
    echo = Echo.of(response)
    assert echo.values("X-Tenant-ID") == [tenant]
    return echo


# -- each source ---------------------------------------------------------------------------------------------


def test_header_source(gateway: GatewayUnderTest, resolver_route: ResolverRoute) -> None:
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})

    echo = _resolved(gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"}), "acme")
    assert echo.gateway_headers() == {
        "x-tenant-id": ["acme"],
        "x-tenant-tier": ["pro"],
        "x-tenant-region": ["eu"],
    }
    assert_refused(gateway.proxy.get(route.url()), 401)


def test_custom_header_name(gateway: GatewayUnderTest, resolver_route: ResolverRoute) -> None:
    route = resolver_route({"sources": ["header"], "header_name": "X-Org", "tenants": TENANTS})

    echo = _resolved(gateway.proxy.get(route.url(), headers={"X-Org": "globex"}), "globex")
    assert echo.values("X-Tenant-Tier") == ["free"]
    assert echo.values("X-Tenant-Region") == []  # globex has no region
    # the default header is not a source here: a client's copy is not read, and not passed on
    assert_refused(gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "acme"}), 401)


def test_jwt_source_hides_the_token_from_the_upstream(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    route = resolver_route({"sources": ["jwt"], "jwt": jwt_config, "tenants": TENANTS})

    echo = _resolved(gateway.proxy.get(route.url(), headers=bearer(signing_key.token())), "acme")
    assert echo.values("Authorization") == []
    assert_refused(gateway.proxy.get(route.url()), 401)


def test_jwt_claim_path_and_passing_the_token_on(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    route = resolver_route(
        {
            "sources": ["jwt"],
            "jwt": {**jwt_config, "claim": "org.tenant"},
            "hide_credentials": False,
            "tenants": TENANTS,
        }
    )
    token = signing_key.token({"org": {"tenant": "globex"}, "tenant_id": "acme", "exp": 2**31})

    echo = _resolved(gateway.proxy.get(route.url(), headers=bearer(token)), "globex")
    assert echo.values("Authorization") == [f"Bearer {token}"]
    # a valid token without the configured claim names no tenant: refused, not skipped
    assert_refused(gateway.proxy.get(route.url(), headers=bearer(signing_key.token())), 401)


def test_path_source(gateway: GatewayUnderTest, resolver_route: ResolverRoute) -> None:
    route = resolver_route({"sources": ["path"], "path_pattern": PATH_PATTERN, "tenants": TENANTS})

    echo = _resolved(gateway.proxy.get(route.url("/tenants/globex/v1/chat")), "globex")
    assert echo.path == "/echo/tenants/globex/v1/chat"
    assert_refused(gateway.proxy.get(route.url("/v1/chat")), 401)  # the pattern does not match
    assert_refused(gateway.proxy.get(route.url("/tenants/nobody/v1")), 403)  # unknown tenant
    assert_refused(gateway.proxy.get(route.url("/tenants/-bad/v1")), 401)  # not an id: no match


def test_path_source_reads_the_path_the_upstream_gets(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    """Dot segments, encoded letters and doubled slashes cannot make the plugin resolve one tenant while the
    upstream's path names another: the ``path`` source reads Kong's normalized path, as the upstream does."""
    route = resolver_route({"sources": ["path"], "path_pattern": PATH_PATTERN, "tenants": TENANTS})
    for raw_path, tenant in (
        (route.url("/tenants/acme/../globex/x"), "globex"),
        (route.url("/tenants/%61cme/x"), "acme"),
        (route.url("//tenants/./acme/x"), "acme"),
    ):
        status, headers, body = _raw_get(gateway, raw_path)
        assert status == 200, (raw_path, body)
        assert headers["x-tenant-id"] == tenant, raw_path
        assert json.loads(body)["path"] == f"/echo/tenants/{tenant}/x", raw_path
    status, _, _ = _raw_get(gateway, route.url("/tenants/acme%2F..%2Fglobex/x"))  # %2F stays a character
    assert status == 401


def _raw_get(gateway: GatewayUnderTest, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    """GET with the path sent exactly as given (httpx would remove the dot segments itself)."""
    proxy = urlsplit(gateway.proxy_url)
    connection = http.client.HTTPConnection(proxy.hostname or "127.0.0.1", proxy.port or 80, timeout=30)
    try:
        connection.request("GET", raw_path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_consumer_source_by_custom_id(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, admin_create: AdminCreate
) -> None:
    consumer = admin_create("/consumers", {"username": f"acme-{uuid.uuid4().hex[:8]}", "custom_id": "acme"})
    admin_create(f"/consumers/{consumer['id']}/key-auth", {"key": "acme-consumer-key-0123456789"})
    route = resolver_route(
        {"sources": ["consumer"], "tenants": TENANTS}, before=[("key-auth", {"key_names": ["apikey"]})]
    )

    _resolved(gateway.proxy.get(route.url(), headers={"apikey": "acme-consumer-key-0123456789"}), "acme")
    # key-auth (priority 1250) refuses before the resolver runs
    refused = gateway.proxy.get(route.url(), headers={"apikey": "not-a-key"})
    assert refused.status_code == 401
    assert "X-Tenant-ID" not in refused.headers


def test_consumer_source_by_tag(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, admin_create: AdminCreate
) -> None:
    tagged = admin_create(
        "/consumers", {"username": f"tagged-{uuid.uuid4().hex[:8]}", "tags": ["team-a", "tenant:globex"]}
    )
    untagged = admin_create(
        "/consumers", {"username": f"untagged-{uuid.uuid4().hex[:8]}", "custom_id": "acme"}
    )
    admin_create(f"/consumers/{tagged['id']}/key-auth", {"key": "globex-consumer-key-0123456789"})
    admin_create(f"/consumers/{untagged['id']}/key-auth", {"key": "untagged-consumer-key-012345"})
    route = resolver_route(
        {"sources": ["consumer"], "consumer_by": "tag", "tenants": TENANTS},
        before=[("key-auth", {"key_names": ["apikey"]})],
    )

    _resolved(gateway.proxy.get(route.url(), headers={"apikey": "globex-consumer-key-0123456789"}), "globex")
    # custom_id is not read when consumer_by is tag: this consumer names no tenant
    assert_refused(gateway.proxy.get(route.url(), headers={"apikey": "untagged-consumer-key-012345"}), 401)


def test_api_key_source(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, kong_ai: KongAiCli, gateway_redis: GatewayRedis
) -> None:
    issued = kong_ai.issue_key("acme")
    route = resolver_route(
        {
            "sources": ["api_key"],
            "tenants": TENANTS,
            "namespace": kong_ai.namespace,
            "redis": gateway_redis.plugin_config,
        }
    )

    echo = _resolved(gateway.proxy.get(route.url(), headers={"X-API-Key": issued["key"]}), "acme")
    assert echo.values("X-API-Key") == []  # the key is for the gateway, not the model provider
    unknown = "kag_" + "A" * 43
    assert_refused(gateway.proxy.get(route.url(), headers={"X-API-Key": unknown}), 401)
    assert_refused(gateway.proxy.get(route.url(), headers={"X-API-Key": "short"}), 401)


# -- order, conflicts, missing tenant ------------------------------------------------------------------------


def test_a_later_source_is_used_when_earlier_ones_are_absent(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    route = resolver_route(
        {
            "sources": ["jwt", "path", "header"],
            "jwt": jwt_config,
            "path_pattern": PATH_PATTERN,
            "tenants": TENANTS,
        }
    )

    _resolved(gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "globex"}), "globex")
    _resolved(gateway.proxy.get(route.url("/tenants/globex/x")), "globex")
    _resolved(gateway.proxy.get(route.url(), headers=bearer(signing_key.token())), "acme")
    agreeing = {**bearer(signing_key.token()), "X-Tenant-ID": "acme"}
    _resolved(gateway.proxy.get(route.url("/tenants/acme/x"), headers=agreeing), "acme")


def test_sources_are_checked_in_the_configured_order(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    other_signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    """A bad JWT (401) and a malformed tenant header (403) on one request: the first source decides."""
    jwt_first = resolver_route({"sources": ["jwt", "header"], "jwt": jwt_config, "tenants": TENANTS})
    header_first = resolver_route({"sources": ["header", "jwt"], "jwt": jwt_config, "tenants": TENANTS})
    both_bad = {**bearer(other_signing_key.token()), "X-Tenant-ID": "not a tenant!"}

    assert_refused(gateway.proxy.get(jwt_first.url(), headers=both_bad), 401)
    assert_refused(gateway.proxy.get(header_first.url(), headers=both_bad), 403)


def test_two_sources_disagreeing_are_refused_whatever_the_order(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    for sources in (["jwt", "header"], ["header", "jwt"], ["path", "header"], ["header", "path"]):
        route = resolver_route(
            {"sources": sources, "jwt": jwt_config, "path_pattern": PATH_PATTERN, "tenants": TENANTS}
        )
        headers = {**bearer(signing_key.token()), "X-Tenant-ID": "globex"}  # jwt: acme, header: globex
        assert_refused(gateway.proxy.get(route.url("/tenants/acme/x"), headers=headers), 403)
        # one source alone would have passed: it is the disagreement that is refused
        _resolved(gateway.proxy.get(route.url(), headers={"X-Tenant-ID": "globex"}), "globex")


def test_missing_tenant_when_required(gateway: GatewayUnderTest, resolver_route: ResolverRoute) -> None:
    route = resolver_route({"sources": ["header", "path"], "path_pattern": PATH_PATTERN, "tenants": TENANTS})
    assert_refused(gateway.proxy.get(route.url("/v1/chat")), 401)
    assert_refused(gateway.proxy.get(route.url(), headers={"X-Tenant-Tier": "enterprise"}), 401)


def test_missing_tenant_when_not_required_passes_without_tenant_headers(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    route = resolver_route(
        {"sources": ["path"], "path_pattern": PATH_PATTERN, "required": False, "tenants": TENANTS}
    )
    spoofed = {"X-Tenant-ID": "acme", "X-Tenant-Tier": "enterprise", "X-Tenant-Region": "us"}

    response = gateway.proxy.get(route.url("/v1/chat"), headers=spoofed)
    assert response.status_code == 200, response.text
    assert "X-Tenant-ID" not in response.headers
    assert Echo.of(response).gateway_headers() == {}
    # a tenant that is present is still validated when not required
    assert_refused(gateway.proxy.get(route.url("/tenants/initech/x")), 403)
    assert_refused(gateway.proxy.get(route.url("/tenants/nobody/x")), 403)
    _resolved(gateway.proxy.get(route.url("/tenants/acme/x"), headers=spoofed), "acme")
