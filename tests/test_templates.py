"""Every import template (CSV and XLSX) is read by the import it is for: its headers are
all known, and its example row is refused as such while a filled-in row is accepted."""

from datetime import date

import pytest

from geo import db
from geo.access import Role, User
from geo.io import imports
from geo.io.table_files import csv_bytes, xlsx_bytes
from geo.io.templates import TEMPLATES, template_bytes, template_frame

ADMIN = User("admin", Role.ADMIN)
# One cell per table that a clerk fills in with their own value.
FILLED_IN = {"visits": ("编号", "2026-XS-17"), "pairings": ("每月走访次数", "2"),
             "villages": ("名称", "龙池村委会"), "departments": ("单位名称", "县委办"),
             "cadres": ("姓名", "李明"), "problems": ("诉求编号", "2026-SQ-17")}


def _import(engine, table: str, file_format: str, data: bytes) -> imports.Report:
    return imports.import_upload(engine, ADMIN, table, f"{table}.{file_format}", data,
                                 dry_run=True, today=date(2026, 11, 28))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("table", list(TEMPLATES))
def test_the_template_example_row_is_refused_and_a_filled_in_row_accepted(
        demo_url: str, table: str, file_format: str):
    engine = db.make_engine(demo_url)
    report = _import(engine, table, file_format, template_bytes(table, file_format))
    assert [(i.row, i.column, i.code) for i in report.errors] == [
        (2, None, "template_example_row")]
    assert report.rows == 1
    assert not [w for w in report.warnings if w.code == "unknown_column"]

    frame = template_frame(table)
    header, value = FILLED_IN[table]
    frame[header] = value
    data = xlsx_bytes(frame, table) if file_format == "xlsx" else csv_bytes(frame)
    report = _import(engine, table, file_format, data)
    assert report.errors == [], [i.as_dict() for i in report.errors]
