"""Migrations on both databases: a database made at an earlier revision, with data in it,
upgrades without loss; the unique record id of revision 0003 merges the exact duplicates
left by concurrent imports and refuses the ones that differ."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy import text as sa_text
from sqlalchemy.exc import IntegrityError

from geo import db, schema
from geo.errors import DataError
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


def test_0006_gives_departments_the_single_county_and_allows_cities(
        engine_at_0005: Engine) -> None:
    engine = engine_at_0005
    db.upgrade(engine, "0006")
    assert _departments_county(engine) == {"D01": "420526000000", "D02": "420526000000"}
    with engine.begin() as connection:
        connection.execute(insert(schema.admin_units), [
            {"code": "42", "name": "湖北省", "short_name": "湖北省", "level": "province",
             "weak": False},
            {"code": "4205", "name": "宜昌市", "short_name": "宜昌市", "level": "city",
             "parent_code": "42", "weak": False}])
        connection.execute(schema.admin_units.update().where(
            schema.admin_units.c.code == "420526000000").values(parent_code="4205"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(schema.admin_units).values(
            code="9", name="x", short_name="x", level="country", weak=False))


def test_0006_downgrades_without_losing_counties_or_departments(
        engine_at_0005: Engine) -> None:
    engine = engine_at_0005
    db.upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(insert(schema.admin_units), [
            {"code": "42", "name": "湖北省", "short_name": "湖北省", "level": "province",
             "weak": False},
            {"code": "4205", "name": "宜昌市", "short_name": "宜昌市", "level": "city",
             "parent_code": "42", "weak": False}])
        connection.execute(schema.admin_units.update().where(
            schema.admin_units.c.code == "420526000000").values(parent_code="4205"))
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

