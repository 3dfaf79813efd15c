"""The emulator's in-memory error.log: a mark taken before a test's requests finds exactly their lines."""

from harness.gateway import KongLog


def test_lines_since_a_mark_survive_the_log_dropping_its_oldest_lines() -> None:
    log = KongLog(None, echo=False)
    for i in range(19_990):
        log("notice", f"old {i}")
    mark = log.total
    for i in range(30):  # crosses 20,000 lines: the oldest 10,000 are let go
        log("warn", f"mine {i}")
    assert log.total == 20_020 and len(log.lines) == 10_020
    assert [line.split("] ", 1)[1] for line in log.since(mark)] == [f"mine {i}" for i in range(30)]
    assert log.since(log.total) == []


def test_since_returns_the_newest_2000_lines_at_most() -> None:
    log = KongLog(None, echo=False)
    for i in range(2_500):
        log("info", f"line {i}")
    lines = log.since(0)
    assert len(lines) == 2_000 and lines[-1].endswith("line 2499")
