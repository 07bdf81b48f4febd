"""Coverage metrics, exactly as DESIGN.md's "Metric definitions" say.

Functions take frames and return frames or Series keyed by village code; no I/O. The
as-of date ``T`` and the window ``W`` (days; the window is ``T-W < date <= T``) are
always parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

STATUS_SERVED = "served"
STATUS_NOT_VISITED = "paired_not_visited"
STATUS_UNPAIRED = "unpaired"
STATUS_NEVER_VISITED = "never_visited"
# Legend order: the worst news first.
STATUSES = (STATUS_NEVER_VISITED, STATUS_UNPAIRED, STATUS_NOT_VISITED, STATUS_SERVED)


def window_start(as_of: date, window_days: int) -> date:
    """Return ``T - W``: the window holds dates strictly after it, up to ``T``."""
    return as_of - timedelta(days=window_days)


def active_pairings(pairings: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Return the pairings active at ``as_of``.

    Active means ``start_date <= T`` and (``end_date`` empty or ``end_date >= T``).
    """
    start = pairings["start_date"]
    end = pairings["end_date"]
    ended = end.notna() & (end.map(lambda d: d is not None and not pd.isna(d) and d < as_of))
    mask = (start <= as_of) & ~ended
    return pairings[mask.astype(bool)]


def active_department_names(pairings: pd.DataFrame, departments: pd.DataFrame,
                            as_of: date) -> pd.Series:
    """Return, per village code, the names of the departments actively paired at ``T``."""
    active = active_pairings(pairings, as_of)
    names = departments.set_index("code")["name"]
    return (
        active.assign(name=active["department_code"].map(names).fillna(active["department_code"]))
        .sort_values(["village_code", "department_code"])
        .groupby("village_code")["name"]
        .agg(list)
    )


def classify_status(coverage: pd.DataFrame) -> pd.Series:
    """Return each village's map status from ``compute_village_coverage`` output.

    Never visited, else unpaired, else paired but not visited in the window, else served.
    """
    status = pd.Series(STATUS_SERVED, index=coverage.index, name="status")
    status[~coverage["visited"].astype(bool)] = STATUS_NOT_VISITED
    status[~coverage["paired"].astype(bool)] = STATUS_UNPAIRED
    status[coverage["days_since_last_visit"].isna().to_numpy()] = STATUS_NEVER_VISITED
    return status


def compute_village_status(
    villages: pd.DataFrame,
    pairings: pd.DataFrame,
    visits: pd.DataFrame,
    departments: pd.DataFrame,
    as_of: date,
    window_days: int,
    neglect_days: int | None = None,
) -> pd.DataFrame:
    """Return each village's coverage plus its paired departments and map status.

    The coverage columns are ``geo.coverage.compute_village_coverage``'s (the single
    implementation of the metric definitions); ``neglect_days`` defaults to the window.
    Added: ``departments`` (names of the departments actively paired, a list) and
    ``status`` (one of ``STATUSES``, see ``classify_status``).
    """
    from geo.coverage import compute_village_coverage  # geo.coverage builds on this module

    frame = compute_village_coverage(villages, pairings, visits, as_of, window_days,
                                     neglect_days or window_days)
    frame.index.name = "code"
    names = active_department_names(pairings, departments, as_of)
    frame["departments"] = [names.get(code, []) for code in frame.index]
    frame["last_visit"] = [None if pd.isna(d) else d for d in frame["last_visit"]]
    frame["status"] = classify_status(frame)
    return frame


@dataclass(frozen=True)
class OverviewKpis:
    """The overview's headline numbers at one as-of date."""

    villages: int
    paired: int
    visited: int
    never_visited: int
    weak: int

    @property
    def paired_share(self) -> float | None:
        """Share of villages with an active pairing (None with no village)."""
        return self.paired / self.villages if self.villages else None

    @property
    def visited_share(self) -> float | None:
        """Share of villages visited in the window (None with no village)."""
        return self.visited / self.villages if self.villages else None


def compute_overview_kpis(status: pd.DataFrame, villages: pd.DataFrame) -> OverviewKpis:
    """Return the KPI numbers of ``status`` (from ``compute_village_status``)."""
    weak = villages.set_index("code")["weak"].reindex(status.index).fillna(False)
    return OverviewKpis(
        villages=len(status),
        paired=int(status["paired"].sum()),
        visited=int(status["visited"].sum()),
        never_visited=int(status["last_visit"].isna().sum()),
        weak=int(weak.astype(bool).sum()),
    )


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """Return the number of villages of each status, in legend order (zeros kept)."""
    counts = status["status"].value_counts()
    return {name: int(counts.get(name, 0)) for name in STATUSES}
