"""Drill-down glue: breadcrumb, level selectors and the map of the chosen unit
(``geo.drilldown``), with a click on an area opening it.

The chosen unit lives in ``st.session_state["drill_unit"]`` (a code, or None for the whole
database), one for every page: a county chosen on the overview is the county of the
neglected villages, departments and problem ledger pages too. Every change of it bumps a
counter of the page that is part of its map's key, so a new map starts without the click
of the one before (which would open a unit again).
"""

from __future__ import annotations

from dataclasses import replace

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import drilldown
from geo.drilldown import UnitTree, View
from geo.overview import overview_for
from geo.store import county_of
from geo.townships import build_township_table
from ui import widgets
from ui.loaders import CoverageData, get_engine, names, township_table, units_key
from ui.session import get_settings, language, plain, t
from ui.widgets import RenderedMap, render_map, show_map, show_village_map, village_map

BREADCRUMB_SEPARATOR = " › "


@st.cache_resource(show_spinner=False, max_entries=4)
def _tree(unscoped: int, url: str) -> UnitTree:
    return drilldown.load_tree(get_engine())


def unit_tree() -> UnitTree:
    """The admin units of the current data version (no geometry), one object shared by
    every session (its lookups are built once); never changed by a caller."""
    return _tree(*units_key())


def drilling() -> bool:
    """Whether the maps drill down: the database holds more than one county (a
    single-county database keeps its county map and township filter)."""
    return len(unit_tree().under(None, "county")) > 1


@st.cache_data(show_spinner=False, max_entries=64)
def _shapes(unscoped: int, url: str, codes: tuple[str, ...], level: str | None
            ) -> gpd.GeoDataFrame:
    return drilldown.simplified(drilldown.load_shapes(get_engine(), list(codes)), level)


@st.cache_data(show_spinner=False, max_entries=64)
def _outlines(unscoped: int, url: str, codes: tuple[str, ...], level: str | None,
              outline_codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    return drilldown.dissolved(_shapes(unscoped, url, codes, level), unit_tree(),
                               list(outline_codes))


@st.cache_data(show_spinner=False, max_entries=16)
def _figures(cache_key: tuple, level: str, _status: pd.DataFrame) -> pd.DataFrame:
    return drilldown.aggregate_figures(_status, unit_tree(), level)


def aggregated_figures(data: CoverageData, level: str) -> pd.DataFrame:
    """The figures of every unit of ``level`` (``geo.drilldown.aggregate_figures``) of
    ``data``'s period, computed once per data and period for every session."""
    if data.cache_key is None:
        return drilldown.aggregate_figures(data.status, unit_tree(), level)
    return _figures(data.cache_key, level, data.status)


def _cut(data: CoverageData, code: str) -> CoverageData:
    tree = unit_tree()
    villages = tree.under(code, "village")
    part = _village_data(data, tree, View(code, tree.level(code), "village", villages))
    overview = overview_for(data.overview, data.inputs, villages)
    key = None if data.cache_key is None else (*data.cache_key, code)
    return replace(part, overview=overview, status=overview.status, cache_key=key)


@st.cache_resource(show_spinner=False, max_entries=64)
def _drilled(cache_key: tuple, code: str, _data: CoverageData) -> CoverageData:
    return _cut(_data, code)


def chosen_below_top() -> str | None:
    """The session's chosen unit when it is below the top (None at the top, for the
    whole database, or with a single county): what the pages cut their figures to."""
    code = current_code() if drilling() else None
    return None if code is None or code == unit_tree().root else code


def drilled(data: CoverageData) -> CoverageData:
    """``data`` cut to the chosen unit (its villages, townships and cards:
    ``geo.overview.overview_for``), so that the cards add up to the map; the whole of
    ``data`` at the top, or with one county. Shared by every session, never changed."""
    code = chosen_below_top()
    if code is None:
        return data
    if data.cache_key is None:
        return _cut(data, code)
    return _drilled(data.cache_key, code, data)


@st.cache_data(show_spinner=False, max_entries=32)
def _unit_table(cache_key: tuple, code: str | None, _data: CoverageData
                ) -> tuple[pd.DataFrame, str | None]:
    tree = unit_tree()
    view = drilldown.choose_view(tree, code)
    part = _data if code is None or code == tree.root else _cut(_data, code)
    if view.shown != "county":
        return township_table(part), None
    owners = tree.ancestors_at(list(part.status.index), "county")
    units = tree.units.loc[view.units, ["short_name"]].rename_axis("code").reset_index()
    return build_township_table(part.status, part.inputs.villages, units, owners), "county"


def unit_table(data: CoverageData) -> tuple[pd.DataFrame, str | None]:
    """The comparison under the map, worst first (``geo.townships``): the counties of a
    province or city, else the townships of the chosen unit; with the level compared
    (None: townships)."""
    if not drilling() or data.cache_key is None:
        return township_table(data), None
    return _unit_table(data.cache_key, current_code(), data)


def _state(page: str) -> str:
    return f"drill_{page}"


UNIT_STATE = "drill_unit"
"""The session's chosen unit, shared by the pages that drill down."""


def current_code() -> str | None:
    """The session's chosen unit, which every page's map shows (at first the single top
    unit, or all)."""
    key = UNIT_STATE
    tree = unit_tree()
    if key not in st.session_state or (st.session_state[key] is not None
                                       and st.session_state[key] not in tree.units.index):
        st.session_state[key] = drilldown.start_code(tree)
    return st.session_state[key]


def go_to(page: str, code: str | None) -> None:
    """Show unit ``code`` on ``page``'s map (a new map: the old one's click is dropped)."""
    st.session_state[UNIT_STATE] = code
    st.session_state[f"{_state(page)}_nonce"] = st.session_state.get(
        f"{_state(page)}_nonce", 0) + 1


def _chosen(page: str, key: str, parent: str | None) -> None:
    value = st.session_state[key]
    go_to(page, parent if value is None else value)


def breadcrumb_text(tree: UnitTree, code: str | None) -> str:
    """The breadcrumb of ``code``: 湖北省 › 宜昌市 › 兴山县 › 古夫镇 (the whole database
    first when it has several top units)."""
    names = [name for _code, name in drilldown.breadcrumb(tree, code)]
    if tree.root is None:
        names.insert(0, t("drill.level.all"))
    return BREADCRUMB_SEPARATOR.join(names)


def selectors(page: str, tree: UnitTree, code: str | None) -> None:
    """The breadcrumb, an "up" button and one select box per level along the path
    (keys ``drill_<page>_<level>``), each listing the units under the one before."""
    path = drilldown.breadcrumb(tree, code)
    codes = [c for c, _name in path]
    parents: list[str | None] = [tree.root] if tree.root is not None else [None]
    if tree.root is None:
        parents += codes
    else:
        parents += codes[1:]
    boxes = []
    for parent in parents:
        children = tree.children(parent)
        if not children or tree.level(children[0]) == "village":
            break
        boxes.append((parent, children))
    left, right = st.columns([5, 1])
    left.markdown(plain(t("drill.breadcrumb", path=breadcrumb_text(tree, code))))
    up = tree.path(code)[-2] if len(tree.path(code)) > 1 else None
    if code is not None and code != tree.root:
        right.button(t("drill.up"), key=f"{_state(page)}_up", on_click=go_to,
                     args=(page, up))
    if not boxes:
        return
    columns = st.columns(len(boxes))
    for column, (parent, children) in zip(columns, boxes, strict=True):
        level = str(tree.level(children[0]))
        key = f"{_state(page)}_{level}"
        chosen = next((c for c in codes if c in children), None)
        st.session_state[key] = chosen
        level_name = t(f"drill.level.{level}")
        column.selectbox(t("drill.choose", level=level_name), [None, *children], key=key,
                         format_func=lambda c, n=level_name: (
                             t("drill.all_of", level=n) if c is None else tree.name(c)),
                         placeholder=t("drill.all_of", level=level_name),
                         on_change=_chosen, args=(page, key, parent))


def drill_selectors(page: str) -> str:
    """The breadcrumb and the level selectors of ``page`` without a map (a page whose
    list follows the unit chosen: ``drilled``); returns the chosen unit's name."""
    tree = unit_tree()
    code = current_code()
    selectors(page, tree, code)
    return t("drill.level.all") if code is None else tree.name(code)


def drilled_villages() -> list[str] | None:
    """The villages of the chosen unit (``chosen_below_top``; None: all)."""
    code = chosen_below_top()
    return None if code is None else unit_tree().under(code, "village")


def drilled_counties() -> list[str] | None:
    """The counties (``geo.store.county_of`` of their villages) of the chosen unit
    (``chosen_below_top``; None: all)."""
    villages = drilled_villages()
    return None if villages is None else sorted({county_of(code) for code in villages})


@st.cache_data(show_spinner=False, max_entries=4)
def _department_county_names(unscoped: int, url: str) -> dict[str, str]:
    tree = unit_tree()
    # a department's county_code has 6 digits, a county unit's code 6 or 12
    county_names = {county_of(code): tree.name(code) for code in tree.under(None, "county")}
    departments = names().departments.dropna(subset=["county_code"])
    return {code: county_names[county] for code, county
            in zip(departments["code"], departments["county_code"], strict=True)
            if county in county_names}


def department_county_names() -> dict[str, str] | None:
    """Each department's county name, where the chosen unit spans several counties (a
    name such as 区委办公室 is in every county); None within one county."""
    counties = drilled_counties()
    if not drilling() or (counties is not None and len(counties) <= 1):
        return None
    return _department_county_names(*units_key())


def department_labels() -> dict[str, str]:
    """Department code → name for a select box, of the chosen unit's counties only; named
    with its county (``department_county_names``) where the unit holds several."""
    departments = names().departments
    counties = drilled_counties()
    if counties is not None:
        departments = departments[departments["county_code"].isin(counties)]
    in_county = department_county_names() or {}
    return {code: widgets.department_name(name, in_county.get(code))
            for code, name in zip(departments["code"], departments["name"], strict=True)}


def _village_data(data: CoverageData, tree: UnitTree, view: View) -> CoverageData:
    villages, townships, county, status = drilldown.subset_village_inputs(
        data.inputs.villages, data.townships, data.county, data.status, tree, view)
    return replace(data, status=status, townships=townships, county=county,
                   inputs=replace(data.inputs, villages=villages))


def area_map(page: str, data: CoverageData, layer: str = "pairing", *,
             clickable: bool = False, height: int = 620, fit_window: bool = False,
             fullscreen: bool = False, county_key: str | None = None,
             township: str | None = None) -> str | None:
    """Breadcrumb, selectors and the map of the chosen unit on ``page``; a click on a
    county or township opens it. Returns the code of a clicked village (with
    ``clickable``), else None.

    A single-county database shows its village map as before, keyed ``county_key``
    (zoomed to ``township``), without breadcrumb or selectors.
    """
    if not drilling():
        return show_village_map(data, key=county_key or f"{page}_map", height=height,
                                layer=layer, focus_township=township,
                                fullscreen=fullscreen, clickable=clickable,
                                fit_window=fit_window)
    tree = unit_tree()
    code = current_code()
    selectors(page, tree, code)
    view = drilldown.choose_view(tree, code)
    nonce = st.session_state.get(f"{_state(page)}_nonce", 0)
    key = f"{_state(page)}_map_{code}_{nonce}_{layer}"
    shown = view_map(data, code, layer, fullscreen, fit_window)
    if view.shown == "village":
        return show_map(shown, key=key, height=height, clickable=clickable)
    clicked = show_map(shown, key=key, height=height, clickable=True)
    st.caption(t("drill.click_hint"))
    if clicked is not None and clicked in set(view.units):
        go_to(page, clicked)
        st.rerun()
    return None


def _build_view_map(data: CoverageData, code: str | None, layer: str, fullscreen: bool,
                    fit_window: bool) -> RenderedMap:
    tree = unit_tree()
    view = drilldown.choose_view(tree, code)
    if view.shown == "village":
        focus = view.code if view.level == "township" else None
        fmap = village_map(_village_data(data, tree, view), layer, focus, fullscreen)
    else:
        fmap = unit_map(data, tree, view)
    return render_map(fmap, fit_window)


@st.cache_data(show_spinner=False, max_entries=32)
def _view_map(cache_key: tuple, tiles: str, lang: str, code: str | None, layer: str,
              fullscreen: bool, fit_window: bool, _data: CoverageData) -> RenderedMap:
    return _build_view_map(_data, code, layer, fullscreen, fit_window)


def view_map(data: CoverageData, code: str | None, layer: str = "pairing",
             fullscreen: bool = False, fit_window: bool = False) -> RenderedMap:
    """The map of unit ``code`` (``geo.drilldown.choose_view``: its counties, townships
    or villages) built and rendered once per data, language and options for every
    session; a map of villages shows ``layer``."""
    if data.cache_key is None:
        return _build_view_map(data, code, layer, fullscreen, fit_window)
    return _view_map(data.cache_key, get_settings().tiles, language(), code, layer,
                     fullscreen, fit_window, _data=data)


def unit_map(data: CoverageData, tree: UnitTree, view: View) -> folium.Map:
    """The choropleth of the counties (or townships) of ``view``, from cached simplified
    shapes and aggregated figures."""
    version = units_key()
    shapes = _shapes(*version, tuple(view.units), view.level)
    outlines = _outlines(*version, tuple(view.units), view.level,
                         tuple(drilldown.outline_codes(tree, view)))
    labels = drilldown.map_labels(language(), data.inputs.window_days)
    return drilldown.build_unit_map(shapes, aggregated_figures(data, view.shown), outlines,
                                    labels, drilldown.drill_labels(language()),
                                    data.inputs.window_days)


def department_map(data: CoverageData, compliance: pd.DataFrame,
                   department_code: str | None = None) -> RenderedMap:
    """One department's paired villages on the map (``ui.widgets.department_map``). With
    several counties, the map is cut to the counties of its paired villages (without
    any: its own ``county_code``), and to their townships when those counties have more
    than ``geo.drilldown.MAX_POLYGONS`` villages."""
    if not drilling():
        return widgets.department_map(data, compliance)
    tree = unit_tree()
    paired = [code for code in compliance.index if code in tree.units.index]
    counties = sorted(set(tree.ancestors_at(paired, "county").dropna()))
    if not counties and department_code is not None and "county_code" in data.departments:
        own = data.departments.loc[data.departments["code"] == department_code, "county_code"]
        counties = [c for c in own.dropna() if c in tree.units.index]
    if not counties:  # neither pairings nor a county: the first county, not the province
        counties = tree.under(None, "county")[:1]
    villages = [v for county in counties for v in tree.under(county, "village")]
    if len(villages) > drilldown.MAX_POLYGONS:
        towns = sorted(set(tree.units.loc[paired, "parent_code"]))
        villages = [v for town in towns for v in tree.under(town, "village")]
    view = View(None, None, "village", villages)
    return widgets.department_map(_village_data(data, tree, view), compliance)
