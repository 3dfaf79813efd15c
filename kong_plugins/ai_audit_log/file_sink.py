"""The ``file`` sink: JSON lines (one record per line, :func:`.record.canonical_json`), rotated by size.

Rotation renames ``path`` to ``path.1`` (``.1`` to ``.2``..., the oldest beyond ``backups`` removed) before a
batch that would take the file past ``max_bytes``. One batch is written and ``fsync``-ed at once, so a
crash leaves whole lines. Several processes may share a file: each batch is one ``O_APPEND`` write under an
exclusive ``flock``, and rotation happens under the same lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Mapping, Sequence
from typing import Any

from kong_plugins.ai_audit_log.record import canonical_json

__all__ = ["FileSink"]


class FileSink:
    name = "file"

    def __init__(self, path: str, max_bytes: int, backups: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups

    def write(self, records: Sequence[Mapping[str, Any]]) -> int:
        data = "".join(canonical_json(record) + "\n" for record in records).encode()
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        lock_fd = os.open(self.path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            try:
                size = os.stat(self.path).st_size
            except FileNotFoundError:
                size = 0
            if size and size + len(data) > self.max_bytes:
                self._rotate()
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        finally:
            os.close(lock_fd)
        return len(records)

    def _rotate(self) -> None:
        oldest = f"{self.path}.{self.backups}"
        if os.path.exists(oldest):
            os.remove(oldest)
        for index in range(self.backups - 1, 0, -1):
            source = f"{self.path}.{index}"
            if os.path.exists(source):
                os.replace(source, f"{self.path}.{index + 1}")
        os.replace(self.path, f"{self.path}.1")
