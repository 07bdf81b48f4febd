"""Accounts: hashing, user rules, login throttling, session tokens, the cookie key."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from geo import auth, schema
from geo.access import Role, User
from geo.audit import load_audit_log
from geo.errors import AccessDeniedError, ConfigError, DataError

ADMIN = User("boss", Role.ADMIN)
NOW = datetime(2026, 11, 28, 10, 0)


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def db_with_departments(engine: Engine) -> Engine:
    with engine.begin() as connection:
        connection.execute(schema.departments.insert(), [
            {"code": "XS001", "name": "县委办公室", "kind": "党政机关", "party_members": 10,
             "active": True},
            {"code": "XS002", "name": "县公安局", "kind": "政法", "party_members": 10,
             "active": True},
        ])
    return engine


def test_hashes_are_bcrypt_and_salted():
    first, second = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert first.startswith("$2b$") and first != second
    assert auth.check_password("correct horse", first)
    assert not auth.check_password("wrong horse", first)
    assert not auth.check_password("x", "not a hash")


def test_user_rules(db_with_departments: Engine):
    engine = db_with_departments
    liaison = auth.create_user(engine, ADMIN, "Li.Ming", "liaison", "XS001", "password1")
    assert liaison.username == "li.ming" and liaison.department_code == "XS001"
    with pytest.raises(DataError, match="department"):
        auth.create_user(engine, ADMIN, "nodept", "liaison", None, "password1")
    with pytest.raises(DataError, match="unknown department"):
        auth.create_user(engine, ADMIN, "baddept", "liaison", "XS999", "password1")
    with pytest.raises(DataError, match="already exists"):
        auth.create_user(engine, ADMIN, "li.ming", "leader", None, "password1")
    with pytest.raises(DataError, match="8 characters"):
        auth.create_user(engine, ADMIN, "shorty", "leader", None, "short")
    with pytest.raises(DataError, match="unknown role"):
        auth.create_user(engine, ADMIN, "who", "king", None, "password1")
    with pytest.raises(DataError, match="username"):
        auth.create_user(engine, ADMIN, "<script>", "leader", None, "password1")
    leader = auth.create_user(engine, ADMIN, "leader1", "leader", "XS001", "password1")
    assert leader.department_code is None  # only a liaison belongs to a department


@pytest.mark.parametrize("role", [Role.LEADER, Role.ORGANISER, Role.LIAISON])
def test_only_admin_manages_users(db_with_departments: Engine, role: Role):
    engine = db_with_departments
    auth.create_user(engine, ADMIN, "target", "leader", None, "password1")
    actor = User("someone", role, department_code="XS001")
    with pytest.raises(AccessDeniedError):
        auth.create_user(engine, actor, "new", "admin", None, "password1")
    with pytest.raises(AccessDeniedError):
        auth.reset_password(engine, actor, "target", "password2")
    with pytest.raises(AccessDeniedError):
        auth.deactivate_user(engine, actor, "target")
    with pytest.raises(AccessDeniedError):
        auth.list_users(engine, actor)


def test_first_admin_only_once(db_with_departments: Engine):
    engine = db_with_departments
    assert not auth.has_users(engine)
    admin = auth.create_first_admin(engine, "root", "password1", "管理员")
    assert admin.role == Role.ADMIN and auth.has_users(engine)
    with pytest.raises(DataError, match="already exists"):
        auth.create_first_admin(engine, "second", "password1")


def test_login_lockout_grows_and_ends(db_with_departments: Engine):
    engine = db_with_departments
    auth.create_user(engine, ADMIN, "alice", "leader", None, "password1")
    assert auth.authenticate(engine, "ALICE ", "password1", NOW).user.username == "alice"
    for attempt in range(1, auth.MAX_FAILED_LOGINS):
        result = auth.authenticate(engine, "alice", f"wrong{attempt}", NOW)
        assert result.user is None and result.locked_until is None
    locked = auth.authenticate(engine, "alice", "wrong", NOW)
    assert locked.locked_until == NOW + auth.FIRST_LOCK
    # Even the right password is refused while locked.
    assert auth.authenticate(engine, "alice", "password1", NOW).user is None
    later = NOW + auth.FIRST_LOCK + timedelta(seconds=1)
    again = auth.authenticate(engine, "alice", "wrong", later)
    assert again.locked_until == later + 2 * auth.FIRST_LOCK  # the lock doubles
    much_later = later + timedelta(hours=2)
    assert auth.authenticate(engine, "alice", "password1", much_later).user is not None
    # Success resets the count.
    assert auth.authenticate(engine, "alice", "wrong", much_later).locked_until is None


def test_reset_lifts_a_lockout_and_deactivation_stops_login(db_with_departments: Engine):
    engine = db_with_departments
    auth.create_user(engine, ADMIN, "bob", "leader", None, "password1")
    for _ in range(auth.MAX_FAILED_LOGINS):
        auth.authenticate(engine, "bob", "nope", NOW)
    auth.reset_password(engine, ADMIN, "bob", "password2")
    assert auth.authenticate(engine, "bob", "password2", NOW).user is not None
    auth.deactivate_user(engine, ADMIN, "bob")
    assert auth.authenticate(engine, "bob", "password2", NOW).user is None
    assert auth.get_user(engine, "bob") is None
    assert auth.authenticate(engine, "nobody", "password2", NOW).user is None


def test_session_tokens(db_with_departments: Engine):
    engine = db_with_departments
    key = "k" * 40
    user = auth.create_user(engine, ADMIN, "carol", "organiser", None, "password1")
    token = auth.issue_token(engine, user, key, NOW)
    assert auth.verify_token(engine, token, key, NOW).username == "carol"
    assert auth.verify_token(engine, token, "x" * 40, NOW) is None  # another key
    body, signature = token.split(".")
    assert auth.verify_token(engine, body + "." + signature[::-1], key, NOW) is None
    assert auth.verify_token(engine, "garbage", key, NOW) is None
    # Malformed cookies are "logged out", not an error: a non-ASCII signature (it raised
    # TypeError in compare_digest), a non-ASCII body, a signed body that is not a session.
    assert auth.verify_token(engine, body + ".签名", key, NOW) is None
    assert auth.verify_token(engine, "正文." + signature, key, NOW) is None
    for odd in ([1, 2], {"exp": "soon"}, {"exp": None}, "text"):
        encoded = base64.urlsafe_b64encode(json.dumps(odd).encode()).decode().rstrip("=")
        forged = encoded + "." + auth._sign(encoded.encode("ascii"), key)
        assert auth.verify_token(engine, forged, key, NOW) is None
    expired = NOW + timedelta(days=auth.SESSION_DAYS, seconds=1)
    assert auth.verify_token(engine, token, key, expired) is None
    auth.reset_password(engine, ADMIN, "carol", "password2")  # ends old sessions
    assert auth.verify_token(engine, token, key, NOW) is None
    fresh = auth.issue_token(engine, user, key, NOW)
    auth.deactivate_user(engine, ADMIN, "carol")
    assert auth.verify_token(engine, fresh, key, NOW) is None


def test_cookie_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="32 bytes"):
        auth.cookie_key("too short")
    assert auth.cookie_key("s" * 32) == "s" * 32
    path = tmp_path / "key"
    generated = auth.cookie_key("", path)
    assert len(generated) >= 32 and auth.cookie_key("", path) == generated
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_user_writes_are_audited_without_secrets(db_with_departments: Engine):
    engine = db_with_departments
    auth.create_user(engine, ADMIN, "dave", "liaison", "XS002", "password1")
    auth.reset_password(engine, ADMIN, "dave", "password2")
    auth.deactivate_user(engine, ADMIN, "dave")
    auth.deactivate_user(engine, ADMIN, "dave")  # no change: nothing logged
    log = load_audit_log(engine, ADMIN)
    assert log["action"].tolist() == ["deactivate", "reset_password", "create"]
    assert set(log["username"]) == {"boss"}
    text = json.dumps(log.astype(str).to_dict())
    assert "$2b$" not in text and "password1" not in text and "password2" not in text
    with engine.connect() as connection:
        stored = connection.execute(select(schema.users.c.password_hash)).scalar_one()
    assert stored.startswith("$2b$")
    with pytest.raises(AccessDeniedError):
        load_audit_log(engine, User("x", Role.LIAISON, department_code="XS002"))
    assert len(load_audit_log(engine, User("o", Role.ORGANISER), entity="users")) == 3
