"""Reports over the stored data: load what the metrics need, compute, shape for output.

The command line and the pages call these, so both show the same numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from geo import coverage, store
from geo.access import User
from geo.errors import DataError
from geo.inputs import CoverageInputs
from geo.period import Period
from geo.problem_service import metric_problems
from geo.problems import DEPARTMENT_FIELDS, problems_report
from geo.records import metric_visits


def load_coverage_inputs(engine: Engine, actor: User, period: Period, neglect_days: int,
                         county: str | None = None) -> CoverageInputs:
    """Load the villages, pairings, visits and problems up to ``T`` (without private
    columns) as the inputs of ``period`` with the neglect threshold ``neglect_days``;
    with ``county`` (its code) only that county's villages and their records, read in
    SQL (``county_villages``), so that the need index is scaled over the county's
    villages."""
    villages = county_villages(engine, county)
    pairings = store.load_pairings(engine, county)
    visits = metric_visits(engine, actor, period.as_of, county)
    problems = metric_problems(engine, actor, period.as_of, county)
    return CoverageInputs.for_period(villages=villages, pairings=pairings, visits=visits,
                                     period=period, neglect_days=neglect_days,
                                     problems=problems)


def county_villages(engine: Engine, county: str | None) -> pd.DataFrame:
    """The villages of ``county`` (a 6-digit code; None: every village), read in SQL.

    Raises
    ------
    DataError
        ``plan_unknown_county``: ``county`` is not 6 digits or holds no village (a
        shorter code would be a city's or a province's prefix).
    """
    if county is None:
        return store.load_villages(engine)
    villages = store.load_villages(engine, county) if is_county_code(county) else None
    if villages is None or villages.empty:
        raise DataError("plan_unknown_county", code=county)
    return villages.reset_index(drop=True)


def is_county_code(code: str) -> bool:
    """Whether ``code`` has the form of a county's code (6 digits)."""
    return len(code) == coverage.COUNTY_CODE_LENGTH and code.isascii() and code.isdigit()


def coverage_report(inputs: CoverageInputs, townships: pd.DataFrame,
                    neglected_only: bool = False) -> dict[str, Any]:
    """Return DESIGN.md's ``report coverage`` (or ``report neglected``) object."""
    build = coverage.neglected_report if neglected_only else coverage.coverage_report
    return build(inputs, townships)


def village_rows(report: dict[str, Any]) -> pd.DataFrame:
    """Return a report's villages as a table (reasons joined with ``;``) for CSV."""
    frame = pd.DataFrame(report["villages"], columns=[
        "code", "name", "township_code", "paired", "visits_in_window", "last_visit",
        "days_since_last_visit", "reasons", "need", "priority"])
    frame["reasons"] = frame["reasons"].map(";".join)
    frame["days_since_last_visit"] = frame["days_since_last_visit"].astype("Int64")
    return frame


def load_problems_report(engine: Engine, actor: User, period: Period,
                         county: str | None = None) -> dict[str, Any]:
    """Return DESIGN.md's ``report problems`` object for ``period`` (every role: figures
    and codes, no resident or description); with ``county`` (its code) only that
    county's villages and their problems and its departments (``county_code``), read
    in SQL."""
    villages = county_villages(engine, county)
    return problems_report(metric_problems(engine, actor, period.as_of, county), villages,
                           store.load_departments(engine, county), period)


def problem_department_rows(report: dict[str, Any]) -> pd.DataFrame:
    """A problems report's departments as a table for CSV."""
    return pd.DataFrame(report["departments"], columns=["code", "name", *DEPARTMENT_FIELDS])
