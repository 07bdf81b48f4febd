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
                kpis.visited, previous.visited, t("kpi.visited.help", window=window))
    ui.kpi_card(cards[2], t("kpi.never_visited"), kpis.never_visited, kpis.never_visited,
                previous.never_visited, t("kpi.never_visited.help"), lower_is_better=True)
    ui.kpi_card(cards[3], t("kpi.weak"), kpis.weak, help_text=t("kpi.weak.help"))
    ui.show_map(ui.village_map(data), key="overview_map")
    st.caption(t("caption.schematic"))
    st.subheader(t("overview.top_neglected"))
    top = ui.neglected_table(data).head(10)
    if top.empty:
        st.info(t("table.empty"))
    else:
        st.dataframe(
            top[["village", "township", "reasons", "days_since_last_visit", "departments"]],
            hide_index=True, key="overview_top_neglected", width="stretch",
            column_config={
                "village": st.column_config.TextColumn(t("table.village")),
                "township": st.column_config.TextColumn(t("table.township")),
                "reasons": st.column_config.TextColumn(t("neglected.reasons")),
                "days_since_last_visit": st.column_config.NumberColumn(
                    t("tooltip.days"), help=t("neglected.days_help")),
                "departments": st.column_config.TextColumn(t("table.departments")),
            },
        )
    ui.link_to("neglected", t("overview.all_neglected"))


render()
