"""The problem ledger page's table and form checks (geo/ledger.py) on a hand-checked ledger:
which rows are listed at T, their order and names, the filters, counts that add up to the
rows and equal the report's totals, and every broken rule of the forms at once."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.ledger import (
    check_closing,
    check_new_problem,
    filter_ledger,
    ledger_counts,
    ledger_table,
)
from geo.period import Period
from geo.problems import problem_totals

T = date(2026, 11, 28)
PERIOD = Period(T, 90)  # the window: 2026-08-31 .. 2026-11-28
VILLAGES = pd.DataFrame({"code": ["V1", "V2"], "short_name": ["龙池", "古洞口"],
                         "parent_code": ["TA", "TB"]})
TOWNSHIPS = pd.DataFrame({"code": ["TA", "TB"], "short_name": ["古夫镇", "昭君镇"]})
DEPARTMENTS = pd.DataFrame({"code": ["D1", "D2", "D3"],
                            "name": ["县委办", "县水利局", "县交通局"]})


def _problem(id_: int, raised: date, due: date, status: str = "open",
             resolved: date | None = None, village: str = "V1", department: str = "D1",
             category: str = "其他", joint: str | None = None) -> dict:
    return {"id": id_, "village_code": village, "department_code": department,
            "co_departments": joint, "category": category, "description": f"问题{id_}",
            "raised_on": raised, "due_date": due, "status": status, "resolved_on": resolved,
            "resolution": None, "satisfaction": None}


@pytest.fixture
def problems() -> pd.DataFrame:
    return pd.DataFrame([
        _problem(1, date(2026, 10, 1), date(2026, 10, 31), joint="D2;D3"),  # overdue 28 d
        _problem(2, T, date(2026, 12, 28), "in_progress", village="V2",
                 department="D2", category="教育"),                        # raised on T
        _problem(3, date(2026, 9, 1), date(2026, 10, 1), "resolved", T),   # resolved on T
        _problem(4, date(2026, 5, 1), date(2026, 5, 31), "resolved",
                 date(2026, 8, 31 - 1)),                                   # closed on T-W
        _problem(5, date(2026, 6, 1), date(2026, 7, 1), "closed_unresolved",
                 date(2026, 8, 31), village="V2"),                         # closed T-W+1
        _problem(6, date(2026, 11, 29), date(2026, 12, 29)),               # after T
        _problem(7, date(2026, 10, 29), T),                                # due on T
        _problem(8, date(2026, 11, 1), date(2026, 12, 1), "resolved",
                 date(2026, 11, 29)),                                      # closed after T
    ])


def test_the_list_holds_open_problems_then_those_closed_in_the_window(problems):
    table = ledger_table(problems, VILLAGES, TOWNSHIPS, DEPARTMENTS, PERIOD, separator="、")
    assert table["id"].tolist() == [1, 7, 8, 2, 3, 5]  # longest waiting, then latest closed
    assert table["open"].tolist() == [True, True, True, True, False, False]
    assert table["overdue"].tolist() == [True, False, False, False, False, False]
    assert table["age_days"].tolist()[:4] == [58, 30, 27, 0]
    assert table["overdue_days"].tolist()[0] == 28
    assert table["overdue_days"].isna().tolist() == [False, True, True, True, True, True]
    assert table["age_days"].isna().tolist()[4:] == [True, True]
    first = table.iloc[0]
    assert (first["village"], first["township"], first["department"]) == ("龙池", "古夫镇",
                                                                           "县委办")
    assert first["co_department_names"] == "县水利局、县交通局"
    assert table.loc[table["id"] == 2, "township"].item() == "昭君镇"
    assert table.loc[table["id"] == 2, "co_department_names"].isna().item()


def test_counts_add_up_and_equal_the_report_s_totals(problems):
    table = ledger_table(problems, VILLAGES, TOWNSHIPS, DEPARTMENTS, PERIOD)
    counts = ledger_counts(table)
    assert (counts.listed, counts.open, counts.overdue, counts.resolved,
            counts.closed_unresolved) == (6, 4, 1, 1, 1)
    assert counts.open + counts.resolved + counts.closed_unresolved == counts.listed
    totals = problem_totals(problems, PERIOD)
    assert (counts.open, counts.overdue, counts.resolved) == (
        totals["open"], totals["overdue"], totals["resolved_in_window"])


def test_filters_keep_what_they_name(problems):
    table = ledger_table(problems, VILLAGES, TOWNSHIPS, DEPARTMENTS, PERIOD)
    assert filter_ledger(table, status="resolved")["id"].tolist() == [8, 3]
    assert filter_ledger(table, department_code="D2")["id"].tolist() == [2]
    assert filter_ledger(table, township_code="TB")["id"].tolist() == [2, 5]
    assert filter_ledger(table, category="教育")["id"].tolist() == [2]
    assert filter_ledger(table, overdue_only=True)["id"].tolist() == [1]
    assert filter_ledger(table, township_code="TB", overdue_only=True).empty
    overdue = ledger_counts(filter_ledger(table, overdue_only=True))
    assert (overdue.listed, overdue.open, overdue.overdue, overdue.resolved) == (1, 1, 1, 0)


def test_a_ledger_without_problems_lists_nothing(problems):
    table = ledger_table(problems.iloc[:0], VILLAGES, TOWNSHIPS, DEPARTMENTS, PERIOD)
    assert table.empty and ledger_counts(table).listed == 0


def _codes(failures) -> list[tuple[str, str]]:
    return [(failure.field, failure.code) for failure in failures]


def test_a_closing_is_checked_at_once():
    raised = date(2026, 11, 1)
    assert check_closing(raised, "resolved", date(2026, 11, 2), "修好了", "满意", T) == []
    assert check_closing(raised, "closed_unresolved", raised, "无法解决", None, T) == []
    assert _codes(check_closing(raised, "resolved", date(2026, 10, 31), " ", None, T)) == [
        ("resolved_on", "closed_before_raised"), ("resolution", "missing_value")]
    assert _codes(check_closing(raised, "resolved", date(2026, 11, 29), "好", None, T)) == [
        ("resolved_on", "future_date")]
    assert _codes(check_closing(raised, "resolved", None, "好", None, T)) == [
        ("resolved_on", "closing_date_required")]


def test_a_new_problem_is_checked_at_once():
    known = (["V1", "V2"], ["D1", "D2"])
    good = {"village_code": "V1", "department_code": "D1", "category": "教育",
            "description": "学校漏雨", "resident": "", "raised_on": T, "due_date": None}
    assert check_new_problem(good, T, *known) == []
    empty = {"village_code": None, "department_code": None, "category": None,
             "description": "", "resident": "", "raised_on": None, "due_date": None}
    assert _codes(check_new_problem(empty, T, *known)) == [
        ("village_code", "missing_value"), ("department_code", "missing_value"),
        ("raised_on", "missing_value"), ("category", "missing_value"),
        ("description", "missing_value")]
    late = good | {"raised_on": date(2026, 11, 29), "due_date": date(2026, 11, 1),
                   "village_code": "V9", "resident": "张\x00三"}
    assert _codes(check_new_problem(late, T, *known)) == [
        ("village_code", "unknown_village"), ("resident", "control_character"),
        ("raised_on", "future_date"), ("due_date", "due_before_raised")]
