"""The registry's local cache: bounded, expiring, and readable stale for a bounded time."""

from __future__ import annotations

import pytest

from kong_plugins.core.cache import TtlLruCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_ttl() -> None:
    clock = Clock()
    cache: TtlLruCache[str] = TtlLruCache(10, clock=clock)
    cache.put("a", "value", 5)
    clock.now += 4.9
    entry = cache.get("a")
    assert entry is not None and entry.value == "value"
    clock.now += 0.2
    assert cache.get("a") is None


def test_negative_entries_are_cached_as_none() -> None:
    cache: TtlLruCache[str] = TtlLruCache(10, clock=Clock())
    cache.put("ghost", None, 5)
    entry = cache.get("ghost")
    assert entry is not None and entry.value is None


def test_least_recently_used_entries_are_evicted_beyond_the_bound() -> None:
    cache: TtlLruCache[int] = TtlLruCache(3, clock=Clock())
    for index, key in enumerate("abc"):
        cache.put(key, index, 60)
    assert cache.get("a") is not None  # "a" becomes the most recent
    cache.put("d", 3, 60)
    assert len(cache) == 3
    assert cache.get("b") is None
    assert [key for key in "acd" if cache.get(key) is not None] == ["a", "c", "d"]


def test_stale_entries_are_served_only_within_the_grace_period() -> None:
    clock = Clock()
    cache: TtlLruCache[str] = TtlLruCache(10, clock=clock)
    cache.put("a", "value", 5)
    clock.now += 10
    assert cache.get("a") is None
    stale = cache.get_stale("a", max_stale=30)
    assert stale is not None and stale.value == "value"
    clock.now += 30
    assert cache.get_stale("a", max_stale=30) is None


def test_zero_ttl_caches_nothing_and_size_must_be_positive() -> None:
    cache: TtlLruCache[str] = TtlLruCache(1, clock=Clock())
    cache.put("a", "value", 0)
    assert len(cache) == 0
    with pytest.raises(ValueError):
        TtlLruCache(0)
