"""Redis killed, paused and slowed under concurrent load, with every Redis-backed plugin on one route.

The chain: ai-tenant-resolver (registry in Redis, `stale_if_error`), ai-action-authz (policies in Redis,
keeps the version it has), ai-token-limiter (`fault_tolerant`: local counters, reconciled afterwards) and
ai-audit-log (Redis Stream sink, spilled to disk and replayed). What each promises when Redis fails, and
what the tests hold it to:

* no request hangs: each is answered well inside the client's generous timeout;
* tenants seen before the fault are served (200, the limiter's degraded header while it counts locally); a
  tenant whose registry entry was never cached is refused with 503, not let in;
* Redis back: the next requests are served from Redis again, by themselves (no restart);
* the limiter's counters in Redis end up at least what was admitted (never less than used);
* the audit log holds exactly one record per request answered, with the status the client got.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fixtures.gateway import GatewayUnderTest
from fixtures.tcp_proxy import FaultProxy
from integration.ai_token_limiter.limiter_support import RestartableRedis, chat, poll_until
from integration.faults.fault_support import (
    DEGRADED,
    UNAVAILABLE,
    Load,
    bursts_while,
    check_answers,
    check_audit,
    check_reconciled,
    degraded,
    hung,
    recover,
    redis_chain,
    report,
    warm_up,
    within,
)

from kong_plugins.ai_tenant_resolver.emergency import EmergencyStore

pytestmark = [pytest.mark.redis, pytest.mark.harness]

CLIENTS = 6
PAUSE_MS = 5000


def after_restart(after: list[Any]) -> list[Any]:
    """What an assertion on the burst sent once Redis was back shows when it fails."""
    return [(o.status, o.headers.get(DEGRADED)) for o in after]


@pytest.fixture(scope="module")
def fault_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableRedis]:
    """A Redis of these tests alone (never the stack's: they kill it), with an append-only file synced on
    every write (a SIGKILL loses nothing) and ``DEBUG`` allowed from loopback (``DEBUG SLEEP``)."""
    server = RestartableRedis(
        tmp_path_factory.mktemp("fault-redis"),
        persistent=True,
        extra_args=("--enable-debug-command", "local"),
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def state(fault_redis: RestartableRedis) -> RestartableRedis:
    if fault_redis.process is None or fault_redis.process.poll() is not None:
        fault_redis.start()
    return fault_redis


def test_redis_killed_and_restarted_under_load(
    gateway: GatewayUnderTest, make_route: Any, state: RestartableRedis, tmp_path: Path
) -> None:
    chain = redis_chain(gateway, make_route, state, state.conf(), tmp_path)
    warm_up(chain)
    # each phase a burst the test grants (see test_slow_redis_through_a_latency_proxy)
    with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=240, budget=20) as load:
        load.wait_done(20, what="before the kill")
        state.kill()
        killed_at = load.done()
        load.wait_done(load.allow(40), what="while Redis is down")
        during = load.since(killed_at)
        unseen = chain.send(gateway.proxy, "initech")  # registered, never cached: cannot be checked
        state.start()
        recover(chain)
        back_at = load.done()
        load.wait_done(load.allow(20), what="after the restart")
        after = load.since(back_at)
        outcomes = load.stop()
    report(chain, outcomes)
    check_answers(chain, outcomes)
    assert degraded(during) > 0  # the limiter counted locally meanwhile
    assert unseen.status_code == 503, unseen.text
    assert len(after) == 20 and degraded(after[-5:]) == 0, after_restart(after)  # served from Redis again
    check_reconciled(chain, max_extra=2 * CLIENTS)
    check_audit(chain)


def test_api_keys_fail_closed_while_redis_is_down(
    gateway: GatewayUnderTest, make_route: Any, state: RestartableRedis, tmp_path: Path
) -> None:
    """API key lookups are never cached (a revocation takes effect on the next request), so with Redis gone
    no key can be checked: 503 for every request, never a guess; served again once Redis is back."""
    chain = redis_chain(gateway, make_route, state, state.conf(), tmp_path, source="api_key")
    warm_up(chain)
    with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=200, budget=12) as load:
        load.wait_done(12, what="before the kill")
        state.kill()
        killed = time.monotonic()
        load.wait_done(load.allow(24), what="while Redis is down")
        restarted = time.monotonic()
        state.start()
        recover(chain)
        back_at = load.done()
        load.wait_done(load.allow(12), what="after the restart")
        after = load.since(back_at)
        outcomes = load.stop()
    report(chain, outcomes)
    assert not hung(outcomes)
    outage = within(outcomes, killed, restarted)
    assert len(outage) >= 12
    assert {o.status for o in outage} == {503}, Counter(o.status for o in outage)
    assert all(o.json()["message"] == UNAVAILABLE["message"] for o in outage), outage[0].body
    assert {o.status for o in outcomes} == {200, 503}
    assert all(o.headers["X-Tenant-ID"] == o.tenant for o in outcomes if o.status == 200)
    assert len(after) == 12 and {o.status for o in after[-5:]} == {200}, after_restart(after)
    check_reconciled(chain, max_extra=2 * CLIENTS)
    check_audit(chain)


def test_an_isolated_tenant_stays_isolated_while_redis_is_down(
    gateway: GatewayUnderTest, make_route: Any, state: RestartableRedis, tmp_path: Path
) -> None:
    """``kong-ai emergency isolate``: the overlay is read with the registry entry and cached with it, so the
    stale entry served while Redis is down still carries it: the isolated tenant is refused throughout,
    never let in by the fault, while the other tenant is served."""
    chain = redis_chain(gateway, make_route, state, state.conf(), tmp_path)
    warm_up(chain)
    with state.client() as client:
        EmergencyStore(client, chain.namespace).set_control(
            "acme", "isolate", seconds=3600, by="faults", reason="fault test"
        )
    poll_until(lambda: chain.send(gateway.proxy, "acme").status_code == 403, deadline_s=10, what="isolated")
    with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=160, budget=16) as load:
        load.wait_done(16, what="before the kill")
        state.kill()
        load.wait_done(load.allow(30), what="while Redis is down")
        state.start()
        recover(chain, ("globex",))  # served from Redis again
        load.wait_done(load.allow(16), what="after the restart")
        outcomes = load.stop()
    assert len(outcomes) == 62  # every phase had its burst (the load never ran out during recover())
    report(chain, outcomes)
    assert not hung(outcomes)
    seen = Counter((outcome.tenant, outcome.status) for outcome in outcomes)
    assert {status for tenant, status in seen if tenant == "acme"} <= {403, 503}, seen
    assert {status for tenant, status in seen if tenant == "globex"} == {200}, seen
    assert chain.send(gateway.proxy, "acme").status_code == 403  # still isolated once Redis is back
    check_audit(chain)


def test_instances_started_while_redis_is_down_fail_closed_then_recover(
    gateway: GatewayUnderTest, make_route: Any, state: RestartableRedis, tmp_path: Path
) -> None:
    """A plugin instance that never reached Redis has nothing to fall back on: the registry has no cached
    tenant (503), ai-action-authz no policy version (503), never an allow; both read Redis by themselves
    once it is back."""
    chain = redis_chain(gateway, make_route, state, state.conf(), tmp_path)  # state written, never read
    state.kill()
    try:
        with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=24) as load:
            load.wait_done(24, what="while Redis is down")
            outcomes = load.stop()
        authz_only = make_route("/v1/chat/completions")
        authz_only.add_plugin("ai-tenant-resolver", {"sources": ["header"], "tenants": [{"id": "acme"}]})
        authz_only.add_plugin(
            "ai-action-authz",
            {
                "policy_source": "redis",
                "namespace": chain.namespace,
                "poll_interval": 1,
                "redis": state.conf(),
            },
        )
        refused = gateway.proxy.post(authz_only.url(), json=chat(), headers={"X-Tenant-ID": "acme"})
    finally:
        state.start()
    report(chain, outcomes)
    assert not hung(outcomes)
    assert {o.status for o in outcomes} == {503}, Counter(o.status for o in outcomes)
    assert refused.status_code == 503, refused.text  # no policy version: nothing is allowed
    recover(chain)

    def allowed() -> bool:  # within poll_interval: the policy read, the request let through
        reply = gateway.proxy.post(authz_only.url(), json=chat(), headers={"X-Tenant-ID": "acme"})
        return reply.status_code == 200

    poll_until(allowed, deadline_s=20, what="ai-action-authz reading its policy once Redis is back")
    check_audit(chain)


def test_redis_client_paused_under_load(
    gateway: GatewayUnderTest, make_route: Any, state: RestartableRedis, tmp_path: Path
) -> None:
    """``CLIENT PAUSE ALL``: every client's commands held (as a failover or an operator does) for PAUSE_MS.
    Nothing can end it early: Redis 7 holds a ``CLIENT UNPAUSE`` too (any client's), so the test waits for a
    ``PING`` on a connection of its own, which Redis answers when the pause ends."""
    chain = redis_chain(gateway, make_route, state, state.conf(), tmp_path)
    warm_up(chain)
    admin = redis.Redis(port=state.port, socket_timeout=30, socket_connect_timeout=5)
    pinged: list[bool] = []
    pinger = threading.Thread(target=lambda: pinged.append(admin.ping()))  # held until the pause ends
    with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=240, budget=20) as load:
        load.wait_done(20, what="before the pause")
        admin.execute_command("CLIENT", "PAUSE", PAUSE_MS, "ALL")
        paused_at = load.done()
        pinger.start()
        bursts_while(load, pinger.is_alive, what="while Redis is paused")
        pinger.join(30)
        admin.close()
        assert pinged == [True]
        during = load.since(paused_at)
        recover(chain)
        back_at = load.done()
        load.wait_done(load.allow(20), what="after the pause")
        after = load.since(back_at)
        outcomes = load.stop()
    report(chain, outcomes)
    check_answers(chain, outcomes)
    assert degraded(during) > 0
    assert len(after) == 20 and degraded(after[-5:]) == 0, after_restart(after)
    check_reconciled(chain, max_extra=2 * CLIENTS)
    check_audit(chain)


def test_redis_asleep_under_load(
    gateway: GatewayUnderTest, make_route: Any, state: RestartableRedis, tmp_path: Path
) -> None:
    """``DEBUG SLEEP``: the whole server asleep (a long blocking command, a fork stall) for PAUSE_MS."""
    chain = redis_chain(gateway, make_route, state, state.conf(), tmp_path)
    warm_up(chain)
    admin = redis.Redis(port=state.port, socket_timeout=30, socket_connect_timeout=5)
    sleeper = threading.Thread(target=lambda: admin.execute_command("DEBUG", "SLEEP", PAUSE_MS / 1000))
    with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=240, budget=20) as load:
        load.wait_done(20, what="before the sleep")
        sleeper.start()
        asleep_at = load.done()
        bursts_while(load, sleeper.is_alive, what="while Redis sleeps")
        sleeper.join(30)  # returns when Redis wakes up
        admin.close()
        during = load.since(asleep_at)
        recover(chain)
        back_at = load.done()
        load.wait_done(load.allow(20), what="after the sleep")
        after = load.since(back_at)
        outcomes = load.stop()
    report(chain, outcomes)
    check_answers(chain, outcomes)
    assert degraded(during) > 0
    assert len(after) == 20 and degraded(after[-5:]) == 0, after_restart(after)
    check_reconciled(chain, max_extra=2 * CLIENTS)
    check_audit(chain)


def test_slow_redis_through_a_latency_proxy(
    gateway: GatewayUnderTest, make_route: Any, state: RestartableRedis, tcp_proxy: Any, tmp_path: Path
) -> None:
    proxy: FaultProxy = tcp_proxy(state.port)
    conf = state.conf(port=proxy.port)
    chain = redis_chain(gateway, make_route, state, conf, tmp_path)
    warm_up(chain)
    # each phase is a burst the test grants (Load's budget): without it, on a loaded machine the clients used
    # up max_requests while recover() waited, and "after the latency" was read from the recovery itself
    with Load(gateway.proxy_url, chain.sender(), clients=CLIENTS, max_requests=240, budget=10) as load:
        load.wait_done(10, what="before the latency")
        proxy.latency_s = 0.025  # 50 ms a round trip: slow, well within every timeout (500 ms)
        slow_at = load.done()
        load.wait_done(load.allow(20), what="with 50 ms a round trip")
        slow = load.since(slow_at)
        proxy.latency_s = 1.0  # 2 s a round trip: every Redis call times out
        stalled_at = load.done()
        load.wait_done(load.allow(20), what="with 2 s a round trip")
        stalled = load.since(stalled_at)
        proxy.heal()
        recover(chain)
        assert proxy.reset_all() > 0  # pooled connections reset under the plugins' feet
        recover(chain)
        back_at = load.done()
        load.wait_done(load.allow(20), what="after the latency")
        after = load.since(back_at)
        outcomes = load.stop()
    report(chain, outcomes)
    check_answers(chain, outcomes)
    assert degraded(slow[-10:]) == 0, [o.headers.get(DEGRADED) for o in slow]  # slow but within timeouts
    assert degraded(stalled) > 0
    assert len(after) == 20 and degraded(after[-5:]) == 0, after_restart(after)
    check_reconciled(chain, max_extra=2 * CLIENTS)
    check_audit(chain)
