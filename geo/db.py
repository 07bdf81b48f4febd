"""Database engine, schema migrations and small transactional helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from geo import schema
from geo.errors import ConfigError, DatabaseBusyError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


DEFAULT_BUSY_TIMEOUT = 30
"""Seconds a writer waits for another's write lock before giving up (``PAIRMAP_BUSY_TIMEOUT``)."""


def _sqlite_pragmas(busy_ms: int) -> Callable[[DBAPIConnection, object], None]:
    def connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()
    return connect


def make_engine(url: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL and foreign keys.

    A writer that finds the database locked by another waits up to ``busy_timeout``
    seconds (SQLite's ``busy_timeout``, PostgreSQL's ``lock_timeout``), then fails with
    an error that ``busy_error`` recognises.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL, e.g. ``sqlite:////abs/path.db`` or ``postgresql+psycopg://…``.
    busy_timeout : float
        Seconds to wait for a lock.
    """
    busy_ms = max(1, int(busy_timeout * 1000))
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError("bad_database_url", url=url) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed)
            event.listen(engine, "connect", _sqlite_pragmas(busy_ms))
            return engine
        engine = create_engine(parsed, pool_pre_ping=True)
        if parsed.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _postgres_lock_timeout(busy_ms))
        return engine
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigError("unsupported_database", driver=parsed.drivername) from exc


def _postgres_lock_timeout(busy_ms: int) -> Callable[[DBAPIConnection, object], None]:
    def connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {busy_ms}")
        cursor.close()
        dbapi_connection.commit()
    return connect


BUSY_SQLSTATES = ("55P03",)  # PostgreSQL: lock_not_available (lock_timeout)
BUSY_SQLITE_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def busy_error(exc: BaseException, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
               ) -> DatabaseBusyError | None:
    """The ``DatabaseBusyError`` that ``exc`` means, if it is a lock wait that ran out.

    The two boundaries (the page guard, the command line) ask this of a database error,
    so that "busy, try again" is said instead of "cannot open the database".
    """
    if not isinstance(exc, OperationalError):
        return None
    original = exc.orig
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    message = str(original).lower()
    if state in BUSY_SQLSTATES or any(text in message for text in BUSY_SQLITE_MESSAGES):
        return DatabaseBusyError(seconds=round(busy_timeout))
    return None


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the schema to the newest migration, or to ``target`` (creates it on an empty
    database). A migration that refuses (``DataError``) leaves the database unchanged."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


FIRST_START_LOCK = 0x50414952
"""The PostgreSQL advisory lock (its key, "PAIR") that app processes starting at once on
one database take in turn (``first_start_lock``)."""


@contextmanager
def first_start_lock(engine: Engine) -> Iterator[None]:
    """Hold the first-start lock of ``engine``'s database for the block (PostgreSQL).

    Several app processes on one PostgreSQL database (replicas behind a proxy) start at
    the same moment: each migrates the schema and loads the sample county into an empty
    database. Unserialised, two of them found it empty and both loaded it, and the second
    failed on the first's rows (duplicate key). Under this session-level advisory lock
    they run one after the other, and the later ones find the work done. Its wait is
    bounded by the engine's ``lock_timeout`` (``PAIRMAP_BUSY_TIMEOUT``). SQLite, one file
    on one machine, needs no lock of its own: its writers already take turns.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": FIRST_START_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                               {"key": FIRST_START_LOCK})
            connection.commit()


def downgrade(engine: Engine, target: str) -> None:
    """Take the schema back to the migration ``target`` (for tests and rollbacks)."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, target)


@contextmanager
def temporary_database(admin: Engine, name: str, template: str | None = None
                       ) -> Iterator[str]:
    """Create the PostgreSQL database ``name`` through ``admin`` (an AUTOCOMMIT engine of
    a role that may create databases; a copy of ``template`` when given), yield its URL,
    and drop it afterwards, closing any connection still open to it (the benchmark's
    PostgreSQL import, the tests' databases)."""
    source = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{source}'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def current_revision(engine: Engine) -> str | None:
    """Return the schema's Alembic revision, or ``None`` when not created."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """Return the newest migration's revision id."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def is_empty(engine: Engine) -> bool:
    """True when no admin unit, department or visit is stored."""
    with engine.connect() as connection:
        for table in (schema.admin_units, schema.departments, schema.visits):
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                return False
    return True


def get_meta(engine: Engine, key: str) -> str | None:
    """Read one value of the ``meta`` table."""
    with engine.connect() as connection:
        return connection.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == key)
        ).scalar_one_or_none()
