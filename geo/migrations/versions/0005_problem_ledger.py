"""The problem ledger (群众诉求台账): ``problems`` and their progress notes.

* ``problems``: one resident's or village's request, from receipt to closure
  (DESIGN.md's "Problem ledger"), with indexes on village, department, status and the
  day it was raised, and a department's record ids unique (as visits' since 0003);
  ``resolved_on`` is set exactly when the status is closed (``resolved`` or
  ``closed_unresolved``); a deleted visit leaves its problems without their visit.
* ``problem_notes``: progress notes, by problem.

Nothing stored before changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("village_code", sa.String(12), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_visit_id", sa.Integer(), nullable=True),
        sa.Column("department_code", sa.String(20), nullable=False),
        sa.Column("co_departments", sa.Text(), nullable=True),
        sa.Column("category", sa.String(10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("resident", sa.String(50), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.String(10), nullable=True),
        sa.Column("record_id", sa.String(50), nullable=True),
        sa.Column("created_by", sa.String(50), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'resolved', 'closed_unresolved')",
            name="ck_problems_status"),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction IN ('满意', '基本满意', '不满意')",
            name="ck_problems_satisfaction"),
        sa.CheckConstraint(
            "(status IN ('resolved', 'closed_unresolved')) = (resolved_on IS NOT NULL)",
            name="ck_problems_resolved_on"),
        sa.ForeignKeyConstraint(["village_code"], ["admin_units.code"],
                                name="fk_problems_village_code_admin_units"),
        sa.ForeignKeyConstraint(["raised_visit_id"], ["visits.id"], ondelete="SET NULL",
                                name="fk_problems_raised_visit_id_visits"),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"],
                                name="fk_problems_department_code_departments"),
        sa.PrimaryKeyConstraint("id", name="pk_problems"),
    )
    op.create_index("ix_problems_village_code", "problems", ["village_code"])
    op.create_index("ix_problems_department_code", "problems", ["department_code"])
    op.create_index("ix_problems_status", "problems", ["status"])
    op.create_index("ix_problems_raised_on", "problems", ["raised_on"])
    op.create_index("ix_problems_department_code_record_id", "problems",
                    ["department_code", "record_id"], unique=True)
    op.create_table(
        "problem_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(50), nullable=False),
        sa.Column("department_code", sa.String(20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["problems.id"],
                                name="fk_problem_notes_problem_id_problems"),
        sa.PrimaryKeyConstraint("id", name="pk_problem_notes"),
    )
    op.create_index("ix_problem_notes_problem_id", "problem_notes", ["problem_id"])


def downgrade() -> None:
    op.drop_index("ix_problem_notes_problem_id", table_name="problem_notes")
    op.drop_table("problem_notes")
    for name in ("department_code_record_id", "raised_on", "status", "department_code",
                 "village_code"):
        op.drop_index(f"ix_problems_{name}", table_name="problems")
    op.drop_table("problems")
