"""One converter from pandas/numpy cells to plain Python values.

``to_python`` gives what a database driver takes (None for every kind of missing value,
``int``/``float``/``bool`` for numpy scalars, ``datetime`` for a pandas timestamp);
``to_json`` goes one step further for reports (ISO dates, lists converted item by item).
``by_distinct`` applies a function to a column once per distinct value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd


def to_python(value: object) -> object:
    """Return ``value`` as a plain Python value (None for NaN, NA and NaT).

    Parameters
    ----------
    value : object
        A cell of a frame or an element of an array.

    Returns
    -------
    object
        None, a builtin number or bool, a ``datetime`` for a ``pd.Timestamp``, else
        ``value`` unchanged.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def to_json(value: object) -> object:
    """Return ``value`` ready for ``json.dumps``: ``to_python`` plus ISO dates and lists."""
    if isinstance(value, list):
        return [to_json(item) for item in value]
    value = to_python(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def by_distinct(values: pd.Series, function: Callable[[object], object],
                missing: object = None) -> pd.Series:
    """``function`` of each value of ``values`` (object dtype, on its index), called once
    per distinct value: a column repeats its villages, kinds and summaries, and a call a
    row cost a second in a million. A missing value (None, NaN, NA) gives ``missing``
    without a call."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(value) for value in uniques]
    mapped[-1] = missing  # code -1: a missing value
    return pd.Series(mapped[codes], index=values.index, dtype=object)
