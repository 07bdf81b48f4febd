"""The period primitives of DESIGN.md's metric definitions: the window, the pairings
active at ``T``, the months judged for compliance, and a report's ``Period``.

The as-of date ``T`` and the window ``W`` (days; the window is ``T-W < date <= T``) are
always parameters; nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.errors import DataError


@dataclass(frozen=True)
class Period:
    """The as-of date ``T`` and window ``W`` (days) of a report or a page."""

    as_of: date
    window_days: int

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """The period from ``start`` to ``end``, both included (e.g. a calendar year)."""
        if end < start:
            raise DataError("period_reversed", start=start.isoformat(), end=end.isoformat())
        return cls(as_of=end, window_days=(end - start).days + 1)

    @classmethod
    def last_months(cls, today: date, months: int = 12) -> Period:
        """The last ``months`` calendar months up to ``today``: from the first day of
        the month ``months - 1`` before today's month to ``today`` (近12个月: this
        month so far and the 11 whole months before it)."""
        if months < 1:
            raise DataError("period_months", months=months)
        first = (pd.Period(today, freq="M") - (months - 1)).start_time.date()
        return cls.between(first, today)

    @classmethod
    def calendar_year(cls, year: int, today: date) -> Period:
        """The calendar year ``year`` (年度考核), up to ``today`` while it is still
        running; a year that has not begun is refused."""
        if year > today.year:
            raise DataError("period_future_year", year=year)
        return cls.between(date(year, 1, 1), min(date(year, 12, 31), today))

    @property
    def start(self) -> date:
        """The first day inside the window."""
        return self.as_of - timedelta(days=self.window_days - 1)


def window_start(as_of: date, window_days: int) -> date:
    """Return ``T - W``: the window holds dates strictly after it, up to ``T``."""
    return as_of - timedelta(days=window_days)


def in_window(days: pd.Series | pd.Index, as_of: date, window_days: int) -> np.ndarray:
    """Whether each day lies in the window ``T-W < day <= T`` (a missing day: False).

    ``days`` are dates or timestamps (a Series or an Index); the result is a boolean
    array aligned with them.
    """
    day = pd.to_datetime(pd.Series(np.asarray(days)), errors="coerce")
    after = pd.Timestamp(window_start(as_of, window_days))
    return ((day > after) & (day <= pd.Timestamp(as_of))).to_numpy(dtype=bool)


def active_pairings(pairings: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Return the pairings active at ``as_of``.

    Active means ``start_date <= T`` and (``end_date`` empty or ``end_date >= T``).
    """
    start = pairings["start_date"]
    end = pairings["end_date"]
    ended = end.notna() & (end.map(lambda d: d is not None and not pd.isna(d) and d < as_of))
    mask = (start <= as_of) & ~ended
    return pairings[mask.astype(bool)]


def pairings_overlap(start_a: date, end_a: date | None, start_b: date,
                     end_b: date | None) -> bool:
    """Whether two pairings (of one department and village) share a day.

    Both days count: a pairing ending on the day another starts overlaps it (a pairing is
    active from ``start_date`` to ``end_date`` inclusive); an empty end never comes.
    Dates or timestamps; a missing end is None or NaT.
    """
    open_a = end_a is None or pd.isna(end_a)
    open_b = end_b is None or pd.isna(end_b)
    return (open_b or start_a <= end_b) and (open_a or start_b <= end_a)


def judged_months(as_of: date, window_days: int) -> list[tuple[date, date]]:
    """Return the calendar months that can be judged at ``T`` with window ``W``.

    A month can be judged when its first day is inside the window (``> T-W``) and its
    last day is ``<= T``. A pairing further judges only the months whose first day is on
    or after its ``start_date``.

    Returns
    -------
    list of (date, date)
        First and last day of each month, oldest first.
    """
    after = window_start(as_of, window_days)
    month = np.datetime64(after, "M") + 1  # the first month starting after T-W
    end = np.datetime64(as_of, "D")
    months = []
    while True:
        first = month.astype("datetime64[D]")
        last = (month + 1).astype("datetime64[D]") - 1
        if last > end:
            break
        months.append((first.astype(date), last.astype(date)))
        month += 1
    return months
