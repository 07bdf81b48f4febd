"""A visits file is imported block by block (``geo.io.imports._import_visits``): where the
blocks end must not change anything an import reports or writes.

Each file here is imported into private copies of the sample county once as a single
block and again in blocks of a few rows, so that in-file duplicates, a repeated record
id, rows matching stored visits (equal, changed, and a natural key repeated as a
multiset) and rows with errors fall in different blocks; the reports (errors and
warnings with their rows, counts), the rejected rows' CSV, the stored visits and the
audit log must be the same.

A record id repeated within one department is an error on each of its rows
(``duplicate_record_id``): the rows are rejected and the rest can be written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from geo import db, schema
from geo.access import Role, User
from geo.io import imports
from geo.settings import local_today
from tests.conftest import ANCHOR
from tests.fixtures_imports import EN_VISIT_HEADERS, write_csv, write_xlsx

ADMIN = User("importer", Role.ADMIN)
WHOLE = 10**6
"""A block size larger than any file here: the file is one block."""


def _day(days_before: int) -> str:
    return (ANCHOR - timedelta(days=days_before)).isoformat()


def _base_rows() -> list[list[object]]:
    """Visits that the second file meets again in the database."""
    return [
        [_day(10), "XS001", "420526101001", "走访慰问", 2, 5, 1, 1, "入户走访 甲", "R-1"],
        [_day(11), "XS001", "420526101001", "走访慰问", 2, 5, 1, 1, "入户走访 乙", "R-2"],
        [_day(12), "XS002", "420526101002", "政策宣讲", 3, 8, 0, 0, "宣讲 丙", ""],
        [_day(12), "XS002", "420526101002", "政策宣讲", 3, 8, 0, 0, "宣讲 丙", ""],
        [_day(13), "XS002", "420526101002", "政策宣讲", 1, 2, 0, 0, "宣讲 丁", ""],
    ]


def _second_rows() -> list[list[object]]:
    """Rows 2 … 25 of the second file (the header is row 1)."""
    return [
        # 2: equal to R-1 (unchanged)
        [_day(10), "XS001", "420526101001", "走访慰问", 2, 5, 1, 1, "入户走访 甲", "R-1"],
        # 3: R-2 with another count (updated)
        [_day(11), "XS001", "420526101001", "走访慰问", 4, 5, 1, 1, "入户走访 乙", "R-2"],
        # 4: a new visit whose record id comes again on row 21
        [_day(20), "XS003", "420526101003", "走访慰问", 1, 3, 0, 0, "新的走访 一", "R-9"],
        # 5: the natural key stored twice: changed counts (pairs with a stored one)
        [_day(12), "XS002", "420526101002", "政策宣讲", 9, 8, 0, 0, "宣讲 丙", ""],
        # 6: a future date and a negative count (two errors on one row)
        [(ANCHOR + timedelta(days=3)).isoformat(), "XS001", "420526101001", "走访慰问", -1,
         1, 0, 0, "错行", ""],
        # 7: a new visit repeated on row 24 (duplicate_visit)
        [_day(30), "XS004", "420526101201", "产业帮扶", 2, 4, 1, 0, "同一次走访", ""],
        # 8: an unknown village
        [_day(31), "XS004", "999999999999", "产业帮扶", 2, 4, 1, 0, "未知村", ""],
        # 9: more resolved than raised, and an empty record (warnings)
        [_day(32), "XS005", "420526101005", "走访慰问", 1, 0, 0, 2, "", ""],
        # 10-19: plain new visits
        *[[_day(40 + i), "XS006", "420526101202", "政策宣讲", 1, i, 0, 0, f"宣讲第{i}次", ""]
          for i in range(10)],
        # 20: the natural key stored twice, equal (unchanged)
        [_day(12), "XS002", "420526101002", "政策宣讲", 3, 8, 0, 0, "宣讲 丙", ""],
        # 21: R-9 again, otherwise different (duplicate_record_id)
        [_day(21), "XS003", "420526101003", "走访慰问", 1, 3, 0, 0, "新的走访 二",
         "R-9"],
        # 22: a bad date
        ["2024-13-45", "XS001", "420526101001", "走访慰问", 1, 1, 0, 0, "坏日期", ""],
        # 23: equal to a stored visit by natural key (unchanged)
        [_day(13), "XS002", "420526101002", "政策宣讲", 1, 2, 0, 0, "宣讲 丁", ""],
        # 24: row 7 again
        [_day(30), "XS004", "420526101201", "产业帮扶", 2, 4, 1, 0, "同一次走访", ""],
        # 25: a bad number
        [_day(33), "XS004", "420526101201", "产业帮扶", "三", 4, 1, 0, "坏数", ""],
    ]


def _database(new_demo_url: Callable[[], str], folder: Path) -> Engine:
    """A new database holding the sample county (on the test's backend); ``folder`` is
    made for the files the test writes beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    return db.make_engine(new_demo_url())


def _stored(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    """The visits (without the moment of their import) and the audit entries (without
    theirs), in id order."""
    visits, log = schema.visits, schema.audit_log
    with engine.connect() as connection:
        rows = [tuple(v for k, v in row._mapping.items() if k != "created_at")
                for row in connection.execute(select(visits).order_by(visits.c.id))]
        entries = [(row.username, row.action, row.entity, row.entity_key, row.before,
                    row.after)
                   for row in connection.execute(select(log).order_by(log.c.id))]
    return rows, entries


def _run(new_demo_url: Callable[[], str], folder: Path, path: Path, block_rows: int,
         **options: object) -> tuple[dict, bytes | None, tuple]:
    """Import the base file whole, then ``path`` in blocks of ``block_rows``; the second
    report (JSON form, without the rejected file's path), its rejected rows and the
    database afterwards."""
    engine = _database(new_demo_url, folder)
    try:
        base = write_csv(folder / "base.csv", EN_VISIT_HEADERS, _base_rows())
        first = imports.import_file(engine, ADMIN, "visits", base, today=ANCHOR)
        assert first.inserted == 5 and not first.errors
        report = imports.import_file(engine, ADMIN, "visits", path, today=ANCHOR,
                                     block_rows=block_rows, **options)
        rejected = None
        if report.rejected_file:
            rejected = Path(report.rejected_file).read_bytes()
            Path(report.rejected_file).unlink()
        data = report.as_dict()
        data.pop("rejected_file")
        return data, rejected, _stored(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("options", [{"skip_invalid": True}, {}, {"dry_run": True},
                                     {"skip_invalid": True, "dry_run": True}],
                         ids=["skip-invalid", "all-or-nothing", "dry-run", "dry-run-skip"])
def test_block_boundaries_do_not_change_an_import(
        new_demo_url: Callable[[], str], tmp_path: Path, options: dict) -> None:
    path = write_csv(tmp_path / "visits.csv", EN_VISIT_HEADERS, _second_rows())
    whole = _run(new_demo_url, tmp_path / "whole", path, WHOLE, **options)
    for size in (1, 2, 3, 7):
        assert _run(new_demo_url, tmp_path / f"blocks-{size}", path, size, **options) == whole

    report, rejected, _ = whole
    errors = [(e["row"], e["code"]) for e in report["errors"]]
    assert sorted(errors) == [(4, "duplicate_record_id"), (6, "future_date"),
                              (6, "negative_count"), (8, "unknown_village"),
                              (21, "duplicate_record_id"), (22, "bad_date"),
                              (25, "bad_number")]
    repeated = {e["row"]: e["message"] for e in report["errors"]
                if e["code"] == "duplicate_record_id"}
    assert "4, 21" in repeated[4] and "4, 21" in repeated[21]
    warnings = [(w["row"], w["code"]) for w in report["warnings"]]
    assert (7, "duplicate_visit") in warnings and (24, "duplicate_visit") in warnings
    assert (9, "resolved_exceeds_raised") in warnings and (9, "empty_record") in warnings
    listed = {w["row"]: w["message"] for w in report["warnings"]
              if w["code"] == "duplicate_visit"}
    assert "7, 24" in listed[7] and "7, 24" in listed[24]
    assert report["rejected"] == 6
    if options.get("skip_invalid"):
        assert (report["inserted"], report["updated"], report["unchanged"]) == (13, 2, 3)
        assert (rejected is not None) == (not options.get("dry_run"))
    else:
        assert (report["inserted"], report["updated"], report["unchanged"]) == (0, 0, 0)
        assert rejected is None


def test_a_late_issue_and_a_rejected_row_in_later_blocks(
        new_demo_url: Callable[[], str], tmp_path: Path) -> None:
    """A liaison's edit window: the rows that would change visits created long ago are
    errors found over the whole file, reported with their cells and rejected, the same
    in blocks as whole."""
    liaison = User("li", Role.LIAISON, department_code="XS001")
    rows = [[_day(10), "XS001", "420526101001", "走访慰问", 2, 5, 1, 1, "入户走访 甲", "R-1"],
            *[[_day(50 + i), "XS001", "420526101001", "政策宣讲", 1, i, 0, 0, f"第{i}次", ""]
              for i in range(6)],
            [_day(11), "XS001", "420526101001", "走访慰问", 7, 5, 1, 1, "入户走访 乙", "R-2"]]
    path = write_csv(tmp_path / "liaison.csv", EN_VISIT_HEADERS, rows)
    results = []
    for size in (WHOLE, 2):
        engine = _database(new_demo_url, tmp_path / f"db-{size}")
        try:
            base = write_csv(tmp_path / f"db-{size}" / "base.csv", EN_VISIT_HEADERS,
                             _base_rows()[:2])
            imports.import_file(engine, ADMIN, "visits", base, today=ANCHOR)
            report = imports.import_file(engine, liaison, "visits", path, edit_days=0,
                                         today=local_today() + timedelta(days=5),
                                         skip_invalid=True, block_rows=size)
            rejected = Path(report.rejected_file).read_bytes()
            Path(report.rejected_file).unlink()
            data = report.as_dict()
            data.pop("rejected_file")
            results.append((data, rejected, _stored(engine)))
        finally:
            engine.dispose()
    assert results[0] == results[1]
    report = results[0][0]
    assert [(e["row"], e["code"], e["value"]) for e in report["errors"]] == [
        (9, "edit_window_passed", _day(11))]
    assert (report["inserted"], report["updated"], report["unchanged"]) == (6, 0, 1)
    assert "edit_window_passed" not in results[0][1].decode("utf-8-sig")  # the reason's text
    assert results[0][1].decode("utf-8-sig").count("\n") == 2  # header and row 9


def test_an_upload_and_a_workbook_in_blocks_report_what_they_report_whole(
        new_demo_url: Callable[[], str], tmp_path: Path) -> None:
    """Files read whole (an upload's bytes, XLSX) are checked in blocks too."""
    rows = _second_rows()
    csv_path = write_csv(tmp_path / "visits.csv", EN_VISIT_HEADERS, rows)
    xlsx_path = write_xlsx(tmp_path / "visits.xlsx", EN_VISIT_HEADERS, rows)
    for size in (WHOLE, 3):
        engine = _database(new_demo_url, tmp_path / f"upload-{size}")
        try:
            upload = imports.import_upload(engine, ADMIN, "visits", "visits.csv",
                                           csv_path.read_bytes(), today=ANCHOR,
                                           skip_invalid=True, dry_run=True, block_rows=size)
            workbook = imports.import_file(engine, ADMIN, "visits", xlsx_path, today=ANCHOR,
                                           dry_run=True, block_rows=size)
        finally:
            engine.dispose()
        if size == WHOLE:
            expected = (upload.as_dict(), upload.rejected_bytes, workbook.as_dict())
        else:
            assert (upload.as_dict(), upload.rejected_bytes, workbook.as_dict()) == expected
    assert expected[1] is not None and expected[0]["rejected"] == 6
