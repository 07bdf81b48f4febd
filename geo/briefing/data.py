"""The briefing's content as one typed object, gathered from the functions the pages use.

Nothing is recomputed here: the KPIs and the village status are the overview's
(``geo.overview.build_overview``), the villages needing attention the neglected page's
table (``geo.neglected.build_neglected_table``), the red and black lists the Departments
page's (``geo.department_report.build_department_report``) over the same period, and the
visits by month that page's monthly figures over its default period, the last 12 months
(``geo.period.Period.last_months``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo import reports, store
from geo.access import User
from geo.coverage import REASON_LABELS_EN
from geo.department_report import (
    DepartmentReport,
    build_department_report,
    load_department_inputs,
)
from geo.i18n import translate
from geo.neglected import build_neglected_table
from geo.overview import Overview, OverviewKpis, build_overview
from geo.period import Period

TOP_NEGLECTED = 10
"""How many of the villages needing attention the briefing lists."""
MONTHS_SHOWN = 12
"""The months of the visits chart: the Departments page's default period (近12个月)."""
LIST_COLUMNS = ["rank", "score", "name"]


def months_period(as_of: date) -> Period:
    """The period of the visits chart: the last ``MONTHS_SHOWN`` calendar months up to
    ``as_of`` (the Departments page's default period)."""
    return Period.last_months(as_of, MONTHS_SHOWN)


@dataclass(frozen=True)
class BriefingMap:
    """What the static map draws: the admin units (WGS84, as ``geo.store`` loads them)
    and each village's coverage and map status (``geo.status.compute_village_status``)."""

    villages: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    county: gpd.GeoDataFrame
    status: pd.DataFrame

    @property
    def schematic(self) -> bool:
        """Whether any village or township boundary is schematic (示意边界)."""
        return bool((self.villages["boundary_source"] == "schematic").any()
                    or (self.townships["boundary_source"] == "schematic").any())


@dataclass(frozen=True)
class Briefing:
    """Everything the briefing shows, for one as-of date and window.

    Attributes
    ----------
    county : str
        The county's name (兴山县).
    made_on : date
        The day the briefing is made (printed beside the as-of date).
    as_of, window_days, neglect_days
        ``T``, ``W`` and ``N`` of the figures.
    kpis, previous : OverviewKpis
        The overview's figures at ``T`` and one window earlier.
    neglected : DataFrame
        The first ``TOP_NEGLECTED`` rows of ``build_neglected_table`` (severe first).
    neglected_total : int
        How many villages have any neglect reason.
    red, black : DataFrame
        The red and black lists of the window: ``rank``, ``score``, ``name``, indexed by
        department code, in rank order.
    months : DataFrame
        ``month`` (``YYYY-MM``) and ``visits`` (the county's, as the Departments page
        counts them) for each month of ``months_period``.
    months_period : Period
        The period of ``months``.
    map : BriefingMap
        What the map draws.
    """

    county: str
    made_on: date
    as_of: date
    window_days: int
    neglect_days: int
    kpis: OverviewKpis
    previous: OverviewKpis
    neglected: pd.DataFrame
    neglected_total: int
    red: pd.DataFrame
    black: pd.DataFrame
    months: pd.DataFrame
    months_period: Period
    map: BriefingMap


def county_name(county: gpd.GeoDataFrame) -> str:
    """The county's name (its ``name``; empty without a county boundary)."""
    return str(county["name"].iloc[0]) if len(county) else ""


def visits_by_month(report: DepartmentReport) -> pd.DataFrame:
    """The county's visits in each month of ``report`` (its monthly department figures
    added up): ``month`` and ``visits``, oldest first."""
    months = report.months["visits"].fillna(0).groupby(level="month").sum()
    return pd.DataFrame({"month": months.index.astype(str),
                         "visits": months.to_numpy().astype("int64")})


def build_briefing(overview: Overview, villages: gpd.GeoDataFrame,
                   townships: gpd.GeoDataFrame, county: gpd.GeoDataFrame,
                   departments: pd.DataFrame, report: DepartmentReport,
                   monthly: DepartmentReport, neglect_days: int, made_on: date) -> Briefing:
    """Gather the briefing from computed results (no I/O).

    Parameters
    ----------
    overview : Overview
        ``geo.overview.build_overview`` of the briefing's period.
    villages, townships, county : GeoDataFrame
        As ``geo.store`` loads them.
    departments : DataFrame
        ``code`` and ``name`` (the departments that fell short are named).
    report : DepartmentReport
        The department report of the same period (red and black lists).
    monthly : DepartmentReport
        The department report of ``months_period(overview.as_of)`` (visits by month).
    neglect_days : int
        ``N`` of ``overview``.
    made_on : date
        The day the briefing is made.
    """
    neglected = build_neglected_table(overview.status, townships, departments)
    return Briefing(
        county=county_name(county), made_on=made_on, as_of=overview.as_of,
        window_days=overview.window_days, neglect_days=neglect_days, kpis=overview.kpis,
        previous=overview.previous,
        neglected=neglected.head(TOP_NEGLECTED).reset_index(drop=True),
        neglected_total=len(neglected),
        red=report.red[LIST_COLUMNS].copy(), black=report.black[LIST_COLUMNS].copy(),
        months=visits_by_month(monthly),
        months_period=Period(date.fromisoformat(monthly.as_of), monthly.window_days),
        map=BriefingMap(villages=villages, townships=townships, county=county,
                        status=overview.status),
    )


def load_briefing(engine: Engine, actor: User, period: Period, neglect_days: int,
                  made_on: date) -> Briefing:
    """Load the stored data once and gather the briefing of ``period`` (the command
    line's way; the page gathers it from its cached loaders with ``build_briefing``)."""
    coverage = reports.load_coverage_inputs(engine, actor, period, neglect_days)
    departments = store.load_departments(engine)
    overview = build_overview(coverage, departments)
    inputs = load_department_inputs(engine, actor, period, neglect_days)
    chart = months_period(period.as_of)
    monthly_inputs = dataclasses.replace(inputs, coverage=dataclasses.replace(
        inputs.coverage, as_of=chart.as_of, window_days=chart.window_days))
    return build_briefing(
        overview, coverage.villages, store.load_townships(engine), store.load_county(engine),
        departments, build_department_report(inputs),
        build_department_report(monthly_inputs), neglect_days, made_on)


# --- texts shared by the PDF and the workbook -------------------------------------------


@dataclass(frozen=True)
class KpiRow:
    """One KPI as the briefing prints it: label, value now and before (as shown), the
    change (villages, or percentage points for a share) and its text."""

    label: str
    value: str
    previous: str
    change: float
    change_text: str
    unit: str


def _change_text(change: float, share: bool, lang: str,
                 count_key: str = "kpi.delta_villages") -> str:
    """"+2 个", "−4.2 个百分点", "0 个", "+3 件" (as the overview's cards say it; a
    count in the words of ``count_key``)."""
    if share:
        shown = "0" if change == 0 else f"{change:+.1f}"
        return translate("kpi.delta_points", lang, change=shown)
    return translate(count_key, lang, change="0" if change == 0 else f"{int(change):+d}")


def kpi_rows(briefing: Briefing, lang: str) -> list[KpiRow]:
    """The overview's five cards: 已结对村, 近W天走访覆盖, 从未走访, 需关注村, 超期未办结."""
    now, before = briefing.kpis, briefing.previous
    villages = translate("briefing.unit_villages", lang)
    points = translate("briefing.unit_points", lang)
    problems = translate("briefing.unit_problems", lang)

    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    visited_change = (0.0 if now.visited_share is None or before.visited_share is None
                      else round((now.visited_share - before.visited_share) * 100, 1))
    rows = [
        KpiRow(translate("kpi.paired", lang), f"{now.paired} / {now.villages}",
               f"{before.paired} / {before.villages}", now.paired - before.paired, "",
               villages),
        KpiRow(translate("kpi.visited", lang, window=briefing.window_days),
               share(now.visited_share), share(before.visited_share), visited_change, "",
               points),
        KpiRow(translate("kpi.never_visited", lang), str(now.never_visited),
               str(before.never_visited), now.never_visited - before.never_visited, "",
               villages),
        KpiRow(translate("kpi.severe", lang), str(now.severe), str(before.severe),
               now.severe - before.severe, "", villages),
        KpiRow(translate("kpi.overdue", lang), str(now.overdue_problems),
               str(before.overdue_problems), now.overdue_problems - before.overdue_problems,
               "", problems),
    ]
    return [dataclasses.replace(row, change_text=_change_text(
        row.change, row.unit == points, lang,
        "kpi.delta_problems" if row.unit == problems else "kpi.delta_villages"))
        for row in rows]


def reason_texts(briefing: Briefing, lang: str) -> list[str]:
    """The reasons of each listed village in ``lang`` (the neglected page's labels)."""
    if lang == "zh":
        return list(briefing.neglected["reasons"])
    return [", ".join(REASON_LABELS_EN.get(code, code) for code in codes)
            for codes in briefing.neglected["reason_codes"]]


def days_text(days: object, lang: str) -> str:
    """Days since the last visit as the map's tooltip says it ("103 天"), or 从未 (never)."""
    if days is None or pd.isna(days):
        return translate("table.never", lang)
    return translate("tooltip.days_value", lang, days=int(days))


def days_value(days: object, lang: str) -> int | str:
    """Days since the last visit as a number for a spreadsheet, or 从未 (never)."""
    if days is None or pd.isna(days):
        return translate("table.never", lang)
    return int(days)
