"""Hostile tenant ids (and tenant-shaped values in other key parts) through the full chain, checked in
Redis: Redis glob and hash-tag characters, separators, newlines, 10 KB ids, look-alikes. None may read or
write another tenant's keys: after the traffic, tenant ``acme``'s limiter counters and audit stream are
exactly what acme's own requests made them, and every key the route's plugins wrote belongs to ``acme`` or
to the no-tenant audit stream (``{~}``).
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import redis
from integration.ai_tenant_resolver.resolver_support import PATH_PATTERN
from integration.hostile.chain_support import ChainEnv, ChainRoute, assert_kong_error, chat, redis_url

from kong_plugins.core.hostile_inputs import TENANT_CLAIM_ATTACKS, TENANT_ID_ATTACKS

MODEL_ATTACKS = ["*", "{globex}", "gpt-4o:tenant:globex", "gpt-4o}{globex", "a" * 5000, "gpt\u20114o", "?"]


def _snapshot(route: ChainRoute, tag: str) -> dict[str, str]:
    """Every key of hash tag ``tag`` with a digest of its value (type-aware), to compare before/after."""
    client = redis.Redis.from_url(redis_url(), decode_responses=True, socket_timeout=10)
    try:
        found = {}
        for key in route.redis_keys():
            if "{" + tag + "}" not in key:
                continue
            kind = client.type(key)
            if kind == "stream":
                found[key] = f"stream:{client.xlen(key)}"
            elif kind == "hash":
                found[key] = json.dumps(sorted(client.hgetall(key).items()))
            elif kind == "zset":
                found[key] = json.dumps(client.zrange(key, 0, -1, withscores=True))
            elif kind == "string":
                found[key] = str(client.get(key))
            else:
                found[key] = kind
        return found
    finally:
        client.close()


def _settled_snapshot(route: ChainRoute, tag: str, timeout_s: float = 30.0) -> dict[str, str]:
    """The snapshot once the audit log's writer has flushed acme's record: the log phase runs after the
    answer reached the client and the writer batches every ``flush_interval_ms``, so the stream may not
    exist yet when the first snapshot is taken."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = _snapshot(route, tag)
        if any(":stream" in key for key in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_hostile_tenant_ids_never_touch_another_tenants_keys(chain: ChainEnv) -> None:
    model_limit = {"metric": "requests", "limit": 10000, "window": "60", "scope": "tenant_model"}
    route = chain.route(
        limiter={
            "limits": [
                {"metric": "requests", "limit": 10000, "window": "60", "scope": "tenant"},
                model_limit,
            ]
        },
        guard={"max_message_chars": 20000},
    )
    assert route.post().status_code == 200
    before = _settled_snapshot(route, "acme")
    assert any("ai-token-limiter" in key for key in before) and any(":stream" in key for key in before)

    for name, tenant in TENANT_ID_ATTACKS.items():
        if tenant == "acme":
            continue
        response = route.post(tenant=tenant)
        try:
            assert_kong_error(response, 400, 401, 403)
        except AssertionError as exc:
            raise AssertionError(f"{name!r}: {exc}") from exc
    answered = 0
    for model in MODEL_ATTACKS:  # tenant-shaped values in another part of the limiter's keys
        response = route.post(chat(model=model), tenant="globex")
        assert response.status_code < 500, (model[:40], response.status_code, response.text[:200])
        answered += response.status_code == 200

    after = _snapshot(route, "acme")
    assert after == before, "acme's keys changed without a request of acme"
    assert route.tags() <= {"acme", "globex", "~"}, route.redis_keys()
    assert route.audit_tenants() <= {"acme", "globex", ""}, route.audit_tenants()
    assert route.upstream_hits() == 1 + answered  # acme's own request and globex's answered ones


def test_hostile_tenant_ids_in_the_path_are_refused(chain: ChainEnv) -> None:
    """The ``path`` source: ids percent-encoded into the path (Kong decodes them before the plugin reads
    the path) are refused like any other source's."""
    route = chain.route(resolver={"sources": ["path"], "path_pattern": PATH_PATTERN})
    for name, tenant in TENANT_CLAIM_ATTACKS.items():
        if not isinstance(tenant, str) or not tenant:
            continue
        url = route.route.url(f"/tenants/{quote(tenant, safe='')}/x")
        response = route.gateway.proxy.post(url, json=chat(), timeout=60)
        try:
            assert_kong_error(response, 400, 401, 403)
        except AssertionError as exc:
            raise AssertionError(f"{name!r}: {exc}") from exc
    assert route.tags() <= {"~"}, route.redis_keys()
