"""Coverage metrics, exactly as DESIGN.md's "Metric definitions" say.

Functions take frames and return frames or Series keyed by village code; no I/O. The
as-of date ``T`` and the window ``W`` (days; the window is ``T-W < date <= T``) are
always parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

STATUS_PAIRED_VISITED = "paired_visited"  # 已结对·近期有走访
STATUS_PAIRED_LAPSED = "paired_lapsed"  # 已结对·超期未走访: visited before the window only
STATUS_PAIRED_NEVER = "paired_never"  # 已结对·从未走访
STATUS_UNPAIRED_VISITED = "unpaired_visited"  # 未结对·近期有走访
STATUS_UNPAIRED_NOT_VISITED = "unpaired_not_visited"  # 未结对·近期无走访 (hatched if never)
STATUSES = (STATUS_PAIRED_VISITED, STATUS_PAIRED_LAPSED, STATUS_PAIRED_NEVER,
            STATUS_UNPAIRED_VISITED, STATUS_UNPAIRED_NOT_VISITED)
"""DESIGN.md's map status classes, in legend order. The three paired classes add up to
the paired villages, the two "近期有走访" classes to the visited ones, and the never
visited are ``paired_never`` plus the hatched ``unpaired_not_visited``."""
PAIRED_STATUSES = STATUSES[:3]
VISITED_STATUSES = (STATUS_PAIRED_VISITED, STATUS_UNPAIRED_VISITED)


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
    """Return each village's map status (one of ``STATUSES``) from
    ``compute_village_coverage`` output: paired or not, then visited in the window, before
    it only, or never."""
    paired = coverage["paired"].to_numpy(dtype=bool)
    visited = coverage["visited"].to_numpy(dtype=bool)
    never = coverage["days_since_last_visit"].isna().to_numpy()
    status = np.select(
        [paired & visited, paired & never, paired, visited],
        [STATUS_PAIRED_VISITED, STATUS_PAIRED_NEVER, STATUS_PAIRED_LAPSED,
         STATUS_UNPAIRED_VISITED],
        default=STATUS_UNPAIRED_NOT_VISITED)
    return pd.Series(status, index=coverage.index, name="status", dtype=object)


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
    severe: int
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
        severe=int(status["severe"].sum()),
        weak=int(weak.astype(bool).sum()),
    )


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """Return the number of villages of each status, in legend order (zeros kept)."""
    counts = status["status"].value_counts()
    return {name: int(counts.get(name, 0)) for name in STATUSES}


def hatched(status: pd.DataFrame) -> pd.Series:
    """Whether each village is drawn hatched: unpaired and never visited."""
    return ((status["status"] == STATUS_UNPAIRED_NOT_VISITED)
            & status["days_since_last_visit"].isna()).rename("hatched")
