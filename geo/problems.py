"""The problem ledger's figures (群众诉求台账), exactly as DESIGN.md's "Problem ledger" says.

Pure functions: a frame of problems in, a Series aligned with its index (or a frame keyed
by department or village code) out; vectorised, no I/O, no clock (``T`` is always a
parameter). The problems frame is what ``geo.store.load_problems`` returns; it must hold
``PROBLEM_COLUMNS`` (else ``DataError("missing_input_column")``), dates as
``datetime.date`` (or timestamps) with None for an empty ``resolved_on``.

- **open at T**: ``raised_on <= T`` and (``resolved_on`` empty or ``resolved_on > T``);
- **overdue**: open at ``T`` and ``due_date < T``;
- **age**: ``T - raised_on`` for an open problem;
- **resolved in the window** (``T-W < resolved_on <= T``): status ``resolved`` only;
  **closed in the window**: ``resolved`` or ``closed_unresolved``;
- **satisfaction** of a department: (满意 + 0.5·基本满意) ÷ rated, over the problems it
  is responsible for that were closed in the window with a rating; null when none is.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.inputs import PROBLEM_COLUMNS, require_columns
from geo.period import Period, in_window
from geo.schema import CLOSED_PROBLEM_STATUSES
from geo.values import to_json

SATISFACTION_WEIGHTS: dict[str, float] = {"满意": 1.0, "基本满意": 0.5, "不满意": 0.0}
"""What each rating counts towards residents' satisfaction."""

DEPARTMENT_FIELDS = ("open", "overdue", "resolved", "median_days_to_resolve", "satisfaction")
"""A department's ledger figures, in DESIGN.md's order (``report problems``)."""
VILLAGE_FIELDS = ("open", "overdue", "oldest_open_days")
"""A village's ledger figures, in DESIGN.md's order."""


def empty_problems() -> pd.DataFrame:
    """A ledger with no problem (``PROBLEM_COLUMNS``): what a county without problems
    passes, explicitly, where problems are required."""
    return pd.DataFrame({name: pd.Series(dtype=object) for name in PROBLEM_COLUMNS})


def require_problem_columns(problems: pd.DataFrame) -> None:
    """Raise ``DataError("missing_input_column")`` naming the first column of
    ``PROBLEM_COLUMNS`` that ``problems`` lacks."""
    require_columns(problems, "problems", PROBLEM_COLUMNS)


def _days(values: pd.Series) -> np.ndarray:
    """Dates (or None) as ``datetime64[D]``, NaT for missing."""
    return pd.to_datetime(pd.Series(np.asarray(values, dtype=object)),
                          errors="coerce").to_numpy("datetime64[D]")


def _day(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def is_open(problems: pd.DataFrame, as_of: date) -> pd.Series:
    """Whether each problem is open at ``T``: raised on or before ``T`` and not closed by
    then (``resolved_on`` empty or after ``T``)."""
    require_problem_columns(problems)
    raised = _days(problems["raised_on"])
    closed = _days(problems["resolved_on"])
    today = _day(as_of)
    still = np.isnat(closed) | (closed > today)
    return pd.Series((raised <= today) & still, index=problems.index, name="open")


def is_overdue(problems: pd.DataFrame, as_of: date) -> pd.Series:
    """Whether each problem is overdue at ``T``: open and its due date before ``T`` (a
    problem due on ``T`` is not overdue yet)."""
    due = _days(problems["due_date"])
    overdue = is_open(problems, as_of).to_numpy() & (due < _day(as_of))
    return pd.Series(overdue, index=problems.index, name="overdue")


def age_days(problems: pd.DataFrame, as_of: date) -> pd.Series:
    """Days from ``raised_on`` to ``T`` of each open problem (Int64; null when closed or
    not yet raised at ``T``)."""
    raised = _days(problems["raised_on"])
    open_now = is_open(problems, as_of).to_numpy()
    days = (_day(as_of) - raised).astype("timedelta64[D]").astype("int64")
    age = pd.array(np.where(open_now, days, 0), dtype="Int64")
    age[~open_now] = pd.NA
    return pd.Series(age, index=problems.index, name="age_days")


def closed_in_window(problems: pd.DataFrame, period: Period) -> pd.Series:
    """Whether each problem was closed (``resolved`` or ``closed_unresolved``) with its
    ``resolved_on`` in the window ``T-W < resolved_on <= T``."""
    require_problem_columns(problems)
    closed = problems["status"].isin(CLOSED_PROBLEM_STATUSES).to_numpy(dtype=bool)
    inside = in_window(problems["resolved_on"], period.as_of, period.window_days)
    return pd.Series(closed & inside, index=problems.index, name="closed_in_window")


def resolved_in_window(problems: pd.DataFrame, period: Period) -> pd.Series:
    """Whether each problem was resolved (status ``resolved`` only) in the window."""
    resolved = (problems["status"] == "resolved").to_numpy(dtype=bool)
    inside = closed_in_window(problems, period).to_numpy()
    return pd.Series(resolved & inside, index=problems.index, name="resolved_in_window")


def days_to_resolve(problems: pd.DataFrame) -> pd.Series:
    """Days from ``raised_on`` to ``resolved_on`` (float; NaN while open)."""
    span = _days(problems["resolved_on"]) - _days(problems["raised_on"])
    days = span.astype("timedelta64[D]").astype("float64")
    days[np.isnat(span)] = np.nan
    return pd.Series(days, index=problems.index, name="days_to_resolve")


def satisfaction_points(problems: pd.DataFrame) -> pd.Series:
    """What each problem's rating counts (``SATISFACTION_WEIGHTS``; NaN when unrated)."""
    return problems["satisfaction"].map(SATISFACTION_WEIGHTS).astype("float64").rename(
        "satisfaction_points")


def problem_flags(problems: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Each problem's state in ``period``, aligned with ``problems``: ``open``,
    ``overdue``, ``age_days``, ``resolved`` (in the window), ``closed`` (in the
    window), ``days_to_resolve`` and ``satisfaction_points``."""
    as_of = period.as_of
    return pd.DataFrame({
        "open": is_open(problems, as_of),
        "overdue": is_overdue(problems, as_of),
        "age_days": age_days(problems, as_of),
        "resolved": resolved_in_window(problems, period),
        "closed": closed_in_window(problems, period),
        "days_to_resolve": days_to_resolve(problems),
        "satisfaction_points": satisfaction_points(problems),
    }, index=problems.index)


def department_problem_figures(problems: pd.DataFrame, department_codes: pd.Index | list,
                               period: Period) -> pd.DataFrame:
    """The ledger figures of each department (the responsible one) in ``period``.

    Parameters
    ----------
    problems : DataFrame
        ``PROBLEM_COLUMNS``.
    department_codes : Index or list
        The departments to report, in their order (a department without problems gets
        zeros and nulls; problems of other departments are left out).
    period : Period
        ``T`` and ``W``.

    Returns
    -------
    DataFrame
        Indexed by department code (``code``): ``open`` and ``overdue`` at ``T``,
        ``resolved`` (in the window, status ``resolved``), ``median_days_to_resolve``
        over those (the mean of the two middle values for an even count; NaN with
        none) and ``satisfaction`` ((满意 + 0.5·基本满意) ÷ rated over the problems
        closed in the window with a rating; NaN when none is rated).
    """
    index = pd.Index([str(code) for code in department_codes], name="code")
    flags = problem_flags(problems, period)
    flags["department_code"] = problems["department_code"].astype(str).to_numpy()
    groups = flags.groupby("department_code")
    counts = groups[["open", "overdue", "resolved"]].sum()
    resolved = flags[flags["resolved"]]
    median = resolved.groupby("department_code")["days_to_resolve"].median()
    rated = flags[flags["closed"] & flags["satisfaction_points"].notna()]
    satisfaction = rated.groupby("department_code")["satisfaction_points"].mean()
    out = pd.DataFrame({
        "open": counts["open"].reindex(index).fillna(0).astype("int64"),
        "overdue": counts["overdue"].reindex(index).fillna(0).astype("int64"),
        "resolved": counts["resolved"].reindex(index).fillna(0).astype("int64"),
        "median_days_to_resolve": median.reindex(index).astype("float64"),
        "satisfaction": satisfaction.reindex(index).astype("float64"),
    }, index=index)
    return out


def village_problem_figures(problems: pd.DataFrame, village_codes: pd.Index | list,
                            as_of: date) -> pd.DataFrame:
    """The ledger figures of each village at ``T``.

    Returns
    -------
    DataFrame
        Indexed by village code (``code``), in the order given: ``open``, ``overdue``
        (counts) and ``oldest_open_days`` (the age of its oldest open problem; Int64,
        null with none open).
    """
    index = pd.Index([str(code) for code in village_codes], name="code")
    frame = pd.DataFrame({
        "village_code": problems["village_code"].astype(str).to_numpy(),
        "open": is_open(problems, as_of).to_numpy(),
        "overdue": is_overdue(problems, as_of).to_numpy(),
        "age": age_days(problems, as_of).to_numpy(dtype="float64", na_value=np.nan),
    })
    groups = frame.groupby("village_code")
    counts = groups[["open", "overdue"]].sum()
    oldest = groups["age"].max()
    return pd.DataFrame({
        "open": counts["open"].reindex(index).fillna(0).astype("int64"),
        "overdue": counts["overdue"].reindex(index).fillna(0).astype("int64"),
        "oldest_open_days": oldest.reindex(index).astype("Float64").round().astype("Int64"),
    }, index=index)


def villages_with_overdue(problems: pd.DataFrame, village_codes: pd.Index, as_of: date
                          ) -> np.ndarray:
    """Whether each of ``village_codes`` has an overdue problem at ``T`` (a boolean array
    aligned with them): the neglect reason ``OVERDUE_PROBLEM``."""
    overdue = problems.loc[is_overdue(problems, as_of).to_numpy(), "village_code"]
    return np.asarray(pd.Index(village_codes).astype(str).isin(set(overdue.astype(str))),
                      dtype=bool)


def problem_totals(problems: pd.DataFrame, period: Period) -> dict[str, int]:
    """The county's ``open`` and ``overdue`` problems at ``T`` and those resolved in the
    window (``resolved_in_window``)."""
    flags = problem_flags(problems, period)
    return {"open": int(flags["open"].sum()), "overdue": int(flags["overdue"].sum()),
            "resolved_in_window": int(flags["resolved"].sum())}


def monthly_satisfaction(problems: pd.DataFrame, period: Period) -> pd.Series:
    """Residents' satisfaction of each department per calendar month (``YYYY-MM``) of the
    window: over the problems closed in that month's part of the window with a rating.

    Returns
    -------
    Series
        Indexed by (department code, month); (department, month) pairs without a rated
        problem are absent (their satisfaction is null).
    """
    flags = problem_flags(problems, period)
    rated = (flags["closed"] & flags["satisfaction_points"].notna()).to_numpy()
    month = pd.to_datetime(pd.Series(problems["resolved_on"].to_numpy(dtype=object)),
                           errors="coerce").dt.strftime("%Y-%m").to_numpy()
    frame = pd.DataFrame({
        "code": problems["department_code"].astype(str).to_numpy()[rated],
        "month": month[rated],
        "points": flags["satisfaction_points"].to_numpy()[rated],
    })
    return frame.groupby(["code", "month"])["points"].mean().rename("satisfaction")


def problems_report(problems: pd.DataFrame, villages: pd.DataFrame,
                    departments: pd.DataFrame, period: Period) -> dict:
    """DESIGN.md's ``report problems`` object.

    Parameters
    ----------
    problems : DataFrame
        ``PROBLEM_COLUMNS``.
    villages : DataFrame
        ``code`` and ``short_name``: every village is listed, in code order.
    departments : DataFrame
        ``code`` and ``name``: every department is listed, in code order.
    period : Period

    Returns
    -------
    dict
        ``{"as_of", "window_days", "totals": {"open", "overdue", "resolved_in_window"},
        "departments": [{"code", "name", "open", "overdue", "resolved",
        "median_days_to_resolve", "satisfaction"}], "villages": [{"code", "name", "open",
        "overdue", "oldest_open_days"}]}`` (nulls as None).
    """
    department_rows = departments.sort_values("code")
    figures = department_problem_figures(problems, department_rows["code"], period)
    village_rows = villages.sort_values("code")
    places = village_problem_figures(problems, village_rows["code"], period.as_of)

    def rows(frame: pd.DataFrame, names: pd.Series, fields: tuple[str, ...]) -> list[dict]:
        return [{"code": code, "name": to_json(name),
                 **{field: to_json(value) for field, value in zip(fields, values,
                                                                   strict=True)}}
                for code, name, values in zip(frame.index, names,
                                              frame[list(fields)].itertuples(
                                                  index=False, name=None), strict=True)]

    return {
        "as_of": period.as_of.isoformat(),
        "window_days": int(period.window_days),
        "totals": problem_totals(problems, period),
        "departments": rows(figures, department_rows["name"], DEPARTMENT_FIELDS),
        "villages": rows(places, village_rows["short_name"], VILLAGE_FIELDS),
    }


def overdue_villages(problems: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The villages of the overdue problems in ``problems`` at ``T`` (a liaison's
    banner), longest overdue first (then by village code).

    Returns
    -------
    DataFrame
        ``village_code``, ``overdue`` (its overdue problems) and ``days_overdue`` (days
        from the earliest missed due date to ``T``; at least 1, since a problem due on
        ``T`` is not overdue yet).
    """
    overdue = problems.loc[is_overdue(problems, as_of).to_numpy()]
    late = (_day(as_of) - _days(overdue["due_date"])).astype("timedelta64[D]").astype("int64")
    frame = pd.DataFrame({"village_code": overdue["village_code"].astype(str).to_numpy(),
                          "days": late})
    grouped = frame.groupby("village_code").agg(overdue=("days", "size"),
                                                days_overdue=("days", "max"))
    return grouped.reset_index().sort_values(
        ["days_overdue", "village_code"], ascending=[False, True], ignore_index=True
    ).astype({"overdue": "int64", "days_overdue": "int64"})
