"""Both limiters count a request under its tenant whatever its header count (99, 100, 101+ lines).

The limiters read the tenant from ``kong.ctx.shared`` (``ai_guard.tenant``), never from request headers;
the resolver in front reads every header line (``get_headers(1000)``), so a tenant header placed after
Kong's default 100 lines still names the tenant that is counted, and from 1000 lines the request is refused
(431) before any counter moves.
"""

from __future__ import annotations

import json

import pytest
from integration.ai_token_limiter.limiter_support import PLUGIN, STREAM_PLUGIN, LimiterEnv, chat, limit
from integration.header_lines import AROUND_THE_LIMITS, PAST_THE_BOUND, send_with_lines

pytestmark = [pytest.mark.redis, pytest.mark.harness]

BODY = json.dumps(chat()).encode()
JSON = [("Content-Type", "application/json")]


def _send(route, lines: int, tenant: str):
    proxy = route.route.gateway.proxy
    return send_with_lines(
        proxy, "POST", route.route.url(), lines, headers=JSON, last=[("X-Tenant-ID", tenant)], content=BODY
    )


@pytest.mark.parametrize("plugin", [PLUGIN, STREAM_PLUGIN])
@pytest.mark.parametrize("lines", AROUND_THE_LIMITS)
def test_the_tenant_counted_is_the_one_resolved(limiter: LimiterEnv, plugin: str, lines: int) -> None:
    route = limiter.route([limit("requests", 2)], plugin=plugin)
    assert [_send(route, lines, "acme").status_code for _ in range(3)] == [200, 200, 429]
    assert _send(route, lines, "globex").status_code == 200  # another tenant, another counter
    assert route.used("requests", tenant="acme") == 2
    assert route.used("requests", tenant="globex") == 1


@pytest.mark.parametrize("plugin", [PLUGIN, STREAM_PLUGIN])
@pytest.mark.parametrize("lines", PAST_THE_BOUND)
def test_from_1000_header_lines_nothing_is_counted(limiter: LimiterEnv, plugin: str, lines: int) -> None:
    route = limiter.route([limit("requests", 2)], plugin=plugin)
    response = _send(route, lines, "acme")
    assert response.status_code == 431, response.text
    assert route.used("requests") == 0
