"""The rules a pairing's editable fields obey, shared by the pairings import and the
pairings page (as ``geo.visit_rules`` is for visits): required visits per month a whole
number from 1 (``MIN_REQUIRED_VISITS``) to ``MAX_COUNT``, an end date not before the
start, no overlap with another pairing of the same department and village
(``geo.period.pairings_overlap``), a note in text normal form without control
characters. Pure: no database, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from geo.period import pairings_overlap
from geo.text import normalize_text
from geo.visit_rules import CONTROL_CHARACTERS, MAX_COUNT, RuleFailure

MIN_REQUIRED_VISITS = 1
"""The fewest visits a month a pairing can require: 0 would make every month met and
hide a pairing nobody visits (UI.md: never hide the bad news)."""
MAX_REQUIRED_VISITS = 31
"""The most visits a month a pairing can require: one a day. More is a typing slip (99999
made every month of the pairing a shortfall)."""


def required_visits_failures(numbers: pd.Series) -> list[tuple[np.ndarray, str, dict]]:
    """The broken rules of parsed required-visits values (``Int64``; missing: no rule):
    a mask, an issue code and its parameters each (``negative_count``, ``bad_number``
    above ``MAX_COUNT``, ``required_above_most`` above ``MAX_REQUIRED_VISITS``,
    ``required_below_one`` for 0)."""
    values = pd.array(numbers, dtype="Int64")
    given = ~pd.isna(values)
    filled = np.where(given, values.fillna(0).to_numpy(dtype=np.int64), 0)
    negative = given & (filled < 0)
    too_big = given & (filled > MAX_COUNT)
    too_many = given & (filled > MAX_REQUIRED_VISITS) & ~too_big
    below = given & (filled >= 0) & (filled < MIN_REQUIRED_VISITS)
    return [(np.asarray(mask, dtype=bool), code, params) for mask, code, params in
            ((negative, "negative_count", {}), (too_big, "bad_number", {}),
             (too_many, "required_above_most", {"limit": MAX_REQUIRED_VISITS}),
             (below, "required_below_one", {})) if np.asarray(mask, dtype=bool).any()]


def note_failures(note: str) -> list[RuleFailure]:
    """A note (already in text normal form) holding a control character is refused."""
    if pd.Series([note]).str.contains(CONTROL_CHARACTERS, regex=True).iloc[0]:
        return [RuleFailure(0, "note", "control_character", note, {})]
    return []


def end_failures(pairing_id: int | None, start: date, end: date | None,
                 others: Iterable[tuple[int, date, date | None]]) -> list[RuleFailure]:
    """The broken rules of ending a pairing that starts on ``start`` on ``end`` (None:
    still open): an end before the start, or an overlap with one of ``others`` (the
    other pairings of the same department and village: id, start, end)."""
    if end is not None and end < start:
        return [RuleFailure(0, "end_date", "end_before_start", end.isoformat(),
                            {"start": start.isoformat()})]
    failures = []
    for other_id, other_start, other_end in sorted(others, key=lambda o: (o[1], o[0])):
        if other_id == pairing_id:
            continue
        if pairings_overlap(start, end, other_start, other_end):
            failures.append(RuleFailure(0, "end_date", "overlapping_pairing",
                                        None if end is None else end.isoformat(),
                                        {"other_id": other_id,
                                         "other_start": other_start.isoformat(),
                                         "other_end": "" if other_end is None
                                         else other_end.isoformat()}))
    return failures


def normal_note(note: object) -> str:
    """A note in DESIGN.md's text normal form (``""`` for none)."""
    return normalize_text(note)
