"""Reports over the stored data: load what the metrics need, compute, shape for output.

The command line and the pages call these, so both show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo import coverage, store
from geo.access import User
from geo.errors import DataError
from geo.records import metric_visits


@dataclass(frozen=True)
class Period:
    """The as-of date ``T`` and window ``W`` of a report."""

    as_of: date
    window_days: int

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        """The period from ``start`` to ``end``, both included (e.g. a calendar year)."""
        if end < start:
            raise DataError("period_reversed", start=start.isoformat(), end=end.isoformat())
        return cls(as_of=end, window_days=(end - start).days + 1)

    @property
    def start(self) -> date:
        """The first day inside the window."""
        return self.as_of - timedelta(days=self.window_days - 1)


@dataclass(frozen=True)
class CoverageInputs:
    """The frames the coverage metrics read."""

    villages: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    pairings: pd.DataFrame
    visits: pd.DataFrame


def load_coverage_inputs(engine: Engine, actor: User, until: date | None = None
                         ) -> CoverageInputs:
    """Load villages, townships, pairings and visits (without private columns)."""
    return CoverageInputs(
        villages=store.load_villages(engine),
        townships=store.load_townships(engine),
        pairings=store.load_pairings(engine),
        visits=metric_visits(engine, actor, until),
    )


def coverage_report(inputs: CoverageInputs, period: Period, neglect_days: int,
                    neglected_only: bool = False) -> dict[str, Any]:
    """Return DESIGN.md's ``report coverage`` (or ``report neglected``) object."""
    build = coverage.neglected_report if neglected_only else coverage.coverage_report
    return build(inputs.villages, inputs.townships, inputs.pairings, inputs.visits,
                 period.as_of, period.window_days, neglect_days)


def village_rows(report: dict[str, Any]) -> pd.DataFrame:
    """Return a report's villages as a table (reasons joined with ``;``) for CSV."""
    frame = pd.DataFrame(report["villages"], columns=[
        "code", "name", "township_code", "paired", "visits_in_window", "last_visit",
        "days_since_last_visit", "reasons", "need", "priority"])
    frame["reasons"] = frame["reasons"].map(";".join)
    frame["days_since_last_visit"] = frame["days_since_last_visit"].astype("Int64")
    return frame
