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


def compute_village_status(
    villages: pd.DataFrame,
    pairings: pd.DataFrame,
    visits: pd.DataFrame,
    departments: pd.DataFrame,
    as_of: date,
    window_days: int,
) -> pd.DataFrame:
    """Return each village's pairing and visit status at ``as_of``.

    Parameters
    ----------
    villages : DataFrame
        ``code`` (and optionally ``short_name``, ``parent_code``).
    pairings, visits, departments : DataFrame
        As loaded by ``geo.store``.
    as_of : datetime.date
        ``T``.
    window_days : int
        ``W``.

    Returns
    -------
    DataFrame
        Indexed by village code: ``paired`` (bool), ``departments`` (names of the
        departments actively paired, a list), ``visits_in_window`` (int), ``visited``
        (bool: a visit in the window by any department), ``last_visit`` (date or None),
        ``days_since_last_visit`` (Int64, null when never visited) and ``status``
        (one of ``STATUSES``: never visited, else unpaired, else paired but not visited
        in the window, else served).
    """
    codes = pd.Index(villages["code"], name="code")
    active = active_pairings(pairings, as_of)
    names = departments.set_index("code")["name"]
    paired_names = (
        active.assign(name=active["department_code"].map(names).fillna(active["department_code"]))
        .sort_values(["village_code", "department_code"])
        .groupby("village_code")["name"]
        .agg(list)
    )
    past = visits[visits["date"] <= as_of]
    in_window = past[past["date"] > window_start(as_of, window_days)]
    counts = in_window.groupby("village_code").size()
    last = past.groupby("village_code")["date"].max()

    frame = pd.DataFrame(index=codes)
    frame["paired"] = codes.isin(active["village_code"])
    frame["departments"] = [paired_names.get(code, []) for code in codes]
    frame["visits_in_window"] = counts.reindex(codes, fill_value=0).astype(int).to_numpy()
    frame["visited"] = frame["visits_in_window"] > 0
    frame["last_visit"] = [last.get(code) for code in codes]
    frame["days_since_last_visit"] = pd.array(
        [None if d is None or pd.isna(d) else (as_of - d).days for d in frame["last_visit"]],
        dtype="Int64",
    )
    never = frame["last_visit"].isna()
    frame["status"] = STATUS_SERVED
    frame.loc[~frame["visited"], "status"] = STATUS_NOT_VISITED
    frame.loc[~frame["paired"], "status"] = STATUS_UNPAIRED
    frame.loc[never, "status"] = STATUS_NEVER_VISITED
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
