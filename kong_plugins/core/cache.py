"""Small thread-safe LRU caches: one whose entries expire, and may be read stale when the backend is down
(ai-tenant-resolver's registry and ai-action-authz's OPA answers use it), and a plain bounded one for values
that never go stale (ai-action-authz's decisions, keyed by policy version; the classifier's scores).

The Redis tenant registry reads through it so that the common request costs no Redis round trip, while a
change (a suspension) still takes effect within the entry's TTL. The size bound keeps memory flat whatever
tenant ids clients invent (negative entries count too). Expired entries stay until they are evicted or
replaced, so that :meth:`get_stale` can serve them for a bounded time when Redis cannot be reached.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["CacheEntry", "LruCache", "TtlLruCache"]

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most ``max_entries`` values, least recently used evicted first; ``max_entries <= 0`` caches
    nothing (a cache turned off by config). A lock keeps it consistent when threads share it."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        if self.max_entries <= 0:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True, slots=True)
class CacheEntry(Generic[V]):
    """A cached value (None for a cached "not found") and the monotonic time it stops being fresh."""

    value: V | None
    expires_at: float


class TtlLruCache(Generic[V]):
    """At most ``max_entries`` entries, least recently used evicted first; each entry has its own TTL."""

    def __init__(self, max_entries: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, CacheEntry[V]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: str) -> CacheEntry[V] | None:
        """The fresh entry for ``key``, or None when absent or expired."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires_at <= now:
                return None
            self._entries.move_to_end(key)
            return entry

    def get_stale(self, key: str, max_stale: float) -> CacheEntry[V] | None:
        """The entry for ``key`` even if expired, as long as it expired at most ``max_stale`` seconds ago."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires_at + max_stale <= now:
                return None
            return entry

    def put(self, key: str, value: V | None, ttl: float) -> None:
        """Cache ``value`` (None = "known not to exist") for ``ttl`` seconds; ttl <= 0 caches nothing."""
        if ttl <= 0:
            return
        entry = CacheEntry(value, self._clock() + ttl)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, key: str) -> None:
        """Forget ``key``."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
