"""Queuing: bounded waiters, waking on releases or at the computed time, never a polling loop."""

from __future__ import annotations

import threading
import time

from kong_plugins.ai_token_limiter.queue import MAX_ATTEMPTS, ReleaseSignal, WaitingRoom, wait_for_capacity


def test_waiting_room_is_bounded() -> None:
    room = WaitingRoom(2)
    assert room.enter() and room.enter()
    assert not room.enter()
    room.leave()
    assert room.enter()


def test_waiter_sleeps_until_the_computed_time_then_tries_once() -> None:
    attempts: list[float] = []
    started = time.monotonic()

    def attempt() -> tuple[bool, float | None]:
        attempts.append(time.monotonic() - started)
        return True, None

    assert wait_for_capacity(attempt, ReleaseSignal(), max_wait_s=2.0, first_retry_after_s=0.2)
    assert len(attempts) == 1 and 0.19 <= attempts[0] < 1.0


def test_a_release_wakes_the_waiter_early() -> None:
    signal = ReleaseSignal()
    attempts: list[float] = []
    started = time.monotonic()

    def attempt() -> tuple[bool, float | None]:
        attempts.append(time.monotonic() - started)
        return True, None

    timer = threading.Timer(0.1, signal.notify)
    timer.start()
    assert wait_for_capacity(attempt, signal, max_wait_s=5.0, first_retry_after_s=4.0)
    timer.join()
    assert len(attempts) == 1 and attempts[0] < 2.0


def test_gives_up_at_the_deadline_with_few_attempts() -> None:
    calls = 0

    def attempt() -> tuple[bool, float | None]:
        nonlocal calls
        calls += 1
        return False, 10.0  # capacity far beyond the deadline

    started = time.monotonic()
    assert not wait_for_capacity(attempt, ReleaseSignal(), max_wait_s=0.3, first_retry_after_s=10.0)
    elapsed = time.monotonic() - started
    assert 0.29 <= elapsed < 1.5
    assert calls == 1  # one attempt, at the deadline: no polling in between


def test_a_storm_of_releases_is_capped() -> None:
    signal = ReleaseSignal()
    calls = 0

    def attempt() -> tuple[bool, float | None]:
        nonlocal calls
        calls += 1
        signal.notify()  # another request released something at once, again and again
        return False, 0.0

    assert not wait_for_capacity(attempt, signal, max_wait_s=5.0, first_retry_after_s=0.0)
    assert calls == MAX_ATTEMPTS
