"""Coverage map: which villages are served, and how well? Click a village for its card."""

import streamlit as st

import ui
from geo.access import Action
from geo.layers import LAYERS
from geo.reports import Period
from geo.village_card import VillageCard
from ui import t


def show_card(card: VillageCard) -> None:
    st.subheader(t("card.title", name=card.name, township=card.township))
    days = (t("tooltip.never") if card.days_since_last_visit is None
            else t("tooltip.days_value", days=card.days_since_last_visit))
    cols = st.columns(4)
    cols[0].metric(t("tooltip.days"), days)
    cols[1].metric(t("card.visits_in_window"), card.visits_in_window)
    cols[2].metric(t("layer.need"), f"{card.need:.2f}")
    cols[3].metric(t("card.priority"), "—" if card.priority is None else f"{card.priority:.2f}")
    st.write(t("card.reasons", reasons=card.reasons_text or t("card.no_reason")))
    st.markdown(t("card.pairings"))
    st.dataframe(card.pairings, hide_index=True, key="card_pairings", column_config={
        "department": st.column_config.TextColumn(t("table.department")),
        "kind": st.column_config.TextColumn(t("card.pairing_kind")),
        "start_date": st.column_config.DateColumn(t("card.start")),
        "end_date": st.column_config.DateColumn(t("card.end")),
        "required_visits_per_month": st.column_config.NumberColumn(t("card.required")),
        "compliance": st.column_config.ProgressColumn(t("card.compliance"), min_value=0,
                                                      max_value=1, format="percent"),
    })
    st.markdown(t("card.last_visits"))
    st.dataframe(card.last_visits, hide_index=True, key="card_visits", column_config={
        "date": st.column_config.DateColumn(t("visits.date")),
        "department": st.column_config.TextColumn(t("table.department")),
        "kind": st.column_config.TextColumn(t("visits.kind")),
        "households_visited": st.column_config.NumberColumn(t("visits.households")),
        "summary": st.column_config.TextColumn(t("visits.summary"), width="large"),
    })
    st.markdown(t("card.need_factors"))
    st.dataframe(card.need_factors.assign(factor=card.need_factors["factor"].map(
        lambda f: t(f"need.{f}"))), hide_index=True, key="card_need", column_config={
        "factor": st.column_config.TextColumn(t("card.factor")),
        "value": st.column_config.ProgressColumn(t("card.scaled"), min_value=0, max_value=1),
        "weight": st.column_config.NumberColumn(t("card.weight")),
    })


def render() -> None:
    user, period = ui.page(Action.VIEW_MAPS, "page.coverage")
    today = period.as_of
    left, middle, right, far = st.columns([2, 1, 1, 1])
    layer = left.radio(t("coverage.layer"), LAYERS, horizontal=True, key="coverage_layer",
                       format_func=lambda name: t(f"layer.{name}"))
    as_of = middle.date_input(t("coverage.as_of"), today, max_value=today,
                              key="coverage_as_of")
    window = right.number_input(t("coverage.window"), 7, 730, period.window_days, step=1,
                                key="coverage_window")
    towns = ui.township_choices()
    township = far.selectbox(t("filter.township"), [None, *towns], key="coverage_township",
                             format_func=lambda c: t("filter.all") if c is None else towns[c])
    data = ui.load_coverage(user, Period(as_of, int(window)))
    clicked = ui.show_map(ui.village_map(data, layer, township),
                          key=f"coverage_map_{layer}_{township}", clickable=True)
    st.caption(t("coverage.click_hint") + " " + t("caption.schematic"))
    if clicked:
        show_card(ui.village_card(user, data, clicked))


render()
