"""The neglected villages table: who, where, why, how urgent; severe ones first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.coverage import order_neglected
from geo.i18n import DEFAULT_LANG, translate

SEVERE, GENERAL = "severe", "general"
"""The two groups of the neglected page: 严重 (a severe reason) and 一般 (the rest)."""


def joined(items: list[str], lang: str = DEFAULT_LANG) -> str:
    """``items`` as one list in ``lang``: "甲、乙" or "A, B"."""
    return translate("list.separator", lang).join(items)


def reasons_text(codes: list[str], lang: str = DEFAULT_LANG) -> str:
    """The labels of the reason ``codes`` (``geo.coverage.REASONS``) as one list in
    ``lang``: "未结对、从未走访", "unpaired, never visited"."""
    return joined([translate(f"reason.{code}", lang) for code in codes], lang)


def _shortfall_text(shortfalls: list[tuple[str, list[str]]], names: pd.Series,
                    lang: str) -> str:
    """"县公安局：2026-05、2026-06；…" — the months each paired department fell short."""
    return translate("list.separator.long", lang).join(
        translate("neglected.shortfall", lang, department=names.get(code, code),
                  months=joined(months, lang))
        for code, months in shortfalls)


def build_neglected_table(status: pd.DataFrame, townships: pd.DataFrame,
                          departments: pd.DataFrame | None = None,
                          lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Return the neglected villages, severe first, each group in DESIGN.md's order.

    Parameters
    ----------
    status : DataFrame
        ``geo.status.compute_village_status`` output (coverage plus ``departments``).
    townships : DataFrame
        ``code`` and ``short_name``.
    departments : DataFrame, optional
        ``code`` and ``name``, to name the departments that fell short (codes without).
    lang : str
        The language of the reasons and of the lists' separators.

    Returns
    -------
    DataFrame
        ``code, village, township_code, township``, ``group`` (``SEVERE`` or
        ``GENERAL``), ``reasons`` (their labels in ``lang``, as one list), ``reason_codes``
        (list), ``days_since_last_visit``, ``open_problems`` (problems raised minus
        resolved over the window's visits, 0 when negative), ``shortfalls`` (the
        departments and months below the required visits), ``priority``, ``need``,
        ``departments`` (the names as one list).
    """
    listed = order_neglected(status)
    # Severe first, in DESIGN.md's order within each group (a priority tie between a
    # severe village and a general one cannot mix them).
    listed = listed.iloc[np.argsort(~listed["severe"].to_numpy(dtype=bool), kind="stable")]
    towns = townships.set_index("code")["short_name"]
    names = (pd.Series(dtype=object) if departments is None
             else departments.set_index("code")["name"])
    return pd.DataFrame({
        "code": listed.index,
        "village": listed["name"].to_numpy(),
        "township_code": listed["township_code"].to_numpy(),
        "township": listed["township_code"].map(towns).to_numpy(),
        "group": [SEVERE if severe else GENERAL for severe in listed["severe"]],
        "reasons": [reasons_text(codes, lang) for codes in listed["reasons"]],
        "reason_codes": list(listed["reasons"]),
        "days_since_last_visit": listed["days_since_last_visit"].to_numpy(),
        "open_problems": listed["problems_pending"].to_numpy(),
        "shortfalls": [_shortfall_text(s, names, lang) for s in listed["shortfalls"]],
        "priority": listed["priority"].round(3).to_numpy(),
        "need": listed["need"].round(3).to_numpy(),
        "departments": [joined(d, lang) for d in status.loc[listed.index, "departments"]],
    })


def filter_neglected(table: pd.DataFrame, township_code: str | None = None,
                     reason: str | None = None, group: str | None = None) -> pd.DataFrame:
    """Keep one township's rows, those with one reason code and/or one group (None keeps
    all)."""
    if township_code:
        table = table[table["township_code"] == township_code]
    if reason:
        table = table[table["reason_codes"].map(lambda codes: reason in codes)]
    if group:
        table = table[table["group"] == group]
    return table.reset_index(drop=True)
