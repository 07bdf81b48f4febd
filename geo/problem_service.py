"""The problem ledger behind the role table: every read and write takes a user.

Reads for metrics carry no resident's name; reads of rows drop it for a leader. Writes
check the role and department, run in one transaction and leave one audit entry each.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine

from geo import store
from geo.access import Action, User, require
from geo.inputs import PROBLEM_COLUMNS

PRIVATE_PROBLEM_COLUMNS = ("resident",)
"""Never shown to a leader, on any page or export."""


def metric_problems(engine: Engine, actor: User, until: date | None = None) -> pd.DataFrame:
    """Problems for metrics and maps (every role): ``id`` and ``PROBLEM_COLUMNS`` only
    (no resident, description or author), raised on or before ``until`` when given."""
    require(actor, Action.VIEW_MAPS)
    return store.load_problems(engine, until)[["id", *PROBLEM_COLUMNS]]
