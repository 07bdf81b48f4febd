"""Baseline schema: every entity of DESIGN.md.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_units",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("short_name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("parent_code", sa.String(12), nullable=True),
        sa.Column("kind", sa.String(10), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("boundary_source", sa.String(10), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("left_behind_elderly", sa.Integer(), nullable=True),
        sa.Column("low_income_households", sa.Integer(), nullable=True),
        sa.Column("weak", sa.Boolean(), nullable=False),
        sa.CheckConstraint("level IN ('county', 'township', 'village')",
                           name="ck_admin_units_level"),
        sa.ForeignKeyConstraint(["parent_code"], ["admin_units.code"],
                                name="fk_admin_units_parent_code_admin_units"),
        sa.PrimaryKeyConstraint("code", name="pk_admin_units"),
    )
    op.create_index("ix_admin_units_level_parent_code", "admin_units", ["level", "parent_code"])

    op.create_table(
        "departments",
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("party_members", sa.Integer(), nullable=False),
        sa.Column("seat_lon", sa.Float(), nullable=True),
        sa.Column("seat_lat", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_departments"),
    )

    op.create_table(
        "cadres",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("department_code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("leader", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"],
                                name="fk_cadres_department_code_departments"),
        sa.PrimaryKeyConstraint("id", name="pk_cadres"),
    )
    op.create_index("ix_cadres_department_code", "cadres", ["department_code"])

    op.create_table(
        "pairings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("department_code", sa.String(20), nullable=False),
        sa.Column("village_code", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("required_visits_per_month", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"],
                                name="fk_pairings_department_code_departments"),
        sa.ForeignKeyConstraint(["village_code"], ["admin_units.code"],
                                name="fk_pairings_village_code_admin_units"),
        sa.PrimaryKeyConstraint("id", name="pk_pairings"),
        sa.UniqueConstraint("department_code", "village_code", "start_date",
                            name="uq_pairings_department_code_village_code_start_date"),
    )
    op.create_index("ix_pairings_village_code", "pairings", ["village_code"])

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("department_code", sa.String(20), nullable=False),
        sa.Column("village_code", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("cadre_count", sa.Integer(), nullable=False),
        sa.Column("cadre_ids", sa.Text(), nullable=True),
        sa.Column("households_visited", sa.Integer(), nullable=False),
        sa.Column("problems_raised", sa.Integer(), nullable=False),
        sa.Column("problems_resolved", sa.Integer(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("record_id", sa.String(50), nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_by", sa.String(50), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"],
                                name="fk_visits_department_code_departments"),
        sa.ForeignKeyConstraint(["village_code"], ["admin_units.code"],
                                name="fk_visits_village_code_admin_units"),
        sa.PrimaryKeyConstraint("id", name="pk_visits"),
    )
    op.create_index("ix_visits_village_code_date", "visits", ["village_code", "date"])
    op.create_index("ix_visits_department_code_date", "visits", ["department_code", "date"])
    op.create_index("ix_visits_department_code_record_id", "visits",
                    ["department_code", "record_id"])

    op.create_table(
        "users",
        sa.Column("username", sa.String(50), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("department_code", sa.String(20), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("role IN ('leader', 'organiser', 'liaison', 'admin')",
                           name="ck_users_role"),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"],
                                name="fk_users_department_code_departments"),
        sa.PrimaryKeyConstraint("username", name="pk_users"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("entity", sa.String(30), nullable=False),
        sa.Column("entity_key", sa.String(200), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])

    op.create_table(
        "meta",
        sa.Column("key", sa.String(50), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    for table in ("meta", "audit_log", "users", "visits", "pairings", "cadres",
                  "departments", "admin_units"):
        op.drop_table(table)
