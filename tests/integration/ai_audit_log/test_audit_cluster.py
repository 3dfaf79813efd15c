"""Redis Cluster: a tenant's stream and head share the tenant's hash tag, so the one append script runs on
the node owning that slot, tenants spread over the nodes, and every tenant's chain verifies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fixtures.redis_servers import RedisClusterServers
from integration.ai_audit_log.audit_support import AuditEnv, chat, validate
from integration.ai_token_limiter.limiter_support import poll_until

from kong_plugins.ai_audit_log.chain import verify
from kong_plugins.ai_audit_log.redis_sink import (
    read_entries,
    read_head,
    stream_keys,
    stream_length,
    tenants,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness, pytest.mark.cluster]


def records_of(client: Any, namespace: str, tenant: str, count: int) -> Callable[[], list | None]:
    def check() -> list | None:
        found = list(read_entries(client, namespace, tenant))
        return found if len(found) >= count else None

    return check


def test_chains_on_a_cluster(audit: AuditEnv, redis_cluster: RedisClusterServers) -> None:
    conf = redis_cluster.redis_conf(connect_timeout=2000, read_timeout=2000, send_timeout=2000)
    route = audit.route(redis=conf)
    sent: dict[str, list[str]] = {"acme": [], "globex": [], "": []}
    for tenant in ("acme", "globex", "acme", "nobody", "globex", "acme"):
        response = route.send(chat(), tenant=tenant)
        sent["" if tenant == "nobody" else tenant].append(response.headers["X-Kong-Request-Id"])
    client = redis_cluster.client()
    try:
        for tenant, ids in sent.items():
            entries = poll_until(
                records_of(client, route.namespace, tenant, len(ids)),
                deadline_s=20,
                what=f"records of {tenant!r} in the cluster",
            )
            assert [validate(record)["request_id"] for _, record in entries] == ids
            head, maxlen = read_head(client, route.namespace, tenant)
            length = stream_length(client, route.namespace, tenant)
            result = verify(entries, head, length=length, maxlen=maxlen)
            assert result.broken is None and result.checked == len(ids)
            keys = stream_keys(route.namespace, tenant)
            assert client.keyslot(keys.stream) == client.keyslot(keys.head)
        assert tenants(client, route.namespace) == ["", "acme", "globex"]
        slots = {client.keyslot(stream_keys(route.namespace, t).stream) for t in sent}
        nodes = {client.get_node_from_key(stream_keys(route.namespace, t).stream).name for t in sent}
        assert len(slots) == 3 and len(nodes) >= 2  # tenants land on different slots and nodes
        nodes_args = [arg for port in redis_cluster.ports for arg in ("--cluster-node", f"127.0.0.1:{port}")]
        checked = route.kong_ai("audit", "verify", "--all", *nodes_args)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert (
            "tenant 'acme': OK, 3 records" in checked.stdout and "no tenant: OK, 1 records" in checked.stdout
        )
    finally:
        for tenant in sent:
            keys = stream_keys(route.namespace, tenant)
            client.delete(keys.stream)
            client.delete(keys.head)
        client.close()
