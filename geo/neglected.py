"""The neglected villages table: who, where, why, how urgent."""

from __future__ import annotations

import pandas as pd

from geo.coverage import REASONS, order_neglected


def build_neglected_table(status: pd.DataFrame, townships: pd.DataFrame) -> pd.DataFrame:
    """Return the neglected villages in DESIGN.md's order, ready to show or export.

    Parameters
    ----------
    status : DataFrame
        ``geo.metrics.compute_village_status`` output (coverage plus ``departments``).

    Returns
    -------
    DataFrame
        ``code, village, township_code, township, reasons`` (Chinese labels joined with
        ``、``), ``reason_codes`` (list), ``days_since_last_visit``, ``priority``, ``need``,
        ``departments`` (names joined with ``、``).
    """
    listed = order_neglected(status)
    towns = townships.set_index("code")["short_name"]
    return pd.DataFrame({
        "code": listed.index,
        "village": listed["name"].to_numpy(),
        "township_code": listed["township_code"].to_numpy(),
        "township": listed["township_code"].map(towns).to_numpy(),
        "reasons": ["、".join(REASONS[r][1] for r in codes) for codes in listed["reasons"]],
        "reason_codes": list(listed["reasons"]),
        "days_since_last_visit": listed["days_since_last_visit"].to_numpy(),
        "priority": listed["priority"].round(3).to_numpy(),
        "need": listed["need"].round(3).to_numpy(),
        "departments": ["、".join(d) for d in status.loc[listed.index, "departments"]],
    })


def filter_neglected(table: pd.DataFrame, township_code: str | None = None,
                     reason: str | None = None) -> pd.DataFrame:
    """Keep one township's rows and/or those with one reason code (None keeps all)."""
    if township_code:
        table = table[table["township_code"] == township_code]
    if reason:
        table = table[table["reason_codes"].map(lambda codes: reason in codes)]
    return table.reset_index(drop=True)
