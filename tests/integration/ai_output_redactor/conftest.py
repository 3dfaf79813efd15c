"""Fixtures for the ai-output-redactor gateway tests: a redacted-route factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_output_redactor.redactor_support import PLUGIN, RedactedRoute


@pytest.fixture
def redacted(gateway: GatewayUnderTest, make_route: Any) -> Callable[..., RedactedRoute]:
    """``redacted(config, before=[(plugin, config)], upstream="/v1/chat/completions")``: a fresh route."""

    def factory(
        config: dict[str, Any] | None = None,
        before: list[tuple[str, dict[str, Any]]] = (),
        upstream: str = "/v1/chat/completions",
    ) -> RedactedRoute:
        route = make_route(upstream_path=upstream)
        for name, plugin_config in before:
            route.add_plugin(name, plugin_config)
        route.add_plugin(PLUGIN, config or {})
        return RedactedRoute(gateway, route)

    return factory
