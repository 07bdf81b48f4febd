"""A consistent copy of the SQLite database for an administrator to download."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from geo.access import Action, User, require
from geo.errors import PairMapError


def backup_sqlite(engine: Engine, actor: User) -> bytes:
    """Return a consistent copy of the SQLite database file (admin only).

    Uses SQLite's online backup, so the copy is consistent while the app keeps running.
    PostgreSQL is backed up with ``pg_dump`` instead (see the README).
    """
    require(actor, Action.MANAGE_USERS)
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise PairMapError("backup_needs_sqlite")
    source = sqlite3.connect(engine.url.database)
    try:
        with tempfile.TemporaryDirectory() as folder:
            target_path = Path(folder) / "backup.db"
            target = sqlite3.connect(target_path)
            try:
                source.backup(target)
            finally:
                target.close()
            return target_path.read_bytes()
    finally:
        source.close()
