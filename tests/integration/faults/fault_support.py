"""What the fault tests share: a bounded concurrent load through the gateway, and the full chain of our
Redis-backed plugins on one route (tenant registry in Redis, token limiter, policies in Redis, audit log to
a Redis Stream), with what each request should have left in Redis read back afterwards.

Every wait is a poll with a deadline; every client has a timeout far above any plugin's, so a client
timeout means a hang, never a slow answer.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from fixtures.gateway import GatewayUnderTest, RouteUnderTest
from integration.ai_token_limiter.limiter_support import PROMPT_TOKENS, chat, poll_until

from kong_plugins.ai_action_authz.store import PolicyStore
from kong_plugins.ai_audit_log.redis_sink import read_entries
from kong_plugins.ai_tenant_resolver.api_keys import ApiKeyStore
from kong_plugins.ai_tenant_resolver.registry import RedisTenantStore, TenantRecord
from kong_plugins.ai_token_limiter.report import read_counters

CLIENT_TIMEOUT_S = 45.0
"""Far above every timeout in the chain (Redis 500 ms, the RPC read 60 s is never reached): a client that
times out saw a hang."""
ANSWER_TOKENS = 16
SETTLED_TOKENS = PROMPT_TOKENS + ANSWER_TOKENS
DEGRADED = "X-AI-RateLimit-Degraded"
UNAVAILABLE = {"message": "Service unavailable"}
POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use"], resource);
"""


@dataclass
class Outcome:
    """One request of a load: what was sent and what came back (``error``: the client gave up)."""

    index: int
    tenant: str
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    error: str | None = None
    sent_at: float = 0.0
    answered_at: float = 0.0
    """``time.monotonic()`` when the request was sent and when its answer (or the client's error) came."""

    @property
    def request_id(self) -> str | None:
        return self.headers.get("X-Kong-Request-Id")

    def json(self) -> Any:
        import json

        return json.loads(self.body)


Sender = Callable[[httpx.Client, int], tuple[str, httpx.Response]]
"""``send(client, index) -> (tenant, response)``: one request of a load."""


class Load:
    """``clients`` threads sending requests through the gateway one after another, until :meth:`stop` or
    ``max_requests`` in all (so the traffic is bounded whatever happens). With ``budget``, only that many
    are sent until :meth:`allow` grants more (a test that needs requests inside a short gap grants them
    there, instead of letting fast refusals use up the whole load)."""

    def __init__(
        self,
        base_url: str,
        send: Sender,
        *,
        clients: int = 6,
        max_requests: int = 400,
        budget: int | None = None,
    ) -> None:
        self.base_url = base_url
        self.send = send
        self.clients = clients
        self.max_requests = max_requests
        self.outcomes: list[Outcome] = []
        self._lock = threading.Condition()
        self._next = 0
        self._budget = max_requests if budget is None else min(budget, max_requests)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def allow(self, count: int) -> int:
        """Lets ``count`` more requests go; returns how many will have been answered once they are."""
        with self._lock:
            self._budget = min(self.max_requests, self._budget + count)
            self._lock.notify_all()
            return self._budget

    def _take(self) -> int | None:
        with self._lock:
            while not self._stop.is_set() and self._next >= self._budget and self._next < self.max_requests:
                self._lock.wait(0.1)  # woken by allow() or stop(); the timeout only re-checks
            if self._stop.is_set() or self._next >= self._budget:
                return None
            self._next += 1
            return self._next - 1

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=CLIENT_TIMEOUT_S) as client:
            while (index := self._take()) is not None:
                sent_at = time.monotonic()
                try:
                    tenant, response = self.send(client, index)
                    outcome = Outcome(index, tenant, response.status_code, response.headers, response.content)
                except httpx.HTTPError as exc:
                    outcome = Outcome(index, "?", error=f"{type(exc).__name__}: {exc}")
                outcome.sent_at, outcome.answered_at = sent_at, time.monotonic()
                with self._lock:
                    self.outcomes.append(outcome)

    def done(self) -> int:
        with self._lock:
            return len(self.outcomes)

    def wait_done(self, count: int, *, deadline_s: float = 60, what: str = "") -> None:
        """Until ``count`` requests in all have been answered (or the load ran out)."""
        poll_until(
            lambda: self.done() >= min(count, self.max_requests),
            deadline_s=deadline_s,
            what=f"{count} requests answered {what}",
        )

    def since(self, count: int) -> list[Outcome]:
        with self._lock:
            return list(self.outcomes[count:])

    def stop(self) -> list[Outcome]:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        for thread in self._threads:
            thread.join(CLIENT_TIMEOUT_S + 5)
        assert not any(thread.is_alive() for thread in self._threads), "a client is stuck"
        return sorted(self.outcomes, key=lambda outcome: outcome.index)


def bursts_while(load: Load, fault_on: Callable[[], bool], *, what: str) -> None:
    """Load during a fault that ends by itself (a pause, a sleep): bursts of one request a client, each
    granted once the previous one is answered, for as long as ``fault_on()``, so the requests land inside the
    fault however slow the machine is, and the load is not used up before the test reads "after"."""
    while fault_on() and load.done() < load.max_requests:
        load.wait_done(load.allow(load.clients), what=what)


def within(outcomes: Iterable[Outcome], start: float, end: float) -> list[Outcome]:
    """The requests sent after ``start`` and answered before ``end`` (``time.monotonic()`` values): those
    that lived entirely inside a fault."""
    return [outcome for outcome in outcomes if outcome.sent_at >= start and outcome.answered_at <= end]


def hung(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """The requests whose client gave up: none may (a plugin waited past its timeouts, or the gateway)."""
    return [outcome for outcome in outcomes if outcome.error is not None]


class StateRedis(Protocol):
    """Where the chain's state lives, read directly: a server or a cluster (``client()`` of either)."""

    def client(self) -> Any: ...


@dataclass
class RedisChain:
    """A route with ai-tenant-resolver (registry in Redis), ai-action-authz (policies in Redis),
    ai-token-limiter and ai-audit-log (Redis Stream sink), all on ``redis_conf``; ``state`` is the Redis
    they use, read directly (never through the proxy a test may put in between)."""

    gateway: GatewayUnderTest
    route: RouteUnderTest
    state: StateRedis
    namespace: str
    spill_dir: Path
    tenants: tuple[str, ...]
    api_keys: dict[str, str] = field(default_factory=dict)
    """tenant -> its API key, when the resolver's source is ``api_key`` (else the ``X-Tenant-ID`` header)."""
    sent: list[tuple[str, str, int]] = field(default_factory=list)
    """(request id, tenant, status) of every request answered on this route, load or not."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, client: httpx.Client, tenant: str) -> httpx.Response:
        key = self.api_keys.get(tenant)
        headers = {"X-API-Key": key} if key else {"X-Tenant-ID": tenant}
        response = client.post(self.route.url(), json=chat(), headers=headers)
        with self._lock:
            self.sent.append((response.headers.get("X-Kong-Request-Id", ""), tenant, response.status_code))
        return response

    def admitted(self) -> int:
        """Requests answered 200 so far: each one reserved and settled by the limiter."""
        with self._lock:
            return sum(status == 200 for _, _, status in self.sent)

    def sender(self, tenants: tuple[str, ...] | None = None) -> Sender:
        chosen = tenants or self.tenants

        def send(client: httpx.Client, index: int) -> tuple[str, httpx.Response]:
            tenant = chosen[index % len(chosen)]
            return tenant, self.send(client, tenant)

        return send

    def limiter_used(self, metric: str) -> float:
        with self.state.client() as client:
            reports = read_counters(client, self.namespace, None)
        return sum(
            r.used for r in reports if r.metric == metric and r.scope == "tenant" and r.share_of is None
        )

    def audit_records(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        with self.state.client() as client:
            for tenant in (*self.tenants, None):
                found += [record for _, record in read_entries(client, self.namespace, tenant) if record]
        return found

    def healthy(self, tenant: str) -> bool:
        """One request answered from Redis again: 200, not degraded."""
        response = self.send(self.gateway.proxy, tenant)
        return response.status_code == 200 and DEGRADED not in response.headers


def seed_chain_state(
    state: StateRedis, namespace: str, tenants: Iterable[str], *, api_keys: bool = False
) -> dict[str, str]:
    """The tenants in the registry (with an API key each when ``api_keys``) and one active policy version,
    written as ``kong-ai`` writes them; returns the keys (tenant -> key)."""
    keys: dict[str, str] = {}
    with state.client() as client:
        store = RedisTenantStore(client, namespace)
        for tenant in tenants:
            store.add(TenantRecord.from_mapping({"id": tenant, "tier": "pro"}))
            if api_keys:
                keys[tenant] = ApiKeyStore(client, namespace).issue(tenant).key
        PolicyStore(client, namespace).push(POLICY)
    return keys


def redis_chain(
    gateway: GatewayUnderTest,
    make_route: Callable[..., RouteUnderTest],
    state: StateRedis,
    redis_conf: dict[str, Any],
    tmp: Path,
    *,
    tenants: tuple[str, ...] = ("acme", "globex"),
    unseen: tuple[str, ...] = ("initech",),
    audit: bool = True,
    source: str = "header",
) -> RedisChain:
    """The chain on a fresh route. ``unseen`` tenants are registered too, but the tests never send them
    before a fault: no cache entry of theirs exists when Redis goes away."""
    namespace = f"f{uuid.uuid4().hex[:12]}"
    keys = seed_chain_state(state, namespace, (*tenants, *unseen), api_keys=source == "api_key")
    route = make_route("/v1/chat/completions")
    route.add_plugin(
        "ai-tenant-resolver",
        {
            "sources": [source],
            "registry": "redis",
            "namespace": namespace,
            "cache_ttl": 0.05,  # nearly every request asks Redis; stale entries remain for stale_if_error
            "negative_cache_ttl": 0.05,
            "stale_if_error": 600,
            "redis": redis_conf,
        },
    )
    route.add_plugin(
        "ai-action-authz",
        {"policy_source": "redis", "namespace": namespace, "poll_interval": 0.2, "redis": redis_conf},
    )
    route.add_plugin(
        "ai-token-limiter",
        {
            "namespace": namespace,
            "strategy": "redis",
            "redis": redis_conf,
            # 30 minutes: longer than any test on a loaded machine, so the counters read back hold every
            # request; under an hour, so not a budget (an outage refuses budgets with 503)
            "limits": [
                {"metric": "requests", "limit": 100000, "window": "1800", "scope": "tenant"},
                {"metric": "tokens", "limit": 10**8, "window": "1800", "scope": "tenant"},
            ],
            "node_count": 1,
            "redis_retry_ms": 200,
            "degraded_log_interval": 3600,
        },
    )
    spill_dir = tmp / f"spill-{namespace}"
    if audit:
        route.add_plugin(
            "ai-audit-log",
            {
                "namespace": namespace,
                "sinks": ["redis"],
                "redis": redis_conf,
                "spill_dir": str(spill_dir),
                "flush_interval_ms": 100,
            },
        )
    return RedisChain(gateway, route, state, namespace, spill_dir, tenants, keys)


def warm_up(chain: RedisChain) -> None:
    """Each tenant served from Redis once: registry entries cached, limiter and policy seen."""
    for tenant in chain.tenants:
        poll_until(lambda t=tenant: chain.healthy(t), deadline_s=10, what=f"{tenant} served from Redis")


def recover(chain: RedisChain, tenants: tuple[str, ...] | None = None) -> None:
    """Redis is back: requests are served from it again without anyone restarting anything."""
    for tenant in tenants or chain.tenants:
        poll_until(lambda t=tenant: chain.healthy(t), deadline_s=15, what=f"{tenant} back on Redis")


def check_answers(chain: RedisChain, outcomes: list[Any]) -> None:
    assert not hung(outcomes), hung(outcomes)[:3]
    statuses = Counter(outcome.status for outcome in outcomes)
    assert set(statuses) == {200}, statuses  # tenants seen before the fault: served throughout
    for outcome in outcomes:  # never another tenant's answer
        assert outcome.headers["X-Tenant-ID"] == outcome.tenant


def check_reconciled(chain: RedisChain, max_extra: int) -> None:
    """The limiter's Redis counters hold at least every admitted request (and its settled tokens), at most
    ``max_extra`` more (calls whose reply was lost may have run in Redis and been counted locally too)."""

    def settled() -> bool:
        admitted = chain.admitted()
        used = chain.limiter_used("requests")
        if used < admitted or chain.limiter_used("tokens") < admitted * SETTLED_TOKENS:
            chain.healthy(chain.tenants[0])  # journals are added to Redis by the next requests
            return False
        assert used <= admitted + max_extra, (used, admitted)
        return True

    try:
        poll_until(settled, deadline_s=20, what="the limiter's counters reconciled in Redis")
    except AssertionError as exc:
        counted = (chain.limiter_used("requests"), chain.limiter_used("tokens"))
        raise AssertionError(f"{exc}: counted {counted} (requests, tokens) for {chain.admitted()}") from None


def summary(outcomes: list[Any], extra: str = "") -> None:
    """With ``FAULTS_DEBUG=1`` (and ``-s``): what a load saw, for the figures in docs/reliability.md."""
    if os.environ.get("FAULTS_DEBUG"):
        seen = Counter((outcome.status, outcome.headers.get(DEGRADED)) for outcome in outcomes)
        print(f"\n[faults] {len(outcomes)} requests {dict(seen)}{extra}", file=sys.stderr)


def report(chain: RedisChain, outcomes: list[Any]) -> None:
    """:func:`summary`, with the chain's counters and audit records."""
    if os.environ.get("FAULTS_DEBUG"):
        counted = chain.limiter_used("requests")
        records = len(chain.audit_records())
        summary(outcomes, f"; admitted {chain.admitted()}, counted {counted}, audit records {records}")


def check_audit(chain: RedisChain) -> None:
    """Exactly one audit record per answered request, with the client's status, once spills replayed."""
    expected = {request_id: status for request_id, _, status in chain.sent}
    records = poll_until(
        lambda: found if len(found := chain.audit_records()) >= len(expected) else None,
        deadline_s=30,
        what=f"{len(expected)} audit records",
    )
    ids = Counter(record["request_id"] for record in records)
    assert [rid for rid, n in ids.items() if n > 1] == []  # nothing written twice
    assert set(ids) == set(expected)  # nothing lost, nothing invented
    assert all(record["status"] == expected[record["request_id"]] for record in records)


def degraded(outcomes: list[Any]) -> int:
    return sum(DEGRADED in outcome.headers for outcome in outcomes)
