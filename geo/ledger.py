"""The problem ledger page's table (诉求台账): which problems are open or were closed
lately, by village and department, and the checks of its forms.

Pure functions, no I/O, no clock (``T`` is a parameter). The rows are what
``geo.problem_service.problems_for`` returned to the reader (a leader's without the
``resident`` column); the figures are ``geo.problems``' own, so that the page's counts
are those of ``report problems``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.period import Period
from geo.problem_rules import check_problems, split_codes
from geo.problems import problem_flags
from geo.schema import CLOSED_PROBLEM_STATUSES
from geo.visit_rules import RuleFailure

LEDGER_COLUMNS = ("id", "village", "township", "department", "status", "overdue_days",
                  "age_days", "category", "description", "co_department_names", "raised_on",
                  "due_date", "resolved_on", "satisfaction", "resident")
"""The ledger's columns as shown, in order: where and who, then the state (in view on a
1280×720 screen), then the rest (``resident`` only where the reader may see it)."""


def ledger_table(problems: pd.DataFrame, villages: pd.DataFrame, townships: pd.DataFrame,
                 departments: pd.DataFrame, period: Period, separator: str = ", "
                 ) -> pd.DataFrame:
    """The problems open at ``T`` or closed in the window (``T-W < resolved_on <= T``),
    with names beside the codes and each one's state.

    Parameters
    ----------
    problems : DataFrame
        Problem rows (``problems_for``), ``resident`` optional.
    villages, townships : DataFrame
        ``code``, ``short_name`` and (villages) ``parent_code``.
    departments : DataFrame
        ``code`` and ``name``.
    period : Period
    separator : str
        Between the names of co-departments (the language's list separator).

    Returns
    -------
    DataFrame
        The problem's own columns and ``village``, ``township_code``, ``township``,
        ``department``, ``co_department_names``, ``open``, ``overdue``, ``closed`` (in
        the window), ``age_days`` (open ones) and ``overdue_days`` (``T - due_date`` of
        overdue ones); open problems first, the longest waiting first, then the closed
        ones, the latest closed first.
    """
    flags = problem_flags(problems, period)
    shown = (flags["open"] | flags["closed"]).to_numpy()
    table = problems.loc[shown].copy()
    flags = flags.loc[shown]
    village_names = villages.set_index("code")["short_name"]
    township_of = villages.set_index("code")["parent_code"]
    township_names = townships.set_index("code")["short_name"]
    names = departments.set_index("code")["name"]
    due = pd.to_datetime(pd.Series(table["due_date"].to_numpy(dtype=object)), errors="coerce")
    late = (pd.Timestamp(period.as_of) - due).dt.days.to_numpy()
    overdue = flags["overdue"].to_numpy()
    table = table.assign(
        village=table["village_code"].map(village_names),
        township_code=table["village_code"].map(township_of),
        department=table["department_code"].map(names),
        co_department_names=table["co_departments"].map(
            lambda text: separator.join(str(names.get(code, code))
                                        for code in split_codes(text)) or None),
        open=flags["open"], overdue=flags["overdue"], closed=flags["closed"],
        age_days=flags["age_days"],
        overdue_days=pd.Series(late, index=table.index, dtype="float64").where(
            overdue).astype("Int64"))
    table["township"] = table["township_code"].map(township_names)
    waiting = table[table["open"]].sort_values(["raised_on", "id"])
    closed = table[~table["open"]].sort_values(["resolved_on", "id"], ascending=False)
    return pd.concat([waiting, closed], ignore_index=True)


def filter_ledger(table: pd.DataFrame, status: str | None = None,
                  department_code: str | None = None, township_code: str | None = None,
                  category: str | None = None, overdue_only: bool = False) -> pd.DataFrame:
    """Keep the rows of ``ledger_table`` with that (current) status, responsible
    department, township and category (None keeps all); with ``overdue_only`` only the
    overdue ones."""
    keep = np.ones(len(table), dtype=bool)
    for column, wanted in (("status", status), ("department_code", department_code),
                           ("township_code", township_code), ("category", category)):
        if wanted is not None:
            keep &= (table[column] == wanted).to_numpy()
    if overdue_only:
        keep &= table["overdue"].to_numpy(dtype=bool)
    return table[keep].reset_index(drop=True)


@dataclass(frozen=True)
class LedgerCounts:
    """What the list holds: ``open`` problems at ``T`` (``overdue`` among them) and those
    closed in the window, ``resolved`` or ``closed_unresolved``; ``listed`` is their
    sum."""

    listed: int
    open: int
    overdue: int
    resolved: int
    closed_unresolved: int


def ledger_counts(table: pd.DataFrame) -> LedgerCounts:
    """Count the rows of a (filtered) ``ledger_table``."""
    closed = table["closed"].to_numpy(dtype=bool) & ~table["open"].to_numpy(dtype=bool)
    status = table["status"].to_numpy(dtype=object)
    return LedgerCounts(listed=len(table), open=int(table["open"].sum()),
                        overdue=int(table["overdue"].sum()),
                        resolved=int((closed & (status == "resolved")).sum()),
                        closed_unresolved=int((closed & (status == "closed_unresolved")
                                               ).sum()))


def check_closing(raised_on: date, status: str, resolved_on: date | None, resolution: str,
                  satisfaction: str | None, today: date) -> list[RuleFailure]:
    """Check the closing form of a problem raised on ``raised_on``: every broken rule of
    ``geo.problem_rules`` (a closing date, not before the day raised nor after ``today``;
    a known rating), and a resolution, which the form requires (``missing_value``)."""
    row = {"raised_on": raised_on, "status": status, "resolved_on": resolved_on,
           "resolution": resolution.strip() or None, "satisfaction": satisfaction}
    failures = check_problems(pd.DataFrame([row]), today)
    if status in CLOSED_PROBLEM_STATUSES and not resolution.strip():
        failures.append(RuleFailure(0, "resolution", "missing_value", None, {}))
    return failures


def check_new_problem(row: dict[str, object], today: date, known_villages: list[str],
                      known_departments: list[str]) -> list[RuleFailure]:
    """Check a new problem as the form holds it (``village_code``, ``department_code``,
    ``category``, ``description``, ``resident``, ``raised_on``, ``due_date``; a choice
    not made is None): every broken rule of ``geo.problem_rules`` at once, a missing
    village, department or date as ``missing_value``."""
    failures = [RuleFailure(0, name, "missing_value", None, {})
                for name in ("village_code", "department_code", "raised_on")
                if row.get(name) is None]
    given = {name: value for name, value in row.items()
             if not (value is None and name in ("village_code", "department_code"))}
    if given.get("raised_on") is None:
        given.pop("due_date", None)
        given.pop("raised_on", None)
    return failures + [failure for failure in check_problems(
        pd.DataFrame([given]), today,
        known_villages if "village_code" in given else None,
        known_departments if "department_code" in given else None)
        if failure.code != "missing_value" or failure.field != "raised_on"]
