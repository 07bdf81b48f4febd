"""The township comparison (乡镇对比): which townships are weakest, from the same roll-up as
``python -m geo report coverage``."""

from __future__ import annotations

import pandas as pd

from geo.coverage import compute_township_rollup

TOWNSHIP_COLUMNS = ["code", "township", "villages", "paired_share", "visited_share",
                    "never_visited", "severe", "neglected", "visits_per_1000"]


def build_township_table(status: pd.DataFrame, villages: pd.DataFrame,
                         townships: pd.DataFrame, keys: pd.Series | None = None
                         ) -> pd.DataFrame:
    """Return one row per township (or per unit of ``keys``) with villages, worst first.

    Parameters
    ----------
    status : DataFrame
        ``geo.status.compute_village_status`` output.
    villages, townships : DataFrame
        As loaded by ``geo.store`` (villages for ``population``).
    keys : Series, optional
        The unit of each village (a county), by village code, to compare instead of
        townships; ``townships`` then holds those units' ``code`` and ``short_name``.

    Returns
    -------
    DataFrame
        ``TOWNSHIP_COLUMNS``: the roll-up's figures (shares in [0, 1]; visits in the
        window per 1,000 residents, NaN without population). Worst first: the largest
        share of villages needing attention for a severe reason, then the lowest visited
        share, then the lowest paired share, then code.
    """
    rollup = compute_township_rollup(status, villages, townships, keys)
    rollup = rollup[rollup["villages"] > 0].reset_index()
    severe_share = rollup["severe"] / rollup["villages"]
    order = (rollup.assign(_severe=-severe_share)
             .sort_values(["_severe", "visited_share", "paired_share", "code"],
                          kind="mergesort").index)
    table = rollup.loc[order].rename(columns={"name": "township"})
    return table[TOWNSHIP_COLUMNS].reset_index(drop=True)
