"""Record imports: villages, departments, cadres, pairings and visits from CSV or XLSX.

The import contract of DESIGN.md: a file is read (``geo.io.readers``), its headers mapped to
fields (Chinese or English, ``HEADER_ALIASES``), every row checked, matched with what the
database holds and written in one transaction; the result is an ``ImportReport`` whose
``as_dict()`` is the command line's JSON object.

* Every row problem is an error with the spreadsheet row, the file's own header, the cell
  and a stable code (messages in ``geo.import_messages``); file problems (empty,
  unreadable, unknown format, a required column missing) raise ``DataError``.
* With errors nothing is written, unless ``skip_invalid``: then the valid rows are written
  and the invalid ones, with their reasons, go to ``<input stem>.rejected.csv`` beside
  the input (or into ``ImportReport.rejected_bytes`` for an upload).
* Matching makes imports repeatable: importing the same file twice changes nothing.
  Villages and departments match on ``code``; cadres on ``id`` when it matches, else on
  department and normalised name; pairings on (department, village, start date); visits
  on (department, ``record_id``) for rows that have a record id, else on the natural key
  (department, village, date, kind, normalised summary) counted as a multiset. A matched
  row whose other fields differ is ``updated``.
* Empty cells: a visit's empty count is 0; otherwise an empty cell clears a field that may
  be empty (village figures, coordinates, a pairing's end date or note) and keeps one that
  may not (names, kinds, flags, a department's party members).
* A village may be given by name (with its township, or alone when the name is unique)
  instead of its code, a department by its name instead of its code, when unambiguous.
* Text is compared in the normal form of ``geo.text.normalize_text`` and stored so; the
  ``'`` an export puts before formula-like text is removed.
* Checking and matching are vectorised (pandas); rows are written with SQLAlchemy Core
  ``executemany`` in chunks. An import that changed something bumps the data version and
  leaves one audit entry (file and counts); nothing is logged when nothing changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    String,
    Table,
    bindparam,
    cast,
    insert,
    select,
    text,
    update,
)

from geo import schema, store
from geo.access import Action, Role, User, require
from geo.audit import write_audit
from geo.errors import DataError
from geo.import_messages import format_message
from geo.io.readers import (
    RawTable,
    normal_text,
    parse_dates,
    parse_decimals,
    parse_flags,
    parse_whole_numbers,
    read_table_bytes,
    read_table_file,
    unquote,
)
from geo.io.writers import csv_bytes
from geo.settings import Settings, local_now, local_today
from geo.text import normalize_text, short_village_name

IMPORT_TABLES = ("villages", "departments", "cadres", "pairings", "visits")
COUNT_FIELDS = ("cadre_count", "households_visited", "problems_raised", "problems_resolved")
VILLAGE_FIGURES = ("population", "households", "left_behind_elderly", "low_income_households")
VILLAGE_KINDS = ("村", "社区")
MAX_INT = 2**31 - 1
CHUNK_ROWS = 20_000
SQLITE_CACHE_KIB = 256 * 1024  # page cache while writing many rows (index updates)
SQLITE_DEFAULT_CACHE = -2000
REJECTED_SUFFIX = ".rejected.csv"

_DEPARTMENT = {
    "department_code": ("department_code", "单位代码", "单位编码", "单位编号", "部门代码"),
    "department": ("department", "department_name", "单位", "单位名称", "结对单位", "帮扶单位",
                   "部门", "部门名称", "走访单位"),
}
_VILLAGE = {
    "village_code": ("village_code", "村代码", "村编码", "村级代码", "村(社区)代码", "区划代码",
                     "统计用区划代码"),
    "village": ("village", "village_name", "村", "村名", "村名称", "村(社区)", "村(社区)名称",
                "村庄", "结对村", "走访村"),
    "township": ("township", "township_code", "township_name", "乡镇", "乡镇(街道)", "乡镇名称",
                 "乡镇代码", "镇"),
}

HEADER_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "visits": {
        "date": ("date", "日期", "走访日期", "走访时间", "活动日期", "时间"),
        **_DEPARTMENT,
        **_VILLAGE,
        "kind": ("kind", "走访类型", "类型", "活动类型", "走访形式"),
        "cadre_count": ("cadre_count", "参与人数", "干部人数", "参加人数", "走访人数"),
        "cadre_ids": ("cadre_ids", "干部编号", "参与干部编号"),
        "households_visited": ("households_visited", "走访户数", "入户数", "走访农户数"),
        "problems_raised": ("problems_raised", "收集问题", "收集问题数", "问题数"),
        "problems_resolved": ("problems_resolved", "解决问题", "解决问题数", "已解决问题"),
        "lon": ("lon", "longitude", "经度"),
        "lat": ("lat", "latitude", "纬度"),
        "summary": ("summary", "工作内容", "摘要", "走访内容", "内容", "主要内容", "工作摘要"),
        "record_id": ("record_id", "编号", "记录编号", "台账编号"),
    },
    "pairings": {
        **_DEPARTMENT,
        **_VILLAGE,
        "kind": ("kind", "结对类型", "类型", "结对形式", "帮扶类型"),
        "start_date": ("start_date", "开始日期", "结对日期", "起始日期", "结对开始日期",
                       "开始时间"),
        "end_date": ("end_date", "结束日期", "终止日期", "结对结束日期", "结束时间"),
        "required_visits_per_month": ("required_visits_per_month", "每月走访次数", "月走访要求",
                                      "每月要求走访次数", "每月走访要求"),
        "note": ("note", "备注", "说明"),
    },
    "villages": {
        "code": ("code", "village_code", "村代码", "村编码", "区划代码", "统计用区划代码", "代码"),
        "name": ("name", "名称", "全称", "村委会名称", "村(社区)全称"),
        "short_name": ("short_name", "简称", "村名", "村", "村(社区)", "村(社区)名称"),
        "township": ("township", "parent_code", "乡镇", "乡镇代码", "乡镇(街道)", "乡镇名称"),
        "kind": ("kind", "类型", "村/社区", "村或社区"),
        "population": ("population", "人口", "人口数", "户籍人口", "总人口"),
        "households": ("households", "户数", "总户数", "户籍户数"),
        "left_behind_elderly": ("left_behind_elderly", "留守老人", "留守老人数"),
        "low_income_households": ("low_income_households", "低收入户", "低收入户数",
                                  "低收入农户"),
        "weak": ("weak", "软弱涣散", "软弱涣散村", "是否软弱涣散", "是否软弱涣散村"),
    },
    "departments": {
        "code": ("code", "department_code", "单位代码", "单位编码", "代码", "编码"),
        "name": ("name", "department", "单位名称", "单位", "名称", "部门名称"),
        "kind": ("kind", "单位类型", "单位类别", "类型", "类别"),
        "party_members": ("party_members", "党员人数", "党员数"),
        "seat_lon": ("seat_lon", "驻地经度", "经度"),
        "seat_lat": ("seat_lat", "驻地纬度", "纬度"),
        "active": ("active", "在用", "是否在用", "状态"),
    },
    "cadres": {
        "id": ("id", "cadre_id", "干部编号", "编号"),
        **_DEPARTMENT,
        "name": ("name", "姓名", "干部姓名"),
        "leader": ("leader", "领导", "是否领导", "领导干部", "是否领导干部"),
        "active": ("active", "在用", "在职", "是否在职", "状态"),
    },
}
"""Header aliases per table: field → the headers that give it (English first, the export
column name; then Chinese). Headers are compared case-, space-, ``_``- and ``*``-blind
after NFKC (full-width brackets match), and a trailing unit in brackets is ignored
(``走访户数（户）`` → ``走访户数``). ``department`` and ``village`` are names looked up
to codes; ``township`` (a name or code) narrows a village name."""

IGNORED_HEADERS: dict[str, tuple[str, ...]] = {
    "visits": ("id", "source", "created_by", "created_at", "来源", "录入人", "录入时间"),
    "pairings": ("id",),
    "villages": ("boundary_source", "边界来源"),
    "departments": (),
    "cadres": (),
}
"""Columns read without a warning but not imported (filled in by the system)."""
COMMON_IGNORED = ("序号", "row", "reason", "行号", "原因")
"""Ignored in every table: a row counter and the two columns a rejected-rows file adds."""

REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "visits": (("date",), ("department_code", "department"), ("village_code", "village"),
               ("kind",)),
    "pairings": (("department_code", "department"), ("village_code", "village"),
                 ("start_date",)),
    "villages": (("code", "name", "short_name"),),
    "departments": (("code",),),
    "cadres": (("department_code", "department"), ("name",)),
}
"""Columns a file must have: one of each group (else ``DataError``, exit 2)."""

TEXT_LIMITS = {"department_code": 20, "village_code": 12, "record_id": 50, "code": 20,
               "name": 100, "short_name": 100, "cadre_name": 50}


# --- headers -----------------------------------------------------------------------------

def header_key(header: str) -> str:
    """Return the comparison form of a header: NFKC, lower case, no spaces, ``_``, ``*``."""
    key = unicodedata.normalize("NFKC", str(header)).lower()
    return re.sub(r"[\s_*]+", "", key)


def _without_unit(key: str) -> str:
    return re.sub(r"\([^()]*\)$", "", key)


def _lookup(table: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for name, aliases in HEADER_ALIASES[table].items():
        for alias in aliases:
            keys[header_key(alias)] = name
    for alias in (*IGNORED_HEADERS[table], *COMMON_IGNORED):
        keys.setdefault(header_key(alias), "")
    return keys


def field_of(table: str, header: str) -> str | None:
    """Return the field ``header`` gives in ``table``; ``""`` for an ignored column, None
    for an unknown one."""
    keys = _lookup(table)
    key = header_key(header)
    if key in keys:
        return keys[key]
    return keys.get(_without_unit(key))


def known_header(table: str) -> Callable[[str], bool]:
    """Return a test of whether a cell's text is a header of ``table`` (header detection)."""
    keys = _lookup(table)

    def test(cell: str) -> bool:
        key = header_key(cell)
        return key in keys or _without_unit(key) in keys

    return test


def _describe(table: str, group: tuple[str, ...]) -> str:
    parts = []
    for name in group:
        aliases = HEADER_ALIASES[table][name]
        chinese = [a for a in aliases if not a.isascii()][:2]
        parts.append(f"{name} ({'/'.join(chinese)})" if chinese else name)
    return " or ".join(parts)


def map_headers(table: str, raw: RawTable) -> tuple[dict[str, str], list[str]]:
    """Map the file's columns to fields.

    Returns
    -------
    columns : dict
        field → the file's column label.
    unknown : list of str
        Columns that are not imported (reported as warnings).

    Raises
    ------
    DataError
        Two columns give the same field, or a required column is missing.
    """
    columns: dict[str, str] = {}
    unknown: list[str] = []
    for label in raw.columns:
        name = field_of(table, label)
        if name is None:
            unknown.append(label)
        elif name:
            if name in columns:
                raise DataError(f"the columns {columns[name]!r} and {label!r} both give "
                                f"{name}; keep one of them", file=raw.file)
            columns[name] = label
    for group in REQUIRED_FIELDS[table]:
        if not any(name in columns for name in group):
            raise DataError(f"a required column is missing: {_describe(table, group)}",
                            file=raw.file, row=raw.header_row)
    return columns, unknown


# --- report --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportIssue:
    """One error or warning of an import.

    Attributes
    ----------
    row : int or None
        The spreadsheet row (the header row included in the count).
    column : str or None
        The file's own header of the cell.
    value : str or None
        The cell's text.
    code : str
        The stable code (``unknown_village``, ``future_date``, …).
    params : dict
        The message's other named values.
    """

    row: int | None
    column: str | None
    value: str | None
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message."""
        return format_message(self.code, "en", self.value, self.column, self.params)

    def as_dict(self) -> dict:
        """The report's JSON form: row, column, value, code, message."""
        return {"row": self.row, "column": self.column, "value": self.value,
                "code": self.code, "message": self.message}


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would have done).

    Counts are the rows written: with errors and without ``skip_invalid`` nothing is
    written and ``inserted``, ``updated`` and ``unchanged`` are 0; ``rejected`` counts the
    rows with errors.
    """

    file: str
    table: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    rejected_file: str | None = None
    rejected_bytes: bytes | None = None
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every row was valid, 1 when some were not."""
        return 1 if self.errors else 0

    @property
    def changed(self) -> bool:
        """Whether rows were (or, with ``dry_run``, would be) inserted or updated."""
        return bool(self.inserted or self.updated)

    def counts(self) -> dict[str, int]:
        """The counts (for the audit entry)."""
        return {"rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected}

    def as_dict(self) -> dict:
        """The import contract's JSON object."""
        return {
            "file": self.file,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [issue.as_dict() for issue in self.errors],
            "warnings": [issue.as_dict() for issue in self.warnings],
            "rejected_file": self.rejected_file,
        }


Progress = Callable[[float], None]


class _Issues:
    """Errors and warnings collected column-wise (positions into the file's rows)."""

    def __init__(self, raw: RawTable, columns: dict[str, str]) -> None:
        self.raw = raw
        self.columns = columns
        self.error_rows = np.zeros(len(raw), dtype=bool)
        self._errors: list[tuple[np.ndarray, str | None, list, str, list[dict]]] = []
        self._warnings: list[tuple[np.ndarray, str | None, list, str, list[dict]]] = []

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def _add(self, target: list, positions: np.ndarray, name: str | None, code: str,
             params: dict | None, values: object) -> None:
        if len(positions) == 0:
            return
        label = None if name is None else self.column(name)
        if values is None and name is not None and name in self.columns:
            cells = self.raw.frame[self.columns[name]].to_numpy(dtype=object)[positions]
            cell_values = [str(v).strip() for v in cells]
        elif values is None:
            cell_values = [None] * len(positions)
        else:
            cell_values = list(values)
        per_row = []
        for index in range(len(positions)):
            row_params = {}
            for key, value in (params or {}).items():
                if isinstance(value, (np.ndarray, pd.Series, list)):
                    row_params[key] = _plain_value(np.asarray(value, dtype=object)[index]
                                                   if isinstance(value, pd.Series)
                                                   else value[index])
                else:
                    row_params[key] = value
            per_row.append(row_params)
        target.append((positions, label, cell_values, code, per_row))

    def error(self, mask: np.ndarray | pd.Series, name: str | None, code: str,
              params: dict | None = None, values: Iterable | None = None,
              positions: np.ndarray | None = None) -> None:
        """Add ``code`` for the rows of ``mask`` (or ``positions``); ``params`` values that
        are arrays are aligned with those rows."""
        where = positions if positions is not None else np.flatnonzero(np.asarray(mask))
        self.error_rows[where] = True
        self._add(self._errors, where, name, code, params, values)

    def warning(self, mask: np.ndarray | pd.Series | None, name: str | None, code: str,
                params: dict | None = None, values: Iterable | None = None,
                positions: np.ndarray | None = None) -> None:
        """Add the warning ``code`` (see ``error``)."""
        where = positions if positions is not None else np.flatnonzero(np.asarray(mask))
        self._add(self._warnings, where, name, code, params, values)

    def file_warning(self, column: str, code: str) -> None:
        """A warning about a whole column (reported on the header row)."""
        self._warnings.append((np.array([-1]), column, [None], code, [{}]))

    def build(self, target: str) -> list[ImportIssue]:
        rows = self.raw.row_numbers
        entries = self._errors if target == "errors" else self._warnings
        issues = []
        for order, (positions, label, values, code, params) in enumerate(entries):
            for position, value, row_params in zip(positions, values, params, strict=True):
                row = self.raw.header_row if position < 0 else int(rows[position])
                issues.append((row, order, ImportIssue(row, label, value, code, row_params)))
        issues.sort(key=lambda item: (item[0], item[1]))
        return [issue for _, _, issue in issues]

    def reasons(self) -> pd.Series:
        """For each row with errors, its messages joined by ``; ``."""
        parts: dict[int, list[str]] = {}
        for positions, label, values, code, params in self._errors:
            for position, value, row_params in zip(positions, values, params, strict=True):
                parts.setdefault(int(position), []).append(
                    format_message(code, "en", value, label, row_params))
        return pd.Series({k: "; ".join(v) for k, v in sorted(parts.items())}, dtype=object)


def _plain_value(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- reference data and lookups ------------------------------------------------------------

@dataclass
class _Reference:
    villages: pd.DataFrame
    townships: pd.DataFrame
    departments: pd.DataFrame


def _select_frame(connection: Connection, query: object) -> pd.DataFrame:
    """Run ``query``; its rows as a frame, built column by column."""
    result = connection.execute(query)
    names = list(result.keys())
    rows = result.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame({name: pd.Series(list(values), dtype=object)
                         for name, values in zip(names, columns, strict=True)})


def _load_reference(connection: Connection) -> _Reference:
    units = schema.admin_units
    villages = _select_frame(connection, select(
        units.c.code, units.c.name, units.c.short_name, units.c.parent_code, units.c.kind,
        *[units.c[f] for f in VILLAGE_FIGURES], units.c.weak,
    ).where(units.c.level == "village").order_by(units.c.code))
    townships = _select_frame(connection, select(units.c.code, units.c.name, units.c.short_name)
                              .where(units.c.level == "township").order_by(units.c.code))
    departments = _select_frame(connection, select(schema.departments).order_by(
        schema.departments.c.code))
    return _Reference(villages, townships, departments)


def _combos(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Group identical rows of ``frame``: codes per row and the distinct rows."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64), frame.iloc[:0]
    codes = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(frame))).groupby(codes).first().sort_index().to_numpy()
    return codes, frame.iloc[first].reset_index(drop=True)


def _clean_code(value: str) -> str:
    if re.fullmatch(r"\d+\.0+", value):
        value = value.split(".")[0]
    return value


def _township_code(value: str, reference: _Reference) -> str | None:
    value = _clean_code(value)
    if re.fullmatch(r"\d{12}", value) and value.endswith("000"):
        value = value[:9]
    towns = reference.townships
    if value in set(towns["code"]):
        return value
    for column in ("name", "short_name"):
        hits = towns[towns[column].map(normalize_text) == value]
        if len(hits) == 1:
            return str(hits["code"].iloc[0])
    return None


def _village_keys(reference: _Reference) -> pd.DataFrame:
    villages = reference.villages
    rows = []
    for code, name, short, parent in zip(villages["code"], villages["name"],
                                         villages["short_name"], villages["parent_code"],
                                         strict=True):
        for key in {normalize_text(name), normalize_text(short), short_village_name(name)}:
            rows.append((key, code, parent))
    return pd.DataFrame(rows, columns=["key", "code", "parent_code"]).drop_duplicates()


def _resolve_villages(issues: _Issues, reference: _Reference, codes: pd.Series | None,
                      names: pd.Series | None, towns: pd.Series | None,
                      code_field: str, name_field: str, required: bool = True) -> pd.Series:
    """Village codes from a code column or, where it is empty, name (and township)."""
    n = len(issues.raw)
    empty = pd.Series([""] * n, dtype=str)
    frame = pd.DataFrame({"code": empty if codes is None else codes.reset_index(drop=True),
                          "name": empty if names is None else names.reset_index(drop=True),
                          "town": empty if towns is None else towns.reset_index(drop=True)})
    combo, distinct = _combos(frame)
    known = set(reference.villages["code"])
    keys = _village_keys(reference)
    out: list[str | None] = []
    kinds: list[tuple[str, str, dict]] = []  # (code, field, params)
    for code, name, town in distinct.itertuples(index=False):
        code = _clean_code(code)
        if code:
            out.append(code if code in known else None)
            kinds.append(("", "", {}) if code in known else ("unknown_village", code_field, {}))
            continue
        if not name:
            out.append(None)
            field_name = code_field if codes is not None else name_field
            kinds.append(("missing_value", field_name, {}) if required else ("", "", {}))
            continue
        town_code = None
        if town:
            town_code = _township_code(town, reference)
            if town_code is None:
                out.append(None)
                kinds.append(("unknown_township", "township", {}))
                continue
        hits = keys[keys["key"].isin({name, short_village_name(name)})]
        if town_code is not None:
            hits = hits[hits["parent_code"] == town_code]
        found = sorted(set(hits["code"]))
        if len(found) == 1:
            out.append(found[0])
            kinds.append(("", "", {}))
        elif not found:
            out.append(None)
            kinds.append(("unknown_village", name_field, {}))
        else:
            out.append(None)
            names_of = reference.villages.set_index("code")["name"]
            kinds.append(("ambiguous_village", name_field, {
                "candidates": ", ".join(f"{c} {names_of[c]}" for c in found[:5])}))
    result = pd.Series(np.array(out, dtype=object)[combo] if len(combo) else [], dtype=object)
    _combo_issues(issues, combo, kinds)
    return result


def _combo_issues(issues: _Issues, combo: np.ndarray, kinds: list[tuple[str, str, dict]]) -> None:
    """Report the issues found per distinct value on every row holding that value."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, (code, name, _) in enumerate(kinds):
        if code:
            groups.setdefault((code, name), []).append(index)
    for (code, name), indices in groups.items():
        positions = np.flatnonzero(np.isin(combo, indices))
        keys = sorted({key for i in indices for key in kinds[i][2]})
        params = {key: np.array([kinds[c][2].get(key) for c in combo[positions]], dtype=object)
                  for key in keys}
        issues.error(None, name, code, params, positions=positions)


def _resolve_departments(issues: _Issues, reference: _Reference, codes: pd.Series | None,
                         names: pd.Series | None) -> pd.Series:
    """Department codes from a code column or, where it is empty, the name."""
    n = len(issues.raw)
    empty = pd.Series([""] * n, dtype=str)
    frame = pd.DataFrame({"code": empty if codes is None else codes.reset_index(drop=True),
                          "name": empty if names is None else names.reset_index(drop=True)})
    combo, distinct = _combos(frame)
    departments = reference.departments
    known = set(departments["code"])
    by_name: dict[str, list[str]] = {}
    for code, name in zip(departments["code"], departments["name"], strict=True):
        by_name.setdefault(normalize_text(name), []).append(code)
    out: list[str | None] = []
    kinds: list[tuple[str, str, dict]] = []
    for code, name in distinct.itertuples(index=False):
        if code:
            out.append(code if code in known else None)
            kinds.append(("", "", {}) if code in known else
                         ("unknown_department", "department_code", {}))
        elif not name:
            out.append(None)
            field_name = "department_code" if codes is not None else "department"
            kinds.append(("missing_value", field_name, {}))
        else:
            found = by_name.get(name, [])
            if len(found) == 1:
                out.append(found[0])
                kinds.append(("", "", {}))
            elif not found:
                out.append(None)
                kinds.append(("unknown_department", "department", {}))
            else:
                out.append(None)
                kinds.append(("ambiguous_department", "department",
                              {"candidates": ", ".join(found[:5])}))
    result = pd.Series(np.array(out, dtype=object)[combo] if len(combo) else [], dtype=object)
    _combo_issues(issues, combo, kinds)
    return result


def _kind_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    lookup = {normalize_text(kind): kind for kind in choices}
    for kind in choices:
        for part in kind.split("/"):
            lookup.setdefault(normalize_text(part), kind)
    return lookup


# --- per-table preparation ----------------------------------------------------------------

@dataclass
class _Context:
    table: str
    raw: RawTable
    columns: dict[str, str]
    issues: _Issues
    reference: _Reference
    today: date
    actor: User

    def has(self, name: str) -> bool:
        return name in self.columns

    def text(self, name: str, distinct: bool = True) -> pd.Series | None:
        """The column's text in normal form (``'`` removed), or None when absent.

        ``distinct=False`` for free text, where nearly every cell differs.
        """
        if name not in self.columns:
            return None
        values = unquote(self.raw.frame[self.columns[name]])
        return normal_text(values, distinct=distinct).reset_index(drop=True)

    def cells(self, name: str) -> pd.Series | None:
        """The column's cells with an export's ``'`` removed (not normalised)."""
        if name not in self.columns:
            return None
        return unquote(self.raw.frame[self.columns[name]]).reset_index(drop=True)

    def blank(self) -> pd.Series:
        return pd.Series([""] * len(self.raw), dtype=str)

    def limit(self, values: pd.Series | None, name: str, limit: int) -> None:
        if values is None:
            return
        too_long = _mask(values.str.len() > limit)
        self.issues.error(too_long, name, "too_long", {"limit": limit})

    def required_text(self, name: str) -> pd.Series:
        values = self.text(name)
        if values is None:
            return self.blank()
        self.issues.error(_mask(values == ""), name, "missing_value")
        return values

    def counts(self, name: str, default: int | None, minimum: int = 0) -> pd.Series:
        """Whole numbers ≥ ``minimum``; empty cells get ``default``."""
        values = self.text(name)
        if values is None:
            return pd.Series([default] * len(self.raw), dtype="Int64")
        numbers, bad = parse_whole_numbers(values)
        self.issues.error(bad.to_numpy(), name, "bad_number")
        self.issues.error(_mask(numbers < minimum), name, "negative_count")
        self.issues.error(_mask(numbers > MAX_INT), name, "bad_number")
        if default is not None:
            numbers = numbers.fillna(default)
        return numbers.reset_index(drop=True)

    def dates(self, name: str, required: bool, not_after_today: bool = False) -> pd.Series:
        values = self.text(name)
        if values is None:
            return pd.Series(np.full(len(self.raw), np.datetime64("NaT"), "datetime64[s]"))
        days, empty, bad = parse_dates(values)
        self.issues.error(bad.to_numpy(), name, "bad_date")
        if required:
            self.issues.error(empty.to_numpy(), name, "missing_value")
        if not_after_today:
            future = _mask(days > pd.Timestamp(self.today))
            self.issues.error(future, name, "future_date")
        return days.reset_index(drop=True)

    def flags(self, name: str) -> pd.Series:
        values = self.text(name)
        if values is None:
            return pd.Series(pd.array([pd.NA] * len(self.raw), dtype="boolean"))
        flags, bad = parse_flags(values)
        self.issues.error(bad.to_numpy(), name, "bad_flag")
        return flags.reset_index(drop=True)

    def point(self, lon_name: str, lat_name: str) -> tuple[pd.Series, pd.Series]:
        nan = pd.Series(np.full(len(self.raw), np.nan))
        result = []
        for name, limit, axis in ((lon_name, 180, "longitude"), (lat_name, 90, "latitude")):
            values = self.cells(name)
            if values is None:
                result.append(nan)
                continue
            numbers, bad = parse_decimals(values)
            self.issues.error(bad.to_numpy(), name, "bad_decimal")
            outside = _mask(numbers.abs() > limit)
            self.issues.error(outside, name, "bad_coordinate", {"axis": axis})
            result.append(numbers.where(~outside, np.nan).reset_index(drop=True))
        lon, lat = result
        if self.has(lon_name) or self.has(lat_name):
            lon_given = ~np.isnan(lon.to_numpy()) if self.has(lon_name) else np.zeros(
                len(self.raw), dtype=bool)
            lat_given = ~np.isnan(lat.to_numpy()) if self.has(lat_name) else np.zeros(
                len(self.raw), dtype=bool)
            half = (lon_given != lat_given) & ~self.issues.error_rows
            name = lon_name if self.has(lon_name) else lat_name
            self.issues.error(half, name, "incomplete_point")
        return lon, lat

    def kinds(self, name: str, choices: tuple[str, ...], required: bool) -> pd.Series:
        values = self.text(name)
        if values is None:
            return pd.Series([None] * len(self.raw), dtype=object)
        lookup = _kind_lookup(choices)
        mapped = values.map(lookup).astype(object)
        mapped = mapped.where(mapped.notna(), None)
        empty = _mask(values == "")
        unknown = mapped.isna().to_numpy() & ~empty
        self.issues.error(unknown, name, "unknown_kind", {"choices": "、".join(choices)})
        if required:
            self.issues.error(empty, name, "missing_value")
        return mapped.reset_index(drop=True)

    def departments(self) -> pd.Series:
        codes = self.text("department_code")
        self.limit(codes, "department_code", TEXT_LIMITS["department_code"])
        return _resolve_departments(self.issues, self.reference, codes, self.text("department"))

    def villages(self, code_field: str = "village_code", name_field: str = "village",
                 extra_names: pd.Series | None = None) -> pd.Series:
        names = self.text(name_field)
        if extra_names is not None:
            names = extra_names if names is None else names.where(names != "", extra_names)
        return _resolve_villages(self.issues, self.reference, self.text(code_field), names,
                                 self.text("township"), code_field, name_field)

    def duplicates(self, keys: pd.DataFrame, usable: np.ndarray, name: str,
                   values: pd.Series | None = None) -> None:
        """Error on every repeat of a key (after its first row)."""
        frame = keys[usable]
        if frame.empty:
            return
        repeat = frame.duplicated(keep=False)
        if not repeat.any():
            return
        group = frame[repeat].groupby(list(frame.columns), sort=False, dropna=False).ngroup()
        positions = group.index.to_numpy()
        first_pos = pd.Series(positions).groupby(group.to_numpy()).transform("min").to_numpy()
        later = positions != first_pos
        rows = self.raw.row_numbers
        cell = None if values is None else [values.iloc[p] for p in positions[later]]
        self.issues.error(None, name, "duplicate_in_file",
                          {"first_row": rows[first_pos[later]]},
                          values=cell, positions=positions[later])


def _prepare_visits(ctx: _Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    rows["date"] = ctx.dates("date", required=True, not_after_today=True)
    rows["department_code"] = ctx.departments()
    rows["village_code"] = ctx.villages()
    rows["kind"] = ctx.kinds("kind", schema.VISIT_KINDS, required=True)
    for name in COUNT_FIELDS:
        rows[name] = ctx.counts(name, default=0).astype("int64")
    rows["lon"], rows["lat"] = ctx.point("lon", "lat")
    rows["summary"] = ctx.text("summary", distinct=False) if ctx.has("summary") else ctx.blank()
    rows["cadre_ids"] = ctx.text("cadre_ids") if ctx.has("cadre_ids") else ctx.blank()
    rid = ctx.text("record_id", distinct=False)
    ctx.limit(rid, "record_id", TEXT_LIMITS["record_id"])
    rows["record_id"] = rid if rid is not None else ctx.blank()
    more = _mask(rows["problems_resolved"] > rows["problems_raised"])
    if more.any():
        ctx.issues.warning(more, "problems_resolved", "resolved_exceeds_raised", {
            "resolved": rows["problems_resolved"].to_numpy()[more],
            "raised": rows["problems_raised"].to_numpy()[more]})
    return rows


def _warn_visit_duplicates(ctx: _Context, rows: pd.DataFrame, valid: np.ndarray) -> None:
    """``duplicate_visit``: rows with the same natural key; ``duplicate_record_id``."""
    frame = rows[valid]
    rownum = ctx.raw.row_numbers
    checks = [(["department_code", "village_code", "date", "kind", "summary"],
               "duplicate_visit", "summary" if ctx.has("summary") else "date", frame)]
    with_rid = frame[frame["record_id"] != ""]
    checks.append((["department_code", "record_id"], "duplicate_record_id", "record_id",
                   with_rid))
    for key, code, column, part in checks:
        if part.empty:
            continue
        repeat = part.duplicated(key, keep=False).to_numpy()
        if not repeat.any():
            continue
        dup = part[repeat]
        group = dup.groupby(key, sort=False).ngroup().to_numpy()
        positions = dup["pos"].to_numpy()
        listed = pd.Series(rownum[positions]).groupby(group).agg(
            lambda s: ", ".join(str(r) for r in s.iloc[:10]) + (", …" if len(s) > 10 else ""))
        ctx.issues.warning(None, column, code, {"rows": listed.to_numpy()[group]},
                           positions=positions)


def _prepare_pairings(ctx: _Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    rows["department_code"] = ctx.departments()
    rows["village_code"] = ctx.villages()
    rows["start_date"] = ctx.dates("start_date", required=True)
    rows["end_date"] = ctx.dates("end_date", required=False)
    rows["kind"] = ctx.kinds("kind", schema.PAIRING_KINDS, required=False)
    rows["required_visits_per_month"] = ctx.counts("required_visits_per_month", default=None)
    note = ctx.text("note")
    rows["note"] = note if note is not None else ctx.blank()
    before = _mask(rows["end_date"] < rows["start_date"])
    if before.any():
        starts = rows["start_date"].dt.strftime("%Y-%m-%d").to_numpy()[before]
        ctx.issues.error(before, "end_date", "end_before_start", {"start": starts})
    return rows


def _prepare_villages(ctx: _Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    name_field = "name" if ctx.has("name") or not ctx.has("short_name") else "short_name"
    rows["code"] = ctx.villages("code", name_field, extra_names=ctx.text("short_name"))
    for name in ("name", "short_name"):
        values = ctx.text(name)
        ctx.limit(values, name, TEXT_LIMITS[name])
        rows[name] = values if values is not None else ctx.blank()
    rows["kind"] = ctx.kinds("kind", VILLAGE_KINDS, required=False)
    for name in VILLAGE_FIGURES:
        rows[name] = ctx.counts(name, default=None)
    rows["weak"] = ctx.flags("weak")
    return rows


def _prepare_departments(ctx: _Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    codes = ctx.required_text("code")
    ctx.limit(codes, "code", TEXT_LIMITS["department_code"])
    rows["code"] = codes
    names = ctx.text("name")
    ctx.limit(names, "name", TEXT_LIMITS["name"])
    rows["name"] = names if names is not None else ctx.blank()
    rows["kind"] = ctx.kinds("kind", schema.DEPARTMENT_KINDS, required=False)
    rows["party_members"] = ctx.counts("party_members", default=None)
    rows["seat_lon"], rows["seat_lat"] = ctx.point("seat_lon", "seat_lat")
    rows["active"] = ctx.flags("active")
    return rows


def _prepare_cadres(ctx: _Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    rows["id"] = ctx.counts("id", default=None)
    rows["department_code"] = ctx.departments()
    names = ctx.required_text("name")
    ctx.limit(names, "name", TEXT_LIMITS["cadre_name"])
    rows["name"] = names
    rows["leader"] = ctx.flags("leader")
    rows["active"] = ctx.flags("active")
    return rows


PREPARERS = {"visits": _prepare_visits, "pairings": _prepare_pairings,
             "villages": _prepare_villages, "departments": _prepare_departments,
             "cadres": _prepare_cadres}


# --- matching ------------------------------------------------------------------------------

@dataclass
class _Plan:
    """Rows to write: ``(columns, frame)`` pairs; an update frame has the key in ``_key``."""

    inserts: list[tuple[list[str], pd.DataFrame]] = field(default_factory=list)
    updates: list[tuple[list[str], pd.DataFrame]] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0
    key: str = "id"

    @property
    def inserted(self) -> int:
        return sum(len(frame) for _, frame in self.inserts)

    def insert(self, columns: list[str], frame: pd.DataFrame) -> None:
        if not frame.empty:
            self.inserts.append((columns, frame))

    def update(self, columns: list[str], frame: pd.DataFrame, key: pd.Series) -> None:
        if not frame.empty and columns:
            self.updates.append((columns, frame.assign(_key=key.to_numpy())))


def _mask(values: object) -> np.ndarray:
    """A plain boolean array (missing → False)."""
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    return series.fillna(False).to_numpy(dtype=bool)


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


def _same(left: pd.Series, right: pd.Series) -> np.ndarray:
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


def _match(part: pd.DataFrame, pool: pd.DataFrame, key: list[str], fields: list[str]
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pair ``part`` with ``pool`` on ``key`` as multisets, equal rows first.

    Returns the pairs (``pos``, ``id``) whose ``fields`` are equal and those that differ.
    """
    if part.empty or pool.empty:
        return _pair(part.iloc[:0], pool.iloc[:0], key), _pair(part.iloc[:0], pool.iloc[:0], key)
    mine, theirs = _key_codes(part, pool, key)
    part = part[np.isin(mine, theirs)]
    pool = pool[np.isin(theirs, mine)]
    same = _pair(part, pool, key + fields)
    rest = part[~part["pos"].isin(same["pos"])]
    changed = _pair(rest, pool[~pool["id"].isin(same["id"])], key)
    return same, changed


def _pair(left: pd.DataFrame, right: pd.DataFrame, on: list[str], right_id: str = "id"
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


def _db_column(series: pd.Series, sql_type: object, dialect: object) -> list:
    """A column as driver-ready Python values (through the dialect's bind processor)."""
    processor = sql_type.dialect_impl(dialect).bind_processor(dialect)
    if pd.api.types.is_datetime64_any_dtype(series):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        stamps = pd.DatetimeIndex(uniques)
        plain = (list(stamps.to_pydatetime()) if isinstance(sql_type, DateTime) else
                 [stamp.date() for stamp in stamps])
        values = np.array([None, *[processor(v) if processor else v for v in plain]],
                          dtype=object)
        return values[codes + 1].tolist()
    if series.dtype == np.float64:  # plain floats need no processing
        values = series.to_numpy()
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out.tolist()
    if series.dtype in (np.int64, np.int32, np.bool_):
        plain = series.tolist()
    elif isinstance(series.dtype, (pd.Int64Dtype, pd.BooleanDtype)) or (
            pd.api.types.is_string_dtype(series.dtype) and series.dtype != object):
        plain = series.to_numpy(dtype=object, na_value=None).tolist()
    elif pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        values = series.to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None
        plain = values.tolist()
    else:
        plain = [_plain_cell(v) for v in series.tolist()]
    if processor is None:
        return plain
    return [None if v is None else processor(v) for v in plain]


def _plain_cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _normal_db_text(values: pd.Series) -> pd.Series:
    return normal_text(values.astype(object).where(values.notna(), "").astype(str))


def _db_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[s]")


def _keyed(file: pd.DataFrame, db: pd.DataFrame, key: list[str], fields: list[str],
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
        differs |= ~_same(found[column], found[f"{column}_db"])
    return found[~differs], found[differs], new


def _db_visits(connection: Connection, departments: list[str], created: bool) -> pd.DataFrame:
    """The stored visits of ``departments`` (``created_at`` only when ``created``)."""
    table = schema.visits
    names = ("id", "date", "department_code", "village_code", "kind", *COUNT_FIELDS,
             "cadre_ids", "lon", "lat", "summary", "record_id",
             *(("created_at",) if created else ()))
    # Dates travel as text: parsed once per column here, not once per row by the driver.
    columns = [cast(table.c[c], String).label(c) if c == "date" else table.c[c]
               for c in names]
    query = select(*columns).order_by(table.c.id)
    parts = [_select_frame(connection, query.where(
        table.c.department_code.in_(departments[i:i + 500])))
        for i in range(0, len(departments), 500)]
    parts = [p for p in parts if not p.empty]
    if parts:
        frame = pd.concat(parts, ignore_index=True).sort_values("id", ignore_index=True)
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in names})
    frame["date"] = pd.to_datetime(frame["date"].astype(str).str.slice(0, 10),
                                   format="%Y-%m-%d").astype("datetime64[s]")
    for name in COUNT_FIELDS:
        frame[name] = pd.to_numeric(frame[name]).fillna(0).astype("int64")
    for name in ("lon", "lat"):
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    for name in ("summary", "cadre_ids", "record_id"):
        frame[name] = _normal_db_text(frame[name])
    return frame


def _edit_days(actor: User, edit_days: int | None) -> int | None:
    if Role(actor.role) != Role.LIAISON:
        return None
    return edit_days if edit_days is not None else Settings.from_env().edit_days


def _stored_visit(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored form: empty cadre ids and record ids are NULL (as the form stores them)."""
    frame = frame.copy()
    for name in ("cadre_ids", "record_id"):
        if name in frame:
            values = frame[name].astype(object)
            frame[name] = values.where(values != "", None)
    return frame


def _plan_visits(connection: Connection, ctx: _Context, rows: pd.DataFrame,
                 valid: np.ndarray, edit_days: int | None) -> _Plan:
    plan = _Plan()
    file = rows[valid]
    departments = sorted(set(file["department_code"]))
    days = _edit_days(ctx.actor, edit_days)
    db = _db_visits(connection, departments, created=days is not None)
    present = [n for n in (*COUNT_FIELDS, "cadre_ids", "lon", "lat") if ctx.has(n)]
    natural = ["department_code", "village_code", "date", "kind"]
    if ctx.has("summary"):
        natural.append("summary")
    by_rid = _mask(file["record_id"] != "")
    rid_key = ["department_code", "record_id"]
    rid_fields = ["date", "village_code", "kind", *natural[4:], *present]
    created = (pd.to_datetime(db.set_index("id")["created_at"]) if days is not None
               else pd.Series(dtype="datetime64[s]"))
    pool = db
    done: list[np.ndarray] = []
    for part, key, fields in ((file[by_rid], rid_key, rid_fields),
                              (file[~by_rid], natural, present)):
        if part.empty:
            continue
        same, changed = _match(part, pool, key, fields)
        pool = pool[~pool["id"].isin(same["id"]) & ~pool["id"].isin(changed["id"])]
        done += [same["pos"].to_numpy(), changed["pos"].to_numpy()]
        if days is not None and not changed.empty:
            when = changed["id"].map(created)
            limit = pd.Timestamp(ctx.today - timedelta(days=days))
            late = _mask(when.isna() | (when < limit))
            ctx.issues.error(None, "date", "edit_window_passed", {"days": days},
                             positions=changed["pos"].to_numpy()[late])
            changed = changed[~late]
        plan.unchanged += len(same)
        plan.updated += len(changed)
        if not changed.empty and fields:
            values = file.set_index("pos").loc[changed["pos"].to_numpy(), fields]
            plan.update(fields, _stored_visit(values.reset_index(drop=True)), changed["id"])
    handled = np.concatenate(done) if done else np.zeros(0, dtype=np.int64)
    new = file[~file["pos"].isin(handled) & ~ctx.issues.error_rows[file["pos"].to_numpy()]]
    new = _stored_visit(new)
    new["source"] = "import"
    new["created_by"] = ctx.actor.username
    new["created_at"] = pd.Timestamp(local_now())
    columns = ["date", "department_code", "village_code", "kind", *COUNT_FIELDS, "cadre_ids",
               "lon", "lat", "summary", "record_id", "source", "created_by", "created_at"]
    plan.insert(columns, new)
    return plan


def _plan_pairings(connection: Connection, ctx: _Context, rows: pd.DataFrame,
                   valid: np.ndarray) -> _Plan:
    plan = _Plan()
    table = schema.pairings
    db = _select_frame(connection, select(table).order_by(table.c.id))
    db["start_date"] = _db_dates(db["start_date"])
    db["end_date"] = _db_dates(db["end_date"])
    db["note"] = _normal_db_text(db["note"])
    db["required_visits_per_month"] = pd.to_numeric(db["required_visits_per_month"])
    db = db.rename(columns={"id": "db_id"})
    key = ["department_code", "village_code", "start_date"]
    keys = rows[key].astype(str)
    ctx.duplicates(keys, valid, "start_date")
    file = rows[valid & ~ctx.issues.error_rows]
    fields = ["kind", "end_date", "required_visits_per_month", "note"]
    keep = ["kind", "required_visits_per_month"]
    keep += [f for f in ("end_date", "note") if not ctx.has(f)]
    unchanged, changed, new = _keyed(file, db, key, fields, keep, "db_id")
    missing_kind = new["kind"].isna().to_numpy()
    ctx.issues.error(None, "kind", "missing_value", positions=new["pos"].to_numpy()[missing_kind])
    new = new[~missing_kind].copy()
    matched = pd.concat([unchanged, changed], ignore_index=True)
    after = pd.concat([
        db[~db["db_id"].isin(matched["db_id"])].assign(pos=-1)[["pos", "db_id", *key,
                                                                 "end_date"]],
        matched[["pos", "db_id", *key, "end_date"]],
        new[["pos", *key, "end_date"]].assign(db_id=None),
    ], ignore_index=True)
    bad = _overlaps(ctx, after)
    unchanged = unchanged[~unchanged["pos"].isin(bad)]
    changed = changed[~changed["pos"].isin(bad)].copy()
    new = new[~new["pos"].isin(bad)].copy()
    plan.unchanged, plan.updated = len(unchanged), len(changed)
    for frame in (changed, new):
        note = frame["note"].astype(object)
        frame["note"] = note.where(note.notna() & (note != ""), None)
    plan.update(fields, changed, changed["db_id"])
    new["required_visits_per_month"] = new["required_visits_per_month"].fillna(1)
    plan.insert([*key, *fields], new)
    return plan


def _overlaps(ctx: _Context, after: pd.DataFrame) -> set[int]:
    """Flag file rows whose pairing overlaps another of the same department and village.

    Both days count: a pairing ending on the day another starts overlaps it (a pairing is
    active from ``start_date`` to ``end_date`` inclusive, as in ``geo.metrics``).
    """
    bad: set[int] = set()
    far = pd.Timestamp("2999-12-31")
    rownum = ctx.raw.row_numbers
    after = after.assign(department_code=after["department_code"].astype(str),
                         village_code=after["village_code"].astype(str))
    for _, group in after.groupby(["department_code", "village_code"], sort=False):
        if len(group) < 2 or (group["pos"] < 0).all():
            continue
        items = list(group.sort_values("start_date")[["pos", "db_id", "start_date", "end_date"]]
                     .itertuples(index=False))
        for i, a in enumerate(items):
            end_a = far if pd.isna(a.end_date) else a.end_date
            for b in items[i + 1:]:
                if b.start_date > end_a:
                    continue
                for one, other in ((a, b), (b, a)):
                    if one.pos < 0:
                        continue
                    what = (f"row {int(rownum[int(other.pos)])}" if other.pos >= 0 else
                            f"pairing {int(other.db_id)} from "
                            f"{pd.Timestamp(other.start_date).date().isoformat()}")
                    ctx.issues.error(None, "start_date", "overlapping_pairing",
                                     {"other": what}, positions=np.array([int(one.pos)]))
                    bad.add(int(one.pos))
    return bad


def _plan_villages(connection: Connection, ctx: _Context, rows: pd.DataFrame,
                   valid: np.ndarray) -> _Plan:
    plan = _Plan(key="code")
    db = ctx.reference.villages.copy()
    for name in ("name", "short_name"):
        db[name] = _normal_db_text(db[name])
    ctx.duplicates(rows[["code"]].astype(str), valid, "code" if ctx.has("code") else "name")
    file = rows[valid & ~ctx.issues.error_rows]
    fields = ["name", "short_name", "kind", *VILLAGE_FIGURES, "weak"]
    keep = ["name", "short_name", "kind", "weak"]
    keep += [f for f in VILLAGE_FIGURES if not ctx.has(f)]
    db = db.assign(db_code=db["code"])
    unchanged, changed, _ = _keyed(file, db, ["code"], fields, keep, "db_code")
    plan.unchanged, plan.updated = len(unchanged), len(changed)
    plan.update(fields, changed, changed["code"])
    return plan


def _plan_departments(connection: Connection, ctx: _Context, rows: pd.DataFrame,
                      valid: np.ndarray) -> _Plan:
    plan = _Plan(key="code")
    db = ctx.reference.departments.copy()
    db["name"] = _normal_db_text(db["name"])
    ctx.duplicates(rows[["code"]].astype(str), valid, "code")
    file = rows[valid & ~ctx.issues.error_rows]
    fields = ["name", "kind", "party_members", "seat_lon", "seat_lat", "active"]
    keep = ["name", "kind", "party_members", "active"]
    keep += [f for f in ("seat_lon", "seat_lat") if not ctx.has(f)]
    db = db.assign(db_code=db["code"])
    unchanged, changed, new = _keyed(file, db, ["code"], fields, keep, "db_code")
    new = new.copy()
    new["name"] = new["name"].astype(object).where(new["name"] != "", None)
    for name in ("name", "kind"):
        missing = new[name].isna().to_numpy()
        ctx.issues.error(None, name, "missing_value", positions=new["pos"].to_numpy()[missing])
    new = new[new["name"].notna().to_numpy() & new["kind"].notna().to_numpy()].copy()
    plan.unchanged, plan.updated = len(unchanged), len(changed)
    plan.update(fields, changed, changed["code"])
    new["party_members"] = new["party_members"].fillna(0)
    new["active"] = new["active"].fillna(True)
    plan.insert(["code", *fields], new)
    return plan


def _plan_cadres(connection: Connection, ctx: _Context, rows: pd.DataFrame,
                 valid: np.ndarray) -> _Plan:
    plan = _Plan()
    table = schema.cadres
    db = _select_frame(connection, select(table).order_by(table.c.id))
    db["name"] = _normal_db_text(db["name"])
    db = db.rename(columns={"id": "db_id"})
    with_id = _mask(rows["id"].notna())
    ctx.duplicates(rows[["id"]].astype(str), valid & with_id, "id")
    ctx.duplicates(rows[["department_code", "name"]].astype(str), valid & ~with_id, "name")
    file = rows[valid & ~ctx.issues.error_rows]
    known = _mask(file["id"].isin(db["db_id"]))
    first = file[known].assign(db_id=file["id"][known].astype("int64"))
    rest = file[~known]
    pool = db[~db["db_id"].isin(first["db_id"])]
    named = _pair(rest, pool, ["department_code", "name"], "db_id")
    matched = pd.concat([first, rest.merge(named, on="pos")], ignore_index=True)
    new = rest[~rest["pos"].isin(named["pos"])].copy()
    fields = ["department_code", "name", "leader", "active"]
    joined = matched.merge(db[["db_id", *fields]].rename(
        columns={f: f"{f}_db" for f in fields}), on="db_id", how="left")
    differs = np.zeros(len(joined), dtype=bool)
    for column in fields:
        if column in ("leader", "active"):
            values = joined[column].astype(object)
            joined[column] = values.where(values.notna(), joined[f"{column}_db"].astype(object))
        differs |= ~_same(joined[column], joined[f"{column}_db"])
    changed = joined[differs]
    plan.unchanged, plan.updated = int((~differs).sum()), len(changed)
    plan.update(fields, changed, changed["db_id"])
    new["leader"] = new["leader"].fillna(False)
    new["active"] = new["active"].fillna(True)
    free = _mask(new["id"].notna() & ~new["id"].isin(db["db_id"]))
    plan.insert(["id", *fields], new[free])
    plan.insert(fields, new[~free])
    return plan


# --- writing -------------------------------------------------------------------------------

TABLES: dict[str, Table] = {"villages": schema.admin_units, "departments": schema.departments,
                            "cadres": schema.cadres, "pairings": schema.pairings,
                            "visits": schema.visits}


def _statement_rows(connection: Connection, statement: object, frame: pd.DataFrame,
                    types: dict[str, object]) -> tuple[str, list]:
    """Compile ``statement`` for the connection and give its parameter rows for ``frame``.

    Values go through the column types' own bind processors (dates as SQLAlchemy stores
    them), once per column rather than once per row.
    """
    compiled = statement.compile(dialect=connection.dialect)
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    columns = {name: _db_column(frame[name], types[name], connection.dialect) for name in names}
    if compiled.positional:
        rows = list(zip(*(columns[name] for name in names), strict=True))
    else:
        rows = [dict(zip(names, values, strict=True))
                for values in zip(*(columns[name] for name in names), strict=True)]
    return str(compiled), rows


def _write(connection: Connection, table: Table, plan: _Plan, progress: _Progress) -> None:
    """Insert and update in chunks (``executemany``) inside the caller's transaction."""
    total = max(1, plan.inserted + sum(len(frame) for _, frame in plan.updates))
    done = 0
    types = {c.name: c.type for c in table.columns}
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and total > CHUNK_ROWS:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        for columns, frame in plan.inserts:
            statement = insert(table).values({c: bindparam(c, type_=types[c]) for c in columns})
            for start in range(0, len(frame), CHUNK_ROWS):
                sql, rows = _statement_rows(connection, statement,
                                            frame.iloc[start:start + CHUNK_ROWS], types)
                connection.exec_driver_sql(sql, rows)
                done += len(rows)
                progress.step(done / total)
            if "id" in columns and connection.dialect.name == "postgresql":
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"))
        for columns, frame in plan.updates:
            statement = (update(table).where(table.c[plan.key] == bindparam("_key"))
                         .values({c: bindparam(f"v_{c}", type_=types[c]) for c in columns}))
            frame = frame.rename(columns={c: f"v_{c}" for c in columns})
            bind_types = {f"v_{c}": types[c] for c in columns} | {"_key": types[plan.key]}
            for start in range(0, len(frame), CHUNK_ROWS):
                sql, rows = _statement_rows(connection, statement,
                                            frame.iloc[start:start + CHUNK_ROWS], bind_types)
                connection.exec_driver_sql(sql, rows)
                done += len(rows)
                progress.step(done / total)
    finally:
        if sqlite and total > CHUNK_ROWS:
            connection.exec_driver_sql(f"PRAGMA cache_size={SQLITE_DEFAULT_CACHE}")


class _Progress:
    """Report progress in stages: reading, checking, matching, writing."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.low, self.high = 0.0, 1.0

    def stage(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.step(0.0)

    def step(self, fraction: float) -> None:
        if self.callback is not None:
            value = self.low + (self.high - self.low) * min(1.0, max(0.0, fraction))
            self.callback(round(value, 4))


# --- entry points --------------------------------------------------------------------------

def check_table(table: str) -> None:
    """Refuse tables that cannot be imported (``DataError``, exit 2)."""
    if table in IMPORT_TABLES:
        return
    if table == "townships":
        raise DataError("townships come with their boundaries; use import boundaries")
    raise DataError(f"cannot import {table!r}; choose one of {', '.join(IMPORT_TABLES)}")


def check_access(actor: User, table: str) -> None:
    """Refuse an actor who may not import ``table`` at all (``AccessDeniedError``)."""
    check_table(table)
    if table == "visits":
        require(actor, Action.WRITE_VISITS)
    elif table == "pairings":
        require(actor, Action.EDIT_PAIRINGS)
    else:
        require(actor, Action.IMPORT_REFERENCE)


def import_file(engine: Engine, actor: User, table: str, path: Path | str,
                sheet: str | None = None, dry_run: bool = False, skip_invalid: bool = False,
                today: date | None = None, progress: Progress | None = None,
                edit_days: int | None = None) -> ImportReport:
    """Import a CSV or XLSX file into ``table`` (the import contract of DESIGN.md).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    actor : geo.access.User
        The acting user; visits need ``WRITE_VISITS`` for every department in the file,
        pairings ``EDIT_PAIRINGS``, the other tables ``IMPORT_REFERENCE``.
    table : str
        One of ``IMPORT_TABLES``.
    path : pathlib.Path or str
        The ``.csv`` or ``.xlsx`` file.
    sheet : str, optional
        The XLSX sheet (default the first).
    dry_run : bool
        Check and count, write nothing.
    skip_invalid : bool
        Write the valid rows and the invalid ones, with reasons, to
        ``<input stem>.rejected.csv`` beside the input.
    today : datetime.date, optional
        Visit dates after it are errors (default today in the county).
    progress : callable, optional
        Called with the fraction done (0 to 1).
    edit_days : int, optional
        A liaison's edit window for updating visits (default ``PAIRMAP_EDIT_DAYS``).

    Returns
    -------
    ImportReport

    Raises
    ------
    DataError
        A file problem (empty, unreadable, unknown format, required column missing) or
        an unknown table.
    AccessDeniedError
        The actor may not import this table or one of the file's departments.
    """
    check_access(actor, table)
    path = Path(path)
    steps = _Progress(progress)
    steps.stage(0.0, 0.15)
    raw = read_table_file(path, sheet=sheet, known_headers=known_header(table))
    target = path.with_name(path.stem + REJECTED_SUFFIX)
    return _import(engine, actor, table, raw, dry_run, skip_invalid, today, steps, edit_days,
                   rejected_path=target)


def import_upload(engine: Engine, actor: User, table: str, filename: str, data: bytes,
                  sheet: str | None = None, dry_run: bool = False,
                  skip_invalid: bool = False, today: date | None = None,
                  progress: Progress | None = None,
                  edit_days: int | None = None) -> ImportReport:
    """Import an uploaded file (its bytes and name) — the web page's ``import_file``.

    With ``skip_invalid`` the rejected rows are returned as CSV bytes in
    ``ImportReport.rejected_bytes`` (UTF-8 with BOM) and ``rejected_file`` is the name
    to offer for download; nothing is written to disk.
    """
    check_access(actor, table)
    steps = _Progress(progress)
    steps.stage(0.0, 0.15)
    raw = read_table_bytes(data, filename, sheet=sheet, known_headers=known_header(table))
    return _import(engine, actor, table, raw, dry_run, skip_invalid, today, steps, edit_days,
                   rejected_path=None)


def import_table(engine: Engine, actor: User, table: str, raw: RawTable,
                 dry_run: bool = False, skip_invalid: bool = False, today: date | None = None,
                 progress: Progress | None = None,
                 edit_days: int | None = None) -> ImportReport:
    """Import an already read ``RawTable`` (rejected rows as bytes, as ``import_upload``)."""
    check_access(actor, table)
    return _import(engine, actor, table, raw, dry_run, skip_invalid, today,
                   _Progress(progress), edit_days, rejected_path=None)


def _import(engine: Engine, actor: User, table: str, raw: RawTable, dry_run: bool,
            skip_invalid: bool, today: date | None, steps: _Progress, edit_days: int | None,
            rejected_path: Path | None) -> ImportReport:
    today = today or local_today()
    columns, unknown = map_headers(table, raw)
    report = ImportReport(file=raw.file, table=table, rows=len(raw), dry_run=dry_run)
    issues = _Issues(raw, columns)
    for label in unknown:
        issues.file_warning(label, "unknown_column")
    if len(raw) == 0:
        report.warnings = issues.build("warnings")
        steps.stage(1.0, 1.0)
        return report
    begin = engine.connect if dry_run else engine.begin
    with begin() as connection:
        steps.stage(0.15, 0.35)
        reference = _load_reference(connection)
        ctx = _Context(table, raw, columns, issues, reference, today, actor)
        rows = PREPARERS[table](ctx)
        if table == "visits":
            departments = sorted({d for d in rows["department_code"] if isinstance(d, str)})
            for department in departments:
                require(actor, Action.WRITE_VISITS, department)
        steps.stage(0.35, 0.5)
        valid = ~issues.error_rows.copy()
        if table == "visits":
            _warn_visit_duplicates(ctx, rows, valid)
            plan = _plan_visits(connection, ctx, rows, valid, edit_days)
        elif table == "pairings":
            plan = _plan_pairings(connection, ctx, rows, valid)
        elif table == "villages":
            plan = _plan_villages(connection, ctx, rows, valid)
        elif table == "departments":
            plan = _plan_departments(connection, ctx, rows, valid)
        else:
            plan = _plan_cadres(connection, ctx, rows, valid)
        report.errors = issues.build("errors")
        report.warnings = issues.build("warnings")
        report.rejected = int(issues.error_rows.sum())
        if report.errors and not skip_invalid:
            steps.stage(1.0, 1.0)
            return report
        report.inserted, report.updated, report.unchanged = (
            plan.inserted, plan.updated, plan.unchanged)
        rejected = _rejected_rows(raw, issues) if report.rejected else None
        if rejected is not None:
            name = (rejected_path.name if rejected_path is not None else
                    Path(raw.file).stem + REJECTED_SUFFIX)
            if rejected_path is None:
                report.rejected_bytes = rejected
                report.rejected_file = name
            elif not dry_run:
                rejected_path.write_bytes(rejected)
                report.rejected_file = str(rejected_path)
        if dry_run or not report.changed:
            steps.stage(1.0, 1.0)
            return report
        steps.stage(0.5, 1.0)
        try:
            _write(connection, TABLES[table], plan, steps)
            store.bump_data_version(connection)
            write_audit(connection, actor, "import", table, Path(raw.file).name, None,
                        {"file": Path(raw.file).name, **report.counts()})
        except BaseException:
            if rejected_path is not None and report.rejected_file:
                rejected_path.unlink(missing_ok=True)
                report.rejected_file = None
            raise
    steps.stage(1.0, 1.0)
    return report


def _rejected_rows(raw: RawTable, issues: _Issues) -> bytes:
    """The invalid rows: the file's columns plus ``row`` and ``reason`` (UTF-8 with BOM)."""
    reasons = issues.reasons()
    positions = reasons.index.to_numpy(dtype=np.int64)
    frame = raw.frame.iloc[positions].reset_index(drop=True).astype(object)
    row_label = "row" if "row" not in frame.columns else "row (import)"
    reason_label = "reason" if "reason" not in frame.columns else "reason (import)"
    frame[row_label] = raw.row_numbers[positions]
    frame[reason_label] = reasons.to_numpy()
    return csv_bytes(frame)

