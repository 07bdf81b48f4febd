"""Planning new pairings: who should take which neglected village (DESIGN.md's planner rules).

Pure functions: frames in, a ``Plan`` out; no I/O (``geo.plan_service`` loads, commits and
undoes; ``geo.io.plan_files`` reads the command line's CSV files).

What the planner does, in a clerk's words: it lists the candidate villages (unpaired,
never visited or not visited for too long, as chosen, that have fewer than
``max_per_village`` active pairings), works out how many more villages each active
department can take (its party members ÷ ``members_per_village``, at least 1, less the
villages it is paired with now; or the number the clerk typed), and proposes at most one
department per village so that the neglected villages that need it most are covered
first and, among the plans that cover them equally, the departments travel the least.
Locked pairs are kept (they use up the department's places), excluded pairs are never
proposed, and a department is only proposed in its own county.

Solver: OR-Tools' min-cost flow (``ortools.graph.python.min_cost_flow``)
------------------------------------------------------------------------
The problem is a transportation problem: source → department (capacity = its places) →
village (capacity 1: one proposal per village per run) → sink, with a free bypass arc
from source to sink so that places may stay unused. Min-cost flow is the exact model of
it, and OR-Tools solves it in **integer** arithmetic (cost scaling, push-relabel) in
well under a second for a county, and in seconds for a province. The alternatives were
weighed as follows:

- ``scipy.optimize.linear_sum_assignment`` needs every department copied once per place
  (a dense matrix of places × villages: 3,000 × 5,000 doubles and more at province
  scale) and works in floating point, so the scaled objective below would not be exact
  beyond 2**53;
- HiGHS through ``scipy.optimize.milp`` is exact for a first stage (the constraint
  matrix is totally unimodular), but a second stage's "priority = optimum" row breaks
  total unimodularity, turning it into a branch and bound with floating-point
  tolerances (``mip_rel_gap`` defaults to 1e-4) on millions of columns; and scipy is not
  otherwise a dependency of the app.

Objective, exact and lexicographic
----------------------------------
Priorities are rounded to 4 decimals and scaled to whole numbers ``p`` (so ``3.1234`` is
31234), kilometres to whole metres ``m``. **Stage 1** gives each department → village arc
one integer cost,

    cost(d, v) = −p(v)·M + m(d, v),    M = K·Dmax + 1,

with ``K`` the most villages any plan can cover (``min(Σ places, villages)``) and ``Dmax``
the longest arc in metres.

*Proof that the order is kept.* Let ``f`` and ``g`` be feasible plans with summed
priorities ``P`` and metres ``D``; each has at most ``K`` arcs, so ``0 ≤ D ≤ K·Dmax``. If
``P(f) > P(g)`` then ``P(f) − P(g) ≥ 1`` (whole numbers), and
``cost(f) − cost(g) = −M·(P(f) − P(g)) + D(f) − D(g) ≤ −M + K·Dmax = −1 < 0``: ``f`` is
cheaper whatever its distance, so no kilometre saved can buy any priority. If
``P(f) = P(g)`` the costs differ by ``D(f) − D(g)`` exactly. Hence a minimum-cost flow
maximises ``P``, then minimises ``D``; every arc's cost is negative (``p ≥ 1``), so a
place is used whenever a village can take it.

**Stage 2** breaks ties by codes, exactly and without any weight on stage 1's numbers:
the potentials of stage 1's optimal flow (shortest distances in its residual graph,
Bellman-Ford in integers) give every arc a reduced cost; by complementary slackness the
flows optimal for stage 1 are exactly those that keep the arcs of negative reduced cost
full and those of positive reduced cost empty. Over the remaining (zero reduced cost)
arcs a second min-cost flow minimises the tie-break ``tie_costs``: first the sum of the
department's and the village's ranks in code order (lower codes first), then
``rank(d)·(villages − 1 − rank(v))`` (lower department codes take lower village codes).

OR-Tools works in 64-bit integers and scales costs by about twice the number of nodes
(measured); ``_fits`` checks, in Python's unbounded integers, that the largest cost times
4·(nodes + 1) stays below 2**63; a county too large for that is refused with
``DataError("plan_too_large")`` (5,000 villages × 1,500 departments fit). Every county
is solved on its own (no department crosses a county line), which keeps the numbers
small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from ortools.graph.python import min_cost_flow

from geo.coverage import COUNTY_CODE_LENGTH, NEVER_VISITED, NOT_VISITED, UNPAIRED, order_neglected
from geo.crs import county_crs
from geo.errors import DataError
from geo.i18n import DEFAULT_LANG, translate
from geo.period import active_pairings

PLANNED_REASONS = (UNPAIRED, NEVER_VISITED, NOT_VISITED)
"""The neglect reasons that make a village a candidate, in their listed order."""
LOCKED = "LOCKED"
"""The ``reason`` of a proposal the clerk locked."""
EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG) of DESIGN.md's haversine distance."""
PRIORITY_DECIMALS = 4
PRIORITY_SCALE = 10 ** PRIORITY_DECIMALS
PAIRING_KIND = "结对共建"
"""The kind of the pairings a committed plan writes."""
DEPARTMENT_COLUMNS = ("code", "county_code", "party_members", "seat_lon", "seat_lat", "active")
_INT63 = 2 ** 63
_MARGIN = 4


@dataclass(frozen=True)
class PlanSettings:
    """The parameters of a plan (DESIGN.md's ``plan`` options).

    Attributes
    ----------
    reasons : tuple of str
        The candidate reasons, a non-empty subset of ``PLANNED_REASONS``.
    max_per_village : int
        A candidate has fewer active pairings than this (at least 1).
    members_per_village : int
        Party members per village a department can take (at least 1).
    """

    reasons: tuple[str, ...] = PLANNED_REASONS
    max_per_village: int = 2
    members_per_village: int = 15

    def __post_init__(self) -> None:
        unknown = [r for r in self.reasons if r not in PLANNED_REASONS]
        if unknown or not self.reasons:
            raise DataError("plan_bad_reasons", reasons=",".join(unknown) or "—",
                            choices=",".join(PLANNED_REASONS))
        if len(set(self.reasons)) != len(self.reasons):
            raise DataError("plan_bad_reasons", reasons=",".join(self.reasons),
                            choices=",".join(PLANNED_REASONS))
        for name in ("max_per_village", "members_per_village"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DataError("plan_bad_setting", name=name, value=value)


@dataclass(frozen=True)
class Proposal:
    """One proposed pairing."""

    department_code: str
    village_code: str
    distance_km: float | None
    priority: float | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The ``plan`` JSON's proposal object."""
        return {"department_code": self.department_code, "village_code": self.village_code,
                "distance_km": self.distance_km, "priority": self.priority,
                "reason": self.reason}


@dataclass(frozen=True)
class Plan:
    """A plan: DESIGN.md's ``plan`` object, with the note as a catalogue key.

    Attributes
    ----------
    as_of : date
        ``T``: the committed pairings start on it.
    proposals : tuple of Proposal
        By department code, then village code.
    uncovered : tuple of str
        Candidate villages left without a proposal, most urgent first.
    total_distance_km : float
        The proposals' kilometres (whole metres summed, then in km).
    candidates, covered, capacity : int
        The shortfall: candidate villages, how many of them the plan covers (locks
        included), and the departments' places before locks.
    note : str or None
        ``plan.note.<note>`` in the catalogue, filled with ``note_params``; None when every
        candidate is covered.
    """

    as_of: date
    proposals: tuple[Proposal, ...]
    uncovered: tuple[str, ...]
    total_distance_km: float
    candidates: int
    covered: int
    capacity: int
    note: str | None = None
    note_params: Mapping[str, object] = field(default_factory=dict)

    def note_text(self, lang: str = DEFAULT_LANG) -> str | None:
        """The note as a sentence in ``lang`` (None without a note)."""
        if self.note is None:
            return None
        return translate(f"plan.note.{self.note}", lang, **self.note_params)

    def as_dict(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        """DESIGN.md's ``plan`` JSON object."""
        return {
            "as_of": self.as_of.isoformat(),
            "proposals": [p.as_dict() for p in self.proposals],
            "uncovered": list(self.uncovered),
            "total_distance_km": self.total_distance_km,
            "shortfall": {"candidates": self.candidates, "covered": self.covered,
                          "capacity": self.capacity},
            "note": self.note_text(lang),
        }


# --------------------------------------------------------------------------- distances


def haversine_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
                 ) -> np.ndarray:
    """Great-circle distance in km (haversine, ``R = EARTH_RADIUS_KM``), element-wise."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype="float64"))
                              for a in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def village_centroids(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each village's centroid, taken in its county's Gauss-Krüger zone.

    Returns
    -------
    DataFrame
        Indexed by village code: ``x``, ``y`` (metres in the zone), ``epsg`` (the zone),
        ``lon``, ``lat`` (the same point in WGS84). A village without geometry has NaN.
    """
    codes = villages["code"].astype(str).to_numpy()
    out = pd.DataFrame({"x": np.nan, "y": np.nan, "epsg": 0, "lon": np.nan, "lat": np.nan},
                       index=pd.Index(codes, name="code"))
    counties = pd.Series(codes).str[:COUNTY_CODE_LENGTH].to_numpy()
    geometry = villages.geometry.to_crs(4326) if villages.crs is not None else villages.geometry
    geometry = geometry.reset_index(drop=True)
    for county in sorted(set(counties)):
        mask = counties == county
        part = geometry[mask]
        present = part.notna().to_numpy() & ~part.is_empty.fillna(True).to_numpy()
        if not present.any():
            continue
        crs = county_crs(shapely.box(*part[present].total_bounds))
        projected = gpd.GeoSeries(part[present].to_numpy(), crs=4326).to_crs(crs)
        centroids = projected.centroid
        back = centroids.to_crs(4326)
        rows = np.flatnonzero(mask)[present]
        out.iloc[rows, 0] = centroids.x.to_numpy()
        out.iloc[rows, 1] = centroids.y.to_numpy()
        out.iloc[rows, 2] = crs.to_epsg()
        out.iloc[rows, 3] = back.x.to_numpy()
        out.iloc[rows, 4] = back.y.to_numpy()
    return out


def department_anchors(departments: pd.DataFrame, pairings: pd.DataFrame,
                       centroids: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Each department's anchor: the mean of its paired villages' centroids, else its seat.

    The mean is taken in the Gauss-Krüger zone of the villages (``village_centroids``) and
    turned back into lon/lat; a department with no active pairing at ``as_of`` (or whose
    paired villages have no geometry) is anchored at its seat (``seat_lon``,
    ``seat_lat``), NaN when it has none.

    Returns
    -------
    DataFrame
        Indexed by department code: ``lon``, ``lat`` and ``source`` (``villages`` or
        ``seat``).
    """
    codes = departments["code"].astype(str)
    out = pd.DataFrame({"lon": pd.to_numeric(departments["seat_lon"]).astype(float).to_numpy(),
                        "lat": pd.to_numeric(departments["seat_lat"]).astype(float).to_numpy(),
                        "source": "seat"}, index=pd.Index(codes.to_numpy(), name="code"))
    active = active_pairings(pairings, as_of)
    joined = pd.DataFrame({"department": active["department_code"].astype(str).to_numpy(),
                           "village": active["village_code"].astype(str).to_numpy()})
    joined = joined.join(centroids[["x", "y", "epsg"]], on="village").dropna(subset=["x"])
    joined = joined[joined["department"].isin(out.index)]
    means = joined.groupby(["department", "epsg"], sort=True)[["x", "y"]].mean().reset_index()
    # A department paired in two zones (rare) is anchored in its first zone's villages.
    means = means.drop_duplicates("department", keep="first")
    for epsg, group in means.groupby("epsg"):
        to_lonlat = pyproj.Transformer.from_crs(int(epsg), 4326, always_xy=True)
        lon, lat = to_lonlat.transform(group["x"].to_numpy(), group["y"].to_numpy())
        rows = out.index.get_indexer(group["department"])
        out.iloc[rows, 0] = lon
        out.iloc[rows, 1] = lat
        out.iloc[rows, 2] = "villages"
    return out


# --------------------------------------------------------------------------- capacity


def department_capacity(departments: pd.DataFrame, pairings: pd.DataFrame, as_of: date,
                        members_per_village: int,
                        overrides: Mapping[str, int] | None = None) -> pd.Series:
    """Places of each department: DESIGN.md's rule, or the clerk's number.

    ``max(0, max(1, ⌊party_members ÷ members_per_village⌋) − active pairings)`` for an
    active department, 0 for an inactive one; ``overrides`` replaces the rule for the
    departments it names (whole numbers ≥ 0; an unknown department, a negative number,
    or places for an inactive department are ``DataError``).
    """
    codes = departments["code"].astype(str).to_numpy()
    members = pd.to_numeric(departments["party_members"]).fillna(0).astype("int64").to_numpy()
    active = departments["active"].fillna(False).astype(bool).to_numpy()
    paired = active_pairings(pairings, as_of)["department_code"].astype(str).value_counts()
    current = paired.reindex(codes).fillna(0).astype("int64").to_numpy()
    rule = np.maximum(0, np.maximum(1, members // members_per_village) - current)
    capacity = pd.Series(np.where(active, rule, 0).astype("int64"), index=codes, name="capacity")
    name = _namer(departments)
    for code, places in (overrides or {}).items():
        if code not in capacity.index:
            raise DataError("plan_unknown_department", code=code)
        if isinstance(places, bool) or not isinstance(places, (int, np.integer)) or places < 0:
            raise DataError("plan_bad_capacity", code=code, name=name(code), value=places)
        if places > 0 and not active[capacity.index.get_loc(code)]:
            raise DataError("plan_inactive_department", code=code, name=name(code))
        capacity[code] = int(places)
    return capacity


# --------------------------------------------------------------------------- candidates


def rounded_priority(values: pd.Series | np.ndarray) -> np.ndarray:
    """Priorities rounded to ``PRIORITY_DECIMALS`` (NaN stays NaN)."""
    return np.round(np.asarray(values, dtype="float64"), PRIORITY_DECIMALS)


def plan_candidates(coverage: pd.DataFrame, settings: PlanSettings) -> pd.DataFrame:
    """The candidate villages, most urgent first (``order_neglected``).

    Parameters
    ----------
    coverage : DataFrame
        ``geo.coverage.compute_village_coverage``'s frame (indexed by village code).
    settings : PlanSettings
        The reasons and the per-village limit.

    Returns
    -------
    DataFrame
        Indexed by village code: ``reason`` (the first of the selected reasons it has),
        ``priority`` (rounded to 4 decimals), ``pairings`` (active now).
    """
    ordered = order_neglected(coverage)
    chosen = [next((r for r in PLANNED_REASONS if r in settings.reasons and r in reasons),
                   None) for reasons in ordered["reasons"]]
    reason = pd.Series(chosen, index=ordered.index, dtype=object)
    keep = reason.notna().to_numpy() & (ordered["pairings"].to_numpy()
                                        < settings.max_per_village)
    return pd.DataFrame({"reason": reason[keep],
                         "priority": rounded_priority(ordered["priority"])[keep],
                         "pairings": ordered["pairings"].to_numpy()[keep]},
                        index=ordered.index[keep])


# --------------------------------------------------------------------------- the solver


def _fits(largest: int, nodes: int, arcs_used: int) -> bool:
    """Whether OR-Tools can take arc costs up to ``largest`` on ``nodes`` nodes: it scales
    costs by about 2·(nodes + 1) (measured); we keep a margin of ``_MARGIN``, and the
    total over ``arcs_used`` arcs must fit as well."""
    return largest * (nodes + 1) * _MARGIN < _INT63 and largest * max(arcs_used, 1) < _INT63


def _scale(priorities: np.ndarray, capacities: np.ndarray, metres: np.ndarray,
           nodes: int) -> int:
    """``M = K·Dmax + 1`` of the module's proof, checked against 64 bits."""
    most = min(int(capacities.sum()), len(priorities))
    longest = int(metres.max(initial=0))
    big = most * longest + 1
    if not _fits(int(priorities.max(initial=0)) * big + longest, nodes, most):
        raise DataError("plan_too_large", villages=len(priorities), departments=len(capacities))
    return big


def tie_costs(arc_departments: np.ndarray, arc_villages: np.ndarray, departments: int,
              villages: int, most: int) -> np.ndarray:
    """The tie-break cost of each arc (positions are code ranks).

    Two parts, the first decisive: ``rank(d) + rank(v)`` (plans using lower codes first),
    then ``rank(d)·(villages − 1 − rank(v))``, whose sum is least when lower department
    codes take lower village codes (the rearrangement inequality). The first part is
    scaled by ``W = most·(departments − 1)·(villages − 1) + 1``, more than any plan's sum
    of the second; when that would not fit in 64 bits only the first part is used.
    """
    d = np.asarray(arc_departments, dtype="int64")
    v = np.asarray(arc_villages, dtype="int64")
    first, second = d + v, d * (villages - 1 - v)
    weight = most * max(departments - 1, 0) * max(villages - 1, 0) + 1
    largest = (departments + villages) * weight
    if _fits(largest, departments + villages + 2, most):
        return first * weight + second
    return first


def _network(departments: np.ndarray, villages: np.ndarray, capacities: np.ndarray,
             n_v: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Tails, heads and capacities of the flow network (see the module docstring); the
    department → village arcs come first, then source → department, village → sink and
    the bypass source → sink. Nodes: 0 source, 1..n_d departments, then villages, sink."""
    n_d = len(capacities)
    arcs = len(departments)
    source, sink = 0, n_d + n_v + 1
    dept_node = 1 + np.arange(n_d, dtype="int64")
    village_node = 1 + n_d + np.arange(n_v, dtype="int64")
    places = np.minimum(capacities, np.bincount(departments, minlength=n_d))
    tails = np.concatenate([dept_node[departments], np.full(n_d, source, "int64"),
                            village_node, [source]])
    heads = np.concatenate([village_node[villages], dept_node,
                            np.full(n_v, sink, "int64"), [sink]])
    caps = np.concatenate([np.ones(arcs, "int64"), places, np.ones(n_v, "int64"),
                           [int(places.sum())]])
    return tails, heads, caps, int(places.sum())


def _min_cost_flow(tails: np.ndarray, heads: np.ndarray, caps: np.ndarray,
                   costs: np.ndarray, supplies: np.ndarray) -> np.ndarray:
    """An optimal integer flow (OR-Tools); every arc's flow."""
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.arange(len(supplies), dtype="int64"), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - both networks always have a flow
        raise DataError("plan_solver_failed", status=str(status))
    return flow.flows(np.arange(len(tails), dtype="int64"))


def _potentials(tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray,
                flows: np.ndarray, nodes: int) -> np.ndarray:
    """Node potentials proving ``flows`` optimal: shortest distances in the residual graph
    (Bellman-Ford from a root joined to every node at cost 0; exact integers). With them
    every arc's reduced cost ``c + π(tail) − π(head)`` is ≥ 0 where the arc can take more
    flow and ≤ 0 where it carries some (complementary slackness)."""
    forward, backward = flows < caps, flows > 0
    u = np.concatenate([tails[forward], heads[backward]])
    v = np.concatenate([heads[forward], tails[backward]])
    w = np.concatenate([costs[forward], -costs[backward]])
    order = np.argsort(v, kind="stable")
    u, v, w = u[order], v[order], w[order]
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]]) if len(v) else np.array([], int)
    targets = v[starts]
    distance = np.zeros(nodes, dtype="int64")
    for _ in range(nodes + 1):
        if not len(v):
            break
        best = np.minimum.reduceat(distance[u] + w, starts)
        better = best < distance[targets]
        if not better.any():
            return distance
        distance[targets[better]] = best[better]
    if len(v):  # pragma: no cover - an optimal flow leaves no negative cycle
        raise DataError("plan_solver_failed", status="negative cycle")
    return distance


def solve_assignment(priorities: np.ndarray, capacities: np.ndarray,
                     arc_departments: np.ndarray, arc_villages: np.ndarray,
                     arc_metres: np.ndarray) -> np.ndarray:
    """The lexicographically best assignment: a mask of the chosen arcs.

    Parameters
    ----------
    priorities : array of int
        Each village's priority in units of 1e-4 (≥ 1); villages are ranked by position
        (give them in code order).
    capacities : array of int
        Each department's places (≥ 0), ranked by position likewise.
    arc_departments, arc_villages : array of int
        The allowed (department, village) pairs, as positions.
    arc_metres : array of int
        Each allowed pair's cost in whole metres (≥ 0).

    Returns
    -------
    numpy.ndarray of bool
        For each arc, whether the plan uses it: at most one arc per village, at most
        ``capacities[d]`` per department; the summed priority is the largest possible,
        then the metres the fewest, then the tie-break (``tie_costs``) the least.
    """
    priorities = np.asarray(priorities, dtype="int64")
    capacities = np.asarray(capacities, dtype="int64")
    departments = np.asarray(arc_departments, dtype="int64")
    villages = np.asarray(arc_villages, dtype="int64")
    metres = np.asarray(arc_metres, dtype="int64")
    arcs = len(departments)
    if arcs == 0 or int(capacities.sum()) == 0:
        return np.zeros(arcs, dtype=bool)
    if (priorities < 1).any() or (capacities < 0).any() or (metres < 0).any():
        raise ValueError("priorities must be ≥ 1, capacities and metres ≥ 0")
    n_d, n_v = len(capacities), len(priorities)
    nodes = n_d + n_v + 2
    tails, heads, caps, total = _network(departments, villages, capacities, n_v)
    supplies = np.zeros(nodes, "int64")
    supplies[0], supplies[-1] = total, -total
    others = np.zeros(len(tails) - arcs, "int64")

    # Stage 1: priority, then metres, in one exact integer cost.
    big = _scale(priorities, capacities, metres, nodes)
    costs = np.concatenate([-priorities[villages] * big + metres, others])
    flows = _min_cost_flow(tails, heads, caps, costs, supplies)

    # Stage 2: among the flows optimal for stage 1 (the arcs the potentials leave free;
    # those with a negative reduced cost stay full, a positive one empty), the least
    # tie-break.
    potential = _potentials(tails, heads, caps, costs, flows, nodes)
    reduced = costs + potential[tails] - potential[heads]
    full, free = reduced < 0, reduced == 0
    np.subtract.at(supplies, tails[full], caps[full])
    np.add.at(supplies, heads[full], caps[full])
    most = min(int(capacities.sum()), n_v)
    ties = np.concatenate([tie_costs(departments, villages, n_d, n_v, most), others])
    chosen = np.where(full, caps, 0)
    kept = np.flatnonzero(free)
    if len(kept):
        chosen[kept] = _min_cost_flow(tails[kept], heads[kept], caps[kept], ties[kept],
                                      supplies)
    return chosen[:arcs] > 0


# --------------------------------------------------------------------------- the plan


def _pairs(values: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(str(d), str(v)) for d, v in values]


def _department_counties(departments: pd.DataFrame) -> pd.Series:
    if "county_code" not in departments.columns:
        raise DataError("missing_input_column", frame="departments", column="county_code")
    return departments.set_index(departments["code"].astype(str))["county_code"].astype(str)


def _metres(km: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(km, dtype="float64") * 1000).astype("int64")


def plan_pairings(coverage: pd.DataFrame, villages: gpd.GeoDataFrame,
                  departments: pd.DataFrame, pairings: pd.DataFrame, as_of: date,
                  settings: PlanSettings | None = None,
                  capacity: Mapping[str, int] | None = None,
                  locks: Sequence[tuple[str, str]] = (),
                  exclusions: Iterable[tuple[str, str]] = (),
                  costs: pd.DataFrame | None = None) -> Plan:
    """Propose new pairings for the neglected villages (DESIGN.md's planner rules).

    Parameters
    ----------
    coverage : DataFrame
        ``compute_village_coverage`` at ``as_of`` (its reasons, priority and pairings).
    villages : GeoDataFrame
        The villages (``code`` and geometry, WGS84) for the centroids.
    departments : DataFrame
        ``DEPARTMENT_COLUMNS``: code, county_code (6 digits), party_members, seat_lon,
        seat_lat, active.
    pairings : DataFrame
        Every pairing (``department_code``, ``village_code``, ``start_date``,
        ``end_date``).
    as_of : date
        ``T``.
    settings : PlanSettings, optional
        Reasons, per-village limit, members per village.
    capacity : mapping of str to int, optional
        Places typed by the clerk, replacing the rule for those departments.
    locks : sequence of (department code, village code)
        Pairs the plan must hold; each uses one of its department's places.
    exclusions : iterable of (department code, village code)
        Pairs the plan must not propose.
    costs : DataFrame, optional
        A road-distance matrix (``department_code``, ``village_code``, ``km``) used instead
        of the great-circle distance; a pair it does not list is not proposed.

    Returns
    -------
    Plan

    Raises
    ------
    DataError
        Unusable input: an unknown department or village in a lock or exclusion, a lock
        on an excluded pair, two locks on one village, a lock on a village at its limit or
        already paired with that department, a lock across counties, more locks than a
        department's places.
    """
    settings = settings or PlanSettings()
    missing = [c for c in DEPARTMENT_COLUMNS if c not in departments.columns]
    if missing:
        raise DataError("missing_input_column", frame="departments", column=missing[0])
    departments = departments.assign(code=departments["code"].astype(str)).sort_values(
        "code", ignore_index=True)
    county_of = _department_counties(departments)
    is_active = departments.set_index("code")["active"].fillna(False).astype(bool)
    places = department_capacity(departments, pairings, as_of, settings.members_per_village,
                                 capacity)
    capacity_total = int(places.sum())
    candidates = plan_candidates(coverage, settings)
    known_villages = set(coverage.index.astype(str))

    # Pairs a new pairing starting at T would overlap: an existing pairing not ended before T.
    end = pairings["end_date"]
    open_at = end.isna() | end.map(lambda d: d is not None and not pd.isna(d) and d >= as_of)
    overlapping = set(zip(pairings.loc[open_at.astype(bool), "department_code"].astype(str),
                          pairings.loc[open_at.astype(bool), "village_code"].astype(str),
                          strict=True))
    excluded = set(_pairs(exclusions))
    for department, village in excluded:
        _known(department, village, county_of, known_villages)

    centroids = village_centroids(villages)
    anchors = department_anchors(departments, pairings, centroids, as_of)

    def distance(department: str, village: str) -> float | None:
        km = _distance_grid(pd.Index([department]), pd.Index([village]), anchors, centroids,
                            costs)[0, 0]
        return None if math.isnan(km) else float(km)

    # Locks first: they are proposals of their own and use up places.
    proposals: list[Proposal] = []
    locked_villages: dict[str, str] = {}
    used = pd.Series(0, index=places.index, dtype="int64")
    pairings_now = coverage["pairings"]
    department_name, village_name = _namer(departments), _namer(villages)
    for department, village in _pairs(locks):
        _known(department, village, county_of, known_villages)
        pair = {"department": department, "village": village,
                "department_name": department_name(department),
                "village_name": village_name(village)}
        if village in locked_villages:
            first = locked_villages[village]
            raise DataError("plan_lock_twice", **pair, first=first,
                            first_name=department_name(first))
        if (department, village) in excluded:
            raise DataError("plan_lock_excluded", **pair)
        if not is_active[department]:
            raise DataError("plan_inactive_department", code=department,
                            name=department_name(department))
        if county_of[department] != village[:COUNTY_CODE_LENGTH]:
            raise DataError("plan_other_county", **pair, county=county_of[department])
        if (department, village) in overlapping:
            raise DataError("plan_lock_paired", **pair)
        if int(pairings_now.get(village, 0)) >= settings.max_per_village:
            raise DataError("plan_lock_full", **pair, limit=settings.max_per_village)
        used[department] += 1
        locked_villages[village] = department
        priority = coverage["priority"].get(village)
        priority = None if priority is None or pd.isna(priority) else float(
            rounded_priority([priority])[0])
        km = distance(department, village)
        proposals.append(Proposal(department, village,
                                  None if km is None else float(_metres([km])[0]) / 1000,
                                  priority, LOCKED))
    over = (used > places) & (used > 0)
    if over.any():
        code = str(over[over].index[0])
        raise DataError("plan_locks_exceed_capacity", code=code,
                        name=_namer(departments)(code), locks=int(used[code]),
                        capacity=int(places[code]))
    remaining = places - used

    open_candidates = candidates[~candidates.index.isin(list(locked_villages))]
    blocked = pd.DataFrame(sorted(excluded | overlapping), columns=["department", "village"])
    no_department = 0
    covered_by_solver: dict[str, tuple[str, float]] = {}
    counties = pd.Series(open_candidates.index.astype(str)).str[:COUNTY_CODE_LENGTH]
    for county in sorted(set(counties)):
        part = open_candidates[(counties == county).to_numpy()].sort_index()
        # The county's active departments: which of them may take a village at all (for
        # the note), then those with a place left (for the solver).
        members = (county_of.reindex(remaining.index) == county).to_numpy() & \
            is_active.reindex(remaining.index).fillna(False).to_numpy(dtype=bool)
        village_codes = pd.Index(part.index.astype(str))
        everyone = pd.Index(remaining.index[members].astype(str))
        km = _distance_grid(everyone, village_codes, anchors, centroids, costs)
        rows = everyone.get_indexer(blocked["department"])
        columns = village_codes.get_indexer(blocked["village"])
        hit = (rows >= 0) & (columns >= 0)
        km[rows[hit], columns[hit]] = np.nan
        reachable = np.isfinite(km)
        no_department += int((~reachable.any(axis=0)).sum())
        with_places = (remaining[everyone] > 0).to_numpy()
        pool = remaining[everyone[with_places]]
        department_codes = pd.Index(pool.index.astype(str))
        km = km[with_places]
        arc_d, arc_v = np.nonzero(reachable[with_places])
        if len(arc_d) == 0:
            continue
        arc_m = _metres(km[arc_d, arc_v])
        priorities = np.rint(part["priority"].to_numpy() * PRIORITY_SCALE).astype("int64")
        chosen = np.flatnonzero(solve_assignment(priorities, pool.to_numpy(), arc_d, arc_v,
                                                 arc_m))
        for k in chosen:
            covered_by_solver[village_codes[arc_v[k]]] = (
                department_codes[arc_d[k]], int(arc_m[k]) / 1000)

    for village, (department, km) in covered_by_solver.items():
        proposals.append(Proposal(department, village, km,
                                  float(candidates.at[village, "priority"]),
                                  str(candidates.at[village, "reason"])))
    proposals.sort(key=lambda p: (p.department_code, p.village_code))
    covered = sum(1 for v in candidates.index if v in covered_by_solver or v in locked_villages)
    uncovered = tuple(str(v) for v in candidates.index
                      if v not in covered_by_solver and v not in locked_villages)
    metres = sum(round(p.distance_km * 1000) for p in proposals
                 if p.distance_km is not None)
    note, params = _note(settings, len(candidates), covered, capacity_total, len(uncovered),
                         no_department, len(proposals), costs is not None)
    return Plan(as_of, tuple(proposals), uncovered, metres / 1000, len(candidates), covered,
                capacity_total, note, params)


def _distance_grid(department_codes: pd.Index, village_codes: pd.Index,
                   anchors: pd.DataFrame, centroids: pd.DataFrame,
                   costs: pd.DataFrame | None) -> np.ndarray:
    """Kilometres from each department (rows) to each village (columns); NaN where there is
    no distance (no anchor or centroid, or a pair the cost matrix does not list)."""
    if costs is None:
        anchor = anchors.reindex(department_codes)
        point = centroids.reindex(village_codes)
        return haversine_km(anchor["lon"].to_numpy()[:, None], anchor["lat"].to_numpy()[:, None],
                            point["lon"].to_numpy()[None, :], point["lat"].to_numpy()[None, :])
    km = np.full((len(department_codes), len(village_codes)), np.nan)
    rows = department_codes.get_indexer(costs["department_code"].astype(str))
    columns = village_codes.get_indexer(costs["village_code"].astype(str))
    hit = (rows >= 0) & (columns >= 0)
    km[rows[hit], columns[hit]] = pd.to_numeric(costs["km"]).to_numpy(dtype="float64")[hit]
    return km


def _namer(frame: pd.DataFrame) -> Callable[[str], str]:
    """A department's or village's name by its code, for a message: the short name
    where the frame has one (a village's 龙珠社区, not its committee's full name), else
    the name, else the code itself."""
    column = next((c for c in ("short_name", "name") if c in frame.columns), None)
    if column is None:
        return str
    names = dict(zip(frame["code"].astype(str), frame[column], strict=True))

    def name(code: str) -> str:
        value = names.get(str(code))
        return str(code) if value is None or pd.isna(value) or not str(value) else str(value)

    return name


def _known(department: str, village: str, county_of: pd.Series, villages: set[str]) -> None:
    if department not in county_of.index:
        raise DataError("plan_unknown_department", code=department)
    if village not in villages:
        raise DataError("plan_unknown_village", code=village)


def _note(settings: PlanSettings, candidates: int, covered: int, capacity: int,
          uncovered: int, no_department: int, proposals: int, matrix: bool
          ) -> tuple[str | None, dict[str, object]]:
    """The note's key and values: why a plan is empty or short (None when it is not)."""
    params: dict[str, object] = {
        "candidates": candidates, "covered": covered, "capacity": capacity,
        "uncovered": uncovered, "no_department": no_department,
        "reasons": ",".join(settings.reasons), "limit": settings.max_per_village}
    if candidates == 0:
        return ("no_candidates_locked" if proposals else "no_candidates"), params
    if uncovered == 0:
        return None, params
    if capacity == 0:
        return "no_capacity", params
    if no_department:
        return ("short_matrix" if matrix else "short_unreachable"), params
    return "short", params
