"""Every import template (CSV and XLSX) is accepted by the import it is for."""

from datetime import date
from pathlib import Path

import pytest

from geo import db
from geo.access import Role, User
from geo.io import imports
from geo.io.templates import TEMPLATES, template_bytes

ADMIN = User("admin", Role.ADMIN)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("table", list(TEMPLATES))
def test_template_imports_cleanly(demo_copy: Path, table: str, file_format: str):
    engine = db.make_engine(f"sqlite:///{demo_copy}")
    report = imports.import_upload(engine, ADMIN, table, f"{table}.{file_format}",
                                   template_bytes(table, file_format), dry_run=True,
                                   today=date(2026, 11, 28))
    assert report.errors == [], [i.as_dict() for i in report.errors]
    assert report.rows == 1
    assert not [w for w in report.warnings if w.code == "unknown_column"]
