"""The planner's input files (geo.io.plan_files): CSV in UTF-8 or GBK and XLSX, English or
Chinese headers; every broken row refused with its file, row and column."""

from __future__ import annotations

import openpyxl
import pytest

from geo.errors import DataError
from geo.i18n import translate_error
from geo.io.plan_files import read_plan_file

DEPARTMENTS = {"XS001", "XS002"}
VILLAGES = {"420526101001", "420526101002"}


def test_gbk_csv_with_a_title_row_and_chinese_headers(tmp_path):
    path = tmp_path / "名额.csv"
    path.write_bytes("兴山县结对名额\n单位代码,名额\nXS001,3\nXS002,0\n".encode("gbk"))
    frame = read_plan_file(path, "capacity", DEPARTMENTS)
    assert frame.to_dict("list") == {"row": [3, 4], "department_code": ["XS001", "XS002"],
                                     "capacity": [3, 0]}


def test_xlsx_costs_with_english_headers(tmp_path):
    path = tmp_path / "costs.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (("department_code", "village_code", "km"), ("XS001", "420526101001", 12.5),
                ("XS002", "420526101001", "7")):
        sheet.append(row)
    book.save(path)
    frame = read_plan_file(path, "costs", DEPARTMENTS, VILLAGES)
    assert frame["km"].tolist() == [12.5, 7.0] and frame["row"].tolist() == [2, 3]


@pytest.mark.parametrize(("text", "code", "row", "column"), [
    ("单位代码,村代码\nXS001,420526109999\n", "plan_file_unknown_village", 2, "村代码"),
    ("单位代码,村代码\nXS001,420526101001\nXS001,420526101001\n", "plan_file_repeated", 3,
     "村代码"),
    ("单位代码,村代码\n,420526101001\n", "plan_file_empty", 2, "单位代码"),
])
def test_a_broken_row_names_its_file_row_and_column(tmp_path, text, code, row, column):
    path = tmp_path / "lock.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_plan_file(path, "lock", DEPARTMENTS, VILLAGES)
    error = caught.value
    assert (error.code, error.row, error.column, error.file) == (code, row, column, str(path))
    assert f"第 {row} 行" in translate_error(error, "zh")


def test_a_missing_file_is_a_sentence(tmp_path):
    with pytest.raises(DataError) as caught:
        read_plan_file(tmp_path / "none.csv", "exclude")
    assert caught.value.code == "file_missing"
