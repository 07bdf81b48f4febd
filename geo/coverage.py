"""Service coverage and neglect, exactly as DESIGN.md's metric definitions say.

Pure functions: frames in, frames, Series or plain dictionaries out, keyed by village or
township code; no I/O. The frames and the as-of date ``T``, the window ``W`` (days; the
window is ``T-W < date <= T``) and the neglect threshold ``N`` (days) travel together as
one ``geo.inputs.CoverageInputs``; the window and the judged months are
``geo.period``'s.

Frames are those ``geo.store`` loads (a required column that is missing raises
``DataError("missing_input_column")``):

- villages: ``code`` (12 digits), ``short_name``, ``parent_code`` (9-digit township),
  ``population``, ``households``, ``left_behind_elderly``, ``low_income_households``
  (nullable integers) and ``weak`` (bool);
- pairings: ``id``, ``department_code``, ``village_code``, ``start_date``, ``end_date``
  (``datetime.date`` or None) and ``required_visits_per_month``;
- visits: ``date`` (``datetime.date``), ``department_code``, ``village_code``,
  ``problems_raised`` and ``problems_resolved``;
- problems: the ledger's ``geo.inputs.PROBLEM_COLUMNS`` (``geo.problems`` computes its
  figures; a village with an overdue problem is ``OVERDUE_PROBLEM``);
- townships: ``code`` and ``short_name``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from geo.i18n import translate
from geo.inputs import NEED_COLUMNS, CoverageInputs, require_columns
from geo.period import active_pairings, judged_months, window_start
from geo.problems import villages_with_overdue
from geo.values import to_json

UNPAIRED = "UNPAIRED"
NEVER_VISITED = "NEVER_VISITED"
NOT_VISITED = "NOT_VISITED"
OVERDUE_PROBLEM = "OVERDUE_PROBLEM"
BELOW_REQUIRED = "BELOW_REQUIRED"
PROBLEMS_PENDING = "PROBLEMS_PENDING"

#: Neglect reasons in their listed order: code -> severity. Their labels are the
#: catalogue's ``reason.<code>`` (``geo.neglected.reasons_text``).
REASONS: dict[str, int] = {
    UNPAIRED: 3,
    NEVER_VISITED: 3,
    NOT_VISITED: 2,
    OVERDUE_PROBLEM: 2,
    BELOW_REQUIRED: 1,
    PROBLEMS_PENDING: 1,
}
SEVERE_FROM = 2
"""A reason of this severity or more is severe (UNPAIRED, NEVER_VISITED, NOT_VISITED,
OVERDUE_PROBLEM): the overview's fourth card (需关注村) counts the villages with one; the
others are 一般."""

REASON_LABELS_EN: dict[str, str] = {code: translate(f"reason.{code}", "en") for code in REASONS}
"""The reasons' English labels, from the catalogue."""

#: Weights of the need index's factors (population, elderly share, low-income share, weak).
NEED_WEIGHTS: dict[str, float] = {
    "population": 0.3,
    "elderly_share": 0.3,
    "low_income_share": 0.2,
    "weak": 0.2,
}

COUNTY_CODE_LENGTH = 6
TOWNSHIP_CODE_LENGTH = 9
# Priorities equal to this many decimals are ties (they differ only by rounding errors).
_PRIORITY_DECIMALS = 9


# --------------------------------------------------------------------------- helpers


def _days(values: pd.Series) -> np.ndarray:
    """Return ``values`` (dates, timestamps or None) as ``datetime64[D]`` (NaT for missing)."""
    return pd.to_datetime(pd.Series(values, dtype=object)).to_numpy("datetime64[D]")


def _day(value: date) -> np.datetime64:
    """Return ``value`` as ``datetime64[D]``."""
    return np.datetime64(value, "D")


def _ordinal(value: date) -> int:
    """Return ``value`` as days since 1970-01-01."""
    return int(_day(value).astype("int64"))


def _floats(values: pd.Series) -> pd.Series:
    """Return a numeric column as float64 with NaN for missing values."""
    numeric = pd.to_numeric(pd.Series(values), errors="coerce")
    return pd.Series(numeric.to_numpy(dtype="float64", na_value=np.nan), index=values.index)


def _codes(villages: pd.DataFrame) -> pd.Index:
    """Return the village codes as an index of strings named ``code``."""
    return pd.Index(villages["code"].astype(str), name="code")


def _township_codes(villages: pd.DataFrame) -> pd.Series:
    """Return each village's township code (``parent_code``; the code's first 9 digits
    where it is empty)."""
    fallback = villages["code"].astype(str).str[:TOWNSHIP_CODE_LENGTH]
    parent = villages["parent_code"].astype(object)
    known = parent.notna() & (parent.astype(str) != "")
    return parent.where(known, fallback).astype(str)


@dataclass(frozen=True)
class _PastVisits:
    """The visits on or before ``T`` as arrays (one element per visit).

    ``day`` is the date as days since 1970-01-01; ``village`` and ``department`` are
    positions in ``villages`` and ``departments`` (the codes met, -1 for a missing code);
    ``raised`` and ``resolved`` are the problem counts with 0 for missing.
    """

    day: np.ndarray
    village: np.ndarray
    villages: pd.Index
    department: np.ndarray
    departments: pd.Index
    raised: np.ndarray
    resolved: np.ndarray

    def positions_in(self, codes: pd.Index) -> np.ndarray:
        """Return each visit's position in ``codes`` (-1 where its village is not there)."""
        lookup = np.append(codes.get_indexer(self.villages), -1)  # -1 maps a missing code
        return lookup[self.village]


def _past_visits(visits: pd.DataFrame, as_of: date) -> _PastVisits:
    """Return the visits on or before ``T``, reduced to the arrays the metrics use."""
    day = _days(visits["date"])
    keep = day <= _day(as_of)  # NaT compares False
    village, villages = pd.factorize(visits["village_code"])
    department, departments = pd.factorize(visits["department_code"])

    def counts(column: str) -> np.ndarray:
        return _floats(visits[column]).fillna(0.0).to_numpy()[keep]

    return _PastVisits(
        day=day[keep].astype("int64"),
        village=village[keep],
        villages=pd.Index(villages),
        department=department[keep],
        departments=pd.Index(departments),
        raised=counts("problems_raised"),
        resolved=counts("problems_resolved"),
    )


# --------------------------------------------------------------------------- compliance


def compute_pairing_compliance(inputs: CoverageInputs) -> pd.DataFrame:
    """Return the visit compliance of each pairing active at ``T``.

    The months judged for a pairing are the calendar months whose first day is inside
    the window (``> T-W``) and on or after the pairing's ``start_date``, and whose last
    day is ``<= T``. A month is met when that department's visits to that village in
    the month reach ``required_visits_per_month``. Visits by other departments do not
    count.

    Parameters
    ----------
    inputs : CoverageInputs
        Its pairings and visits, ``T`` and ``W``.

    Returns
    -------
    DataFrame
        One row per active pairing, indexed by pairing ``id``, with ``department_code``,
        ``village_code``, ``required_visits_per_month``, ``months_judged`` and
        ``months_met`` (int), ``compliance`` (``months_met / months_judged``; NaN with no
        month to judge) and ``months_short`` (the judged months not met, ``YYYY-MM``,
        oldest first).
    """
    return _compliance(active_pairings(inputs.pairings, inputs.as_of),
                       _past_visits(inputs.visits, inputs.as_of), inputs.as_of,
                       inputs.window_days)


def compute_pairing_months(inputs: CoverageInputs,
                           pairings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return, for each pairing and each judged month, whether the month was met.

    The months are ``geo.period.judged_months`` of ``T`` and ``W``. A pairing is judged
    for a month when it was active for the whole month: its ``start_date`` is on or
    before the month's first day and its ``end_date`` is empty or on or after the
    month's last day (for a pairing active at ``T`` the second condition always holds).
    A judged month is met when that department's visits to that village in the month
    reach ``required_visits_per_month`` (a missing value counts as 1).

    Parameters
    ----------
    inputs : CoverageInputs
        Its visits, ``T`` and ``W``.
    pairings : DataFrame, optional
        The pairings to judge (ended ones included); by default those active at ``T``.

    Returns
    -------
    DataFrame
        Indexed by pairing ``id`` in the order of ``pairings``, one column per judged
        month (``YYYY-MM``, oldest first), nullable boolean: True met, False short, NA
        where the pairing is not judged for the month.
    """
    if pairings is None:
        pairings = active_pairings(inputs.pairings, inputs.as_of)
    months = judged_months(inputs.as_of, inputs.window_days)
    judged, met = _month_grid(pairings, _past_visits(inputs.visits, inputs.as_of), months)
    grid = pd.DataFrame(met, index=pd.Index(pairings["id"].to_numpy(), name="id"),
                        columns=_month_labels(months)).astype("boolean")
    return grid.mask(~judged)


def _month_labels(months: list[tuple[date, date]]) -> list[str]:
    """Return the ``YYYY-MM`` label of each (first day, last day) month."""
    return [first.strftime("%Y-%m") for first, _ in months]


def _month_grid(pairings: pd.DataFrame, past: _PastVisits, months: list[tuple[date, date]]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Return ``judged[p, k]`` (pairing ``p`` active for the whole month ``k``) and
    ``met[p, k]`` (judged, and its visits in the month reached the requirement)."""
    departments = pairings["department_code"].to_numpy(dtype=object)
    villages = pairings["village_code"].to_numpy(dtype=object)
    # DESIGN.md: a missing required_visits_per_month counts as 1.
    required = _floats(pairings["required_visits_per_month"]).fillna(1).astype(int).to_numpy()
    firsts = np.array([first for first, _ in months], dtype="datetime64[D]")
    lasts = np.array([last for _, last in months], dtype="datetime64[D]")
    ends = _days(pairings["end_date"])[:, np.newaxis]
    # judged[p, k]: pairing p was active for the whole of month k.
    judged = (firsts[np.newaxis, :] >= _days(pairings["start_date"])[:, np.newaxis]) & (
        np.isnat(ends) | (ends >= lasts[np.newaxis, :]))
    done = np.zeros(judged.shape, dtype=int)  # done[p, k]: the pairing's visits in month k
    if len(months) and len(pairings):
        # (department, village) as one integer key; -1 for a pair never visited.
        width = len(past.villages)
        department = past.departments.get_indexer(departments)
        village = past.villages.get_indexer(villages)
        pairing_keys = np.where((department >= 0) & (village >= 0),
                                department * width + village, -1)
        month = (past.day.astype("datetime64[D]").astype("datetime64[M]")
                 - firsts[0].astype("datetime64[M]")).astype("int64")
        inside = (month >= 0) & (month < len(months)) & (past.village >= 0) & (
            past.department >= 0)
        keys = pd.Index(np.unique(pairing_keys))
        row = keys.get_indexer(past.department[inside] * width + past.village[inside])
        counted = row >= 0
        counts = np.bincount(row[counted] * len(months) + month[inside][counted],
                             minlength=len(keys) * len(months))
        done = counts.reshape(len(keys), len(months))[keys.get_indexer(pairing_keys)]
        done[pairing_keys < 0] = 0
    return judged, judged & (done >= required[:, np.newaxis])


def _compliance(
    active: pd.DataFrame, past: _PastVisits, as_of: date, window_days: int
) -> pd.DataFrame:
    """``compute_pairing_compliance`` on the active pairings and ``_past_visits``."""
    result = pd.DataFrame(
        {
            "department_code": active["department_code"].to_numpy(dtype=object),
            "village_code": active["village_code"].to_numpy(dtype=object),
            "required_visits_per_month": _floats(active["required_visits_per_month"])
            .fillna(1).astype(int).to_numpy(),
        },
        index=pd.Index(active["id"].to_numpy(), name="id"),
    )
    months = judged_months(as_of, window_days)
    judged, met = _month_grid(active, past, months)
    months_judged = judged.sum(axis=1)
    months_met = met.sum(axis=1)
    result["months_judged"] = months_judged.astype(int)
    result["months_met"] = months_met.astype(int)
    result["compliance"] = np.where(
        months_judged > 0, months_met / np.maximum(months_judged, 1), np.nan
    )
    labels = np.array(_month_labels(months), dtype=object)
    short = judged & ~met
    result["months_short"] = [labels[row].tolist() for row in short]
    return result


# --------------------------------------------------------------------------- need


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Return ``numerator / denominator``; 0 where the denominator is missing or 0.

    A missing numerator counts as 0.
    """
    usable = ~np.isnan(denominator) & (denominator != 0)
    safe = np.where(usable, denominator, 1.0)
    return np.where(usable, np.nan_to_num(numerator, nan=0.0) / safe, 0.0)


def _minmax_by(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Min-max scale ``values`` within ``groups`` (integer labels from 0).

    A group whose range is zero scales to 0.
    """
    count = int(groups.max()) + 1 if len(groups) else 0
    low = np.full(count, np.inf)
    high = np.full(count, -np.inf)
    np.minimum.at(low, groups, values)
    np.maximum.at(high, groups, values)
    span = (high - low)[groups]
    return np.where(span > 0, (values - low[groups]) / np.where(span > 0, span, 1.0), 0.0)


def compute_need_factors(villages: pd.DataFrame) -> pd.DataFrame:
    """Return the need index's four factors of each village, each in [0, 1].

    ``population``, ``elderly_share`` (``left_behind_elderly / population``) and
    ``low_income_share`` (``low_income_households / households``) are min-max scaled over
    the villages of the same county (the first 6 digits of the village code); a factor
    whose range is zero within the county scales to 0. A missing value counts as 0, and
    so does a ratio whose denominator is missing or 0 (before scaling). ``weak`` is 1 for
    a weak village, else 0.

    Returns
    -------
    DataFrame
        Indexed by village code: ``population``, ``elderly_share``, ``low_income_share``
        and ``weak`` (float).
    """
    require_columns(villages, "villages", NEED_COLUMNS)
    codes = _codes(villages)

    def figure(column: str) -> np.ndarray:
        return _floats(villages[column]).to_numpy()

    population = figure("population")
    _, county = np.unique(codes.str[:COUNTY_CODE_LENGTH].to_numpy(dtype=object).astype(str),
                          return_inverse=True)
    weak = villages["weak"]
    return pd.DataFrame(
        {
            "population": _minmax_by(np.nan_to_num(population, nan=0.0), county),
            "elderly_share": _minmax_by(_ratio(figure("left_behind_elderly"), population),
                                        county),
            "low_income_share": _minmax_by(
                _ratio(figure("low_income_households"), figure("households")), county
            ),
            "weak": weak.fillna(False).astype(bool).to_numpy(dtype=float),
        },
        index=codes,
    )


def compute_need_index(villages: pd.DataFrame) -> pd.Series:
    """Return each village's need index in [0, 1], keyed by village code.

    ``0.3·population + 0.3·elderly_share + 0.2·low_income_share + 0.2·weak`` (the
    ``NEED_WEIGHTS``) over the factors of ``compute_need_factors``.
    """
    factors = compute_need_factors(villages)
    need = sum(factors[name] * weight for name, weight in NEED_WEIGHTS.items())
    return pd.Series(need, index=factors.index, name="need", dtype="float64")


# --------------------------------------------------------------------------- villages


def compute_village_coverage(inputs: CoverageInputs) -> pd.DataFrame:
    """Return each village's coverage, neglect reasons, need index and priority at ``T``.

    Parameters
    ----------
    inputs : CoverageInputs
        Villages, pairings, visits and problems, ``T``, ``W`` and ``N``. Visits,
        pairings and problems of villages not in ``villages`` are ignored.

    Returns
    -------
    DataFrame
        Indexed by village code, in the order of ``villages``:

        - ``name``, ``township_code``;
        - ``paired`` (an active pairing at ``T``), ``pairings`` (how many);
        - ``visits_in_window`` (any department), ``visited`` (at least one);
        - ``last_visit`` (latest visit on or before ``T``, date or None) and
          ``days_since_last_visit`` (Int64, null when never visited);
        - ``problems_raised``, ``problems_resolved`` (sums over the window's visits) and
          ``problems_pending`` (their difference, 0 when it is negative);
        - ``compliance_min``: the lowest non-null compliance of its active pairings (NaN
          when none has a month to judge); ``shortfalls``: for each active pairing that
          missed a judged month, ``(department_code, [YYYY-MM, …])``, by department;
        - ``reasons``: the codes of ``REASONS`` that apply, in their listed order;
          ``severity`` (of the worst reason, 0 with none), ``neglected`` (bool) and
          ``severe`` (a reason of severity ``SEVERE_FROM`` or more);
        - ``need`` (``compute_need_index``) and ``priority`` (``severity × (1 + need)``,
          NaN with no reason).
    """
    villages, as_of = inputs.villages, inputs.as_of
    window_days, neglect_days = inputs.window_days, inputs.neglect_days
    codes = _codes(villages)
    size = len(codes)
    names = villages["short_name"]

    pairings, visits = inputs.pairings, inputs.visits

    active = active_pairings(pairings, as_of)
    position = codes.get_indexer(active["village_code"].to_numpy(dtype=object))
    pairing_counts = np.bincount(position[position >= 0], minlength=size)

    past = _past_visits(visits, as_of)
    where = past.positions_in(codes)
    known = where >= 0
    day = past.day
    in_window = known & (day > _ordinal(window_start(as_of, window_days)))
    visits_in_window = np.bincount(where[in_window], minlength=size)

    never_day = np.iinfo(np.int64).min
    last = np.full(size, never_day, dtype="int64")
    np.maximum.at(last, where[known], day[known])
    never = last == never_day
    last_visit = np.where(never, np.datetime64("NaT"), last.astype("datetime64[D]"))
    elapsed = np.where(never, 0, _ordinal(as_of) - last)
    days_since = pd.array(elapsed, dtype="Int64")
    days_since[never] = pd.NA

    raised = np.bincount(where[in_window], weights=past.raised[in_window],
                         minlength=size).round().astype(int)
    resolved = np.bincount(where[in_window], weights=past.resolved[in_window],
                           minlength=size).round().astype(int)
    net = raised - resolved

    compliance = _compliance(active, past, as_of, window_days)
    lowest = compliance.groupby("village_code")["compliance"].min()  # skips NaN
    compliance_min = lowest.reindex(codes).to_numpy(dtype="float64")
    missed = compliance[compliance["months_short"].map(len) > 0].sort_values(
        ["village_code", "department_code"])
    shortfalls: dict[str, list[tuple[str, list[str]]]] = {}
    for village, department, months in zip(missed["village_code"], missed["department_code"],
                                           missed["months_short"], strict=True):
        shortfalls.setdefault(village, []).append((department, months))

    flags = {
        UNPAIRED: pairing_counts == 0,
        NEVER_VISITED: never,
        NOT_VISITED: ~never & (elapsed >= neglect_days),
        OVERDUE_PROBLEM: villages_with_overdue(inputs.problems, codes, as_of),
        BELOW_REQUIRED: compliance_min < 1,  # NaN compares False
        PROBLEMS_PENDING: net > 0,
    }
    matrix = np.column_stack([flags[code] for code in REASONS]) if size else np.zeros(
        (0, len(REASONS)), dtype=bool)
    reason_codes = np.array(list(REASONS), dtype=object)
    severities = np.array(list(REASONS.values()))
    severity = (matrix * severities).max(axis=1, initial=0).astype(int)
    neglected = matrix.any(axis=1)
    need = compute_need_index(villages).to_numpy()

    return pd.DataFrame(
        {
            "name": names.to_numpy(dtype=object),
            "township_code": _township_codes(villages).to_numpy(dtype=object),
            "pairings": pairing_counts.astype(int),
            "paired": pairing_counts > 0,
            "visits_in_window": visits_in_window.astype(int),
            "visited": visits_in_window > 0,
            "last_visit": pd.Series(last_visit.astype(object), dtype=object),
            "days_since_last_visit": days_since,
            "problems_raised": raised,
            "problems_resolved": resolved,
            "problems_pending": np.maximum(net, 0),
            "compliance_min": compliance_min,
            "shortfalls": pd.Series([shortfalls.get(code, []) for code in codes],
                                    dtype=object),
            "reasons": pd.Series([reason_codes[row].tolist() for row in matrix], dtype=object),
            "severity": severity,
            "neglected": neglected,
            "severe": severity >= SEVERE_FROM,
            "need": need,
            "priority": np.where(neglected, severity * (1 + need), np.nan),
        }
    ).set_axis(codes)


def order_neglected(coverage: pd.DataFrame) -> pd.DataFrame:
    """Return the villages of ``coverage`` with at least one reason, most urgent first.

    Ordered by ``priority`` (high first), then days since the last visit (never visited
    first, then the longest), then village code.
    """
    neglected = coverage[coverage["reasons"].map(len) > 0]
    days = neglected["days_since_last_visit"].to_numpy(dtype="float64", na_value=np.inf)
    keys = pd.DataFrame(
        {
            "priority": neglected["priority"].round(_PRIORITY_DECIMALS).to_numpy(),
            "days": days,
            "code": neglected.index.astype(str),
        }
    )
    order = keys.sort_values(
        ["priority", "days", "code"], ascending=[False, False, True], kind="mergesort"
    ).index
    return neglected.iloc[order.to_numpy()]


# --------------------------------------------------------------------------- roll-ups


def _rollup(coverage: pd.DataFrame, villages: pd.DataFrame, keys: np.ndarray) -> pd.DataFrame:
    """Aggregate ``coverage`` by ``keys`` (one key per row of ``coverage``)."""
    population = _floats(villages.set_index(_codes(villages))["population"])
    parts = pd.DataFrame(
        {
            "key": keys,
            "paired": coverage["paired"].to_numpy(dtype=bool),
            "visited": coverage["visited"].to_numpy(dtype=bool),
            "never_visited": coverage["days_since_last_visit"].isna().to_numpy(),
            "neglected": (coverage["reasons"].map(len) > 0).to_numpy(),
            "severe": coverage["severe"].to_numpy(dtype=bool),
            "visits_in_window": coverage["visits_in_window"].to_numpy(dtype="int64"),
            "population": population.reindex(coverage.index).fillna(0.0).to_numpy(),
        }
    )
    out = parts.groupby("key", sort=True).agg(
        villages=("paired", "size"),
        paired=("paired", "sum"),
        visited=("visited", "sum"),
        never_visited=("never_visited", "sum"),
        neglected=("neglected", "sum"),
        severe=("severe", "sum"),
        visits_in_window=("visits_in_window", "sum"),
        population=("population", "sum"),
    )
    out["paired_share"] = out["paired"] / out["villages"]
    out["visited_share"] = out["visited"] / out["villages"]
    known = out["population"] > 0
    out["visits_per_1000"] = (
        out["visits_in_window"] * 1000.0 / out["population"].where(known, 1.0)
    ).where(known)
    return out


_ROLLUP_COLUMNS = ["villages", "paired_share", "visited_share", "never_visited", "neglected",
                   "severe", "visits_per_1000", "paired", "visited", "visits_in_window",
                   "population"]


def compute_township_rollup(
    coverage: pd.DataFrame, villages: pd.DataFrame, townships: pd.DataFrame,
    keys: pd.Series | None = None,
) -> pd.DataFrame:
    """Return the coverage of each township (or of the units ``keys`` names), in code
    order.

    Parameters
    ----------
    coverage : DataFrame
        From ``compute_village_coverage``.
    villages : DataFrame
        Its villages (for ``population``).
    townships : DataFrame
        ``code`` and ``short_name`` (or ``name``). A township without villages gets a row
        with null shares; a village's township missing here gets a row without a name.
    keys : Series, optional
        The unit (a county, a city) of each village, by village code, to roll up to
        instead of the village's township; ``townships`` then holds those units.

    Returns
    -------
    DataFrame
        Indexed by township code: ``name``, ``villages``, ``paired_share``,
        ``visited_share`` (shares of its villages; NaN with no village),
        ``never_visited``, ``neglected`` (villages with at least one reason), ``severe``
        (with a severe reason), ``visits_per_1000`` (visits in the window
        per 1,000 residents of known population; NaN when that population is 0 or
        missing), and the counts ``paired``, ``visited``, ``visits_in_window`` and
        ``population`` (known population).
    """
    owner = coverage["township_code"] if keys is None else keys.reindex(coverage.index)
    out = _rollup(coverage, villages, owner.astype(str).to_numpy())
    name_column = "short_name" if "short_name" in townships else "name"
    names = pd.Series(
        townships[name_column].astype(object).to_numpy(),
        index=townships["code"].astype(str).to_numpy(),
    )
    index = pd.Index(sorted(set(names.index) | set(out.index)), name="code")
    out = out.reindex(index)
    for column in ("villages", "paired", "visited", "never_visited", "neglected", "severe",
                   "visits_in_window"):
        out[column] = out[column].fillna(0).astype(int)
    out["population"] = out["population"].fillna(0.0)
    out.insert(0, "name", names.reindex(index).astype(object).where(lambda s: s.notna(), None))
    return out[["name", *_ROLLUP_COLUMNS]]


def compute_county_rollup(
    coverage: pd.DataFrame, villages: pd.DataFrame, name: str | None = None
) -> dict[str, Any]:
    """Return the county's coverage: the township roll-up over all villages of ``coverage``.

    Returns
    -------
    dict
        ``code`` (the 6-digit county code shared by the villages, else None), ``name``
        and the fields of ``compute_township_rollup`` (shares and ``visits_per_1000``
        None where undefined).
    """
    counties = {str(code)[:COUNTY_CODE_LENGTH] for code in coverage.index}
    out = _rollup(coverage, villages, np.zeros(len(coverage), dtype=int))
    row = {column: 0 for column in _ROLLUP_COLUMNS}
    row.update({"paired_share": None, "visited_share": None, "visits_per_1000": None})
    if not out.empty:
        row.update({column: to_json(out[column].iloc[0]) for column in _ROLLUP_COLUMNS})
    return {"code": counties.pop() if len(counties) == 1 else None, "name": name, **row}


# --------------------------------------------------------------------------- reports


_TOWNSHIP_FIELDS = ["code", "name", "villages", "paired_share", "visited_share",
                    "never_visited", "neglected", "severe", "visits_per_1000"]
_VILLAGE_FIELDS = ["code", "name", "township_code", "paired", "visits_in_window",
                   "last_visit", "days_since_last_visit", "reasons", "need", "priority"]


def _report(coverage: pd.DataFrame, rollup: pd.DataFrame, listed: pd.DataFrame,
            inputs: CoverageInputs) -> dict[str, Any]:
    townships = rollup.reset_index()[_TOWNSHIP_FIELDS]
    rows = listed.reset_index()[_VILLAGE_FIELDS]
    return {
        "as_of": inputs.as_of.isoformat(),
        "window_days": int(inputs.window_days),
        "neglect_days": int(inputs.neglect_days),
        "totals": {
            "villages": len(coverage),
            "paired": int(coverage["paired"].sum()),
            "visited": int(coverage["visited"].sum()),
            "never_visited": int(coverage["days_since_last_visit"].isna().sum()),
            "neglected": int((coverage["reasons"].map(len) > 0).sum()),
            "severe": int(coverage["severe"].sum()),
        },
        "townships": [
            {k: to_json(v) for k, v in zip(_TOWNSHIP_FIELDS, row, strict=True)}
            for row in townships.itertuples(index=False, name=None)
        ],
        "villages": [
            {k: to_json(v) for k, v in zip(_VILLAGE_FIELDS, row, strict=True)}
            for row in rows.itertuples(index=False, name=None)
        ],
    }


def coverage_report(inputs: CoverageInputs, townships: pd.DataFrame) -> dict[str, Any]:
    """Return the coverage of every village and township as a JSON-ready object.

    Returns
    -------
    dict
        ``{"as_of", "window_days", "neglect_days", "totals": {"villages", "paired",
        "visited", "never_visited", "neglected", "severe"}, "townships": [{"code", "name",
        "villages", "paired_share", "visited_share", "never_visited", "neglected",
        "severe", "visits_per_1000"}],
        "villages": [{"code", "name", "township_code", "paired", "visits_in_window",
        "last_visit", "days_since_last_visit", "reasons", "need", "priority"}]}``;
        townships and villages in code order, dates as ISO strings, NaN as None.
    """
    coverage = compute_village_coverage(inputs)
    rollup = compute_township_rollup(coverage, inputs.villages, townships)
    return _report(coverage, rollup, coverage.sort_index(), inputs)


def neglected_report(inputs: CoverageInputs, townships: pd.DataFrame) -> dict[str, Any]:
    """Return ``coverage_report``'s object listing only the neglected villages.

    Totals and townships are unchanged; ``villages`` holds the villages with at least one
    reason, in the order of ``order_neglected``.
    """
    coverage = compute_village_coverage(inputs)
    rollup = compute_township_rollup(coverage, inputs.villages, townships)
    return _report(coverage, rollup, order_neglected(coverage), inputs)
