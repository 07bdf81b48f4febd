"""Village status on tiny hand-checked fixtures (T = 2026-06-30, W = 30 days)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from geo.errors import DataError
from geo.inputs import CoverageInputs
from geo.overview import compute_overview_kpis
from geo.period import active_pairings
from geo.problems import empty_problems
from geo.status import (
    STATUS_PAIRED_LAPSED,
    STATUS_PAIRED_NEVER,
    STATUS_PAIRED_VISITED,
    STATUS_UNPAIRED_VISITED,
    compute_village_status,
    status_counts,
)

T = date(2026, 6, 30)
W = 30


def pairing(village: str, dept: str = "D1", start: date = date(2025, 1, 1),
            end: date | None = None) -> dict:
    return {"department_code": dept, "village_code": village, "start_date": start,
            "end_date": end, "required_visits_per_month": 1}


def visit(village: str, day: date, dept: str = "D1") -> dict:
    return {"village_code": village, "date": day, "department_code": dept,
            "problems_raised": 0, "problems_resolved": 0}


PAIRING_COLUMNS = ["id", "department_code", "village_code", "start_date", "end_date",
                   "required_visits_per_month"]
VISIT_COLUMNS = ["village_code", "date", "department_code", "problems_raised",
                 "problems_resolved"]
VILLAGES = pd.DataFrame({"code": [f"V{i}" for i in range(1, 8)],
                         "short_name": [f"村{i}" for i in range(1, 8)],
                         "parent_code": [None] * 7,
                         **{figure: pd.array([None] * 7, dtype="Int64")
                            for figure in ("population", "households", "left_behind_elderly",
                                           "low_income_households")},
                         "weak": [True, False, False, False, False, False, True]})
DEPARTMENTS = pd.DataFrame({"code": ["D1", "D2"], "name": ["县委办公室", "县公安局"]})


def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """``rows`` numbered from 1 (``id``) where ``columns`` has an ``id``."""
    return pd.DataFrame([{"id": i, **row} for i, row in enumerate(rows, start=1)],
                        columns=columns)


@pytest.mark.parametrize(
    ("start", "end", "active"),
    [
        (T, None, True),  # starts on T
        (T + timedelta(days=1), None, False),  # starts after T
        (date(2025, 1, 1), T, True),  # ends exactly on T
        (date(2025, 1, 1), T - timedelta(days=1), False),  # ended the day before
        (date(2025, 1, 1), None, True),
    ],
)
def test_active_pairing_at_t(start, end, active):
    pairings = pd.DataFrame([pairing("V1", start=start, end=end)])
    assert len(active_pairings(pairings, T)) == int(active)


@pytest.fixture
def status() -> pd.DataFrame:
    pairings = frame(
        [
            pairing("V1"),  # visited inside the window
            pairing("V2"),  # visited only on T-W (outside the window)
            pairing("V3"),  # visited on T-W+1 (inside)
            pairing("V4"),  # paired, never visited
            pairing("V5", end=T - timedelta(days=1)),  # pairing ended: unpaired
            pairing("V6", dept="D1"), pairing("V6", dept="D2"),  # two departments
        ],
        PAIRING_COLUMNS,
    )
    visits = frame(
        [
            visit("V1", T - timedelta(days=3)),
            visit("V1", T - timedelta(days=10)),
            visit("V1", T + timedelta(days=1)),  # after T: ignored
            visit("V2", T - timedelta(days=W)),
            visit("V3", T - timedelta(days=W - 1)),
            visit("V5", T - timedelta(days=5)),
            visit("V6", T - timedelta(days=200)),
            visit("V7", T, dept="D2"),  # not paired with V7: still "visited"
        ],
        VISIT_COLUMNS,
    )
    return compute_village_status(CoverageInputs(VILLAGES, pairings, visits, T, W, W,
                                                 empty_problems()), DEPARTMENTS)


def test_window_edges(status: pd.DataFrame):
    assert status.loc["V2", "visits_in_window"] == 0 and not status.loc["V2", "visited"]
    assert status.loc["V3", "visits_in_window"] == 1 and status.loc["V3", "visited"]
    assert status.loc["V1", "visits_in_window"] == 2  # the visit after T does not count


def test_days_since_last_visit(status: pd.DataFrame):
    assert status.loc["V1", "days_since_last_visit"] == 3
    assert status.loc["V1", "last_visit"] == T - timedelta(days=3)
    assert status.loc["V2", "days_since_last_visit"] == W
    assert status.loc["V6", "days_since_last_visit"] == 200
    assert status.loc["V7", "days_since_last_visit"] == 0
    assert pd.isna(status.loc["V4", "days_since_last_visit"])
    assert status.loc["V4", "last_visit"] is None


def test_paired_and_departments(status: pd.DataFrame):
    assert status["paired"].to_dict() == {"V1": True, "V2": True, "V3": True, "V4": True,
                                          "V5": False, "V6": True, "V7": False}
    assert status.loc["V6", "departments"] == ["县委办公室", "县公安局"]
    assert status.loc["V5", "departments"] == []


def test_status_classes(status: pd.DataFrame):
    assert status["status"].to_dict() == {
        "V1": STATUS_PAIRED_VISITED,
        "V2": STATUS_PAIRED_LAPSED,  # visited on T-W only: before the window
        "V3": STATUS_PAIRED_VISITED,
        "V4": STATUS_PAIRED_NEVER,
        "V5": STATUS_UNPAIRED_VISITED,  # its pairing ended; visited on T-5
        "V6": STATUS_PAIRED_LAPSED,
        "V7": STATUS_UNPAIRED_VISITED,  # visited by a department not paired with it
    }
    assert status_counts(status) == {"paired_visited": 2, "paired_lapsed": 2,
                                     "paired_never": 1, "unpaired_visited": 2,
                                     "unpaired_not_visited": 0}


def test_overview_kpis(status: pd.DataFrame):
    kpis = compute_overview_kpis(status, VILLAGES)
    assert (kpis.villages, kpis.paired, kpis.visited, kpis.never_visited, kpis.weak) == (
        7, 5, 4, 1, 2)
    # Severe: V4 never visited, V5 and V7 unpaired; V2 (30 days) and V6 (200 days) were
    # last visited N = W = 30 or more days before T.
    assert kpis.severe == 5
    assert kpis.paired_share == pytest.approx(5 / 7)
    assert kpis.visited_share == pytest.approx(4 / 7)


def test_no_villages_gives_no_share():
    empty = compute_village_status(CoverageInputs(
        VILLAGES.iloc[:0], pd.DataFrame(columns=PAIRING_COLUMNS),
        pd.DataFrame(columns=VISIT_COLUMNS), T, W, W, empty_problems()), DEPARTMENTS)
    kpis = compute_overview_kpis(empty, VILLAGES.iloc[:0])
    assert kpis.villages == 0 and kpis.paired_share is None and kpis.visited_share is None


@pytest.mark.parametrize(("table", "column"), [
    ("villages", "weak"), ("villages", "population"), ("villages", "short_name"),
    ("villages", "parent_code"), ("pairings", "id"), ("pairings", "required_visits_per_month"),
    ("visits", "problems_raised"), ("visits", "problems_resolved"),
    ("problems", "due_date"), ("problems", "resolved_on"), ("problems", "status"),
])
def test_a_missing_input_column_is_an_error_not_a_default(table, column):
    frames = {"villages": VILLAGES, "pairings": frame([pairing("V1")], PAIRING_COLUMNS),
              "visits": frame([visit("V1", T)], VISIT_COLUMNS), "problems": empty_problems()}
    frames[table] = frames[table].drop(columns=[column])
    with pytest.raises(DataError) as raised:
        CoverageInputs(frames["villages"], frames["pairings"], frames["visits"], T, W, W,
                       frames["problems"])
    assert raised.value.code == "missing_input_column"
    assert raised.value.params == {"frame": table}
    assert raised.value.column == column
    assert str(raised.value) == (
        f"the {table} table has no column {column!r}, which the metrics require")
