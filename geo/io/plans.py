"""Record imports, step 5: what each table's rows would insert or update.

Villages and departments match on ``code``; cadres on ``id`` when it matches, else on
department and normalised name; pairings on (department, village, start date); visits on
(department, ``record_id``) for rows that have one, else on the natural key counted as a
multiset (``geo.io.visit_keys``, a file checked in blocks). A matched row whose other
fields differ is updated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from geo import schema
from geo.access import Action, Role, User, require
from geo.io.matching import (
    db_dates,
    match_multiset,
    normal_db_text,
    pair_rows,
    same_values,
    split_keyed,
)
from geo.io.prepare import Context
from geo.io.readers import as_mask
from geo.period import pairings_overlap
from geo.schema import VILLAGE_FIGURES
from geo.settings import Settings, local_now
from geo.store import select_frame, stored_problems


@dataclass
class Plan:
    """Rows to write: ``(columns, frame)`` pairs; an update frame has the key in ``_key``."""

    inserts: list[tuple[list[str], pd.DataFrame]] = field(default_factory=list)
    updates: list[tuple[list[str], pd.DataFrame]] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0
    key: str = "id"

    @property
    def inserted(self) -> int:
        return sum(len(frame) for _, frame in self.inserts)

    def insert(self, columns: list[str], frame: pd.DataFrame) -> None:
        if not frame.empty:
            self.inserts.append((columns, frame))

    def update(self, columns: list[str], frame: pd.DataFrame, key: pd.Series) -> None:
        if not frame.empty and columns:
            self.updates.append((columns, frame.assign(_key=key.to_numpy())))


def edit_days_of(actor: User, edit_days: int | None) -> int | None:
    """A liaison's edit window in days (``edit_days``, default ``PAIRMAP_EDIT_DAYS``);
    None for the other roles, who may edit any visit."""
    if Role(actor.role) != Role.LIAISON:
        return None
    return edit_days if edit_days is not None else Settings.from_env().edit_days


def plan_pairings(connection: Connection, ctx: Context, rows: pd.DataFrame,
                  valid: np.ndarray) -> Plan:
    plan = Plan()
    table = schema.pairings
    db = select_frame(connection, select(table).order_by(table.c.id))
    db["start_date"] = db_dates(db["start_date"])
    db["end_date"] = db_dates(db["end_date"])
    db["note"] = normal_db_text(db["note"])
    db["required_visits_per_month"] = pd.to_numeric(db["required_visits_per_month"])
    db = db.rename(columns={"id": "db_id"})
    key = ["department_code", "village_code", "start_date"]
    keys = rows[key].astype(str)
    ctx.duplicates(keys, valid, "start_date")
    file = rows[valid & ~ctx.issues.error_rows]
    fields = ["kind", "end_date", "required_visits_per_month", "note"]
    keep = ["kind", "required_visits_per_month"]
    keep += [f for f in ("end_date", "note") if not ctx.has(f)]
    unchanged, changed, new = split_keyed(file, db, key, fields, keep, "db_id")
    missing_kind = new["kind"].isna().to_numpy()
    ctx.issues.error(None, "kind", "missing_value", positions=new["pos"].to_numpy()[missing_kind])
    new = new[~missing_kind].copy()
    matched = pd.concat([unchanged, changed], ignore_index=True)
    after = pd.concat([
        db[~db["db_id"].isin(matched["db_id"])].assign(pos=-1)[["pos", "db_id", *key,
                                                                 "end_date"]],
        matched[["pos", "db_id", *key, "end_date"]],
        new[["pos", *key, "end_date"]].assign(db_id=None),
    ], ignore_index=True)
    bad = _overlaps(ctx, after)
    unchanged = unchanged[~unchanged["pos"].isin(bad)]
    changed = changed[~changed["pos"].isin(bad)].copy()
    new = new[~new["pos"].isin(bad)].copy()
    plan.unchanged, plan.updated = len(unchanged), len(changed)
    for frame in (changed, new):
        note = frame["note"].astype(object)
        frame["note"] = note.where(note.notna() & (note != ""), None)
    plan.update(fields, changed, changed["db_id"])
    new["required_visits_per_month"] = new["required_visits_per_month"].fillna(1)
    plan.insert([*key, *fields], new)
    return plan


def _overlaps(ctx: Context, after: pd.DataFrame) -> set[int]:
    """Flag file rows whose pairing overlaps another of the same department and village.

    The rule is ``geo.period.pairings_overlap`` (both days count), as on the pairings page.
    """
    bad: set[int] = set()
    rownum = ctx.raw.row_numbers
    after = after.assign(department_code=after["department_code"].astype(str),
                         village_code=after["village_code"].astype(str))
    for _, group in after.groupby(["department_code", "village_code"], sort=False):
        if len(group) < 2 or (group["pos"] < 0).all():
            continue
        items = list(group.sort_values("start_date")[["pos", "db_id", "start_date", "end_date"]]
                     .itertuples(index=False))
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                if not pairings_overlap(a.start_date, a.end_date, b.start_date, b.end_date):
                    continue
                for one, other in ((a, b), (b, a)):
                    if one.pos < 0:
                        continue
                    what = (f"row {int(rownum[int(other.pos)])}" if other.pos >= 0 else
                            f"pairing {int(other.db_id)} from "
                            f"{pd.Timestamp(other.start_date).date().isoformat()}")
                    ctx.issues.error(None, "start_date", "overlapping_pairing",
                                     {"other": what}, positions=np.array([int(one.pos)]))
                    bad.add(int(one.pos))
    return bad


def plan_villages(connection: Connection, ctx: Context, rows: pd.DataFrame,
                  valid: np.ndarray) -> Plan:
    plan = Plan(key="code")
    db = ctx.reference.villages.copy()
    for name in ("name", "short_name"):
        db[name] = normal_db_text(db[name])
    ctx.duplicates(rows[["code"]].astype(str), valid, "code" if ctx.has("code") else "name")
    file = rows[valid & ~ctx.issues.error_rows]
    fields = ["name", "short_name", "kind", *VILLAGE_FIGURES, "weak"]
    keep = ["name", "short_name", "kind", "weak"]
    keep += [f for f in VILLAGE_FIGURES if not ctx.has(f)]
    db = db.assign(db_code=db["code"])
    unchanged, changed, _ = split_keyed(file, db, ["code"], fields, keep, "db_code")
    plan.unchanged, plan.updated = len(unchanged), len(changed)
    plan.update(fields, changed, changed["code"])
    return plan


def plan_departments(connection: Connection, ctx: Context, rows: pd.DataFrame,
                     valid: np.ndarray) -> Plan:
    plan = Plan(key="code")
    db = ctx.reference.departments.copy()
    db["name"] = normal_db_text(db["name"])
    ctx.duplicates(rows[["code"]].astype(str), valid, "code")
    filled = _department_counties(ctx, rows, db)
    file = rows[valid & ~ctx.issues.error_rows]
    _report_filled_counties(ctx, file["pos"].to_numpy()[filled[file.index]])
    fields = ["county_code", "name", "kind", "party_members", "seat_lon", "seat_lat", "active"]
    keep = ["county_code", "name", "kind", "party_members", "active"]
    keep += [f for f in ("seat_lon", "seat_lat") if not ctx.has(f)]
    db = db.assign(db_code=db["code"])
    unchanged, changed, new = split_keyed(file, db, ["code"], fields, keep, "db_code")
    new = new.copy()
    new["name"] = new["name"].astype(object).where(new["name"] != "", None)
    for name in ("name", "kind"):
        missing = new[name].isna().to_numpy()
        ctx.issues.error(None, name, "missing_value", positions=new["pos"].to_numpy()[missing])
    new = new[new["name"].notna().to_numpy() & new["kind"].notna().to_numpy()].copy()
    plan.unchanged, plan.updated = len(unchanged), len(changed)
    plan.update(fields, changed, changed["code"])
    new["party_members"] = new["party_members"].fillna(0)
    new["active"] = new["active"].fillna(True)
    plan.insert(["code", *fields], new)
    return plan


def _department_counties(ctx: Context, rows: pd.DataFrame, db: pd.DataFrame) -> np.ndarray:
    """Give ``county_code`` to the rows whose file cell is empty (or whose file has no
    such column) and whose department has no county stored: with one county in the
    database, that county (returned as a mask, to be reported: nothing is filled in
    silently); with several, an error on the row (the file must say which); with none,
    it stays empty. A row whose department has a county stored keeps it, as any other
    field left empty."""
    stored = db.set_index("code")["county_code"]
    cells = ctx.text("county_code")
    empty = np.ones(len(rows), dtype=bool) if cells is None else as_mask(cells == "")
    without = empty & as_mask(rows["code"].map(stored).isna())
    counties = ctx.reference.counties["code"].tolist()
    if len(counties) == 1:
        rows.loc[without, "county_code"] = counties[0]
        return without
    if len(counties) > 1:
        ctx.issues.error(without, "county_code", "missing_value")
    return np.zeros(len(rows), dtype=bool)


def _report_filled_counties(ctx: Context, positions: np.ndarray) -> None:
    """Warn that the rows at ``positions`` were given the database's one county: on each
    row when the file has a county column, once for the file when it has none."""
    if len(positions) == 0:
        return
    county = ctx.reference.counties.iloc[0]
    params = {"county": county["code"], "name": county["name"]}
    if ctx.has("county_code"):
        ctx.issues.warning(None, "county_code", "county_filled", params,
                           positions=positions)
    else:
        ctx.issues.file_warning(None, "county_filled_file",
                                {**params, "count": len(positions)})


def plan_cadres(connection: Connection, ctx: Context, rows: pd.DataFrame,
                valid: np.ndarray) -> Plan:
    plan = Plan()
    table = schema.cadres
    db = select_frame(connection, select(table).order_by(table.c.id))
    db["name"] = normal_db_text(db["name"])
    db = db.rename(columns={"id": "db_id"})
    with_id = as_mask(rows["id"].notna())
    ctx.duplicates(rows[["id"]].astype(str), valid & with_id, "id")
    ctx.duplicates(rows[["department_code", "name"]].astype(str), valid & ~with_id, "name")
    file = rows[valid & ~ctx.issues.error_rows]
    known = as_mask(file["id"].isin(db["db_id"]))
    first = file[known].assign(db_id=file["id"][known].astype("int64"))
    rest = file[~known]
    pool = db[~db["db_id"].isin(first["db_id"])]
    named = pair_rows(rest, pool, ["department_code", "name"], "db_id")
    matched = pd.concat([first, rest.merge(named, on="pos")], ignore_index=True)
    new = rest[~rest["pos"].isin(named["pos"])].copy()
    fields = ["department_code", "name", "leader", "active"]
    joined = matched.merge(db[["db_id", *fields]].rename(
        columns={f: f"{f}_db" for f in fields}), on="db_id", how="left")
    differs = np.zeros(len(joined), dtype=bool)
    for column in fields:
        if column in ("leader", "active"):
            values = joined[column].astype(object)
            joined[column] = values.where(values.notna(), joined[f"{column}_db"].astype(object))
        differs |= ~same_values(joined[column], joined[f"{column}_db"])
    changed = joined[differs]
    plan.unchanged, plan.updated = int((~differs).sum()), len(changed)
    plan.update(fields, changed, changed["db_id"])
    new["leader"] = new["leader"].fillna(False)
    new["active"] = new["active"].fillna(True)
    free = as_mask(new["id"].notna() & ~new["id"].isin(db["db_id"]))
    plan.insert(["id", *fields], new[free])
    plan.insert(fields, new[~free])
    return plan


PROBLEM_NATURAL_KEY = ["department_code", "village_code", "raised_on", "category",
                       "description"]
"""DESIGN.md's natural key of a problem (the description in normal form)."""
PROBLEM_FIELDS = ["village_code", "raised_on", "category", "description", "resident",
                  "co_departments", "due_date", "status", "resolved_on", "resolution",
                  "satisfaction", "raised_visit_id"]
"""The fields an imported problem writes (``raised_visit_id`` only from a file that has
the column)."""


def plan_problems(connection: Connection, ctx: Context, rows: pd.DataFrame,
                  valid: np.ndarray) -> Plan:
    """Problems match on (department, ``record_id``) for rows with a record id, else on
    the natural key counted as a multiset (a file listing one problem twice imports it
    twice, and again none); a matched row whose other fields differ is updated. A
    liaison imports only its own department's problems; a visit id must be stored."""
    plan = Plan()
    for department in sorted({d for d in rows["department_code"] if isinstance(d, str)}):
        require(ctx.actor, Action.WRITE_PROBLEMS, department)
    if ctx.has("raised_visit_id"):
        given = rows["raised_visit_id"].dropna().astype("int64").unique().tolist()
        stored = set(connection.execute(select(schema.visits.c.id).where(
            schema.visits.c.id.in_(given))).scalars()) if given else set()
        unknown = as_mask(rows["raised_visit_id"].notna() & ~rows["raised_visit_id"].isin(
            stored))
        ctx.issues.error(unknown, "raised_visit_id", "unknown_visit")
    with_rid = (rows["record_id"] != "").to_numpy()
    ctx.duplicates(rows[["department_code", "record_id"]].astype(str), valid & with_rid,
                   "record_id", rows["record_id"])
    file = rows[valid & ~ctx.issues.error_rows].copy()
    table = schema.problems
    db = select_frame(connection, select(table).order_by(table.c.id))
    for name in ("raised_on", "due_date", "resolved_on"):
        db[name] = db_dates(db[name])
    for name in ("description", "resident", "co_departments", "resolution", "record_id",
                 "satisfaction"):
        db[name] = normal_db_text(db[name])
    db["raised_visit_id"] = pd.to_numeric(db["raised_visit_id"]).astype("Int64")
    for name in ("resolution", "satisfaction", "resident", "co_departments"):
        values = file[name].astype(object)
        file[name] = values.where(values.notna(), "")
    fields = [f for f in PROBLEM_FIELDS if f != "raised_visit_id" or ctx.has(f)]
    by_rid = (file["record_id"] != "").to_numpy()
    rid_pool = db[db["record_id"] != ""]
    rid_same, rid_changed = match_multiset(file[by_rid], rid_pool,
                                           ["department_code", "record_id"], fields)
    natural_fields = [f for f in fields if f not in PROBLEM_NATURAL_KEY]
    pool = db[db["record_id"] == ""]
    nat_same, nat_changed = match_multiset(file[~by_rid], pool, PROBLEM_NATURAL_KEY,
                                           natural_fields)
    same = pd.concat([rid_same, nat_same], ignore_index=True)
    changed = pd.concat([rid_changed, nat_changed], ignore_index=True)
    plan.unchanged, plan.updated = len(same), len(changed)
    stored = stored_problems
    if len(changed):
        moved = file.set_index("pos").loc[changed["pos"].to_numpy()].reset_index()
        plan.update(fields, stored(moved[fields]), changed["id"])
    new = file[~file["pos"].isin(pd.concat([same["pos"], changed["pos"]]))].copy()
    new["created_by"] = ctx.actor.username
    new["created_at"] = pd.Timestamp(local_now())
    columns = ["department_code", "record_id", *fields, "created_by", "created_at"]
    plan.insert(columns, stored(new[columns]))
    return plan
