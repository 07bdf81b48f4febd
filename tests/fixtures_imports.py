"""Builders of import files for tests/test_imports.py (files are made by code, never
committed), and a small copy of the sample county for other database backends."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
from sqlalchemy import Engine, select

from geo import db, schema, store

ZH_VISIT_HEADERS = ["日期", "单位名称", "村名", "乡镇", "走访类型", "参与人数", "走访户数",
                    "收集问题", "解决问题", "工作内容", "编号"]
"""A county sheet's own headers for visits (department and village by name)."""

EN_VISIT_HEADERS = ["date", "department_code", "village_code", "kind", "cadre_count",
                    "households_visited", "problems_raised", "problems_resolved", "summary",
                    "record_id"]
"""The export columns a template starts from."""

TITLE = "兴山县2024年结对走访台账"


def write_csv(path: Path, header: Sequence[str] | None, rows: Sequence[Sequence[object]],
              encoding: str = "utf-8-sig", title: str | None = None) -> Path:
    """Write a CSV file (optionally with a title row above the header)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if title is not None:
        writer.writerow([title] + [""] * (len(header or [""]) - 1))
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
               title: str | None = None, sheet: str = "台账",
               other_sheets: Sequence[str] = (), date_columns: Sequence[int] = ()) -> Path:
    """Write an XLSX workbook; ``title`` becomes a merged title row above the header, and
    ``date_columns`` (0-based) get a date number format."""
    book = openpyxl.Workbook()
    sheet_ = book.active
    sheet_.title = sheet
    if title is not None:
        sheet_.append([title])
        sheet_.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet_.append(list(header))
    for row in rows:
        sheet_.append(list(row))
    first = 3 if title is not None else 2
    for column in date_columns:
        for cells in sheet_.iter_rows(min_row=first, min_col=column + 1, max_col=column + 1):
            for cell in cells:
                cell.number_format = "yyyy-mm-dd"
    for name in other_sheets:
        book.create_sheet(name).append(["nothing", "here"])
    book.save(path)
    return path


def excel_serial(day: date) -> int:
    """Excel's serial day number of ``day``."""
    return (day - date(1899, 12, 30)).days


def visit_rows(engine: Engine, department: str, village: str, day: date,
               kind: str = "走访慰问") -> dict:
    """The stored visits of one department, village and day (as dictionaries)."""
    table = schema.visits
    with engine.connect() as connection:
        rows = connection.execute(select(table).where(
            table.c.department_code == department, table.c.village_code == village,
            table.c.date == day, table.c.kind == kind).order_by(table.c.id)).mappings().all()
    return [dict(r) for r in rows]


def load_small_county(source: Engine, target: Engine, visits: int = 300) -> None:
    """Copy the sample county (units, departments, cadres, pairings, some visits) from
    ``source`` into the empty, migrated ``target`` (another backend)."""
    units = pd.concat([store.load_units(source, level)
                       for level in ("county", "township", "village")], ignore_index=True)
    units = gpd.GeoDataFrame(units, geometry="geometry", crs=4326)
    store.replace_all(target, units, store.load_departments(source), store.load_cadres(source),
                      store.load_pairings(source), store.load_visits(source).head(visits))


def make_engine(path: Path) -> Engine:
    """An engine on a SQLite file (the demo copy)."""
    return db.make_engine(f"sqlite:///{path}")


def now() -> datetime:
    """A fixed wall-clock time for created_at values written by tests."""
    return datetime(2026, 11, 28, 9, 0)
