"""Record visits: enter what your department did in a village, and correct it for a week.

The form holds what was typed and nothing else: department (for an organiser), village
and kind start unchosen, counts and GPS are taken as typed. 保存 checks the import's
rules; each broken one is said beside its field and nothing is written. A new visit
may register the residents' problems it received, one row each (category, description,
optional resident); the visit and its problems are written together or not at all."""

from datetime import date

import streamlit as st

import ui
from geo.access import Action, Role, User
from geo.records import VisitInput, visit_input
from geo.schema import VISIT_KINDS
from ui import t
from ui.loaders import visit_village_options
from ui.writes import (
    COUNTS,
    VisitEntry,
    delete_visit,
    prepare_visit_form,
    problem_row_count,
    problem_rows,
    record_visit,
    show_outcome,
)

# The date picker's range: the years an import accepts; the rules judge the rest.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def _index(options: list, value: object) -> int | None:
    return options.index(value) if value in options else None


def visit_form(user: User, key: str, today: date, default: VisitInput | None = None
               ) -> tuple[VisitEntry, bool, bool, dict]:
    """Draw the visit form; return the entry as typed, which button was pressed, and a
    placeholder beside each field for its messages."""
    prepare_visit_form(key, today, default)
    departments = ui.department_choices()
    towns = ui.township_choices()
    beside = {}
    left, middle, right = st.columns(3)
    if user.role == Role.LIAISON:
        department = user.department_code
        left.text_input(t("filter.department"), departments.get(department, department),
                        disabled=True, key=f"{key}_department_fixed")
    else:
        codes = list(departments)
        department = left.selectbox(
            t("filter.department"), codes, key=f"{key}_department", format_func=departments.get,
            index=_index(codes, default and default.department_code),
            placeholder=t("record.choose_department"))
    beside["department_code"] = left.empty()
    town_codes = list(towns)
    town = middle.selectbox(t("filter.township"), town_codes, key=f"{key}_township",
                            index=_index(town_codes, default and default.village_code[:9]),
                            format_func=towns.get, placeholder=t("record.all_townships"))
    villages = visit_village_options(department, town, today)
    if st.session_state.get(f"{key}_village") not in villages:
        st.session_state[f"{key}_village"] = None  # not offered for this township
    village = right.selectbox(
        t("table.village"), list(villages), key=f"{key}_village", format_func=villages.get,
        placeholder=t("record.choose_village"))
    beside["village_code"] = right.empty()
    rows = problem_row_count(key) if default is None else 0
    with st.form(f"{key}_form"):
        left, middle, right = st.columns(3)
        kind = left.selectbox(t("visits.kind"), VISIT_KINDS, key=f"{key}_kind",
                              placeholder=t("record.choose_kind"))
        beside["kind"] = left.empty()
        day = middle.date_input(t("visits.date"), min_value=EARLIEST, max_value=LATEST,
                                key=f"{key}_date")
        beside["date"] = middle.empty()
        counts = {}
        for column, (name, short, label) in zip([right, *st.columns(3)], COUNTS, strict=True):
            counts[name] = column.text_input(t(label), key=f"{key}_{short}",
                                             placeholder=t("record.count_placeholder"))
            beside[name] = column.empty()
        summary = st.text_area(t("visits.summary"), key=f"{key}_summary",
                               placeholder=t("record.summary_placeholder"))
        beside["summary"] = st.empty()
        problems = problem_rows(key, rows, beside)
        left, middle, _ = st.columns(3)
        point = {}
        for column, name in ((left, "lon"), (middle, "lat")):
            point[name] = column.text_input(t(f"record.{name}"), key=f"{key}_{name}",
                                            placeholder=t("record.optional"))
            beside[name] = column.empty()
        if default is None:
            saved = st.form_submit_button(t("record.submit"), type="primary")
            deleted = False
        else:
            left, right = st.columns(2)
            saved = left.form_submit_button(t("record.update"), type="primary")
            deleted = right.form_submit_button(t("record.delete"))
        beside["submit"] = st.empty()
    entry = VisitEntry(department_code=department, village_code=village, kind=kind, date=day,
                       counts=counts, summary=summary or "", lon=point["lon"] or "",
                       lat=point["lat"] or "",
                       record_id=default.record_id if default else "",
                       cadre_ids=default.cadre_ids if default else "", problems=problems)
    return entry, saved, deleted, beside


def render() -> None:
    user, period = ui.page(Action.WRITE_VISITS, "page.record")
    today = period.as_of
    st.subheader(t("record.new"))
    entry, saved, _, beside = visit_form(user, "new", today)
    if saved and record_visit(user, entry, beside, "new"):
        st.rerun()  # the next visit starts from an empty form
    show_outcome("new")
    st.subheader(t("record.recent", days=ui.get_settings().edit_days))
    recent = ui.editable_visits(user)
    if recent.empty:
        show_outcome("edit")
        st.info(t("record.none"))
        return
    described = ui.describe_visits(recent)
    st.dataframe(described, hide_index=True, key="record_recent", width="stretch",
                 column_config=ui.visit_columns())
    labels = {int(visit["id"]): t("record.choose_label", **visit)
              for visit in described.to_dict("records")}
    chosen = st.selectbox(t("record.choose"), recent["id"].tolist(), key="record_choose",
                          format_func=lambda visit_id: labels.get(int(visit_id), visit_id))
    row = recent.set_index("id").loc[chosen].to_dict()
    edited, saved, deleted, beside = visit_form(user, f"edit_{chosen}", today, visit_input(row))
    if (deleted and delete_visit(user, int(chosen), "edit")) or (
            saved and record_visit(user, edited, beside, "edit", visit_id=int(chosen))):
        st.rerun()
    show_outcome("edit")


render()
