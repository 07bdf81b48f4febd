"""Audit log: who changed what, and when? Entries in words, an update as a diff."""

from datetime import timedelta

import streamlit as st

import ui
from geo.access import Action
from geo.audit import describe_audit, load_audit_log
from ui import t

ENTITIES = [None, "users", "visits", "pairings", "villages", "departments", "cadres",
            "boundaries"]


def render() -> None:
    user, period = ui.page(Action.VIEW_AUDIT, "page.audit")
    left, middle, right, far = st.columns(4)
    username = left.text_input(t("audit.username"), key="audit_username",
                               placeholder=t("audit.username_placeholder")).strip() or None
    entity = middle.selectbox(t("audit.entity"), ENTITIES, key="audit_entity",
                              format_func=lambda e: t("filter.all") if e is None
                              else t(f"tablename.{e}"), placeholder=t("filter.all"))
    # Dates start filled (the page's window), so no English "yyyy/mm/dd" placeholder shows.
    since = right.date_input(t("filter.since"),
                             period.as_of - timedelta(days=period.window_days),
                             max_value=period.as_of, key="audit_since")
    until = far.date_input(t("filter.until"), period.as_of, max_value=period.as_of,
                           key="audit_until")
    log = describe_audit(load_audit_log(ui.get_engine(), user, username=username,
                                        entity=entity, since=since, until=until),
                         ui.language())
    st.caption(t("audit.count", count=len(log)))
    ui.table(log, "audit_table", empty=t("audit.none"), column_config={
        "id": None,
        "at": st.column_config.DatetimeColumn(t("audit.at"), format="YYYY-MM-DD HH:mm:ss"),
        "username": st.column_config.TextColumn(t("audit.username")),
        "action": st.column_config.TextColumn(t("audit.action")),
        "entity": st.column_config.TextColumn(t("audit.entity")),
        "entity_key": st.column_config.TextColumn(t("audit.key")),
        "changes": st.column_config.TextColumn(t("audit.changes"), width="large",
                                               help=t("audit.changes.help")),
    })
    if not log.empty:
        ui.download_buttons(log.drop(columns=["id"]), "audit", "audit_download")


render()
