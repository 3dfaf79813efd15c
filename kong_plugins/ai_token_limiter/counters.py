"""The counter model shared by the Redis and the in-process stores: what is counted, and what a check answers.

A request's reservation is a list of :class:`Counter` (one per applicable limit, plus fair-share counters)
and one amount per counter. A store checks them **all-or-nothing**: either every counter has room and all
are charged, or nothing is written and the :class:`Decision` says which counter refused and when to retry.
Later, :meth:`CounterStore.settle` applies the difference between what was reserved and what was used
(negative: a refund), in the bucket the reservation went to.

Amounts are integers in each metric's unit: requests, tokens, and **nano-USD** for costs (so that a
$0.15-per-million-tokens price still counts one token as 150 units and budgets stay exact integers in Redis).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

__all__ = [
    "FIXED",
    "MONTH",
    "SLIDING",
    "TOKEN_BUCKET",
    "Counter",
    "CounterStore",
    "Decision",
]

SLIDING = "s"
FIXED = "f"
MONTH = "m"
TOKEN_BUCKET = "t"
KINDS = frozenset({SLIDING, FIXED, MONTH, TOKEN_BUCKET})

RETENTION_GRACE_MS = 1000
"""Counters outlive the time they count by this much, so a settle arriving just after still finds them."""
MAX_WAITING_MEMBERS = 1024
"""Most tenants remembered as waiting on one global limit (fair share): the ZSET stays bounded."""


@dataclass(frozen=True, slots=True)
class Counter:
    """One counter a reservation checks and charges.

    ``limit`` is in the metric's unit per window (for a fair-share counter: the tenant's share). ``bucket_ms``
    is the sliding window's sub-bucket, ``capacity`` the token bucket's size (its ``burst``). ``wait_key``
    names the set of tenants recently refused by a global limit; a ``share`` counter is only enforced while
    another tenant is in that set.
    """

    key: str
    kind: str
    window_ms: int
    limit: float
    bucket_ms: int = 0
    capacity: float = 0.0
    wait_key: str | None = None
    share: bool = False

    def scaled(self, factor: float) -> Counter:
        """This counter with limit and capacity times ``factor`` (degraded mode: ``1 / node_count``)."""
        return replace(self, limit=self.limit * factor, capacity=self.capacity * factor)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to a reservation.

    ``failing`` is the index of the counter that decides the refusal (the one that frees up last), ``never``
    says the amount is larger than that counter's limit (waiting cannot help). ``remaining`` (units left after
    the reservation), ``reset_ms`` (until the counter's usage stops counting / the bucket is full) and
    ``buckets`` (where the amount went, for :meth:`CounterStore.settle`) have one entry per counter.
    """

    admitted: bool
    retry_after_ms: int
    failing: int | None
    never: bool
    remaining: tuple[float, ...]
    reset_ms: tuple[int, ...]
    buckets: tuple[int, ...]


class CounterStore(Protocol):
    """Where counters live: Redis (one Lua script call per operation) or this process's memory."""

    def reserve(self, counters: Sequence[Counter], amounts: Sequence[int], member: str) -> Decision:
        """Check every counter and charge them all, or none; ``member`` is the tenant (for fair share)."""
        ...

    def settle(self, counters: Sequence[Counter], deltas: Sequence[int], buckets: Sequence[int]) -> None:
        """Add ``deltas`` (actual - reserved, may be negative) to the buckets the reservation charged."""
        ...
