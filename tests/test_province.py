"""The province sample's seeding logic on two tiny counties built in code (the real
Hubei sample is for the benchmark and the app, not for the tests): levels and parent
codes, the carved county, departments of their own county, and the bulk writer."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import Engine, func, select

from geo import plan_service, reports, schema, store
from geo.auth import cli_user
from geo.demo.province import (
    carve,
    city_and_province_units,
    county_units,
    province_units,
)
from geo.demo.province_sample import generate_province_sample
from geo.demo.reference import DIRECT_CITY_CODE, DIRECT_CITY_NAME, PROVINCE_CODE
from geo.errors import DataError
from geo.io.bulk_write import insert_frame
from geo.period import Period
from geo.planner import PlanSettings
from geo.records import metric_visits

ANCHOR = date(2026, 11, 28)
JINGZHOU, DEVELOPMENT_ZONE, XIANTAO = "421003", "421071", "429004"
TOWNS = {JINGZHOU: 2, DEVELOPMENT_ZONE: 1, XIANTAO: 2}
VILLAGES_PER_TOWN = 7


def _outlines() -> gpd.GeoDataFrame:
    """Two real codes with square outlines (a vertex every 0.005°, as a real outline has
    them); 421071 has none (it is carved)."""
    squares = [shapely.box(112.0, 30.3, 112.2, 30.5), shapely.box(113.3, 30.3, 113.5, 30.45)]
    return gpd.GeoDataFrame(
        {"code": [JINGZHOU, XIANTAO], "name": ["荆州区", "仙桃市"], "city": ["荆州市", "仙桃市"]},
        geometry=shapely.segmentize(squares, 0.005), crs=4326)


def _codes() -> pd.DataFrame:
    names = {JINGZHOU: "荆州区", DEVELOPMENT_ZONE: "荆州经济技术开发区", XIANTAO: "仙桃市"}
    rows = []
    for county, towns in TOWNS.items():
        for t in range(1, towns + 1):
            town = f"{county}{100 + t:03d}"
            for v in range(1, VILLAGES_PER_TOWN + 1):
                rows.append({"code": f"{town}{200 + v:03d}", "name": f"第{v}村村民委员会",
                             "townCode": town, "townName": f"第{t}镇", "countyCode": county,
                             "countyName": names[county]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def units() -> gpd.GeoDataFrame:
    return province_units(_outlines(), _codes(), seed=3, jobs=1)


@pytest.fixture(scope="module")
def sample(units: gpd.GeoDataFrame):
    villages = units[units["level"] == "village"].reset_index(drop=True)
    counties = units[units["level"] == "county"][["code", "name"]]
    return generate_province_sample(villages, counties, ANCHOR, seed=3, visits=4000)


def test_carving_cuts_the_share_on_the_bearing_without_overlap():
    square = shapely.box(112.0, 30.0, 112.2, 30.2)
    carved, rest = carve(square, 0.25, 90.0)
    assert carved.area / square.area == pytest.approx(0.25, abs=0.01)
    assert carved.centroid.x > rest.centroid.x  # east
    assert carved.intersection(rest).area < 1e-12
    # Cut in the Gauss-Krüger zone: the cut's ends lie on the projected edges, a sliver
    # (here under 0.02%) off the straight lon/lat edges of a square.
    assert carved.union(rest).symmetric_difference(square).area < 2e-4 * square.area
    south_east, _ = carve(square, 0.1, 135.0)
    assert south_east.centroid.x > square.centroid.x > south_east.centroid.y - 81.9


def test_levels_and_parent_codes(units: gpd.GeoDataFrame):
    levels = units.groupby("level").size().to_dict()
    assert levels == {"province": 1, "city": 2, "county": 3, "township": 5, "village": 35}
    parent = dict(zip(units["code"], units["parent_code"], strict=True))
    level = dict(zip(units["code"], units["level"], strict=True))
    assert pd.isna(parent[PROVINCE_CODE])
    for code, kind in level.items():
        if kind == "city":
            assert parent[code] == PROVINCE_CODE and len(code) == 4
        if kind == "county":
            assert parent[code] == code[:4] and level[parent[code]] == "city"
        if kind == "township":
            assert parent[code] == code[:6] and level[parent[code]] == "county"
        if kind == "village":
            assert parent[code] == code[:9] and level[parent[code]] == "township"
    names = dict(zip(units["code"], units["name"], strict=True))
    assert names[DIRECT_CITY_CODE] == DIRECT_CITY_NAME and names["4210"] == "荆州市"
    assert units.geometry.notna().all() and units.geometry.is_valid.all()


def test_the_carved_county_takes_its_share_from_its_neighbour(units: gpd.GeoDataFrame):
    shapes = units.set_index("code").geometry
    source = units.set_index("code")["boundary_source"]
    zone, rest = shapes[DEVELOPMENT_ZONE], shapes[JINGZHOU]
    original = _outlines().set_index("code").geometry[JINGZHOU]
    assert zone.intersection(rest).area < 1e-9
    assert zone.union(rest).symmetric_difference(original).area < 2e-4 * original.area
    villages = {c: TOWNS[c] * VILLAGES_PER_TOWN for c in TOWNS}
    share = villages[DEVELOPMENT_ZONE] / (villages[DEVELOPMENT_ZONE] + villages[JINGZHOU])
    assert zone.area / original.area == pytest.approx(share, abs=0.01)
    assert source[DEVELOPMENT_ZONE] == source[JINGZHOU] == "schematic"
    assert source[XIANTAO] == "official"
    assert (units.loc[units["level"].isin(["township", "village"]), "boundary_source"]
            == "schematic").all()


def test_villages_tile_their_own_county(units: gpd.GeoDataFrame):
    shapes = units.set_index("code").geometry
    villages = units[units["level"] == "village"]
    for county in TOWNS:
        mine = villages[villages["code"].str[:6] == county]
        tiled = shapely.union_all(mine.geometry.to_numpy())
        assert tiled.symmetric_difference(shapes[county]).area < 1e-4 * shapes[county].area
        assert shapely.area(mine.geometry.to_numpy()).sum() == pytest.approx(
            tiled.area, rel=1e-6)  # no overlap


def test_cities_and_province_are_unions_of_their_counties(units: gpd.GeoDataFrame):
    counties = county_units(_outlines(), _codes())
    upper = city_and_province_units(counties).set_index("code").geometry
    jingzhou = shapely.union_all(counties[counties["code"].str[:4] == "4210"].geometry)
    assert upper["4210"].symmetric_difference(jingzhou).area < 0.01 * jingzhou.area
    assert upper[PROVINCE_CODE].area == pytest.approx(upper["4210"].area + upper["4290"].area,
                                                      rel=0.01)


def test_departments_pair_and_visit_only_their_own_county(sample):
    departments = sample.departments
    assert set(departments["county_code"]) == set(TOWNS)
    assert departments["code"].is_unique
    county_of = departments.set_index("code")["county_code"]
    for frame in (sample.pairings, sample.visits, sample.problems):
        assert (frame["department_code"].map(county_of)
                == frame["village_code"].str[:6]).all()
    assert not departments.groupby("county_code")["active"].all().any()  # one merged away
    assert set(sample.habits.values()) <= {"diligent", "steady", "burst", "neglectful",
                                           "copying"}


def test_visits_keep_the_county_sample_habits(sample):
    visits = sample.visits
    assert len(visits) == pytest.approx(4000, rel=0.15)
    assert visits["id"].is_unique and visits["date"].max() <= ANCHOR
    assert set(visits["kind"]) <= set(schema.VISIT_KINDS)
    assert (visits["summary"] == "").any()  # empty records
    keyed = visits.duplicated(["department_code", "village_code", "date", "kind", "summary"])
    assert keyed.any()  # keyed in twice
    numbered = visits[visits["record_id"] != ""]
    assert numbered.groupby("department_code")["record_id"].apply(lambda s: s.is_unique).all()
    problems = sample.problems
    closed = problems["status"].isin(["resolved", "closed_unresolved"])
    assert (problems["resolved_on"].notna() == closed).all()
    assert (problems.loc[closed, "resolved_on"] >= problems.loc[closed, "raised_on"]).all()
    raised = visits.set_index("id")["problems_raised"]
    per_visit = problems.groupby("raised_visit_id").size()
    assert (per_visit <= raised[per_visit.index]).all()


def _write(engine: Engine, units: gpd.GeoDataFrame, sample) -> None:
    villages = sample.villages.drop(columns="geometry")
    figures = villages[["code", *schema.VILLAGE_FIGURES, "weak"]]
    lower = units[units["level"] == "village"].merge(figures, on="code")
    all_units = gpd.GeoDataFrame(pd.concat([units[units["level"] != "village"], lower],
                                           ignore_index=True), geometry="geometry", crs=4326)
    store.replace_all(engine, all_units, sample.departments, sample.cadres, sample.pairings,
                      sample.visits, problems=sample.problems, insert_rows=insert_frame)


def test_the_bulk_writer_loads_the_tiny_province(engine: Engine, units, sample):
    _write(engine, units, sample)
    counts = store.count_rows(engine)
    assert counts["admin_units"] == len(units)
    assert counts["visits"] == len(sample.visits)
    assert counts["problems"] == len(sample.problems)
    with engine.connect() as connection:
        stored = dict(connection.execute(select(schema.departments.c.code,
                                                schema.departments.c.county_code)).all())
        max_id = connection.execute(select(func.max(schema.visits.c.id))).scalar_one()
    assert stored == dict(zip(sample.departments["code"], sample.departments["county_code"],
                              strict=True))
    loaded = store.load_visits(engine).sort_values("id", ignore_index=True)
    first = sample.visits.iloc[0]
    assert loaded.loc[0, "date"] == first["date"]
    assert loaded.loc[0, "summary"] == first["summary"]
    assert max_id == len(sample.visits)
    assert store.load_units(engine, "city")["code"].tolist() == ["4210", "4290"]


def test_coverage_and_the_planner_keep_to_one_county(engine: Engine, units, sample):
    _write(engine, units, sample)
    period = Period(ANCHOR, 90)
    inputs = reports.load_coverage_inputs(engine, cli_user(), period, 90,
                                          county=XIANTAO)
    townships = store.load_townships(engine, XIANTAO)  # read in SQL
    report = reports.coverage_report(inputs, townships)
    assert report["totals"]["villages"] == TOWNS[XIANTAO] * VILLAGES_PER_TOWN
    assert {v["code"][:6] for v in report["villages"]} == {XIANTAO}
    assert {t["code"][:6] for t in report["townships"]} == {XIANTAO}
    with pytest.raises(DataError):
        reports.load_coverage_inputs(engine, cli_user(), period, 90, county="429999")
    scoped = metric_visits(engine, cli_user(), ANCHOR, XIANTAO)  # filtered in SQL
    expected = sample.visits[(sample.visits["village_code"].str[:6] == XIANTAO)
                             & (sample.visits["date"] <= ANCHOR)]
    assert sorted(scoped["id"]) == sorted(expected["id"])
    data = plan_service.load_plan_data(engine, cli_user(), ANCHOR, 90, 90)
    plan = plan_service.make_plan(data, PlanSettings(max_per_village=3))
    county_of = sample.departments.set_index("code")["county_code"]
    assert plan.proposals
    assert all(county_of[p.department_code] == p.village_code[:6] for p in plan.proposals)
