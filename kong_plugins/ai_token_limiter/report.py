"""Reading and resetting the limiter's Redis counters from outside the gateway (``kong-ai usage``).

Keys say what they count (layout in :mod:`.plan`), and each counter hash keeps its limit (``l``; a token
bucket also its capacity ``c``), so the current usage and what is left can be computed from Redis alone,
with Redis's clock, the way the script computes it. Scans are bounded (``MAX_KEYS``) and use ``SCAN`` (never
``KEYS``); on Redis Cluster every primary is scanned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import redis.cluster

from kong_plugins.ai_token_limiter.plan import KEY_NAMESPACE, SCOPE_ID_COUNT
from kong_plugins.ai_token_limiter.pricing import nano_usd_to_usd
from kong_plugins.ai_token_limiter.windows import month_index, parse_window, sliding_bucket_ms
from kong_plugins.core.keys import encode_segment
from kong_plugins.core.redis import RedisClient, redis_errors

__all__ = ["MAX_KEYS", "CounterReport", "read_counters", "reset_counters"]

MAX_KEYS = 100_000
_SCAN_COUNT = 1000
_SLIDING_TAG = re.compile(r"sw([0-9]{1,2})")
_PERCENT = re.compile(r"%([0-9A-F]{2})")


def _decode(segment: str) -> str:
    """A key segment back to text where it was percent-encoded (hashed segments stay as they are)."""
    if "%" not in segment:
        return segment
    raw = bytearray()
    position = 0
    for match in _PERCENT.finditer(segment):
        raw += segment[position : match.start()].encode()
        raw.append(int(match.group(1), 16))
        position = match.end()
    raw += segment[position:].encode()
    return raw.decode("utf-8", "replace")


@dataclass(frozen=True)
class CounterReport:
    """One counter as ``kong-ai usage show`` prints it (costs in USD, the rest in its unit)."""

    key: str
    scope: str
    subject: list[str]
    metric: str
    window: str
    algorithm: str
    used: float
    limit: float | None
    remaining: float | None
    share_of: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _ParsedKey:
    scope: str
    ids: list[str]
    metric: str
    window: str
    algorithm: str
    share_of: str | None


def _parse_key(key: str, namespace: str) -> _ParsedKey | None:
    parts = key.split(":")
    if len(parts) < 4 or parts[0] != KEY_NAMESPACE or not parts[1].startswith("{") or parts[2] != namespace:
        return None
    scope = parts[3]
    if scope not in SCOPE_ID_COUNT:
        return None
    count = SCOPE_ID_COUNT[scope]
    rest = parts[4:]
    if len(rest) < count + 3:
        return None
    ids, (metric, window, algorithm), tail = rest[:count], rest[count : count + 3], rest[count + 3 :]
    share_of = None
    if algorithm == "waiting":
        return None  # a fair-share waiting set, not a counter
    if tail:
        if len(tail) != 2 or tail[0] != "share":
            return None
        share_of = _decode(tail[1])
    return _ParsedKey(scope, [_decode(i) for i in ids], metric, window, algorithm, share_of)


def _patterns(namespace: str, tenant: str | None) -> list[str]:
    ns = encode_segment(namespace)
    if tenant is None:
        return [f"{KEY_NAMESPACE}:{{*}}:{ns}:*"]
    return [f"{KEY_NAMESPACE}:{{{encode_segment(tenant)}}}:{ns}:*", f"{KEY_NAMESPACE}:{{{ns}}}:{ns}:*"]


def _scan(client: RedisClient, patterns: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    options: dict[str, Any] = {"match": None, "count": _SCAN_COUNT}
    if isinstance(client, redis.cluster.RedisCluster):
        options["target_nodes"] = redis.cluster.RedisCluster.PRIMARIES  # each key once, from its owner
    for pattern in patterns:
        options["match"] = pattern
        for key in client.scan_iter(**options):
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_KEYS:
                return
            yield key


def _belongs_to(parsed: _ParsedKey, tenant: str | None) -> bool:
    if tenant is None:
        return True
    if parsed.share_of is not None:
        return parsed.share_of == tenant
    return parsed.scope in ("tenant", "tenant_model") and parsed.ids[:1] == [tenant]


def _server_ms(client: RedisClient) -> int:
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


def _used(parsed: _ParsedKey, fields: dict[str, str], now: int) -> tuple[float, float | None]:
    """(used, limit) in store units."""
    limit = float(fields["l"]) if "l" in fields else None
    try:
        window = parse_window(parsed.window)
    except ValueError:
        return 0.0, limit
    if parsed.algorithm == "tb":
        capacity = float(fields.get("c", limit or 0))
        rate = (limit or 0) / window.ms
        tokens = float(fields.get("t", capacity))
        tokens = min(capacity, tokens + max(0, now - int(fields.get("ts", now))) * rate)
        return capacity - tokens, capacity
    buckets = {int(name): float(value) for name, value in fields.items() if name.lstrip("-").isdigit()}
    if parsed.algorithm == "cm":
        return buckets.get(month_index(now), 0.0), limit
    if parsed.algorithm == "fw":
        return buckets.get(now // window.ms, 0.0), limit
    match = _SLIDING_TAG.fullmatch(parsed.algorithm)
    count = int(match.group(1)) if match else 10
    size = sliding_bucket_ms(window.ms, count)
    lowest, current = (now - window.ms) // size, now // size
    return sum(value for bucket, value in buckets.items() if lowest <= bucket <= current), limit


def read_counters(client: RedisClient, namespace: str, tenant: str | None = None) -> list[CounterReport]:
    """Every counter of ``namespace`` (only ``tenant``'s when given), with current usage and what is left."""
    reports = []
    with redis_errors("reading usage counters"):
        now = _server_ms(client)
        for key in _scan(client, _patterns(namespace, tenant)):
            parsed = _parse_key(key, encode_segment(namespace))
            if parsed is None or not _belongs_to(parsed, tenant):
                continue
            fields = client.hgetall(key)
            used, limit = _used(parsed, fields, now)
            if parsed.metric == "cost_usd":
                used = nano_usd_to_usd(used)
                limit = None if limit is None else nano_usd_to_usd(limit)
            elif parsed.metric == "compute_seconds":  # counted in milliseconds
                used = used / 1000
                limit = None if limit is None else limit / 1000
            remaining = None if limit is None else max(0.0, limit - used)
            reports.append(
                CounterReport(
                    key=key,
                    scope=parsed.scope,
                    subject=parsed.ids,
                    metric=parsed.metric,
                    window=parsed.window,
                    algorithm=parsed.algorithm,
                    used=_tidy(used),
                    limit=None if limit is None else _tidy(limit),
                    remaining=None if remaining is None else _tidy(remaining),
                    share_of=parsed.share_of,
                )
            )
    return sorted(reports, key=lambda r: (r.scope, r.subject, r.metric, r.window, r.key))


def _tidy(value: float) -> float:
    return float(round(value, 9)) if not math.isinf(value) else value


def reset_counters(client: RedisClient, namespace: str, tenant: str | None = None) -> int:
    """Delete the counters of ``namespace`` (only ``tenant``'s when given); returns how many."""
    deleted = 0
    with redis_errors("resetting usage counters"):
        for key in list(_scan(client, _patterns(namespace, tenant))):
            parsed = _parse_key(key, encode_segment(namespace))
            waiting_set = parsed is None and key.endswith(":waiting")
            if (parsed is not None and _belongs_to(parsed, tenant)) or (tenant is None and waiting_set):
                deleted += int(client.delete(key))
    return deleted
