"""Windows: what ``window`` accepts, calendar months in UTC, and the sliding window's sub-bucket size."""

from __future__ import annotations

import calendar

import pytest

from kong_plugins.ai_token_limiter.windows import (
    MAX_WINDOW_SECONDS,
    month_bounds_ms,
    month_index,
    parse_window,
    sliding_bucket_ms,
)


@pytest.mark.parametrize(
    ("value", "seconds", "named"),
    [
        ("second", 1, True),
        ("minute", 60, True),
        ("hour", 3600, True),
        ("day", 86400, True),
        ("45", 45, False),
    ],
)
def test_named_and_numeric_windows(value: str, seconds: int, named: bool) -> None:
    window = parse_window(value)
    assert window.seconds == seconds
    assert window.is_named is named
    assert not window.calendar_month
    assert window.body_value() == (value if named else seconds)


def test_month_is_a_calendar_month() -> None:
    window = parse_window("month")
    assert window.calendar_month
    assert window.body_value() == "month"


@pytest.mark.parametrize("value", ["", "0", "weekly", "-5", "1.5", str(MAX_WINDOW_SECONDS + 1), "1" * 12])
def test_bad_windows_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_window(value)


def _ms(year: int, month: int, day: int = 1, hour: int = 0) -> int:
    return calendar.timegm((year, month, day, hour, 0, 0)) * 1000


@pytest.mark.parametrize(
    ("moment", "start", "end"),
    [
        (_ms(2024, 2, 29, 23), _ms(2024, 2), _ms(2024, 3)),  # leap day
        (_ms(2023, 12, 31, 23), _ms(2023, 12), _ms(2024, 1)),  # year end
        (_ms(2025, 1), _ms(2025, 1), _ms(2025, 2)),  # first millisecond of a month
        (_ms(2025, 2) - 1, _ms(2025, 1), _ms(2025, 2)),  # its last millisecond
    ],
)
def test_month_buckets_follow_the_utc_calendar(moment: int, start: int, end: int) -> None:
    assert month_bounds_ms(month_index(moment)) == (start, end)


def test_sliding_buckets_cover_the_window() -> None:
    assert sliding_bucket_ms(60_000, 10) == 6000
    assert sliding_bucket_ms(7_000, 3) == 2334  # rounded up: N buckets cover at least the window
    assert sliding_bucket_ms(1, 60) == 1
