"""Coverage map: which villages are served, and how well? Click a village for its card."""

import streamlit as st

import ui
from geo.access import Action
from geo.layers import COVERAGE_LAYERS
from geo.period import Period
from ui import t


def render() -> None:
    user, period = ui.page(Action.VIEW_MAPS, "page.coverage")
    today = period.as_of
    left, middle, right, far = st.columns([2, 1, 1, 1])
    layer = left.radio(t("coverage.layer"), COVERAGE_LAYERS, horizontal=True,
                       key="coverage_layer", format_func=lambda name: t(f"layer.{name}"))
    as_of = middle.date_input(t("coverage.as_of"), today, max_value=today,
                              key="coverage_as_of")
    window = right.number_input(t("coverage.window"), 7, 730, period.window_days, step=1,
                                key="coverage_window")
    township = None
    if not ui.drilling():  # one county: a township filter (several: the drill-down's)
        towns = ui.township_choices()
        township = far.selectbox(t("filter.township"), [None, *towns],
                                 key="coverage_township", placeholder=t("filter.all"),
                                 format_func=lambda c: t("filter.all") if c is None
                                 else towns[c])
    data = ui.load_coverage(user, Period(as_of, int(window)))
    clicked = ui.area_map("coverage", data, layer, clickable=True, fit_window=True,
                          county_key=f"coverage_map_{layer}_{township}", township=township)
    st.caption(t("coverage.click_hint") + " " + t("caption.schematic"))
    if clicked:
        ui.show_village_card(ui.village_card(user, data, clicked))


render()
