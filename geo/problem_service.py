"""The problem ledger behind the role table: every read and write takes a user.

Reads for metrics carry no resident's name; reads of rows drop it for a leader. Writes
check the role and department, run in one transaction and leave one audit entry each.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from geo import schema, store
from geo.access import Action, Role, User, can, department_filter, require
from geo.audit import write_audit
from geo.errors import AccessDeniedError, DataError
from geo.inputs import PROBLEM_COLUMNS
from geo.problem_rules import check_problems, split_codes
from geo.problems import is_overdue
from geo.records import VisitInput, insert_visit
from geo.schema import CLOSED_PROBLEM_STATUSES, PROBLEM_DUE_DAYS
from geo.settings import local_now
from geo.text import normalize_text
from geo.visit_rules import CONTROL_CHARACTERS

PRIVATE_PROBLEM_COLUMNS = ("resident",)
"""Never shown to a leader, on any page or export."""


def metric_problems(engine: Engine, actor: User, until: date | None = None,
                    county: str | None = None) -> pd.DataFrame:
    """Problems for metrics and maps (every role): ``id`` and ``PROBLEM_COLUMNS`` only
    (no resident, description or author), raised on or before ``until`` when given, of
    ``county``'s villages when given."""
    require(actor, Action.VIEW_MAPS)
    return store.load_problems(engine, until, county)[["id", *PROBLEM_COLUMNS]]


@dataclass(frozen=True)
class ProblemInput:
    """One problem as entered (on the ledger, or on the visit it was received on)."""

    village_code: str
    department_code: str
    category: str
    description: str
    raised_on: date
    resident: str = ""
    due_date: date | None = None
    co_departments: str = ""
    record_id: str = ""


def _joint(row: Mapping[str, object]) -> list[str]:
    return split_codes(row.get("co_departments"))


def _may_read(actor: User, row: Mapping[str, object]) -> bool:
    department = department_filter(actor, Action.VIEW_PROBLEMS)
    return department is None or department == row["department_code"] or (
        department in _joint(row))


def restrict_problems(problems: pd.DataFrame, actor: User) -> pd.DataFrame:
    """Keep the problems ``actor`` may read (a liaison: those its department is
    responsible for or handles jointly); residents' names only where ``actor`` may see
    them: the column is dropped for a leader, and a liaison sees them only on its own
    department's problems (not on those it handles jointly)."""
    department = department_filter(actor, Action.VIEW_PROBLEMS)
    if department is not None:
        own = problems["department_code"] == department
        joint = problems["co_departments"].map(lambda text: department in split_codes(text))
        problems = problems[own | joint.astype(bool)]
    if not can(actor, Action.VIEW_RESIDENTS):
        problems = problems.drop(columns=list(PRIVATE_PROBLEM_COLUMNS))
    elif department is not None:
        own = (problems["department_code"] == department).to_numpy()
        names = problems["resident"].to_numpy(dtype=object)
        problems = problems.assign(resident=pd.Series(
            [name if mine else None for name, mine in zip(names, own, strict=True)],
            index=problems.index, dtype=object))
    return problems.reset_index(drop=True)


def problems_for(engine: Engine, actor: User, until: date | None = None) -> pd.DataFrame:
    """The problem rows ``actor`` may read (``restrict_problems``), in id order."""
    department_filter(actor, Action.VIEW_PROBLEMS)  # refuse before reading anything
    return restrict_problems(store.load_problems(engine, until), actor)


def notes_for(engine: Engine, actor: User, problem_id: int) -> pd.DataFrame:
    """The progress notes of a problem ``actor`` may read, oldest first."""
    with engine.connect() as connection:
        row = _problem(connection, problem_id)
    if not _may_read(actor, row):
        raise AccessDeniedError("role_may_not_for_department", role=str(actor.role),
                                action=Action.VIEW_PROBLEMS.value,
                                department=row["department_code"])
    return store.load_problem_notes(engine, problem_id)


def _problem(connection: Connection, problem_id: int, lock: bool = False) -> dict:
    query = select(schema.problems).where(schema.problems.c.id == problem_id)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).mappings().first()
    if row is None:
        raise DataError("no_problem", id=problem_id)
    return dict(row)


def _refuse(failures: list) -> None:
    if failures:
        first = failures[0]
        raise DataError(first.code, column=first.field, value=first.value, **first.params)


def _known(connection: Connection, table: object, column: object, codes: list[str]
           ) -> list[str]:
    if not codes:
        return []
    return list(connection.execute(select(column).where(column.in_(codes))).scalars())


def _new_row(connection: Connection, problem: ProblemInput, today: date) -> dict:
    """The stored row of a new problem; ``DataError`` with the first broken rule
    (``geo.problem_rules``), or a record id the department already gave a problem."""
    joint = [c for c in split_codes(normalize_text(problem.co_departments))
             if c != problem.department_code]
    row = {
        "village_code": problem.village_code, "department_code": problem.department_code,
        "co_departments": ";".join(joint) or None, "category": problem.category,
        "description": normalize_text(problem.description),
        "resident": normalize_text(problem.resident) or None,
        "raised_on": problem.raised_on,
        "due_date": problem.due_date or problem.raised_on + timedelta(days=PROBLEM_DUE_DAYS),
        "status": "open", "resolved_on": None, "resolution": None, "satisfaction": None,
        "record_id": normalize_text(problem.record_id) or None,
    }
    units, departments = schema.admin_units, schema.departments
    villages = connection.execute(select(units.c.code).where(
        units.c.code == problem.village_code, units.c.level == "village")).scalars().all()
    known = _known(connection, departments, departments.c.code,
                   [problem.department_code, *joint])
    _refuse(check_problems(pd.DataFrame([row]), today, villages, known))
    if row["record_id"] is not None:
        taken = connection.execute(select(schema.problems.c.id).where(
            schema.problems.c.department_code == problem.department_code,
            schema.problems.c.record_id == row["record_id"])).first()
        if taken is not None:
            raise DataError("problem_record_id_taken", column="record_id",
                            record_id=row["record_id"])
    return row


def _insert(connection: Connection, actor: User, rows: list[dict]) -> list[int]:
    ids = []
    for row in rows:
        row = row | {"created_by": actor.username, "created_at": local_now()}
        problem_id = connection.execute(insert(schema.problems).values(**row).returning(
            schema.problems.c.id)).scalar_one()
        write_audit(connection, actor, "create", "problems", str(problem_id), None, row)
        ids.append(problem_id)
    return ids


def add_problem(engine: Engine, actor: User, problem: ProblemInput, today: date) -> int:
    """Record one problem (status ``open``; due ``raised_on`` + 30 days unless given); a
    liaison only for its own department. Returns its id."""
    require(actor, Action.WRITE_PROBLEMS, problem.department_code)
    with engine.begin() as connection:
        row = _new_row(connection, problem, today)
        (problem_id,) = _insert(connection, actor, [row])
        store.bump_data_version(connection, [row["village_code"]])
    return problem_id


def add_visit_problems(engine: Engine, actor: User, visit_id: int,
                       problems: list[ProblemInput], today: date) -> list[int]:
    """Record the problems received on a stored visit, one row each, in one transaction.

    Each is raised on the visit's date in its village (``raised_on`` and
    ``village_code`` of the inputs are replaced by the visit's) and linked to it
    (``raised_visit_id``); the visit's ``problems_raised`` is then raised to at least the
    number of problems linked to it (an audited update of the visit). A liaison records
    them only for its own department's visit and problems.
    """
    with engine.begin() as connection:
        ids = insert_visit_problems(connection, actor, visit_id, problems, today)
        store.bump_data_version(connection)
    return ids


def insert_visit_problems(connection: Connection, actor: User, visit_id: int,
                          problems: list[ProblemInput], today: date) -> list[int]:
    """``add_visit_problems`` inside the caller's transaction (``connection``): the
    same checks, rows and audit entries; the caller bumps the data version."""
    visit = connection.execute(select(schema.visits).where(
        schema.visits.c.id == visit_id)).mappings().first()
    if visit is None:
        raise DataError("no_visit", id=visit_id)
    require(actor, Action.WRITE_PROBLEMS, visit["department_code"])
    rows = []
    for problem in problems:
        require(actor, Action.WRITE_PROBLEMS, problem.department_code)
        given = dataclasses.replace(problem, village_code=visit["village_code"],
                                    raised_on=visit["date"])
        row = _new_row(connection, given, today) | {"raised_visit_id": visit_id}
        if row["record_id"] is not None and row["record_id"] in {r["record_id"] for r in rows}:
            raise DataError("problem_record_id_taken", column="record_id",
                            record_id=row["record_id"])  # twice in one batch
        rows.append(row)
    ids = _insert(connection, actor, rows)
    linked = connection.execute(select(func.count()).select_from(schema.problems).where(
        schema.problems.c.raised_visit_id == visit_id)).scalar_one()
    if linked > visit["problems_raised"]:
        connection.execute(update(schema.visits).where(schema.visits.c.id == visit_id)
                           .values(problems_raised=linked))
        write_audit(connection, actor, "update", "visits", str(visit_id),
                    {"problems_raised": visit["problems_raised"]},
                    {"problems_raised": linked})
    return ids


def add_visit_with_problems(engine: Engine, actor: User, visit: VisitInput,
                            problems: list[ProblemInput], today: date,
                            source: str = "form") -> tuple[int, list[int]]:
    """Record a visit and the problems received on it in ONE transaction: either both
    are written or neither (a problem that breaks a rule, or a refused department,
    leaves no visit behind).

    The visit is checked and audited as ``geo.records.add_visit`` does, the problems as
    ``add_visit_problems`` does (raised on the visit's date in its village, linked to
    it, its ``problems_raised`` raised to at least their number). Returns the visit's id
    and the problems' ids.
    """
    require(actor, Action.WRITE_VISITS, visit.department_code)
    for problem in problems:
        require(actor, Action.WRITE_PROBLEMS, problem.department_code)
    with engine.begin() as connection:
        visit_id = insert_visit(connection, actor, visit, today, source)
        ids = insert_visit_problems(connection, actor, visit_id, problems, today)
        store.bump_data_version(connection, [visit.village_code])  # the problems' too
    return visit_id, ids


def add_note(engine: Engine, actor: User, problem_id: int, text: str) -> int:
    """Add a progress note: the responsible department's liaison, a co-department's,
    an organiser or an admin. Returns the note's id."""
    text = normalize_text(text)
    with engine.begin() as connection:
        row = _problem(connection, problem_id)
        departments = [row["department_code"], *_joint(row)]
        if not any(can(actor, Action.WRITE_PROBLEMS, code) for code in departments):
            require(actor, Action.WRITE_PROBLEMS, row["department_code"])
        if not text:
            raise DataError("missing_value", column="text")
        if re.search(CONTROL_CHARACTERS, text):
            raise DataError("control_character", column="text")
        note = {"problem_id": problem_id, "at": local_now(), "username": actor.username,
                "department_code": actor.department_code, "text": text}
        note_id = connection.execute(insert(schema.problem_notes).values(**note).returning(
            schema.problem_notes.c.id)).scalar_one()
        write_audit(connection, actor, "create", "problem_notes", str(note_id), None, note)
        store.bump_data_version(connection, [row["village_code"]])
    return note_id


STATUS_MOVES: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", *CLOSED_PROBLEM_STATUSES),
    "in_progress": CLOSED_PROBLEM_STATUSES,
}
"""The status moves the responsible department may make (closing is also allowed straight
from ``open``: a problem settled on the day). Reopening is ``reopen_problem``'s."""


def _change(connection: Connection, actor: User, before: dict, changes: dict) -> None:
    changed = {key: value for key, value in changes.items() if before.get(key) != value}
    if not changed:
        return
    connection.execute(update(schema.problems).where(schema.problems.c.id == before["id"])
                       .values(**changed))
    write_audit(connection, actor, "update", "problems", str(before["id"]),
                {key: before.get(key) for key in changed}, changed)
    store.bump_data_version(connection, [before["village_code"],
                                         changed.get("village_code", before["village_code"])])


def move_problem(engine: Engine, actor: User, problem_id: int, status: str, today: date,
                 resolved_on: date | None = None, resolution: str = "",
                 satisfaction: str | None = None) -> None:
    """Move a problem along ``STATUS_MOVES``: to ``in_progress``, or closed
    (``resolved`` or ``closed_unresolved``) on ``resolved_on`` (required; not before the
    day it was raised, not after ``today``) with its ``resolution`` and the village's
    rating (满意, 基本满意, 不满意; optional). The responsible department's liaison, an
    organiser or an admin; not limited by ``PAIRMAP_EDIT_DAYS``."""
    with engine.begin() as connection:
        before = _problem(connection, problem_id, lock=True)
        require(actor, Action.WRITE_PROBLEMS, before["department_code"])
        if status not in STATUS_MOVES.get(before["status"], ()):
            raise DataError("problem_status_move", column="status", before=before["status"],
                            after=status)
        closing = status in CLOSED_PROBLEM_STATUSES
        changes = {
            "status": status,
            "resolved_on": resolved_on if closing else None,
            "resolution": (normalize_text(resolution) or None) if closing else None,
            "satisfaction": (satisfaction or None) if closing else None,
        }
        checked = {"raised_on": before["raised_on"], **changes}
        _refuse(check_problems(pd.DataFrame([checked]), today))
        if not closing and (resolved_on is not None or satisfaction):
            raise DataError("rating_needs_closing", column="satisfaction",
                            value=satisfaction or resolved_on)
        _change(connection, actor, before, changes)


def reopen_problem(engine: Engine, actor: User, problem_id: int) -> None:
    """Reopen a closed problem (an organiser or an admin): back to ``in_progress``, its
    closing date, resolution and rating cleared (the audit entry keeps them)."""
    require(actor, Action.ASSIGN_PROBLEMS)
    with engine.begin() as connection:
        before = _problem(connection, problem_id, lock=True)
        if before["status"] not in CLOSED_PROBLEM_STATUSES:
            raise DataError("problem_not_closed", status=before["status"])
        _change(connection, actor, before, {"status": "in_progress", "resolved_on": None,
                                            "resolution": None, "satisfaction": None})


def reassign_problem(engine: Engine, actor: User, problem_id: int, department_code: str,
                     co_departments: str | None = None) -> None:
    """Make ``department_code`` responsible for a problem (an organiser or an admin),
    and, when given, set its co-departments (``;``-separated codes)."""
    require(actor, Action.ASSIGN_PROBLEMS)
    with engine.begin() as connection:
        before = _problem(connection, problem_id, lock=True)
        joint = (_joint(before) if co_departments is None
                 else split_codes(normalize_text(co_departments)))
        joint = [code for code in joint if code != department_code]
        known = _known(connection, schema.departments, schema.departments.c.code,
                       [department_code, *joint])
        row = {"department_code": department_code, "co_departments": ";".join(joint)}
        _refuse(check_problems(pd.DataFrame([row]), date.max, known_departments=known))
        _change(connection, actor, before, {"department_code": department_code,
                                            "co_departments": ";".join(joint) or None})


EDITABLE_FIELDS = ("category", "description", "resident", "due_date", "co_departments",
                   "record_id")
"""What ``edit_problem`` changes; the status, closing and department have their own
functions."""


def edit_problem(engine: Engine, actor: User, problem_id: int, changes: Mapping[str, object],
                 today: date, edit_days: int) -> None:
    """Correct what was entered about a problem (``EDITABLE_FIELDS``): the responsible
    department's liaison within ``edit_days`` of recording it (as for visits), an
    organiser or an admin at any time. Refused with the first broken rule."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise DataError("problem_field_not_editable", column=unknown[0])
    with engine.begin() as connection:
        before = _problem(connection, problem_id, lock=True)
        require(actor, Action.WRITE_PROBLEMS, before["department_code"])
        if Role(actor.role) == Role.LIAISON and (
                before["created_at"] is None
                or before["created_at"].date() < today - timedelta(days=edit_days)):
            raise AccessDeniedError("problem_edit_window_passed", days=edit_days)
        row = {name: before[name] for name in EDITABLE_FIELDS}
        for name, value in changes.items():
            text = value if isinstance(value, date) or value is None else normalize_text(
                str(value))
            row[name] = text
        joint = [c for c in split_codes(row["co_departments"]) if c != before["department_code"]]
        row["co_departments"] = ";".join(joint) or None
        for name in ("resident", "record_id"):
            row[name] = row[name] or None
        known = _known(connection, schema.departments, schema.departments.c.code, joint)
        checked = {**row, "raised_on": before["raised_on"]}
        _refuse(check_problems(pd.DataFrame([checked]), today, known_departments=known))
        if row["record_id"] is not None and row["record_id"] != before["record_id"]:
            taken = connection.execute(select(schema.problems.c.id).where(
                schema.problems.c.department_code == before["department_code"],
                schema.problems.c.record_id == row["record_id"])).first()
            if taken is not None:
                raise DataError("problem_record_id_taken", column="record_id",
                                record_id=row["record_id"])
        _change(connection, actor, before, row)


def overdue_problems_for(engine: Engine, actor: User, as_of: date) -> pd.DataFrame:
    """The overdue problems at ``T`` that ``actor``'s department is responsible for (a
    liaison's banner), oldest first; empty for a user without a department."""
    if actor.department_code is None:
        return restrict_problems(store.load_problems(engine).iloc[:0], actor)
    problems = problems_for(engine, actor, as_of)
    mine = problems[(problems["department_code"] == actor.department_code).to_numpy()
                    & is_overdue(problems, as_of).to_numpy()]
    return mine.sort_values(["raised_on", "id"], ignore_index=True)
