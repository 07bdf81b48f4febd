"""``python -m geo report departments`` and ``geo.department_report`` on the sample county
(T = 2026-11-28): DESIGN.md's JSON, its numbers against the metric functions run here on
the stored frames, the months, the period options, CSV, and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo import db, store
from geo.cli import main
from geo.demo import seed
from geo.departments import department_figures, ranking, window_months
from geo.formalism import excluded_visit_ids, formalism_warnings
from geo.inputs import CoverageInputs
from geo.problems import department_problem_figures
from tests.conftest import ANCHOR

DEPARTMENT_FIELDS = ["code", "name", "visits", "villages_visited", "participation",
                     "leader_participation", "problems_raised", "problems_resolved",
                     "resolution_rate", "long_term_share", "compliance", "paired_coverage",
                     "satisfaction", "warnings", "score", "rank"]
MONTH_FIELDS = ["department_code", "month", *DEPARTMENT_FIELDS[2:-2]]


@pytest.fixture
def demo_url(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sample county on each backend (conftest's ``demo_url``), for the command line."""
    url = demo_url
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", url)
    monkeypatch.setenv("PAIRMAP_LANG", "en")
    return url


def _report(capsys: pytest.CaptureFixture, *args: str) -> dict:
    assert main(["report", "departments", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _same(reported: object, expected: object) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return reported is None
    if isinstance(expected, float):
        return reported == pytest.approx(expected, rel=1e-12, abs=1e-12)
    return reported == expected


def _independent(url: str, as_of: date, window_days: int) -> tuple:
    """The figures, ranking and warnings from the stored frames, through the metric
    functions (not the report's loader or service)."""
    engine = db.make_engine(url)
    inputs = CoverageInputs(store.load_villages(engine), store.load_pairings(engine),
                            store.load_visits(engine, as_of), as_of, window_days, 90,
                            store.load_problems(engine, as_of))
    warnings = formalism_warnings(inputs)
    excluded = excluded_visit_ids(warnings)
    figures = department_figures(inputs, store.load_departments(engine),
                                 store.load_cadres(engine), excluded)
    ledger = department_problem_figures(inputs.problems, figures.index, inputs.period)
    ranked = ranking(figures, warnings.groupby("department_code").size(),
                     ledger["satisfaction"])
    return inputs, warnings, excluded, figures, ranked


def test_departments_json_matches_the_metric_functions(demo_url: str,
                                                       capsys: pytest.CaptureFixture):
    report = _report(capsys, "--as-of", "2026-11-28")
    assert list(report) == ["as_of", "window_days", "departments", "months", "warnings"]
    assert (report["as_of"], report["window_days"]) == ("2026-11-28", 90)
    rows = report["departments"]
    assert all(list(row) == DEPARTMENT_FIELDS for row in rows)
    assert all(list(row) == MONTH_FIELDS for row in report["months"])
    assert all(list(w) == ["code", "department_code", "visit_ids", "detail"]
               for w in report["warnings"])
    assert "summary" not in json.dumps(report) and "cadre_ids" not in json.dumps(report)

    inputs, warnings, excluded, figures, ranked = _independent(demo_url, ANCHOR, 90)
    assert excluded, "the sample has empty records and duplicates"
    assert len(rows) == len(figures)
    assert [row["code"] for row in rows] == ranked.index.tolist()  # rank order
    by_code = {row["code"]: row for row in rows}
    top, bottom = rows[0]["code"], [r for r in rows if r["rank"] is not None][-1]["code"]
    warned = warnings["department_code"].value_counts().index[0]
    for code in {top, bottom, warned}:
        row, expected = by_code[code], figures.loc[code]
        for field in ["visits", "villages_visited", "participation",
                      "leader_participation", "problems_raised", "problems_resolved",
                      "resolution_rate", "long_term_share", "compliance"]:
            assert _same(row[field], expected[field]), (code, field)
        assert _same(row["paired_coverage"], expected["paired_village_coverage"])
        assert row["warnings"] == int((warnings["department_code"] == code).sum())
        assert _same(row["score"], ranked.loc[code, "score"])
        assert row["rank"] == ranked.loc[code, "rank"]
        assert _same(row["satisfaction"], ranked.loc[code, "satisfaction"])

    # A hand count: the department's window visits, the excluded ones left out.
    visits = inputs.visits
    day = pd.to_datetime(visits["date"])
    mine = visits[(visits["department_code"] == warned)
                  & (day > pd.Timestamp("2026-08-30")) & (day <= pd.Timestamp(ANCHOR))
                  & ~visits["id"].isin(excluded)]
    assert by_code[warned]["visits"] == len(mine)
    assert by_code[warned]["problems_raised"] == int(mine["problems_raised"].fillna(0).sum())

    # Warnings: one per row of formalism_warnings, with their visit ids.
    assert [(w["department_code"], w["code"], w["visit_ids"]) for w in report["warnings"]] == [
        (r.department_code, r.code, list(r.visit_ids)) for r in warnings.itertuples()]
    assert sum(row["warnings"] for row in rows) == len(report["warnings"])
    assert all(w["detail"]["visits"] == len(w["visit_ids"]) for w in report["warnings"])
    bursts = [w for w in report["warnings"] if w["code"] == "END_OF_PERIOD_BURST"]
    assert all(w["detail"]["quarter"].startswith("2026-Q") for w in bursts)


def test_months_cover_every_month_of_the_window(demo_url: str,
                                                capsys: pytest.CaptureFixture):
    report = _report(capsys, "--as-of", "2026-11-28", "--window-days", "100")
    months = sorted({row["month"] for row in report["months"]})
    # T-W = 2026-08-20: August (from the 21st) to November.
    assert months == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert months == [label for label, _, _ in window_months(ANCHOR, 100)]
    codes = [row["code"] for row in report["departments"]]
    assert len(report["months"]) == len(codes) * len(months)
    by_department: dict[str, int] = {}
    for row in report["months"]:
        by_department[row["department_code"]] = (by_department.get(row["department_code"], 0)
                                                 + row["visits"])
    assert by_department == {row["code"]: row["visits"] for row in report["departments"]}
    # Compliance only for months wholly inside the window.
    assert all(row["compliance"] is None for row in report["months"]
               if row["month"] in ("2026-08", "2026-11"))

    part = _report(capsys, "--as-of", "2026-11-28", "--window-days", "100",
                   "--part", "months")
    assert list(part) == ["as_of", "window_days", "months"]
    assert part["months"] == report["months"]


def test_from_and_to_set_the_window(demo_url: str, capsys: pytest.CaptureFixture):
    report = _report(capsys, "--from", "2025-01-01", "--to", "2025-12-31")
    assert (report["as_of"], report["window_days"]) == ("2025-12-31", 365)
    assert sorted({row["month"] for row in report["months"]}) == [
        f"2025-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh", "错误：--to 2025-01-01 早于 --from 2025-02-01"),
    ("en", "error: --to 2025-01-01 is before --from 2025-02-01"),
])
def test_from_after_to_is_refused(demo_url: str, capsys: pytest.CaptureFixture,
                                  monkeypatch: pytest.MonkeyPatch, lang: str, expected: str):
    monkeypatch.setenv("PAIRMAP_LANG", lang)
    assert main(["report", "departments", "--from", "2025-02-01", "--to", "2025-01-01"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == expected and captured.out == ""


def test_part_is_refused_for_the_coverage_reports(demo_url: str,
                                                  capsys: pytest.CaptureFixture):
    assert main(["report", "coverage", "--part", "months"]) == 2
    assert "--part" in capsys.readouterr().err


def _csv(capsys: pytest.CaptureFixture, *args: str) -> list[dict[str, str]]:
    assert main(["report", "departments", "--as-of", "2026-11-28", "--format", "csv",
                 *args]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_csv_has_one_row_per_department(demo_url: str, capsys: pytest.CaptureFixture,
                                        tmp_path: Path):
    out = tmp_path / "部门.csv"
    assert main(["report", "departments", "--as-of", "2026-11-28", "--format", "csv",
                 "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert summary == {"report": "departments", "part": "departments",
                       "rows": len(rows), "out": str(out)}
    assert list(rows[0]) == DEPARTMENT_FIELDS
    ranked = [r for r in rows if r["rank"]]
    assert [int(r["rank"]) for r in ranked] == list(range(1, len(ranked) + 1))
    scores = [float(r["score"]) for r in ranked if r["score"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= float(r[f]) <= 1 for r in rows for f in (
        "participation", "leader_participation", "resolution_rate", "long_term_share",
        "compliance", "paired_coverage") if r[f])


@pytest.mark.slow  # three reports of the sample
def test_csv_parts(demo_url: str, capsys: pytest.CaptureFixture):
    report = _report(capsys, "--as-of", "2026-11-28")
    rows = _csv(capsys)
    assert [r["code"] for r in rows] == [d["code"] for d in report["departments"]]
    first = report["departments"][0]
    assert float(rows[0]["score"]) == first["score"] and rows[0]["rank"] == "1"

    months = _csv(capsys, "--part", "months")
    assert list(months[0]) == MONTH_FIELDS and len(months) == len(report["months"])

    warnings = _csv(capsys, "--part", "warnings")
    assert list(warnings[0]) == ["code", "department_code", "visits", "quarter",
                                 "visit_ids", "groups"]
    assert [[int(i) for i in w["visit_ids"].split(";")] for w in warnings] == [
        w["visit_ids"] for w in report["warnings"]]


def test_departments_report_on_postgres(postgres_url: str, demo_copy: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture):
    """The report of the sample seeded on PostgreSQL is that of the SQLite sample."""
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{demo_copy}")
    monkeypatch.setenv("PAIRMAP_LANG", "en")
    expected = _report(capsys, "--as-of", "2026-11-28")
    seed.seed_demo(db.make_engine(postgres_url), anchor=ANCHOR)
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", postgres_url)
    report = _report(capsys, "--as-of", "2026-11-28")
    assert report == expected
