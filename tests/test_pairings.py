"""The pairings page's service (geo.pairings) and rules (geo.pairing_rules): the list with
names and states, the checks of an edit (the import's rules), and the write: one
transaction, an audit entry, a new data version, a compare-and-set, organiser and admin
only; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import insert, select

from geo import pairings, schema, store
from geo.access import Role, User
from geo.errors import AccessDeniedError, DataError
from geo.i18n import translate_error
from geo.pairing_rules import end_failures, required_visits_failures
from geo.period import pairings_overlap
from tests.tiny_county import DEPARTMENT, VILLAGE, add_tiny_county

T = date(2026, 11, 28)
ORGANISER = User("organiser", Role.ORGANISER)
ADMIN = User("admin", Role.ADMIN)
LEADER = User("leader", Role.LEADER)
LIAISON = User("liaison", Role.LIAISON, department_code=DEPARTMENT)


@pytest.fixture
def county(engine):
    """The tiny county with two pairings of its department and village: one ended
    (2024), one open since 2025-01-01."""
    with engine.begin() as connection:
        add_tiny_county(connection)
        connection.execute(insert(schema.pairings), [
            {"id": 1, "department_code": DEPARTMENT, "village_code": VILLAGE, "kind": "结对共建",
             "start_date": date(2024, 1, 1), "end_date": date(2024, 6, 30),
             "required_visits_per_month": 1, "note": None},
            {"id": 2, "department_code": DEPARTMENT, "village_code": VILLAGE, "kind": "定点帮扶",
             "start_date": date(2025, 1, 1), "end_date": None,
             "required_visits_per_month": 2, "note": "老结对"}])
    return engine


def _row(engine, pairing_id: int) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(select(schema.pairings).where(
            schema.pairings.c.id == pairing_id)).mappings().one())


def _audit(engine) -> list[dict]:
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(schema.audit_log).where(
            schema.audit_log.c.entity == "pairings").order_by(schema.audit_log.c.id)
        ).mappings()]


def _seen(engine, pairing_id: int) -> pairings.PairingState:
    return pairings.PairingState.of(_row(engine, pairing_id))


# --- pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ((date(2024, 1, 1), date(2024, 6, 30)), (date(2024, 7, 1), None), False),
    ((date(2024, 1, 1), date(2024, 7, 1)), (date(2024, 7, 1), None), True),  # both days count
    ((date(2024, 1, 1), None), (date(2030, 1, 1), None), True),
    ((date(2024, 1, 1), None), (date(2020, 1, 1), date(2023, 12, 31)), False),
    ((date(2024, 1, 1), date(2024, 1, 1)), (date(2024, 1, 1), date(2024, 1, 1)), True),
])
def test_two_pairings_overlap_when_they_share_a_day(a, b, overlap):
    assert pairings_overlap(*a, *b) is overlap
    assert pairings_overlap(*b, *a) is overlap


def test_required_visits_are_a_whole_number_from_one_to_one_a_day():
    numbers = pd.Series([1, 0, -2, 2**31, None, 12, 31, 32, 99999], dtype="Int64")
    broken = {code: (mask.tolist(), params) for mask, code, params
              in required_visits_failures(numbers)}
    no, yes = False, True
    assert broken == {
        "negative_count": ([no, no, yes, no, no, no, no, no, no], {}),
        "bad_number": ([no, no, no, yes, no, no, no, no, no], {}),
        "required_above_most": ([no, no, no, no, no, no, no, yes, yes], {"limit": 31}),
        "required_below_one": ([no, yes, no, no, no, no, no, no, no], {})}


def test_an_end_before_the_start_or_into_another_pairing_is_refused():
    others = [(1, date(2024, 1, 1), date(2024, 6, 30))]
    assert [f.code for f in end_failures(2, date(2025, 1, 1), date(2024, 12, 31), others)] \
        == ["end_before_start"]
    assert end_failures(1, date(2024, 1, 1), date(2024, 3, 1), others) == []  # itself
    overlap = end_failures(3, date(2023, 1, 1), date(2024, 1, 1), others)
    assert [(f.field, f.code, f.params["other_id"]) for f in overlap] == [
        ("end_date", "overlapping_pairing", 1)]


@pytest.mark.parametrize(("typed", "code"), [
    ("", "missing_value"), ("两次", "bad_number"), ("1.5", "bad_number"),
    ("0", "required_below_one"), ("-1", "negative_count"), ("99999999999", "bad_number"),
    ("99999", "required_above_most")])
def test_a_bad_required_visits_value_is_refused_as_typed(typed, code):
    check = pairings.check_pairing_edit(date(2025, 1, 1), typed, "", None, [])
    assert check.wanted is None
    assert [(f.field, f.code, f.value) for f in check.failures] == [
        ("required_visits_per_month", code, typed)]


def test_an_edit_is_taken_in_normal_form():
    check = pairings.check_pairing_edit(date(2025, 1, 1), " 3 ", "  每月　第一周\n走访 ", None, [])
    assert check.wanted == pairings.PairingState(3, "每月 第一周 走访", None)
    nul = pairings.check_pairing_edit(date(2025, 1, 1), "1", "走访\x00", None, [])
    assert [(f.field, f.code) for f in nul.failures] == [("note", "control_character")]


def test_states_on_a_day():
    frame = pd.DataFrame({
        "start_date": [date(2024, 1, 1), date(2025, 1, 1), date(2027, 1, 1), date(2024, 1, 1)],
        "end_date": [date(2024, 6, 30), None, None, T]})
    assert pairings.pairing_states(frame, T).tolist() == [
        "ended", "active", "not_started", "active"]


# --- the list and the write on each backend ----------------------------------------------


def test_the_list_has_names_states_and_filters(county):
    table = pairings.pairings_for(county, LEADER, T)
    assert table[["id", "department", "township", "village", "kind", "state", "note"]
                 ].to_dict("records") == [
        {"id": 1, "department": "县委组织部", "township": "古夫镇", "village": "古夫",
         "kind": "结对共建", "state": "ended", "note": ""},
        {"id": 2, "department": "县委组织部", "township": "古夫镇", "village": "古夫",
         "kind": "定点帮扶", "state": "active", "note": "老结对"}]
    assert pairings.filter_pairings(table, state="active")["id"].tolist() == [2]
    assert pairings.filter_pairings(table, DEPARTMENT, "420526100000", "ended")["id"].tolist() \
        == [1]
    assert pairings.filter_pairings(table, township_code="420526200000").empty


def test_organiser_edits_a_pairing_in_one_audited_transaction(county):
    version = store.data_version(county)
    seen = _seen(county, 2)
    changed = pairings.change_pairing(county, ORGANISER, 2, seen,
                                      pairings.PairingState(3, "每月第一周", None))
    assert changed == {"required_visits_per_month": 3, "note": "每月第一周"}
    row = _row(county, 2)
    assert (row["required_visits_per_month"], row["note"], row["end_date"]) == (3, "每月第一周",
                                                                                  None)
    assert store.data_version(county) == version + 1
    (entry,) = _audit(county)
    assert (entry["username"], entry["action"], entry["entity_key"]) == ("organiser", "update",
                                                                         "2")
    before, after = json.loads(entry["before"]), json.loads(entry["after"])
    assert before == {"department_code": DEPARTMENT, "village_code": VILLAGE,
                      "start_date": "2025-01-01", "required_visits_per_month": 2,
                      "note": "老结对"}
    assert after == {**before, "required_visits_per_month": 3, "note": "每月第一周"}


def test_admin_ends_a_pairing_and_nothing_is_written_when_nothing_changes(county):
    seen = _seen(county, 2)
    ended = pairings.PairingState(2, "老结对", date(2026, 11, 30))
    assert pairings.change_pairing(county, ADMIN, 2, seen, ended) == {
        "end_date": date(2026, 11, 30)}
    assert _row(county, 2)["end_date"] == date(2026, 11, 30)
    version, entries = store.data_version(county), len(_audit(county))
    assert pairings.change_pairing(county, ADMIN, 2, ended, ended) == {}
    assert store.data_version(county) == version and len(_audit(county)) == entries


@pytest.mark.parametrize("actor", [LEADER, LIAISON])
def test_a_leader_or_liaison_may_not_change_a_pairing(county, actor):
    seen = _seen(county, 2)
    with pytest.raises(AccessDeniedError):
        pairings.change_pairing(county, actor, 2, seen,
                                pairings.PairingState(5, "", date(2026, 12, 1)))
    assert _seen(county, 2) == seen and _audit(county) == []


def test_a_pairing_changed_since_it_was_read_is_not_overwritten(county):
    seen = _seen(county, 2)
    pairings.change_pairing(county, ADMIN, 2, seen, pairings.PairingState(4, "老结对", None))
    version = store.data_version(county)
    with pytest.raises(DataError) as refused:
        pairings.change_pairing(county, ORGANISER, 2, seen,
                                pairings.PairingState(2, "改备注", None))
    assert refused.value.code == "pairing_changed"
    assert "刚被他人修改过" in translate_error(refused.value, "zh")
    assert _seen(county, 2) == pairings.PairingState(4, "老结对", None)
    assert store.data_version(county) == version and len(_audit(county)) == 1


@pytest.mark.parametrize(("pairing_id", "wanted", "code", "said"), [
    (2, pairings.PairingState(2, "老结对", date(2024, 12, 31)), "end_before_start",
     "结束日期 2024-12-31 早于开始日期 2025-01-01"),
    (1, pairings.PairingState(1, "", date(2025, 1, 1)), "overlapping_pairing",
     "与同一单位和村的另一结对（编号 2，2025-01-01 起）时间重叠"),
    (1, pairings.PairingState(1, "", None), "overlapping_pairing",
     "与同一单位和村的另一结对（编号 2，2025-01-01 起）时间重叠"),
    (2, pairings.PairingState(0, "老结对", None), "required_below_one",
     "每月走访次数至少为 1（填写的是 0）"),
])
def test_the_service_checks_the_rules_again(county, pairing_id, wanted, code, said):
    seen = _seen(county, pairing_id)
    with pytest.raises(DataError) as refused:
        pairings.change_pairing(county, ORGANISER, pairing_id, seen, wanted)
    field = "required_visits_per_month" if code == "required_below_one" else "end_date"
    assert (refused.value.code, refused.value.column) == (code, field)
    assert translate_error(refused.value, "zh") == said
    assert _seen(county, pairing_id) == seen and _audit(county) == []


def test_an_unknown_pairing_is_said(county):
    with pytest.raises(DataError) as refused:
        pairings.change_pairing(county, ORGANISER, 99, pairings.PairingState(1, "", None),
                                pairings.PairingState(2, "", None))
    assert translate_error(refused.value, "zh") == "没有编号为 99 的结对"


def test_an_empty_note_stored_as_text_is_not_a_change(county):
    with county.begin() as connection:
        connection.execute(schema.pairings.update().where(schema.pairings.c.id == 1)
                           .values(note=""))
    seen = _seen(county, 1)
    assert pairings.change_pairing(county, ORGANISER, 1, seen,
                                   pairings.PairingState(2, "", date(2024, 6, 30))) == {
        "required_visits_per_month": 2}
    assert json.loads(_audit(county)[0]["after"]).keys() == {
        "department_code", "village_code", "start_date", "required_visits_per_month"}
