"""The problem ledger page's glue (诉求台账): its cached rows, table, counts, the chosen
problem's notes, and its forms (a progress note, start, close with the village's rating,
reopen, reassign, a new problem).

Each form is checked here first by the ledger's rules (``geo.ledger``): every broken one
is said under its field, naming it, and nothing is written. What passes goes through
``geo.problem_service`` (which checks the role and the rules again, and audits) inside
``reporting_errors``; the outcome is kept for the run after it (``ui.writes``) and the page
reruns showing the new state. Each control is drawn only for a role that may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo import problem_service
from geo.access import Action, Role, User, can
from geo.i18n import translate, translate_issue
from geo.ledger import LedgerCounts, check_closing, check_new_problem
from geo.problem_rules import split_codes
from geo.problem_service import STATUS_MOVES, ProblemInput
from geo.schema import (
    CLOSED_PROBLEM_STATUSES,
    PROBLEM_CATEGORIES,
    PROBLEM_DUE_DAYS,
    SATISFACTION_RATINGS,
)
from geo.settings import local_today
from geo.visit_rules import RuleFailure
from ui.loaders import names, visit_village_options
from ui.session import get_engine, language, plain, reporting_errors, t
from ui.widgets import in_words
from ui.writes import FORM_TEXT_VARIANT, keep_outcome, outcome_pending, show_outcome

ACT = "ledger_act"
"""The outcome key of a write on the chosen problem (``ui.writes.keep_outcome``)."""
NEW = "ledger_new"
"""The outcome key of the new-problem form."""
CHOSEN_NEXT = "ledger_chosen_next"
"""A problem to choose on the next run (the one just entered)."""
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
FIELD_LABELS = {"village_code": "table.village", "department_code": "table.department",
                "category": "ledger.label.category", "description": "ledger.label.description",
                "resident": "ledger.label.resident", "raised_on": "ledger.label.raised_on",
                "due_date": "ledger.label.due_date", "status": "ledger.label.status",
                "resolved_on": "ledger.label.resolved_on", "resolution": "ledger.label.resolution",
                "satisfaction": "ledger.label.satisfaction", "text": "ledger.label.text",
                "co_departments": "ledger.label.co_departments"}
"""The catalogue key of each form field's label, which its messages name."""


# --- rows --------------------------------------------------------------------------------


def category_label(category: str | None) -> str:
    """A category in the UI language (all, when None)."""
    return t("filter.all") if category is None else t(f"ledger.category.{category}")


def rating_label(rating: str | None) -> str:
    """A village's rating in the UI language (not rated, when None)."""
    return t("ledger.rating_none") if rating is None else t(f"ledger.rating.{rating}")


def ledger_shown(table: pd.DataFrame) -> pd.DataFrame:
    """The rows as shown and downloaded: status, category and rating as words."""
    return table.assign(
        status=in_words(table["status"], lambda s: t(f"problem.status.{s}")),
        category=in_words(table["category"], category_label),
        satisfaction=in_words(table["satisfaction"], rating_label))


def ledger_columns() -> dict:
    """Column headings and formats of the ledger (codes hidden: names show)."""
    text, number = st.column_config.TextColumn, st.column_config.NumberColumn
    return {
        "id": number(t("ledger.id"), format="%d", width="small"),
        "village": text(t("table.village")),
        "township": text(t("table.township")),
        "department": text(t("table.department")),
        "co_department_names": text(t("ledger.label.co_departments")),
        "category": text(t("ledger.label.category"), width="small"),
        "description": text(t("ledger.label.description"), width="medium"),
        "raised_on": st.column_config.DateColumn(t("ledger.label.raised_on")),
        "due_date": st.column_config.DateColumn(t("ledger.label.due_date")),
        "status": text(t("ledger.label.status"), width="small"),
        "age_days": number(t("ledger.age_days"), format="%d", help=t("ledger.age_days.help")),
        "overdue_days": number(t("ledger.overdue_days"), format="%d",
                               help=t("ledger.overdue_days.help")),
        "resolved_on": st.column_config.DateColumn(t("ledger.label.resolved_on")),
        "satisfaction": text(t("ledger.label.satisfaction"), width="small"),
        "resident": text(t("ledger.label.resident"), width="small"),
    }


def show_counts(counts: LedgerCounts, window_days: int) -> None:
    """The counts above the list (open, overdue among them, closed in the window) and the
    sentence that adds them up to the rows listed."""
    cards = st.columns(4)
    cards[0].metric(t("ledger.count.open"), counts.open, help=t("ledger.count.open.help"),
                    border=True)
    cards[1].metric(t("ledger.count.overdue"), counts.overdue,
                    help=t("ledger.count.overdue.help"), border=True)
    cards[2].metric(t("ledger.count.resolved", window=window_days), counts.resolved,
                    border=True)
    cards[3].metric(t("ledger.count.unresolved", window=window_days),
                    counts.closed_unresolved, border=True)
    st.caption(t("ledger.count.listed", listed=counts.listed, open=counts.open,
                 resolved=counts.resolved, unresolved=counts.closed_unresolved))


# --- who may do what ------------------------------------------------------------------------


def may_note(user: User, row: Mapping[str, object]) -> bool:
    """The responsible department's or a co-department's liaison, an organiser, an admin."""
    return any(can(user, Action.WRITE_PROBLEMS, code)
               for code in [row["department_code"], *split_codes(row["co_departments"])])


def may_move(user: User, row: Mapping[str, object]) -> bool:
    """The responsible department's liaison, an organiser, an admin."""
    return can(user, Action.WRITE_PROBLEMS, str(row["department_code"]))


# --- the chosen problem -------------------------------------------------------------------


def show_problem(user: User, row: Mapping[str, object]) -> None:
    """The chosen problem's details (typed text as plain text) and its progress notes."""
    lines = [t("ledger.detail.place", village=plain(row["village"]),
               township=plain(row["township"]), department=plain(row["department"])),
             t("ledger.detail.text", description=plain(row["description"]))]
    if isinstance(row.get("co_department_names"), str):
        lines.append(t("ledger.detail.joint", names=plain(row["co_department_names"])))
    if isinstance(row.get("resident"), str) and row["resident"]:
        lines.append(t("ledger.detail.resident", resident=plain(row["resident"])))
    if row["status"] in CLOSED_PROBLEM_STATUSES:
        rating = row["satisfaction"] if isinstance(row["satisfaction"], str) else None
        resolution = row["resolution"] if isinstance(row["resolution"], str) else "\u2014"
        lines.append(t("ledger.detail.closed", on=row["resolved_on"].isoformat(),
                       resolution=plain(resolution), rating=rating_label(rating)))
    st.markdown("  \n".join(lines))
    notes = problem_service.notes_for(get_engine(), user, int(row["id"]))
    st.markdown(f"**{t('ledger.notes')}**")
    if notes.empty:
        st.caption(t("ledger.notes_none"))
        return
    departments = names().departments.set_index("code")["name"]
    shown = notes.assign(
        at=notes["at"].map(lambda at: pd.Timestamp(at).strftime("%Y-%m-%d %H:%M")),
        department=notes["department_code"].map(departments))[
        ["at", "username", "department", "text"]]
    st.dataframe(shown, hide_index=True, key="ledger_notes", width="stretch",
                 column_config={
                     "at": st.column_config.TextColumn(t("ledger.note_at"), width="small"),
                     "username": st.column_config.TextColumn(t("ledger.label.username"),
                                                             width="small"),
                     "department": st.column_config.TextColumn(t("table.department"),
                                                               width="small"),
                     "text": st.column_config.TextColumn(t("ledger.label.text"), width="large")})


def _said(failure: RuleFailure) -> str:
    """A broken rule as a form says it, naming the field (its label) unless the sentence
    starts with it already."""
    params = {**failure.params, "variant": FORM_TEXT_VARIANT}
    sentence = translate_issue({"code": failure.code, "value": failure.value,
                                "params": params}, language())
    label = t(FIELD_LABELS.get(failure.field, "ledger.label.status"))
    if sentence.startswith(label):
        return plain(sentence)
    return t("ledger.beside", field=label, message=plain(sentence))


def _refused(failures: list[RuleFailure], beside: Mapping[str, DeltaGenerator]) -> bool:
    """Say each broken rule under its field (the button's place for the rest); True when
    any was broken."""
    for name in dict.fromkeys(failure.field for failure in failures):
        place = beside.get(name, beside["submit"])
        place.error("\n\n".join(_said(f) for f in failures if f.field == name))
    if failures:
        beside["submit"].error(t("ledger.not_saved"))
    return bool(failures)


def _prepare(key: str, values: Mapping[str, object], outcome_key: str = ACT) -> None:
    """Give the fields ``{key}_{name}`` their starting values once, and again after a
    write (the form then starts afresh)."""
    reset = outcome_pending(outcome_key)
    for name, value in values.items():
        if reset or f"{key}_{name}" not in st.session_state:
            st.session_state[f"{key}_{name}"] = value


def _done(message: str, outcome_key: str = ACT) -> bool:
    keep_outcome(outcome_key, message)
    return True


def note_form(user: User, problem_id: int) -> bool:
    """A progress note; True when written (the page then reruns)."""
    key = f"ledger_{problem_id}_note"
    _prepare(key, {"text": ""})
    beside: dict = {}
    with st.form(f"{key}_form"):
        text = st.text_area(t("ledger.label.text"), key=f"{key}_text", height=80,
                            placeholder=t("ledger.note_placeholder"))
        beside["text"] = st.empty()
        saved = st.form_submit_button(t("ledger.note_submit"), key=f"{key}_submit")
        beside["submit"] = st.empty()
    if not saved:
        return False
    if not (text or "").strip():
        return not _refused([RuleFailure(0, "text", "missing_value", None, {})], beside)
    with reporting_errors():
        problem_service.add_note(get_engine(), user, problem_id, text)
        return _done(t("ledger.noted", id=problem_id))
    return False


def start_form(user: User, problem_id: int) -> bool:
    """Move an open problem to in progress; True when written."""
    with st.form(f"ledger_{problem_id}_start_form"):
        st.markdown(f"**{t('ledger.start_title')}**")
        started = st.form_submit_button(t("ledger.start_submit"),
                                        key=f"ledger_{problem_id}_start_submit")
    if not started:
        return False
    with reporting_errors():
        problem_service.move_problem(get_engine(), user, problem_id, "in_progress",
                                     local_today())
        return _done(t("ledger.started", id=problem_id))
    return False


def close_form(user: User, row: Mapping[str, object], today: date) -> bool:
    """Close a problem on a day, with the resolution and the village's rating (optional):
    resolved or closed unresolved, by the button pressed (no choice to lose when the
    language changes); True when written."""
    problem_id = int(row["id"])
    key = f"ledger_{problem_id}_close"
    _prepare(key, {"on": today, "resolution": "", "rating": None})
    beside: dict = {}
    with st.form(f"{key}_form"):
        st.markdown(f"**{t('ledger.close_title')}**")
        left, right, _ = st.columns(3)
        closed_on = left.date_input(t("ledger.label.resolved_on"), key=f"{key}_on",
                                    min_value=EARLIEST, max_value=LATEST, format="YYYY-MM-DD")
        beside["resolved_on"] = left.empty()
        rating = right.selectbox(t("ledger.label.satisfaction"), SATISFACTION_RATINGS,
                                 key=f"{key}_rating", format_func=rating_label,
                                 placeholder=t("ledger.rating_none"))
        beside["satisfaction"] = right.empty()
        resolution = st.text_area(t("ledger.label.resolution"), key=f"{key}_resolution",
                                  height=80, placeholder=t("ledger.resolution_placeholder"))
        beside["resolution"] = st.empty()
        left, right, _ = st.columns([1, 1, 3])
        resolved = left.form_submit_button(t("ledger.close_submit"), type="primary",
                                           key=f"{key}_submit", width="stretch")
        unresolved = right.form_submit_button(t("ledger.close_unresolved"),
                                              key=f"{key}_unresolved", width="stretch")
        beside["submit"] = st.empty()
    if not (resolved or unresolved):
        return False
    status = "resolved" if resolved else "closed_unresolved"
    raised = row["raised_on"]
    if _refused(check_closing(raised, status, closed_on, resolution or "", rating, today),
                beside):
        return False
    with reporting_errors():
        problem_service.move_problem(get_engine(), user, problem_id, status, today,
                                     closed_on, resolution, rating)
        return _done(t("ledger.closed", id=problem_id, status=t(f"problem.status.{status}")))
    return False


def reopen_form(user: User, problem_id: int) -> bool:
    """Reopen a closed problem (organiser, admin); True when written."""
    with st.form(f"ledger_{problem_id}_reopen_form"):
        st.markdown(f"**{t('ledger.reopen_title')}**")
        st.caption(t("ledger.reopen_help"))
        pressed = st.form_submit_button(t("ledger.reopen_submit"),
                                        key=f"ledger_{problem_id}_reopen_submit")
    if not pressed:
        return False
    with reporting_errors():
        problem_service.reopen_problem(get_engine(), user, problem_id)
        return _done(t("ledger.reopened", id=problem_id))
    return False


def assign_form(user: User, row: Mapping[str, object]) -> bool:
    """Reassign the responsible department and the co-departments (organiser, admin);
    True when written."""
    problem_id = int(row["id"])
    key = f"ledger_{problem_id}_assign"
    departments = names().departments
    choices = dict(zip(departments["code"], departments["name"], strict=True))
    _prepare(key, {"department": row["department_code"],
                   "joint": [c for c in split_codes(row["co_departments"]) if c in choices]})
    beside: dict = {}
    with st.form(f"{key}_form"):
        st.markdown(f"**{t('ledger.assign_title')}**")
        left, right = st.columns(2)
        department = left.selectbox(t("table.department"), list(choices),
                                    key=f"{key}_department", format_func=choices.get)
        beside["department_code"] = left.empty()
        joint = right.multiselect(t("ledger.label.co_departments"), list(choices),
                                  key=f"{key}_joint", format_func=choices.get,
                                  placeholder=t("ledger.joint_placeholder"))
        beside["co_departments"] = right.empty()
        pressed = st.form_submit_button(t("ledger.assign_submit"), key=f"{key}_submit")
        beside["submit"] = st.empty()
    if not pressed:
        return False
    with reporting_errors():
        problem_service.reassign_problem(get_engine(), user, problem_id, department,
                                         ";".join(joint))
        return _done(t("ledger.reassigned", id=problem_id, department=choices[department]))
    return False


def act_on(user: User, row: Mapping[str, object], today: date) -> bool:
    """The forms ``user`` may use on the chosen problem, then the last write's outcome;
    True when one wrote (the page then reruns)."""
    problem_id, status = int(row["id"]), str(row["status"])
    wrote = False
    if may_note(user, row):
        wrote = note_form(user, problem_id)
    if may_move(user, row) and "in_progress" in STATUS_MOVES.get(status, ()):
        wrote = start_form(user, problem_id) or wrote
    if may_move(user, row) and status not in CLOSED_PROBLEM_STATUSES:
        wrote = close_form(user, row, today) or wrote
    if can(user, Action.ASSIGN_PROBLEMS) and status in CLOSED_PROBLEM_STATUSES:
        wrote = reopen_form(user, problem_id) or wrote
    if can(user, Action.ASSIGN_PROBLEMS):
        wrote = assign_form(user, row) or wrote
    if not wrote:  # else the page reruns, and the outcome shows then
        show_outcome(ACT)
    return wrote


# --- a new problem ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewProblem:
    """The new-problem form as typed (a choice not made is None)."""

    village_code: str | None
    department_code: str | None
    category: str | None
    description: str
    resident: str
    raised_on: date | None
    due_date: date | None

    def row(self) -> dict[str, object]:
        """The problem's columns, for ``geo.ledger.check_new_problem``."""
        return {"village_code": self.village_code, "department_code": self.department_code,
                "category": self.category, "description": self.description.strip(),
                "resident": self.resident.strip(), "raised_on": self.raised_on,
                "due_date": self.due_date}


def new_problem_form(user: User, today: date) -> tuple[NewProblem, bool, dict]:
    """Draw the new-problem form (the department fixed for a liaison; the due date empty
    means ``PROBLEM_DUE_DAYS`` after the day raised); return what was typed, whether it
    was submitted, and a placeholder under each field."""
    key = "ledger_new"
    _prepare(key, {"village": None, "category": None, "description": "", "resident": "",
                   "raised": today, "due": None}, NEW)
    departments = names().departments
    choices = dict(zip(departments["code"], departments["name"], strict=True))
    fixed = user.department_code if Role(user.role) == Role.LIAISON else None
    villages = visit_village_options(fixed, None, today)
    beside: dict = {}
    with st.form(f"{key}_form"):
        left, middle, right = st.columns(3)
        if fixed is not None:
            left.text_input(t("table.department"), choices.get(fixed, fixed), disabled=True,
                            key=f"{key}_department_fixed")
            department = fixed
        else:
            department = left.selectbox(t("table.department"), list(choices), index=None,
                                        key=f"{key}_department", format_func=choices.get,
                                        placeholder=t("record.choose_department"))
        beside["department_code"] = left.empty()
        village = middle.selectbox(t("table.village"), list(villages), key=f"{key}_village",
                                   format_func=villages.get,
                                   placeholder=t("record.choose_village"))
        beside["village_code"] = middle.empty()
        category = right.selectbox(t("ledger.label.category"), PROBLEM_CATEGORIES,
                                   key=f"{key}_category", format_func=category_label,
                                   placeholder=t("ledger.choose_category"))
        beside["category"] = right.empty()
        description = st.text_area(t("ledger.label.description"), key=f"{key}_description",
                                   height=80, placeholder=t("ledger.description_placeholder"))
        beside["description"] = st.empty()
        left, middle, right = st.columns(3)
        resident = left.text_input(t("ledger.label.resident"), key=f"{key}_resident",
                                   placeholder=t("record.optional"))
        beside["resident"] = left.empty()
        raised = middle.date_input(t("ledger.label.raised_on"), key=f"{key}_raised",
                                   min_value=EARLIEST, max_value=LATEST, format="YYYY-MM-DD")
        beside["raised_on"] = middle.empty()
        due = right.date_input(t("ledger.label.due_date"), key=f"{key}_due", min_value=EARLIEST,
                               max_value=LATEST, format="YYYY-MM-DD",
                               help=t("ledger.due_help", days=PROBLEM_DUE_DAYS))
        beside["due_date"] = right.empty()
        saved = st.form_submit_button(t("ledger.new_submit"), type="primary",
                                      key=f"{key}_submit")
        beside["submit"] = st.empty()
    entry = NewProblem(village, department, category, description or "", resident or "",
                       raised, due)
    return entry, saved, beside


def add_problem(user: User, entry: NewProblem, beside: Mapping[str, DeltaGenerator]) -> bool:
    """Check and record a new problem; True when written (it is chosen on the next run)."""
    today = local_today()
    current = names()
    failures = check_new_problem(entry.row(), today, current.villages["code"].tolist(),
                                 current.departments["code"].tolist())
    if _refused(failures, beside):
        return False
    due = entry.due_date or entry.raised_on + timedelta(days=PROBLEM_DUE_DAYS)
    with reporting_errors():
        problem_id = problem_service.add_problem(get_engine(), user, ProblemInput(
            village_code=entry.village_code, department_code=entry.department_code,
            category=entry.category, description=entry.description,
            raised_on=entry.raised_on, resident=entry.resident, due_date=due), today)
        st.session_state[CHOSEN_NEXT] = problem_id
        return _done(t("ledger.added", id=problem_id, due=due.isoformat()), NEW)
    return False


def choice_labels(table: pd.DataFrame) -> dict[int, str]:
    """How each problem of ``table`` reads in the select box, by its number, in the
    table's order: its number, village, category, status and description (whole: the
    box cuts what does not fit); each category and status put in words once."""
    lang = language()
    categories = in_words(table["category"], category_label)
    statuses = in_words(table["status"], lambda s: t(f"problem.status.{s}"))
    return {int(number): translate("ledger.choice", lang, id=int(number), village=village,
                                   category=category, status=status,
                                   description=description)
            for number, village, category, status, description in zip(
                table["id"], table["village"], categories, statuses, table["description"],
                strict=True)}


def choose_problem(table: pd.DataFrame) -> dict[str, object]:
    """The select box of the listed problems of ``table`` (by their number; the first
    when the one chosen is no longer listed); a problem just entered is chosen on the
    run after. Returns the chosen row (``DataFrame.to_dict`` of it)."""
    labels = choice_labels(table)
    wanted = st.session_state.pop(CHOSEN_NEXT, None)
    if wanted in labels:
        st.session_state["ledger_choose"] = wanted
    elif st.session_state.get("ledger_choose") not in labels:
        st.session_state["ledger_choose"] = next(iter(labels))  # the filters left it out
    chosen = st.selectbox(t("ledger.choose"), list(labels), key="ledger_choose",
                          format_func=labels.__getitem__)
    return table[table["id"].astype("int64") == chosen].to_dict("records")[0]


def show_new_outcome() -> None:
    """The new-problem form's last outcome."""
    show_outcome(NEW)
