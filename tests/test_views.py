"""Map layers, the village card and the neglected table on small hand-made data."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from geo.inputs import CoverageInputs
from geo.layers import (
    COMPLIANCE_COLOURS,
    LAYERS,
    NEVER_COLOUR,
    build_layer,
    compliance_layer,
    quantile_breaks,
    visits_per_1000,
)
from geo.maps import map_labels
from geo.neglected import build_neglected_table, filter_neglected
from geo.problems import empty_problems
from geo.status import compute_village_status
from geo.village_card import build_village_card

T = date(2026, 6, 30)
LABELS = map_labels("zh", 90)
VILLAGES = pd.DataFrame({
    "code": ["420526101201", "420526101202", "420526102201", "420526102202"],
    "short_name": ["甲村", "乙村", "丙村", "丁村"],
    "parent_code": ["420526101", "420526101", "420526102", "420526102"],
    "population": pd.array([1000, 2000, None, 500], dtype="Int64"),
    "households": pd.array([300, 600, None, 150], dtype="Int64"),
    "left_behind_elderly": pd.array([100, 100, None, 100], dtype="Int64"),
    "low_income_households": pd.array([10, 20, None, 30], dtype="Int64"),
    "weak": [False, False, False, True],
})
TOWNSHIPS = pd.DataFrame({"code": ["420526101", "420526102"], "short_name": ["古夫镇", "昭君镇"]})
DEPARTMENTS = pd.DataFrame({"code": ["D1", "D2"], "name": ["县委办公室", "县公安局"]})
PAIRINGS = pd.DataFrame({
    "id": [1, 2, 3],
    "department_code": ["D1", "D2", "D1"],
    "village_code": ["420526101201", "420526101201", "420526102201"],
    "kind": ["结对共建", "四联四推", "结对共建"],
    "start_date": [date(2025, 1, 1)] * 3,
    "end_date": [None, None, None],
    "required_visits_per_month": [1, 1, 1],
})


def _visits() -> pd.DataFrame:
    rows = []
    for month in (4, 5, 6):  # D1 visits 甲村 every month; D2 never does
        rows.append(("D1", "420526101201", date(2026, month, 10), "政策宣讲", 2, 2))
    rows.append(("D1", "420526102201", T - timedelta(days=200), "走访慰问", 1, 0))
    rows.append(("D2", "420526101202", T - timedelta(days=5), "其他", 3, 1))
    frame = pd.DataFrame(rows, columns=["department_code", "village_code", "date", "kind",
                                        "problems_raised", "problems_resolved"])
    frame.insert(0, "id", range(1, len(frame) + 1))
    frame["households_visited"] = 2
    frame["summary"] = [f"<b>记录{i}</b>" for i in frame["id"]]
    return frame


@pytest.fixture(scope="module")
def status() -> pd.DataFrame:
    return compute_village_status(_inputs(), DEPARTMENTS)


def _inputs() -> CoverageInputs:
    return CoverageInputs(VILLAGES, PAIRINGS, _visits(), T, 90, 90, empty_problems())


def test_every_layer_classifies_every_village(status):
    for name in LAYERS:
        layer = build_layer(name, status, VILLAGES, LABELS)
        assert layer.village_class.reindex(status.index).notna().all(), name
        assert sum(c.count for c in layer.legend) == len(status), name
        assert set(layer.village_class) <= set(layer.colours), name


def test_days_layer_keeps_never_visited_apart(status):
    layer = build_layer("days", status, VILLAGES, LABELS)
    assert layer.village_class["420526102202"] == "never"
    assert layer.colours["never"] == NEVER_COLOUR
    legend = {c.key: c for c in layer.legend}
    assert legend["never"].count == 1 and legend["never"].label == "从未走访"
    assert layer.village_class["420526102201"] == "c4"  # 200 days: the longest class
    assert [c.label for c in layer.legend] == ["0–29 天", "30–59 天", "60–89 天", "90–179 天",
                                               "180 天及以上", "从未走访"]


def test_visits_per_1000_has_a_no_data_class(status):
    rate = visits_per_1000(status, VILLAGES)
    assert rate["420526101201"] == pytest.approx(3 * 1000 / 1000)
    assert rate["420526101202"] == pytest.approx(1 * 1000 / 2000)
    assert pd.isna(rate["420526102201"])  # population missing
    layer = build_layer("visits_per_1000", status, VILLAGES, LABELS)
    assert layer.village_class["420526102201"] == "no_data"
    assert {c.key: c.count for c in layer.legend}["no_data"] == 1


def test_quantile_breaks():
    assert quantile_breaks(pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])) == [2.8, 4.6, 6.4, 8.2]
    assert quantile_breaks(pd.Series([None, None], dtype="float64")) == []
    assert quantile_breaks(pd.Series([3.0, 3, 3])) == [3.0]


def test_village_card(status):
    visits = _visits()
    card = build_village_card("420526101201", status, _inputs(), TOWNSHIPS, DEPARTMENTS,
                              visible_visits=visits)
    assert (card.name, card.township) == ("甲村", "古夫镇")
    assert card.reasons == ["走访未达要求"]  # D2 visited in none of its judged months
    compliance = dict(zip(card.pairings["department"], card.pairings["compliance"],
                          strict=True))
    assert compliance == {"县委办公室": 1.0, "县公安局": 0.0}
    assert card.last_visits["summary"].tolist() == ["<b>记录3</b>", "<b>记录2</b>",
                                                     "<b>记录1</b>"]
    assert card.need_factors["weight"].sum() == pytest.approx(1.0)
    hidden = build_village_card("420526101201", status, _inputs(), TOWNSHIPS, DEPARTMENTS,
                                visible_visits=None)
    assert hidden.last_visits.empty


def test_neglected_table_order_labels_and_filters(status):
    table = build_neglected_table(status, TOWNSHIPS)
    # 丁村 unpaired and never visited (3), 乙村 unpaired (3), 丙村 not visited (2), 甲村 (1)
    assert table["village"].tolist()[:2] == ["丁村", "乙村"]
    assert table["village"].tolist()[2:] == ["丙村", "甲村"]
    assert table.loc[0, "reasons"] == "未结对、从未走访"
    assert filter_neglected(table, township_code="420526101")["village"].tolist() == [
        "乙村", "甲村"]
    assert filter_neglected(table, reason="NOT_VISITED")["village"].tolist() == ["丙村"]


def test_neglected_table_says_how_severe_and_what_fell_short(status):
    table = build_neglected_table(status, TOWNSHIPS, DEPARTMENTS).set_index("village")
    # Severe: unpaired (丁村, 乙村) or not visited for 200 days (丙村); 甲村 only fell short.
    assert table["group"].to_dict() == {"丁村": "severe", "乙村": "severe",
                                        "丙村": "severe", "甲村": "general"}
    assert filter_neglected(table.reset_index(), group="general")["village"].tolist() == [
        "甲村"]
    # W = 90 before T = 2026-06-30: May and June are judged; D2 never visited 甲村, and
    # D1 last visited 丙村 200 days before T.
    assert table.loc["甲村", "shortfalls"] == "县公安局：2026-05、2026-06"
    assert table.loc["丙村", "shortfalls"] == "县委办公室：2026-05、2026-06"
    assert table.loc["丁村", "shortfalls"] == ""
    # 乙村: 3 problems raised, 1 resolved in the window.
    assert table["open_problems"].to_dict() == {"丁村": 0, "乙村": 2, "丙村": 0, "甲村": 0}


def test_township_table_is_the_report_roll_up_worst_first(status):
    from geo.townships import build_township_table

    table = build_township_table(status, VILLAGES, TOWNSHIPS)
    # 昭君镇: 丙村 (200 days) and 丁村 (unpaired, never) are both severe: 2 of 2.
    # 古夫镇: 乙村 (unpaired) is severe: 1 of 2.
    assert table["township"].tolist() == ["昭君镇", "古夫镇"]
    first = table.iloc[0].to_dict()
    assert {k: first[k] for k in ("villages", "never_visited", "severe", "neglected")} == {
        "villages": 2, "never_visited": 1, "severe": 2, "neglected": 2}
    assert (first["paired_share"], first["visited_share"]) == (0.5, 0.0)
    second = table.iloc[1]
    assert second["visited_share"] == 1.0  # 甲村 and 乙村 visited in the window
    assert second["visits_per_1000"] == pytest.approx(4 * 1000 / 3000)


def test_days_classes_open_at_their_break_as_the_window_does(status):
    """90 days since the last visit is outside the 90-day window and neglected: it opens
    the 90–179 class (it was counted with 61–90, so the days legend and the status
    legend disagreed by one village)."""
    days = pd.Series([29, 30, 89, 90], dtype="Int64")
    coverage = status.iloc[:4].copy()
    coverage["days_since_last_visit"] = days.to_numpy()
    layer = build_layer("days", coverage, VILLAGES, LABELS)
    assert layer.village_class.tolist() == ["c0", "c1", "c2", "c3"]


def test_compliance_layer_classes_and_tooltips():
    """Four paired villages, one in each class, and one not paired (white)."""
    codes = pd.Index(["V1", "V2", "V3", "V4", "V5"])
    compliance = pd.DataFrame({"months_judged": [3, 4, 3, 0], "months_met": [3, 2, 1, 0],
                               "compliance": [1.0, 0.5, 1 / 3, float("nan")]},
                              index=pd.Index(["V1", "V2", "V3", "V4"], name="code"))
    labels = map_labels("zh", 90)
    layer = compliance_layer(compliance, codes, labels)
    assert layer.village_class.to_dict() == {"V1": "full", "V2": "partial", "V3": "low",
                                             "V4": "unjudged", "V5": "other"}
    assert [c.count for c in layer.legend] == [1, 1, 1, 1, 1]
    assert [c.key for c in layer.legend] == list(COMPLIANCE_COLOURS)
    assert layer.value_text["V2"] == "2/4 个月（50%）"
    assert layer.value_text["V4"] == labels["layer.compliance_unjudged"]
    assert layer.value_text["V5"] == labels["layer.compliance_other"]


def test_the_neglected_table_and_the_card_speak_english(status):
    """Reasons, the shortfalls' separators and the departments' list follow ``lang``."""
    table = build_neglected_table(status, TOWNSHIPS, DEPARTMENTS, "en").set_index("village")
    assert table.loc["丁村", "reasons"] == "unpaired, never visited"
    assert table.loc["甲村", "shortfalls"] == "县公安局: 2026-05, 2026-06"
    assert table.loc["甲村", "departments"] == "县委办公室, 县公安局"
    card = build_village_card("420526101201", status, _inputs(), TOWNSHIPS, DEPARTMENTS,
                              lang="en")
    assert card.reasons == ["visits below requirement"]
    chinese = build_village_card("420526102202", status, _inputs(), TOWNSHIPS, DEPARTMENTS)
    assert chinese.reasons_text == "未结对、从未走访"
