"""The sample county: real codes, plausible synthetic records, every pattern present."""

from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import pandas as pd
import pytest

from geo.crs import gauss_kruger_epsg
from geo.demo.sample import HISTORY_DAYS
from geo.demo.seed import DemoCounty, build_demo_county, read_manifest
from geo.period import active_pairings
from geo.settings import SAMPLE_DIR
from geo.text import normalize_text

ANCHOR = date(2026, 11, 28)


@pytest.fixture(scope="module")
def demo() -> DemoCounty:
    return build_demo_county(seed=42, anchor=ANCHOR)


def test_real_units_and_counts(demo: DemoCounty):
    units = demo.units
    assert units["level"].value_counts().to_dict() == {"village": 96, "township": 8, "county": 1}
    villages = units[units["level"] == "village"]
    assert villages["code"].str.len().eq(12).all()
    assert (villages["code"].str[:9] == villages["parent_code"]).all()
    assert set(villages["boundary_source"]) == {"schematic"}
    assert units.loc[units["level"] == "county", "boundary_source"].item() == "official"
    assert villages["population"].isna().sum() == 2  # "without data" must show somewhere
    assert villages["weak"].sum() >= 5


def test_departments_and_cadres(demo: DemoCounty):
    departments = demo.sample.departments
    assert 55 <= len(departments) <= 65
    assert departments["code"].is_unique and departments["name"].is_unique
    assert {"县委办公室", "县公安局", "县教育局", "县农业农村局", "县卫生健康局", "县总工会",
            "国网兴山县供电公司"} <= set(departments["name"])
    assert (departments["party_members"] > 0).all()
    cadres = demo.sample.cadres
    assert 0 < cadres["department_code"].nunique() < len(departments)


def test_pairings(demo: DemoCounty):
    pairings = demo.sample.pairings
    active = active_pairings(pairings, ANCHOR)
    villages = demo.units.loc[demo.units["level"] == "village", "code"]
    unpaired = set(villages) - set(active["village_code"])
    assert 0.07 <= len(unpaired) / len(villages) <= 0.13
    assert (active.groupby("village_code").size() == 2).sum() >= 5
    assert pairings["end_date"].notna().sum() >= 3
    assert not pairings.duplicated(["department_code", "village_code", "start_date"]).any()
    mid_month = pairings["start_date"].map(lambda d: d.day != 1)
    assert mid_month.sum() >= 3


def test_visit_history_ends_on_the_anchor(demo: DemoCounty):
    visits = demo.sample.visits
    assert 15_000 <= len(visits) <= 25_000
    assert visits["date"].max() == ANCHOR
    assert visits["date"].min() > ANCHOR - timedelta(days=HISTORY_DAYS)
    assert visits["id"].is_unique


def test_every_pattern_has_something_to_find(demo: DemoCounty):
    visits = demo.sample.visits
    villages = demo.units[demo.units["level"] == "village"]
    never = set(villages["code"]) - set(visits["village_code"])
    assert len(never) >= 3
    last = visits.groupby("village_code")["date"].max()
    assert ((ANCHOR - last).map(lambda d: d.days) >= 90).sum() >= 1  # NOT_VISITED
    key = ["department_code", "village_code", "date", "kind"]
    summary = visits["summary"].map(normalize_text)
    assert visits.assign(summary=summary).duplicated([*key, "summary"], keep=False).sum() >= 6
    empty = (summary == "") & (visits["households_visited"] == 0) & (
        visits["problems_raised"] == 0)
    assert empty.sum() >= 10
    assert (visits["problems_resolved"] > visits["problems_raised"]).any()
    assert (visits["cadre_ids"] != "").any() and (visits["record_id"] != "").any()
    paired = set(zip(demo.sample.pairings["department_code"],
                     demo.sample.pairings["village_code"], strict=True))
    outside = [(d, v) not in paired for d, v in zip(visits["department_code"],
                                                     visits["village_code"], strict=True)]
    assert any(outside)


def test_some_gps_points_fall_far_outside_their_village(demo: DemoCounty):
    visits = demo.sample.visits.dropna(subset=["lon", "lat"])
    villages = demo.units[demo.units["level"] == "village"].set_index("code")
    epsg = gauss_kruger_epsg(110.7)
    points = gpd.GeoSeries(gpd.points_from_xy(visits["lon"], visits["lat"]), crs=4326,
                           index=visits.index).to_crs(epsg)
    polygons = gpd.GeoSeries(villages.geometry.loc[visits["village_code"]].to_numpy(),
                             crs=4326, index=visits.index).to_crs(epsg)
    distance = points.distance(polygons)
    assert (distance > 2000).sum() >= 5
    assert (distance == 0).mean() > 0.9


def test_end_of_quarter_bursts_exist(demo: DemoCounty):
    visits = demo.sample.visits
    found = False
    for (_dept, year, quarter), group in visits.groupby(
        [visits["department_code"], visits["date"].map(lambda d: d.year),
         visits["date"].map(lambda d: (d.month - 1) // 3)]
    ):
        last_month = 3 * quarter + 3
        end = (date(year, last_month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        burst = (group["date"] >= end - timedelta(days=9)).sum()
        if len(group) >= 6 and 2 * burst >= len(group):
            found = True
            break
    assert found


@pytest.mark.slow  # builds the county twice more
def test_generation_is_deterministic(demo: DemoCounty):
    again = build_demo_county(seed=42, anchor=ANCHOR)
    pd.testing.assert_frame_equal(demo.sample.visits, again.sample.visits)
    other = build_demo_county(seed=7, anchor=ANCHOR)
    assert not demo.sample.visits["date"].equals(other.sample.visits["date"])


@pytest.mark.slow  # regenerates the sample files
def test_shipped_sample_files_match_the_generator(tmp_path):
    from geo.demo.seed import write_sample_files

    manifest = read_manifest()
    anchor = date.fromisoformat(manifest["anchor"])
    demo = build_demo_county(seed=manifest["seed"], anchor=anchor)
    write_sample_files(demo, tmp_path, seed=manifest["seed"], anchor=anchor)
    for name in ("departments.csv", "cadres.csv", "pairings.csv", "visits.csv",
                 "problems.csv", "villages.csv", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


# ------------------------------------------------ the habits, as the figures see them


@pytest.fixture(scope="module")
def judged(demo: DemoCounty):
    """The formalism warnings and the ranking of the demo county at its anchor."""
    from geo.departments import department_figures, ranking
    from geo.formalism import excluded_visit_ids, formalism_warnings
    from geo.inputs import CoverageInputs
    from geo.problems import department_problem_figures

    sample = demo.sample
    villages = demo.units[demo.units["level"] == "village"]
    inputs = CoverageInputs(villages, sample.pairings, sample.visits, ANCHOR, 90, 90,
                            sample.problems)
    warnings = formalism_warnings(inputs)
    figures = department_figures(inputs, sample.departments, sample.cadres,
                                 excluded_visit_ids(warnings))
    ledger = department_problem_figures(sample.problems, figures.index, inputs.period)
    ranked = ranking(figures, warnings.groupby("department_code").size(),
                     ledger["satisfaction"])
    return warnings, figures, ranked


def _with_habit(demo: DemoCounty, *habits: str) -> set[str]:
    active = set(demo.sample.departments.loc[demo.sample.departments["active"], "code"])
    return {code for code, habit in demo.sample.habits.items()
            if habit in habits and code in active}


def _warned(warnings: pd.DataFrame, code: str) -> set[str]:
    return set(warnings.loc[warnings["code"] == code, "department_code"])


def test_burst_departments_trip_end_of_period_burst(demo: DemoCounty, judged):
    warnings, _, _ = judged
    burst = _with_habit(demo, "burst")
    assert len(burst) >= 5
    assert burst <= _warned(warnings, "END_OF_PERIOD_BURST")


def test_only_the_copying_departments_write_templates(demo: DemoCounty, judged):
    warnings, _, _ = judged
    copying = _with_habit(demo, "copying")
    templated = _warned(warnings, "TEMPLATE_TEXT")
    assert copying and copying <= templated
    assert len(templated) <= 5
    rows = warnings[warnings["code"] == "TEMPLATE_TEXT"]
    assert (rows["count"] >= 5).all()
    named = {int(i) for ids in rows["visit_ids"] for i in ids}
    visits = demo.sample.visits.set_index("id").loc[sorted(named)]
    assert set(visits["department_code"]) == templated  # the warnings name their records


def test_some_visits_are_located_far_from_their_village(judged):
    warnings, _, _ = judged
    mismatches = warnings[warnings["code"] == "LOCATION_MISMATCH"]
    assert mismatches["count"].sum() >= 5


def test_departments_with_cadres_record_them_leaders_among_them(demo: DemoCounty, judged):
    _, figures, _ = judged
    sample = demo.sample
    with_cadres = set(sample.cadres["department_code"])
    visits = sample.visits[sample.visits["department_code"].isin(with_cadres)]
    assert (visits["cadre_ids"] != "").all()
    assert (sample.visits.loc[~sample.visits["department_code"].isin(with_cadres),
                              "cadre_ids"] == "").all()
    ids = visits["cadre_ids"].str.split(";").explode().astype(int)
    cadres = sample.cadres.set_index("id")
    assert set(ids) <= set(cadres.index)
    assert cadres.loc[sorted(set(ids)), "leader"].any()
    assert (figures["leader_visits"].fillna(0) > 0).sum() >= 5


def test_formalist_and_neglectful_departments_rank_in_the_bottom_third(demo: DemoCounty,
                                                                       judged):
    _, _, ranked = judged
    ranked = ranked[ranked["rank"].notna()]
    low = _with_habit(demo, "burst", "copying", "neglectful")
    assert low and low <= set(ranked.index)
    cut = len(ranked) * 2 / 3
    assert (ranked.loc[sorted(low), "rank"] > cut).all()


# ------------------------------------------------ the problem ledger


def test_problems_are_raised_on_visits_and_closed_by_later_ones(demo: DemoCounty):
    problems, visits = demo.sample.problems, demo.sample.visits.set_index("id")
    raised = visits.loc[problems["raised_visit_id"]]
    assert (raised["date"].to_numpy() == problems["raised_on"].to_numpy()).all()
    assert (raised["village_code"].to_numpy() == problems["village_code"].to_numpy()).all()
    assert (raised["department_code"].to_numpy()
            == problems["department_code"].to_numpy()).all()
    per_visit = problems.groupby("raised_visit_id").size()
    assert (per_visit <= visits.loc[per_visit.index, "problems_raised"]).all()
    closed = problems[problems["resolved_on"].notna()]
    assert set(closed["status"]) == {"resolved", "closed_unresolved"}
    assert (closed["resolved_on"] >= closed["raised_on"]).all()  # by a later visit
    # Each closing date is a later visit of the department to the village that resolved
    # at least as many problems as it closed.
    closers = visits.reset_index().drop_duplicates(
        ["department_code", "village_code", "date", "kind", "summary"]).groupby(
        ["department_code", "village_code", "date"])["problems_resolved"].sum()
    closings = closed.groupby(["department_code", "village_code", "resolved_on"]).size()
    assert (closings <= closers.reindex(closings.index).fillna(0)).all()
    open_now = problems[problems["resolved_on"].isna()]
    assert set(open_now["status"]) == {"open", "in_progress"}
    assert set(problems["satisfaction"]) == {"满意", "基本满意", "不满意", ""}


def test_careless_departments_let_problems_go_overdue_and_are_rated_lower(demo: DemoCounty):
    from geo.period import Period
    from geo.problems import department_problem_figures

    sample = demo.sample
    figures = department_problem_figures(sample.problems, sample.departments["code"],
                                         Period(ANCHOR, 90))
    habit = figures.index.map(sample.habits)
    careless = figures[habit.isin(["burst", "copying", "neglectful"])]
    careful = figures[habit.isin(["diligent", "steady"])]
    assert careless["overdue"].mean() > 3 * careful["overdue"].mean()
    assert (careless["satisfaction"].dropna().mean()
            < careful["satisfaction"].dropna().mean())
    assert figures["overdue"].sum() > 0 and (figures["overdue"] == 0).sum() >= 10
