"""Redis Cluster node failover under load: a master holding part of the chain's keys is SIGKILLed, its
replica takes over (``cluster-node-timeout`` 1 s), and the plugins must find the new master by themselves.

The chain of test_redis_faults.py (tenant registry, Redis policies, token limiter, audit Redis sink) on a
private 3-master cluster whose first master has a replica (tests/fixtures/redis_servers.py
``redis_failover_cluster``; the shared scripts/redis-cluster cluster has no replica and is never killed).
One tenant's keys (registry entry, limiter counters, audit stream: all tagged with the tenant) live on the
killed master, the other's on a survivor.

Replication is asynchronous: a write Redis acknowledged a moment before the crash may not have reached the
replica (Redis's own guarantee, not ours; on loopback the window is microseconds, and the runs so far lost
nothing). The audit records are checked for duplicates and for every request answered once the new master
serves.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from fixtures.redis_servers import FailoverCluster
from integration.ai_token_limiter.limiter_support import poll_until
from integration.faults.fault_support import (
    DEGRADED,
    Load,
    bursts_while,
    check_answers,
    check_reconciled,
    degraded,
    recover,
    redis_chain,
    report,
    warm_up,
)

pytestmark = [pytest.mark.redis, pytest.mark.harness, pytest.mark.cluster]

CLIENTS = 6
CANDIDATES = ("acme", "globex", "initech", "hooli", "umbrella", "stark", "wayne", "tyrell", "cyberdyne")


def tenants_split(cluster: FailoverCluster) -> tuple[str, str]:
    """One tenant whose hash tag lives on the master that will be killed, one on another master."""
    with cluster.client() as client:
        owner = {tenant: client.get_node_from_key(f"{{{tenant}}}").port for tenant in CANDIDATES}
    on_primary = [tenant for tenant, port in owner.items() if port == cluster.primary.port]
    others = [t for t in CANDIDATES if t not in on_primary]
    assert on_primary and others, "the candidate names should spread over the masters"
    return on_primary[0], others[0]


def test_cluster_master_killed_under_load_replica_takes_over(
    gateway: GatewayUnderTest, make_route: Any, redis_failover_cluster: FailoverCluster, tmp_path: Path
) -> None:
    cluster = redis_failover_cluster
    doomed, survivor = tenants_split(cluster)
    conf = cluster.redis_conf(connect_timeout=500, read_timeout=500, send_timeout=500)
    chain = redis_chain(gateway, make_route, cluster, conf, tmp_path, tenants=(doomed, survivor), unseen=())
    warm_up(chain)
    # each phase a burst the test grants (test_redis_faults.py): the load is never used up during the failover
    with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=300, budget=20) as load:
        load.wait_done(20, what="before the crash")
        cluster.kill_primary()
        killed_at = load.done()

        def failing_over() -> bool:
            return not (cluster.is_master(cluster.replica.port) and cluster.state_ok(cluster.replica.port))

        bursts_while(load, failing_over, what="during the failover")
        poll_until(lambda: cluster.is_master(cluster.replica.port), deadline_s=30, what="replica promoted")
        poll_until(lambda: cluster.state_ok(cluster.replica.port), deadline_s=30, what="cluster state ok")
        during = load.since(killed_at)
        recover(chain)
        recovered_at = time.monotonic()
        back_at = load.done()
        load.wait_done(load.allow(30), what="after the failover")
        after = load.since(back_at)
        outcomes = load.stop()
    report(chain, outcomes)
    check_answers(chain, outcomes)
    assert degraded(during) > 0  # the limiter counted locally while the slot had no master
    # served by the promoted replica: every request sent once recovered
    assert len(after) == 30 and all(outcome.sent_at >= recovered_at for outcome in after)
    assert degraded(after) == 0, [(o.tenant, o.headers.get(DEGRADED)) for o in after]
    # every admitted request in the counters (the fallback's journal added to the new master)
    check_reconciled(chain, max_extra=2 * CLIENTS)
    with cluster.client() as client:
        assert client.get_node_from_key(f"{{{doomed}}}").port == cluster.replica.port
    # the audit log: nothing written twice, and every request answered after the failover is there
    after = {request_id for request_id, _, _ in chain.sent[len(chain.sent) - 20 :]}

    def all_there() -> list[dict[str, Any]] | None:
        found = chain.audit_records()
        return found if after <= {record["request_id"] for record in found} else None

    records = poll_until(
        all_there,
        deadline_s=30,
        what="the audit records of the requests after the failover",
    )
    twice = [rid for rid, n in Counter(r["request_id"] for r in records).items() if n > 1]
    assert twice == []
