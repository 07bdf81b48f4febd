"""Departments' ``county_code`` in the data files: the export's column, the import's
rules and the template.

With one county in the database the column may be left out or a cell left empty: a new
department then belongs to that county, and the import report says so (a warning on the
row, or on the file when it has no such column). With several counties the column is
required (exit 2 without it) and a new department's cell may not be empty. A code (or
name) that is not a stored county is refused on its row and column. An export imports
back unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from geo import db, schema, store
from geo.access import Role, User
from geo.cli import main
from geo.errors import DataError
from geo.i18n import translate_error, translate_issue
from geo.io import imports
from geo.io.table_files import EXPORT_COLUMNS, write_table
from geo.io.templates import TEMPLATES
from tests.conftest import ANCHOR
from tests.fixtures_imports import write_csv

ADMIN = User("importer", Role.ADMIN)
SAMPLE_COUNTY = "420526"
OTHER_COUNTY = "420525"
HEADERS = ["单位代码", "县代码", "单位名称", "单位类型", "党员人数"]


@pytest.fixture
def demo(demo_url: str) -> Iterator[Engine]:
    """The sample county (one county) on each backend."""
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


def add_county(engine: Engine, code: str = OTHER_COUNTY, name: str = "远安县") -> None:
    with engine.begin() as connection:
        connection.execute(insert(schema.admin_units).values(
            code=code, name=name, short_name=name, level="county", weak=False))


def run(engine: Engine, path: Path, **options) -> imports.Report:
    return imports.import_file(engine, ADMIN, "departments", path, today=ANCHOR, **options)


def counties_of(engine: Engine, *codes: str) -> list[str | None]:
    table = schema.departments
    with engine.connect() as connection:
        stored = dict(connection.execute(select(table.c.code, table.c.county_code).where(
            table.c.code.in_(codes))).all())
    return [stored.get(code) for code in codes]


def found(report: imports.Report, kind: str = "errors") -> list[tuple]:
    return [(i.row, i.column, i.value, i.code) for i in getattr(report, kind)]


def test_the_export_has_county_code_and_the_template_and_headers_give_it():
    assert EXPORT_COLUMNS["departments"][:2] == ["code", "county_code"]
    assert TEMPLATES["departments"]["县代码"] == SAMPLE_COUNTY
    from geo.io.headers import field_of
    for header in ("county_code", "县代码", "所属县", "县（市、区）", "所属县代码"):
        assert field_of("departments", header) == "county_code", header


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imports_back_unchanged_with_one_and_with_two_counties(
        demo: Engine, tmp_path: Path, suffix: str):
    departments = store.load_table(demo, "departments")
    assert set(departments["county_code"]) == {SAMPLE_COUNTY}
    path = write_table(departments, tmp_path / f"departments{suffix}", "departments")
    report = run(demo, path)
    assert (report.errors, report.warnings) == ([], [])
    assert report.unchanged == report.rows == len(departments)

    add_county(demo)
    with demo.begin() as connection:
        connection.execute(insert(schema.departments).values(
            code="YA001", name="远安县委组织部", kind="党政机关", party_members=20,
            active=True, county_code=OTHER_COUNTY))
    departments = store.load_table(demo, "departments")
    path = write_table(departments, tmp_path / f"two{suffix}", "departments")
    report = run(demo, path)
    assert (report.errors, report.warnings) == ([], [])
    assert report.unchanged == report.rows == len(departments)
    assert counties_of(demo, "XS001", "YA001") == [SAMPLE_COUNTY, OTHER_COUNTY]


def test_one_county_fills_in_a_missing_county_and_says_so(demo: Engine, tmp_path: Path):
    # No county column: the new department gets the one county, the file a warning;
    # the known department keeps its county and is not counted.
    path = write_csv(tmp_path / "d.csv", ["单位代码", "单位名称", "单位类型"],
                     [["XS001", "县委办公室", "党政机关"], ["XN001", "县新单位", "群团"]])
    report = run(demo, path)
    assert report.errors == [] and (report.inserted, report.unchanged) == (1, 1)
    assert found(report, "warnings") == [(1, None, None, "county_filled_file")]
    assert translate_issue(report.warnings[0], "zh") == (
        "文件没有县代码列，1 个单位记为库中唯一的县 兴山县（420526）")
    assert counties_of(demo, "XN001") == [SAMPLE_COUNTY]

    # An empty cell: a warning on that row and column; a known department's empty cell
    # keeps its county without one.
    path = write_csv(tmp_path / "d.csv", HEADERS, [
        ["XS002", "", "县人大常委会办公室", "党政机关", 37],
        ["XN002", "", "县另一新单位", "群团", 5]])
    report = run(demo, path)
    assert report.errors == [] and report.inserted == 1
    assert found(report, "warnings") == [(3, "县代码", "", "county_filled")]
    assert translate_issue(report.warnings[0], "zh") == (
        "县代码为空，记为库中唯一的县 兴山县（420526）")
    assert counties_of(demo, "XS002", "XN002") == [SAMPLE_COUNTY, SAMPLE_COUNTY]


def test_a_county_is_given_by_its_code_long_code_or_name(demo: Engine, tmp_path: Path):
    path = write_csv(tmp_path / "d.csv", HEADERS, [
        ["XN001", "420526", "甲单位", "群团", 5],
        ["XN002", "420526000000", "乙单位", "群团", 5],
        ["XN003", "兴山县", "丙单位", "群团", 5]])
    report = run(demo, path)
    assert (report.errors, report.warnings, report.inserted) == ([], [], 3)
    assert counties_of(demo, "XN001", "XN002", "XN003") == [SAMPLE_COUNTY] * 3


def test_a_county_not_in_the_database_is_refused_on_its_row(demo: Engine, tmp_path: Path):
    path = write_csv(tmp_path / "d.csv", HEADERS, [
        ["XN001", "420526", "甲单位", "群团", 5],
        ["XN002", "420525", "乙单位", "群团", 5],
        ["XS001", "远安县", "县委办公室", "党政机关", 51]])
    report = run(demo, path)
    assert report.exit_code == 1 and report.inserted == report.updated == 0
    assert found(report) == [(3, "县代码", "420525", "unknown_county"),
                             (4, "县代码", "远安县", "unknown_county")]
    assert translate_issue(report.errors[0], "zh") == (
        "“420525”不是库中的县（请填写 6 位县代码，如 420526，或县名）")
    assert counties_of(demo, "XN001", "XS001") == [None, SAMPLE_COUNTY]


def test_several_counties_require_the_column(demo: Engine, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture):
    add_county(demo)
    path = write_csv(tmp_path / "单位.csv", ["单位代码", "单位名称", "单位类型"],
                     [["XN001", "县新单位", "群团"]])
    with pytest.raises(DataError) as refused:
        run(demo, path, dry_run=True)
    assert translate_error(refused.value, "zh").startswith(
        "数据库中有 2 个县，单位文件须有县代码列（county_code 或 县代码），写明每个单位所属的县")
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", demo.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PAIRMAP_LANG", "zh")
    assert main(["import", "departments", str(path)]) == 2
    err = capsys.readouterr().err
    assert "单位.csv" in err and "county_code" in err and "Traceback" not in err
    assert counties_of(demo, "XN001") == [None]


def test_several_counties_refuse_an_empty_cell_of_a_new_department(demo: Engine,
                                                                  tmp_path: Path):
    add_county(demo)
    path = write_csv(tmp_path / "d.csv", HEADERS, [
        ["XS001", "", "县委办公室", "党政机关", 51],    # known: keeps its county
        ["YA001", "", "远安县委组织部", "党政机关", 20],  # new: which county?
        ["YA002", "420525", "远安县委宣传部", "党政机关", 12]])
    report = run(demo, path)
    assert found(report) == [(3, "县代码", "", "missing_value")]
    assert report.inserted == 0
    report = run(demo, path, skip_invalid=True)
    assert (report.inserted, report.unchanged, report.rejected) == (1, 1, 1)
    assert counties_of(demo, "XS001", "YA001", "YA002") == [SAMPLE_COUNTY, None,
                                                           OTHER_COUNTY]

    # A department moved to the other county is an update (and so back again).
    path = write_csv(tmp_path / "d.csv", HEADERS, [["XS001", "远安县", "县委办公室",
                                                    "党政机关", 51]])
    assert run(demo, path).updated == 1
    assert counties_of(demo, "XS001") == [OTHER_COUNTY]


def test_without_a_county_stored_a_department_has_none(engine: Engine, tmp_path: Path):
    path = write_csv(tmp_path / "d.csv", ["单位代码", "单位名称", "单位类型"],
                     [["XN001", "县新单位", "群团"]])
    report = run(engine, path)
    assert (report.errors, report.warnings, report.inserted) == ([], [], 1)
    assert counties_of(engine, "XN001") == [None]
    path = write_csv(tmp_path / "d.csv", HEADERS, [["XN002", "420526", "乙单位", "群团", 5]])
    assert found(run(engine, path)) == [(2, "县代码", "420526", "unknown_county")]


def test_a_county_name_two_counties_share_asks_for_the_code(demo: Engine, tmp_path: Path):
    add_county(demo, "420599", "兴山县")
    path = write_csv(tmp_path / "d.csv", HEADERS, [["XN001", "兴山县", "甲单位", "群团", 5],
                                                   ["XN002", "420599", "乙单位", "群团", 5]])
    report = run(demo, path)
    assert found(report) == [(2, "县代码", "兴山县", "ambiguous_county")]
    assert translate_issue(report.errors[0], "zh") == (
        "县名“兴山县”不唯一（420526 兴山县, 420599 兴山县），请填写县代码")
