"""Plans against the database (geo.plan_service): commit writes exactly the accepted rows in
one transaction with audit entries and a new data version, a failure half-way writes
nothing, the last commit can be undone that day; on SQLite and PostgreSQL. And on the
sample county the planner covers every unpaired village that the places allow."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import insert, select

from geo import db, plan_service, schema, store
from geo.access import Role, User
from geo.auth import cli_user
from geo.errors import AccessDeniedError, DataError
from geo.planner import PAIRING_KIND, PlanSettings, department_capacity

T = date(2026, 11, 28)
COUNTY = "420526"
TOWNSHIP = "420526101"
VILLAGES = [f"{TOWNSHIP}{n:03d}" for n in (1, 2, 3, 4)]


def tiny_county(engine) -> None:
    """One township, four villages (points), three departments, one pairing."""
    units = gpd.GeoDataFrame({
        "code": [COUNTY, TOWNSHIP, *VILLAGES],
        "name": ["兴山县", "古夫镇", *[f"第{n}村村民委员会" for n in range(1, 5)]],
        "short_name": ["兴山县", "古夫镇", *[f"第{n}村" for n in range(1, 5)]],
        "level": ["county", "township", "village", "village", "village", "village"],
        "parent_code": [None, COUNTY, TOWNSHIP, TOWNSHIP, TOWNSHIP, TOWNSHIP],
        "kind": [None, None, "村", "村", "村", "村"],
        "boundary_source": ["official", "schematic", "schematic", "schematic", "schematic",
                            "schematic"],
    }, geometry=[shapely.box(110.6, 31.2, 111.0, 31.5), shapely.box(110.6, 31.2, 111.0, 31.5),
                 *[shapely.Point(110.7 + 0.05 * n, 31.35) for n in range(4)]], crs=4326)
    departments = pd.DataFrame({
        "code": ["D1", "D2", "D3"], "name": ["县委办", "县财政局", "县教育局"],
        "kind": ["党政机关", "经济", "教科文卫"], "party_members": [30, 15, 15],
        "seat_lon": [110.7, 110.9, 110.8], "seat_lat": [31.35, 31.35, 31.35],
        "active": [True, True, True]})
    pairings = pd.DataFrame({"id": [1], "department_code": ["D3"], "village_code": [VILLAGES[3]],
                             "kind": [PAIRING_KIND], "start_date": [date(2025, 1, 1)],
                             "end_date": [None], "required_visits_per_month": [1],
                             "note": [None]})
    empty_cadres = pd.DataFrame(columns=["id", "department_code", "name", "leader", "active"])
    empty_visits = pd.DataFrame(columns=["id", "date", "department_code", "village_code",
                                         "kind"])
    store.replace_all(engine, units, departments, empty_cadres, pairings, empty_visits)


def plan_of(engine):
    data = plan_service.load_plan_data(engine, cli_user(), T, 90, 90)
    return data, plan_service.make_plan(data)


def counts(engine) -> tuple[int, int, int]:
    rows = store.count_rows(engine)
    return rows["pairings"], rows["audit_log"], store.data_version(engine)


def test_the_tiny_county_plans_its_three_unpaired_villages(engine):
    tiny_county(engine)
    data, plan = plan_of(engine)
    # Four candidates of equal priority (three unpaired, one paired but never visited);
    # D1 has 2 places, D2 1, D3 0 (one pairing, 15 members): the nearest three are taken.
    assert [(p.department_code, p.village_code) for p in plan.proposals] == [
        ("D1", VILLAGES[0]), ("D1", VILLAGES[1]), ("D2", VILLAGES[3])]
    assert plan.uncovered == (VILLAGES[2],) and plan.note == "short"
    sheet = plan_service.plan_sheet(plan, data)
    assert list(sheet.columns) == ["序号", "单位", "村", "乡镇", "结对类型", "开始日期",
                                   "距离(公里)", "理由"]
    assert sheet.iloc[0].tolist()[:6] == [1, "县委办", "第1村", "古夫镇", "结对共建",
                                          "2026-11-28"]
    assert sheet["理由"].tolist() == ["未结对", "未结对", "从未走访"]


def test_proposal_rows_say_whom_a_village_is_already_paired_with(engine):
    """Village 4 is paired with D3 and never visited: its proposal adds a second
    department, and the row says who is there already; the unpaired ones say nothing."""
    tiny_county(engine)
    data, plan = plan_of(engine)
    rows = plan_service.proposal_rows(plan, data)
    assert dict(zip(rows["village_code"], rows["paired_with"], strict=True)) == {
        VILLAGES[0]: "", VILLAGES[1]: "", VILLAGES[3]: "县教育局"}


def test_commit_writes_exactly_the_accepted_rows_with_audit_and_version(engine):
    tiny_county(engine)
    _, plan = plan_of(engine)
    pairings_before, audit_before, version_before = counts(engine)
    accepted = [("D1", VILLAGES[1]), ("D2", VILLAGES[3])]
    result = plan_service.commit_plan(engine, cli_user(), plan, accepted)
    pairings = store.load_pairings(engine)
    new = pairings[pairings["id"].isin(result.pairing_ids)]
    assert sorted(zip(new["department_code"], new["village_code"], strict=True)) == accepted
    assert set(new["kind"]) == {PAIRING_KIND} and set(new["start_date"]) == {T}
    assert new["end_date"].isna().all()
    assert counts(engine) == (pairings_before + 2, audit_before + 3, version_before + 1)
    log = store.load_audit(engine).tail(3)
    assert log["action"].tolist() == ["create", "create", "plan_commit"]
    assert set(log["username"]) == {cli_user().username}
    assert json.loads(log["after"].iloc[-1])["pairing_ids"] == list(result.pairing_ids)
    # Planned again: village 4 is at its limit of two, D2 has no place left.
    _, again = plan_of(engine)
    assert [p.village_code for p in again.proposals] == [VILLAGES[0]]


def test_a_failure_half_way_writes_nothing(engine, monkeypatch):
    tiny_county(engine)
    _, plan = plan_of(engine)
    before = counts(engine)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(plan_service, "write_audits", broken)
    with pytest.raises(RuntimeError):
        plan_service.commit_plan(engine, cli_user(), plan)
    assert counts(engine) == before


def test_an_overlap_found_at_commit_time_writes_nothing(engine):
    tiny_county(engine)
    _, plan = plan_of(engine)
    with engine.begin() as connection:  # someone pairs D2 with village 4 meanwhile
        connection.execute(insert(schema.pairings).values(
            department_code="D2", village_code=VILLAGES[3], kind=PAIRING_KIND,
            start_date=date(2026, 11, 1), required_visits_per_month=1))
    before = counts(engine)
    with pytest.raises(DataError) as caught:
        plan_service.commit_plan(engine, cli_user(), plan)
    assert caught.value.code == "plan_commit_overlap"
    assert counts(engine) == before


def test_commit_refuses_pairs_not_in_the_plan_and_other_roles(engine):
    tiny_county(engine)
    _, plan = plan_of(engine)
    with pytest.raises(DataError) as caught:
        plan_service.commit_plan(engine, cli_user(), plan, [("D3", VILLAGES[0])])
    assert caught.value.code == "plan_commit_unknown"
    leader = User(username="lead", role=Role.LEADER, display_name="lead")
    with pytest.raises(AccessDeniedError):
        plan_service.commit_plan(engine, leader, plan)
    with pytest.raises(AccessDeniedError):
        plan_service.load_plan_data(engine, leader, T, 90, 90)


def test_the_last_commit_is_undone_that_day_and_only_once(engine):
    tiny_county(engine)
    _, plan = plan_of(engine)
    before = store.load_pairings(engine)
    result = plan_service.commit_plan(engine, cli_user(), plan)
    used = result.pairing_ids[0]
    with engine.begin() as connection:  # a visit under the first new pairing
        pairing = connection.execute(select(schema.pairings).where(
            schema.pairings.c.id == used)).one()
        connection.execute(insert(schema.visits).values(
            date=T, department_code=pairing.department_code,
            village_code=pairing.village_code, kind="走访慰问", source="form"))
    today = plan_service.local_now().date()
    with pytest.raises(DataError) as caught:
        plan_service.undo_last_commit(engine, cli_user(), date(2000, 1, 1))
    assert caught.value.code == "plan_undo_too_late"
    version = store.data_version(engine)
    undone = plan_service.undo_last_commit(engine, cli_user(), today)
    assert undone["ended"] == [used]
    assert sorted(undone["removed"]) == sorted(result.pairing_ids[1:])
    after = store.load_pairings(engine)
    assert len(after) == len(before) + 1
    assert after.set_index("id").at[used, "end_date"] == today
    assert store.data_version(engine) == version + 1
    log = store.load_audit(engine)
    assert log["action"].iloc[-1] == "plan_undo"
    assert log["entity_key"].iloc[-1] == str(result.audit_id)
    with pytest.raises(DataError) as caught:
        plan_service.undo_last_commit(engine, cli_user(), today)
    assert caught.value.code == "plan_nothing_to_undo"


@pytest.fixture
def demo_engine(demo_url: str):
    """The sample county on each backend."""
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


def test_on_the_sample_county_every_unpaired_village_the_places_allow_is_covered(demo_engine):
    data = plan_service.load_plan_data(demo_engine, cli_user(), T, 90, 90)
    unpaired = data.coverage[~data.coverage["paired"]].index
    assert len(unpaired) > 0
    for members in (15, 60, 400):  # plenty of places, fewer, very few
        settings = PlanSettings(reasons=("UNPAIRED",), members_per_village=members)
        plan = plan_service.make_plan(data, settings)
        places = department_capacity(data.departments, data.pairings, T, members)
        covered = {p.village_code for p in plan.proposals}
        assert covered <= set(unpaired)
        assert len(covered) == min(len(unpaired), int(places.sum()))
        assert plan.covered == len(covered) and plan.candidates == len(unpaired)
        if len(covered) < len(unpaired):
            assert plan.note == ("short" if covered else "no_capacity")
            assert len(plan.uncovered) == len(unpaired) - len(covered)
            # The uncovered are never more urgent than a covered one.
            priority = data.coverage["priority"].round(4)
            if covered:
                assert priority[list(plan.uncovered)].max() <= priority[list(covered)].min()
