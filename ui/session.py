"""Session and page setup: settings, engine, login, logout, cookie, navigation, the one
page-setup call, and the error guard.

This is the one module of the UI that names ``geo``'s error classes: ``reporting_errors``
translates them (``geo.i18n.translate_error``) into one calm message in the UI
language. ``app.py`` runs every page inside it, and forms whose failures must show next
to the form route their writes through it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

import extra_streamlit_components as stx
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from streamlit.navigation.page import StreamlitPage

from geo import auth, db, offline
from geo.access import Action, User, can
from geo.demo import seed
from geo.errors import AccessDeniedError, ConfigError, PairMapError
from geo.i18n import DEFAULT_LANG, translate, translate_error
from geo.reports import Period
from geo.settings import STATIC_DIR, Settings, local_now, local_today

FAVICON = str(STATIC_DIR / "favicon.png")
SESSION_USER = "pairmap_user"
SESSION_LOGGED_OUT = "pairmap_logged_out"
SESSION_NEW_TOKEN = "pairmap_new_token"
COOKIE_NAME = "pairmap_session"
LOGIN_URL_PATH = "login"
PAGE_CSS = """<style>
/* Projector (1280x720): Streamlit leaves about 120 px above a page's title; keep a little. */
.stMainBlockContainer, .block-container { padding-top: 1rem; }
.stMainBlockContainer h1 { padding-top: 0.25rem; }
/* A narrow KPI card puts its comparison under its change instead of cutting it off. */
[data-testid="stMetric"] div:has(> [data-testid="stMetricDeltaDescription"]) {
  flex-wrap: wrap; row-gap: 0.25rem;
}
</style>"""

log = logging.getLogger("pairmap")


@dataclass(frozen=True)
class PageSpec:
    """One page of the navigation and the action it needs."""

    path: str
    title_key: str
    icon: str
    action: Action
    url_path: str
    section: str = "nav.section.maps"


PAGES = (
    PageSpec("app_pages/overview.py", "page.overview", ":material/map:", Action.VIEW_MAPS,
             "overview"),
    PageSpec("app_pages/coverage_map.py", "page.coverage", ":material/layers:", Action.VIEW_MAPS,
             "coverage"),
    PageSpec("app_pages/neglected.py", "page.neglected", ":material/report:", Action.VIEW_MAPS,
             "neglected"),
    PageSpec("app_pages/record_visits.py", "page.record", ":material/edit_note:",
             Action.WRITE_VISITS, "record", "nav.section.records"),
    PageSpec("app_pages/visit_records.py", "page.visits", ":material/list_alt:",
             Action.VIEW_VISITS, "visits", "nav.section.records"),
    PageSpec("app_pages/data.py", "page.data", ":material/upload_file:", Action.VIEW_MAPS,
             "data", "nav.section.records"),
    PageSpec("app_pages/audit_log.py", "page.audit", ":material/history:", Action.VIEW_AUDIT,
             "audit", "nav.section.admin"),
    PageSpec("app_pages/administration.py", "page.admin", ":material/manage_accounts:",
             Action.MANAGE_USERS, "admin", "nav.section.admin"),
)


# --- settings, text, engine ------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    """Return the settings, read once per server process."""
    return Settings.from_env()


def language() -> str:
    """The UI language: the configured one, Chinese while the settings are bad."""
    try:
        return get_settings().lang
    except ConfigError:
        return DEFAULT_LANG


def t(key: str, **values: object) -> str:
    """Translate ``key`` into the UI language."""
    return translate(key, language(), **values)


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """Return the database engine; an empty database is seeded with the sample county."""
    engine = db.make_engine(get_settings().database_url)
    seed.ensure_seeded(engine)
    return engine


# --- the error guard --------------------------------------------------------------------


def show_error(exc: Exception) -> None:
    """Show one calm message, in the UI language, for an error from ``geo`` or the
    database (the details of a database error go to the server log only)."""
    if isinstance(exc, AccessDeniedError):
        st.warning(translate_error(exc, language()))
    elif isinstance(exc, PairMapError):
        st.error(translate_error(exc, language()))
    else:
        log.error("database or file error", exc_info=exc)
        st.error(t("guard.database"))


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Run the block; an error from ``geo`` or the database ends it with one translated
    message where the block was, and the rest of the page goes on.

    ``app.py`` runs every page inside it (the page guard); a form wraps its write in it
    so that a refused or invalid entry is reported next to the form.
    """
    try:
        yield
    except (PairMapError, SQLAlchemyError, OSError) as exc:
        show_error(exc)


# --- login session ----------------------------------------------------------------------


def _cookie_key() -> str:
    return auth.cookie_key(get_settings().cookie_key)


def current_user() -> User | None:
    """Return the logged-in user (session first, then a valid signed cookie)."""
    engine = get_engine()
    username = st.session_state.get(SESSION_USER)
    if username:
        user = auth.get_user(engine, username)
        if user is None:  # deactivated meanwhile
            st.session_state.pop(SESSION_USER, None)
        return user
    if st.session_state.get(SESSION_LOGGED_OUT):
        return None
    token = st.context.cookies.get(COOKIE_NAME) if st.context.cookies else None
    if token:
        user = auth.verify_token(engine, token, _cookie_key())
        if user is not None:
            st.session_state[SESSION_USER] = user.username
        return user
    return None


def _start_session(user: User, remember: bool) -> None:
    """Log ``user`` in and rerun, so that the navigation holds the role's pages and opens
    the overview. With ``remember`` the next run stores the login cookie."""
    st.session_state[SESSION_USER] = user.username
    st.session_state.pop(SESSION_LOGGED_OUT, None)
    if remember:
        st.session_state[SESSION_NEW_TOKEN] = auth.issue_token(get_engine(), user,
                                                               _cookie_key())
    st.rerun()


def _store_new_cookie() -> None:
    """Store the cookie of a login made on the previous run (drawn on a run that stays on
    screen, so the cookie component has time to do its work)."""
    token = st.session_state.pop(SESSION_NEW_TOKEN, None)
    if token is None:
        return
    stx.CookieManager(key="pairmap_cookie_set").set(
        COOKIE_NAME, token, key="pairmap_cookie_value", path="/", same_site="strict",
        expires_at=local_now() + timedelta(days=auth.SESSION_DAYS))


def _first_admin_form() -> None:
    st.title(t("app.title"))
    st.subheader(t("setup.title"))
    st.write(t("setup.explain"))
    with st.form("setup_form"):
        username = st.text_input(t("login.username"), key="setup_username")
        display_name = st.text_input(t("setup.display_name"), key="setup_display_name")
        password = st.text_input(t("login.password"), type="password", key="setup_password")
        again = st.text_input(t("setup.again"), type="password", key="setup_again")
        submitted = st.form_submit_button(t("setup.submit"), type="primary")
    if not submitted:
        return
    if password != again:
        st.error(t("setup.mismatch"))
        return
    with reporting_errors():
        user = auth.create_first_admin(get_engine(), username, password, display_name)
        _start_session(user, remember=False)


def _login_form() -> None:
    st.title(t("app.title"))
    st.caption(t("app.subtitle"))
    with st.form("login_form"):
        username = st.text_input(t("login.username"), key="login_username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if not submitted:
        return
    result = auth.authenticate(get_engine(), username, password)
    if result.user is not None:
        _start_session(result.user, remember=True)
    elif result.locked_until is not None:
        st.error(t("login.locked", until=result.locked_until.strftime("%H:%M")))
    else:
        st.error(t("login.failed"))


def login_page() -> None:
    """The one page of a logged-out session: the login form, or on the first start the
    form that creates the administrator; below it, the deletion of a logout's cookie."""
    if auth.has_users(get_engine()):
        _login_form()
    else:
        _first_admin_form()
    _delete_cookie()


def logout() -> None:
    """End the session; the login page that follows deletes the login cookie."""
    st.session_state.pop(SESSION_USER, None)
    st.session_state.pop(SESSION_NEW_TOKEN, None)
    st.session_state[SESSION_LOGGED_OUT] = True


def _delete_cookie() -> None:
    """Delete the login cookie after a logout. Drawn on every run of the login page (the
    component runs once and stays), so that it is on screen long enough to do its work."""
    if not st.session_state.get(SESSION_LOGGED_OUT):
        return
    manager = stx.CookieManager(key="pairmap_cookie_delete")
    # The component is drawn first; then stx forgets the cookie in its own copy of the
    # browser's cookies, which is empty until the component has answered.
    with suppress(KeyError):
        manager.delete(COOKIE_NAME, key="pairmap_cookie_gone")


# --- navigation -------------------------------------------------------------------------


def allowed_pages(user: User) -> list[PageSpec]:
    """Return the pages ``user`` may open, in navigation order."""
    return [spec for spec in PAGES if can(user, spec.action)]


def navigation(user: User | None) -> StreamlitPage:
    """Return the navigation of ``user``: the role's pages by section (the overview
    first), or for a logged-out session the login page alone.

    The login page also answers at every page's address (no menu is shown), so that a
    link to a page asks for the login and then opens that page, as a bookmark should,
    instead of Streamlit's "page not found".
    """
    if user is None:
        addresses = [LOGIN_URL_PATH, *(spec.url_path for spec in PAGES)]
        return st.navigation(
            [st.Page(login_page, title=t("page.login"), icon=":material/login:",
                     url_path=address, default=address == LOGIN_URL_PATH)
             for address in addresses], position="hidden")
    sections: dict[str, list[st.Page]] = {}
    for spec in allowed_pages(user):
        sections.setdefault(t(spec.section), []).append(
            st.Page(spec.path, title=t(spec.title_key), icon=spec.icon,
                    url_path=spec.url_path, default=spec.url_path == "overview"))
    return st.navigation(sections)


def sidebar(user: User | None) -> None:
    """Show who is logged in and the logout button (and, below it, store a new login's
    cookie)."""
    if user is None:
        return
    with st.sidebar:
        st.caption(t("sidebar.user", name=user.label, role=t(f"role.{user.role}")))
        if st.button(t("sidebar.logout"), key="logout"):
            logout()
            st.rerun()
        _store_new_cookie()


# --- the one page-setup call ------------------------------------------------------------


def page(action: Action, title_key: str) -> tuple[User, Period]:
    """Set up a page that needs ``action``: return the user and the default period.

    A logged-out session, or a role without ``action``, is told so and the page stops
    with nothing shown. Otherwise the map assets are pointed at the app's own origin, the
    page's style (less space above the title) is set, and the title and the as-of caption
    ("截至 …，近 … 天") are drawn.
    """
    user = current_user()
    if user is None:
        st.warning(t("error.login_required"))
        st.stop()
    if not can(user, action):
        st.warning(t("error.refused"))
        st.stop()
    offline.configure_offline_assets(st.get_option("server.baseUrlPath") or "")
    period = Period(local_today(), get_settings().window_days)
    st.html(PAGE_CSS)
    st.title(t(title_key))
    st.caption(t("caption.as_of", as_of=period.as_of.isoformat(), window=period.window_days))
    return user, period
