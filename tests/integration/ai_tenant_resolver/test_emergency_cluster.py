"""Emergency controls on a Redis Cluster, written by the ``kong-ai`` CLI (``--redis-cluster-nodes``, the
plugins' ``redis.cluster_nodes``): the store's scripts touch one slot (the tenant's hash tag), the resolver's
registry lookup reads the record and the overlay in one pipeline across slots, and an isolation and its lift
reach the gateway. Tenant ids that look like hash tags stay in their own slot."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import uuid

import pytest
from fixtures.gateway import GatewayUnderTest
from fixtures.redis_servers import RedisClusterServers
from integration.ai_tenant_resolver.resolver_support import (
    CLI_TIMEOUT_S,
    REPO_ROOT,
    ResolverRoute,
    assert_refused,
    poll_until,
)

from kong_plugins.ai_tenant_resolver.emergency import emergency_key
from kong_plugins.cli.main import main

pytestmark = [pytest.mark.redis, pytest.mark.harness, pytest.mark.cluster]

CACHE_TTL = 1.0
DEADLINE_S = CACHE_TTL + 5.0


class ClusterCli:
    """``kong-ai`` pointed at the cluster's nodes, in one test's namespace: in this process (the console
    script's own entry, no Python start per command) or, with ``child=True``, as an operator runs it."""

    def __init__(self, cluster: RedisClusterServers, namespace: str) -> None:
        nodes = ",".join(f"{cluster.host}:{port}" for port in cluster.ports)
        self.options = ["--redis-cluster-nodes", nodes, "--namespace", namespace]

    def run(self, *args: str, child: bool = False) -> subprocess.CompletedProcess[str]:
        argv = [*args, *self.options]
        if child:
            environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
            environment.pop("KONG_AI_REDIS_URL", None)
            return subprocess.run(
                [sys.executable, "-m", "kong_plugins.cli.main", *argv],
                capture_output=True,
                text=True,
                timeout=CLI_TIMEOUT_S,
                env=environment,
                check=False,
            )
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse
                code = int(exit_.code or 0)
        return subprocess.CompletedProcess(["kong-ai", *argv], code, out.getvalue(), err.getvalue())

    def ok(self, *args: str, child: bool = False) -> str:
        result = self.run(*args, child=child)
        assert result.returncode == 0, f"kong-ai {' '.join(args)}: {result.stderr}"
        return result.stdout


def test_cli_isolates_and_lifts_on_a_cluster(
    gateway: GatewayUnderTest, resolver_route: ResolverRoute, redis_cluster: RedisClusterServers
) -> None:
    namespace = f"t-emergency-{uuid.uuid4().hex[:10]}"
    cli = ClusterCli(redis_cluster, namespace)
    client = redis_cluster.client()
    try:
        for tenant in ("acme", "x-y", "globex"):
            cli.ok("tenants", "add", tenant)
        assert sorted(t["id"] for t in json.loads(cli.ok("tenants", "list", "--json"))) == [
            "acme",
            "globex",
            "x-y",
        ]
        slots = {tenant: client.keyslot(emergency_key(namespace, tenant)) for tenant in ("acme", "x-y")}
        assert slots["acme"] == client.keyslot("{acme}") and slots["x-y"] == client.keyslot("{x-y}")

        route = resolver_route(
            {
                "sources": ["header", "api_key"],
                "registry": "redis",
                "namespace": namespace,
                "cache_ttl": CACHE_TTL,
                "redis": redis_cluster.redis_conf(connect_timeout=2000, read_timeout=2000, send_timeout=2000),
            }
        )

        def status(tenant: str) -> int:
            return gateway.proxy.get(route.url("/x"), headers={"X-Tenant-ID": tenant}).status_code

        key = json.loads(cli.ok("keys", "issue", "--tenant", "globex", "--json"))["key"]
        assert gateway.proxy.get(route.url("/x"), headers={"X-API-Key": key}).status_code == 200

        assert status("acme") == 200
        cli.ok("emergency", "isolate", "acme", "--by", "alice", "--reason", "cluster", child=True)
        assert client.hgetall(emergency_key(namespace, "acme"))
        poll_until(lambda: status("acme") == 403, deadline_s=DEADLINE_S, what="acme isolated")
        assert_refused(gateway.proxy.get(route.url("/x"), headers={"X-Tenant-ID": "acme"}), 403)
        assert status("globex") == 200
        (entry,) = json.loads(cli.ok("emergency", "list", "--json"))
        assert entry["tenant"] == "acme" and [c["control"] for c in entry["controls"]] == ["isolate"], entry

        cli.ok("emergency", "lift", "acme", "--by", "alice", "--reason", "done")
        poll_until(lambda: status("acme") == 200, deadline_s=DEADLINE_S, what="acme lifted")
        assert json.loads(cli.ok("emergency", "list", "--json")) == []
        history = json.loads(cli.ok("emergency", "list", "--history", "--tenant", "acme", "--json"))
        assert [h["action"] for h in history] == ["lift", "isolate"]
    finally:
        for node_client in client.get_primaries():
            keys = list(client.scan_iter(match=f"{namespace}:*", target_nodes=node_client))
            for key in keys:
                client.delete(key)
        client.close()


def test_cli_refuses_malformed_cluster_nodes(redis_cluster: RedisClusterServers) -> None:
    cli = ClusterCli(redis_cluster, "t-unused")
    cli.options[1] = "127.0.0.1"
    result = cli.run("tenants", "list")
    assert result.returncode != 0 and "expected HOST:PORT" in result.stderr, result.stderr
