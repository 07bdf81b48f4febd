"""Problem ledger (诉求台账): which residents' problems are still open, which are overdue,
and which department owes the answer? Everyone reads the list (a leader without residents'
names; a liaison its own department's and joint problems); a liaison acts on its own
department's problems (notes also on joint ones), an organiser or admin on any, and only
they reopen and reassign."""

from datetime import date

import streamlit as st

import ui
from geo.access import Action, Role, User, can
from geo.ledger import LEDGER_COLUMNS, filter_ledger, ledger_counts
from geo.schema import PROBLEM_CATEGORIES, PROBLEM_STATUSES
from ui import ledger, t


def _filters() -> tuple:
    """Status, department, township, category and overdue only, as chosen; with several
    counties the drill-down's selectors stand for the township box."""
    drilling = ui.drilling()
    if drilling:
        ui.drill_selectors("ledger")
    departments, towns = ui.department_choices(), ui.township_choices()
    status_box, department_box, township_box, category_box, overdue_box = st.columns(
        [1, 1.3, 1, 1, 1], vertical_alignment="bottom")
    status = status_box.selectbox(
        t("ledger.label.status"), [None, *PROBLEM_STATUSES], key="ledger_status",
        format_func=lambda s: t("filter.all") if s is None else t(f"problem.status.{s}"),
        placeholder=t("filter.all"))
    department = department_box.selectbox(
        t("filter.department"), [None, *departments], key="ledger_department",
        format_func=lambda c: t("filter.all") if c is None else departments[c],
        placeholder=t("filter.all"))
    township = None if drilling else township_box.selectbox(
        t("filter.township"), [None, *towns], key="ledger_township",
        format_func=lambda c: t("filter.all") if c is None else towns[c],
        placeholder=t("filter.all"))
    category = category_box.selectbox(t("ledger.label.category"), [None, *PROBLEM_CATEGORIES],
                                      key="ledger_category", format_func=ledger.category_label,
                                      placeholder=t("filter.all"))
    overdue = overdue_box.checkbox(t("ledger.overdue_only"), key="ledger_overdue")
    return status, department, township, category, overdue


def _chosen(user: User, table: object, today: date) -> None:
    """The chosen problem: details, notes and the forms the role may use."""
    chosen = ledger.choose_problem(table)
    ledger.show_problem(user, chosen)
    if can(user, Action.WRITE_PROBLEMS) and ledger.act_on(user, chosen, today):
        st.rerun()


def _new(user: User, today: date) -> None:
    """The new-problem form, open while it is being filled in or just saved."""
    with st.expander(t("ledger.new_title")):
        entry, saved, beside = ledger.new_problem_form(user, today)
        if saved and ledger.add_problem(user, entry, beside):
            st.rerun()
    ledger.show_new_outcome()


def render() -> None:
    user, period = ui.page(Action.VIEW_PROBLEMS, "page.ledger")
    st.caption(t("ledger.question"))
    filters = _filters()
    table = filter_ledger(ui.ledger_rows(user, period, ui.drilled_villages()),
                          *filters)
    ledger.show_counts(ledger_counts(table), period.window_days)
    shown = ledger.ledger_shown(table)
    ui.table(shown, "ledger_table", ledger.ledger_columns(), empty=t("ledger.none"),
             columns=list(LEDGER_COLUMNS))
    if not table.empty:
        ui.download_buttons(shown[[c for c in LEDGER_COLUMNS if c in shown]], "problems",
                            "ledger_download")
    if Role(user.role) == Role.LIAISON:
        st.caption(t("ledger.liaison_scope"))
    if not table.empty:
        st.subheader(t("ledger.chosen_title"))
        _chosen(user, table, period.as_of)
    if can(user, Action.WRITE_PROBLEMS):
        _new(user, period.as_of)
    else:
        st.info(t("ledger.read_only"))


render()
