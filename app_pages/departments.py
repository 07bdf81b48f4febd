"""Departments (单位工作): who serves the villages, and who only fills in forms?

One period for the whole page (the last 12 months by default, a calendar year for the
annual evaluation): the ranking with every component of its score, the monthly trends
of up to five departments, one department's paired villages coloured by compliance, and
the formalism warnings with the records they name.
"""

import streamlit as st

import ui
from geo.access import Action
from ui import t


def render() -> None:
    user, default = ui.page(Action.VIEW_MAPS, "page.departments", as_of_caption=False)
    first = ui.first_visit_date()
    period = ui.period_picker(default, first.year if first else default.as_of.year,
                              key="departments_period")
    if period is None:
        return
    counties = None
    if ui.drilling():  # several counties: the departments of the unit chosen here
        ui.drill_selectors("departments")
        counties = ui.drilled_counties()
    report = ui.load_department_report(user, period, counties)
    st.caption(t("departments.period_caption", start=period.start.isoformat(),
                 end=period.as_of.isoformat(), days=period.window_days))
    ui.data_note(period, first)
    names = ui.report_departments(report) if counties else ui.department_choices()
    start = ui.initial_department(user, report)

    st.subheader(t("departments.ranking"))
    st.caption(t("departments.ranking_caption"))
    st.vega_lite_chart(spec=ui.ranking_chart(report), key="departments_ranking_chart")
    ui.table(ui.ranking_shown(report), "departments_ranking", ui.ranking_columns(),
             columns=ui.RANKING_SHOWN, height=360)
    ui.download_buttons(lambda: ui.ranking_download(report), "departments",
                        "departments_ranking")

    st.subheader(t("departments.trends"))
    compared = ui.compared_departments(st.multiselect(
        t("departments.compare"), list(names), [start] if start else [],
        format_func=names.get, key="departments_compare",
        placeholder=t("departments.compare_placeholder")))
    if compared:
        st.caption(t("departments.trends_caption"))
        rows = st.columns(2)
        for position, (metric, spec) in enumerate(ui.trend_charts(report, compared).items()):
            column = rows[position % 2]
            column.markdown(f"**{t(f'departments.metric.{metric}')}**")
            column.vega_lite_chart(spec=spec, key=f"departments_trend_{metric}",
                                   height=ui.TREND_HEIGHT)
    ui.download_buttons(lambda: ui.months_download(report), "departments_months",
                        "departments_months")

    st.subheader(t("departments.villages"))
    shown = st.selectbox(t("departments.map_department"), list(names),
                         index=list(names).index(start) if start in names else 0,
                         format_func=names.get, key="departments_map_department")
    compliance = ui.load_department_villages(user, period, shown)
    coverage = ui.load_coverage(user, period)
    ui.show_map(ui.department_map(coverage, compliance, shown),
                key=f"departments_map_{shown}", height=ui.DEPARTMENT_MAP_HEIGHT)
    st.caption(t("departments.map_caption") + " " + t("caption.schematic"))
    ui.table(ui.department_villages_shown(compliance, coverage),
             f"departments_villages_{shown}", ui.department_village_columns(),
             empty=t("departments.no_pairings"))

    st.subheader(t("departments.warnings"))
    st.caption(t("departments.warnings_caption"))
    with st.expander(t("departments.warning_meanings")):
        st.markdown(ui.warning_meanings())
    which = st.selectbox(t("filter.department"), [None, *names],
                         index=1 + list(names).index(start)
                         if user.department_code == start and start in names else 0,
                         format_func=lambda c: t("filter.all") if c is None else names[c],
                         key="departments_warnings_department")
    warnings = ui.warnings_shown(report, which)
    chosen = ui.table(warnings, f"departments_warnings_{which}", ui.warning_columns(),
                      empty=t("departments.no_warnings"), select=True,
                      columns=ui.WARNINGS_SHOWN)
    if chosen is not None:
        visits, hidden = ui.warning_visits(user, list(warnings["visit_ids"].iloc[chosen]),
                                           period.as_of)
        ui.table(visits, f"departments_warning_visits_{which}_{chosen}", ui.visit_columns(),
                 columns=ui.WARNING_VISITS_SHOWN)
        if hidden:
            st.info(t("departments.records_hidden", count=hidden))
    ui.download_buttons(lambda: ui.warnings_download(report), "departments_warnings",
                        "departments_warnings")


render()
