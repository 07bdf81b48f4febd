"""The schema made by the Alembic baseline, round-tripped on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect
from sqlalchemy.exc import IntegrityError

from geo import db, schema, store


def test_migration_creates_every_table_at_head(engine: Engine):
    assert db.current_revision(engine) == db.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(schema.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migration_matches_the_schema_module(engine: Engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, schema.metadata) == []


def test_upgrade_twice_is_harmless(engine: Engine):
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()


def _tiny_county() -> gpd.GeoDataFrame:
    square = shapely.box(110.0, 31.0, 110.2, 31.2)
    return gpd.GeoDataFrame(
        {
            "code": ["420526", "420526101", "420526101201", "420526101202"],
            "name": ["兴山县", "古夫镇", "龙池村村民委员会", "<b>咸水村</b>"],
            "short_name": ["兴山县", "古夫镇", "龙池村", "<b>咸水村</b>"],
            "level": ["county", "township", "village", "village"],
            "parent_code": [None, "420526", "420526101", "420526101"],
            "kind": [None, None, "村", "村"],
            "boundary_source": ["official", "schematic", "schematic", "schematic"],
            "population": pd.array([None, None, 1200, None], dtype="Int64"),
            "households": pd.array([None, None, 400, None], dtype="Int64"),
            "left_behind_elderly": pd.array([None, None, 90, None], dtype="Int64"),
            "low_income_households": pd.array([None, None, 12, None], dtype="Int64"),
            "weak": [False, False, True, False],
        },
        geometry=[square, square, shapely.box(110.0, 31.0, 110.1, 31.2),
                  shapely.box(110.1, 31.0, 110.2, 31.2)],
        crs=4326,
    )


def test_round_trip_of_every_entity(engine: Engine):
    units = _tiny_county()
    departments = pd.DataFrame([{"code": "XS001", "name": "县委办公室", "kind": "党政机关",
                                 "party_members": 40, "seat_lon": 110.1, "seat_lat": 31.1,
                                 "active": True}])
    cadres = pd.DataFrame([{"id": 1, "department_code": "XS001", "name": "王伟",
                            "leader": True, "active": True}])
    pairings = pd.DataFrame([{"id": 1, "department_code": "XS001",
                              "village_code": "420526101201", "kind": "结对共建",
                              "start_date": date(2025, 1, 15), "end_date": None,
                              "required_visits_per_month": 1, "note": "说明"}])
    visits = pd.DataFrame([{"id": 1, "date": date(2026, 11, 2), "department_code": "XS001",
                            "village_code": "420526101202", "kind": "信访接待/大下访",
                            "cadre_count": 2, "cadre_ids": "1", "households_visited": 3,
                            "problems_raised": 2, "problems_resolved": 3, "lon": 110.15,
                            "lat": 31.1, "summary": "=HYPERLINK(\"x\")", "record_id": "2026-0001",
                            "source": "form", "created_by": "liaison1",
                            "created_at": datetime(2026, 11, 2, 9, 30)}])
    store.replace_all(engine, units, departments, cadres, pairings, visits,
                      meta={"demo_seed": "1"})
    with engine.begin() as connection:
        connection.execute(insert(schema.users).values(
            username="admin", display_name="管理员", password_hash="$2b$12$x", role="admin",
            department_code=None, active=True))
        connection.execute(insert(schema.audit_log).values(
            at=datetime(2026, 11, 2, 10, 0), username="cli:root", action="import",
            entity="visits", entity_key="file.csv", before=None,
            after=json.dumps({"inserted": 1}, ensure_ascii=False)))

    villages = store.load_villages(engine)
    assert villages["code"].tolist() == ["420526101201", "420526101202"]
    assert villages.loc[1, "name"] == "<b>咸水村</b>"
    assert villages.loc[0, "population"] == 1200 and pd.isna(villages.loc[1, "population"])
    assert villages["weak"].tolist() == [True, False]
    assert villages.geometry.iloc[0].equals(shapely.box(110.0, 31.0, 110.1, 31.2))
    assert store.load_county(engine)["code"].tolist() == ["420526"]
    assert store.load_townships(engine)["parent_code"].tolist() == ["420526"]

    loaded_pairings = store.load_pairings(engine)
    assert loaded_pairings.loc[0, "start_date"] == date(2025, 1, 15)
    assert loaded_pairings.loc[0, "end_date"] is None
    loaded_visits = store.load_visits(engine)
    assert loaded_visits.loc[0, "date"] == date(2026, 11, 2)
    assert loaded_visits.loc[0, "summary"] == "=HYPERLINK(\"x\")"
    assert loaded_visits.loc[0, "problems_resolved"] == 3
    assert store.load_cadres(engine).loc[0, "name"] == "王伟"
    assert store.load_departments(engine).loc[0, "active"]
    audit = store.load_table(engine, "audit")
    imported = audit[audit["action"] == "import"]
    assert json.loads(imported["after"].iloc[0]) == {"inserted": 1}
    assert audit["action"].tolist() == ["replace_all", "import"]
    assert store.data_version(engine) == 1
    assert db.get_meta(engine, "demo_seed") == "1"
    assert not db.is_empty(engine)

    # The database numbers new rows after the kept ids (PostgreSQL's sequence follows).
    with engine.begin() as connection:
        row = connection.execute(insert(schema.visits).values(
            date=date(2026, 11, 3), department_code="XS001", village_code="420526101201",
            kind="其他", cadre_count=1, households_visited=0, problems_raised=0,
            problems_resolved=0, source="form").returning(schema.visits.c.id)).scalar_one()
    assert row == 2


def test_foreign_keys_are_enforced(engine: Engine):
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(schema.visits).values(
            date=date(2026, 1, 1), department_code="NOPE", village_code="NOPE", kind="其他",
            cadre_count=1, households_visited=0, problems_raised=0, problems_resolved=0,
            source="form"))


def test_pairing_key_is_unique(engine: Engine):
    store.replace_all(engine, _tiny_county(), pd.DataFrame([{
        "code": "XS001", "name": "县委办公室", "kind": "党政机关", "party_members": 1,
        "active": True}]), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    row = {"department_code": "XS001", "village_code": "420526101201", "kind": "结对共建",
           "start_date": date(2025, 1, 1), "required_visits_per_month": 1}
    with engine.begin() as connection:
        connection.execute(insert(schema.pairings).values(**row))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(schema.pairings).values(**row))


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str):
    engine = db.make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
