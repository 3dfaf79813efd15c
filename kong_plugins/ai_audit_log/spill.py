"""Spill files: the records a sink could not take yet, on local disk, replayed in order when it is back.

One file per (sink, process): ``<spill_dir>/<sink id>.<pid>.jsonl`` plus ``.offset`` (how far replay got,
replaced atomically after each replayed batch). The owning process holds an exclusive ``flock`` on it for
its lifetime; a file whose lock can be taken belongs to a process that died, and the next writer of the same
sink adopts its pending records (before its own, so order is kept). Appends are ``fsync``-ed: a record in a
spill file survives a crash of the plugin server.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from kong_plugins.ai_audit_log.record import canonical_json

__all__ = ["SpillFile"]

log = logging.getLogger("kong_plugins")


class SpillFile:
    def __init__(self, directory: str, sink_id: str) -> None:
        self.directory = directory
        self.sink_id = sink_id
        self.path = os.path.join(directory, f"{sink_id}.{os.getpid()}.jsonl")
        self._lock = threading.Lock()
        self._fd = -1
        self._offset = 0
        self._size = 0

    def _open(self) -> int:
        """Open (and lock) the file the first time it is needed: a gateway whose sinks never fail never
        touches the spill directory. Raises OSError when the directory cannot be used."""
        if self._fd < 0:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_APPEND, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._offset = _read_offset(self.path)
            self._size = os.fstat(fd).st_size
            self._fd = fd
        return self._fd

    def _follow_removal(self) -> None:
        """With the lock held: when the spill file (or its directory) was removed or replaced under us, carry
        the records not yet replayed - still readable through our descriptor - into a new file at the
        same path. Without this the writer read by a path that no longer existed, failed every flush
        interval for the life of the process (one error line each time) and lost those records."""
        if self._fd < 0:
            return
        own = os.fstat(self._fd)
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            current = None
        if current is not None and (current.st_dev, current.st_ino) == (own.st_dev, own.st_ino):
            return
        unreplayed = os.pread(self._fd, max(0, self._size - self._offset), self._offset)
        os.close(self._fd)
        self._fd, self._offset, self._size = -1, 0, 0
        log.warning(
            "[ai-audit-log] spill file %s was removed; %d bytes of records moved to a new one",
            self.path,
            len(unreplayed),
        )
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path + ".offset")  # it counted into the removed file
        if unreplayed:
            self._open()
            _write_all(self._fd, unreplayed)
            os.fsync(self._fd)
            self._size += len(unreplayed)

    # -------------------------------------------------------------------------------------- own file

    def append(self, records: Sequence[Mapping[str, Any]]) -> None:
        data = "".join(canonical_json(record) + "\n" for record in records).encode()
        with self._lock:
            self._follow_removal()
            self._open()
            _write_all(self._fd, data)
            os.fsync(self._fd)
            self._size += len(data)

    def pending_bytes(self) -> int:
        """Bytes appended and not yet committed (what a replay still has to write)."""
        return max(0, self._size - self._offset)

    def pending(self) -> bool:
        with self._lock:
            self._follow_removal()
            return self._offset < self._size

    def read_batch(self, limit: int) -> tuple[list[dict[str, Any]], list[int]]:
        """Up to ``limit`` pending records and the file offset after each (for :meth:`commit`)."""
        records: list[dict[str, Any]] = []
        ends: list[int] = []
        if self._fd < 0:
            return records, ends  # never opened: nothing was spilled by this process
        with self._lock:
            self._follow_removal()
            if self._fd < 0:
                return records, ends  # removed with nothing left to replay
        with self._lock, open(self.path, "rb") as handle:
            handle.seek(self._offset)
            position = self._offset
            while len(records) < limit and position < self._size:
                line = handle.readline()
                if not line.endswith(b"\n"):
                    break  # an unfinished line: only a crashed writer leaves one
                position += len(line)
                try:
                    record = json.loads(line)
                except ValueError:
                    log.error("[ai-audit-log] unreadable line in spill file %s skipped", self.path)
                    continue
                if isinstance(record, dict):
                    records.append(record)
                    ends.append(position)
            if not records and position > self._offset:
                self._offset = position  # only unreadable lines: step over them
                _write_offset(self.path, position)
        return records, ends

    def commit(self, end: int) -> None:
        """Everything before ``end`` reached the sink: remember it, and empty the file once all has."""
        with self._lock:
            self._offset = end
            if end >= self._size:
                os.ftruncate(self._fd, 0)
                self._size = 0
                self._offset = 0
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.path + ".offset")
            else:
                _write_offset(self.path, end)

    # ---------------------------------------------------------------------------------------- orphans

    def adopt_orphans(self, sink_id: str | None = None, skip: str | None = None) -> int:
        """Move the pending records of dead processes' spill files (of ``sink_id``, default this file's) into
        this one; returns how many. Called by the writer thread before it writes anything."""
        adopted = 0
        if not os.path.isdir(self.directory):
            return 0
        pattern = os.path.join(self.directory, f"{sink_id or self.sink_id}.*.jsonl")
        for path in sorted(glob.glob(pattern)):
            if path in (self.path, skip):
                continue
            fd = os.open(path, os.O_RDWR)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its process is alive and owns it
                offset = _read_offset(path)
                with open(path, "rb") as handle:
                    handle.seek(offset)
                    lines = [line for line in handle.read().split(b"\n") if line.strip()]
                records = []
                for line in lines:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue  # the unfinished last line of a crashed writer
                    if isinstance(record, dict):
                        records.append(record)
                if records:
                    self.append(records)
                adopted += len(records)
                os.remove(path)
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path + ".offset")
            finally:
                os.close(fd)
        return adopted


def _read_offset(path: str) -> int:
    try:
        with open(path + ".offset") as handle:
            return max(0, int(handle.read().strip() or 0))
    except (FileNotFoundError, ValueError):
        return 0


def _write_offset(path: str, offset: int) -> None:
    temporary = f"{path}.offset.tmp"
    with open(temporary, "w") as handle:
        handle.write(str(offset))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path + ".offset")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
