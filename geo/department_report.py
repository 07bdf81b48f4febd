"""DESIGN.md's ``report departments``: department figures, ranking and formalism warnings
from one load of the stored data.

``departments_report`` loads once (``load_department_inputs``) and computes in this
order, as the metric definitions say: the formalism warnings
(``geo.formalism.formalism_warnings``), the visits they leave out
(``excluded_visit_ids``), the department figures over the window and per month
(``geo.departments``), the score and rank with each department's warning count, and the
red and black lists. The command line and the pages call it, so both show the same
numbers.

The warnings read the visits' ``summary`` and participation reads their ``cadre_ids``:
both are loaded for this computation only and never appear in the output, which holds
figures, codes and visit ids (readable by every role: "department figures and ranking").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from geo import store
from geo.access import Action, User, require
from geo.departments import (
    department_figures,
    in_rank_order,
    monthly_department_figures,
    paired_village_compliance,
    ranking,
    red_and_black,
)
from geo.formalism import (
    DUPLICATE,
    END_OF_PERIOD_BURST,
    excluded_visit_ids,
    formalism_warnings,
    in_warning_order,
)
from geo.inputs import CoverageInputs
from geo.period import Period
from geo.problem_service import metric_problems
from geo.problems import department_problem_figures, monthly_satisfaction
from geo.reports import county_villages
from geo.values import to_json

FIGURE_FIELDS = [
    "visits", "villages_visited", "participation", "leader_participation",
    "problems_raised", "problems_resolved", "resolution_rate", "long_term_share",
    "compliance", "paired_coverage", "satisfaction", "warnings",
]
"""The figures of a department row and of a month row, in DESIGN.md's order."""
DEPARTMENT_FIELDS = ["code", "name", *FIGURE_FIELDS, "score", "rank"]
MONTH_FIELDS = ["department_code", "month", *FIGURE_FIELDS]
WARNING_FIELDS = ["code", "department_code", "visit_ids", "detail"]
LEDGER_COLUMNS = {"open": "ledger_open", "overdue": "ledger_overdue",
                  "resolved": "ledger_resolved",
                  "median_days_to_resolve": "ledger_median_days_to_resolve"}
"""The problem ledger's department figures (``geo.problems.department_problem_figures``,
as ``report problems`` gives them) beside the ranking, under these names in ``ranked``
(its ``satisfaction`` is already the score's); not in ``report departments``' JSON."""

_REPORT_VISIT_COLUMNS = ("id", "date", "department_code", "village_code", "kind",
                         "cadre_ids", "households_visited", "problems_raised",
                         "problems_resolved", "lon", "lat", "summary")
"""The visit columns the report reads: the metric columns and, for the computation
only, ``cadre_ids`` (participation) and ``summary`` (the warnings)."""


@dataclass(frozen=True)
class DepartmentInputs:
    """What the department report reads: the coverage inputs (visits with ``cadre_ids``
    and ``summary``, villages with geometry), the departments and the cadres."""

    coverage: CoverageInputs
    departments: pd.DataFrame
    cadres: pd.DataFrame


def load_department_inputs(engine: Engine, actor: User, period: Period,
                           neglect_days: int, county: str | None = None) -> DepartmentInputs:
    """Load the villages, pairings, visits and problems up to ``T``, departments and
    cadres once.

    Department figures and ranking are open to every role (``VIEW_MAPS``); the private
    visit columns ``cadre_ids`` and ``summary`` are loaded for the computation and never
    returned by ``departments_report``; ``created_by`` is not loaded at all, nor are
    residents' names (``geo.problem_service.metric_problems``).

    With ``county`` (a 6-digit code) only that county is read, in SQL: its departments
    (``county_code``) and their cadres, its villages with their pairings and problems,
    and the visits of its departments to its villages. A county with no village is
    ``DataError`` (``geo.reports.county_villages``).
    """
    require(actor, Action.VIEW_MAPS)
    villages = county_villages(engine, county)
    visits = store.load_visits(engine, period.as_of, county, columns=_REPORT_VISIT_COLUMNS,
                               department_county=county)
    cadres = store.load_cadres(engine, county)[["id", "department_code", "leader"]]
    return DepartmentInputs(
        coverage=CoverageInputs.for_period(
            villages=villages, pairings=store.load_pairings(engine, county),
            visits=visits, period=period,
            neglect_days=neglect_days,
            problems=metric_problems(engine, actor, period.as_of, county)),
        departments=store.load_departments(engine, county),
        cadres=cadres,
    )


@dataclass(frozen=True)
class DepartmentReport:
    """The computed report: frames for pages, ``as_dict`` for DESIGN.md's JSON.

    Attributes
    ----------
    ranked : DataFrame
        ``geo.departments.ranking`` joined with the window figures and the problem
        ledger's (``LEDGER_COLUMNS``: open and overdue at ``T``, resolved in the window,
        median days to resolve), in rank order.
    months : DataFrame
        ``geo.departments.monthly_department_figures`` with ``warnings`` per month.
    warnings : DataFrame
        ``geo.formalism.formalism_warnings``.
    red, black : DataFrame
        ``geo.departments.red_and_black`` of ``ranked``.
    excluded : set of int
        The visits left out of every figure.
    """

    as_of: str
    window_days: int
    ranked: pd.DataFrame
    months: pd.DataFrame
    warnings: pd.DataFrame
    red: pd.DataFrame
    black: pd.DataFrame
    excluded: frozenset[int]

    def as_dict(self) -> dict[str, Any]:
        """DESIGN.md's ``report departments`` object (NaN as None)."""
        return {
            "as_of": self.as_of,
            "window_days": self.window_days,
            "departments": _rows(self.ranked.reset_index(), DEPARTMENT_FIELDS),
            "months": _rows(self.months.reset_index().rename(
                columns={"code": "department_code"}), MONTH_FIELDS),
            "warnings": [
                {"code": row.code, "department_code": row.department_code,
                 "visit_ids": [int(i) for i in row.visit_ids], "detail": _detail(row)}
                for row in self.warnings.itertuples(index=False)
            ],
        }


def _rows(frame: pd.DataFrame, fields: list[str]) -> list[dict[str, Any]]:
    return [{k: to_json(v) for k, v in zip(fields, row, strict=True)}
            for row in frame[fields].itertuples(index=False, name=None)]


def _detail(row: tuple) -> dict[str, Any]:
    """A warning's detail: ``visits`` (how many it names), ``quarter`` (YYYY-Qn) for
    END_OF_PERIOD_BURST and ``groups`` (each group's visit ids) for DUPLICATE."""
    detail: dict[str, Any] = {"visits": int(row.count)}
    if row.code == END_OF_PERIOD_BURST:
        detail["quarter"] = row.period
    if row.code == DUPLICATE:
        detail["groups"] = [[int(i) for i in group] for group in row.groups]
    return detail


def _monthly_warnings(warnings: pd.DataFrame, visits: pd.DataFrame) -> pd.Series:
    """The warnings of each (department, month): those naming a visit of that month."""
    if warnings.empty:
        return pd.Series(dtype="int64")
    named = warnings[["department_code", "visit_ids"]].reset_index(names="warning")
    named = named.explode("visit_ids").dropna(subset=["visit_ids"])
    month = pd.to_datetime(visits.set_index("id")["date"]).dt.strftime("%Y-%m")
    named["month"] = named["visit_ids"].astype("int64").map(month)
    return named.drop_duplicates(["warning", "month"]).groupby(
        ["department_code", "month"]).size()


def build_department_report(inputs: DepartmentInputs) -> DepartmentReport:
    """Compute the department report from loaded inputs (no I/O)."""
    coverage = inputs.coverage
    warnings = formalism_warnings(coverage)
    excluded = excluded_visit_ids(warnings)
    figures = department_figures(coverage, inputs.departments, inputs.cadres, excluded)
    per_department = warnings.groupby("department_code").size()
    ledger = department_problem_figures(coverage.problems, figures.index, coverage.period)
    ranked = ranking(figures, per_department, ledger["satisfaction"])
    red, black = red_and_black(ranked)
    ranked = ranked[["rank", "score", "warnings", "satisfaction"]].join(
        figures.drop(columns=["active"]).rename(
            columns={"paired_village_coverage": "paired_coverage"})).join(
        ledger[list(LEDGER_COLUMNS)].rename(columns=LEDGER_COLUMNS))
    months = monthly_department_figures(coverage, inputs.departments, inputs.cadres,
                                        excluded).rename(
        columns={"paired_village_coverage": "paired_coverage"})
    months["satisfaction"] = monthly_satisfaction(coverage.problems, coverage.period).reindex(
        months.index).to_numpy(dtype="float64")
    per_month = _monthly_warnings(warnings, coverage.visits)
    months["warnings"] = (per_month.reindex(months.index).fillna(0).astype("int64")
                          if len(per_month) else 0)
    return DepartmentReport(
        as_of=coverage.as_of.isoformat(), window_days=int(coverage.window_days),
        ranked=ranked, months=months, warnings=warnings, red=red, black=black,
        excluded=frozenset(excluded))


def combine_department_reports(parts: list[DepartmentReport]) -> DepartmentReport:
    """One report from the reports of several counties (``load_department_inputs`` with
    ``county``), each department in its own county's: ranked again across all of them
    (``geo.departments.in_rank_order``), the red and black lists taken again, the
    months and warnings one after another in the report's order.

    A department's figures in its county's report count its visits to that county's
    villages: a visit to another county's village counts in neither (the same as
    ``report departments --county``)."""
    if not parts:
        raise ValueError("no report to combine")
    first = parts[0]
    if len(parts) == 1:
        return first
    ranked = pd.concat([part.ranked for part in parts])
    ranked = in_rank_order(ranked, ranked["rank"].notna())
    # the lists hold the ranking's own columns (``geo.departments.ranking``)
    red, black = red_and_black(ranked.rename(
        columns={"paired_coverage": "paired_village_coverage"}).assign(
        active=ranked["rank"].notna()))
    listed = list(first.red.columns)
    warnings = in_warning_order(pd.concat([part.warnings for part in parts],
                                          ignore_index=True))
    return DepartmentReport(
        as_of=first.as_of, window_days=first.window_days, ranked=ranked,
        months=pd.concat([part.months for part in parts]).sort_index(kind="stable"),
        warnings=warnings, red=red[listed].astype(first.red.dtypes.to_dict()),
        black=black[listed].astype(first.black.dtypes.to_dict()),
        excluded=frozenset().union(*(part.excluded for part in parts)))


def department_villages(inputs: DepartmentInputs, report: DepartmentReport,
                        department_code: str) -> pd.DataFrame:
    """Return the compliance of ``department_code`` with each village it is paired with
    at ``T`` (``geo.departments.paired_village_compliance``), leaving out the visits the
    report leaves out of every figure, so that the map agrees with the ranking."""
    return paired_village_compliance(inputs.coverage, department_code, report.excluded)


def departments_report(engine: Engine, actor: User, period: Period,
                       neglect_days: int, county: str | None = None) -> dict[str, Any]:
    """Return DESIGN.md's ``report departments`` object for ``period`` (with ``county``,
    of that county only: ``load_department_inputs``).

    Returns
    -------
    dict
        ``{"as_of", "window_days", "departments": [{"code", "name", "visits",
        "villages_visited", "participation", "leader_participation", "problems_raised",
        "problems_resolved", "resolution_rate", "long_term_share", "compliance",
        "paired_coverage", "satisfaction", "warnings", "score", "rank"}], "months":
        [{"department_code", "month", …the same figures but score and rank}],
        "warnings": [{"code", "department_code", "visit_ids", "detail"}]}``: departments
        in rank order (inactive ones last, rank null), months by department code then
        month, warnings by department code then code. Satisfaction is the problem
        ledger's (``geo.problems``: null where no problem closed in the window, or the
        month, carries a rating; the score's weights then renormalise); a month's
        ``warnings`` counts the department's warnings naming a
        visit of that month.
    """
    inputs = load_department_inputs(engine, actor, period, neglect_days, county)
    return build_department_report(inputs).as_dict()


def department_rows(report: dict[str, Any]) -> pd.DataFrame:
    """A report's departments as a table for CSV."""
    frame = pd.DataFrame(report["departments"], columns=DEPARTMENT_FIELDS)
    return frame.astype({"rank": "Int64"})


def month_rows(report: dict[str, Any]) -> pd.DataFrame:
    """A report's months as a table for CSV."""
    return pd.DataFrame(report["months"], columns=MONTH_FIELDS)


def warning_rows(report: dict[str, Any]) -> pd.DataFrame:
    """A report's warnings as a table for CSV: one row per warning, ``visit_ids`` joined
    with ``;``, the detail as ``visits``, ``quarter`` and ``groups`` (groups joined with
    ``|``, each group's ids with ``;``)."""
    rows = []
    for warning in report["warnings"]:
        detail = warning["detail"]
        rows.append({
            "code": warning["code"], "department_code": warning["department_code"],
            "visits": detail["visits"], "quarter": detail.get("quarter"),
            "visit_ids": ";".join(map(str, warning["visit_ids"])),
            "groups": "|".join(";".join(map(str, g)) for g in detail.get("groups", [])),
        })
    return pd.DataFrame(rows, columns=["code", "department_code", "visits", "quarter",
                                       "visit_ids", "groups"])
