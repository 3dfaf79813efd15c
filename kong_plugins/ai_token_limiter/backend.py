"""Which store answers a request: local memory, Redis, or — while Redis is unreachable — the local fallback.

``strategy: local`` always uses this process's :data:`LOCAL_COUNTERS`. ``strategy: redis`` uses Redis, and
when Redis cannot be reached:

* ``fault_tolerant: true``: the request is checked against this process's fallback counters with every
  limit divided by ``node_count``, each counter starting from the usage Redis last reported for it (also
  divided: each node gets its share of what was left), so that N nodes together enforce about the limit and
  an exhausted counter stays exhausted. Limits of an hour or more (budgets) answer 503 unless
  ``fault_tolerant_budgets`` (then a budget counter this process never saw in Redis answers 503 too: how
  much is left is unknown). The answer carries the degraded header. A :class:`RedisHealth` breaker makes
  the next requests skip Redis at once, and lets one request try it again every ``redis_retry_ms``: no
  request waits on a dead Redis more than once per period, none longer than the Redis timeouts, and
  recovery needs nobody.
* ``fault_tolerant: false``: 503.

What the fallback admitted, and settlements Redis could not take, are journaled and added to Redis once it
answers again (see :mod:`.degraded`). It is logged once per ``degraded_log_interval`` (with how many
requests were degraded meanwhile), and once on recovery. Reservations remember which store took them, so
each is settled where it was made.

A Redis that answers slowly rather than not at all (a reply over ``read_timeout``, a frozen server) runs a
timed-out call later: whether it ran is in doubt. A settlement in doubt is journaled without its releases
(:func:`_journaled_settlement`: never counted less than used, at most the unused reservation more); a
reservation in doubt is counted by the fallback and journaled as any degraded one, so Redis may then hold
that request twice (counted more, never less). A call that never left (no connection) is journaled exactly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from kong_plugins.ai_token_limiter.counters import Counter, CounterStore, Decision
from kong_plugins.ai_token_limiter.degraded import RedisShadow, is_budget_counter
from kong_plugins.ai_token_limiter.local_store import LocalCounterStore
from kong_plugins.ai_token_limiter.plan import scaled
from kong_plugins.ai_token_limiter.script import RedisCounterStore
from kong_plugins.ai_token_limiter.settings import LimiterSettings
from kong_plugins.core.errors import RedisUnavailable, ServiceUnavailable
from kong_plugins.core.redis import RedisConfig, connect

__all__ = [
    "DEGRADED",
    "LOCAL",
    "LOCAL_COUNTERS",
    "REDIS",
    "LimiterBackend",
    "LogThrottle",
    "RedisHealth",
]

log = logging.getLogger("kong_plugins.ai_token_limiter")

LOCAL = "local"
REDIS = "redis"
DEGRADED = "degraded"

LOCAL_COUNTERS = LocalCounterStore()
"""Counters of ``strategy: local``, shared by every plugin instance of this process."""


class LogThrottle:
    """At most one message per interval; counts what it held back in between."""

    def __init__(self, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval_s = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None
        self._held_back = 0

    def ready(self) -> int | None:
        """The number of events held back since the last message if one may be logged now, else None."""
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self._interval_s:
                self._held_back += 1
                return None
            held, self._held_back, self._last = self._held_back, 0, now
            return held

    def reset(self) -> None:
        with self._lock:
            self._last, self._held_back = None, 0


class RedisHealth:
    """A breaker: after a failure, Redis is skipped until ``retry_s`` passed; then one request probes it."""

    def __init__(self, retry_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._retry_s = retry_s
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_probe = 0.0
        self._probing = False

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def allow_attempt(self) -> bool:
        """True when this request should use Redis: it is up, or this request is the next probe."""
        with self._lock:
            if self._down_since is None:
                return True
            if self._probing or self._clock() < self._next_probe:
                return False
            self._probing = True
            return True

    def succeeded(self) -> float | None:
        """Record a success; returns for how long Redis had been down, when it had."""
        with self._lock:
            down_since, self._down_since, self._probing = self._down_since, None, False
            return None if down_since is None else self._clock() - down_since

    def failed(self) -> bool:
        """Record a failure; True when Redis was up until now."""
        with self._lock:
            was_up = self._down_since is None
            now = self._clock()
            if was_up:
                self._down_since = now
            self._next_probe, self._probing = now + self._retry_s, False
            return was_up


_health: dict[tuple[RedisConfig, int], RedisHealth] = {}
_shadows: dict[RedisConfig, RedisShadow] = {}
_health_lock = threading.Lock()


def health_of(cfg: RedisConfig, retry_ms: int) -> RedisHealth:
    """One breaker per Redis and retry period in this process, shared by the plugin instances using it."""
    with _health_lock:
        health = _health.get((cfg, retry_ms))
        if health is None:
            health = _health[(cfg, retry_ms)] = RedisHealth(retry_ms / 1000)
        return health


def shadow_of(cfg: RedisConfig) -> RedisShadow:
    """One memory of each Redis per process (last-seen usage, journal, fallback counters): counter keys
    mean the same whichever plugin instance uses them."""
    with _health_lock:
        shadow = _shadows.get(cfg)
        if shadow is None:
            shadow = _shadows[cfg] = RedisShadow()
        return shadow


def _journaled_settlement(deltas: Sequence[int], exc: RedisUnavailable) -> list[int]:
    """What to add to Redis later for a settlement that failed with ``exc``.

    A settlement whose reply was lost (a slow or frozen Redis: the read timed out) may have run, or may
    run once Redis answers again; adding it again would apply it twice. Its releases (negative deltas)
    are then dropped: applied twice they would give the tenant budget it did not have, dropped they
    keep at most the unused part of its reservation counted (never less than was used). Its charges
    beyond the reservation (positive deltas) are kept: applied twice they count more, never less. A
    settlement that certainly was not sent (no connection) is added exactly."""
    if not exc.in_doubt:
        return list(deltas)
    return [max(0, delta) for delta in deltas]


class RedisStore(CounterStore, Protocol):
    """The Redis store: a counter store that can also add journaled usage (see :mod:`.script`)."""

    def add(
        self, counters: Sequence[Counter], amounts: Sequence[int], buckets: Sequence[int], marker: str
    ) -> bool: ...


@dataclass
class Reserved:
    """A decision and the store (``local``/``redis``/``degraded``) that made it."""

    decision: Decision
    mode: str


class LimiterBackend:
    """Reserve and settle for one plugin configuration, on the store its settings and Redis's health say."""

    def __init__(
        self,
        settings: LimiterSettings,
        *,
        name: str,
        local: CounterStore = LOCAL_COUNTERS,
        redis_store: RedisStore | None = None,
        health: RedisHealth | None = None,
        shadow: RedisShadow | None = None,
    ) -> None:
        self.settings = settings
        self.name = name
        self._local = local
        self._scale = 1.0 / settings.node_count
        self._throttle = LogThrottle(settings.degraded_log_interval_s)
        self._redis: RedisStore | None = None
        self._health: RedisHealth | None = None
        self._shadow = shadow or RedisShadow()
        if settings.strategy == REDIS:
            assert settings.redis is not None
            cfg = settings.redis
            self._redis = redis_store or RedisCounterStore(lambda: connect(cfg))
            self._health = health or health_of(cfg, settings.redis_retry_ms)
            self._shadow = shadow or shadow_of(cfg)

    @property
    def degraded_scale(self) -> float:
        """The share of each limit one node enforces while degraded (``1 / node_count``)."""
        return self._scale

    @property
    def shadow(self) -> RedisShadow:
        return self._shadow

    def reserve(self, counters: Sequence[Counter], amounts: Sequence[int], member: str) -> Reserved:
        """Reserve on the right store; raises :class:`ServiceUnavailable` when Redis is down and the
        configuration is not fault tolerant (or the request has budgets it may not count locally)."""
        if self._redis is None or self._health is None:
            return Reserved(self._local.reserve(counters, amounts, member), LOCAL)
        if self._health.allow_attempt():
            try:
                self._reconcile(counters[0].key if counters else None)
                decision = self._redis.reserve(counters, amounts, member)
            except RedisUnavailable as exc:
                self._redis_failed(exc)
            except Exception:
                self._redis_succeeded()  # Redis answered, with an error: reachable (and not ours to hide)
                raise
            else:
                self._shadow.last_seen.record(counters, decision)
                self._redis_succeeded()
                return Reserved(decision, REDIS)
        if not self.settings.fault_tolerant:
            raise ServiceUnavailable(log_reason="Redis unavailable and fault_tolerant is false")
        self._note_degraded()
        return Reserved(self._degraded_reserve(counters, amounts, member), DEGRADED)

    def _degraded_reserve(self, counters: Sequence[Counter], amounts: Sequence[int], member: str) -> Decision:
        shadow = self._shadow
        seen = [shadow.last_seen.get(counter.key) for counter in counters]
        for counter, last in zip(counters, seen, strict=True):
            if not is_budget_counter(counter):
                continue
            if not self.settings.fault_tolerant_budgets:
                raise self._unavailable("a limit of an hour or more and fault_tolerant_budgets is false")
            if last is None:
                raise self._unavailable("a budget counter this node never saw in Redis (usage unknown)")
        local = scaled(counters, self._scale)
        fallback = shadow.fallback
        for counter, last in zip(local, seen, strict=True):
            if last is not None:
                fallback.seed(counter, last.used * self._scale, last.at_ms)
        decision = fallback.reserve(local, amounts, member)
        if decision.admitted:
            shadow.journal.add(counters, amounts, decision.buckets)
        return decision

    def _unavailable(self, why: str) -> ServiceUnavailable:
        retry = max(1, -(-self.settings.redis_retry_ms // 1000))
        return ServiceUnavailable(
            headers={"Retry-After": str(retry)}, log_reason=f"Redis unavailable: refused for {why}"
        )

    def settle(
        self, mode: str, counters: Sequence[Counter], deltas: Sequence[int], buckets: Sequence[int]
    ) -> bool:
        """Settle on the store that reserved; False when Redis could not take it now (the deltas are then
        journaled and added once Redis answers again)."""
        if mode == LOCAL:
            self._local.settle(counters, deltas, buckets)
            return True
        if mode == DEGRADED:
            self._shadow.fallback.settle(scaled(counters, self._scale), deltas, buckets)
            self._shadow.journal.add(counters, deltas, buckets)
            return True
        if self._redis is None or self._health is None or not any(deltas):
            return self._redis is not None
        if not self._health.allow_attempt():
            self._shadow.journal.add(counters, deltas, buckets)
            return False
        try:
            self._reconcile(counters[0].key if counters else None)
        except RedisUnavailable as exc:  # the settlement itself was not sent
            self._redis_failed(exc)
            self._shadow.journal.add(counters, deltas, buckets)
            return False
        try:
            self._redis.settle(counters, deltas, buckets)
        except RedisUnavailable as exc:
            self._redis_failed(exc)
            self._shadow.journal.add(counters, _journaled_settlement(deltas, exc), buckets)
            return False
        except Exception:
            self._redis_succeeded()
            raise
        self._redis_succeeded()
        return True

    def _reconcile(self, prefer: str | None) -> None:
        """Send one journal batch to Redis, if any (raises :class:`RedisUnavailable` when it cannot)."""
        assert self._redis is not None
        journal = self._shadow.journal
        batch = journal.next_batch(prefer)
        if batch is None:
            return
        try:
            applied = self._redis.add(batch.counters, batch.amounts, batch.buckets, batch.marker)
        except RedisUnavailable:
            raise  # kept as pending: sent again, under the same marker, by the next request on Redis
        except Exception as exc:  # a script error cannot heal by retrying: dropped, loudly
            journal.done(batch)
            log.error("[%s] usage counted during a Redis outage not added: %s", self.name, exc)
            return
        journal.done(batch)
        log.info(
            "[%s] added %d counter(s) of usage counted during the Redis outage%s",
            self.name,
            len(batch.counters),
            "" if applied else " (already applied)",
        )

    # ------------------------------------------------------------------------------------------ logging
    def _guess_note(self) -> str:
        if self.settings.node_count_set:
            return ""
        return "; node_count is not set, so the divided limit is a guess"

    def _redis_failed(self, exc: RedisUnavailable) -> None:
        assert self._health is not None
        if self._health.failed():
            self._shadow.outage_started()
        if self.settings.fault_tolerant:
            budgets = "counted locally" if self.settings.fault_tolerant_budgets else "refused with 503"
            action = (
                f"enforcing limits with local counters (limit / {self.settings.node_count} node(s), "
                f"starting from the usage last seen in Redis{self._guess_note()}); limits of an hour or "
                f"more {budgets}"
            )
        else:
            action = "refusing requests with 503 (fault_tolerant is false)"
        held = self._throttle.ready()
        if held is not None:
            more = f"; {held} more failure(s) since the last message" if held else ""
            log.warning("[%s] Redis unavailable: %s; %s%s", self.name, exc, action, more)

    def _note_degraded(self) -> None:
        held = self._throttle.ready()
        if held is not None:
            more = f" ({held} more since the last message)" if held else ""
            log.warning(
                "[%s] Redis still unavailable: request checked against local counters%s%s",
                self.name,
                self._guess_note(),
                more,
            )

    def _redis_succeeded(self) -> None:
        assert self._health is not None
        down_for = self._health.succeeded()
        if down_for is not None:
            self._shadow.outage_ended()
            self._throttle.reset()
            log.warning(
                "[%s] Redis reachable again after %.1f s: shared counters resumed", self.name, down_for
            )
