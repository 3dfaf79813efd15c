"""HandlerPool: concurrency, thread reuse, the cap, and surviving a raising task."""

from __future__ import annotations

import threading
import time

import pytest

from kong_plugins.server.pool import HandlerPool


def wait_until_idle(pool: HandlerPool) -> None:
    """The worker marks itself idle just after its task; poll (with a deadline) until it has."""
    deadline = time.monotonic() + 10
    while pool.idle_threads < 1:
        assert time.monotonic() < deadline, "worker never became idle"
        time.sleep(0.001)


def test_tasks_run_concurrently_up_to_the_cap() -> None:
    pool = HandlerPool(max_threads=3)
    started = threading.Barrier(4, timeout=10)  # three tasks plus this test
    release = threading.Event()

    def task() -> None:
        started.wait()
        release.wait(10)

    for _ in range(3):
        pool.submit(task)
    started.wait()  # all three run at once: none waits for another
    assert pool.threads == 3
    release.set()


def test_threads_are_reused_when_idle() -> None:
    pool = HandlerPool(max_threads=8)
    for _ in range(20):
        done = threading.Event()
        pool.submit(done.set)
        assert done.wait(10)
        wait_until_idle(pool)
    assert pool.threads == 1


def test_a_raising_task_does_not_kill_its_worker() -> None:
    pool = HandlerPool(max_threads=1)

    def boom() -> None:
        raise RuntimeError("task failure")

    pool.submit(boom)
    done = threading.Event()
    pool.submit(done.set)
    assert done.wait(10), "the single worker died with the raising task"
    assert pool.threads == 1


def test_beyond_the_cap_tasks_wait_for_a_free_thread() -> None:
    pool = HandlerPool(max_threads=1)
    release = threading.Event()
    second_ran = threading.Event()
    pool.submit(lambda: release.wait(10))
    pool.submit(second_ran.set)
    assert not second_ran.wait(0.1)
    release.set()
    assert second_ran.wait(10)
    assert pool.threads == 1


def test_the_cap_must_be_positive() -> None:
    with pytest.raises(ValueError):
        HandlerPool(max_threads=0)
