"""``python -m geo bench``: timings of the main paths, DESIGN.md's ``bench --json`` object.

``run_bench`` times, on one database (the sample county, or the province sample):

- ``coverage``: the project's coverage metrics (``geo.coverage.compute_village_coverage``)
  over the loaded villages, pairings, visits and problems;
- ``coverage_duckdb``: the reference, ``duckdb_coverage``: the same per-village figures
  (paired, visits in the window, last visit, days since, never visited) and their totals
  by ONE DuckDB SQL query over the same frames (DuckDB scans the pandas frames in place);
  the project's function computes more besides (reasons, compliance, need, priority);
- ``neglected``: the neglected villages' list (``geo.status.compute_village_status`` and
  ``geo.neglected.build_neglected_table``, what the page shows);
- ``departments``: the department figures, ranking and formalism warnings
  (``geo.department_report.build_department_report``);
- ``map_build``: the coverage map of the county with the most villages
  (``geo.maps.build_village_map``, rendered to HTML);
- ``import``: an import of ``import_rows`` visit rows (default 1,000,000) into a fresh
  SQLite database holding the sample county (``geo.io.imports.import_file``; the CSV is
  written before the clock starts); with a PostgreSQL URL, the same file into a fresh
  PostgreSQL database beside it (reported as a note, the JSON keeps DESIGN.md's keys);
- ``planner``: ``geo.planner.plan_pairings`` on a synthetic county of 500 unpaired
  villages x 150 departments (``planner_instance``);

and the map payload bytes per level (``geo.drilldown.map_payload_bytes``; null, with a
note, for a level the database has no unit of). Each ``seconds`` value is the median of ``runs``
runs in this process (the import: of ``import_runs`` imports, each into a fresh database).
Loading the frames is not timed. A benchmark measures speed; the tests never assert on
time.
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, make_url

from geo import coverage, db, drilldown, maps, planner, store
from geo.auth import cli_user
from geo.demo import seed
from geo.department_report import build_department_report, load_department_inputs
from geo.errors import PairMapError
from geo.inputs import CoverageInputs
from geo.io import imports
from geo.io.table_files import EXPORT_COLUMNS
from geo.neglected import build_neglected_table
from geo.period import Period, window_start
from geo.schema import VISIT_KINDS
from geo.settings import local_today
from geo.status import compute_village_status

SCALES = seed.SCALES
SECONDS_KEYS = ("coverage", "coverage_duckdb", "neglected", "departments", "map_build",
                "import", "planner")
MAP_LEVELS = ("province", "city", "county", "township")
BYTES_KEYS = tuple(f"map_{level}" for level in MAP_LEVELS)
DEFAULT_RUNS = 5
IMPORT_ROWS = 1_000_000
PLANNER_SIZE = (500, 150)
PLANNER_COUNTY = "420526"

Note = tuple[str, dict[str, Any]]
"""A remark for the reader: a catalogue key (``bench.*``) and its values."""


def median_seconds(function: Callable[[], object], runs: int) -> float:
    """The median wall-clock seconds of ``runs`` calls of ``function``."""
    times = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --------------------------------------------------------------------------- DuckDB

COVERAGE_SQL = """
WITH active AS (
    SELECT village_code, count(*) AS pairings
    FROM pairings
    WHERE start_date <= $as_of AND (end_date IS NULL OR end_date >= $as_of)
    GROUP BY village_code
), past AS (
    SELECT village_code,
           count(*) FILTER (WHERE date > $window_start) AS visits_in_window,
           max(date) AS last_visit
    FROM visits
    WHERE date <= $as_of
    GROUP BY village_code
), figures AS (
    SELECT v.code,
           coalesce(a.pairings, 0) AS pairings,
           coalesce(a.pairings, 0) > 0 AS paired,
           coalesce(p.visits_in_window, 0) AS visits_in_window,
           p.last_visit,
           date_diff('day', p.last_visit, $as_of) AS days_since_last_visit,
           p.last_visit IS NULL AS never_visited
    FROM villages AS v
    LEFT JOIN active AS a ON a.village_code = v.code
    LEFT JOIN past AS p ON p.village_code = v.code
)
SELECT *,
       count(*) OVER () AS total_villages,
       count(*) FILTER (WHERE paired) OVER () AS total_paired,
       count(*) FILTER (WHERE visits_in_window > 0) OVER () AS total_visited,
       count(*) FILTER (WHERE never_visited) OVER () AS total_never_visited
FROM figures
ORDER BY code
"""
"""The reference: each village's active pairings (``start_date <= T`` and ``end_date``
empty or ``>= T``), visits in the window (``T-W < date <= T``, any department), last
visit on or before ``T`` and the days since, never visited, and the totals (villages,
paired, visited, never visited) on every row."""


def duckdb_coverage(connection: duckdb.DuckDBPyConnection, as_of: date,
                    window_days: int) -> pd.DataFrame:
    """Run ``COVERAGE_SQL`` on the frames registered as ``villages`` (``code``),
    ``pairings`` (``village_code``, ``start_date``, ``end_date``) and ``visits``
    (``village_code``, ``date``) of ``connection``.

    Returns
    -------
    DataFrame
        One row per village in code order: ``code``, ``pairings``, ``paired``,
        ``visits_in_window``, ``last_visit``, ``days_since_last_visit`` (null when never
        visited), ``never_visited`` and the totals ``total_villages``, ``total_paired``,
        ``total_visited``, ``total_never_visited``.
    """
    return connection.execute(COVERAGE_SQL, {
        "as_of": as_of, "window_start": window_start(as_of, window_days)}).df()


def duckdb_connection(inputs: CoverageInputs) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection on the frames of ``inputs``: DuckDB reads the
    pandas frames in place (their columns that ``COVERAGE_SQL`` reads)."""
    connection = duckdb.connect()
    villages = pd.DataFrame({"code": inputs.villages["code"].astype(str).to_numpy()})
    connection.register("villages", villages)
    connection.register("pairings",
                        pd.DataFrame(inputs.pairings[["village_code", "start_date",
                                                      "end_date"]]))
    connection.register("visits", pd.DataFrame(inputs.visits[["village_code", "date"]]))
    return connection


# --------------------------------------------------------------------------- inputs


def planner_instance(villages: int, departments: int, seed_value: int = 12
                     ) -> tuple[pd.DataFrame, gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """A county of ``villages`` unpaired villages (points in a 100 km square) and
    ``departments`` departments seated inside it: the planner's worst case for one
    county (every village a candidate, every department may take any).

    Returns
    -------
    tuple
        ``(coverage, villages, departments, pairings)`` as ``geo.planner.plan_pairings``
        reads them.
    """
    rng = np.random.default_rng(seed_value)
    codes = [f"{PLANNER_COUNTY}{n // 1000 + 100:03d}{n % 1000:03d}" for n in range(villages)]
    lon = 110.3 + rng.random(villages)
    lat = 31.0 + rng.random(villages) * 0.9
    need = rng.random(villages).round(3)
    candidates = pd.DataFrame({"reasons": [["UNPAIRED"]] * villages,
                               "priority": 3 * (1 + need), "pairings": 0,
                               "days_since_last_visit": pd.array([pd.NA] * villages,
                                                                 dtype="Int64")},
                              index=pd.Index(codes, name="code"))
    frame = gpd.GeoDataFrame({"code": codes}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    depts = pd.DataFrame({
        "code": [f"D{n:05d}" for n in range(departments)], "county_code": PLANNER_COUNTY,
        "party_members": rng.integers(15, 76, departments),
        "seat_lon": 110.3 + rng.random(departments),
        "seat_lat": 31.0 + rng.random(departments), "active": True})
    pairings = pd.DataFrame(columns=["id", "department_code", "village_code", "start_date",
                                     "end_date", "required_visits_per_month"])
    return candidates, frame, depts, pairings


def make_visits(engine: Engine, rows: int, anchor: date, seed_value: int = 7
                ) -> pd.DataFrame:
    """``rows`` synthetic visits in the export columns, of the stored villages and
    departments, dated in the two years up to ``anchor`` (half carry a record id and
    half a GPS point)."""
    rng = np.random.default_rng(seed_value)
    departments = store.load_departments(engine)["code"].to_numpy()
    villages = store.load_villages(engine)
    codes = villages["code"].to_numpy()
    short = villages["short_name"].to_numpy()
    pick = rng.integers(0, len(codes), rows)
    dept = departments[rng.integers(0, len(departments), rows)]
    days = rng.integers(0, 730, rows)
    dates = pd.to_datetime(anchor) - pd.to_timedelta(days, unit="D")
    raised = rng.integers(0, 4, rows)
    has_gps = rng.random(rows) < 0.5
    lon = np.where(has_gps, np.round(110.4 + rng.random(rows) * 0.6, 6), np.nan)
    lat = np.where(has_gps, np.round(31.0 + rng.random(rows) * 0.5, 6), np.nan)
    numbered = rng.random(rows) < 0.5
    seq = np.arange(1, rows + 1)
    record_id = np.where(numbered, pd.Series(seq).map("B{:07d}".format).to_numpy(), "")
    summary = (pd.Series(short[pick]) + "：入户走访群众，宣传惠民政策，第"
               + pd.Series(seq).astype(str) + "次")
    return pd.DataFrame({
        "id": seq,
        "date": dates.strftime("%Y-%m-%d"),
        "department_code": dept,
        "village_code": codes[pick],
        "kind": np.array(VISIT_KINDS)[rng.integers(0, len(VISIT_KINDS), rows)],
        "cadre_count": rng.integers(1, 8, rows),
        "cadre_ids": "",
        "households_visited": rng.integers(0, 30, rows),
        "problems_raised": raised,
        "problems_resolved": np.minimum(raised, rng.integers(0, 4, rows)),
        "lon": lon,
        "lat": lat,
        "summary": summary,
        "record_id": record_id,
        "source": "sample",
        "created_by": "bench",
        "created_at": f"{anchor.isoformat()} 10:00:00",
    })[EXPORT_COLUMNS["visits"]]


# --------------------------------------------------------------------------- databases


@contextlib.contextmanager
def temporary_postgres(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of ``admin_url`` (a role that may
    create databases), dropped afterwards; yields its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with db.temporary_database(admin, f"pairmap_bench_{uuid.uuid4().hex[:12]}") as url:
            yield url
    finally:
        admin.dispose()


def is_seeded(url: str) -> bool:
    """Whether ``url`` names a database that holds data (a SQLite file that does not
    exist does not, and is not created)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return False
        if not Path(parsed.database).is_file():
            return False
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        return not db.is_empty(engine)
    finally:
        engine.dispose()


@contextlib.contextmanager
def bench_database(scale: str, database_url: str | None, anchor: date,
                   notes: list[Note]) -> Iterator[tuple[Engine, date]]:
    """The database to time: ``database_url`` when it already holds data (its demo
    scale, when it is a sample, must be ``scale``), else a temporary SQLite file
    seeded with the sample of ``scale`` ending on ``anchor``, removed afterwards.

    Yields
    ------
    (Engine, date)
        The engine and the as-of date: the sample's anchor (``demo_anchor``), else
        ``anchor``.
    """
    if database_url and is_seeded(database_url):
        engine = db.make_engine(database_url)
        try:
            stored = db.get_meta(engine, "demo_scale")
            if stored is None and db.get_meta(engine, "demo_seed") is not None:
                stored = "county"  # seeded before the province sample existed
            if stored is not None and stored != scale:
                raise PairMapError("bench_scale_mismatch", scale=scale, stored=stored)
            stored_anchor = db.get_meta(engine, "demo_anchor")
            notes.append(("bench.note_database", {"url": make_url(database_url)
                                                  .render_as_string(hide_password=True)}))
            yield engine, date.fromisoformat(stored_anchor) if stored_anchor else anchor
        finally:
            engine.dispose()
        return
    folder = Path(tempfile.mkdtemp(prefix="pairmap-bench-"))
    engine = db.make_engine(f"sqlite:///{folder / 'bench.db'}")
    try:
        notes.append(("bench.note_temporary", {"scale": scale}))
        seed.seed_demo(engine, anchor=anchor, scale=scale)
        yield engine, anchor
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- timings


def time_import(url: str, csv_path: Path, anchor: date) -> float:
    """Seconds of ``import_file`` of ``csv_path`` (visits) into ``url``, a database
    already holding the sample county."""
    engine = db.make_engine(url)
    try:
        start = time.perf_counter()
        imports.import_file(engine, cli_user(), "visits", csv_path, today=anchor)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def import_seconds(rows: int, anchor: date, runs: int = 1, pg_url: str | None = None
                   ) -> tuple[float, float | None]:
    """The median seconds of importing ``rows`` visit rows (one CSV) into a fresh
    sample county, ``runs`` times on SQLite and, with ``pg_url`` (a PostgreSQL URL whose
    role may create databases), as often on PostgreSQL.

    Returns
    -------
    (float, float or None)
        SQLite's seconds and PostgreSQL's (None without ``pg_url``).
    """
    folder = Path(tempfile.mkdtemp(prefix="pairmap-bench-import-"))
    try:
        template = folder / "county.db"
        engine = db.make_engine(f"sqlite:///{template}")
        seed.seed_demo(engine, anchor=anchor)
        csv_path = folder / "visits.csv"
        make_visits(engine, rows, anchor).to_csv(csv_path, index=False, encoding="utf-8-sig")
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        sqlite_times = []
        for run in range(max(1, runs)):
            copy = folder / f"run{run}.db"
            shutil.copy(template, copy)
            sqlite_times.append(time_import(f"sqlite:///{copy}", csv_path, anchor))
            copy.unlink()
        postgres = None
        if pg_url:
            postgres_times = []
            for _ in range(max(1, runs)):
                with temporary_postgres(pg_url) as url:
                    engine = db.make_engine(url)
                    seed.seed_demo(engine, anchor=anchor)
                    engine.dispose()
                    postgres_times.append(time_import(url, csv_path, anchor))
            postgres = statistics.median(postgres_times)
        return statistics.median(sqlite_times), postgres
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def map_bytes(engine: Engine, notes: list[Note]) -> dict[str, int | None]:
    """The map payload bytes per level (``geo.drilldown.map_payload_bytes``, the unit of
    that level with the most villages); None, with a note, for a level the database has
    no unit of (the county sample has no province or city)."""
    levels = set(drilldown.load_tree(engine).units["level"])
    sizes: dict[str, int | None] = {}
    for level in MAP_LEVELS:
        if level in levels:
            sizes[f"map_{level}"] = int(drilldown.map_payload_bytes(engine, level))
        else:
            sizes[f"map_{level}"] = None
            notes.append(("bench.note_no_level", {"level": level}))
    return sizes


def largest_county(villages: pd.DataFrame) -> str:
    """The county code (6 digits) with the most villages; the smallest code of a tie."""
    counts = villages["code"].astype(str).str[:coverage.COUNTY_CODE_LENGTH].value_counts()
    return str(min(counts[counts == counts.max()].index))


def county_map_html(engine: Engine, status: pd.DataFrame, county_code: str,
                    window_days: int, lang: str) -> Callable[[], str]:
    """A function building the coverage map (pairing layer) of one county's villages
    and rendering it to HTML, as the coverage page does."""
    villages = store.load_villages(engine)
    villages = villages[villages["code"].astype(str).str.startswith(county_code)]
    townships = store.load_townships(engine)
    townships = townships[townships["code"].astype(str).str.startswith(county_code)]
    county = store.load_county(engine)
    county = county[county["code"].astype(str) == county_code]
    shown = status.loc[status.index.isin(villages["code"])]
    labels = maps.map_labels(lang, window_days)

    def build() -> str:
        fmap = maps.build_village_map(villages, townships, county, shown, labels)
        return fmap.get_root().render()

    return build


@dataclass
class BenchResult:
    """DESIGN.md's ``bench --json`` object (``as_dict``) and what else was measured."""

    scale: str
    villages: int
    visits: int
    seconds: dict[str, float | None]
    bytes: dict[str, int | None]
    import_postgresql: float | None = None
    county_map_bytes: int | None = None
    notes: list[Note] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """``{"scale", "villages", "visits", "seconds": {…}, "bytes": {…}}``."""
        return {"scale": self.scale, "villages": self.villages, "visits": self.visits,
                "seconds": {key: self.seconds[key] for key in SECONDS_KEYS},
                "bytes": {key: self.bytes[key] for key in BYTES_KEYS}}


def run_bench(scale: str = "county", database_url: str | None = None,
              runs: int = DEFAULT_RUNS, import_rows: int = IMPORT_ROWS, import_runs: int = 1,
              pg_url: str | None = None, window_days: int = 90, neglect_days: int = 90,
              lang: str = "zh", anchor: date | None = None) -> BenchResult:
    """Time the main paths on the sample of ``scale`` (see the module's docstring).

    Parameters
    ----------
    scale : str
        ``county`` or ``province``.
    database_url : str, optional
        A database already seeded (with the sample of ``scale``) to time; when it is
        missing or empty a temporary SQLite database is seeded and removed afterwards.
        The import is never timed on it.
    runs : int
        Runs per timing (the median is reported).
    import_rows, import_runs : int
        The visit rows of the timed import and how many fresh imports to time.
    pg_url : str, optional
        A PostgreSQL URL (a role that may create databases): the import is timed there
        too, in a temporary database.
    window_days, neglect_days : int
        ``W`` and ``N`` of the metrics.
    lang : str
        The language of the map's labels.
    anchor : datetime.date, optional
        The as-of date of a temporary database (default today).
    """
    if scale not in SCALES:
        raise PairMapError("unknown_scale", scale=scale)
    anchor = anchor or local_today()
    notes: list[Note] = []
    with bench_database(scale, database_url, anchor, notes) as (engine, as_of):
        period = Period(as_of, window_days)
        department_inputs = load_department_inputs(engine, cli_user(), period, neglect_days)
        inputs = department_inputs.coverage
        departments = department_inputs.departments
        townships = store.load_townships(engine)
        seconds: dict[str, float | None] = {}
        seconds["coverage"] = median_seconds(
            lambda: coverage.compute_village_coverage(inputs), runs)
        connection = duckdb_connection(inputs)
        try:
            seconds["coverage_duckdb"] = median_seconds(
                lambda: duckdb_coverage(connection, as_of, window_days), runs)
        finally:
            connection.close()
        seconds["neglected"] = median_seconds(
            lambda: build_neglected_table(compute_village_status(inputs, departments),
                                          townships, departments, lang), runs)
        seconds["departments"] = median_seconds(
            lambda: build_department_report(department_inputs), runs)
        status = compute_village_status(inputs, departments)
        build_map = county_map_html(engine, status, largest_county(inputs.villages),
                                    window_days, lang)
        county_map_bytes = len(build_map().encode("utf-8"))
        seconds["map_build"] = median_seconds(build_map, runs)
        sizes = map_bytes(engine, notes)
        villages, visits = len(inputs.villages), store.count_rows(engine)["visits"]
    seconds["import"], postgres = import_seconds(import_rows, anchor, import_runs, pg_url)
    plan_inputs = planner_instance(*PLANNER_SIZE)
    seconds["planner"] = median_seconds(
        lambda: planner.plan_pairings(*plan_inputs, as_of), runs)
    return BenchResult(scale=scale, villages=villages, visits=visits, seconds=seconds,
                       bytes=sizes, import_postgresql=postgres,
                       county_map_bytes=county_map_bytes, notes=notes)
