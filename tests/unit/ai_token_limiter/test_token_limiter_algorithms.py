"""The three algorithms, all-or-nothing reservations, settlement and fair share — on both stores."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest

from kong_plugins.ai_token_limiter.counters import FIXED, MONTH, SLIDING, TOKEN_BUCKET, Counter
from kong_plugins.ai_token_limiter.local_store import LocalCounterStore
from kong_plugins.ai_token_limiter.windows import month_bounds_ms, month_index

if TYPE_CHECKING:
    from .conftest import StoreUnderTest

MINUTE = 60_000


def sliding(
    store: StoreUnderTest, limit: float, name: str = "s", window: int = MINUTE, buckets: int = 10
) -> Counter:
    return Counter(store.key(name), SLIDING, window, limit, bucket_ms=window // buckets)


def test_sliding_window_refuses_over_the_limit_and_says_when_to_retry(store: StoreUnderTest) -> None:
    counter = sliding(store, 10)
    assert store.store.reserve([counter], [6], "a").admitted
    store.clock.advance(30_000)
    assert store.store.reserve([counter], [4], "a").admitted
    refused = store.store.reserve([counter], [1], "a")
    assert not refused.admitted and refused.failing == 0 and not refused.never
    # the first 6 leave when their bucket leaves the window: at most one bucket (6 s) after t0 + 60 s
    assert 30_000 <= refused.retry_after_ms <= 36_000
    store.clock.advance(refused.retry_after_ms - 1)
    assert not store.store.reserve([counter], [1], "a").admitted
    store.clock.advance(1)
    assert store.store.reserve([counter], [6], "a").admitted


def test_sliding_window_never_admits_more_than_the_limit_in_any_window(store: StoreUnderTest) -> None:
    """The exact upper bound: for every instant t, usage admitted in (t - W, t] stays within the limit."""
    counter = sliding(store, 50)
    rng = random.Random(7)
    admitted: list[tuple[int, int]] = []
    for _ in range(300):
        store.clock.advance(rng.randrange(0, 2_000))
        amount = rng.randrange(1, 12)
        if store.store.reserve([counter], [amount], "a").admitted:
            admitted.append((store.clock.now, amount))
    for end, _ in admitted:
        assert sum(a for t, a in admitted if end - MINUTE < t <= end) <= 50
    assert sum(a for _, a in admitted) > 150  # it did admit a lot over time (not a test that cannot fail)


def test_sliding_window_error_is_at_most_one_bucket(store: StoreUnderTest) -> None:
    counter = sliding(store, 5)
    assert store.store.reserve([counter], [5], "a").admitted
    store.clock.advance(MINUTE + MINUTE // 10)  # W + B: the usage has left every counted bucket
    assert store.store.reserve([counter], [5], "a").admitted


def test_fixed_window_resets_on_the_epoch_aligned_boundary(store: StoreUnderTest) -> None:
    counter = Counter(store.key("f"), FIXED, MINUTE, 3)
    store.clock.now = (store.clock.now // MINUTE) * MINUTE + 59_000  # one second before the boundary
    assert store.store.reserve([counter], [3], "a").admitted
    refused = store.store.reserve([counter], [1], "a")
    assert not refused.admitted and refused.retry_after_ms == 1000
    assert refused.reset_ms == (1000,)
    store.clock.advance(1000)
    assert store.store.reserve([counter], [3], "a").admitted


def test_token_bucket_bursts_then_refills_at_the_limit_rate(store: StoreUnderTest) -> None:
    # 10 per minute sustained, bursts of up to 30 (a three-minute burst window)
    counter = Counter(store.key("t"), TOKEN_BUCKET, MINUTE, 10, capacity=30)
    assert store.store.reserve([counter], [30], "a").admitted
    refused = store.store.reserve([counter], [5], "a")
    assert not refused.admitted and refused.retry_after_ms == 30_000  # 5 tokens at 1 per 6 s
    store.clock.advance(29_999)
    assert not store.store.reserve([counter], [5], "a").admitted
    store.clock.advance(1)
    decision = store.store.reserve([counter], [5], "a")
    assert decision.admitted and decision.remaining == (0.0,)
    store.clock.advance(10 * MINUTE)
    assert store.store.reserve([counter], [30], "a").admitted  # full again, never above capacity
    assert not store.store.reserve([counter], [1], "a").admitted


def test_calendar_month_budget_resets_on_the_first(store: StoreUnderTest) -> None:
    counter = Counter(store.key("m"), MONTH, 30 * 86_400_000, 100)
    end = month_bounds_ms(month_index(store.clock.now))[1]
    store.clock.now = end - 5_000
    assert store.store.reserve([counter], [100], "a").admitted
    refused = store.store.reserve([counter], [1], "a")
    assert not refused.admitted and refused.retry_after_ms == 5_000
    store.clock.now = end
    assert store.store.reserve([counter], [100], "a").admitted


def test_reservation_is_all_or_nothing(store: StoreUnderTest) -> None:
    roomy, tight = sliding(store, 100, "roomy"), sliding(store, 5, "tight")
    refused = store.store.reserve([roomy, tight], [10, 10], "a")
    assert not refused.admitted and refused.failing == 1 and refused.never
    assert refused.retry_after_ms == -1  # waiting cannot help: 10 > 5
    decision = store.store.reserve([roomy, tight], [90, 5], "a")
    assert decision.admitted  # the refused attempt charged nothing on the roomy counter
    assert decision.remaining == (10.0, 0.0)


def test_settle_corrects_the_reserved_bucket(store: StoreUnderTest) -> None:
    counter = sliding(store, 100)
    reserved = store.store.reserve([counter], [80], "a")
    store.clock.advance(20_000)
    store.store.settle([counter], [-70], reserved.buckets)  # only 10 were used
    assert store.store.reserve([counter], [90], "a").admitted
    store.store.settle([counter], [-1000], reserved.buckets)  # that bucket goes to 0, never below
    assert not store.store.reserve([counter], [11], "a").admitted  # the other bucket still holds 90
    assert store.store.reserve([counter], [10], "a").admitted
    store.clock.advance(2 * MINUTE)
    store.store.settle([counter], [50], reserved.buckets)  # a bucket out of the window: ignored
    assert store.store.reserve([counter], [100], "a").admitted


def test_settle_of_a_token_bucket_refunds_up_to_capacity(store: StoreUnderTest) -> None:
    counter = Counter(store.key("t"), TOKEN_BUCKET, MINUTE, 10, capacity=10)
    reserved = store.store.reserve([counter], [10], "a")
    store.store.settle([counter], [-4], reserved.buckets)
    assert store.store.reserve([counter], [4], "a").admitted
    assert not store.store.reserve([counter], [1], "a").admitted
    store.store.settle([counter], [-100], reserved.buckets)
    decision = store.store.reserve([counter], [10], "a")
    assert decision.admitted and decision.remaining == (0.0,)
    store.store.settle([counter], [3], reserved.buckets)  # used more than reserved: a debt
    refused = store.store.reserve([counter], [1], "a")
    assert not refused.admitted and refused.retry_after_ms == 24_000  # 4 tokens at 1 per 6 s


def test_fair_share_caps_a_tenant_only_while_others_wait(store: StoreUnderTest) -> None:
    wait_key = store.key("waiting")

    def counters(tenant: str) -> list[Counter]:
        limit = Counter(store.key("global"), SLIDING, MINUTE, 100, bucket_ms=6000, wait_key=wait_key)
        share = Counter(
            store.key(f"share:{tenant}"), SLIDING, MINUTE, 50, 6000, wait_key=wait_key, share=True
        )
        return [limit, share]

    # alone, tenant a may take 90 of the 100 (more than its 50 share)
    assert store.store.reserve(counters("a"), [90, 90], "a").admitted
    refused = store.store.reserve(counters("b"), [20, 20], "b")
    assert not refused.admitted and refused.failing == 0  # the global limit; b now waits
    store.clock.advance(1000)
    capped = store.store.reserve(counters("a"), [5, 5], "a")
    assert not capped.admitted and capped.failing == 1  # a is over its share while b waits
    assert store.store.reserve(counters("b"), [10, 10], "b").admitted  # b gets the rest
    store.clock.advance(2 * MINUTE)  # b's wait is forgotten, usage has left the window
    assert store.store.reserve(counters("a"), [95, 95], "a").admitted


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_stores_decide_the_same(store: StoreUnderTest, seed: int) -> None:
    """A random mix of algorithms and settlements: decisions recorded here are compared across stores by
    running the same seed on each (the reference is the in-process store's answers)."""
    rng = random.Random(seed)
    counters = [
        sliding(store, 40, "s1"),
        Counter(store.key("f1"), FIXED, 10_000, 30),
        Counter(store.key("t1"), TOKEN_BUCKET, 20_000, 25, capacity=35),
        Counter(store.key("m1"), MONTH, 30 * 86_400_000, 500),
    ]
    trace = []
    for _ in range(120):
        store.clock.advance(rng.randrange(0, 1500))
        chosen = rng.sample(counters, rng.randrange(1, len(counters) + 1))
        amounts = [rng.randrange(0, 9) for _ in chosen]
        decision = store.store.reserve(chosen, amounts, "a")
        trace.append(decision)
        if decision.admitted and rng.random() < 0.5:
            store.store.settle(chosen, [-rng.randrange(0, a + 1) for a in amounts], decision.buckets)
    _TRACES.setdefault(seed, {})[store.kind] = trace
    if len(_TRACES[seed]) == 2:
        assert _TRACES[seed]["local"] == _TRACES[seed]["redis"]


_TRACES: dict[int, dict[str, list[object]]] = {}


def test_local_store_memory_is_bounded() -> None:
    store = LocalCounterStore(clock_ms=lambda: 1_750_000_000_000, max_keys=100)
    for index in range(1000):
        store.reserve([Counter(f"k{index}", FIXED, MINUTE, 10)], [1], "a")
        assert len(store) <= 100


class _Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_seeded_usage_counts_from_when_it_was_seen_and_expires_with_its_bucket() -> None:
    start = 1_800_000_000_000 - 1_800_000_000_000 % 60_000  # a minute boundary
    clock = _Clock(start + 5000)
    store = LocalCounterStore(clock_ms=clock)
    window = Counter("k:{t}:s", SLIDING, MINUTE, 10, bucket_ms=MINUTE // 10)
    store.seed(window, 10, start)  # exhausted when seen
    assert not store.reserve([window], [1], "a").admitted
    store.seed(window, 0, start)  # a live counter is never seeded again
    clock.now = start + 60_000 + 6000 + 1  # one window and one bucket after it was seen: gone
    assert store.reserve([window], [10], "a").admitted

    fixed = Counter("k:{t}:f", FIXED, 60_000, 10)
    store.seed(fixed, 10, start - 1)  # seen in the previous fixed window: does not count in this one
    assert store.reserve([fixed], [10], "a").admitted

    month = Counter("k:{t}:m", MONTH, 30 * 86_400_000, 100)
    store.seed(month, 99.5, clock.now - 1000)
    assert not store.reserve([month], [1], "a").admitted

    bucket = Counter("k:{t}:tb", TOKEN_BUCKET, 10_000, 10, capacity=10)
    store.seed(bucket, 10, clock.now)  # empty when seen; refills 1 per second from then
    assert not store.reserve([bucket], [1], "a").admitted
    clock.now += 1000
    assert store.reserve([bucket], [1], "a").admitted
