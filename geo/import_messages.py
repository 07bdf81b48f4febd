"""The messages of import problems, in Chinese and English, by stable code.

Every error or warning of an import carries a ``code`` (``unknown_village``,
``future_date``, …), the cell's ``value`` and a few named parameters; the report's
``message`` is the English text, and ``translate_issue`` gives either language for the
page. Templates use ``str.format`` fields: ``{value}``, ``{column}`` and the issue's own
parameters; a missing parameter is shown empty rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping

IMPORT_MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "missing_value": "“{column}”不能为空",
        "bad_date": "“{value}”不是日期（可写 2024-05-06、2024/5/6 或 2024年5月6日）",
        "future_date": "日期 {value} 晚于今天",
        "bad_number": "“{value}”不是整数",
        "bad_decimal": "“{value}”不是数字",
        "negative_count": "{value} 是负数，数量不能为负",
        "bad_coordinate": "{value} 超出{axis}的取值范围",
        "incomplete_point": "经度和纬度须同时填写或同时留空",
        "bad_flag": "“{value}”不是“是”或“否”",
        "too_long": "“{value}”超过 {limit} 个字符",
        "unknown_village": "没有村（社区）“{value}”",
        "ambiguous_village": "村（社区）“{value}”不唯一（{candidates}），请填写村代码或乡镇",
        "unknown_township": "没有乡镇“{value}”",
        "unknown_department": "没有单位“{value}”",
        "ambiguous_department": "单位“{value}”不唯一（{candidates}），请填写单位代码",
        "unknown_kind": "“{value}”不是可选的类型（{choices}）",
        "end_before_start": "结束日期 {value} 早于开始日期 {start}",
        "overlapping_pairing": "与同一单位和村的另一结对（{other}）时间重叠",
        "duplicate_in_file": "“{value}”在文件中重复（首次出现在第 {first_row} 行）",
        "edit_window_passed": "该走访记录录入已超过 {days} 天，联络员不能再修改",
        "duplicate_visit": "同一走访在文件中出现多次（第 {rows} 行）",
        "duplicate_record_id": "记录编号“{value}”在同一单位中重复（第 {rows} 行）",
        "resolved_exceeds_raised": "解决问题数 {resolved} 多于收集问题数 {raised}"
                                   "（回访可解决以前的问题，仅提示）",
        "unknown_column": "列“{column}”不是可导入的列，已忽略",
    },
    "en": {
        "missing_value": "{column} must not be empty",
        "bad_date": "{value!r} is not a date (write 2024-05-06, 2024/5/6 or 2024年5月6日)",
        "future_date": "the date {value} is in the future",
        "bad_number": "{value!r} is not a whole number",
        "bad_decimal": "{value!r} is not a number",
        "negative_count": "{value} is negative; counts cannot be negative",
        "bad_coordinate": "{value} is outside the range of a {axis}",
        "incomplete_point": "give both longitude and latitude, or neither",
        "bad_flag": "{value!r} is not yes or no",
        "too_long": "{value!r} is longer than {limit} characters",
        "unknown_village": "unknown village {value!r}",
        "ambiguous_village": "the village {value!r} is ambiguous ({candidates}); give its code "
                             "or its township",
        "unknown_township": "unknown township {value!r}",
        "unknown_department": "unknown department {value!r}",
        "ambiguous_department": "the department {value!r} is ambiguous ({candidates}); give "
                                "its code",
        "unknown_kind": "{value!r} is not one of the kinds ({choices})",
        "end_before_start": "the end date {value} is before the start date {start}",
        "overlapping_pairing": "overlaps another pairing of the same department and village "
                               "({other})",
        "duplicate_in_file": "{value!r} appears more than once in the file (first on row "
                             "{first_row})",
        "edit_window_passed": "this visit was recorded more than {days} days ago; a liaison "
                              "may no longer change it",
        "duplicate_visit": "the same visit is listed more than once (rows {rows})",
        "duplicate_record_id": "the record id {value!r} is used more than once by one "
                               "department (rows {rows})",
        "resolved_exceeds_raised": "{resolved} problems resolved but {raised} raised (a "
                                   "follow-up visit may resolve earlier problems)",
        "unknown_column": "the column {column!r} is not imported",
    },
}
"""Message templates by language and code (merged into the app's text catalogue)."""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def format_message(code: str, lang: str = "en", value: object = None, column: object = None,
                   params: Mapping[str, object] | None = None) -> str:
    """Return the message of ``code`` in ``lang`` (English when the language lacks it).

    Parameters
    ----------
    code : str
        The issue's code, a key of ``IMPORT_MESSAGES[lang]``.
    lang : str
        ``"zh"`` or ``"en"``.
    value, column : optional
        The cell's text and the file's header.
    params : mapping, optional
        The issue's other named values.
    """
    catalogue = IMPORT_MESSAGES.get(lang, IMPORT_MESSAGES["en"])
    template = catalogue.get(code) or IMPORT_MESSAGES["en"].get(code) or code
    fields = _Blank(params or {})
    fields["value"] = "" if value is None else value
    fields["column"] = "" if column is None else column
    try:
        return template.format_map(fields)
    except (ValueError, IndexError, KeyError):
        return template


def translate_issue(issue: object, lang: str) -> str:
    """Return an import issue's message in ``lang`` (``"zh"`` or ``"en"``).

    ``issue`` is a ``geo.io.imports.ImportIssue`` or a mapping with ``code``, ``value``,
    ``column`` and optionally ``params``; an unknown code gives the issue's own message.
    """
    if isinstance(issue, Mapping):
        code = issue.get("code")
        value, column = issue.get("value"), issue.get("column")
        params = issue.get("params") or {}
        fallback = issue.get("message")
    else:
        code = getattr(issue, "code", None)
        value, column = getattr(issue, "value", None), getattr(issue, "column", None)
        params = getattr(issue, "params", None) or {}
        fallback = getattr(issue, "message", None)
    if code is None or code not in IMPORT_MESSAGES["en"]:
        return str(fallback or code or "")
    return format_message(str(code), lang, value, column, params)
