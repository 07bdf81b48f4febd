"""Shared fixtures: databases (SQLite always; PostgreSQL where a server runs) and a
seeded sample county. Fixtures are built from code; nothing depends on local state."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from geo import db
from geo.demo import seed

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = date(2026, 11, 28)
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "PAIRMAP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ARTIFACTS = ROOT / "test-artifacts"


def unavailable(reason: str) -> None:
    """Skip with ``reason`` on a developer's machine; fail in CI, where it must run."""
    if IN_CI:
        pytest.fail(f"required in CI (CI=true): {reason}")
    pytest.skip(reason)


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
    name = f"pairmap_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with postgres_admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'pairmap.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty, migrated database on each supported backend."""
    url = request.getfixturevalue(f"{request.param}_url")
    engine = db.make_engine(url)
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
