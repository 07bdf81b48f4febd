"""Writes from the pages: record, change or delete a visit; check or import an uploaded
file with a progress bar. A failure is reported where the write was asked for (through
``ui.session.reporting_errors``) and the rest of the page stays."""

from __future__ import annotations

import streamlit as st

from geo import records
from geo.access import User
from geo.io import boundary_import, imports
from geo.io.report import Report
from geo.settings import local_today
from ui.session import get_engine, get_settings, reporting_errors, t


def record_visit(user: User, visit: records.VisitInput, visit_id: int | None = None,
                 delete: bool = False) -> bool:
    """Add, change or delete a visit for ``user``; show the outcome. True on success."""
    engine, settings = get_engine(), get_settings()
    with reporting_errors():
        if delete and visit_id is not None:
            records.delete_visit(engine, user, visit_id, local_today(), settings.edit_days)
            st.success(t("record.deleted", id=visit_id))
        elif visit_id is not None:
            records.update_visit(engine, user, visit_id, visit, local_today(),
                                 settings.edit_days)
            st.success(t("record.updated", id=visit_id))
        else:
            new_id = records.add_visit(engine, user, visit, local_today())
            st.success(t("record.added", id=new_id))
        return True
    return False


def import_records(user: User, table: str, filename: str, data: bytes, sheet: str | None,
                   skip_invalid: bool, dry_run: bool) -> Report | None:
    """Check (``dry_run``) or import an uploaded table file, with a progress bar."""
    bar = st.progress(0.0, text=t("data.check") if dry_run else t("data.confirm"))
    try:
        with reporting_errors():
            return imports.import_upload(
                get_engine(), user, table, filename, data, sheet=sheet or None,
                dry_run=dry_run, skip_invalid=skip_invalid, today=local_today(),
                edit_days=get_settings().edit_days,
                progress=lambda fraction: bar.progress(min(max(fraction, 0.0), 1.0)))
    finally:
        bar.empty()
    return None


def import_boundary_file(user: User, level: str, filename: str, data: bytes,
                         src_crs: str | None, code_field: str | None, name_field: str | None,
                         dry_run: bool) -> Report | None:
    """Check (``dry_run``) or import an uploaded boundary file."""
    with reporting_errors():
        return boundary_import.import_boundary_upload(
            get_engine(), user, filename, data, level, code_field=code_field or None,
            name_field=name_field or None, src_crs=src_crs or None, dry_run=dry_run)
    return None
