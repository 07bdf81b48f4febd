"""Formalism warnings (形式主义预警) on small hand-built frames, hand-checked.

Unless a test says otherwise: T = 2026-03-31, W = 60 days, so the window is 2026-01-31 ..
2026-03-31 (T-W = 2026-01-30 is outside it). Quarters: 2026-Q1 ends on T, inside the
window, and its last 10 days are 2026-03-22 .. 2026-03-31; 2025-Q4 ends on 2025-12-31,
before the window, so it is not judged.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyproj
import pytest
import shapely
from rapidfuzz import fuzz

from geo.crs import gauss_kruger_epsg
from geo.errors import DataError
from geo.formalism import (
    DUPLICATE,
    EMPTY_RECORD,
    END_OF_PERIOD_BURST,
    LOCATION_MISMATCH,
    TEMPLATE_TEXT,
    WARNING_CODES,
    WARNING_COLUMNS,
    empty_records,
    excluded_visit_ids,
    formalism_warnings,
)
from geo.i18n import CATALOGUE
from geo.inputs import CoverageInputs
from geo.problems import empty_problems

T = date(2026, 3, 31)
W = 60
TOWNSHIP = "420526101"
V1, V2, V3 = f"{TOWNSHIP}001", f"{TOWNSHIP}002", f"{TOWNSHIP}003"
TEXT = "入户走访了解群众生产生活情况并宣讲惠民政策"  # 21 code points, no white space
assert len(TEXT) == 21


def village(code: str, geometry: object = None) -> dict:
    return {"code": code, "short_name": code[-3:], "parent_code": TOWNSHIP,
            "population": 1000, "households": 300, "left_behind_elderly": 100,
            "low_income_households": 30, "weak": False, "geometry": geometry}


def visit(day: date, dept: str = "D1", village_code: str = V1, summary: str | None = "走访",
          kind: str = "走访慰问", households: int = 1, raised: int = 0,
          lon: float | None = None, lat: float | None = None) -> dict:
    return {"date": day, "department_code": dept, "village_code": village_code,
            "kind": kind, "households_visited": households, "problems_raised": raised,
            "problems_resolved": 0, "summary": summary, "lon": lon, "lat": lat}


def warn(visits: list[dict], villages: list[dict] | None = None, as_of: date = T,
         window: int = W) -> pd.DataFrame:
    """The warnings of ``visits`` (ids 1, 2, … in list order)."""
    frame = pd.DataFrame([{"id": i, **row} for i, row in enumerate(visits, start=1)],
                         columns=["id", *visit(T)])
    rows = villages or [village(V1), village(V2), village(V3)]
    pairings = pd.DataFrame(columns=["id", "department_code", "village_code", "start_date",
                                     "end_date", "required_visits_per_month"])
    return formalism_warnings(CoverageInputs(pd.DataFrame(rows), pairings, frame, as_of,
                                             window, 90, empty_problems()))


def rows_of(warnings: pd.DataFrame, code: str) -> list[tuple]:
    """(department, period, count, visit_ids) of ``code``'s rows."""
    part = warnings[warnings["code"] == code]
    return [(d, p, c, ids) for d, p, c, ids in zip(
        part["department_code"], part["period"], part["count"], part["visit_ids"],
        strict=True)]


# ------------------------------------------------------------------ END_OF_PERIOD_BURST

def test_burst_at_exactly_half_in_the_last_ten_days_warns_and_counts_the_whole_quarter():
    # D1: n = 6 in 2026-Q1 (01-05 is before the window but inside the quarter), b = 3
    # (03-22, 03-30, 03-31; 03-21 is the 11th day from the end): 2b = 6 >= n = 6 -> warns.
    # Counting only the window's visits would give n = 5 < 6 and no warning.
    days = [date(2026, 1, 5), date(2026, 2, 10), date(2026, 3, 21), date(2026, 3, 22),
            date(2026, 3, 30), date(2026, 3, 31)]
    warnings = warn([visit(d) for d in days])
    assert rows_of(warnings, END_OF_PERIOD_BURST) == [("D1", "2026-Q1", 3, [4, 5, 6])]


def test_burst_with_two_of_six_in_the_last_ten_days_does_not_warn():
    # n = 6, b = 2 (03-22, 03-31): 2b = 4 < 6.
    days = [date(2026, 1, 5), date(2026, 2, 10), date(2026, 3, 1), date(2026, 3, 21),
            date(2026, 3, 22), date(2026, 3, 31)]
    assert rows_of(warn([visit(d) for d in days]), END_OF_PERIOD_BURST) == []


def test_burst_needs_six_visits():
    # n = 5, b = 5: 2b >= n but n < 6.
    days = [date(2026, 3, d) for d in (22, 24, 26, 28, 30)]
    assert rows_of(warn([visit(d) for d in days]), END_OF_PERIOD_BURST) == []


def test_a_quarter_ending_outside_the_window_is_not_judged():
    # 2025-Q4: n = b = 6 (12-22 .. 12-31 is its last 10 days), but it ends on
    # 2025-12-31, before T-W = 2026-01-30. With W = 90, T-W = 2025-12-31 (Jan 31 + Feb 28
    # + Mar 31 = 90 days) is the quarter's last day, still outside the window; with
    # W = 91, T-W = 2025-12-30 and it warns.
    # At T = 2026-06-25, 2026-Q2 ends on 06-30, after T: not judged, although its six
    # visits all fall on its last 10 days (06-21 .. 06-30).
    days = [date(2025, 12, d) for d in (22, 24, 26, 28, 30, 31)]
    assert rows_of(warn([visit(d) for d in days]), END_OF_PERIOD_BURST) == []
    assert rows_of(warn([visit(d) for d in days], window=90), END_OF_PERIOD_BURST) == []
    assert rows_of(warn([visit(d) for d in days], window=91), END_OF_PERIOD_BURST) == [
        ("D1", "2025-Q4", 6, [1, 2, 3, 4, 5, 6])]
    at = date(2026, 6, 25)
    june = [visit(date(2026, 6, d)) for d in (21, 22, 23, 24, 25, 25)]
    assert rows_of(warn(june, as_of=at), END_OF_PERIOD_BURST) == []


def test_one_burst_row_per_department_and_quarter():
    # W = 200: T-W = 2025-09-12, so 2025-Q3 (ends 09-30), 2025-Q4 and 2026-Q1 are judged.
    # D1 bursts in Q4 and Q1 (6 of 6 each), D2 in Q1 only.
    q4 = [visit(date(2025, 12, d)) for d in (22, 23, 24, 25, 26, 27)]  # ids 1-6
    q1 = [visit(date(2026, 3, d)) for d in (22, 23, 24, 25, 26, 27)]  # ids 7-12
    d2 = [visit(date(2026, 3, d), dept="D2") for d in (22, 23, 24, 25, 26, 27)]  # 13-18
    rows = rows_of(warn(q4 + q1 + d2, window=200), END_OF_PERIOD_BURST)
    assert rows == [("D1", "2025-Q4", 6, [1, 2, 3, 4, 5, 6]),
                    ("D1", "2026-Q1", 6, [7, 8, 9, 10, 11, 12]),
                    ("D2", "2026-Q1", 6, [13, 14, 15, 16, 17, 18])]


# ------------------------------------------------------------------------- EMPTY_RECORD

def test_empty_record_is_blank_summary_no_households_no_problems():
    day = date(2026, 3, 1)
    visits = [
        visit(day, summary="\u3000 \u3000", households=0),  # 1: white space only -> empty
        visit(day, summary=None, households=0),  # 2: no summary -> empty
        visit(day, summary=None, households=1),  # 3: households visited
        visit(day, summary="", households=0, raised=1),  # 4: a problem raised
        visit(day, summary="走访", households=0),  # 5: a summary
        visit(date(2026, 1, 20), summary="", households=0),  # 6: before the window
        visit(day, dept="D2", summary=" ", households=0),  # 7: D2's own row
    ]
    warnings = warn(visits)
    assert rows_of(warnings, EMPTY_RECORD) == [("D1", None, 2, [1, 2]), ("D2", None, 1, [7])]
    frame = pd.DataFrame(visits)
    assert empty_records(frame).tolist() == [True, True, False, False, False, True, True]


# ---------------------------------------------------------------------------- DUPLICATE

def test_duplicates_differing_only_in_white_space_are_one_group():
    day = date(2026, 3, 1)
    visits = [
        visit(day, summary="走访 慰问  困难户"),  # 1
        visit(day, summary="走访\u3000慰问 困难户"),  # 2: full-width space
        visit(day, summary="\u3000走访 慰问\u3000\u3000困难户 "),  # 3: leading, trailing
        visit(day, summary="走访慰问困难户"),  # 4: no space: another text
        visit(day, summary="走访 慰问 困难户", kind="政策宣讲"),  # 5: another kind
        visit(day, summary="走访 慰问 困难户", village_code=V2),  # 6: another village
        visit(date(2026, 3, 2), summary="走访 慰问 困难户"),  # 7: another date
        visit(day, summary="走访 慰问 困难户", dept="D2"),  # 8: another department
        visit(date(2026, 3, 5), summary="开会"),  # 9
        visit(date(2026, 3, 5), summary="开会"),  # 10: a second group of D1
        visit(date(2026, 1, 20), summary="开会"),  # 11, 12: before the window
        visit(date(2026, 1, 20), summary="开会"),
    ]
    warnings = warn(visits)
    assert rows_of(warnings, DUPLICATE) == [("D1", None, 5, [1, 2, 3, 9, 10])]
    groups = warnings.loc[warnings["code"] == DUPLICATE, "groups"].item()
    assert groups == [[1, 2, 3], [9, 10]]
    # All but the first (lowest id) of each group: 2, 3 and 10.
    assert excluded_visit_ids(warnings) == {2, 3, 10}


def test_excluded_visits_are_empty_records_and_later_duplicates():
    day = date(2026, 3, 1)
    visits = [visit(day, summary="走访"), visit(day, summary="走访"),  # 1, 2: a group
              visit(day, summary="", households=0),  # 3: empty
              visit(day, summary="", households=0)]  # 4: empty, and a group with 3
    warnings = warn(visits)
    assert rows_of(warnings, EMPTY_RECORD) == [("D1", None, 2, [3, 4])]
    assert rows_of(warnings, DUPLICATE) == [("D1", None, 4, [1, 2, 3, 4])]
    assert excluded_visit_ids(warnings) == {2, 3, 4}


# -------------------------------------------------------------------- LOCATION_MISMATCH

# 兴山县 lies at about 110.75°E: Gauss-Krüger zone CM 111°E, EPSG:4546. The village is a
# 1 km square in that zone's metres; the GPS points lie east of its east edge (x = 501000).
EPSG = gauss_kruger_epsg(110.75)
TO_LONLAT = pyproj.Transformer.from_crs(EPSG, 4326, always_xy=True)
SQUARE = shapely.box(500000, 3450000, 501000, 3451000)


def lonlat(x: float, y: float) -> tuple[float, float]:
    return TO_LONLAT.transform(x, y)


def test_location_mismatch_beyond_two_km_outside_the_polygon():
    assert EPSG == 4546
    polygon = shapely.Polygon([lonlat(x, y) for x, y in SQUARE.exterior.coords])
    villages = [village(V1, polygon), village(V2, shapely.Point(lonlat(500500, 3450500))),
                village(V3)]
    day = date(2026, 3, 1)
    inside = lonlat(500500, 3450500)
    near = lonlat(501000 + 1900, 3450500)  # 1.9 km outside: not judged a mismatch
    far = lonlat(501000 + 2100, 3450500)  # 2.1 km outside: a mismatch
    visits = [
        visit(day, lon=inside[0], lat=inside[1]),  # 1
        visit(day, lon=near[0], lat=near[1]),  # 2
        visit(day, lon=far[0], lat=far[1]),  # 3
        visit(day),  # 4: no GPS point
        visit(day, village_code=V2, lon=far[0] + 1, lat=far[1]),  # 5: village is a point
        visit(day, village_code=V3, lon=far[0] + 1, lat=far[1]),  # 6: no geometry
        visit(date(2026, 1, 20), lon=far[0], lat=far[1]),  # 7: before the window
        visit(day, dept="D2", lon=far[0], lat=far[1] + 0.05),  # 8: ~5.5 km north-east too
    ]
    assert rows_of(warn(visits, villages), LOCATION_MISMATCH) == [
        ("D1", None, 1, [3]), ("D2", None, 1, [8])]


def test_villages_without_geometry_are_not_judged():
    rows = [{k: v for k, v in village(V1).items() if k != "geometry"}]
    far = lonlat(501000 + 100000, 3450500)
    assert rows_of(warn([visit(date(2026, 3, 1), lon=far[0], lat=far[1])], rows),
                   LOCATION_MISMATCH) == []


# ------------------------------------------------------------------------ TEMPLATE_TEXT

BASE = "".join(chr(0x4E00 + i) for i in range(100))  # 100 distinct code points


def substituted(positions: range) -> str:
    """``BASE`` with the characters at ``positions`` replaced by ones it does not hold."""
    chars = list(BASE)
    for p in positions:
        chars[p] = chr(0x6000 + p)
    return "".join(chars)


def template_visits(texts: list[str], dept: str = "D1") -> list[dict]:
    """One visit per text, each in its own village or on its own day."""
    return [visit(date(2026, 3, 1 + i), dept=dept, village_code=(V1, V2)[i % 2], summary=t)
            for i, t in enumerate(texts)]


def test_near_copies_at_ratio_90_warn_and_at_89_do_not():
    # Four variants change 10 (or 11) of BASE's 100 characters, at disjoint places: each
    # against BASE has an LCS of 90 (89) of 200 characters -> ratio 2·90/200 = 90 (89);
    # two variants share 80 (78) -> 80 (78). At 90 all five have a near-copy.
    at_90 = [BASE] + [substituted(range(10 * k, 10 * k + 10)) for k in range(4)]
    at_89 = [BASE] + [substituted(range(11 * k, 11 * k + 11)) for k in range(4)]
    assert fuzz.ratio(BASE, at_90[1]) == 90.0 and fuzz.ratio(at_90[1], at_90[2]) == 80.0
    assert fuzz.ratio(BASE, at_89[1]) == 89.0 and fuzz.ratio(at_89[1], at_89[2]) == 78.0
    assert rows_of(warn(template_visits(at_90)), TEMPLATE_TEXT) == [
        ("D1", None, 5, [1, 2, 3, 4, 5])]
    assert rows_of(warn(template_visits(at_89)), TEMPLATE_TEXT) == []


def test_near_copies_need_twenty_code_points_after_normalising():
    twenty, nineteen = TEXT[:20], TEXT[:19]
    # 19 CJK characters are 57 UTF-8 bytes; full-width spaces around them normalise away.
    padded = "\u3000" + nineteen + "\u3000\u3000"
    assert len(padded) == 22 and len(nineteen.encode("utf-8")) == 57
    assert rows_of(warn(template_visits([twenty] * 5)), TEMPLATE_TEXT) == [
        ("D1", None, 5, [1, 2, 3, 4, 5])]
    assert rows_of(warn(template_visits([padded] * 5)), TEMPLATE_TEXT) == []


def test_fewer_than_five_near_copies_do_not_warn():
    # Four identical texts, and a fifth that copies none of them (ratio 0, distinct
    # characters), in D1; five copies split 3 + 2 between D1 and D2 do not add up.
    other = "".join(chr(0x7000 + i) for i in range(30))
    assert fuzz.ratio(TEXT, other) == 0.0
    assert rows_of(warn(template_visits([TEXT] * 4 + [other])), TEMPLATE_TEXT) == []
    split = template_visits([TEXT] * 3) + template_visits([TEXT] * 2, dept="D2")
    assert rows_of(warn(split), TEMPLATE_TEXT) == []


def test_same_village_and_date_are_not_near_copies():
    # Five copies on one day in one village: a DUPLICATE group, not TEMPLATE_TEXT.
    visits = [visit(date(2026, 3, 1), summary=TEXT) for _ in range(5)]
    warnings = warn(visits)
    assert rows_of(warnings, TEMPLATE_TEXT) == []
    assert rows_of(warnings, DUPLICATE) == [("D1", None, 5, [1, 2, 3, 4, 5])]


# ------------------------------------------------------------------------------ overall

def test_nothing_in_the_window_gives_an_empty_frame_with_the_columns():
    warnings = warn([visit(date(2026, 1, 20), summary="", households=0),
                     visit(date(2026, 4, 1), summary="", households=0)])  # after T
    assert warnings.empty and list(warnings.columns) == list(WARNING_COLUMNS)
    assert excluded_visit_ids(warnings) == set()
    assert list(warn([]).columns) == list(WARNING_COLUMNS)


def test_rows_are_ordered_by_department_then_code():
    day = date(2026, 3, 1)
    visits = ([visit(day, dept="D2", summary="", households=0)]
              + [visit(date(2026, 3, 22 + i), summary=TEXT, village_code=V1) for i in range(6)]
              + [visit(day, summary="", households=0)])
    warnings = warn(visits)
    assert list(zip(warnings["department_code"], warnings["code"], strict=True)) == [
        ("D1", END_OF_PERIOD_BURST), ("D1", EMPTY_RECORD), ("D1", TEMPLATE_TEXT),
        ("D2", EMPTY_RECORD)]
    assert warnings["count"].tolist() == [6, 1, 6, 1]


def test_the_visits_need_the_columns_the_warnings_read():
    frame = pd.DataFrame([{"id": 1, **visit(T)}]).drop(columns="summary")
    inputs = CoverageInputs(pd.DataFrame([village(V1)]), pd.DataFrame(
        columns=["id", "department_code", "village_code", "start_date", "end_date",
                 "required_visits_per_month"]), frame, T, W, 90, empty_problems())
    with pytest.raises(DataError) as raised:
        formalism_warnings(inputs)
    assert (raised.value.code, raised.value.params["frame"], raised.value.column) == (
        "missing_input_column", "visits", "summary")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_has_a_label(lang):
    assert all(CATALOGUE[lang].get(f"warning.{code}") for code in WARNING_CODES)
    assert CATALOGUE["zh"]["warning.TEMPLATE_TEXT"] == "材料雷同"
