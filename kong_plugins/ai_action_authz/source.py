"""Where an instance gets its policy: fixed (inline), or the active version in Redis, re-read on an interval.

The Redis source reads the state key at most once per ``poll_interval`` (one request refreshes; the others
keep deciding with what the instance has), compiles a version once when it first becomes active or canary,
and keeps the version it has whenever a newer one cannot be read, is not intact, or does not validate
against our schema: a bad version in Redis never replaces a good one. An instance that has no version at all
(Redis unreachable since it started, nothing pushed) refuses requests (503): default deny.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kong_plugins.ai_action_authz.policy import CompiledPolicy, PolicyError, compile_policy
from kong_plugins.ai_action_authz.store import PolicyState, PolicyStore
from kong_plugins.core import blocking
from kong_plugins.core.errors import BackendError, ServiceUnavailable

__all__ = ["FixedPolicy", "PolicySource", "RedisPolicySource"]

log = logging.getLogger("kong_plugins")


class PolicySource:
    def policy_for(self, tenant: str) -> CompiledPolicy:  # pragma: no cover - interface
        raise NotImplementedError


class FixedPolicy(PolicySource):
    """The inline policy of the plugin config, compiled when the instance starts."""

    def __init__(self, policy: CompiledPolicy) -> None:
        self.policy = policy

    def policy_for(self, tenant: str) -> CompiledPolicy:
        return self.policy


class RedisPolicySource(PolicySource):
    """The active (or canary) version in Redis, picked up within ``interval`` seconds."""

    def __init__(
        self,
        store: Callable[[], PolicyStore],
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._state_raw: str | None = None
        # (state, compiled versions) replaced as one tuple: a reader never sees one without the other
        self._current: tuple[PolicyState, dict[str, CompiledPolicy]] = (PolicyState(), {})
        self._refused: set[str] = set()

    def policy_for(self, tenant: str) -> CompiledPolicy:
        self._refresh_if_due()
        state, versions = self._current
        name = state.version_for(tenant)
        compiled = versions.get(name or "")
        if compiled is None and name != state.active:
            compiled = versions.get(state.active or "")
        if compiled is None:
            raise ServiceUnavailable(log_reason="no policy version could be loaded from Redis yet")
        return compiled

    def _refresh_if_due(self) -> None:
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self._interval:
            return
        wait = self._checked_at is None or not self._current[1]  # nothing to decide with: wait
        # The lock is held across Redis reads: take it on a worker thread (blocking.run), never in a handler's
        # greenlet, where a second greenlet waiting for it would hold the event loop and its holder forever.
        blocking.run(self._refresh_locked, wait)

    def _refresh_locked(self, wait: bool) -> None:
        if not self._lock.acquire(blocking=wait):
            return
        try:
            if self._checked_at is not None and self._clock() - self._checked_at < self._interval:
                return
            self._checked_at = self._clock()
            self._refresh()
        finally:
            self._lock.release()

    def _refresh(self) -> None:
        try:
            store = self._store()
            raw = store.state_raw()
            if raw == self._state_raw and self._current[1]:
                return
            state = PolicyState.parse(raw)
            loaded = {name: self._load(store, name) for name in {state.active, state.canary_version} if name}
        except BackendError as exc:
            log.warning(
                "[ai-action-authz] policy state not read from Redis (keeping %s): %s", self._names(), exc
            )
            return
        fresh = {name: policy for name, policy in loaded.items() if policy is not None}
        if state.active and state.active not in fresh:
            log.error(
                "[ai-action-authz] active policy %s not usable: keeping %s", state.active, self._names()
            )
            return  # try again at the next interval; the state is not taken
        self._current = (state, fresh)
        self._state_raw = raw

    def _load(self, store: PolicyStore, name: str) -> CompiledPolicy | None:
        if name in self._current[1]:
            return self._current[1][name]
        if name in self._refused:
            return None
        stored = store.version(name)
        if stored is None:
            log.error("[ai-action-authz] policy version %s is missing or not intact in Redis", name)
            return None
        try:
            return compile_policy(stored.text, version=name)
        except PolicyError as exc:
            self._refused.add(name)
            log.error("[ai-action-authz] policy version %s refused: %s", name, exc)
            return None

    def _names(self) -> str:
        return ",".join(sorted(self._current[1])) or "no version"
