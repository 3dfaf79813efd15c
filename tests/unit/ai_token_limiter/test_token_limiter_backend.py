"""Store selection and Redis failure: local fallback with divided limits, the breaker, logging, 503."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from kong_plugins.ai_token_limiter.backend import (
    DEGRADED,
    LOCAL,
    REDIS,
    LimiterBackend,
    LogThrottle,
    RedisHealth,
)
from kong_plugins.ai_token_limiter.counters import MONTH, SLIDING, Counter, Decision
from kong_plugins.ai_token_limiter.degraded import RedisShadow
from kong_plugins.ai_token_limiter.local_store import LocalCounterStore
from kong_plugins.ai_token_limiter.schema import SCHEMA
from kong_plugins.ai_token_limiter.settings import LimiterSettings, build_settings
from kong_plugins.core.errors import RedisUnavailable, ServiceUnavailable
from kong_plugins.core.schema import ensure_valid_config

COUNTER = Counter("k:{t}:c", SLIDING, 60_000, 10, bucket_ms=6000)


class SwitchableStore:
    """Stands in for Redis in these unit tests only: answers like the local store, or fails like a dead
    server (the integration tests kill a real redis-server)."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.inner = LocalCounterStore()
        self.markers: set[str] = set()
        self.added: list[tuple[str, int, int]] = []

    def reserve(self, counters: Sequence[Counter], amounts: Sequence[int], member: str) -> Decision:
        self.calls += 1
        if self.down:
            raise RedisUnavailable("lua script: Redis unavailable (ConnectionError: refused)")
        return self.inner.reserve(counters, amounts, member)

    def settle(self, counters: Sequence[Counter], deltas: Sequence[int], buckets: Sequence[int]) -> None:
        self.calls += 1
        if self.down:
            raise RedisUnavailable("down")
        self.inner.settle(counters, deltas, buckets)

    def add(
        self, counters: Sequence[Counter], amounts: Sequence[int], buckets: Sequence[int], marker: str
    ) -> bool:
        self.calls += 1
        if self.down:
            raise RedisUnavailable("down")
        applied = marker not in self.markers
        self.markers.add(marker)
        if applied:
            self.added += [(c.key, a, b) for c, a, b in zip(counters, amounts, buckets, strict=True)]
        return applied


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def settings(**overrides: Any) -> LimiterSettings:
    config = {
        "limits": [{"metric": "requests", "limit": 10, "window": "60"}],
        "strategy": "redis",
        **overrides,
    }
    return build_settings(ensure_valid_config(SCHEMA.config, config))


def backend(store: SwitchableStore, clock: Clock, **overrides: Any) -> LimiterBackend:
    return LimiterBackend(
        settings(**overrides),
        name="ai-token-limiter",
        redis_store=store,
        health=RedisHealth(1.0, clock=clock),
        shadow=RedisShadow(),
    )


def test_local_strategy_never_touches_redis() -> None:
    local = LocalCounterStore()
    limiter = LimiterBackend(settings(strategy="local"), name="x", local=local)
    assert limiter.reserve([COUNTER], [1], "a").mode == LOCAL
    assert len(local) == 1


def test_redis_down_degrades_to_divided_local_limits_and_recovers() -> None:
    store, clock = SwitchableStore(), Clock()
    limiter = backend(store, clock, node_count=2)
    assert limiter.reserve([COUNTER], [1], "a").mode == REDIS
    store.down = True
    first = limiter.reserve([COUNTER], [1], "a")
    assert first.mode == DEGRADED and store.calls == 2
    # the breaker is open: Redis is not tried again before the retry period
    results = [limiter.reserve([COUNTER], [1], "a") for _ in range(6)]
    assert store.calls == 2
    # 10 / 2 nodes, starting from this node's share of the 1 request Redis had counted: 0.5 + 4 <= 5
    assert [r.decision.admitted for r in results] == [True, True, True, False, False, False]
    clock.now += 1.0  # one request probes Redis, which is still down
    assert limiter.reserve([COUNTER], [1], "a").mode == DEGRADED and store.calls == 3
    store.down = False
    clock.now += 1.0
    assert limiter.reserve([COUNTER], [1], "a").mode == REDIS  # recovered by itself
    assert limiter.reserve([COUNTER], [1], "a").mode == REDIS


def test_not_fault_tolerant_answers_503() -> None:
    store, clock = SwitchableStore(), Clock()
    store.down = True
    limiter = backend(store, clock, fault_tolerant=False)
    with pytest.raises(ServiceUnavailable):
        limiter.reserve([COUNTER], [1], "a")
    with pytest.raises(ServiceUnavailable):
        limiter.reserve([COUNTER], [1], "a")
    assert store.calls == 1  # the second 503 did not wait on Redis


def test_settlements_go_where_the_reservation_was_made() -> None:
    store, clock = SwitchableStore(), Clock()
    limiter = backend(store, clock)
    store.down = True
    reserved = limiter.reserve([COUNTER], [10], "a")
    assert reserved.mode == DEGRADED and not limiter.reserve([COUNTER], [1], "a").decision.admitted
    assert limiter.settle(DEGRADED, [COUNTER], [-10], reserved.decision.buckets)
    assert limiter.reserve([COUNTER], [1], "a").decision.admitted
    assert not limiter.settle(REDIS, [COUNTER], [-1], (0,))  # Redis down: left as reserved


def test_degradation_is_logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    store, clock = SwitchableStore(), Clock()
    limiter = backend(store, clock, degraded_log_interval=60)
    store.down = True
    with caplog.at_level(logging.WARNING, logger="kong_plugins.ai_token_limiter"):
        for _ in range(20):
            limiter.reserve([COUNTER], [0], "a")
    assert len([r for r in caplog.records if "Redis" in r.getMessage()]) == 1
    message = caplog.records[0].getMessage()
    assert "local counters (limit / 1 node(s), starting from the usage last seen in Redis" in message
    assert "node_count is not set, so the divided limit is a guess" in message
    assert "limits of an hour or more refused with 503" in message


def test_log_throttle_counts_what_it_held_back() -> None:
    clock = Clock()
    throttle = LogThrottle(10, clock=clock)
    assert throttle.ready() == 0
    assert throttle.ready() is None and throttle.ready() is None
    clock.now += 10
    assert throttle.ready() == 2


def test_script_errors_are_not_swallowed_and_do_not_wedge_the_breaker() -> None:
    class Broken(SwitchableStore):
        def reserve(self, counters: Sequence[Counter], amounts: Sequence[int], member: str) -> Decision:
            self.calls += 1
            raise ValueError("unexpected limiter script reply")

    store, clock = Broken(), Clock()
    limiter = backend(store, clock)
    with pytest.raises(ValueError):
        limiter.reserve([COUNTER], [1], "a")
    with pytest.raises(ValueError):
        limiter.reserve([COUNTER], [1], "a")
    assert store.calls == 2


BUDGET = Counter("k:{t}:budget", MONTH, 30 * 86400 * 1000, 100)


def test_an_exhausted_counter_stays_exhausted_during_an_outage() -> None:
    store, clock = SwitchableStore(), Clock()
    limiter = backend(store, clock, node_count=2)
    assert limiter.reserve([COUNTER], [10], "a").decision.admitted
    assert not limiter.reserve([COUNTER], [1], "a").decision.admitted
    store.down = True
    refused = limiter.reserve([COUNTER], [1], "a")
    assert refused.mode == DEGRADED and not refused.decision.admitted


def test_budgets_answer_503_during_an_outage_unless_opted_in() -> None:
    store, clock = SwitchableStore(), Clock()
    limiter = backend(store, clock)
    assert limiter.reserve([COUNTER, BUDGET], [1, 10], "a").mode == REDIS
    store.down = True
    with pytest.raises(ServiceUnavailable) as caught:
        limiter.reserve([COUNTER, BUDGET], [1, 10], "a")
    assert caught.value.headers == {"Retry-After": "1"}
    assert limiter.reserve([COUNTER], [1], "a").mode == DEGRADED  # the short limit alone still works

    opted = backend(SwitchableStore(), Clock(), fault_tolerant_budgets=True, node_count=1)
    assert opted.reserve([BUDGET], [60], "a").mode == REDIS
    opted._redis.down = True  # type: ignore[union-attr]
    assert [opted.reserve([BUDGET], [20], "a").decision.admitted for _ in range(3)] == [True, True, False]
    with pytest.raises(ServiceUnavailable):  # never seen in Redis by this node: how much is left is unknown
        opted.reserve([Counter("k:{t}:other", MONTH, BUDGET.window_ms, 100)], [1], "a")


def test_what_the_fallback_counted_is_added_to_redis_once_when_it_returns() -> None:
    store, clock = SwitchableStore(), Clock()
    limiter = backend(store, clock)
    store.down = True
    reserved = limiter.reserve([COUNTER], [3], "a")
    assert reserved.mode == DEGRADED
    assert limiter.settle(DEGRADED, [COUNTER], [-1], reserved.decision.buckets)
    assert not limiter.settle(REDIS, [COUNTER], [-2], (7,))  # a settlement Redis could not take
    store.down = False
    clock.now += 1.0
    assert limiter.reserve([COUNTER], [1], "a").mode == REDIS
    bucket = reserved.decision.buckets[0]
    assert sorted(store.added) == sorted([(COUNTER.key, 2, bucket), (COUNTER.key, -2, 7)])
    assert len(limiter.shadow.journal) == 0
    limiter.reserve([COUNTER], [1], "a")
    assert len(store.added) == 2  # nothing sent twice
