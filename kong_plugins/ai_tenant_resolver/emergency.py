"""Emergency controls (``kong-ai emergency``): a tenant isolated or restricted for a while, through Redis.

An operator acts on every gateway node at once, without a config push: the command writes the tenant's
*overlay* to Redis, and each node reads it together with what it reads about the tenant anyway (the Redis
registry's lookup, through the same cache), so the common request costs no extra Redis round trip and a
change reaches every node within ``cache_ttl`` seconds.

Redis layout (keys built with :func:`kong_plugins.core.keys.redis_key`; the tenant id is the hash tag, so it
stays in its own Redis Cluster slot whatever it contains)::

    <namespace>:{<tenant>}:emergency   HASH  isolate, isolate_until, restrict, restrict_until
                                             (a JSON map each, and the deadline in epoch milliseconds,
                                             "" for "until lifted"); the key's TTL is the latest deadline
    <namespace>:emergencies            ZSET  tenant -> latest deadline (ms, +inf: until lifted): what
                                             ``list`` shows; lapsed members are pruned by ``list``
    <namespace>:emergency-log          STREAM every action (isolate, restrict, lift, revoke-keys): who, why,
                                             until when; appended, never trimmed by us

Deadlines come from the Redis server's clock (``TIME`` in the write script), so every gateway compares them
with one reference, and a node checks the deadline of a cached overlay on **every request**: a control lapses
at its deadline even while a cache entry holds it (Redis deletes the key at the same moment). A lift, by
contrast, reaches a node when its cache entry expires (``cache_ttl``).

This module never touches ``kong``.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_tenant_resolver.tenant_id import check_tenant_id
from kong_plugins.core.keys import redis_key
from kong_plugins.core.redis import LuaScript, RedisClient, redis_errors

__all__ = [
    "CONTROLS",
    "ISOLATE",
    "RESTRICT",
    "Control",
    "EmergencyRecordError",
    "EmergencyStore",
    "Overlay",
    "emergency_key",
    "parse_overlay",
]

ISOLATE = "isolate"
RESTRICT = "restrict"
CONTROLS = (ISOLATE, RESTRICT)
UNTIL_SUFFIX = "_until"
MAX_FIELD_BYTES = 16384
MAX_REASON_CHARS = 500
MAX_OPERATOR_CHARS = 64
MAX_LIST_ENTRIES = 64
MAX_DURATION_S = 365 * 24 * 3600
HISTORY_DEFAULT = 50
MAX_HISTORY = 10000
_MODEL = re.compile(r"[A-Za-z0-9*][A-Za-z0-9._:/@+*-]{0,127}", re.ASCII)
_ROUTE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}", re.ASCII)
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


class EmergencyRecordError(ValueError):
    """A stored overlay cannot be read (the resolver fails closed: 503), or an operator's value is refused."""


def emergency_key(namespace: str, tenant_id: str) -> str:
    """``<namespace>:{<tenant>}:emergency``: one Redis Cluster slot per tenant."""
    return redis_key(namespace, "emergency", hash_tag=check_tenant_id(tenant_id))


def clean_text(value: str | None, limit: int) -> str:
    """An operator's free text, printable ASCII only (it is shown in terminals and logs), bounded."""
    return _PRINTABLE.sub("?", value or "")[:limit]


@dataclass(frozen=True)
class Control:
    """One control in force: what, until when (epoch ms, None: until lifted), by whom, why, and its terms."""

    kind: str
    until_ms: int | None
    by: str = ""
    reason: str = ""
    at_ms: int = 0
    tokens_factor: float | None = None
    """``restrict --tokens-per-minute 10%``: the tenant's per-minute token limits times this factor (where
    none, the tightest token limit per minute: ``ai_token_limiter.plan.emergency_cap_rule``)."""
    tokens_per_minute: int | None = None
    """``restrict --tokens-per-minute 5000``: the tenant's per-minute token limits capped at this (where
    none, an extra per-minute tenant token limit of this)."""
    models: tuple[str, ...] | None = None
    """``restrict --models``: the only models the tenant may use (ai-input-guard enforces them)."""
    routes: tuple[str, ...] | None = None
    """``restrict --routes``: the only routes (names or ids) the tenant may use."""

    def in_force(self, now_ms: float) -> bool:
        return self.until_ms is None or now_ms < self.until_ms

    def terms(self) -> dict[str, Any]:
        """The restriction's terms as stored and shown (None values left out)."""
        terms: dict[str, Any] = {
            "tokens_factor": self.tokens_factor,
            "tokens_per_minute": self.tokens_per_minute,
            "models": list(self.models) if self.models is not None else None,
            "routes": list(self.routes) if self.routes is not None else None,
        }
        return {key: value for key, value in terms.items() if value is not None}

    def to_display(self) -> dict[str, Any]:
        return {
            "control": self.kind,
            "until_ms": self.until_ms,
            "by": self.by,
            "reason": self.reason,
            "at_ms": self.at_ms,
            **self.terms(),
        }


@dataclass(frozen=True)
class Overlay:
    """A tenant's emergency controls as read from Redis (some may have lapsed: ask :meth:`in_force`)."""

    controls: tuple[Control, ...] = field(default_factory=tuple)

    def in_force(self, now_ms: float | None = None) -> Overlay | None:
        """The controls still in force at ``now_ms`` (default: now), None when there are none."""
        now = time.time() * 1000 if now_ms is None else now_ms
        kept = tuple(control for control in self.controls if control.in_force(now))
        return Overlay(kept) if kept else None

    def get(self, kind: str) -> Control | None:
        return next((control for control in self.controls if control.kind == kind), None)

    @property
    def isolated(self) -> bool:
        return self.get(ISOLATE) is not None

    @property
    def restriction(self) -> Control | None:
        return self.get(RESTRICT)


def parse_overlay(data: Mapping[str, str]) -> Overlay | None:
    """The overlay stored in a HASH (from ``HGETALL``); None when empty. Raises EmergencyRecordError.

    An unreadable control is an error, never ignored: an isolation nobody can read must not let the tenant in.
    """
    if not data:
        return None
    controls = []
    for kind in CONTROLS:
        raw = data.get(kind)
        if raw is None:
            continue
        until = data.get(kind + UNTIL_SUFFIX, "")
        controls.append(_parse_control(kind, raw, until))
    return Overlay(tuple(controls)) if controls else None


def _parse_control(kind: str, raw: str, until: str) -> Control:
    if len(raw) > MAX_FIELD_BYTES:
        raise EmergencyRecordError(f"{kind}: stored value too large")
    try:
        body = json.loads(raw)
        until_ms = int(until) if until else None
    except (ValueError, RecursionError) as exc:
        raise EmergencyRecordError(f"{kind}: unreadable stored value") from exc
    if not isinstance(body, dict):
        raise EmergencyRecordError(f"{kind}: expected a JSON map")
    terms = body.get("terms") or {}
    if not isinstance(terms, dict):
        raise EmergencyRecordError(f"{kind}: terms must be a map")
    return Control(
        kind=kind,
        until_ms=until_ms,
        by=clean_text(str(body.get("by", "")), MAX_OPERATOR_CHARS),
        reason=clean_text(str(body.get("reason", "")), MAX_REASON_CHARS),
        at_ms=_int(body.get("at_ms")),
        **check_terms(terms),
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def check_terms(terms: Mapping[str, Any]) -> dict[str, Any]:
    """A restriction's terms, validated (stored or given by an operator). Raises EmergencyRecordError."""
    checked: dict[str, Any] = {}
    factor = terms.get("tokens_factor")
    if factor is not None:
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 <= factor <= 1:
            raise EmergencyRecordError("tokens_factor must be a number between 0 and 1")
        checked["tokens_factor"] = float(factor)
    per_minute = terms.get("tokens_per_minute")
    if per_minute is not None:
        if isinstance(per_minute, bool) or not isinstance(per_minute, int) or not 0 <= per_minute < 2**53:
            raise EmergencyRecordError("tokens_per_minute must be a whole number >= 0")
        checked["tokens_per_minute"] = per_minute
    for name, pattern in (("models", _MODEL), ("routes", _ROUTE)):
        values = terms.get(name)
        if values is None:
            continue
        if not isinstance(values, list) or len(values) > MAX_LIST_ENTRIES:
            raise EmergencyRecordError(f"{name}: at most {MAX_LIST_ENTRIES} entries")
        if not values:  # "only these: none" read as "no restriction" by the plugins would open every one
            raise EmergencyRecordError(f"{name}: an empty list (leave the option out instead)")
        for value in values:
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise EmergencyRecordError(f"{name}: {str(value)[:80]!r} is not a valid name")
        checked[name] = tuple(dict.fromkeys(values))
    return checked


# What both scripts below need: the Redis server's clock, and the latest deadline of the controls in force
# (0: none; -1: one has no deadline, so the key must not expire), from which the key's TTL is set.
_DEADLINE_FUNCTIONS = """
local function redis_now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function latest_deadline(key)
  local latest = 0
  for _, control in ipairs({'isolate', 'restrict'}) do
    if redis.call('HEXISTS', key, control) == 1 then
      local u = redis.call('HGET', key, control .. '_until')
      if not u or u == '' then return -1 end
      if tonumber(u) > latest then latest = tonumber(u) end
    end
  end
  return latest
end
"""

# Set one control and give the key the TTL of its latest deadline (no TTL while a control has none). The
# deadline is computed from the Redis server's clock, the one reference every gateway node compares with.
# KEYS[1] the tenant's emergency key; ARGV: control, JSON body, duration in ms ("" = until lifted).
# Returns {now_ms, until_ms or "", key deadline ms or -1 (no TTL)}.
_SET = LuaScript(
    _DEADLINE_FUNCTIONS
    + """
local now = redis_now_ms()
local until_ms = ''
if ARGV[3] ~= '' then until_ms = tostring(now + tonumber(ARGV[3])) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], ARGV[1] .. '_until', until_ms)
local latest = latest_deadline(KEYS[1])
if latest == -1 then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIREAT', KEYS[1], latest) end
return {tostring(now), until_ms, tostring(latest)}
"""
)
# Remove controls (ARGV: their names); the key keeps the TTL of the latest remaining deadline.
# Returns {removed count, key deadline ms, -1 (no TTL) or 0 (no control left: key deleted)}.
_LIFT = LuaScript(
    _DEADLINE_FUNCTIONS
    + """
local removed = 0
for _, control in ipairs(ARGV) do
  removed = removed + redis.call('HDEL', KEYS[1], control)
  redis.call('HDEL', KEYS[1], control .. '_until')
end
local now = redis_now_ms()
local latest = latest_deadline(KEYS[1])
if latest == 0 or (latest > 0 and latest <= now) then
  redis.call('DEL', KEYS[1])
  latest = 0
elseif latest == -1 then redis.call('PERSIST', KEYS[1])
else redis.call('PEXPIREAT', KEYS[1], latest) end
return {removed, tostring(latest)}
"""
)


@dataclass(frozen=True)
class EmergencyEntry:
    """A tenant with controls in force (``list``)."""

    tenant_id: str
    overlay: Overlay | None
    error: str | None = None


class EmergencyStore:
    """What ``kong-ai emergency`` writes and reads: overlays, the index of tenants, the action log."""

    def __init__(
        self, client: RedisClient, namespace: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.client = client
        self.namespace = namespace
        self._clock = clock

    def key(self, tenant_id: str) -> str:
        return emergency_key(self.namespace, tenant_id)

    @property
    def index_key(self) -> str:
        return redis_key(self.namespace, "emergencies")

    @property
    def log_key(self) -> str:
        return redis_key(self.namespace, "emergency-log")

    def set_control(
        self,
        tenant_id: str,
        kind: str,
        *,
        seconds: int | None,
        by: str,
        reason: str,
        terms: Mapping[str, Any] | None = None,
    ) -> Control:
        """Put ``kind`` in force for ``seconds`` (None: until lifted), replacing the one in force; audited."""
        if kind not in CONTROLS:
            raise EmergencyRecordError(f"unknown control {kind}")
        if seconds is not None and not 0 < seconds <= MAX_DURATION_S:
            raise EmergencyRecordError(f"the duration must be between 1 second and {MAX_DURATION_S} seconds")
        checked = check_terms(dict(terms or {}))
        body = {
            "by": clean_text(by, MAX_OPERATOR_CHARS),
            "reason": clean_text(reason, MAX_REASON_CHARS),
            "terms": {k: list(v) if isinstance(v, tuple) else v for k, v in checked.items()},
        }
        body["at_ms"] = int(self._clock() * 1000)  # shown by `list`; the deadline uses the server's clock
        raw = json.dumps(body, separators=(",", ":"), sort_keys=True)
        duration = "" if seconds is None else str(seconds * 1000)
        with redis_errors("emergency write"):
            _now, until, latest = _SET(self.client, [self.key(tenant_id)], [kind, raw, duration])
            self._index(tenant_id, int(latest))
        control = Control(
            kind=kind,
            until_ms=int(until) if until else None,
            by=body["by"],
            reason=body["reason"],
            at_ms=body["at_ms"],
            **checked,
        )
        self.audit(
            kind,
            tenant_id,
            by=control.by,
            reason=control.reason,
            until_ms=control.until_ms,
            detail=control.terms(),
        )
        return control

    def lift(self, tenant_id: str, kinds: Sequence[str], *, by: str, reason: str) -> list[str]:
        """Remove controls of ``kinds`` now; the ones that were there (empty: nothing to lift). Audited."""
        with redis_errors("emergency read"):  # the raw fields: an unreadable control can be lifted too
            stored = self.client.hgetall(self.key(tenant_id))
        present = [kind for kind in kinds if kind in stored]
        with redis_errors("emergency lift"):
            _removed, latest = _LIFT(self.client, [self.key(tenant_id)], list(kinds))
            self._index(tenant_id, int(latest))
        if present:
            self.audit("lift", tenant_id, by=by, reason=reason, until_ms=None, detail={"controls": present})
        return present

    def _index(self, tenant_id: str, latest: int) -> None:
        if latest == 0:
            self.client.zrem(self.index_key, tenant_id)
        else:
            self.client.zadd(self.index_key, {tenant_id: math.inf if latest < 0 else latest})

    def get(self, tenant_id: str) -> Overlay | None:
        """The tenant's stored overlay (lapsed controls included until Redis expires them)."""
        with redis_errors("emergency read"):
            data = self.client.hgetall(self.key(tenant_id))
        return parse_overlay(data)

    def list(self) -> list[EmergencyEntry]:
        """Tenants with a control in force, by tenant id; prunes lapsed index entries."""
        now_ms = self._clock() * 1000
        with redis_errors("emergency list"):
            self.client.zremrangebyscore(self.index_key, "-inf", f"({int(now_ms)}")
            tenants = sorted(self.client.zrangebyscore(self.index_key, f"({int(now_ms)}", "+inf"))
            pipe = self.client.pipeline(transaction=False)
            for tenant_id in tenants:
                pipe.hgetall(self.key(tenant_id))
            rows = pipe.execute() if tenants else []
        entries = []
        for tenant_id, data in zip(tenants, rows, strict=True):
            try:
                overlay = parse_overlay(data)
            except EmergencyRecordError as exc:
                entries.append(EmergencyEntry(tenant_id, None, str(exc)))
                continue
            in_force = overlay.in_force(now_ms) if overlay is not None else None
            if in_force is not None:
                entries.append(EmergencyEntry(tenant_id, in_force))
        return entries

    def audit(
        self,
        action: str,
        tenant_id: str,
        *,
        by: str,
        reason: str,
        until_ms: int | None,
        detail: Mapping[str, Any],
    ) -> str:
        """Append one action to the emergency log stream; its id (the Redis server's time) is returned."""
        entry = {
            "action": action,
            "tenant": tenant_id,
            "by": clean_text(by, MAX_OPERATOR_CHARS),
            "reason": clean_text(reason, MAX_REASON_CHARS),
            "until_ms": "" if until_ms is None else str(until_ms),
            "detail": json.dumps(dict(detail), separators=(",", ":"), sort_keys=True),
        }
        with redis_errors("emergency audit"):
            return str(self.client.xadd(self.log_key, entry))

    def history(self, count: int = HISTORY_DEFAULT, tenant_id: str | None = None) -> list[dict[str, Any]]:
        """The latest ``count`` actions, newest first (of one tenant when ``tenant_id`` is given)."""
        count = max(1, min(count, MAX_HISTORY))
        with redis_errors("emergency history"):
            rows = self.client.xrevrange(self.log_key, count=count if tenant_id is None else MAX_HISTORY)
        actions = []
        for entry_id, fields in rows:
            if tenant_id is not None and fields.get("tenant") != tenant_id:
                continue
            try:
                detail = json.loads(fields.get("detail") or "{}")
            except ValueError:
                detail = {}
            until = fields.get("until_ms") or ""
            actions.append(
                {
                    "id": entry_id,
                    "at_ms": int(str(entry_id).split("-", 1)[0]),
                    "action": fields.get("action", ""),
                    "tenant": fields.get("tenant", ""),
                    "by": fields.get("by", ""),
                    "reason": fields.get("reason", ""),
                    "until_ms": int(until) if until.isdigit() else None,
                    "detail": detail,
                }
            )
            if len(actions) >= count:
                break
        return actions
