"""Neglected villages: which villages need attention first, and why? Severe ones (严重)
first, then the general ones (一般); a row opens the village's card."""

import streamlit as st

import ui
from geo.access import Action
from geo.coverage import REASONS
from geo.neglected import GENERAL, SEVERE, filter_neglected
from ui import t


def render() -> None:
    user, period = ui.page(Action.VIEW_MAPS, "page.neglected")
    data = ui.load_coverage(user, period)
    left, right = st.columns(2)
    township = unit = None
    if ui.drilling():  # several counties: the list of the unit chosen above it
        unit = ui.drill_selectors("neglected")
        data = ui.drilled(data)
    else:
        towns = ui.township_choices()
        township = left.selectbox(t("filter.township"), [None, *towns],
                                  key="neglected_township", placeholder=t("filter.all"),
                                  format_func=lambda c: t("filter.all") if c is None
                                  else towns[c])
    reason = right.selectbox(t("neglected.reason"), [None, *REASONS], key="neglected_reason",
                             format_func=lambda r: t("filter.all") if r is None
                             else t(f"reason.{r}"), placeholder=t("filter.all"))
    table = filter_neglected(ui.neglected_table(data), township, reason)
    total = ui.village_total(data, township)
    if unit is not None:
        st.caption(t("neglected.count_unit", count=len(table), total=total,
                     unit=ui.plain(unit)))
    elif township is None:
        st.caption(t("neglected.count_county", count=len(table), total=total))
    else:
        st.caption(t("neglected.count_township", count=len(table), total=total,
                     township=ui.plain(ui.township_choices()[township])))
    if table.empty:
        st.info(t("neglected.none"))
    columns = ui.neglected_columns(period.window_days)
    explain = {SEVERE: t("neglected.severe_explain", days=ui.get_settings().neglect_days),
               GENERAL: t("neglected.general_explain")}
    for group in (SEVERE, GENERAL):
        rows = filter_neglected(table, group=group)
        if rows.empty:
            continue
        st.subheader(t("neglected.section", group=t(f"group.{group}"), count=len(rows)))
        st.caption(explain[group] + " " + t("neglected.select_hint"))
        # Keyed by the filters too: a row ticked before a filter changed is not carried
        # over to whatever village then sits in its place.
        key = "_".join(["neglected", group, *(f for f in (township, reason) if f)])
        chosen = ui.table(rows, key, columns, missing=t("table.never"), select=True,
                          columns=ui.NEGLECTED_SHOWN)
        if chosen is not None:
            with st.container(border=True):
                ui.show_village_card(ui.village_card(user, data, rows["code"][chosen]),
                                key=f"neglected_{group}_card")
    shown = table.drop(columns=["reason_codes", "township_code"])
    ui.download_buttons(shown.assign(group=shown["group"].map(lambda g: t(f"group.{g}"))),
                        "neglected", "neglected")


render()
