"""The Departments page's charts (``ui.charts``) are drawn from cached Vega-Lite specs with
``st.vega_lite_chart``: the browser gets exactly what ``st.altair_chart`` of the same
Altair chart sends (spec, Arrow datasets, theme), on the run that makes the spec and on
the runs that take it from the cache."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest


def _charts_page() -> None:
    """Each chart of a hand-made report twice: as ``st.altair_chart`` draws the Altair
    chart, and as the page draws the cached spec."""
    import pandas as pd
    import streamlit as st

    from geo.department_report import DepartmentReport
    from ui import charts

    ranked = pd.DataFrame({"rank": [1.0, 2.0, None], "score": [80.5, 40.25, None],
                           "warnings": [0, 2, 1], "name": ["甲单位", "乙单位", "丙单位"]},
                          index=pd.Index(["D1", "D2", "D3"], name="code"))
    months = pd.DataFrame(
        {"visits": [3, 1, 0, 2], "compliance": [1.0, 0.5, None, 0.0],
         "resolution_rate": [0.25, None, 1.0, 0.75], "long_term_share": [0.0, 0.5, 0.5, 1.0]},
        index=pd.MultiIndex.from_tuples([("D1", "2026-10"), ("D1", "2026-11"),
                                         ("D2", "2026-10"), ("D2", "2026-11")],
                                        names=["code", "month"]))
    report = DepartmentReport(as_of="2026-11-30", window_days=365, ranked=ranked,
                              months=months, warnings=pd.DataFrame(), red=ranked.iloc[:1],
                              black=ranked.iloc[1:2], excluded=frozenset())
    st.altair_chart(charts._ranking_chart(charts._ranking_frame(report)), key="altair_rank")
    st.vega_lite_chart(spec=charts.ranking_chart(report), key="spec_rank")
    codes = ["D2", "D1"]
    frame, names = charts._trend_frame(report, codes)
    specs = charts.trend_charts(report, codes)
    assert list(specs) == list(charts.TREND_METRICS)
    for metric, spec in specs.items():
        st.altair_chart(charts._trend_chart(charts._trend_values(frame, metric), names,
                                            metric), key=f"altair_{metric}",
                        height=charts.TREND_HEIGHT)
        st.vega_lite_chart(spec=spec, key=f"spec_{metric}", height=charts.TREND_HEIGHT)


def _drawn(at: AppTest) -> list[tuple]:
    """Each chart element as the browser gets it, but for its widget id."""
    drawn = []
    for element in at.get("vega_lite_chart"):
        chart = element.proto
        drawn.append((json.loads(chart.spec), [(d.name, d.data.data) for d in chart.datasets],
                      chart.theme, chart.data.data))
    return drawn


@pytest.mark.slow
def test_the_cached_specs_draw_what_altair_chart_draws():
    at = AppTest.from_function(_charts_page, default_timeout=60)
    runs = []
    for _ in range(2):  # the first run makes the specs, the second takes them cached
        at.run()
        assert not at.exception
        runs.append(_drawn(at))
    for drawn in runs:
        assert len(drawn) == 2 + 2 * 4  # the ranking and four trends, each drawn twice
        for by_altair, from_spec in zip(drawn[::2], drawn[1::2], strict=True):
            assert from_spec == by_altair
            assert sum(len(data) for _name, data in from_spec[1]) > 0  # drawn with data
        for _trend, from_spec in zip(drawn[2::2], drawn[3::2], strict=True):
            assert from_spec[0]["encoding"]["color"]["scale"]["domain"] == ["乙单位", "甲单位"]
    assert runs[1] == runs[0]
