"""The problem ledger's figures on hand-computed fixtures: open at T at the boundaries
(raised on T, resolved on T, resolved the day after T), overdue at the due date and one
day after, the median with odd and even counts, satisfaction with and without ratings."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataError
from geo.period import Period
from geo.problems import (
    age_days,
    department_problem_figures,
    empty_problems,
    is_open,
    is_overdue,
    problem_totals,
    resolved_in_window,
    village_problem_figures,
    villages_with_overdue,
)

T = date(2026, 11, 28)
PERIOD = Period(T, 90)  # the window: 2026-08-30 .. 2026-11-28


def day(offset: int) -> date:
    return T + timedelta(days=offset)


def ledger(*rows: dict) -> pd.DataFrame:
    defaults = {"village_code": "V1", "department_code": "D1", "raised_on": day(-10),
                "due_date": None, "status": "open", "resolved_on": None,
                "satisfaction": None}
    frame = pd.DataFrame([defaults | row for row in rows])
    frame["due_date"] = [due or raised + timedelta(days=30)
                         for due, raised in zip(frame["due_date"], frame["raised_on"],
                                                strict=True)]
    return frame.set_axis([f"p{i}" for i in range(len(frame))])


def test_open_at_t_at_its_boundaries() -> None:
    problems = ledger(
        {"raised_on": T},                                            # raised on T: open
        {"raised_on": day(1)},                                       # raised after T: not yet
        {"status": "resolved", "resolved_on": T},                    # resolved on T: closed
        {"status": "resolved", "resolved_on": day(1)},               # resolved after T: open
        {"status": "closed_unresolved", "resolved_on": day(-1)},     # closed before T
        {"status": "in_progress"},                                   # still being handled
    )
    assert is_open(problems, T).tolist() == [True, False, False, True, False, True]
    assert is_open(problems, T).index.tolist() == list(problems.index)
    assert age_days(problems, T).tolist() == [0, pd.NA, pd.NA, 10, pd.NA, 10]


def test_overdue_from_the_day_after_the_due_date() -> None:
    problems = ledger(
        {"raised_on": day(-30), "due_date": T},              # due on T: not overdue
        {"raised_on": day(-31), "due_date": day(-1)},        # due the day before: overdue
        {"raised_on": day(-60), "due_date": day(-30), "status": "resolved",
         "resolved_on": day(-2)},                            # late but closed: not overdue
        {"raised_on": day(-60), "due_date": day(-30), "status": "resolved",
         "resolved_on": day(3)},                             # resolved after T: overdue at T
    )
    assert is_overdue(problems, T).tolist() == [False, True, False, True]
    assert is_overdue(problems, day(1)).tolist() == [True, True, False, True]


def test_resolved_in_the_window_counts_status_resolved_only_inside_the_window() -> None:
    problems = ledger(
        {"status": "resolved", "resolved_on": T},
        {"status": "resolved", "resolved_on": day(-89), "raised_on": day(-100)},  # first day
        {"status": "resolved", "resolved_on": day(-90), "raised_on": day(-100)},  # T-W: out
        {"status": "closed_unresolved", "resolved_on": day(-3)},
        {"status": "resolved", "resolved_on": day(1)},
    )
    assert resolved_in_window(problems, PERIOD).tolist() == [True, True, False, False, False]


def test_department_figures_median_odd_and_even_and_satisfaction() -> None:
    problems = ledger(
        # D1: three resolved in the window after 2, 5 and 11 days -> median 5
        {"raised_on": day(-12), "status": "resolved", "resolved_on": day(-10),
         "satisfaction": "满意"},
        {"raised_on": day(-12), "status": "resolved", "resolved_on": day(-7),
         "satisfaction": "基本满意"},
        {"raised_on": day(-20), "status": "resolved", "resolved_on": day(-9)},
        # D1: closed unresolved with a rating: counts for satisfaction, not for resolved
        {"raised_on": day(-20), "status": "closed_unresolved", "resolved_on": day(-1),
         "satisfaction": "不满意"},
        # D1: open and overdue
        {"raised_on": day(-40)},
        # D2: two resolved after 4 and 9 days -> median 6.5; none rated -> null
        {"department_code": "D2", "raised_on": day(-5), "status": "resolved",
         "resolved_on": day(-1)},
        {"department_code": "D2", "raised_on": day(-10), "status": "resolved",
         "resolved_on": day(-1)},
        # D2: rated, but closed before the window: left out
        {"department_code": "D2", "raised_on": day(-200), "status": "resolved",
         "resolved_on": day(-150), "satisfaction": "不满意"},
    )
    figures = department_problem_figures(problems, ["D1", "D2", "D3"], PERIOD)
    assert figures.index.tolist() == ["D1", "D2", "D3"]
    assert figures["open"].tolist() == [1, 0, 0]
    assert figures["overdue"].tolist() == [1, 0, 0]
    assert figures["resolved"].tolist() == [3, 2, 0]
    median = figures["median_days_to_resolve"].tolist()
    assert median[:2] == [5.0, 6.5] and np.isnan(median[2])
    # D1: (1 满意 + 0.5 × 1 基本满意) ÷ 3 rated = 0.5
    assert figures.loc["D1", "satisfaction"] == pytest.approx(0.5)
    assert np.isnan(figures.loc["D2", "satisfaction"])
    assert np.isnan(figures.loc["D3", "satisfaction"])


def test_village_figures_and_the_overdue_villages() -> None:
    problems = ledger(
        {"village_code": "V1", "raised_on": day(-40)},   # overdue, 40 days old
        {"village_code": "V1", "raised_on": day(-3)},    # open
        {"village_code": "V2", "raised_on": day(-50), "status": "resolved",
         "resolved_on": day(-2)},
        {"village_code": "V2", "raised_on": day(-1)},
    )
    figures = village_problem_figures(problems, ["V1", "V2", "V3"], T)
    assert figures["open"].tolist() == [2, 1, 0]
    assert figures["overdue"].tolist() == [1, 0, 0]
    assert figures["oldest_open_days"].tolist() == [40, 1, pd.NA]
    assert villages_with_overdue(problems, pd.Index(["V1", "V2", "V3"]), T).tolist() == [
        True, False, False]
    assert problem_totals(problems, PERIOD) == {"open": 3, "overdue": 1,
                                                "resolved_in_window": 1}


def test_an_empty_ledger_gives_zeros_and_nulls() -> None:
    empty = empty_problems()
    figures = department_problem_figures(empty, ["D1"], PERIOD)
    assert figures.loc["D1", ["open", "overdue", "resolved"]].tolist() == [0, 0, 0]
    assert figures[["median_days_to_resolve", "satisfaction"]].isna().all().all()
    villages = village_problem_figures(empty, ["V1"], T)
    assert villages.loc["V1", "open"] == 0 and pd.isna(villages.loc["V1", "oldest_open_days"])
    assert problem_totals(empty, PERIOD) == {"open": 0, "overdue": 0, "resolved_in_window": 0}


def test_a_missing_column_is_refused() -> None:
    with pytest.raises(DataError) as raised:
        is_open(ledger({}).drop(columns="resolved_on"), T)
    assert raised.value.code == "missing_input_column"
    assert raised.value.params["frame"] == "problems"
    assert raised.value.column == "resolved_on"


def test_ratings_move_the_ranking_and_weights_renormalise_without_them() -> None:
    from geo.departments import ranking

    figures = pd.DataFrame({
        "name": ["甲", "乙"], "active": [True, True], "compliance": [1.0, 1.0],
        "paired_village_coverage": [1.0, 1.0], "resolution_rate": [1.0, 1.0],
        "long_term_share": [0.0, 0.0]}, index=pd.Index(["D1", "D2"], name="code"))
    problems = ledger(
        {"department_code": "D1", "status": "resolved", "resolved_on": day(-1),
         "satisfaction": "不满意"},
        {"department_code": "D2", "status": "resolved", "resolved_on": day(-1)},
    )
    ledger_figures = department_problem_figures(problems, figures.index, PERIOD)
    ranked = ranking(figures, None, ledger_figures["satisfaction"])
    # D1: 100 × (0.3 + 0.2 + 0.2 + 0 + 0.15 × 0) ÷ 1.0 = 70.0
    # D2 (no rating): 100 × (0.3 + 0.2 + 0.2 + 0) ÷ 0.85 = 82.35
    assert ranked.loc["D1", "score"] == 70.0
    assert ranked.loc["D2", "score"] == 82.35
    assert ranked.index.tolist() == ["D2", "D1"]
    pleased = problems.assign(satisfaction=["满意", None])
    again = ranking(figures, None,
                    department_problem_figures(pleased, figures.index, PERIOD)["satisfaction"])
    assert again.loc["D1", "score"] == 85.0  # (0.7 + 0.15) ÷ 1.0
    assert again.index.tolist() == ["D1", "D2"]
