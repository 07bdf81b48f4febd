"""Migrations on both databases: a database made at an earlier revision, with data in it,
upgrades without loss; the unique record id of revision 0003 merges the exact duplicates
left by concurrent imports and refuses the ones that differ."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import Connection, Engine, Table, func, insert, select
from sqlalchemy import text as sa_text
from sqlalchemy.exc import IntegrityError

from geo import db, schema
from geo.errors import DataError
from tests.conftest import ANCHOR
from tests.tiny_county import add_tiny_county


@pytest.fixture(params=["sqlite", "postgres"])
def engine_at_0002(request: pytest.FixtureRequest) -> Engine:
    """A database at revision 0002 holding a county, a village and a department."""
    url = request.getfixturevalue(f"{request.param}_url")
    engine = db.make_engine(url)
    db.upgrade(engine, "0002")
    with engine.begin() as connection:
        add_tiny_county(connection)
    yield engine
    engine.dispose()


def _visit(record_id: str | None, households: int = 3, created_by: str = "a") -> dict:
    return {"date": date(2026, 10, 1), "department_code": "D01",
            "village_code": "420526100001", "kind": "走访慰问", "cadre_count": 2,
            "households_visited": households, "problems_raised": 1, "problems_resolved": 0,
            "summary": "入户走访", "record_id": record_id, "source": "import",
            "created_by": created_by, "created_at": datetime(2026, 10, 2, 9, 0)}


def _visit_ids(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(
            select(schema.visits.c.id).order_by(schema.visits.c.id)).scalars())


def test_upgrade_merges_exact_duplicates_keeping_the_lowest_id(engine_at_0002: Engine) -> None:
    engine = engine_at_0002
    with engine.begin() as connection:
        connection.execute(insert(schema.visits), [
            _visit("R1", created_by="a"), _visit("R2"), _visit("R1", created_by="b"),
            _visit(None), _visit(None), _visit("")])
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert _visit_ids(engine) == [1, 2, 4, 5, 6]  # the second R1 (id 3) merged into id 1
    with engine.connect() as connection:
        entry = connection.execute(select(schema.audit_log).where(
            schema.audit_log.c.action == "merge_duplicates")).one()
        empty_ids = connection.execute(select(func.count()).select_from(schema.visits).where(
            schema.visits.c.record_id == "")).scalar_one()
    assert entry.entity == "visits"
    assert json.loads(entry.before) == [
        {"department_code": "D01", "record_id": "R1", "kept": 1, "removed": [3]}]
    assert empty_ids == 0  # an empty record id is no record id
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(schema.visits).values(**_visit("R2")))
    with engine.begin() as connection:  # visits without a record id may repeat
        connection.execute(insert(schema.visits).values(**_visit(None)))


def test_upgrade_stops_on_duplicates_that_differ_and_changes_nothing(
        engine_at_0002: Engine) -> None:
    engine = engine_at_0002
    with engine.begin() as connection:
        connection.execute(insert(schema.visits), [
            _visit("R1", households=3), _visit("R1", households=5), _visit("R2"), _visit("R2")])
    with pytest.raises(DataError) as raised:
        db.upgrade(engine)
    error = raised.value
    assert error.code == "duplicate_record_ids"
    assert error.params["count"] == 1
    assert "D01 / R1: id 1, 2" in error.params["listing"]
    assert "R2" not in error.params["listing"]
    assert db.current_revision(engine) == "0002"
    assert _visit_ids(engine) == [1, 2, 3, 4]
    with engine.connect() as connection:
        assert connection.execute(
            select(func.count()).select_from(schema.audit_log)).scalar_one() == 0


@pytest.fixture(params=["sqlite", "postgres"])
def engine_at_0005(request: pytest.FixtureRequest) -> Engine:
    """A database at revision 0005 holding one county, a village and two departments."""
    url = request.getfixturevalue(f"{request.param}_url")
    engine = db.make_engine(url)
    db.upgrade(engine, "0005")
    with engine.begin() as connection:
        add_tiny_county(connection, second_department=True)
    yield engine
    engine.dispose()


def _departments_county(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        rows = connection.execute(select(schema.departments.c.code,
                                         schema.departments.c.county_code)).all()
    return dict(rows)


def _add_province_and_city(engine: Engine) -> None:
    """Put the tiny county under 宜昌市 (4205) under 湖北省 (42)."""
    with engine.begin() as connection:
        connection.execute(insert(schema.admin_units), [
            {"code": "42", "name": "湖北省", "short_name": "湖北省", "level": "province",
             "weak": False},
            {"code": "4205", "name": "宜昌市", "short_name": "宜昌市", "level": "city",
             "parent_code": "42", "weak": False}])
        connection.execute(schema.admin_units.update().where(
            schema.admin_units.c.code == "420526000000").values(parent_code="4205"))


def test_0006_gives_departments_the_single_county_and_allows_cities(
        engine_at_0005: Engine) -> None:
    engine = engine_at_0005
    db.upgrade(engine, "0006")
    assert _departments_county(engine) == {"D01": "420526000000", "D02": "420526000000"}
    _add_province_and_city(engine)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(schema.admin_units).values(
            code="9", name="x", short_name="x", level="country", weak=False))


def test_0006_downgrades_without_losing_counties_or_departments(
        engine_at_0005: Engine) -> None:
    engine = engine_at_0005
    db.upgrade(engine, "0006")
    _add_province_and_city(engine)
    db.downgrade(engine, "0005")
    assert db.current_revision(engine) == "0005"
    with engine.connect() as connection:
        levels = dict(connection.execute(sa_text(
            "SELECT code, level FROM admin_units ORDER BY code")).all())
        columns = connection.execute(sa_text("SELECT * FROM departments")).keys()
    assert levels == {"420526000000": "county", "420526100000": "township",
                      "420526100001": "village"}
    assert "county_code" not in list(columns)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(sa_text(
            "INSERT INTO admin_units (code, name, short_name, level, weak)"
            " VALUES ('42', '湖北省', '湖北省', 'province', false)"))
    db.upgrade(engine)  # and up again
    assert _departments_county(engine) == {"D01": "420526000000", "D02": "420526000000"}



BASELINE_ORDER = ("admin_units", "departments", "cadres", "pairings", "visits", "users",
                  "audit_log", "meta")
"""The tables of revision 0001, parents before the tables that refer to them."""


def _baseline_rows(connection: Connection, tables: dict[str, Table]) -> dict[str, list[tuple]]:
    """Every row of the 0001 tables, only 0001's columns (read through today's schema),
    in primary-key order."""
    rows = {}
    for name in BASELINE_ORDER:
        current = getattr(schema, name)
        columns = [current.c[column.name] for column in tables[name].columns]
        order = list(current.primary_key.columns)
        rows[name] = [tuple(row) for row in connection.execute(
            select(*columns).order_by(*order))]
    return rows


def test_a_database_at_0001_with_the_sample_county_upgrades_to_head_without_loss(
        database_url: str, demo_db) -> None:
    """The earliest revision, holding the whole sample county (units with boundaries,
    departments, cadres, pairings, visits, a user, audit entries, meta), upgrades through
    every migration to the newest; every row and value of 0001's columns is still there,
    the user still logs in, and the database takes new writes."""
    from sqlalchemy import MetaData, text

    from geo import auth, records, store
    from geo.access import Role, User

    engine = db.make_engine(database_url)
    db.upgrade(engine, "0001")
    baseline = MetaData()
    baseline.reflect(engine)  # the tables exactly as revision 0001 made them
    assert set(BASELINE_ORDER) <= set(baseline.tables)
    assert "problems" not in baseline.tables and "sessions" not in baseline.tables
    source = db.make_engine(f"sqlite:///{demo_db}")
    with source.connect() as read, engine.begin() as write:
        stored = _baseline_rows(read, baseline.tables)
        for name in BASELINE_ORDER:
            table = baseline.tables[name]
            keys = [column.name for column in table.columns]
            if stored[name]:
                write.execute(insert(table), [dict(zip(keys, row, strict=True))
                                              for row in stored[name]])
        user = {"username": "zhang", "display_name": "张干事", "role": "organiser",
                "password_hash": auth.hash_password("old-pass-01"), "department_code": None,
                "active": True}
        write.execute(insert(baseline.tables["users"]).values(**user))
        if engine.dialect.name == "postgresql":  # as the app's own inserts leave them
            for name in ("cadres", "pairings", "visits", "audit_log"):
                write.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                   f"(SELECT max(id) FROM {name}))"))
    source.dispose()
    with engine.connect() as connection:
        before = _baseline_rows(connection, baseline.tables)
    assert len(before["visits"]) > 1000 and len(before["admin_units"]) == 105
    assert before["users"] and before["pairings"] and before["cadres"]

    db.upgrade(engine)

    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as connection:
        after = _baseline_rows(connection, baseline.tables)
    for name in BASELINE_ORDER:
        assert after[name] == before[name], name
    assert auth.authenticate(engine, "zhang", "old-pass-01").user is not None
    admin = User(username="admin", role=Role.ADMIN, display_name="管理员")
    pairing = before["pairings"][0]  # id, department_code, village_code, …
    visit = records.VisitInput(village_code=pairing[2], department_code=pairing[1],
                               kind="走访慰问", date=ANCHOR, cadre_count=2,
                               summary="升级后的走访")
    new_id = records.add_visit(engine, admin, visit, ANCHOR)
    assert new_id > max(row[0] for row in before["visits"])
    assert len(store.load_visits(engine)) == len(before["visits"]) + 1
    engine.dispose()
