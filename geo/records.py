"""Visit records and cadre names behind the role table: every read and write takes a user.

Reads of summaries and cadre names are limited to what the role may see; writes check
the role and department, run in one transaction and leave one audit entry each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from geo import schema, store
from geo.access import Action, Role, User, can, department_filter, require
from geo.audit import write_audit
from geo.errors import AccessDeniedError, DataError
from geo.inputs import VISIT_COLUMNS
from geo.period import active_pairings
from geo.settings import local_now
from geo.text import normalize_text
from geo.visit_rules import check_visits

VISIT_FIELDS = ("date", "department_code", "village_code", "kind", "cadre_count", "cadre_ids",
                "households_visited", "problems_raised", "problems_resolved", "lon", "lat",
                "summary", "record_id")
METRIC_VISIT_COLUMNS = ("id", *VISIT_COLUMNS)
"""What the metrics read of a visit (``geo.inputs.VISIT_COLUMNS``) and its id: no
summaries, cadre ids or authors."""


def metric_visits(engine: Engine, actor: User, until: date | None = None,
                  county: str | None = None) -> pd.DataFrame:
    """Visits for metrics and maps (every role), ``METRIC_VISIT_COLUMNS`` only; with
    ``county``, only those to its villages."""
    require(actor, Action.VIEW_MAPS)
    return store.load_visits(engine, until, county, columns=METRIC_VISIT_COLUMNS)


def restrict_visits(visits: pd.DataFrame, actor: User, since: date | None = None,
                    until: date | None = None) -> pd.DataFrame:
    """Keep the visit records ``actor`` may read (a liaison: own department), between
    ``since`` and ``until``; cadre ids are blanked for roles that may not see cadres."""
    department = department_filter(actor, Action.VIEW_VISITS)
    if since is not None:
        visits = visits[visits["date"] >= since]
    if until is not None:
        visits = visits[visits["date"] <= until]
    if department is not None:
        visits = visits[visits["department_code"] == department]
    if not can(actor, Action.VIEW_CADRES):
        visits = visits.assign(cadre_ids="")
    return visits.reset_index(drop=True)


def visits_for(engine: Engine, actor: User, since: date | None = None,
               until: date | None = None, *, villages: Iterable[str] | None = None,
               department: str | None = None, ids: Iterable[int] | None = None
               ) -> pd.DataFrame:
    """Visit records with summaries that ``actor`` may read (a liaison: own department),
    selected in SQL: from ``since`` to ``until``, of ``villages`` (codes), of
    ``department``, with ``ids`` (each None: any)."""
    own = department_filter(actor, Action.VIEW_VISITS)  # refuse before reading anything
    if own is not None and department not in (None, own):
        villages = []  # another department's: nothing a liaison may read
    visits = store.load_visits(engine, until, since=since, villages=villages,
                               department=own or department, ids=ids)
    return restrict_visits(visits, actor, since, until)


def cadres_for(engine: Engine, actor: User) -> pd.DataFrame:
    """Cadre names ``actor`` may read (a liaison: own department; a leader: none)."""
    department = department_filter(actor, Action.VIEW_CADRES)
    cadres = store.load_cadres(engine)
    if department is not None:
        cadres = cadres[cadres["department_code"] == department]
    return cadres.reset_index(drop=True)


@dataclass(frozen=True)
class VisitInput:
    """One visit as entered on the form or given to the service."""

    date: date
    department_code: str
    village_code: str
    kind: str
    cadre_count: int = 1
    households_visited: int = 0
    problems_raised: int = 0
    problems_resolved: int = 0
    summary: str = ""
    cadre_ids: str = ""
    lon: float | None = None
    lat: float | None = None
    record_id: str = ""


def _validate(connection: Connection, visit: VisitInput, today: date,
              visit_id: int | None = None) -> dict:
    """The visit's stored row; ``DataError`` naming the field of the first broken rule
    (the rules of ``geo.visit_rules``, shared with the import), or a record id that
    another of the department's visits (not ``visit_id``) already has."""
    row = {field: getattr(visit, field) for field in VISIT_FIELDS}
    units, departments = schema.admin_units, schema.departments
    village = connection.execute(select(units.c.code, units.c.households).where(
        units.c.code == visit.village_code, units.c.level == "village")).first()
    known_villages = [] if village is None else [village.code]
    households = ({} if village is None or village.households is None
                  else {village.code: int(village.households)})
    known_departments = connection.execute(select(departments.c.code).where(
        departments.c.code == visit.department_code)).scalars().all()
    frame = pd.DataFrame([row]).astype({"lon": float, "lat": float})
    errors, _ = check_visits(frame, today, known_villages, known_departments, households)
    if errors:
        first = errors[0]
        raise DataError(first.code, column=first.field, value=first.value, **first.params)
    row["summary"] = normalize_text(visit.summary)
    row["cadre_ids"] = normalize_text(visit.cadre_ids) or None
    row["record_id"] = normalize_text(visit.record_id) or None
    if row["record_id"] is not None:
        table = schema.visits
        taken = connection.execute(select(table.c.id).where(
            table.c.department_code == visit.department_code,
            table.c.record_id == row["record_id"],
            table.c.id != (visit_id or 0))).first()
        if taken is not None:
            raise DataError("record_id_taken", column="record_id", record_id=row["record_id"])
    return row


def insert_visit(connection: Connection, actor: User, visit: VisitInput, today: date,
                 source: str = "form") -> int:
    """Check and insert one visit with its audit entry inside the caller's transaction
    (``connection``); a liaison only for their own department. The caller bumps the
    data version when its transaction is complete. Returns the visit's id."""
    require(actor, Action.WRITE_VISITS, visit.department_code)
    row = _validate(connection, visit, today)
    row.update(source=source, created_by=actor.username, created_at=local_now())
    visit_id = connection.execute(
        insert(schema.visits).values(**row).returning(schema.visits.c.id)
    ).scalar_one()
    write_audit(connection, actor, "create", "visits", str(visit_id), None, row)
    return visit_id


def add_visit(engine: Engine, actor: User, visit: VisitInput, today: date,
              source: str = "form") -> int:
    """Record one visit; a liaison only for their own department. Returns its id."""
    require(actor, Action.WRITE_VISITS, visit.department_code)
    with engine.begin() as connection:
        visit_id = insert_visit(connection, actor, visit, today, source)
        store.bump_data_version(connection, [visit.village_code])
    return visit_id


def _editable(connection: Connection, actor: User, visit_id: int, today: date,
              edit_days: int) -> dict:
    row = connection.execute(select(schema.visits).where(schema.visits.c.id == visit_id)
                             ).mappings().first()
    if row is None:
        raise DataError("no_visit", id=visit_id)
    require(actor, Action.WRITE_VISITS, row["department_code"])
    if Role(actor.role) == Role.LIAISON:
        created = row["created_at"]
        if created is None or created.date() < today - timedelta(days=edit_days):
            raise AccessDeniedError("edit_window_passed", days=edit_days)
    return dict(row)


def update_visit(engine: Engine, actor: User, visit_id: int, visit: VisitInput, today: date,
                 edit_days: int) -> None:
    """Change a visit (a liaison: own department, within ``edit_days`` of recording)."""
    require(actor, Action.WRITE_VISITS, visit.department_code)
    with engine.begin() as connection:
        before = _editable(connection, actor, visit_id, today, edit_days)
        row = _validate(connection, visit, today, visit_id)
        changed = {k: v for k, v in row.items() if before.get(k) != v}
        if not changed:
            return
        connection.execute(update(schema.visits).where(schema.visits.c.id == visit_id)
                           .values(**changed))
        write_audit(connection, actor, "update", "visits", str(visit_id),
                    {k: before.get(k) for k in changed}, changed)
        store.bump_data_version(connection, [before["village_code"], row["village_code"]])


def delete_visit(engine: Engine, actor: User, visit_id: int, today: date,
                 edit_days: int) -> None:
    """Delete a visit (a liaison: own department, within ``edit_days`` of recording)."""
    with engine.begin() as connection:
        before = _editable(connection, actor, visit_id, today, edit_days)
        connection.execute(delete(schema.visits).where(schema.visits.c.id == visit_id))
        write_audit(connection, actor, "delete", "visits", str(visit_id), before, None)
        store.bump_data_version(connection, [before["village_code"]])


def describe_visits(visits: pd.DataFrame, villages: pd.DataFrame,
                    departments: pd.DataFrame) -> pd.DataFrame:
    """Return visit rows for display: names beside codes, newest first."""
    village_names = villages.set_index("code")["short_name"]
    township_of = villages.set_index("code")["parent_code"]
    names = departments.set_index("code")["name"]
    table = visits.assign(
        village=visits["village_code"].map(village_names),
        township_code=visits["village_code"].map(township_of),
        department=visits["department_code"].map(names),
    )
    columns = ["id", "date", "township_code", "village_code", "village", "department_code",
               "department", "kind", "cadre_count", "cadre_ids", "households_visited",
               "problems_raised", "problems_resolved", "summary", "record_id"]
    return table.sort_values(["date", "id"], ascending=False)[columns].reset_index(drop=True)


def editable_visits(engine: Engine, actor: User, today: date, edit_days: int) -> pd.DataFrame:
    """Visits recorded in the last ``edit_days`` days that ``actor`` may still change.

    A liaison sees their own department's; organiser and admin every department's.
    """
    department = department_filter(actor, Action.WRITE_VISITS)
    since = datetime_at_start(today - timedelta(days=edit_days))
    table = schema.visits
    query = select(table).where(table.c.created_at >= since).order_by(table.c.id.desc())
    if department is not None:
        query = query.where(table.c.department_code == department)
    with engine.connect() as connection:
        result = connection.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return frame


def datetime_at_start(day: date) -> datetime:
    """Midnight at the start of ``day``."""
    return datetime.combine(day, datetime.min.time())


def visit_input(row: pd.Series | dict) -> VisitInput:
    """Return the ``VisitInput`` of a stored visit row (for an edit form's defaults)."""
    def number(name: str) -> float | None:
        value = row.get(name)
        return None if value is None or pd.isna(value) else float(value)

    return VisitInput(
        date=pd.Timestamp(row["date"]).date(),
        department_code=str(row["department_code"]),
        village_code=str(row["village_code"]),
        kind=str(row["kind"]),
        cadre_count=int(row.get("cadre_count") or 0),
        households_visited=int(row.get("households_visited") or 0),
        problems_raised=int(row.get("problems_raised") or 0),
        problems_resolved=int(row.get("problems_resolved") or 0),
        summary=str(row.get("summary") or ""),
        cadre_ids=str(row.get("cadre_ids") or ""),
        lon=number("lon"),
        lat=number("lat"),
        record_id=str(row.get("record_id") or ""),
    )


def village_options(villages: pd.DataFrame, pairings: pd.DataFrame,
                    department_code: str | None, as_of: date,
                    township_code: str | None = None) -> pd.DataFrame:
    """The villages a visit form offers: the department's own paired villages first.

    Parameters
    ----------
    villages : DataFrame
        ``code``, ``short_name`` and ``parent_code`` (the township).
    pairings : DataFrame
        As loaded by ``geo.store``.
    department_code : str, optional
        The visiting department; None marks nothing.
    as_of : datetime.date
        The day whose active pairings count.
    township_code : str, optional
        Only this township's villages.

    Returns
    -------
    DataFrame
        ``code``, ``name`` and ``own`` (actively paired with the department), own
        villages first, each group in code order.
    """
    if township_code:
        villages = villages[villages["parent_code"] == township_code]
    own_codes: set[str] = set()
    if department_code:
        active = active_pairings(pairings, as_of)
        own_codes = set(active.loc[active["department_code"] == department_code,
                                   "village_code"])
    options = pd.DataFrame({"code": villages["code"].astype(str).to_numpy(),
                            "name": villages["short_name"].to_numpy(dtype=object)})
    options["own"] = options["code"].isin(own_codes)
    return options.sort_values(["own", "code"], ascending=[False, True],
                               ignore_index=True)
