"""``python -m geo report problems``: DESIGN.md's JSON exactly, on a hand-computed ledger."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine, insert

from geo import db, schema
from geo.cli import main
from tests.tiny_county import DEPARTMENT, VILLAGE, add_tiny_county


@pytest.fixture
def ledger(database_url: str) -> Engine:
    """The tiny county with six problems, on each backend."""
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with engine.begin() as connection:
        add_tiny_county(connection, second_department=True)

        def row(raised: date, status: str = "open", resolved: date | None = None,
                rating: str | None = None, department: str = DEPARTMENT) -> dict:
            return {"village_code": VILLAGE, "department_code": department,
                    "raised_on": raised, "due_date": date.fromordinal(raised.toordinal() + 30),
                    "category": "其他", "description": f"问题 {raised}", "status": status,
                    "resolved_on": resolved, "satisfaction": rating, "resident": "张三"}

        connection.execute(insert(schema.problems), [
            row(date(2026, 10, 1)),                                     # open, overdue, 58 d
            row(date(2026, 11, 20)),                                    # open, 8 days
            row(date(2026, 11, 1), "resolved", date(2026, 11, 5), "满意"),       # 4 days
            row(date(2026, 11, 1), "resolved", date(2026, 11, 11), "基本满意"),  # 10 days
            row(date(2026, 11, 2), "closed_unresolved", date(2026, 11, 3), "不满意"),
            row(date(2026, 11, 29)),                                    # raised after T
        ])
    yield engine
    engine.dispose()


def test_report_problems_is_design_mds_json(ledger: Engine, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", str(ledger.url))
    assert main(["report", "problems", "--as-of", "2026-11-28", "--window-days", "90"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "as_of": "2026-11-28", "window_days": 90,
        "totals": {"open": 2, "overdue": 1, "resolved_in_window": 2},
        "departments": [
            {"code": DEPARTMENT, "name": "县委组织部", "open": 2, "overdue": 1, "resolved": 2,
             "median_days_to_resolve": 7.0,            # (4 + 10) ÷ 2
             "satisfaction": 0.5},                     # (1 + 0.5 + 0) ÷ 3
            {"code": "D02", "name": "县水利局", "open": 0, "overdue": 0, "resolved": 0,
             "median_days_to_resolve": None, "satisfaction": None}],
        "villages": [{"code": VILLAGE, "name": "古夫", "open": 2, "overdue": 1,
                      "oldest_open_days": 58}],
    }
    assert "张三" not in json.dumps(report, ensure_ascii=False)
    assert main(["report", "problems", "--as-of", "2026-11-28", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("code,name,open,overdue,resolved,median_days_to_resolve,"
                        "satisfaction")
    assert lines[1] == f"{DEPARTMENT},县委组织部,2,1,2,7.0,0.5"
