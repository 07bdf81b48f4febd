"""The overview: everything the first page shows, computed from frames."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.inputs import CoverageInputs
from geo.period import window_start
from geo.problems import problem_totals
from geo.status import compute_village_status


@dataclass(frozen=True)
class OverviewKpis:
    """The overview's headline numbers at one as-of date."""

    villages: int
    paired: int
    visited: int
    never_visited: int
    severe: int
    weak: int
    overdue_problems: int = 0
    """Problems overdue at the as-of date, county-wide (DESIGN.md's "Problem ledger":
    open and due before ``T``; ``report problems``' ``totals.overdue``)."""

    @property
    def paired_share(self) -> float | None:
        """Share of villages with an active pairing (None with no village)."""
        return self.paired / self.villages if self.villages else None

    @property
    def visited_share(self) -> float | None:
        """Share of villages visited in the window (None with no village)."""
        return self.visited / self.villages if self.villages else None


def compute_overview_kpis(status: pd.DataFrame, villages: pd.DataFrame,
                          overdue_problems: int = 0) -> OverviewKpis:
    """Return the KPI numbers of ``status`` (from ``geo.status.compute_village_status``)
    with the county's ``overdue_problems`` at the same date (``overdue_problems_at``)."""
    weak = villages.set_index("code")["weak"].reindex(status.index).fillna(False)
    return OverviewKpis(
        villages=len(status),
        paired=int(status["paired"].sum()),
        visited=int(status["visited"].sum()),
        never_visited=int(status["last_visit"].isna().sum()),
        severe=int(status["severe"].sum()),
        weak=int(weak.astype(bool).sum()),
        overdue_problems=int(overdue_problems),
    )


def overdue_problems_at(inputs: CoverageInputs) -> int:
    """The county's overdue problems at ``inputs.as_of`` (``geo.problems.problem_totals``,
    the figure of ``report problems``)."""
    return problem_totals(inputs.problems, inputs.period)["overdue"]


@dataclass(frozen=True)
class Overview:
    """KPIs now and one window earlier, and each village's coverage and status."""

    as_of: date
    window_days: int
    kpis: OverviewKpis
    previous: OverviewKpis
    status: pd.DataFrame
    previous_status: pd.DataFrame | None = None
    """Each village's status one window earlier (``previous``'s), for ``overview_for``."""


def build_overview(inputs: CoverageInputs, departments: pd.DataFrame) -> Overview:
    """Compute the overview at ``T`` and, for the KPI deltas, at ``T - W`` (the
    overdue problems too: the same ledger, judged at each date)."""
    earlier = inputs.at(window_start(inputs.as_of, inputs.window_days))
    status = compute_village_status(inputs, departments)
    previous = compute_village_status(earlier, departments)
    return Overview(
        as_of=inputs.as_of,
        window_days=inputs.window_days,
        kpis=compute_overview_kpis(status, inputs.villages, overdue_problems_at(inputs)),
        previous=compute_overview_kpis(previous, inputs.villages,
                                       overdue_problems_at(earlier)),
        status=status,
        previous_status=previous,
    )


def _summed(kpis: list[OverviewKpis]) -> OverviewKpis:
    return OverviewKpis(**{field.name: sum(getattr(k, field.name) for k in kpis)
                           for field in dataclasses.fields(OverviewKpis)})


def combine_overviews(parts: list[Overview]) -> Overview:
    """The overview of several counties from theirs, computed each over its own villages
    and records (DESIGN.md scales the need index over a county's villages, and every
    other per-village figure reads its village's records only): the cards are sums, the
    villages' status is the counties' one after another.

    Parameters
    ----------
    parts : list of Overview
        Of the same as-of date and window, each of different villages, in code order.
    """
    if not parts:
        raise ValueError("no overview to combine")
    first = parts[0]
    if len(parts) == 1:
        return first
    return Overview(as_of=first.as_of, window_days=first.window_days,
                    kpis=_summed([part.kpis for part in parts]),
                    previous=_summed([part.previous for part in parts]),
                    status=pd.concat([part.status for part in parts]),
                    previous_status=pd.concat([part.previous_status for part in parts]))


def overview_for(overview: Overview, inputs: CoverageInputs, villages: list[str]) -> Overview:
    """The overview of some of ``overview``'s villages (a drilled city, county or
    township): their status, and cards counted over them as ``build_overview`` counts
    (the overdue problems of those villages at ``T`` and at ``T - W``), so that the cards
    equal the sums of the unit's villages on its map.

    Parameters
    ----------
    overview : Overview
        From ``build_overview`` (or ``combine_overviews``) of ``inputs``.
    villages : list of str
        Village codes.
    """
    if overview.previous_status is None:
        raise ValueError("the overview keeps no previous status")
    codes = pd.Index(villages)
    status = overview.status[overview.status.index.isin(codes)]
    previous = overview.previous_status[overview.previous_status.index.isin(codes)]
    mine = inputs.villages[inputs.villages["code"].isin(codes)]
    problems = inputs.problems[inputs.problems["village_code"].isin(codes)]
    scoped = dataclasses.replace(inputs, villages=mine, problems=problems)
    earlier = scoped.at(window_start(inputs.as_of, inputs.window_days))
    return Overview(as_of=overview.as_of, window_days=overview.window_days,
                    kpis=compute_overview_kpis(status, mine, overdue_problems_at(scoped)),
                    previous=compute_overview_kpis(previous, mine,
                                                   overdue_problems_at(earlier)),
                    status=status, previous_status=previous)
