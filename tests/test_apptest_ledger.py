"""The problem ledger on the pages, under AppTest through app.py: the visit form's problem
rows (saved with the visit, or refused naming row and column with nothing written), the
overview's 超期未办结 card (``report problems``' overdue total and its change), a
liaison's banner of its department's overdue problems, the coverage map's 诉求 layer
(its legend adding up) and the Departments page's ledger figures."""

from __future__ import annotations

import json
import math
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from geo import auth, db, reports
from geo.period import Period
from geo.problem_service import ProblemInput, add_problem
from geo.settings import local_today
from tests import test_apptest as shared
from tests import test_apptest_form as form

app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run
_maps = shared._maps
ADMIN = shared.ADMIN

pytestmark = pytest.mark.slow

WINDOW = 90
BANNER = shared.BANNER_START
LIAISON_DEPARTMENT = "XS001"


def _problems(database: Path) -> list[dict]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(
            "SELECT * FROM problems ORDER BY id").fetchall()]


def _report(database: Path, period: Period) -> dict:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        return reports.load_problems_report(engine, ADMIN, period)
    finally:
        engine.dispose()


def _banners(at) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith(BANNER)]


# --- the visit form's problem rows ---------------------------------------------------


def _rows(rows: list[tuple[str | None, str, str]], **typed: str):
    """The form of a liaison showing ``len(rows)`` problem rows (chosen first: the choice
    reruns the page, and a form's fields keep only what a submit sends), the visit filled
    in (``typed`` as ``form._fill`` takes it) and each row typed (category, description,
    resident)."""
    at = form._form()
    at.selectbox(key="new_problem_rows").set_value(len(rows)).run()
    at = form._fill(at, **typed)
    for number, (category, description, resident) in enumerate(rows):
        if category is not None:
            at.selectbox(key=f"new_problem_{number}_category").set_value(category)
        at.text_input(key=f"new_problem_{number}_description").input(description)
        at.text_input(key=f"new_problem_{number}_resident").input(resident)
    return at


def test_a_visit_saves_its_problem_rows_with_it(app_db: Path):
    before = len(_problems(app_db))
    at = form._save(_rows([("基础设施", "村道塌方需修复", "李四"),
                           ("教育", "校车接送时间不合适", "")], raised="1"))
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("已保存，编号 ")
    assert "同时登记诉求 2 条" in at.success[0].value
    visit_id = int(re.search(r"编号 (\d+)", at.success[0].value).group(1))
    added = _problems(app_db)[before:]
    assert [(p["category"], p["description"], p["resident"]) for p in added] == [
        ("基础设施", "村道塌方需修复", "李四"), ("教育", "校车接送时间不合适", None)]
    assert {p["raised_visit_id"] for p in added} == {visit_id}
    assert {p["department_code"] for p in added} == {LIAISON_DEPARTMENT}
    assert {p["village_code"] for p in added} == {form.VILLAGE}
    assert form._stored(app_db, visit_id)["problems_raised"] == 2  # typed 1, two rows
    # The next visit starts without rows, and the rows' fields are empty again.
    assert at.selectbox(key="new_problem_rows").value == 0
    at.selectbox(key="new_problem_rows").set_value(1).run()
    assert at.selectbox(key="new_problem_0_category").value is None
    assert at.text_input(key="new_problem_0_description").value == ""


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(app_db: Path):
    visits, problems = form._visits(app_db), len(_problems(app_db))
    at = form._save(_rows([("基础设施", "村道塌方需修复", ""), (None, "灌溉渠堵塞", ""),
                           ("教育", "  ", "")]))
    errors = [e.value for e in at.error]
    assert "第 2 条诉求，“诉求类别”：不能为空，请填写" in errors
    assert "第 3 条诉求，“诉求内容”：不能为空，请填写" in errors
    assert errors[-1] == form.NOT_SAVED and len(errors) == 3
    assert not at.success
    assert form._visits(app_db) == visits and len(_problems(app_db)) == problems
    # What was typed stays for the clerk to correct.
    assert at.text_input(key="new_problem_1_description").value == "灌溉渠堵塞"


def test_a_row_with_a_control_character_is_refused(app_db: Path):
    problems = len(_problems(app_db))
    at = form._save(_rows([("信访", "反映\x07噪音", "")]))
    assert "第 1 条诉求，“诉求内容”：含有控制字符（如 NUL），请删除后再保存" in [
        e.value for e in at.error]
    assert len(_problems(app_db)) == problems


# --- the overview's card ----------------------------------------------------------------


def test_the_overdue_card_is_report_problems(app_db: Path):
    today = local_today()
    now = _report(app_db, Period(today, WINDOW))["totals"]["overdue"]
    before = _report(app_db, Period(today - timedelta(days=WINDOW), WINDOW))["totals"][
        "overdue"]
    at = _run(user="leader")
    assert not at.exception
    cards = {m.label: m for m in at.metric}
    assert list(cards)[-1] == "超期未办结" and len(cards) == 5
    card = cards["超期未办结"]
    assert card.value == str(now)
    change = now - before
    assert card.proto.delta == ("0 件" if change == 0 else f"{change:+d} 件")
    assert "办理期限早于当日" in card.proto.help
    # The presentation mode draws the same five cards.
    present = shared.AppTest.from_file(str(shared.ROOT / "app.py"), default_timeout=120)
    present.session_state[shared.SESSION_TOKEN] = shared._session("leader")
    present.query_params["present"] = "1"
    present.run()
    assert {m.label: m.value for m in present.metric}["超期未办结"] == str(now)
    assert len(present.metric) == 5


# --- the liaison's banner ----------------------------------------------------------------


def _add_overdue(database: Path, department: str, village: str, days: int) -> None:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        raised = local_today() - timedelta(days=30 + days)
        add_problem(engine, ADMIN, ProblemInput(
            village_code=village, department_code=department, category="其他",
            description="测试超期诉求", raised_on=raised), local_today())
    finally:
        engine.dispose()


def _liaison_of(database: Path, department: str) -> str:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        name = f"liaison_{department.lower()}"
        auth.create_user(engine, ADMIN, name, "liaison", department, "password1")
        return name
    finally:
        engine.dispose()


def test_a_liaison_sees_its_departments_overdue_problems_on_every_page(app_db: Path):
    _add_overdue(app_db, LIAISON_DEPARTMENT, form.VILLAGE, 45)
    report = _report(app_db, Period(local_today(), WINDOW))
    own = next(d for d in report["departments"] if d["code"] == LIAISON_DEPARTMENT)
    assert own["overdue"] >= 1
    at = _run(user="liaison")
    assert not at.exception
    banners = _banners(at)
    assert len(banners) == 1
    assert banners[0].startswith(f"本单位有 {own['overdue']} 件诉求超期未办结：")
    assert "最长超期" in banners[0]
    for page in ("coverage_map", "record_visits", "departments"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and len(_banners(at)) == 1, page
    for role in ("leader", "organiser", "admin"):  # none for another role
        other = _run(user=role)
        assert not other.exception and not _banners(other), role


def test_no_banner_without_overdue_problems(app_db: Path):
    report = _report(app_db, Period(local_today(), WINDOW))
    calm = next(d["code"] for d in report["departments"] if d["overdue"] == 0)
    at = _run(user=_liaison_of(app_db, calm))
    assert not at.exception and not _banners(at)
    # Its first overdue problem brings the banner (the cache follows the data).
    _add_overdue(app_db, calm, form.VILLAGE, 3)
    at.run()
    banners = _banners(at)
    assert len(banners) == 1 and banners[0].startswith("本单位有 1 件诉求超期未办结：")
    assert "（1 件，最长超期 3 天）" in banners[0]


# --- the coverage map's layer ----------------------------------------------------------


def _legend(at) -> str:
    script = json.loads(_maps(at)[0].proto.json_args)["script"]
    return next(json.loads(m.group()) for m in re.finditer(r'"(?:[^"\\]|\\.)*"', script)
                if "pairmap-legend-body" in m.group())


def test_the_problem_layer_adds_up_to_the_villages(app_db: Path):
    at = _run("app_pages/coverage_map.py", user="leader")
    assert at.radio(key="coverage_layer").options[-1] == "诉求"
    at.radio(key="coverage_layer").set_value("problems").run()
    assert not at.exception and not at.error
    markup = _legend(at)
    counts = {label: int(n) for label, n in re.findall(r"([^<>]+)：<b>(\d+) 个</b>", markup)}
    outlined = counts.pop("其中有超期未办结的村")
    assert sum(counts.values()) == 96
    villages = _report(app_db, Period(local_today(), WINDOW))["villages"]
    assert counts["无待办诉求"] == sum(v["open"] == 0 for v in villages)
    assert outlined == sum(v["overdue"] > 0 for v in villages)
    args = json.loads(_maps(at)[0].proto.json_args)
    assert shared.remote_asset_links(args["script"]) == []
    script = args["script"]
    assert any(text in script for text in ("待办诉求", json.dumps("待办诉求")[1:-1]))
    # The tooltips give counts ("3 件，其中超期 1 件"), as many overdue as outlined.
    overdue = json.dumps("，其中超期")[1:-1]
    assert script.count(overdue) + script.count("，其中超期") == outlined


# --- the Departments page ----------------------------------------------------------------


def test_the_ranking_shows_the_ledger_figures(app_db: Path):
    at = _run(user="organiser")
    at.switch_page("app_pages/departments.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    report = _report(app_db, Period.last_months(local_today()))
    expected = {d["name"]: d for d in report["departments"]}
    fields = {"ledger_open": "open", "ledger_overdue": "overdue",
              "ledger_resolved": "resolved",
              "ledger_median_days_to_resolve": "median_days_to_resolve"}
    for row in table.to_dict("records"):
        for shown, field in fields.items():
            value = expected[row["name"]][field]
            if value is None:
                assert row[shown] is None or math.isnan(row[shown]), (row["name"], shown)
            else:
                assert math.isclose(float(row[shown]), float(value)), (row["name"], shown)
    assert table["ledger_open"].sum() > 0
