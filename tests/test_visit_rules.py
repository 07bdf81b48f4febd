"""The visit rules on hand-built rows: one rule broken per row, and what it reports."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.visit_rules import check_visits

TODAY = date(2026, 11, 28)
GOOD = {"date": date(2026, 11, 1), "department_code": "XS001",
        "village_code": "420526101001", "kind": "走访慰问", "cadre_count": 2,
        "households_visited": 5, "problems_raised": 1, "problems_resolved": 0,
        "lon": np.nan, "lat": np.nan, "summary": "入户走访", "cadre_ids": "",
        "record_id": ""}


def rows(*changes: dict) -> pd.DataFrame:
    return pd.DataFrame([{**GOOD, **change} for change in changes])


def found(failures) -> list[tuple[int, str, str]]:
    return [(f.position, f.field, f.code) for f in failures]


def test_a_good_row_breaks_no_rule():
    assert check_visits(rows({}), TODAY) == ([], [])


def test_each_broken_rule_names_its_row_field_and_code():
    frame = rows(
        {},                                              # 0: fine
        {"date": date(2026, 11, 29)},                    # 1: tomorrow
        {"households_visited": -1},                      # 2
        {"cadre_count": 201},                            # 3: more than 200
        {"households_visited": 2001},                    # 4: more than 2,000
        {"problems_raised": 501, "problems_resolved": 0},  # 5: more than 500
        {"kind": "喝茶"},                                  # 6
        {"lon": 111.0},                                  # 7: longitude without latitude
        {"lon": 200.0, "lat": 31.0},                     # 8
        {"summary": "走访\x00记录"},                       # 9: NUL
        {"record_id": "x" * 51},                         # 10
        {"cadre_count": 2**31},                          # 11: does not fit the database
        {"record_id": "A\x01B"},                         # 12: a control character
    )
    errors, _ = check_visits(frame, TODAY)
    assert found(errors) == [
        (1, "date", "future_date"), (2, "households_visited", "negative_count"),
        (3, "cadre_count", "implausible_count"), (4, "households_visited", "implausible_count"),
        (5, "problems_raised", "implausible_count"), (6, "kind", "unknown_kind"),
        (7, "lon", "incomplete_point"), (8, "lon", "bad_coordinate"),
        (9, "summary", "control_character"), (10, "record_id", "too_long"),
        (11, "cadre_count", "implausible_count"),  # nor would the database hold it
        (12, "record_id", "control_character"),  # its length limit kept this check
    ]
    limits = {f.position: f.params.get("limit") for f in errors}
    assert (limits[3], limits[4], limits[5], limits[10]) == (200, 2000, 500, 50)


def test_the_limits_themselves_pass():
    frame = rows({"cadre_count": 200, "households_visited": 2000, "problems_raised": 500,
                  "date": TODAY, "summary": "行一\n行二\t", "lon": 180.0, "lat": -90.0})
    assert check_visits(frame, TODAY)[0] == []


def test_known_codes_and_village_households():
    frame = rows({}, {"village_code": "420526999999"}, {"department_code": "XS999"},
                 {"households_visited": 41})
    errors, _ = check_visits(frame, TODAY, villages={"420526101001"},
                             departments={"XS001"}, households={"420526101001": 40})
    assert found(errors) == [(1, "village_code", "unknown_village"),
                             (2, "department_code", "unknown_department"),
                             (3, "households_visited", "more_than_households")]
    assert errors[2].params == {"households": 40} and errors[2].value == 41


def test_warnings_are_reported_not_refused():
    frame = rows({"problems_raised": 1, "problems_resolved": 3},
                 {"summary": " \u3000 ", "households_visited": 0, "problems_raised": 0},
                 {"summary": "", "households_visited": 1, "problems_raised": 0})
    errors, warnings = check_visits(frame, TODAY)
    assert errors == []
    assert found(warnings) == [(0, "problems_resolved", "resolved_exceeds_raised"),
                               (1, "summary", "empty_record")]
    assert warnings[0].params == {"resolved": 3, "raised": 1}


def test_absent_columns_are_not_checked():
    frame = pd.DataFrame({"date": [date(2030, 1, 1)], "kind": ["走访慰问"]})
    assert found(check_visits(frame, TODAY)[0]) == [(0, "date", "future_date")]


# --- the same rules refuse the form's visit, naming the field; nothing is written ---------

import pytest  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from geo import db, schema  # noqa: E402
from geo.access import Role, User  # noqa: E402
from geo.errors import DataError  # noqa: E402
from geo.i18n import translate_error  # noqa: E402
from geo.records import VisitInput, add_visit  # noqa: E402

ADMIN = User("admin", Role.ADMIN)


@pytest.fixture
def demo_engine(demo_url):
    """The sample county on each backend."""
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


def _visit(**changes) -> VisitInput:
    fields = {k: v for k, v in GOOD.items() if k not in ("lon", "lat")}
    return VisitInput(**{**fields, **changes})


def _count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.visits)).scalar_one()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"cadre_count": 201}, "cadre_count", "201 不合常理（一次走访最多 200）"),
    ({"problems_raised": 501}, "problems_raised", "501 不合常理（一次走访最多 500）"),
    ({"summary": "走访\x00"}, "summary", "含有控制字符（如 NUL），请删除后再导入"),
    ({"households_visited": 100_000}, "households_visited",
     "100000 不合常理（一次走访最多 2000）"),
])
def test_the_form_refuses_what_the_import_refuses(demo_engine, changes, field, message):
    before = _count(demo_engine)
    with pytest.raises(DataError) as caught:
        add_visit(demo_engine, ADMIN, _visit(**changes), TODAY)
    assert caught.value.column == field
    assert translate_error(caught.value, "zh") == message
    assert _count(demo_engine) == before


def test_the_form_refuses_more_households_than_the_village_has(demo_engine):
    with demo_engine.connect() as connection:
        households = connection.execute(select(schema.admin_units.c.households).where(
            schema.admin_units.c.code == GOOD["village_code"])).scalar_one()
    assert households is not None and households < 2000
    with pytest.raises(DataError) as caught:
        add_visit(demo_engine, ADMIN, _visit(households_visited=households + 1), TODAY)
    assert (caught.value.code, caught.value.params["households"]) == (
        "more_than_households", households)
    add_visit(demo_engine, ADMIN, _visit(households_visited=households), TODAY)


def test_the_import_reports_the_same_rules_on_spreadsheet_rows(demo_engine, tmp_path):
    from geo.io.imports import import_file

    header = "日期,单位代码,村代码,走访类型,参与人数,走访户数,收集问题,解决问题,工作内容\n"
    good = "2026-11-01,XS001,420526101001,走访慰问,2,3,1,0,入户走访\n"
    lines = [good,
             "2026-11-01,XS001,420526101001,走访慰问,250,3,1,0,人太多\n",     # row 3
             "2026-11-01,XS001,420526101001,走访慰问,2,0,0,0,\n",            # row 4: empty
             "2026-11-01,XS001,420526101001,走访慰问,2,3,0,2,回访解决\n"]     # row 5
    path = tmp_path / "走访.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    before = _count(demo_engine)
    report = import_file(demo_engine, ADMIN, "visits", path, today=TODAY)
    assert [(i.row, i.column, i.code) for i in report.errors] == [
        (3, "参与人数", "implausible_count")]
    assert [(i.row, i.column, i.code) for i in report.warnings] == [
        (4, "工作内容", "empty_record"), (5, "解决问题", "resolved_exceeds_raised")]
    assert _count(demo_engine) == before  # one bad row: nothing written


def test_a_liaisons_own_paired_villages_come_first():
    from geo.records import village_options

    villages = pd.DataFrame({"code": ["A1", "A2", "A3", "B1"],
                             "short_name": ["甲", "乙", "丙", "丁"],
                             "parent_code": ["A", "A", "A", "B"]})
    pairings = pd.DataFrame({
        "department_code": ["D1", "D1", "D2", "D1"], "village_code": ["A3", "B1", "A1", "A2"],
        "start_date": [date(2025, 1, 1)] * 4,
        "end_date": [None, None, None, date(2026, 1, 1)]})  # D1 left A2 in January
    options = village_options(villages, pairings, "D1", TODAY)
    assert options[["code", "own"]].values.tolist() == [
        ["A3", True], ["B1", True], ["A1", False], ["A2", False]]
    assert village_options(villages, pairings, "D1", TODAY, "A")["code"].tolist() == [
        "A3", "A1", "A2"]
    assert not village_options(villages, pairings, None, TODAY)["own"].any()


def test_the_form_refuses_a_record_id_the_department_already_has(demo_engine):
    """Record ids are unique per department (migration 0003): the form names the field
    instead of failing on the database's unique index."""
    from geo.records import update_visit

    first = add_visit(demo_engine, ADMIN, _visit(record_id="TZ-001"), TODAY)
    before = _count(demo_engine)
    with pytest.raises(DataError) as caught:
        add_visit(demo_engine, ADMIN, _visit(record_id=" TZ-001 "), TODAY)
    assert caught.value.column == "record_id"
    assert translate_error(caught.value, "zh") == "本单位已有编号为“TZ-001”的走访记录，请换一个编号"
    assert _count(demo_engine) == before
    update_visit(demo_engine, ADMIN, first, _visit(record_id="TZ-001", summary="改"), TODAY, 7)
    other = add_visit(demo_engine, ADMIN, _visit(record_id="TZ-002"), TODAY)
    with pytest.raises(DataError):
        update_visit(demo_engine, ADMIN, other, _visit(record_id="TZ-001"), TODAY, 7)
