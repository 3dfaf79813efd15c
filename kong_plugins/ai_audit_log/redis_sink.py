"""The ``redis`` sink: one Redis Stream per tenant, hash-chained, appended atomically by one Lua script.

Keys (built with :mod:`kong_plugins.core.keys`, the tenant as hash tag, so a tenant's stream and head share
one Redis Cluster slot and one script touches both)::

    ai-audit-log:{<tenant>}:<namespace>:stream   XADD ... MAXLEN ~ <stream_maxlen> * r <record JSON>
    ai-audit-log:{<tenant>}:<namespace>:head     hash: hash, seq, maxlen of the newest record
    ai-audit-log:<namespace>:tenants             set of tenants with records (for export; no hash tag)

A request without a tenant is recorded under the empty tenant (``{~}``), which no tenant id can produce.

Concurrency: the writer links a batch locally after the head it last saw, and the script appends it only if
the head is still that one (compare-and-set); otherwise it answers the current head and the writer links
again. Several plugin-server processes (or gateways) therefore never fork a chain, at the price of one extra
round trip when two of them write the same tenant at once. A batch whose reply was lost (a timeout after
Redis applied it) is recognised on retry, the head being the batch's own last hash, and not written twice.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_audit_log.chain import Head, chain
from kong_plugins.ai_audit_log.record import canonical_json
from kong_plugins.core.keys import redis_key
from kong_plugins.core.redis import LuaScript, RedisClient, redis_errors

__all__ = ["APPEND_SCRIPT", "RedisStreamSink", "StreamKeys", "read_entries", "read_head", "tenants"]

log = logging.getLogger(__name__)

NAMESPACE = "ai-audit-log"
MAX_CAS_ATTEMPTS = 200
READ_CHUNK = 500

APPEND_SCRIPT = LuaScript(
    """
local head = redis.call('HMGET', KEYS[1], 'hash', 'seq')
local current = head[1] or string.rep('0', 64)
local seq = tonumber(head[2] or '0')
if current ~= ARGV[1] then
  if current == ARGV[3] then return {'dup', current, seq} end
  return {'conflict', current, seq}
end
for i = 5, #ARGV do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'r', ARGV[i])
end
redis.call('HSET', KEYS[1], 'hash', ARGV[3], 'seq', ARGV[4], 'maxlen', ARGV[2])
return {'ok', ARGV[3], tonumber(ARGV[4])}
"""
)


@dataclass(frozen=True)
class StreamKeys:
    stream: str
    head: str


def stream_keys(namespace: str, tenant: str | None) -> StreamKeys:
    tag = tenant or ""
    return StreamKeys(
        redis_key(NAMESPACE, namespace, "stream", hash_tag=tag),
        redis_key(NAMESPACE, namespace, "head", hash_tag=tag),
    )


def tenants_key(namespace: str) -> str:
    return redis_key(NAMESPACE, namespace, "tenants")


class RedisStreamSink:
    """Appends records to their tenant's chained stream. Used by one writer thread at a time."""

    name = "redis"

    def __init__(self, client_factory: Any, namespace: str, maxlen: int) -> None:
        self._client_factory = client_factory
        self._client: RedisClient | None = None
        self.namespace = namespace
        self.maxlen = maxlen
        self._heads: dict[str, Head] = {}
        self._known_tenants: set[str] = set()

    def _redis(self) -> RedisClient:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def write(self, records: Sequence[Mapping[str, Any]]) -> int:
        """Write ``records`` in order; returns how many were written before a failure (raises only if none
        could be: the caller keeps the rest)."""
        written = 0
        for run in _tenant_runs(records):
            try:
                self._append(run)
            except Exception:
                if written:
                    return written
                raise
            written += len(run)
        return written

    def _append(self, run: Sequence[Mapping[str, Any]]) -> None:
        tenant = run[0].get("tenant") or ""
        keys = stream_keys(self.namespace, tenant)
        client = self._redis()
        head = self._heads.get(tenant, Head())
        for attempt in range(MAX_CAS_ATTEMPTS):
            if attempt > 1:
                time.sleep(random.uniform(0, 0.002 * min(attempt, 10)))  # jitter: contenders interleave
            linked, new_head = chain(run, head)
            if not linked:  # every record of the run was applied by an earlier attempt
                self._heads[tenant] = head
                break
            args = [head.hash, self.maxlen, new_head.hash, new_head.seq, *(canonical_json(r) for r in linked)]
            with redis_errors("ai-audit-log append"):
                reply = APPEND_SCRIPT(client, [keys.head, keys.stream], args)
            status, current, seq = str(reply[0]), str(reply[1]), int(reply[2])
            if status in ("ok", "dup"):
                self._heads[tenant] = Head(current, seq)
                break
            # An earlier attempt whose reply was lost may have applied the first records of this run (the
            # caller retries a failed batch together with newer records): the head is then one of our own
            # links, and those records must not be written again.
            applied = next((i + 1 for i, item in enumerate(linked) if item["hash"] == current), 0)
            run = run[applied:]
            head = Head(current, seq)  # another writer (or that attempt) moved the head: link again after it
        else:
            raise RuntimeError(f"ai-audit-log: tenant head kept moving ({MAX_CAS_ATTEMPTS} attempts)")
        if tenant not in self._known_tenants:
            # The run is in the stream already: a failure here must not fail it, or the caller would keep the
            # run and write it again after the head this append moved (a duplicate). The index is retried with
            # the tenant's next run.
            try:
                with redis_errors("ai-audit-log tenant index"):
                    client.sadd(tenants_key(self.namespace), tenant)
            except Exception as exc:
                log.warning("ai-audit-log: tenant index not updated (retried with the next run): %s", exc)
            else:
                self._known_tenants.add(tenant)


def _tenant_runs(records: Sequence[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    """Consecutive records of one tenant: written in one script call each, so order is kept exactly."""
    run: list[Mapping[str, Any]] = []
    for record in records:
        if run and (record.get("tenant") or "") != (run[0].get("tenant") or ""):
            yield run
            run = []
        run.append(record)
    if run:
        yield run


# ---------------------------------------------------------------------------------------------- readers


def read_head(client: RedisClient, namespace: str, tenant: str | None) -> tuple[Head | None, int | None]:
    """The tenant's head (None when it has no records) and the ``stream_maxlen`` it was written with."""
    values = client.hgetall(stream_keys(namespace, tenant).head)
    if not values:
        return None, None
    maxlen = values.get("maxlen")
    return Head(values.get("hash", ""), int(values.get("seq", 0))), int(maxlen) if maxlen else None


def read_entries(
    client: RedisClient, namespace: str, tenant: str | None, *, start: str = "-", count: int | None = None
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(entry id, record) oldest first, from ``start`` (a stream id or ``-``), in chunks."""
    key = stream_keys(namespace, tenant).stream
    cursor = start
    remaining = count
    while remaining is None or remaining > 0:
        chunk = READ_CHUNK if remaining is None else min(READ_CHUNK, remaining)
        entries = client.xrange(key, min=cursor, max="+", count=chunk)
        if not entries:
            return
        for entry_id, fields in entries:
            yield entry_id, _decode(fields.get("r"))
        if remaining is not None:
            remaining -= len(entries)
        cursor = "(" + entries[-1][0]
        if len(entries) < chunk:
            return


def read_newest(client: RedisClient, namespace: str, tenant: str | None, count: int) -> list[tuple[str, Any]]:
    entries = client.xrevrange(stream_keys(namespace, tenant).stream, count=count)
    return [(entry_id, _decode(fields.get("r"))) for entry_id, fields in reversed(entries)]


def stream_length(client: RedisClient, namespace: str, tenant: str | None) -> int:
    return int(client.xlen(stream_keys(namespace, tenant).stream))


def tenants(client: RedisClient, namespace: str) -> list[str]:
    return sorted(client.smembers(tenants_key(namespace)))


def _decode(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, str):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
