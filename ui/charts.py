"""Charts of the Departments page (Altair, drawn by Streamlit's own Vega-Lite: nothing is
fetched from another origin): the ranking as sorted horizontal bars and the monthly
trends of up to five departments.

Each chart is given to the page as the Vega-Lite spec that ``st.altair_chart`` would
send, made once per drawn figures and language for every session, and drawn with
``st.vega_lite_chart``: building the Altair charts and converting them (Altair checks
every spec against the Vega-Lite schema) took 0.1-0.2 s of each run of the page."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

# Streamlit's own conversion of an Altair chart (pinned 1.67, requirements.txt): the
# cached spec is what ``st.altair_chart`` would send (its data as Arrow datasets, without
# Altair's default theme).
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from geo.department_report import DepartmentReport
from ui.session import language, t

LIST_COLOURS = {"red": "#B2182B", "black": "#252525", "other": "#BDBDBD"}
"""The red list red, the black list black, the rest light grey: apart in greyscale too."""
COMPARE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
"""Okabe–Ito colours for up to five compared departments (colour-blind safe)."""
TREND_METRICS = {
    "visits": False,
    "compliance": True,
    "resolution_rate": True,
    "long_term_share": True,
}
"""The monthly trends and whether each is a share (drawn 0–100%)."""
BAR_HEIGHT = 22
"""Pixels per department in the ranking: every name legible, none skipped."""
TREND_HEIGHT = 320
"""A trend chart's height in px (legend, plot and month labels)."""


def ranking_chart(report: DepartmentReport) -> dict[str, Any]:
    """The ranked departments with a score as horizontal bars, best at the top, the red
    and black lists (红黑榜) coloured: a Vega-Lite spec for ``st.vega_lite_chart``."""
    return _ranking_spec(_ranking_frame(report), language())


def _ranking_frame(report: DepartmentReport) -> pd.DataFrame:
    """What the ranking draws: each scored department's ``label`` (rank and name),
    ``score``, ``warnings`` and ``list`` (red, black or other, in words), best first."""
    scored = report.ranked[report.ranked["rank"].notna() & report.ranked["score"].notna()]
    red, black = set(report.red.index), set(report.black.index)
    in_red, in_black, other = (t("departments.list_red"), t("departments.list_black"),
                               t("departments.list_other"))
    return pd.DataFrame({
        "label": [f"{int(rank)}. {name}" for rank, name in
                  zip(scored["rank"], scored["name"], strict=True)],
        "score": scored["score"].astype("float64").to_numpy(),
        "warnings": scored["warnings"].astype("int64").to_numpy(),
        "list": [in_red if code in red else in_black if code in black else other
                 for code in scored.index],
    })


@st.cache_data(show_spinner=False, max_entries=32)
def _ranking_spec(frame: pd.DataFrame, lang: str) -> dict[str, Any]:
    """The spec of ``_ranking_chart(frame)`` (its words in ``lang``)."""
    return _convert_altair_to_vega_lite_spec(_ranking_chart(frame))


def _ranking_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """The ranking's bars of ``frame`` (``label``, ``score``, ``warnings``, ``list``), in
    its order."""
    order = frame["label"].tolist()
    lists = [t("departments.list_red"), t("departments.list_black"),
             t("departments.list_other")]
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=260, labelOverlap=False, labelFontSize=13,
                              labelBaseline="middle")),
        x=alt.X("score:Q", title=t("departments.score"), scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(tickCount=10)),
        tooltip=[alt.Tooltip("label:N", title=t("table.department")),
                 alt.Tooltip("score:Q", title=t("departments.score"), format=".2f"),
                 alt.Tooltip("warnings:Q", title=t("departments.warnings_count"))],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("list:N", title=None, scale=alt.Scale(
            domain=lists, range=[LIST_COLOURS["red"], LIST_COLOURS["black"],
                                 LIST_COLOURS["other"]]),
            legend=alt.Legend(orient="top")))
    # The score at the end of each bar: a department at 0 has no bar, but its number.
    scores = base.mark_text(align="left", dx=4, fontSize=12).encode(
        text=alt.Text("score:Q", format=".2f"))
    return (bars + scores).properties(height=max(BAR_HEIGHT * len(frame), 60))


def trend_charts(report: DepartmentReport, codes: list[str]) -> dict[str, dict[str, Any]]:
    """The monthly trends (``TREND_METRICS``, in its order) of the departments ``codes``,
    one line each in the order given; a month with nothing to show leaves a gap: metric
    → Vega-Lite spec for ``st.vega_lite_chart``. A trend's title is the page's to draw
    (``departments.metric.<metric>``): Streamlit's theme gives a chart title room that
    the plot then lacks. Draw each ``TREND_HEIGHT`` px tall."""
    frame, names = _trend_frame(report, codes)
    return _trend_specs(frame, tuple(names), language())


def _trend_frame(report: DepartmentReport, codes: list[str]
                 ) -> tuple[pd.DataFrame, list[str]]:
    """What the trends draw: each ``month``'s figures (a column per ``TREND_METRICS``)
    per ``department`` (name) of ``codes``, and their names in the order of ``codes``."""
    departments = report.months.index.get_level_values("code")
    chosen = departments.isin(codes)
    names = report.ranked["name"].reindex(codes).fillna(pd.Series(codes, index=codes))
    frame = pd.DataFrame({
        "month": report.months.index.get_level_values("month")[chosen].to_numpy(),
        "department": departments[chosen].map(names).to_numpy(),
        **{metric: report.months[metric][chosen].astype("float64").to_numpy()
           for metric in TREND_METRICS},
    })
    return frame, names.tolist()


@st.cache_data(show_spinner=False, max_entries=32)
def _trend_specs(frame: pd.DataFrame, names: tuple[str, ...], lang: str
                 ) -> dict[str, dict[str, Any]]:
    """The spec of each metric's ``_trend_chart`` (its words in ``lang``)."""
    return {metric: _convert_altair_to_vega_lite_spec(
                _trend_chart(_trend_values(frame, metric), list(names), metric))
            for metric in TREND_METRICS}


def _trend_values(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One metric's trend of ``_trend_frame``: ``month``, ``department`` and ``value``."""
    return frame[["month", "department", metric]].rename(columns={metric: "value"})


def _trend_chart(frame: pd.DataFrame, names: list[str], metric: str) -> alt.Chart:
    """The lines of ``frame`` (``month``, ``department``, ``value``), a colour for each
    of ``names`` in order."""
    share = TREND_METRICS[metric]
    title = t(f"departments.metric.{metric}")
    y = (alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]),
               axis=alt.Axis(format="%"))
         if share else alt.Y("value:Q", title=None, axis=alt.Axis(tickMinStep=1)))
    return alt.Chart(frame).mark_line(point=True).encode(
        # Slanted: twelve months fit a half-width chart at 1280×720 without skipping.
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-40, labelOverlap=False)),
        y=y,
        color=alt.Color("department:N", title=None, scale=alt.Scale(
            domain=names, range=list(COMPARE_COLOURS[:len(names)])),
            # Every name whole, in rows of up to three: none cut off or left out.
            legend=alt.Legend(orient="top", direction="horizontal", columns=3,
                              labelLimit=0)),
        tooltip=[alt.Tooltip("department:N", title=t("table.department")),
                 alt.Tooltip("month:O", title=t("departments.month")),
                 alt.Tooltip("value:Q", title=title, format=".0%" if share else "d")],
    )
