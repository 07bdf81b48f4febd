"""What a county official reads on the overview, the neglected villages and the audit log,
under Streamlit's AppTest through app.py: the cards agree with the KPIs and the map's
legend and state their units, the township comparison is there worst first and can be
downloaded, the neglected page counts what it shows and puts severe villages first, a row
opens the village card, and no English "None", "empty" or raw JSON is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geo import auth, db, reports, store
from geo.neglected import build_neglected_table, filter_neglected
from geo.overview import build_overview
from geo.period import Period
from geo.settings import local_today
from geo.status import PAIRED_STATUSES, VISITED_STATUSES, status_counts
from geo.townships import build_township_table
from tests import test_apptest as shared

# The AppTest set-up of test_apptest.py: its database with a user per role, the
# navigation as in a running server, one run of a page as a logged-in user, its maps.
app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run
_maps = shared._maps
ADMIN = shared.ADMIN

pytestmark = pytest.mark.slow

WINDOW = NEGLECT = 90
TOWNSHIP = "420526102"  # 昭君镇
CARD_LABELS = ["已结对村", "近90天走访覆盖", "从未走访", "需关注村", "超期未办结"]


def _expected(path: Path):
    """The overview and the coverage inputs at today, computed by geo from the database
    the app reads (the app's own loader is not used)."""
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        inputs = reports.load_coverage_inputs(engine, ADMIN, Period(local_today(), WINDOW),
                                              NEGLECT)
        townships = store.load_townships(engine)
        departments = store.load_departments(engine)
    finally:
        engine.dispose()
    return build_overview(inputs, departments), inputs, townships, departments


def _table(at, marker: str):
    """The table keyed ``marker`` (a table with a row to select has its key), or else the
    one with a column named ``marker`` (AppTest knows no key of a read-only table)."""
    return next(d for d in at.dataframe if d.key == marker or marker in d.value.columns)


def _frame(at, marker: str) -> pd.DataFrame:
    return _table(at, marker).value


def _neglected(path: Path) -> pd.DataFrame:
    overview, _inputs, townships, departments = _expected(path)
    return build_neglected_table(overview.status, townships, departments)


def test_cards_agree_with_the_kpis_and_the_legend_and_state_their_units(app_db: Path):
    overview, _inputs, _townships, _departments = _expected(app_db)
    kpis, previous = overview.kpis, overview.previous
    at = _run(user="leader")
    assert not at.exception and not at.error
    cards = {m.label: m for m in at.metric}
    assert list(cards) == CARD_LABELS
    assert "薄弱村" not in at.markdown and "薄弱村" not in str([m.proto for m in at.metric])
    assert cards["已结对村"].value == f"{kpis.paired} / {kpis.villages}"
    assert cards["近90天走访覆盖"].value == f"{kpis.visited_share:.0%}"
    assert cards["从未走访"].value == str(kpis.never_visited)
    assert cards["需关注村"].value == str(kpis.severe)
    assert cards["超期未办结"].value == str(kpis.overdue_problems)
    assert "不是软弱涣散村" in cards["需关注村"].proto.help

    def change(delta: str, unit: str) -> float:
        assert delta.endswith(f" {unit}"), (delta, unit)
        return float(delta.removesuffix(f" {unit}"))

    assert change(cards["已结对村"].proto.delta, "个") == kpis.paired - previous.paired
    assert change(cards["从未走访"].proto.delta, "个") == (kpis.never_visited
                                                       - previous.never_visited)
    assert change(cards["需关注村"].proto.delta, "个") == kpis.severe - previous.severe
    assert change(cards["超期未办结"].proto.delta, "件") == (kpis.overdue_problems
                                                        - previous.overdue_problems)
    points = round((kpis.visited_share - previous.visited_share) * 100, 1)
    assert change(cards["近90天走访覆盖"].proto.delta, "个百分点") == points
    assert all(m.proto.delta_description == "较上一90天" for m in at.metric)
    # Projector: the page's style (little space above the title) is set once, by ui.page.
    styles = [h.proto.body for h in at.get("html") if "stMainBlockContainer" in h.proto.body]
    assert len(styles) == 1 and "padding-top: 1rem" in styles[0]

    # The legend's classes add up to the cards (DESIGN.md's invariants), as drawn.
    script = json.loads(_maps(at)[0].proto.json_args)["script"]
    markup = next(json.loads(m.group()) for m in re.finditer(r'"(?:[^"\\]|\\.)*"', script)
                  if "pairmap-legend-body" in m.group())
    legend = {label: int(count) for label, count
              in re.findall(r"([^<>]+)：<b>(\d+) 个</b>", markup)}
    counts = status_counts(overview.status)
    names = {"paired_visited": "已结对·近期有走访", "paired_lapsed": "已结对·超期未走访",
             "paired_never": "已结对·从未走访", "unpaired_visited": "未结对·近期有走访",
             "unpaired_not_visited": "未结对·近期无走访"}
    assert {names[s]: n for s, n in counts.items()} == {
        label: n for label, n in legend.items() if label in names.values()}
    assert sum(legend[names[s]] for s in PAIRED_STATUSES) == kpis.paired
    assert sum(legend[names[s]] for s in VISITED_STATUSES) == kpis.visited
    hatched = legend["其中从未走访（斜线）"]
    assert legend[names["paired_never"]] + hatched == kpis.never_visited


def test_the_township_comparison_is_worst_first_and_downloadable(app_db: Path):
    overview, inputs, townships, _departments = _expected(app_db)
    expected = build_township_table(overview.status, inputs.villages, townships)
    at = _run(user="leader")
    assert not at.exception
    assert "乡镇对比" in [h.value for h in at.subheader]
    shown = _frame(at, "visits_per_1000")
    percent = expected.assign(paired_share=expected["paired_share"] * 100,
                              visited_share=expected["visited_share"] * 100)
    # The browser gets the columns shown and no others (no township code).
    assert list(shown.columns) == [c for c in percent.columns if c != "code"]
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), percent[shown.columns],
                                  check_dtype=False)
    assert len(shown) == 8 and shown["villages"].sum() == 96
    severe_share = (shown["severe"] / shown["villages"]).tolist()
    assert severe_share == sorted(severe_share, reverse=True)  # worst first
    assert shown["severe"].sum() == overview.kpis.severe  # the same roll-up as the card
    keys = {b.key for b in at.get("download_button")}
    assert {"overview_townships_csv", "overview_townships_xlsx"} <= keys
    config = json.loads(_table(at, "visits_per_1000").proto.columns)
    assert config["paired_share"]["type_config"] == {
        "type": "progress", "format": "%.0f%%", "min_value": 0, "max_value": 100}
    assert config["visited_share"]["label"] == "近90天走访覆盖率"


def test_the_top_ten_put_severe_villages_first(app_db: Path):
    at = _run(user="leader")
    top = _frame(at, "group")
    assert len(top) == 10
    groups = top["group"].tolist()
    assert groups == sorted(groups, key=lambda g: g != "严重")
    assert set(groups) <= {"严重", "一般"}


def test_the_neglected_caption_counts_what_is_shown(app_db: Path):
    expected = _neglected(app_db)
    at = _run("app_pages/neglected.py", user="organiser")
    assert not at.exception and not at.error
    assert at.caption[1].value == (
        f"{len(expected)} 个村（社区）待关注，含严重与一般（全县共 96 个）")
    at.selectbox(key="neglected_township").set_value(TOWNSHIP).run()
    shown = filter_neglected(expected, TOWNSHIP)
    total = int((_expected(app_db)[0].status["township_code"] == TOWNSHIP).sum())
    assert 0 < len(shown) < total < 96
    assert at.caption[1].value == (
        f"{len(shown)} 个村（社区）待关注，含严重与一般（昭君镇共 {total} 个）")
    rows = pd.concat([d.value for d in at.dataframe
                      if (d.key or "").startswith(("neglected_severe", "neglected_general"))])
    assert sorted(rows["code"]) == sorted(shown["code"])
    assert set(rows["township"]) == {"昭君镇"}


def test_severe_villages_come_first_with_open_problems_and_shortfalls(app_db: Path):
    expected = _neglected(app_db)
    at = _run("app_pages/neglected.py", user="leader")
    titles = [h.value for h in at.subheader]
    severe = filter_neglected(expected, group="severe")
    general = filter_neglected(expected, group="general")
    assert titles[:2] == [f"严重：{len(severe)} 个", f"一般：{len(general)} 个"]
    assert [d.key for d in at.dataframe][:2] == ["neglected_severe", "neglected_general"]
    assert _frame(at, "neglected_severe")["code"].tolist() == severe["code"].tolist()
    general_shown = _frame(at, "neglected_general")
    assert general_shown["code"].tolist() == general["code"].tolist()
    # Every general village says why: open problems, or who fell short in which month.
    pending = general_shown["reasons"].str.contains("问题未解决")
    assert (general_shown.loc[pending, "open_problems"] > 0).all()
    below = general_shown["reasons"].str.contains("走访未达要求")
    assert below.any()
    assert general_shown.loc[below, "shortfalls"].str.match(r"^[^X].*：\d{4}-\d{2}").all()
    config = json.loads(_table(at, "neglected_general").proto.columns)
    assert config["open_problems"]["label"] == "未解决问题"
    assert config["shortfalls"]["label"] == "未达要求的单位及月份"


def test_a_selected_row_opens_the_village_card(app_db: Path):
    at = _run("app_pages/neglected.py", user="leader")
    first = _frame(at, "neglected_severe").iloc[0]
    at.session_state["neglected_severe"] = {"selection": {"rows": [0], "columns": [],
                                                          "cells": []}}
    at.run()
    assert not at.exception and not at.error
    assert f"{first['village']}（{first['township']}）" in [h.value for h in at.subheader]
    assert set(_frame(at, "factor")["factor"]) == {"人口", "留守老人比例", "低收入户比例",
                                                   "软弱涣散村"}  # the card's need factors
    assert any(m.label == "距上次走访" for m in at.metric)
    # A filter changes what the rows are: the tick is not carried to another village.
    at.selectbox(key="neglected_township").set_value(TOWNSHIP).run()
    assert not at.exception
    assert not any(h.value.endswith("）") and "（" in h.value for h in at.subheader)
    assert not any("factor" in d.value.columns for d in at.dataframe)


def test_the_audit_log_reads_in_chinese(app_db: Path):
    engine = db.make_engine(f"sqlite:///{app_db}")
    auth.deactivate_user(engine, ADMIN, "leader")
    engine.dispose()
    at = _run("app_pages/audit_log.py", user="organiser")
    assert not at.exception and not at.error
    log = _frame(at, "changes")
    # The sample county's seeding replaced the (empty) data; then the users were added.
    assert set(log["action"]) == {"整体替换数据", "新增", "停用"}
    assert set(log["entity"]) == {"全部数据", "用户"}
    assert "在用：是 → 否" in log["changes"].tolist()
    assert "id" not in log.columns  # hidden, so not sent to the browser
    cells = log.drop(columns=["at"]).astype(str)
    assert not cells.apply(lambda c: c.str.contains(r"[{}]|None|nan")).any().any()
    at.text_input(key="audit_username").input("nobody").run()
    assert not at.dataframe
    assert [i.value for i in at.info] == ["按当前筛选条件，没有审计记录。"]


@pytest.mark.parametrize("page", ["app.py", "app_pages/neglected.py"])
def test_no_table_shows_none(app_db: Path, page: str):
    """A missing value reads 从未 or —, never Streamlit's "None"; no cell holds text such
    as "None" or "nan"."""
    at = _run(page, user="leader")
    at.session_state["neglected_severe"] = {"selection": {"rows": [0], "columns": [],
                                                          "cells": []}}
    at.run()
    assert at.dataframe
    for table in at.dataframe:
        frame = table.value
        if frame.isna().any().any():
            assert table.proto.placeholder in ("从未", "—"), table.key
        for name, column in frame.select_dtypes(exclude="number").items():
            words = column.dropna().astype(str)
            assert not words.isin(["None", "nan", "NaT", "empty"]).any(), (table.key, name)
