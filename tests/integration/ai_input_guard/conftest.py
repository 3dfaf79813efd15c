"""Fixtures for the ai-input-guard gateway tests: a guarded-route factory, a key-auth consumer, and the audit
log's fixtures (its private Redis and route factory) for the tests that read findings from audit records."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_audit_log.conftest import audit, audit_redis, running_audit_redis
from integration.ai_input_guard.guard_support import KEY_AUTH, Caller, GuardedRoute

__all__ = ["audit", "audit_redis", "consumer_key", "guarded", "key_caller", "running_audit_redis"]


@pytest.fixture
def guarded(gateway: GatewayUnderTest, make_route: Any) -> Callable[..., GuardedRoute]:
    """``guarded(config, before=[(plugin, config), ...])``: a fresh route with the guard last."""

    def factory(
        config: dict[str, Any] | None = None, before: list[tuple[str, dict[str, Any]]] = ()
    ) -> GuardedRoute:
        upstream_path = f"/echo/{uuid.uuid4().hex[:12]}"
        route = make_route(upstream_path=upstream_path)
        for name, plugin_config in before:
            route.add_plugin(name, plugin_config)
        route.add_plugin("ai-input-guard", config or {})
        return GuardedRoute(gateway, route, upstream_path)

    return factory


@pytest.fixture
def consumer_key(gateway: GatewayUnderTest) -> Iterator[str]:
    """The key-auth key of a consumer created for the test (deleted afterwards)."""
    tag = uuid.uuid4().hex[:12]
    consumer = gateway.admin.post("/consumers", json={"username": f"guard-{tag}"})
    assert consumer.status_code == 201, consumer.text
    key = f"guard-key-{tag}"
    created = gateway.admin.post(f"/consumers/{consumer.json()['id']}/key-auth", json={"key": key})
    assert created.status_code == 201, created.text
    yield key
    gateway.admin.delete(f"/consumers/{consumer.json()['id']}")


@pytest.fixture
def key_caller(guarded: Callable[..., GuardedRoute], consumer_key: str) -> Callable[..., Caller]:
    """``key_caller(config)``: a fresh guarded route behind key-auth, called with the consumer's key."""
    return lambda config=None: Caller(guarded(config, before=[KEY_AUTH]), consumer_key)
