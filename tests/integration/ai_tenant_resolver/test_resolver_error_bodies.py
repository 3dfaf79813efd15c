"""Failed authentication gets generic errors only: across every kind of failure the plugin can produce, the
client sees exactly two bodies (one for 401, one for 403, apart from Kong's per-request ``request_id``), so
no response tells an attacker which check failed."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    FORBIDDEN,
    PATH_PATTERN,
    UNAUTHORIZED,
    GatewayRedis,
    KongAiCli,
    ResolverRoute,
    SigningKey,
    assert_refused,
    bearer,
    error_body,
    poll_until,
    unsigned_token,
)

TENANTS = [
    {"id": "acme", "region": "eu"},
    {"id": "globex", "region": "us"},
    {"id": "initech", "status": "suspended"},
]
LOG_DEADLINE_S = 2.0
"""The plugin server's stderr reaches Kong's log asynchronously: a log line is polled for."""


def test_every_failure_kind_gets_one_of_two_bodies(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    kong_ai: KongAiCli,
    gateway_redis: GatewayRedis,
    signing_key: SigningKey,
    other_signing_key: SigningKey,
    jwt_config: dict[str, Any],
) -> None:
    redis_settings = {"namespace": kong_ai.namespace, "redis": gateway_redis.plugin_config}
    many = resolver_route(
        {
            "sources": ["jwt", "header", "path", "api_key"],
            "jwt": jwt_config,
            "path_pattern": PATH_PATTERN,
            "tenants": TENANTS,
            **redis_settings,
        }
    )
    residency = resolver_route(
        {"sources": ["header"], "tenants": TENANTS, "region_upstreams": {"eu": "llm-eu-unused"}}
    )
    from_redis = resolver_route({"sources": ["header"], "registry": "redis", **redis_settings})
    revoked = kong_ai.issue_key("acme")
    kong_ai.ok("keys", "revoke", "--tenant", "acme", "--key-id", revoked["key_id"])
    suspended_key = kong_ai.issue_key("initech")["key"]
    now = int(time.time())

    def on(route: Any, suffix: str = "", **headers: str) -> Callable[[], httpx.Response]:
        return lambda: gateway.proxy.get(route.url(suffix), headers=headers)

    failures: dict[str, tuple[int, Callable[[], httpx.Response]]] = {
        "no tenant": (401, on(many)),
        "expired token": (401, on(many, **bearer(signing_key.token(exp=now - 3600)))),
        "future token": (401, on(many, **bearer(signing_key.token(nbf=now + 3600)))),
        "token from another key": (401, on(many, **bearer(other_signing_key.token()))),
        "unknown kid": (401, on(many, **bearer(signing_key.token(kid="nope")))),
        "alg none": (
            401,
            on(many, **bearer(unsigned_token({"alg": "none", "kid": "rsa-1"}, {"tenant_id": "a"}))),
        ),
        "garbage token": (401, on(many, Authorization="Bearer !!garbage!!")),
        "empty bearer": (401, on(many, Authorization="Bearer")),
        "token without tenant": (401, on(many, **bearer(signing_key.token({"exp": now + 60})))),
        "unknown api key": (401, on(many, **{"X-API-Key": "kag_" + "B" * 43})),
        "malformed api key": (401, on(many, **{"X-API-Key": "hunter2"})),
        "revoked api key": (401, on(many, **{"X-API-Key": revoked["key"]})),
        "unknown tenant": (403, on(many, **{"X-Tenant-ID": "nobody"})),
        "suspended tenant": (403, on(many, **{"X-Tenant-ID": "initech"})),
        "suspended tenant's key": (403, on(many, **{"X-API-Key": suspended_key})),
        "invalid tenant id": (403, on(many, **{"X-Tenant-ID": "acme;globex"})),
        "sources disagree": (403, on(many, "/tenants/globex/x", **{"X-Tenant-ID": "acme"})),
        "token and header disagree": (
            403,
            on(many, **bearer(signing_key.token()), **{"X-Tenant-ID": "globex"}),
        ),
        "region without upstream": (403, on(residency, **{"X-Tenant-ID": "globex"})),
        "unknown in the redis registry": (403, on(from_redis, **{"X-Tenant-ID": "acme"})),
    }

    bodies: dict[int, set[str]] = {401: set(), 403: set()}
    content_types: set[str] = set()
    for kind, (status, send) in failures.items():
        response = send()
        assert response.status_code == status, (kind, response.status_code, response.text)
        assert "X-Tenant-ID" not in response.headers, kind
        bodies[status].add(json.dumps(error_body(response), sort_keys=True))
        content_types.add(response.headers["Content-Type"])

    assert {status: [json.loads(body) for body in found] for status, found in bodies.items()} == {
        401: [UNAUTHORIZED],
        403: [FORBIDDEN],
    }
    assert len(content_types) == 1


@pytest.mark.harness
def test_the_reason_of_a_refusal_goes_to_kongs_log(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute
) -> None:
    """The client learns nothing; the operator reads why in Kong's error log."""
    gateway.require_harness()
    route = resolver_route({"sources": ["header"], "tenants": TENANTS})
    ghost = f"ghost-{uuid.uuid4().hex[:12]}"
    assert_refused(gateway.proxy.get(route.url(), headers={"X-Tenant-ID": ghost}), 403)
    poll_until(
        lambda: any(f"unknown tenant {ghost}" in line for line in gateway.kong_log()),
        deadline_s=LOG_DEADLINE_S,
        what="the refusal's reason in Kong's log",
    )
