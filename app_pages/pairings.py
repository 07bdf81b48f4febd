"""Pairings (结对关系): which departments are paired with which villages, and how often must
they visit? Everyone reads the list; organiser and admin change a pairing's visits per
month and note, or end it. 保存 checks the import's rules; each broken one is said beside
its field and nothing is written."""

from datetime import date

import streamlit as st

import ui
from geo.access import Action, User, can
from geo.pairings import STATES, PairingState, filter_pairings
from ui import t
from ui.writes import change_pairing, prepare_pairing_form, show_outcome

# The date picker's range: the years an import accepts; the rules judge the rest.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
SHOWN = ["id", "department", "township", "village", "kind", "start_date", "end_date",
         "required_visits_per_month", "state", "note"]


def _filters() -> tuple[str | None, str | None, str | None]:
    departments, towns = ui.department_choices(), ui.township_choices()
    left, middle, right = st.columns(3)
    department = left.selectbox(
        t("filter.department"), [None, *departments], key="pairings_department",
        format_func=lambda c: t("filter.all") if c is None else departments[c])
    township = middle.selectbox(
        t("filter.township"), [None, *towns], key="pairings_township",
        format_func=lambda c: t("filter.all") if c is None else towns[c])
    state = right.selectbox(
        t("pairings.state"), [None, *STATES], key="pairings_state",
        format_func=lambda s: t("filter.all") if s is None else t(f"pairings.state.{s}"))
    return department, township, state


def _edit(user: User, row: dict, today: date) -> None:
    """The two forms of one pairing: visits per month and note; its end date."""
    key = f"pairings_{int(row['id'])}"
    seen = PairingState.of(row)
    prepare_pairing_form(key, seen, today)
    beside: dict = {}
    with st.form(f"{key}_form"):
        st.markdown(f"**{t('pairings.edit')}**")
        left, right = st.columns([1, 2])
        required = left.text_input(t("pairings.required"), key=f"{key}_required",
                                   placeholder=t("pairings.required_placeholder"))
        beside["required_visits_per_month"] = left.empty()
        note = right.text_area(t("pairings.note"), key=f"{key}_note", height=68,
                               placeholder=t("pairings.note_placeholder"))
        beside["note"] = right.empty()
        saved = st.form_submit_button(t("pairings.save"), type="primary", key=f"{key}_save")
        beside["submit"] = st.empty()
    if saved and change_pairing(user, row, required, note, seen.end_date, beside, key):
        st.rerun()
    ending: dict = {}
    with st.form(f"{key}_end_form"):
        st.markdown(f"**{t('pairings.end_title')}**")
        left, _ = st.columns([1, 2])
        end = left.date_input(t("pairings.end"), key=f"{key}_end", min_value=EARLIEST,
                              max_value=LATEST, help=t("pairings.end_date_help"))
        ending["end_date"] = left.empty()
        label = t("pairings.change_end") if seen.end_date else t("pairings.end_submit")
        ended = st.form_submit_button(label, key=f"{key}_end_submit")
        ending["submit"] = st.empty()
    if ended and change_pairing(user, row, str(seen.required_visits_per_month), seen.note,
                                end, ending, key):
        st.rerun()
    show_outcome(key)


def render() -> None:
    user, period = ui.page(Action.VIEW_MAPS, "page.pairings")
    st.caption(t("pairings.question"))
    department, township, state = _filters()
    table = filter_pairings(ui.pairing_table(user, period.as_of), department, township, state)
    shown = ui.pairings_shown(table)
    st.caption(t("pairings.count", count=len(table)))
    ui.table(shown, "pairings_table", ui.pairing_columns(), empty=t("pairings.none"),
             columns=SHOWN)
    ui.download_buttons(shown, "pairings", "pairings_download")
    if not can(user, Action.EDIT_PAIRINGS):
        st.info(t("pairings.read_only"))
        return
    if table.empty:
        return
    rows = {int(r["id"]): r for r in shown.to_dict("records")}
    chosen = st.selectbox(
        t("pairings.choose"), list(rows), key="pairings_choose",
        format_func=lambda i: t("pairings.choose_label", department=rows[i]["department"],
                                village=rows[i]["village"], township=rows[i]["township"],
                                start=rows[i]["start_date"].isoformat()))
    _edit(user, rows[chosen], period.as_of)


render()
