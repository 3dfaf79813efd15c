"""The writer's queue, batches and spill file, with a sink that fails on command (pure logic, no Kong):
nothing is lost, nothing is written twice, the order is kept, and a dead process's spill file is adopted."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kong_plugins.ai_audit_log.chain import Head, verify
from kong_plugins.ai_audit_log.file_sink import FileSink, read_file_heads, read_file_records
from kong_plugins.ai_audit_log.spill import SpillFile
from kong_plugins.ai_audit_log.writer import Writer


class FlakySink:
    name = "flaky"

    def __init__(self) -> None:
        self.up = threading.Event()
        self.up.set()
        self.records: list[Mapping[str, Any]] = []
        self.calls = 0
        self.changed = threading.Condition()

    def write(self, records: list[Mapping[str, Any]]) -> int:
        self.calls += 1
        if not self.up.is_set():
            raise ConnectionError("sink down")
        with self.changed:
            self.records.extend(records)
            self.changed.notify_all()
        return len(records)

    def wait_for(self, count: int) -> list[int]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.records) >= count, timeout=30)
        return [r["n"] for r in self.records]


def writer(sink: FlakySink, tmp_path: Path, **options: Any) -> Writer:
    settings = {"queue_size": 1000, "batch_size": 10, "flush_interval_s": 0.01, **options}
    return Writer(sink, sink_id="s", spill_dir=str(tmp_path / "spill"), **settings)


def test_records_reach_the_sink_in_order_in_batches(tmp_path: Path) -> None:
    sink = FlakySink()
    w = writer(sink, tmp_path)
    for n in range(250):
        w.submit({"n": n})
    assert sink.wait_for(250) == list(range(250))
    assert sink.calls <= 250
    w.close()


def test_a_down_sink_spills_then_replays_everything_once_in_order(tmp_path: Path) -> None:
    sink = FlakySink()
    w = writer(sink, tmp_path)
    for n in range(50):
        w.submit({"n": n})
    sink.wait_for(50)
    sink.up.clear()
    for n in range(50, 300):
        w.submit({"n": n})
    spill = Path(w.spill.path)
    while not (spill.exists() and len(spill.read_text().splitlines()) >= 250):
        threading.Event().wait(0.01)
    sink.up.set()
    assert sink.wait_for(300) == list(range(300))
    assert w.spill.pending() is False and spill.stat().st_size == 0
    w.close()


def test_a_full_queue_overflows_to_disk_and_keeps_the_order(tmp_path: Path) -> None:
    for up in (True, False):
        sink = FlakySink()
        if not up:
            sink.up.clear()
        w = writer(sink, tmp_path / str(up), queue_size=2, batch_size=3)
        for n in range(300):
            w.submit({"n": n})  # never blocks, whatever the sink does
        sink.up.set()
        assert sink.wait_for(300) == list(range(300))
        w.close()


def test_a_dead_process_spill_file_is_adopted_first(tmp_path: Path) -> None:
    directory = tmp_path / "spill"
    directory.mkdir()
    orphan = directory / "s.999999.jsonl"
    orphan.write_text("".join(json.dumps({"n": n}) + "\n" for n in range(5)) + '{"n": 5, "unfinis')
    (directory / "s.999999.jsonl.offset").write_text(str(len(json.dumps({"n": 0}) + "\n")))
    sink = FlakySink()
    w = writer(sink, tmp_path)
    w.submit({"n": 6})
    assert sink.wait_for(5) == [1, 2, 3, 4, 6]  # the replayed offset and the unfinished line are respected
    assert not orphan.exists()
    w.close()


def test_spill_commit_keeps_the_position_across_reopen(tmp_path: Path) -> None:
    spill = SpillFile(str(tmp_path), "x")
    spill.append([{"n": n} for n in range(4)])
    records, ends = spill.read_batch(2)
    assert [r["n"] for r in records] == [0, 1]
    spill.commit(ends[-1])
    assert Path(spill.path + ".offset").read_text() == str(ends[-1])
    records, ends = spill.read_batch(10)
    assert [r["n"] for r in records] == [2, 3]
    spill.commit(ends[-1])
    assert not spill.pending() and Path(spill.path).stat().st_size == 0


def test_file_sink_rotates_by_size_and_chains_across_files(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    sink = FileSink(str(path), max_bytes=1000, backups=2)
    for n in range(6):
        sink.write([{"n": n, "tenant": "acme"}, {"n": n, "tenant": None}])
    kept = [path, Path(f"{path}.1")]
    assert all(p.exists() for p in kept) and all(p.stat().st_size <= 1000 for p in kept)
    records = [record for _, record in read_file_records(str(path))]
    acme = [r for r in records if r["tenant"] == "acme"]
    assert [r["seq"] for r in acme] == list(range(1, 7)) and acme[-1]["n"] == 5
    heads = read_file_heads(str(path))
    assert heads["tenants"]["acme"] == [acme[-1]["hash"], 6] and heads["dropped"] is False
    for tenant in ("acme", ""):
        entries = [(i, r) for i, r in read_file_records(str(path)) if (r["tenant"] or "") == tenant]
        result = verify(entries, Head(*heads["tenants"][tenant]), may_be_trimmed=False)
        assert result.broken is None and result.checked == 6


def test_file_sink_catches_up_with_lines_its_heads_missed(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    sink = FileSink(str(path), max_bytes=1 << 20, backups=2)
    sink.write([{"n": 0, "tenant": "acme"}])
    stale = Path(f"{path}.heads").read_text()
    sink.write([{"n": 1, "tenant": "acme"}])
    Path(f"{path}.heads").write_text(stale)  # a crash between the data and the heads write
    sink.write([{"n": 2, "tenant": "acme"}])
    records = [record for _, record in read_file_records(str(path))]
    assert [r["seq"] for r in records] == [1, 2, 3] and records[2]["prev_hash"] == records[1]["hash"]


def test_a_spill_file_removed_under_the_writer_keeps_its_records(tmp_path: Path) -> None:
    """Someone deletes the spill directory (a tmp cleaner, an operator): the records not yet replayed are
    still readable through the open descriptor and move to a new file; before, every replay failed on the
    vanished path for the life of the process and those records were lost."""
    directory = tmp_path / "spill"
    spill = SpillFile(str(directory), "x")
    spill.append([{"n": 1}, {"n": 2}, {"n": 3}])
    _, ends = spill.read_batch(1)
    spill.commit(ends[0])  # record 1 reached the sink
    for path in directory.iterdir():
        path.unlink()
    directory.rmdir()
    assert spill.pending()
    records, _ = spill.read_batch(10)
    assert records == [{"n": 2}, {"n": 3}]
    assert [json.loads(line) for line in Path(spill.path).read_text().splitlines()] == records
    spill.append([{"n": 4}])
    records, ends = spill.read_batch(10)
    assert records == [{"n": 2}, {"n": 3}, {"n": 4}]
    spill.commit(ends[-1])
    assert not spill.pending()
