"""The Departments page (单位工作) and the overview's red and black lists under AppTest,
through app.py: the page, the overview and ``report departments`` agree on every figure
for every period the page offers; a liaison starts on its own department; a name on the
overview leads to its department; a period half chosen waits."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from geo import db, store
from geo.department_report import FIGURE_FIELDS, departments_report
from geo.period import Period
from geo.settings import local_today
from tests import test_apptest as shared

app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run
_maps = shared._maps
ADMIN = shared.ADMIN

pytestmark = pytest.mark.slow

PAGE = "app_pages/departments.py"
SHARES = {"compliance", "paired_coverage", "resolution_rate", "long_term_share",
          "satisfaction", "participation", "leader_participation"}


def _departments_page(user: str):
    at = _run(user=user)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _report(database: Path, period: Period) -> dict:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        return departments_report(engine, ADMIN, period, 90)
    finally:
        engine.dispose()


def _same(shown: object, expected: object, share: bool) -> bool:
    if expected is None:
        return shown is None or (isinstance(shown, float) and math.isnan(shown))
    value = float(shown) / 100 if share else float(shown)
    return math.isclose(value, float(expected), rel_tol=1e-9, abs_tol=1e-9)


def _assert_ranking_agrees(at, report: dict) -> None:
    """The ranking table shows the report's departments in its order, every figure
    equal (shares shown in percent), and the bars hold the ranked ones."""
    table = at.dataframe[0].value  # only the columns shown: names, not codes
    assert "code" not in table.columns
    assert list(table["name"]) == [d["name"] for d in report["departments"]]
    for row, expected in zip(table.to_dict("records"), report["departments"], strict=True):
        for field in [*FIGURE_FIELDS, "score"]:
            assert _same(row[field], expected[field], field in SHARES), (row["name"], field)
        assert (row["rank"] is None or math.isnan(row["rank"])) == (expected["rank"] is None)
    warnings = at.dataframe[-1].value if report["warnings"] else None
    if warnings is not None:
        assert len(warnings) == len(report["warnings"])
        assert list(warnings["count"]) == [w["detail"]["visits"] for w in report["warnings"]]


def test_page_agrees_with_the_report_for_every_period(app_db: Path):
    today = local_today()
    at = _departments_page("organiser")
    assert at.caption[0].value.startswith(f"截至 {today.isoformat()}")
    _assert_ranking_agrees(at, _report(app_db, Period.last_months(today)))

    at.radio(key="departments_period_choice").set_value("window").run()
    _assert_ranking_agrees(at, _report(app_db, Period(today, 90)))

    at.radio(key="departments_period_choice").set_value("year").run()
    years = at.selectbox(key="departments_period_year").options
    assert years[0] == str(today.year)
    last_year = today.year - 1
    at.selectbox(key="departments_period_year").set_value(last_year).run()
    assert not at.exception
    _assert_ranking_agrees(at, _report(app_db, Period.calendar_year(last_year, today)))

    at.radio(key="departments_period_choice").set_value("range").run()
    start, end = date(today.year, 1, 1), today
    at.date_input(key="departments_period_range").set_value((start, end)).run()
    _assert_ranking_agrees(at, _report(app_db, Period.between(start, end)))


def test_a_range_with_only_its_first_day_waits(app_db: Path):
    at = _departments_page("leader")
    at.radio(key="departments_period_choice").set_value("range").run()
    at.date_input(key="departments_period_range").set_value((local_today(),)).run()
    assert not at.exception and not at.error
    assert [i.value for i in at.info] == ["请再选择结束日期。"]
    assert not at.dataframe


def test_a_liaison_starts_on_its_own_department(app_db: Path):
    at = _departments_page("liaison")  # XS001
    assert at.multiselect(key="departments_compare").value == ["XS001"]
    assert at.selectbox(key="departments_map_department").value == "XS001"
    assert at.selectbox(key="departments_warnings_department").value == "XS001"
    organiser = _departments_page("organiser")  # the best of the ranking
    best = _report(app_db, Period.last_months(local_today()))["departments"][0]["code"]
    assert organiser.multiselect(key="departments_compare").value == [best]
    assert organiser.selectbox(key="departments_warnings_department").value is None


def test_the_map_and_its_table_count_the_same_villages(app_db: Path):
    """The legend's classes of the chosen department add up to the rows of the table
    below the map, and each class holds the villages the table puts in it."""
    at = _departments_page("organiser")
    at.selectbox(key="departments_map_department").set_value("XS001").run()
    villages = next(d.value for d in at.dataframe if "village" in d.value.columns)
    (fmap,) = _maps(at)
    script = json.loads(fmap.proto.json_args)["script"]
    share = villages["compliance"]
    classes = {"每月均达标": int((share >= 100).sum()),
               "半数以上月份达标": int(share.between(50, 100, inclusive="left").sum()),
               "不足半数月份达标": int((share < 50).sum()),
               "尚无可考核的整月": int(share.isna().sum()),
               "非该单位结对村": 96 - len(villages)}
    assert len(villages) >= 1 and sum(classes.values()) == 96
    # The legend's markup sits in the script as a JSON string (Jinja's tojson).
    legend = json.loads(re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', script)[1])
    assert "所选单位结对村" in legend
    for label, count in classes.items():
        assert f"{label}：<b>{count} 个</b>" in legend, label


def test_the_overview_lists_agree_with_the_report_and_lead_to_the_department(
        app_db: Path):
    report = _report(app_db, Period(local_today(), 90))
    ranked = [d for d in report["departments"] if d["score"] is not None and d["rank"]]
    at = _run(user="leader")
    assert not at.exception
    links = [link for link in at.get("page_link")
             if link.proto.page == "departments"]
    codes = [parse_qs(link.proto.query_string)["department"][0] for link in links]
    assert codes == [d["code"] for d in ranked[:5] + ranked[-5:]]
    for link, department in zip(links, ranked[:5] + ranked[-5:], strict=True):
        assert link.value.startswith(f"{department['rank']}\u3000{department['score']:.2f}")
    # The link's department opens on the page, over the overview's period: its score
    # and rank there are those the overview showed.
    query = parse_qs(links[-1].proto.query_string)
    assert query["period"] == ["window"]
    at.query_params["department"] = codes[-1]
    at.query_params["period"] = "window"
    at.switch_page(PAGE).run()
    assert at.radio(key="departments_period_choice").value == "window"
    assert at.multiselect(key="departments_compare").value == [codes[-1]]
    assert at.selectbox(key="departments_map_department").value == codes[-1]
    _assert_ranking_agrees(at, report)


def test_a_link_to_an_unknown_department_or_period_says_so(app_db: Path):
    at = _run(user="leader")
    at.query_params["department"] = "**XS999**"
    at.query_params["period"] = "decade"
    at.switch_page(PAGE).run()
    assert not at.exception
    period, department = at.warning
    assert "decade" in period.value and at.radio(key="departments_period_choice").value == "months"
    assert "XS999" in department.value and "**XS999**" not in department.value


def test_a_future_end_and_a_sixth_department_are_said_in_chinese(app_db: Path):
    """Streamlit's own checks would say these in English (a date after max_value, more
    than max_selections): the page says them itself and computes nothing from them."""
    today = local_today()
    at = _departments_page("organiser")
    six = _report(app_db, Period.last_months(today))["departments"][:6]
    at.multiselect(key="departments_compare").set_value([d["code"] for d in six]).run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["最多对比 5 个单位，只显示前 5 个。"]
    at.radio(key="departments_period_choice").set_value("range").run()
    later = date(today.year + 1, 1, 31)
    at.date_input(key="departments_period_range").set_value((today, later)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"结束日期 {later.isoformat()} 晚于今天（{today.isoformat()}），请重新选择。"]
    assert not at.dataframe


def test_a_period_before_the_first_visit_says_so(app_db: Path):
    engine = db.make_engine(f"sqlite:///{app_db}")
    try:
        first = store.first_visit_date(engine)
    finally:
        engine.dispose()
    at = _departments_page("leader")
    at.radio(key="departments_period_choice").set_value("year").run()
    at.selectbox(key="departments_period_year").set_value(first.year).run()
    assert next(i.value for i in at.info).startswith(f"走访记录从 {first.isoformat()} 开始")
    at.radio(key="departments_period_choice").set_value("range").run()
    at.date_input(key="departments_period_range").set_value(
        (date(first.year - 2, 1, 1), date(first.year - 2, 6, 30))).run()
    assert "统计期内没有任何走访记录。" in [i.value for i in at.info]
