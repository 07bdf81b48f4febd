"""Overview: how well are our villages served, and where not?"""

import streamlit as st

import ui
from ui import t


def render() -> None:
    as_of, window = ui.setup_page("page.overview")
    data = ui.load_overview(as_of, window)
    overview = data["overview"]
    kpis, previous = overview.kpis, overview.previous
    delta = t("kpi.delta_previous", window=window)
    cards = st.columns(4)
    cards[0].metric(t("kpi.paired"), f"{kpis.paired} / {kpis.villages}",
                    f"{kpis.paired - previous.paired:+d} {delta}", help=t("kpi.paired.help"))
    cards[1].metric(t("kpi.visited", window=window), f"{kpis.visited_share:.0%}",
                    f"{kpis.visited - previous.visited:+d} {delta}",
                    help=t("kpi.visited.help", window=window))
    cards[2].metric(t("kpi.never_visited"), kpis.never_visited,
                    f"{kpis.never_visited - previous.never_visited:+d} {delta}",
                    delta_color="inverse", help=t("kpi.never_visited.help"))
    cards[3].metric(t("kpi.weak"), kpis.weak, help=t("kpi.weak.help"))
    ui.show_map(ui.village_map(data, window), key="overview_map")
    st.caption(t("caption.schematic"))
    st.subheader(t("table.never_visited.title"))
    if overview.never_visited.empty:
        st.info(t("table.empty"))
    else:
        st.dataframe(
            overview.never_visited, hide_index=True, key="overview_never_visited",
            column_config={
                "code": None,
                "village": st.column_config.TextColumn(t("table.village")),
                "township": st.column_config.TextColumn(t("table.township")),
                "departments": st.column_config.TextColumn(t("table.departments")),
            },
        )


ui.guarded(render)
