"""Emergency controls on a Redis Cluster: the store's scripts touch one slot (the tenant's hash tag), the
resolver's registry lookup reads the record and the overlay in one pipeline across slots, and an isolation
and its lift reach the gateway. Tenant ids that look like hash tags stay in their own slot."""

from __future__ import annotations

import uuid

import pytest
from fixtures.gateway import GatewayUnderTest
from fixtures.redis_servers import RedisClusterServers
from integration.ai_tenant_resolver.resolver_support import ResolverRoute, assert_refused, poll_until

from kong_plugins.ai_tenant_resolver.emergency import ISOLATE, EmergencyStore, emergency_key
from kong_plugins.ai_tenant_resolver.registry import RedisTenantStore, TenantRecord

pytestmark = [pytest.mark.redis, pytest.mark.harness, pytest.mark.cluster]

CACHE_TTL = 1.0
DEADLINE_S = CACHE_TTL + 5.0


def test_isolate_and_lift_on_a_cluster(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, redis_cluster: RedisClusterServers
) -> None:
    namespace = f"t-emergency-{uuid.uuid4().hex[:10]}"
    client = redis_cluster.client()
    try:
        tenants = RedisTenantStore(client, namespace)
        for tenant in ("acme", "x-y", "globex"):
            tenants.add(TenantRecord(tenant))
        store = EmergencyStore(client, namespace)
        slots = {tenant: client.keyslot(emergency_key(namespace, tenant)) for tenant in ("acme", "x-y")}
        assert slots["acme"] == client.keyslot("{acme}") and slots["x-y"] == client.keyslot("{x-y}")

        route = resolver_route(
            {
                "sources": ["header"],
                "registry": "redis",
                "namespace": namespace,
                "cache_ttl": CACHE_TTL,
                "redis": redis_cluster.redis_conf(connect_timeout=2000, read_timeout=2000, send_timeout=2000),
            }
        )

        def status(tenant: str) -> int:
            return gateway.proxy.get(route.url("/x"), headers={"X-Tenant-ID": tenant}).status_code

        assert status("acme") == 200
        store.set_control("acme", ISOLATE, seconds=3600, by="alice", reason="cluster")
        poll_until(lambda: status("acme") == 403, deadline_s=DEADLINE_S, what="acme isolated")
        assert_refused(gateway.proxy.get(route.url("/x"), headers={"X-Tenant-ID": "acme"}), 403)
        assert status("globex") == 200
        (entry,) = store.list()
        assert entry.tenant_id == "acme" and entry.overlay is not None and entry.overlay.isolated

        assert store.lift("acme", [ISOLATE], by="alice", reason="done") == [ISOLATE]
        poll_until(lambda: status("acme") == 200, deadline_s=DEADLINE_S, what="acme lifted")
        assert [h["action"] for h in store.history(tenant_id="acme")] == ["lift", ISOLATE]
    finally:
        for node_client in client.get_primaries():
            keys = list(client.scan_iter(match=f"{namespace}:*", target_nodes=node_client))
            for key in keys:
                client.delete(key)
        client.close()
