"""The Lua script on a real redis-server: one round trip per operation, Redis's clock, calendar months."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fixtures.redis_servers import RedisProcess, RedisServer

from kong_plugins.ai_token_limiter.counters import MONTH, SLIDING, Counter
from kong_plugins.ai_token_limiter.script import LIMITER_SCRIPT, RedisCounterStore, script_arguments
from kong_plugins.ai_token_limiter.windows import month_bounds_ms, month_index
from kong_plugins.core.redis import RedisConfig, close_all_clients, connect

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis.Redis]:
    """A redis-server of this module alone, so command statistics count only what these tests send."""
    process = RedisProcess(Path(tmp_path_factory.mktemp("redis-script")), [])
    port = process.start()
    client = redis.Redis(port=port, decode_responses=True)
    try:
        yield client
    finally:
        client.close()
        process.stop()


def script_calls(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("evalsha", "eval")}


def test_each_operation_is_one_round_trip_and_the_first_loads_the_script(private_redis: redis.Redis) -> None:
    private_redis.script_flush()
    store = RedisCounterStore(lambda: private_redis)
    counter = Counter(f"t:{{{uuid.uuid4().hex}}}:s", SLIDING, 60_000, 100, bucket_ms=6000)
    before = script_calls(private_redis)
    first = store.reserve([counter], [10], "a")
    after_first = script_calls(private_redis)
    # NOSCRIPT, then EVAL runs and caches it: two round trips, the script ran once
    assert (after_first["evalsha"] - before["evalsha"], after_first["eval"] - before["eval"]) == (1, 1)
    store.reserve([counter], [10], "a")
    store.settle([counter], [-5], first.buckets)
    after = script_calls(private_redis)
    assert (after["evalsha"] - after_first["evalsha"], after["eval"] - after_first["eval"]) == (2, 0)
    store.settle([counter], [0], first.buckets)  # nothing to correct: no round trip at all
    assert script_calls(private_redis) == after


def test_the_server_clock_is_used(redis_server: RedisServer) -> None:
    client = redis_server.client()
    key = f"t:{{{uuid.uuid4().hex}}}:m"
    counter = Counter(key, MONTH, 30 * 86_400_000, 10)
    decision = RedisCounterStore(lambda: client).reserve([counter], [1], "a")
    seconds, micros = client.time()
    now = seconds * 1000 + micros // 1000
    assert decision.buckets == (month_index(now),)
    assert abs(decision.reset_ms[0] - (month_bounds_ms(month_index(now))[1] - now)) < 5_000
    client.delete(key)


def test_lua_months_match_python_months(redis_server: RedisServer) -> None:
    client = redis_server.client()
    rng = random.Random(11)
    key = f"t:{{{uuid.uuid4().hex}}}:m"
    counter = Counter(key, MONTH, 30 * 86_400_000, 10**9)
    instants = [rng.randrange(0, 4_102_444_800_000) for _ in range(150)]  # 1970 .. 2100
    instants += [month_bounds_ms(i)[0] + d for i in range(24_000, 24_400, 7) for d in (-1, 0)]
    for now in instants:
        keys, args = script_arguments("r", [counter], [0], member="a", now_ms=now)
        reply = LIMITER_SCRIPT(client, keys, args)
        bucket, reset = int(reply[6]), int(reply[5])
        assert bucket == month_index(now), now
        assert reset == 0  # nothing used: nothing to reset
    client.delete(key)


def test_script_work_is_bounded_by_the_bucket_count(redis_server: RedisServer) -> None:
    """Old buckets are deleted as the window slides: a counter never holds more than N + 2 fields."""
    client = redis_server.client()
    key = f"t:{{{uuid.uuid4().hex}}}:s"
    counter = Counter(key, SLIDING, 10_000, 10**6, bucket_ms=1000)
    now = int(time.time() * 1000)
    for step in range(100):
        RedisCounterStore(lambda: client, clock_ms=lambda s=step: now + s * 700).reserve([counter], [1], "a")
    assert len(client.hgetall(key)) <= 10 + 2 + 1  # buckets in the window, the one leaving, and "l"
    client.delete(key)


@pytest.mark.parametrize("server_fixture", ["redis_server_with_password", "redis_tls_server"])
def test_password_tls_and_database_settings(request: pytest.FixtureRequest, server_fixture: str) -> None:
    """The store through the plugins' own Redis factory: ACL user and password, TLS, a database number."""
    server: RedisServer = request.getfixturevalue(server_fixture)
    cfg = RedisConfig.from_config(server.redis_conf(database=3))
    key = f"t:{{{uuid.uuid4().hex}}}:s"
    counter = Counter(key, SLIDING, 60_000, 2, bucket_ms=6000)
    try:
        store = RedisCounterStore(lambda: connect(cfg))
        assert [store.reserve([counter], [1], "a").admitted for _ in range(3)] == [True, True, False]
        with server.client(db=3) as client:
            assert client.exists(key) == 1
        with server.client(db=0) as client:
            assert client.exists(key) == 0
    finally:
        with server.client(db=3) as client:
            client.delete(key)
        close_all_clients()


def test_adding_journaled_usage_creates_counters_and_applies_each_batch_once(
    private_redis: redis.Redis,
) -> None:
    now = 10_000_000_000
    store = RedisCounterStore(lambda: private_redis, clock_ms=lambda: now)
    tag = uuid.uuid4().hex
    counter = Counter(f"t:{{{tag}}}:s", SLIDING, 60_000, 100, bucket_ms=6000)
    current = now // 6000
    marker = f"t:{{{tag}}}:reconciled:1"
    # a bucket ahead of Redis's clock goes to the current one; one that no longer counts is dropped
    entries = [(7, current), (3, current + 2), (50, current - 20)]
    counters = [counter] * len(entries)
    amounts, buckets = [a for a, _ in entries], [b for _, b in entries]
    assert store.add(counters, amounts, buckets, marker)
    assert private_redis.hget(counter.key, str(current)) == "10"
    assert 0 < private_redis.pttl(counter.key) <= 60_000 + 6000 + 1000
    assert not store.add(counters, amounts, buckets, marker)  # sent again (a lost reply): not doubled
    assert private_redis.hget(counter.key, str(current)) == "10"
    assert store.add([counter], [-4], [current], f"t:{{{tag}}}:reconciled:2")
    assert store.reserve([counter], [0], "a").remaining == (94.0,)
    missing = Counter(f"t:{{{tag}}}:gone", SLIDING, 60_000, 100, bucket_ms=6000)
    assert store.add([missing], [-4], [current], f"t:{{{tag}}}:reconciled:3")
    assert not private_redis.exists(missing.key)  # a refund never creates a counter
