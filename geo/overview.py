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
    """KPIs now and one window earlier, each village's status, never-visited villages."""

    as_of: date
    window_days: int
    kpis: OverviewKpis
    previous: OverviewKpis
    status: pd.DataFrame
    never_visited: pd.DataFrame


def build_overview(
    villages: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    pairings: pd.DataFrame,
    visits: pd.DataFrame,
    departments: pd.DataFrame,
    as_of: date,
    window_days: int,
) -> Overview:
    """Compute the overview at ``as_of`` and, for the KPI deltas, at ``as_of - W``.

    Returns
    -------
    Overview
        ``never_visited`` has columns ``code, village, township, departments`` (names
        joined with ``、``), in code order.
    """
    status = compute_village_status(villages, pairings, visits, departments, as_of, window_days)
    previous_as_of = as_of - timedelta(days=window_days)
    previous = compute_village_status(villages, pairings, visits, departments, previous_as_of,
                                      window_days)
    towns = townships.set_index("code")["short_name"]
    units = villages.set_index("code")
    never = status[status["last_visit"].isna()]
    table = pd.DataFrame(
        {
            "code": never.index,
            "village": units.loc[never.index, "short_name"].to_numpy(),
            "township": units.loc[never.index, "parent_code"].map(towns).to_numpy(),
            "departments": ["、".join(d) for d in never["departments"]],
        }
    )
    return Overview(
        as_of=as_of,
        window_days=window_days,
        kpis=compute_overview_kpis(status, villages),
        previous=compute_overview_kpis(previous, villages),
        status=status,
        never_visited=table,
    )
