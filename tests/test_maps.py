"""The village map: colours, legend counts, escaping, schematic note, offline links."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.inputs import CoverageInputs
from geo.maps import (
    MAX_ZOOM,
    STATUS_COLOURS,
    TOOLTIP_PANE,
    build_village_map,
    escape,
    legend_markup,
    map_labels,
    tile_layer,
)
from geo.offline import configure_offline_assets
from geo.problems import empty_problems
from geo.status import compute_village_status
from tests.offline_checks import remote_asset_links

PAYLOAD = '<img src=x onerror="alert(1)">'
LABELS = map_labels("zh", 90)


def _units(source: str = "schematic") -> tuple[gpd.GeoDataFrame, ...]:
    county = gpd.GeoDataFrame({"code": ["420526"], "short_name": ["兴山县"],
                               "boundary_source": ["official"]},
                              geometry=[shapely.box(110, 31, 110.3, 31.1)], crs=4326)
    townships = gpd.GeoDataFrame({"code": ["420526101"], "short_name": [f"古夫镇{PAYLOAD}"],
                                  "boundary_source": [source]},
                                 geometry=[shapely.box(110, 31, 110.3, 31.1)], crs=4326)
    villages = gpd.GeoDataFrame(
        {"code": ["V1", "V2", "V3"], "short_name": [PAYLOAD, "咸水村", "平水村"],
         "parent_code": ["420526101"] * 3, "boundary_source": [source] * 3,
         **{figure: pd.array([None] * 3, dtype="Int64")
            for figure in ("population", "households", "left_behind_elderly",
                           "low_income_households")},
         "weak": [False] * 3},
        geometry=[shapely.box(110 + i / 10, 31, 110.1 + i / 10, 31.1) for i in range(3)],
        crs=4326,
    )
    return county, townships, villages


def _status(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    pairings = pd.DataFrame({"id": [1, 2], "department_code": ["D1", "D1"],
                             "village_code": ["V1", "V2"],
                             "start_date": [date(2025, 1, 1)] * 2, "end_date": [None, None],
                             "required_visits_per_month": [1, 1]})
    visits = pd.DataFrame({"village_code": ["V1"], "date": [date(2026, 6, 1)],
                           "department_code": ["D1"], "problems_raised": [0],
                           "problems_resolved": [0]})
    departments = pd.DataFrame({"code": ["D1"], "name": ["<script>alert(2)</script>局"]})
    return compute_village_status(
        CoverageInputs(villages, pairings, visits, date(2026, 6, 30), 90, 90,
                       empty_problems()), departments)


def _build(source: str = "schematic"):
    configure_offline_assets()
    county, townships, villages = _units(source)
    return build_village_map(villages, townships, county, _status(villages), LABELS)


def _legend(fmap) -> str:
    return next(child.markup for child in fmap._children.values()
                if type(child).__name__ == "_Legend")


@pytest.fixture(scope="module")
def fmap():
    return _build()


@pytest.fixture(scope="module")
def html(fmap) -> str:
    return fmap.get_root().render()


def test_user_text_is_escaped_everywhere(fmap, html: str):
    assert PAYLOAD not in html
    assert "<script>alert(2)" not in html
    villages = next(child for child in fmap._children.values()
                    if getattr(child, "layer_name", "") == "villages")
    shown = {f["properties"]["name"]: f["properties"] for f in villages.data["features"]}
    assert escape(PAYLOAD) in shown  # the tooltip writes innerHTML: values arrive escaped
    assert shown["咸水村"]["departments"] == "&lt;script&gt;alert(2)&lt;/script&gt;局"


def test_legend_counts_every_status_and_says_schematic(fmap):
    legend = _legend(fmap)
    for colour in STATUS_COLOURS.values():
        assert colour in legend
    # V1 paired and visited, V2 paired never visited, V3 unpaired and never visited.
    assert "村（社区）服务状态（近期＝近 90 天）" in legend
    assert "已结对·近期有走访：<b>1 个</b>" in legend
    assert "已结对·超期未走访：<b>0 个</b>" in legend
    assert "已结对·从未走访：<b>1 个</b>" in legend
    assert "未结对·近期有走访：<b>0 个</b>" in legend
    assert "未结对·近期无走访：<b>1 个</b>" in legend
    assert "其中从未走访（斜线）：<b>1 个</b>" in legend
    assert legend.endswith("示意边界</div></div>")


def test_unpaired_never_visited_villages_are_hatched(fmap, html: str):
    villages = next(child for child in fmap._children.values()
                    if getattr(child, "layer_name", "") == "villages")
    fills = {f["properties"]["code"]: f["properties"]["fill"]
             for f in villages.data["features"]}
    assert fills == {"V1": STATUS_COLOURS["paired_visited"],
                     "V2": STATUS_COLOURS["paired_never"], "V3": "url(#pairmap-hatch)"}
    assert 'id: "pairmap-hatch"' in html  # the pattern is defined in the map itself


def test_legend_markup_escapes_its_text():
    markup = legend_markup("<b>t</b>", [("#000", "<i>x</i>", 3)], "{count} 个", None)
    assert "&lt;b&gt;t&lt;/b&gt;" in markup and "&lt;i&gt;x&lt;/i&gt;" in markup
    assert "<i>" not in markup


def test_no_remote_links_and_max_zoom(fmap, html: str):
    assert remote_asset_links(html) == []
    assert fmap.options["max_zoom"] == MAX_ZOOM


def test_official_boundaries_drop_the_schematic_note():
    assert "示意边界" not in _legend(_build(source="official"))


def test_tile_settings():
    assert tile_layer("none") is None
    assert tile_layer("osm")[0].startswith("https://tile.openstreetmap.org/")
    assert "tk=KEY" in tile_layer("tianditu", "KEY")[0]
    assert tile_layer("http://tiles.intranet/{z}/{x}/{y}.png")[0] == (
        "http://tiles.intranet/{z}/{x}/{y}.png")


def test_the_map_refits_its_view_and_offers_the_whole_county(html: str):
    # The county's box, fitted again whenever the frame changes size, and a reset control.
    assert "var county = L.latLngBounds([[31.0, 110.0], [31.1, 110.3]]);" in html
    assert "new ResizeObserver" in html and '"\\u56de\\u5230\\u5168\\u53bf"' in html
    # The legend folds away and stays clear of the county (padding by its width).
    assert "pairmap-legend-body" in html and "paddingBottomRight" in html


def test_the_fit_watches_the_legend_and_tooltips_draw_above_it(html: str):
    # The fit runs again when the legend or a control changes size (Leaflet's stylesheet
    # arriving after the map was fitted narrows the legend; the fit made before had left
    # it no room), and the village tooltips live in a pane above the legend.
    assert '[".pairmap-legend", ".leaflet-control-zoom", ".pairmap-reset-view"]' in html
    assert "observer.observe(node)" in html
    assert f'"pane": "{TOOLTIP_PANE}"' in html
    assert f'createPane("{TOOLTIP_PANE}", map.getContainer())' in html
    assert "pane.style.zIndex = 1100" in html


def test_the_attribution_says_leaflet_in_words(html: str):
    assert 'attributionControl.setPrefix("Leaflet")' in html


def test_a_full_screen_button_only_when_asked_and_served_from_the_app(html: str):
    """Presentation mode's map ends its zoom buttons with leaflet.fullscreen's button
    (titled in the map's language, its files vendored); other maps have none. A press on
    it does not count as a move of the map, so the county is fitted to the full screen."""
    assert "L.control.fullscreen" not in html and "Control.FullScreen" not in html
    county, townships, villages = _units()
    shown = build_village_map(villages, townships, county, _status(villages), LABELS,
                              fullscreen=True).get_root().render()
    assert shown.count("L.control.fullscreen(") == 1
    titles = json.dumps({"title": "全屏显示地图", "titleCancel": "退出全屏"})[1:-1]
    assert titles.replace(", ", ",\n  ") in shown  # JSON-escaped, as folium writes them
    assert ('src="/app/static/vendor/leaflet.fullscreen/Control.FullScreen.js"' in shown)
    assert ('href="/app/static/vendor/leaflet.fullscreen/Control.FullScreen.css"' in shown)
    assert remote_asset_links(shown) == []
    assert '".pairmap-legend, .leaflet-control-zoom-fullscreen"' in shown
