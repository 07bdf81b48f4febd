"""Widgets the pages share: KPI card, village map, column configurations, import issue
tables and links between pages."""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitAPIException
from streamlit_folium import st_folium

from geo import maps
from geo.i18n import translate_issue
from geo.io.report import Issue
from ui.loaders import CoverageData
from ui.session import PAGES, get_settings, t


def kpi_card(column: DeltaGenerator, label: str, value: object, now: int | None = None,
             before: int | None = None, help_text: str | None = None,
             lower_is_better: bool = False) -> None:
    """Draw one KPI card with its change against the previous period of the same length."""
    if now is None or before is None:
        column.metric(label, value, help=help_text, border=True)
        return
    change = now - before
    window = get_settings().window_days
    colour = "off" if change == 0 else ("inverse" if lower_is_better else "normal")
    column.metric(label, value, f"{change:+d} {t('kpi.delta_previous', window=window)}",
                  delta_color=colour, delta_arrow="off" if change == 0 else "auto",
                  help=help_text, border=True)


def village_map(data: CoverageData, layer: str = "pairing",
                focus_township: str | None = None) -> folium.Map:
    """Build a village map of ``layer`` from ``data`` (its window names the classes)."""
    settings = get_settings()
    return maps.build_village_map(
        data.villages, data.townships, data.county, data.status,
        maps.map_labels(settings.lang, data.window_days), tiles=settings.tiles,
        tianditu_key=settings.tianditu_key, layer=layer, focus_township=focus_township,
    )


def show_map(fmap: folium.Map, key: str, height: int = 620,
             clickable: bool = False) -> str | None:
    """Render ``fmap``; panning and zooming do not rerun the script.

    With ``clickable``, a click on a village reruns the page and its code is returned.
    """
    returned = st_folium(fmap, key=key, height=height, use_container_width=True,
                         returned_objects=["last_active_drawing"] if clickable else [])
    feature = (returned or {}).get("last_active_drawing") if clickable else None
    if isinstance(feature, dict):
        return (feature.get("properties") or {}).get("code")
    return None


def visit_columns() -> dict:
    """Column headings and formats of visit tables."""
    return {
        "id": st.column_config.NumberColumn(t("visits.id"), format="%d"),
        "date": st.column_config.DateColumn(t("visits.date")),
        "township_code": None,
        "village_code": None,
        "department_code": None,
        "cadre_ids": None,
        "village": st.column_config.TextColumn(t("table.village")),
        "department": st.column_config.TextColumn(t("table.department")),
        "kind": st.column_config.TextColumn(t("visits.kind")),
        "cadre_count": st.column_config.NumberColumn(t("visits.cadres")),
        "households_visited": st.column_config.NumberColumn(t("visits.households")),
        "problems_raised": st.column_config.NumberColumn(t("visits.raised")),
        "problems_resolved": st.column_config.NumberColumn(t("visits.resolved")),
        "summary": st.column_config.TextColumn(t("visits.summary"), width="large"),
        "record_id": st.column_config.TextColumn(t("visits.record_id")),
    }


def issue_table(issues: list[Issue]) -> pd.DataFrame:
    """Errors or warnings of an import as a table in the UI language."""
    lang = get_settings().lang
    rows = [{"row": issue.row, "column": issue.column, "value": issue.value,
             "message": translate_issue(issue, lang)} for issue in issues]
    return pd.DataFrame(rows, columns=["row", "column", "value", "message"])


def link_to(url_path: str, label: str) -> None:
    """Link to another page of the navigation; nothing when that page is not in it (for
    instance when a page runs on its own under AppTest)."""
    spec = next((p for p in PAGES if p.url_path == url_path), None)
    if spec is None:
        return
    try:
        st.page_link(spec.path, label=label, icon=":material/arrow_forward:")
    except StreamlitAPIException:
        return
