"""Visit records: what did departments do in the villages, and when?"""

from datetime import timedelta

import streamlit as st

import ui
from geo.access import Action, Role
from geo.io.table_files import csv_bytes
from ui import t


def render() -> None:
    user, period = ui.page(Action.VIEW_VISITS, "page.visits")
    township = villages = None
    drilling = ui.drilling()
    if drilling:  # several counties: the records of the unit chosen above them
        ui.drill_selectors("visits")
        villages = ui.drilled_villages()
        departments = ui.department_labels()
    else:
        departments = ui.department_choices()
    left, middle, right = st.columns(3)
    since = left.date_input(t("filter.since"), period.as_of - timedelta(days=period.window_days),
                            max_value=period.as_of, key="visits_since")
    if not drilling:
        towns = ui.township_choices()
        township = middle.selectbox(
            t("filter.township"), [None, *towns], key="visits_township",
            format_func=lambda c: t("filter.all") if c is None else towns[c],
            placeholder=t("filter.all"))
    if user.role == Role.LIAISON:
        department = user.department_code
        right.text_input(t("filter.department"), departments.get(department, department),
                         disabled=True, key="visits_department_fixed")
    else:
        department = right.selectbox(
            t("filter.department"), [None, *departments], key="visits_department",
            format_func=lambda c: t("filter.all") if c is None else departments[c],
            placeholder=t("filter.all"))
    table = ui.visit_records(user, since, township=township, villages=villages,
                             department=department)
    st.caption(t("visits.count", count=len(table)))
    ui.table(table, "visits_table", ui.visit_columns(), empty=t("visits.none"))
    st.download_button(t("download.csv"), lambda: csv_bytes(table), file_name="visits.csv",
                       mime="text/csv", key="visits_download")


render()
