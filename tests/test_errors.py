"""Errors carry a code and parameters; their sentences live in the one catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from geo import errors
from geo.errors import AccessDeniedError, DataError, PairMapError
from geo.i18n import CATALOGUE, translate_error

ROOT = Path(__file__).resolve().parent.parent
ERROR_CLASSES = {name for name, value in vars(errors).items()
                 if isinstance(value, type) and issubclass(value, PairMapError)}


def _raised_codes() -> list[tuple[str, int, str]]:
    """(file, line, code) of every geo error built with a literal code."""
    found = []
    for path in sorted((ROOT / "geo").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ERROR_CLASSES and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((str(path.relative_to(ROOT)), node.lineno, first.value))
    return found


def _has_message(code: str, lang: str) -> bool:
    return f"error.{code}" in CATALOGUE[lang] or f"issue.{code}" in CATALOGUE[lang]


def test_every_raised_code_has_a_sentence_in_both_languages():
    codes = _raised_codes()
    assert len(codes) > 80  # the scan finds the raises
    for where, line, code in codes:
        assert code.isidentifier() and code.islower(), f"{where}:{line} {code!r} is a sentence"
        for lang in ("zh", "en"):
            assert _has_message(code, lang), f"{where}:{line} {code!r} has no {lang} text"
    for name in ERROR_CLASSES:
        default = getattr(errors, name).default_code
        assert _has_message(default, "zh") and _has_message(default, "en"), name


def test_no_english_reaches_the_chinese_sentence():
    error = DataError("required_column_missing", file="台账.csv", row=3,
                      columns="date (日期/走访日期)")
    assert translate_error(error, "zh") == (
        "缺少必需的列：date (日期/走访日期)（文件 台账.csv，第 3 行）")
    assert str(error) == ("a required column is missing: date (日期/走访日期) "
                          "(file 台账.csv, row 3)")


def test_a_form_field_is_not_repeated_as_a_file_column():
    error = DataError("password_too_short", column="password", minimum=8)
    assert translate_error(error, "zh") == "密码至少 8 位"
    assert error.column == "password" and error.params == {"minimum": 8}


def test_a_broken_visit_rule_reads_as_the_import_issue():
    error = DataError("future_date", column="date", value="2027-01-01")
    assert translate_error(error, "zh") == "日期 2027-01-01 晚于今天"
    assert translate_error(error, "en") == "the date 2027-01-01 is in the future"


def test_access_denied_names_the_department():
    with pytest.raises(AccessDeniedError, match="XS001") as caught:
        raise AccessDeniedError("role_may_not_for_department", role="liaison",
                                action="write_visits", department="XS001")
    assert translate_error(caught.value, "zh") == "您的角色无权对单位 XS001 进行此操作"
