"""``python -m geo plan`` on the sample county: the plan JSON, the organisation department's
sheet, the CSV inputs and their refusals (one Chinese sentence naming file, row and
column; exit 2), ``--commit`` and ``--undo-last``."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from geo import db, store
from geo.cli import main

AS_OF = "2026-11-28"


@pytest.fixture
def demo_url(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sample county on each backend (conftest's ``demo_url``), for the command line."""
    url = demo_url
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", url)
    monkeypatch.setenv("PAIRMAP_LANG", "zh")
    return url


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, object, str]:
    code = main(["plan", "--as-of", AS_OF, *args])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_plan_prints_the_design_json(demo_url, capsys):
    code, plan, _ = run(capsys)
    assert code == 0
    assert set(plan) == {"as_of", "proposals", "uncovered", "total_distance_km", "shortfall",
                         "note"}
    assert plan["as_of"] == AS_OF and plan["proposals"]
    assert set(plan["proposals"][0]) == {"department_code", "village_code", "distance_km",
                                         "priority", "reason"}
    keys = [(p["department_code"], p["village_code"]) for p in plan["proposals"]]
    assert keys == sorted(keys) and len({v for _, v in keys}) == len(keys)
    assert plan["shortfall"]["covered"] == len(plan["proposals"])
    assert plan["total_distance_km"] == pytest.approx(
        sum(p["distance_km"] for p in plan["proposals"]), abs=1e-6)


def test_an_empty_plan_is_exit_0_with_its_reason(demo_url, capsys):
    code, plan, _ = run(capsys, "--members-per-village", "400")
    assert code == 0 and plan["proposals"] == []
    assert plan["note"].startswith("各单位已没有结对名额")


def test_out_writes_the_organisation_departments_sheet(demo_url, capsys, tmp_path):
    out = tmp_path / "规划.xlsx"
    code, plan, _ = run(capsys, "--out", str(out))
    assert code == 0
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "单位", "村", "乡镇", "结对类型", "开始日期", "距离(公里)", "理由")
    assert len(rows) - 1 == len(plan["proposals"])
    assert rows[1][0] == 1 and rows[1][4] == "结对共建" and rows[1][5] == AS_OF
    assert rows[1][6] == plan["proposals"][0]["distance_km"]


@pytest.mark.slow  # five plans of the sample county
def test_capacity_lock_exclude_and_costs_files_are_used(demo_url, capsys, tmp_path):
    _, first, _ = run(capsys, "--reasons", "UNPAIRED")
    department, village = (first["proposals"][0]["department_code"],
                           first["proposals"][0]["village_code"])
    capacity = write(tmp_path / "cap.csv", f"单位代码,名额\n{department},0\n")
    code, plan, _ = run(capsys, "--reasons", "UNPAIRED", "--capacity", str(capacity))
    assert code == 0 and department not in {p["department_code"] for p in plan["proposals"]}
    exclude = write(tmp_path / "ex.csv", f"department_code,village_code\n{department},{village}\n")
    code, plan, _ = run(capsys, "--reasons", "UNPAIRED", "--exclude", str(exclude))
    assert code == 0 and (department, village) not in {
        (p["department_code"], p["village_code"]) for p in plan["proposals"]}
    other = next(p for p in first["proposals"] if p["village_code"] != village)["village_code"]
    lock = write(tmp_path / "lock.csv", f"单位代码,村代码\n{department},{other}\n")
    code, plan, _ = run(capsys, "--reasons", "UNPAIRED", "--lock", str(lock))
    assert code == 0
    assert {"department_code": department, "village_code": other} | {
        "reason": "LOCKED"} == {k: v for k, v in next(
            p for p in plan["proposals"] if p["village_code"] == other).items()
            if k in ("department_code", "village_code", "reason")}
    costs = write(tmp_path / "costs.csv",
                  f"单位代码,村代码,距离(公里)\n{department},{village},12.5\n")
    code, plan, _ = run(capsys, "--reasons", "UNPAIRED", "--costs", str(costs))
    assert code == 0
    assert [(p["department_code"], p["village_code"], p["distance_km"])
            for p in plan["proposals"]] == [(department, village, 12.5)]
    assert len(plan["uncovered"]) == plan["shortfall"]["candidates"] - 1
    assert "距离表" in plan["note"]


@pytest.mark.parametrize(("kind", "text", "sentence"), [
    ("capacity", "单位代码,名额\nXS001,2\nXS002,-1\n",
     "名额“-1”不是不小于 0 的整数（文件 {path}，第 3 行，“名额”列）"),
    ("capacity", "单位代码,名额\nXS001,两个\n",
     "名额“两个”不是不小于 0 的整数（文件 {path}，第 2 行，“名额”列）"),
    ("lock", "单位代码,村代码\nXS999,420526101001\n",
     "没有单位“XS999”（文件 {path}，第 2 行，“单位代码”列）"),
    ("exclude", "department_code,village_code\nXS001,420526101001\nXS001,420526101001\n",
     "与第 2 行重复（文件 {path}，第 3 行，“village_code”列）"),
    ("exclude", "department_code,village_code\nXS001,\n",
     "单元格为空（文件 {path}，第 2 行，“village_code”列）"),
    ("costs", "单位代码,村代码,公里\nXS001,420526101001,远\n",
     "距离“远”不是不小于 0 的公里数（文件 {path}，第 2 行，“公里”列）"),
    ("costs", "单位代码,村代码\nXS001,420526101001\n",
     "缺少列：km / 公里 / 距离(公里)（文件 {path}）"),
])
def test_a_bad_row_is_one_chinese_sentence_naming_file_row_and_column(
        demo_url, capsys, tmp_path, kind, text, sentence):
    path = write(tmp_path / f"{kind}.csv", text)
    before = store.count_rows(db.make_engine(demo_url))
    code, _, err = run(capsys, f"--{kind}", str(path), "--commit")
    assert code == 2
    assert err.strip() == "错误：" + sentence.format(path=path)
    assert store.count_rows(db.make_engine(demo_url)) == before


def test_locks_beyond_a_departments_places_are_refused(demo_url, capsys, tmp_path):
    _, first, _ = run(capsys, "--reasons", "UNPAIRED")
    villages = first["uncovered"] + [p["village_code"] for p in first["proposals"]]
    lock = write(tmp_path / "lock.csv", "单位代码,村代码\n" + "".join(
        f"XS001,{v}\n" for v in villages))
    code, _, err = run(capsys, "--reasons", "UNPAIRED", "--lock", str(lock))
    departments = store.load_departments(db.make_engine(demo_url)).set_index("code")
    name = departments.at["XS001", "name"]  # the name, not the code, is what a clerk knows
    assert code == 2 and err.startswith(f"错误：单位“{name}”指定了")
    assert "超过其名额" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_commit_then_undo_last(demo_url, capsys):
    engine = db.make_engine(demo_url)
    before = len(store.load_pairings(engine))
    code, plan, _ = run(capsys, "--commit")
    assert code == 0 and len(plan["committed"]) == len(plan["proposals"]) > 0
    pairings = store.load_pairings(engine)
    assert len(pairings) == before + len(plan["proposals"])
    log = store.load_audit(engine)
    assert log["action"].iloc[-1] == "plan_commit"
    assert log["username"].iloc[-1].startswith("cli:")
    # Planned again: the committed villages are paired now, so no longer UNPAIRED (one
    # never visited may still get a second department, as the rules allow).
    code, again, _ = run(capsys, "--reasons", "UNPAIRED")
    assert code == 0 and not {p["village_code"] for p in again["proposals"]} & {
        p["village_code"] for p in plan["proposals"]}
    assert main(["plan", "--undo-last"]) == 0
    undone = json.loads(capsys.readouterr().out)
    assert sorted(undone["removed"]) == sorted(plan["committed"]) and undone["ended"] == []
    assert len(store.load_pairings(engine)) == before
    assert main(["plan", "--undo-last"]) == 2
    assert capsys.readouterr().err.strip() == "错误：没有可以撤销的规划提交"


def test_undo_last_stands_alone_and_out_must_be_xlsx(demo_url, capsys):
    assert main(["plan", "--undo-last", "--commit"]) == 2
    assert "--undo-last" in capsys.readouterr().err
    code, _, err = run(capsys, "--out", "plan.csv")
    assert code == 2 and err.strip() == "错误：--out 须为 .xlsx 文件，而不是 plan.csv"
    code, _, err = run(capsys, "--reasons", "UNPAIRED,WEAK")
    assert code == 2 and "WEAK" in err


def test_county_limits_the_plan_to_one_county(demo_url, capsys):
    code, whole, _ = run(capsys)
    code_county, county, _ = run(capsys, "--county", "420526")
    assert code == code_county == 0 and county == whole
    code, _, err = run(capsys, "--county", "999999")
    assert code == 2 and err.strip() == "错误：没有县“999999”的村（社区）或单位"
