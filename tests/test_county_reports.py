"""``python -m geo report departments|problems --county CODE`` (and coverage, neglected):
one county's departments (``county_code``), villages and their records, read in SQL.

On the sample county (one county) ``--county 420526`` gives the report without it. A
second county built in code beside the sample (``add_second_county``: its department,
villages, pairings, visits and problems, and a visit and a problem of a sample department
in it) leaves the sample county's reports as they were, and the second county's reports
hold only its own rows."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import shapely
from sqlalchemy import Engine, insert, select

from geo import db, schema
from geo.cli import main
from tests.conftest import ANCHOR

SAMPLE_COUNTY = "420526"
OTHER_COUNTY = "420525"
OTHER_TOWNSHIP = "420525100"
OTHER_VILLAGES = ("420525100201", "420525100202", "420525100203")
OTHER_DEPARTMENT = "YA001"
AS_OF = ANCHOR.isoformat()
KINDS = ("coverage", "neglected", "departments", "problems")


@pytest.fixture
def demo_url(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sample county on each backend, for the command line (in English)."""
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", demo_url)
    monkeypatch.setenv("PAIRMAP_LANG", "en")
    return demo_url


def report(capsys: pytest.CaptureFixture, kind: str, *options: str) -> dict:
    assert main(["report", kind, "--as-of", AS_OF, *options]) == 0
    return json.loads(capsys.readouterr().out)


def add_second_county(engine: Engine) -> int:
    """远安县 beside the sample county: one township of three villages (boxes east of
    兴山县), its department YA001 paired with the first two, YA001's visits (two to the
    first village in the window, one to the second before it), an open problem of YA001
    at the first village and a resolved one at the second; and a sample department
    (XS001) that visits the third village (an empty record: a formalism warning) and is
    responsible for an open problem there. Returns the id of XS001's visit."""
    def unit(code: str, name: str, level: str, parent: str | None,
             geometry: shapely.Geometry, **figures: object) -> dict:
        return {"code": code, "name": name, "short_name": name, "level": level,
                "parent_code": parent, "kind": "村" if level == "village" else None,
                "geometry": shapely.to_geojson(geometry), "boundary_source": "schematic",
                "weak": False, "population": None, "households": None,
                "left_behind_elderly": None, "low_income_households": None, **figures}

    boxes = [shapely.box(111.50 + 0.05 * n, 31.00, 111.55 + 0.05 * n, 31.05)
             for n in range(len(OTHER_VILLAGES))]
    whole = shapely.union_all(boxes)
    day = ANCHOR - timedelta(days=10)
    old = ANCHOR - timedelta(days=200)
    with engine.begin() as connection:
        connection.execute(insert(schema.admin_units), [
            unit(OTHER_COUNTY, "远安县", "county", None, whole)])
        connection.execute(insert(schema.admin_units), [
            unit(OTHER_TOWNSHIP, "鸣凤镇", "township", OTHER_COUNTY, whole)])
        connection.execute(insert(schema.admin_units), [
            unit(code, f"第{n + 1}村", "village", OTHER_TOWNSHIP, box, population=500,
                 households=150, left_behind_elderly=40, low_income_households=10)
            for n, (code, box) in enumerate(zip(OTHER_VILLAGES, boxes, strict=True))])
        connection.execute(insert(schema.departments).values(
            code=OTHER_DEPARTMENT, name="远安县委组织部", kind="党政机关", party_members=20,
            active=True, county_code=OTHER_COUNTY))
        connection.execute(insert(schema.pairings), [
            {"department_code": OTHER_DEPARTMENT, "village_code": code, "kind": "结对共建",
             "start_date": ANCHOR - timedelta(days=400), "required_visits_per_month": 1}
            for code in OTHER_VILLAGES[:2]])
        visit = {"kind": "政策宣讲", "cadre_count": 2, "households_visited": 3,
                 "problems_raised": 1, "problems_resolved": 0, "source": "form"}
        connection.execute(insert(schema.visits), [
            {**visit, "date": day, "department_code": OTHER_DEPARTMENT,
             "village_code": OTHER_VILLAGES[0], "summary": "入户走访第一次"},
            {**visit, "date": day - timedelta(days=20), "department_code": OTHER_DEPARTMENT,
             "village_code": OTHER_VILLAGES[0], "summary": "入户走访第二次"},
            {**visit, "date": old, "department_code": OTHER_DEPARTMENT,
             "village_code": OTHER_VILLAGES[1], "summary": "入户走访"},
            {**visit, "date": day, "department_code": "XS001",
             "village_code": OTHER_VILLAGES[2], "summary": "", "households_visited": 0,
             "problems_raised": 0}])
        crossing = connection.execute(select(schema.visits.c.id).where(
            schema.visits.c.village_code == OTHER_VILLAGES[2])).scalar_one()
        problem = {"category": "基础设施", "description": "路灯损坏",
                   "due_date": ANCHOR + timedelta(days=20), "resolved_on": None,
                   "satisfaction": None}
        connection.execute(insert(schema.problems), [
            {**problem, "village_code": OTHER_VILLAGES[0], "raised_on": day,
             "department_code": OTHER_DEPARTMENT, "status": "open"},
            {**problem, "village_code": OTHER_VILLAGES[1], "raised_on": old,
             "department_code": OTHER_DEPARTMENT, "due_date": old + timedelta(days=30),
             "status": "resolved", "resolved_on": day, "satisfaction": "满意"},
            {**problem, "village_code": OTHER_VILLAGES[2], "raised_on": day,
             "department_code": "XS001", "status": "open"}])
    return crossing


@pytest.mark.parametrize("kind", ["departments", "problems"])
def test_the_sample_county_scoped_is_the_report_without_county(
        demo_url: str, capsys: pytest.CaptureFixture, kind: str):
    whole = report(capsys, kind)
    assert whole["departments"]  # a report with rows to compare
    assert report(capsys, kind, "--county", SAMPLE_COUNTY) == whole
    if kind == "departments":
        for part in ("months", "warnings"):
            assert report(capsys, kind, "--part", part, "--county", SAMPLE_COUNTY) == \
                report(capsys, kind, "--part", part)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_county_is_refused_in_chinese(
        demo_url: str, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
        kind: str):
    monkeypatch.setenv("PAIRMAP_LANG", "zh")
    for code in ("999999", "4205"):  # no such county; a city's prefix is not a county
        assert main(["report", kind, "--as-of", AS_OF, "--county", code]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert f"没有县“{code}”的村（社区）或单位" in captured.err
        assert "Traceback" not in captured.err


def test_another_county_is_left_out_of_each_report(demo_url: str,
                                                   capsys: pytest.CaptureFixture):
    alone = {kind: report(capsys, kind) for kind in KINDS}
    alone["months"] = report(capsys, "departments", "--part", "months")
    crossing = add_second_county(db.make_engine(demo_url))
    for kind in KINDS:
        assert report(capsys, kind, "--county", SAMPLE_COUNTY) == alone[kind], kind
    assert report(capsys, "departments", "--part", "months", "--county",
                  SAMPLE_COUNTY) == alone["months"]
    # Unscoped, the other county is there (so the scoped reports above left it out).
    whole = report(capsys, "departments")
    assert OTHER_DEPARTMENT in {d["code"] for d in whole["departments"]}
    assert any(w["department_code"] == "XS001" and w["code"] == "EMPTY_RECORD"
               and crossing in w["visit_ids"] for w in whole["warnings"])

    other = report(capsys, "departments", "--county", OTHER_COUNTY)
    assert [d["code"] for d in other["departments"]] == [OTHER_DEPARTMENT]
    row = other["departments"][0]
    # Two visits in the window, to one village; two pairings, one of them visited.
    assert (row["visits"], row["villages_visited"], row["paired_coverage"]) == (2, 1, 0.5)
    assert (row["problems_raised"], row["rank"]) == (2, 1)
    assert {m["department_code"] for m in other["months"]} == {OTHER_DEPARTMENT}
    assert all(w["department_code"] == OTHER_DEPARTMENT for w in other["warnings"])

    problems = report(capsys, "problems", "--county", OTHER_COUNTY)
    assert [d["code"] for d in problems["departments"]] == [OTHER_DEPARTMENT]
    assert [v["code"] for v in problems["villages"]] == list(OTHER_VILLAGES)
    # The county's villages' problems: two open (one of them XS001's), one resolved.
    assert problems["totals"] == {"open": 2, "overdue": 0, "resolved_in_window": 1}
    department = problems["departments"][0]
    assert (department["open"], department["resolved"], department["satisfaction"]) == (
        1, 1, 1.0)
    assert [v["open"] for v in problems["villages"]] == [1, 0, 1]

    coverage = report(capsys, "coverage", "--county", OTHER_COUNTY)
    assert coverage["totals"]["villages"] == len(OTHER_VILLAGES)
    assert [t["code"] for t in coverage["townships"]] == [OTHER_TOWNSHIP]
    assert [v["visits_in_window"] for v in coverage["villages"]] == [2, 0, 1]
