"""The per-tenant hash chain: each record carries ``seq``, ``prev_hash`` and ``hash``.

``hash`` = SHA-256 of the record's canonical JSON (:func:`.record.canonical_json`) without ``hash`` (so
``seq`` and ``prev_hash`` are covered). The first record of a tenant has ``seq`` 1 and ``prev_hash`` 64 zeros.
Changing a record breaks its own hash; removing one breaks the next record's ``prev_hash`` and ``seq``;
removing the newest ones is seen against the tenant's head (the last ``hash``/``seq`` kept beside the stream).
Pure: the Redis side is :mod:`.redis_sink`, the command line :mod:`kong_plugins.cli.audit`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_audit_log.record import GENESIS_HASH, canonical_json

__all__ = ["GENESIS_HASH", "Broken", "Head", "chain", "record_hash", "verify"]


@dataclass(frozen=True)
class Head:
    """The newest link of a tenant's chain."""

    hash: str = GENESIS_HASH
    seq: int = 0


def record_hash(record: Mapping[str, Any]) -> str:
    body = canonical_json({k: v for k, v in record.items() if k != "hash"})
    return hashlib.sha256(body.encode()).hexdigest()


def chain(records: Iterable[Mapping[str, Any]], head: Head) -> tuple[list[dict[str, Any]], Head]:
    """Link ``records`` after ``head``; returns the linked copies and the new head."""
    linked = []
    for record in records:
        item = {k: v for k, v in record.items() if k not in ("seq", "prev_hash", "hash")}
        item["seq"] = head.seq + 1
        item["prev_hash"] = head.hash
        item["hash"] = record_hash(item)
        head = Head(item["hash"], item["seq"])
        linked.append(item)
    return linked, head


@dataclass(frozen=True)
class Broken:
    """The first broken link: where (``entry``: the stream entry id, ``seq``) and why."""

    entry: str | None
    seq: Any
    reason: str


@dataclass
class VerifyResult:
    checked: int
    first_seq: int | None
    broken: Broken | None
    trimmed: bool  # the chain starts after seq 1 because the stream was trimmed (MAXLEN ~)


def verify(
    entries: Iterable[tuple[str, Mapping[str, Any] | None]],
    head: Head | None,
    *,
    length: int = 0,
    maxlen: int | None = None,
    may_be_trimmed: bool | None = None,
) -> VerifyResult:
    """Check ``entries`` (entry id, decoded record or None if unreadable), oldest first, against the tenant's
    ``head``. Whether the oldest records may have been dropped on purpose (a stream trimmed by ``MAXLEN ~``:
    ``length``/``maxlen``; rotated files deleted: ``may_be_trimmed``) tells a trimmed start from a deleted
    one."""
    if may_be_trimmed is None:
        may_be_trimmed = maxlen is not None and length >= maxlen
    previous: Head | None = None
    checked = 0
    first_seq: int | None = None
    trimmed = False

    def broken(entry: str | None, seq: Any, reason: str) -> VerifyResult:
        return VerifyResult(checked, first_seq, Broken(entry, seq, reason), trimmed)

    for entry_id, record in entries:
        if record is None:
            return broken(entry_id, None, "not a JSON record")
        seq = record.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            return broken(entry_id, seq, "no valid seq")
        if record.get("hash") != record_hash(record):
            return broken(entry_id, seq, "record altered: hash mismatch")
        if previous is None:
            first_seq = seq
            if seq == 1:
                if record.get("prev_hash") != GENESIS_HASH:
                    return broken(entry_id, seq, "first record does not start the chain")
            elif not may_be_trimmed:
                return broken(entry_id, seq, f"records before seq {seq} are missing (not trimmed: too short)")
            else:
                trimmed = True
        else:
            if seq != previous.seq + 1:
                return broken(entry_id, seq, f"seq {seq} follows seq {previous.seq}: deleted or reordered")
            if record.get("prev_hash") != previous.hash:
                return broken(entry_id, seq, "prev_hash does not match the previous record's hash")
        previous = Head(record["hash"], seq)
        checked += 1
    if head is not None and (previous or Head()) != head:
        last = previous.seq if previous else 0
        return broken(None, head.seq, f"chain ends at seq {last}, head at seq {head.seq}: newest removed")
    return VerifyResult(checked, first_seq, None, trimmed)
