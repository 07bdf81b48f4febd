"""Drill-down maps (``geo.drilldown``) on a two-county province built in code
(``tests.two_counties``): the level each unit's map draws, the polygon limit, shared
borders kept shared by the simplification, aggregated figures that add up, the
breadcrumb, and the map payload."""

from __future__ import annotations

import json
import re

import pytest
import shapely
from sqlalchemy import Engine

from geo import drilldown
from geo.overview import compute_overview_kpis
from geo.store import load_villages
from tests import two_counties
from tests.two_counties import AS_OF, CITY, COUNTIES, PROVINCE, TOWNSHIPS

WEST, EAST = COUNTIES
TOWN = next(iter(TOWNSHIPS[WEST]))


@pytest.fixture
def province(engine: Engine) -> Engine:
    with engine.begin() as connection:
        two_counties.add_two_counties(connection)
    return engine


@pytest.fixture
def tree(province: Engine) -> drilldown.UnitTree:
    return drilldown.load_tree(province)


def test_each_unit_opens_on_the_level_its_size_allows(tree: drilldown.UnitTree):
    villages = 2 * two_counties.VILLAGES_PER_TOWNSHIP
    assert tree.root == PROVINCE
    assert drilldown.start_code(tree) == PROVINCE
    for code in (None, PROVINCE, CITY):
        view = drilldown.choose_view(tree, code)
        assert (view.shown, sorted(view.units)) == ("county", sorted(COUNTIES))
    county = drilldown.choose_view(tree, WEST)
    assert county.shown == "village" and len(county.units) == villages
    # A county with more villages than a map may carry is drawn as its townships.
    big = drilldown.choose_view(tree, WEST, max_polygons=villages - 1)
    assert (big.shown, big.units) == ("township", sorted(TOWNSHIPS[WEST]))
    town = drilldown.choose_view(tree, TOWN)
    assert town.shown == "village"
    assert len(town.units) == two_counties.VILLAGES_PER_TOWNSHIP
    assert all(tree.units.at[v, "parent_code"] == TOWN for v in town.units)
    village = town.units[0]
    assert drilldown.choose_view(tree, village).units == town.units


def test_no_view_carries_more_polygons_than_the_limit(tree: drilldown.UnitTree):
    limit = 5
    for code in [None, *tree.units.index[tree.units["level"] != "village"]]:
        view = drilldown.choose_view(tree, code, max_polygons=limit)
        if view.shown == "village" and view.level == "township":
            continue  # a township is always its villages (6 here)
        assert len(view.units) <= limit, (code, view)


def test_breadcrumb_runs_from_the_province_down(tree: drilldown.UnitTree):
    village = drilldown.choose_view(tree, TOWN).units[0]
    names = [name for _code, name in drilldown.breadcrumb(tree, village)]
    assert names[:4] == ["湖北省", "宜昌市", COUNTIES[WEST], TOWNSHIPS[WEST][TOWN]]
    assert names[4] == tree.name(village)
    assert drilldown.breadcrumb(tree, None) == []
    assert [c for c, _n in drilldown.breadcrumb(tree, WEST)] == [PROVINCE, CITY, WEST]


def test_two_top_counties_open_on_the_whole_database(engine: Engine):
    with engine.begin() as connection:
        two_counties.add_two_counties(connection, departments=False, top="county")
    tree = drilldown.load_tree(engine)
    assert sorted(tree.roots) == sorted(COUNTIES) and tree.root is None
    view = drilldown.choose_view(tree, drilldown.start_code(tree))
    assert (view.code, view.shown, sorted(view.units)) == (None, "county", sorted(COUNTIES))


def _vertices(geometries) -> int:
    return int(shapely.get_num_coordinates(geometries).sum())


def test_simplified_counties_keep_their_shared_border(province: Engine,
                                                      tree: drilldown.UnitTree):
    shapes = drilldown.load_shapes(province, sorted(COUNTIES))
    simple = drilldown.simplified(shapes, "province")
    before, after = shapes.geometry.to_numpy(), simple.geometry.to_numpy()
    assert _vertices(after) < 0.7 * _vertices(before)
    assert shapely.coverage_is_valid(after)
    west, east = after
    assert shapely.intersection(west, east).area == pytest.approx(0, abs=1e-12)
    shared = shapely.intersection(west.boundary, east.boundary)
    # Simplified apart, the borders would cross at points; kept shared, they are one line
    # as long as the border, at least its 0.4° from south to north.
    assert shared.length >= 0.4
    # No gap opened: the two still cover what they covered.
    assert shapely.union_all(after).area == pytest.approx(shapely.union_all(before).area,
                                                          rel=1e-3)


def test_simplified_villages_of_a_county_stay_a_coverage(province: Engine,
                                                         tree: drilldown.UnitTree):
    view = drilldown.choose_view(tree, WEST)
    shapes = drilldown.load_shapes(province, view.units)
    simple = drilldown.simplified(shapes, "city").geometry.to_numpy()
    assert shapely.coverage_is_valid(simple)
    total = shapely.union_all(simple).area
    assert total == pytest.approx(sum(g.area for g in simple), rel=1e-9)  # no overlap


def test_aggregated_figures_are_the_sums_of_the_county_figures(province: Engine,
                                                              tree: drilldown.UnitTree):
    status = drilldown.village_status(province, AS_OF)
    counties = drilldown.aggregate_figures(status, tree, "county")
    villages = load_villages(province)
    for code in COUNTIES:
        mine = status[status.index.isin(tree.under(code, "village"))]
        kpis = compute_overview_kpis(mine, villages)
        row = counties.loc[code]
        assert (row["villages"], row["paired"], row["visited"], row["never_visited"],
                row["neglected"]) == (kpis.villages, kpis.paired, kpis.visited,
                                      kpis.never_visited, kpis.severe)
        assert row["visited_share"] == pytest.approx(kpis.visited_share)
    figures = list(drilldown.FIGURES)
    for level, code in (("city", CITY), ("province", PROVINCE)):
        above = drilldown.aggregate_figures(status, tree, level).loc[code, figures]
        assert above.tolist() == counties[figures].sum().tolist()
    whole = compute_overview_kpis(status, villages)
    assert counties["visited"].sum() == whole.visited > 0
    assert counties["never_visited"].sum() == whole.never_visited > 0


def _legend_counts(html: str) -> list[int]:
    """The counts of the legend's rows (its markup is a JSON string in the page)."""
    return [int(n) for n in re.findall(r"\\u003cb\\u003e(\d+)", html)]


def _names(html: str) -> list[str]:
    """The ``name`` properties of the map's features, as the browser reads them."""
    return [json.loads(f'"{text}"') for text in
            re.findall(r'"name": "((?:[^"\\]|\\.)*)"', html)]


def test_the_province_map_colours_counties_and_its_legend_adds_up(province: Engine,
                                                                  tree: drilldown.UnitTree):
    status = drilldown.village_status(province, AS_OF)
    fmap = drilldown.render_drill_map(province, tree, status, PROVINCE)
    html = fmap.get_root().render()
    assert sum(_legend_counts(html)) == len(COUNTIES)
    assert sorted(_names(html)) == sorted(COUNTIES.values())
    assert json.dumps("宜昌市")[1:-1] in html  # the city's border and name


def test_names_on_the_map_are_escaped(province: Engine, tree: drilldown.UnitTree):
    with province.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE admin_units SET short_name = '<b>x</b>&' WHERE code = ?"
            if province.dialect.name == "sqlite" else
            "UPDATE admin_units SET short_name = '<b>x</b>&' WHERE code = %s", (WEST,))
    tree = drilldown.load_tree(province)
    status = drilldown.village_status(province, AS_OF)
    html = drilldown.render_drill_map(province, tree, status, CITY).get_root().render()
    assert "<b>x" not in html
    assert "&lt;b&gt;x&lt;/b&gt;&amp;" in _names(html)


def test_payload_bytes_of_every_level(province: Engine, tree: drilldown.UnitTree):
    sizes = {level: drilldown.map_payload_bytes(province, level)
             for level in drilldown.MAP_LEVELS}
    assert all(0 < size <= drilldown.MAX_PAYLOAD_BYTES for size in sizes.values())
    status = drilldown.village_status(province)
    county = drilldown.render_drill_map(province, tree, status, WEST).get_root().render()
    assert drilldown.map_payload_bytes(province, "county", WEST) == len(county.encode())
    with pytest.raises(ValueError):
        drilldown.map_payload_bytes(province, "village")


def test_map_features_are_the_views_units(province: Engine, tree: drilldown.UnitTree):
    status = drilldown.village_status(province, AS_OF)
    html = drilldown.render_drill_map(province, tree, status, TOWN).get_root().render()
    codes = set(re.findall(r'"code": ?"(\d{12})"', html))
    assert codes == set(drilldown.choose_view(tree, TOWN).units)
