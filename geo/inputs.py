"""What the coverage metrics read, as one typed object, and the columns they require.

``CoverageInputs`` carries the villages, pairings, visits and problems (frames as
``geo.store`` loads them) with the as-of date ``T``, the window ``W`` and the neglect
threshold ``N`` (DESIGN.md's "Metric definitions"). A required column that is missing raises
``DataError("missing_input_column")``; missing *values* follow the definitions (a
missing figure counts as 0, a missing ``required_visits_per_month`` as 1, …).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.errors import DataError
from geo.period import Period

NEED_COLUMNS = ("code", "population", "households", "left_behind_elderly",
                "low_income_households", "weak")
"""The village columns the need index reads."""
VILLAGE_COLUMNS = ("code", "short_name", "parent_code", *NEED_COLUMNS[1:])
PAIRING_COLUMNS = ("id", "department_code", "village_code", "start_date", "end_date",
                   "required_visits_per_month")
VISIT_COLUMNS = ("date", "department_code", "village_code", "problems_raised",
                 "problems_resolved")
PROBLEM_COLUMNS = ("village_code", "department_code", "raised_on", "due_date", "status",
                   "resolved_on", "satisfaction")
"""The problem columns the ledger's figures read (``geo.problems``)."""


def require_columns(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    """Raise ``DataError("missing_input_column")`` naming the first of ``columns`` that
    ``frame`` (called ``name``: villages, pairings, visits) lacks."""
    for column in columns:
        if column not in frame.columns:
            raise DataError("missing_input_column", frame=name, column=column)


@dataclass(frozen=True)
class CoverageInputs:
    """The frames and the period every coverage metric reads.

    Attributes
    ----------
    villages, pairings, visits : DataFrame
        As loaded by ``geo.store`` (visits without private columns will do); each must
        hold ``VILLAGE_COLUMNS``, ``PAIRING_COLUMNS`` and ``VISIT_COLUMNS``.
    as_of : datetime.date
        ``T``.
    window_days : int
        ``W``: the window is ``T-W < date <= T``.
    neglect_days : int
        ``N``: a village last visited ``N`` or more days before ``T`` is ``NOT_VISITED``.
    problems : DataFrame
        The problem ledger (``geo.store.load_problems``; ``resident`` not needed), with
        ``PROBLEM_COLUMNS``: an overdue problem makes its village ``OVERDUE_PROBLEM``.
        Required like the other frames (a county without problems passes
        ``geo.problems.empty_problems()``), so that no caller forgets the ledger unseen.
    """

    villages: pd.DataFrame
    pairings: pd.DataFrame
    visits: pd.DataFrame
    as_of: date
    window_days: int
    neglect_days: int
    problems: pd.DataFrame

    def __post_init__(self) -> None:
        require_columns(self.villages, "villages", VILLAGE_COLUMNS)
        require_columns(self.pairings, "pairings", PAIRING_COLUMNS)
        require_columns(self.visits, "visits", VISIT_COLUMNS)
        require_columns(self.problems, "problems", PROBLEM_COLUMNS)

    @classmethod
    def for_period(cls, villages: pd.DataFrame, pairings: pd.DataFrame,
                   visits: pd.DataFrame, period: Period, neglect_days: int,
                   problems: pd.DataFrame) -> CoverageInputs:
        """The inputs of ``period`` (its ``T`` and ``W``)."""
        return cls(villages, pairings, visits, period.as_of, period.window_days,
                   neglect_days, problems)

    @property
    def period(self) -> Period:
        """``T`` and ``W`` as a ``Period``."""
        return Period(self.as_of, self.window_days)

    def at(self, as_of: date) -> CoverageInputs:
        """The same frames, window and threshold at another as-of date."""
        return dataclasses.replace(self, as_of=as_of)


def concat_inputs(parts: list[CoverageInputs]) -> CoverageInputs:
    """One set of inputs from several of the same period and threshold, each of other
    villages (a county's: ``geo.reports.load_coverage_inputs(county=…)``), their frames
    one after another with a fresh index."""
    if not parts:
        raise ValueError("no inputs to combine")
    first = parts[0]
    if len(parts) == 1:
        return first

    def joined(name: str) -> pd.DataFrame:
        return pd.concat([getattr(part, name) for part in parts], ignore_index=True)

    return dataclasses.replace(first, villages=joined("villages"), pairings=joined("pairings"),
                               visits=joined("visits"), problems=joined("problems"))
