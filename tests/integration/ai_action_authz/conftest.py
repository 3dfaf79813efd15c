"""Fixtures for the ai-action-authz gateway tests: a route factory with the plugin chain in Kong's order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_action_authz.authz_support import RESOLVER, AuthzRoute


@pytest.fixture
def authz(gateway: GatewayUnderTest, make_route: Any) -> Callable[..., AuthzRoute]:
    """``authz(config, before=[RESOLVER], upstream="/echo")``: a fresh route with ai-action-authz."""

    def factory(
        config: dict[str, Any],
        before: list[tuple[str, dict[str, Any]]] | None = None,
        upstream: str | None = None,
    ) -> AuthzRoute:
        upstream_path = upstream or f"/echo/{uuid.uuid4().hex[:12]}"
        route = make_route(upstream_path=upstream_path)
        for name, plugin_config in [RESOLVER] if before is None else before:
            route.add_plugin(name, plugin_config)
        route.add_plugin("ai-action-authz", config)
        return AuthzRoute(gateway, route, upstream_path)

    return factory
