"""``ui.widgets.render_map`` renders a map as streamlit-folium's ``st_folium`` does (its
steps are repeated so that the rendering can be cached): the same Leaflet script, header,
HTML, map id and vendored files reach the component."""

from __future__ import annotations

import pytest
import shapely
import streamlit_folium

from geo.maps import MAP_PRECISION_DEGREES, map_geometry
from geo.offline import configure_offline_assets
from tests import test_maps
from ui.widgets import render_map


@pytest.mark.parametrize("fit_window", [False, True])
def test_render_map_gives_the_component_what_st_folium_gives_it(monkeypatch, fit_window):
    configure_offline_assets("")
    passed: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func",
                        lambda **kwargs: passed.update(kwargs))
    fmap = test_maps._build()
    if fit_window:
        from geo.maps import FitFrameToWindow

        fmap.add_child(FitFrameToWindow())
    streamlit_folium.st_folium(fmap, key="map", height=300, use_container_width=True,
                               returned_objects=[])
    ours = render_map(test_maps._build(), fit_window=fit_window)
    # Two builds of a map differ only in folium's random element ids, which st_folium's
    # hash leaves out; everything else is equal.
    assert (streamlit_folium.generate_js_hash(ours.script, "map")
            == passed["key"])
    assert ("setFrameHeight" in ours.script) is fit_window
    assert (ours.header, ours.html, ours.map_id) == (passed["header"], passed["html"],
                                                    passed["id"])
    assert list(ours.css_links) == passed["css_links"]
    assert list(ours.js_links) == passed["js_links"]
    assert len(ours.script) == len(passed["script"])


def test_map_geometry_rounds_every_coordinate_and_keeps_shared_borders():
    villages, _townships, _county = test_maps._units()
    shown = map_geometry(villages.geometry)
    coordinates = shapely.get_coordinates(shown.to_numpy())
    assert len(coordinates)
    assert (abs(coordinates / MAP_PRECISION_DEGREES
                - (coordinates / MAP_PRECISION_DEGREES).round()) < 1e-6).all()
    # Neighbours still share their borders: no gap opens (the union keeps its area) and
    # no overlap appears (the areas still add up to it).
    union = shapely.union_all(shown.to_numpy())
    assert union.area == pytest.approx(shapely.union_all(villages.geometry.to_numpy()).area,
                                       rel=1e-3)
    assert shown.area.sum() == pytest.approx(union.area, rel=1e-6)
