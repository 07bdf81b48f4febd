"""The overview: everything the first page shows, computed from frames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.inputs import CoverageInputs
from geo.period import window_start
from geo.status import compute_village_status


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
    """Return the KPI numbers of ``status`` (from ``geo.status.compute_village_status``)."""
    weak = villages.set_index("code")["weak"].reindex(status.index).fillna(False)
    return OverviewKpis(
        villages=len(status),
        paired=int(status["paired"].sum()),
        visited=int(status["visited"].sum()),
        never_visited=int(status["last_visit"].isna().sum()),
        severe=int(status["severe"].sum()),
        weak=int(weak.astype(bool).sum()),
    )


@dataclass(frozen=True)
class Overview:
    """KPIs now and one window earlier, and each village's coverage and status."""

    as_of: date
    window_days: int
    kpis: OverviewKpis
    previous: OverviewKpis
    status: pd.DataFrame


def build_overview(inputs: CoverageInputs, departments: pd.DataFrame) -> Overview:
    """Compute the overview at ``T`` and, for the KPI deltas, at ``T - W``."""
    status = compute_village_status(inputs, departments)
    previous = compute_village_status(
        inputs.at(window_start(inputs.as_of, inputs.window_days)), departments)
    return Overview(
        as_of=inputs.as_of,
        window_days=inputs.window_days,
        kpis=compute_overview_kpis(status, inputs.villages),
        previous=compute_overview_kpis(previous, inputs.villages),
        status=status,
    )
