"""``python -m geo bench``: the DuckDB reference agrees with the project's coverage
metrics, the JSON is DESIGN.md's, and bad arguments are refused in the catalogue's words.

Speed is the benchmark's business; nothing here asserts on time.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from geo import bench, coverage, db, store
from geo.cli import main
from geo.i18n import translate
from geo.inputs import CoverageInputs
from tests.conftest import ANCHOR


@pytest.fixture
def demo_url(demo_copy: Path) -> str:
    return f"sqlite:///{demo_copy}"


@pytest.fixture(scope="module")
def frames(demo_db: Path) -> dict[str, pd.DataFrame]:
    """The sample county's villages, pairings, visits and problems, loaded once (read
    only)."""
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        return {"villages": store.load_villages(engine), "pairings": store.load_pairings(engine),
                "visits": store.load_visits(engine), "problems": store.load_problems(engine)}
    finally:
        engine.dispose()


@pytest.mark.parametrize("when", ["anchor", "400 days back", "a pairing's last day"])
def test_the_duckdb_query_gives_the_projects_coverage_figures(frames: dict, when: str):
    """Two independent computations (numpy over frames, one SQL query in DuckDB) of each
    village's pairings, visits in the window, last visit and days since, and of the
    totals, on the sample county at a fixed as-of date (400 days back: other pairings
    active, visits after T left out; on the last day of an ended pairing, still active)."""
    as_of = ANCHOR - timedelta(days=400) if when == "400 days back" else ANCHOR
    if when == "a pairing's last day":
        as_of = max(end for end in frames["pairings"]["end_date"].dropna() if end <= ANCHOR)
    inputs = CoverageInputs(frames["villages"], frames["pairings"], frames["visits"], as_of,
                            90, 90, frames["problems"])
    ours = coverage.compute_village_coverage(inputs).sort_index()
    connection = bench.duckdb_connection(inputs)
    try:
        theirs = bench.duckdb_coverage(connection, as_of, inputs.window_days).set_index("code")
    finally:
        connection.close()

    assert list(theirs.index) == list(ours.index)
    assert theirs["pairings"].astype(int).tolist() == ours["pairings"].tolist()
    assert theirs["paired"].astype(bool).tolist() == ours["paired"].tolist()
    assert theirs["visits_in_window"].astype(int).tolist() == ours["visits_in_window"].tolist()
    last_theirs = [None if pd.isna(d) else pd.Timestamp(d).date() for d in theirs["last_visit"]]
    last_ours = [None if pd.isna(d) else pd.Timestamp(d).date() for d in ours["last_visit"]]
    assert last_theirs == last_ours
    since_theirs = [None if pd.isna(d) else int(d) for d in theirs["days_since_last_visit"]]
    since_ours = [None if pd.isna(d) else int(d) for d in ours["days_since_last_visit"]]
    assert since_theirs == since_ours
    assert theirs["never_visited"].astype(bool).tolist() == ours[
        "days_since_last_visit"].isna().tolist()
    # The comparison is not vacuous: visited and unvisited, paired and unpaired villages.
    assert 0 < ours["visits_in_window"].gt(0).sum() < len(ours)
    assert 0 < ours["paired"].sum() < len(ours)
    assert ours["days_since_last_visit"].dropna().gt(0).any()

    report = coverage.coverage_report(inputs, pd.DataFrame({"code": [], "short_name": []}))
    totals = report["totals"]
    first = theirs.iloc[0]
    assert int(first["total_villages"]) == totals["villages"]
    assert int(first["total_paired"]) == totals["paired"]
    assert int(first["total_visited"]) == totals["visited"]
    assert int(first["total_never_visited"]) == totals["never_visited"]
    assert (theirs[["total_villages", "total_paired", "total_visited",
                    "total_never_visited"]].nunique() == 1).all()


def test_the_json_has_exactly_designs_keys_and_types(
        demo_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", demo_url)
    monkeypatch.setenv("PAIRMAP_LANG", "en")
    assert main(["bench", "--scale", "county", "--json", "--runs", "1",
                 "--import-rows", "40"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert set(result) == {"scale", "villages", "visits", "seconds", "bytes"}
    assert set(result["seconds"]) == {"coverage", "coverage_duckdb", "neglected",
                                      "departments", "map_build", "import", "planner"}
    assert set(result["bytes"]) == {"map_province", "map_city", "map_county",
                                    "map_township"}
    assert result["scale"] == "county"
    engine = db.make_engine(demo_url)
    counts = store.count_rows(engine)
    assert result["villages"] == len(store.load_villages(engine))
    engine.dispose()
    assert result["visits"] == counts["visits"]
    assert all(isinstance(v, float) and v >= 0 for v in result["seconds"].values())
    assert all(v is None or (isinstance(v, int) and v > 0) for v in result["bytes"].values())
    # The county sample has no province or city: said, not silently null.
    assert result["bytes"]["map_province"] is None and result["bytes"]["map_city"] is None
    assert result["bytes"]["map_county"] > result["bytes"]["map_township"] > 0
    for level in ("province", "city"):
        assert translate("bench.note_no_level", "en", level=level) in captured.err
    assert translate("bench.note_database", "en", url=demo_url) in captured.err


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("args", "key", "values"), [
    (["--scale", "city"], "error.unknown_scale", {"scale": "city"}),
    (["--runs", "0"], "cli.not_positive", {"value": 0}),
    (["--import-rows", "many"], "cli.not_whole", {"value": "many"}),
    (["--pg-url", "sqlite:///x.db"], "cli.bench_pg_url", {"value": "sqlite:///x.db"}),
])
def test_bad_arguments_are_refused_in_the_catalogues_words(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, lang: str,
        args: list[str], key: str, values: dict):
    monkeypatch.setenv("PAIRMAP_LANG", lang)
    with pytest.raises(SystemExit) as exit_:
        main(["bench", *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(translate(key, lang, **values))
    assert "Traceback" not in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_database_of_another_scale_is_refused(
        demo_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
        lang: str):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", demo_url)
    monkeypatch.setenv("PAIRMAP_LANG", lang)
    assert main(["bench", "--scale", "province", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    message = translate("error.bench_scale_mismatch", lang, stored="county", scale="province")
    assert captured.err.strip() == translate("cli.error", lang, message=message)


def test_the_planner_instance_is_the_worst_case_of_one_county():
    candidates, villages, departments, pairings = bench.planner_instance(30, 7)
    assert len(candidates) == len(villages) == 30 and len(departments) == 7
    assert candidates["reasons"].map(lambda r: r == ["UNPAIRED"]).all()
    assert set(departments["county_code"]) == {villages["code"].str[:6].iloc[0]}
    assert pairings.empty
