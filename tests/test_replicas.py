"""Several app processes on one PostgreSQL database, and its dump and restore.

- App processes starting at once on an empty database load the sample county once
  (``geo.db.first_start_lock``); unserialised, the second failed on the first's rows.
- A visit written by another process (the command line's import) shows in this
  process's overview on its next run: the cached loaders (``ui.loaders``) are keyed by
  the data version read from the database on every run, not by anything this process
  remembers. ``tests/test_browser_replicas.py`` shows the same with two app processes
  in Chromium.
- ``pg_dump -Fc`` of a seeded database, restored with ``pg_restore`` into a new
  database, gives the same ``report coverage`` and ``report departments``, and the
  restored database takes new records (its sequences came along), as the README's
  recipe promises.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest, app_test

from geo import auth, cli, db, plan_service, records, reports, schema, store
from geo.access import Role, User
from geo.auth import cli_user
from geo.demo import seed
from geo.errors import DataError
from geo.period import Period
from geo.settings import local_today
from tests.conftest import ANCHOR, ROOT, postgres_database, unavailable
from tests.test_apptest import _ServerPagesManager
from tests.test_plan_service import plan_of, tiny_county
from ui.session import SESSION_TOKEN

pytestmark = pytest.mark.slow  # subprocesses, a seeded county each
ADMIN = User("cli:test", Role.ADMIN)
COOKIE_KEY = "replicas-cookie-key-" + "k" * 32
NEVER_VISITED = "NEVER_VISITED"


def libpq_url(url: str) -> str:
    """``url`` (SQLAlchemy's, with its driver) as the PostgreSQL tools read it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _cli(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "geo", *args], input=stdin, text=True,
                            capture_output=True, cwd=ROOT, timeout=300, check=False,
                            env={**os.environ, "PAIRMAP_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    return result


def never_visited_village(engine: Engine, as_of: date) -> str:
    """The code of a village never visited by ``as_of`` (the sample county has several)."""
    inputs = reports.load_coverage_inputs(engine, ADMIN, Period(as_of, 90), 90)
    report = reports.coverage_report(inputs, store.load_townships(engine), neglected_only=True)
    return next(v["code"] for v in report["villages"] if NEVER_VISITED in v["reasons"])


@pytest.fixture
def second_database(postgres_admin: Engine) -> Iterator[str]:
    """Another fresh PostgreSQL database (the restore's target), dropped after the test."""
    yield from postgres_database(postgres_admin)


FIRST_START = """
import sys
from geo import db
from geo.demo import seed
from geo.errors import DataError
print(seed.ensure_seeded(db.make_engine(sys.argv[1])))
"""


def test_app_processes_starting_at_once_load_the_sample_once(postgres_url: str):
    starts = [subprocess.Popen([sys.executable, "-c", FIRST_START, postgres_url], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    results = [(process.wait(timeout=300), *process.communicate()) for process in starts]
    assert [code for code, _out, _err in results] == [0, 0], results
    assert sorted(out.strip() for _code, out, _err in results) == ["False", "True"]
    engine = db.make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            loads = connection.execute(select(func.count()).select_from(schema.audit_log)
                                       .where(schema.audit_log.c.action == "replace_all")
                                       ).scalar_one()
            villages = connection.execute(select(func.count()).select_from(schema.admin_units)
                                          .where(schema.admin_units.c.level == "village")
                                          ).scalar_one()
    finally:
        engine.dispose()
    assert loads == 1
    assert villages == len(seed.build_demo_county(anchor=ANCHOR).units.query(
        "level == 'village'"))


@pytest.fixture
def app_on_postgres(seeded_postgres_url: str, monkeypatch: pytest.MonkeyPatch
                    ) -> Iterator[str]:
    """This process as an app on a PostgreSQL database holding the sample county, its
    history ending today, with a leader."""
    postgres_url = seeded_postgres_url
    monkeypatch.setattr(app_test, "PagesManager", _ServerPagesManager)
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    engine = db.make_engine(postgres_url)
    auth.create_user(engine, ADMIN, "leader", "leader", None, "password1")
    engine.dispose()
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", postgres_url)
    monkeypatch.setenv("PAIRMAP_COOKIE_KEY", COOKIE_KEY)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield postgres_url
    st.cache_resource.clear()
    st.cache_data.clear()


def _never_visited_card(at: AppTest) -> int:
    assert not at.exception, at.exception
    return int(next(m for m in at.metric if m.label == "从未走访").value)


def test_a_visit_another_process_writes_shows_on_this_processs_next_run(
        app_on_postgres: str, tmp_path: Path):
    url = app_on_postgres
    engine = db.make_engine(url)
    try:
        token = auth.issue_token(engine, auth.get_user(engine, "leader"), COOKIE_KEY)
        today = local_today()
        village = never_visited_village(engine, today)
        version = store.data_version(engine)
    finally:
        engine.dispose()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[SESSION_TOKEN] = token
    at.run()
    before = _never_visited_card(at)
    at.run()  # this process's caches now hold the figures of this data version
    assert _never_visited_card(at) == before

    upload = tmp_path / "visit.csv"
    upload.write_text("日期,单位代码,村代码,走访类型,走访户数,工作内容\n"
                      f"{today.isoformat()},XS001,{village},走访慰问,5,另一进程写入\n",
                      encoding="utf-8")
    written = json.loads(_cli(url, "import", "visits", str(upload)).stdout)
    assert written["inserted"] == 1, written

    at.run()  # the next run of this process
    report = json.loads(_cli(url, "report", "coverage", "--as-of", today.isoformat(),
                             "--format", "json").stdout)
    assert report["totals"]["never_visited"] == before - 1
    assert _never_visited_card(at) == before - 1
    engine = db.make_engine(url)
    try:
        assert store.data_version(engine) > version
    finally:
        engine.dispose()


def _read_only(url: str, on: bool) -> None:
    """Make the database read-only for new connections (as a standby is), or not."""
    parsed = make_url(url)
    admin = db.make_engine(parsed.set(database="postgres").render_as_string(
        hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(
                f'ALTER DATABASE "{parsed.database}" SET default_transaction_read_only = '
                + ("on" if on else "off")))
    finally:
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_readmes_multi_host_url_finds_the_primary(postgres_url: str):
    """The README's URL lists the primary and the standby with
    ``target_session_attrs=read-write``: a host that does not answer is passed over, and
    a read-only server (a standby) is refused, so a replica only ever writes to the
    primary."""
    parsed = make_url(postgres_url)
    live = f"{parsed.host}:{parsed.port or 5432}"
    dead = f"127.0.0.1:{_free_port()}"  # nothing listens there
    url = parsed.set(host=None, port=None, query={
        "host": [dead, live], "target_session_attrs": "read-write"}).render_as_string(
        hide_password=False)
    assert "?host=" in url and "&host=" in url, url
    engine = db.make_engine(url)
    try:
        seed.ensure_seeded(engine)  # an app's first start, through the dead host
        assert store.data_version(engine) == 1
        engine.dispose()
        _read_only(postgres_url, True)
        with pytest.raises(OperationalError, match=r"read-only|read-write"):
            engine.connect().close()
    finally:
        engine.dispose()
        _read_only(postgres_url, False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (Debian package `postgresql-client`)")
    return path


def _metrics(url: str, monkeypatch: pytest.MonkeyPatch, folder: Path) -> tuple[dict, dict]:
    """``report coverage`` and ``report departments`` of ``url`` as of ANCHOR, by the
    command line's own entry point (in this process: a Python start costs seconds)."""
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", url)
    shown = []
    for part in ("coverage", "departments"):
        out = folder / f"{uuid.uuid4().hex}.json"
        assert cli.main(["report", part, "--as-of", ANCHOR.isoformat(), "--format", "json",
                         "--out", str(out)]) == 0
        shown.append(json.loads(out.read_text(encoding="utf-8")))
    return shown[0], shown[1]


def test_a_dump_restored_into_a_new_database_gives_the_same_metrics(
        seeded_postgres_url: str, second_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch):
    postgres_url = seeded_postgres_url
    pg_dump, pg_restore = _pg_tool("pg_dump"), _pg_tool("pg_restore")
    dump = tmp_path / "pairmap.dump"
    # The README's commands: a custom-format dump, restored into an empty database.
    subprocess.run([pg_dump, "-Fc", "-d", libpq_url(postgres_url), "-f", str(dump)],
                   check=True, capture_output=True, timeout=300)
    subprocess.run([pg_restore, "--no-owner", "--exit-on-error", "-d",
                    libpq_url(second_database), str(dump)],
                    check=True, capture_output=True, timeout=300)

    original = _metrics(postgres_url, monkeypatch, tmp_path)
    restored = _metrics(second_database, monkeypatch, tmp_path)
    assert original[0]["totals"]["villages"] > 0 and original[1]["departments"]
    assert restored == original
    # A standby is read-only: the reports and an export run there all the same.
    _read_only(second_database, True)
    try:
        assert _metrics(second_database, monkeypatch, tmp_path) == original
        assert cli.main(["export", "visits", "--out", str(tmp_path / "visits.csv")]) == 0
    finally:
        _read_only(second_database, False)
    engines = [db.make_engine(u) for u in (postgres_url, second_database)]
    try:
        assert [store.count_rows(e) for e in engines[1:]] == [store.count_rows(engines[0])]
        assert [db.current_revision(e) for e in engines] == [db.head_revision()] * 2
        # The restored database takes new rows: its sequences follow the restored ids.
        auth.create_user(engines[1], ADMIN, "after.restore", "leader", None, "password1")
        version = store.data_version(engines[1])
        records.add_visit(engines[1], ADMIN, records.VisitInput(
            date=ANCHOR, department_code="XS001", kind="走访慰问", households_visited=1,
            village_code=never_visited_village(engines[1], ANCHOR), summary="恢复后写入"),
            today=ANCHOR)
        assert store.data_version(engines[1]) == version + 1
        assert _metrics(second_database, monkeypatch, tmp_path)[0]["totals"]["never_visited"] == (
            original[0]["totals"]["never_visited"] - 1)
    finally:
        for engine in engines:
            engine.dispose()


def _waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one())


def test_two_organisers_committing_one_plan_at_once_write_it_once(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch):
    """Two replicas commit the same plan at the same moment: the second commit reads the
    existing pairings only after the first has written its own, so it writes nothing and
    says which pairing overlaps (before, both found none, and the second failed on the
    unique index: the page said only that the database could not be written)."""
    engine = db.make_engine(postgres_url)
    db.upgrade(engine)
    tiny_county(engine)
    _, plan = plan_of(engine)
    results: dict[str, object] = {}

    def commit(name: str) -> None:
        try:
            results[name] = plan_service.commit_plan(engine, cli_user(), plan)
        except DataError as exc:
            results[name] = exc.code

    audits = plan_service.write_audits
    second = threading.Thread(target=commit, args=("second",))

    def audited_while_the_other_commits(*args: object, **kwargs: object) -> None:
        if threading.current_thread() is not second:
            # The first commit has written its pairings, not yet committed them: the
            # second runs now, until it has ended or waits for a lock.
            second.start()
            deadline = time.monotonic() + 60
            while second.is_alive() and not _waiting_for_a_lock(engine):
                assert time.monotonic() < deadline, "the second commit neither ended nor waited"
                time.sleep(0.05)
        audits(*args, **kwargs)

    monkeypatch.setattr(plan_service, "write_audits", audited_while_the_other_commits)
    try:
        commit("first")
        second.join(timeout=120)
        pairings = store.load_pairings(engine)
    finally:
        engine.dispose()
    assert isinstance(results["first"], plan_service.CommitResult), results
    assert results["second"] == "plan_commit_overlap", results
    new = pairings[pairings["start_date"] == plan.as_of]
    assert sorted(zip(new["department_code"], new["village_code"], strict=True)) == sorted(
        (p.department_code, p.village_code) for p in plan.proposals)
