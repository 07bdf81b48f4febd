"""Writes from the pages: record, change or delete a visit; check or import an uploaded
file with a progress bar. A failure is reported where the write was asked for (through
``ui.session.reporting_errors``) and the rest of the page stays.

The visit form is checked here before anything is written, by the rules the import
applies (``geo.visit_rules.check_visits``, counts and coordinates parsed as an import
parses cells): every broken rule is shown beside the field it concerns, and the service
(``geo.records``) checks the same rules again inside its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo import pairings, plan_service, problem_service, records
from geo.access import User
from geo.i18n import translate_issue
from geo.io import boundary_import, imports
from geo.io.readers import parse_decimals, parse_whole_numbers
from geo.io.report import Report
from geo.planner import Plan
from geo.problem_rules import check_problems
from geo.problem_service import ProblemInput
from geo.records import VisitInput
from geo.schema import PROBLEM_CATEGORIES, VISIT_COUNT_FIELDS
from geo.settings import local_today
from geo.text import normalize_text
from geo.visit_rules import RuleFailure, check_visits
from ui.loaders import visit_reference
from ui.session import get_engine, get_settings, language, plain, reporting_errors, t

OUTCOME = "pairmap_write_outcome"
"""Session key of a write's outcome (``keep_outcome``), shown on the run after it
(``show_outcome``); while it waits, the form it came from starts empty again."""


COUNTS = (("cadre_count", "cadres", "visits.cadres"),
          ("households_visited", "households", "visits.households"),
          ("problems_raised", "raised", "visits.raised"),
          ("problems_resolved", "resolved", "visits.resolved"))
"""The visit form's count fields: the visit's column, the widget key's suffix, the label."""
MAX_PROBLEM_ROWS = 10
"""The most problems one visit form registers (more go on the problem ledger's page)."""


def _starting_values(default: VisitInput | None, today: date) -> dict[str, object]:
    """What the form's fields (by key suffix) hold before anything is typed: empty, or
    the visit being corrected (a new visit's form also has its problem rows, none
    shown)."""
    counts = {short: (str(getattr(default, name)) if default
                      else "1" if name == "cadre_count" else "")
              for name, short, _ in COUNTS}
    point = {name: "" if default is None or getattr(default, name) is None
             else f"{getattr(default, name):.6f}" for name in ("lon", "lat")}
    rows: dict[str, object] = {}
    if default is None:
        rows["problem_rows"] = 0
        for row in range(MAX_PROBLEM_ROWS):
            rows |= {f"problem_{row}_category": None, f"problem_{row}_description": "",
                     f"problem_{row}_resident": ""}
    return {"village": default and default.village_code, "kind": default and default.kind,
            "date": default.date if default else today, **counts,
            "summary": default.summary if default else "", **point, **rows}


def keep_outcome(outcome_key: str, done: str, warnings: list[str] | None = None) -> None:
    """Keep a successful write's message (and warnings) for the run after it, under
    ``outcome_key``: the form of that key; the page then reruns."""
    st.session_state[OUTCOME] = (outcome_key, done, list(warnings or []))


def outcome_pending(outcome_key: str) -> bool:
    """Whether the form ``outcome_key`` has just written: it then starts empty again
    (its fields set back before they are drawn: deleting a widget's key is not enough,
    the browser would send the old value back)."""
    kept = st.session_state.get(OUTCOME)
    return bool(kept) and kept[0] == outcome_key


def prepare_visit_form(key: str, today: date, default: VisitInput | None) -> None:
    """Give each field of the visit form ``key`` its starting value in the session state,
    once, and again for the new form after a save (department and township stay: a clerk
    often enters several visits of one department); its widgets then read it there."""
    reset = default is None and outcome_pending(key)
    for name, value in _starting_values(default, today).items():
        if reset or f"{key}_{name}" not in st.session_state:
            st.session_state[f"{key}_{name}"] = value

FORM_TEXT_VARIANT = "form"
"""Catalogue variant of a rule's sentence where the import's wording does not fit a form
(``issue.control_character.form``: delete it and save, not import)."""


@dataclass(frozen=True)
class ProblemEntry:
    """One problem row of the visit form as typed (a category not chosen is None)."""

    category: str | None
    description: str = ""
    resident: str = ""


def problem_row_count(key: str) -> int:
    """How many problem rows the new-visit form ``key`` shows: a choice from none to
    ``MAX_PROBLEM_ROWS`` (drawn outside the form, so that the rows follow it at once)."""
    return int(st.selectbox(
        t("record.problem_rows"), list(range(MAX_PROBLEM_ROWS + 1)), key=f"{key}_problem_rows",
        help=t("record.problem_rows.help"),
        format_func=lambda count: (t("record.problem_rows_none") if count == 0
                                   else t("record.problem_rows_count", count=count))))


def problem_rows(key: str, count: int, beside: dict[str, DeltaGenerator]
                 ) -> tuple[ProblemEntry, ...]:
    """Draw ``count`` problem rows inside the visit form ``key`` (category, description,
    optional resident), each followed by a placeholder for its messages
    (``beside["problem_<n>"]``, n from 0); return them as typed."""
    if not count:
        return ()
    st.markdown(t("record.problems_heading"))
    entries = []
    for row in range(count):
        left, middle, right = st.columns([1, 3, 1])
        category = left.selectbox(
            t("record.problem_category", row=row + 1), PROBLEM_CATEGORIES,
            key=f"{key}_problem_{row}_category", placeholder=t("record.choose_category"))
        description = middle.text_input(t("record.problem_description", row=row + 1),
                                        key=f"{key}_problem_{row}_description")
        resident = right.text_input(t("record.problem_resident", row=row + 1),
                                    key=f"{key}_problem_{row}_resident")
        beside[f"problem_{row}"] = st.empty()
        entries.append(ProblemEntry(category, description or "", resident or ""))
    return tuple(entries)


@dataclass(frozen=True)
class VisitEntry:
    """A visit as the form holds it: a choice not made is None, counts and coordinates
    are the text typed (an empty count is 0, as in an imported file)."""

    department_code: str | None
    village_code: str | None
    kind: str | None
    date: date | None
    counts: Mapping[str, str]
    summary: str = ""
    lon: str = ""
    lat: str = ""
    record_id: str = ""
    cadre_ids: str = ""
    problems: tuple[ProblemEntry, ...] = ()


@dataclass
class VisitCheck:
    """The outcome of checking an entry: the visit to write (None when refused), the
    messages by form field (a problem row's under ``problem_<n>``), the warnings
    (written, but said), and the problems received on the visit."""

    visit: records.VisitInput | None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    problems: list[ProblemInput] = field(default_factory=list)


def _problem_errors(entries: tuple[ProblemEntry, ...], today: date,
                    errors: dict[str, list[str]]) -> None:
    """Check the problem rows by the ledger's rules (``geo.problem_rules``); each broken
    rule is said under its row, naming the row and the column."""
    if not entries:
        return
    frame = pd.DataFrame({
        "category": [entry.category for entry in entries],
        "description": [normalize_text(entry.description) for entry in entries],
        "resident": [normalize_text(entry.resident) for entry in entries]})
    for failure in check_problems(frame, today):
        message = translate_issue({"code": failure.code, "value": failure.value,
                                   "column": t(f"field.{failure.field}"),
                                   "params": {**failure.params,
                                              "variant": FORM_TEXT_VARIANT}}, language())
        errors.setdefault(f"problem_{failure.position}", []).append(t(
            "record.problem_issue", row=failure.position + 1,
            column=t(f"field.{failure.field}"), message=message))


def _sentence(code: str, value: object = None, **params: object) -> str:
    if code == "control_character":
        params["variant"] = FORM_TEXT_VARIANT
    return translate_issue({"code": code, "value": value, "params": params}, language())


def _rule_sentence(failure: RuleFailure, typed: Mapping[str, str] | None = None) -> str:
    """The sentence of a broken rule; a number is quoted as it was typed ("1,200", not
    1200.0) where ``typed`` holds the field's text."""
    params = dict(failure.params)
    value = failure.value
    if typed is not None and failure.field in typed:
        value = str(typed[failure.field]).strip()
    return _sentence(failure.code, value, **params)


def _parsed(values: Mapping[str, str], parse: object, code: str,
            errors: dict[str, list[str]]) -> dict[str, object]:
    """Parse typed numbers as an import parses cells; a bad one is an error of its field
    and is left out (None) of the rules."""
    names = list(values)
    numbers, bad = parse(pd.Series([str(values[name] or "") for name in names], dtype=str))
    parsed = {}
    for at, name in enumerate(names):
        if bad.iloc[at]:
            errors.setdefault(name, []).append(_sentence(code, str(values[name]).strip()))
        value = numbers.iloc[at]
        parsed[name] = None if bad.iloc[at] or pd.isna(value) else value
    return parsed


def check_visit_entry(entry: VisitEntry, today: date) -> VisitCheck:
    """Check ``entry`` against every visit rule at once; nothing is written."""
    errors: dict[str, list[str]] = {}
    for name, value, key in (("department_code", entry.department_code, "record.need_department"),
                             ("village_code", entry.village_code, "record.need_village"),
                             ("kind", entry.kind, "record.need_kind"),
                             ("date", entry.date, "record.need_date")):
        if value is None:
            errors[name] = [t(key)]
    counts = _parsed({name: entry.counts.get(name, "") for name in VISIT_COUNT_FIELDS},
                     parse_whole_numbers, "bad_number", errors)
    point = _parsed({"lon": entry.lon, "lat": entry.lat}, parse_decimals, "bad_decimal",
                    errors)
    row = {"date": entry.date, "department_code": entry.department_code,
           "village_code": entry.village_code, "kind": entry.kind,
           **{name: (0 if value is None and name not in errors else value)
              for name, value in counts.items()},
           "summary": entry.summary, "cadre_ids": entry.cadre_ids,
           "record_id": entry.record_id,
           "lon": point["lon"], "lat": point["lat"]}
    frame = pd.DataFrame([row]).astype({"lon": float, "lat": float})
    for name in VISIT_COUNT_FIELDS:
        frame[name] = pd.array([row[name]], dtype="Int64")
    typed = {**entry.counts, "lon": entry.lon, "lat": entry.lat}
    reference = visit_reference()
    rule_errors, rule_warnings = check_visits(
        frame, today, reference.villages["code"].tolist(), reference.departments,
        reference.households())
    for failure in rule_errors:
        if failure.code == "incomplete_point" and ({"lon", "lat"} & errors.keys()):
            continue  # a coordinate that is not a number is already said
        name = failure.field
        if failure.code == "incomplete_point":
            name = "lat" if point["lat"] is None else "lon"
        errors.setdefault(name, []).append(_rule_sentence(failure, typed))
    warnings = [_rule_sentence(failure) for failure in rule_warnings]
    _problem_errors(entry.problems, today, errors)
    if errors:
        return VisitCheck(None, errors, warnings)
    problems = [ProblemInput(village_code=entry.village_code,
                             department_code=entry.department_code,
                             category=str(problem.category),
                             description=problem.description, raised_on=entry.date,
                             resident=problem.resident) for problem in entry.problems]
    visit = records.VisitInput(
        date=entry.date, department_code=entry.department_code,
        village_code=entry.village_code, kind=entry.kind,
        **{name: int(row[name]) for name in VISIT_COUNT_FIELDS}, summary=entry.summary,
        cadre_ids=entry.cadre_ids, lon=point["lon"], lat=point["lat"],
        record_id=entry.record_id)
    return VisitCheck(visit, errors, warnings, problems)


def record_visit(user: User, entry: VisitEntry, beside: Mapping[str, DeltaGenerator],
                 outcome_key: str, visit_id: int | None = None) -> bool:
    """Check and add (or, with ``visit_id``, change) a visit for ``user``; a new
    visit's problem rows are written with it in one transaction (both or neither).

    A broken rule is shown beside its field (``beside``: field → placeholder) and nothing
    is written. On success the outcome (with any warning) is kept for ``show_outcome``
    under ``outcome_key``, and True is returned: the page then reruns.
    """
    today = local_today()
    check = check_visit_entry(entry, today)
    for name, messages in check.errors.items():
        beside[name].error("\n\n".join(plain(message) for message in messages))
    if check.visit is None:
        beside["submit"].error(t("record.not_saved"))
        return False
    engine, settings = get_engine(), get_settings()
    with reporting_errors():
        if visit_id is None and check.problems:
            visit_id, problem_ids = problem_service.add_visit_with_problems(
                engine, user, check.visit, check.problems, today)
            done = t("record.added_with_problems", id=visit_id, count=len(problem_ids))
        elif visit_id is None:
            visit_id = records.add_visit(engine, user, check.visit, today)
            done = t("record.added", id=visit_id)
        else:
            records.update_visit(engine, user, visit_id, check.visit, today,
                                 settings.edit_days)
            done = t("record.updated", id=visit_id)
        keep_outcome(outcome_key, done, check.warnings)
        return True
    return False


def delete_visit(user: User, visit_id: int, outcome_key: str) -> bool:
    """Delete a visit for ``user``; True (and the outcome kept) on success."""
    with reporting_errors():
        records.delete_visit(get_engine(), user, visit_id, local_today(),
                             get_settings().edit_days)
        keep_outcome(outcome_key, t("record.deleted", id=visit_id))
        return True
    return False


def show_outcome(outcome_key: str) -> None:
    """Show the last visit write's outcome if it was made under ``outcome_key``: what was
    saved, then each warning (as the import reports them)."""
    if not outcome_pending(outcome_key):
        return
    _, done, warnings = st.session_state.pop(OUTCOME)
    st.success(done)
    for warning in warnings:
        st.warning(t("record.warning", message=plain(warning)))


def import_records(user: User, table: str, filename: str, data: bytes, sheet: str | None,
                   skip_invalid: bool, dry_run: bool) -> Report | None:
    """Check (``dry_run``) or import an uploaded table file, with a progress bar."""
    bar = st.progress(0.0, text=t("data.check") if dry_run else t("data.confirm"))
    try:
        with reporting_errors():
            return imports.import_upload(
                get_engine(), user, table, filename, data, sheet=sheet or None,
                dry_run=dry_run, skip_invalid=skip_invalid, today=local_today(),
                edit_days=get_settings().edit_days, lang=language(),
                progress=lambda fraction: bar.progress(min(max(fraction, 0.0), 1.0)))
    finally:
        bar.empty()
    return None


def import_boundary_file(user: User, level: str, filename: str, data: bytes,
                         src_crs: str | None, code_field: str | None, name_field: str | None,
                         dry_run: bool) -> Report | None:
    """Check (``dry_run``) or import an uploaded boundary file."""
    with reporting_errors():
        return boundary_import.import_boundary_upload(
            get_engine(), user, filename, data, level, code_field=code_field or None,
            name_field=name_field or None, src_crs=src_crs or None, dry_run=dry_run)
    return None


def commit_plan(user: User, plan: Plan, accepted: list[tuple[str, str]],
                outcome_key: str) -> bool:
    """Write the accepted proposals as pairings for ``user``; True (and the outcome kept)
    on success, the reason beside the button otherwise."""
    with reporting_errors():
        result = plan_service.commit_plan(get_engine(), user, plan, accepted)
        keep_outcome(outcome_key, t("planner.committed", count=len(result.pairing_ids)))
        return True
    return False


def undo_plan(user: User, outcome_key: str) -> bool:
    """Take back today's last committed plan for ``user``; True on success."""
    with reporting_errors():
        result = plan_service.undo_last_commit(get_engine(), user, local_today())
        keep_outcome(outcome_key, t("planner.undone", removed=len(result["removed"]),
                                    ended=len(result["ended"])))
        return True
    return False


# --- pairings --------------------------------------------------------------------------


def prepare_pairing_form(key: str, seen: pairings.PairingState, today: date) -> None:
    """Give the fields of the pairing form ``key`` the pairing's stored values, once, and
    again after a save (the saved values then show)."""
    reset = outcome_pending(key)
    values = {"required": str(seen.required_visits_per_month), "note": seen.note,
              "end": seen.end_date or today}
    for name, value in values.items():
        if reset or f"{key}_{name}" not in st.session_state:
            st.session_state[f"{key}_{name}"] = value


def _pairing_sentence(failure: RuleFailure) -> str:
    """The sentence of a broken pairing rule as the form says it."""
    return translate_issue({"code": failure.code, "value": failure.value,
                            "params": {**failure.params, "variant": pairings.FORM_VARIANT}},
                           language())


def change_pairing(user: User, row: Mapping[str, object], required: str, note: str,
                   end_date: date | None, beside: Mapping[str, DeltaGenerator],
                   outcome_key: str) -> bool:
    """Check and save an edit of the described pairing ``row`` for ``user``: required
    visits per month and note as typed, and the end date (``row``'s own unless ending).

    Every broken rule is shown beside its field (``beside``: field → placeholder; the
    button's under ``submit``) and nothing is written. On success the outcome is kept for
    ``show_outcome`` under ``outcome_key`` and True is returned: the page then reruns.
    """
    pairing_id = int(row["id"])
    seen = pairings.PairingState.of(dict(row))
    start = pd.Timestamp(row["start_date"]).date()
    engine = get_engine()
    with reporting_errors():
        check = pairings.check_pairing_edit(start, required, note, end_date,
                                            pairings.other_pairings(engine, pairing_id),
                                            pairing_id)
        for name in dict.fromkeys(failure.field for failure in check.failures):
            beside[name].error("\n\n".join(plain(_pairing_sentence(failure))
                                             for failure in check.failures
                                             if failure.field == name))
        if check.wanted is None:
            beside["submit"].error(t("pairings.not_saved"))
            return False
        changed = pairings.change_pairing(engine, user, pairing_id, seen, check.wanted)
        if not changed:
            beside["submit"].info(t("pairings.unchanged"))
            return False
        if "end_date" in changed and changed["end_date"] is not None:
            done = t("pairings.ended", id=pairing_id, end=changed["end_date"].isoformat())
        else:
            done = t("pairings.saved", id=pairing_id)
        keep_outcome(outcome_key, done)
        return True
    return False
