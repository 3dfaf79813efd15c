"""Fixtures for the ``ai-token-limiter`` gateway tests: a private, killable Redis and a route factory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_token_limiter.limiter_support import LimiterEnv, RestartableRedis


@pytest.fixture(scope="session")
def limiter_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableRedis]:
    """The limiter tests' own redis-server (never the shared stack's: tests kill and restart it)."""
    server = RestartableRedis(tmp_path_factory.mktemp("limiter-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def running_redis(limiter_redis: RestartableRedis) -> RestartableRedis:
    """The private Redis, started again if a previous test left it dead or frozen."""
    if limiter_redis.process is None or limiter_redis.process.poll() is not None:
        limiter_redis.start()
    else:
        limiter_redis.thaw()
    return limiter_redis


@pytest.fixture
def limiter(gateway: GatewayUnderTest, make_route: Any, running_redis: RestartableRedis) -> LimiterEnv:
    gateway.require_harness()
    return LimiterEnv(gateway, make_route, running_redis)
