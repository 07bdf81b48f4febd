"""Charts of the Departments page (Altair, drawn by Streamlit's own Vega-Lite: nothing is
fetched from another origin): the ranking as sorted horizontal bars and the monthly
trends of up to five departments."""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo.department_report import DepartmentReport
from ui.session import t

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


def ranking_chart(report: DepartmentReport) -> alt.Chart:
    """The ranked departments with a score as horizontal bars, best at the top, the red
    and black lists (红黑榜) coloured."""
    scored = report.ranked[report.ranked["rank"].notna() & report.ranked["score"].notna()]
    red, black = set(report.red.index), set(report.black.index)
    frame = pd.DataFrame({
        "label": [f"{int(rank)}. {name}" for rank, name in
                  zip(scored["rank"], scored["name"], strict=True)],
        "score": scored["score"].astype("float64").to_numpy(),
        "warnings": scored["warnings"].astype("int64").to_numpy(),
        "list": [t("departments.list_red") if code in red else
                 t("departments.list_black") if code in black else
                 t("departments.list_other") for code in scored.index],
    })
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


def trend_chart(report: DepartmentReport, codes: list[str], metric: str) -> alt.Chart:
    """One monthly trend (``TREND_METRICS``) of the departments ``codes``, one line each
    in the order given; a month with nothing to show leaves a gap. Its title is the
    page's to draw (``departments.metric.<metric>``): Streamlit's theme gives a chart
    title room that the plot then lacks. Draw it ``TREND_HEIGHT`` px tall."""
    months = report.months.reset_index()
    rows = months[months["code"].isin(codes)]
    names = report.ranked["name"].reindex(codes).fillna(pd.Series(codes, index=codes))
    frame = pd.DataFrame({
        "month": rows["month"].to_numpy(),
        "department": rows["code"].map(names).to_numpy(),
        "value": rows[metric].astype("float64").to_numpy(),
    })
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
            domain=names.tolist(), range=list(COMPARE_COLOURS[:len(codes)])),
            # Every name whole, in rows of up to three: none cut off or left out.
            legend=alt.Legend(orient="top", direction="horizontal", columns=3,
                              labelLimit=0)),
        tooltip=[alt.Tooltip("department:N", title=t("table.department")),
                 alt.Tooltip("month:O", title=t("departments.month")),
                 alt.Tooltip("value:Q", title=title, format=".0%" if share else "d")],
    )
