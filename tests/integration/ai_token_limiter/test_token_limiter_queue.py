"""Request queuing and fair share: waiting for capacity without polling Redis, bounded waiters, and one
tenant capped at its share of a global limit while another waits."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from integration.ai_token_limiter.limiter_support import LimiterEnv, chat, limit

pytestmark = [pytest.mark.redis, pytest.mark.harness]


def test_a_queued_request_waits_for_capacity_then_goes_through(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1, "1")], queue={"max_wait_ms": 3000})
    assert route.send().status_code == 200
    calls_before = limiter.redis.script_calls()
    started = time.monotonic()
    response = route.send()
    waited = time.monotonic() - started
    assert response.status_code == 200
    assert 0.5 < waited < 2.5  # the first request left the 1 s window (plus at most one 100 ms bucket)
    # the refusal, then one attempt when capacity was computed to be back, and the settlement
    assert limiter.redis.script_calls() - calls_before <= 4


def test_a_queued_request_is_refused_at_its_deadline(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1, "60")], queue={"max_wait_ms": 300})
    assert route.send().status_code == 200
    calls_before = limiter.redis.script_calls()
    started = time.monotonic()
    response = route.send()
    assert response.status_code == 429
    assert 0.25 < time.monotonic() - started < 2.0
    assert limiter.redis.script_calls() - calls_before == 2  # refused, then one last try at the deadline


def test_waiters_are_bounded(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1, "60")], queue={"max_wait_ms": 1500, "max_waiters": 1})
    assert route.send().status_code == 200

    def timed() -> tuple[int, float]:
        started = time.monotonic()
        status = route.send().status_code
        return status, time.monotonic() - started

    with ThreadPoolExecutor(3) as pool:
        finished = list(pool.map(lambda _: timed(), range(3)))
    assert [status for status, _ in finished] == [429, 429, 429]
    # one request waited its 1.5 s; the others found the waiting room full and were refused at once
    assert sorted(elapsed > 1.2 for _, elapsed in finished) == [False, False, True]


def test_a_release_on_this_node_wakes_a_waiter(limiter: LimiterEnv) -> None:
    # 100 tokens per minute: a slow request reserves 47, a second one needs 47 more than the 53 left allows
    route = limiter.route([limit("tokens", 100, "60")], queue={"max_wait_ms": 5000})
    slow = threading.Thread(target=route.send, kwargs={"headers": {"X-Mock-Latency-Ms": "600"}})
    slow.start()
    time.sleep(0.2)  # let the slow request reserve first (ordering the two requests, not synchronising)
    started = time.monotonic()
    response = route.send(chat(max_tokens=60))
    waited = time.monotonic() - started
    slow.join()
    assert response.status_code == 200
    assert waited < 3.0  # woken by the slow request's settlement, not by the window (60 s)


def test_fair_share_caps_a_tenant_while_another_waits(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("tokens", 300, "60", scope="global")], fair_share=0.5)
    hog = threading.Thread(
        target=route.send,
        kwargs={"body": chat(max_tokens=280), "tenant": "acme", "headers": {"X-Mock-Latency-Ms": "500"}},
    )
    hog.start()  # acme alone may reserve 287 of the 300, more than its 150 share
    time.sleep(0.2)  # ordering: acme's reservation is in before globex asks
    assert route.send(chat(max_tokens=50), tenant="globex").status_code == 429  # globex now waits
    hog.join()  # acme's request settles to 23 tokens
    capped = route.send(chat(max_tokens=150), tenant="acme")  # 23 + 157 > 150 while globex waits
    assert capped.status_code == 429 and capped.json()["metric"] == "tokens"
    assert route.send(chat(max_tokens=50), tenant="globex").status_code == 200
    assert route.send(chat(max_tokens=100), tenant="acme").status_code == 200  # within its share
