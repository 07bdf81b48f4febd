"""Accounts: hashing, user rules, logins slowed but never locked, server-side sessions, the
cookie key."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from geo import auth, db, schema
from geo.access import Role, User
from geo.audit import describe_audit, load_audit_log
from geo.errors import AccessDeniedError, ConfigError, DataError
from geo.i18n import translate_error

ADMIN = User("boss", Role.ADMIN)
NOW = datetime(2026, 11, 28, 10, 0)


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(auth, "SLEEP", lambda seconds: None)  # a slowed login waits nothing


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
    with pytest.raises(DataError) as bell:
        auth.create_user(engine, ADMIN, "bell", "leader", None, "password1", "王\x07五")
    assert (bell.value.code, bell.value.column) == ("control_character", "display_name")
    with pytest.raises(DataError) as long_name:
        auth.create_user(engine, ADMIN, "long", "leader", None, "password1", "长" * 101)
    assert (long_name.value.code, long_name.value.params["limit"]) == ("too_long", 100)
    # the message shortens the value as every message does (geo.i18n.shown_value)
    assert translate_error(long_name.value, "zh", interface="form") == (
        f"“{'长' * 30}…（共 101 个字符）”超过 100 个字符")
    assert auth.create_user(engine, ADMIN, "full", "leader", None, "password1",
                            "长" * 100).display_name == "长" * 100


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


ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


class Recorder:
    """Records what ``authenticate`` waits and which hash costs it checks against."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.delays: list[float] = []
        self.costs: list[str] = []
        real = auth.check_password

        def checking(password: str, password_hash: str) -> bool:
            self.costs.append(password_hash[:7])
            return real(password, password_hash)

        monkeypatch.setattr(auth, "check_password", checking)
        monkeypatch.setattr(auth, "SLEEP", self.delays.append)

    def take(self) -> tuple[list[float], list[str]]:
        taken = (list(self.delays), list(self.costs))
        self.delays.clear()
        self.costs.clear()
        return taken


def test_the_right_password_opens_an_account_guessed_at_for_ever(
        db_with_departments: Engine, monkeypatch: pytest.MonkeyPatch):
    """One wrong guess each time a lock would have ended, 50 times: the owner still logs
    in, a second after the latest guess, from their own address and from the attacker's
    (a delay, never a block)."""
    engine = db_with_departments
    recorder = Recorder(monkeypatch)
    auth.create_user(engine, ADMIN, "root", "admin", None, "password1")
    at = NOW
    for attempt in range(50):
        at = NOW + attempt * timedelta(minutes=61)
        assert auth.authenticate(engine, "root", f"guess{attempt}", at, ATTACKER).user is None
    right = at + timedelta(seconds=1)
    assert auth.authenticate(engine, "root", "password1", right, OWNER).user.username == "root"
    for _ in range(30):  # a fast attacker: failures a second apart
        right += timedelta(seconds=1)
        assert auth.authenticate(engine, "root", "guess", right, ATTACKER).user is None
    assert auth.authenticate(engine, "root", "password1", right, OWNER).user is not None
    assert auth.authenticate(engine, "root", "password1", right, ATTACKER).user is not None
    assert auth.authenticate(engine, "ROOT ", "password1", right, None).user is not None
    assert max(recorder.delays) == auth.MAX_DELAY  # slowed, capped


def test_failures_slow_every_later_attempt_on_the_name_and_from_the_address(
        db_with_departments: Engine, monkeypatch: pytest.MonkeyPatch):
    engine = db_with_departments
    recorder = Recorder(monkeypatch)
    auth.create_user(engine, ADMIN, "alice", "leader", None, "password1")
    for minute in range(7):
        auth.authenticate(engine, "alice", "wrong", NOW + timedelta(minutes=minute))
    assert recorder.take()[0] == [0.5, 1.0, 2.0, 4.0]  # from the 4th attempt on, capped
    later = NOW + timedelta(minutes=7)
    assert auth.authenticate(engine, "alice", "password1", later).user is not None
    assert recorder.take()[0] == [4.0]  # the owner waits too, and is let in
    assert auth.authenticate(engine, "alice", "wrong", later).user is None
    assert recorder.take()[0] == []  # a success forgets the name's failures
    # An address guessing at many names is slowed on all of them, the others are not.
    for number in range(auth.ADDRESS_FREE_FAILURES):
        auth.authenticate(engine, f"name{number}", "wrong", later, ATTACKER)
    recorder.take()
    auth.authenticate(engine, "alice", "password1", later, ATTACKER)
    auth.authenticate(engine, "alice", "password1", later, OWNER)
    assert recorder.take()[0] == [0.5]
    # Failures are forgotten an hour after the last one.
    assert auth.authenticate(engine, "bob", "x", later + auth.FAILURE_MEMORY * 2,
                             ATTACKER).user is None
    assert recorder.take()[0] == []


def test_unknown_inactive_wrong_and_slowed_logins_look_the_same(
        db_with_departments: Engine, monkeypatch: pytest.MonkeyPatch):
    """The same result, the same waits and one bcrypt check of the same cost, whether
    the name exists, is inactive, or does not exist; nothing says "locked"."""
    engine = db_with_departments
    recorder = Recorder(monkeypatch)
    auth.create_user(engine, ADMIN, "alice", "leader", None, "password1")
    auth.create_user(engine, ADMIN, "gone", "leader", None, "password1")
    auth.deactivate_user(engine, ADMIN, "gone")
    seen = {}
    for name in ("alice", "gone", "nobody", "ad<b>min\x00"):
        results = [auth.authenticate(engine, name, "wrong", NOW + timedelta(minutes=m))
                   for m in range(8)]
        seen[name] = (results, *recorder.take())
    expected_cost = f"$2b${auth.BCRYPT_ROUNDS:02d}$"
    for results, delays, costs in seen.values():
        assert results == [auth.LoginResult(None)] * 8
        assert costs == [expected_cost] * 8
        assert delays == seen["alice"][1]
    assert auth.authenticate(engine, "gone", "password1", NOW).user is None


def test_the_dummy_hash_costs_what_a_real_hash_costs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 12)
    assert auth.dummy_hash().startswith("$2b$12$")
    assert auth.dummy_hash() is auth.dummy_hash()  # made once
    assert auth.hash_password("x" * 8)[:7] == auth.dummy_hash()[:7]
    assert not auth.check_password("", auth.dummy_hash())


def test_failed_logins_and_slowdowns_are_audited_without_passwords(
        db_with_departments: Engine):
    engine = db_with_departments
    auth.create_user(engine, ADMIN, "alice", "leader", None, "password1")
    for minute in range(auth.FREE_FAILURES):
        auth.authenticate(engine, "Alice", f"secret-guess-{minute}",
                          NOW + timedelta(minutes=minute), ATTACKER)
    auth.authenticate(engine, "alice", "password1", NOW + timedelta(minutes=5), OWNER)
    auth.authenticate(engine, "![x](http://e/a.png)\x00\n", "secret-guess", NOW)
    for number in range(auth.ADDRESS_FREE_FAILURES):
        auth.authenticate(engine, f"n{number}", "secret-guess", NOW, ATTACKER)
    log = load_audit_log(engine, ADMIN, entity="logins").sort_values("id")
    failed = log[log["action"] == "login_failed"]
    slowed = log[log["action"] == "login_slowed"]
    assert len(failed) == auth.FREE_FAILURES + 1 + auth.ADDRESS_FREE_FAILURES
    assert failed["username"].tolist()[:4] == ["alice"] * 3 + ["![x](http://e/a.png)\\u0000"]
    assert failed["entity_key"].fillna("—").tolist()[:4] == [ATTACKER] * 3 + ["—"]
    assert [json.loads(a) for a in failed["after"]][:3] == [
        {"failed_logins": 1}, {"failed_logins": 2}, {"failed_logins": 3}]
    assert [json.loads(a) for a in slowed["after"]] == [  # alice's 3rd; the address's 10th
        {"failed_logins": 3, "delay_seconds": 0.5},
        {"address_failures": auth.ADDRESS_FREE_FAILURES, "delay_seconds": 0.5}]
    assert slowed["entity_key"].tolist() == [ATTACKER, ATTACKER]
    assert "secret-guess" not in json.dumps(log.astype(str).to_dict())
    described = describe_audit(log, "zh")
    assert set(described["action"]) == {"登录失败", "登录放慢"}
    assert set(described["entity"]) == {"登录"}
    assert "该用户名近期失败次数：3" in described["changes"].tolist()


def test_concurrent_failures_are_all_counted(db_with_departments: Engine):
    engine = db_with_departments
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda n: auth.authenticate(engine, "target", f"w{n}", NOW), range(12)))
    with engine.connect() as connection:
        counted = connection.execute(select(schema.login_failures.c.failures).where(
            schema.login_failures.c.key == "name:target")).scalar_one()
    assert counted == 12


def test_user_list_shows_recent_failures(db_with_departments: Engine):
    engine = db_with_departments
    auth.create_user(engine, ADMIN, "alice", "leader", None, "password1")
    auth.create_user(engine, ADMIN, "bob", "leader", None, "password1")
    auth.authenticate(engine, "alice", "wrong", NOW)
    auth.authenticate(engine, "alice", "wrong", NOW)
    users = auth.list_users(engine, ADMIN, NOW).set_index("username")
    assert users["failed_logins"].to_dict() == {"alice": 2, "bob": 0}
    assert "password_hash" not in users and "locked_until" not in users
    later = auth.list_users(engine, ADMIN, NOW + 2 * auth.FAILURE_MEMORY)
    assert later["failed_logins"].tolist() == [0, 0]


def test_deactivation_stops_login(db_with_departments: Engine):
    engine = db_with_departments
    auth.create_user(engine, ADMIN, "bob", "leader", None, "password1")
    auth.reset_password(engine, ADMIN, "bob", "password2")
    assert auth.authenticate(engine, "bob", "password1", NOW).user is None
    assert auth.authenticate(engine, "bob", "password2", NOW).user is not None
    auth.deactivate_user(engine, ADMIN, "bob")
    assert auth.authenticate(engine, "bob", "password2", NOW).user is None
    assert auth.get_user(engine, "bob") is None
    assert auth.authenticate(engine, "nobody", "password2", NOW).user is None


def test_passwords_longer_than_bcrypt_reads_are_refused(db_with_departments: Engine):
    with pytest.raises(DataError, match="72 bytes"):
        auth.create_user(db_with_departments, ADMIN, "long", "leader", None, "密码" * 13)
    assert auth.authenticate(db_with_departments, "long", "x" * 100, NOW).user is None


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
    for odd in ([1, 2], {"exp": "soon"}, {"exp": None}, "text", {"exp": 2**40, "s": 5},
                {"exp": 2**40, "s": "not-a-session"}):
        encoded = base64.urlsafe_b64encode(json.dumps(odd).encode()).decode().rstrip("=")
        forged = encoded + "." + auth._sign(encoded.encode("ascii"), key)
        assert auth.verify_token(engine, forged, key, NOW) is None
        auth.revoke_token(engine, forged, key, NOW)  # ends nothing, raises nothing
    expired = NOW + timedelta(days=auth.SESSION_DAYS, seconds=1)
    assert auth.verify_token(engine, token, key, expired) is None


def test_logout_ends_the_session_and_a_copy_of_its_cookie(db_with_departments: Engine):
    engine = db_with_departments
    key = "k" * 40
    user = auth.create_user(engine, ADMIN, "carol", "organiser", None, "password1")
    token = auth.issue_token(engine, user, key, NOW)
    other_tab = auth.issue_token(engine, user, key, NOW)
    auth.revoke_token(engine, token, key, NOW + timedelta(minutes=1))
    assert auth.verify_token(engine, token, key, NOW + timedelta(minutes=2)) is None
    assert auth.verify_token(engine, other_tab, key, NOW + timedelta(minutes=2)) is not None
    with engine.connect() as connection:
        stored = connection.execute(select(schema.sessions)).fetchall()
    assert len(stored) == 2 and all(len(row.token_hash) == 64 for row in stored)
    assert not any(row.token_hash in token for row in stored)  # only the id's hash is kept


def test_a_reset_or_a_deactivation_ends_every_session_of_the_user(
        db_with_departments: Engine):
    engine = db_with_departments
    key = "k" * 40
    carol = auth.create_user(engine, ADMIN, "carol", "organiser", None, "password1")
    dave = auth.create_user(engine, ADMIN, "dave", "organiser", None, "password1")
    tokens = [auth.issue_token(engine, carol, key, NOW) for _ in range(3)]
    bystander = auth.issue_token(engine, dave, key, NOW)
    auth.reset_password(engine, ADMIN, "carol", "password2")
    assert [auth.verify_token(engine, t, key, NOW) for t in tokens] == [None] * 3
    assert auth.verify_token(engine, bystander, key, NOW).username == "dave"
    fresh = [auth.issue_token(engine, carol, key, NOW) for _ in range(2)]
    auth.deactivate_user(engine, ADMIN, "carol")
    assert [auth.verify_token(engine, t, key, NOW) for t in fresh] == [None] * 2
    assert auth.verify_token(engine, bystander, key, NOW) is not None


def test_cookie_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="32 bytes"):
        auth.cookie_key("too short")
    assert auth.cookie_key("s" * 32) == "s" * 32
    path = tmp_path / "key"
    generated = auth.cookie_key("", path)
    assert len(generated) >= 32 and auth.cookie_key("", path) == generated
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_key_another_process_wrote_first_is_the_one_used(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    """Two app processes start at once with no key file: the one that writes second uses
    the first one's key (a login through one is then accepted by the other)."""
    path = tmp_path / "key"
    first = "f" * 64
    made = secrets.token_urlsafe

    def made_while_another_process_writes(size: int) -> str:
        if not path.exists():
            path.write_text(first + "\n", encoding="utf-8")  # the other process, meanwhile
        return made(size)

    monkeypatch.setattr(auth.secrets, "token_urlsafe", made_while_another_process_writes)
    assert auth.cookie_key("", path) == first
    assert path.read_text(encoding="utf-8").strip() == first
    assert [p.name for p in tmp_path.iterdir()] == ["key"]  # no draft left behind


def test_a_too_short_key_file_is_replaced(tmp_path: Path):
    path = tmp_path / "key"
    path.write_text("short\n", encoding="utf-8")
    generated = auth.cookie_key("", path)
    assert len(generated) >= 32 and path.read_text(encoding="utf-8").strip() == generated
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


@pytest.fixture(params=["sqlite", "postgres"])
def engine_at_0002(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty database migrated to revision 0002 only (the lockout columns)."""
    engine = db.make_engine(request.getfixturevalue(f"{request.param}_url"))
    db.upgrade(engine, "0002")
    yield engine
    engine.dispose()


def test_a_database_at_0002_with_a_locked_user_upgrades(engine_at_0002: Engine):
    """Revision 0004 drops the lockout columns and adds sessions: the users of an older
    database keep their passwords, and a lock running at the upgrade simply ends."""
    engine = engine_at_0002
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (username, display_name, password_hash, role, active, "
            "failed_logins, locked_until) VALUES ('old', '老用户', :hash, 'admin', :yes, 9, "
            ":until)"), {"hash": auth.hash_password("password1"), "yes": True,
                         "until": NOW + timedelta(hours=1)})
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()  # 0004 and later
    columns = {c["name"] for c in inspect(engine).get_columns("users")}
    assert "failed_logins" not in columns and "locked_until" not in columns
    user = auth.authenticate(engine, "old", "password1", NOW).user
    assert user is not None and user.display_name == "老用户"
    token = auth.issue_token(engine, user, "k" * 40, NOW)
    assert auth.verify_token(engine, token, "k" * 40, NOW).username == "old"
