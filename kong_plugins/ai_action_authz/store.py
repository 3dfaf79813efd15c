"""Versioned policy sets in Redis: immutable versions, and one state key saying which are active.

Layout (all keys share the hash tag ``{policy}``, so they live in one Redis Cluster slot)::

    <ns>:{policy}:seq              INCR counter: version n is named "v<n>"
    <ns>:{policy}:version:v<n>     JSON {"text", "sha256", "created", "message"}, written once (SET NX)
    <ns>:{policy}:versions         list of version names, in push order
    <ns>:{policy}:state            JSON {"active", "history", "canary": {"version", "tenants"} | null}

Why it can never be half-written: a version is one key written once, before the state names it; the state
is one key, replaced by a compare-and-set script (a concurrent change makes the command fail instead of
being lost). A reader checks the text against its SHA-256 before compiling it, and the plugin keeps the
version it has whenever a newer one cannot be read or does not compile.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.core.keys import redis_key
from kong_plugins.core.redis import LuaScript, RedisClient, redis_errors

__all__ = ["DEFAULT_NAMESPACE", "PolicyState", "PolicyStore", "StoreError", "StoredVersion"]

DEFAULT_NAMESPACE = "ai-action-authz"
MAX_HISTORY = 100
MAX_CANARY_TENANTS = 1000
MAX_LIST = 1000

_COMPARE_AND_SET = LuaScript(
    """
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""
)


class StoreError(Exception):
    """A store operation cannot be done (unknown version, nothing to roll back, a concurrent change)."""


@dataclass(frozen=True)
class StoredVersion:
    name: str
    text: str
    sha256: str
    created: float
    message: str = ""

    @classmethod
    def parse(cls, name: str, raw: str | None) -> StoredVersion | None:
        """The stored version, or None when absent or not intact (its text does not match its SHA-256)."""
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            text, digest = data["text"], data["sha256"]
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(text, str) or hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            return None
        return cls(name, text, digest, float(data.get("created") or 0), str(data.get("message") or ""))


@dataclass
class PolicyState:
    active: str | None = None
    history: list[str] = field(default_factory=list)  # versions active before, the last most recent
    canary_version: str | None = None
    canary_tenants: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, raw: str | None) -> PolicyState:
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
        except ValueError:
            return cls()
        canary = data.get("canary") if isinstance(data.get("canary"), dict) else {}
        return cls(
            active=data.get("active") if isinstance(data.get("active"), str) else None,
            history=[v for v in data.get("history") or [] if isinstance(v, str)][-MAX_HISTORY:],
            canary_version=canary.get("version") if isinstance(canary.get("version"), str) else None,
            canary_tenants=[t for t in canary.get("tenants") or [] if isinstance(t, str)][
                :MAX_CANARY_TENANTS
            ],
        )

    def dump(self) -> str:
        canary = None
        if self.canary_version is not None:
            canary = {"version": self.canary_version, "tenants": self.canary_tenants}
        document = {"active": self.active, "history": self.history[-MAX_HISTORY:], "canary": canary}
        return json.dumps(document, sort_keys=True)

    def version_for(self, tenant: str) -> str | None:
        if self.canary_version is not None and tenant in self.canary_tenants:
            return self.canary_version
        return self.active


class PolicyStore:
    """Reads and writes the versioned policy sets of one namespace."""

    def __init__(self, client: RedisClient, namespace: str = DEFAULT_NAMESPACE) -> None:
        self.client = client
        self.namespace = namespace

    def key(self, *segments: str) -> str:
        return redis_key(self.namespace, *segments, hash_tag="policy")

    # -- reading ----------------------------------------------------------------------------------------
    def state_raw(self) -> str | None:
        with redis_errors("policy state"):
            value = self.client.get(self.key("state"))
        return value if isinstance(value, str) else None

    def state(self) -> PolicyState:
        return PolicyState.parse(self.state_raw())

    def version(self, name: str) -> StoredVersion | None:
        with redis_errors("policy version"):
            raw = self.client.get(self.key("version", name))
        return StoredVersion.parse(name, raw if isinstance(raw, str) else None)

    def versions(self) -> list[str]:
        with redis_errors("policy versions"):
            names = self.client.lrange(self.key("versions"), -MAX_LIST, -1)
        return [name for name in names if isinstance(name, str)]

    # -- writing (the CLI) ----------------------------------------------------------------------------
    def push(self, text: str, *, canary: list[str] | None = None, message: str = "") -> str:
        """Store ``text`` (already validated) as a new version and make it active (or canary)."""
        with redis_errors("policy push"):
            number = int(self.client.incr(self.key("seq")))
        name = f"v{number}"
        record = {
            "text": text,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "created": time.time(),
            "message": message,
        }
        with redis_errors("policy push"):
            if not self.client.set(self.key("version", name), json.dumps(record), nx=True):
                raise StoreError(f"version {name} already exists")
            self.client.rpush(self.key("versions"), name)

        def change(state: PolicyState) -> None:
            if canary:
                state.canary_version, state.canary_tenants = name, list(dict.fromkeys(canary))
            else:
                _activate(state, name)
                state.canary_version, state.canary_tenants = None, []

        self._update(change)
        return name

    def promote(self) -> str:
        def change(state: PolicyState) -> None:
            if state.canary_version is None:
                raise StoreError("no canary version to promote")
            _activate(state, state.canary_version)
            state.canary_version, state.canary_tenants = None, []

        return self._update(change).active or ""

    def rollback(self, version: str | None = None) -> PolicyState:
        """Drop the canary; or, without one, go back to ``version`` (default: the previously active one)."""

        def change(state: PolicyState) -> None:
            if version is None and state.canary_version is not None:
                state.canary_version, state.canary_tenants = None, []
                return
            target = version
            if target is None:
                if not state.history:
                    raise StoreError("no previous version to roll back to")
                target = state.history.pop()
                state.active = target
                return
            if self.version(target) is None:
                raise StoreError(f"version {target} does not exist (or is not intact)")
            _activate(state, target)
            if state.canary_version == target:
                state.canary_version, state.canary_tenants = None, []

        return self._update(change)

    def _update(self, change: Any) -> PolicyState:
        raw = self.state_raw()
        state = PolicyState.parse(raw)
        change(state)
        if not _COMPARE_AND_SET(self.client, [self.key("state")], [raw or "", state.dump()]):
            raise StoreError("the policy state changed meanwhile (another push?): run the command again")
        return state


def _activate(state: PolicyState, name: str) -> None:
    if state.active is not None and state.active != name:
        state.history.append(state.active)
        state.history = state.history[-MAX_HISTORY:]
    state.active = name
