"""The pairings page under AppTest: an organiser changes and ends a pairing (audited, a new
data version, the coverage recomputed); bad values are said beside their fields and write
nothing; leader and liaison read the list with no control to change it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests import test_apptest as shared
from tests.test_apptest_form import _said_beside

app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run

pytestmark = pytest.mark.slow

PAGE = "app_pages/pairings.py"
PAIRING = 2  # 县委宣传部 (XS007) and 420526101003, since 2023-03-01, the village's only one
KEY = f"pairings_{PAIRING}"
NOT_SAVED = "未保存：请按上面各项旁的提示修改后再保存。"


def _query(database: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, args).fetchall()


def _pairing(database: Path) -> tuple:
    return _query(database, "SELECT required_visits_per_month, note, end_date FROM pairings "
                  "WHERE id = ?", PAIRING)[0]


def _version(database: Path) -> int:
    return int(_query(database, "SELECT value FROM meta WHERE key = 'data_version'")[0][0])


def _audit(database: Path) -> list[tuple]:
    return _query(database, "SELECT username, action, entity_key, before, after FROM audit_log "
                  "WHERE entity = 'pairings' ORDER BY id")


def _open(user: str = "organiser"):
    at = _run(PAGE, user=user)
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="pairings_choose").set_value(PAIRING).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _press(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _paired_villages(user: str = "organiser") -> str:
    overview = _run("app_pages/overview.py", user=user)
    return next(m.value for m in overview.metric if m.label == "已结对村")


def test_organiser_changes_and_ends_a_pairing(app_db: Path):
    version, paired = _version(app_db), _paired_villages()
    at = _open()
    assert at.text_input(key=f"{KEY}_required").value == "1"
    at.text_input(key=f"{KEY}_required").input("3")
    at.text_area(key=f"{KEY}_note").input("  每月 第一周　走访 ")
    _press(at, "保存修改")
    assert [s.value for s in at.success] == [f"已保存编号 {PAIRING} 的结对。"]
    assert _pairing(app_db) == (3, "每月 第一周 走访", None)
    assert at.text_input(key=f"{KEY}_required").value == "3"  # the saved values show
    assert _version(app_db) == version + 1
    username, action, key, before, after = _audit(app_db)[-1]
    assert (username, action, key) == ("organiser", "update", str(PAIRING))
    assert json.loads(before)["required_visits_per_month"] == 1
    assert json.loads(after)["note"] == "每月 第一周 走访"

    at.date_input(key=f"{KEY}_end").set_value("2026-11-01")
    _press(at, "结束结对")
    assert [s.value for s in at.success] == [f"编号 {PAIRING} 的结对已结束于 2026-11-01。"]
    assert _pairing(app_db) == (3, "每月 第一周 走访", "2026-11-01")
    assert _version(app_db) == version + 2
    assert json.loads(_audit(app_db)[-1][4])["end_date"] == "2026-11-01"
    # The village has no active pairing left: the overview counts one paired village less.
    assert int(_paired_villages().split()[0]) == int(paired.split()[0]) - 1
    listed = at.dataframe[0].value
    assert listed.loc[listed["id"] == PAIRING, "state"].tolist() == ["已结束"]


@pytest.mark.parametrize(("typed", "said"), [
    ("0", "每月走访次数至少为 1（填写的是 0）"),
    ("两次", "“两次”不是整数"),
    ("1.5", "“1.5”不是整数"),
    ("-2", "-2 是负数，数量不能为负"),
    ("", "不能为空，请填写"),
])
def test_a_bad_number_of_visits_is_said_beside_it(app_db: Path, typed: str, said: str):
    stored, version = _pairing(app_db), _version(app_db)
    at = _open()
    at.text_input(key=f"{KEY}_required").input(typed)
    at.text_area(key=f"{KEY}_note").input("走访\x00慰问")
    _press(at, "保存修改")
    assert _said_beside(at, f"{KEY}_required") == [said]
    assert _said_beside(at, f"{KEY}_note") == ["含有控制字符（如 NUL），请删除后再保存"]
    assert NOT_SAVED in [e.value for e in at.error]
    assert not at.success
    assert at.text_input(key=f"{KEY}_required").value == typed  # kept as typed, not clamped
    assert _pairing(app_db) == stored and _version(app_db) == version and not _audit(app_db)


def test_an_end_before_the_start_is_said_beside_it(app_db: Path):
    stored, version = _pairing(app_db), _version(app_db)
    at = _open()
    at.date_input(key=f"{KEY}_end").set_value("2023-02-28")
    _press(at, "结束结对")
    assert _said_beside(at, f"{KEY}_end") == ["结束日期 2023-02-28 早于开始日期 2023-03-01"]
    assert _pairing(app_db) == stored and _version(app_db) == version and not _audit(app_db)


def test_an_end_into_another_pairing_is_said_beside_it(app_db: Path):
    """An ended pairing whose end is moved past the start of the next one of the same
    department and village."""
    _query(app_db, "UPDATE pairings SET end_date = '2024-06-30' WHERE id = ?", PAIRING)
    with sqlite3.connect(app_db) as connection:
        connection.execute(
            "INSERT INTO pairings (id, department_code, village_code, kind, start_date, "
            "required_visits_per_month) VALUES (900, 'XS007', '420526101003', '结对共建', "
            "'2024-07-01', 1)")
    at = _open()
    at.date_input(key=f"{KEY}_end").set_value("2024-07-01")
    _press(at, "更改结束日期")
    assert _said_beside(at, f"{KEY}_end") == [
        "与同一单位和村的另一结对（编号 900，2024-07-01 起）时间重叠"]
    assert _pairing(app_db)[2] == "2024-06-30" and not _audit(app_db)


@pytest.mark.parametrize("user", ["leader", "liaison"])
def test_leader_and_liaison_read_the_list_without_controls(app_db: Path, user: str):
    at = _run(PAGE, user=user)
    assert not at.exception and not at.error
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 0
    assert [i.value for i in at.info] == ["结对关系由组织部门维护；您的角色只能查看。"]
    assert not at.text_input and not at.text_area and not at.date_input
    assert [b.label for b in at.button] == []
    assert {s.key for s in at.selectbox} == {"pairings_department", "pairings_township",
                                             "pairings_state"}


def test_the_list_shows_names_and_filters(app_db: Path):
    at = _run(PAGE, user="leader")
    at.selectbox(key="pairings_state").set_value("ended").run()
    listed = at.dataframe[0].value
    assert set(listed["state"]) == {"已结束"} and len(listed) > 0
    assert {"department", "village", "township", "note"} <= set(listed.columns)
    assert not {"department_code", "village_code", "township_code"} & set(listed.columns)
    at.selectbox(key="pairings_department").set_value("XS007").run()
    at.selectbox(key="pairings_state").set_value(None).run()
    listed = at.dataframe[0].value
    assert set(listed["department"]) == {"县委宣传部"}
