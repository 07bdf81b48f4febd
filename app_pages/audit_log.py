"""Audit log: who changed what, and when?"""

import streamlit as st

import ui
from geo.access import Action
from geo.audit import load_audit_log
from geo.io.table_files import csv_bytes, xlsx_bytes
from ui import t

ENTITIES = [None, "users", "visits", "pairings", "villages", "departments", "cadres",
            "boundaries"]


def render() -> None:
    user, _period = ui.page(Action.VIEW_AUDIT, "page.audit")
    left, middle, right, far = st.columns(4)
    username = left.text_input(t("audit.username"), key="audit_username").strip() or None
    entity = middle.selectbox(t("audit.entity"), ENTITIES, key="audit_entity",
                              format_func=lambda e: t("filter.all") if e is None else e)
    since = right.date_input(t("filter.since"), None, key="audit_since")
    until = far.date_input(t("filter.until"), None, key="audit_until")
    log = load_audit_log(ui.get_engine(), user, username=username, entity=entity,
                         since=since, until=until)
    st.caption(t("audit.count", count=len(log)))
    st.dataframe(
        log, hide_index=True, key="audit_table", width="stretch",
        column_config={
            "id": None,
            "at": st.column_config.DatetimeColumn(t("audit.at"), format="YYYY-MM-DD HH:mm:ss"),
            "username": st.column_config.TextColumn(t("audit.username")),
            "action": st.column_config.TextColumn(t("audit.action")),
            "entity": st.column_config.TextColumn(t("audit.entity")),
            "entity_key": st.column_config.TextColumn(t("audit.key")),
            "before": st.column_config.TextColumn(t("audit.before")),
            "after": st.column_config.TextColumn(t("audit.after")),
        },
    )
    left, right = st.columns(2)
    left.download_button(t("download.csv"), csv_bytes(log), file_name="audit.csv",
                         mime="text/csv", key="audit_download_csv")
    right.download_button(t("download.xlsx"), xlsx_bytes(log, "audit"), file_name="audit.xlsx",
                          key="audit_download_xlsx")


render()
