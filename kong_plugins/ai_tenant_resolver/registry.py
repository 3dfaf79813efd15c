"""The tenant registry: which tenants exist, whether they are active, and their tier, region and models.

Two places can hold it:

* the plugin configuration (``registry: config``, the default): the ``tenants`` list, validated when the
  configuration is compiled, no Redis needed (:class:`EmbeddedRegistry`);
* Redis (``registry: redis``), written by ``kong-ai tenants ...`` (:class:`RedisTenantStore`) and read by the
  plugin through a bounded local LRU cache with a TTL, negative entries included (:class:`RedisRegistry`), so
  the common request costs no Redis round trip and a suspension takes effect within ``cache_ttl`` seconds.

Redis layout (every key built with :func:`kong_plugins.core.keys.redis_key`, so no tenant id can alter it)::

    <namespace>:tenant:<tenant id>   HASH  status, tier, region, allowed_models (JSON list),
                                           metadata (JSON map), created_at, updated_at (epoch seconds)
    <namespace>:tenants              SET   every tenant id (the index ``tenants list`` reads)

When Redis cannot be reached the lookup fails closed (:class:`RedisUnavailable`, answered 503), except for a
tenant whose cache entry expired at most ``stale_if_error`` seconds ago: that entry is used. Serving it cannot
delay a suspension, because a suspension is itself a write to Redis, impossible while Redis is down.
Records read from Redis are validated like configured ones; a record that fails raises
:class:`InvalidTenantRecord` (fail closed too). This module never touches ``kong``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from kong_plugins.ai_tenant_resolver.emergency import (
    EmergencyRecordError,
    Overlay,
    emergency_key,
    parse_overlay,
)
from kong_plugins.ai_tenant_resolver.tenant_id import InvalidTenantId, check_tenant_id
from kong_plugins.core.cache import TtlLruCache
from kong_plugins.core.errors import RedisUnavailable
from kong_plugins.core.keys import redis_key
from kong_plugins.core.redis import LuaScript, RedisClient, redis_errors

__all__ = [
    "ACTIVE",
    "DEFAULT_NAMESPACE",
    "STATUSES",
    "SUSPENDED",
    "EmbeddedRegistry",
    "EmergencyOverlays",
    "InvalidTenantRecord",
    "RedisRegistry",
    "RedisTenantStore",
    "TenantRecord",
    "TenantRegistry",
]

log = logging.getLogger("kong_plugins.ai_tenant_resolver")

ACTIVE = "active"
SUSPENDED = "suspended"
STATUSES = (ACTIVE, SUSPENDED)
DEFAULT_NAMESPACE = "ai-tenant-resolver"

MAX_LABEL_LENGTH = 64
MAX_MODELS = 256
MAX_MODEL_LENGTH = 128
MAX_METADATA_ENTRIES = 64
MAX_METADATA_VALUE_LENGTH = 1024
MAX_STORED_JSON_BYTES = 65536
LIST_SCAN_BATCH = 500

# Tier and region go into upstream headers and Kong upstream lookups: a small, header-safe alphabet.
LABEL_REGEX = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
MODEL_REGEX = r"[A-Za-z0-9*][A-Za-z0-9._:/@+*-]{0,127}"
METADATA_KEY_REGEX = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_LABEL = re.compile(LABEL_REGEX, re.ASCII)
_MODEL = re.compile(MODEL_REGEX, re.ASCII)
_METADATA_KEY = re.compile(METADATA_KEY_REGEX, re.ASCII)


class InvalidTenantRecord(ValueError):
    """A tenant record breaks a rule; ``field`` names the field (``status``, ``allowed_models.2``)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class TenantRecord:
    """One tenant, validated: every field is safe to put in a header, a key or the published context."""

    id: str
    status: str = ACTIVE
    tier: str | None = None
    region: str | None = None
    allowed_models: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    created_at: int | None = None
    updated_at: int | None = None
    emergency: Overlay | None = field(default=None, compare=False)
    """The tenant's emergency controls as read with the record (``kong-ai emergency``); check their deadlines
    with ``emergency.in_force()`` on every request, since the record may come from a cache."""

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> TenantRecord:
        """Validate a record given as a plain map (a config entry); raises :class:`InvalidTenantRecord`."""
        if not isinstance(data, Mapping):
            raise InvalidTenantRecord("", "expected a record")
        try:
            tenant_id = check_tenant_id(data.get("id"))
        except InvalidTenantId as exc:
            raise InvalidTenantRecord("id", str(exc)) from exc
        return cls(
            id=tenant_id,
            status=_status(data.get("status")),
            tier=_label("tier", data.get("tier")),
            region=_label("region", data.get("region")),
            allowed_models=_models(data.get("allowed_models")),
            metadata=_metadata(data.get("metadata")),
        )

    @classmethod
    def from_redis_hash(cls, tenant_id: str, data: Mapping[str, str]) -> TenantRecord:
        """Read a record stored by :meth:`to_redis_hash`; raises :class:`InvalidTenantRecord` when corrupt."""
        return cls(
            id=tenant_id,
            status=_status(data.get("status")),
            tier=_label("tier", data.get("tier") or None),
            region=_label("region", data.get("region") or None),
            allowed_models=_models(_json_field(data, "allowed_models", [])),
            metadata=_metadata(_json_field(data, "metadata", {})),
            created_at=_epoch(data.get("created_at")),
            updated_at=_epoch(data.get("updated_at")),
        )

    def to_redis_hash(self) -> dict[str, str]:
        """The HASH fields stored in Redis (absent tier/region are stored as empty strings)."""
        stored = {
            "status": self.status,
            "tier": self.tier or "",
            "region": self.region or "",
            "allowed_models": json.dumps(list(self.allowed_models), separators=(",", ":")),
            "metadata": json.dumps(dict(self.metadata), separators=(",", ":"), sort_keys=True),
        }
        if self.created_at is not None:
            stored["created_at"] = str(self.created_at)
        if self.updated_at is not None:
            stored["updated_at"] = str(self.updated_at)
        return stored

    def to_display(self) -> dict[str, Any]:
        """A JSON-friendly view (for ``kong-ai tenants show``)."""
        view: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "tier": self.tier,
            "region": self.region,
            "allowed_models": list(self.allowed_models),
            "metadata": dict(self.metadata),
        }
        if self.created_at is not None:
            view["created_at"] = self.created_at
        if self.updated_at is not None:
            view["updated_at"] = self.updated_at
        return view


def _status(value: Any) -> str:
    if value is None:
        return ACTIVE
    if value not in STATUSES:
        raise InvalidTenantRecord("status", f"expected one of: {', '.join(STATUSES)}")
    return str(value)


def _label(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_LABEL_LENGTH or not _LABEL.fullmatch(value):
        raise InvalidTenantRecord(name, f"expected a label matching {LABEL_REGEX}")
    return value


def _models(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise InvalidTenantRecord("allowed_models", "expected an array of model names")
    if len(value) > MAX_MODELS:
        raise InvalidTenantRecord("allowed_models", f"at most {MAX_MODELS} models")
    models: list[str] = []
    for index, model in enumerate(value, start=1):
        if not isinstance(model, str) or len(model) > MAX_MODEL_LENGTH or not _MODEL.fullmatch(model):
            raise InvalidTenantRecord(
                f"allowed_models.{index}", f"expected a model name matching {MODEL_REGEX}"
            )
        if model not in models:
            models.append(model)
    return tuple(models)


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidTenantRecord("metadata", "expected a map of strings")
    if len(value) > MAX_METADATA_ENTRIES:
        raise InvalidTenantRecord("metadata", f"at most {MAX_METADATA_ENTRIES} entries")
    result: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not _METADATA_KEY.fullmatch(key):
            raise InvalidTenantRecord("metadata", f"keys must match {METADATA_KEY_REGEX}")
        if not isinstance(item, str) or len(item) > MAX_METADATA_VALUE_LENGTH:
            raise InvalidTenantRecord(
                f"metadata.{key}", f"expected a string of at most {MAX_METADATA_VALUE_LENGTH}"
            )
        result[key] = item
    return result


def _json_field(data: Mapping[str, str], name: str, default: Any) -> Any:
    raw = data.get(name)
    if raw is None or raw == "":
        return default
    if len(raw) > MAX_STORED_JSON_BYTES:
        raise InvalidTenantRecord(name, "stored value too large")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidTenantRecord(name, "stored value is not JSON") from exc


def _epoch(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidTenantRecord("created_at/updated_at", "expected epoch seconds") from exc


class TenantRegistry(Protocol):
    """What the handler needs from a registry: the record of a tenant, or None when it does not exist."""

    def lookup(self, tenant_id: str) -> TenantRecord | None: ...


class EmbeddedRegistry:
    """Tenants listed in the plugin configuration (``registry: config``)."""

    def __init__(self, records: Iterable[TenantRecord]) -> None:
        self._records: dict[str, TenantRecord] = {}
        for record in records:
            if record.id in self._records:
                raise ValueError(f"tenant {record.id!r} is listed twice")
            self._records[record.id] = record

    def __len__(self) -> int:
        return len(self._records)

    def lookup(self, tenant_id: str) -> TenantRecord | None:
        return self._records.get(tenant_id)


# Create a tenant only if it does not exist yet, atomically (two admins adding the same id cannot both win).
_CREATE = LuaScript(
    """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""
)
# Change fields of an existing tenant only (never resurrect a tenant that was deleted meanwhile).
_UPDATE = LuaScript(
    """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""
)


class RedisTenantStore:
    """Tenant records in Redis: what ``kong-ai tenants`` writes and the plugin reads."""

    def __init__(
        self,
        client: RedisClient,
        namespace: str = DEFAULT_NAMESPACE,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self._clock = clock

    def tenant_key(self, tenant_id: str) -> str:
        return redis_key(self.namespace, "tenant", check_tenant_id(tenant_id))

    @property
    def index_key(self) -> str:
        return redis_key(self.namespace, "tenants")

    def get(self, tenant_id: str) -> TenantRecord | None:
        """The stored record, None when absent. Raises RedisUnavailable, InvalidTenantRecord."""
        key = self.tenant_key(tenant_id)
        with redis_errors("tenant registry read"):
            data = self.client.hgetall(key)
        if not data:
            return None
        return TenantRecord.from_redis_hash(tenant_id, data)

    def get_with_emergency(self, tenant_id: str) -> TenantRecord | None:
        """The record and its emergency overlay, read in **one** round trip (a pipeline of two reads; on a
        Redis Cluster the two keys may sit on two nodes). Raises RedisUnavailable, InvalidTenantRecord."""
        with redis_errors("tenant registry read"):
            pipe = self.client.pipeline(transaction=False)
            pipe.hgetall(self.tenant_key(tenant_id))
            pipe.hgetall(emergency_key(self.namespace, tenant_id))
            data, overlay = pipe.execute()
        if not data:
            return None
        try:
            emergency = parse_overlay(overlay)
        except EmergencyRecordError as exc:
            raise InvalidTenantRecord("emergency", str(exc)) from exc
        return replace(TenantRecord.from_redis_hash(tenant_id, data), emergency=emergency)

    def add(self, record: TenantRecord) -> bool:
        """Store a new tenant; False (nothing written) when the id already exists."""
        now = int(self._clock())
        stored = replace(record, created_at=now, updated_at=now).to_redis_hash()
        with redis_errors("tenant registry write"):
            created = _CREATE(self.client, [self.tenant_key(record.id)], _flatten(stored))
            if created:
                self.client.sadd(self.index_key, record.id)
        return bool(created)

    def update(self, tenant_id: str, **changes: Any) -> TenantRecord | None:
        """Change fields (status, tier, region, allowed_models, metadata) of an existing tenant.

        Returns the new record, None when the tenant does not exist. The values are validated first.
        """
        current = self.get(tenant_id)
        if current is None:
            return None
        merged = {**current.to_display(), **changes, "id": tenant_id}
        record = TenantRecord.from_mapping(merged)
        record = replace(record, created_at=current.created_at, updated_at=int(self._clock()))
        stored = record.to_redis_hash()
        with redis_errors("tenant registry write"):
            updated = _UPDATE(self.client, [self.tenant_key(tenant_id)], _flatten(stored))
        return record if updated else None

    def set_status(self, tenant_id: str, status: str) -> TenantRecord | None:
        """Suspend or activate a tenant; None when it does not exist."""
        return self.update(tenant_id, status=status)

    def list_ids(self, limit: int | None = None) -> list[str]:
        """Tenant ids from the index, sorted; at most ``limit`` of them."""
        ids: set[str] = set()
        with redis_errors("tenant registry list"):
            for member in self.client.sscan_iter(self.index_key, count=LIST_SCAN_BATCH):
                ids.add(member)
        return sorted(ids)[:limit] if limit is not None else sorted(ids)

    def list_records(self, limit: int | None = None) -> list[TenantRecord | str]:
        """Records for the indexed ids (an id whose record is missing or corrupt comes back as a bare id)."""
        ids = self.list_ids(limit)
        results: list[TenantRecord | str] = []
        with redis_errors("tenant registry list"):
            pipe = self.client.pipeline(transaction=False)
            for tenant_id in ids:
                pipe.hgetall(self.tenant_key(tenant_id))
            rows = pipe.execute() if ids else []
        for tenant_id, data in zip(ids, rows, strict=True):
            try:
                results.append(TenantRecord.from_redis_hash(tenant_id, data) if data else tenant_id)
            except InvalidTenantRecord:
                results.append(tenant_id)
        return results


def _flatten(mapping: Mapping[str, str]) -> list[str]:
    flat: list[str] = []
    for key, value in mapping.items():
        flat.extend((key, value))
    return flat


class RedisRegistry:
    """Reads tenants from Redis through a bounded LRU cache with positive and negative TTLs."""

    def __init__(
        self,
        client_provider: Callable[[], RedisClient],
        *,
        namespace: str = DEFAULT_NAMESPACE,
        cache_ttl: float = 5.0,
        negative_cache_ttl: float = 5.0,
        cache_size: int = 10000,
        stale_if_error: float = 60.0,
        emergency: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_provider = client_provider
        self.namespace = namespace
        self.emergency = emergency
        self.cache_ttl = cache_ttl
        self.negative_cache_ttl = negative_cache_ttl
        self.stale_if_error = stale_if_error
        self.cache: TtlLruCache[TenantRecord] = TtlLruCache(cache_size, clock=clock)

    def lookup(self, tenant_id: str) -> TenantRecord | None:
        """The tenant's record (None when unknown). Raises RedisUnavailable (no usable cache entry) and
        InvalidTenantRecord (corrupt record in Redis)."""
        entry = self.cache.get(tenant_id)
        if entry is not None:
            return entry.value
        try:
            with redis_errors("tenant registry connect"):
                client = self._client_provider()
            store = RedisTenantStore(client, self.namespace)
            record = store.get_with_emergency(tenant_id) if self.emergency else store.get(tenant_id)
        except RedisUnavailable:
            stale = self.cache.get_stale(tenant_id, self.stale_if_error)
            if stale is None:
                raise
            log.warning(
                "[ai-tenant-resolver] Redis unavailable, using the cached entry of tenant %s", tenant_id
            )
            return stale.value
        self.cache.put(tenant_id, record, self.cache_ttl if record is not None else self.negative_cache_ttl)
        return record


class EmergencyOverlays:
    """Adds the emergency overlay to the records of a registry that does not live in Redis (``registry:
    config`` with ``emergency: true``): one Redis read per tenant per ``cache_ttl``, through a bounded cache
    like the Redis registry's (stale entries served for ``stale_if_error`` when Redis is down, else 503)."""

    def __init__(
        self,
        inner: TenantRegistry,
        client_provider: Callable[[], RedisClient],
        *,
        namespace: str = DEFAULT_NAMESPACE,
        cache_ttl: float = 5.0,
        cache_size: int = 10000,
        stale_if_error: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self._client_provider = client_provider
        self.namespace = namespace
        self.cache_ttl = cache_ttl
        self.stale_if_error = stale_if_error
        self.cache: TtlLruCache[Overlay] = TtlLruCache(cache_size, clock=clock)

    def lookup(self, tenant_id: str) -> TenantRecord | None:
        record = self.inner.lookup(tenant_id)
        if record is None:
            return None  # unknown tenants are refused anyway: no Redis read for invented ids
        return replace(record, emergency=self._overlay(tenant_id))

    def _overlay(self, tenant_id: str) -> Overlay | None:
        entry = self.cache.get(tenant_id)
        if entry is not None:
            return entry.value
        try:
            with redis_errors("emergency overlay read"):
                data = self._client_provider().hgetall(emergency_key(self.namespace, tenant_id))
        except RedisUnavailable:
            stale = self.cache.get_stale(tenant_id, self.stale_if_error)
            if stale is None:
                raise
            log.warning(
                "[ai-tenant-resolver] Redis unavailable, using the cached emergency controls of tenant %s",
                tenant_id,
            )
            return stale.value
        try:
            overlay = parse_overlay(data)
        except EmergencyRecordError as exc:
            raise InvalidTenantRecord("emergency", str(exc)) from exc
        self.cache.put(tenant_id, overlay, self.cache_ttl)
        return overlay
