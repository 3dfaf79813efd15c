"""API keys for the ``api_key`` source: issued, rotated, revoked by ``kong-ai keys``, stored only as hashes.

A key is ``kag_`` followed by 43 URL-safe base64 characters (32 random bytes). It is shown once, when issued;
Redis keeps only its SHA-256. An unsalted fast hash is enough here because the key carries 256 bits of
entropy: nobody can guess a key from its hash, and the plugin can find a key's record with one lookup. A
stolen Redis dump therefore holds no usable key.

Redis layout (keys built with :func:`kong_plugins.core.keys.redis_key`)::

    <namespace>:apikey:<sha256 hex>     HASH  tenant, key_id, prefix, created_at[, expires_at]
                                              (a TTL is set once the key is rotated out)
    <namespace>:apikeys:<tenant id>     HASH  key_id -> sha256 hex (the tenant's keys, for list/rotate/revoke)

* ``issue`` creates a key record and indexes it.
* ``rotate`` issues a new key and gives the old key(s) a TTL of ``overlap`` seconds (24 h by default), so
  clients can switch over; after that Redis deletes the record and the old key stops working.
* ``revoke`` deletes a key record at once; ``revoke_all`` every key of a tenant (``kong-ai emergency
  revoke-keys``).

Lookups are not cached by the plugin: a revocation takes effect on the next request. Index entries whose
record has expired are removed the next time the tenant's keys are listed. This module never touches ``kong``.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from kong_plugins.ai_tenant_resolver.registry import DEFAULT_NAMESPACE
from kong_plugins.ai_tenant_resolver.tenant_id import check_tenant_id, is_tenant_id
from kong_plugins.core.keys import redis_key
from kong_plugins.core.redis import RedisClient, redis_errors

__all__ = [
    "DEFAULT_OVERLAP_SECONDS",
    "KEY_PREFIX",
    "ApiKeyError",
    "ApiKeyInfo",
    "ApiKeyMatch",
    "ApiKeyStore",
    "IssuedKey",
    "generate_key",
    "hash_key",
    "is_well_formed_key",
]

KEY_PREFIX = "kag_"
_RANDOM_BYTES = 32
_KEY_BODY_LENGTH = 43  # base64url of 32 bytes, without padding
_KEY = re.compile(rf"{KEY_PREFIX}[A-Za-z0-9_-]{{{_KEY_BODY_LENGTH}}}", re.ASCII)
KEY_LENGTH = len(KEY_PREFIX) + _KEY_BODY_LENGTH
DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 4
"""How much of a key ``list`` shows: enough to tell keys apart, far too little to guess the rest."""
DEFAULT_OVERLAP_SECONDS = 24 * 3600
MAX_OVERLAP_SECONDS = 365 * 24 * 3600
_KEY_ID = re.compile(r"[0-9a-f]{12}", re.ASCII)


class ApiKeyError(ValueError):
    """An API key operation cannot be done (unknown key id, ambiguous rotation, bad overlap)."""


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key. ``key`` is the only copy of the secret: show it once, never store it."""

    key: str
    key_id: str
    tenant_id: str
    prefix: str
    created_at: int


@dataclass(frozen=True)
class ApiKeyInfo:
    """What ``keys list`` shows about a key: never the key itself."""

    key_id: str
    tenant_id: str
    prefix: str
    created_at: int | None
    expires_at: int | None  # set once the key has been rotated out


@dataclass(frozen=True)
class ApiKeyMatch:
    """The record a presented key maps to."""

    tenant_id: str
    key_id: str


def generate_key() -> str:
    """A new random key, ``kag_`` + 43 URL-safe characters."""
    body = base64.urlsafe_b64encode(secrets.token_bytes(_RANDOM_BYTES)).rstrip(b"=").decode("ascii")
    return KEY_PREFIX + body


def is_well_formed_key(value: object) -> bool:
    """True when ``value`` has the shape of a key we issue (checked before any Redis lookup)."""
    return isinstance(value, str) and len(value) == KEY_LENGTH and _KEY.fullmatch(value) is not None


def hash_key(key: str) -> str:
    """The hex SHA-256 under which a key is stored."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


class ApiKeyStore:
    """API key records in Redis, for the CLI (issue/rotate/revoke/list) and the plugin (lookup)."""

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

    def record_key(self, digest: str) -> str:
        return redis_key(self.namespace, "apikey", digest)

    def index_key(self, tenant_id: str) -> str:
        return redis_key(self.namespace, "apikeys", check_tenant_id(tenant_id))

    # -- the plugin's side ----------------------------------------------------------------------------------

    def lookup(self, key: str) -> ApiKeyMatch | None:
        """The tenant a presented key belongs to; None when the key is malformed, unknown, revoked or expired.

        One Redis round trip (none for a malformed key). Raises RedisUnavailable.
        """
        if not is_well_formed_key(key):
            return None
        with redis_errors("api key lookup"):
            data = self.client.hgetall(self.record_key(hash_key(key)))
        if not data:
            return None
        expires_at = _int_or_none(data.get("expires_at"))
        if expires_at is not None and expires_at <= self._clock():
            return None  # Redis deletes it at the TTL; this covers a lagging replica
        tenant_id = data.get("tenant")
        if not is_tenant_id(tenant_id):
            return None
        return ApiKeyMatch(tenant_id=str(tenant_id), key_id=str(data.get("key_id", "")))

    # -- the CLI's side -------------------------------------------------------------------------------------

    def issue(self, tenant_id: str) -> IssuedKey:
        """Create and store a new key for ``tenant_id``; the returned key is never stored in clear."""
        check_tenant_id(tenant_id)
        key = generate_key()
        key_id = secrets.token_hex(6)
        now = int(self._clock())
        issued = IssuedKey(key, key_id, tenant_id, key[:DISPLAY_PREFIX_LENGTH], now)
        digest = hash_key(key)
        with redis_errors("api key issue"):
            # Index first: a failure in between leaves an index entry without a record (cleaned by list),
            # never a working key that list/revoke cannot see.
            self.client.hset(self.index_key(tenant_id), key_id, digest)
            self.client.hset(
                self.record_key(digest),
                mapping={
                    "tenant": tenant_id,
                    "key_id": key_id,
                    "prefix": issued.prefix,
                    "created_at": str(now),
                },
            )
        return issued

    def list(self, tenant_id: str) -> list[ApiKeyInfo]:
        """The tenant's keys that still work (active or within their overlap window), oldest first."""
        index = self.index_key(tenant_id)
        with redis_errors("api key list"):
            entries = self.client.hgetall(index)
            pipe = self.client.pipeline(transaction=False)
            ids = sorted(entries)
            for key_id in ids:
                pipe.hgetall(self.record_key(entries[key_id]))
            records = pipe.execute() if ids else []
            gone = [key_id for key_id, record in zip(ids, records, strict=True) if not record]
            if gone:
                self.client.hdel(index, *gone)
        now = self._clock()
        infos = []
        for key_id, record in zip(ids, records, strict=True):
            expires_at = _int_or_none(record.get("expires_at")) if record else None
            if not record or (expires_at is not None and expires_at <= now):
                continue
            infos.append(
                ApiKeyInfo(
                    key_id=key_id,
                    tenant_id=tenant_id,
                    prefix=record.get("prefix", ""),
                    created_at=_int_or_none(record.get("created_at")),
                    expires_at=expires_at,
                )
            )
        return sorted(infos, key=lambda info: (info.created_at or 0, info.key_id))

    def rotate(
        self, tenant_id: str, *, key_id: str | None = None, overlap_seconds: int = DEFAULT_OVERLAP_SECONDS
    ) -> tuple[IssuedKey, list[ApiKeyInfo]]:
        """Issue a new key and let the old one work ``overlap_seconds`` more (0: stops at once).

        Without ``key_id`` the tenant must have exactly one active key (not already rotated out). Returns the
        new key and the rotated-out keys with their new ``expires_at``.
        """
        if isinstance(overlap_seconds, bool) or not isinstance(overlap_seconds, int):
            raise ApiKeyError("the overlap is a whole number of seconds")
        if not 0 <= overlap_seconds <= MAX_OVERLAP_SECONDS:
            raise ApiKeyError(f"the overlap must be between 0 and {MAX_OVERLAP_SECONDS} seconds")
        active = [info for info in self.list(tenant_id) if info.expires_at is None]
        if key_id is not None:
            old = [info for info in active if info.key_id == key_id]
            if not old:
                raise ApiKeyError(f"tenant {tenant_id} has no active key with id {key_id}")
        elif len(active) == 1:
            old = active
        elif not active:
            raise ApiKeyError(f"tenant {tenant_id} has no active key to rotate; issue one instead")
        else:
            raise ApiKeyError(f"tenant {tenant_id} has {len(active)} active keys; choose one with --key-id")
        issued = self.issue(tenant_id)
        # Rounded up: truncating the clock would end the window up to a second early (half of a 2 s overlap).
        expires_at = math.ceil(self._clock() + overlap_seconds)
        index = self.index_key(tenant_id)
        with redis_errors("api key rotate"):
            digests = self.client.hmget(index, [info.key_id for info in old])
            for info, digest in zip(old, digests, strict=True):
                if digest is None:
                    continue
                if overlap_seconds == 0:
                    self.client.delete(self.record_key(digest))
                    self.client.hdel(index, info.key_id)
                else:
                    # HSET keeps an existing TTL, EXPIRE then sets it: both orders end with the TTL set.
                    self.client.hset(self.record_key(digest), "expires_at", str(expires_at))
                    self.client.expire(self.record_key(digest), overlap_seconds)
        rotated = [
            ApiKeyInfo(
                info.key_id, tenant_id, info.prefix, info.created_at, expires_at if overlap_seconds else None
            )
            for info in old
        ]
        return issued, rotated

    def revoke(self, tenant_id: str, key_id: str) -> bool:
        """Delete a key at once; False when the tenant has no such key."""
        if not _KEY_ID.fullmatch(key_id or ""):
            return False
        index = self.index_key(tenant_id)
        with redis_errors("api key revoke"):
            digest = self.client.hget(index, key_id)
            if digest is None:
                return False
            deleted = self.client.delete(self.record_key(digest))
            self.client.hdel(index, key_id)
        return bool(deleted)

    def revoke_all(self, tenant_id: str) -> list[str]:
        """Delete every key of the tenant at once (``kong-ai emergency revoke-keys``); the ids revoked.

        Records are deleted before their index entries, so a failure half-way leaves keys that ``list`` and a
        second ``revoke_all`` still see, never a working key nobody can find."""
        index = self.index_key(tenant_id)
        with redis_errors("api key revoke"):
            entries = self.client.hgetall(index)
            if not entries:
                return []
            ids = sorted(entries)
            pipe = self.client.pipeline(transaction=False)
            for key_id in ids:
                pipe.delete(self.record_key(entries[key_id]))
            deleted = pipe.execute()
            self.client.hdel(index, *ids)
        return [key_id for key_id, count in zip(ids, deleted, strict=True) if count]

    def find(self, key: str) -> ApiKeyInfo | None:
        """The record of a key given in full (e.g. to revoke a leaked key without knowing its id)."""
        if not is_well_formed_key(key):
            return None
        with redis_errors("api key lookup"):
            data = self.client.hgetall(self.record_key(hash_key(key)))
        if not data or not is_tenant_id(data.get("tenant")):
            return None
        return ApiKeyInfo(
            key_id=data.get("key_id", ""),
            tenant_id=data["tenant"],
            prefix=data.get("prefix", ""),
            created_at=_int_or_none(data.get("created_at")),
            expires_at=_int_or_none(data.get("expires_at")),
        )


def _int_or_none(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
