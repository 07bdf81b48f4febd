"""``python -m geo seed-demo`` and ``export``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from sqlalchemy import update

from geo import db, schema
from geo.cli import main
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """The command line speaks PAIRMAP_LANG; these tests read its English sentences
    (its Chinese ones are checked where a test sets the language itself)."""
    monkeypatch.setenv("PAIRMAP_LANG", "en")


def run_cli(args: list[str], url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, text=True,
                          capture_output=True, env={"PATH": "/usr/bin:/bin",
                                                    "PAIRMAP_DATABASE_URL": url},
                          timeout=300, check=False)


@pytest.mark.slow  # python -m geo, seeding three times
def test_seed_demo_fills_an_empty_database_and_refuses_a_full_one(sqlite_url: str):
    result = run_cli(["seed-demo", "--as-of", "2026-11-28"], sqlite_url)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)["loaded"]
    assert loaded["admin_units"] == 105 and loaded["departments"] >= 55
    assert 15_000 <= loaded["visits"] <= 25_000

    again = run_cli(["seed-demo"], sqlite_url)
    assert again.returncode == 2
    assert "--force" in again.stderr and "Traceback" not in again.stderr

    forced = run_cli(["seed-demo", "--force", "--as-of", "2026-12-31"], sqlite_url)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["loaded"]["visits"] >= 15_000


@pytest.mark.slow  # python -m geo, seeding
def test_seed_demo_on_postgres(postgres_url: str):
    result = run_cli(["seed-demo", "--as-of", "2026-11-28"], postgres_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["loaded"]["admin_units"] == 105


@pytest.fixture
def demo_url(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sample county on each backend (conftest's ``demo_url``), for the command line."""
    url = demo_url
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", url)
    return url


@pytest.mark.parametrize("table", ["departments", "cadres", "pairings", "visits", "audit",
                                   "villages", "townships"])
def test_export_csv_has_the_design_columns(demo_url: str, tmp_path: Path, table: str,
                                           capsys: pytest.CaptureFixture):
    from geo.io.table_files import EXPORT_COLUMNS

    out = tmp_path / f"{table}.csv"
    assert main(["export", table, "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == EXPORT_COLUMNS[table]
    assert len(rows) - 1 == report["rows"]


@pytest.mark.slow  # writes every visit to XLSX
def test_export_geojson_and_xlsx(demo_url: str, tmp_path: Path):
    assert main(["export", "villages", "--out", str(tmp_path / "v.geojson")]) == 0
    villages = gpd.read_file(tmp_path / "v.geojson")
    assert len(villages) == 96 and villages.crs.to_epsg() == 4326
    assert set(villages["boundary_source"]) == {"schematic"}
    assert main(["export", "visits", "--out", str(tmp_path / "v.xlsx")]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "v.xlsx", read_only=True)["visits"]
    assert next(sheet.iter_rows(values_only=True))[:3] == ("id", "date", "department_code")


def test_export_refuses_geojson_for_a_plain_table(demo_url: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture):
    assert main(["export", "visits", "--out", str(tmp_path / "v.geojson")]) == 2
    assert "csv" in capsys.readouterr().err


def test_export_neutralises_formulas(demo_url: str, tmp_path: Path):
    engine = db.make_engine(demo_url)
    with engine.begin() as connection:
        connection.execute(update(schema.departments).where(
            schema.departments.c.code == "XS001").values(name="=HYPERLINK(\"http://x\")"))
        connection.execute(update(schema.visits).where(schema.visits.c.id == 1).values(
            summary="@SUM(A1)"))
    assert main(["export", "departments", "--out", str(tmp_path / "d.xlsx")]) == 0
    assert main(["export", "visits", "--out", str(tmp_path / "v.csv")]) == 0
    cells = [c for row in openpyxl.load_workbook(tmp_path / "d.xlsx")["departments"]
             .iter_rows(values_only=True) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    with (tmp_path / "v.csv").open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.DictReader(handle))
    assert first["summary"] == "'@SUM(A1)"


@pytest.mark.slow  # python -m geo
def test_bad_database_url_is_one_sentence(tmp_path: Path):
    result = run_cli(["export", "visits", "--out", str(tmp_path / "v.csv")], "nonsense://")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "PAIRMAP_DATABASE_URL" in result.stderr


def _users(args: list[str], url: str, password: str | None = None, lang: str = "en"):
    return subprocess.run([sys.executable, "-m", "geo", "users", *args], cwd=ROOT, text=True,
                          input=password, capture_output=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "PAIRMAP_DATABASE_URL": url,
                               "PAIRMAP_LANG": lang})


@pytest.mark.slow  # python -m geo, five times
def test_users_commands_read_passwords_from_stdin_and_are_audited(demo_url: str):
    import getpass

    from geo import auth
    from geo.access import Role, User
    from geo.audit import load_audit_log

    url = demo_url
    added = _users(["add", "li", "--role", "liaison", "--department", "XS001"], url,
                   "first-pass-1\n")
    assert added.returncode == 0, added.stderr
    assert "first-pass-1" not in added.stdout + added.stderr
    engine = db.make_engine(url)
    assert auth.authenticate(engine, "li", "first-pass-1").user.department_code == "XS001"
    assert _users(["reset", "li"], url, "second-pass-2\n").returncode == 0
    assert auth.authenticate(engine, "li", "first-pass-1").user is None
    assert auth.authenticate(engine, "li", "second-pass-2").user is not None
    assert _users(["deactivate", "li"], url).returncode == 0
    assert auth.authenticate(engine, "li", "second-pass-2").user is None

    refused = _users(["add", "nodept", "--role", "liaison"], url, "password-123\n")
    assert refused.returncode == 2 and "department" in refused.stderr
    assert "Traceback" not in refused.stderr
    empty = _users(["add", "nopass", "--role", "leader"], url, "")
    assert empty.returncode == 2 and "password" in empty.stderr
    chinese = _users(["add", "nodept", "--role", "liaison"], url, "password-123\n", lang="zh")
    assert chinese.returncode == 2
    assert chinese.stderr.strip() == "错误：单位联络员必须指定单位（命令行：--department 单位代码）"

    log = load_audit_log(engine, User("a", Role.ADMIN), entity="users")
    assert log["action"].tolist() == ["deactivate", "reset_password", "create"]
    assert set(log["username"]) == {f"cli:{getpass.getuser()}"}
    assert "pass" not in " ".join(log["after"].dropna())


def test_report_coverage_json_contract(demo_url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture):
    assert main(["report", "coverage", "--as-of", "2026-11-28"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["as_of", "window_days", "neglect_days", "totals", "townships",
                            "villages"]
    assert (report["as_of"], report["window_days"], report["neglect_days"]) == (
        "2026-11-28", 90, 90)
    assert list(report["totals"]) == ["villages", "paired", "visited", "never_visited",
                                      "neglected", "severe"]
    assert report["totals"]["villages"] == 96 and len(report["townships"]) == 8
    assert list(report["townships"][0]) == ["code", "name", "villages", "paired_share",
                                            "visited_share", "never_visited", "neglected",
                                            "severe", "visits_per_1000"]
    assert list(report["villages"][0]) == ["code", "name", "township_code", "paired",
                                           "visits_in_window", "last_visit",
                                           "days_since_last_visit", "reasons", "need",
                                           "priority"]
    never = [v for v in report["villages"] if "NEVER_VISITED" in v["reasons"]]
    assert never and all(v["last_visit"] is None and v["days_since_last_visit"] is None
                         for v in never)
    codes = {r for v in report["villages"] for r in v["reasons"]}
    assert codes == {"UNPAIRED", "NEVER_VISITED", "NOT_VISITED", "OVERDUE_PROBLEM",
                     "BELOW_REQUIRED", "PROBLEMS_PENDING"}


@pytest.mark.slow  # four reports of the sample
def test_report_neglected_is_ordered_and_options_apply(demo_url: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture):
    assert main(["report", "neglected", "--as-of", "2026-11-28", "--window-days", "30",
                 "--neglect-days", "60", "--out", str(tmp_path / "n.json")]) == 0
    capsys.readouterr()
    report = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))
    assert (report["window_days"], report["neglect_days"]) == (30, 60)
    villages = report["villages"]
    assert villages and all(v["reasons"] for v in villages)
    priorities = [v["priority"] for v in villages]
    assert priorities == sorted(priorities, reverse=True)
    assert len(villages) == report["totals"]["neglected"]

    assert main(["report", "coverage", "--from", "2025-01-01", "--to", "2025-12-31"]) == 0
    year = json.loads(capsys.readouterr().out)
    assert (year["as_of"], year["window_days"]) == ("2025-12-31", 365)

    assert main(["report", "coverage", "--as-of", "2026-11-28", "--format", "csv",
                 "--out", str(tmp_path / "c.csv")]) == 0
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 96 and rows[0]["code"].startswith("420526")

    assert main(["report", "coverage", "--from", "2025-01-01"]) == 2
    assert "--from and --to" in capsys.readouterr().err
    assert main(["report", "coverage", "--from", "2025-02-01", "--to", "2025-01-01"]) == 2


def test_a_write_changes_the_data_version(demo_url: str):
    from datetime import date

    from geo import store
    from geo.access import Role, User
    from geo.records import VisitInput, add_visit

    engine = db.make_engine(demo_url)
    before = store.data_version(engine)
    add_visit(engine, User("a", Role.ADMIN), VisitInput(
        date=date(2026, 11, 27), department_code="XS001", village_code="420526101201",
        kind="其他"), today=date(2026, 11, 28))
    assert store.data_version(engine) == before + 1


def test_exported_boundaries_reimport_unchanged(demo_url: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture):
    for level, table in (("village", "villages"), ("township", "townships")):
        out = tmp_path / f"{table}.geojson"
        assert main(["export", table, "--out", str(out)]) == 0
        capsys.readouterr()
        assert main(["import", "boundaries", str(out), "--level", level]) == 0
        report = json.loads(capsys.readouterr().out)
        assert (report["unchanged"], report["updated"], report["inserted"]) == (
            report["rows"], 0, 0)
    assert main(["import", "boundaries", str(out)]) == 2
    assert "--level" in capsys.readouterr().err
    assert main(["import", "townships", str(out)]) == 2
    assert main(["import", "audit", str(out)]) == 2


@pytest.mark.slow  # python -m geo, five times
def test_import_visits_command_exit_codes_and_side_file(demo_url: str, tmp_path: Path):
    url = demo_url
    good = tmp_path / "走访台账.csv"
    good.write_text("日期,单位代码,村代码,走访类型,走访户数,工作内容\n"
                    "2026-11-20,XS001,420526101201,走访慰问,5,入户走访\n", encoding="gbk")
    first = run_cli(["import", "visits", str(good)], url)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["inserted"] == 1
    again = run_cli(["import", "visits", str(good)], url)
    assert json.loads(again.stdout)["unchanged"] == 1 and again.returncode == 0

    bad = tmp_path / "bad.csv"
    bad.write_text("日期,单位代码,村代码,走访类型,走访户数\n"
                   "2026-11-21,XS001,420526101201,走访慰问,3\n"
                   "2026-11-21,XS001,420526999999,走访慰问,-1\n", encoding="utf-8")
    refused = run_cli(["import", "visits", str(bad)], url)
    assert refused.returncode == 1
    report = json.loads(refused.stdout)
    assert report["inserted"] == 0 and {e["row"] for e in report["errors"]} == {3}
    assert {e["column"] for e in report["errors"]} >= {"村代码"}
    skipped = run_cli(["import", "visits", str(bad), "--skip-invalid"], url)
    assert skipped.returncode == 1
    report = json.loads(skipped.stdout)
    assert report["inserted"] == 1 and report["rejected"] == 1
    assert Path(report["rejected_file"]).name == "bad.rejected.csv"
    assert (tmp_path / "bad.rejected.csv").is_file()

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    broken = run_cli(["import", "visits", str(empty)], url)
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert broken.stdout == ""


def test_an_unexpected_error_is_one_sentence_and_its_traceback_needs_debug(
        monkeypatch, capsys, tmp_path):
    from geo import cli

    def broken(args, settings):
        raise RuntimeError("boom")

    monkeypatch.setitem(cli.COMMANDS, "export", broken)
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("PAIRMAP_LANG", "zh")
    assert main(["export", "villages", "--out", str(tmp_path / "v.csv")]) == 2
    err = capsys.readouterr().err
    assert err == "错误：发生意外错误（RuntimeError）；加 --debug 可查看详情\n"
    with pytest.raises(RuntimeError, match="boom"):
        main(["--debug", "export", "villages", "--out", str(tmp_path / "v.csv")])


def test_command_line_errors_follow_the_language_setting(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    for lang, expected in (("zh", "错误：--from 和 --to 须同时给出"),
                           ("en", "error: give --from and --to together")):
        monkeypatch.setenv("PAIRMAP_LANG", lang)
        assert main(["report", "coverage", "--from", "2026-01-01"]) == 2
        assert capsys.readouterr().err.strip() == expected


@pytest.mark.parametrize(("lang", "help_text", "refusal"), [
    ("zh", "为待关注村提出新的结对建议", "“2026-13-01”不是日期（YYYY-MM-DD）"),
    ("en", "propose new pairings for neglected villages", "not a date (YYYY-MM-DD): 2026-13-01"),
])
def test_help_and_argument_refusals_follow_pairmap_lang(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
        lang: str, help_text: str, refusal: str):
    """The command's help and its refusal of a bad argument are the catalogue's, in
    ``PAIRMAP_LANG`` (argparse's own "usage:" and "error:" stay as argparse writes them)."""
    monkeypatch.setenv("PAIRMAP_LANG", lang)
    with pytest.raises(SystemExit):
        main(["--help"])
    assert help_text in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["report", "coverage", "--as-of", "2026-13-01"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip().endswith(refusal)
