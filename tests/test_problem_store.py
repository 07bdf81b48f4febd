"""The problem ledger's tables (migration 0005) on both databases: a database at 0004
with visits upgrades without loss; the constraints hold what DESIGN.md says; the store
reads problems with dates as ``datetime.date``."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from geo import db, schema, store
from tests.tiny_county import DEPARTMENT, VILLAGE, add_tiny_county


def _problem(**changes: object) -> dict:
    row = {"village_code": VILLAGE, "raised_on": date(2026, 10, 1),
           "department_code": DEPARTMENT, "category": "基础设施", "description": "路灯坏了",
           "due_date": date(2026, 10, 31), "status": "open"}
    return row | changes


@pytest.fixture
def tiny(engine: Engine) -> Engine:
    with engine.begin() as connection:
        add_tiny_county(connection)
    return engine


def test_upgrade_from_0004_keeps_visits_and_adds_the_ledger(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.upgrade(engine, "0004")
    with engine.begin() as connection:
        add_tiny_county(connection)
        connection.execute(insert(schema.visits).values(
            date=date(2026, 10, 1), department_code=DEPARTMENT, village_code=VILLAGE,
            kind="走访慰问", source="form"))
    assert "problems" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"problems", "problem_notes"} <= tables
    assert len(store.load_visits(engine)) == 1
    indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("problems")}
    assert set(indexes) == {"ix_problems_village_code", "ix_problems_department_code",
                            "ix_problems_status", "ix_problems_raised_on",
                            "ix_problems_department_code_record_id"}
    assert indexes["ix_problems_department_code_record_id"]["unique"]
    engine.dispose()


def test_a_closed_status_needs_its_closing_date_and_an_open_one_has_none(tiny: Engine) -> None:
    with pytest.raises(IntegrityError), tiny.begin() as connection:
        connection.execute(insert(schema.problems).values(**_problem(status="resolved")))
    with pytest.raises(IntegrityError), tiny.begin() as connection:
        connection.execute(insert(schema.problems).values(
            **_problem(resolved_on=date(2026, 10, 5))))
    with pytest.raises(IntegrityError), tiny.begin() as connection:
        connection.execute(insert(schema.problems).values(
            **_problem(status="closed_unresolved", resolved_on=date(2026, 10, 5),
                       satisfaction="还行")))
    with tiny.begin() as connection:
        connection.execute(insert(schema.problems).values(
            **_problem(status="closed_unresolved", resolved_on=date(2026, 10, 5),
                       satisfaction="不满意")))


def test_record_ids_are_unique_per_department_and_may_be_absent(tiny: Engine) -> None:
    with tiny.begin() as connection:
        connection.execute(insert(schema.problems), [
            _problem(record_id="P1"), _problem(record_id=None), _problem(record_id=None)])
    with pytest.raises(IntegrityError), tiny.begin() as connection:
        connection.execute(insert(schema.problems).values(**_problem(record_id="P1")))


def test_a_deleted_visit_leaves_its_problem_without_the_visit(tiny: Engine) -> None:
    with tiny.begin() as connection:
        visit = connection.execute(insert(schema.visits).values(
            date=date(2026, 10, 1), department_code=DEPARTMENT, village_code=VILLAGE,
            kind="走访慰问", problems_raised=1, source="form").returning(
            schema.visits.c.id)).scalar_one()
        connection.execute(insert(schema.problems).values(**_problem(raised_visit_id=visit)))
        connection.execute(delete(schema.visits))
    problems = store.load_problems(tiny)
    assert len(problems) == 1
    assert pd.isna(problems.loc[0, "raised_visit_id"])


def test_load_problems_gives_dates_and_none_and_notes_by_problem(tiny: Engine) -> None:
    with tiny.begin() as connection:
        first = connection.execute(insert(schema.problems).values(
            **_problem(status="resolved", resolved_on=date(2026, 10, 9),
                       satisfaction="满意")).returning(schema.problems.c.id)).scalar_one()
        connection.execute(insert(schema.problems).values(**_problem(
            raised_on=date(2026, 11, 2), due_date=date(2026, 12, 2))))
        connection.execute(insert(schema.problem_notes), [
            {"problem_id": first, "at": datetime(2026, 10, 2, 9), "username": "a",
             "department_code": DEPARTMENT, "text": "已联系供电所"}])
    problems = store.load_problems(tiny)
    assert problems["raised_on"].tolist() == [date(2026, 10, 1), date(2026, 11, 2)]
    assert problems["resolved_on"].tolist() == [date(2026, 10, 9), None]
    assert len(store.load_problems(tiny, until=date(2026, 10, 31))) == 1
    assert store.load_problem_notes(tiny, first)["text"].tolist() == ["已联系供电所"]
    assert store.load_problem_notes(tiny, first + 1).empty
    with tiny.connect() as connection:
        assert connection.execute(select(schema.problems.c.status).order_by(
            schema.problems.c.id)).scalars().all() == [
            "resolved", "open"]
