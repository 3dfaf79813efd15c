"""What this process keeps about one Redis so that an outage of it hands out no fresh budget.

* :class:`LastSeen`: every reservation reply says how much of each counter is left; the usage it implies is
  remembered per key (bounded, least recently seen dropped first). When Redis becomes unreachable, each
  fallback counter starts from that usage (divided by ``node_count``, like the limit), so a counter that
  was exhausted stays exhausted.
* :class:`Journal`: usage Redis has not been told about: reservations admitted by the fallback, their
  settlements, and settlements that failed because Redis was down. It is added to Redis once Redis answers
  again, one batch (one hash tag, one script call) per request, each batch under a marker key that makes it
  apply at most once even when its reply is lost and it is sent again: nothing is lost, nothing doubled.
* :class:`RedisShadow`: both, plus the fallback counters of the current outage (a fresh store per outage,
  so the next outage starts from what Redis said last, not from what the previous outage counted).

Pure: no ``kong``, no Redis calls (the backend makes them).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from kong_plugins.ai_token_limiter.counters import TOKEN_BUCKET, Counter, Decision
from kong_plugins.ai_token_limiter.local_store import DEFAULT_MAX_KEYS, LocalCounterStore, wall_clock_ms

__all__ = ["BUDGET_WINDOW_MS", "Batch", "Journal", "LastSeen", "RedisShadow", "Seen", "is_budget_counter"]

BUDGET_WINDOW_MS = 3_600_000
"""Counters over windows of an hour or more (budgets) are refused with 503 during an outage unless the
configuration opts in with ``fault_tolerant_budgets``."""
MAX_BATCH_COUNTERS = 128
"""Most (counter, bucket) entries one reconciliation script call carries."""
MARKER_SEGMENT = "reconciled"


def is_budget_counter(counter: Counter) -> bool:
    return counter.window_ms >= BUDGET_WINDOW_MS


@dataclass(frozen=True, slots=True)
class Seen:
    """A counter's usage (store units, unscaled) as the last Redis reply this process saw implied."""

    used: float
    at_ms: int


class LastSeen:
    """The last usage Redis reported per counter key, for at most ``max_keys`` keys."""

    def __init__(self, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, Seen] = OrderedDict()

    def record(self, counters: Sequence[Counter], decision: Decision, now_ms: int | None = None) -> None:
        """Remember what a reservation reply implies: ``limit - remaining`` (after the reservation when it
        was admitted; remaining is rounded down, so this never under-states the usage)."""
        at = wall_clock_ms() if now_ms is None else now_ms
        with self._lock:
            for counter, remaining in zip(counters, decision.remaining, strict=False):
                size = counter.capacity if counter.kind == TOKEN_BUCKET else counter.limit
                self._seen[counter.key] = Seen(max(0.0, size - remaining), at)
                self._seen.move_to_end(counter.key)
            while len(self._seen) > self._max_keys:
                self._seen.popitem(last=False)

    def get(self, key: str) -> Seen | None:
        with self._lock:
            return self._seen.get(key)

    def __len__(self) -> int:
        return len(self._seen)


@dataclass
class Batch:
    """Journal entries of one hash tag, sent as one script call under ``marker``."""

    marker: str
    counters: list[Counter]
    amounts: list[int]
    buckets: list[int]


@dataclass
class _Pending:
    counter: Counter
    buckets: dict[int, int] = field(default_factory=dict)


def _tag_prefix(key: str) -> str:
    """``ai-token-limiter:{tag}`` of a key (every limiter key has a hash tag; see :mod:`.plan`)."""
    end = key.find("}")
    return key[: end + 1] if end >= 0 else key.split(":", 1)[0]


class Journal:
    """Usage counted while Redis could not be told, per counter key and bucket (store units, unscaled)."""

    def __init__(self, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._entries: dict[str, _Pending] = {}
        self._pending: Batch | None = None
        self.dropped = 0
        """Entries refused because the journal was full (logged by the backend)."""

    def add(self, counters: Sequence[Counter], amounts: Sequence[int], buckets: Sequence[int]) -> None:
        with self._lock:
            for counter, amount, bucket in zip(counters, amounts, buckets, strict=False):
                if amount == 0:
                    continue
                entry = self._entries.get(counter.key)
                if entry is None:
                    if len(self._entries) >= self._max_keys:
                        self.dropped += 1
                        continue
                    entry = self._entries[counter.key] = _Pending(counter)
                entry.buckets[bucket] = entry.buckets.get(bucket, 0) + amount

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries) + (1 if self._pending is not None else 0)

    def next_batch(self, prefer: str | None = None) -> Batch | None:
        """The batch to send now: the one whose answer was lost, else the entries of one hash tag (the
        one of key ``prefer`` when it has any). None when there is nothing to send."""
        with self._lock:
            if self._pending is not None:
                return self._pending
            if not self._entries:
                return None
            wanted = _tag_prefix(prefer) if prefer else None
            if wanted is None or not any(_tag_prefix(key) == wanted for key in self._entries):
                wanted = _tag_prefix(next(iter(self._entries)))
            batch = Batch(f"{wanted}:{MARKER_SEGMENT}:{secrets.token_hex(12)}", [], [], [])
            for key in [key for key in self._entries if _tag_prefix(key) == wanted]:
                entry = self._entries[key]
                for bucket in sorted(entry.buckets):
                    if len(batch.counters) >= MAX_BATCH_COUNTERS:
                        break
                    amount = entry.buckets.pop(bucket)
                    if amount:
                        batch.counters.append(entry.counter)
                        batch.amounts.append(amount)
                        batch.buckets.append(bucket)
                if not entry.buckets:
                    del self._entries[key]
                if len(batch.counters) >= MAX_BATCH_COUNTERS:
                    break
            if not batch.counters:
                return None
            self._pending = batch
            return batch

    def done(self, batch: Batch) -> None:
        """The batch was applied (or can never be): forget it."""
        with self._lock:
            if self._pending is batch:
                self._pending = None


class RedisShadow:
    """This process's memory of one Redis: last-seen usage, the journal, the current outage's counters."""

    def __init__(self, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self.last_seen = LastSeen(max_keys)
        self.journal = Journal(max_keys)
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._fallback = LocalCounterStore(max_keys=max_keys)
        self._in_outage = False

    @property
    def fallback(self) -> LocalCounterStore:
        return self._fallback

    def outage_started(self) -> None:
        """Redis just failed: the fallback starts empty (then seeded from ``last_seen`` key by key)."""
        with self._lock:
            if not self._in_outage:
                self._in_outage = True
                self._fallback = LocalCounterStore(max_keys=self._max_keys)

    def outage_ended(self) -> None:
        with self._lock:
            self._in_outage = False
