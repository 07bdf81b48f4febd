"""Overview: how well are our villages served, and where not? In presentation mode (a
toggle beside the title, or ``?present=1``) the same figures fill a projector's screen."""

import streamlit as st

import ui
from geo.access import Action, User
from geo.period import Period
from ui import t


def red_and_black(user: User, period: Period) -> None:
    """The department red and black lists (of the unit on the map's counties), a compact
    column beside the map."""
    with st.container(key="overview_red_black"):
        st.markdown(f"**{t('overview.red_black')}**")
        st.caption(t("overview.red_black_caption", window=period.window_days))
        ui.red_and_black_lists(ui.load_department_report(
            user, period, ui.drilled_counties()), ui.department_county_names())


def render() -> None:
    present = ui.presenting()
    user, period = ui.page(Action.VIEW_MAPS, "page.overview", as_of_caption=not present,
                           aside=ui.presentation_toggle)
    window = period.window_days
    data = ui.load_coverage(user, period)
    shown = ui.drilled(data)  # the cards and tables of the unit on the map
    if present:
        # The KPI strip, the map as tall as the screen leaves, and the lists beside it.
        with st.container(key="present_kpis"):
            ui.kpi_cards(st.columns(ui.KPI_CARDS), shown)
        map_column, lists_column = st.columns([7, 2])
        with map_column:
            ui.area_map("overview", data, fullscreen=True, county_key="present_map",
                        height=ui.PRESENT_MAP_HEIGHT, fit_window=True)
        with lists_column:
            red_and_black(user, period)
        return

    ui.kpi_cards(st.columns(ui.KPI_CARDS), shown)
    map_column, lists_column = st.columns([7, 2])
    with map_column:
        ui.area_map("overview", data, county_key="overview_map",
                    height=ui.OVERVIEW_MAP_HEIGHT)
        st.caption(t("caption.schematic"))
    with lists_column:
        red_and_black(user, period)

    units, level = ui.unit_table(data)
    if level is None:
        st.subheader(t("overview.townships"))
        st.caption(t("overview.townships_caption"))
    else:
        st.subheader(t("overview.units", level=t(f"drill.level.{level}")))
        st.caption(t("overview.units_caption", level=t(f"drill.level.{level}")))
    ui.table(ui.township_shown(units), "overview_townships",
             ui.township_columns(window, level), columns=ui.TOWNSHIP_SHOWN)
    ui.download_buttons(units, "townships" if level is None else "counties",
                        "overview_townships")

    st.subheader(t("overview.top_neglected"))
    top = ui.neglected_table(shown).head(10)
    ui.table(top.assign(group=top["group"].map(lambda g: t(f"group.{g}"))),
             "overview_top_neglected", ui.neglected_columns(window), empty=t("table.empty"),
             missing=t("table.never"),
             columns=["village", "township", "group", "reasons", "days_since_last_visit",
                      "departments"])
    ui.link_to("neglected", t("overview.all_neglected"))


render()
