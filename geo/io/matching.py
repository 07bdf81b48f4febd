"""Record imports, step 4: match file rows with stored rows, as multisets.

Values are compared in a canonical form (floats with NaN for missing, or text), so that
a cell read from a file equals the value read back from either database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.io.readers import normal_text


def _canon(series: pd.Series) -> np.ndarray:
    """A comparable form of a column: floats (NaN for missing) or text (``""``)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        days = series.astype("datetime64[s]")
        return np.where(days.isna(), np.nan, days.to_numpy().astype("int64").astype(float))
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return pd.array(series, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    values = series.astype(object)
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in ("string", "empty"):
        return values.where(values.notna(), "").to_numpy(dtype=object)
    if inferred in ("date", "datetime", "datetime64"):
        return _canon(pd.to_datetime(values))
    return np.array([np.nan if v is None or v is pd.NA or v is pd.NaT or
                     (isinstance(v, float) and np.isnan(v)) else float(v) for v in values],
                    dtype=float)


def _joint_codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of equal values on both sides (missing equals missing)."""
    a, b = _canon(left), _canon(right)
    if a.dtype != b.dtype:
        a, b = a.astype(object), b.astype(object)
    codes, _ = pd.factorize(np.concatenate([a, b]), use_na_sentinel=False)
    return codes[:len(a)], codes[len(a):]


def same_values(left: pd.Series, right: pd.Series) -> np.ndarray:
    a, b = _joint_codes(left.reset_index(drop=True), right.reset_index(drop=True))
    return a == b


def _key_codes(left: pd.DataFrame, right: pd.DataFrame, on: list[str]
               ) -> tuple[np.ndarray, np.ndarray]:
    """One code per row for the combination of ``on`` (equal codes: equal keys)."""
    parts = {}
    for index, column in enumerate(on):
        a, b = _joint_codes(left[column], right[column])
        parts[index] = np.concatenate([a, b])
    codes = pd.DataFrame(parts).groupby(list(parts), sort=False).ngroup().to_numpy()
    return codes[:len(left)], codes[len(left):]


def match_multiset(part: pd.DataFrame, pool: pd.DataFrame, key: list[str], fields: list[str]
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pair ``part`` with ``pool`` on ``key`` as multisets, equal rows first.

    Returns the pairs (``pos``, ``id``) whose ``fields`` are equal and those that differ.
    """
    if part.empty or pool.empty:
        none = pair_rows(part.iloc[:0], pool.iloc[:0], key)
        return none, none
    mine, theirs = _key_codes(part, pool, key)
    part = part[np.isin(mine, theirs)]
    pool = pool[np.isin(theirs, mine)]
    same = pair_rows(part, pool, key + fields)
    rest = part[~part["pos"].isin(same["pos"])]
    changed = pair_rows(rest, pool[~pool["id"].isin(same["id"])], key)
    return same, changed


def pair_rows(left: pd.DataFrame, right: pd.DataFrame, on: list[str], right_id: str = "id"
          ) -> pd.DataFrame:
    """Match rows equal on ``on`` one to one, as multisets (the n-th with the n-th)."""
    empty = pd.DataFrame({"pos": np.zeros(0, dtype=np.int64),
                          right_id: np.zeros(0, dtype=object)})
    if left.empty or right.empty:
        return empty
    a = pd.DataFrame({"pos": left["pos"].to_numpy()})
    b = pd.DataFrame({right_id: right[right_id].to_numpy()})
    names = [f"k{i}" for i in range(len(on))]
    for name, column in zip(names, on, strict=True):
        a[name], b[name] = _joint_codes(left[column], right[column])
    a["_n"] = a.groupby(names, sort=False).cumcount()
    b["_n"] = b.groupby(names, sort=False).cumcount()
    return a.merge(b, on=[*names, "_n"], how="inner")[["pos", right_id]]


def normal_db_text(values: pd.Series) -> pd.Series:
    return normal_text(values.astype(object).where(values.notna(), "").astype(str))


def db_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[s]")


def split_keyed(file: pd.DataFrame, db: pd.DataFrame, key: list[str], fields: list[str],
           keep: list[str], db_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split ``file`` rows into unchanged, changed (with ``db_id``) and new ones.

    ``keep`` fields take the database's value where the file's cell is empty or the
    column absent; ``fields`` are compared and, for changed rows, written.
    """
    left = file.copy()
    right = db[[*key, db_id, *fields]].rename(columns={f: f"{f}_db" for f in fields})
    for column in key:
        if not pd.api.types.is_datetime64_any_dtype(left[column]):
            left[column] = left[column].astype(object)
            right[column] = right[column].astype(object)
    merged = left.merge(right, on=key, how="left", indicator=True)
    found = merged[merged["_merge"] == "both"].drop(columns="_merge").reset_index(drop=True)
    new = merged[merged["_merge"] == "left_only"].drop(columns="_merge").reset_index(drop=True)
    differs = np.zeros(len(found), dtype=bool)
    for column in fields:
        if column in keep:
            values = found[column].astype(object)
            blank = values.isna().to_numpy() | (values == "").to_numpy()
            found[column] = values.where(~blank, found[f"{column}_db"].astype(object))
        differs |= ~same_values(found[column], found[f"{column}_db"])
    return found[~differs], found[differs], new
