"""The in-process store: the same counters and arithmetic as the Lua script, in this process's memory.

Used for ``strategy: local`` (one node, no Redis) and, with every limit divided by ``node_count``, as the
fallback while Redis is unreachable (``fault_tolerant``). Each operation takes one lock, so a reservation
is all-or-nothing here too. Memory is bounded: expired counters are swept, and beyond ``max_keys`` counters
the tenth closest to expiry is dropped (forgetting usage errs on the lenient side, never blocks forever).

Mirrors the script of :mod:`.lua_source` line for line in spirit; ``tests/unit/ai_token_limiter`` runs the
same cases against both.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kong_plugins.ai_token_limiter.counters import (
    FIXED,
    MAX_WAITING_MEMBERS,
    RETENTION_GRACE_MS,
    SLIDING,
    TOKEN_BUCKET,
    Counter,
    Decision,
)
from kong_plugins.ai_token_limiter.windows import month_bounds_ms, month_index

__all__ = ["DEFAULT_MAX_KEYS", "LocalCounterStore", "wall_clock_ms"]

DEFAULT_MAX_KEYS = 100_000
_SWEEP_EVERY = 1024  # operations between two sweeps of expired counters


def wall_clock_ms() -> int:
    """This node's clock in epoch milliseconds (local counters cannot share Redis's clock)."""
    return time.time_ns() // 1_000_000


@dataclass
class _Entry:
    fields: dict[int, float] = field(default_factory=dict)  # window counters: bucket -> amount
    tokens: float | None = None  # token bucket
    ts: int = 0
    expires_at: int = 0


@dataclass
class _Reading:
    ok: bool
    never: bool
    retry: float
    remaining: float
    reset: int
    bucket: int
    tokens: float = 0.0
    rate: float = 0.0
    stale: list[int] = field(default_factory=list)


class LocalCounterStore:
    """Counters in a dict, behind one lock. Thread-safe; one instance may serve many plugin configs."""

    def __init__(self, clock_ms: Callable[[], int] = wall_clock_ms, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self._clock_ms = clock_ms
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._waiting: dict[str, dict[str, int]] = {}
        self._operations = 0

    def __len__(self) -> int:
        return len(self._entries)

    # ------------------------------------------------------------------------------------------ public
    def reserve(self, counters: Sequence[Counter], amounts: Sequence[int], member: str) -> Decision:
        with self._lock:
            now = self._clock_ms()
            self._housekeeping(now)
            readings = []
            admitted, retry, failing, never = True, 0.0, None, False
            for index, counter in enumerate(counters):
                reading = self._evaluate(counter, amounts[index], now)
                if (
                    counter.share
                    and not reading.ok
                    and not self._others_waiting(counter.wait_key, counter.window_ms, member, now)
                ):
                    reading.ok, reading.never, reading.retry = True, False, 0.0
                readings.append(reading)
                if not reading.ok:
                    admitted = False
                    never = never or reading.never
                    if failing is None or reading.retry > retry:
                        retry, failing = reading.retry, index
            if admitted:
                for index, counter in enumerate(counters):
                    self._charge(counter, amounts[index], readings[index], now)
                    if counter.wait_key and not counter.share:
                        self._waiting.get(counter.wait_key, {}).pop(member, None)
            else:
                for index, counter in enumerate(counters):
                    if counter.wait_key and not readings[index].ok:
                        self._mark_waiting(counter.wait_key, counter.window_ms, member, now)
            retry_ms = -1 if never or math.isinf(retry) else int(retry)
            return Decision(
                admitted=admitted,
                retry_after_ms=retry_ms,
                failing=failing,
                never=never,
                remaining=tuple(float(r.remaining) for r in readings),
                reset_ms=tuple(r.reset for r in readings),
                buckets=tuple(r.bucket for r in readings),
            )

    def settle(self, counters: Sequence[Counter], deltas: Sequence[int], buckets: Sequence[int]) -> None:
        with self._lock:
            now = self._clock_ms()
            for index, counter in enumerate(counters):
                self._settle_one(counter, deltas[index], buckets[index], now)

    def seed(self, counter: Counter, used: float, seen_ms: int) -> None:
        """Start ``counter`` at ``used`` as it stood at ``seen_ms``, unless it already has a live entry.

        For the fallback while Redis is down: what Redis last said becomes the starting point. The usage
        goes to the bucket of ``seen_ms`` (for a sliding window it then counts one whole window from that
        moment: longer than it did in Redis, never shorter), or is dropped when that bucket no longer
        counts; a token bucket holds ``capacity - used`` tokens at ``seen_ms`` and refills from there."""
        if used <= 0:
            return
        with self._lock:
            now = self._clock_ms()
            if self._live_entry(counter.key, now) is not None:
                return
            entry = _Entry(ts=seen_ms)
            if counter.kind == TOKEN_BUCKET:
                rate = counter.limit / counter.window_ms
                entry.tokens = counter.capacity - used
                entry.expires_at = seen_ms + math.ceil(used / rate) + RETENTION_GRACE_MS
            else:
                bucket = self._bounds(counter, min(seen_ms, now))[0]
                _, lowest, stops = self._bounds(counter, now)
                if bucket < lowest:
                    return
                entry.fields[bucket] = used
                entry.expires_at = stops(bucket) + RETENTION_GRACE_MS
            if entry.expires_at > now:
                self._entries[counter.key] = entry

    def snapshot(self) -> dict[str, dict[str, float]]:
        """Current raw counters (key → bucket or ``tokens`` → value), for the CLI and tests."""
        with self._lock:
            result: dict[str, dict[str, float]] = {}
            for key, entry in self._entries.items():
                if entry.tokens is not None:
                    result[key] = {"tokens": entry.tokens}
                else:
                    result[key] = {str(bucket): value for bucket, value in entry.fields.items()}
            return result

    def clear(self, prefix: str = "") -> int:
        """Forget every counter whose key starts with ``prefix``; returns how many were dropped."""
        with self._lock:
            doomed = [key for key in self._entries if key.startswith(prefix)]
            for key in doomed:
                del self._entries[key]
            for key in [key for key in self._waiting if key.startswith(prefix)]:
                del self._waiting[key]
            return len(doomed)

    # ------------------------------------------------------------------------------------------ windows
    @staticmethod
    def _bounds(counter: Counter, now: int) -> tuple[int, int, Callable[[int], int]]:
        """Bucket charged now, oldest bucket still counted, and when a bucket stops counting."""
        if counter.kind == SLIDING:
            size, window = counter.bucket_ms, counter.window_ms
            return now // size, (now - window) // size, lambda b: (b + 1) * size + window
        if counter.kind == FIXED:
            window = counter.window_ms
            current = now // window
            return current, current, lambda b: (b + 1) * window
        current = month_index(now)
        end = month_bounds_ms(current)[1]
        return current, current, lambda _b: end

    def _evaluate(self, counter: Counter, amount: int, now: int) -> _Reading:
        entry = self._live_entry(counter.key, now)
        if counter.kind == TOKEN_BUCKET:
            rate = counter.limit / counter.window_ms
            tokens = counter.capacity if entry is None or entry.tokens is None else entry.tokens
            last = now if entry is None else entry.ts
            tokens = min(counter.capacity, tokens + max(0, now - last) * rate)
            ok = tokens >= amount
            never = amount > counter.capacity
            after = tokens - amount if ok else tokens
            retry = 0.0 if ok else (math.inf if never else math.ceil((amount - tokens) / rate))
            return _Reading(
                ok=ok,
                never=never,
                retry=retry,
                remaining=max(0, math.floor(after)),
                reset=math.ceil((counter.capacity - after) / rate),
                bucket=0,
                tokens=tokens,
                rate=rate,
            )
        current, lowest, stops = self._bounds(counter, now)
        used, live, stale = 0.0, [], []
        for bucket, value in (entry.fields if entry else {}).items():
            if lowest <= bucket <= current:
                used += value
                if value > 0:
                    live.append((bucket, value))
            else:
                stale.append(bucket)
        live.sort()
        ok = used + amount <= counter.limit
        never = amount > counter.limit
        retry = math.inf if (not ok and never) else 0.0
        if not ok and not never:
            need, freed, retry = used + amount - counter.limit, 0.0, math.inf
            for bucket, value in live:
                freed += value
                if freed >= need:
                    retry = stops(bucket) - now
                    break
        oldest = live[0][0] if live else (current if ok and amount > 0 else None)
        return _Reading(
            ok=ok,
            never=never,
            retry=retry,
            remaining=max(0, math.floor(counter.limit - used - (amount if ok else 0))),
            reset=max(0, stops(oldest) - now) if oldest is not None else 0,
            bucket=current,
            stale=stale,
        )

    def _charge(self, counter: Counter, amount: int, reading: _Reading, now: int) -> None:
        if amount == 0:
            return
        entry = self._entries.setdefault(counter.key, _Entry())
        if counter.kind == TOKEN_BUCKET:
            after = reading.tokens - amount
            entry.tokens, entry.ts = after, now
            entry.expires_at = now + math.ceil((counter.capacity - after) / reading.rate) + RETENTION_GRACE_MS
            return
        entry.fields[reading.bucket] = entry.fields.get(reading.bucket, 0) + amount
        for bucket in reading.stale:
            entry.fields.pop(bucket, None)
        _, _, stops = self._bounds(counter, now)
        entry.expires_at = now + max(1, stops(reading.bucket) - now) + RETENTION_GRACE_MS

    def _settle_one(self, counter: Counter, delta: int, bucket: int, now: int) -> None:
        entry = self._live_entry(counter.key, now)
        if delta == 0 or entry is None:
            return
        if counter.kind == TOKEN_BUCKET:
            rate = counter.limit / counter.window_ms
            tokens = counter.capacity if entry.tokens is None else entry.tokens
            tokens = min(counter.capacity, tokens + max(0, now - entry.ts) * rate)
            after = min(counter.capacity, tokens - delta)
            entry.tokens, entry.ts = after, now
            entry.expires_at = now + math.ceil((counter.capacity - after) / rate) + RETENTION_GRACE_MS
            return
        current, lowest, _ = self._bounds(counter, now)
        if not lowest <= bucket <= current:
            return
        entry.fields[bucket] = max(0, entry.fields.get(bucket, 0) + delta)

    # ------------------------------------------------------------------------------------------ fair share
    def _others_waiting(self, wait_key: str | None, window_ms: int, member: str, now: int) -> bool:
        waiting = self._waiting.get(wait_key or "", {})
        return any(who != member and since > now - window_ms for who, since in waiting.items())

    def _mark_waiting(self, wait_key: str, window_ms: int, member: str, now: int) -> None:
        waiting = self._waiting.setdefault(wait_key, {})
        waiting[member] = now
        for who in [who for who, since in waiting.items() if since <= now - window_ms]:
            del waiting[who]
        while len(waiting) > MAX_WAITING_MEMBERS:
            del waiting[min(waiting, key=waiting.__getitem__)]

    # ------------------------------------------------------------------------------------------ memory
    def _live_entry(self, key: str, now: int) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at and entry.expires_at <= now:
            del self._entries[key]
            return None
        return entry

    def _housekeeping(self, now: int) -> None:
        self._operations += 1
        if self._operations % _SWEEP_EVERY and len(self._entries) < self._max_keys:
            return
        for key in [key for key, entry in self._entries.items() if entry.expires_at <= now]:
            del self._entries[key]
        overflow = len(self._entries) - self._max_keys + 1
        if overflow > 0:
            # Drop a tenth at once (those closest to expiry), so that a flood of new keys costs one sort
            # per max_keys / 10 new counters rather than one per request.
            doomed = max(overflow, self._max_keys // 10)
            by_expiry = sorted(self._entries, key=lambda key: self._entries[key].expires_at)
            for key in by_expiry[:doomed]:
                del self._entries[key]
