"""Fixtures for the ``ai-tenant-resolver`` gateway tests: routes with the plugin, Admin API entities, the
gateway's Redis in a namespace of the test's own, the ``kong-ai`` CLI on it, and JWT signing keys.

Every entity a test creates through the Admin API, and every Redis key under its namespace, is removed
afterwards, so tests never see each other's tenants, keys, consumers or upstreams.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fixtures.gateway import GatewayUnderTest, RouteUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    PLUGIN,
    AdminCreate,
    GatewayRedis,
    KongAiCli,
    ResolverRoute,
    SigningKey,
)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def gateway_redis() -> GatewayRedis:
    return GatewayRedis(os.environ.get("KONG_AI_REDIS_URL") or DEFAULT_REDIS_URL)


@pytest.fixture
def tenant_ns(gateway_redis: GatewayRedis) -> Iterator[str]:
    """A Redis namespace (plugin ``namespace``, CLI ``--namespace``) only this test uses; emptied after it."""
    namespace = f"t-resolver-{uuid.uuid4().hex[:12]}"
    yield namespace
    client = redis.Redis.from_url(gateway_redis.url, socket_timeout=5)
    try:
        stale = list(client.scan_iter(match=f"{namespace}:*", count=500))
        if stale:
            client.delete(*stale)
    finally:
        client.close()


@pytest.fixture
def kong_ai(gateway_redis: GatewayRedis, tenant_ns: str) -> KongAiCli:
    return KongAiCli(gateway_redis.url, tenant_ns)


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="session")
def other_signing_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def jwt_config(signing_key: SigningKey) -> dict[str, Any]:
    """The plugin's ``jwt`` record trusting ``signing_key`` as kid ``rsa-1`` (RS256)."""
    return {"keys": [{"kid": "rsa-1", "algorithm": "RS256", "key": signing_key.public_pem}]}


@pytest.fixture
def admin_create(gateway: GatewayUnderTest) -> Iterator[AdminCreate]:
    """``admin_create("/consumers", body) -> entity``: POST through the Admin API, deleted after the test."""
    created: list[str] = []

    def create(collection: str, body: dict[str, Any]) -> dict[str, Any]:
        response = gateway.admin.post(collection, json=body)
        assert response.status_code == 201, response.text
        entity = response.json()
        created.append(f"{collection}/{entity['id']}")
        return entity

    yield create
    for path in reversed(created):
        gateway.admin.delete(path)


@pytest.fixture
def resolver_route(make_route: Any) -> ResolverRoute:
    """``resolver_route(config, *, before=[(name, config)], **route_fields)``: a new route on the mock LLM's
    ``/echo`` with ``ai-tenant-resolver`` enabled (and the plugins ``before`` it, e.g. ``key-auth``)."""

    def factory(
        config: dict[str, Any], *, before: list[tuple[str, dict[str, Any]]] | None = None, **route_fields: Any
    ) -> RouteUnderTest:
        route: RouteUnderTest = make_route(**route_fields)
        for name, plugin_config in before or []:
            route.add_plugin(name, plugin_config)
        route.add_plugin(PLUGIN, config)
        return route

    return factory
