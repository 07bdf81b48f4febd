"""Import templates: Chinese headers and one example row per table (CSV and XLSX)."""

from __future__ import annotations

import pandas as pd

from geo.io.table_files import csv_bytes, xlsx_bytes

TEMPLATES: dict[str, dict[str, object]] = {
    "visits": {
        "日期": "2026-05-06", "单位代码": "XS001", "单位名称": "县委办公室",
        "乡镇": "古夫镇", "村代码": "420526101201", "村名": "龙池村",
        "走访类型": "走访慰问", "参与人数": 3, "走访户数": 12, "收集问题": 2, "解决问题": 1,
        "工作内容": "入户走访脱贫户12户，宣传防返贫政策", "经度": 110.7512, "纬度": 31.3476,
        "编号": "2026-0001",
    },
    "problems": {
        "受理日期": "2026-05-06", "责任单位代码": "XS001", "责任单位": "县委办公室",
        "乡镇": "古夫镇", "村代码": "420526101201", "村名": "龙池村", "诉求类别": "基础设施",
        "诉求内容": "村口至三组的路灯损坏，夜间出行不便", "反映人": "", "协办单位": "",
        "办理期限": "2026-06-05", "办理状态": "待办理", "办结日期": "", "办理结果": "",
        "群众评价": "", "诉求编号": "2026-SQ-0001",
    },
    "pairings": {
        "单位代码": "XS001", "单位名称": "县委办公室", "乡镇": "古夫镇",
        "村代码": "420526101201", "村名": "龙池村", "结对类型": "结对共建",
        "开始日期": "2026-01-01", "结束日期": "", "每月走访次数": 1, "备注": "",
    },
    "villages": {
        "区划代码": "420526101201", "名称": "龙池村村民委员会", "村名": "龙池村",
        "乡镇代码": "420526101", "类型": "村", "人口": 1860, "户数": 620,
        "留守老人": 150, "低收入户": 31, "软弱涣散村": "否",
    },
    "departments": {
        "单位代码": "XS001", "县代码": "420526", "单位名称": "县委办公室", "单位类型": "党政机关",
        "党员人数": 45,
        "驻地经度": 110.7501, "驻地纬度": 31.3482, "在用": "是",
    },
    "cadres": {
        "单位代码": "XS001", "单位名称": "县委办公室", "姓名": "王伟", "是否领导": "是",
        "在职": "是",
    },
}


def template_frame(table: str) -> pd.DataFrame:
    """Return the template of ``table``: Chinese headers and one example row."""
    return pd.DataFrame([TEMPLATES[table]])


def template_bytes(table: str, file_format: str) -> bytes:
    """Return the template of ``table`` as ``csv`` (UTF-8 with BOM) or ``xlsx`` bytes."""
    frame = template_frame(table)
    return xlsx_bytes(frame, table) if file_format == "xlsx" else csv_bytes(frame)
