"""Every page under Streamlit's AppTest, for every role: it opens, or it refuses."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy.exc import OperationalError
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from geo import auth, db, reports
from geo.access import Role, User
from geo.errors import AccessDeniedError, DataError, PairMapError
from geo.i18n import translate, translate_error
from tests.conftest import ROOT
from tests.offline_checks import remote_asset_links
from ui.session import PAGES, SESSION_TOKEN, allowed_pages

ADMIN = User("cli:test", Role.ADMIN)
COOKIE_KEY = "test-cookie-key-" + "k" * 32
USERS = {"leader": ("leader", None), "organiser": ("organiser", None),
         "liaison": ("liaison", "XS001"), "admin": ("admin", None)}
CJK = re.compile(r"[\u3400-\u9fff]")

# The navigation of each role, in order, written from DESIGN.md's role table: maps,
# coverage, neglected villages, departments, the pairings (changed by organiser and admin
# only) and the data page (templates, exports) for everyone; the pairing planner for
# organiser and admin; the briefing for everyone; recording visits for organiser, liaison
# and admin; visit records for everyone (a liaison's own department); the problem ledger
# for everyone (a liaison's own and joint problems); the audit log for
# organiser and admin; users for admin.
NAVIGATION = {
    "leader": ["overview", "coverage_map", "neglected", "departments", "pairings",
               "briefing", "visit_records", "problems", "data"],
    "organiser": ["overview", "coverage_map", "neglected", "departments", "pairings",
                  "planner", "briefing", "record_visits", "visit_records", "problems", "data",
                  "audit_log"],
    "liaison": ["overview", "coverage_map", "neglected", "departments", "pairings",
                "briefing", "record_visits", "visit_records", "problems", "data"],
    "admin": ["overview", "coverage_map", "neglected", "departments", "pairings", "planner",
              "briefing", "record_visits", "visit_records", "problems", "data", "audit_log",
              "administration"],
}
TITLES = {"overview": "总览", "coverage_map": "覆盖地图", "neglected": "薄弱环节：待关注村",
          "departments": "单位工作", "pairings": "结对关系", "planner": "结对规划",
          "briefing": "会议简报", "record_visits": "录入走访", "visit_records": "走访记录",
          "data": "数据导入导出", "audit_log": "审计日志", "administration": "系统管理",
          "problems": "诉求台账"}
LOGIN_PAGE = "登录"


class _ServerPagesManager(PagesManager):
    """Page registry as in a running server, where ``app.py``'s ``st.navigation`` has
    turned Streamlit's own ``pages/``-directory navigation off for the process. AppTest
    turns it back on before every run, and would then open ``pages/<url path>.py``
    without ``app.py`` (its navigation, login routing and page guard)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _navigation_as_in_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test, "PagesManager", _ServerPagesManager)


def _clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_db(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(auth, "SLEEP", lambda seconds: None)  # a slowed login waits nothing
    engine = db.make_engine(f"sqlite:///{demo_copy}")
    for name, (role, department) in USERS.items():
        auth.create_user(engine, ADMIN, name, role, department, "password1")
    engine.dispose()
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{demo_copy}")
    monkeypatch.setenv("PAIRMAP_COOKIE_KEY", COOKIE_KEY)
    _clear_caches()
    yield demo_copy
    _clear_caches()


def _session(username: str) -> str:
    """A logged-in session of ``username`` (its token, as a login leaves it in the tab)."""
    engine = db.make_engine(os.environ["PAIRMAP_DATABASE_URL"])
    try:
        user = auth.get_user(engine, username)
        assert user is not None, username
        return auth.issue_token(engine, user, COOKIE_KEY)
    finally:
        engine.dispose()


def _run(script: str = "app.py", user: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=120)
    if user is not None:
        at.session_state[SESSION_TOKEN] = _session(user)
    at.run()
    return at


def _logged_in_as(at: AppTest) -> str | None:
    """The user of the session's token, checked as the app checks it."""
    if SESSION_TOKEN not in at.session_state:
        return None
    engine = db.make_engine(os.environ["PAIRMAP_DATABASE_URL"])
    try:
        user = auth.verify_token(engine, at.session_state[SESSION_TOKEN], COOKIE_KEY)
    finally:
        engine.dispose()
    return None if user is None else user.username


def rendered(source: str) -> str:
    """The text CommonMark shows for ``source`` when it holds no markup: escaped
    punctuation as itself. Markup (emphasis, links, images, HTML) must not remain."""
    assert not re.search(r"(?<!\\)(\*\*|!\[|\]\(|<[a-z/]|`)", source), source
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source).replace("\u2060", "")


_HIDDEN: list[set[str]] = [set()]
"""The file pages the last ``st.navigation`` call kept out of the menu (by name)."""


@pytest.fixture(autouse=True)
def _record_hidden_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest's page registry holds every page ``st.navigation`` was given, shown in
    the menu or not; record which were hidden (``visibility="hidden"``)."""
    real = st.navigation
    stems = {spec.url_path: Path(spec.path).stem for spec in PAGES}

    def recording(pages, *args, **kwargs):
        flat = pages if isinstance(pages, list) else [p for ps in pages.values() for p in ps]
        _HIDDEN[0] = {stems.get(p.url_path, p.url_path) for p in flat
                      if p._visibility == "hidden"}
        return real(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)


def _navigation(at: AppTest, menu: bool = True) -> list[str]:
    """The pages ``st.navigation`` held on the last run, in order: a file page by its
    name, the (callable) login page by its title; with ``menu``, only those the menu
    shows. AppTest keeps them in the registry that its ``switch_page`` reads."""
    pages = [Path(info["script_path"]).stem if info.get("script_path") else info["page_name"]
             for info in at._registered_pages.values()]
    return [page for page in pages if not (menu and page in _HIDDEN[0])]


BANNER_START = translate("banner.overdue", "zh", count="", villages="").split(" ")[0]
"""How the liaison's banner of its department's overdue problems begins (本单位有): it
stands on every page of a liaison whose department has one, whatever the page says."""


def page_warnings(at: AppTest) -> list[str]:
    """The page's own warnings: all but a liaison's banner of overdue problems."""
    return [w.value for w in at.warning if not w.value.startswith(BANNER_START)]


def _components(at: AppTest) -> list:
    return [e for e in at.main if getattr(e, "type", "") == "component_instance"]


def _maps(at: AppTest) -> list:
    return [e for e in _components(at) if "leaflet" in e.proto.json_args]


@pytest.mark.parametrize("role", list(USERS))
def test_every_page_opens_or_refuses_for_every_role(app_db: Path, role: str):
    """Each page of the role's navigation opens through it, with its title and as-of
    caption; every other page is not in the menu, and opened anyway (at its address, as
    a bookmark does, or on its own) says it is refused and shows nothing."""
    at = _run(user=role)
    assert _navigation(at) == NAVIGATION[role]
    for page in sorted(TITLES):
        path = f"app_pages/{page}.py"
        if page in NAVIGATION[role]:
            at.switch_page(path).run()
            assert not at.exception, (page, [e.value for e in at.exception])
            assert _navigation(at) == NAVIGATION[role], page  # it ran through app.py
            assert not page_warnings(at) and not at.error, (
                page, page_warnings(at), [e.value for e in at.error])
            assert [h.value for h in at.title] == [TITLES[page]]
            assert at.caption[0].value.startswith("截至 "), page
        else:
            at.switch_page(path).run()
            assert not at.exception, (page, [e.value for e in at.exception])
            assert _navigation(at) == NAVIGATION[role], page
            assert [w.value for w in at.warning] == ["您的角色无权查看此页面。"], page
            assert not at.title and not at.dataframe and not at.metric, page
            assert not _components(at), page
            alone = _run(path, user=role)
            assert not alone.exception, [e.value for e in alone.exception]
            assert [w.value for w in alone.warning] == ["您的角色无权查看此页面。"]
            assert not alone.title and not alone.dataframe and not alone.metric
            assert not _components(alone)


def test_no_page_changes_the_coverage_every_session_shares(app_db: Path):
    """``ui.loaders.load_coverage`` hands every session the same object (not a copy):
    after every page has run, what it holds equals a fresh computation."""
    from geo.overview import build_overview
    from geo.period import Period
    from geo.settings import Settings, local_today
    from ui import loaders

    at = _run(user="admin")
    for page in NAVIGATION["admin"]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
    settings = Settings.from_env()
    period = Period(local_today(), settings.window_days)
    shared = loaders.load_coverage(ADMIN, period)
    assert loaders.load_coverage(ADMIN, period) is shared  # the one the pages were given
    engine = db.make_engine(os.environ["PAIRMAP_DATABASE_URL"])
    inputs = reports.load_coverage_inputs(engine, ADMIN, period, settings.neglect_days)
    fresh = build_overview(inputs, shared.departments)
    pd.testing.assert_frame_equal(shared.status, fresh.status)
    assert shared.overview.kpis == fresh.kpis and shared.overview.previous == fresh.previous
    for name in ("villages", "pairings", "visits", "problems"):
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(shared.inputs, name)),
                                      pd.DataFrame(getattr(inputs, name)), obj=name)


@pytest.mark.parametrize("role", list(USERS))
def test_navigation_lists_exactly_the_allowed_pages(role: str):
    user = User(role, Role(USERS[role][0]), department_code=USERS[role][1])
    assert [Path(spec.path).stem for spec in allowed_pages(user)] == NAVIGATION[role]


@pytest.mark.parametrize("role", list(USERS))
def test_the_app_opens_for_every_role(app_db: Path, role: str):
    at = _run(user=role)
    assert not at.exception and not at.error
    assert any(m.label == "已结对村" for m in at.metric)
    assert any(b.label == "退出登录" for b in at.sidebar.button)


def test_nobody_sees_data_without_logging_in(app_db: Path):
    at = _run()
    assert not at.exception
    # The login page alone (it also answers at every page's address, with no menu).
    assert set(_navigation(at)) == {LOGIN_PAGE}
    assert [b.label for b in at.button] == ["登录"]
    assert not at.sidebar.button  # no logout button, no menu
    assert not at.metric and not at.dataframe and not _components(at)
    for page in TITLES:
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(f"app_pages/{page}.py")
    for spec in PAGES:
        page = _run(spec.path)
        assert not page.dataframe and not page.metric and not _components(page)
        assert [w.value for w in page.warning] == ["请先登录。"]


def test_login_form_logs_in_and_refuses_a_wrong_password(app_db: Path):
    at = _run()
    at.text_input(key="login_username").input("organiser")
    at.text_input(key="login_password").input("wrong-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["用户名或密码不正确。"]
    assert not at.metric
    at.text_input(key="login_username").input("organiser")
    at.text_input(key="login_password").input("password1")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert _logged_in_as(at) == "organiser"
    assert _navigation(at) == NAVIGATION["organiser"]
    assert [h.value for h in at.title] == ["总览"]  # logging in shows the overview
    assert any(m.label == "已结对村" for m in at.metric)


def test_logging_out_returns_to_the_login_page(app_db: Path):
    at = _run(user="organiser")
    at.switch_page("app_pages/visit_records.py").run()
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert SESSION_TOKEN not in at.session_state
    assert set(_navigation(at)) == {LOGIN_PAGE}
    assert [b.label for b in at.button] == ["登录"]
    assert not at.title[1:] and not at.dataframe and not at.metric
    at.run()  # a later run of the same session stays logged out
    assert [b.label for b in at.button] == ["登录"] and not at.exception


def _on_the_login_page(at: AppTest) -> bool:
    return (set(_navigation(at)) == {LOGIN_PAGE} and [b.label for b in at.button] == ["登录"]
            and not at.metric and not at.dataframe and not at.sidebar.button)


def test_logging_out_ends_the_session_on_the_server(app_db: Path):
    """A copy of the cookie taken before the logout (the same token) is refused."""
    at = _run()
    at.text_input(key="login_username").input("organiser")
    at.text_input(key="login_password").input("password1")
    at.button[0].click().run()
    token = at.session_state[SESSION_TOKEN]
    assert _logged_in_as(at) == "organiser"
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert _on_the_login_page(at)
    engine = db.make_engine(os.environ["PAIRMAP_DATABASE_URL"])
    assert auth.verify_token(engine, token, COOKIE_KEY) is None
    engine.dispose()
    copied = _run()  # another tab holding the copied token
    copied.session_state[SESSION_TOKEN] = token
    copied.run()
    assert _on_the_login_page(copied)


@pytest.mark.parametrize("change", ["reset", "deactivate"])
def test_a_reset_or_a_deactivation_ends_the_live_tab(app_db: Path, change: str):
    at = _run(user="organiser")
    at.switch_page("app_pages/visit_records.py").run()
    assert not at.exception and at.dataframe
    engine = db.make_engine(os.environ["PAIRMAP_DATABASE_URL"])  # another connection
    if change == "reset":
        auth.reset_password(engine, ADMIN, "organiser", "password2")
    else:
        auth.deactivate_user(engine, ADMIN, "organiser")
    engine.dispose()
    at.run()  # the tab's next run, without a reload
    assert not at.exception, [e.value for e in at.exception]
    assert _on_the_login_page(at)
    at.run()
    assert _on_the_login_page(at)


def test_every_failed_login_gets_the_same_message(app_db: Path):
    """An unknown name, a wrong password, and a name slowed by many failures: one
    message, never "locked"; the right password still opens the account."""
    at = _run()
    seen = []
    for name, password in [("nobody", "password1")] * 3 + [("organiser", "wrong")] * 7:
        at.text_input(key="login_username").input(name)
        at.text_input(key="login_password").input(password)
        at.button[0].click().run()
        seen.append([e.value for e in at.error])
    assert seen == [["用户名或密码不正确。"]] * 10
    at.text_input(key="login_username").input("organiser")
    at.text_input(key="login_password").input("password1")
    at.button[0].click().run()
    assert not at.error and _logged_in_as(at) == "organiser"


PAYLOAD_DISPLAY_NAME = "![x](http://example.com/a.png)"
PAYLOAD_VILLAGE = "**bold** <img src=http://example.com/b.png> _i_"


def test_names_show_as_plain_text(app_db: Path):
    """Markdown in a display name and in a village name shows as typed: no image from
    another origin, no bold (the sidebar caption; the village card's title)."""
    at = _run("app_pages/neglected.py", user="leader")
    first = next(d for d in at.dataframe if d.key == "neglected_severe").value.iloc[0]
    with sqlite3.connect(app_db) as connection:
        connection.execute("UPDATE users SET display_name = ? WHERE username = 'leader'",
                           (PAYLOAD_DISPLAY_NAME,))
        changed = connection.execute(
            "UPDATE admin_units SET short_name = ? WHERE short_name = ? AND level = 'village'",
            (PAYLOAD_VILLAGE, first["village"])).rowcount
    assert changed == 1
    _clear_caches()
    at = _run(user="leader")
    at.switch_page("app_pages/neglected.py").run()
    captions = [c.value for c in at.sidebar.caption]
    assert [rendered(c) for c in captions] == [f"{PAYLOAD_DISPLAY_NAME}（县领导）"]
    at.session_state["neglected_severe"] = {"selection": {"rows": [0], "columns": [],
                                                          "cells": []}}
    at.run()
    assert not at.exception and not at.error
    titles = [rendered(h.value) for h in at.subheader if "（" in h.value]
    assert titles == [f"{PAYLOAD_VILLAGE}（{first['township']}）"]


def test_first_start_asks_for_the_administrator(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv("PAIRMAP_COOKIE_KEY", COOKIE_KEY)
    _clear_caches()
    at = _run()
    assert not at.exception
    assert set(_navigation(at)) == {LOGIN_PAGE}
    assert at.subheader[0].value == "首次启动：创建系统管理员"
    assert not at.metric  # the sample county loaded, but nothing is shown yet
    at.text_input(key="setup_username").input("chief")
    at.text_input(key="setup_password").input("password1")
    at.text_input(key="setup_again").input("password1")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _logged_in_as(at) == "chief"
    assert _navigation(at) == NAVIGATION["admin"]
    assert next(m for m in at.metric if m.label == "已结对村").value.endswith("/ 96")
    _clear_caches()


def test_overview_shows_kpis_and_an_offline_map(app_db: Path):
    at = _run(user="leader")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[0] == "已结对村" and "从未走访" in labels
    assert next(m for m in at.metric if m.label == "已结对村").value.endswith("/ 96")
    maps = _maps(at)
    assert len(maps) == 1
    args = json.loads(maps[0].proto.json_args)
    links = args["js_links"] + args["css_links"]
    assert links and all(link.startswith("/app/static/") for link in links), links
    assert remote_asset_links(args["script"]) == []
    assert args["returned_objects"] == []  # panning and zooming do not rerun the page
    assert any("示意边界" in c.value for c in at.caption)


def test_liaison_sees_only_their_department_on_the_visits_page(app_db: Path):
    at = _run("app_pages/visit_records.py", user="liaison")
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["department"]) == {"县委办公室"}  # XS001
    assert "department_code" not in table.columns  # hidden, so not sent to the browser
    organiser = _run("app_pages/visit_records.py", user="organiser")
    assert organiser.dataframe[0].value["department"].nunique() > 1


def test_admin_adds_a_user_on_the_administration_page(app_db: Path):
    at = _run("app_pages/administration.py", user="admin")
    assert not at.exception
    at.text_input(key="add_username").input("newbie")
    at.selectbox(key="add_role").set_value("leader")
    at.text_input(key="add_password").input("password9")
    next(b for b in at.button if b.label == "添加").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "newbie" in at.dataframe[0].value["username"].tolist()
    assert [s.value for s in at.success] == ["已添加用户 newbie。"]
    # Added: the typed fields start empty for the next user.
    assert at.text_input(key="add_username").value == ""
    assert at.text_input(key="add_password").value == ""
    log = _run("app_pages/audit_log.py", user="organiser").dataframe[0].value
    assert ((log["entity_key"] == "newbie") & (log["username"] == "admin")).any()


def test_a_form_error_is_translated_beside_the_form(app_db: Path):
    """An invalid entry on the administration page: one Chinese sentence beside the form,
    no traceback, and the rest of the page stays."""
    engine = db.make_engine(f"sqlite:///{app_db}")
    with pytest.raises(DataError) as raised:
        auth.create_user(engine, ADMIN, "newbie", "leader", None, "short")
    engine.dispose()
    expected = translate_error(raised.value, "zh")
    assert CJK.search(expected) and "8" in expected  # the minimum length, in Chinese
    at = _run(user="admin")
    at.switch_page("app_pages/administration.py").run()
    at.text_input(key="add_username").input("newbie")
    at.selectbox(key="add_role").set_value("leader")
    at.text_input(key="add_password").input("short")
    next(b for b in at.button if b.label == "添加").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [expected]
    assert not at.success and not at.warning
    assert "全部用户" in [h.value for h in at.subheader]
    assert "newbie" not in at.dataframe[0].value["username"].tolist()
    # Refused: what was typed stays, to be corrected.
    assert at.text_input(key="add_username").value == "newbie"
    assert at.selectbox(key="add_role").value == "leader"


DATABASE_MESSAGE = "数据库暂时无法读写，请稍后再试；如仍不行，请联系系统管理员。"


@pytest.mark.parametrize(
    ("error", "shown_as", "expected"),
    [(DataError("bad_data", file="村.csv", row=3), "error", "第 3 行"),
     (AccessDeniedError(), "warning", "无权"),
     (OperationalError("SELECT 1", {}, Exception("disk I/O error")), "error",
      DATABASE_MESSAGE),
     (OSError("No space left on device"), "error", DATABASE_MESSAGE)],
    ids=["data", "refused", "database", "os"])
def test_the_page_guard_shows_one_calm_message(app_db: Path, monkeypatch: pytest.MonkeyPatch,
                                               error: Exception, shown_as: str,
                                               expected: str):
    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(reports, "load_coverage_inputs", fail)
    at = _run(user="leader")
    assert not at.exception  # no traceback
    shown = [e.value for e in getattr(at, shown_as)]
    other = at.warning if shown_as == "error" else at.error
    assert len(shown) == 1 and not other, (shown, other)
    assert expected in shown[0] and CJK.search(shown[0])
    if isinstance(error, PairMapError):
        assert rendered(shown[0]) == translate_error(error, "zh")
    else:
        assert shown[0] == DATABASE_MESSAGE  # nothing of the exception's own text
    assert [h.value for h in at.title] == ["总览"]  # what came before the failure stays
    assert not at.metric and not _components(at)


def test_bad_settings_give_a_calm_message(app_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_WINDOW_DAYS", "ninety")
    _clear_caches()
    at = _run(user="admin")
    assert not at.exception
    assert at.error and "PAIRMAP_WINDOW_DAYS" in rendered(at.error[0].value)
    assert CJK.search(at.error[0].value)  # translated, not geo's English sentence


def test_an_unusable_database_gives_a_calm_message(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", "nonsense://nowhere")
    _clear_caches()
    at = _run()
    assert not at.exception
    assert at.error and "PAIRMAP_DATABASE_URL" in rendered(at.error[0].value)
    assert CJK.search(at.error[0].value)
    _clear_caches()


def test_every_page_file_is_in_some_navigation():
    files = sorted(path.stem for path in (ROOT / "app_pages").glob("*.py"))
    assert sorted(Path(spec.path).stem for spec in PAGES) == files
    assert sorted(set().union(*NAVIGATION.values())) == files == sorted(TITLES)


@pytest.mark.parametrize("layer", ["pairing", "days", "visits_per_1000", "need"])
def test_coverage_map_draws_every_layer_and_zooms_to_a_township(app_db: Path, layer: str):
    at = _run("app_pages/coverage_map.py", user="leader")
    assert not at.exception
    at.radio(key="coverage_layer").set_value(layer)
    at.selectbox(key="coverage_township").set_value("420526103")
    at.run()
    assert not at.exception and not at.error
    args = json.loads(_maps(at)[0].proto.json_args)
    assert args["returned_objects"] == ["last_active_drawing"]  # a click opens the card
    assert remote_asset_links(args["script"]) == []
    assert "fitBounds" in args["script"]


def test_neglected_page_agrees_with_the_report(app_db: Path):
    from datetime import date

    from geo import reports, store
    from geo.period import Period
    from geo.settings import local_today

    at = _run("app_pages/neglected.py", user="liaison")
    assert not at.exception
    # Two sections, 严重 (severe) first, then 一般: together the report's order.
    codes = [code for frame in at.dataframe for code in frame.value["code"]]
    engine = db.make_engine(f"sqlite:///{app_db}")
    inputs = reports.load_coverage_inputs(engine, ADMIN, Period(local_today(), 90), 90)
    report = reports.coverage_report(inputs, store.load_townships(engine),
                                     neglected_only=True)
    assert codes == [v["code"] for v in report["villages"]]
    assert len(at.get("download_button")) == 2
    at.selectbox(key="neglected_reason").set_value("NEVER_VISITED").run()
    never = at.dataframe[0].value
    assert len(never) == report["totals"]["never_visited"]
    assert never["reasons"].str.contains("从未走访").all()
    overview = _run(user="leader")
    never_card = next(m for m in overview.metric if m.label == "从未走访")
    assert int(never_card.value) == report["totals"]["never_visited"]
    paired_card = next(m for m in overview.metric if m.label == "已结对村")
    assert paired_card.value == f"{report['totals']['paired']} / 96"
    assert date.fromisoformat(report["as_of"]) == local_today()


@pytest.mark.parametrize(("role", "imports", "boundaries"),
                         [("leader", [], False), ("liaison", ["visits", "problems"], False),
                          ("organiser", ["visits", "problems", "pairings"], False),
                          ("admin", ["visits", "problems", "pairings", "villages",
                                     "departments", "cadres"], True)])
def test_data_page_offers_what_the_role_may_do(app_db: Path, role: str, imports: list,
                                               boundaries: bool):
    at = _run("app_pages/data.py", user=role)
    assert not at.exception and not at.error
    tables = [s for s in at.selectbox if s.key == "import_table"]
    assert (tables[0].options if tables else []) == [
        {"visits": "走访记录", "problems": "群众诉求", "pairings": "结对关系",
         "villages": "村（社区）", "departments": "单位", "cadres": "干部"}[name]
        for name in imports]
    assert any(s.key == "boundary_level" for s in at.selectbox) == boundaries
    exports = next(s for s in at.selectbox if s.key == "export_table")
    assert ("干部" in exports.options) == (role != "leader")
    assert ("审计日志" in exports.options) == (role in ("organiser", "admin"))
    # Templates (CSV and Excel) of the tables the role may import, and the export.
    assert len(at.get("download_button")) == 2 * len(imports) + 1
