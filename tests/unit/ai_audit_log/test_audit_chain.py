"""The hash chain: linking, and the first broken link for altered, removed, reordered and trimmed records."""

from __future__ import annotations

import copy

from kong_plugins.ai_audit_log.chain import GENESIS_HASH, Head, chain, record_hash, verify


def linked(count: int) -> tuple[list[dict], Head]:
    return chain([{"id": f"r{i}", "status": 200} for i in range(count)], Head())


def entries(records: list[dict]) -> list[tuple[str, dict | None]]:
    return [(f"{i}-0", record) for i, record in enumerate(records, start=1)]


def test_a_chain_verifies_and_continues_after_its_head() -> None:
    records, head = linked(3)
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[0]["prev_hash"] == GENESIS_HASH and records[1]["prev_hash"] == records[0]["hash"]
    assert all(r["hash"] == record_hash(r) for r in records)
    more, head2 = chain([{"id": "r3"}], head)
    assert more[0]["seq"] == 4 and more[0]["prev_hash"] == head.hash
    result = verify(entries(records + more), head2, length=4, maxlen=1000)
    assert result.broken is None and result.checked == 4


def test_an_altered_record_is_the_first_broken_link() -> None:
    records, head = linked(5)
    records[2] = {**records[2], "status": 500}
    result = verify(entries(records), head, length=5, maxlen=1000)
    assert result.broken is not None and result.broken.seq == 3 and "hash mismatch" in result.broken.reason
    assert result.checked == 2


def test_a_rehashed_forgery_breaks_the_next_link() -> None:
    records, head = linked(5)
    forged = {**records[2], "status": 500}
    forged["hash"] = record_hash(forged)
    records[2] = forged
    result = verify(entries(records), head, length=5, maxlen=1000)
    assert result.broken is not None and result.broken.seq == 4


def test_removed_records_are_found_in_the_middle_at_the_start_and_at_the_end() -> None:
    records, head = linked(5)
    middle = verify(entries(records[:2] + records[3:]), head, length=4, maxlen=1000)
    assert middle.broken is not None and middle.broken.seq == 4
    start = verify(entries(records[1:]), head, length=4, maxlen=1000)
    assert start.broken is not None and start.broken.seq == 2 and "missing" in start.broken.reason
    end = verify(entries(records[:4]), head, length=4, maxlen=1000)
    assert end.broken is not None and end.broken.entry is None and "head" in end.broken.reason


def test_a_trimmed_stream_starts_later_without_being_broken() -> None:
    records, head = linked(5)
    result = verify(entries(records[2:]), head, length=3, maxlen=3)
    assert result.broken is None and result.trimmed and result.first_seq == 3


def test_chain_does_not_change_its_input() -> None:
    original = [{"id": "a", "seq": 9, "hash": "x"}]
    kept = copy.deepcopy(original)
    chain(original, Head())
    assert original == kept
