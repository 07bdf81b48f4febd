"""Map status: DESIGN.md's five classes of a village on the coverage map, and the
village coverage with its paired departments and class.

The classes come from ``geo.coverage.compute_village_coverage`` (the single
implementation of the metric definitions); nothing here recomputes coverage.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.coverage import compute_village_coverage
from geo.inputs import CoverageInputs
from geo.period import active_pairings

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


def compute_village_status(inputs: CoverageInputs, departments: pd.DataFrame) -> pd.DataFrame:
    """Return each village's coverage plus its paired departments and map status.

    The coverage columns are ``geo.coverage.compute_village_coverage``'s. Added:
    ``departments`` (names of the departments actively paired, a list) and ``status``
    (one of ``STATUSES``, see ``classify_status``).
    """
    frame = compute_village_coverage(inputs)
    frame.index.name = "code"
    names = active_department_names(inputs.pairings, departments, inputs.as_of)
    frame["departments"] = [names.get(code, []) for code in frame.index]
    frame["last_visit"] = [None if pd.isna(d) else d for d in frame["last_visit"]]
    frame["status"] = classify_status(frame)
    return frame


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """Return the number of villages of each status, in legend order (zeros kept)."""
    counts = status["status"].value_counts()
    return {name: int(counts.get(name, 0)) for name in STATUSES}


def hatched(status: pd.DataFrame) -> pd.Series:
    """Whether each village is drawn hatched: unpaired and never visited."""
    return ((status["status"] == STATUS_UNPAIRED_NOT_VISITED)
            & status["days_since_last_visit"].isna()).rename("hatched")
