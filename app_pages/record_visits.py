"""Record visits: enter what your department did in a village, and correct it for a week."""

from datetime import date

import streamlit as st

import ui
from geo.access import Action, Role, User
from geo.records import VisitInput, visit_input
from geo.schema import VISIT_KINDS
from ui import t


def visit_form(user: User, key: str, today: date, default: VisitInput | None = None
               ) -> tuple[VisitInput | None, bool, bool]:
    """Draw the visit form; return the entered visit and which button was pressed."""
    departments = ui.department_choices()
    towns = ui.township_choices()
    fixed = user.role == Role.LIAISON
    left, middle, right = st.columns(3)
    if fixed:
        department = user.department_code
        left.text_input(t("filter.department"), departments.get(department, department),
                        disabled=True, key=f"{key}_department_fixed")
    else:
        codes = list(departments)
        department = left.selectbox(
            t("filter.department"), codes, key=f"{key}_department",
            index=codes.index(default.department_code) if default else 0,
            format_func=departments.get)
    town_codes = list(towns)
    town = middle.selectbox(t("filter.township"), town_codes, key=f"{key}_township",
                            index=town_codes.index(default.village_code[:9]) if default else 0,
                            format_func=towns.get)
    villages = ui.village_choices(town)
    village_codes = list(villages)
    village = right.selectbox(
        t("table.village"), village_codes, key=f"{key}_village", format_func=villages.get,
        index=village_codes.index(default.village_code)
        if default and default.village_code in villages else 0)
    with st.form(f"{key}_form", clear_on_submit=default is None):
        left, middle, right = st.columns(3)
        kind = left.selectbox(t("visits.kind"), VISIT_KINDS, key=f"{key}_kind",
                              index=VISIT_KINDS.index(default.kind) if default else 0)
        day = middle.date_input(t("visits.date"), default.date if default else today,
                                max_value=today, key=f"{key}_date")
        cadres = right.number_input(t("visits.cadres"), 0, 500,
                                    default.cadre_count if default else 1, key=f"{key}_cadres")
        left, middle, right = st.columns(3)
        households = left.number_input(t("visits.households"), 0, 10000,
                                       default.households_visited if default else 0,
                                       key=f"{key}_households")
        raised = middle.number_input(t("visits.raised"), 0, 1000,
                                     default.problems_raised if default else 0,
                                     key=f"{key}_raised")
        resolved = right.number_input(t("visits.resolved"), 0, 1000,
                                      default.problems_resolved if default else 0,
                                      key=f"{key}_resolved")
        summary = st.text_area(t("visits.summary"), default.summary if default else "",
                               key=f"{key}_summary")
        left, middle, right = st.columns(3)
        with_gps = left.checkbox(t("record.with_gps"), bool(default and default.lon is not None),
                                 key=f"{key}_with_gps")
        lon = middle.number_input(t("record.lon"), 73.0, 136.0,
                                  (default.lon if default and default.lon else 110.75),
                                  format="%.6f", key=f"{key}_lon")
        lat = right.number_input(t("record.lat"), 3.0, 54.0,
                                 (default.lat if default and default.lat else 31.35),
                                 format="%.6f", key=f"{key}_lat")
        if default is None:
            saved = st.form_submit_button(t("record.submit"), type="primary")
            deleted = False
        else:
            left, right = st.columns(2)
            saved = left.form_submit_button(t("record.update"), type="primary")
            deleted = right.form_submit_button(t("record.delete"))
    visit = VisitInput(date=day, department_code=department, village_code=village, kind=kind,
                       cadre_count=int(cadres), households_visited=int(households),
                       problems_raised=int(raised), problems_resolved=int(resolved),
                       summary=summary, lon=lon if with_gps else None,
                       lat=lat if with_gps else None,
                       record_id=default.record_id if default else "",
                       cadre_ids=default.cadre_ids if default else "")
    return visit, saved, deleted


def render() -> None:
    user, period = ui.page(Action.WRITE_VISITS, "page.record")
    today = period.as_of
    st.subheader(t("record.new"))
    visit, saved, _ = visit_form(user, "new", today)
    if saved:
        ui.record_visit(user, visit)
    st.subheader(t("record.recent", days=ui.get_settings().edit_days))
    recent = ui.editable_visits(user)
    if recent.empty:
        st.info(t("record.none"))
        return
    st.dataframe(ui.describe_visits(recent), hide_index=True, key="record_recent",
                 width="stretch", column_config=ui.visit_columns())
    chosen = st.selectbox(t("record.choose"), recent["id"].tolist(), key="record_choose")
    row = recent.set_index("id").loc[chosen].to_dict()
    edited, saved, deleted = visit_form(user, f"edit_{chosen}", today, visit_input(row))
    if saved or deleted:
        ui.record_visit(user, edited, visit_id=int(chosen), delete=deleted)


render()
