"""The plugin server SIGKILLed mid-request under concurrent load, twice, and respawned by the harness as Kong
does (runloop/plugin_servers/process.lua: the supervising timer starts it again, at most once a second;
plugin.lua: a call on an instance the new process does not know answers "no plugin instance", and Kong
starts the instance again from its config and retries).

The route is guarded (ai-fail-closed with the resolver's and the limiter's marks), so the gap answers 503
instead of Kong's fail-open. Tenants are mixed in every burst, with their tier in the upstream request, so a
request answered with another tenant's data (a reply or a context crossed between requests by the respawn)
shows. No client may hang, and once the server is back every request is answered as before the crash.
"""

from __future__ import annotations

import json
import socket
from collections import Counter
from typing import Any

import httpx
import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_token_limiter.limiter_support import poll_until
from integration.faults.fault_support import Load, hung, summary

pytestmark = [pytest.mark.harness]

SERVER = "ai-tenant-resolver"  # the plugin server, named after the first pluginserver_names entry
TIERS = {"acme": "free", "globex": "pro", "initech": "enterprise"}
STRANGER = "mallory"  # not a tenant: 403 from the resolver, 503 from the guard in the gap, never 200
GUARD_MESSAGE = "The AI gateway is temporarily unable to check this request"
CLIENTS = 6
BURST = 24


def server_info(gateway: GatewayUnderTest) -> dict[str, Any]:
    servers = gateway.admin.get("/_emulator/pluginservers").json()["data"]
    return next(server for server in servers if server["name"] == SERVER)


def serving(gateway: GatewayUnderTest, starts_before: int) -> bool:
    """A new process is up and accepts connections on the socket."""
    info = server_info(gateway)
    if info["starts"] <= starts_before:
        return False
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(info["socket"])
        except OSError:
            return False
    return True


def guarded_route(gateway: GatewayUnderTest, make_route: Any) -> Any:
    route = make_route("/echo")
    tenants = [{"id": tenant, "tier": tier} for tenant, tier in TIERS.items()]
    route.add_plugin(
        "ai-tenant-resolver", {"sources": ["header"], "tenants": tenants, "fail_closed_mark": True}
    )
    route.add_plugin(
        "ai-token-limiter",
        {
            "strategy": "local",
            "limits": [{"metric": "requests", "limit": 100000, "window": "60", "scope": "tenant"}],
            "fail_closed_mark": True,
        },
    )
    route.add_plugin("ai-fail-closed", {"marks": ["ai-tenant-resolver", "ai-token-limiter"]})
    return route


def upstream_header(body: bytes, name: str) -> list[str]:
    """The values of header ``name`` the upstream received (the mock's /echo answer)."""
    echoed = json.loads(body)
    return [value for key, value in echoed["headers"] if key.lower() == name.lower()]


def test_plugin_server_killed_twice_under_load(gateway: GatewayUnderTest, make_route: Any) -> None:
    gateway.require_harness()
    route = guarded_route(gateway, make_route)
    senders = [*TIERS, STRANGER]

    def send(client: httpx.Client, index: int) -> tuple[str, httpx.Response]:
        tenant = senders[index % len(senders)]
        headers = {"X-Tenant-ID": tenant, "X-Mock-Latency-Ms": "20"}  # in flight a little longer
        return tenant, client.post(route.url(), json={"n": index}, headers=headers)

    def healthy() -> bool:
        return gateway.proxy.post(route.url(), json={}, headers={"X-Tenant-ID": "acme"}).status_code == 200

    poll_until(healthy, deadline_s=10, what="the route answering")
    mark = gateway.kong_log_mark()
    # Refusals in the gap are fast: requests are granted in bursts (before, right after each kill, after
    # each respawn), so that the bounded load is spread over all three.
    with Load(gateway.proxy_url, send, clients=CLIENTS, max_requests=200, budget=BURST) as load:
        load.wait_done(BURST, what="before the first kill")
        for crash in range(2):
            before = server_info(gateway)["starts"]
            in_gap = load.allow(BURST)  # sent now: the kill lands in the middle of some of them
            killed = gateway.admin.post(f"/_emulator/pluginservers/{SERVER}/kill")
            assert killed.status_code == 200, killed.text
            load.wait_done(in_gap, what=f"in the gap {crash + 1}")
            poll_until(lambda b=before: serving(gateway, b), deadline_s=30, what=f"respawn {crash + 1}")
            poll_until(healthy, deadline_s=10, what=f"instances re-created after respawn {crash + 1}")
            load.wait_done(load.allow(BURST), what=f"after respawn {crash + 1}")
        outcomes = load.stop()

    statuses = Counter((outcome.tenant, outcome.status) for outcome in outcomes)
    summary(outcomes, f" {dict(statuses)}")
    assert not hung(outcomes), hung(outcomes)[:3]
    assert {status for _, status in statuses} <= {200, 403, 503}, statuses
    for outcome in outcomes:
        if outcome.status == 503:  # the gap: the guard, not Kong's fail-open
            assert outcome.json()["message"] == GUARD_MESSAGE
        elif outcome.tenant == STRANGER:
            assert outcome.status == 403, (outcome.status, outcome.body[:200])
        else:  # served: this request's own tenant, in the answer and upstream
            assert outcome.status == 200, (outcome.status, outcome.body[:200])
            assert outcome.headers["X-Tenant-ID"] == outcome.tenant
            assert upstream_header(outcome.body, "X-Tenant-ID") == [outcome.tenant]
            assert upstream_header(outcome.body, "X-Tenant-Tier") == [TIERS[outcome.tenant]]
            assert json.loads(json.loads(outcome.body)["body"]) == {"n": outcome.index}
    assert statuses[(STRANGER, 200)] == 0
    assert sum(n for (_, status), n in statuses.items() if status == 503) > 0  # the gap was seen
    last = outcomes[-2 * len(senders) :]  # the server is back: every tenant answered as before the crash
    assert all(o.status == (403 if o.tenant == STRANGER else 200) for o in last), [o.status for o in last]
    log = gateway.kong_log_since(mark)
    assert sum("terminated" in line and SERVER in line for line in log) >= 2  # both crashes seen by Kong
    for tenant in TIERS:  # no stuck worker: one after the other, every tenant still answered
        reply = gateway.proxy.post(route.url(), json={}, headers={"X-Tenant-ID": tenant}, timeout=30)
        assert reply.status_code == 200 and reply.headers["X-Tenant-ID"] == tenant
