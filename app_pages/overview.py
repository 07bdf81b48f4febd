"""Overview: how well are our villages served, and where not?"""

import streamlit as st

import ui
from geo.access import Action
from ui import t


def render() -> None:
    user, period = ui.page(Action.VIEW_MAPS, "page.overview")
    window = period.window_days
    data = ui.load_coverage(user, period)
    kpis, previous = data.overview.kpis, data.overview.previous
    cards = st.columns(4)
    ui.kpi_card(cards[0], t("kpi.paired"), f"{kpis.paired} / {kpis.villages}", kpis.paired,
                previous.paired, t("kpi.paired.help"))
    ui.kpi_card(cards[1], t("kpi.visited", window=window), f"{kpis.visited_share:.0%}",
                kpis.visited_share, previous.visited_share,
                t("kpi.visited.help", window=window), share=True)
    ui.kpi_card(cards[2], t("kpi.never_visited"), kpis.never_visited, kpis.never_visited,
                previous.never_visited, t("kpi.never_visited.help"), lower_is_better=True)
    ui.kpi_card(cards[3], t("kpi.severe"), kpis.severe, kpis.severe, previous.severe,
                t("kpi.severe.help", days=ui.get_settings().neglect_days),
                lower_is_better=True)
    map_column, lists_column = st.columns([7, 2])
    with map_column:
        ui.show_map(ui.village_map(data), key="overview_map", height=ui.OVERVIEW_MAP_HEIGHT)
        st.caption(t("caption.schematic"))
    with lists_column.container(key="overview_red_black"):
        st.markdown(f"**{t('overview.red_black')}**")
        st.caption(t("overview.red_black_caption", window=window))
        ui.red_and_black_lists(ui.load_department_report(user, period))

    st.subheader(t("overview.townships"))
    st.caption(t("overview.townships_caption"))
    townships = ui.township_table(data)
    ui.table(ui.township_shown(townships), "overview_townships", ui.township_columns(window),
             columns=ui.TOWNSHIP_SHOWN)
    ui.download_buttons(townships, "townships", "overview_townships")

    st.subheader(t("overview.top_neglected"))
    top = ui.neglected_table(data).head(10)
    ui.table(top.assign(group=top["group"].map(lambda g: t(f"group.{g}"))),
             "overview_top_neglected", ui.neglected_columns(window), empty=t("table.empty"),
             missing=t("table.never"),
             columns=["village", "township", "group", "reasons", "days_since_last_visit",
                      "departments"])
    ui.link_to("neglected", t("overview.all_neglected"))


render()
