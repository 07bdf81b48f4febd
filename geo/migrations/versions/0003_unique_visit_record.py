"""A department's record ids are unique: a unique index on visits (department_code, record_id).

Two imports of the same file at the same moment could store every visit twice. Before
the index is made unique, the duplicates that bug left behind are looked at:

* duplicates equal in every field a person typed (all but ``id``, ``source``,
  ``created_by`` and ``created_at``) are merged: the lowest id is kept, the others are
  deleted, and one audit entry lists what was removed;
* duplicates that differ stop the upgrade with ``DataError("duplicate_record_ids")``,
  listing them, and change nothing: a person must decide which to keep.

The ``data_version`` row of ``meta`` is created if missing: importers compare and set it.

An empty record id means "none" (the form and the importer store NULL); any empty text
left by an older version becomes NULL, so that it is not taken for a record id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from geo.errors import DataError

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "ix_visits_department_code_record_id"
BOOKKEEPING = ("id", "source", "created_by", "created_at")
MIGRATION_ACTOR = "migration:0003"
LISTED_GROUPS = 20


def _duplicate_groups(bind: sa.Connection) -> dict[tuple[str, str], list[dict]]:
    rows = bind.execute(sa.text(
        "SELECT v.* FROM visits v JOIN ("
        " SELECT department_code, record_id FROM visits WHERE record_id IS NOT NULL"
        " GROUP BY department_code, record_id HAVING COUNT(*) > 1) d"
        " ON v.department_code = d.department_code AND v.record_id = d.record_id"
        " ORDER BY v.department_code, v.record_id, v.id")).mappings().all()
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["department_code"], row["record_id"]), []).append(dict(row))
    return groups


def _content(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in BOOKKEEPING}


def upgrade() -> None:
    bind = op.get_bind()
    # Every writer compares and sets this row (geo.store.claim_version): it must exist.
    if bind.execute(sa.text("SELECT COUNT(*) FROM meta WHERE key = 'data_version'")
                    ).scalar_one() == 0:
        bind.execute(sa.text("INSERT INTO meta (key, value) VALUES ('data_version', '0')"))
    bind.execute(sa.text("UPDATE visits SET record_id = NULL WHERE record_id = ''"))
    groups = _duplicate_groups(bind)
    differing = [(key, rows) for key, rows in groups.items()
                 if any(_content(row) != _content(rows[0]) for row in rows[1:])]
    if differing:
        listing = "; ".join(
            f"{department} / {record}: id {', '.join(str(row['id']) for row in rows)}"
            for (department, record), rows in differing[:LISTED_GROUPS])
        if len(differing) > LISTED_GROUPS:
            listing += f"; … ({len(differing)})"
        raise DataError("duplicate_record_ids", count=len(differing), listing=listing)
    removed = [row["id"] for rows in groups.values() for row in rows[1:]]
    for start in range(0, len(removed), 500):
        bind.execute(sa.text("DELETE FROM visits WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": removed[start:start + 500]})
    if removed:
        merged = [{"department_code": department, "record_id": record,
                   "kept": rows[0]["id"], "removed": [row["id"] for row in rows[1:]]}
                  for (department, record), rows in groups.items()]
        now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
        audit = sa.table("audit_log", *(sa.column(name) for name in (
            "at", "username", "action", "entity", "entity_key", "before", "after")))
        bind.execute(sa.insert(audit).values(
            at=now, username=MIGRATION_ACTOR, action="merge_duplicates", entity="visits",
            entity_key=str(len(removed)), before=json.dumps(merged, ensure_ascii=False),
            after=None))
    op.drop_index(INDEX, table_name="visits")
    op.create_index(INDEX, "visits", ["department_code", "record_id"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="visits")
    op.create_index(INDEX, "visits", ["department_code", "record_id"])
