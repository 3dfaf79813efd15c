"""Limit windows: what ``window`` means, and how each algorithm cuts time into buckets.

A window is a number of seconds (``"30"``) or a name (``second``, ``minute``, ``hour``, ``day``, ``month``).
``month`` is a **calendar month in UTC** whatever the algorithm: a monthly budget resets on the 1st at 00:00
UTC, not 30 days after the first request. Fixed windows are aligned on the Unix epoch, so ``day`` windows are
UTC days and ``hour`` windows start on the hour.

The sliding window is a *sub-bucketed* sliding window: the window of ``W`` ms is cut into ``N`` buckets of
``B = ceil(W / N)`` ms, and a check sums every bucket that overlaps ``(now - W, now]`` (``N + 1`` buckets, the
oldest only partly inside). Counting that oldest bucket whole makes the error one-sided: usage in any interval
of length ``W`` never exceeds the limit (an exact upper bound), and a usage recorded at ``t`` keeps counting
until at most ``t + W + B``, so a client may be refused up to ``W / N`` seconds early — the error is at most
the usage recorded in one bucket (``1/N`` of the window). ``N`` is ``sliding_window_buckets`` (default 10).

The same arithmetic exists in Lua (:mod:`.script`) and in Python (:mod:`.local_store`); unit tests check
that both agree, including on month boundaries.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass

__all__ = [
    "MAX_WINDOW_SECONDS",
    "NAMED_WINDOWS",
    "Window",
    "month_bounds_ms",
    "month_index",
    "parse_window",
]

NAMED_WINDOWS: dict[str, int] = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
"""Named fixed-length windows, in seconds. ``month`` is separate: its length varies."""
MONTH = "month"
MAX_WINDOW_SECONDS = 366 * 86400
"""Longest numeric window (a leap year): counters must expire, and TTLs stay far from overflow."""
NOMINAL_MONTH_SECONDS = 30 * 86400
"""What ``w=`` says for a month in the IETF ``RateLimit-Policy`` header (a window must be a number)."""
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True, slots=True)
class Window:
    """A parsed ``window``: its label as configured, its length, and whether it is a calendar month."""

    label: str
    seconds: int
    calendar_month: bool = False

    @property
    def ms(self) -> int:
        """Length in milliseconds (a nominal 30 days for a calendar month)."""
        return self.seconds * 1000

    @property
    def is_named(self) -> bool:
        """True for ``second``/``minute``/``hour``/``day``/``month`` (as opposed to a number of seconds)."""
        return not self.label.isdigit()

    def body_value(self) -> str | int:
        """The ``window`` of a 429 body: the name as configured, or the number of seconds as a number."""
        return self.label if self.is_named else self.seconds


def parse_window(value: str) -> Window:
    """``"minute"`` / ``"month"`` / ``"45"`` → :class:`Window`; raises ``ValueError`` for anything else."""
    if not isinstance(value, str):
        raise ValueError("window must be a string: a number of seconds or second/minute/hour/day/month")
    if value == MONTH:
        return Window(MONTH, NOMINAL_MONTH_SECONDS, calendar_month=True)
    if value in NAMED_WINDOWS:
        return Window(value, NAMED_WINDOWS[value])
    if _DIGITS.fullmatch(value):
        seconds = int(value)
        if 1 <= seconds <= MAX_WINDOW_SECONDS:
            return Window(str(seconds), seconds)
    raise ValueError(
        f"window must be second, minute, hour, day, month or a number of seconds between 1 and "
        f"{MAX_WINDOW_SECONDS}"
    )


def sliding_bucket_ms(window_ms: int, buckets: int) -> int:
    """``B = ceil(W / N)``: the sub-bucket length of a sliding window (at least 1 ms)."""
    return max(1, math.ceil(window_ms / buckets))


def month_index(now_ms: int) -> int:
    """``year * 12 + month - 1`` of ``now_ms`` (UTC): the id of a calendar-month bucket."""
    moment = dt.datetime.fromtimestamp(now_ms / 1000, tz=dt.UTC)
    return moment.year * 12 + moment.month - 1


def month_bounds_ms(index: int) -> tuple[int, int]:
    """Start and end (exclusive) of calendar month ``index`` in epoch milliseconds (UTC)."""
    year, month0 = divmod(index, 12)
    start = calendar.timegm((year, month0 + 1, 1, 0, 0, 0)) * 1000
    next_year, next_month0 = divmod(index + 1, 12)
    end = calendar.timegm((next_year, next_month0 + 1, 1, 0, 0, 0)) * 1000
    return start, end
