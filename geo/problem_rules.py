"""The rules a problem obeys, once for the ledger's service functions and its import.

Rows are typed (dates as ``datetime.date`` or timestamps, text in normal form); every
broken rule comes back as a ``geo.visit_rules.RuleFailure`` (position, field, stable
code whose sentence is ``issue.<code>`` in the catalogue), vectorised over the frame.
The import (``geo.io.prepare``) turns failures into issues on spreadsheet rows; the
service (``geo.problem_service``) refuses a problem with its first failure.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import pandas as pd

from geo import schema
from geo.schema import (
    CLOSED_PROBLEM_STATUSES,
    PROBLEM_CATEGORIES,
    PROBLEM_STATUSES,
    SATISFACTION_RATINGS,
)
from geo.visit_rules import CONTROL_CHARACTERS, RuleFailure

TEXT_LIMITS = {"resident": schema.problems.c.resident.type.length,
               "record_id": schema.problems.c.record_id.type.length}
"""The longest text of the ledger's short fields (their database columns' lengths)."""
FREE_TEXT_FIELDS = ("description", "resident", "resolution", "record_id", "co_departments")


def split_codes(text: object) -> list[str]:
    """``"XS001; XS002"`` → ``["XS001", "XS002"]`` (empty parts dropped, order kept,
    repeats once)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    parts = [part.strip() for part in str(text).replace("；", ";").split(";")]
    return list(dict.fromkeys(part for part in parts if part))


def _days(values: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.Series(values.to_numpy(dtype=object)), errors="coerce")


def _add(failures: list[RuleFailure], mask: np.ndarray, frame: pd.DataFrame, name: str,
         code: str, values: pd.Series | None = None, **params: object) -> None:
    shown = frame[name] if values is None and name in frame else values
    for position in np.flatnonzero(mask):
        value = None if shown is None else shown.iloc[position]
        if isinstance(value, pd.Timestamp):
            value = value.date().isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        row = {key: (item[position] if isinstance(item, np.ndarray) else item)
               for key, item in params.items()}
        failures.append(RuleFailure(int(position), name, code, value, row))


def check_problems(frame: pd.DataFrame, today: date,
                   known_villages: Collection[str] | None = None,
                   known_departments: Collection[str] | None = None) -> list[RuleFailure]:
    """Check typed problem rows; return every broken rule, by row then field (a
    parameter given as an array has one value per row).

    Parameters
    ----------
    frame : DataFrame
        Any of ``village_code``, ``department_code``, ``co_departments``, ``raised_on``,
        ``due_date``, ``category``, ``description``, ``resident``, ``status``,
        ``resolved_on``, ``resolution``, ``satisfaction``, ``record_id`` (absent columns
        are not checked). Unknown categories, statuses and ratings are expected as the
        text given (the import maps known ones first).
    today : datetime.date
        Dates after it are refused.
    known_villages, known_departments : collection of str, optional
        When given, codes outside them are refused (the import resolves codes itself);
        co-departments are checked against ``known_departments`` likewise.

    Rules: raised on a day, not in the future; due on or after it; a known category; a
    description; a known status; ``resolved_on`` exactly when closed, not before the
    day raised nor in the future; a rating only from the known three and only on a
    closed problem; short text within its column; no control characters.
    """
    failures: list[RuleFailure] = []
    size = len(frame)
    none = np.zeros(size, dtype=bool)

    def column(name: str) -> pd.Series | None:
        return frame[name].reset_index(drop=True) if name in frame else None

    if known_villages is not None and (villages := column("village_code")) is not None:
        _add(failures, ~villages.isin(set(known_villages)).to_numpy(), frame, "village_code",
             "unknown_village")
    departments = column("department_code")
    if known_departments is not None and departments is not None:
        _add(failures, ~departments.isin(set(known_departments)).to_numpy(), frame,
             "department_code", "unknown_department")
    if known_departments is not None and (joint := column("co_departments")) is not None:
        known = set(known_departments)
        unknown = pd.Series([next((c for c in split_codes(v) if c not in known), None)
                             for v in joint])
        _add(failures, unknown.notna().to_numpy(), frame, "co_departments",
             "unknown_department", values=unknown)
    raised = _days(frame["raised_on"]) if "raised_on" in frame else None
    if raised is not None:
        _add(failures, raised.isna().to_numpy(), frame, "raised_on", "missing_value")
        _add(failures, (raised > pd.Timestamp(today)).to_numpy(), frame, "raised_on",
             "future_date")
    if "due_date" in frame and raised is not None:
        due = _days(frame["due_date"])
        early = (due < raised).to_numpy()
        _add(failures, early, frame, "due_date", "due_before_raised",
             raised=raised.dt.strftime("%Y-%m-%d").to_numpy(dtype=object))
    if (category := column("category")) is not None:
        _add(failures, (category.isna() | (category == "")).to_numpy(), frame, "category",
             "missing_value")
        _add(failures, (category.notna() & (category != "")
                        & ~category.isin(PROBLEM_CATEGORIES)).to_numpy(), frame, "category",
             "unknown_kind", choices=tuple(PROBLEM_CATEGORIES))
    if (description := column("description")) is not None:
        _add(failures, (description.isna() | (description.astype(str).str.strip() == "")
                        ).to_numpy(), frame, "description", "missing_value")
    status = column("status")
    closed = none if status is None else status.isin(CLOSED_PROBLEM_STATUSES).to_numpy()
    if status is not None:
        _add(failures, ~status.isin(PROBLEM_STATUSES).to_numpy(), frame, "status",
             "unknown_kind", choices=tuple(PROBLEM_STATUSES))
    if "resolved_on" in frame:
        resolved = _days(frame["resolved_on"])
        given = resolved.notna().to_numpy()
        if status is not None:
            _add(failures, closed & ~given, frame, "resolved_on", "closing_date_required")
            _add(failures, ~closed & given & status.isin(PROBLEM_STATUSES).to_numpy(), frame,
                 "resolved_on", "closing_date_without_closing")
        _add(failures, (resolved > pd.Timestamp(today)).to_numpy(), frame, "resolved_on",
             "future_date")
        if raised is not None:
            _add(failures, (resolved < raised).to_numpy(), frame, "resolved_on",
                 "closed_before_raised")
    if (rating := column("satisfaction")) is not None:
        rated = (rating.notna() & (rating != "")).to_numpy()
        _add(failures, rated & ~rating.isin(SATISFACTION_RATINGS).to_numpy(), frame,
             "satisfaction", "unknown_kind", choices=tuple(SATISFACTION_RATINGS))
        if status is not None:
            _add(failures, rated & ~closed & rating.isin(SATISFACTION_RATINGS).to_numpy(),
                 frame, "satisfaction", "rating_needs_closing")
    for name, limit in TEXT_LIMITS.items():
        if (values := column(name)) is not None:
            text = values.astype(object).where(values.notna(), "").astype(str)
            _add(failures, (text.str.len() > limit).to_numpy(), frame, name, "too_long",
                 limit=limit)
    for name in FREE_TEXT_FIELDS:
        if (values := column(name)) is not None:
            text = values.astype(object).where(values.notna(), "").astype(str)
            _add(failures, text.str.contains(CONTROL_CHARACTERS, regex=True).to_numpy(),
                 frame, name, "control_character")
    order = {name: place for place, name in enumerate(frame.columns)}
    failures.sort(key=lambda f: (f.position, order.get(f.field, len(order))))
    return failures
