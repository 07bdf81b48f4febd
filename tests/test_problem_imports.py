"""The problem ledger's import and export (DESIGN.md's import contract, as for visits):
Chinese or English headers, a held-out style file (GBK CSV, XLSX with a title row), rows
refused with their row and column, exit codes, idempotence on record_id or the natural
key, the role's limits, and the template."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from geo import db, schema, store
from geo.access import Role, User
from geo.cli import main
from geo.errors import AccessDeniedError
from geo.io import imports
from geo.io.table_files import write_table
from geo.io.templates import template_bytes
from tests.fixtures_imports import write_csv, write_xlsx
from tests.tiny_county import DEPARTMENT, VILLAGE, add_tiny_county

TODAY = date(2026, 11, 28)
ADMIN = User("importer", Role.ADMIN)
TITLE = "兴山县2026年群众诉求台账"
ZH = ["受理日期", "责任单位", "村名", "乡镇", "诉求类别", "诉求内容", "反映人", "办理状态",
      "办结日期", "群众评价", "诉求编号"]
ROWS = [
    ["2026年11月1日", "县委组织部", "古夫", "古夫镇", "基础设施", "村口路灯坏了", "张三",
     "已办结", "2026/11/10", "满意", "SQ-1"],
    ["2026-11-02", "县委组织部", "古夫", "古夫镇", "产业发展", "灌溉水渠堵塞", "", "办理中",
     "", "", ""],
    ["2026-11-03", "县委组织部", "古夫", "古夫镇", "社会保障", "低保复核", "", "", "", "", ""],
]


@pytest.fixture
def tiny(database_url: str) -> Engine:
    """The tiny county with two departments, on each backend."""
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with engine.begin() as connection:
        add_tiny_county(connection, second_department=True)
    yield engine
    engine.dispose()


def _import(engine: Engine, path: Path, actor: User = ADMIN, **options: object):
    return imports.import_file(engine, actor, "problems", path, today=TODAY, lang="zh",
                               **options)


def _stored(engine: Engine) -> pd.DataFrame:
    """The stored problems, empty text as None (pandas reads it as NaN)."""
    frame = store.load_problems(engine).astype(object)
    return frame.where(frame.notna(), None)


def test_a_gbk_csv_with_a_title_row_and_chinese_headers(tiny: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "台账.csv", ZH, ROWS, encoding="gbk", title=TITLE)
    report = _import(tiny, path)
    assert (report.errors, report.inserted, report.rows) == ([], 3, 3)
    stored = _stored(tiny)
    assert stored["status"].tolist() == ["resolved", "in_progress", "open"]
    assert stored["raised_on"].tolist()[0] == date(2026, 11, 1)
    assert stored["resolved_on"].tolist() == [date(2026, 11, 10), None, None]
    assert stored["due_date"].tolist()[0] == date(2026, 12, 1)  # raised + 30 days
    assert stored["village_code"].unique().tolist() == [VILLAGE]
    assert stored["resident"].tolist() == ["张三", None, None]
    assert stored["record_id"].tolist() == ["SQ-1", None, None]
    again = _import(tiny, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_an_xlsx_with_a_title_row_and_refused_rows(tiny: Engine, tmp_path: Path) -> None:
    rows = [*ROWS,
            ["2026-11-04", "县委组织部", "古夫", "古夫镇", "水电", "停水", "", "", "", "", ""],
            ["2026-11-05", "县委组织部", "古夫", "古夫镇", "教育", "校车", "", "已办结", "",
             "不满意", ""],
            ["2026-11-06", "县委组织部", "古夫", "古夫镇", "其他", "", "", "待办理", "",
             "满意", ""]]
    path = write_xlsx(tmp_path / "台账.xlsx", ZH, rows, title=TITLE)
    report = _import(tiny, path)
    assert report.exit_code == 1 and report.inserted == 0 and _stored(tiny).empty
    found = [(issue.row, issue.column, issue.code) for issue in report.errors]
    assert found == [(6, "诉求类别", "unknown_kind"), (7, "办结日期", "closing_date_required"),
                     (8, "诉求内容", "missing_value"), (8, "群众评价", "rating_needs_closing")]
    skipped = _import(tiny, path, skip_invalid=True)
    assert (skipped.inserted, skipped.rejected) == (3, 3)
    rejected = pd.read_csv(tmp_path / "台账.rejected.csv", encoding="utf-8-sig", dtype=str)
    assert rejected["行号"].tolist() == ["6", "7", "8"]
    assert "诉求类别" in rejected.loc[0, "原因"] and "不是可选的类型" in rejected.loc[0, "原因"]


def test_export_round_trip_and_updates_by_record_id_and_natural_key(
        tiny: Engine, tmp_path: Path) -> None:
    _import(tiny, write_csv(tmp_path / "a.csv", ZH, ROWS))
    exported = tmp_path / "problems.csv"
    write_table(store.load_table(tiny, "problems"), exported, "problems")
    assert _import(tiny, exported).unchanged == 3
    frame = pd.read_csv(exported, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame.loc[0, "satisfaction"] = "不满意"                   # matched by its record id
    frame.loc[2, ["status", "resolved_on"]] = ["resolved", "2026-11-20"]  # by natural key
    write_table(frame, exported, "problems")
    report = _import(tiny, exported)
    assert (report.inserted, report.updated, report.unchanged) == (0, 2, 1)
    stored = _stored(tiny)
    assert stored["satisfaction"].tolist()[0] == "不满意"
    assert stored["status"].tolist()[2] == "resolved"
    with tiny.connect() as connection:
        actions = connection.execute(select(schema.audit_log.c.action).where(
            schema.audit_log.c.entity == "problems").order_by(schema.audit_log.c.id)
        ).scalars().all()
    assert actions == ["import", "import", "update", "update"]


def test_the_same_problem_listed_twice_is_two_problems_once(tiny: Engine,
                                                            tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", ZH, [ROWS[2], ROWS[2]])
    assert _import(tiny, path).inserted == 2
    again = _import(tiny, path)
    assert (again.inserted, again.unchanged) == (0, 2)


def test_a_liaison_imports_its_own_departments_problems_only(tiny: Engine,
                                                             tmp_path: Path) -> None:
    own = User("liaison", Role.LIAISON, department_code=DEPARTMENT)
    other = User("other", Role.LIAISON, department_code="D02")
    path = write_csv(tmp_path / "a.csv", ZH, ROWS)
    with pytest.raises(AccessDeniedError):
        _import(tiny, path, actor=other)
    with pytest.raises(AccessDeniedError):
        _import(tiny, path, actor=User("leader", Role.LEADER))
    assert _import(tiny, path, actor=own).inserted == 3
    assert set(_stored(tiny)["created_by"]) == {"liaison"}


def test_the_template_has_chinese_headers_and_is_refused_as_a_row(tiny: Engine,
                                                                  tmp_path: Path) -> None:
    csv_path = tmp_path / "template.csv"
    csv_path.write_bytes(template_bytes("problems", "csv"))
    template = pd.read_csv(csv_path, encoding="utf-8-sig", dtype=str)
    assert all(not name.isascii() for name in template.columns)
    report = _import(tiny, csv_path)
    assert "template_example_row" in {issue.code for issue in report.errors}
    xlsx = pd.read_excel(io.BytesIO(template_bytes("problems", "xlsx")), dtype=str)
    assert list(xlsx.columns) == list(template.columns)


def test_command_line_exit_codes(tiny: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", str(tiny.url))
    monkeypatch.setenv("PAIRMAP_LANG", "zh")
    good = write_csv(tmp_path / "good.csv", ZH, ROWS)
    assert main(["import", "problems", str(good), "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["inserted"] == 3 and _stored(tiny).empty
    bad = write_csv(tmp_path / "bad.csv", ZH, [*ROWS, ["2026-11-09", *ROWS[0][1:4], "水电",
                                                       "停水", "", "", "", "", ""]])
    assert main(["import", "problems", str(bad)]) == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["row"] == 5
    assert _stored(tiny).empty
    header = write_csv(tmp_path / "header.csv", ZH, [])
    assert main(["import", "problems", str(header)]) == 0
    missing = write_csv(tmp_path / "missing.csv", ZH[:4], [r[:4] for r in ROWS])
    assert main(["import", "problems", str(missing)]) == 2
    assert "诉求类别" in capsys.readouterr().err
    assert main(["import", "problems", str(good)]) == 0
    out = tmp_path / "out.xlsx"
    assert main(["export", "problems", "--out", str(out)]) == 0
    exported = pd.read_excel(out, dtype=str)
    assert exported.columns[0] == "id" and "resident" in exported.columns  # the CLI is admin
    assert len(exported) == 3
