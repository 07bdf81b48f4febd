"""The visit form under AppTest: it saves what was typed, or says beside the field why
not and writes nothing; it warns as the import warns; a liaison's own villages first."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo.settings import local_today
from tests import test_apptest as shared

# The AppTest set-up of test_apptest.py: its database with a user per role, the
# navigation as in a running server, and one run of a page as a logged-in user.
app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run

pytestmark = pytest.mark.slow

PAGE = "app_pages/record_visits.py"
TOWNSHIP = "420526102"  # 高阳镇 of the sample county
VILLAGE = "420526102201"  # 陈家湾村, 290 households
NOT_SAVED = "未保存：请按上面各项旁的提示修改后再保存。"


def _visits(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM visits").fetchone()[0]


def _stored(database: Path, visit_id: int) -> dict:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        return dict(connection.execute("SELECT * FROM visits WHERE id = ?",
                                       (visit_id,)).fetchone())


def _said_beside(at, key: str) -> list[str]:
    """The messages drawn right under the widget ``key`` (its placeholder's content)."""
    def find(block):
        children = list(getattr(block, "children", {}).values())
        for at_index, child in enumerate(children):
            if getattr(child, "key", None) == key:
                following = children[at_index + 1] if at_index + 1 < len(children) else None
                return [following.value] if getattr(following, "type", "") == "error" else []
            found = find(child)
            if found is not None:
                return found
        return None

    found = find(at.main)
    assert found is not None, f"no widget {key}"
    return found


def _form(user: str = "liaison"):
    at = _run(PAGE, user=user)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _fill(at, village: str | None = VILLAGE, kind: str | None = "政策宣讲",
          summary: str = "宣讲惠民政策", **typed: str):
    """Choose the township, village and kind; type ``typed`` into fields by key suffix."""
    if village is not None:
        at.selectbox(key="new_township").set_value(village[:9]).run()
        at.selectbox(key="new_village").set_value(village)
    if kind is not None:
        at.selectbox(key="new_kind").set_value(kind)
    at.text_area(key="new_summary").input(summary)
    for name, value in typed.items():
        if name == "date":
            at.date_input(key="new_date").set_value(value)
        else:
            at.text_input(key=f"new_{name}").input(value)
    return at


def _save(at):
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# Each bad value, the field it is said beside, and the sentence (the import's rules).
BAD_VALUES = {
    "future_date": ({"date": local_today() + timedelta(days=3)}, "new_date",
                    f"日期 {local_today() + timedelta(days=3)} 晚于今天"),
    "negative_count": ({"raised": "-3"}, "new_raised", "-3 是负数，数量不能为负"),
    "implausible_cadres": ({"cadres": "201"}, "new_cadres", "201 不合常理（一次走访最多 200）"),
    "implausible_households": ({"households": "2001"}, "new_households",
                               ("2001 不合常理（一次走访最多 2000）\n\n"
                                "走访户数 2001 多于该村户数 290")),
    "more_than_the_village": ({"households": "291"}, "new_households",
                              "走访户数 291 多于该村户数 290"),
    "implausible_problems": ({"resolved": "501"}, "new_resolved",
                             "501 不合常理（一次走访最多 500）"),
    "not_a_number": ({"households": "十几户"}, "new_households", "“十几户”不是整数"),
    "not_whole": ({"cadres": "2.5"}, "new_cadres", "“2.5”不是整数"),
    "too_large_for_the_database": ({"raised": "99999999999999"}, "new_raised",
                                   "99999999999999 不合常理（一次走访最多 500）"),
    "nul_in_summary": ({"summary": "走访\x00慰问"}, "new_summary",
                       "含有控制字符（如 NUL），请删除后再保存"),
    "no_village": ({"village": None}, "new_village", "请选择村（社区）后再保存"),
    "no_kind": ({"kind": None}, "new_kind", "请选择走访类型后再保存"),
    "half_gps": ({"lon": "110.7512"}, "new_lat", "经度和纬度须同时填写或同时留空"),
    "gps_not_a_number": ({"lon": "东经110度", "lat": "31.3"}, "new_lon",
                         "“东经110度”不是数字"),
    "gps_out_of_range": ({"lon": "210.5", "lat": "31.3"}, "new_lon",
                         "210.5 超出经度的取值范围（-180 到 180）"),
    "quoted_as_typed": ({"lon": "110.7", "lat": " 95 "}, "new_lat",
                        "95 超出纬度的取值范围（-90 到 90）"),
    "grouped_as_typed": ({"households": "1,200"}, "new_households",
                         "走访户数 1,200 多于该村户数 290"),
}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_a_bad_value_is_refused_beside_its_field_and_nothing_is_written(app_db: Path,
                                                                      case: str):
    typed, key, message = BAD_VALUES[case]
    before = _visits(app_db)
    at = _form()
    options = {name: typed.pop(name) for name in ("village", "kind", "summary")
               if name in typed}
    _save(_fill(at, **options, **typed))
    assert _said_beside(at, key) == [message]
    assert [e.value for e in at.error] == [message, NOT_SAVED]
    assert not at.success
    assert _visits(app_db) == before
    # What was typed stays for the clerk to correct.
    assert at.text_area(key="new_summary").value == options.get("summary", "宣讲惠民政策")


def test_every_broken_rule_is_said_at_once(app_db: Path):
    before = _visits(app_db)
    at = _save(_fill(_form(), village=None, kind=None, summary="a\x07b", raised="-1",
                     cadres="300", lat="31.2", date=local_today() + timedelta(days=1)))
    beside = {key: _said_beside(at, f"new_{key}")
              for key in ("village", "kind", "date", "cadres", "raised", "summary", "lon")}
    assert all(beside.values()), beside
    assert len(at.error) == 8 and at.error[-1].value == NOT_SAVED
    assert _visits(app_db) == before


def test_the_form_starts_empty_where_nothing_was_typed(app_db: Path):
    at = _form()
    assert not at.main.markdown  # no stray text (Streamlit draws a bare string)
    assert at.selectbox(key="new_village").value is None
    assert at.selectbox(key="new_village").placeholder == "请选择村（社区）"
    assert at.selectbox(key="new_kind").value is None
    assert at.selectbox(key="new_township").value is None
    assert at.text_input(key="new_lon").value == "" and at.text_input(key="new_lat").value == ""
    assert at.date_input(key="new_date").value == local_today()
    assert at.date_input(key="new_date").max > local_today() + timedelta(days=365)
    organiser = _form("organiser")
    assert organiser.selectbox(key="new_department").value is None
    _save(_fill(organiser))
    assert _said_beside(organiser, "new_department") == ["请选择单位后再保存"]


def test_a_good_visit_saves_as_typed_and_the_form_empties(app_db: Path):
    before = _visits(app_db)
    at = _save(_fill(_form(), cadres="3", households="12", raised="2", resolved="1",
                     date=date.fromordinal(local_today().toordinal() - 2)))
    assert not at.error and not shared.page_warnings(at), [e.value for e in at.error]
    assert at.success[0].value.startswith("已保存，编号 ")
    assert _visits(app_db) == before + 1
    visit_id = int(at.success[0].value.split("编号 ")[1].rstrip("。"))
    stored = _stored(app_db, visit_id)
    assert {k: stored[k] for k in ("department_code", "village_code", "kind", "cadre_count",
                                   "households_visited", "problems_raised",
                                   "problems_resolved", "summary", "lon", "lat")} == {
        "department_code": "XS001", "village_code": VILLAGE, "kind": "政策宣讲",
        "cadre_count": 3, "households_visited": 12, "problems_raised": 2,
        "problems_resolved": 1, "summary": "宣讲惠民政策", "lon": None, "lat": None}
    assert stored["date"].startswith(str(local_today() - timedelta(days=2)))
    # The next visit starts from an empty form (the township stays).
    assert at.selectbox(key="new_village").value is None
    assert at.text_area(key="new_summary").value == ""
    assert at.selectbox(key="new_township").value == TOWNSHIP
    # Both coordinates given are stored; full-width digits are read as digits.
    _save(_fill(at, lon="110.7512", lat="３１.２５", households="１２"))
    visit_id = int(at.success[0].value.split("编号 ")[1].rstrip("。"))
    stored = _stored(app_db, visit_id)
    assert (stored["lon"], stored["lat"], stored["households_visited"]) == (110.7512, 31.25, 12)


@pytest.mark.parametrize(("typed", "warning"), [
    ({"summary": "", "cadres": "0"},
     "提示：空记录：没有工作内容、走访户数和收集问题（记为形式主义预警）"),
    ({"raised": "1", "resolved": "3"},
     "提示：解决问题数 3 多于收集问题数 1（回访可解决以前的问题，仅提示）"),
], ids=["empty_record", "resolved_exceeds_raised"])
def test_a_warning_is_shown_after_saving(app_db: Path, typed: dict, warning: str):
    before = _visits(app_db)
    at = _save(_fill(_form(), **typed))
    assert not at.error, [e.value for e in at.error]
    assert at.success and at.success[0].value.startswith("已保存")
    assert shared.page_warnings(at) == [warning]
    assert _visits(app_db) == before + 1
    at.run()  # said once: the next run shows neither
    assert not at.success and not shared.page_warnings(at)


def test_a_liaisons_own_villages_come_first_and_are_marked(app_db: Path):
    today = local_today()
    with sqlite3.connect(app_db) as connection:
        own = {code for (code,) in connection.execute(
            "SELECT village_code FROM pairings WHERE department_code = 'XS001' "
            "AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
            (today.isoformat(), today.isoformat()))}
        names = dict(connection.execute(
            "SELECT code, short_name FROM admin_units WHERE level = 'village'"))
    assert own
    at = _form()
    village = at.selectbox(key="new_village")
    assert len(village.options) == len(names)
    marked = [label for label in village.options if label.startswith("★ ")]
    assert len(marked) == len(own)
    assert village.options[:len(own)] == marked
    assert all(label.endswith("本单位结对）") for label in marked)
    assert sorted(label.split("（")[0][2:] for label in marked) == sorted(
        names[code] for code in own)
    # Within a township: its villages, own ones first, marked without the township.
    township = min(own)[:9]
    at.selectbox(key="new_township").set_value(township).run()
    options = at.selectbox(key="new_village").options
    mine = sorted(names[code] for code in own if code.startswith(township))
    assert options[:len(mine)] == [f"★ {name}（本单位结对）" for name in mine]
    assert not any(label.startswith("★") for label in options[len(mine):])
    assert len(options) == sum(code.startswith(township) for code in names)


def test_liaison_records_edits_and_deletes_a_visit_of_their_department(app_db: Path):
    at = _form()
    assert at.text_input(key="new_department_fixed").disabled
    _save(_fill(at, kind="解决实际问题", raised="2", summary="<b>修好了</b> 饮水管道"))
    assert not at.error, [e.value for e in at.error]
    assert at.success and "已保存" in at.success[0].value
    recent = at.dataframe[0].value
    assert recent.loc[0, "summary"] == "<b>修好了</b> 饮水管道"
    assert recent.loc[0, "department_code"] == "XS001"
    assert recent.loc[0, "village_code"] == VILLAGE
    visit_id = int(recent.loc[0, "id"])
    # Records to correct are named by what a clerk remembers, not by number alone.
    assert at.selectbox(key="record_choose").options[0] == (
        f"{visit_id} · {local_today()} · 陈家湾村 · 解决实际问题")
    at.selectbox(key="record_choose").set_value(visit_id).run()
    prefix = f"edit_{visit_id}"
    assert at.selectbox(key=f"{prefix}_village").value == VILLAGE
    assert at.text_input(key=f"{prefix}_lon").value == ""
    # The edit form follows the same rules: a bad value is said and nothing changes.
    before = _stored(app_db, visit_id)
    at.text_input(key=f"{prefix}_resolved").input("-1")
    at.date_input(key=f"{prefix}_date").set_value(local_today() + timedelta(days=1))
    next(b for b in at.button if b.label == "保存修改").click().run()
    assert _said_beside(at, f"{prefix}_resolved") == ["-1 是负数，数量不能为负"]
    assert _said_beside(at, f"{prefix}_date") == [
        f"日期 {local_today() + timedelta(days=1)} 晚于今天"]
    assert _stored(app_db, visit_id) == before and not at.success
    at.text_input(key=f"{prefix}_resolved").input("3")
    at.date_input(key=f"{prefix}_date").set_value(local_today())
    at.text_area(key=f"{prefix}_summary").input("修好了饮水管道")
    next(b for b in at.button if b.label == "保存修改").click().run()
    assert not at.error and "已修改" in at.success[0].value
    assert shared.page_warnings(at) == [
        "提示：解决问题数 3 多于收集问题数 2（回访可解决以前的问题，仅提示）"]
    assert _stored(app_db, visit_id)["summary"] == "修好了饮水管道"
    next(b for b in at.button if b.label == "删除").click().run()
    assert not at.error and "已删除" in at.success[0].value
    with sqlite3.connect(app_db) as connection:
        log = connection.execute("SELECT action, username FROM audit_log WHERE entity = "
                                 "'visits' AND entity_key = ? ORDER BY id",
                                 (str(visit_id),)).fetchall()
    assert log == [("create", "liaison"), ("update", "liaison"), ("delete", "liaison")]


def test_a_busy_database_keeps_what_was_typed_and_says_so(app_db: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    """A large import holding the write lock beyond the busy timeout: the form says the
    database is busy, keeps every field, and writes nothing (it used to say the database
    could not be opened and clear the form)."""
    monkeypatch.setenv("PAIRMAP_BUSY_TIMEOUT", "1")
    before = _visits(app_db)
    at = _fill(_form(), households="12", summary="帮助销售柑橘")
    holder = sqlite3.connect(app_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what an import's final apply holds
    try:
        _save(at)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [e.value for e in at.error] == [
        "数据库正忙（可能有大批量导入正在写入），1 秒内未能写入；已填写的内容仍保留，请稍后再试"]
    assert _visits(app_db) == before
    assert at.text_area(key="new_summary").value == "帮助销售柑橘"
    assert at.text_input(key="new_households").value == "12"
    assert at.selectbox(key="new_village").value == VILLAGE
    _save(at)  # the lock is gone: the same entry now saves
    assert _visits(app_db) == before + 1
