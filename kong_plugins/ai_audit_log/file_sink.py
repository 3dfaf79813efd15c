"""The ``file`` sink: JSON lines (one record per line, :func:`.record.canonical_json`), hash-chained per
tenant, rotated by size.

Rotation renames ``path`` to ``path.1`` (``.1`` to ``.2``..., the oldest beyond ``backups`` removed) before a
batch that would take the file past ``max_bytes``. One batch is written and ``fsync``-ed at once, so a crash
leaves whole lines (an unfinished last line is skipped by readers). Several processes may share a file: each
batch is written under an exclusive ``flock`` of ``path.lock``, which also covers rotation and the chain.

The chain is the file's own (independent of the redis sink's): each record gets ``seq``, ``prev_hash`` and
``hash`` after the tenant's previous record in this file set. The heads live in ``path.heads`` (JSON,
replaced atomically after each batch) together with the size and inode of ``path`` they describe, so a
writer that finds more lines than the heads know (a crash between the two writes) reads them to catch up;
``dropped`` records that rotation has deleted files (then a chain may start after seq 1).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kong_plugins.ai_audit_log.chain import Head, chain
from kong_plugins.ai_audit_log.record import canonical_json

__all__ = ["FileSink", "file_set", "read_file_heads", "read_file_records"]


class FileSink:
    name = "file"

    def __init__(self, path: str, max_bytes: int, backups: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups

    def write(self, records: Sequence[Mapping[str, Any]]) -> int:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        lock_fd = os.open(self.path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            state = self._heads()
            heads = {tenant: Head(*value) for tenant, value in state["tenants"].items()}
            linked = []
            for record in records:
                tenant = record.get("tenant") or ""
                (item,), heads[tenant] = chain([record], heads.get(tenant, Head()))
                linked.append(item)
            data = "".join(canonical_json(record) + "\n" for record in linked).encode()
            size = _size(self.path)
            if size and size + len(data) > self.max_bytes:
                state["dropped"] = self._rotate() or state.get("dropped", False)
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
            try:
                _write_all(fd, data)
                os.fsync(fd)
                stat = os.fstat(fd)
            finally:
                os.close(fd)
            state.update(
                size=stat.st_size,
                ino=stat.st_ino,
                tenants={tenant: [head.hash, head.seq] for tenant, head in heads.items()},
            )
            _replace_json(self.path + ".heads", state)
        finally:
            os.close(lock_fd)
        return len(records)

    def _heads(self) -> dict[str, Any]:
        """The heads, caught up with lines a crashed writer appended after its last heads write."""
        state = read_file_heads(self.path)
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return state
        if state.get("ino") == stat.st_ino and state.get("size", 0) == stat.st_size:
            return state
        # Lines the heads do not know: after the known size of this file, or a whole new file.
        start = state.get("size", 0) if state.get("ino") == stat.st_ino else 0
        for record in _records_of(self.path, start):
            if isinstance(record.get("seq"), int) and isinstance(record.get("hash"), str):
                state["tenants"][record.get("tenant") or ""] = [record["hash"], record["seq"]]
        return state

    def _rotate(self) -> bool:
        """Shift the files; True when the oldest one was deleted."""
        oldest = f"{self.path}.{self.backups}"
        dropped = os.path.exists(oldest)
        if dropped:
            os.remove(oldest)
        for index in range(self.backups - 1, 0, -1):
            source = f"{self.path}.{index}"
            if os.path.exists(source):
                os.replace(source, f"{self.path}.{index + 1}")
        os.replace(self.path, f"{self.path}.1")
        return dropped


# ---------------------------------------------------------------------------------------------- readers


def read_file_heads(path: str) -> dict[str, Any]:
    try:
        with open(path + ".heads") as handle:
            state = json.load(handle)
    except (FileNotFoundError, ValueError):
        state = {}
    if not isinstance(state, dict) or not isinstance(state.get("tenants"), dict):
        state = {}
    state.setdefault("tenants", {})
    return state


def file_set(path: str) -> list[str]:
    """The files of one sink, oldest first: ``path.N`` ... ``path.1``, ``path``."""
    rotated = []
    index = 1
    while os.path.exists(f"{path}.{index}"):
        rotated.append(f"{path}.{index}")
        index += 1
    return [*reversed(rotated), *([path] if os.path.exists(path) else [])]


def read_file_records(path: str) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(``file:line``, record or None when unreadable) of the whole set, oldest first."""
    for name in file_set(path):
        with open(name, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.endswith(b"\n"):
                    break  # an unfinished last line of a crashed writer
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                yield f"{name}:{number}", record if isinstance(record, dict) or record is None else None


def _records_of(path: str, start: int) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as handle:
        handle.seek(start)
        for line in handle:
            if not line.endswith(b"\n"):
                return
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    yield record


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def _replace_json(path: str, value: Any) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "w") as handle:
        json.dump(value, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
