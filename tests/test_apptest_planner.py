"""The pairing planner (结对规划) under AppTest, through app.py: the organiser's plan is
the command line's, a commit writes the accepted rows as pairings (and the plan then
has nothing left to propose for them), the undo takes them back; an incomplete pair is
said; the page is refused to leaders and liaisons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo import db, plan_service, store
from geo.i18n import translate
from geo.settings import local_today
from tests import test_apptest as shared

app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run
ADMIN = shared.ADMIN

pytestmark = pytest.mark.slow

PAGE = "app_pages/planner.py"


def _planner(user: str = "organiser"):
    at = _run(user=user)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _expected(database: Path) -> dict:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        data = plan_service.load_plan_data(engine, ADMIN, local_today(), 90, 90)
        return plan_service.make_plan(data).as_dict()
    finally:
        engine.dispose()


def _pairings(database: Path) -> pd.DataFrame:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        return store.load_pairings(engine)
    finally:
        engine.dispose()


def test_the_page_shows_the_commands_plan_and_commits_and_undoes_it(app_db: Path):
    expected = _expected(app_db)
    assert expected["proposals"], "the sample county has villages to plan for"
    at = _planner()
    assert at.subheader[0].value == f"结对建议（{len(expected['proposals'])} 条）"
    before = _pairings(app_db)
    at.button(key="planner_commit").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == translate("planner.committed", "zh",
                                            count=len(expected["proposals"]))
    after = _pairings(app_db)
    new = after[~after["id"].isin(before["id"])]
    assert sorted(zip(new["department_code"], new["village_code"], strict=True)) == sorted(
        (p["department_code"], p["village_code"]) for p in expected["proposals"])
    assert set(new["kind"]) == {"结对共建"} and set(new["start_date"]) == {local_today()}
    # The villages now have a department each: none of them is unpaired any more (one
    # still never visited may get a second department, up to --max-per-village).
    replanned = _expected(app_db)["proposals"]
    assert not {p["village_code"] for p in replanned
                if p["reason"] == "UNPAIRED"} & set(new["village_code"])
    # The page says how many proposals add a second department, and shows who is there.
    second = [p for p in replanned if p["village_code"] in set(after["village_code"][
        after["end_date"].isna()])]
    assert second, "on the sample county a just-paired village is still never visited"
    assert translate("planner.second_pairings", "zh", count=len(second)) in [
        c.value for c in at.caption]
    proposals = [d.value for d in at.dataframe if "accept" in d.value.columns]
    assert len(proposals) == 1
    listed = proposals[0].set_index("village")["paired_with"]
    assert (listed != "").sum() == len(second)
    at.button(key="planner_undo").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("已撤销")
    assert len(_pairings(app_db)) == len(before)


def test_an_incomplete_lock_is_said_and_nothing_is_planned(app_db: Path):
    at = _planner()
    at.session_state["planner_locks"] = {"edited_rows": {}, "deleted_rows": [],
                                         "added_rows": [{"department": "县委办公室"}]}
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "第 1 行只选了单位或村中的一个，请补全或删除该行。"]
    assert not at.subheader


@pytest.mark.parametrize("role", ["leader", "liaison"])
def test_the_planner_is_not_for_leaders_and_liaisons(app_db: Path, role: str):
    at = _run(PAGE, user=role)
    assert [w.value for w in at.warning] == [translate("error.refused", "zh")]
    assert not at.dataframe and not at.button and not at.title


def test_an_uploaded_road_distance_table_names_its_rows_by_the_uploaded_name(app_db: Path):
    from geo.errors import DataError
    from geo.i18n import translate_error
    from ui.loaders import read_cost_upload

    engine = db.make_engine(f"sqlite:///{app_db}")
    try:
        data = plan_service.load_plan_data(engine, ADMIN, local_today(), 90, 90)
    finally:
        engine.dispose()
    good = "单位代码,村代码,公里\nXS001,420526101201,12.5\n".encode()
    costs = read_cost_upload("道路距离.csv", good, data)
    assert costs[["department_code", "village_code", "km"]].values.tolist() == [
        ["XS001", "420526101201", 12.5]]
    with pytest.raises(DataError) as caught:
        read_cost_upload("道路距离.csv", "单位代码,村代码,公里\nXS001,420526101201,远\n"
                         .encode(), data)
    text = translate_error(caught.value, "zh")
    assert "文件 道路距离.csv，第 2 行" in text and "/tmp" not in text


@pytest.mark.parametrize("typed", ["-3", "2.5", "abc", ""])
def test_places_not_a_whole_number_from_zero_are_said_and_nothing_is_planned(
        app_db: Path, typed: str):
    """The grid's number cells dropped a minus sign (-3 became 3) or a decimal point
    (2.5 became 25) unseen: the places are typed as text and checked."""
    at = _planner()
    at.session_state["planner_capacity_15"] = {
        "edited_rows": {0: {"places": typed}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("名额须为不小于 0 的整数") and f"“{typed}”" in error.value
    assert not at.subheader  # no plan from a place not typed as meant
    at.session_state["planner_capacity_15"] = {
        "edited_rows": {0: {"places": "0"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.error and at.subheader


@pytest.mark.parametrize(("key", "typed", "low", "high"), [
    ("planner_max_per_village", "2.5", 1, 10), ("planner_max_per_village", "1e3", 1, 10),
    ("planner_max_per_village", "0", 1, 10), ("planner_members_per_village", "两", 1, 1000),
    ("planner_members_per_village", "", 1, 1000)])
def test_the_two_numbers_are_checked_as_typed(app_db: Path, key: str, typed: str,
                                              low: int, high: int):
    """Streamlit's number box turned "2.5" into 2 and "1e3" into 1 unseen."""
    at = _planner()
    at.text_input(key=key).set_value(typed).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"“{typed}”不是 {low} 到 {high} 之间的整数，请改正。"]
    assert not at.subheader
    at.text_input(key=key).set_value("3").run()
    assert not at.error and at.subheader


def test_the_same_lock_twice_is_said_as_a_repeat(app_db: Path):
    """Entered twice, one lock read "locked to two departments (XS001 and XS001)"."""
    at = _planner()
    village = next(label for label in _village_labels(app_db) if label.startswith("陈家湾村"))
    lock = {"department": "县委办公室", "village": village}
    at.session_state["planner_locks"] = {"edited_rows": {}, "deleted_rows": [],
                                         "added_rows": [lock, dict(lock)]}
    at.run()
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == ["第 1, 2 行是同一个单位与村，请删去重复的行。"]
    assert not at.subheader


def _village_labels(database: Path) -> list[str]:
    from ui.widgets import _village_labels as labels

    engine = db.make_engine(f"sqlite:///{database}")
    try:
        data = plan_service.load_plan_data(engine, ADMIN, local_today(), 90, 90)
    finally:
        engine.dispose()
    return list(labels(data))
