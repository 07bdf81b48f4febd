"""Widgets the pages share: KPI card, tables (a missing value as —, an empty table as a
sentence, a row to select), the village card, village map, column configurations, import
issue tables and links between pages."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import folium
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitAPIException

# streamlit-folium's own steps of st_folium, pinned (requirements.txt): ``show_map`` does
# what st_folium does, with the rendering done once per map and data version.
from streamlit_folium import (
    _component_func,
    _get_header,
    _get_html,
    _get_map_string,
    generate_js_hash,
    get_full_id,
)

from geo import maps, plan_service
from geo.access import User
from geo.briefing.data import Briefing
from geo.briefing.files import BRIEFING_KINDS, MIME_TYPES, NEEDS_CJK_FONT
from geo.briefing.fonts import missing_font_error
from geo.department_report import (
    DepartmentReport,
    department_rows,
    month_rows,
    warning_rows,
)
from geo.formalism import WARNING_CODES
from geo.i18n import translate, translate_issue
from geo.io.readers import parse_whole_numbers
from geo.io.report import Issue
from geo.io.table_files import csv_bytes, xlsx_bytes
from geo.layers import PROBLEM_LAYER, compliance_layer, plan_layer, problem_layer
from geo.period import Period
from geo.plan_service import PlanData
from geo.planner import Plan, department_capacity
from geo.problems import village_problem_figures
from geo.values import by_distinct
from geo.village_card import VillageCard
from ui.loaders import CoverageData, briefing_file, liaison_overdue_villages
from ui.session import PAGES, get_settings, language, plain, show_error, t

OVERVIEW_MAP_HEIGHT = 355
"""The overview map's height in px: below the title and the five cards (a long label or
change on two lines) it fits a 1280x720 projector, with the menu open."""
MISSING = "\u2014"
"""How a table shows a missing value (Streamlit's own is the English "None")."""


def kpi_card(column: DeltaGenerator, label: str, value: object,
             now: float | None = None, before: float | None = None,
             help_text: str | None = None, lower_is_better: bool = False,
             share: bool = False, count_key: str = "kpi.delta_villages") -> None:
    """Draw one KPI card with its change against the previous period of the same length.

    The change is a count of villages ("+2 个"; another count in the words of
    ``count_key``, "+3 件" of problems), or with ``share`` (``now`` and ``before`` are
    shares in [0, 1]) a difference in percentage points ("−4.2 个百分点"), never a count
    beside a percentage.
    """
    if now is None or before is None:
        column.metric(label, value, help=help_text, border=True, height="stretch")
        return
    if share:
        change = round((now - before) * 100, 1)
        text = t("kpi.delta_points", change="0" if change == 0 else f"{change:+.1f}")
    else:
        change = int(now - before)
        text = t(count_key, change="0" if change == 0 else f"{change:+d}")
    colour = "off" if change == 0 else ("inverse" if lower_is_better else "normal")
    column.metric(label, value, text, delta_color=colour,
                  delta_arrow="off" if change == 0 else "auto",
                  delta_description=t("kpi.delta_previous", window=get_settings().window_days),
                  help=help_text, border=True, height="stretch")


KPI_CARDS = 5
"""How many cards ``kpi_cards`` draws: the columns a page gives it."""
KPI_VALUE_EM = {**dict.fromkeys("0123456789", 0.497), " ": 0.2, "/": 0.35, "%": 0.824,
                "-": 0.311, "+": 0.497, ".": 0.22}
"""Widths in em of a card value's characters in Streamlit's font (Source Sans, measured
in Chromium); any other character counts 1 em (a CJK character's width)."""
KPI_VALUE_FILL = 0.9
"""The share of a card's width its value may take (semi-bold type in the presentation
mode is a little wider)."""


def _ems(text: str) -> float:
    return sum(KPI_VALUE_EM.get(character, 1.0) for character in text)


def kpi_value_css(key: str, value: object) -> str:
    """A rule fitting the value of the card in container ``key`` to the card's width,
    where Streamlit would cut it short with an ellipsis (24352 / 27057 at 1280×720).

    The value may wrap at a space onto a second line; its size is the card's own
    (``--kpi-value-size``: 2.25rem, larger in the presentation mode) or less, so that
    the wider of its two lines fits (a value without a space: the whole value).
    """
    text = str(value)
    splits = [max(_ems(text[:at].rstrip()), _ems(text[at:].lstrip()))
              for at, character in enumerate(text) if character == " "]
    ems = min(splits, default=_ems(text)) or 1.0
    fitting = 100 * KPI_VALUE_FILL / ems
    return (f".st-key-{key} [data-testid='stMetricValue'] {{ container-type: inline-size; }}"
            f"\n.st-key-{key} [data-testid='stMetricValue'] > div {{ font-size: "
            f"min(var(--kpi-value-size, 2.25rem), {fitting:.1f}cqi); }}"
            f"\n.st-key-{key} [data-testid='stMetricValue'] > div * {{ "
            f"white-space: normal !important; }}")


def kpi_cards(columns: list[DeltaGenerator], data: CoverageData) -> None:
    """The overview's five KPI cards, one in each of ``columns``: paired villages, the
    window's visit coverage, villages never visited, villages needing attention and
    overdue problems, each with its change against the previous window (the
    normal overview and the presentation mode's strip draw the same cards)."""
    kpis, previous = data.overview.kpis, data.overview.previous
    window = data.inputs.window_days
    values = [f"{kpis.paired} / {kpis.villages}", f"{kpis.visited_share:.0%}",
              kpis.never_visited, kpis.severe, kpis.overdue_problems]
    keys = [f"kpi_card_{index}" for index in range(KPI_CARDS)]
    st.html("<style>" + "\n".join(map(kpi_value_css, keys, values)) + "</style>")
    cards = [column.container(key=key, height="stretch")
             for column, key in zip(columns, keys, strict=True)]
    kpi_card(cards[0], t("kpi.paired"), values[0], kpis.paired,
             previous.paired, t("kpi.paired.help"))
    kpi_card(cards[1], t("kpi.visited", window=window), values[1],
             kpis.visited_share, previous.visited_share,
             t("kpi.visited.help", window=window), share=True)
    kpi_card(cards[2], t("kpi.never_visited"), values[2], kpis.never_visited,
             previous.never_visited, t("kpi.never_visited.help"), lower_is_better=True)
    kpi_card(cards[3], t("kpi.severe"), values[3], kpis.severe, previous.severe,
             t("kpi.severe.help", days=get_settings().neglect_days), lower_is_better=True)
    kpi_card(cards[4], t("kpi.overdue"), values[4], kpis.overdue_problems,
             previous.overdue_problems, t("kpi.overdue.help"), lower_is_better=True,
             count_key="kpi.delta_problems")


def in_words(values: pd.Series, words: Callable[[str], str]) -> pd.Series:
    """``values`` (codes) as ``words`` gives them, a missing value as None; ``words`` is
    called once per distinct value: once per row, the translations (``t``) took a tenth
    of a second of each run of the problem ledger's thousand rows."""
    return by_distinct(values, words)


def table(frame: pd.DataFrame, key: str, column_config: dict | None = None,
          empty: str | None = None, missing: str = MISSING, select: bool = False,
          columns: list[str] | None = None, height: int | str = "auto") -> int | None:
    """Show ``frame`` full width without its index, a missing value as ``missing``.

    An empty frame shows ``empty`` as a note instead of an empty grid (Streamlit's own
    says "empty"). ``columns`` picks and orders the columns shown. Only those (and none
    that ``column_config`` hides with None) are sent to the browser: its "show/hide
    columns" menu would otherwise offer the rest. With ``select`` a row can be ticked;
    its position in ``frame`` is returned (None when none is).
    """
    if frame.empty:
        if empty:
            st.info(empty)
        return None
    hidden = {name for name, config in (column_config or {}).items() if config is None}
    frame = frame[[c for c in (columns or frame.columns) if c in frame and c not in hidden]]
    options: dict = {"on_select": "rerun", "selection_mode": "single-row"} if select else {}
    config = {name: c for name, c in (column_config or {}).items() if c is not None}
    event = st.dataframe(frame, hide_index=True, key=key, width="stretch",
                         column_config=config, placeholder=missing, height=height,
                         **options)
    if not select:
        return None
    rows = event.selection.rows
    return rows[0] if rows and rows[0] < len(frame) else None


def show_village_card(card: VillageCard, key: str = "card") -> None:
    """Draw a village's card: figures, reasons, pairings with compliance, last visits and
    need factors (tables keyed ``{key}_…``); the names show as plain text."""
    st.subheader(t("card.title", name=plain(card.name), township=plain(card.township)))
    days = (t("tooltip.never") if card.days_since_last_visit is None
            else t("tooltip.days_value", days=card.days_since_last_visit))
    cols = st.columns(4)
    cols[0].metric(t("tooltip.days"), days)
    cols[1].metric(t("card.visits_in_window"), card.visits_in_window)
    cols[2].metric(t("layer.need"), f"{card.need:.2f}")
    cols[3].metric(t("card.priority"), MISSING if card.priority is None
                   else f"{card.priority:.2f}")
    st.write(t("card.reasons", reasons=plain(card.reasons_text) or t("card.no_reason")))
    st.markdown(t("card.pairings"))
    table(card.pairings, f"{key}_pairings", empty=t("card.no_pairings"), column_config={
        "department": st.column_config.TextColumn(t("table.department")),
        "kind": st.column_config.TextColumn(t("card.pairing_kind")),
        "start_date": st.column_config.DateColumn(t("card.start")),
        "end_date": st.column_config.DateColumn(t("card.end")),
        "required_visits_per_month": st.column_config.NumberColumn(t("card.required")),
        "compliance": st.column_config.ProgressColumn(t("card.compliance"), min_value=0,
                                                      max_value=1, format="percent"),
    })
    st.markdown(t("card.last_visits"))
    table(card.last_visits, f"{key}_visits", empty=t("card.no_visits"), column_config={
        "date": st.column_config.DateColumn(t("visits.date")),
        "department": st.column_config.TextColumn(t("table.department")),
        "kind": st.column_config.TextColumn(t("visits.kind")),
        "households_visited": st.column_config.NumberColumn(t("visits.households")),
        "summary": st.column_config.TextColumn(t("visits.summary"), width="large"),
    })
    st.markdown(t("card.need_factors"))
    table(card.need_factors.assign(factor=card.need_factors["factor"].map(
        lambda f: t(f"need.{f}"))), f"{key}_need", column_config={
        "factor": st.column_config.TextColumn(t("card.factor")),
        "value": st.column_config.ProgressColumn(t("card.scaled"), min_value=0, max_value=1,
                                                 format="%.2f"),
        "weight": st.column_config.NumberColumn(t("card.weight")),
    })


def village_map(data: CoverageData, layer: str = "pairing",
                focus_township: str | None = None, fullscreen: bool = False) -> folium.Map:
    """Build a village map of ``layer`` (one of ``geo.layers.COVERAGE_LAYERS``) from
    ``data`` (its window names the classes); the problem layer classifies the villages
    by the ledger's figures at ``data``'s as-of date. With ``fullscreen``, a button puts
    the map full screen."""
    settings = get_settings()
    labels = maps.map_labels(language(), data.inputs.window_days)
    shown = None
    if layer == PROBLEM_LAYER:
        codes = pd.Index(data.inputs.villages["code"])
        shown = problem_layer(village_problem_figures(data.inputs.problems, codes,
                                                      data.inputs.as_of), codes, labels)
    return maps.build_village_map(
        data.inputs.villages, data.townships, data.county, data.status, labels,
        tiles=settings.tiles, tianditu_key=settings.tianditu_key, layer=layer,
        focus_township=focus_township, fullscreen=fullscreen, shown_layer=shown,
    )


@dataclass(frozen=True)
class RenderedMap:
    """A folium map as streamlit-folium's component draws it: its Leaflet script, its
    header and HTML, its map id and the vendored files it loads (``geo.offline``)."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def render_map(fmap: folium.Map, fit_window: bool = False) -> RenderedMap:
    """Render ``fmap`` as ``st_folium`` does (streamlit-folium 0.27.4: the figure, the
    map, then each element's script). A branca colormap would make st_folium add d3
    from two CDNs; PairMap's maps have none (``geo.offline``), so none is added here.
    With ``fit_window``, the map first gets ``maps.FitFrameToWindow``."""
    if fit_window:
        fmap.add_child(maps.FitFrameToWindow())
    fmap.get_root().render()
    fmap.render()
    html, header = _get_html(fmap), _get_header(fmap)
    script = _get_map_string(fmap)

    def walk(element: object) -> Iterator[object]:
        yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for element in walk(fmap):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return RenderedMap(script=script, header=header, html=html, map_id=get_full_id(fmap),
                       css_links=tuple(dict.fromkeys(css)), js_links=tuple(dict.fromkeys(js)))


def show_map(fmap: folium.Map | RenderedMap, key: str, height: int = 620,
             clickable: bool = False, fit_window: bool = False) -> str | None:
    """Draw ``fmap`` (a folium map, or one rendered by ``render_map``) with
    streamlit-folium's component; panning and zooming do not rerun the script.

    With ``clickable``, a click on a village reruns the page and its code is returned.
    With ``fit_window``, the map is at most ``height`` px tall but no taller than the
    browser window leaves below its top (the legend stays on a 1280×720 screen); a
    rendered map was given it by ``render_map``.
    """
    shown = fmap if isinstance(fmap, RenderedMap) else render_map(fmap, fit_window)
    returned_objects = ["last_active_drawing"] if clickable else []
    # The component's key is the script's hash, as st_folium's: the same map keeps its
    # frame (and the view the person chose) across reruns.
    component_key = generate_js_hash(shown.script, key, False)

    def keep_returned() -> None:
        st.session_state[key] = st.session_state.get(component_key, {})

    returned = _component_func(
        script=shown.script, header=shown.header, html=shown.html, id=shown.map_id,
        key=component_key, height=height, width=None, returned_objects=returned_objects,
        default={name: None for name in returned_objects}, zoom=None, center=None,
        feature_group=None, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(shown.css_links), js_links=list(shown.js_links),
        on_change=keep_returned, wrap_longitude=False)
    feature = (returned or {}).get("last_active_drawing") if clickable else None
    if isinstance(feature, dict):
        return (feature.get("properties") or {}).get("code")
    return None


@st.cache_data(show_spinner=False, max_entries=32)
def _rendered_village_map(cache_key: tuple, lang: str, layer: str,
                          focus_township: str | None, fullscreen: bool, fit_window: bool,
                          _data: CoverageData) -> RenderedMap:
    """The village map of ``_data`` rendered, once per data (``cache_key``), language
    and options for every session of the process: building and rendering it took
    0.1-0.3 s of each run before the map could be sent."""
    return render_map(village_map(_data, layer, focus_township, fullscreen), fit_window)


def show_village_map(data: CoverageData, key: str, height: int = 620, layer: str = "pairing",
                     focus_township: str | None = None, fullscreen: bool = False,
                     clickable: bool = False, fit_window: bool = False) -> str | None:
    """``show_map(village_map(data, layer, focus_township, fullscreen), …)``, the map
    built and rendered once per data version, language and options (cached)."""
    if data.cache_key is None:
        shown = render_map(village_map(data, layer, focus_township, fullscreen), fit_window)
    else:
        shown = _rendered_village_map((*data.cache_key, get_settings().tiles), language(),
                                      layer, focus_township, fullscreen, fit_window,
                                      _data=data)
    return show_map(shown, key=key, height=height, clickable=clickable)


def download_buttons(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str,
                     key: str) -> None:
    """CSV and Excel downloads of ``frame`` side by side (files ``name``.csv/.xlsx).

    Each file is made when its button is clicked, not on every run: writing the Excel
    file took 0.1-0.5 s of each run of the pages with a download (the problem ledger's
    most). ``frame`` may instead be a maker of the frame, called then too, so that a
    table offered only as a file is not computed on every run either; it runs outside
    the script run (Streamlit's deferred download), so it must not call Streamlit
    (nor ``t``: give it the words it needs).
    """
    def table() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    left, right, _rest = st.columns([1, 1, 4])
    left.download_button(t("download.csv"), lambda: csv_bytes(table()),
                         file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv")
    right.download_button(t("download.xlsx"), lambda: xlsx_bytes(table(), name),
                          file_name=f"{name}.xlsx", key=f"{key}_xlsx")


def township_shown(table: pd.DataFrame) -> pd.DataFrame:
    """The township comparison as shown: its shares in percent (bars read "73%", not
    "72.73%"); the download keeps the report's fractions."""
    return table.assign(paired_share=table["paired_share"] * 100,
                        visited_share=table["visited_share"] * 100)


def township_columns(window: int, level: str | None = None) -> dict:
    """Column headings and formats of ``township_shown`` (乡镇对比; with ``level``, the
    comparison of that level's units, ``ui.drill.unit_table``)."""
    share = st.column_config.ProgressColumn
    return {
        "township": st.column_config.TextColumn(
            t("township.name") if level is None else t(f"drill.level.{level}")),
        "villages": st.column_config.NumberColumn(t("township.villages")),
        "paired_share": share(t("township.paired_share"), min_value=0, max_value=100,
                              format="%.0f%%"),
        "visited_share": share(t("township.visited_share", window=window), min_value=0,
                               max_value=100, format="%.0f%%"),
        "never_visited": st.column_config.NumberColumn(t("township.never_visited")),
        "severe": st.column_config.NumberColumn(t("township.severe"),
                                                help=t("kpi.severe.help",
                                                       days=get_settings().neglect_days)),
        "neglected": st.column_config.NumberColumn(t("township.neglected")),
        "visits_per_1000": st.column_config.NumberColumn(
            t("township.visits_per_1000"), format="%.1f",
            help=t("township.visits_per_1000.help", window=window)),
    }


TOWNSHIP_SHOWN = ["township", "villages", "paired_share", "visited_share", "never_visited",
                  "severe", "neglected", "visits_per_1000"]
NEGLECTED_SHOWN = ["village", "township", "reasons", "days_since_last_visit", "open_problems",
                   "shortfalls", "departments", "priority", "need", "code"]


def neglected_columns(window: int) -> dict:
    """Column headings and formats of neglected-village tables (a missing number of days
    reads 从未: pass ``missing=t("table.never")`` to ``table``)."""
    return {
        "code": st.column_config.TextColumn(t("neglected.code")),
        "village": st.column_config.TextColumn(t("table.village")),
        "township": st.column_config.TextColumn(t("table.township")),
        "group": st.column_config.TextColumn(t("neglected.group")),
        "reasons": st.column_config.TextColumn(t("neglected.reasons")),
        "days_since_last_visit": st.column_config.NumberColumn(
            t("tooltip.days"), help=t("neglected.days_never_help")),
        "open_problems": st.column_config.NumberColumn(
            t("neglected.open_problems"), help=t("neglected.open_problems.help",
                                                 window=window)),
        "shortfalls": st.column_config.TextColumn(
            t("neglected.shortfalls"), help=t("neglected.shortfalls.help"), width="large"),
        "priority": st.column_config.NumberColumn(t("card.priority"), format="%.2f"),
        "need": st.column_config.ProgressColumn(t("layer.need"), min_value=0, max_value=1,
                                                format="%.2f"),
        "departments": st.column_config.TextColumn(t("table.departments"), width="medium"),
    }


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


def pairing_columns() -> dict:
    """Column headings and formats of the pairings table (codes hidden: names show)."""
    text = st.column_config.TextColumn
    return {
        "id": st.column_config.NumberColumn(t("pairings.id"), format="%d", width="small"),
        "department_code": None,
        "township_code": None,
        "village_code": None,
        "department": text(t("table.department")),
        "township": text(t("table.township")),
        "village": text(t("table.village")),
        "kind": text(t("pairings.kind"), width="small"),
        "start_date": st.column_config.DateColumn(t("pairings.start")),
        "end_date": st.column_config.DateColumn(t("pairings.end")),
        "required_visits_per_month": st.column_config.NumberColumn(
            t("pairings.required_short"), format="%d", width="small",
            help=t("pairings.required")),
        "state": text(t("pairings.state"), width="small"),
        "note": text(t("pairings.note"), width="medium"),
    }


def pairings_shown(table: pd.DataFrame) -> pd.DataFrame:
    """The pairings table as shown and downloaded: the state as a word."""
    return table.assign(state=in_words(table["state"], lambda s: t(f"pairings.state.{s}")))


def issue_table(issues: list[Issue]) -> pd.DataFrame:
    """Errors or warnings of an import as a table in the UI language."""
    lang = language()
    rows = [{"row": issue.row, "column": issue.column, "value": issue.value,
             "message": translate_issue(issue, lang)} for issue in issues]
    return pd.DataFrame(rows, columns=["row", "column", "value", "message"])


def link_to(url_path: str, label: str, icon: str | None = ":material/arrow_forward:",
            query_params: dict[str, str] | None = None, help_text: str | None = None,
            alone: bool = False) -> None:
    """Link to another page of the navigation (with ``query_params`` in its address).
    When that page is not in the navigation (for instance when a page runs on its own
    under AppTest) there is no link: nothing, or with ``alone`` the label as text."""
    spec = next((p for p in PAGES if p.url_path == url_path), None)
    if spec is not None:
        try:
            st.page_link(spec.path, label=label, icon=icon, help=help_text,
                         query_params=query_params)
            return
        except StreamlitAPIException:
            pass  # the page is not in this run's navigation
    if alone:
        st.write(label)


BANNER_VILLAGES = 3
"""How many villages the liaison's banner names (the longest overdue first)."""


def overdue_banner(user: User, as_of: date) -> None:
    """A liaison's warning of its own department's overdue problems at ``as_of``: how
    many, the first ``BANNER_VILLAGES`` villages with their days overdue (names as plain
    text), and a link to the problem ledger when it is in the navigation.
    Nothing for another role, nor when nothing is overdue."""
    villages = liaison_overdue_villages(user, as_of)
    if villages.empty:
        return
    named = [t("banner.village", name=plain(row.name), count=int(row.overdue),
               days=int(row.days_overdue))
             for row in villages.head(BANNER_VILLAGES).itertuples(index=False)]
    listed = t("list.separator").join(named)
    if len(villages) > BANNER_VILLAGES:
        listed = f"{listed} {t('banner.more', count=len(villages))}"
    with st.container(key="liaison_overdue_banner"):
        st.warning(t("banner.overdue", count=int(villages["overdue"].sum()), villages=listed),
                   icon=":material/schedule:")
        link_to("problems", t("banner.open_ledger"))


# --- the Departments page -----------------------------------------------------------------

PERIOD_CHOICES = ("months", "window", "year", "range")
"""The Departments page's periods: the last 12 months (the default), the settings'
window, a calendar year (for the annual evaluation) and any range of days."""
TREND_MONTHS = 12
COMPARE_MAX = 5
DEPARTMENT_MAP_HEIGHT = 480
"""The Departments page's map, in px: a fixed height on a page that scrolls past it."""
"""How many departments the trends compare at most."""


def period_picker(period: Period, first_year: int, key: str) -> Period | None:
    """Choose the period of a whole page; None while a range has only its first day.

    ``period`` is the page's default (today and the settings' window); a calendar year
    runs from ``first_year`` to this year, this year's up to today. A link may name the
    choice it opens on (``?period=window``, as the overview's red and black lists do).
    """
    today = period.as_of
    asked = st.query_params.get("period")
    if asked is not None and asked not in PERIOD_CHOICES:
        st.warning(t("period.unknown_link", period=plain(asked)))
    left, right = st.columns([3, 2])
    choice = left.radio(t("period.choice"), PERIOD_CHOICES, horizontal=True,
                        index=PERIOD_CHOICES.index(asked) if asked in PERIOD_CHOICES else 0,
                        key=f"{key}_choice",
                        format_func=lambda c: t(f"period.{c}", window=period.window_days,
                                                months=TREND_MONTHS))
    if choice == "months":
        return Period.last_months(today, TREND_MONTHS)
    if choice == "window":
        return period
    if choice == "year":
        years = list(range(today.year, min(first_year, today.year) - 1, -1))
        year = right.selectbox(t("period.year_label"), years, key=f"{key}_year")
        return Period.calendar_year(year, today)
    # No max_value: Streamlit refuses a later day in English and keeps the old range.
    picked = right.date_input(t("period.range_label"), (period.start, today),
                              key=f"{key}_range", format="YYYY-MM-DD")
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info(t("period.range_incomplete"))
        return None
    if picked[1] > today:
        st.error(t("period.range_future", end=picked[1].isoformat(), today=today.isoformat()))
        return None
    return Period.between(*picked)


def data_note(period: Period, first_visit: date | None) -> None:
    """Say so when ``period`` begins before the first recorded visit: its first months
    have no records, and its figures (compliance, warnings) read accordingly."""
    if first_visit is not None and period.start < first_visit <= period.as_of:
        st.info(t("period.before_data", first=first_visit.isoformat()))
    elif first_visit is None or first_visit > period.as_of:
        st.info(t("period.no_data"))


def compared_departments(chosen: list[str]) -> list[str]:
    """The departments the trends compare: at most ``COMPARE_MAX``, said when more were
    chosen (Streamlit's own limit would say it in English)."""
    if len(chosen) > COMPARE_MAX:
        st.warning(t("departments.compare_limit", count=COMPARE_MAX))
    return chosen[:COMPARE_MAX]


SHARE_FIGURES = ["compliance", "paired_coverage", "resolution_rate", "long_term_share",
                 "satisfaction", "participation", "leader_participation"]
RANKING_SHOWN = ["rank", "name", "score", "warnings", "compliance", "paired_coverage",
                 "resolution_rate", "long_term_share", "satisfaction", "ledger_open",
                 "ledger_overdue", "ledger_resolved", "ledger_median_days_to_resolve", "visits",
                 "villages_visited", "participation", "leader_participation",
                 "problems_raised", "problems_resolved"]


def ranking_shown(report: DepartmentReport) -> pd.DataFrame:
    """The ranking as shown: every component beside the score, shares in percent (the
    download keeps the report's fractions)."""
    ranked = report.ranked.reset_index()
    return ranked.assign(**{name: ranked[name].astype("float64") * 100
                            for name in SHARE_FIGURES})


def ranking_columns() -> dict:
    """Column headings and formats of ``ranking_shown``."""
    share = st.column_config.ProgressColumn
    columns = {
        "code": None,
        "rank": st.column_config.NumberColumn(t("departments.rank"), format="%d",
                                              help=t("departments.rank.help")),
        "name": st.column_config.TextColumn(t("table.department")),
        "score": share(t("departments.score"), min_value=0, max_value=100, format="%.2f",
                       help=t("departments.score.help")),
        "warnings": st.column_config.NumberColumn(t("departments.warnings_count"),
                                                  help=t("departments.warnings.help")),
        "visits": st.column_config.NumberColumn(t("departments.metric.visits")),
        "villages_visited": st.column_config.NumberColumn(t("departments.villages_visited")),
        "problems_raised": st.column_config.NumberColumn(t("visits.raised")),
        "problems_resolved": st.column_config.NumberColumn(t("visits.resolved")),
        "ledger_open": st.column_config.NumberColumn(
            t("departments.ledger_open"), format="%d", help=t("departments.ledger_open.help")),
        "ledger_overdue": st.column_config.NumberColumn(
            t("departments.ledger_overdue"), format="%d",
            help=t("departments.ledger_overdue.help")),
        "ledger_resolved": st.column_config.NumberColumn(
            t("departments.ledger_resolved"), format="%d",
            help=t("departments.ledger_resolved.help")),
        "ledger_median_days_to_resolve": st.column_config.NumberColumn(
            t("departments.ledger_median"), format="%.1f",
            help=t("departments.ledger_median.help")),
    }
    for name in SHARE_FIGURES:
        columns[name] = share(t(f"departments.metric.{name}"), min_value=0, max_value=100,
                              format="%.0f%%", help=t(f"departments.metric.{name}.help"))
    return columns


def ranking_download(report: DepartmentReport) -> pd.DataFrame:
    """The ranking as downloaded: the rows of ``report departments --format csv``."""
    return department_rows(report.as_dict())


def months_download(report: DepartmentReport) -> pd.DataFrame:
    """The monthly figures as downloaded: ``report departments --part months``."""
    return month_rows(report.as_dict())


def warnings_download(report: DepartmentReport) -> pd.DataFrame:
    """The warnings as downloaded: ``report departments --part warnings``."""
    return warning_rows(report.as_dict())


def warnings_shown(report: DepartmentReport, department: str | None) -> pd.DataFrame:
    """The formalism warnings (of one department when given) in the UI language: what,
    whose, when, how many records; ``visit_ids`` kept for opening."""
    warnings = report.warnings
    if department is not None:
        warnings = warnings[warnings["department_code"] == department]
    names = report.ranked["name"]
    return pd.DataFrame({
        "warning": in_words(warnings["code"], lambda c: t(f"warning.{c}")).to_numpy(),
        "department": warnings["department_code"].map(names).to_numpy(),
        "period": warnings["period"].to_numpy(),
        "count": warnings["count"].astype("int64").to_numpy(),
        "visit_ids": warnings["visit_ids"].to_numpy(),
        "department_code": warnings["department_code"].to_numpy(),
    })


WARNINGS_SHOWN = ["warning", "department", "period", "count"]
WARNING_VISITS_SHOWN = ["id", "date", "village", "kind", "summary", "households_visited",
                        "problems_raised", "problems_resolved", "department"]
"""A warning's records: what was written (the summary) before the counts, within 1280 px."""


def warning_meanings() -> str:
    """What each formalism warning means, one line each (markdown)."""
    return "\n".join(t("departments.warning_meaning_line", name=t(f"warning.{code}"),
                       meaning=t(f"warning.{code}.explain")) for code in WARNING_CODES)


def warning_columns() -> dict:
    """Column headings of ``warnings_shown``."""
    return {
        "warning": st.column_config.TextColumn(t("departments.warning")),
        "department": st.column_config.TextColumn(t("table.department")),
        "period": st.column_config.TextColumn(t("departments.quarter")),
        "count": st.column_config.NumberColumn(t("departments.warning_records")),
    }


def department_map(data: CoverageData, compliance: pd.DataFrame) -> RenderedMap:
    """The village map with one department's paired villages coloured by its compliance
    (``geo.layers.compliance_layer``), rendered for ``show_map``. The wheel scrolls the
    long page over it instead of zooming the map (its buttons zoom).

    Built and rendered once per data (``data.cache_key``), villages shown, compliance,
    language and tiles for every session: that took 0.1-0.2 s of each run of the
    Departments page."""
    if data.cache_key is None:
        return render_map(_department_map(data, compliance))
    return _rendered_department_map((*data.cache_key, get_settings().tiles), language(),
                                    tuple(data.inputs.villages["code"]), compliance,
                                    _data=data)


@st.cache_data(show_spinner=False, max_entries=32)
def _rendered_department_map(cache_key: tuple, lang: str, villages: tuple[str, ...],
                             compliance: pd.DataFrame, _data: CoverageData) -> RenderedMap:
    """``department_map`` rendered (``villages``: the codes of ``_data``'s villages,
    which a map of several counties cuts to those of the department)."""
    return render_map(_department_map(_data, compliance))


def _department_map(data: CoverageData, compliance: pd.DataFrame) -> folium.Map:
    """The folium map of ``department_map``."""
    settings = get_settings()
    labels = maps.map_labels(language(), data.inputs.window_days)
    codes = pd.Index(data.inputs.villages["code"])
    return maps.build_village_map(
        data.inputs.villages, data.townships, data.county, data.status, labels,
        tiles=settings.tiles, tianditu_key=settings.tianditu_key,
        shown_layer=compliance_layer(compliance, codes, labels), wheel_zoom=False)


def department_villages_shown(compliance: pd.DataFrame, data: CoverageData) -> pd.DataFrame:
    """A department's paired villages with their townships and compliance (percent)."""
    villages = data.inputs.villages.set_index("code")
    towns = data.townships.set_index("code")["short_name"]
    codes = compliance.index
    return pd.DataFrame({
        "village": villages["short_name"].reindex(codes).to_numpy(),
        "township": villages["parent_code"].reindex(codes).map(towns).to_numpy(),
        "months_met": compliance["months_met"].to_numpy(),
        "months_judged": compliance["months_judged"].to_numpy(),
        "compliance": compliance["compliance"].to_numpy() * 100,
    })


def department_village_columns() -> dict:
    """Column headings of ``department_villages_shown``."""
    return {
        "village": st.column_config.TextColumn(t("table.village")),
        "township": st.column_config.TextColumn(t("table.township")),
        "months_met": st.column_config.NumberColumn(t("departments.months_met")),
        "months_judged": st.column_config.NumberColumn(t("departments.months_judged")),
        "compliance": st.column_config.ProgressColumn(
            t("departments.metric.compliance"), min_value=0, max_value=100,
            format="%.0f%%"),
    }


def department_name(name: str, county: str | None = None) -> str:
    """A department as named where several counties are shown: its county first
    (兴山县·县委办公室, as a narrow column cuts the end of a line), or its name alone."""
    return name if county is None else t("overview.department_in_county", name=name,
                                         county=county)


def red_and_black_lists(report: DepartmentReport,
                        counties: Mapping[str, str] | None = None) -> None:
    """The red list (红榜) and the black list (黑榜), a line per department: rank, score
    and name (the score before the name, so that a long name cut short by a narrow
    column never hides it), with ``counties`` the department's county before its name;
    each opens its department on the Departments page."""
    for title, rows in ((t("departments.list_red"), report.red),
                        (t("departments.list_black"), report.black)):
        st.markdown(f"**{title}**")
        if rows.empty:
            st.caption(t("departments.no_scores"))
            continue
        for code, row in rows.iterrows():
            name = department_name(row["name"], (counties or {}).get(code))
            label = t("overview.list_row", rank=int(row["rank"]), name=plain(name),
                      score=f"{row['score']:.2f}")
            department_link(code, label)


def department_link(code: str, label: str) -> None:
    """Link to the Departments page opened on department ``code`` over the settings'
    window (the overview's period, so that its scores are those the link showed); the
    label alone when that page is not in the navigation (a page run on its own under
    AppTest). The label is also its tooltip: a narrow column cuts a long name short."""
    link_to("departments", label, icon=None, help_text=label, alone=True,
            query_params={"department": code, "period": "window"})


def initial_department(user: User, report: DepartmentReport) -> str | None:
    """The department a page opens on: the one its link names (``?department=``), else a
    liaison's own, else the first of the ranking. A link naming an unknown department
    says so."""
    codes = list(report.ranked.index)
    asked = st.query_params.get("department")
    if asked is not None and asked in codes:
        return asked
    if asked is not None:
        st.warning(t("departments.unknown_link", code=plain(asked)))
    if user.department_code in codes:
        return user.department_code
    return codes[0] if codes else None


# --- the planner page ---------------------------------------------------------------------

PLANNER_SHOWN = ["accept", "department", "village", "township", "paired_with",
                 "distance_km", "need", "reason"]


def _village_labels(data: PlanData) -> dict[str, str]:
    """Village label (name and township, unique) → code, for the pair editors (the
    language read once, not per village)."""
    towns = data.townships.set_index("code")["short_name"]
    lang = language()
    villages = zip(data.villages["code"], data.villages["short_name"],
                   data.villages["parent_code"], strict=True)
    return {translate("record.village_in", lang, name=name,
                      township=towns.get(parent, "")): code
            for code, name, parent in villages}


def _department_labels(data: PlanData) -> dict[str, str]:
    """Department name → code, the active departments only."""
    active = data.departments[data.departments["active"].fillna(False).astype(bool)]
    return dict(zip(active["name"], active["code"], strict=True))


def capacity_editor(data: PlanData, members_per_village: int, key: str
                    ) -> dict[str, int] | None:
    """Each active department's places by the rule, editable as typed text (the grid's
    number cells would drop a minus sign or a decimal point unseen); returns the places
    typed where they differ from the rule, or None while a cell is not a whole number
    from 0 (each said by department, beside the table)."""
    rule = department_capacity(data.departments, data.pairings, data.as_of,
                               members_per_village)
    labels = _department_labels(data)
    codes = list(labels.values())
    rules = rule.reindex(codes).to_numpy()
    frame = pd.DataFrame({"department": list(labels), "party_members": data.departments
                          .set_index("code")["party_members"].reindex(codes).to_numpy(),
                          "rule": rules, "places": [str(int(r)) for r in rules]})
    st.caption(t("planner.places_caption"))
    edited = st.data_editor(
        frame, key=f"{key}_{members_per_village}", hide_index=True, width="stretch",
        height=260, disabled=["department", "party_members", "rule"], column_config={
            "department": st.column_config.TextColumn(t("table.department")),
            "party_members": st.column_config.NumberColumn(t("planner.party_members")),
            "rule": st.column_config.NumberColumn(t("planner.rule_places"),
                                                  help=t("planner.rule_places.help")),
            "places": st.column_config.TextColumn(t("planner.places"),
                                                  help=t("planner.places.help")),
        })
    typed = edited["places"].fillna("").astype(str)
    numbers, bad = parse_whole_numbers(typed)
    wrong = bad | numbers.isna() | (numbers.fillna(0) < 0)
    if wrong.any():
        st.error(t("planner.places_bad", rows=", ".join(
            t("planner.places_bad_one", department=plain(name), value=plain(value))
            for name, value in zip(edited["department"][wrong], typed[wrong],
                                   strict=True))))
        return None
    return {code: int(places) for code, rule_places, places
            in zip(codes, rules, numbers, strict=True) if int(places) != int(rule_places)}


def pair_editor(data: PlanData, key: str, label: str) -> list[tuple[str, str]] | None:
    """Department–village pairs typed row by row (locks or exclusions); None while a row
    names only one of the two (said beside the table)."""
    departments, villages = _department_labels(data), _village_labels(data)
    st.markdown(label)
    frame = pd.DataFrame({"department": pd.Series(dtype=object),
                          "village": pd.Series(dtype=object)})
    edited = st.data_editor(frame, key=key, num_rows="dynamic", hide_index=True,
                            width="stretch", placeholder=MISSING, column_config={
                                "department": st.column_config.SelectboxColumn(
                                    t("table.department"), options=list(departments)),
                                "village": st.column_config.SelectboxColumn(
                                    t("table.village"), options=list(villages))})
    pairs, incomplete = [], []
    for number, (department, village) in enumerate(
            zip(edited["department"], edited["village"], strict=True), start=1):
        given = [not pd.isna(department), not pd.isna(village)]
        if all(given):
            pairs.append((departments[department], villages[village]))
        elif any(given):
            incomplete.append(number)
    if incomplete:
        st.warning(t("planner.pair_incomplete", rows=", ".join(map(str, incomplete))))
        return None
    repeated = sorted({number for number, pair in enumerate(pairs, start=1)
                       if pairs.count(pair) > 1})
    if repeated:
        st.warning(t("planner.pair_repeated", rows=", ".join(map(str, repeated))))
        return None
    return pairs


def proposals_editor(rows: pd.DataFrame, key: str) -> list[tuple[str, str]]:
    """The proposals with a tick each (all ticked at first); returns the ticked
    (department, village) pairs. Keyed by the proposals themselves, so that a tick never
    moves to another proposal when the plan changes."""
    digest = hashlib.sha1("|".join(rows["department_code"] + ">" + rows["village_code"])
                          .encode()).hexdigest()[:12]
    shown = rows.assign(accept=True, reason=rows["reason"].map(
        lambda r: t(f"plan.reason.{r}")))[PLANNER_SHOWN]
    edited = st.data_editor(
        shown, key=f"{key}_{digest}", hide_index=True, width="stretch",
        disabled=[c for c in PLANNER_SHOWN if c != "accept"], column_config={
            # Widths that keep every column in view at 1280 px (the reason was cut off).
            "accept": st.column_config.CheckboxColumn(t("planner.accept"), width=50),
            "department": st.column_config.TextColumn(t("table.department"), width=135),
            "village": st.column_config.TextColumn(t("table.village"), width=90),
            "township": st.column_config.TextColumn(t("table.township"), width=75),
            "paired_with": st.column_config.TextColumn(t("planner.paired_with"), width=135,
                                                       help=t("planner.paired_with.help")),
            "distance_km": st.column_config.NumberColumn(t("planner.distance"), width=85,
                                                         format="%.1f"),
            "need": st.column_config.ProgressColumn(t("layer.need"), min_value=0, width=90,
                                                    max_value=1, format="%.2f"),
            "reason": st.column_config.TextColumn(t("planner.reason"), width=105),
        })
    second = int((rows["paired_with"] != "").sum())
    if second:
        st.caption(t("planner.second_pairings", count=second))
    return [(d, v) for d, v, accepted in zip(rows["department_code"], rows["village_code"],
                                             edited["accept"], strict=True) if accepted]


def plan_map(coverage: CoverageData, plan: Plan, rows: pd.DataFrame) -> RenderedMap:
    """The village map of a plan: proposed villages, the candidates left uncovered, and a
    line from each department's anchor to its proposed village; rendered for
    ``show_map``, once per data (``coverage.cache_key``), plan, language and tiles for
    every session (building and rendering it took 0.1-0.3 s of each run of the planner
    page)."""
    if coverage.cache_key is None:
        return render_map(_plan_map(coverage, plan.uncovered, rows))
    return _rendered_plan_map((*coverage.cache_key, get_settings().tiles), language(),
                              plan.uncovered, rows, _coverage=coverage)


@st.cache_data(show_spinner=False, max_entries=16)
def _rendered_plan_map(cache_key: tuple, lang: str, uncovered: tuple[str, ...],
                       rows: pd.DataFrame, _coverage: CoverageData) -> RenderedMap:
    """``plan_map`` rendered."""
    return render_map(_plan_map(_coverage, uncovered, rows))


def _plan_map(coverage: CoverageData, uncovered: tuple[str, ...], rows: pd.DataFrame
              ) -> folium.Map:
    """The folium map of ``plan_map``: the plan's proposals (``rows``) and the villages
    it leaves ``uncovered``."""
    settings = get_settings()
    labels = maps.map_labels(language(), coverage.inputs.window_days)
    codes = pd.Index(coverage.inputs.villages["code"])
    proposed = dict(zip(rows["village_code"], rows["department"], strict=True))
    fmap = maps.build_village_map(
        coverage.inputs.villages, coverage.townships, coverage.county, coverage.status,
        labels, tiles=settings.tiles, tianditu_key=settings.tianditu_key,
        shown_layer=plan_layer(proposed, list(uncovered), codes, labels),
        wheel_zoom=False)
    return maps.add_plan_lines(fmap, rows)


def plan_sheet_file(plan: Plan, data: PlanData, accepted: list[tuple[str, str]]
                    ) -> Callable[[], bytes]:
    """A maker of the organisation department's sheet (XLSX) of the accepted proposals
    for the download button, run only when it is clicked (writing it took a tenth of a
    second of each run); the sheet is in the language of this run."""
    lang = language()

    def make() -> bytes:
        sheet = plan_service.plan_sheet(plan_service.accepted_plan(plan, accepted), data,
                                        lang)
        return xlsx_bytes(sheet, plan_service.SHEET_NAME)

    return make


def plan_summary(plan: Plan) -> str:
    """What the plan achieves, in one line: candidates, covered, places, kilometres, and
    the planner's note when something is short."""
    note = plan.note_text(language())
    km = f"{plan.total_distance_km:.1f}"
    if note:  # the note already counts candidates, covered and places
        return f"{plain(note)} {t('planner.summary_km', km=km)}"
    return t("planner.summary", candidates=plan.candidates, covered=plan.covered,
             capacity=plan.capacity, km=km)


def whole_number_input(column: DeltaGenerator, label: str, default: int, low: int,
                       high: int, key: str, help_text: str | None = None) -> int | None:
    """A whole number typed as text and checked (Streamlit's number box turns "2.5" into
    2 and "1e3" into 1 unseen, and says a value out of range in English); None, with the
    reason in Chinese under the field, while it is not a whole number from ``low`` to
    ``high``."""
    typed = column.text_input(label, str(default), key=key, help=help_text)
    numbers, bad = parse_whole_numbers(pd.Series([typed]))
    value = numbers.iloc[0]
    if bad.iloc[0] or pd.isna(value) or not low <= int(value) <= high:
        column.error(t("planner.number_bad", value=plain(typed), low=low, high=high))
        return None
    return int(value)


# --- the briefing page ---------------------------------------------------------------------

BRIEFING_DOWNLOADS = {"pdf": ("briefing.download_pdf", ":material/picture_as_pdf:"),
                      "xlsx": ("briefing.download_xlsx", ":material/table_view:"),
                      "png": ("briefing.download_png", ":material/map:")}
"""Each briefing file's button: its label's key and icon."""


def briefing_downloads(briefing: Briefing, key: str) -> None:
    """The briefing's three downloads side by side: PDF, Excel and the map (PNG), each
    made when clicked (no rerun). Without the CJK font the page names the package to
    install and offers the workbook alone."""
    missing = missing_font_error()
    if missing is not None:
        show_error(missing)
    name = t("briefing.file_name", county=briefing.county, as_of=briefing.as_of.isoformat())
    for column, kind in zip(st.columns(len(BRIEFING_KINDS)), BRIEFING_KINDS, strict=True):
        label, icon = BRIEFING_DOWNLOADS[kind]
        column.download_button(
            t(label), briefing_file(briefing, kind), file_name=f"{name}.{kind}",
            mime=MIME_TYPES[kind], key=f"{key}_{kind}", on_click="ignore", icon=icon,
            type="primary" if kind == "pdf" else "secondary", width="stretch",
            disabled=missing is not None and kind in NEEDS_CJK_FONT)
