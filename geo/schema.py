"""The database schema (SQLAlchemy Core), one table per entity of DESIGN.md.

The schema is created and changed only by Alembic migrations (``geo/migrations``);
this module is their description for queries, and a test checks that the two agree.
Geometry is stored as GeoJSON text in WGS84 so the SQL stays portable.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ADMIN_LEVELS = ("province", "city", "county", "township", "village")
"""From the top: a province (2-digit code), a city (4-digit prefix; ``4290`` groups the
county-level units directly under the province), a county (6), a township (9), a village (12)."""
BOUNDARY_SOURCES = ("official", "schematic")
DEPARTMENT_KINDS = ("党政机关", "政法", "经济", "教科文卫", "群团", "企事业")
PAIRING_KINDS = ("结对共建", "定点帮扶", "四联四推")
VISIT_KINDS = (
    "走访慰问",
    "政策宣讲",
    "解决实际问题",
    "信访接待/大下访",
    "支部联过",
    "阵地联建",
    "发展联谋",
    "创优联促",
    "产业帮扶",
    "其他",
)
ONE_OFF_VISIT_KINDS = ("走访慰问",)
LONG_TERM_VISIT_KINDS = ("产业帮扶", "发展联谋", "阵地联建")
VISIT_SOURCES = ("form", "import", "sample")
VILLAGE_KINDS = ("村", "社区")
VISIT_COUNT_FIELDS = ("cadre_count", "households_visited", "problems_raised", "problems_resolved")
"""The counts of a visit: whole numbers, never negative."""
VILLAGE_FIGURES = ("population", "households", "left_behind_elderly", "low_income_households")
"""A village's figures that feed the need index."""
ROLES = ("leader", "organiser", "liaison", "admin")
PROBLEM_CATEGORIES = ("基础设施", "产业发展", "医疗卫生", "教育", "社会保障", "矛盾纠纷", "信访",
                      "其他")
PROBLEM_STATUSES = ("open", "in_progress", "resolved", "closed_unresolved")
"""A problem's statuses (DESIGN.md's "Problem ledger"); the last two are closed."""
CLOSED_PROBLEM_STATUSES = ("resolved", "closed_unresolved")
SATISFACTION_RATINGS = ("满意", "基本满意", "不满意")
"""The village's rating of a closed problem."""
PROBLEM_DUE_DAYS = 30
"""A problem's default due date is this many days after it was raised."""

admin_units = Table(
    "admin_units",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("short_name", String(100), nullable=False),
    Column("level", String(10), nullable=False),
    Column("parent_code", String(12), ForeignKey("admin_units.code"), nullable=True),
    Column("kind", String(10), nullable=True),
    Column("geometry", Text, nullable=True),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("boundary_source", String(10), nullable=True),
    Column("population", Integer, nullable=True),
    Column("households", Integer, nullable=True),
    Column("left_behind_elderly", Integer, nullable=True),
    Column("low_income_households", Integer, nullable=True),
    Column("weak", Boolean, nullable=False, default=False),
    CheckConstraint("level IN ('province', 'city', 'county', 'township', 'village')",
                    name="level"),
    Index(None, "level", "parent_code"),
)

departments = Table(
    "departments",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("party_members", Integer, nullable=False, default=0),
    Column("seat_lon", Float, nullable=True),
    Column("seat_lat", Float, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    # The county it belongs to (its code; no foreign key: replacing the admin units keeps
    # the departments users refer to). NULL only where no single county was known.
    Column("county_code", String(12), nullable=True),
    Index(None, "county_code"),
)

cadres = Table(
    "cadres",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department_code", String(20), ForeignKey("departments.code"), nullable=False),
    Column("name", String(50), nullable=False),
    Column("leader", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Index(None, "department_code"),
)

pairings = Table(
    "pairings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department_code", String(20), ForeignKey("departments.code"), nullable=False),
    Column("village_code", String(12), ForeignKey("admin_units.code"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("required_visits_per_month", Integer, nullable=False, default=1),
    Column("note", Text, nullable=True),
    UniqueConstraint("department_code", "village_code", "start_date"),
    Index(None, "village_code"),
)

visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("date", Date, nullable=False),
    Column("department_code", String(20), ForeignKey("departments.code"), nullable=False),
    Column("village_code", String(12), ForeignKey("admin_units.code"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("cadre_count", Integer, nullable=False, default=0),
    Column("cadre_ids", Text, nullable=True),
    Column("households_visited", Integer, nullable=False, default=0),
    Column("problems_raised", Integer, nullable=False, default=0),
    Column("problems_resolved", Integer, nullable=False, default=0),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("summary", Text, nullable=True),
    Column("record_id", String(50), nullable=True),
    Column("source", String(10), nullable=False, default="form"),
    Column("created_by", String(50), nullable=True),
    Column("created_at", DateTime, nullable=True),
    Index(None, "village_code", "date"),
    Index(None, "department_code", "date"),
    Index(None, "department_code", "record_id", unique=True),
)

problems = Table(
    "problems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("village_code", String(12), ForeignKey("admin_units.code"), nullable=False),
    Column("raised_on", Date, nullable=False),
    # The visit it was received on; a deleted visit leaves the problem, without its visit.
    Column("raised_visit_id", Integer, ForeignKey("visits.id", ondelete="SET NULL"),
           nullable=True),
    Column("department_code", String(20), ForeignKey("departments.code"), nullable=False),
    Column("co_departments", Text, nullable=True),  # ";"-separated codes (joint handling)
    Column("category", String(10), nullable=False),
    Column("description", Text, nullable=False),
    Column("resident", String(50), nullable=True),  # never shown to leaders
    Column("due_date", Date, nullable=False),
    Column("status", String(20), nullable=False, default="open"),
    Column("resolved_on", Date, nullable=True),
    Column("resolution", Text, nullable=True),
    Column("satisfaction", String(10), nullable=True),
    Column("record_id", String(50), nullable=True),
    Column("created_by", String(50), nullable=True),
    Column("created_at", DateTime, nullable=True),
    CheckConstraint("status IN ('open', 'in_progress', 'resolved', 'closed_unresolved')",
                    name="status"),
    CheckConstraint("satisfaction IS NULL OR satisfaction IN ('满意', '基本满意', '不满意')",
                    name="satisfaction"),
    CheckConstraint("(status IN ('resolved', 'closed_unresolved')) = (resolved_on IS NOT NULL)",
                    name="resolved_on"),
    Index(None, "village_code"),
    Index(None, "department_code"),
    Index(None, "status"),
    Index(None, "raised_on"),
    Index(None, "department_code", "record_id", unique=True),
)
"""The problem ledger (群众诉求台账): one resident's or village's request, from receipt to
closure (DESIGN.md's "Problem ledger"). ``resolved_on`` is the closing date of both closed
statuses and is set exactly when the problem is closed."""

problem_notes = Table(
    "problem_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("problem_id", Integer, ForeignKey("problems.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("username", String(50), nullable=False),
    Column("department_code", String(20), nullable=True),  # the writer's department
    Column("text", Text, nullable=False),
    Index(None, "problem_id"),
)
"""Progress notes on a problem (the responsible department, co-departments, organisers)."""

users = Table(
    "users",
    metadata,
    Column("username", String(50), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(100), nullable=False),
    Column("role", String(10), nullable=False),
    Column("department_code", String(20), ForeignKey("departments.code"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    CheckConstraint("role IN ('leader', 'organiser', 'liaison', 'admin')", name="role"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the random token id
    Column("username", String(50), nullable=False),  # no foreign key: users are never deleted
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Index(None, "username"),
)
"""One login (geo.auth): live until it expires or is revoked (logout, password reset,
deactivation)."""

login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(100), primary_key=True),  # "name:<as typed>" or "address:<ip>"
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime, nullable=False),
)
"""Failed logins remembered per name and per client address; they slow later attempts."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(100), nullable=False),
    Column("action", String(30), nullable=False),
    Column("entity", String(30), nullable=False),
    Column("entity_key", String(200), nullable=True),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Index(None, "at"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=True),
)
