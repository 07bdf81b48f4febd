"""The planner against the database: load its inputs, commit a plan, undo the last commit.

Every function takes the acting user; running and committing plans needs
``Action.EDIT_PAIRINGS`` (organiser, admin). A commit writes the accepted proposals as
``结对共建`` pairings starting at ``T`` in one transaction, with an audit entry per pairing
and one for the commit (``plan_commit``, the pairing ids in ``after``), and bumps the data
version like every write. ``undo_last_commit`` takes back the last commit on the day it
was made: a pairing nothing refers to yet (no visit of its department to its village on
or after its start) is removed, the others are ended that day; the undo is audited
(``plan_undo``) and cannot be repeated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from geo import schema, store
from geo.access import Action, User, require
from geo.audit import write_audit, write_audits
from geo.coverage import COUNTY_CODE_LENGTH, compute_village_coverage
from geo.errors import DataError
from geo.i18n import DEFAULT_LANG, translate
from geo.inputs import CoverageInputs
from geo.period import active_pairings, pairings_overlap
from geo.planner import (
    PAIRING_KIND,
    Plan,
    PlanSettings,
    department_anchors,
    plan_pairings,
    village_centroids,
)
from geo.problem_service import metric_problems
from geo.records import metric_visits
from geo.settings import local_now

COMMIT_ACTION = "plan_commit"
UNDO_ACTION = "plan_undo"
PAIRED_WITH_SEPARATOR = "、"
SHEET_NAME = "结对规划"
SHEET_COLUMNS = ("序号", "单位", "村", "乡镇", "结对类型", "开始日期", "距离(公里)", "理由")
"""The organisation department's sheet (DESIGN.md: the plan's XLSX)."""


@dataclass(frozen=True)
class PlanData:
    """What a plan reads: coverage at ``T`` and the frames behind it."""

    as_of: date
    coverage: pd.DataFrame
    villages: gpd.GeoDataFrame
    townships: pd.DataFrame
    departments: pd.DataFrame
    pairings: pd.DataFrame


def _with_counties(departments: pd.DataFrame, counties: pd.DataFrame,
                   villages: gpd.GeoDataFrame) -> pd.DataFrame:
    """Departments with ``county_code`` and a seat.

    A department without a ``county_code`` (stored before there was one, or imported
    without it) belongs to the one county stored (with several counties, that is
    ``DataError``). A department without a seat is seated at the county seat as the
    sample defines it, the first village's representative point.
    """
    departments = departments.copy()
    if "county_code" not in departments.columns:
        departments["county_code"] = None
    unknown = departments["county_code"].isna().to_numpy()
    if unknown.any():
        codes = sorted(counties["code"].astype(str)) or sorted(
            {str(c)[:COUNTY_CODE_LENGTH] for c in villages["code"]})
        if len(codes) != 1:
            raise DataError("plan_department_county", counties=len(codes))
        departments["county_code"] = departments["county_code"].astype(object)
        departments.loc[unknown, "county_code"] = codes[0]
    missing = departments["seat_lon"].isna() | departments["seat_lat"].isna()
    if missing.any() and len(villages):
        seat = villages.sort_values("code").geometry.iloc[0].representative_point()
        departments.loc[missing, "seat_lon"] = seat.x
        departments.loc[missing, "seat_lat"] = seat.y
    return departments


def load_plan_data(engine: Engine, actor: User, as_of: date, window_days: int,
                   neglect_days: int, county: str | None = None) -> PlanData:
    """Load what a plan at ``as_of`` reads (``county``: only that county's villages and
    departments)."""
    require(actor, Action.EDIT_PAIRINGS)
    villages = store.load_villages(engine)
    departments = _with_counties(store.load_departments(engine), store.load_county(engine),
                                 villages)
    if county is not None:
        if county not in set(departments["county_code"]) and not (
                villages["code"].str[:COUNTY_CODE_LENGTH] == county).any():
            raise DataError("plan_unknown_county", code=county)
        villages = villages[villages["code"].str[:COUNTY_CODE_LENGTH] == county]
        departments = departments[departments["county_code"] == county]
    pairings = store.load_pairings(engine)
    inputs = CoverageInputs(villages.reset_index(drop=True), pairings,
                            metric_visits(engine, actor, as_of), as_of, window_days,
                            neglect_days, metric_problems(engine, actor, as_of))
    return PlanData(as_of, compute_village_coverage(inputs), villages.reset_index(drop=True),
                    store.load_townships(engine), departments.reset_index(drop=True),
                    pairings)


def make_plan(data: PlanData, settings: PlanSettings | None = None,
              capacity: dict[str, int] | None = None,
              locks: Iterable[tuple[str, str]] = (),
              exclusions: Iterable[tuple[str, str]] = (),
              costs: pd.DataFrame | None = None) -> Plan:
    """``geo.planner.plan_pairings`` over loaded data."""
    return plan_pairings(data.coverage, data.villages, data.departments, data.pairings,
                         data.as_of, settings, capacity, list(locks), exclusions, costs)


def plan_sheet(plan: Plan, data: PlanData, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The organisation department's sheet of ``plan``: ``SHEET_COLUMNS``, one row per
    proposal (names, not codes; the reason in words)."""
    departments = data.departments.set_index("code")["name"]
    villages = data.villages.set_index("code")
    townships = data.townships.set_index("code")["short_name"]
    rows = []
    for number, proposal in enumerate(plan.proposals, start=1):
        village = villages.loc[proposal.village_code]
        rows.append((number, departments.get(proposal.department_code,
                                             proposal.department_code),
                     village["short_name"], townships.get(village["parent_code"], ""),
                     PAIRING_KIND, plan.as_of.isoformat(), proposal.distance_km,
                     translate(f"plan.reason.{proposal.reason}", lang)))
    return pd.DataFrame(rows, columns=list(SHEET_COLUMNS))


@dataclass(frozen=True)
class CommitResult:
    """What a commit wrote: the audit entry of the commit and the new pairings' ids."""

    audit_id: int
    pairing_ids: tuple[int, ...]


def commit_plan(engine: Engine, actor: User, plan: Plan,
                accepted: Iterable[tuple[str, str]] | None = None) -> CommitResult:
    """Write the accepted proposals as ``结对共建`` pairings starting at ``plan.as_of``.

    ``accepted`` names (department code, village code) pairs of the plan (default: all of
    them). One transaction: the pairings, an audit entry each, the commit's own entry and
    the data version; a pair not in the plan, an empty selection, or a pairing that now
    overlaps an existing one of the same department and village writes nothing.
    """
    require(actor, Action.EDIT_PAIRINGS)
    proposals = {(p.department_code, p.village_code): p for p in plan.proposals}
    chosen = list(proposals) if accepted is None else [(str(d), str(v)) for d, v in accepted]
    unknown = [pair for pair in chosen if pair not in proposals]
    if unknown:
        raise DataError("plan_commit_unknown", department=unknown[0][0], village=unknown[0][1])
    if not chosen or len(set(chosen)) != len(chosen):
        raise DataError("plan_commit_empty")
    table = schema.pairings
    with engine.begin() as connection:
        # One writer at a time: the overlaps are read under the lock, so of two organisers
        # committing one plan at once (on two app replicas) the second is told which
        # pairing overlaps, not that the database failed on its unique index.
        store.lock_version(connection)
        ids = []
        entries = []
        for department, village in chosen:
            existing = connection.execute(
                select(table.c.id, table.c.start_date, table.c.end_date).where(
                    table.c.department_code == department, table.c.village_code == village)
                .order_by(table.c.id)).all()
            overlap = next((row for row in existing if pairings_overlap(
                plan.as_of, None, row.start_date, row.end_date)), None)
            if overlap is not None:
                raise DataError("plan_commit_overlap", department=department, village=village,
                                pairing=overlap.id)
            row = {"department_code": department, "village_code": village,
                   "kind": PAIRING_KIND, "start_date": plan.as_of, "end_date": None,
                   "required_visits_per_month": 1, "note": None}
            new_id = connection.execute(insert(table).values(**row).returning(table.c.id)
                                        ).scalar_one()
            ids.append(int(new_id))
            entries.append({"key": str(new_id), "before": None, "after": row})
        write_audits(connection, actor, "create", "pairings", entries)
        store.bump_data_version(connection)
        write_audit(connection, actor, COMMIT_ACTION, "pairings", plan.as_of.isoformat(), None,
                    {"as_of": plan.as_of.isoformat(), "pairing_ids": ids, "count": len(ids)})
        audit_id = connection.execute(select(func.max(schema.audit_log.c.id))).scalar_one()
    return CommitResult(int(audit_id), tuple(ids))


def undo_last_commit(engine: Engine, actor: User, today: date) -> dict[str, object]:
    """Take back the last committed plan, on the day it was committed.

    Its pairings that nothing refers to (no visit of the department to the village on or
    after the pairing's start) are removed; the others are ended ``today``. One
    transaction with an audit entry per pairing and one ``plan_undo`` entry naming the
    commit's entry.

    Returns
    -------
    dict
        ``{"commit": audit id, "removed": [pairing ids], "ended": [pairing ids]}``.

    Raises
    ------
    DataError
        No commit to undo (none, or the last one already undone), or it was made on
        another day.
    """
    require(actor, Action.EDIT_PAIRINGS)
    log, pairings, visits = schema.audit_log, schema.pairings, schema.visits
    with engine.begin() as connection:
        store.lock_version(connection)
        last = connection.execute(select(log).where(log.c.action == COMMIT_ACTION)
                                  .order_by(log.c.id.desc()).limit(1)).first()
        undone = last is not None and connection.execute(select(log.c.id).where(
            log.c.action == UNDO_ACTION, log.c.entity_key == str(last.id))).first()
        if last is None or undone:
            raise DataError("plan_nothing_to_undo")
        committed_on = pd.Timestamp(last.at).date()
        if committed_on != today:
            raise DataError("plan_undo_too_late", day=committed_on.isoformat())
        removed, ended, entries_removed, entries_ended = [], [], [], []
        for pairing_id in json.loads(last.after)["pairing_ids"]:
            row = connection.execute(select(pairings).where(pairings.c.id == pairing_id)).first()
            if row is None:
                continue  # removed since by someone else
            before = {k: v for k, v in row._mapping.items() if k != "id"}
            used = connection.execute(select(visits.c.id).where(
                visits.c.department_code == row.department_code,
                visits.c.village_code == row.village_code,
                visits.c.date >= row.start_date).limit(1)).first()
            if used is None:
                connection.execute(delete(pairings).where(pairings.c.id == pairing_id))
                removed.append(pairing_id)
                entries_removed.append({"key": str(pairing_id), "before": before,
                                        "after": None})
            elif row.end_date is None or row.end_date > today:
                connection.execute(update(pairings).where(pairings.c.id == pairing_id)
                                   .values(end_date=today))
                ended.append(pairing_id)
                entries_ended.append({"key": str(pairing_id), "before": before,
                                      "after": {**before, "end_date": today}})
        write_audits(connection, actor, "delete", "pairings", entries_removed)
        write_audits(connection, actor, "update", "pairings", entries_ended)
        store.bump_data_version(connection)
        result = {"commit": int(last.id), "removed": removed, "ended": ended}
        write_audit(connection, actor, UNDO_ACTION, "pairings", str(last.id), None, result,
                    at=local_now())
    return result


def proposal_rows(plan: Plan, data: PlanData) -> pd.DataFrame:
    """The proposals as a table for the planner page, in the plan's order: department
    and village (codes and names), township, the departments already paired with the
    village at ``T`` (names; empty for an unpaired village: a village still never or not
    recently visited may be proposed a second department, up to the per-village limit,
    and the clerk sees that here), distance, need index, priority and reason (its code),
    with the department's anchor and the village's centroid (lon/lat) for
    the map's lines."""
    centroids = village_centroids(data.villages)
    anchors = department_anchors(data.departments, data.pairings, centroids, data.as_of)
    names = data.departments.set_index("code")["name"]
    villages = data.villages.set_index("code")
    townships = data.townships.set_index("code")["short_name"]
    need = data.coverage["need"] if "need" in data.coverage else pd.Series(dtype=float)
    active = active_pairings(data.pairings, data.as_of)
    paired_with = (active.assign(name=active["department_code"].map(names).fillna(
        active["department_code"])).sort_values(["village_code", "department_code"])
        .groupby("village_code")["name"].agg(PAIRED_WITH_SEPARATOR.join))
    rows = [(p.department_code, names.get(p.department_code, p.department_code),
             p.village_code, villages["short_name"].get(p.village_code, p.village_code),
             townships.get(villages["parent_code"].get(p.village_code), ""),
             paired_with.get(p.village_code, ""), p.distance_km,
             need.get(p.village_code), p.priority, p.reason,
             anchors["lon"].get(p.department_code), anchors["lat"].get(p.department_code),
             centroids["lon"].get(p.village_code), centroids["lat"].get(p.village_code))
            for p in plan.proposals]
    return pd.DataFrame(rows, columns=[
        "department_code", "department", "village_code", "village", "township",
        "paired_with", "distance_km", "need", "priority", "reason", "anchor_lon",
        "anchor_lat", "lon", "lat"])


def accepted_plan(plan: Plan, accepted: Iterable[tuple[str, str]]) -> Plan:
    """``plan`` holding only the ``accepted`` (department, village) proposals (for the
    sheet of what a clerk accepted)."""
    chosen = {(str(d), str(v)) for d, v in accepted}
    return replace(plan, proposals=tuple(
        p for p in plan.proposals if (p.department_code, p.village_code) in chosen))
