"""Department figures, the ranking score and the red and black lists on tiny hand-built
frames, every expected value worked out by hand in the comments.

Unless a test says otherwise: T = 2026-03-10, W = 90 days. T-W = 2025-12-10, so the
window is 2025-12-11 .. 2026-03-10; the months judged for compliance are January and
February 2026 (December starts before the window, March ends after T); the months
overlapping the window are 2025-12, 2026-01, 2026-02 and 2026-03.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo.coverage import compute_pairing_compliance, compute_pairing_months
from geo.departments import (
    FIGURE_COLUMNS,
    RANKING_WEIGHTS,
    department_figures,
    monthly_department_figures,
    paired_village_compliance,
    ranking,
    red_and_black,
    window_months,
)
from geo.errors import DataError
from geo.inputs import PAIRING_COLUMNS, CoverageInputs
from geo.problems import empty_problems

T = date(2026, 3, 10)
W = 90
V1, V2, V3 = "420526101201", "420526101202", "420526101203"


def _villages(*codes: str) -> pd.DataFrame:
    return pd.DataFrame({
        "code": list(codes), "short_name": [f"村{i}" for i in range(len(codes))],
        "parent_code": ["420526101"] * len(codes), "population": [100] * len(codes),
        "households": [30] * len(codes), "left_behind_elderly": [0] * len(codes),
        "low_income_households": [0] * len(codes), "weak": [False] * len(codes)})


def _pairings(*rows: tuple) -> pd.DataFrame:
    """Rows of (id, department, village, start, end, required)."""
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in PAIRING_COLUMNS})
    return pd.DataFrame(list(rows), columns=list(PAIRING_COLUMNS))


def _visit(id_: int, day: date, department: str, village: str, kind: str = "走访慰问",
           raised: int = 0, resolved: int = 0, cadre_ids: str | None = None) -> dict:
    return {"id": id_, "date": day, "department_code": department, "village_code": village,
            "kind": kind, "problems_raised": raised, "problems_resolved": resolved,
            "cadre_ids": cadre_ids}


def _visits(*rows: dict) -> pd.DataFrame:
    columns = ["id", "date", "department_code", "village_code", "kind", "problems_raised",
               "problems_resolved", "cadre_ids"]
    return pd.DataFrame(list(rows), columns=columns)


def _departments(*rows: tuple) -> pd.DataFrame:
    """Rows of (code, party_members, active)."""
    frame = pd.DataFrame(list(rows), columns=["code", "party_members", "active"])
    frame.insert(1, "name", [f"单位{code}" for code in frame["code"]])
    return frame


CADRES = pd.DataFrame({"id": [1, 2, 3, 4], "department_code": ["D1"] * 4,
                       "leader": [True, False, False, True]})


def _inputs(pairings: pd.DataFrame, visits: pd.DataFrame, as_of: date = T,
            window: int = W) -> CoverageInputs:
    return CoverageInputs(_villages(V1, V2, V3), pairings, visits, as_of, window, 90,
                          empty_problems())


def _example() -> tuple[CoverageInputs, pd.DataFrame]:
    pairings = _pairings(
        (1, "D1", V1, date(2025, 1, 1), None, 1),
        (2, "D1", V2, date(2026, 2, 15), None, 1),        # mid-February: Feb not judged
        (3, "D2", V1, date(2025, 6, 1), date(2026, 2, 28), 1),  # ended, whole Jan and Feb
    )
    visits = _visits(
        _visit(1, date(2025, 12, 10), "D1", V1, "产业帮扶", 9, 9, "1"),  # T-W: outside
        _visit(2, date(2026, 1, 5), "D1", V1, "产业帮扶", 2, 1, "1;2"),
        _visit(3, date(2026, 2, 20), "D1", V2, "走访慰问", 0, 0, "2, 3"),
        _visit(4, date(2026, 3, 3), "D1", V1, "政策宣讲", 1, 3, None),
        _visit(5, date(2026, 3, 11), "D1", V3, "产业帮扶", 5, 0, "4"),  # after T: outside
        _visit(6, date(2026, 2, 1), "D2", V1, "其他", 0, 0, ""),
    )
    departments = _departments(("D1", 4, True), ("D2", 10, True), ("D3", 0, False))
    return _inputs(pairings, visits), departments


# --------------------------------------------------------------------------- figures


def test_window_figures_hand_computed():
    inputs, departments = _example()
    figures = department_figures(inputs, departments, CADRES)
    assert list(figures.columns) == FIGURE_COLUMNS
    assert list(figures.index) == ["D1", "D2", "D3"]
    d1 = figures.loc["D1"]
    # D1's window visits are 2, 3 and 4 (1 is on T-W, 5 after T).
    assert d1["visits"] == 3
    assert d1["villages_visited"] == 2  # V1 and V2
    # Cadres {1, 2} ∪ {2, 3} = {1, 2, 3}: 3 of 4 party members.
    assert d1["cadres"] == 3
    assert d1["participation"] == pytest.approx(0.75)
    # Cadre 1 is a leader: visit 2 only, of all 3 visits (visit 4 has no ids) = 1/3.
    assert d1["leader_visits"] == 1
    assert d1["leader_participation"] == pytest.approx(1 / 3)
    # Raised 2 + 0 + 1 = 3, resolved 1 + 0 + 3 = 4: min(1, 4/3) = 1.
    assert (d1["problems_raised"], d1["problems_resolved"]) == (3, 4)
    assert d1["resolution_rate"] == 1.0
    # One 产业帮扶 visit of 3.
    assert d1["long_term_visits"] == 1
    assert d1["long_term_share"] == pytest.approx(1 / 3)
    # Pairing 1: January met (visit 2), February short (visit 3 went to V2).
    # Pairing 2 started on 15 February: no whole month to judge. Pooled: 1 / 2.
    assert (d1["months_judged"], d1["months_met"]) == (2, 1)
    assert d1["compliance"] == pytest.approx(0.5)
    # Paired at T with V1 and V2, visited both in the window: 2 / 2.
    assert (d1["paired_villages"], d1["paired_villages_visited"]) == (2, 2)
    assert d1["paired_village_coverage"] == 1.0

    d2 = figures.loc["D2"]
    assert d2["visits"] == 1 and d2["cadres"] == 0
    assert math.isnan(d2["participation"])  # its visit carries no cadre id
    assert math.isnan(d2["leader_participation"])
    assert math.isnan(d2["resolution_rate"])  # nothing raised
    assert d2["long_term_share"] == 0.0
    # The ended pairing 3 counts for January (short) and February (met, visit 6): 1 / 2.
    assert (d2["months_judged"], d2["months_met"]) == (2, 1)
    assert d2["compliance"] == pytest.approx(0.5)
    assert d2["paired_villages"] == 0
    assert math.isnan(d2["paired_village_coverage"])  # no active pairing at T

    d3 = figures.loc["D3"]
    assert not d3["active"] and d3["visits"] == 0
    for column in ("participation", "leader_participation", "resolution_rate",
                   "long_term_share", "compliance", "paired_village_coverage"):
        assert math.isnan(d3[column]), column


def test_participation_null_without_party_members_and_capped_at_one():
    pairings = _pairings()
    visits = _visits(
        _visit(1, date(2026, 3, 1), "A", V1, cadre_ids="1;2;3"),
        _visit(2, date(2026, 3, 1), "B", V1, cadre_ids="7"),
        _visit(3, date(2026, 3, 1), "C", V1, cadre_ids="8"),
    )
    departments = _departments(("A", 2, True), ("B", 0, True), ("C", None, True))
    figures = department_figures(_inputs(pairings, visits), departments, CADRES)
    assert figures.loc["A", "participation"] == 1.0  # 3 cadres / 2 members, capped
    assert math.isnan(figures.loc["B", "participation"])  # 0 party members
    assert math.isnan(figures.loc["C", "participation"])  # party members unknown
    # Leader participation does not need party members: cadre 1 leads, 1 / 1 visit.
    assert figures.loc["A", "leader_participation"] == 1.0
    assert figures.loc["B", "leader_participation"] == 0.0


def test_visits_without_the_cadre_ids_column_give_null_participation():
    inputs, departments = _example()
    inputs = CoverageInputs(inputs.villages, inputs.pairings,
                            inputs.visits.drop(columns="cadre_ids"), T, W, 90, empty_problems())
    figures = department_figures(inputs, departments, CADRES)
    assert figures["participation"].isna().all()
    assert figures["leader_participation"].isna().all()
    assert (figures["cadres"] == 0).all()
    assert figures.loc["D1", "visits"] == 3  # the rest is unchanged


def test_a_pairing_started_mid_month_is_judged_from_the_next_month():
    # Started 15 January: January is not judged, February is (met by the 3 Feb visit).
    pairings = _pairings((1, "D1", V1, date(2026, 1, 15), None, 1))
    visits = _visits(_visit(1, date(2026, 1, 20), "D1", V1),
                     _visit(2, date(2026, 2, 3), "D1", V1))
    figures = department_figures(_inputs(pairings, visits), _departments(("D1", 5, True)),
                                 CADRES)
    assert (figures.loc["D1", "months_judged"], figures.loc["D1", "months_met"]) == (1, 1)
    assert figures.loc["D1", "compliance"] == 1.0


def test_a_pairing_ended_mid_month_is_not_judged_for_that_month():
    # Ended 15 February: January is judged (met by the 8 Jan visit), February is not
    # (the pairing was not active for the whole month): 1 / 1, not 1 / 2.
    pairings = _pairings((1, "D1", V1, date(2025, 1, 1), date(2026, 2, 15), 1))
    visits = _visits(_visit(1, date(2026, 1, 8), "D1", V1))
    figures = department_figures(_inputs(pairings, visits), _departments(("D1", 5, True)),
                                 CADRES)
    assert (figures.loc["D1", "months_judged"], figures.loc["D1", "months_met"]) == (1, 1)
    assert figures.loc["D1", "compliance"] == 1.0
    assert math.isnan(figures.loc["D1", "paired_village_coverage"])  # ended before T


def test_pairing_months_agree_with_pairing_compliance():
    # The one month-judging rule: for active pairings, the grid sums to the compliance.
    inputs, _ = _example()
    grid = compute_pairing_months(inputs)
    compliance = compute_pairing_compliance(inputs)
    assert list(grid.columns) == ["2026-01", "2026-02"]
    assert grid.notna().sum(axis=1).tolist() == compliance["months_judged"].tolist()
    assert grid.fillna(False).sum(axis=1).tolist() == compliance["months_met"].tolist()
    # Every pairing, the ended one included: pairing 3 is judged in both months.
    every = compute_pairing_months(inputs, inputs.pairings)
    assert every.loc[3].tolist() == [False, True]
    assert every.loc[2].isna().all()


def test_required_visits_per_month_pool_over_pairings():
    # A needs 2 visits a month in V1 and 1 in V2. Jan: V1 2 visits (met), V2 none (short);
    # Feb: V1 1 visit (short), V2 1 visit (met). Pooled: 2 met of 4 judged.
    pairings = _pairings((1, "A", V1, date(2025, 1, 1), None, 2),
                         (2, "A", V2, date(2025, 1, 1), None, 1))
    visits = _visits(_visit(1, date(2026, 1, 2), "A", V1), _visit(2, date(2026, 1, 9), "A", V1),
                     _visit(3, date(2026, 2, 2), "A", V1), _visit(4, date(2026, 2, 2), "A", V2))
    figures = department_figures(_inputs(pairings, visits), _departments(("A", 5, True)),
                                 CADRES)
    assert (figures.loc["A", "months_judged"], figures.loc["A", "months_met"]) == (4, 2)


def test_monthly_figures_with_a_month_partly_outside_the_window():
    pairings = _pairings(
        (1, "D1", V1, date(2025, 1, 1), None, 1),
        (2, "D1", V2, date(2026, 2, 15), None, 1),  # active at 28 Feb, not at 31 Jan
        (3, "D1", V3, date(2026, 3, 5), None, 1),   # active at T only
    )
    visits = _visits(
        _visit(1, date(2025, 12, 5), "D1", V1, "产业帮扶", 4, 4, "1"),  # December, outside
        _visit(2, date(2025, 12, 20), "D1", V1, "走访慰问", 2, 1, "2"),  # December, inside
        _visit(3, date(2026, 1, 10), "D1", V1, "产业帮扶", 0, 0, "1;3"),
        _visit(4, date(2026, 3, 8), "D1", V3, "阵地联建", 1, 1, None),
    )
    monthly = monthly_department_figures(_inputs(pairings, visits),
                                         _departments(("D1", 4, True)), CADRES)
    assert list(monthly.columns) == FIGURE_COLUMNS
    assert monthly.index.names == ["code", "month"]
    assert list(monthly.index.get_level_values("month")) == [
        "2025-12", "2026-01", "2026-02", "2026-03"]
    dec, jan, feb, mar = (monthly.loc[("D1", m)] for m in
                          ("2025-12", "2026-01", "2026-02", "2026-03"))
    # December: only 11..31 December is inside; visit 2 (走访慰问, 2 raised, 1 resolved).
    assert dec["visits"] == 1 and dec["problems_raised"] == 2
    assert dec["resolution_rate"] == 0.5 and dec["long_term_share"] == 0.0
    assert dec["participation"] == 0.25  # cadre 2 of 4 members
    assert dec["leader_participation"] == 0.0  # cadre 2 does not lead
    assert math.isnan(dec["compliance"])  # December is not wholly inside the window
    # Coverage at 31 December: pairing 1 (V1), visited in December: 1 / 1.
    assert (dec["paired_villages"], dec["paired_village_coverage"]) == (1, 1.0)
    # January: visit 3 (long-term, cadres 1 and 3, 1 leads); pairing 1 met January.
    assert jan["visits"] == 1 and jan["long_term_share"] == 1.0
    assert jan["participation"] == 0.5 and jan["leader_participation"] == 1.0
    assert math.isnan(jan["resolution_rate"])
    assert (jan["months_judged"], jan["months_met"], jan["compliance"]) == (1, 1, 1.0)
    # February: no visit; pairing 1 short, pairing 2 not judged (started mid-month): 0 / 1.
    # Coverage at 28 February: V1 and V2, neither visited in February: 0 / 2.
    assert feb["visits"] == 0 and math.isnan(feb["long_term_share"])
    assert (feb["months_judged"], feb["compliance"]) == (1, 0.0)
    assert (feb["paired_villages"], feb["paired_village_coverage"]) == (2, 0.0)
    # March (up to T): visit 4 (阵地联建 counts as long-term); March ends after T, so no
    # compliance; coverage at T: V1, V2, V3, V3 visited: 1 / 3.
    assert mar["visits"] == 1 and mar["long_term_share"] == 1.0
    assert math.isnan(mar["participation"])  # its visit carries no cadre id
    assert math.isnan(mar["compliance"])
    assert (mar["paired_villages"], mar["paired_villages_visited"]) == (3, 1)
    assert mar["paired_village_coverage"] == pytest.approx(1 / 3)
    # The months add up to the window (the counts; not the shares).
    window = department_figures(_inputs(pairings, visits), _departments(("D1", 4, True)),
                                CADRES).loc["D1"]
    for column in ("visits", "problems_raised", "problems_resolved", "long_term_visits",
                   "months_judged", "months_met"):
        assert monthly[column].sum() == window[column], column


def test_window_months():
    assert window_months(T, W) == [
        ("2025-12", date(2025, 12, 11), date(2025, 12, 31)),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 10)),
    ]
    assert window_months(date(2026, 3, 31), 31) == [
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31))]


def test_missing_columns_are_errors():
    inputs, departments = _example()
    no_kind = CoverageInputs(inputs.villages, inputs.pairings,
                             inputs.visits.drop(columns="kind"), T, W, 90, empty_problems())
    with pytest.raises(DataError) as caught:
        department_figures(no_kind, departments, CADRES)
    assert caught.value.code == "missing_input_column"
    no_id = CoverageInputs(inputs.villages, inputs.pairings,
                           inputs.visits.drop(columns="id"), T, W, 90, empty_problems())
    department_figures(no_id, departments, CADRES)  # fine while nothing is excluded
    with pytest.raises(DataError):
        department_figures(no_id, departments, CADRES, excluded_visit_ids={2})
    with pytest.raises(DataError):
        department_figures(inputs, departments.drop(columns="party_members"), CADRES)


# --------------------------------------------------------------------------- ranking


def _figures(rows: dict[str, tuple], active: dict[str, bool] | None = None) -> pd.DataFrame:
    """Rows: code -> (compliance, paired_village_coverage, resolution_rate,
    long_term_share), None for null."""
    frame = pd.DataFrame.from_dict(
        rows, orient="index", dtype="float64",
        columns=["compliance", "paired_village_coverage", "resolution_rate",
                 "long_term_share"])
    frame.insert(0, "name", [f"单位{code}" for code in frame.index])
    frame.insert(1, "active", [(active or {}).get(code, True) for code in frame.index])
    frame.index.name = "code"
    return frame


def test_weights_sum_to_one():
    assert sum(RANKING_WEIGHTS.values()) == pytest.approx(1.0)


def test_score_renormalises_over_the_components_present():
    figures = _figures({"A": (0.5, 1.0, None, 0.2)})
    ranked = ranking(figures, None)
    # Without resolution rate and satisfaction the weights are 0.30, 0.20, 0.15 of 0.65:
    # (0.3·0.5 + 0.2·1.0 + 0.15·0.2) / 0.65 = 0.38 / 0.65 = 0.584615… -> 58.46.
    assert ranked.loc["A", "score"] == 58.46
    assert math.isnan(ranked.loc["A", "satisfaction"])
    # With satisfaction 0.8: (0.38 + 0.15·0.8) / 0.80 = 0.5 / 0.8 = 0.625 -> 62.5.
    rated = ranking(figures, None, pd.Series({"A": 0.8}))
    assert rated.loc["A", "score"] == 62.5
    assert rated.loc["A", "satisfaction"] == 0.8
    # All five present: 0.3·1 + 0.2·1 + 0.2·1 + 0.15·1 + 0.15·0 = 0.85 -> 85.
    full = ranking(_figures({"A": (1, 1, 1, 1)}), None, pd.Series({"A": 0.0}))
    assert full.loc["A", "score"] == 85.0


def test_warnings_take_five_points_each_and_the_score_floors_at_zero():
    figures = _figures({"A": (0.2, 0.2, 0.2, 0.2), "B": (0.9, None, None, None)})
    ranked = ranking(figures, pd.Series({"A": 5, "B": 2, "Z": 3}))
    # A: 20 - 5·5 = -5 -> 0. B: 90 - 2·5 = 80. Z is no department here.
    assert ranked.loc["A", "score"] == 0.0
    assert ranked.loc["B", "score"] == 80.0
    assert ranked["warnings"].to_dict() == {"B": 2, "A": 5}
    assert ranked["rank"].tolist() == [1, 2]


def test_a_department_with_no_component_ranks_after_all_others():
    figures = _figures({"A0": (None, None, None, None), "B": (0.0, 0.0, 0.0, 0.0),
                        "C": (0.5, None, None, None)})
    ranked = ranking(figures, pd.Series({"A0": 3}))
    assert list(ranked.index) == ["C", "B", "A0"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert math.isnan(ranked.loc["A0", "score"])  # no penalty turns null into a number
    assert ranked.loc["B", "score"] == 0.0


def test_ties_are_broken_by_code_after_rounding():
    # 1/3 -> 33.33 and 0.333331 -> 33.33: equal after rounding, so by code.
    figures = _figures({"C": (1 / 3, None, None, None), "B": (0.333331, None, None, None),
                        "A": (0.2, None, None, None), "D": (1 / 3, None, None, None)})
    ranked = ranking(figures, None)
    assert list(ranked.index) == ["B", "C", "D", "A"]
    assert ranked["score"].tolist() == [33.33, 33.33, 33.33, 20.0]
    assert ranked["rank"].tolist() == [1, 2, 3, 4]


def test_inactive_departments_are_listed_but_not_ranked():
    figures = _figures({"A": (1.0, None, None, None), "B": (0.5, None, None, None),
                        "C": (None, None, None, None)}, active={"A": False})
    ranked = ranking(figures, None)
    assert list(ranked.index) == ["B", "C", "A"]
    assert ranked["rank"].tolist()[:2] == [1, 2]
    assert ranked.loc["A", "rank"] is pd.NA
    assert ranked.loc["A", "score"] == 100.0  # shown, not ranked
    red, black = red_and_black(ranked)
    assert list(red.index) == ["B"] and black.empty  # one scored: red takes ⌈1/2⌉ = 1


def test_ranking_shows_every_component_beside_the_score():
    ranked = ranking(_figures({"A": (0.5, 0.5, 0.5, 0.5)}), None)
    assert list(ranked.columns) == ["name", "active", *RANKING_WEIGHTS, "warnings", "score",
                                    "rank"]


def _many(count: int) -> pd.DataFrame:
    # Departments K01 … Kn with compliance i/100, so a score of i: K01 the lowest.
    return _figures({f"K{i:02d}": (i / 100, None, None, None) for i in range(1, count + 1)})


def test_red_and_black_with_twelve_scored():
    figures = pd.concat([_many(12), _figures({"N": (None, None, None, None)}),
                         _figures({"X": (0.99, None, None, None)}, active={"X": False})])
    red, black = red_and_black(ranking(figures, None))
    # Scores 12 (K12) down to 1 (K01); the null-score N and the inactive X are on neither.
    assert list(red.index) == ["K12", "K11", "K10", "K09", "K08"]
    assert list(black.index) == ["K05", "K04", "K03", "K02", "K01"]


def test_red_and_black_with_seven_scored():
    red, black = red_and_black(ranking(_many(7), None))
    # ⌈7/2⌉ = 4 on the red list, the other 3 on the black list.
    assert list(red.index) == ["K07", "K06", "K05", "K04"]
    assert list(black.index) == ["K03", "K02", "K01"]


def test_red_and_black_with_none_scored():
    red, black = red_and_black(ranking(_figures({"A": (None, None, None, None)}), None))
    assert red.empty and black.empty


# --------------------------------------------------------------------------- exclusions


def _volume_case() -> tuple[CoverageInputs, CoverageInputs, list[int], pd.DataFrame]:
    """A department's honest visits, then the same plus empty and duplicated records."""
    pairings = _pairings((1, "D1", V1, date(2025, 1, 1), None, 2),
                         (2, "D1", V2, date(2025, 1, 1), None, 1))
    honest = _visits(
        _visit(1, date(2026, 1, 6), "D1", V1, "政策宣讲", 2, 1, "2"),
        _visit(2, date(2026, 2, 6), "D1", V1, "走访慰问", 1, 0, "3"),
        _visit(3, date(2026, 2, 9), "D1", V1, "走访慰问", 0, 0, "3"),
    )
    padding = _visits(
        # Duplicates of visit 1: would meet January's 2 visits in V1.
        _visit(10, date(2026, 1, 6), "D1", V1, "政策宣讲", 2, 1, "2"),
        # Empty records: long-term kinds, in V2 (never visited otherwise), leader cadre.
        _visit(11, date(2026, 1, 20), "D1", V2, "产业帮扶", 0, 0, "1"),
        _visit(12, date(2026, 2, 20), "D1", V2, "发展联谋", 0, 0, "4"),
        _visit(13, date(2026, 3, 2), "D1", V2, "阵地联建", 0, 3, "1"),
    )
    padded = pd.concat([honest, padding], ignore_index=True)
    departments = _departments(("D1", 10, True))
    return (_inputs(pairings, honest), _inputs(pairings, padded),
            padding["id"].tolist(), departments)


def test_excluded_visits_are_left_out_of_every_figure():
    honest, padded, excluded, departments = _volume_case()
    base = department_figures(honest, departments, CADRES)
    for ids in (set(excluded), pd.Index(excluded)):
        cleaned = department_figures(padded, departments, CADRES, excluded_visit_ids=ids)
        pd.testing.assert_frame_equal(cleaned, base)
    monthly = monthly_department_figures(padded, departments, CADRES,
                                         excluded_visit_ids=excluded)
    pd.testing.assert_frame_equal(monthly, monthly_department_figures(
        honest, departments, CADRES))


def test_volume_cannot_buy_rank():
    honest, padded, excluded, departments = _volume_case()
    # Honest: compliance: V1 Jan 1 visit < 2 (short), Feb 2 visits (met); V2 short twice:
    # 1 / 4. Coverage: V1 visited, V2 not: 1/2. Resolution 1/3; long-term 0/3.
    # (0.3·0.25 + 0.2·0.5 + 0.2·(1/3) + 0.15·0) / 0.85 = 0.241667 / 0.85 -> 28.43.
    base = ranking(department_figures(honest, departments, CADRES), None)
    assert base.loc["D1", "score"] == 28.43
    cleaned = ranking(department_figures(padded, departments, CADRES,
                                         excluded_visit_ids=excluded), None)
    assert cleaned.loc["D1", "score"] == base.loc["D1", "score"]
    for column in ("compliance", "paired_village_coverage", "resolution_rate",
                   "long_term_share"):
        assert cleaned.loc["D1", column] == pytest.approx(base.loc["D1", column])
    # Counted, the padding would have bought rank: the check above has teeth.
    bought = ranking(department_figures(padded, departments, CADRES), None)
    assert bought.loc["D1", "score"] > base.loc["D1", "score"]
    # And any part of the padding, excluded, changes nothing either.
    for size in range(1, len(excluded) + 1):
        some = excluded[:size]
        kept = padded.visits[~padded.visits["id"].isin(excluded[size:])]
        partly = CoverageInputs(padded.villages, padded.pairings, kept, T, W, 90, empty_problems())
        score = ranking(department_figures(partly, departments, CADRES,
                                           excluded_visit_ids=some), None).loc["D1", "score"]
        assert score == base.loc["D1", "score"]


def test_figures_of_an_empty_county_are_null_not_zero():
    inputs = _inputs(_pairings(), _visits())
    figures = department_figures(inputs, _departments(("A", 3, True)), CADRES.iloc[:0])
    assert figures.loc["A", "visits"] == 0
    shares = ["participation", "leader_participation", "resolution_rate",
              "long_term_share", "compliance", "paired_village_coverage"]
    assert figures.loc["A", shares].isna().all()
    monthly = monthly_department_figures(inputs, _departments(("A", 3, True)), CADRES)
    assert len(monthly) == 4 and monthly[shares].isna().all().all()
    ranked = ranking(figures, None)
    assert ranked.loc["A", "rank"] == 1 and np.isnan(ranked.loc["A", "score"])


def test_paired_village_compliance_per_village_hand_computed():
    """D1 is paired with V1 twice (one pairing since 2025-06-01 needing 1 visit a month,
    one since 2026-01-15 needing 2) and with V2 since 2026-02-01; its pairing with V3
    ended on 2026-03-01 and is not on the map. D2's pairing with V1 is not D1's.
    Judged months are 2026-01 and 2026-02.
    V1, first pairing: January (visits 01-05) met, February (02-10) met: 2 of 2.
    V1, second pairing: started 2026-01-15, so only February is judged; February has
    one D1 visit (02-10), short of 2: 0 of 1. Pooled: 2 of 3.
    V2: judged February only; no D1 visit there (D2's visit does not count): 0 of 1.
    Visit 5 (V1, 2026-02-10 again) is excluded: without it February still has visit 3."""
    pairings = _pairings(
        (1, "D1", V1, date(2025, 6, 1), None, 1),
        (2, "D1", V1, date(2026, 1, 15), None, 2),
        (3, "D1", V2, date(2026, 2, 1), None, 1),
        (4, "D1", V3, date(2025, 6, 1), date(2026, 3, 1), 1),
        (5, "D2", V1, date(2025, 6, 1), None, 1),
    )
    visits = _visits(_visit(1, date(2026, 1, 5), "D1", V1),
                     _visit(2, date(2026, 2, 20), "D2", V2),
                     _visit(3, date(2026, 2, 10), "D1", V1),
                     _visit(5, date(2026, 2, 10), "D1", V1))
    table = paired_village_compliance(_inputs(pairings, visits), "D1", excluded_visit_ids={5})
    assert list(table.index) == [V1, V2]
    assert table.loc[V1, "months_judged"] == 3 and table.loc[V1, "months_met"] == 2
    assert table.loc[V1, "compliance"] == pytest.approx(2 / 3)
    assert table.loc[V2, "months_judged"] == 1 and table.loc[V2, "months_met"] == 0
    assert table.loc[V2, "compliance"] == 0
    # Without the exclusion visit 5 counts: V1's second pairing meets February (2 visits).
    with_five = paired_village_compliance(_inputs(pairings, visits), "D1")
    assert with_five.loc[V1, "months_met"] == 3


def test_paired_village_compliance_without_a_month_to_judge_is_null():
    """A pairing started 2026-03-01: no whole month inside the window before T."""
    pairings = _pairings((1, "D1", V1, date(2026, 3, 1), None, 1))
    table = paired_village_compliance(_inputs(pairings, _visits()), "D1")
    assert table.loc[V1, "months_judged"] == 0 and math.isnan(table.loc[V1, "compliance"])
    assert paired_village_compliance(_inputs(pairings, _visits()), "D9").empty
