"""DESIGN.md's role table, enforced by the service functions on the server side."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from geo import db, schema
from geo.access import ROLE_TABLE, Action, Role, User, can
from geo.audit import load_audit_log
from geo.errors import AccessDeniedError, DataError
from geo.records import (
    VisitInput,
    add_visit,
    cadres_for,
    delete_visit,
    metric_visits,
    update_visit,
    visits_for,
)

TODAY = date(2026, 11, 28)
EDIT_DAYS = 7
LEADER = User("leader", Role.LEADER)
ORGANISER = User("organiser", Role.ORGANISER)
ADMIN = User("admin", Role.ADMIN)
OWN = "XS001"
OTHER = "XS002"
LIAISON = User("liaison", Role.LIAISON, department_code=OWN)

# The role table of DESIGN.md, row by row: leader, organiser, liaison, admin.
EXPECTED = {
    Action.VIEW_MAPS: ("all", "all", "all", "all"),
    Action.VIEW_VISITS: ("all", "all", "own", "all"),
    Action.VIEW_CADRES: ("none", "all", "own", "all"),
    Action.WRITE_VISITS: ("none", "all", "own", "all"),
    Action.EDIT_PAIRINGS: ("none", "all", "none", "all"),
    Action.IMPORT_REFERENCE: ("none", "none", "none", "all"),
    Action.VIEW_AUDIT: ("none", "all", "none", "all"),
    Action.MANAGE_USERS: ("none", "none", "none", "all"),
    # The problem ledger: as visits; reassigning and reopening by organisers (and
    # admins); residents' names never to a leader.
    Action.VIEW_PROBLEMS: ("all", "all", "own", "all"),
    Action.WRITE_PROBLEMS: ("none", "all", "own", "all"),
    Action.ASSIGN_PROBLEMS: ("none", "all", "none", "all"),
    Action.VIEW_RESIDENTS: ("none", "all", "own", "all"),
}
ROLES = (Role.LEADER, Role.ORGANISER, Role.LIAISON, Role.ADMIN)


def test_role_table_is_design_md():
    assert set(ROLE_TABLE) == set(Action)
    for action, row in EXPECTED.items():
        assert tuple(ROLE_TABLE[action][role] for role in ROLES) == row, action


@pytest.mark.parametrize("action", list(Action))
def test_can_follows_the_table(action: Action):
    for role, granted in zip(ROLES, EXPECTED[action], strict=True):
        user = User("u", role, department_code=OWN if role == Role.LIAISON else None)
        assert can(user, action) == (granted != "none")
        assert can(user, action, OTHER) == (granted == "all")
        assert can(user, action, OWN) == (granted != "none")
    stray = User("u", Role.LIAISON)  # a liaison without a department may do nothing own
    assert not can(stray, Action.VIEW_VISITS)


@pytest.fixture
def demo_engine(demo_url: str) -> Engine:
    """The sample county on each backend."""
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


def _visit(department: str = OWN, **changes: object) -> VisitInput:
    base = {"date": TODAY - timedelta(days=1), "department_code": department,
            "village_code": "420526101201", "kind": "走访慰问", "summary": "入户走访"}
    return VisitInput(**{**base, **changes})


@pytest.mark.slow  # reads every visit of the sample four times
def test_visit_reads_follow_roles(demo_engine: Engine):
    everything = visits_for(demo_engine, ORGANISER)
    assert everything["department_code"].nunique() > 10
    assert (everything["cadre_ids"].fillna("") != "").any()
    own = visits_for(demo_engine, LIAISON)
    assert len(own) > 0 and set(own["department_code"]) == {OWN}
    leader = visits_for(demo_engine, LEADER)
    assert len(leader) == len(everything)
    assert (leader["summary"] != "").any()  # leaders read summaries ...
    assert set(leader["cadre_ids"].fillna("")) == {""}  # ... but no cadre ids
    metrics = metric_visits(demo_engine, LEADER)
    assert not {"summary", "cadre_ids", "created_by"} & set(metrics.columns)


@pytest.mark.slow  # reads every visit of the sample once, to check the selections
def test_visit_reads_select_in_sql_what_a_pandas_filter_would(demo_engine: Engine):
    everything = visits_for(demo_engine, ORGANISER)
    since, until = TODAY - timedelta(days=90), TODAY - timedelta(days=10)
    in_range = everything[(everything["date"] >= since) & (everything["date"] <= until)]
    villages = sorted(in_range.loc[in_range["department_code"] == OWN, "village_code"])[:3]
    expected = in_range[in_range["village_code"].isin(villages)
                        & (in_range["department_code"] == OWN)]
    chosen = visits_for(demo_engine, ORGANISER, since, until, villages=villages,
                        department=OWN)
    assert len(expected) > 0
    assert sorted(chosen["id"]) == sorted(expected["id"])
    ids = everything["id"].head(7).tolist()
    assert sorted(visits_for(demo_engine, ORGANISER, ids=ids)["id"]) == sorted(ids)
    # a liaison reads its own department's, whatever it asks for
    own = visits_for(demo_engine, LIAISON, since, until)
    assert len(own) > 0 and set(own["department_code"]) == {OWN}
    assert visits_for(demo_engine, LIAISON, department=OTHER).empty
    assert set(visits_for(demo_engine, LIAISON, ids=ids)["department_code"]) <= {OWN}


def test_cadre_names_follow_roles(demo_engine: Engine):
    with pytest.raises(AccessDeniedError):
        cadres_for(demo_engine, LEADER)
    everyone = cadres_for(demo_engine, ORGANISER)
    department = everyone["department_code"].iloc[0]
    liaison = User("l", Role.LIAISON, department_code=department)
    mine = cadres_for(demo_engine, liaison)
    assert len(mine) > 0 and set(mine["department_code"]) == {department}
    assert len(cadres_for(demo_engine, ADMIN)) == len(everyone)


def test_visit_writes_follow_roles(demo_engine: Engine):
    with pytest.raises(AccessDeniedError):
        add_visit(demo_engine, LEADER, _visit(), TODAY)
    with pytest.raises(AccessDeniedError):
        add_visit(demo_engine, LIAISON, _visit(OTHER), TODAY)
    own_id = add_visit(demo_engine, LIAISON, _visit(), TODAY)
    other_id = add_visit(demo_engine, ORGANISER, _visit(OTHER), TODAY)
    with pytest.raises(AccessDeniedError):
        update_visit(demo_engine, LIAISON, other_id, _visit(OTHER), TODAY, EDIT_DAYS)
    with pytest.raises(AccessDeniedError):  # not by moving it into their own department
        update_visit(demo_engine, LIAISON, other_id, _visit(OWN), TODAY, EDIT_DAYS)
    with pytest.raises(AccessDeniedError):
        delete_visit(demo_engine, LIAISON, other_id, TODAY, EDIT_DAYS)
    with pytest.raises(AccessDeniedError):  # nor move their own into another department
        update_visit(demo_engine, LIAISON, own_id, _visit(OTHER), TODAY, EDIT_DAYS)
    update_visit(demo_engine, LIAISON, own_id, _visit(summary="改过"), TODAY, EDIT_DAYS)
    delete_visit(demo_engine, ADMIN, other_id, TODAY, EDIT_DAYS)
    log = load_audit_log(demo_engine, ADMIN, entity="visits")
    assert log["action"].tolist() == ["delete", "update", "create", "create"]
    assert log["username"].tolist() == ["admin", "liaison", "organiser", "liaison"]


def test_liaison_edits_only_within_edit_days(demo_engine: Engine):
    visit_id = add_visit(demo_engine, LIAISON, _visit(), TODAY)
    with demo_engine.begin() as connection:
        connection.execute(update(schema.visits).where(schema.visits.c.id == visit_id).values(
            created_at=datetime(2026, 11, 28) - timedelta(days=EDIT_DAYS + 1)))
    with pytest.raises(AccessDeniedError, match="within 7 days"):
        delete_visit(demo_engine, LIAISON, visit_id, TODAY, EDIT_DAYS)
    delete_visit(demo_engine, ORGANISER, visit_id, TODAY, EDIT_DAYS)  # others may


@pytest.mark.parametrize(
    ("changes", "column"),
    [({"date": TODAY + timedelta(days=1)}, "date"), ({"households_visited": -1},
                                                      "households_visited"),
     ({"village_code": "420526999999"}, "village_code"), ({"kind": "喝茶"}, "kind")],
)
@pytest.mark.slow  # reads every visit of the sample twice
def test_bad_visits_are_refused_with_the_column(demo_engine: Engine, changes, column):
    before = len(visits_for(demo_engine, ADMIN))
    with pytest.raises(DataError) as error:
        add_visit(demo_engine, ADMIN, _visit(**changes), TODAY)
    assert error.value.column == column
    assert len(visits_for(demo_engine, ADMIN)) == before  # nothing written


def test_a_write_and_its_audit_entry_are_one_transaction(demo_engine: Engine,
                                                         monkeypatch: pytest.MonkeyPatch):
    import geo.records as records

    def broken(*_args, **_kwargs):
        raise RuntimeError("audit failed")

    monkeypatch.setattr(records, "write_audit", broken)
    before = len(visits_for(demo_engine, ADMIN))
    with pytest.raises(RuntimeError):
        add_visit(demo_engine, ADMIN, _visit(), TODAY)
    assert len(visits_for(demo_engine, ADMIN)) == before
    with demo_engine.connect() as connection:
        assert connection.execute(select(schema.visits.c.id).where(
            schema.visits.c.summary == "入户走访")).first() is None


def test_exports_follow_roles(demo_engine: Engine):
    import io

    import pandas as pd

    from geo.io.exports import allowed_exports, export_bytes

    assert allowed_exports(LEADER) == ["townships", "villages", "departments", "pairings",
                                       "visits", "problems"]
    assert "cadres" in allowed_exports(LIAISON) and "audit" not in allowed_exports(LIAISON)
    with pytest.raises(AccessDeniedError):
        export_bytes(demo_engine, LEADER, "cadres", "csv")
    with pytest.raises(AccessDeniedError):
        export_bytes(demo_engine, LIAISON, "audit", "xlsx")
    visits = pd.read_csv(io.BytesIO(export_bytes(demo_engine, LIAISON, "visits", "csv")),
                         encoding="utf-8-sig", dtype=str)
    assert len(visits) > 0 and set(visits["department_code"]) == {OWN}
    cadres = pd.read_csv(io.BytesIO(export_bytes(demo_engine, ORGANISER, "cadres", "csv")),
                         encoding="utf-8-sig", dtype=str)
    assert cadres["department_code"].nunique() > 1
    geojson = export_bytes(demo_engine, LEADER, "villages", "geojson")
    assert geojson.count(b'"Feature"') == 96


def test_backup_is_a_consistent_copy_for_admins_only(demo_copy: Path, tmp_path: Path):
    """SQLite only: the backup is SQLite's online copy (PostgreSQL's is pg_dump, below)."""
    import sqlite3

    from geo.backup import backup_sqlite

    demo_engine = db.make_engine(f"sqlite:///{demo_copy}")
    with pytest.raises(AccessDeniedError):
        backup_sqlite(demo_engine, ORGANISER)
    data = backup_sqlite(demo_engine, ADMIN)
    copy = tmp_path / "copy.db"
    copy.write_bytes(data)
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        visits = connection.execute("SELECT COUNT(*) FROM visits").fetchone()[0]
    assert visits == len(visits_for(demo_engine, ADMIN))
    demo_engine.dispose()


def test_backup_refuses_postgres(postgres_url: str):
    from geo.backup import backup_sqlite
    from geo.errors import PairMapError

    engine = db.make_engine(postgres_url)
    with pytest.raises(PairMapError, match="pg_dump"):
        backup_sqlite(engine, ADMIN)
    engine.dispose()
