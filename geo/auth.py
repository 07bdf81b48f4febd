"""Accounts: bcrypt password hashes, login with lockout, signed session tokens, users.

Passwords are hashed with the ``bcrypt`` library and never stored, logged or audited.
After ``MAX_FAILED_LOGINS`` failures in a row an account is locked for a time that
doubles with every further failure.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import bcrypt
import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from geo import schema
from geo.access import Action, Role, User, require
from geo.audit import write_audit
from geo.errors import ConfigError, DataError
from geo.settings import DATA_DIR, local_now
from geo.text import normalize_text

BCRYPT_ROUNDS = 12
MIN_PASSWORD_LENGTH = 8
MAX_FAILED_LOGINS = 5
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
SESSION_DAYS = 7
COOKIE_KEY_FILE = DATA_DIR / ".cookie_key"
MIN_COOKIE_KEY_BYTES = 32
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def hash_password(password: str) -> str:
    """Return the bcrypt hash of ``password``."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a malformed hash)."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def validate_password(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError("password_too_short", column="password", minimum=MIN_PASSWORD_LENGTH)


def validate_username(username: str) -> str:
    """Return the normalised username or refuse it."""
    name = normalize_text(username).lower()
    if not name or not set(name) <= USERNAME_CHARS or len(name) > 50:
        raise DataError("bad_username", column="username")
    return name


def cli_user() -> User:
    """The command line acts as admin, recorded as ``cli:<operating-system user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid())
    return User(username=f"cli:{name}", role=Role.ADMIN, display_name=f"cli:{name}")


def _user_from_row(row: object) -> User:
    return User(username=row.username, role=Role(row.role), display_name=row.display_name,
                department_code=row.department_code)


def has_users(engine: Engine) -> bool:
    """Whether any user exists (none: the first start asks for the administrator)."""
    with engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(schema.users))
                    .scalar_one())


def get_user(engine: Engine, username: str) -> User | None:
    """Return the active user ``username``, or None."""
    table = schema.users
    with engine.connect() as connection:
        row = connection.execute(
            select(table).where(table.c.username == username, table.c.active.is_(True))
        ).first()
    return None if row is None else _user_from_row(row)


def _public(row: dict) -> dict:
    return {k: v for k, v in row.items()
            if k not in ("password_hash", "failed_logins", "locked_until")}


def _insert_user(connection: Connection, actor: User, username: str, role: str,
                 department_code: str | None, password: str, display_name: str) -> User:
    name = validate_username(username)
    try:
        role_value = Role(role)
    except ValueError:
        raise DataError("unknown_role", column="role", role=role,
                        choices=", ".join(r.value for r in Role)) from None
    if role_value == Role.LIAISON and not department_code:
        raise DataError("liaison_needs_department", column="department")
    if role_value != Role.LIAISON:
        department_code = None
    if department_code is not None:
        known = connection.execute(select(schema.departments.c.code).where(
            schema.departments.c.code == department_code)).first()
        if known is None:
            raise DataError("unknown_department", column="department", code=department_code)
    validate_password(password)
    exists = connection.execute(select(schema.users.c.username).where(
        schema.users.c.username == name)).first()
    if exists is not None:
        raise DataError("user_exists", column="username", name=name)
    row = {"username": name, "display_name": normalize_text(display_name) or name,
           "password_hash": hash_password(password), "role": role_value.value,
           "department_code": department_code, "active": True, "failed_logins": 0}
    connection.execute(insert(schema.users).values(**row))
    write_audit(connection, actor, "create", "users", name, None, _public(row))
    return User(username=name, role=role_value, display_name=row["display_name"],
                department_code=department_code)


def create_user(engine: Engine, actor: User, username: str, role: str,
                department_code: str | None, password: str, display_name: str = "") -> User:
    """Add a user (admin only); a liaison needs a known department."""
    require(actor, Action.MANAGE_USERS)
    with engine.begin() as connection:
        return _insert_user(connection, actor, username, role, department_code, password,
                            display_name)


def create_first_admin(engine: Engine, username: str, password: str,
                       display_name: str = "") -> User:
    """Create the administrator on first start; refused once any user exists."""
    with engine.begin() as connection:
        if connection.execute(select(func.count()).select_from(schema.users)).scalar_one():
            raise DataError("admin_exists")
        actor = User(username="setup", role=Role.ADMIN, display_name="setup")
        return _insert_user(connection, actor, username, Role.ADMIN.value, None, password,
                            display_name)


def _existing(connection: Connection, username: str) -> dict:
    row = connection.execute(select(schema.users).where(
        schema.users.c.username == username)).mappings().first()
    if row is None:
        raise DataError("no_user", name=username)
    return dict(row)


def reset_password(engine: Engine, actor: User, username: str, password: str) -> None:
    """Set a new password (admin only); it also lifts a lockout."""
    require(actor, Action.MANAGE_USERS)
    validate_password(password)
    with engine.begin() as connection:
        _existing(connection, username)
        connection.execute(update(schema.users).where(schema.users.c.username == username)
                           .values(password_hash=hash_password(password), failed_logins=0,
                                   locked_until=None))
        write_audit(connection, actor, "reset_password", "users", username, None, None)


def deactivate_user(engine: Engine, actor: User, username: str) -> None:
    """Deactivate a user (admin only); they can no longer log in."""
    require(actor, Action.MANAGE_USERS)
    if username == actor.username:
        raise DataError("deactivate_self")
    with engine.begin() as connection:
        before = _existing(connection, username)
        if not before["active"]:
            return
        connection.execute(update(schema.users).where(schema.users.c.username == username)
                           .values(active=False))
        write_audit(connection, actor, "deactivate", "users", username,
                    {"active": True}, {"active": False})


def list_users(engine: Engine, actor: User) -> pd.DataFrame:
    """Return every user without password hashes (admin only)."""
    require(actor, Action.MANAGE_USERS)
    table = schema.users
    columns = [table.c.username, table.c.display_name, table.c.role, table.c.department_code,
               table.c.active, table.c.failed_logins, table.c.locked_until]
    with engine.connect() as connection:
        result = connection.execute(select(*columns).order_by(table.c.username))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt; ``locked_until`` is set while locked out."""

    user: User | None
    locked_until: datetime | None = None


def lock_duration(failures: int) -> timedelta:
    """Lock time after ``failures`` failures in a row (doubling, capped)."""
    if failures < MAX_FAILED_LOGINS:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** (failures - MAX_FAILED_LOGINS), MAX_LOCK)


def authenticate(engine: Engine, username: str, password: str,
                 now: datetime | None = None) -> LoginResult:
    """Check a login. Unknown, inactive, locked and wrong-password logins all fail.

    Failures are counted per user; from the ``MAX_FAILED_LOGINS``-th on, the account is
    locked for a growing time, during which even the right password is refused.
    """
    now = now or local_now()
    name = normalize_text(username).lower()
    table = schema.users
    with engine.begin() as connection:
        row = connection.execute(select(table).where(table.c.username == name)).first()
        if row is None or not row.active:
            check_password(password, "$2b$04$" + "x" * 53)  # same work for unknown users
            return LoginResult(None)
        if row.locked_until is not None and row.locked_until > now:
            return LoginResult(None, row.locked_until)
        if check_password(password, row.password_hash):
            connection.execute(update(table).where(table.c.username == name)
                               .values(failed_logins=0, locked_until=None))
            return LoginResult(_user_from_row(row))
        failures = row.failed_logins + 1
        lock = lock_duration(failures)
        locked_until = now + lock if lock else None
        connection.execute(update(table).where(table.c.username == name)
                           .values(failed_logins=failures, locked_until=locked_until))
        return LoginResult(None, locked_until)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("ascii")).hexdigest()[:16]


def _sign(payload: bytes, key: str) -> str:
    digest = hmac.new(key.encode("utf-8"), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def issue_token(engine: Engine, user: User, key: str, now: datetime | None = None,
                days: int = SESSION_DAYS) -> str:
    """Return a signed session token for the cookie (expires after ``days``).

    It carries a fingerprint of the password hash, so a reset ends old sessions.
    """
    now = now or local_now()
    with engine.connect() as connection:
        password_hash = connection.execute(select(schema.users.c.password_hash).where(
            schema.users.c.username == user.username)).scalar_one()
    body = json.dumps({"u": user.username, "exp": int((now + timedelta(days=days)).timestamp()),
                       "f": _fingerprint(password_hash)}, separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(body).decode("ascii").rstrip("=")
    return f"{encoded}.{_sign(encoded.encode('ascii'), key)}"


def verify_token(engine: Engine, token: str, key: str, now: datetime | None = None) -> User | None:
    """Return the user of a valid, unexpired token whose account is still active."""
    now = now or local_now()
    # Any malformed cookie means "logged out", never an error page.
    try:
        encoded, signature = token.split(".", 1)
        expected = _sign(encoded.encode("ascii"), key).encode("ascii")
        if not hmac.compare_digest(signature.encode("utf-8"), expected):
            return None
        body = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        if not isinstance(body, dict) or float(body.get("exp", 0)) < now.timestamp():
            return None
    except (ValueError, TypeError, UnicodeError, OverflowError):
        return None
    table = schema.users
    with engine.connect() as connection:
        row = connection.execute(select(table).where(
            table.c.username == str(body.get("u")), table.c.active.is_(True))).first()
    if row is None or _fingerprint(row.password_hash) != body.get("f"):
        return None
    return _user_from_row(row)


def cookie_key(configured: str, path: Path = COOKIE_KEY_FILE) -> str:
    """Return the cookie signing key: the setting, or one generated and kept in ``path``."""
    if configured:
        if len(configured.encode("utf-8")) < MIN_COOKIE_KEY_BYTES:
            raise ConfigError("cookie_key_too_short", minimum=MIN_COOKIE_KEY_BYTES)
        return configured
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
        if len(key.encode("utf-8")) >= MIN_COOKIE_KEY_BYTES:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
