"""The problem ledger's service functions behind the role table, on both databases:
who may record, note, move, reopen and reassign; what each write leaves in the audit
log; residents' names never returned to a leader."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select, update

from geo import schema, store
from geo.access import Role, User
from geo.errors import AccessDeniedError, DataError
from geo.problem_service import (
    ProblemInput,
    add_note,
    add_problem,
    add_visit_problems,
    edit_problem,
    metric_problems,
    move_problem,
    notes_for,
    overdue_problems_for,
    problems_for,
    reassign_problem,
    reopen_problem,
)
from tests.tiny_county import DEPARTMENT, VILLAGE, add_tiny_county

TODAY = date(2026, 11, 28)
OTHER, THIRD = "D02", "D03"
LEADER = User("leader", Role.LEADER)
ORGANISER = User("organiser", Role.ORGANISER)
ADMIN = User("admin", Role.ADMIN)
LIAISON = User("liaison", Role.LIAISON, department_code=DEPARTMENT)
JOINT = User("joint", Role.LIAISON, department_code=OTHER)
STRANGER = User("stranger", Role.LIAISON, department_code=THIRD)


@pytest.fixture
def county(engine: Engine) -> Engine:
    with engine.begin() as connection:
        add_tiny_county(connection)
        connection.execute(insert(schema.departments), [
            {"code": OTHER, "name": "县水利局", "kind": "经济", "party_members": 8,
             "active": True},
            {"code": THIRD, "name": "县教育局", "kind": "教科文卫", "party_members": 8,
             "active": True}])
    return engine


def _input(**changes: object) -> ProblemInput:
    values = {"village_code": VILLAGE, "department_code": DEPARTMENT, "category": "基础设施",
              "description": "村口路灯坏了", "raised_on": date(2026, 11, 1),
              "resident": "张三", "co_departments": OTHER}
    return ProblemInput(**(values | changes))


def _audit(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(select(schema.audit_log.c.action, schema.audit_log.c.entity,
                                         schema.audit_log.c.username)
                                  .order_by(schema.audit_log.c.id)).all()
    return [tuple(row) for row in rows]


def _stored(engine: Engine, problem_id: int) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(select(schema.problems).where(
            schema.problems.c.id == problem_id)).mappings().one())


def test_a_liaison_records_its_own_departments_problems_only(county: Engine) -> None:
    problem_id = add_problem(county, LIAISON, _input(), TODAY)
    row = _stored(county, problem_id)
    assert row["status"] == "open" and row["due_date"] == date(2026, 12, 1)  # + 30 days
    assert row["co_departments"] == OTHER and row["created_by"] == "liaison"
    for actor in (LEADER, JOINT):
        with pytest.raises(AccessDeniedError):
            add_problem(county, actor, _input(), TODAY)
    with pytest.raises(DataError) as raised:
        add_problem(county, ORGANISER, _input(category="水电"), TODAY)
    assert (raised.value.code, raised.value.column) == ("unknown_kind", "category")
    with pytest.raises(DataError) as raised:
        add_problem(county, ORGANISER, _input(raised_on=TODAY + timedelta(days=1)), TODAY)
    assert (raised.value.code, raised.value.column) == ("future_date", "raised_on")
    with pytest.raises(DataError) as raised:
        add_problem(county, ORGANISER, _input(co_departments="D99"), TODAY)
    assert (raised.value.code, raised.value.column) == ("unknown_department", "co_departments")
    assert _audit(county) == [("create", "problems", "liaison")]


def test_problems_entered_on_a_visit_raise_its_count(county: Engine) -> None:
    with county.begin() as connection:
        visit_id = connection.execute(insert(schema.visits).values(
            date=date(2026, 11, 20), department_code=DEPARTMENT, village_code=VILLAGE,
            kind="信访接待/大下访", problems_raised=1, source="form").returning(
            schema.visits.c.id)).scalar_one()
    ids = add_visit_problems(county, LIAISON, visit_id, [
        _input(), _input(description="灌溉水渠堵塞", category="产业发展")], TODAY)
    assert [_stored(county, i)["raised_visit_id"] for i in ids] == [visit_id, visit_id]
    assert {_stored(county, i)["raised_on"] for i in ids} == {date(2026, 11, 20)}
    visits = store.load_visits(county)
    assert visits.loc[0, "problems_raised"] == 2
    assert _audit(county) == [("create", "problems", "liaison")] * 2 + [
        ("update", "visits", "liaison")]
    add_visit_problems(county, LIAISON, visit_id, [], TODAY)  # nothing more to raise
    assert store.load_visits(county).loc[0, "problems_raised"] == 2
    with pytest.raises(AccessDeniedError):
        add_visit_problems(county, JOINT, visit_id, [_input(department_code=OTHER)], TODAY)


def test_notes_by_the_department_its_co_departments_and_organisers(county: Engine) -> None:
    problem_id = add_problem(county, LIAISON, _input(), TODAY)
    for actor in (LIAISON, JOINT, ORGANISER, ADMIN):
        add_note(county, actor, problem_id, f"{actor.username} 已联系")
    for actor in (STRANGER, LEADER):
        with pytest.raises(AccessDeniedError):
            add_note(county, actor, problem_id, "路过")
    with pytest.raises(DataError):
        add_note(county, LIAISON, problem_id, "  ")
    notes = notes_for(county, JOINT, problem_id)
    assert notes["username"].tolist() == ["liaison", "joint", "organiser", "admin"]
    assert notes["department_code"].tolist()[:2] == [DEPARTMENT, OTHER]
    with pytest.raises(AccessDeniedError):
        notes_for(county, STRANGER, problem_id)
    assert sum(entity == "problem_notes" for _, entity, _ in _audit(county)) == 4


def test_status_moves_closing_and_reopening(county: Engine) -> None:
    problem_id = add_problem(county, LIAISON, _input(), TODAY)
    with county.begin() as connection:  # recorded long ago: the edit window is no limit
        connection.execute(update(schema.problems).values(created_at=datetime(2026, 1, 1)))
    with pytest.raises(AccessDeniedError):
        move_problem(county, JOINT, problem_id, "in_progress", TODAY)
    move_problem(county, LIAISON, problem_id, "in_progress", TODAY)
    with pytest.raises(DataError) as raised:
        move_problem(county, LIAISON, problem_id, "open", TODAY)
    assert raised.value.code == "problem_status_move"
    with pytest.raises(DataError) as raised:
        move_problem(county, LIAISON, problem_id, "resolved", TODAY, satisfaction="满意")
    assert (raised.value.code, raised.value.column) == ("closing_date_required",
                                                        "resolved_on")
    with pytest.raises(DataError) as raised:
        move_problem(county, LIAISON, problem_id, "resolved", TODAY,
                     resolved_on=date(2026, 10, 31))
    assert raised.value.code == "closed_before_raised"
    with pytest.raises(DataError) as raised:
        move_problem(county, LIAISON, problem_id, "resolved", TODAY, resolved_on=TODAY,
                     satisfaction="还行")
    assert (raised.value.code, raised.value.column) == ("unknown_kind", "satisfaction")
    move_problem(county, LIAISON, problem_id, "resolved", TODAY, resolved_on=TODAY,
                 resolution="更换灯泡", satisfaction="不满意")
    row = _stored(county, problem_id)
    assert (row["status"], row["resolved_on"], row["satisfaction"]) == (
        "resolved", TODAY, "不满意")
    with pytest.raises(DataError):
        move_problem(county, LIAISON, problem_id, "in_progress", TODAY)  # closed stays
    for actor in (LIAISON, LEADER):
        with pytest.raises(AccessDeniedError):
            reopen_problem(county, actor, problem_id)
    reopen_problem(county, ORGANISER, problem_id)
    row = _stored(county, problem_id)
    assert (row["status"], row["resolved_on"], row["satisfaction"], row["resolution"]) == (
        "in_progress", None, None, None)
    with pytest.raises(DataError) as raised:
        reopen_problem(county, ORGANISER, problem_id)
    assert raised.value.code == "problem_not_closed"
    moves = [(action, entity) for action, entity, _ in _audit(county)]
    assert moves == [("create", "problems")] + [("update", "problems")] * 3


def test_only_organisers_reassign(county: Engine) -> None:
    problem_id = add_problem(county, LIAISON, _input(), TODAY)
    for actor in (LIAISON, LEADER):
        with pytest.raises(AccessDeniedError):
            reassign_problem(county, actor, problem_id, OTHER)
    with pytest.raises(DataError) as raised:
        reassign_problem(county, ORGANISER, problem_id, "D99")
    assert raised.value.code == "unknown_department"
    reassign_problem(county, ORGANISER, problem_id, OTHER, co_departments=f"{DEPARTMENT};{OTHER}")
    row = _stored(county, problem_id)
    assert (row["department_code"], row["co_departments"]) == (OTHER, DEPARTMENT)
    with pytest.raises(AccessDeniedError):  # no longer its department's
        move_problem(county, LIAISON, problem_id, "in_progress", TODAY)
    move_problem(county, JOINT, problem_id, "in_progress", TODAY)


def test_residents_are_never_returned_to_a_leader(county: Engine) -> None:
    add_problem(county, LIAISON, _input(), TODAY)
    add_problem(county, ORGANISER, _input(department_code=OTHER, co_departments=DEPARTMENT,
                                          resident="李四"), TODAY)
    add_problem(county, ORGANISER, _input(department_code=THIRD, co_departments="",
                                          resident="王五"), TODAY)
    leader = problems_for(county, LEADER)
    assert len(leader) == 3 and "resident" not in leader.columns
    assert "resident" not in metric_problems(county, LEADER).columns
    assert problems_for(county, ORGANISER)["resident"].tolist() == ["张三", "李四", "王五"]
    mine = problems_for(county, LIAISON)  # its own (with the name) and its joint one
    assert mine["department_code"].tolist() == [DEPARTMENT, OTHER]
    assert mine["resident"].tolist() == ["张三", None]
    assert problems_for(county, STRANGER)["resident"].tolist() == ["王五"]
    with county.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.problems)
                                  ).scalar_one() == 3


def test_a_leaders_export_has_no_resident_column(county: Engine) -> None:
    import io

    import pandas as pd

    from geo.io.exports import export_bytes

    add_problem(county, LIAISON, _input(description="=HYPERLINK(\"x\")"), TODAY)
    leader = pd.read_csv(io.BytesIO(export_bytes(county, LEADER, "problems", "csv")),
                         encoding="utf-8-sig", dtype=str)
    assert "resident" not in leader.columns and len(leader) == 1
    assert leader.loc[0, "description"] == "'=HYPERLINK(\"x\")"
    organiser = pd.read_excel(io.BytesIO(export_bytes(county, ORGANISER, "problems", "xlsx")),
                              dtype=str)
    assert organiser.loc[0, "resident"] == "张三"
    stranger = pd.read_csv(io.BytesIO(export_bytes(county, STRANGER, "problems", "csv")),
                           encoding="utf-8-sig", dtype=str)
    assert stranger.empty


def test_edits_by_a_liaison_within_the_edit_window_by_organisers_always(county: Engine
                                                                        ) -> None:
    problem_id = add_problem(county, LIAISON, _input(), TODAY)
    edit_problem(county, LIAISON, problem_id, {"description": " 村口 路灯坏了两盏 ",
                                               "resident": ""}, TODAY, 7)
    row = _stored(county, problem_id)
    assert (row["description"], row["resident"]) == ("村口 路灯坏了两盏", None)
    with pytest.raises(DataError) as raised:
        edit_problem(county, LIAISON, problem_id, {"status": "resolved"}, TODAY, 7)
    assert raised.value.code == "problem_field_not_editable"
    with pytest.raises(DataError) as raised:
        edit_problem(county, LIAISON, problem_id, {"due_date": date(2026, 10, 1)}, TODAY, 7)
    assert raised.value.code == "due_before_raised"
    with pytest.raises(AccessDeniedError):
        edit_problem(county, JOINT, problem_id, {"description": "改"}, TODAY, 7)
    later = TODAY + timedelta(days=30)
    with pytest.raises(AccessDeniedError) as refused:
        edit_problem(county, LIAISON, problem_id, {"description": "改"}, later, 7)
    assert refused.value.code == "problem_edit_window_passed"
    edit_problem(county, ORGANISER, problem_id, {"category": "其他"}, later, 7)
    move_problem(county, LIAISON, problem_id, "in_progress", later)  # not limited
    updates = [a for a, entity, _ in _audit(county) if entity == "problems"]
    assert updates == ["create", "update", "update", "update"]


def test_a_liaisons_overdue_problems(county: Engine) -> None:
    old = add_problem(county, LIAISON, _input(raised_on=date(2026, 10, 1)), TODAY)
    add_problem(county, LIAISON, _input(raised_on=date(2026, 11, 20)), TODAY)  # not yet due
    add_problem(county, ORGANISER, _input(department_code=OTHER, co_departments=DEPARTMENT,
                                          raised_on=date(2026, 9, 1)), TODAY)
    assert overdue_problems_for(county, LIAISON, TODAY)["id"].tolist() == [old]
    assert overdue_problems_for(county, JOINT, TODAY)["department_code"].tolist() == [OTHER]
    assert overdue_problems_for(county, ORGANISER, TODAY).empty
    move_problem(county, LIAISON, old, "resolved", TODAY, resolved_on=TODAY)
    assert overdue_problems_for(county, LIAISON, TODAY).empty


@pytest.mark.slow  # two department reports of the sample county
def test_the_ranking_moves_when_villages_rate_a_department_unsatisfied(demo_url) -> None:
    from geo import db
    from geo.department_report import departments_report
    from geo.period import Period
    from tests.conftest import ANCHOR

    engine = db.make_engine(demo_url)
    period = Period(ANCHOR, 90)

    def row(code: str) -> dict:
        report = departments_report(engine, LEADER, period, 90)
        return next(r for r in report["departments"] if r["code"] == code)

    before = row("XS001")
    assert before["satisfaction"] is not None and before["satisfaction"] > 0.5
    village = store.load_pairings(engine).query("department_code == 'XS001'")[
        "village_code"].iloc[0]
    for day in range(1, 21):
        problem_id = add_problem(engine, ORGANISER, _input(
            village_code=village, department_code="XS001", co_departments="",
            description=f"第 {day} 件", raised_on=ANCHOR - timedelta(days=30)), ANCHOR)
        move_problem(engine, ORGANISER, problem_id, "resolved", ANCHOR,
                     resolved_on=ANCHOR - timedelta(days=day), satisfaction="不满意")
    after = row("XS001")
    assert after["satisfaction"] < before["satisfaction"]
    assert after["score"] < before["score"] and after["rank"] > before["rank"]
    engine.dispose()
