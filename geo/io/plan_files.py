"""The planner's input files: places, locks, exclusions and a road-distance matrix.

Each is a CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX table with a header row, English or
Chinese headers (``PLAN_FILE_HEADERS``), read by ``geo.io.readers`` within the upload
bounds. A broken row raises ``DataError`` naming the file, its row (as a spreadsheet
shows it, the header row counted) and the file's own column; nothing is dropped or
replaced: an empty cell, an unknown code, a repeated pair, a bad number all refuse the
file.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import DataError
from geo.io.readers import (
    RawTable,
    normal_text,
    parse_decimals,
    parse_whole_numbers,
    read_table_bytes,
    read_table_file,
)

PLAN_FILE_KINDS = ("capacity", "lock", "exclude", "costs")
_DEPARTMENT = ("department_code", "单位代码", "单位编码", "单位")
_VILLAGE = ("village_code", "村代码", "区划代码", "村（社区）代码", "村")
PLAN_FILE_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "capacity": {"department_code": _DEPARTMENT,
                 "capacity": ("capacity", "名额", "结对名额", "可结对村数")},
    "lock": {"department_code": _DEPARTMENT, "village_code": _VILLAGE},
    "exclude": {"department_code": _DEPARTMENT, "village_code": _VILLAGE},
    "costs": {"department_code": _DEPARTMENT, "village_code": _VILLAGE,
              "km": ("km", "公里", "距离(公里)", "距离（公里）", "距离")},
}
"""For each file kind, its fields and the headers that name each (first match wins)."""


def _columns(table: RawTable, kind: str) -> dict[str, str]:
    found = {}
    for name, aliases in PLAN_FILE_HEADERS[kind].items():
        column = next((c for alias in aliases for c in table.columns
                       if str(c).strip().lower() == alias.lower()), None)
        if column is None:
            raise DataError("plan_file_column_missing", file=table.file,
                            expected=" / ".join(aliases[:3]))
        found[name] = column
    return found


def _refuse(table: RawTable, position: int, column: str, code: str, **params: object
            ) -> DataError:
    return DataError(code, file=table.file, row=int(table.row_numbers[position]),
                     column=column, **params)


def _codes(table: RawTable, column: str, known: Collection[str] | None, code: str
           ) -> pd.Series:
    values = normal_text(table.frame[column].astype(str))
    empty = np.flatnonzero((values == "").to_numpy())
    if len(empty):
        raise _refuse(table, int(empty[0]), column, "plan_file_empty")
    if known is not None:
        unknown = np.flatnonzero(~values.isin(list(known)).to_numpy())
        if len(unknown):
            raise _refuse(table, int(unknown[0]), column, code,
                          value=values.iloc[int(unknown[0])])
    return values


def read_plan_file(path: Path | str, kind: str, departments: Collection[str] | None = None,
                   villages: Collection[str] | None = None) -> pd.DataFrame:
    """Read one of the planner's files.

    Parameters
    ----------
    path : path
        The CSV or XLSX file.
    kind : str
        ``capacity`` (department code, places), ``lock`` or ``exclude`` (department code,
        village code) or ``costs`` (department code, village code, km).
    departments, villages : collection of str, optional
        The known codes; a code not among them is refused.

    Returns
    -------
    DataFrame
        The fields of ``kind`` (``department_code``, ``village_code``, ``capacity`` as
        int64, ``km`` as float64) and ``row``, the spreadsheet row of each.

    Raises
    ------
    DataError
        The file cannot be read, lacks a column, or a row is broken (named by file, row
        and column).
    """
    if kind not in PLAN_FILE_KINDS:
        raise ValueError(f"unknown plan file kind {kind!r}")
    return _plan_rows(read_table_file(path, known_headers=_aliases(kind)), kind,
                      departments, villages)


def read_plan_upload(data: bytes, filename: str, kind: str,
                     departments: Collection[str] | None = None,
                     villages: Collection[str] | None = None) -> pd.DataFrame:
    """Read one of the planner's files uploaded on a page (its bytes, named ``filename``,
    whose ending picks the format); as ``read_plan_file``, its errors naming
    ``filename``."""
    if kind not in PLAN_FILE_KINDS:
        raise ValueError(f"unknown plan file kind {kind!r}")
    return _plan_rows(read_table_bytes(data, filename, known_headers=_aliases(kind)), kind,
                      departments, villages)


def _aliases(kind: str) -> set[str]:
    return {alias for names in PLAN_FILE_HEADERS[kind].values() for alias in names}


def _plan_rows(table: RawTable, kind: str, departments: Collection[str] | None,
               villages: Collection[str] | None) -> pd.DataFrame:
    """The rows of a read planner file (see ``read_plan_file``)."""
    if table.undecodable:
        position, column, value, looks = table.undecodable_cells()[0]
        raise _refuse(table, position, column or table.columns[0], "plan_file_encoding",
                      value=value, looks=looks or "?")
    columns = _columns(table, kind)
    out = pd.DataFrame({"row": table.row_numbers.astype("int64")})
    out["department_code"] = _codes(table, columns["department_code"], departments,
                                    "plan_file_unknown_department").to_numpy()
    key = ["department_code"]
    if "village_code" in columns:
        out["village_code"] = _codes(table, columns["village_code"], villages,
                                     "plan_file_unknown_village").to_numpy()
        key.append("village_code")
    if kind == "capacity":
        column = columns["capacity"]
        numbers, bad = parse_whole_numbers(table.frame[column])
        broken = np.flatnonzero((bad | numbers.isna() | (numbers.fillna(0) < 0)).to_numpy())
        if len(broken):
            raise _refuse(table, int(broken[0]), column, "plan_file_capacity",
                          value=table.frame[column].iloc[int(broken[0])])
        out["capacity"] = numbers.astype("int64").to_numpy()
    if kind == "costs":
        column = columns["km"]
        numbers, bad = parse_decimals(table.frame[column])
        broken = np.flatnonzero((bad | numbers.isna() | (numbers < 0)).to_numpy())
        if len(broken):
            raise _refuse(table, int(broken[0]), column, "plan_file_km",
                          value=table.frame[column].iloc[int(broken[0])])
        out["km"] = numbers.to_numpy(dtype="float64")
    repeated = out.duplicated(key, keep="first").to_numpy()
    if repeated.any():
        position = int(np.flatnonzero(repeated)[0])
        first = out[(out[key] == out.loc[position, key]).all(axis=1)]["row"].iloc[0]
        raise _refuse(table, position, columns[key[-1]], "plan_file_repeated",
                      first=int(first))
    return out
