"""Accounts: bcrypt password hashes, logins slowed (never locked) after failures,
server-side sessions behind signed cookies, users.

Passwords are hashed with the ``bcrypt`` library and never stored, logged or audited.

Logins (why a delay and not a lock)
    A lock that the right password cannot open lets anyone keep any account locked for
    ever, the administrator's included, by one wrong guess each time it expires. So the
    right password is never refused because of failures: failures only make every later
    attempt *slower*. ``authenticate`` counts failures per name as typed (known or
    unknown alike, so the count says nothing about which accounts exist) and per client
    address (when the app knows it). From ``FREE_FAILURES`` failures on a name, or
    ``ADDRESS_FREE_FAILURES`` from an address, every attempt on that name or from that
    address waits ``failure_delay`` seconds on the server first: 0.5 s, doubling, capped at
    ``MAX_DELAY`` (4 s), the longer of the two. A success forgets the name's failures; an
    address's are forgotten ``FAILURE_MEMORY`` after its last one (a success does not
    forget them, so one known account cannot launder another's guesses). The delay is
    not a block, so an address shared by a whole office (NAT, a reverse proxy on
    another host) slows its users and never shuts them out.

    Unknown names, inactive accounts, wrong passwords and slowed accounts give the same
    result (``LoginResult(None)``), the same one message, and the same work: one bcrypt
    check at ``BCRYPT_ROUNDS`` against the account's hash or against a dummy hash of the
    same cost (made once per process). Every failure is an audit entry
    (``login_failed``: the name as typed, made printable, never the password; the
    address), and so is the start of each slowing-down (``login_slowed``).

Sessions
    A login is a row of ``sessions`` (a random token id, kept only as its SHA-256; the
    user; when it was made, expires and was revoked). The cookie and the browser tab
    carry the token id signed with the cookie key (``issue_token``); ``verify_token``
    checks the signature, then the row on every script run, so logging out
    (``revoke_token``), a password reset and a deactivation (they revoke every session
    of the user) end a session at once, a copied cookie and a live tab included.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import bcrypt
import pandas as pd
from sqlalchemy import Connection, Engine, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from geo import schema
from geo.access import Action, Role, User, require
from geo.audit import write_audit
from geo.errors import ConfigError, DataError
from geo.settings import DATA_DIR, local_now
from geo.text import normalize_text
from geo.visit_rules import CONTROL_CHARACTERS

BCRYPT_ROUNDS = 12
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72
"""bcrypt reads no further (and the ``bcrypt`` library refuses longer passwords)."""
FREE_FAILURES = 3
"""Failures on one name before every attempt on it is slowed."""
ADDRESS_FREE_FAILURES = 10
"""Failures from one client address before every attempt from it is slowed."""
FIRST_DELAY = 0.5
MAX_DELAY = 4.0
FAILURE_MEMORY = timedelta(hours=1)
"""Failures are forgotten this long after the last one (on that name or address)."""
SESSION_DAYS = 7
COOKIE_KEY_FILE = DATA_DIR / ".cookie_key"
MIN_COOKIE_KEY_BYTES = 32
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
MAX_USERNAME_LENGTH = 50
SHOWN_NAME_LENGTH = 60
LOGIN_ENTITY = "logins"
SLEEP: Callable[[float], None] = time.sleep
"""How ``authenticate`` waits (tests put a recorder here, or pass ``sleep``)."""


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
    """Refuse passwords that are too short, or longer than bcrypt reads."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError("password_too_short", column="password", minimum=MIN_PASSWORD_LENGTH)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise DataError("password_too_long", column="password", maximum=MAX_PASSWORD_BYTES)


def validate_username(username: str) -> str:
    """Return the normalised username or refuse it."""
    name = normalize_text(username).lower()
    if not _could_be_username(name):
        raise DataError("bad_username", column="username")
    return name


def _could_be_username(name: str) -> bool:
    return bool(name) and set(name) <= USERNAME_CHARS and len(name) <= MAX_USERNAME_LENGTH


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
    return {k: v for k, v in row.items() if k != "password_hash"}


def validate_display_name(display_name: str) -> str:
    """A user's name as shown (text normal form); ``DataError`` on the ``display_name``
    field when it holds a control character or is longer than the column holds."""
    text = normalize_text(display_name)
    if re.search(CONTROL_CHARACTERS, text):
        raise DataError("control_character", column="display_name")
    limit = schema.users.c.display_name.type.length
    if limit is not None and len(text) > limit:
        raise DataError("too_long", column="display_name", limit=limit, value=text)
    return text


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
    shown_name = validate_display_name(display_name)
    exists = connection.execute(select(schema.users.c.username).where(
        schema.users.c.username == name)).first()
    if exists is not None:
        raise DataError("user_exists", column="username", name=name)
    row = {"username": name, "display_name": shown_name or name,
           "password_hash": hash_password(password), "role": role_value.value,
           "department_code": department_code, "active": True}
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


def reset_password(engine: Engine, actor: User, username: str, password: str,
                   now: datetime | None = None) -> None:
    """Set a new password (admin only); every session of the user ends (the admin's own
    too, when they reset their own password)."""
    require(actor, Action.MANAGE_USERS)
    validate_password(password)
    now = now or local_now()
    with engine.begin() as connection:
        _existing(connection, username)
        connection.execute(update(schema.users).where(schema.users.c.username == username)
                           .values(password_hash=hash_password(password)))
        _revoke_sessions(connection, username, now)
        write_audit(connection, actor, "reset_password", "users", username, None, None)


def deactivate_user(engine: Engine, actor: User, username: str,
                    now: datetime | None = None) -> None:
    """Deactivate a user (admin only); they can no longer log in, and every session of
    theirs ends."""
    require(actor, Action.MANAGE_USERS)
    if username == actor.username:
        raise DataError("deactivate_self")
    with engine.begin() as connection:
        before = _existing(connection, username)
        if not before["active"]:
            return
        connection.execute(update(schema.users).where(schema.users.c.username == username)
                           .values(active=False))
        _revoke_sessions(connection, username, now or local_now())
        write_audit(connection, actor, "deactivate", "users", username,
                    {"active": True}, {"active": False})


def list_users(engine: Engine, actor: User, now: datetime | None = None) -> pd.DataFrame:
    """Return every user without password hashes (admin only), with the failed logins on
    the name that are still remembered (``failed_logins``; they slow its logins)."""
    require(actor, Action.MANAGE_USERS)
    table, failures = schema.users, schema.login_failures
    recent = failures.c.last_failure_at >= (now or local_now()) - FAILURE_MEMORY
    counted = func.coalesce(case((recent, failures.c.failures), else_=0), 0)
    columns = [table.c.username, table.c.display_name, table.c.role, table.c.department_code,
               table.c.active, counted.label("failed_logins")]
    query = (select(*columns)
             .select_from(table.outerjoin(failures, failures.c.key == "name:" + table.c.username))
             .order_by(table.c.username))
    with engine.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt: the user, or None for every kind of failure."""

    user: User | None


def failure_delay(failures: int, free: int = FREE_FAILURES) -> float:
    """Seconds every attempt waits after ``failures`` remembered failures (0 below
    ``free``; then ``FIRST_DELAY``, doubling, at most ``MAX_DELAY``)."""
    if failures < free:
        return 0.0
    return min(FIRST_DELAY * 2 ** min(failures - free, 16), MAX_DELAY)


def shown_name(username: str) -> str:
    """The name a login typed, as the audit log keeps it: normalised and lower-cased (as
    a login reads it), every unprintable character written as ``\\uXXXX``, at most
    ``SHOWN_NAME_LENGTH`` characters (then ``…``)."""
    name = normalize_text(username).lower()
    text = "".join(c if c.isprintable() and c != "\\" else f"\\u{ord(c):04x}" for c in name)
    return text if len(text) <= SHOWN_NAME_LENGTH else text[:SHOWN_NAME_LENGTH] + "…"


@functools.cache
def _dummy_hash(rounds: int) -> str:
    """A real bcrypt hash of cost ``rounds`` that no password matches in practice: an
    unknown or inactive user's attempt costs what a real one does."""
    secret = secrets.token_hex(32).encode("ascii")
    return bcrypt.hashpw(secret, bcrypt.gensalt(rounds)).decode("ascii")


def dummy_hash() -> str:
    """The dummy hash at the current ``BCRYPT_ROUNDS`` (made once, then cached)."""
    return _dummy_hash(BCRYPT_ROUNDS)


def _name_key(shown: str) -> str:
    return f"name:{shown}"


def _address_key(address: str) -> str:
    return f"address:{address[:80]}"


def _remembered_failures(connection: Connection, key: str | None, now: datetime) -> int:
    if key is None:
        return 0
    table = schema.login_failures
    value = connection.execute(select(table.c.failures).where(
        table.c.key == key, table.c.last_failure_at >= now - FAILURE_MEMORY)).scalar()
    return int(value or 0)


def _count_failure(connection: Connection, key: str, now: datetime) -> int:
    """Add one failure to ``key`` (starting again after ``FAILURE_MEMORY``) in one
    statement, safe against concurrent attempts; return the remembered count."""
    table = schema.login_failures
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stale = table.c.last_failure_at < now - FAILURE_MEMORY
    statement = (dialect.insert(table).values(key=key, failures=1, last_failure_at=now)
                 .on_conflict_do_update(index_elements=[table.c.key], set_={
                     "failures": case((stale, 1), else_=table.c.failures + 1),
                     "last_failure_at": now})
                 .returning(table.c.failures))
    return int(connection.execute(statement).scalar_one())


def _login_actor(shown: str) -> User:
    # Who tried: the name as typed (write_audit reads only the username).
    return User(username=shown, role=Role.LEADER, display_name=shown)


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None,
                 address: str | None = None,
                 sleep: Callable[[float], None] | None = None) -> LoginResult:
    """Check a login; the right password of an active user always succeeds.

    Parameters
    ----------
    engine : Engine
        The database.
    username, password : str
        As typed. The name is normalised and lower-cased.
    now : datetime, optional
        The time of the attempt (default: now).
    address : str, optional
        The client's address, when the app knows it; failures are also counted per
        address.
    sleep : callable, optional
        Waits the delay (default ``SLEEP``, that is ``time.sleep``).

    Returns
    -------
    LoginResult
        The user, or ``LoginResult(None)`` alike for an unknown name, an inactive
        account and a wrong password, after the same work (see the module docstring).
    """
    now = now or local_now()
    shown = shown_name(username)
    name = normalize_text(username).lower()
    name_key = _name_key(shown)
    address_key = _address_key(address) if address else None
    users = schema.users
    with engine.connect() as connection:
        row = (connection.execute(select(users).where(users.c.username == name)).first()
               if _could_be_username(name) else None)
        delay = max(failure_delay(_remembered_failures(connection, name_key, now)),
                    failure_delay(_remembered_failures(connection, address_key, now),
                                  ADDRESS_FREE_FAILURES))
    if delay:
        (sleep or SLEEP)(delay)
    known = row is not None and row.active
    matches = check_password(password, row.password_hash if known else dummy_hash())
    with engine.begin() as connection:
        if known and matches:
            connection.execute(delete(schema.login_failures).where(
                schema.login_failures.c.key == name_key))
            return LoginResult(_user_from_row(row))
        _record_failure(connection, shown, name_key, address, address_key, now)
    return LoginResult(None)


def _record_failure(connection: Connection, shown: str, name_key: str, address: str | None,
                    address_key: str | None, now: datetime) -> None:
    """Count a failed login on its name and address; audit it, and each slowing-down
    that it starts."""
    connection.execute(delete(schema.login_failures).where(
        schema.login_failures.c.last_failure_at < now - FAILURE_MEMORY))
    actor = _login_actor(shown)
    on_name = _count_failure(connection, name_key, now)
    write_audit(connection, actor, "login_failed", LOGIN_ENTITY, address,
                None, {"failed_logins": on_name}, at=now)
    if on_name == FREE_FAILURES:
        write_audit(connection, actor, "login_slowed", LOGIN_ENTITY, address, None,
                    {"failed_logins": on_name, "delay_seconds": failure_delay(on_name)},
                    at=now)
    if address_key is not None:
        from_address = _count_failure(connection, address_key, now)
        if from_address == ADDRESS_FREE_FAILURES:
            write_audit(connection, actor, "login_slowed", LOGIN_ENTITY, address, None,
                        {"address_failures": from_address,
                         "delay_seconds": failure_delay(from_address,
                                                        ADDRESS_FREE_FAILURES)}, at=now)


# --- sessions ---------------------------------------------------------------------------


def _token_hash(token_id: str) -> str:
    return hashlib.sha256(token_id.encode("utf-8")).hexdigest()


def _sign(payload: bytes, key: str) -> str:
    digest = hmac.new(key.encode("utf-8"), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def issue_token(engine: Engine, user: User, key: str, now: datetime | None = None,
                days: int = SESSION_DAYS) -> str:
    """Start a session of ``user`` and return its token for the tab and the cookie: a
    random id, signed with ``key``; the session ends after ``days``, at logout, at a
    password reset or at a deactivation."""
    now = now or local_now()
    token_id = secrets.token_urlsafe(32)
    expires = now + timedelta(days=days)
    with engine.begin() as connection:
        sessions = schema.sessions
        connection.execute(delete(sessions).where(sessions.c.expires_at < now))
        connection.execute(insert(sessions).values(
            token_hash=_token_hash(token_id), username=user.username, created_at=now,
            expires_at=expires, revoked_at=None))
    body = json.dumps({"s": token_id, "exp": int(expires.timestamp())},
                      separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(body).decode("ascii").rstrip("=")
    return f"{encoded}.{_sign(encoded.encode('ascii'), key)}"


def _token_id(token: str, key: str, now: datetime) -> str | None:
    """The session id of a well-signed, unexpired token; None for anything else (any
    malformed cookie means "logged out", never an error page)."""
    try:
        encoded, signature = token.split(".", 1)
        expected = _sign(encoded.encode("ascii"), key).encode("ascii")
        if not hmac.compare_digest(signature.encode("utf-8"), expected):
            return None
        body = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        if not isinstance(body, dict) or float(body.get("exp", 0)) < now.timestamp():
            return None
    except (ValueError, TypeError, UnicodeError, OverflowError, AttributeError):
        return None
    token_id = body.get("s")
    return token_id if isinstance(token_id, str) and token_id else None


def verify_token(engine: Engine, token: str, key: str, now: datetime | None = None) -> User | None:
    """Return the user of a token whose session is live (not revoked, not expired) and
    whose account is active; None otherwise."""
    now = now or local_now()
    token_id = _token_id(token, key, now)
    if token_id is None:
        return None
    users, sessions = schema.users, schema.sessions
    with engine.connect() as connection:
        row = connection.execute(
            select(users).select_from(users.join(sessions,
                                                 sessions.c.username == users.c.username))
            .where(sessions.c.token_hash == _token_hash(token_id),
                   sessions.c.revoked_at.is_(None), sessions.c.expires_at > now,
                   users.c.active.is_(True))).first()
    return None if row is None else _user_from_row(row)


def revoke_token(engine: Engine, token: str, key: str, now: datetime | None = None) -> None:
    """End the session of ``token`` (logout); a malformed token ends nothing."""
    now = now or local_now()
    token_id = _token_id(token, key, now)
    if token_id is None:
        return
    sessions = schema.sessions
    with engine.begin() as connection:
        connection.execute(update(sessions).where(
            sessions.c.token_hash == _token_hash(token_id), sessions.c.revoked_at.is_(None))
            .values(revoked_at=now))


def _revoke_sessions(connection: Connection, username: str, now: datetime) -> None:
    sessions = schema.sessions
    connection.execute(update(sessions).where(
        sessions.c.username == username, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now))


def _stored_key(path: Path) -> str | None:
    """The key kept in ``path``, if it holds one long enough."""
    if not path.is_file():
        return None
    key = path.read_text(encoding="utf-8").strip()
    return key if len(key.encode("utf-8")) >= MIN_COOKIE_KEY_BYTES else None


def cookie_key(configured: str, path: Path = COOKIE_KEY_FILE) -> str:
    """Return the cookie signing key: the setting, or one generated and kept in ``path``.

    Several app processes on one machine share the generated key: a new key is written
    whole under a name of its own and then linked into place, which fails if another
    process got there first, and every process returns what ``path`` holds. (Opening
    ``path`` to write let two processes starting at once each keep a key of their own,
    and a login made through one was refused by the other.) Processes on different
    machines share no file: set ``PAIRMAP_COOKIE_KEY`` on all of them.
    """
    if configured:
        if len(configured.encode("utf-8")) < MIN_COOKIE_KEY_BYTES:
            raise ConfigError("cookie_key_too_short", minimum=MIN_COOKIE_KEY_BYTES)
        return configured
    stored = _stored_key(path)
    if stored is not None:
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    unusable = path.exists()  # an empty or too short key is replaced
    key = secrets.token_urlsafe(48)
    draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        if unusable:
            os.replace(draft, path)
        else:  # another process that wrote its key first keeps it: that one is used
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    stored = _stored_key(path)
    if stored is None:
        raise ConfigError("cookie_key_too_short", minimum=MIN_COOKIE_KEY_BYTES)
    return stored
