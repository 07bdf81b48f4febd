"""Several counties in one database: admin-unit levels ``province`` and ``city``, and
``departments.county_code``.

* ``admin_units.level`` also allows ``province`` (2-digit code, ``42``) and ``city``
  (the 4-digit prefix, ``4201``; ``4290`` groups the county-level units directly under
  the province). The CHECK constraint is widened: on PostgreSQL it is dropped and made
  again; on SQLite, which cannot alter a constraint, the table's stored definition is
  edited in place (SQLite's documented procedure for changing a CHECK constraint with
  ``PRAGMA writable_schema``, inside the migration's transaction): a rebuild of
  ``admin_units`` would need foreign keys switched off, which cannot be done inside a
  transaction, and every row already satisfies the wider constraint.
* ``departments.county_code`` (the county's code, indexed): the county a department belongs to.
  Existing departments get the county of a database holding exactly one county (else
  NULL). No foreign key: replacing the admin units (``seed-demo``) keeps the departments
  users refer to.

Downgrade: county-level units lose their parent city, the city and province units are
deleted (they are unions of their counties), the constraint is narrowed again and
``county_code`` dropped.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_admin_units_level"
OLD_CHECK = "level IN ('county', 'township', 'village')"
NEW_CHECK = "level IN ('province', 'city', 'county', 'township', 'village')"
INDEX = "ix_departments_county_code"


def _replace_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(CONSTRAINT, "admin_units", type_="check")
        op.create_check_constraint(CONSTRAINT, "admin_units", new)
        return
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'admin_units'"
    ).scalar_one()
    if table_sql.count(old) != 1:
        raise RuntimeError(f"admin_units: expected the constraint {old!r} once")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'admin_units'",
        (table_sql.replace(old, new),))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _replace_check(OLD_CHECK, NEW_CHECK)
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("county_code", sa.String(12), nullable=True))
    op.create_index(INDEX, "departments", ["county_code"])
    op.execute(
        "UPDATE departments SET county_code = ("
        " SELECT MIN(code) FROM admin_units WHERE level = 'county')"
        " WHERE (SELECT COUNT(*) FROM admin_units WHERE level = 'county') = 1")


def downgrade() -> None:
    op.execute(
        "UPDATE admin_units SET parent_code = NULL WHERE parent_code IN ("
        " SELECT code FROM admin_units WHERE level IN ('province', 'city'))")
    op.execute("DELETE FROM admin_units WHERE level = 'city'")
    op.execute("DELETE FROM admin_units WHERE level = 'province'")
    _replace_check(NEW_CHECK, OLD_CHECK)
    op.drop_index(INDEX, table_name="departments")
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of ``departments``
    # would drop a table that cadres, pairings and visits refer to.
    op.execute("ALTER TABLE departments DROP COLUMN county_code")
