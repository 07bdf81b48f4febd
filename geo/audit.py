"""The audit log: one entry per write (an import is one entry), read by admin and organiser."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from geo import schema
from geo.access import Action, User, require
from geo.settings import local_now


def _json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def write_audit(
    connection: Connection,
    actor: User,
    action: str,
    entity: str,
    entity_key: str | None,
    before: object = None,
    after: object = None,
    at: datetime | None = None,
) -> None:
    """Add one audit entry inside the caller's transaction.

    ``before`` and ``after`` are stored as JSON; secrets (password hashes) must not be
    passed in.
    """
    connection.execute(
        insert(schema.audit_log).values(
            at=at or local_now(),
            username=actor.username,
            action=action,
            entity=entity,
            entity_key=entity_key,
            before=_json(before),
            after=_json(after),
        )
    )


def load_audit_log(
    engine: Engine,
    actor: User,
    username: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Return audit entries, newest first, filtered; only for roles that may view them."""
    require(actor, Action.VIEW_AUDIT)
    table = schema.audit_log
    query = select(table).order_by(table.c.id.desc())
    if username:
        query = query.where(table.c.username == username)
    if action:
        query = query.where(table.c.action == action)
    if entity:
        query = query.where(table.c.entity == entity)
    if since:
        query = query.where(table.c.at >= datetime.combine(since, time.min))
    if until:
        query = query.where(table.c.at < datetime.combine(until + timedelta(days=1), time.min))
    with engine.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
