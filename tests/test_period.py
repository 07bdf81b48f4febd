"""The period primitives a page offers: the last 12 months and a calendar year."""

from __future__ import annotations

from datetime import date

import pytest

from geo.errors import DataError
from geo.period import Period


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
