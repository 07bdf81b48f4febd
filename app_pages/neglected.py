"""Neglected villages: which villages need attention first, and why?"""

import streamlit as st

import ui
from geo.access import Action
from geo.coverage import REASONS
from geo.io.table_files import csv_bytes, xlsx_bytes
from geo.neglected import filter_neglected
from ui import t


def render() -> None:
    user, period = ui.page(Action.VIEW_MAPS, "page.neglected")
    data = ui.load_coverage(user, period)
    towns = ui.township_choices()
    left, right = st.columns(2)
    township = left.selectbox(t("filter.township"), [None, *towns], key="neglected_township",
                              format_func=lambda c: t("filter.all") if c is None else towns[c])
    reason = right.selectbox(t("neglected.reason"), [None, *REASONS], key="neglected_reason",
                             format_func=lambda r: t("filter.all") if r is None
                             else REASONS[r][1])
    table = filter_neglected(ui.neglected_table(data), township, reason)
    st.caption(t("neglected.count", count=len(table), total=len(data.status)))
    shown = table.drop(columns=["reason_codes", "township_code"])
    st.dataframe(shown, hide_index=True, key="neglected_table", width="stretch",
                 column_config={
                     "code": st.column_config.TextColumn(t("neglected.code")),
                     "village": st.column_config.TextColumn(t("table.village")),
                     "township": st.column_config.TextColumn(t("table.township")),
                     "reasons": st.column_config.TextColumn(t("neglected.reasons")),
                     "days_since_last_visit": st.column_config.NumberColumn(
                         t("tooltip.days"), help=t("neglected.days_help")),
                     "priority": st.column_config.NumberColumn(t("card.priority"),
                                                               format="%.2f"),
                     "need": st.column_config.ProgressColumn(t("layer.need"), min_value=0,
                                                             max_value=1),
                     "departments": st.column_config.TextColumn(t("table.departments")),
                 })
    left, right = st.columns(2)
    left.download_button(t("download.csv"), csv_bytes(shown), file_name="neglected.csv",
                         mime="text/csv", key="neglected_csv")
    right.download_button(t("download.xlsx"), xlsx_bytes(shown, "neglected"),
                          file_name="neglected.xlsx", key="neglected_xlsx")


render()
