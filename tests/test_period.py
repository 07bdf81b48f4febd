"""The period primitives a page offers: the last 12 months and a calendar year."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.errors import DataError
from geo.period import Period, in_window


def test_last_twelve_months_start_on_the_first_of_the_month_eleven_months_back():
    period = Period.last_months(date(2026, 12, 6))
    assert period.start == date(2026, 1, 1) and period.as_of == date(2026, 12, 6)
    assert period.window_days == 340  # 2026-01-01 .. 2026-12-06, both included
    across = Period.last_months(date(2026, 3, 31))  # across a year, February of 28 days
    assert across.start == date(2025, 4, 1) and across.window_days == 365
    assert Period.last_months(date(2026, 3, 10), 1).start == date(2026, 3, 1)


def test_a_calendar_year_ends_today_while_it_runs():
    assert Period.calendar_year(2025, date(2026, 12, 6)) == Period(date(2025, 12, 31), 365)
    assert Period.calendar_year(2024, date(2026, 1, 1)).window_days == 366  # leap year
    running = Period.calendar_year(2026, date(2026, 12, 6))
    assert running.start == date(2026, 1, 1) and running.as_of == date(2026, 12, 6)


def test_a_year_not_begun_and_no_month_are_refused():
    with pytest.raises(DataError) as caught:
        Period.calendar_year(2027, date(2026, 12, 6))
    assert caught.value.code == "period_future_year"
    with pytest.raises(DataError) as caught:
        Period.last_months(date(2026, 12, 6), 0)
    assert caught.value.code == "period_months"


def test_in_window_excludes_its_start_and_includes_t():
    """T = 2026-03-10, W = 90: T-W = 2025-12-10 is outside, 2025-12-11 and T inside,
    the day after T and a missing day outside."""
    days = pd.Series([date(2025, 12, 10), date(2025, 12, 11), date(2026, 3, 10),
                      date(2026, 3, 11), None])
    assert in_window(days, date(2026, 3, 10), 90).tolist() == [False, True, True, False,
                                                                False]
    stamps = pd.DatetimeIndex(["2025-12-10", "2026-01-01"])
    assert in_window(stamps, date(2026, 3, 10), 90).tolist() == [False, True]
