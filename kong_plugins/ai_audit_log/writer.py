"""Off-request-path writing: a bounded in-memory queue per sink and process, drained by a background thread.

The log handler only calls :meth:`Writer.submit` (a ``put_nowait``; when the queue is full the record goes
to an overflow file that the writer moves behind the queued records), so it never waits for a sink. The
writer thread takes what is queued (up to ``batch_size`` records per sink call, waiting at most
``flush_interval`` for the first one) and writes it. When a sink call fails, the records not written go to
the spill file and the sink counts as down for ``flush_interval``; while the spill file has records, new
records are appended behind them and the writer replays the file, oldest first, one batch at a time (the
replayed position is persisted), so records reach the sink exactly in the order they were submitted.

What a crash of the plugin server can lose: the records still in memory, i.e. those submitted since the
writer last took the queue (at most ``flush_interval``, when the sink keeps up) plus the batch being written
(if the sink had not applied it). Spilled records are on disk (``fsync``) and adopted by the next process.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from kong_plugins.ai_audit_log.spill import SpillFile
from kong_plugins.core import metrics

__all__ = ["Sink", "Writer", "writer_for"]

log = logging.getLogger("kong_plugins")
EXIT_FLUSH_S = 2.0


class Sink(Protocol):
    name: str

    def write(self, records: list[Mapping[str, Any]]) -> int: ...


class Writer:
    """One sink's queue, spill file and writer thread (one per sink identity and process)."""

    def __init__(
        self,
        sink: Sink,
        *,
        sink_id: str,
        spill_dir: str,
        queue_size: int,
        batch_size: int,
        flush_interval_s: float,
    ) -> None:
        self.sink = sink
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.queue: queue.Queue[Mapping[str, Any]] = queue.Queue(maxsize=queue_size)
        self.spill = SpillFile(spill_dir, sink_id)
        # Records submitted while the queue is full, kept apart so that they stay behind everything queued
        # before them (the writer moves them into the spill file once it has taken the queue).
        self.overflow = SpillFile(spill_dir, f"{sink_id}-overflow")
        self._overflow_lock = threading.Lock()
        self._overflowing = False
        self.down_until = 0.0
        self.written = 0
        self.spilled = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"ai-audit-log-{sink.name}", daemon=True)
        self._thread.start()

    def submit(self, record: Mapping[str, Any]) -> None:
        """Hand ``record`` over without waiting: the queue, or (queue full) the overflow file, which the
        writer moves behind the queued records. Never blocks on a sink; appending to disk only on overflow."""
        if self._overflowing and self._to_overflow(record, start=False):
            return
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self._to_overflow(record, start=True)

    def _to_overflow(self, record: Mapping[str, Any], *, start: bool) -> bool:
        with self._overflow_lock:
            if not (start or self._overflowing):
                return False  # the writer settled the overflow meanwhile: the queue has room again
            self._overflowing = True
            self.overflow.append([record])
            self.spilled += 1
            return True

    # ------------------------------------------------------------------------------------ the thread

    def _run(self) -> None:
        try:
            adopted = self.spill.adopt_orphans()
            adopted += self.spill.adopt_orphans(self.overflow.sink_id, skip=self.overflow.path)
            if adopted:
                log.warning("[ai-audit-log] %s: %d records of a dead process", self.sink.name, adopted)
        except Exception as exc:  # never let the thread die: records would pile up in memory
            log.error("[ai-audit-log] adopting spill files failed: %s", exc)
        while not self._stop.is_set():
            try:
                spilled = self.spilled
                self._step(self._take(self.flush_interval_s))
                if self._overflowing:
                    self._settle_overflow()
                metrics.set_audit_sink(
                    self.sink.name, self.queue.qsize(), self.spill.pending_bytes(), self.spilled - spilled
                )
            except Exception as exc:
                log.error("[ai-audit-log] %s writer: %s", self.sink.name, exc)
                time.sleep(self.flush_interval_s)  # a broken spill directory: do not spin

    def _settle_overflow(self) -> None:
        """Everything still queued is older than the overflow: handle it, then move the overflow into the
        spill file (behind it), and let submits use the queue again."""
        while batch := self._take(0):
            self._step(batch)
        with self._overflow_lock:
            self._move_overflow()
            self._overflowing = False

    def _move_overflow(self) -> None:
        while True:
            records, ends = self.overflow.read_batch(1000)
            if not records:
                return
            self.spill.append(records)
            self.overflow.commit(ends[-1])

    def _take(self, wait_s: float) -> list[Mapping[str, Any]]:
        batch: list[Mapping[str, Any]] = []
        try:
            batch.append(self.queue.get(timeout=wait_s))
        except queue.Empty:
            return batch
        while len(batch) < self.batch_size:
            try:
                batch.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _step(self, batch: list[Mapping[str, Any]]) -> None:
        if self.spill.pending() or time.monotonic() < self.down_until:
            if batch:
                self.spill.append(batch)
                self.spilled += len(batch)
            if time.monotonic() >= self.down_until:
                self._replay()
            return
        if batch:
            self._write(batch)

    def _write(self, batch: list[Mapping[str, Any]]) -> None:
        written = 0
        try:
            written = self.sink.write(batch)
        except Exception as exc:
            self._down(exc)
        else:
            self.written += written
        if written < len(batch):
            self.spill.append(batch[written:])
            self.spilled += len(batch) - written
            if not self.down_until:
                self._down(None)

    def _replay(self) -> None:
        while self.spill.pending() and not self._stop.is_set():
            records, ends = self.spill.read_batch(self.batch_size)
            if not records:
                return
            written = 0
            try:
                written = self.sink.write(records)
            except Exception as exc:
                self._down(exc)
                return
            finally:
                if written:
                    self.spill.commit(ends[written - 1])
                    self.written += written
            if written < len(records):
                self._down(None)
                return
        self.down_until = 0.0

    def _down(self, exc: BaseException | None) -> None:
        self.failures += 1
        if not self.down_until:
            log.error("[ai-audit-log] %s sink down, spilling to %s: %s", self.sink.name, self.spill.path, exc)
        self.down_until = time.monotonic() + self.flush_interval_s

    # --------------------------------------------------------------------------------- process exit

    def close(self, deadline_s: float = EXIT_FLUSH_S) -> None:
        """At exit: stop the thread, then try the sink once more and spill whatever is left."""
        self._stop.set()
        self._thread.join(timeout=deadline_s)
        rest: list[Mapping[str, Any]] = []
        while True:
            try:
                rest.append(self.queue.get_nowait())
            except queue.Empty:
                break
        if rest:
            self.spill.append(rest)
        with self._overflow_lock:
            self._move_overflow()


_writers: dict[tuple[Any, ...], Writer] = {}
_writers_lock = threading.Lock()


def writer_for(identity: tuple[Any, ...], make_sink: Callable[[], Sink], **options: Any) -> Writer:
    """The process's writer for the sink named by ``identity`` (shared by every plugin instance using it)."""
    key = (os.getpid(), *identity)
    with _writers_lock:
        writer = _writers.get(key)
        if writer is None:
            sink_id = hashlib.sha256(repr(identity).encode()).hexdigest()[:16]
            writer = Writer(make_sink(), sink_id=sink_id, **options)
            _writers[key] = writer
        return writer


@atexit.register
def _close_all() -> None:
    for writer in list(_writers.values()):
        with contextlib.suppress(Exception):  # at exit: best effort, never raise
            writer.close()
