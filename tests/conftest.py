"""Shared fixtures: databases (SQLite always; PostgreSQL where a server runs), a seeded
sample county and Chromium. Fixtures are built from code; nothing depends on local state.

Markers (``pyproject.toml``) are also set here, so that ``pytest -m "not slow and not
browser and not postgres"`` is a fast loop: ``postgres`` on every test that reaches the
PostgreSQL server, ``browser`` on every test that drives Chromium, and ``slow`` on whole
files or single tests listed below (elsewhere ``@pytest.mark.slow`` sits on the test).

A test that touches the database takes a fixture parametrised over ``BACKENDS``
(``engine``, ``database_url``, ``demo_url``, ``new_demo_url``), so it runs on SQLite and
on PostgreSQL. The tests run on two pytest-xdist workers (``pyproject.toml``): each has
its own temporary directories (pytest's), and its PostgreSQL databases carry its name
(``WORKER``) besides a random part; ports are chosen free by the operating system.
"""

from __future__ import annotations

import importlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from geo import db
from geo.demo import seed

ROOT = Path(__file__).resolve().parent.parent
# No warming thread (ui/warm.py) in the tests' processes and the servers they start: it
# would read the database beside what a test counts. tests/test_warm.py runs it itself.
os.environ.setdefault("PAIRMAP_WARM_SECONDS", "0")
ANCHOR = date(2026, 11, 28)
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "PAIRMAP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

# Slow: a Python subprocess, or more than about 1 s on a 2-core machine (not counting the
# shared demo_db). Listed here for files whose tests are marked from outside, and for
# tests measured above 1 s (``--durations``) so that the fast layer stays under a minute.
SLOW_FILES = {"test_apptest.py",  # every test runs app pages through AppTest (1-5 s each)
              "test_apptest_problems.py",
              "test_province.py"}  # a tiny province built once and written (about 10 s)
BROWSER_FILES = {"test_browser.py"}
SLOW_TESTS = {
    "test_bench.py::test_the_json_has_exactly_designs_keys_and_types",  # seeds, imports, maps
    "test_cli_plan.py::test_locks_beyond_a_departments_places_are_refused",
    "test_requirements.py::test_the_app_imports_only_what_requirements_txt_pins",
    "test_audit.py::test_seed_demo_force_leaves_an_audit_entry_with_the_counts_it_replaced",
    "test_import_blocks.py::test_block_boundaries_do_not_change_an_import",
    ("test_concurrency.py::"
     "test_a_lock_held_past_the_busy_timeout_is_its_own_error_and_exit_code"),
    "test_department_report.py::test_months_cover_every_month_of_the_window",
    "test_department_report.py::test_departments_json_matches_the_metric_functions",
    "test_department_report.py::test_from_and_to_set_the_window",
    "test_department_report.py::test_csv_has_one_row_per_department",
    "test_planner.py::test_random_plans_keep_every_constraint_and_equal_brute_force",
    ("test_import_blocks.py::"
     "test_an_upload_and_a_workbook_in_blocks_report_what_they_report_whole"),
    "test_import_blocks.py::test_a_late_issue_and_a_rejected_row_in_later_blocks",
    "test_cli_plan.py::test_commit_then_undo_last",
    "test_cli_plan.py::test_county_limits_the_plan_to_one_county",
    "test_imports.py::test_a_50_mb_csv_imports",
    "test_imports.py::test_export_round_trip_is_unchanged_and_quotes_are_removed",
    "test_imports.py::test_sample_files_reimport_unchanged",
    "test_imports.py::test_import_cycle_on_each_backend",
    "test_i18n.py::test_the_import_json_speaks_pairmap_lang",
    ("test_migrations.py::"
     "test_a_database_at_0001_with_the_sample_county_upgrades_to_head_without_loss"),
    "test_concurrency.py::test_two_imports_of_different_files_and_a_form_entry_lose_nothing",
    "test_briefing.py::test_the_briefing_reads_the_same_figures_on_each_backend",
}
# Files whose tests share module-scoped fixtures that take seconds to build (boundaries,
# the briefing, maps, a seeded database): under pytest-xdist (``--dist loadgroup``, set in
# pyproject.toml) each runs on one worker, so that its fixtures are built once.
MODULE_GROUPED_FILES = {"test_boundaries.py", "test_briefing.py", "test_coverage.py",
                        "test_maps.py", "test_sample.py", "test_upload_bounds.py",
                        "test_views.py"}
BROWSER_GROUP = "browser"
"""The pytest-xdist group of every browser test: they run one after another on one worker
(each starts the app and Chromium, and waits on their timing), while the other worker
runs the rest."""
POSTGRES_FIXTURES = {"postgres_url", "postgres_admin", "demo_postgres_template"}
BACKENDS = ["sqlite", "postgres"]
"""The database backends every database-touching test runs on (a fixture parametrised over
them, e.g. ``engine``, ``database_url`` or ``demo_url``, gives each test both)."""
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
"""The pytest-xdist worker running this process (``gw0``, ``gw1``…), or ``main``; it is
part of every PostgreSQL database name a session creates."""


def unavailable(reason: str) -> None:
    """Skip with ``reason`` on a developer's machine; fail in CI, where it must run."""
    if IN_CI:
        pytest.fail(f"required in CI (CI=true): {reason}")
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the resources they use (see the module docstring), and group them for
    pytest-xdist's workers (``BROWSER_GROUP``, ``MODULE_GROUPED_FILES``)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and "postgres" in callspec.params.values()
        if fixtures & POSTGRES_FIXTURES or on_postgres:
            item.add_marker(pytest.mark.postgres)
        if "chromium" in fixtures or item.path.name in BROWSER_FILES:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group(BROWSER_GROUP))
        elif item.path.name in MODULE_GROUPED_FILES:
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
        name = getattr(item, "originalname", item.name)
        if item.path.name in SLOW_FILES or f"{item.path.name}::{name}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, with Playwright importable; else ``unavailable``."""
    if not Path(CHROMIUM).exists():
        unavailable("Chromium is not installed (Debian package `chromium`)")
    try:
        importlib.import_module("playwright.sync_api")
    except ImportError:
        unavailable("the Python package playwright is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    """Headless Chromium, launched once for a test module; each test opens its own
    contexts (no cookie or cache shared between them)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the PostgreSQL server's maintenance database."""
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        unavailable(f"no PostgreSQL server at {PG_ADMIN_URL}: {type(exc).__name__}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped after the test."""
    yield from postgres_database(postgres_admin)


def postgres_database(admin: Engine, template: str | None = None) -> Iterator[str]:
    """Create a database with a name no other test or worker uses (from ``template`` if
    given), yield its URL and drop it."""
    with db.temporary_database(admin, f"pairmap_test_{WORKER}_{uuid.uuid4().hex[:12]}",
                               template) as url:
        yield url


@pytest.fixture(scope="session")
def sample_template(postgres_admin: Engine) -> Iterator[str]:
    """The name of a PostgreSQL database holding the sample county, its history ending
    today, that tests copy (``seeded_postgres_url``) rather than load the county again
    (a copy takes well under a second, a load about 10 s)."""
    for url in postgres_database(postgres_admin):
        engine = db.make_engine(url)
        seed.seed_demo(engine)
        engine.dispose()
        yield make_url(url).database


@pytest.fixture
def seeded_postgres_url(postgres_admin: Engine, sample_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database holding the sample county (history ending today)."""
    yield from postgres_database(postgres_admin, sample_template)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'pairmap.db'}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, empty (not migrated) database on each supported backend."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An empty, migrated database on each supported backend."""
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the sample county with its history ending on ANCHOR.

    Tests copy it rather than write to it.
    """
    path = tmp_path_factory.mktemp("demo") / "pairmap.db"
    engine = db.make_engine(f"sqlite:///{path}")
    seed.seed_demo(engine, anchor=ANCHOR)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded sample database."""
    target = tmp_path / "pairmap.db"
    shutil.copy(demo_db, target)
    return target


@pytest.fixture(scope="session")
def demo_postgres_template(postgres_admin: Engine) -> Iterator[str]:
    """The name of a PostgreSQL database holding the sample county (as ``demo_db``), seeded
    once per session and worker, that tests clone with ``CREATE DATABASE … TEMPLATE``."""
    for url in postgres_database(postgres_admin):
        engine = db.make_engine(url)
        try:
            seed.seed_demo(engine, anchor=ANCHOR)
        finally:
            engine.dispose()  # a template database must have no connections
        yield make_url(url).database


@pytest.fixture(params=BACKENDS)
def new_demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Callable[[], str]]:
    """A function that makes one more private database holding the sample county, on each
    supported backend, and returns its URL: a copy of ``demo_db``, or a clone of
    ``demo_postgres_template`` (dropped after the test)."""
    if request.param == "sqlite":
        demo = request.getfixturevalue("demo_db")

        def copy() -> str:
            target = tmp_path_factory.mktemp("demo-copy") / "pairmap.db"
            shutil.copy(demo, target)
            return f"sqlite:///{target}"
        yield copy
        return
    template = request.getfixturevalue("demo_postgres_template")
    admin = request.getfixturevalue("postgres_admin")
    with ExitStack() as made:
        def clone() -> str:
            database = postgres_database(admin, template)
            made.callback(database.close)  # closing the generator drops the database
            return next(database)
        yield clone


@pytest.fixture
def demo_url(new_demo_url: Callable[[], str]) -> str:
    """The URL of a private database holding the sample county, on each supported backend."""
    return new_demo_url()
