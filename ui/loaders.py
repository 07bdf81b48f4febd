"""Cached loaders: what the pages read, computed once per data version (any write bumps
it) and returned as typed objects.

The version is read from the database on every call (``data_key``), never remembered by
the process, so a write made through another app process or the command line shows on
this process's next run (README, "Deployment beyond one machine")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import pairings, plan_service, records, reports, store
from geo.access import Action, Role, User, can, department_filter
from geo.briefing.data import Briefing, build_briefing, months_period
from geo.briefing.files import briefing_bytes
from geo.department_report import (
    DepartmentInputs,
    DepartmentReport,
    build_department_report,
    combine_department_reports,
    department_villages,
    load_department_inputs,
)
from geo.errors import AccessDeniedError
from geo.inputs import CoverageInputs, concat_inputs
from geo.io.plan_files import read_plan_upload
from geo.ledger import ledger_table
from geo.neglected import build_neglected_table
from geo.overview import Overview, build_overview, combine_overviews
from geo.period import Period
from geo.plan_service import PlanData, load_plan_data
from geo.planner import Plan, PlanSettings
from geo.problem_service import overdue_problems_for, restrict_problems
from geo.problems import overdue_villages
from geo.settings import local_today
from geo.townships import build_township_table
from geo.village_card import VillageCard, build_village_card
from ui.session import get_engine, get_settings, language, t


@dataclass(frozen=True)
class CoverageData:
    """Everything the maps and village tables need for one period.

    ``status`` is the overview's per-village coverage and map status; ``inputs`` the
    villages (boundaries), pairings, visits and period it was computed from.
    """

    overview: Overview
    status: pd.DataFrame
    inputs: CoverageInputs
    townships: gpd.GeoDataFrame
    county: gpd.GeoDataFrame
    departments: pd.DataFrame
    cache_key: tuple | None = None
    """What the data was computed from (data version, database, as-of date, window,
    neglect days): a map drawn from it is cached under this key (``ui.widgets``)."""


@dataclass(frozen=True)
class Names:
    """Codes and names (no geometry) for select boxes and tables: ``villages`` and
    ``townships`` with ``code``, ``short_name``, ``parent_code``; ``departments`` with
    ``code``, ``name``."""

    villages: pd.DataFrame
    townships: pd.DataFrame
    departments: pd.DataFrame


def data_key() -> tuple[int, str]:
    """The cache key of the current data: its version and the database it lives in
    (the loaders' and ui.drill's caches)."""
    return store.data_version(get_engine()), get_settings().database_url


def units_key() -> tuple[int, str]:
    """The cache key of the admin units (names, parents, boundaries): it changes with
    every write that does not say which counties' visits or problems it changed
    (``store.bump_data_version``), so not with each recorded visit (ui.drill's caches)."""
    return store.data_versions(get_engine()).unscoped, get_settings().database_url


@st.cache_data(show_spinner=False, max_entries=4)
def _village_counties(unscoped: int, url: str) -> list[str]:
    return store.village_counties(get_engine())


@st.cache_resource(show_spinner=False, max_entries=512)
def _county_part(county_key: tuple[int, int], url: str, county: str, as_of: date,
                 window_days: int, neglect_days: int) -> tuple[Overview, CoverageInputs]:
    engine = get_engine()
    system = User("system", Role.ADMIN)
    inputs = reports.load_coverage_inputs(engine, system, Period(as_of, window_days),
                                          neglect_days, county)
    return build_overview(inputs, store.load_departments(engine)), inputs


@st.cache_resource(show_spinner=False, max_entries=4)
def _coverage(key: tuple, url: str, as_of: date, window_days: int, neglect_days: int,
              counties: tuple[str, ...]) -> CoverageData:
    engine = get_engine()
    period = Period(as_of, window_days)
    departments = store.load_departments(engine)
    if len(counties) > 1:
        parts = [_county_part(county_key, url, county, as_of, window_days, neglect_days)
                 for county, county_key in zip(counties, key, strict=True)]
        overview = combine_overviews([overview for overview, _inputs in parts])
        inputs = concat_inputs([inputs for _overview, inputs in parts])
    else:
        inputs = reports.load_coverage_inputs(engine, User("system", Role.ADMIN), period,
                                              neglect_days)
        overview = build_overview(inputs, departments)
    return CoverageData(overview=overview, status=overview.status, inputs=inputs,
                        townships=store.load_townships(engine),
                        county=store.load_county(engine), departments=departments,
                        cache_key=(key, url, as_of, window_days, neglect_days))


def load_coverage(user: User, period: Period, neglect_days: int | None = None
                  ) -> CoverageData:
    """Return the coverage of every village in ``period`` with the boundaries, for a user
    who may see maps (cached per data version; recomputed after any write).

    One object per data version and period is shared by every session of the process,
    not copied into each run (a province's visits are a million rows): callers read it
    and never change it (``tests/test_apptest.py`` checks that no page does).

    With several counties, each county's coverage is computed over its own villages and
    records and kept per county (``geo.overview.combine_overviews``): a visit or a
    problem recorded in one county recomputes that county only (``store.data_versions``).
    """
    if not can(user, Action.VIEW_MAPS):
        raise AccessDeniedError("maps")
    versions = store.data_versions(get_engine())
    url = get_settings().database_url
    counties = tuple(_village_counties(versions.unscoped, url))
    key = (tuple(versions.county_key(county) for county in counties) if len(counties) > 1
           else (versions.version,))
    return _coverage(key, url, period.as_of, period.window_days,
                     neglect_days or get_settings().neglect_days, counties)


@st.cache_data(show_spinner=False, max_entries=4)
def _counties_of_departments(unscoped: int, url: str) -> tuple[str, ...]:
    """The village counties, when every department belongs to one of them (the
    department report can then be kept per county), else nothing."""
    counties = _village_counties(unscoped, url)
    owned = store.department_counties(get_engine())
    return tuple(counties) if len(counties) > 1 and owned <= set(counties) else ()


@st.cache_resource(show_spinner=False, max_entries=512)
def _department_part(county_key: tuple, url: str, county: str | None, as_of: date,
                     window_days: int, neglect_days: int
                     ) -> tuple[DepartmentInputs, DepartmentReport]:
    inputs = load_department_inputs(get_engine(), User("system", Role.ADMIN),
                                    Period(as_of, window_days), neglect_days, county)
    return inputs, build_department_report(inputs)


def _department_parts(counties: Iterable[str] | None = None
                      ) -> list[tuple[str | None, tuple, str]]:
    """(county, its cache key, url) of each part the department report is kept in: one
    per county (of ``counties`` only, when given) when every department belongs to a
    county that has villages, else one part (None: the whole database) keyed by the
    data version."""
    versions = store.data_versions(get_engine())
    url = get_settings().database_url
    kept = _counties_of_departments(versions.unscoped, url)
    if not kept:
        return [(None, (versions.version,), url)]
    if counties is not None:
        wanted = set(counties)
        kept = tuple(county for county in kept if county in wanted) or kept
    return [(county, versions.county_key(county), url) for county in kept]


@st.cache_data(show_spinner=False, max_entries=8)
def _department_report(keys: tuple, url: str, as_of: date, window_days: int,
                       neglect_days: int, counties: tuple) -> DepartmentReport:
    return combine_department_reports([
        _department_part(key, url, county, as_of, window_days, neglect_days)[1]
        for county, key in zip(counties, keys, strict=True)])


def load_department_report(user: User, period: Period,
                           counties: Iterable[str] | None = None) -> DepartmentReport:
    """Return the department figures, ranking and warnings of ``period`` for a user who
    may see them (every role; cached per data version).

    With several counties, each county's departments are reported over its villages
    and kept per county (``geo.department_report.combine_department_reports``): a
    visit recorded in one county recomputes that county only. ``counties`` (codes:
    ``ui.drill.drilled_counties``) keeps the report to their departments."""
    if not can(user, Action.VIEW_MAPS):
        raise AccessDeniedError("maps")
    neglect = get_settings().neglect_days
    parts = _department_parts(counties)
    return _department_report(tuple(key for _c, key, _u in parts), parts[0][2],
                              period.as_of, period.window_days, neglect,
                              tuple(county for county, _k, _u in parts))


@st.cache_data(show_spinner=False, max_entries=16)
def _department_villages(key: tuple, url: str, county: str | None, as_of: date,
                         window_days: int, neglect_days: int, department_code: str
                         ) -> pd.DataFrame:
    inputs, report = _department_part(key, url, county, as_of, window_days, neglect_days)
    return department_villages(inputs, report, department_code)


def load_department_villages(user: User, period: Period, department_code: str
                             ) -> pd.DataFrame:
    """The compliance of ``department_code`` with each village it is paired with at the
    end of ``period`` (``geo.department_report.department_villages``)."""
    if not can(user, Action.VIEW_MAPS):
        raise AccessDeniedError("maps")
    neglect = get_settings().neglect_days
    parts = _department_parts()
    if len(parts) > 1:  # the part of the department's own county
        own = store.department_county(get_engine(), department_code)
        parts = [part for part in parts if part[0] == own] or parts[:1]
    county, key, url = parts[0]
    return _department_villages(key, url, county, period.as_of, period.window_days,
                                neglect, department_code)


@st.cache_data(show_spinner=False, max_entries=4)
def _pairing_table(version: int, url: str, as_of: date) -> pd.DataFrame:
    return pairings.pairings_for(get_engine(), User("system", Role.ADMIN), as_of)


def pairing_table(user: User, as_of: date) -> pd.DataFrame:
    """Every pairing with names and its state on ``as_of`` (``geo.pairings``), for a user
    who may see maps (every role; cached per data version)."""
    if not can(user, Action.VIEW_MAPS):
        raise AccessDeniedError("maps")
    return _pairing_table(*data_key(), as_of)


def warning_visits(user: User, visit_ids: list[int], until: date) -> tuple[pd.DataFrame, int]:
    """The visit records a warning names that ``user`` may read, and how many of them
    ``user`` may not read (a liaison reads its own department's only)."""
    shown = visit_records(user, since=date.min, until=until, ids=visit_ids)
    return shown, len(set(visit_ids)) - len(shown)


@st.cache_data(show_spinner=False, max_entries=4)
def _plan_data(version: int, url: str, as_of: date, window_days: int,
               neglect_days: int) -> PlanData:
    return load_plan_data(get_engine(), User("system", Role.ADMIN), as_of, window_days,
                          neglect_days)


def load_plan_inputs(user: User, period: Period) -> PlanData:
    """What the planner reads at the end of ``period`` (organiser and admin; cached per
    data version: a commit or any other write makes it read again)."""
    if not can(user, Action.EDIT_PAIRINGS):
        raise AccessDeniedError("pairings")
    return _plan_data(*data_key(), period.as_of, period.window_days,
                      get_settings().neglect_days)


@st.cache_data(show_spinner=False, max_entries=16)
def _liaison_overdue(version: int, url: str, username: str, department_code: str,
                     as_of: date) -> pd.DataFrame:
    liaison = User(username, Role.LIAISON, department_code=department_code)
    overdue = overdue_problems_for(get_engine(), liaison, as_of)
    villages = overdue_villages(overdue, as_of)
    names = store.load_villages(get_engine()).set_index("code")["short_name"]
    return villages.assign(name=villages["village_code"].map(names).fillna(
        villages["village_code"]))


def liaison_overdue_villages(user: User, as_of: date) -> pd.DataFrame:
    """The villages of a liaison's own department's overdue problems at ``as_of``
    (``geo.problem_service.overdue_problems_for``, ``geo.problems.overdue_villages``):
    ``village_code``, ``name``, ``overdue`` and ``days_overdue``, longest overdue first;
    empty for any other role (cached per data version)."""
    if user.role != Role.LIAISON or user.department_code is None:
        return pd.DataFrame(columns=["village_code", "overdue", "days_overdue", "name"])
    return _liaison_overdue(*data_key(), user.username, user.department_code, as_of)


@st.cache_data(show_spinner=False, max_entries=16)
def _neglected_table(cache_key: tuple, lang: str, _data: CoverageData) -> pd.DataFrame:
    return build_neglected_table(_data.status, _data.townships, _data.departments, lang)


def neglected_table(data: CoverageData) -> pd.DataFrame:
    """Return the neglected villages of ``data``, in the listed order, with the names of
    the departments that fell short (made once per data and language)."""
    if data.cache_key is None:
        return build_neglected_table(data.status, data.townships, data.departments,
                                     language())
    return _neglected_table(data.cache_key, language(), data)


def township_table(data: CoverageData) -> pd.DataFrame:
    """Return the township comparison (乡镇对比) of ``data``, worst first."""
    return build_township_table(data.status, data.inputs.villages, data.townships)


def village_total(data: CoverageData, township: str | None = None) -> int:
    """The number of villages in ``data``, of one township when given."""
    if township is None:
        return len(data.status)
    return int((data.status["township_code"] == township).sum())


def village_card(user: User, data: CoverageData, code: str) -> VillageCard:
    """Return the card of village ``code``; its visit list shows what ``user`` may read."""
    visible = (visit_records(user, since=date.min, until=data.inputs.as_of, villages=[code])
               if can(user, Action.VIEW_VISITS) else None)
    return build_village_card(code, data.status, data.inputs, data.townships,
                              data.departments, visible, language())


def visit_records(user: User, since: date, until: date | None = None, *,
                  township: str | None = None, villages: list[str] | None = None,
                  department: str | None = None, ids: list[int] | None = None
                  ) -> pd.DataFrame:
    """Return the visit records ``user`` may read from ``since`` to ``until`` (of one
    ``township``, of ``villages``, of one ``department``, with ``ids``: each None for
    any), with names, newest first. Read in SQL on each call: a province holds a million
    visits, and a page shows a few of them."""
    current = names()
    if township is not None:
        in_town = current.villages.loc[current.villages["parent_code"] == township, "code"]
        villages = [code for code in in_town if villages is None or code in villages]
    visits = records.visits_for(get_engine(), user, since, until, villages=villages,
                                department=department, ids=ids)
    return records.describe_visits(visits, current.villages, current.departments)


@st.cache_data(show_spinner=False, max_entries=4)
def _names(unscoped: int, url: str) -> Names:
    engine = get_engine()
    units = ["code", "short_name", "parent_code"]
    return Names(villages=pd.DataFrame(store.load_villages(engine)[units]),
                 townships=pd.DataFrame(store.load_townships(engine)[units]),
                 departments=store.load_departments(engine)[["code", "name", "county_code"]])


def names() -> Names:
    """Codes and names of the current data (they change only with writes that are not
    scoped to counties: ``units_key``)."""
    return _names(*units_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _first_visit_date(version: int, url: str) -> date | None:
    return store.first_visit_date(get_engine())


def first_visit_date() -> date | None:
    """The date of the earliest visit (None with none): a page's periods start there."""
    return _first_visit_date(*data_key())


def township_choices() -> dict[str, str]:
    """Township code → name, for select boxes."""
    frame = names().townships
    return dict(zip(frame["code"], frame["short_name"], strict=True))


def village_choices(township: str | None = None) -> dict[str, str]:
    """Village code → name (of one township when given), for select boxes."""
    frame = names().villages
    if township:
        frame = frame[frame["parent_code"] == township]
    return dict(zip(frame["code"], frame["short_name"], strict=True))


def report_departments(report: DepartmentReport) -> dict[str, str]:
    """Department code → name of the departments ``report`` ranks, in code order (the
    department boxes of a page that shows the report of a drilled unit)."""
    names = report.ranked["name"].sort_index()
    return dict(zip(names.index, names.astype(str), strict=True))


def department_choices() -> dict[str, str]:
    """Department code → name, for select boxes."""
    frame = names().departments
    return dict(zip(frame["code"], frame["name"], strict=True))


def editable_visits(user: User) -> pd.DataFrame:
    """The visits ``user`` may still change (recorded in the last PAIRMAP_EDIT_DAYS days)."""
    return records.editable_visits(get_engine(), user, local_today(),
                                   get_settings().edit_days)


def describe_visits(visits: pd.DataFrame) -> pd.DataFrame:
    """Visit rows with village and department names, newest first."""
    current = names()
    return records.describe_visits(visits, current.villages, current.departments)


@dataclass(frozen=True)
class VisitReference:
    """What the visit form checks an entry against and offers: ``villages`` (``code``,
    ``short_name``, ``parent_code``, ``households``), ``pairings`` and ``departments``
    (the known department codes)."""

    villages: pd.DataFrame
    pairings: pd.DataFrame
    departments: list[str]

    def households(self) -> dict[str, int]:
        """Village code → its households, where known."""
        known = self.villages.dropna(subset=["households"])
        return dict(zip(known["code"], known["households"].astype(int), strict=True))


@st.cache_data(show_spinner=False, max_entries=4)
def _visit_reference(unscoped: int, url: str) -> VisitReference:
    engine = get_engine()
    villages = store.load_villages(engine)
    return VisitReference(
        villages=pd.DataFrame(villages[["code", "short_name", "parent_code", "households"]]),
        pairings=store.load_pairings(engine),
        departments=store.load_departments(engine)["code"].tolist())


def visit_reference() -> VisitReference:
    """The visit form's reference data (villages, pairings, departments: they change only
    with writes that are not scoped to counties, ``units_key``)."""
    return _visit_reference(*units_key())


def visit_village_options(department_code: str | None, township_code: str | None,
                          as_of: date) -> dict[str, str]:
    """Village code → label for the visit form: the department's own paired villages
    first and marked "★ …（本单位结对）" (``geo.records.village_options``); with no
    township chosen, every village with its township's name."""
    reference = visit_reference()
    options = records.village_options(reference.villages, reference.pairings, department_code,
                                      as_of, township_code)
    towns = township_choices()
    parents = dict(zip(reference.villages["code"], reference.villages["parent_code"],
                       strict=True))
    labels = {}
    for code, name, own in zip(options["code"], options["name"], options["own"], strict=True):
        township = None if township_code else towns.get(parents.get(code))
        if own:
            labels[code] = (t("record.village.own_in", name=name, township=township)
                            if township else t("record.village.own", name=name))
        else:
            labels[code] = (t("record.village_in", name=name, township=township)
                            if township else name)
    return labels


@st.cache_data(show_spinner=False, max_entries=16)
def _plan(version: int, url: str, as_of: date, window_days: int, neglect_days: int,
          reasons: tuple[str, ...], max_per_village: int, members_per_village: int,
          capacity: dict[str, int], locks: tuple[tuple[str, str], ...],
          exclusions: tuple[tuple[str, str], ...], costs: pd.DataFrame | None
          ) -> tuple[Plan, pd.DataFrame]:
    data = _plan_data(version, url, as_of, window_days, neglect_days)
    settings = PlanSettings(reasons, max_per_village, members_per_village)
    plan = plan_service.make_plan(data, settings, capacity, locks, exclusions, costs)
    return plan, plan_service.proposal_rows(plan, data)


def make_plan(user: User, period: Period, reasons: list[str], max_per_village: int,
              members_per_village: int, capacity: dict[str, int],
              locks: list[tuple[str, str]], exclusions: list[tuple[str, str]],
              costs: pd.DataFrame | None = None) -> tuple[Plan, pd.DataFrame]:
    """Solve the plan of the page's parameters over ``load_plan_inputs(user, period)``;
    the plan and its proposals as a table (``geo.plan_service.proposal_rows``). Cached
    per data version and parameters for every session: solving it again took a third
    of a second of each run of the planner page."""
    if not can(user, Action.EDIT_PAIRINGS):
        raise AccessDeniedError("pairings")
    return _plan(*data_key(), period.as_of, period.window_days, get_settings().neglect_days,
                 tuple(reasons), max_per_village, members_per_village, capacity,
                 tuple(locks), tuple(exclusions), costs)


def read_cost_upload(filename: str, data: bytes, plan_data: PlanData) -> pd.DataFrame:
    """A road-distance matrix uploaded on the planner page (department code, village code,
    km: ``geo.io.plan_files``); its errors name the file as it was uploaded."""
    return read_plan_upload(data, filename, "costs", set(plan_data.departments["code"]),
                            set(plan_data.villages["code"]))


# --- the meeting briefing -----------------------------------------------------------------


def load_briefing(user: User, period: Period) -> Briefing:
    """The briefing of ``period`` (``geo.briefing.data.build_briefing``) from the cached
    results the other pages show: the overview's coverage and the department report of
    the same period, and that of the last 12 months (the Departments page's default)."""
    data = load_coverage(user, period)
    return build_briefing(
        data.overview, data.inputs.villages, data.townships, data.county, data.departments,
        load_department_report(user, period),
        load_department_report(user, months_period(period.as_of)),
        data.inputs.neglect_days, local_today())


@st.cache_data(show_spinner=False, max_entries=6)
def _briefing_file(version: int, url: str, as_of: date, window_days: int, neglect_days: int,
                   made_on: date, kind: str, lang: str, _briefing: Briefing) -> bytes:
    return briefing_bytes(_briefing, kind, lang)


def briefing_file(briefing: Briefing, kind: str) -> Callable[[], bytes]:
    """A maker of the briefing's ``kind`` file (``pdf``, ``xlsx`` or ``png``) for a
    download button, run only when the button is clicked (the PDF takes a second or
    two); the bytes are kept per data version, period, day and language."""
    version, url = data_key()
    lang = language()

    def make() -> bytes:
        return _briefing_file(version, url, briefing.as_of, briefing.window_days,
                              briefing.neglect_days, briefing.made_on, kind, lang, briefing)

    return make


@st.cache_data(show_spinner=False, max_entries=4)
def _all_problems(version: int, url: str) -> pd.DataFrame:
    """Every problem with its resident, per data version; never shown before
    ``restrict_problems``."""
    return store.load_problems(get_engine())


@st.cache_data(show_spinner=False, max_entries=16)
def _ledger(version: int, url: str, as_of: date, window_days: int, role: str,
            department: str | None, separator: str) -> pd.DataFrame:
    reader = User("ledger", Role(role), department_code=department)
    current = names()
    return ledger_table(restrict_problems(_all_problems(version, url), reader),
                        current.villages, current.townships, current.departments,
                        Period(as_of, window_days), separator)


def ledger_rows(user: User, period: Period, villages: list[str] | None = None
                ) -> pd.DataFrame:
    """The ledger's rows ``user`` may read (``geo.ledger.ledger_table`` of
    ``restrict_problems``: a leader's without residents), cached per data version; of
    ``villages`` only when given (a drilled unit's: ``ui.drill.drilled_villages``)."""
    department_filter(user, Action.VIEW_PROBLEMS)  # refuse before reading anything
    rows = _ledger(*data_key(), period.as_of, period.window_days, str(user.role),
                   user.department_code, t("list.separator"))
    if villages is None:
        return rows
    return rows[rows["village_code"].isin(villages)].reset_index(drop=True)
