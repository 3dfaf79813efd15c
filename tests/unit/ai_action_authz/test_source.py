"""The Redis policy source's timing and fallbacks, on a fake clock and an in-memory store (pure logic)."""

from __future__ import annotations

import hashlib
import json

import pytest

from kong_plugins.ai_action_authz.source import RedisPolicySource
from kong_plugins.ai_action_authz.store import PolicyState, StoredVersion
from kong_plugins.core.errors import RedisUnavailable, ServiceUnavailable

V1 = 'permit(principal, action == Action::"route.call", resource);'
V2 = V1 + '\npermit(principal, action == Action::"chat.create", resource);'


class MemoryStore:
    def __init__(self) -> None:
        self.versions: dict[str, str] = {}
        self.state = PolicyState()
        self.down = False

    def put(self, name: str, text: str) -> None:
        digest = hashlib.sha256(text.encode()).hexdigest()
        self.versions[name] = json.dumps({"text": text, "sha256": digest})

    def state_raw(self) -> str:
        if self.down:
            raise RedisUnavailable("down")
        return self.state.dump()

    def version(self, name: str) -> StoredVersion | None:
        return StoredVersion.parse(name, self.versions.get(name))


def test_a_new_version_is_picked_up_once_the_interval_has_passed() -> None:
    now = [0.0]
    store = MemoryStore()
    source = RedisPolicySource(lambda: store, interval=5, clock=lambda: now[0])
    with pytest.raises(ServiceUnavailable):
        source.policy_for("acme")  # nothing pushed
    store.put("v1", V1)
    store.state = PolicyState(active="v1")
    now[0] = 5.0
    assert source.policy_for("acme").version == "v1"
    store.put("v2", V2)
    store.state = PolicyState(active="v2", history=["v1"])
    now[0] = 9.9
    assert source.policy_for("acme").version == "v1"  # within the interval: not read again
    now[0] = 10.0
    assert source.policy_for("acme").version == "v2"


def test_canary_tenants_and_fallbacks() -> None:
    now = [0.0]
    store = MemoryStore()
    store.put("v1", V1)
    store.put("v2", V2)
    store.state = PolicyState(active="v1", canary_version="v2", canary_tenants=["globex"])
    source = RedisPolicySource(lambda: store, interval=1, clock=lambda: now[0])
    assert source.policy_for("acme").version == "v1"
    assert source.policy_for("globex").version == "v2"
    store.down = True  # Redis down: the instance keeps deciding with what it has
    now[0] = 2.0
    assert source.policy_for("globex").version == "v2"
    store.down = False
    store.put("v3", "permit(")  # does not compile: never replaces the active version
    store.state = PolicyState(active="v3", history=["v1"])
    now[0] = 4.0
    assert source.policy_for("acme").version == "v1"
