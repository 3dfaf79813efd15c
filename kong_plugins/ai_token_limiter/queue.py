"""Request queuing: wait for capacity instead of refusing at once, without polling Redis.

A refused reservation says when capacity frees up (``retry_after``: the oldest usage leaves the window, the
bucket refills). A waiter sleeps on a condition until that moment, or until a request settled *on this
node* gives capacity back (a :class:`ReleaseSignal` notification), whichever comes first, then tries once
more (one Redis round trip). So Redis sees one attempt per event that can change the answer, never a
polling loop; attempts are further spaced by at least ``MIN_ATTEMPT_GAP_S`` and capped at ``MAX_ATTEMPTS``.
Releases on *other* nodes are not signalled: their waiters wake at the computed time (or the deadline).

The number of waiters per plugin configuration and process is bounded (``max_waiters``); beyond it a
request is refused at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["MAX_ATTEMPTS", "MIN_ATTEMPT_GAP_S", "ReleaseSignal", "WaitingRoom", "release_signal"]

MIN_ATTEMPT_GAP_S = 0.005
MAX_ATTEMPTS = 64


class ReleaseSignal:
    """Wakes the waiters of one namespace when a request of this process gives capacity back."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._version = 0

    @property
    def version(self) -> int:
        with self._condition:
            return self._version

    def notify(self) -> None:
        with self._condition:
            self._version += 1
            self._condition.notify_all()

    def wait(self, seen_version: int, timeout_s: float) -> int:
        """Sleep until a release newer than ``seen_version`` or ``timeout_s``; returns the current version."""
        with self._condition:
            if self._version == seen_version and timeout_s > 0:
                self._condition.wait_for(lambda: self._version != seen_version, timeout=timeout_s)
            return self._version


_signals: dict[str, ReleaseSignal] = {}
_signals_lock = threading.Lock()


def release_signal(namespace: str) -> ReleaseSignal:
    """The process-wide signal of ``namespace`` (namespaces are few: one per configured value)."""
    with _signals_lock:
        signal = _signals.get(namespace)
        if signal is None:
            signal = _signals[namespace] = ReleaseSignal()
        return signal


class WaitingRoom:
    """At most ``capacity`` requests waiting at once."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._waiting = 0
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        return self._waiting

    def enter(self) -> bool:
        with self._lock:
            if self._waiting >= self._capacity:
                return False
            self._waiting += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._waiting -= 1


def wait_for_capacity(
    attempt: Callable[[], tuple[bool, float | None]],
    signal: ReleaseSignal,
    max_wait_s: float,
    first_retry_after_s: float | None,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Retry ``attempt`` (→ admitted, seconds until capacity frees or None if unknown) until it admits or
    ``max_wait_s`` passes. Returns True when admitted."""
    deadline = clock() + max_wait_s
    retry_after = first_retry_after_s
    version = signal.version
    last_attempt = clock()
    for _ in range(MAX_ATTEMPTS):
        now = clock()
        remaining = deadline - now
        if remaining <= 0:
            return False
        sleep_for = remaining if retry_after is None else min(remaining, max(retry_after, 0.0))
        version = signal.wait(version, sleep_for)
        gap = MIN_ATTEMPT_GAP_S - (clock() - last_attempt)
        if gap > 0:
            time.sleep(gap)  # spacing between two attempts of one waiter, not a synchronisation
        last_attempt = clock()
        admitted, retry_after = attempt()
        if admitted:
            return True
    return False
