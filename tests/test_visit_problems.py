"""A visit and the problems it received, written in one transaction on both databases:
both or neither, with the audit entries ``add_visit`` and ``add_visit_problems`` leave
on their own; those two keep their behaviour."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from geo import schema, store
from geo.access import Role, User
from geo.errors import AccessDeniedError, DataError
from geo.problem_service import ProblemInput, add_visit_with_problems
from geo.records import VisitInput, add_visit
from tests import test_problem_service as shared
from tests.tiny_county import DEPARTMENT, VILLAGE

county = shared.county  # the tiny county with three departments, on each backend
TODAY = shared.TODAY
LIAISON, JOINT, ORGANISER = shared.LIAISON, shared.JOINT, shared.ORGANISER
OTHER = shared.OTHER
VISIT = VisitInput(date=date(2026, 11, 20), department_code=DEPARTMENT, village_code=VILLAGE,
                   kind="信访接待/大下访", problems_raised=1, summary="接待来访群众")


def _problem(**changes: object) -> ProblemInput:
    values = {"village_code": VILLAGE, "department_code": DEPARTMENT, "category": "基础设施",
              "description": "村口路灯坏了", "raised_on": date(2026, 11, 20),
              "resident": "张三"}
    return ProblemInput(**(values | changes))


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _nothing_written(engine: Engine, version: int) -> None:
    assert _count(engine, schema.visits) == 0
    assert _count(engine, schema.problems) == 0
    assert _count(engine, schema.audit_log) == 0
    assert store.data_version(engine) == version


def test_a_visit_and_its_problems_are_written_together(county: Engine) -> None:
    before = store.data_version(county)
    visit_id, ids = add_visit_with_problems(county, LIAISON, VISIT, [
        _problem(), _problem(category="产业发展", description="灌溉水渠堵塞", resident="")],
        TODAY)
    assert store.data_version(county) == before + 1  # one write, one new version
    problems = store.load_problems(county)
    assert problems["id"].tolist() == ids and len(ids) == 2
    assert set(problems["raised_visit_id"]) == {visit_id}
    assert set(problems["raised_on"]) == {VISIT.date} and set(problems["status"]) == {"open"}
    assert problems["resident"].iloc[0] == "张三" and pd.isna(problems["resident"].iloc[1])
    visit = store.load_visits(county).set_index("id").loc[visit_id]
    assert visit["problems_raised"] == 2  # raised to the number of rows (typed 1)
    # The audit entries of add_visit and of add_visit_problems, in order.
    assert shared._audit(county) == [("create", "visits", "liaison"),
                                     ("create", "problems", "liaison"),
                                     ("create", "problems", "liaison"),
                                     ("update", "visits", "liaison")]


def test_a_count_already_high_enough_stays(county: Engine) -> None:
    visit_id, _ = add_visit_with_problems(county, ORGANISER,
                                          dataclasses.replace(VISIT, problems_raised=5),
                                          [_problem()], TODAY)
    assert store.load_visits(county).set_index("id").loc[visit_id, "problems_raised"] == 5
    assert [a for a, entity, _ in shared._audit(county) if entity == "visits"] == ["create"]


@pytest.mark.parametrize(("second", "code", "column"), [
    ({"description": "水管\x00漏水"}, "control_character", "description"),
    ({"description": "   "}, "missing_value", "description"),
    ({"category": "天气"}, "unknown_kind", "category"),
    ({"resident": "张" * 200}, "too_long", "resident"),
])
def test_a_problem_failing_half_way_writes_neither(county: Engine, second: dict, code: str,
                                                   column: str) -> None:
    """The visit and the first problem are inserted before the second is refused: the
    transaction takes both back."""
    version = store.data_version(county)
    with pytest.raises(DataError) as raised:
        add_visit_with_problems(county, LIAISON, VISIT, [_problem(), _problem(**second)],
                                TODAY)
    assert (raised.value.code, raised.value.column) == (code, column)
    _nothing_written(county, version)


def test_a_taken_record_id_half_way_writes_neither(county: Engine) -> None:
    version = store.data_version(county)
    with pytest.raises(DataError) as raised:
        add_visit_with_problems(county, LIAISON, VISIT, [
            _problem(record_id="P-1"), _problem(record_id="P-1", description="另一件")],
            TODAY)
    assert raised.value.code == "problem_record_id_taken"
    _nothing_written(county, version)


def test_a_bad_visit_writes_no_problem(county: Engine) -> None:
    version = store.data_version(county)
    with pytest.raises(DataError) as raised:
        add_visit_with_problems(county, LIAISON, dataclasses.replace(
            VISIT, date=date(2026, 12, 25)), [_problem()], TODAY)
    assert raised.value.code == "future_date"
    _nothing_written(county, version)


def test_roles_are_checked_before_anything_is_written(county: Engine) -> None:
    version = store.data_version(county)
    with pytest.raises(AccessDeniedError):  # another department's visit
        add_visit_with_problems(county, JOINT, VISIT, [_problem()], TODAY)
    with pytest.raises(AccessDeniedError):  # its own visit, another department's problem
        add_visit_with_problems(county, LIAISON, VISIT, [_problem(department_code=OTHER)],
                                TODAY)
    with pytest.raises(AccessDeniedError):
        add_visit_with_problems(county, User("leader", Role.LEADER), VISIT, [], TODAY)
    _nothing_written(county, version)


def test_add_visit_alone_is_unchanged(county: Engine) -> None:
    visit_id = add_visit(county, LIAISON, VISIT, TODAY)
    assert store.load_visits(county).set_index("id").loc[visit_id, "problems_raised"] == 1
    assert shared._audit(county) == [("create", "visits", "liaison")]
    assert _count(county, schema.problems) == 0
