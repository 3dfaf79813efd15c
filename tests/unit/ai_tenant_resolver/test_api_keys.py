"""API keys against a real Redis: only hashes stored, lookups, rotation with an overlap window, revocation."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from kong_plugins.ai_tenant_resolver.api_keys import (
    DEFAULT_OVERLAP_SECONDS,
    KEY_PREFIX,
    ApiKeyError,
    ApiKeyStore,
    generate_key,
    hash_key,
    is_well_formed_key,
)
from kong_plugins.core.redis import RedisClient, RedisConfig, connect

pytestmark = pytest.mark.redis


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(redis_server: Any) -> RedisClient:
    return connect(RedisConfig.from_config(redis_server.redis_conf()))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(client: RedisClient, clock: Clock) -> ApiKeyStore:
    return ApiKeyStore(client, f"test-keys-{uuid.uuid4().hex[:12]}", clock=clock)


def _all_values(client: RedisClient, namespace: str) -> str:
    """Every key name and stored value under ``namespace``, as one string to search for secrets."""
    dump = []
    for key in client.scan_iter(match=f"{namespace}:*"):
        dump.append(key)
        dump.extend(f"{field}={value}" for field, value in client.hgetall(key).items())
    return "\n".join(dump)


def test_key_format() -> None:
    key = generate_key()
    assert key.startswith(KEY_PREFIX) and len(key) == 47
    assert is_well_formed_key(key)
    assert generate_key() != key
    for bad in ("", "kag_", key + "x", key[:-1] + "!", "sk-" + key[4:], None, 42):
        assert not is_well_formed_key(bad)


def test_issued_key_maps_to_its_tenant_and_is_stored_only_as_a_hash(
    store: ApiKeyStore, client: RedisClient
) -> None:
    issued = store.issue("acme")
    match = store.lookup(issued.key)
    assert match is not None and (match.tenant_id, match.key_id) == ("acme", issued.key_id)
    stored = _all_values(client, store.namespace)
    assert issued.key not in stored
    assert issued.key[len(KEY_PREFIX) :] not in stored
    assert hash_key(issued.key) in stored


def test_unknown_and_malformed_keys_find_nothing(store: ApiKeyStore) -> None:
    store.issue("acme")
    assert store.lookup(generate_key()) is None
    assert store.lookup("kag_short") is None
    assert store.lookup("") is None


def test_list_shows_ids_and_prefixes_never_keys(store: ApiKeyStore) -> None:
    first, second = store.issue("acme"), store.issue("acme")
    store.issue("other")
    infos = store.list("acme")
    assert {info.key_id for info in infos} == {first.key_id, second.key_id}
    for info in infos:
        assert info.prefix in (first.prefix, second.prefix)
        assert len(info.prefix) == len(KEY_PREFIX) + 4
        assert info.expires_at is None
    assert all(first.key not in repr(info) and second.key not in repr(info) for info in infos)


def test_rotation_keeps_the_old_key_for_the_overlap_then_stops_it(
    store: ApiKeyStore, client: RedisClient, clock: Clock
) -> None:
    old = store.issue("acme")
    new, rotated = store.rotate("acme", overlap_seconds=3600)
    assert [info.key_id for info in rotated] == [old.key_id]
    assert store.lookup(old.key) is not None
    assert store.lookup(new.key) is not None
    # Redis will delete the old record at the end of the window...
    ttl = client.ttl(store.record_key(hash_key(old.key)))
    assert 3590 <= ttl <= 3600
    assert client.ttl(store.record_key(hash_key(new.key))) == -1
    # ...and the lookup refuses it from then on even if a replica still has it.
    clock.now += 3601
    assert store.lookup(old.key) is None
    assert store.lookup(new.key) is not None
    assert [info.key_id for info in store.list("acme")] == [new.key_id]


def test_the_overlap_window_is_never_cut_short(store: ApiKeyStore, clock: Clock) -> None:
    clock.now = 1_000_000.9  # a clock between two seconds: the window must still last the whole overlap
    old = store.issue("acme")
    _, rotated = store.rotate("acme", overlap_seconds=2)
    assert rotated[0].expires_at == 1_000_003
    clock.now += 1.95
    assert store.lookup(old.key) is not None
    clock.now += 0.2
    assert store.lookup(old.key) is None


def test_rotation_with_a_real_expiry(store: ApiKeyStore) -> None:
    old = store.issue("acme")
    store.rotate("acme", overlap_seconds=1)
    deadline = time.monotonic() + 5
    while store.lookup(old.key) is not None:
        assert time.monotonic() < deadline, "the rotated key still works after its overlap window"
        time.sleep(0.05)


def test_rotation_with_zero_overlap_stops_the_old_key_at_once(store: ApiKeyStore) -> None:
    old = store.issue("acme")
    new, _ = store.rotate("acme", overlap_seconds=0)
    assert store.lookup(old.key) is None
    assert store.lookup(new.key) is not None


def test_rotation_needs_one_active_key_or_an_explicit_id(store: ApiKeyStore) -> None:
    with pytest.raises(ApiKeyError, match="no active key"):
        store.rotate("acme")
    first = store.issue("acme")
    store.issue("acme")
    with pytest.raises(ApiKeyError, match="--key-id"):
        store.rotate("acme")
    new, rotated = store.rotate("acme", key_id=first.key_id)
    assert [info.key_id for info in rotated] == [first.key_id]
    with pytest.raises(ApiKeyError, match="no active key with id"):
        store.rotate("acme", key_id="000000000000")
    with pytest.raises(ApiKeyError, match="between"):
        store.rotate("acme", key_id=new.key_id, overlap_seconds=-1)


def test_default_overlap_is_24_hours() -> None:
    assert DEFAULT_OVERLAP_SECONDS == 86400


def test_revocation_is_immediate(store: ApiKeyStore) -> None:
    issued = store.issue("acme")
    assert store.revoke("acme", issued.key_id)
    assert store.lookup(issued.key) is None
    assert store.list("acme") == []
    assert not store.revoke("acme", issued.key_id)
    assert not store.revoke("acme", "not-an-id")


def test_a_key_is_found_from_itself(store: ApiKeyStore) -> None:
    issued = store.issue("acme")
    info = store.find(issued.key)
    assert info is not None and (info.tenant_id, info.key_id) == ("acme", issued.key_id)
    assert store.find(generate_key()) is None


def test_a_revoked_tenant_key_cannot_be_revoked_through_another_tenant(store: ApiKeyStore) -> None:
    issued = store.issue("acme")
    assert not store.revoke("other", issued.key_id)
    assert store.lookup(issued.key) is not None
