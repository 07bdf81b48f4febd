"""The problem ledger page (诉求台账) under AppTest, for every role: a leader reads the list
without residents' names and without a form; a liaison reads its own and joint problems
and acts on its own (a note on a joint one); an organiser starts, closes (with the
village's rating), reopens and reassigns; an admin records a new problem. Every write is
audited and shows at once; bad input is said under its field, naming it, and writes
nothing; the counts add up to the list and equal ``report problems``."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo.cli import main
from geo.settings import local_today
from tests import test_apptest as shared
from tests.test_apptest_form import _said_beside

app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run

PAGE = "app_pages/problems.py"
OWN_RESIDENT, JOINT_RESIDENT, OTHER_RESIDENT = "测试甲某", "测试乙某", "测试丙某"
NOT_SAVED = "未保存：请按上面各项旁的提示修改后再提交。"


def _query(database: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, args).fetchall()


def _insert(database: Path, department: str, raised: date, resident: str, description: str,
            joint: str | None = None, status: str = "open", resolved: date | None = None
            ) -> int:
    village = _query(database, "SELECT code FROM admin_units WHERE level = 'village' "
                     "ORDER BY code LIMIT 1")[0][0]
    with sqlite3.connect(database) as connection:
        cursor = connection.execute(
            "INSERT INTO problems (village_code, raised_on, department_code, co_departments, "
            "category, description, resident, due_date, status, resolved_on, resolution, "
            "created_by, created_at) VALUES (?, ?, ?, ?, '基础设施', ?, ?, ?, ?, ?, ?, 'test', "
            "'2026-01-01 08:00:00')",
            (village, raised.isoformat(), department, joint, description, resident,
             (raised + timedelta(days=30)).isoformat(), status,
             resolved and resolved.isoformat(), resolved and "已修复"))
        return int(cursor.lastrowid)


@pytest.fixture
def ledger(app_db: Path) -> tuple[Path, dict[str, int]]:
    """The sample county and four problems of the test's own, relative to today: XS001's
    overdue one, XS002's handled jointly with XS001, XS003's, and XS003's closed one."""
    today = local_today()
    ids = {
        "own": _insert(app_db, "XS001", today - timedelta(days=40), OWN_RESIDENT,
                       "本单位的测试诉求"),
        "joint": _insert(app_db, "XS002", today - timedelta(days=5), JOINT_RESIDENT,
                         "协办的测试诉求", joint="XS001"),
        "other": _insert(app_db, "XS003", today - timedelta(days=3), OTHER_RESIDENT,
                         "他单位的测试诉求"),
        "closed": _insert(app_db, "XS003", today - timedelta(days=20), OTHER_RESIDENT,
                          "已办结的测试诉求", status="resolved",
                          resolved=today - timedelta(days=2)),
    }
    return app_db, ids


def _open(user: str, chosen: int | None = None):
    at = _run(PAGE, user=user)
    assert not at.exception, [e.value for e in at.exception]
    if chosen is not None:
        at.selectbox(key="ledger_choose").set_value(chosen).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _press(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _listed(at):
    return at.dataframe[0].value


def _page_text(at) -> str:
    """Every text the run drew: markdown, captions, messages, select boxes (their options
    as labelled) and the tables' cells."""
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "error",
                                  "warning") for e in getattr(at, kind)]
    parts += [option for box in at.selectbox for option in box.options]  # as labelled
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def _audit(database: Path, entity: str) -> list[tuple]:
    return _query(database, "SELECT username, action, entity_key, before, after FROM audit_log "
                  "WHERE entity = ? ORDER BY id", entity)


def _problem(database: Path, problem_id: int) -> tuple:
    return _query(database, "SELECT status, resolved_on, resolution, satisfaction, "
                  "department_code, co_departments FROM problems WHERE id = ?", problem_id)[0]


def test_leader_reads_without_residents_names_and_without_forms(ledger):
    database, ids = ledger
    at = _open("leader", ids["own"])
    listed = _listed(at)
    assert {ids["own"], ids["joint"], ids["other"], ids["closed"]} <= set(listed["id"])
    assert "resident" not in listed.columns
    text = _page_text(at)
    assert "本单位的测试诉求" in text  # the chosen problem's details are drawn
    assert not [name for name in (OWN_RESIDENT, JOINT_RESIDENT, OTHER_RESIDENT)
                if name in text]
    residents = {row[0] for row in _query(database, "SELECT resident FROM problems "
                                          "WHERE resident IS NOT NULL")}
    assert len(residents) > 100 and not [name for name in residents if name in text
                                         and len(name) > 2]
    assert [i.value for i in at.info] == ["您的角色只能查看诉求台账，不能登记或办理诉求。"]
    assert not at.text_area and not at.date_input and not at.radio and not at.multiselect
    assert [b.label for b in at.button] == []
    assert {s.key for s in at.selectbox} == {"ledger_status", "ledger_department",
                                             "ledger_township", "ledger_category",
                                             "ledger_choose"}


def test_liaison_reads_its_own_and_joint_problems_and_acts_on_its_own(ledger):
    database, ids = ledger
    at = _open("liaison", ids["own"])
    listed = _listed(at).set_index("id")
    assert {ids["own"], ids["joint"]} <= set(listed.index)
    assert ids["other"] not in listed.index and ids["closed"] not in listed.index
    assert listed.loc[ids["own"], "resident"] == OWN_RESIDENT
    assert not isinstance(listed.loc[ids["joint"], "resident"], str)  # joint: no name
    own = f"ledger_{ids['own']}"
    assert {b.key for b in at.button} == {f"{own}_note_submit", f"{own}_start_submit",
                                          f"{own}_close_submit", f"{own}_close_unresolved",
                                          "ledger_new_submit"}
    at.text_area(key=f"{own}_note_text").input("  已联系 交通局　现场查看 ")
    _press(at, f"{own}_note_submit")
    assert [s.value for s in at.success] == [f"已为诉求 #{ids['own']} 添加办理记录。"]
    notes = _query(database, "SELECT username, department_code, text FROM problem_notes "
                   "WHERE problem_id = ?", ids["own"])
    assert notes == [("liaison", "XS001", "已联系 交通局 现场查看")]
    assert [row[:3] for row in _audit(database, "problem_notes")] == [
        ("liaison", "create", str(_query(database, "SELECT MAX(id) FROM problem_notes")[0][0]))]
    shown = next(d.value for d in at.dataframe if "text" in d.value.columns)
    assert shown["text"].tolist() == ["已联系 交通局 现场查看"]
    assert at.text_area(key=f"{own}_note_text").value == ""  # the form starts afresh

    at.selectbox(key="ledger_choose").set_value(ids["joint"]).run()
    joint = f"ledger_{ids['joint']}"
    assert {b.key for b in at.button} == {f"{joint}_note_submit", "ledger_new_submit"}
    assert JOINT_RESIDENT not in _page_text(at)
    # A new problem is its own department's: the department is fixed.
    assert at.text_input(key="ledger_new_department_fixed").disabled


def test_organiser_starts_and_closes_a_problem_with_the_village_s_rating(ledger):
    database, ids = ledger
    problem, today = ids["own"], local_today()
    key = f"ledger_{problem}"
    at = _open("organiser", problem)
    _press(at, f"{key}_start_submit")
    assert [s.value for s in at.success] == [f"诉求 #{problem} 已标记为办理中。"]
    assert _problem(database, problem)[0] == "in_progress"
    assert f"{key}_start_submit" not in {b.key for b in at.button}
    at.date_input(key=f"{key}_close_on").set_value(today)
    at.text_area(key=f"{key}_close_resolution").input("交通局已修复危桥")
    at.selectbox(key=f"{key}_close_rating").set_value("不满意")
    _press(at, f"{key}_close_submit")
    assert [s.value for s in at.success] == [f"诉求 #{problem} 已改为“已办结”。"]
    assert _problem(database, problem)[:4] == ("resolved", today.isoformat(),
                                               "交通局已修复危桥", "不满意")
    username, action, entity_key, before, after = _audit(database, "problems")[-1]
    assert (username, action, entity_key) == ("organiser", "update", str(problem))
    assert json.loads(before)["status"] == "in_progress"
    assert json.loads(after)["satisfaction"] == "不满意"
    row = _listed(at).set_index("id").loc[problem]
    assert (row["status"], row["satisfaction"]) == ("已办结", "不满意")
    assert f"{key}_close_submit" not in {b.key for b in at.button}  # closed now
    assert f"{key}_close_unresolved" not in {b.key for b in at.button}
    assert f"{key}_reopen_submit" in {b.key for b in at.button}


@pytest.mark.parametrize(("closing", "resolution", "field", "said"), [
    (-41, "已修复", "on", "办结日期 {day} 早于受理日期"),
    (1, "已修复", "on", "办结日期：日期 {day} 晚于今天"),
    (0, "   ", "resolution", "办理结果：不能为空，请填写"),
])
def test_a_bad_closing_is_said_under_its_field_and_writes_nothing(
        ledger, closing: int, resolution: str, field: str, said: str):
    database, ids = ledger
    problem = ids["own"]
    key = f"ledger_{problem}_close"
    day = local_today() + timedelta(days=closing)
    before, audited = _problem(database, problem), _audit(database, "problems")
    at = _open("organiser", problem)
    at.date_input(key=f"{key}_on").set_value(day)
    at.text_area(key=f"{key}_resolution").input(resolution)
    _press(at, f"{key}_submit")
    assert _said_beside(at, f"{key}_{field}") == [said.format(day=day.isoformat())]
    assert NOT_SAVED in [e.value for e in at.error]
    assert not at.success
    assert _problem(database, problem) == before and _audit(database, "problems") == audited


def test_an_empty_note_is_said_under_it_and_writes_nothing(ledger):
    database, ids = ledger
    key = f"ledger_{ids['own']}_note"
    at = _open("liaison", ids["own"])
    at.text_area(key=f"{key}_text").input("  ")
    _press(at, f"{key}_submit")
    assert _said_beside(at, f"{key}_text") == ["办理情况：不能为空，请填写"]
    assert not _query(database, "SELECT id FROM problem_notes")
    assert not _audit(database, "problem_notes")


def test_organiser_reopens_and_reassigns(ledger):
    database, ids = ledger
    problem = ids["closed"]
    key = f"ledger_{problem}"
    at = _open("organiser", problem)
    _press(at, f"{key}_reopen_submit")
    assert [s.value for s in at.success] == [f"诉求 #{problem} 已重新打开。"]
    assert _problem(database, problem)[:4] == ("in_progress", None, None, None)
    assert json.loads(_audit(database, "problems")[-1][3])["resolution"] == "已修复"
    at.selectbox(key=f"{key}_assign_department").set_value("XS002")
    at.multiselect(key=f"{key}_assign_joint").set_value(["XS004", "XS002"])
    _press(at, f"{key}_assign_submit")
    name = _query(database, "SELECT name FROM departments WHERE code = 'XS002'")[0][0]
    assert [s.value for s in at.success] == [f"诉求 #{problem} 的责任单位已改为{name}。"]
    assert _problem(database, problem)[4:] == ("XS002", "XS004")
    username, _, _, before, after = _audit(database, "problems")[-1]
    assert username == "organiser" and json.loads(before)["department_code"] == "XS003"
    assert json.loads(after)["co_departments"] == "XS004"
    assert _listed(at).set_index("id").loc[problem, "department"] == name


def test_liaison_may_not_reopen_or_reassign(ledger):
    _, ids = ledger
    at = _open("liaison", ids["own"])
    keys = {b.key for b in at.button}
    assert not [k for k in keys if k.endswith(("_reopen_submit", "_assign_submit"))]


def test_admin_records_a_new_problem_due_in_30_days(ledger):
    database, _ = ledger
    today = local_today()
    village = _query(database, "SELECT code FROM admin_units WHERE level = 'village' "
                     "ORDER BY code DESC LIMIT 1")[0][0]
    at = _open("admin")
    at.selectbox(key="ledger_new_department").set_value("XS005")
    at.selectbox(key="ledger_new_village").set_value(village)
    at.selectbox(key="ledger_new_category").set_value("医疗卫生")
    at.text_area(key="ledger_new_description").input("村卫生室缺少常用药")
    at.text_input(key="ledger_new_resident").input("测试丁某")
    _press(at, "ledger_new_submit")
    added = _query(database, "SELECT id, department_code, village_code, category, resident, "
                   "raised_on, due_date, status, created_by FROM problems "
                   "ORDER BY id DESC LIMIT 1")[0]
    problem = added[0]
    assert added[1:] == ("XS005", village, "医疗卫生", "测试丁某", today.isoformat(),
                         (today + timedelta(days=30)).isoformat(), "open", "admin")
    due = (today + timedelta(days=30)).isoformat()
    assert [s.value for s in at.success] == [f"已登记诉求 #{problem}，办理期限 {due}。"]
    assert [row[:3] for row in _audit(database, "problems")] == [
        ("admin", "create", str(problem))]
    assert at.selectbox(key="ledger_choose").value == problem  # chosen, to act on it
    assert at.text_area(key="ledger_new_description").value == ""


def test_a_bad_new_problem_is_said_under_each_field_and_writes_nothing(ledger):
    database, _ = ledger
    count = _query(database, "SELECT COUNT(*) FROM problems")[0][0]
    at = _open("organiser")
    at.text_input(key="ledger_new_resident").input("张\x00三")
    at.date_input(key="ledger_new_raised").set_value(local_today() + timedelta(days=1))
    _press(at, "ledger_new_submit")
    said = {name: _said_beside(at, f"ledger_new_{name}") for name in
            ("department", "village", "category", "description", "resident", "raised")}
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert said == {"department": ["单位：不能为空，请填写"],
                    "village": ["村（社区）：不能为空，请填写"],
                    "category": ["诉求类别：不能为空，请填写"],
                    "description": ["诉求内容：不能为空，请填写"],
                    "resident": ["反映人：含有控制字符（如 NUL），请删除后再保存"],
                    "raised": [f"受理日期：日期 {tomorrow} 晚于今天"]}
    assert NOT_SAVED in [e.value for e in at.error]
    assert _query(database, "SELECT COUNT(*) FROM problems")[0][0] == count
    assert not _audit(database, "problems")


def _counts(at) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


def test_counts_add_up_and_equal_report_problems(ledger, capsys: pytest.CaptureFixture):
    _, _ = ledger
    today = local_today()
    at = _open("organiser")
    counts = _counts(at)
    listed = len(_listed(at))
    assert counts == {"未办结": counts["未办结"], "其中超期": counts["其中超期"],
                      "近90天办结": counts["近90天办结"],
                      "近90天未解决关闭": counts["近90天未解决关闭"]}
    assert counts["未办结"] + counts["近90天办结"] + counts["近90天未解决关闭"] == listed
    sentence = next(c.value for c in at.caption if c.value.startswith("列表共"))
    assert [int(n) for n in re.findall(r"\d+", sentence)] == [
        listed, counts["未办结"], counts["近90天办结"], counts["近90天未解决关闭"]]
    assert main(["report", "problems", "--as-of", today.isoformat()]) == 0
    totals = json.loads(capsys.readouterr().out)["totals"]
    assert totals == {"open": counts["未办结"], "overdue": counts["其中超期"],
                      "resolved_in_window": counts["近90天办结"]}
    assert totals["open"] > 0 and totals["resolved_in_window"] > 0
    at.checkbox(key="ledger_overdue").check().run()
    overdue = _listed(at)
    assert len(overdue) == counts["其中超期"] == _counts(at)["未办结"]
    assert overdue["overdue_days"].notna().all()


def test_filters_narrow_the_list(ledger):
    database, ids = ledger
    name = _query(database, "SELECT name FROM departments WHERE code = 'XS003'")[0][0]
    at = _open("leader")
    at.selectbox(key="ledger_department").set_value("XS003").run()
    assert set(_listed(at)["department"]) == {name}
    assert {ids["other"], ids["closed"]} <= set(_listed(at)["id"])
    at.selectbox(key="ledger_status").set_value("resolved").run()
    assert set(_listed(at)["status"]) == {"已办结"} and ids["closed"] in set(_listed(at)["id"])
    at.selectbox(key="ledger_department").set_value(None).run()
    at.selectbox(key="ledger_category").set_value("基础设施").run()
    assert set(_listed(at)["category"]) == {"基础设施"} and len(_listed(at)) > 1


def test_liaison_closes_its_own_problem_unresolved(ledger):
    database, ids = ledger
    problem, today = ids["own"], local_today()
    key = f"ledger_{problem}_close"
    at = _open("liaison", problem)
    at.text_area(key=f"{key}_resolution").input("村民要求超出政策范围")
    _press(at, f"{key}_unresolved")
    assert [s.value for s in at.success] == [f"诉求 #{problem} 已改为“未解决已关闭”。"]
    assert _problem(database, problem)[:4] == ("closed_unresolved", today.isoformat(),
                                               "村民要求超出政策范围", None)
    assert _audit(database, "problems")[-1][:3] == ("liaison", "update", str(problem))
