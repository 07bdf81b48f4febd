"""Pairing planner (结对规划): which department should take which neglected village?

The parameters and what-if edits (places, locked and excluded pairs) re-solve the plan in
place; the clerk ticks the proposals to accept, downloads the organisation department's
sheet and commits them as pairings (the last commit can be taken back the same day).
"""

import streamlit as st

import ui
from geo.access import Action
from geo.planner import PLANNED_REASONS
from ui import t

OUTCOME = "planner"


def render() -> None:
    user, period = ui.page(Action.EDIT_PAIRINGS, "page.planner")
    ui.show_outcome(OUTCOME)
    data = ui.load_plan_inputs(user, period)
    st.caption(t("planner.explain"))
    # Above everything a bad entry below could stop: the undo is always there.
    if st.button(t("planner.undo"), key="planner_undo",
                 help=t("planner.undo.help")) and ui.undo_plan(user, OUTCOME):
        st.rerun()
    left, middle, right = st.columns([3, 1, 1])
    reasons = left.multiselect(t("planner.reasons"), PLANNED_REASONS, PLANNED_REASONS,
                               format_func=lambda r: t(f"plan.reason.{r}"),
                               key="planner_reasons",
                               placeholder=t("planner.reasons_placeholder"))
    limit = ui.whole_number_input(middle, t("planner.max_per_village"), 2, 1, 10,
                                  key="planner_max_per_village",
                                  help_text=t("planner.max_per_village.help"))
    members = ui.whole_number_input(right, t("planner.members_per_village"), 15, 1, 1000,
                                    key="planner_members_per_village",
                                    help_text=t("planner.members_per_village.help"))
    if limit is None or members is None:
        return
    with st.expander(t("planner.what_if")):
        capacity = ui.capacity_editor(data, members, key="planner_capacity")
        locks = ui.pair_editor(data, "planner_locks", t("planner.locks"))
        exclusions = ui.pair_editor(data, "planner_exclusions", t("planner.exclusions"))
        upload = st.file_uploader(t("planner.costs"), type=["csv", "xlsx"],
                                  key="planner_costs", help=t("planner.costs.help"))
    costs = (ui.read_cost_upload(upload.name, upload.getvalue(), data)
             if upload is not None else None)
    if not reasons:
        st.warning(t("planner.no_reasons"))
        return
    if capacity is None or locks is None or exclusions is None:
        return
    plan, rows = ui.make_plan(user, period, reasons, limit, members, capacity, locks,
                              exclusions, costs)
    st.subheader(t("planner.proposals", count=len(rows)))
    st.caption(ui.plan_summary(plan))
    accepted = ui.proposals_editor(rows, key="planner_proposals") if len(rows) else []
    ui.show_map(ui.plan_map(ui.load_coverage(user, period), plan, rows), key="planner_map",
                height=ui.DEPARTMENT_MAP_HEIGHT)
    st.caption(t("planner.map_caption") + " " + t("caption.schematic"))
    commit, sheet = st.columns(2)
    if commit.button(t("planner.commit", count=len(accepted)), type="primary",
                     disabled=not accepted, key="planner_commit") and ui.commit_plan(
                         user, plan, accepted, OUTCOME):
        st.rerun()
    sheet.download_button(t("planner.sheet"), ui.plan_sheet_file(plan, data, accepted),
                          file_name=t("planner.sheet_file"), disabled=not accepted,
                          key="planner_sheet")


render()
