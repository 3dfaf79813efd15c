"""The Redis store: every reservation and every settlement is ONE call of one Lua script (:mod:`.lua_source`).

Why a script: the check of all limits and the charge of all of them must be one atomic step, or two gateway
nodes could both see room for the last tokens and both take them. The script runs inside Redis, alone, so
"check every counter, then charge all or none" cannot interleave with another request. It is loaded once
per server and called by SHA (:class:`~kong_plugins.core.redis.LuaScript`: ``EVALSHA``, and one extra
``EVAL`` the first time a server has not seen it). The keys of one request share a hash tag (see
:mod:`.plan`), so on Redis Cluster they live in one slot and the script runs on the node that owns it.

Time comes from the Redis server (``TIME`` inside the script): every gateway node shares one clock, so clock
skew between nodes cannot stretch or shrink a window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from kong_plugins.ai_token_limiter.counters import Counter, Decision
from kong_plugins.ai_token_limiter.lua_source import LIMITER_LUA
from kong_plugins.core.redis import LuaScript, RedisClient

__all__ = ["LIMITER_SCRIPT", "RedisCounterStore", "decode_decision", "script_arguments"]

LIMITER_SCRIPT = LuaScript(LIMITER_LUA)
"""The one Lua script of the plugin (loaded once per Redis server, then called by SHA)."""

RESERVE = "r"
SETTLE = "s"
ADD = "a"
_FIELDS_PER_COUNTER = 9


def script_arguments(
    op: str,
    counters: Sequence[Counter],
    amounts: Sequence[int],
    *,
    member: str = "",
    buckets: Sequence[int] | None = None,
    now_ms: int | None = None,
) -> tuple[list[str], list[str]]:
    """KEYS and ARGV of one script call (layout documented at the top of :mod:`.lua_source`)."""
    keys = [counter.key for counter in counters]
    wait_index: dict[str, int] = {}
    for counter in counters:
        if counter.wait_key is not None and counter.wait_key not in wait_index:
            keys.append(counter.wait_key)
            wait_index[counter.wait_key] = len(keys)  # 1-based, as KEYS in Lua
    args = [op, "" if now_ms is None else str(now_ms), member, str(len(counters))]
    for index, counter in enumerate(counters):
        args += [
            counter.kind,
            str(counter.window_ms),
            _number(counter.limit),
            str(counter.bucket_ms),
            _number(counter.capacity),
            str(wait_index.get(counter.wait_key, 0) if counter.wait_key else 0),
            "1" if counter.share else "0",
            str(int(amounts[index])),
            str(buckets[index]) if buckets is not None else "0",
        ]
    assert len(args) == 4 + _FIELDS_PER_COUNTER * len(counters)
    return keys, args


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def decode_decision(reply: Sequence[Any], count: int) -> Decision:
    """The script's flat reply → :class:`Decision` (``retry_after_ms`` is -1 when waiting cannot help)."""
    values = [int(value) for value in reply]
    if len(values) != 4 + 3 * count:
        raise ValueError(f"unexpected limiter script reply of {len(values)} values for {count} counters")
    admitted, retry, failing, never = values[:4]
    rest = values[4:]
    return Decision(
        admitted=bool(admitted),
        retry_after_ms=retry,
        failing=failing - 1 if failing else None,
        never=bool(never),
        remaining=tuple(float(v) for v in rest[0::3]),
        reset_ms=tuple(rest[1::3]),
        buckets=tuple(rest[2::3]),
    )


class RedisCounterStore:
    """Counters in Redis. ``client`` is called for every operation so a rebuilt client is picked up.

    Each method is exactly one round trip (two the first time a server lacks the script); transport
    failures raise :class:`~kong_plugins.core.errors.RedisUnavailable`.
    """

    def __init__(
        self, client: Callable[[], RedisClient], *, clock_ms: Callable[[], int] | None = None
    ) -> None:
        self._client = client
        self._clock_ms = clock_ms  # tests only: a fixed clock instead of Redis TIME

    def reserve(self, counters: Sequence[Counter], amounts: Sequence[int], member: str) -> Decision:
        now = self._clock_ms() if self._clock_ms else None
        keys, args = script_arguments(RESERVE, counters, amounts, member=member, now_ms=now)
        reply = LIMITER_SCRIPT(self._client(), keys, args)
        return decode_decision(reply, len(counters))

    def settle(self, counters: Sequence[Counter], deltas: Sequence[int], buckets: Sequence[int]) -> None:
        if not any(deltas):
            return  # nothing to correct: no round trip
        now = self._clock_ms() if self._clock_ms else None
        keys, args = script_arguments(SETTLE, counters, deltas, buckets=buckets, now_ms=now)
        LIMITER_SCRIPT(self._client(), keys, args)

    def add(
        self, counters: Sequence[Counter], amounts: Sequence[int], buckets: Sequence[int], marker: str
    ) -> bool:
        """Add usage counted while Redis was unreachable (the keys, marker included, share one hash tag),
        at most once per ``marker``; False when that batch had already been applied."""
        now = self._clock_ms() if self._clock_ms else None
        plain = [replace(counter, wait_key=None, share=False) for counter in counters]
        keys, args = script_arguments(ADD, plain, amounts, buckets=buckets, now_ms=now)
        keys.append(marker)
        args[2] = str(len(keys))
        reply = LIMITER_SCRIPT(self._client(), keys, args)
        return bool(reply and int(reply[0]))
