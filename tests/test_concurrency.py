"""Concurrent writers lose nothing and store nothing twice, on SQLite and PostgreSQL.

Two imports of the same file and a form entry are made to meet at the worst moment: each
import has read the database, planned and staged its rows, and waits (on a barrier in its
progress callback) just before it takes the write lock. Before the fix, both imports
inserted every row."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select

from geo import db, records, schema, store
from geo.access import Role, User
from geo.io import imports
from geo.io.report import Report
from tests.tiny_county import DEPARTMENT, VILLAGE, add_tiny_county

ADMIN = User(username="admin", role=Role.ADMIN, display_name="管理员")
TODAY = date(2026, 11, 28)
BEFORE_THE_LOCK = imports.LOCK_PROGRESS  # staged, about to take the write lock
WAIT = 60  # seconds: a barrier that is never reached fails the test instead of hanging


@pytest.fixture(params=["sqlite", "postgres"])
def county(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated database holding one village and one department."""
    url = request.getfixturevalue(f"{request.param}_url")
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as connection:
        add_tiny_county(connection, households=500)
    yield engine
    engine.dispose()


def _visit_file(path: Path, rows: int, record_ids: bool, kind: str = "走访慰问",
                year: int = 2026) -> Path:
    header = "date,department_code,village_code,kind,cadre_count,households_visited,summary"
    lines = [header + (",record_id" if record_ids else "")]
    for number in range(rows):
        day = date(year, 1 + number % 10, 1 + number % 28).isoformat()
        line = f"{day},{DEPARTMENT},{VILLAGE},{kind},2,{1 + number % 9},第{number}次{kind}"
        lines.append(line + (f",{kind[:1]}{year}-{number:04d}" if record_ids else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _visits(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.visits)).scalar_one()


def _waiting_at(barrier: threading.Barrier) -> Callable[[float], None]:
    """A progress callback that waits on ``barrier`` the first time the import has staged
    its rows and is about to take the write lock."""
    passed = threading.Event()

    def progress(fraction: float) -> None:
        if fraction >= BEFORE_THE_LOCK and not passed.is_set():
            passed.set()
            barrier.wait(WAIT)
    return progress


def _run_imports(engine: Engine, path: Path, barrier: threading.Barrier,
                 other: Path | None = None
                 ) -> tuple[list[threading.Thread], list[Report], list[BaseException]]:
    """Two import threads, of ``path`` and of ``other`` (``path`` again by default), each
    waiting on ``barrier`` before its write lock; their reports and failures, filled as
    they run."""
    reports: list[Report] = []
    failures: list[BaseException] = []

    def one(file: Path) -> None:
        try:
            reports.append(imports.import_file(engine, ADMIN, "visits", file, today=TODAY,
                                               progress=_waiting_at(barrier)))
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=one, args=(file,)) for file in (path, other or path)]
    return threads, reports, failures


@pytest.mark.parametrize("record_ids", [True, False], ids=["record_id", "natural_key"])
def test_two_imports_of_one_file_at_once_store_it_once(county: Engine, tmp_path: Path,
                                                        record_ids: bool) -> None:
    path = _visit_file(tmp_path / "visits.csv", 120, record_ids)
    barrier = threading.Barrier(2)
    threads, reports, failures = _run_imports(county, path, barrier)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert failures == []
    assert _visits(county) == 120
    assert sorted((r.inserted, r.unchanged) for r in reports) == [(0, 120), (120, 0)]
    with county.connect() as connection:
        imported = connection.execute(select(func.count()).select_from(schema.audit_log).where(
            schema.audit_log.c.action == "import")).scalar_one()
    assert imported == 1  # the import that changed nothing left no entry


def _save_form_visit(county: Engine) -> int:
    """Save one visit as the visit form does; its id."""
    visit = records.VisitInput(village_code=VILLAGE, department_code=DEPARTMENT,
                               kind="政策宣讲", date=date(2026, 11, 20), cadre_count=3,
                               households_visited=4, summary="宣讲惠农政策")
    return records.add_visit(county, ADMIN, visit, TODAY)


def _imports_beside_a_form(county: Engine, path: Path, other: Path | None = None
                           ) -> tuple[list[Report], list[BaseException], int]:
    """Import ``path`` and ``other`` (``path`` again by default) in two threads while a
    form saves a visit, once both imports are staged: the reports, the failures and the
    form's visit id."""
    barrier = threading.Barrier(3)  # both imports staged, and the form about to save
    threads, reports, failures = _run_imports(county, path, barrier, other=other)
    for thread in threads:
        thread.start()
    barrier.wait(WAIT)
    form_id = _save_form_visit(county)
    for thread in threads:
        thread.join(WAIT)
    return reports, failures, form_id


def test_two_imports_and_a_form_entry_at_once_lose_nothing(county: Engine,
                                                           tmp_path: Path) -> None:
    path = _visit_file(tmp_path / "visits.csv", 120, record_ids=False)
    reports, failures, form_id = _imports_beside_a_form(county, path)
    assert failures == []
    assert _visits(county) == 121
    assert sorted((r.inserted, r.unchanged) for r in reports) == [(0, 120), (120, 0)]
    with county.connect() as connection:
        kept = connection.execute(select(schema.visits.c.summary).where(
            schema.visits.c.id == form_id)).scalar_one()
    assert kept == "宣讲惠农政策"
    assert store.data_version(county) == 2  # the form and one import; the other changed nothing


@pytest.mark.parametrize("record_ids", [True, False], ids=["record_id", "natural_key"])
def test_two_imports_of_different_files_and_a_form_entry_lose_nothing(
        county: Engine, tmp_path: Path, record_ids: bool) -> None:
    """Two departments' liaisons import their own files while an organiser saves a form,
    all three planned on the same data version: every row of both files and the form's
    visit is stored, once, and each write bumps the version."""
    first = _visit_file(tmp_path / "慰问.csv", 120, record_ids)
    second = _visit_file(tmp_path / "宣讲.csv", 80, record_ids, kind="政策宣讲", year=2025)
    version = store.data_version(county)
    reports, failures, form_id = _imports_beside_a_form(county, first, second)
    assert failures == []
    assert sorted((r.inserted, r.unchanged, r.rejected) for r in reports) == [
        (80, 0, 0), (120, 0, 0)]
    with county.connect() as connection:
        stored = connection.execute(select(schema.visits.c.kind, func.count()).group_by(
            schema.visits.c.kind)).all()
        summary = connection.execute(select(schema.visits.c.summary).where(
            schema.visits.c.id == form_id)).scalar_one()
        entries = connection.execute(select(func.count()).select_from(schema.audit_log)
                                     ).scalar_one()
    assert dict(stored) == {"走访慰问": 120, "政策宣讲": 81}
    assert summary == "宣讲惠农政策"
    assert entries == 3  # one per import and one for the form
    assert store.data_version(county) == version + 3  # no write went unseen by the caches


def test_a_form_entry_waits_for_an_import_holding_the_lock(county: Engine) -> None:
    """A writer holding the write lock for a moment does not make a form entry fail."""
    release = threading.Event()
    holding = threading.Event()

    def hold_the_lock() -> None:
        with county.begin() as connection:
            store.lock_version(connection)
            holding.set()
            release.wait(WAIT)
            connection.execute(insert(schema.audit_log).values(
                at=datetime(2026, 11, 28, 9), username="import", action="import",
                entity="visits", entity_key="x"))

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert holding.wait(WAIT)
    visit = records.VisitInput(village_code=VILLAGE, department_code=DEPARTMENT,
                               kind="政策宣讲", date=date(2026, 11, 20), cadre_count=1)
    saved: list[int] = []
    form = threading.Thread(target=lambda: saved.append(
        records.add_visit(county, ADMIN, visit, TODAY)))
    form.start()
    form.join(0.5)  # still waiting for the lock, not failed
    assert form.is_alive() and saved == []
    release.set()
    holder.join(WAIT)
    form.join(WAIT)
    assert len(saved) == 1 and _visits(county) == 1


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url = request.getfixturevalue(f"{request.param}_url")
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    return url


def test_a_lock_held_past_the_busy_timeout_is_its_own_error_and_exit_code(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    """The second writer waits ``PAIRMAP_BUSY_TIMEOUT`` seconds, then the command line
    says the database is busy with exit code 3 (2 means "the file cannot be used")."""
    from geo import cli

    holder = db.make_engine(database_url)
    path = tmp_path / "departments.csv"
    path.write_text("单位代码,单位名称,单位类型\nD02,县财政局,经济\n", encoding="utf-8")
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", database_url)
    monkeypatch.setenv("PAIRMAP_BUSY_TIMEOUT", "1")
    monkeypatch.setenv("PAIRMAP_LANG", "zh")
    try:
        with holder.begin() as connection:
            store.lock_version(connection)  # an import's final apply, holding the lock
            code = cli.main(["import", "departments", str(path)])
            waiting = db.make_engine(database_url, busy_timeout=1)
            with pytest.raises(Exception) as raised, waiting.begin() as other:
                store.lock_version(other)
            waiting.dispose()
    finally:
        holder.dispose()
    assert code == cli.EXIT_BUSY == 3
    assert "数据库正忙" in capsys.readouterr().err
    busy = db.busy_error(raised.value, 1)
    assert busy is not None and busy.code == "database_busy"
    assert db.busy_error(ValueError("database is locked")) is None
    engine = db.make_engine(database_url)
    report = cli.main(["import", "departments", str(path)])  # the lock is gone
    assert report == 0 and _departments(engine) == 1
    engine.dispose()


def _departments(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(schema.departments).where(
            schema.departments.c.code == "D02")).scalar_one()


CHILD = """
import os, signal, sys
from datetime import date
from geo import db
from geo.auth import cli_user
from geo.io import imports
url, path, at = sys.argv[1], sys.argv[2], float(sys.argv[3])
def progress(fraction):
    if fraction >= at:
        os.kill(os.getpid(), signal.SIGKILL)
imports.import_file(db.make_engine(url), cli_user(), "visits", path,
                    today=date(2026, 11, 28), progress=progress)
"""


@pytest.mark.slow
@pytest.mark.parametrize("at", [0.6, 0.97], ids=["while_staging", "applied_not_committed"])
def test_kill_9_during_an_import_changes_nothing(database_url: str, tmp_path: Path,
                                                  at: float) -> None:
    import signal
    import subprocess
    import sys

    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        add_tiny_county(connection)
    version = store.data_version(engine)
    path = _visit_file(tmp_path / "visits.csv", 20_000, record_ids=True)
    child = subprocess.run([sys.executable, "-c", CHILD, database_url, str(path), str(at)],
                           cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                           text=True, timeout=600)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert _visits(engine) == 0 and store.data_version(engine) == version
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert connection.execute(select(func.count()).select_from(schema.audit_log)
                                  ).scalar_one() == 0
    report = imports.import_file(engine, ADMIN, "visits", path, today=TODAY)
    assert report.inserted == 20_000 and _visits(engine) == 20_000
    engine.dispose()


def test_two_writers_committing_together_both_bump_the_data_version(postgres_url: str) -> None:
    """On PostgreSQL a write that read the version before another writer committed used
    to write the same next version (a lost update: two writes, one bump), and a cache
    keyed by the version would miss one of them. The second writer now waits for the
    row before reading it."""
    from sqlalchemy import text

    engine = db.make_engine(postgres_url)
    db.upgrade(engine)
    first = engine.connect()
    transaction = first.begin()
    assert store.claim_version(first, store.data_version(engine))  # holds the row
    bumped: list[int] = []
    second = threading.Thread(target=lambda: bumped.append(_bump_in_own_transaction(engine)))
    second.start()
    with engine.connect() as watcher:  # poll until the second writer waits for the row
        for _ in range(WAIT * 10):
            waiting = watcher.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar_one()
            if waiting:
                break
            threading.Event().wait(0.1)
    assert waiting == 1
    transaction.commit()
    first.close()
    second.join(WAIT)
    assert bumped == [2] and store.data_version(engine) == 2
    engine.dispose()


def _bump_in_own_transaction(engine: Engine) -> int:
    with engine.begin() as connection:
        return store.bump_data_version(connection)
