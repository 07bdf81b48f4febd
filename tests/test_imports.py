"""Record imports (DESIGN.md's import contract): formats and encodings, header mapping,
row checks with spreadsheet rows and the file's own headers, matching and repeatability,
all-or-nothing writes, --skip-invalid and --dry-run, access and the audit log.

Files are built by code in each test (tests/fixtures_imports.py); databases are private
copies of the seeded sample county (its history ends on ANCHOR)."""

from __future__ import annotations

import ast
import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select, update

from geo import db, pairing_rules, problem_rules, schema, store, visit_rules
from geo.access import Role, User
from geo.errors import AccessDeniedError, DataError
from geo.i18n import CATALOGUE, translate_issue
from geo.io import headers, imports, readers
from geo.io.report import Issue
from geo.io.table_files import EXPORT_COLUMNS, write_table
from geo.settings import SAMPLE_DIR, local_now
from geo.text import normalize_text
from tests.conftest import ANCHOR
from tests.fixtures_imports import (
    EN_VISIT_HEADERS,
    TITLE,
    ZH_VISIT_HEADERS,
    excel_serial,
    load_small_county,
    make_engine,
    visit_rows,
    write_csv,
    write_xlsx,
)

ISSUE_CODES = {lang: {key.split(".")[1] for key in CATALOGUE[lang] if key.startswith("issue.")}
               for lang in ("zh", "en")}
"""The import issue codes with a message in each language."""
ADMIN = User("importer", Role.ADMIN)
ORGANISER = User("org", Role.ORGANISER)
LEADER = User("lead", Role.LEADER)
LIAISON = User("li", Role.LIAISON, department_code="XS005")
CONTRACT_KEYS = ["file", "rows", "inserted", "updated", "unchanged", "rejected", "errors",
                 "warnings", "rejected_file"]


@pytest.fixture
def demo(demo_url: str) -> Iterator[Engine]:
    """The sample county on each backend."""
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


def run(engine: Engine, table: str, path: Path, actor: User = ADMIN, **options):
    return imports.import_file(engine, actor, table, path, today=ANCHOR, **options)


def count(engine: Engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def audit_entries(engine: Engine) -> pd.DataFrame:
    frame = store.load_audit(engine)
    return frame[frame["action"] == "import"].reset_index(drop=True)


def issues(report, kind: str = "errors") -> list[tuple]:
    found = getattr(report, kind)
    assert all(i.code in ISSUE_CODES["en"] for i in found)
    return [(i.row, i.column, i.code) for i in found]


def en_row(day: str, dept: str, village: str, kind: str = "走访慰问", households: int = 3,
           raised: int = 0, resolved: int = 0, summary: str = "入户走访", record_id: str = ""):
    return [day, dept, village, kind, 2, households, raised, resolved, summary, record_id]


# --- formats, encodings, headers ------------------------------------------------------------

def test_gbk_csv_with_chinese_headers_and_a_title_row(demo, tmp_path):
    rows = [
        ["2024/5/6", "县委办公室", "龙珠社区", "古夫镇", "走访慰问", 3, 5, 2, 1,
         "入户走访\u3000 困难群众", "GB-1"],
        ["2024年5月7日", "县纪委监委", "陈家湾村村民委员会", "昭君镇", "大下访", 2, 0, 4, 4,
         "接待来访群众", ""],
    ]
    path = write_csv(tmp_path / "台账.csv", ZH_VISIT_HEADERS, rows, encoding="gbk", title=TITLE)
    before = count(demo, schema.visits)
    report = run(demo, "visits", path)
    result = report.as_dict()
    assert list(result) == CONTRACT_KEYS
    assert (result["rows"], result["inserted"], result["rejected"]) == (2, 2, 0)
    assert report.exit_code == 0 and result["errors"] == [] and result["rejected_file"] is None
    assert count(demo, schema.visits) == before + 2
    first = visit_rows(demo, "XS001", "420526101001", date(2024, 5, 6))[-1]
    assert first["summary"] == "入户走访 困难群众" and first["record_id"] == "GB-1"
    assert (first["cadre_count"], first["households_visited"], first["problems_raised"],
            first["problems_resolved"]) == (3, 5, 2, 1)
    assert first["source"] == "import" and first["created_by"] == ADMIN.username
    assert first["created_at"] is not None
    second = visit_rows(demo, "XS005", "420526102201", date(2024, 5, 7), "信访接待/大下访")
    assert second[-1]["record_id"] is None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings_with_english_headers(demo, tmp_path, encoding):
    rows = [en_row("2024-05-06", "XS001", "420526101001", summary="龙珠社区：走访"),
            en_row("2024-05-08", "XS002", "420526101002", summary="夫子社区：宣讲")]
    path = write_csv(tmp_path / "visits.csv", EN_VISIT_HEADERS, rows, encoding=encoding)
    report = run(demo, "visits", path)
    assert (report.inserted, report.exit_code) == (2, 0)
    assert visit_rows(demo, "XS002", "420526101002", date(2024, 5, 8))[-1]["summary"] \
        == "夫子社区:宣讲"


def test_xlsx_with_merged_title_serial_dates_and_number_codes(demo, tmp_path):
    header = ["走访日期", "单位代码", "村代码", "走访类型", "走访户数（户）", "工作内容"]
    rows = [
        [excel_serial(date(2024, 5, 6)), "XS001", 420526101001, "走访慰问", 4, "走访"],
        [datetime(2024, 5, 7), "XS001", 420526101002, "政策宣讲", 0, "宣讲"],
        [excel_serial(date(2024, 5, 8)), "XS001", 420526999999, "政策宣讲", 0, "宣讲"],
    ]
    path = write_xlsx(tmp_path / "台账.xlsx", header, rows, title=TITLE, date_columns=[0],
                      other_sheets=["说明"])
    report = run(demo, "visits", path)
    assert report.exit_code == 1 and report.inserted == 0
    assert issues(report) == [(5, "村代码", "unknown_village")]
    assert report.errors[0].value == "420526999999"
    path = write_xlsx(tmp_path / "台账.xlsx", header, rows[:2], title=TITLE, date_columns=[0])
    report = run(demo, "visits", path)
    assert (report.inserted, report.exit_code) == (2, 0)
    assert visit_rows(demo, "XS001", "420526101001", date(2024, 5, 6))[-1][
        "households_visited"] == 4
    assert visit_rows(demo, "XS001", "420526101002", date(2024, 5, 7), "政策宣讲")


def test_xlsx_sheet_choice(demo, tmp_path):
    path = tmp_path / "book.xlsx"
    write_xlsx(path, ["code", "population"], [["420526101001", 1234]], sheet="村情")
    report = run(demo, "villages", path, sheet="村情")
    assert report.updated == 1
    with pytest.raises(DataError, match="no sheet"):
        run(demo, "villages", path, sheet="其他")


@pytest.mark.parametrize("text,expected", [
    ("2024-05-06", date(2024, 5, 6)), ("2024/5/6", date(2024, 5, 6)),
    ("2024年5月6日", date(2024, 5, 6)), ("２０２４年５月６日", date(2024, 5, 6)),
    ("45418", date(2024, 5, 6)),
    ("45418.0", date(2024, 5, 6)), ("20240506", date(2024, 5, 6)), ("2024.5.6", date(2024, 5, 6)),
    ("2024-05-06 00:00:00", date(2024, 5, 6)), ("2024-02-30", None), ("2024", None),
    ("6/5/2024", None), ("soon", None), ("", None),
])
def test_date_forms(text, expected):
    assert readers.parse_date_text(text) == expected


def test_full_width_dates_parse_through_the_column_parser():
    dates, empty, bad = readers.parse_dates(pd.Series(["２０２４年５月６日", "", "x"], dtype=str))
    assert dates.iloc[0] == pd.Timestamp("2024-05-06")
    assert list(empty) == [False, True, False] and list(bad) == [False, False, True]


def test_header_aliases_are_unambiguous():
    for table, fields in headers.HEADER_ALIASES.items():
        seen: dict[str, str] = {}
        for name, aliases in fields.items():
            for alias in aliases:
                key = headers.header_key(alias)
                assert seen.setdefault(key, name) == name, (table, alias)
    assert headers.field_of("visits", "走访户数（户）") == "households_visited"
    assert headers.field_of("visits", " Department Code ") == "department_code"
    assert headers.field_of("visits", "村（社区）") == "village"
    assert headers.field_of("visits", "备注") is None


def test_export_columns_are_all_known():
    for table in imports.IMPORT_TABLES:
        for column in EXPORT_COLUMNS[table]:
            assert headers.field_of(table, column) is not None, (table, column)


def test_text_normal_form_matches_geo_text():
    values = [" ａｂ\u3000 c ", "x\u2003\u2028y\t", "① ㎡ ﬁ", "", "  ", "Ⅻ", "ｶﾞ", "龙池村：走访，"]
    series = pd.Series(values, dtype=str)
    expected = [normalize_text(v) for v in values]
    assert readers.normal_text(series).tolist() == expected
    assert readers.normal_text(series, distinct=False).tolist() == expected


def test_encoding_detection(tmp_path):
    text = "date,summary\n2024-05-06,走访\n"
    assert readers.detect_encoding(text.encode("utf-8")) == "utf-8"
    assert readers.detect_encoding(text.encode("utf-8-sig")) == "utf-8-sig"
    assert readers.detect_encoding(text.encode("gbk")) == "gb18030"
    # A file in neither Chinese encoding is never read in a guessed one (tests/test_encodings.py:
    # its odd rows are errors naming what they look like).
    latin = "code,name\nXS001,café crème brûlée à la carte\n".encode("cp1252")
    assert readers.detect_encoding(latin) in ("utf-8", "gb18030")


def test_unknown_columns_are_warnings(demo, tmp_path):
    path = write_csv(tmp_path / "v.csv", ["code", "population", "备注"],
                     [["420526101001", "1", "x"]])
    report = run(demo, "villages", path)
    assert issues(report, "warnings") == [(1, "备注", "unknown_column")]
    assert report.exit_code == 0


# --- file-level problems (exit 2) -----------------------------------------------------------

def test_empty_files_are_data_errors(demo, tmp_path):
    for name, data in (("empty.csv", b""), ("bom.csv", "\ufeff\r\n".encode()),
                       ("commas.csv", b",,,\n,,\n")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(DataError, match="empty"):
            run(demo, "visits", tmp_path / name)
    write_xlsx(tmp_path / "empty.xlsx", [], [])
    with pytest.raises(DataError, match="empty"):
        run(demo, "visits", tmp_path / "empty.xlsx")


def test_header_only_writes_nothing(demo, tmp_path):
    version = store.data_version(demo)
    for path in (write_csv(tmp_path / "h.csv", EN_VISIT_HEADERS, []),
                 write_xlsx(tmp_path / "h.xlsx", ZH_VISIT_HEADERS, [], title=TITLE)):
        report = run(demo, "visits", path)
        assert (report.rows, report.inserted, report.exit_code) == (0, 0, 0)
        assert report.as_dict()["errors"] == []
    assert store.data_version(demo) == version and audit_entries(demo).empty


def test_missing_required_column_names_it(demo, tmp_path):
    path = write_csv(tmp_path / "v.csv", ["单位代码", "村代码", "走访类型"],
                     [["XS001", "420526101001", "走访慰问"]])
    with pytest.raises(DataError, match=r"date \(日期") as caught:
        run(demo, "visits", path)
    assert "v.csv" in str(caught.value)
    path = write_csv(tmp_path / "p.csv", ["department_code", "village_code"], [["XS001", "1"]])
    with pytest.raises(DataError, match="start_date"):
        run(demo, "pairings", path)


def test_unknown_format_and_arguments(demo, tmp_path):
    for name in ("visits.txt", "visits.json", "visits", "visits.xls"):
        (tmp_path / name).write_text("date\n2024-05-06\n")
        with pytest.raises(DataError):
            run(demo, "visits", tmp_path / name)
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook at all")
    with pytest.raises(DataError, match="xlsx"):
        run(demo, "visits", tmp_path / "broken.xlsx")
    with pytest.raises(DataError, match="does not exist"):
        run(demo, "visits", tmp_path / "missing.csv")
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, [])
    with pytest.raises(DataError, match="sheet"):
        run(demo, "visits", path, sheet="1")
    for table in ("townships", "audit", "users"):
        with pytest.raises(DataError):
            run(demo, table, path)
    write_csv(tmp_path / "two.csv", ["date", "日期"], [["2024-05-06", "2024-05-06"]])
    with pytest.raises(DataError, match="both give date"):
        run(demo, "visits", tmp_path / "two.csv")


def test_a_row_with_more_cells_than_the_header_is_a_file_error(demo, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("code,population\n420526101001,5\n420526101002,6,7\n", encoding="utf-8")
    with pytest.raises(DataError, match="more cells"):
        run(demo, "villages", path)


def test_short_rows_and_blank_lines_keep_row_numbers(demo, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("code,population,households\n420526101001,5\n\n420526999999,1,1\n",
                    encoding="utf-8")
    report = run(demo, "villages", path)
    assert issues(report) == [(4, "code", "unknown_village")]



@pytest.mark.parametrize("data,rows", [
    (b"code,population\r420526101001,5\r420526999999,6\r", [3]),
    (b"code,population\r\n420526101001,5\r\n\r\n420526999999,6\r\n", [4]),
    (b"\xef\xbb\xbfcode,population,,\n420526101001,5,,\n420526999999,6,,\n", [3]),
])
def test_line_endings_blank_lines_and_empty_trailing_columns(demo, tmp_path, data, rows):
    path = tmp_path / "v.csv"
    path.write_bytes(data)
    report = run(demo, "villages", path)
    assert [(e.row, e.code) for e in report.errors] == [(r, "unknown_village") for r in rows]
    assert report.warnings == []


# --- row checks -------------------------------------------------------------------------------

def test_visit_row_checks_use_spreadsheet_rows_and_own_headers(demo, tmp_path):
    good = ["2024-05-06", "县委办公室", "龙珠社区", "古夫镇", "走访慰问", 3, 5, 0, 0, "走访", ""]
    rows = [
        good,
        ["2027-01-01", *good[1:]],                                       # row 4: future
        [*good[:6], -1, *good[7:]],                                      # row 5: negative
        [*good[:4], "开会", *good[5:]],                                   # row 6: kind
        ["2024-13-01", *good[1:]],                                       # row 7: bad date
        [good[0], "不存在的单位", *good[2:]],                             # row 8: department
        [*good[:5], "两", *good[6:]],                                     # row 9: number
        [good[0], "", *good[2:]],                                        # row 10: missing
    ]
    path = write_csv(tmp_path / "台账.csv", ZH_VISIT_HEADERS, rows, title=TITLE)
    before = count(demo, schema.visits)
    report = run(demo, "visits", path)
    assert issues(report) == [
        (4, "日期", "future_date"), (5, "走访户数", "negative_count"),
        (6, "走访类型", "unknown_kind"), (7, "日期", "bad_date"),
        (8, "单位名称", "unknown_department"), (9, "参与人数", "bad_number"),
        (10, "单位名称", "missing_value"),
    ]
    assert report.errors[1].value == "-1"
    assert "future" in report.errors[0].message and "-1" in report.errors[1].message
    assert (report.exit_code, report.rejected, report.inserted) == (1, 7, 0)
    assert count(demo, schema.visits) == before


def test_overlapping_pairings_are_errors(demo, tmp_path):
    header = ["单位代码", "村代码", "结对类型", "开始日期", "结束日期"]
    rows = [
        ["XS001", "420526102208", "结对共建", "2024-01-01", ""],            # row 2: vs stored
        ["XS002", "420526101001", "结对共建", "2024-01-01", "2024-06-30"],  # rows 3 and 4
        ["XS002", "420526101001", "定点帮扶", "2024-06-30", ""],            # overlap each other
        ["XS003", "420526101002", "结对共建", "2024-01-01", "2024-03-31"],  # fine
        ["XS003", "420526101002", "结对共建", "2024-04-01", ""],            # fine
        ["XS004", "420526101003", "结对共建", "2024-05-01", "2024-04-01"],  # end before start
    ]
    path = write_csv(tmp_path / "结对.csv", header, rows)
    report = run(demo, "pairings", path)
    assert issues(report) == [(2, "开始日期", "overlapping_pairing"),
                              (3, "开始日期", "overlapping_pairing"),
                              (4, "开始日期", "overlapping_pairing"),
                              (7, "结束日期", "end_before_start")]
    assert "from 2023-03-01" in report.errors[0].message
    assert "row 4" in report.errors[1].message and "row 3" in report.errors[2].message
    before = count(demo, schema.pairings)
    report = run(demo, "pairings", path, skip_invalid=True)
    assert (report.inserted, report.rejected, report.exit_code) == (2, 4, 1)
    assert count(demo, schema.pairings) == before + 2


def test_required_visits_are_a_whole_number_from_one(demo, tmp_path):
    """The pairings page's rule (geo.pairing_rules): 0 a month would hide a pairing
    nobody visits."""
    header = ["单位代码", "村代码", "结对类型", "开始日期", "每月走访次数"]
    rows = [["XS003", "420526101002", "结对共建", "2024-01-01", "0"],
            ["XS003", "420526101003", "结对共建", "2024-01-01", "-1"],
            ["XS003", "420526101201", "结对共建", "2024-01-01", "两次"],
            ["XS003", "420526101005", "结对共建", "2024-01-01", "2"],
            ["XS003", "420526101202", "结对共建", "2024-01-01", ""],
            ["XS003", "420526101203", "结对共建", "2024-01-01", "99999"]]
    report = run(demo, "pairings", write_csv(tmp_path / "结对.csv", header, rows))
    assert issues(report) == [(2, "每月走访次数", "required_below_one"),
                              (3, "每月走访次数", "negative_count"),
                              (4, "每月走访次数", "bad_number"),
                              (7, "每月走访次数", "required_above_most")]
    assert translate_issue(report.errors[3], "zh") == "每月走访次数最多 31（填写的是 99999）"
    assert translate_issue(report.errors[0], "zh") == "每月走访次数至少为 1（填写的是 0）"


def test_resolved_exceeding_raised_is_only_a_warning(demo, tmp_path):
    rows = [en_row("2024-05-06", "XS001", "420526101001", raised=1, resolved=3)]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows)
    report = run(demo, "visits", path)
    assert report.exit_code == 0 and report.inserted == 1 and report.errors == []
    assert issues(report, "warnings") == [(2, "problems_resolved", "resolved_exceeds_raised")]
    assert report.warnings[0].params == {"resolved": 3, "raised": 1}


def test_village_by_name_and_township(demo, tmp_path):
    with demo.begin() as connection:  # a second 龙珠社区, in 昭君镇
        connection.execute(update(schema.admin_units).where(
            schema.admin_units.c.code == "420526102201").values(
            name="龙珠社区居民委员会", short_name="龙珠社区"))
    header = ["日期", "单位代码", "村(社区)", "乡镇", "走访类型"]
    rows = [["2024-05-06", "XS001", "龙珠社区", "古夫镇", "走访慰问"],      # row 2: ok
            ["2024-05-06", "XS001", "龙珠社区", "", "走访慰问"],            # ambiguous
            ["2024-05-06", "XS001", "龙珠社区居民委员会", "420526102000", "走访慰问"],  # ok
            ["2024-05-06", "XS001", "夫子社区", "", "走访慰问"],            # unique: ok
            ["2024-05-06", "XS001", "没有这个村", "古夫镇", "走访慰问"],    # unknown
            ["2024-05-06", "XS001", "龙珠社区", "没有这个镇", "走访慰问"]]  # unknown township
    path = write_csv(tmp_path / "v.csv", header, rows)
    report = run(demo, "visits", path, skip_invalid=True)
    assert issues(report) == [(3, "村(社区)", "ambiguous_village"),
                              (6, "村(社区)", "unknown_village"),
                              (7, "乡镇", "unknown_township")]
    assert "420526101001" in report.errors[0].message
    assert report.inserted == 3
    for village in ("420526101001", "420526102201", "420526101002"):
        assert visit_rows(demo, "XS001", village, date(2024, 5, 6))


def test_unknown_and_duplicate_codes(demo, tmp_path):
    path = write_csv(tmp_path / "村.csv", ["村代码", "人口"],
                     [["420526101001", "100"], ["420526999999", "5"], ["420526101001", "200"]])
    report = run(demo, "villages", path)
    assert issues(report) == [(3, "村代码", "unknown_village"), (4, "村代码", "duplicate_in_file")]
    assert report.errors[1].params["first_row"] == 2 and "row 2" in report.errors[1].message
    assert store.load_villages(demo).set_index("code").loc["420526101001", "population"] != 100
    path = write_csv(tmp_path / "单位.csv", ["单位代码", "单位名称", "单位类型"],
                     [["XS900", "新单位", "经济"], ["XS900", "新单位二", "经济"],
                      ["XS901", "", "经济"], ["XS902", "又一个", "不存在的类型"]])
    report = run(demo, "departments", path)
    assert issues(report) == [(3, "单位代码", "duplicate_in_file"),
                              (4, "单位名称", "missing_value"), (5, "单位类型", "unknown_kind")]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS,
                     [en_row("2024-05-06", "XS999", "420526101001")])
    assert issues(run(demo, "visits", path)) == [(2, "department_code", "unknown_department")]



def test_department_by_name_must_be_unambiguous(demo, tmp_path):
    with demo.begin() as connection:
        connection.execute(insert(schema.departments).values(
            code="XS990", name="县委办公室\u3000", kind="党政机关", party_members=1, active=True))
    header = ["日期", "单位", "村代码", "走访类型"]
    rows = [["2024-05-06", " 县委办公室", "420526101001", "走访慰问"],
            ["2024-05-06", "县纪委监委", "420526101001", "走访慰问"]]
    report = run(demo, "visits", write_csv(tmp_path / "v.csv", header, rows))
    assert issues(report) == [(2, "单位", "ambiguous_department")]
    assert "XS001" in report.errors[0].message and "XS990" in report.errors[0].message


# --- all or nothing, --skip-invalid, --dry-run -------------------------------------------------

def _three_good_one_bad(tmp_path: Path) -> Path:
    rows = [en_row("2024-05-06", "XS001", "420526101001", summary="一"),
            en_row("2024-05-07", "XS001", "420526101001", summary="二"),
            en_row("2024-05-08", "XS001", "420526101001", households=-4, summary="=坏"),
            en_row("2024-05-09", "XS001", "420526101001", summary="三")]
    return write_csv(tmp_path / "走访.csv", EN_VISIT_HEADERS, rows)


def test_all_or_nothing(demo, tmp_path):
    path = _three_good_one_bad(tmp_path)
    before, version = count(demo, schema.visits), store.data_version(demo)
    report = run(demo, "visits", path)
    assert report.exit_code == 1
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (0, 0, 0, 1)
    assert count(demo, schema.visits) == before and store.data_version(demo) == version
    assert audit_entries(demo).empty and not (tmp_path / "走访.rejected.csv").exists()


def test_skip_invalid_writes_the_valid_rows_and_a_side_file(demo, tmp_path):
    path = _three_good_one_bad(tmp_path)
    before = count(demo, schema.visits)
    report = run(demo, "visits", path, skip_invalid=True)
    assert (report.exit_code, report.inserted, report.rejected) == (1, 3, 1)
    side = tmp_path / "走访.rejected.csv"
    assert report.rejected_file == str(side) and count(demo, schema.visits) == before + 3
    data = side.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [*EN_VISIT_HEADERS, "row", "reason"]
    assert rows[1][-2] == "4" and "negative" in rows[1][-1] and rows[1][8] == "'=坏"
    again = run(demo, "visits", path, skip_invalid=True)
    assert (again.inserted, again.unchanged, again.rejected) == (0, 3, 1)


def test_dry_run_writes_nothing_but_counts(demo, tmp_path):
    path = _three_good_one_bad(tmp_path)
    before, version = count(demo, schema.visits), store.data_version(demo)
    report = run(demo, "visits", path, dry_run=True, skip_invalid=True)
    assert (report.exit_code, report.inserted, report.rejected) == (1, 3, 1)
    assert report.rejected_file is None and not (tmp_path / "走访.rejected.csv").exists()
    report = run(demo, "visits", path, dry_run=True)
    assert (report.exit_code, report.inserted) == (1, 0)
    rows = [en_row("2024-05-06", "XS001", "420526101001")]
    report = run(demo, "visits", write_csv(tmp_path / "ok.csv", EN_VISIT_HEADERS, rows),
                 dry_run=True)
    assert (report.exit_code, report.inserted) == (0, 1)
    assert count(demo, schema.visits) == before and store.data_version(demo) == version
    assert audit_entries(demo).empty


# --- matching and repeatability ------------------------------------------------------------

def test_reimporting_changes_nothing_and_duplicates_count_as_a_multiset(demo, tmp_path):
    twice = en_row("2024-05-06", "XS001", "420526101001", summary="入户走访 群众")
    rows = [twice, [*twice[:8], "入户走访\u3000群众 ", ""],                  # the same visit twice
            en_row("2024-05-07", "XS001", "420526101001", record_id="R-1"),
            en_row("2024-05-07", "XS001", "420526101001", record_id="R-2")]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows)
    before = count(demo, schema.visits)
    first = run(demo, "visits", path)
    assert (first.inserted, first.unchanged) == (4, 0)
    assert issues(first, "warnings") == [(2, "summary", "duplicate_visit"),
                                         (3, "summary", "duplicate_visit"),
                                         (4, "summary", "duplicate_visit"),
                                         (5, "summary", "duplicate_visit")]
    assert "2, 3" in first.warnings[0].message
    second = run(demo, "visits", path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 4)
    assert count(demo, schema.visits) == before + 4
    thrice = write_csv(tmp_path / "v3.csv", EN_VISIT_HEADERS, [twice, twice, twice])
    assert (run(demo, "visits", thrice).inserted, run(demo, "visits", thrice).inserted) == (1, 0)


@pytest.mark.parametrize("block_rows", [None, 1])
def test_a_record_id_used_twice_in_a_file_is_an_error_not_a_crash(demo, tmp_path,
                                                                   block_rows):
    """Two rows of one department with the record id R-9 (even in different blocks): the
    file does not say which is that record, so both are row errors in the 编号 column;
    nothing is written, or with --skip-invalid only the other rows. (Listed as a warning
    before, the rows then broke the unique index and the import failed as a database
    error, exit 2.) Another department may use R-9 too."""
    rows = [en_row("2024-05-07", "XS001", "420526101001", summary="甲", record_id="R-9"),
            en_row("2024-05-08", "XS001", "420526101002", summary="乙", record_id="R-9"),
            en_row("2024-05-08", "XS002", "420526101002", summary="丙", record_id="R-9"),
            en_row("2024-05-09", "XS001", "420526101001", summary="丁")]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows)
    before = count(demo, schema.visits)
    options = {} if block_rows is None else {"block_rows": block_rows}
    stopped = run(demo, "visits", path, **options)
    assert issues(stopped) == [(2, "record_id", "duplicate_record_id"),
                               (3, "record_id", "duplicate_record_id")]
    assert "2, 3" in stopped.errors[0].message and stopped.exit_code == 1
    assert count(demo, schema.visits) == before
    skipped = run(demo, "visits", path, skip_invalid=True, **options)
    assert (skipped.inserted, skipped.rejected) == (2, 2)
    assert count(demo, schema.visits) == before + 2


def test_sample_files_reimport_unchanged(demo):
    for table in imports.IMPORT_TABLES:
        report = run(demo, table, SAMPLE_DIR / f"{table}.csv")
        assert report.errors == [] and report.unchanged == report.rows > 0, table
        assert report.inserted == report.updated == 0
    assert audit_entries(demo).empty


def test_a_changed_field_counts_as_updated(demo, tmp_path):
    rows = [en_row("2024-05-06", "XS001", "420526101001", households=3, summary="甲"),
            en_row("2024-05-07", "XS001", "420526101001", summary="乙", record_id="U-1")]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows)
    assert run(demo, "visits", path).inserted == 2
    rows[0][5] = 7                      # households on the natural key
    rows[1][8], rows[1][0] = "乙改", "2024-05-08"  # summary and date of a numbered record
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows)
    report = run(demo, "visits", path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 2, 0)
    assert visit_rows(demo, "XS001", "420526101001", date(2024, 5, 6))[-1][
        "households_visited"] == 7
    moved = visit_rows(demo, "XS001", "420526101001", date(2024, 5, 8))[-1]
    assert (moved["summary"], moved["record_id"]) == ("乙改", "U-1")
    assert run(demo, "visits", path).unchanged == 2


def test_reference_tables_match_on_their_keys(demo, tmp_path):
    path = write_csv(tmp_path / "村.csv", ["code", "population", "weak", "kind"],
                     [["420526101001", "4000", "是", ""], ["420526101002", "", "", "社区"]])
    report = run(demo, "villages", path)
    assert (report.updated, report.inserted) == (2, 0)
    villages = store.load_villages(demo).set_index("code")
    assert villages.loc["420526101001", "population"] == 4000
    assert bool(villages.loc["420526101001", "weak"]) and villages.loc["420526101001",
                                                                       "kind"] == "社区"
    assert pd.isna(villages.loc["420526101002", "population"])
    assert run(demo, "villages", path).unchanged == 2

    path = write_csv(tmp_path / "单位.csv", ["单位代码", "单位名称", "单位类型", "党员人数"],
                     [["XS001", "县委办公室", "", "99"], ["XS900", "县新设局", "经济", ""]])
    report = run(demo, "departments", path)
    assert (report.updated, report.inserted) == (1, 1)
    departments = store.load_departments(demo).set_index("code")
    assert departments.loc["XS001", "party_members"] == 99
    assert departments.loc["XS001", "kind"] == "党政机关"  # an empty cell keeps the kind
    assert (departments.loc["XS900", "party_members"], departments.loc["XS900", "active"]) \
        == (0, True)
    assert departments.loc["XS900", "county_code"] == "420526"  # the one county stored

    path = write_csv(tmp_path / "干部.csv", ["编号", "单位代码", "姓名", "是否领导"],
                     [["1", "XS005", "赵霞", "否"], ["", "XS005", "林华", "是"],
                      ["5000", "XS900", "钱新", ""], ["", "XS900", "孙新", ""]])
    report = run(demo, "cadres", path)
    assert (report.updated, report.inserted, report.unchanged) == (2, 2, 0)
    cadres = store.load_cadres(demo).set_index("id")
    assert not cadres.loc[1, "leader"] and cadres.loc[5000, "name"] == "钱新"
    assert (cadres["name"] == "孙新").sum() == 1
    assert run(demo, "cadres", path).unchanged == 4

    path = write_csv(tmp_path / "结对.csv", ["单位", "村名", "乡镇", "开始日期", "结束日期"],
                     [["县委办公室", "陈家湾村", "昭君镇", "2023/3/1", "2026年6月30日"]])
    assert run(demo, "pairings", path).errors[0].code == "missing_value"  # a new one needs a kind
    path = write_csv(tmp_path / "结对.csv", ["单位代码", "村代码", "开始日期", "结束日期"],
                     [["XS001", "420526102208", "2023/3/1", "2026年6月30日"]])
    report = run(demo, "pairings", path)
    assert (report.updated, report.inserted) == (1, 0)
    pairings = store.load_pairings(demo)
    ended = pairings[(pairings["department_code"] == "XS001")
                     & (pairings["village_code"] == "420526102208")]
    assert ended["end_date"].tolist() == [date(2026, 6, 30)]
    assert ended["kind"].tolist() != [None]


def test_export_round_trip_is_unchanged_and_quotes_are_removed(demo, tmp_path):
    formula_like = ["=1+1", "-走访", "@群众", "+3户", "\t缩进"]
    with demo.begin() as connection:
        connection.execute(insert(schema.visits), [
            {"date": date(2024, 5, d + 1), "department_code": "XS001",
             "village_code": "420526101001", "kind": "其他", "cadre_count": 1,
             "households_visited": 0, "problems_raised": 0, "problems_resolved": 0,
             "summary": normalize_text(s), "record_id": s if d % 2 else None,
             "source": "form", "created_by": "x", "created_at": datetime(2024, 5, 1)}
            for d, s in enumerate(formula_like)])
    visits = store.load_table(demo, "visits")
    for suffix, part in ((".csv", visits), (".xlsx", visits.tail(1500))):
        path = write_table(part, tmp_path / f"visits{suffix}", "visits")
        report = run(demo, "visits", path)
        assert report.errors == [] and report.unchanged == report.rows == len(part), suffix
    text = (tmp_path / "visits.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "'-走访" in text
    assert audit_entries(demo).empty


# --- access and audit --------------------------------------------------------------------------

def test_liaison_may_import_only_own_department(demo, tmp_path):
    own = en_row("2024-05-06", "XS005", "420526101001")
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS,
                     [own, en_row("2024-05-06", "XS001", "420526101001")])
    before, version = count(demo, schema.visits), store.data_version(demo)
    with pytest.raises(AccessDeniedError, match="XS001"):
        run(demo, "visits", path, actor=LIAISON)
    with pytest.raises(AccessDeniedError):
        run(demo, "visits", path, actor=LIAISON, dry_run=True)
    assert count(demo, schema.visits) == before and store.data_version(demo) == version
    path = write_csv(tmp_path / "own.csv", EN_VISIT_HEADERS, [own])
    assert run(demo, "visits", path, actor=LIAISON, edit_days=7).inserted == 1
    with pytest.raises(AccessDeniedError):
        run(demo, "visits", path, actor=LEADER)
    for table in ("villages", "departments", "cadres"):
        with pytest.raises(AccessDeniedError):
            run(demo, table, path, actor=ORGANISER)
    pairing = write_csv(tmp_path / "p.csv", ["单位代码", "村代码", "结对类型", "开始日期"],
                        [["XS005", "420526101003", "结对共建", "2026-01-01"]])
    assert run(demo, "pairings", pairing, actor=ORGANISER).inserted == 1
    with pytest.raises(AccessDeniedError):
        run(demo, "pairings", pairing, actor=LIAISON)


def test_liaison_may_not_change_visits_past_the_edit_window(demo, tmp_path):
    old = store.load_visits(demo)
    old = old[old["department_code"] == "XS005"].iloc[0]  # matched on the natural key
    row = [old["date"].isoformat(), "XS005", old["village_code"], old["kind"],
           old["cadre_count"], old["households_visited"] + 1, old["problems_raised"],
           old["problems_resolved"], old["summary"],
           "" if pd.isna(old["record_id"]) else old["record_id"]]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, [row])
    report = run(demo, "visits", path, actor=LIAISON, edit_days=7)
    assert issues(report) == [(2, "date", "edit_window_passed")]
    assert run(demo, "visits", path, actor=ORGANISER).updated == 1


def test_one_audit_entry_per_import_and_none_when_nothing_changed(demo, tmp_path):
    rows = [en_row(f"2024-05-0{d}", "XS001", "420526101001") for d in range(1, 6)]
    path = write_csv(tmp_path / "five.csv", EN_VISIT_HEADERS, rows)
    version = store.data_version(demo)
    run(demo, "visits", path)
    entries = audit_entries(demo)
    assert len(entries) == 1 and store.data_version(demo) == version + 1
    entry = entries.iloc[0]
    assert (entry["username"], entry["entity"], entry["entity_key"]) == (
        ADMIN.username, "visits", "five.csv")
    assert '"inserted": 5' in entry["after"] and '"file": "five.csv"' in entry["after"]
    run(demo, "visits", path)
    assert len(audit_entries(demo)) == 1 and store.data_version(demo) == version + 1


# --- the web page's variant -------------------------------------------------------------------

def test_upload_returns_rejected_rows_as_bytes_and_reports_progress(demo, tmp_path):
    data = _three_good_one_bad(tmp_path).read_bytes()
    seen: list[float] = []
    report = imports.import_upload(demo, ADMIN, "visits", "走访.csv", data, skip_invalid=True,
                                   today=ANCHOR, progress=seen.append)
    assert (report.inserted, report.rejected) == (3, 1)
    assert report.rejected_file == "走访.rejected.csv"
    assert report.rejected_bytes.startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "走访.rejected.csv").exists()
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4


def test_messages_exist_in_both_languages():
    assert set(ISSUE_CODES["zh"]) == set(ISSUE_CODES["en"])
    sources = [*Path(imports.__file__).parent.glob("*.py"), Path(visit_rules.__file__),
               Path(pairing_rules.__file__), Path(problem_rules.__file__)]
    constants = {n.value for source in sources
                 for n in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
                 if isinstance(n, ast.Constant)}
    assert set(ISSUE_CODES["en"]) <= constants  # no message without a use
    assert {"unknown_village", "future_date", "negative_count", "overlapping_pairing",
            "resolved_exceeds_raised", "bad_date", "missing_value", "ambiguous_village",
            "unknown_department", "duplicate_in_file"} <= set(ISSUE_CODES["en"])
    issue = Issue(5, "日期", "2027-01-01", "future_date")
    assert translate_issue(issue, "zh") == "日期 2027-01-01 晚于今天"
    assert translate_issue(issue.as_dict(), "en") == issue.message
    assert translate_issue({"code": "nope", "message": "as is"}, "zh") == "as is"


# --- other backends and a large file ----------------------------------------------------------

def test_import_cycle_on_each_backend(engine, demo_db, tmp_path):
    source = make_engine(demo_db)
    load_small_county(source, engine)
    source.dispose()
    rows = [en_row("2024-05-06", "XS001", "420526101001", summary="走访"),
            en_row("2024-05-06", "XS001", "420526101001", summary="走访"),
            en_row("2024-05-07", "XS002", "420526101002", record_id="P-1"),
            en_row("2027-01-01", "XS002", "420526101002")]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows)
    before = count(engine, schema.visits)
    assert run(engine, "visits", path).inserted == 0
    assert count(engine, schema.visits) == before
    report = run(engine, "visits", path, skip_invalid=True)
    assert (report.inserted, report.rejected) == (3, 1)
    rows[2][5] = 9
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows[:3])
    report = run(engine, "visits", path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    assert len(audit_entries(engine)) == 2
    cadres = write_csv(tmp_path / "c.csv", ["id", "department_code", "name"],
                       [["9000", "XS001", "甲"], ["", "XS001", "乙"]])
    assert run(engine, "cadres", cadres).inserted == 2
    more = write_csv(tmp_path / "c2.csv", ["department_code", "name"], [["XS001", "丙"]])
    assert run(engine, "cadres", more).inserted == 1  # the id sequence follows explicit ids
    assert store.load_cadres(engine)["id"].max() > 9000
    pairing = write_csv(tmp_path / "p.csv", ["单位代码", "村代码", "结对类型", "开始日期"],
                        [["XS001", "420526102208", "结对共建", "2024-01-01"]])
    assert issues(run(engine, "pairings", pairing)) == [(2, "开始日期", "overlapping_pairing")]


def test_nul_bytes_are_refused_with_row_and_column_on_each_backend(engine, demo_db, tmp_path):
    """PostgreSQL refuses NUL in text at write time, naming no row; SQLite stores it. Both
    refuse it at validation now, with the row and the column."""
    source = make_engine(demo_db)
    load_small_county(source, engine)
    source.dispose()
    departments = write_csv(tmp_path / "d.csv", ["单位代码", "单位名称", "单位类型"],
                            [["XS900", "新单位", "经济"], ["XS901", "坏\x00名", "经济"]])
    visits = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS,
                       [en_row("2024-05-06", "XS001", "420526101001", summary="走\x00访")])
    pairings = write_csv(tmp_path / "p.csv", ["单位代码", "村代码", "结对类型", "开始日期", "备注"],
                         [["XS001", "420526101002", "结对共建", "2030-01-01", "备\x00注"]])
    for table, path, expected in (
            ("departments", departments, [(3, "单位名称", "control_character")]),
            ("visits", visits, [(2, "summary", "control_character")]),
            ("pairings", pairings, [(2, "备注", "control_character")])):
        before = count(engine, getattr(schema, table))
        assert issues(run(engine, table, path), "errors") == expected, table
        assert count(engine, getattr(schema, table)) == before, table


@pytest.mark.slow  # 50 MB written and imported twice; its speed is benchmarks/bench_import.py's
def test_a_50_mb_csv_imports(demo, tmp_path):
    rng = np.random.default_rng(5)
    villages = store.load_villages(demo)["code"].to_numpy()
    departments = store.load_departments(demo)["code"].to_numpy()
    rows = 24_000
    filler = "，".join(["入户走访群众宣传惠民政策收集意见建议"] * 40)  # about 2 KB of text
    frame = pd.DataFrame({
        "date": (pd.Timestamp(ANCHOR) - pd.to_timedelta(rng.integers(0, 700, rows), "D"))
        .strftime("%Y-%m-%d"),
        "department_code": departments[rng.integers(0, len(departments), rows)],
        "village_code": villages[rng.integers(0, len(villages), rows)],
        "kind": "走访慰问", "cadre_count": 2, "households_visited": rng.integers(0, 9, rows),
        "problems_raised": 0, "problems_resolved": 0,
        "summary": [f"第{i}次：{filler}" for i in range(rows)], "record_id": "",
    })
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    assert path.stat().st_size > 50e6
    report = run(demo, "visits", path)
    assert (report.rows, report.inserted, report.exit_code) == (rows, rows, 0)
    assert run(demo, "visits", path).unchanged == rows


def test_created_at_is_recent(demo, tmp_path):
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS,
                     [en_row("2024-05-06", "XS001", "420526101001", summary="新")])
    run(demo, "visits", path)
    stored = visit_rows(demo, "XS001", "420526101001", date(2024, 5, 6))[-1]["created_at"]
    assert abs(local_now() - stored) < timedelta(minutes=5)


def test_rejected_rows_speak_the_pages_language_and_show_the_cell_as_typed(demo, tmp_path):
    rows = [en_row("2024-05-06", "XS001", "420526101001", households=3),
            en_row("2024-05-07", "XS001", "420526101001", households="'-3")]
    data = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, rows).read_bytes()
    report = imports.import_upload(demo, ADMIN, "visits", "v.csv", data, skip_invalid=True,
                                   dry_run=True, today=ANCHOR, lang="zh")
    error = report.errors[0]
    assert (error.row, error.value, error.code) == (3, "-3", "negative_count")
    assert translate_issue(error, "zh") == "-3 是负数，数量不能为负"
    rejected = report.rejected_bytes.decode("utf-8-sig").splitlines()
    assert rejected[0].endswith(",行号,原因")
    assert rejected[1].endswith(",3,households_visited：-3 是负数，数量不能为负")


def test_an_import_that_updates_rows_audits_each_with_its_previous_values(demo, tmp_path):
    """The import's entry held only counts; each updated row now has its own entry with
    the fields it changed, before and after."""
    old = store.load_visits(demo)
    old = old[old["record_id"].notna()].iloc[0]
    row = [old["date"].isoformat(), old["department_code"], old["village_code"], old["kind"],
           old["cadre_count"], old["households_visited"] + 1, old["problems_raised"],
           old["problems_resolved"], "改过的工作内容", old["record_id"]]
    path = write_csv(tmp_path / "v.csv", EN_VISIT_HEADERS, [row])
    assert run(demo, "visits", path, actor=ORGANISER).updated == 1
    with demo.connect() as connection:
        entries = connection.execute(select(schema.audit_log).where(
            schema.audit_log.c.action == "update", schema.audit_log.c.entity == "visits")
        ).all()
    assert [(e.username, e.entity_key) for e in entries] == [
        (ORGANISER.username, str(int(old["id"])))]
    assert json.loads(entries[0].before) == {
        "households_visited": int(old["households_visited"]), "summary": old["summary"]}
    assert json.loads(entries[0].after) == {
        "households_visited": int(old["households_visited"]) + 1, "summary": "改过的工作内容"}
