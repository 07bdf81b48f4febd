"""The README's PostgreSQL primary with a streaming standby, run for real: two private
clusters (``initdb``, ``pg_basebackup -X stream -R -C -S``) on free local ports.

- The app's first start through the README's multi-host URL, which lists the standby
  first, lands on the primary (``target_session_attrs=read-write``).
- The standby follows: its reports equal the primary's, it refuses a write, and
  ``pg_dump -Fc`` runs on it.
- Failover: the primary stopped hard and the standby promoted, the same engine (an app
  process's, kept across the failover) writes to the new primary, and the figures follow.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from geo import cli, db, records, store
from geo.access import Role, User
from geo.demo import seed
from tests.conftest import ANCHOR, unavailable
from tests.test_replicas import never_visited_village

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ADMIN = User("cli:test", Role.ADMIN)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Clusters:
    """Runs PostgreSQL's server programs as the ``postgres`` user when this is root (the
    server refuses to run as root), else as this user."""

    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir, self.base = bindir, base
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, program: str, *args: str) -> None:
        result = subprocess.run([*self.prefix, str(self.bindir / program), *args],
                                capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, (program, result.stdout, result.stderr)

    def start(self, name: str) -> None:
        self.run("pg_ctl", "-D", str(self.base / name), "-l", str(self.base / f"{name}.log"),
                 "-w", "start")

    def stop(self, name: str, mode: str = "fast") -> None:
        if (self.base / name / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.base / name), "-m", mode, "-w", "stop")


def _configure(cluster: Path, lines: list[str]) -> None:
    with (cluster / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n".join(lines) + "\n")


@pytest.fixture
def primary_and_standby() -> Iterator[tuple[Clusters, int, int]]:
    """A primary and its streaming standby, as the README sets them up; their ports."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        unavailable("PostgreSQL's server programs are not installed (/usr/lib/postgresql)")
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no user postgres to run the server")
    base = Path(tempfile.mkdtemp(prefix="pairmap-standby-"))
    if os.geteuid() == 0:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    clusters = Clusters(Path(found[-1]).parent, base)
    primary_port, standby_port = _free_port(), _free_port()
    try:
        clusters.run("initdb", "--no-sync", "-D", str(base / "primary"), "-U", "postgres",
                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        _configure(base / "primary", [f"port = {primary_port}",
                                      "listen_addresses = '127.0.0.1'",
                                      f"unix_socket_directories = '{base}'"])
        clusters.start("primary")
        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{primary_port}/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE ROLE replicator WITH REPLICATION LOGIN"))
            connection.execute(text("CREATE DATABASE pairmap"))
        admin.dispose()
        # The README's command on the standby: copy the primary and follow it.
        clusters.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port),
                     "-U", "replicator", "-D", str(base / "standby"), "-X", "stream",
                     "-R", "-C", "-S", "pairmap_standby", "--checkpoint=fast")
        _configure(base / "standby", [f"port = {standby_port}", "hot_standby_feedback = on"])
        clusters.start("standby")
        yield clusters, primary_port, standby_port
    finally:
        for name in ("standby", "primary"):
            clusters.stop(name, "immediate")
        shutil.rmtree(base, ignore_errors=True)


def _url(*ports: int, read_write: bool = False) -> str:
    hosts = "&".join(f"host=127.0.0.1:{port}" for port in ports)
    attrs = "&target_session_attrs=read-write" if read_write else ""
    return f"postgresql+psycopg://postgres@/pairmap?{hosts}{attrs}"


def _scalar(url: str, query: str) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def _caught_up(primary: str, standby: str, timeout: float = 60) -> None:
    """Wait until the standby has replayed everything the primary has written."""
    target = _scalar(primary, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _scalar(standby, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.1)


def _coverage(url: str, monkeypatch: pytest.MonkeyPatch, folder: Path) -> dict:
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", url)
    out = folder / f"{uuid.uuid4().hex}.json"
    assert cli.main(["report", "coverage", "--as-of", ANCHOR.isoformat(), "--format", "json",
                     "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _a_visit(engine) -> records.VisitInput:
    return records.VisitInput(date=ANCHOR, department_code="XS001", kind="走访慰问",
                              households_visited=1, summary="主备切换测试",
                              village_code=never_visited_village(engine, ANCHOR))


def test_a_streaming_standby_follows_refuses_writes_and_takes_over(
        primary_and_standby, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    clusters, primary_port, standby_port = primary_and_standby
    primary, standby = _url(primary_port), _url(standby_port)
    assert _scalar(standby, "SELECT pg_is_in_recovery()") is True
    # The app's engine: the README's URL, the standby listed first.
    app = db.make_engine(_url(standby_port, primary_port, read_write=True))
    try:
        assert seed.ensure_seeded(app)  # landed on the primary: the standby refuses writes
        _caught_up(primary, standby)
        on_primary = _coverage(primary, monkeypatch, tmp_path)
        assert _coverage(standby, monkeypatch, tmp_path) == on_primary
        follower = db.make_engine(standby)
        try:
            with pytest.raises(DBAPIError, match="read-only"):
                records.add_visit(follower, ADMIN, _a_visit(follower), today=ANCHOR)
        finally:
            follower.dispose()
        dump = subprocess.run(["pg_dump", "-Fc", "-d",
                               f"postgresql://postgres@127.0.0.1:{standby_port}/pairmap",
                               "-f", str(tmp_path / "standby.dump")],
                              capture_output=True, text=True, timeout=300, check=False)
        assert dump.returncode == 0, dump.stderr
        assert (tmp_path / "standby.dump").stat().st_size > 0

        # Failover: the primary is lost, the standby promoted; the app's engine follows.
        clusters.stop("primary", "immediate")
        assert _scalar(standby, "SELECT pg_promote()") is True
        assert _scalar(standby, "SELECT pg_is_in_recovery()") is False
        version = store.data_version(app)
        records.add_visit(app, ADMIN, _a_visit(app), today=ANCHOR)
        assert store.data_version(app) == version + 1
    finally:
        app.dispose()
    after = _coverage(standby, monkeypatch, tmp_path)
    assert after["totals"]["never_visited"] == on_primary["totals"]["never_visited"] - 1
