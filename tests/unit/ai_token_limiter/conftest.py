"""Stores under test: the in-process store and the Lua script on a real redis-server, on one fake clock.

Every algorithm test runs against both (``store`` is parametrised), which is also how the Lua script and its
Python mirror are held to the same behaviour.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fixtures.redis_servers import RedisServer

from kong_plugins.ai_token_limiter.counters import CounterStore
from kong_plugins.ai_token_limiter.local_store import LocalCounterStore
from kong_plugins.ai_token_limiter.script import RedisCounterStore

START_MS = 1_750_000_000_000  # a fixed instant: 2025-06-15T15:06:40Z


class FakeClock:
    """Milliseconds since the epoch, moved by the test."""

    def __init__(self, now: int = START_MS) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@dataclass
class StoreUnderTest:
    store: CounterStore
    clock: FakeClock
    prefix: str
    kind: str

    def key(self, name: str) -> str:
        """A key of this test: one hash tag for all, as the plugin does."""
        return f"t:{{{self.prefix}}}:{name}"


@pytest.fixture(params=["local", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[StoreUnderTest]:
    clock = FakeClock()
    prefix = uuid.uuid4().hex
    if request.param == "local":
        yield StoreUnderTest(LocalCounterStore(clock_ms=clock), clock, prefix, "local")
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    client = server.client()
    try:
        yield StoreUnderTest(RedisCounterStore(lambda: client, clock_ms=clock), clock, prefix, "redis")
    finally:
        for key in client.scan_iter(match=f"t:{{{prefix}}}:*"):
            client.delete(key)
        client.close()
