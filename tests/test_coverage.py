"""Coverage, neglect reasons, need and roll-ups on tiny hand-checked fixtures.

Unless a test says otherwise: T = 2026-06-20, W = 90 days (the window is 2026-03-23 ..
2026-06-20, since T-W = 2026-03-22 is outside it), N = 100 days. The months judged for
compliance are April and May 2026: March starts before T-W and June ends after T.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.coverage import (
    BELOW_REQUIRED,
    NEVER_VISITED,
    NOT_VISITED,
    OVERDUE_PROBLEM,
    PROBLEMS_PENDING,
    REASON_LABELS_EN,
    REASONS,
    UNPAIRED,
    compute_county_rollup,
    compute_need_factors,
    compute_need_index,
    compute_pairing_compliance,
    compute_township_rollup,
    compute_village_coverage,
    coverage_report,
    neglected_report,
    order_neglected,
)
from geo.errors import DataError
from geo.i18n import translate
from geo.inputs import CoverageInputs
from geo.overview import compute_overview_kpis
from geo.period import judged_months
from geo.problems import empty_problems
from geo.status import (
    PAIRED_STATUSES,
    STATUS_PAIRED_LAPSED,
    STATUS_PAIRED_NEVER,
    STATUS_PAIRED_VISITED,
    STATUS_UNPAIRED_NOT_VISITED,
    STATUS_UNPAIRED_VISITED,
    STATUSES,
    VISITED_STATUSES,
    compute_village_status,
    hatched,
)

T = date(2026, 6, 20)
W = 90
N = 100
LONG_AGO = date(2025, 1, 1)

PAIRING_COLUMNS = ["id", "department_code", "village_code", "kind", "start_date", "end_date",
                   "required_visits_per_month"]
VISIT_COLUMNS = ["id", "date", "department_code", "village_code", "problems_raised",
                 "problems_resolved"]


def days_before(n: int) -> date:
    return T - timedelta(days=n)


def code(n: int, township: str = "420526101") -> str:
    """A 12-digit village code in ``township``."""
    return f"{township}{n:03d}"


def village(n: int, township: str = "420526101", population: int | None = 1000,
            households: int | None = 300, elderly: int | None = 100,
            low_income: int | None = 30, weak: bool = False) -> dict:
    return {"code": code(n, township), "short_name": f"村{n}", "parent_code": township,
            "population": population, "households": households,
            "left_behind_elderly": elderly, "low_income_households": low_income, "weak": weak}


def villages_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("population", "households", "left_behind_elderly",
                   "low_income_households"):
        frame[column] = frame[column].astype("Int64")
    frame["weak"] = frame["weak"].astype(bool)
    return frame


def pairing(village_code: str, dept: str = "D1", start: date = LONG_AGO,
            end: date | None = None, required: int = 1) -> dict:
    return {"department_code": dept, "village_code": village_code, "kind": "结对共建",
            "start_date": start, "end_date": end, "required_visits_per_month": required}


def visit(village_code: str, day: date, dept: str = "D1", raised: int = 0,
          resolved: int = 0) -> dict:
    return {"date": day, "department_code": dept, "village_code": village_code,
            "problems_raised": raised, "problems_resolved": resolved}


def with_ids(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{"id": i, **row} for i, row in enumerate(rows, start=1)],
                        columns=columns)


def pairings_frame(rows: list[dict]) -> pd.DataFrame:
    return with_ids(rows, PAIRING_COLUMNS)


def visits_frame(rows: list[dict]) -> pd.DataFrame:
    return with_ids(rows, VISIT_COLUMNS)


def cover(pairings: list[dict], visits: list[dict], villages: list[dict] | None = None,
          as_of: date = T, window: int = W, neglect: int = N,
          problems: list[dict] | None = None) -> pd.DataFrame:
    """Coverage of ``villages`` (default: village 1..9 of one township, equal figures)."""
    rows = villages or [village(n) for n in range(1, 10)]
    ledger = pd.DataFrame(problems) if problems else empty_problems()
    return compute_village_coverage(CoverageInputs(
        villages_frame(rows), pairings_frame(pairings), visits_frame(visits), as_of, window,
        neglect, ledger))


def problem(village_code: str, raised: date, due: date, resolved: date | None = None
            ) -> dict:
    return {"village_code": village_code, "department_code": "D1", "raised_on": raised,
            "due_date": due, "status": "open" if resolved is None else "resolved",
            "resolved_on": resolved, "satisfaction": None}


def comply(pairings: pd.DataFrame, visits: pd.DataFrame, as_of: date = T,
           window: int = W) -> pd.DataFrame:
    """Compliance of ``pairings`` at ``as_of`` with window ``window``."""
    return compute_pairing_compliance(CoverageInputs(
        villages_frame([village(1)]), pairings, visits, as_of, window, N, empty_problems()))


def monthly(village_code: str, dept: str = "D1") -> list[dict]:
    """One visit in each judged month (April and May) and one on T: every month met."""
    return [visit(village_code, day, dept) for day in
            (date(2026, 4, 10), date(2026, 5, 10), T)]


# --------------------------------------------------------------------------- reasons table


def test_reasons_in_listed_order_with_severity_and_labels():
    assert list(REASONS) == [UNPAIRED, NEVER_VISITED, NOT_VISITED, OVERDUE_PROBLEM,
                             BELOW_REQUIRED, PROBLEMS_PENDING]
    assert REASONS == {"UNPAIRED": 3, "NEVER_VISITED": 3, "NOT_VISITED": 2,
                       "OVERDUE_PROBLEM": 2, "BELOW_REQUIRED": 1, "PROBLEMS_PENDING": 1}
    assert [translate(f"reason.{code}", "zh") for code in REASONS] == [
        "未结对", "从未走访", "超期未走访", "超期未办结", "走访未达要求", "问题未解决"]
    assert {code: translate(f"reason.{code}", "en") for code in REASONS} == REASON_LABELS_EN
    assert REASON_LABELS_EN["NOT_VISITED"] == "not visited for too long"


# --------------------------------------------------------------------------- active, window


def test_pairing_ending_on_t_is_active_and_starting_after_t_is_not():
    pairings = [pairing(code(1), end=T), pairing(code(2), start=T + timedelta(days=1)),
                pairing(code(3), end=T - timedelta(days=1))]
    visits = [*monthly(code(1)), *monthly(code(2)), *monthly(code(3))]
    coverage = cover(pairings, visits)
    assert coverage.loc[code(1), "paired"] and coverage.loc[code(1), "reasons"] == []
    assert not coverage.loc[code(2), "paired"]
    assert coverage.loc[code(2), "reasons"] == [UNPAIRED]
    assert coverage.loc[code(3), "reasons"] == [UNPAIRED]  # ended the day before T
    compliance = comply(pairings_frame(pairings), visits_frame(visits))
    assert list(compliance.index) == [1]  # only the active pairing is judged


def test_window_excludes_t_minus_w_and_includes_the_day_after():
    pairings = [pairing(code(1)), pairing(code(2)), pairing(code(3))]
    visits = [visit(code(1), days_before(W)), visit(code(2), days_before(W - 1)),
              visit(code(3), days_before(5)), visit(code(3), T + timedelta(days=1))]
    coverage = cover(pairings, visits)
    assert coverage.loc[code(1), "visits_in_window"] == 0
    assert not coverage.loc[code(1), "visited"]
    assert coverage.loc[code(2), "visits_in_window"] == 1 and coverage.loc[code(2), "visited"]
    # A visit after T counts for nothing, not even the last visit.
    assert coverage.loc[code(3), "visits_in_window"] == 1
    assert coverage.loc[code(3), "last_visit"] == days_before(5)
    assert coverage.loc[code(3), "days_since_last_visit"] == 5


# --------------------------------------------------------------------------- neglect threshold


@pytest.mark.parametrize(("window", "neglect"), [(90, 100), (90, 30)])
def test_not_visited_from_exactly_n_days(window, neglect):
    pairings = [pairing(code(1), start=T), pairing(code(2), start=T)]  # nothing judged
    visits = [visit(code(1), days_before(neglect)), visit(code(2), days_before(neglect - 1))]
    coverage = cover(pairings, visits, window=window, neglect=neglect)
    assert coverage.loc[code(1), "days_since_last_visit"] == neglect
    assert coverage.loc[code(1), "reasons"] == [NOT_VISITED]
    assert coverage.loc[code(2), "days_since_last_visit"] == neglect - 1
    assert coverage.loc[code(2), "reasons"] == []


def test_never_visited_is_not_not_visited():
    coverage = cover([pairing(code(1), start=T)], [visit(code(1), T + timedelta(days=1))])
    row = coverage.loc[code(1)]
    assert row["reasons"] == [NEVER_VISITED]
    assert row["last_visit"] is None and pd.isna(row["days_since_last_visit"])
    assert coverage.loc[code(2), "reasons"] == [UNPAIRED, NEVER_VISITED]
    assert coverage["days_since_last_visit"].dtype == "Int64"


# --------------------------------------------------------------------------- compliance


def test_judged_months_edges():
    april, may, june = ((date(2026, m, 1), date(2026, m, d)) for m, d in
                        ((4, 30), (5, 31), (6, 30)))
    assert judged_months(T, W) == [april, may]  # June ends after T
    assert judged_months(date(2026, 6, 30), 100) == [april, may, june]  # June ends on T
    # T-W = 2026-04-01 is outside the window, so April is not judged.
    assert judged_months(T, (T - date(2026, 4, 1)).days) == [may]
    assert judged_months(T, (T - date(2026, 3, 31)).days) == [april, may]
    assert judged_months(T, 20) == []


def test_mid_month_start_judges_from_the_next_month():
    pairings = [pairing(code(1), start=date(2026, 4, 15)), pairing(code(2), start=date(2026, 4, 1))]
    visits = [visit(code(1), date(2026, 5, 3)), visit(code(2), date(2026, 5, 3))]
    compliance = comply(pairings_frame(pairings), visits_frame(visits))
    assert compliance.loc[1, ["months_judged", "months_met"]].tolist() == [1, 1]
    assert compliance.loc[1, "compliance"] == 1.0
    # Starting on the first of April, April is judged (and missed).
    assert compliance.loc[2, ["months_judged", "months_met"]].tolist() == [2, 1]
    assert compliance.loc[2, "compliance"] == 0.5


def test_month_ending_after_t_is_not_judged():
    # Visits only in June (ends after T): April and May missed, June not judged.
    visits = [visit(code(1), date(2026, 6, d)) for d in (1, 5, 10)]
    compliance = comply(pairings_frame([pairing(code(1))]), visits_frame(visits))
    assert compliance.loc[1, ["months_judged", "months_met", "compliance"]].tolist() == [2, 0, 0]
    # On 2026-06-30 (window from 2026-03-22 again) June is judged and met.
    compliance = comply(pairings_frame([pairing(code(1))]), visits_frame(visits),
                        date(2026, 6, 30), 100)
    assert compliance.loc[1, ["months_judged", "months_met"]].tolist() == [3, 1]


def test_two_departments_on_one_village_are_judged_per_pairing():
    pairings = [pairing(code(1), dept="D1"), pairing(code(1), dept="D2")]
    visits = [*monthly(code(1), "D1"), visit(code(1), date(2026, 5, 20), "D2")]
    compliance = comply(pairings_frame(pairings), visits_frame(visits))
    assert compliance["compliance"].to_dict() == {1: 1.0, 2: 0.5}
    assert compliance.loc[2, "department_code"] == "D2"
    coverage = cover(pairings, visits)
    assert coverage.loc[code(1), "pairings"] == 2
    assert coverage.loc[code(1), "compliance_min"] == 0.5
    assert coverage.loc[code(1), "reasons"] == [BELOW_REQUIRED]
    # Both departments meeting the requirement: no reason.
    coverage = cover(pairings, [*monthly(code(1), "D1"), *monthly(code(1), "D2")])
    assert coverage.loc[code(1), "reasons"] == []


def test_visits_by_an_unpaired_department_count_as_visited_not_for_compliance():
    visits = monthly(code(1), "D3")
    coverage = cover([pairing(code(1), dept="D1")], visits)
    row = coverage.loc[code(1)]
    assert row["visited"] and row["visits_in_window"] == 3
    assert row["compliance_min"] == 0.0
    assert row["reasons"] == [BELOW_REQUIRED]
    # T = 2026-06-20, W = 90: April and May are judged; D1 missed both.
    assert row["shortfalls"] == [("D1", ["2026-04", "2026-05"])]


def test_required_two_visits_per_month():
    pairings = [pairing(code(1), required=2), pairing(code(2), required=2)]
    visits = [visit(code(1), date(2026, 4, 3)), visit(code(1), date(2026, 4, 28)),
              visit(code(1), date(2026, 5, 3)),  # only one in May
              visit(code(2), date(2026, 4, 3)), visit(code(2), date(2026, 4, 3)),
              visit(code(2), date(2026, 5, 3)), visit(code(2), date(2026, 5, 31))]
    compliance = comply(pairings_frame(pairings), visits_frame(visits))
    assert compliance.loc[1, ["months_met", "compliance"]].tolist() == [1, 0.5]
    assert compliance.loc[2, ["months_met", "compliance"]].tolist() == [2, 1.0]
    assert compliance["required_visits_per_month"].tolist() == [2, 2]
    assert compliance["months_short"].tolist() == [["2026-05"], []]
    coverage = cover(pairings, visits)
    assert coverage.loc[code(1), "shortfalls"] == [("D1", ["2026-05"])]
    assert coverage.loc[code(2), "shortfalls"] == []


def test_no_month_to_judge_gives_null_compliance_and_no_reason():
    pairings = [pairing(code(1), start=date(2026, 6, 1)), pairing(code(2))]
    visits = [visit(code(1), T), visit(code(2), T)]
    compliance = comply(pairings_frame(pairings), visits_frame(visits))
    assert compliance.loc[1, "months_judged"] == 0
    assert math.isnan(compliance.loc[1, "compliance"])  # null, not 0 and not 100 %
    coverage = cover(pairings, visits)
    assert math.isnan(coverage.loc[code(1), "compliance_min"])
    assert coverage.loc[code(1), "reasons"] == []
    # A window too short for any month: nothing is judged, for any pairing.
    coverage = cover(pairings, visits, window=20)
    assert coverage.loc[code(2), "reasons"] == []
    assert coverage["compliance_min"].isna().all()


def test_compliance_min_ignores_a_null_compliance():
    pairings = [pairing(code(1), dept="D1"), pairing(code(1), dept="D2", start=date(2026, 6, 1))]
    coverage = cover(pairings, monthly(code(1), "D1"))
    assert coverage.loc[code(1), "compliance_min"] == 1.0


def test_no_pairings_and_no_visits():
    villages = villages_frame([village(1), village(2)])
    pairings = pd.DataFrame(columns=PAIRING_COLUMNS)
    visits = pd.DataFrame(columns=VISIT_COLUMNS)
    coverage = compute_village_coverage(CoverageInputs(villages, pairings, visits, T, W, N,
                                                       empty_problems()))
    assert coverage["reasons"].tolist() == [[UNPAIRED, NEVER_VISITED]] * 2
    assert coverage["priority"].tolist() == [3.0, 3.0]
    assert comply(pairings, visits).empty
    none = compute_village_coverage(CoverageInputs(villages.iloc[:0], pairings, visits, T, W,
                                                   N, empty_problems()))
    assert none.empty and "reasons" in none and none["days_since_last_visit"].dtype == "Int64"


# --------------------------------------------------------------------------- problems


def test_problems_pending_is_the_windows_net_sum_and_never_negative():
    pairings = [pairing(code(n), start=T) for n in (1, 2, 3)]
    visits = [
        visit(code(1), days_before(3), raised=1, resolved=3),
        visit(code(1), days_before(2), raised=2, resolved=0),  # net 0: nothing pending
        visit(code(2), days_before(2), raised=0, resolved=2),  # net -2: not pending
        visit(code(3), days_before(W), raised=5),  # outside the window
        visit(code(3), days_before(1), raised=2, resolved=1),  # net +1
        visit(code(3), T + timedelta(days=1), resolved=5),  # after T
    ]
    coverage = cover(pairings, visits)
    assert coverage.loc[code(1), ["problems_raised", "problems_resolved",
                                  "problems_pending"]].tolist() == [3, 3, 0]
    assert coverage.loc[code(1), "reasons"] == []
    assert coverage.loc[code(2), "problems_pending"] == 0
    assert coverage.loc[code(2), "reasons"] == []
    assert coverage.loc[code(3), "problems_pending"] == 1
    assert coverage.loc[code(3), "reasons"] == [PROBLEMS_PENDING]


# --------------------------------------------------------------------------- need


def test_overdue_problem_is_a_severe_reason_from_the_day_after_the_due_date():
    villages = [village(n) for n in range(1, 5)]
    pairings = [pairing(code(n)) for n in range(1, 5)]
    visits = [one for n in range(1, 5) for one in monthly(code(n))]
    problems = [
        problem(code(1), days_before(31), days_before(1)),            # overdue at T
        problem(code(2), days_before(30), T),                         # due on T: not yet
        problem(code(3), days_before(60), days_before(30), T),        # closed on T
        problem(code(4), days_before(60), days_before(30), T + timedelta(days=1)),  # open
    ]
    coverage = cover(pairings, visits, villages, problems=problems)
    assert coverage["reasons"].tolist() == [[OVERDUE_PROBLEM], [], [], [OVERDUE_PROBLEM]]
    assert coverage["severe"].tolist() == [True, False, False, True]
    assert coverage.loc[code(1), "priority"] == pytest.approx(
        2 * (1 + coverage.loc[code(1), "need"]))
    later = cover(pairings, visits, villages, as_of=T + timedelta(days=1), problems=problems)
    assert later.loc[code(2), "reasons"] == [OVERDUE_PROBLEM]


def test_need_index_hand_computed_with_missing_population():
    villages = villages_frame([
        village(1, population=1000, elderly=100, households=400, low_income=40, weak=True),
        village(2, population=3000, elderly=600, households=1000, low_income=50),
        # Missing population: 0, and its elderly share 0 (missing denominator).
        village(3, population=None, elderly=50, households=500, low_income=100),
    ])
    factors = compute_need_factors(villages)
    expected = {
        code(1): [1 / 3, 0.5, 1 / 3, 1.0],  # low-income share 0.1 in [0.05, 0.2]
        code(2): [1.0, 1.0, 0.0, 0.0],
        code(3): [0.0, 0.0, 1.0, 0.0],
    }
    columns = ["population", "elderly_share", "low_income_share", "weak"]
    for key, values in expected.items():
        assert factors.loc[key, columns].tolist() == pytest.approx(values)
    need = compute_need_index(villages)
    assert need.to_dict() == pytest.approx({
        code(1): 0.3 / 3 + 0.3 * 0.5 + 0.2 / 3 + 0.2,
        code(2): 0.6,
        code(3): 0.2,
    })


@pytest.mark.parametrize("column", ["population", "households", "left_behind_elderly",
                                    "low_income_households", "weak"])
def test_need_without_a_figure_column_is_an_error(column):
    """A missing column is not a column of zeros (issue 11): only missing values are 0."""
    villages = villages_frame([village(1), village(2)]).drop(columns=[column])
    with pytest.raises(DataError) as raised:
        compute_need_factors(villages)
    assert (raised.value.code, raised.value.column) == ("missing_input_column", column)


def test_need_factor_with_zero_range_scales_to_zero():
    villages = villages_frame([village(1), village(2), village(3, weak=True)])  # equal figures
    factors = compute_need_factors(villages)
    assert (factors[["population", "elderly_share", "low_income_share"]] == 0).all().all()
    assert compute_need_index(villages).tolist() == pytest.approx([0.0, 0.0, 0.2])


def test_need_is_scaled_within_each_county():
    villages = villages_frame([
        village(1, population=1000), village(2, population=2000),
        village(1, township="420527101", population=9000),  # another county, alone
    ])
    factors = compute_need_factors(villages)
    assert factors["population"].tolist() == [0.0, 1.0, 0.0]


def test_zero_or_missing_denominators_count_as_zero():
    villages = villages_frame([
        village(1, population=0, elderly=10, households=0, low_income=5),
        village(2, population=100, elderly=None, households=None, low_income=5),
        village(3, population=100, elderly=50, households=10, low_income=None),
        village(4, population=100, elderly=20, households=10, low_income=5),
    ])
    factors = compute_need_factors(villages)
    # Elderly shares 0, 0, 0.5, 0.2; low-income shares 0, 0, 0, 0.5.
    assert factors["elderly_share"].tolist() == pytest.approx([0.0, 0.0, 1.0, 0.4])
    assert factors["low_income_share"].tolist() == pytest.approx([0.0, 0.0, 0.0, 1.0])


# --------------------------------------------------------------------------- priority


def test_priority_is_worst_severity_times_one_plus_need():
    # Equal elderly and low-income shares (0.1): only population and weak differ.
    rows = [village(1, population=1000, weak=True),
            village(2, population=3000, elderly=300), village(3)]
    # Village 1: unpaired and never visited (3); need 0.2 (weak; population scaled 0).
    # Village 2: not visited for N days (2) and problems pending; need 0.3.
    # Village 3: no reason.
    pairings = [pairing(code(2), start=T), pairing(code(3), start=T)]
    visits = [visit(code(2), days_before(N), raised=1), visit(code(3), T)]
    coverage = cover(pairings, visits, villages=rows)
    assert coverage.loc[code(1), "reasons"] == [UNPAIRED, NEVER_VISITED]
    assert coverage.loc[code(1), "priority"] == pytest.approx(3 * 1.2)
    assert coverage.loc[code(2), "reasons"] == [NOT_VISITED]  # the raised problem: before W
    assert coverage.loc[code(2), "priority"] == pytest.approx(2 * 1.3)
    assert coverage.loc[code(3), "reasons"] == [] and math.isnan(coverage.loc[code(3),
                                                                              "priority"])
    assert coverage["severity"].tolist() == [3, 2, 0]
    assert coverage["neglected"].tolist() == [True, True, False]


def test_neglected_order_with_ties():
    coverage = pd.DataFrame(
        {
            "reasons": [[PROBLEMS_PENDING], [NEVER_VISITED], [NOT_VISITED], [NOT_VISITED],
                        [UNPAIRED], [], [BELOW_REQUIRED]],
            "priority": [3.0, 3.0, math.nextafter(3.0, 4.0), 3.0, 4.5, np.nan, 3.0],
            "days_since_last_visit": pd.array([10, None, 50, 50, 1, 500, 10], dtype="Int64"),
        },
        index=pd.Index(["V5", "V4", "V3", "V2", "V6", "V1", "V0"], name="code"),
    )
    ordered = order_neglected(coverage)
    # 4.5 first; then the ties at 3.0 (V3's is 3.0 up to floating-point rounding): never
    # visited first, then the longest (50, code order), then 10 days (code order).
    assert ordered.index.tolist() == ["V6", "V4", "V2", "V3", "V0", "V5"]


# --------------------------------------------------------------------------- roll-ups

TOWN_A = "420526101"
TOWN_B = "420526102"
TOWN_EMPTY = "420526103"


@pytest.fixture
def two_townships() -> dict:
    """Township A: 3 villages (population 1000, 500, missing); B: 2 (missing, 0).

    T = 2026-06-20 with W = 20: no month to judge, so no BELOW_REQUIRED.
    """
    villages = villages_frame([
        village(1, TOWN_A, population=1000), village(2, TOWN_A, population=500),
        village(3, TOWN_A, population=None),
        village(1, TOWN_B, population=None), village(2, TOWN_B, population=0),
    ])
    townships = pd.DataFrame({"code": [TOWN_A, TOWN_B, TOWN_EMPTY],
                              "short_name": ["甲镇", "乙乡", "丙镇"]})
    pairings = pairings_frame([pairing(code(1, TOWN_A)), pairing(code(3, TOWN_A)),
                               pairing(code(1, TOWN_B))])
    visits = visits_frame([
        visit(code(1, TOWN_A), days_before(1)), visit(code(1, TOWN_A), days_before(2)),
        visit(code(2, TOWN_A), days_before(3), dept="D9"),
        visit(code(2, TOWN_A), days_before(30)),  # outside W = 20: not counted
        *[visit(code(1, TOWN_B), days_before(d)) for d in (1, 2, 3)],
    ])
    return {"inputs": CoverageInputs(villages, pairings, visits, T, 20, N, empty_problems()),
            "townships": townships}


def test_township_rollup(two_townships):
    f = two_townships
    coverage = compute_village_coverage(f["inputs"])
    rollup = compute_township_rollup(coverage, f["inputs"].villages, f["townships"])
    assert rollup.index.tolist() == [TOWN_A, TOWN_B, TOWN_EMPTY]
    a = rollup.loc[TOWN_A]
    assert (a["name"], a["villages"], a["neglected"]) == ("甲镇", 3, 2)  # unpaired, never
    assert (a["never_visited"], a["severe"]) == (1, 2)  # both reasons are severe
    assert a["paired_share"] == pytest.approx(2 / 3)
    assert a["visited_share"] == pytest.approx(2 / 3)
    assert a["visits_per_1000"] == pytest.approx(3 / 1500 * 1000)  # 2.0
    b = rollup.loc[TOWN_B]
    assert (b["villages"], b["neglected"], b["visits_in_window"]) == (2, 1, 3)
    assert (b["never_visited"], b["severe"]) == (1, 1)
    assert (b["paired_share"], b["visited_share"]) == (0.5, 0.5)
    assert math.isnan(b["visits_per_1000"])  # known population 0
    empty = rollup.loc[TOWN_EMPTY]
    assert empty["villages"] == 0 and math.isnan(empty["paired_share"])


def test_county_rollup(two_townships):
    f = two_townships
    coverage = compute_village_coverage(f["inputs"])
    county = compute_county_rollup(coverage, f["inputs"].villages, name="兴山县")
    assert county["code"] == "420526" and county["name"] == "兴山县"
    assert county["villages"] == 5 and county["neglected"] == 3
    assert county["paired_share"] == pytest.approx(3 / 5)
    assert county["visited_share"] == pytest.approx(3 / 5)
    assert county["visits_per_1000"] == pytest.approx(6 / 1500 * 1000)  # 4.0
    empty = compute_county_rollup(coverage.iloc[:0], f["inputs"].villages)
    assert empty["villages"] == 0 and empty["paired_share"] is None
    assert empty["visits_per_1000"] is None


def test_coverage_report_is_exact_and_json_ready(two_townships):
    report = coverage_report(**two_townships)
    json.dumps(report, allow_nan=False, ensure_ascii=False)
    assert list(report) == ["as_of", "window_days", "neglect_days", "totals", "townships",
                            "villages"]
    assert (report["as_of"], report["window_days"], report["neglect_days"]) == (
        "2026-06-20", 20, N)
    assert report["totals"] == {"villages": 5, "paired": 3, "visited": 3,
                                "never_visited": 2, "neglected": 3, "severe": 3}
    assert [list(t) for t in report["townships"]] == [
        ["code", "name", "villages", "paired_share", "visited_share", "never_visited",
         "neglected", "severe", "visits_per_1000"]] * 3
    assert [(t["never_visited"], t["severe"]) for t in report["townships"]] == [
        (1, 2), (1, 1), (0, 0)]
    assert report["townships"][1]["visits_per_1000"] is None
    assert report["townships"][0]["visits_per_1000"] == pytest.approx(2.0)
    first = report["villages"][0]
    assert list(first) == ["code", "name", "township_code", "paired", "visits_in_window",
                           "last_visit", "days_since_last_visit", "reasons", "need",
                           "priority"]
    # Need of A1: population 1000 in [0, 1000] -> 1; elderly share 0.1 in [0, 0.2] -> 0.5
    # (missing and 0 populations give shares of 0); equal low-income shares -> 0.
    assert first == {"code": code(1, TOWN_A), "name": "村1", "township_code": TOWN_A,
                     "paired": True, "visits_in_window": 2, "last_visit": "2026-06-19",
                     "days_since_last_visit": 1, "reasons": [],
                     "need": pytest.approx(0.3 * 1 + 0.3 * 0.5), "priority": None}
    never = next(v for v in report["villages"] if v["code"] == code(3, TOWN_A))
    assert never["last_visit"] is None and never["days_since_last_visit"] is None
    assert [v["code"] for v in report["villages"]] == sorted(v["code"]
                                                             for v in report["villages"])


def test_neglected_report_lists_only_neglected_villages_in_order(two_townships):
    full = coverage_report(**two_townships)
    report = neglected_report(**two_townships)
    assert report["totals"] == full["totals"] and report["townships"] == full["townships"]
    # Need: A1 and A2 0.45 (see the report test), the others 0.
    assert [(v["code"], v["reasons"], v["priority"]) for v in report["villages"]] == [
        (code(2, TOWN_A), [UNPAIRED], pytest.approx(3 * 1.45)),
        # A tie at 3 × (1 + 0), both never visited: code order.
        (code(3, TOWN_A), [NEVER_VISITED], pytest.approx(3.0)),
        (code(2, TOWN_B), [UNPAIRED, NEVER_VISITED], pytest.approx(3.0)),
    ]


# --------------------------------------------------------------------------- the sample county

SAMPLE_T = date(2026, 11, 28)


@pytest.fixture(scope="module")
def demo() -> dict:
    from geo.demo.seed import build_demo_county

    county = build_demo_county(seed=42, anchor=SAMPLE_T)
    units = county.units
    villages = units[units["level"] == "village"].reset_index(drop=True)
    villages["weak"] = villages["weak"].astype(bool)
    townships = units[units["level"] == "township"].reset_index(drop=True)
    return {"villages": villages, "townships": townships, "pairings": county.sample.pairings,
            "visits": county.sample.visits, "departments": county.sample.departments,
            "problems": county.sample.problems}


def demo_inputs(demo: dict, as_of: date, window: int, neglect: int) -> CoverageInputs:
    return CoverageInputs(demo["villages"], demo["pairings"], demo["visits"], as_of, window,
                          neglect, demo["problems"])


def test_sample_has_every_reason(demo):
    # Its speed is measured by benchmarks/bench_coverage.py, not here.
    coverage = compute_village_coverage(demo_inputs(demo, SAMPLE_T, 90, 90))
    found = {reason for reasons in coverage["reasons"] for reason in reasons}
    assert found == set(REASONS)
    assert len(coverage) == 96


def _month_bounds(first: date) -> tuple[date, date]:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def _expected_compliance(pairing, dates: list[date], window_start: date,
                         as_of: date) -> float | None:
    """DESIGN.md: months whose first day is in the window and on or after the start, whose
    last day is on or before T; the share of them in which ``dates`` (that department's
    visits to that village) reach the requirement; None with no such month."""
    judged = met = 0
    first = window_start.replace(day=1)
    while first <= as_of:
        first, last = _month_bounds(first)
        if first > window_start and first >= pairing.start_date and last <= as_of:
            judged += 1
            met += sum(first <= day <= last for day in dates) >= (
                pairing.required_visits_per_month)
        first = last + timedelta(days=1)
    return met / judged if judged else None


def _expected_sample_figures(demo: dict, as_of: date, window: int, neglect: int) -> dict:
    """Each village's figures from the raw frames by the metric definitions of DESIGN.md,
    in plain pandas and Python (written apart from geo.coverage and geo.status)."""
    window_start = as_of - timedelta(days=window)  # the window is window_start < date <= T
    pairings = demo["pairings"]
    still_on = pairings["end_date"].map(lambda end: end is None or pd.isna(end) or end >= as_of)
    active = pairings[(pairings["start_date"] <= as_of) & still_on]
    visits = demo["visits"]
    past = visits[visits["date"] <= as_of]
    recent = past[past["date"] > window_start]
    last_visits = past.groupby("village_code")["date"].max().to_dict()
    sums = recent.groupby("village_code")[["problems_raised", "problems_resolved"]].sum()
    counts = recent.groupby("village_code").size().to_dict()
    dates = recent.groupby(["department_code", "village_code"])["date"].agg(list).to_dict()
    names = dict(zip(demo["departments"]["code"], demo["departments"]["name"], strict=True))
    overdue_villages = {
        problem.village_code for problem in demo["problems"].itertuples()
        if problem.raised_on <= as_of and problem.due_date < as_of
        and (problem.resolved_on is None or pd.isna(problem.resolved_on)
             or problem.resolved_on > as_of)}
    expected = {}
    for village_code in demo["villages"]["code"]:
        own = list(active[active["village_code"] == village_code].itertuples())
        last = last_visits.get(village_code)
        days = (as_of - last).days if last else None
        lately = counts.get(village_code, 0)
        raised, resolved = (int(n) for n in (
            sums.loc[village_code] if village_code in sums.index else (0, 0)))
        compliances = [c for c in (
            _expected_compliance(p, dates.get((p.department_code, village_code), []),
                                 window_start, as_of) for p in own
        ) if c is not None]
        reasons = [code for code, applies in (
            (UNPAIRED, not own),
            (NEVER_VISITED, last is None),
            (NOT_VISITED, last is not None and days >= neglect),
            (OVERDUE_PROBLEM, village_code in overdue_villages),
            (BELOW_REQUIRED, any(c < 1 for c in compliances)),
            (PROBLEMS_PENDING, raised > resolved),
        ) if applies]
        if own:
            status = (STATUS_PAIRED_VISITED if lately else
                      STATUS_PAIRED_NEVER if last is None else STATUS_PAIRED_LAPSED)
        else:
            status = STATUS_UNPAIRED_VISITED if lately else STATUS_UNPAIRED_NOT_VISITED
        expected[village_code] = {
            "paired": bool(own), "pairings": len(own),
            "visits_in_window": lately, "visited": lately > 0,
            "last_visit": last, "days_since_last_visit": days,
            "problems_raised": raised, "problems_resolved": resolved,
            "problems_pending": max(raised - resolved, 0),
            "compliance_min": min(compliances) if compliances else None,
            "reasons": reasons,
            "severe": bool({UNPAIRED, NEVER_VISITED, NOT_VISITED, OVERDUE_PROBLEM}
                           & set(reasons)),
            "departments": [names[p.department_code]
                            for p in sorted(own, key=lambda p: p.department_code)],
            "status": status,
        }
    return expected


def _plain(value: object) -> object:
    """A frame's cell as a plain Python value (None for NA, dates as dates)."""
    if isinstance(value, list):
        return value
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.generic):
        return value.item()
    return value


# The sample's anchor, and two dates picked for the edges of the definitions (checked
# below, so that a regenerated sample cannot lose them): a pairing ending on T, a village
# last visited exactly N days before T, a window starting on a month's first day (that month
# is not judged), a judged month ending on T, every map status. The
# earlier dates also have visits after T to ignore and pairings not started yet or ended.
@pytest.mark.parametrize(("as_of", "window", "neglect", "edges"), [
    (SAMPLE_T, 90, 90, {"every_status"}),
    (date(2025, 12, 24), 70, 57, {"pairing_ends_on_t", "exactly_n"}),
    (date(2026, 4, 30), 60, 45, {"month_starts_at_t_minus_w", "month_ends_on_t",
                                 "every_status"}),
])
def test_sample_figures_follow_the_metric_definitions(demo, as_of, window, neglect, edges):
    expected = _expected_sample_figures(demo, as_of, window, neglect)
    present = {
        "pairing_ends_on_t": bool((demo["pairings"]["end_date"] == as_of).any()),
        "exactly_n": any(row["days_since_last_visit"] == neglect for row in expected.values()),
        "month_starts_at_t_minus_w": (as_of - timedelta(days=window)).day == 1,
        "month_ends_on_t": (as_of + timedelta(days=1)).day == 1,
        "every_status": {row["status"] for row in expected.values()} == set(STATUSES),
    }
    assert edges <= {edge for edge, found in present.items() if found}
    inputs = demo_inputs(demo, as_of, window, neglect)
    status = compute_village_status(inputs, demo["departments"])
    coverage = compute_village_coverage(inputs)
    assert list(status.index) == list(coverage.index) == list(expected)
    for column in next(iter(expected.values())):
        want = [row[column] for row in expected.values()]
        frames = [status] if column in ("departments", "status") else [status, coverage]
        for frame in frames:
            got = [_plain(value) for value in frame[column]]
            if column == "compliance_min":
                assert got == [pytest.approx(w) if w is not None else None for w in want]
            else:
                assert got == want, column


def test_sample_neglected_report_is_json_ready_and_ordered(demo):
    report = neglected_report(demo_inputs(demo, SAMPLE_T, 90, 90), demo["townships"])
    json.dumps(report, allow_nan=False, ensure_ascii=False)
    assert len(report["townships"]) == 8
    priorities = [v["priority"] for v in report["villages"]]
    assert priorities == sorted(priorities, reverse=True)
    assert len(priorities) == report["totals"]["neglected"]


def test_map_status_classes_add_up_to_the_cards(demo):
    """DESIGN.md's invariants, on the sample at three dates: the three paired classes sum
    to the paired card, the two recently visited classes to the visited card, and the
    never-visited card is the paired-never class plus the hatched unpaired villages."""
    for as_of in (SAMPLE_T, date(2025, 12, 24), date(2026, 4, 30)):
        status = compute_village_status(demo_inputs(demo, as_of, 90, 90),
                                        demo["departments"])
        kpis = compute_overview_kpis(status, demo["villages"])
        counts = status["status"].value_counts()
        assert sum(counts.get(s, 0) for s in PAIRED_STATUSES) == kpis.paired
        assert sum(counts.get(s, 0) for s in VISITED_STATUSES) == kpis.visited
        assert counts.get(STATUS_PAIRED_NEVER, 0) + int(hatched(status).sum()) == (
            kpis.never_visited)
        assert kpis.severe == int(status["reasons"].map(
            lambda r: bool({UNPAIRED, NEVER_VISITED, NOT_VISITED, OVERDUE_PROBLEM} & set(r))
        ).sum())
        below = status["reasons"].map(lambda r: BELOW_REQUIRED in r)
        assert (status["shortfalls"].map(len) > 0).equals(below)  # the months behind it
