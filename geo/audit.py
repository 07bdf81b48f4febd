"""The audit log: one entry per write (an import is one entry), read by admin and organiser."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from geo import schema
from geo.access import Action, User, require
from geo.i18n import CATALOGUE, DEFAULT_LANG, translate, translate_or_none
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


def write_audits(connection: Connection, actor: User, action: str, entity: str,
                 entries: list[dict], at: datetime | None = None) -> None:
    """Add many entries of one action at once (``key``, ``before``, ``after`` each),
    inside the caller's transaction."""
    if not entries:
        return
    when = at or local_now()
    connection.execute(insert(schema.audit_log), [
        {"at": when, "username": actor.username, "action": action, "entity": entity,
         "entity_key": entry["key"], "before": _json(entry["before"]),
         "after": _json(entry["after"])} for entry in entries])


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


AUDIT_COLUMNS = ["id", "at", "username", "action", "entity", "entity_key", "changes"]


def _label(group: str, key: object, lang: str) -> str:
    text = translate_or_none(f"{group}.{key}", lang)
    return str(key) if text is None else text


def _value_text(field: str, value: object, lang: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return translate("audit.yes" if value else "audit.no", lang)
    if field == "role":
        return _label("role", value, lang)
    return str(value)


def _in_order(fields: list[str]) -> list[str]:
    """Fields in the catalogue's order (a record's natural order: date, department,
    village …; who, then what), unknown ones last; entries are stored sorted by name."""
    known = [key.split(".", 1)[1] for key in CATALOGUE[DEFAULT_LANG] if key.startswith("field.")]
    return sorted(fields, key=lambda f: (known.index(f) if f in known else len(known), f))


def _changes(action: str, before: dict | None, after: dict | None, lang: str) -> str:
    """One readable line: what changed from what to what (fields in ``lang``); "—" when
    the entry records no values (a password reset keeps no secret in the log)."""
    before, after = before or {}, after or {}
    sep = translate("audit.separator", lang)
    if not before and not after:
        return "—"
    if before and after:
        fields = _in_order([k for k in after if before.get(k) != after.get(k)])
        return sep.join(
            translate("audit.change", lang, field=_label("field", k, lang),
                      before=_value_text(k, before.get(k), lang),
                      after=_value_text(k, after.get(k), lang)) for k in fields)
    shown = after or before
    return sep.join(translate("audit.value", lang, field=_label("field", k, lang),
                              recorded=_value_text(k, shown[k], lang))
                    for k in _in_order(list(shown)) if shown[k] not in (None, ""))


def describe_audit(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return audit entries (``load_audit_log``) as a person reads them, in ``lang``.

    Actions and tables are named in words; ``changes`` says, field by field, the value
    before and after an update (``字段：旧 → 新``), or the values created, deleted or
    counted by an import; an empty value reads ``—``.
    """
    def parsed(text: object) -> dict | None:
        if text is None or (isinstance(text, float) and pd.isna(text)) or text == "":
            return None
        value = json.loads(str(text))
        return value if isinstance(value, dict) else {"value": value}

    changes = [_changes(action, parsed(b), parsed(a), lang)
               for action, b, a in zip(log["action"], log["before"], log["after"], strict=True)]
    return pd.DataFrame({
        "id": log["id"].to_numpy(),
        "at": log["at"].to_numpy(),
        "username": log["username"].to_numpy(),
        "action": [_label("audit.action", a, lang) for a in log["action"]],
        "entity": [_label("tablename", e, lang) for e in log["entity"]],
        "entity_key": log["entity_key"].fillna("—").to_numpy(),
        "changes": changes,
    }, columns=AUDIT_COLUMNS)
