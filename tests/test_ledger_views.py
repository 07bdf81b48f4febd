"""The problem ledger as the pages show it, on hand-made data: a liaison's overdue
villages, the coverage map's 诉求 layer (legend adding up, overdue villages outlined,
tooltips escaped), and the overview's 超期未办结 figure at ``T`` and ``T - W``."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.inputs import CoverageInputs
from geo.layers import COVERAGE_LAYERS, LAYERS, OVERDUE_OUTLINE, PROBLEM_COLOURS, problem_layer
from geo.maps import build_village_map, escape, map_labels
from geo.overview import build_overview
from geo.problems import overdue_villages, problem_totals, village_problem_figures
from tests import test_maps

T = date(2026, 6, 30)
LABELS = map_labels("zh", 90)


def _problems(rows: list[tuple]) -> pd.DataFrame:
    """(village, raised_on, due_date, resolved_on) rows; status follows resolved_on."""
    frame = pd.DataFrame(rows, columns=["village_code", "raised_on", "due_date",
                                        "resolved_on"])
    frame["department_code"] = "D1"
    frame["status"] = ["resolved" if day is not None else "open"
                       for day in frame["resolved_on"]]
    frame["satisfaction"] = None
    frame["resolved_on"] = frame["resolved_on"].astype(object)
    return frame


PROBLEMS = _problems([
    ("V1", date(2026, 4, 1), date(2026, 5, 1), None),  # 60 days overdue at T
    ("V1", date(2026, 6, 1), date(2026, 6, 29), None),  # 1 day overdue
    ("V1", date(2026, 6, 20), date(2026, 7, 20), None),  # open, not due
    ("V2", date(2026, 5, 1), date(2026, 6, 30), None),  # due on T: not overdue yet
    ("V2", date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)),  # resolved
    ("V3", date(2026, 5, 1), date(2026, 5, 31), date(2026, 7, 5)),  # closed after T
    ("V3", date(2026, 7, 1), date(2026, 7, 2), None),  # raised after T
])


def test_overdue_villages_longest_first_with_days_past_the_due_date():
    frame = overdue_villages(PROBLEMS, T)
    assert frame.to_dict("records") == [
        {"village_code": "V1", "overdue": 2, "days_overdue": 60},
        {"village_code": "V3", "overdue": 1, "days_overdue": 30}]
    assert overdue_villages(PROBLEMS, date(2026, 5, 2)).to_dict("records") == [
        {"village_code": "V1", "overdue": 1, "days_overdue": 1}]
    assert overdue_villages(PROBLEMS.iloc[:0], T).empty


def test_the_problem_layer_classifies_every_village_and_outlines_the_overdue():
    codes = pd.Index(["V1", "V2", "V3", "V4", "V5"])
    many = _problems([("V5", date(2026, 6, 1), date(2026, 7, 1), None)] * 5)
    figures = village_problem_figures(pd.concat([PROBLEMS, many], ignore_index=True), codes, T)
    layer = problem_layer(figures, codes, LABELS)
    assert layer.village_class.to_dict() == {"V1": "c3", "V2": "c1", "V3": "c1",
                                             "V4": "none", "V5": "c4"}
    assert [(c.label, c.count) for c in layer.legend] == [
        ("无待办诉求", 1), ("1 件", 2), ("2 件", 0), ("3–4 件", 1), ("5 件及以上", 1)]
    assert sum(c.count for c in layer.legend) == len(codes)  # adds up to the villages
    assert layer.outlined.to_dict() == {"V1": True, "V2": False, "V3": True, "V4": False,
                                        "V5": False}
    assert layer.value_text.to_dict() == {
        "V1": "3 件，其中超期 2 件", "V2": "1 件", "V3": "1 件，其中超期 1 件", "V4": "0 件",
        "V5": "5 件"}
    assert layer.colours == PROBLEM_COLOURS and "problems" in COVERAGE_LAYERS
    assert "problems" not in LAYERS  # classified from the ledger, not the village status


def test_the_map_outlines_overdue_villages_and_escapes_its_text():
    test_maps.configure_offline_assets()
    county, townships, villages = test_maps._units()
    codes = pd.Index(villages["code"])
    figures = village_problem_figures(PROBLEMS, codes, T)
    fmap = build_village_map(villages, townships, county, test_maps._status(villages),
                             LABELS, shown_layer=problem_layer(figures, codes, LABELS))
    legend = test_maps._legend(fmap)
    assert "待办群众诉求（蓝色粗边：有超期未办结）" in legend
    assert "无待办诉求：<b>0 个</b>" in legend and "1 件：<b>2 个</b>" in legend
    assert "3–4 件：<b>1 个</b>" in legend
    assert "其中有超期未办结的村：<b>2 个</b>" in legend
    shapes = next(child for child in fmap._children.values()
                  if getattr(child, "layer_name", "") == "villages")
    features = {f["properties"]["code"]: f for f in shapes.data["features"]}
    styles = {code: shapes.style_function(feature) for code, feature in features.items()}
    assert styles["V1"]["color"] == styles["V3"]["color"] == OVERDUE_OUTLINE
    assert styles["V1"]["weight"] > 3 > styles["V2"]["weight"]
    # The overdue villages are drawn last, so that no neighbour's edge covers theirs.
    assert [f["properties"]["code"] for f in shapes.data["features"]][-2:] == ["V1", "V3"]
    assert features["V1"]["properties"]["name"] == escape(test_maps.PAYLOAD)
    html = fmap.get_root().render()
    assert test_maps.PAYLOAD not in html
    assert test_maps.remote_asset_links(html) == []


def test_the_overview_counts_overdue_problems_now_and_a_window_earlier():
    _county, _townships, villages = test_maps._units()
    pairings = pd.DataFrame({"id": [1], "department_code": ["D1"], "village_code": ["V1"],
                             "start_date": [date(2025, 1, 1)], "end_date": [None],
                             "required_visits_per_month": [1]})
    visits = pd.DataFrame({"village_code": ["V1"], "date": [date(2026, 6, 1)],
                           "department_code": ["D1"], "problems_raised": [0],
                           "problems_resolved": [0]})
    inputs = CoverageInputs(villages, pairings, visits, T, 90, 90, PROBLEMS)
    overview = build_overview(inputs, pd.DataFrame({"code": ["D1"], "name": ["局"]}))
    assert overview.kpis.overdue_problems == 3 == problem_totals(
        PROBLEMS, inputs.period)["overdue"]
    # At T - 90 = 2026-04-01 the first problem is raised that day and not yet due.
    assert overview.previous.overdue_problems == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_layer_speaks_both_languages(lang: str):
    labels = map_labels(lang, 90)
    codes = pd.Index(["V1"])
    layer = problem_layer(village_problem_figures(PROBLEMS, codes, T), codes, labels)
    assert layer.value_text["V1"] == {"zh": "3 件，其中超期 2 件",
                                      "en": "3 open, 2 overdue"}[lang]
    assert labels["layer.problems"] == {"zh": "诉求", "en": "Problems"}[lang]
