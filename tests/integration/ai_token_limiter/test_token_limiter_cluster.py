"""Redis Cluster: a request's keys share one hash tag, so its single script call runs on one node, whether
the tag is the tenant (per-tenant limits: tenants spread over the nodes) or the namespace (global limits)."""

from __future__ import annotations

from collections import defaultdict

import pytest
import redis.cluster
from fixtures.redis_servers import RedisClusterServers
from integration.ai_token_limiter.limiter_support import LimitedRoute, LimiterEnv, limit

from kong_plugins.ai_token_limiter.report import read_counters, reset_counters

pytestmark = [pytest.mark.redis, pytest.mark.harness, pytest.mark.cluster]


def slots_by_tenant(client: redis.cluster.RedisCluster, route: LimitedRoute) -> dict[str, set[int]]:
    slots: dict[str, set[int]] = defaultdict(set)
    for key in client.scan_iter(match=f"ai-token-limiter:*:{route.namespace}:*", target_nodes="primaries"):
        parts = key.split(":")
        owner = parts[4] if parts[3] in ("tenant", "tenant_model") else parts[3]
        slots[owner].add(client.keyslot(key))
    return slots


def test_limits_hold_on_a_cluster(limiter: LimiterEnv, redis_cluster: RedisClusterServers) -> None:
    conf = redis_cluster.redis_conf(connect_timeout=2000, read_timeout=2000, send_timeout=2000)
    per_tenant = limiter.route([limit("requests", 2), limit("tokens", 10**6, "minute")], redis_conf=conf)
    with_global = limiter.route(
        [limit("requests", 2), limit("requests", 3, "minute", scope="global")], redis_conf=conf
    )
    assert [per_tenant.send(tenant="acme").status_code for _ in range(3)] == [200, 200, 429]
    assert [per_tenant.send(tenant="globex").status_code for _ in range(3)] == [200, 200, 429]
    statuses = [with_global.send(tenant=t).status_code for t in ("acme", "acme", "acme", "globex", "initech")]
    assert statuses == [200, 200, 429, 200, 429]  # acme's own 2, then the global 3 is used up

    client = redis_cluster.client()
    try:
        tenant_slots = slots_by_tenant(client, per_tenant)
        assert set(tenant_slots) == {"acme", "globex"}
        assert all(len(slots) == 1 for slots in tenant_slots.values())  # one slot per tenant
        global_slots = slots_by_tenant(client, with_global)
        assert len(set().union(*global_slots.values())) == 1  # every key beside the global counter
        # what `kong-ai usage show` reads, from every primary of the cluster
        used = {(r.scope, r.metric): r.used for r in read_counters(client, with_global.namespace, "acme")}
        assert used == {("tenant", "requests"): 2}
        assert reset_counters(client, per_tenant.namespace, "globex") == 2
    finally:
        for route in (per_tenant, with_global):
            reset_counters(client, route.namespace)
        client.close()
