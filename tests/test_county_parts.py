"""Coverage computed county by county (what the pages keep per county, ``ui.loaders``)
equals the coverage of the whole database, and a write scoped to a county's villages
changes that county's cache key only (``geo.store.data_versions``). On a two-county
province built in code (``tests.two_counties``), with figures, problems and visits that
differ between the counties."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, insert, update

from geo import problem_service, records, reports, schema, store
from geo.access import Role, User
from geo.inputs import concat_inputs
from geo.overview import build_overview, combine_overviews, overview_for
from geo.period import Period
from tests import two_counties
from tests.two_counties import AS_OF, TOWNSHIPS

SYSTEM = User("system", Role.ADMIN)
PERIOD = Period(AS_OF, 30)


@pytest.fixture
def province(engine: Engine) -> Engine:
    with engine.begin() as connection:
        two_counties.add_two_counties(connection)
        villages = schema.admin_units
        for county_number, county in enumerate(TOWNSHIPS, start=1):
            for town in TOWNSHIPS[county]:
                for n in range(1, two_counties.VILLAGES_PER_TOWNSHIP + 1):
                    # populations differ by county, so a need index scaled over the
                    # wrong villages would show
                    connection.execute(update(villages).where(
                        villages.c.code == f"{town[:9]}{n:03d}").values(
                        population=300 * county_number * n + 7 * n * n,
                        households=100 + 13 * n, left_behind_elderly=5 * n + county_number,
                        low_income_households=(3 * n) % 7, weak=n == 5))
        first = next(iter(TOWNSHIPS))
        town = next(iter(TOWNSHIPS[first]))
        connection.execute(insert(schema.problems), [
            {"village_code": f"{town[:9]}001", "raised_on": AS_OF - timedelta(days=60),
             "department_code": "D01", "category": "基础设施", "description": "路面破损",
             "due_date": AS_OF - timedelta(days=30), "status": "open"},
            {"village_code": f"{town[:9]}004", "raised_on": AS_OF - timedelta(days=5),
             "department_code": "D01", "category": "基础设施", "description": "水压低",
             "due_date": AS_OF + timedelta(days=25), "status": "open"}])
        store.bump_data_version(connection)
    return engine


def test_the_counties_computed_apart_add_up_to_the_whole(province: Engine):
    departments = store.load_departments(province)
    whole_inputs = reports.load_coverage_inputs(province, SYSTEM, PERIOD, 60)
    whole = build_overview(whole_inputs, departments)
    counties = store.village_counties(province)
    assert counties == sorted(code[:6] for code in TOWNSHIPS)
    parts = [reports.load_coverage_inputs(province, SYSTEM, PERIOD, 60, county)
             for county in counties]
    combined = combine_overviews([build_overview(part, departments) for part in parts])
    assert asdict(combined.kpis) == asdict(whole.kpis)
    assert asdict(combined.previous) == asdict(whole.previous)
    assert combined.kpis.overdue_problems == 1 and combined.kpis.villages == 24
    pd.testing.assert_frame_equal(combined.status, whole.status)
    assert whole.status["need"].nunique() > 2  # the figures made the need index differ
    joined = concat_inputs(parts)
    for name in ("villages", "pairings", "visits", "problems"):
        assert len(getattr(joined, name)) == len(getattr(whole_inputs, name)), name


def test_one_part_combines_to_itself(province: Engine):
    departments = store.load_departments(province)
    part = build_overview(reports.load_coverage_inputs(province, SYSTEM, PERIOD, 60, "420526"),
                          departments)
    assert combine_overviews([part]) is part
    with pytest.raises(ValueError):
        combine_overviews([])


def _visit(village: str) -> records.VisitInput:
    return records.VisitInput(date=AS_OF - timedelta(days=1), department_code="D01",
                              village_code=village, kind="政策宣讲", summary="入户走访")


def test_a_visit_changes_its_own_county_key_only(province: Engine):
    west, east = (code[:6] for code in TOWNSHIPS)
    west_town = next(iter(TOWNSHIPS[next(iter(TOWNSHIPS))]))
    before = store.data_versions(province)
    visit_id = records.add_visit(province, SYSTEM, _visit(f"{west_town[:9]}005"), AS_OF)
    after = store.data_versions(province)
    assert after.version == before.version + 1
    assert after.county_key(west) != before.county_key(west)
    assert after.county_key(east) == before.county_key(east)
    assert after.unscoped == before.unscoped

    east_town = next(iter(TOWNSHIPS[list(TOWNSHIPS)[1]]))
    moved = records.VisitInput(**{**asdict(_visit(f"{east_town[:9]}005"))})
    records.update_visit(province, SYSTEM, visit_id, moved, AS_OF, 30)
    moved_away = store.data_versions(province)
    assert moved_away.county_key(west) != after.county_key(west)  # it left the west
    assert moved_away.county_key(east) != after.county_key(east)  # and came east

    records.delete_visit(province, SYSTEM, visit_id, AS_OF, 30)
    deleted = store.data_versions(province)
    assert deleted.county_key(east) != moved_away.county_key(east)
    assert deleted.county_key(west) == moved_away.county_key(west)


def test_a_write_that_names_no_county_changes_every_key(province: Engine):
    before = store.data_versions(province)
    with province.begin() as connection:
        store.bump_data_version(connection)
    after = store.data_versions(province)
    assert after.unscoped == before.unscoped + 1
    for code in TOWNSHIPS:
        assert after.county_key(code[:6]) != before.county_key(code[:6])


def test_a_problem_and_its_note_change_their_county_key_only(province: Engine):
    west, east = (code[:6] for code in TOWNSHIPS)
    east_town = next(iter(TOWNSHIPS[list(TOWNSHIPS)[1]]))
    before = store.data_versions(province)
    problem_id = problem_service.add_problem(province, SYSTEM, problem_service.ProblemInput(
        village_code=f"{east_town[:9]}002", department_code="D02", category="基础设施",
        description="桥面裂缝", raised_on=AS_OF - timedelta(days=2)), AS_OF)
    added = store.data_versions(province)
    assert added.county_key(east) != before.county_key(east)
    assert added.county_key(west) == before.county_key(west)
    problem_service.add_note(province, SYSTEM, problem_id, "已联系交通局")
    noted = store.data_versions(province)
    assert noted.county_key(east) != added.county_key(east)
    assert noted.county_key(west) == before.county_key(west)


def test_the_overview_of_a_drilled_county_is_that_county_s_own(province: Engine):
    departments = store.load_departments(province)
    inputs = reports.load_coverage_inputs(province, SYSTEM, PERIOD, 60)
    whole = build_overview(inputs, departments)
    for county in store.village_counties(province):
        own = build_overview(reports.load_coverage_inputs(province, SYSTEM, PERIOD, 60,
                                                          county), departments)
        codes = [code for code in whole.status.index if code.startswith(county)]
        drilled = overview_for(whole, inputs, codes)
        assert asdict(drilled.kpis) == asdict(own.kpis), county
        assert asdict(drilled.previous) == asdict(own.previous), county
        pd.testing.assert_frame_equal(drilled.status, own.status)
    first = next(iter(TOWNSHIPS))
    town = next(iter(TOWNSHIPS[first]))
    codes = [code for code in whole.status.index if code.startswith(town[:9])]
    drilled = overview_for(whole, inputs, codes)
    # the township of the two problems: one overdue (due 30 days ago), one not yet due
    assert drilled.kpis.villages == two_counties.VILLAGES_PER_TOWNSHIP
    assert drilled.kpis.overdue_problems == 1
    assert drilled.kpis.paired == 4 and drilled.kpis.visited == 2
