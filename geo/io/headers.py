"""Record imports, step 1: map a file's headers to fields (Chinese or English).

Headers are compared in ``header_key`` form; ``HEADER_ALIASES`` lists, per table and
field, the headers that give it (the export name first, then the usual Chinese ones).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from geo.errors import DataError
from geo.io.readers import RawTable

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
    "problems": {
        "raised_on": ("raised_on", "受理日期", "反映日期", "登记日期", "收到日期", "日期"),
        "department_code": (*_DEPARTMENT["department_code"], "责任单位代码", "承办单位代码"),
        "department": (*_DEPARTMENT["department"], "责任单位", "承办单位"),
        **_VILLAGE,
        "category": ("category", "诉求类别", "问题类别", "类别", "问题类型"),
        "description": ("description", "诉求内容", "问题描述", "反映问题", "具体问题", "内容"),
        "resident": ("resident", "反映人", "诉求人", "群众姓名", "姓名"),
        "co_departments": ("co_departments", "协办单位", "协办单位代码", "联合办理单位"),
        "due_date": ("due_date", "办理期限", "限办日期", "期限"),
        "status": ("status", "办理状态", "状态"),
        "resolved_on": ("resolved_on", "办结日期", "办结时间"),
        "resolution": ("resolution", "办理结果", "处理结果", "办结情况"),
        "satisfaction": ("satisfaction", "群众评价", "满意度", "群众满意度"),
        "record_id": ("record_id", "诉求编号", "编号", "记录编号", "台账编号"),
        "raised_visit_id": ("raised_visit_id", "受理走访编号", "走访记录号"),
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
        "county_code": ("county_code", "county", "县代码", "所属县代码", "县(市、区)代码",
                        "区县代码", "所属县", "县(市、区)", "所属县(市、区)"),
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
    "problems": ("id", "created_by", "created_at", "录入人", "录入时间"),
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
    "problems": (("raised_on",), ("department_code", "department"),
                 ("village_code", "village"), ("category",), ("description",)),
    "pairings": (("department_code", "department"), ("village_code", "village"),
                 ("start_date",)),
    "villages": (("code", "name", "short_name"),),
    "departments": (("code",),),
    "cadres": (("department_code", "department"), ("name",)),
}
"""Columns a file must have: one of each group (else ``DataError``, exit 2)."""


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
    return " / ".join(parts)


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
                raise DataError("duplicate_column", file=raw.file, first=columns[name],
                                second=label, field=name)
            columns[name] = label
    for group in REQUIRED_FIELDS[table]:
        if not any(name in columns for name in group):
            raise DataError("required_column_missing", file=raw.file, row=raw.header_row,
                            columns=_describe(table, group))
    return columns, unknown
