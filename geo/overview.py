"""The overview: everything the first page shows, computed from frames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import pandas as pd

from geo.metrics import (
    OverviewKpis,
    compute_overview_kpis,
    compute_village_status,
)


@dataclass(frozen=True)
class Overview:
    """KPIs now and one window earlier, and each village's coverage and status."""

    as_of: date
    window_days: int
    kpis: OverviewKpis
    previous: OverviewKpis
    status: pd.DataFrame


def build_overview(
    villages: gpd.GeoDataFrame,
    pairings: pd.DataFrame,
    visits: pd.DataFrame,
    departments: pd.DataFrame,
    as_of: date,
    window_days: int,
    neglect_days: int | None = None,
) -> Overview:
    """Compute the overview at ``as_of`` and, for the KPI deltas, at ``as_of - W``."""
    status = compute_village_status(villages, pairings, visits, departments, as_of, window_days,
                                    neglect_days)
    previous_as_of = as_of - timedelta(days=window_days)
    previous = compute_village_status(villages, pairings, visits, departments, previous_as_of,
                                      window_days, neglect_days)
    return Overview(
        as_of=as_of,
        window_days=window_days,
        kpis=compute_overview_kpis(status, villages),
        previous=compute_overview_kpis(previous, villages),
        status=status,
    )
