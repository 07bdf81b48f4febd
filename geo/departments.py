"""Department figures, the ranking score and the red and black lists (红黑榜), exactly as
DESIGN.md's metric definitions say ("department figures", "leading-cadre participation",
"paired-village coverage", "ranking score", "precision of the department figures").

Pure functions: frames in, frames out, keyed by department code; no I/O. The window
(``T-W < date <= T``) and the judged months are ``geo.period``'s; whether a pairing met
a month is ``geo.coverage.compute_pairing_months``'s.

Frames are those ``geo.store`` loads:

- ``inputs`` (``geo.inputs.CoverageInputs``): pairings and visits with ``T`` and ``W``;
  the visits further need ``kind``, ``id`` when visits are excluded, and ``cadre_ids``
  (cadre ids separated by ``;`` or ``,``) for participation — without that column every
  department's participation is null;
- departments: ``code``, ``party_members`` and ``active`` (``name`` optional);
- cadres: ``id`` and ``leader`` (bool).

Visits flagged EMPTY_RECORD, and all but the first of a DUPLICATE group, are left out of
every figure: pass their ids as ``excluded_visit_ids``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.coverage import compute_pairing_months
from geo.inputs import CoverageInputs, require_columns
from geo.period import active_pairings, in_window, window_start
from geo.schema import LONG_TERM_VISIT_KINDS

#: Weights of the ranking score's components (renormalised over those present).
RANKING_WEIGHTS: dict[str, float] = {
    "compliance": 0.30,
    "paired_village_coverage": 0.20,
    "resolution_rate": 0.20,
    "long_term_share": 0.15,
    "satisfaction": 0.15,
}
WARNING_PENALTY = 5.0
"""Points taken off the score for each formalism warning."""
SCORE_DECIMALS = 2
"""The score is rounded to this many decimals before ranking."""
LIST_SIZE = 5
"""The red list is the top ``LIST_SIZE`` and the black list the bottom ``LIST_SIZE``."""

CADRE_SEPARATORS = r"[;,；，\s]+"
"""What separates the cadre ids of a visit's ``cadre_ids``."""
DEPARTMENT_COLUMNS = ("code", "party_members", "active")
CADRE_COLUMNS = ("id", "leader")
DEPARTMENT_VISIT_COLUMNS = ("kind",)
"""Visit columns the department figures read beyond ``geo.inputs.VISIT_COLUMNS``."""

FIGURE_COLUMNS = [
    "name", "active", "party_members", "visits", "villages_visited", "cadres",
    "participation", "leader_visits", "leader_participation", "problems_raised",
    "problems_resolved", "resolution_rate", "long_term_visits", "long_term_share",
    "months_judged", "months_met", "compliance", "paired_villages",
    "paired_villages_visited", "paired_village_coverage",
]
_COUNTS = ["visits", "villages_visited", "cadres", "visits_with_cadres", "leader_visits",
           "problems_raised", "problems_resolved", "long_term_visits"]


# --------------------------------------------------------------------------- helpers


def _share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator`` as float, NaN where the denominator is 0 or missing."""
    top = numerator.astype("float64")
    bottom = denominator.astype("float64")
    return (top / bottom.where(bottom > 0)).astype("float64")


def _cadre_keys(values: pd.Series) -> pd.Series:
    """Cadre ids as comparable text: stripped, a whole number without a fraction
    (``12``, ``12.0`` and ``012`` are the same cadre)."""
    text = values.astype("string").str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    whole = numeric.notna() & (numeric % 1 == 0)
    as_integer = numeric.where(whole).astype("Int64").astype("string")
    return text.where(~whole, as_integer)


def _window_visits(inputs: CoverageInputs, excluded_visit_ids: Collection[object] | None,
                   cadres: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the window's visits (excluded ones left out) and their cadre ids.

    Returns
    -------
    (DataFrame, DataFrame)
        The visits, one row each: ``department_code``, ``village_code``, ``month``
        (``YYYY-MM``), ``raised`` and ``resolved`` (0 for missing), ``long_term``,
        ``with_cadres`` and ``with_leader`` (bool); and one row per (visit, cadre id):
        ``department_code``, ``month`` and ``cadre``.
    """
    visits = inputs.visits
    require_columns(visits, "visits", DEPARTMENT_VISIT_COLUMNS)
    if excluded_visit_ids is not None and len(excluded_visit_ids):
        require_columns(visits, "visits", ("id",))
        visits = visits[~visits["id"].isin(list(excluded_visit_ids))]
    day = pd.to_datetime(visits["date"], errors="coerce")
    inside = in_window(day, inputs.as_of, inputs.window_days)
    visits, day = visits[inside], day[inside]
    table = pd.DataFrame({
        "department_code": visits["department_code"].astype(str).to_numpy(),
        "village_code": visits["village_code"].astype(str).to_numpy(),
        "month": day.dt.strftime("%Y-%m").to_numpy(),
        "raised": pd.to_numeric(visits["problems_raised"], errors="coerce").fillna(0)
        .to_numpy(dtype="float64"),
        "resolved": pd.to_numeric(visits["problems_resolved"], errors="coerce").fillna(0)
        .to_numpy(dtype="float64"),
        "long_term": visits["kind"].isin(LONG_TERM_VISIT_KINDS).to_numpy(dtype=bool),
    })
    if "cadre_ids" in visits:
        ids = visits["cadre_ids"].astype("string").fillna("").set_axis(table.index)
        tokens = ids.str.split(CADRE_SEPARATORS).explode()
        tokens = _cadre_keys(tokens)
        tokens = tokens[tokens.notna() & (tokens != "")]
    else:
        tokens = pd.Series([], dtype="string")
    require_columns(cadres, "cadres", CADRE_COLUMNS)
    leaders = _cadre_keys(cadres.loc[cadres["leader"].fillna(False).astype(bool), "id"])
    position = tokens.index.to_numpy(dtype="int64")
    table["with_cadres"] = np.isin(np.arange(len(table)), position)
    table["with_leader"] = np.isin(np.arange(len(table)),
                                   position[tokens.isin(leaders.dropna()).to_numpy()])
    named = pd.DataFrame({
        "department_code": table["department_code"].to_numpy()[position],
        "month": table["month"].to_numpy()[position],
        "cadre": tokens.to_numpy(dtype=object),
    })
    return table, named


def _counts(table: pd.DataFrame, named: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Return the visit counts and sums of ``table`` grouped by ``keys``."""
    grouped = table.groupby(keys, sort=False)
    counts = grouped.agg(
        visits=("village_code", "size"),
        villages_visited=("village_code", "nunique"),
        visits_with_cadres=("with_cadres", "sum"),
        leader_visits=("with_leader", "sum"),
        problems_raised=("raised", "sum"),
        problems_resolved=("resolved", "sum"),
        long_term_visits=("long_term", "sum"),
    )
    counts["cadres"] = named.groupby(keys, sort=False)["cadre"].nunique()
    return counts


def _paired(pairings: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Count each department's distinct villages in ``pairings`` and those of them it
    visited in ``table``."""
    pairs = pairings[["department_code", "village_code"]].astype(str).drop_duplicates()
    seen = table[["department_code", "village_code"]].drop_duplicates().assign(seen=True)
    pairs = pairs.merge(seen, on=["department_code", "village_code"], how="left")
    pairs["seen"] = pairs["seen"].astype("boolean").fillna(False).astype(bool)
    return pairs.groupby("department_code").agg(
        paired_villages=("village_code", "size"), paired_villages_visited=("seen", "sum"))


def _figures(counts: pd.DataFrame, party_members: pd.Series) -> pd.DataFrame:
    """Add the shares to ``counts`` (rows aligned with ``party_members``)."""
    out = counts.copy()
    for column in [*_COUNTS, "months_judged", "months_met", "paired_villages",
                   "paired_villages_visited"]:
        out[column] = out[column].fillna(0).round().astype("int64")
    members = pd.to_numeric(party_members, errors="coerce").astype("float64")
    with_cadres = out["visits_with_cadres"] > 0
    out["participation"] = _share(out["cadres"], members).clip(upper=1).where(with_cadres)
    out["leader_participation"] = _share(out["leader_visits"], out["visits"]).where(
        with_cadres)
    out["resolution_rate"] = _share(out["problems_resolved"], out["problems_raised"]).clip(
        upper=1)
    out["long_term_share"] = _share(out["long_term_visits"], out["visits"])
    out["compliance"] = _share(out["months_met"], out["months_judged"])
    out["paired_village_coverage"] = _share(out["paired_villages_visited"],
                                            out["paired_villages"])
    return out


def _departments(departments: pd.DataFrame) -> pd.DataFrame:
    """The departments indexed by code (in code order) with ``name``, ``active`` and
    ``party_members``."""
    require_columns(departments, "departments", DEPARTMENT_COLUMNS)
    frame = departments.assign(code=departments["code"].astype(str)).sort_values("code")
    names = frame["name"] if "name" in frame else pd.Series(None, index=frame.index)
    return pd.DataFrame({
        "name": names.astype(object).to_numpy(),
        "active": frame["active"].fillna(True).astype(bool).to_numpy(),
        "party_members": pd.array(pd.to_numeric(frame["party_members"], errors="coerce"),
                                  dtype="Int64"),
    }, index=pd.Index(frame["code"].to_numpy(dtype=object), name="code"))


def _without(inputs: CoverageInputs, excluded_visit_ids: Collection[object] | None
             ) -> CoverageInputs:
    """``inputs`` without the excluded visits (for compliance)."""
    if excluded_visit_ids is None or not len(excluded_visit_ids):
        return inputs
    require_columns(inputs.visits, "visits", ("id",))
    kept = inputs.visits[~inputs.visits["id"].isin(list(excluded_visit_ids))]
    return dataclasses.replace(inputs, visits=kept)


def _month_grid(inputs: CoverageInputs, excluded_visit_ids: Collection[object] | None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the months judged and met of each department (rows) in each judged month
    (columns), pooled over all its pairings, ended ones included."""
    pairings = inputs.pairings
    grid = compute_pairing_months(_without(inputs, excluded_visit_ids), pairings)
    department = pairings["department_code"].astype(str).to_numpy()
    judged = grid.notna().groupby(department).sum()
    met = grid.fillna(False).astype(bool).groupby(department).sum()
    return judged, met


# --------------------------------------------------------------------------- figures


def department_figures(inputs: CoverageInputs, departments: pd.DataFrame,
                       cadres: pd.DataFrame,
                       excluded_visit_ids: Collection[object] | None = None) -> pd.DataFrame:
    """Return each department's figures over the window ``T-W < date <= T``.

    Parameters
    ----------
    inputs : CoverageInputs
        Pairings and visits, ``T`` and ``W``.
    departments : DataFrame
        ``code``, ``party_members``, ``active`` (and ``name``): one row per department.
    cadres : DataFrame
        ``id`` and ``leader``: which cadre ids are leading cadres (may be empty).
    excluded_visit_ids : collection, optional
        Ids of visits left out of every figure (EMPTY_RECORD, and all but the first of a
        DUPLICATE group).

    Returns
    -------
    DataFrame
        Indexed by department code (in code order), the columns of ``FIGURE_COLUMNS``:

        - ``name``, ``active``, ``party_members``;
        - ``visits`` and ``villages_visited`` (distinct) in the window;
        - ``cadres`` (distinct cadre ids on its visits) and ``participation``
          (``cadres / party_members`` capped at 1; NaN when its visits carry no cadre
          id or ``party_members`` is 0 or missing);
        - ``leader_visits`` (visits whose cadre ids include a leading cadre) and
          ``leader_participation`` (``leader_visits / visits``; NaN when its visits
          carry no cadre id);
        - ``problems_raised``, ``problems_resolved`` and ``resolution_rate``
          (``min(1, resolved / raised)``; NaN when nothing was raised);
        - ``long_term_visits`` (kinds of ``LONG_TERM_VISIT_KINDS``) and
          ``long_term_share`` (of its visits; NaN with no visit);
        - ``months_judged``, ``months_met`` and ``compliance`` (met / judged; NaN with
          nothing to judge), pooled over all its pairings for the judged months each
          was active in full, ended pairings included;
        - ``paired_villages`` (distinct villages of its pairings active at ``T``),
          ``paired_villages_visited`` (of those, visited by it in the window) and
          ``paired_village_coverage`` (their share; NaN with no active pairing).
    """
    base = _departments(departments)
    table, named = _window_visits(inputs, excluded_visit_ids, cadres)
    counts = _counts(table, named, ["department_code"]).reindex(base.index)
    judged, met = _month_grid(inputs, excluded_visit_ids)
    counts["months_judged"] = judged.sum(axis=1).reindex(base.index)
    counts["months_met"] = met.sum(axis=1).reindex(base.index)
    paired = _paired(active_pairings(inputs.pairings, inputs.as_of), table)
    counts = counts.join(paired.reindex(base.index))
    figures = _figures(counts, base["party_members"])
    return base[["name", "active", "party_members"]].join(
        figures.drop(columns="visits_with_cadres"))[FIGURE_COLUMNS]


def window_months(as_of: date, window_days: int) -> list[tuple[str, date, date]]:
    """Return every calendar month overlapping the window ``T-W < date <= T``.

    Returns
    -------
    list of (str, date, date)
        ``YYYY-MM``, the first and last day of the month inside the window, oldest
        first.
    """
    first_day = window_start(as_of, window_days) + timedelta(days=1)
    months = pd.period_range(first_day, as_of, freq="M")
    return [(str(month), max(month.start_time.date(), first_day),
             min(month.end_time.date(), as_of)) for month in months]


def monthly_department_figures(inputs: CoverageInputs, departments: pd.DataFrame,
                               cadres: pd.DataFrame,
                               excluded_visit_ids: Collection[object] | None = None
                               ) -> pd.DataFrame:
    """Return each department's figures in each calendar month overlapping the window.

    The figures of ``department_figures``, each over the part of the month inside the
    window; ``compliance`` only for months wholly inside it (NaN for the others), and
    ``paired_village_coverage`` over the pairings active at the month's last day (or at
    ``T`` for the month holding ``T``) and the department's visits in that part of the
    month. Parameters as ``department_figures``.

    Returns
    -------
    DataFrame
        Indexed by (``code``, ``month``: ``YYYY-MM``), every department (in code order)
        by every month (oldest first), with the columns of ``FIGURE_COLUMNS``.
    """
    base = _departments(departments)
    months = window_months(inputs.as_of, inputs.window_days)
    labels = [label for label, _, _ in months]
    index = pd.MultiIndex.from_product([base.index, labels], names=["code", "month"])
    keys = ["department_code", "month"]
    table, named = _window_visits(inputs, excluded_visit_ids, cadres)
    counts = _counts(table, named, keys).reindex(index)
    judged, met = _month_grid(inputs, excluded_visit_ids)
    counts["months_judged"] = judged.stack().reindex(index)
    counts["months_met"] = met.stack().reindex(index)
    paired = pd.concat(
        {label: _paired(active_pairings(inputs.pairings, last), table[table["month"] == label])
         for label, _, last in months},
        names=["month", "department_code"],
    )
    if len(paired):
        counts = counts.join(paired.swaplevel().reindex(index))
    else:
        counts = counts.assign(paired_villages=0, paired_villages_visited=0)
    figures = _figures(counts, base["party_members"].reindex(index, level="code"))
    head = base[["name", "active", "party_members"]].reindex(index, level="code")
    return head.join(figures.drop(columns="visits_with_cadres"))[FIGURE_COLUMNS]


# --------------------------------------------------------------------------- ranking


def ranking(figures: pd.DataFrame, warnings_per_department: pd.Series | None,
            satisfaction: pd.Series | None = None) -> pd.DataFrame:
    """Return the departments ranked by their score (红黑榜 order).

    The score in [0, 100] is 100 × the weighted mean of the department's non-null
    components (``RANKING_WEIGHTS``; the weights renormalised over the components
    present), minus ``WARNING_PENALTY`` points per formalism warning, floored at 0 and
    rounded to ``SCORE_DECIMALS`` decimals; null when no component is present. Visit
    volume is not a component.

    Parameters
    ----------
    figures : DataFrame
        From ``department_figures`` (``name``, ``active`` and the components).
    warnings_per_department : Series or None
        Formalism warnings of each department (by code); a department not in it, or
        None, has none.
    satisfaction : Series, optional
        Residents' satisfaction in [0, 1] by department code (the problem ledger); null
        until problems are rated.

    Returns
    -------
    DataFrame
        Indexed by department code: ``name``, ``active``, the components
        (``compliance``, ``paired_village_coverage``, ``resolution_rate``,
        ``long_term_share``, ``satisfaction``), ``warnings`` (int), ``score`` (NaN when
        no component is present) and ``rank`` (Int64). Active departments come first,
        ranked 1 (best) on: score high first, ties by code, null scores after all the
        others by code; inactive departments follow in code order, with a null rank.
    """
    index = figures.index
    components = pd.DataFrame(
        {name: figures.get(name, np.nan)
         for name in RANKING_WEIGHTS if name != "satisfaction"}, index=index)
    components["satisfaction"] = (np.nan if satisfaction is None
                                  else satisfaction.reindex(index))
    components = components.astype("float64")
    weights = pd.Series(RANKING_WEIGHTS)
    present = components.notna()
    total = present.mul(weights).sum(axis=1)
    weighted = components.fillna(0.0).mul(weights).sum(axis=1)
    mean = weighted / total.where(total > 0)
    warnings = (pd.Series(0, index=index) if warnings_per_department is None
                else warnings_per_department.reindex(index)).fillna(0).astype("int64")
    score = (100 * mean - WARNING_PENALTY * warnings).clip(lower=0).round(SCORE_DECIMALS)
    active = (figures["active"].fillna(True).astype(bool) if "active" in figures
              else pd.Series(True, index=index))
    names = figures["name"] if "name" in figures else pd.Series(None, index=index)
    out = pd.DataFrame({"name": names.astype(object), "active": active}, index=index)
    out = out.join(components)
    out["warnings"] = warnings
    out["score"] = score
    return in_rank_order(out, active)


def in_rank_order(frame: pd.DataFrame, active: pd.Series) -> pd.DataFrame:
    """``frame`` (indexed by department code, with ``score``) in rank order with its
    ``rank``: the ``active`` departments first, ranked 1 (best) on score high first,
    ties by code, null scores after the others by code; inactive departments follow in
    code order with a null rank (``ranking``'s order, and that of reports combined from
    several counties')."""
    active = active.reindex(frame.index).fillna(True).astype(bool)
    score = frame["score"]
    keys = pd.DataFrame({
        "inactive": ~active.to_numpy(dtype=bool),
        "unscored": score.isna().to_numpy() | ~active.to_numpy(dtype=bool),
        "score": score.fillna(0).to_numpy(),
        "code": frame.index.astype(str),
    })
    order = keys.sort_values(["inactive", "unscored", "score", "code"],
                             ascending=[True, True, False, True], kind="mergesort").index
    out = frame.iloc[order.to_numpy()].copy()
    rank = pd.array(np.arange(1, len(out) + 1), dtype="Int64")  # the active come first
    rank[~active.reindex(out.index).to_numpy(dtype=bool)] = pd.NA
    out["rank"] = rank
    out.index.name = "code"
    return out


def red_and_black(ranked: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the red list (红榜) and the black list (黑榜) of ``ranking``'s departments.

    Of the ranked departments with a score: the red list is the top ``LIST_SIZE`` and the
    black list the bottom ``LIST_SIZE``; with fewer than ``2 × LIST_SIZE`` of them, the
    red list takes the top ⌈n/2⌉ and the black list the rest.

    Returns
    -------
    (DataFrame, DataFrame)
        Rows of ``ranked``, both in rank order (the black list ends with the last).
    """
    scored = ranked[ranked["rank"].notna() & ranked["score"].notna()].sort_values(
        "rank", kind="mergesort")
    count = len(scored)
    top = LIST_SIZE if count >= 2 * LIST_SIZE else math.ceil(count / 2)
    bottom = LIST_SIZE if count >= 2 * LIST_SIZE else count - top
    return scored.iloc[:top], scored.iloc[count - bottom:]


def paired_village_compliance(inputs: CoverageInputs, department_code: str,
                              excluded_visit_ids: Collection[object] | None = None
                              ) -> pd.DataFrame:
    """Return the compliance of one department with each village it is paired with at T.

    For the department's pairings active at ``T``, the months judged and met
    (``geo.coverage.compute_pairing_months``, without the excluded visits, as in the
    department's compliance) pooled per village.

    Returns
    -------
    DataFrame
        Indexed by village code (in code order): ``months_judged``, ``months_met`` (int)
        and ``compliance`` (met / judged; NaN with no month to judge).
    """
    pairings = active_pairings(inputs.pairings, inputs.as_of)
    pairings = pairings[pairings["department_code"].astype(str) == department_code]
    grid = compute_pairing_months(_without(inputs, excluded_visit_ids), pairings)
    village = pd.Index(pairings["village_code"].astype(str).to_numpy(), name="code")
    table = pd.DataFrame({
        "months_judged": grid.notna().sum(axis=1).to_numpy(dtype="int64"),
        "months_met": grid.fillna(False).astype(bool).sum(axis=1).to_numpy(dtype="int64"),
    }, index=village).groupby(level="code").sum().sort_index()
    table["compliance"] = _share(table["months_met"], table["months_judged"])
    return table
