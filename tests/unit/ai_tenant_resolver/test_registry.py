"""The tenant registry: records, the embedded registry, and the Redis registry with its cache (real Redis)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kong_plugins.ai_tenant_resolver.registry import (
    ACTIVE,
    SUSPENDED,
    EmbeddedRegistry,
    InvalidTenantRecord,
    RedisRegistry,
    RedisTenantStore,
    TenantRecord,
)
from kong_plugins.core.errors import RedisUnavailable
from kong_plugins.core.redis import RedisClient, RedisConfig, connect


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- records -------------------------------------------------------------------------------------------------


def test_record_from_config_entry() -> None:
    record = TenantRecord.from_mapping(
        {
            "id": "acme",
            "tier": "gold",
            "region": "eu-west-1",
            "allowed_models": ["gpt-4o", "claude-3-5-sonnet@20240620", "gpt-4o"],
            "metadata": {"owner": "team-a"},
        }
    )
    assert record.status == ACTIVE and record.active
    assert record.allowed_models == ("gpt-4o", "claude-3-5-sonnet@20240620")
    assert record.to_display()["metadata"] == {"owner": "team-a"}


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"id": "bad id"}, "id"),
        ({"id": "acme", "status": "deleted"}, "status"),
        ({"id": "acme", "tier": "gold\r\nX-Evil: 1"}, "tier"),
        ({"id": "acme", "region": "eu west"}, "region"),
        ({"id": "acme", "allowed_models": "gpt-4o"}, "allowed_models"),
        ({"id": "acme", "allowed_models": ["ok", "bad model"]}, "allowed_models.2"),
        ({"id": "acme", "metadata": {"bad key": "v"}}, "metadata"),
        ({"id": "acme", "metadata": {"k": "v" * 2000}}, "metadata.k"),
    ],
)
def test_invalid_records_name_the_field(entry: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidTenantRecord) as caught:
        TenantRecord.from_mapping(entry)
    assert caught.value.field == field


def test_redis_hash_round_trip() -> None:
    record = TenantRecord("acme", SUSPENDED, "gold", None, ("m1",), {"a": "b"}, 10, 20)
    assert TenantRecord.from_redis_hash("acme", record.to_redis_hash()) == record


def test_embedded_registry() -> None:
    registry = EmbeddedRegistry([TenantRecord("acme"), TenantRecord("beta", status=SUSPENDED)])
    assert registry.lookup("acme") == TenantRecord("acme")
    assert registry.lookup("beta").status == SUSPENDED  # type: ignore[union-attr]
    assert registry.lookup("nobody") is None
    with pytest.raises(ValueError):
        EmbeddedRegistry([TenantRecord("acme"), TenantRecord("acme")])


# -- Redis ---------------------------------------------------------------------------------------------------


@pytest.fixture
def client(redis_server: Any) -> RedisClient:
    return connect(RedisConfig.from_config(redis_server.redis_conf()))


@pytest.fixture
def namespace() -> str:
    return f"test-registry-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(client: RedisClient, namespace: str) -> RedisTenantStore:
    return RedisTenantStore(client, namespace)


def _dead_redis() -> RedisClient:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return connect(RedisConfig.from_config({"host": "127.0.0.1", "port": port, "connect_timeout": 300}))


@pytest.mark.redis
def test_store_add_get_update_list(store: RedisTenantStore, client: RedisClient) -> None:
    assert store.add(TenantRecord("acme", tier="gold", region="eu"))
    assert not store.add(TenantRecord("acme"))  # ids are unique
    record = store.get("acme")
    assert record is not None and (record.tier, record.region, record.status) == ("gold", "eu", ACTIVE)
    assert record.created_at is not None
    suspended = store.set_status("acme", SUSPENDED)
    assert suspended is not None and suspended.status == SUSPENDED
    assert store.get("acme").status == SUSPENDED  # type: ignore[union-attr]
    assert store.set_status("ghost", SUSPENDED) is None
    assert store.get("ghost") is None
    store.add(TenantRecord("beta"))
    assert store.list_ids() == ["acme", "beta"]
    assert [r.id for r in store.list_records() if isinstance(r, TenantRecord)] == ["acme", "beta"]
    # The layout is the documented one, built with redis_key.
    assert client.hget(f"{store.namespace}:tenant:acme", "status") == SUSPENDED
    assert client.sismember(f"{store.namespace}:tenants", "acme")


@pytest.mark.redis
def test_a_corrupt_record_is_reported_not_trusted(store: RedisTenantStore, client: RedisClient) -> None:
    client.hset(store.tenant_key("acme"), mapping={"status": "whatever"})
    with pytest.raises(InvalidTenantRecord):
        store.get("acme")


def _registry(client_provider: Callable[[], RedisClient], namespace: str, clock: Clock) -> RedisRegistry:
    return RedisRegistry(
        client_provider,
        namespace=namespace,
        cache_ttl=5,
        negative_cache_ttl=3,
        cache_size=100,
        stale_if_error=60,
        clock=clock,
    )


@pytest.mark.redis
def test_a_suspension_takes_effect_within_the_cache_ttl(
    store: RedisTenantStore, client: RedisClient, namespace: str
) -> None:
    clock = Clock()
    registry = _registry(lambda: client, namespace, clock)
    store.add(TenantRecord("acme"))
    assert registry.lookup("acme").active  # type: ignore[union-attr]
    store.set_status("acme", SUSPENDED)
    clock.now += 4.9
    assert registry.lookup("acme").active  # type: ignore[union-attr]  # still cached
    clock.now += 0.2
    assert registry.lookup("acme").status == SUSPENDED  # type: ignore[union-attr]


@pytest.mark.redis
def test_unknown_tenants_are_cached_negatively(
    store: RedisTenantStore, client: RedisClient, namespace: str
) -> None:
    clock = Clock()
    reads = []

    def provider() -> RedisClient:
        reads.append(1)
        return client

    registry = _registry(provider, namespace, clock)
    assert registry.lookup("late") is None
    store.add(TenantRecord("late"))
    assert registry.lookup("late") is None  # remembered as unknown, Redis not asked
    assert len(reads) == 1
    clock.now += 3.1
    assert registry.lookup("late") is not None
    assert len(reads) == 2


@pytest.mark.redis
def test_redis_down_fails_closed_except_for_recently_cached_tenants(
    store: RedisTenantStore, client: RedisClient, namespace: str
) -> None:
    clock = Clock()
    current = {"client": client}
    registry = _registry(lambda: current["client"], namespace, clock)
    store.add(TenantRecord("acme"))
    assert registry.lookup("acme") is not None
    current["client"] = _dead_redis()
    clock.now += 10  # expired, but within stale_if_error
    assert registry.lookup("acme").active  # type: ignore[union-attr]
    with pytest.raises(RedisUnavailable):
        registry.lookup("never-seen")
    clock.now += 60  # beyond stale_if_error
    with pytest.raises(RedisUnavailable):
        registry.lookup("acme")


@pytest.mark.redis
def test_the_cache_is_bounded(client: RedisClient, namespace: str) -> None:
    registry = RedisRegistry(lambda: client, namespace=namespace, cache_size=10, clock=Clock())
    for index in range(50):
        registry.lookup(f"invented-{index}")
    assert len(registry.cache) == 10
