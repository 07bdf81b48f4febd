"""Data: bring records and boundaries in (checked before anything is written), templates,
and exports of every table the role may read."""

import streamlit as st

import ui
from geo.access import Action, User, can, importable_tables
from geo.io.exports import allowed_exports, export_bytes
from geo.io.report import Report
from geo.io.table_files import csv_bytes
from geo.io.templates import TEMPLATES, template_bytes
from ui import t

ISSUE_COLUMNS = {"row": st.column_config.NumberColumn(t("data.row"), format="%d"),
                 "column": st.column_config.TextColumn(t("data.column")),
                 "value": st.column_config.TextColumn(t("data.value")),
                 "message": st.column_config.TextColumn(t("data.message"), width="large")}


def show_report(report: Report, key: str, checked: bool) -> None:
    """Counts, errors and warnings of a checked or finished import."""
    counts = {"rows": report.rows, "inserted": report.inserted, "updated": report.updated,
              "unchanged": report.unchanged, "rejected": report.rejected}
    if report.errors and not getattr(report, "rejected_bytes", None) and not checked:
        st.error(t("data.has_errors"))
    (st.info if checked else st.success)(t("data.checked" if checked else "data.done",
                                           **counts))
    for kind, title, issues, download in (
            ("errors", t("data.errors"), report.errors, t("data.download_errors")),
            ("warnings", t("data.warnings"), report.warnings, t("data.download_warnings"))):
        if issues:
            table = ui.issue_table(issues)
            st.markdown(f"**{title}**")
            ui.table(table, f"{key}_{kind}", ISSUE_COLUMNS)
            st.download_button(download, csv_bytes(table),
                               file_name=f"{kind}.csv", key=f"{key}_{kind}_download")
    if getattr(report, "rejected_bytes", None):
        st.download_button(t("data.download_rejected"), report.rejected_bytes,
                           file_name=report.rejected_file or "rejected.csv",
                           key=f"{key}_rejected_download")


def import_records_section(user: User) -> None:
    tables = importable_tables(user)
    if not tables:
        return
    st.subheader(t("data.import_records"))
    table = st.selectbox(t("data.table"), tables, key="import_table",
                         format_func=lambda name: t(f"tablename.{name}"), required=True)
    upload = st.file_uploader(t("data.file"), type=["csv", "xlsx"], key="import_file")
    left, right = st.columns(2)
    sheet = left.text_input(t("data.sheet"), key="import_sheet",
                            placeholder=t("data.sheet_placeholder"))
    skip = right.checkbox(t("data.skip_invalid"), key="import_skip_invalid")
    if upload is None:
        return
    left, right = st.columns(2)
    if left.button(t("data.check"), key="import_check"):
        report = ui.import_records(user, table, upload.name, upload.getvalue(), sheet, skip,
                                   dry_run=True)
        if report is not None:
            show_report(report, "import_checked", checked=True)
    if right.button(t("data.confirm"), key="import_confirm", type="primary"):
        report = ui.import_records(user, table, upload.name, upload.getvalue(), sheet, skip,
                                   dry_run=False)
        if report is not None:
            show_report(report, "import_done", checked=False)


def import_boundaries_section(user: User) -> None:
    if not can(user, Action.IMPORT_REFERENCE):
        return
    st.subheader(t("data.import_boundaries"))
    left, middle, right, far = st.columns(4)
    level = left.selectbox(t("data.level"), ["village", "township"], key="boundary_level",
                           format_func=lambda name: t(f"data.level.{name}"), required=True)
    src_crs = middle.text_input(t("data.src_crs"), key="boundary_src_crs",
                                placeholder=t("data.src_crs_placeholder"))
    code_field = right.text_input(t("data.code_field"), key="boundary_code_field",
                                  placeholder=t("data.field_placeholder"))
    name_field = far.text_input(t("data.name_field"), key="boundary_name_field",
                                placeholder=t("data.field_placeholder"))
    upload = st.file_uploader(t("data.file"), type=["geojson", "json", "zip", "gpkg"],
                              key="boundary_file")
    if upload is None:
        return
    left, right = st.columns(2)
    for button, dry_run, key in ((left, True, "boundary_check"),
                                 (right, False, "boundary_confirm")):
        label = t("data.check") if dry_run else t("data.confirm")
        if button.button(label, key=key, type="secondary" if dry_run else "primary"):
            report = ui.import_boundary_file(user, level, upload.name, upload.getvalue(),
                                             src_crs, code_field, name_field, dry_run)
            if report is not None:
                show_report(report, key, checked=dry_run)


def templates_section(user: User) -> None:
    tables = [table for table in importable_tables(user) if table in TEMPLATES]
    if not tables:  # a leader imports nothing
        return
    st.subheader(t("data.templates"))
    st.caption(t("data.templates_explain"))
    for table in tables:
        left, middle, right = st.columns([2, 1, 1])
        left.write(t(f"tablename.{table}"))
        middle.download_button(t("format.csv"), template_bytes(table, "csv"),
                               key=f"template_{table}_csv", file_name=f"{table}_template.csv",
                               mime="text/csv")
        right.download_button(t("format.xlsx"), template_bytes(table, "xlsx"),
                              key=f"template_{table}_xlsx", file_name=f"{table}_template.xlsx")


def export_section(user: User) -> None:
    st.subheader(t("data.export"))
    tables = allowed_exports(user)
    left, right = st.columns(2)
    table = left.selectbox(t("data.export_table"), tables, key="export_table",
                           format_func=lambda name: t(f"tablename.{name}"), required=True)
    formats = ["csv", "xlsx", "geojson"] if table in ("villages", "townships") else ["csv",
                                                                                       "xlsx"]
    file_format = right.selectbox(t("data.format"), formats, key="export_format",
                                  format_func=lambda name: t(f"format.{name}"), required=True)
    st.download_button(t("data.download"),
                       lambda: export_bytes(ui.get_engine(), user, table, file_format),
                       file_name=f"{table}.{file_format}", key="export_download")


def render() -> None:
    user, _period = ui.page(Action.VIEW_MAPS, "page.data")
    import_records_section(user)
    import_boundaries_section(user)
    templates_section(user)
    export_section(user)


render()
