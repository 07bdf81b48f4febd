"""Session and page setup: settings, engine, login, logout, cookie, navigation, the one
page-setup call, and the error guard.

This is the one module of the UI that names ``geo``'s error classes: ``reporting_errors``
translates them (``geo.i18n.translate_error``) into one calm message in the UI
language. ``app.py`` runs every page inside it, and forms whose failures must show next
to the form route their writes through it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.state.session_state_proxy import get_session_state

from geo import auth, db, offline
from geo.access import Action, User, can
from geo.demo import seed
from geo.errors import AccessDeniedError, ConfigError, PairMapError
from geo.i18n import DEFAULT_LANG, translate, translate_error
from geo.period import Period
from geo.settings import LANGUAGES, STATIC_DIR, Settings, local_today

FAVICON = str(STATIC_DIR / "favicon.png")
SESSION_TOKEN = "pairmap_session"
"""The session's signed token (``geo.auth.issue_token``), checked on every run."""
SESSION_LOGGED_OUT = "pairmap_logged_out"
SESSION_COOKIE = "pairmap_cookie"
"""A token this tab writes into the login cookie (a login with "remember")."""
COOKIE_NAME = "pairmap_session"
LANGUAGE_STATE = "pairmap_language"
"""The language chosen in this tab (absent: ``PAIRMAP_LANG``), kept across pages."""
LANGUAGE_SWITCH = "language_switch"
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>~$|#!:])")
"""Characters that start markdown anywhere in a line: emphasis, code, links and images,
autolinks and HTML, strike-through, math, tables, headings, Streamlit's ``:red[…]``."""
MARKDOWN_LINE_START = (
    re.compile(r"^([ \t]*)([-+])(?=[ \t]|$)", re.MULTILINE),  # a bullet
    re.compile(r"^([ \t]*\d{1,9})([.)])(?=[ \t]|$)", re.MULTILINE),  # a numbered item
    re.compile(r"^([ \t]*)([-=])(?=[-=\t ]*$)", re.MULTILINE),  # a rule, an underline
)
AUTOLINK_START = re.compile(r"(?i)(?<=\bhttps)(?=\\:)|(?<=\bhttp)(?=\\:)|(?<=\bwww)(?=\.)|(?=@)")
"""Where GitHub-flavoured markdown would start a link of its own (``http://``, ``https://``,
``www.``, an e-mail's ``@``) once the escapes are read: a word joiner (U+2060, shown as
nothing) goes there."""
WORD_JOINER = "\u2060"
LOGIN_URL_PATH = "login"
LOGIN_USERNAME = "login_username"
LOGIN_PASSWORD = "login_password"
LOGIN_SUBMIT = "login_submit"
LOGIN_REFUSED = "pairmap_login_refused"
"""Set by a refused login (``_submitted_login``) for the login form of the same run."""
def uploader_css() -> str:
    """Words for the file uploader in the UI language: Streamlit writes its button
    ("Upload") and its limit ("200MB per file • CSV, XLSX") in English only. They are
    drawn over with the catalogue's (the limit from ``server.maxUploadSize``; the file
    kinds are in each uploader's heading)."""
    button = json.dumps(t("upload.button"), ensure_ascii=False)
    limit = json.dumps(t("upload.limit", megabytes=st.get_option("server.maxUploadSize")),
                       ensure_ascii=False)
    dropzone = "[data-testid='stFileUploaderDropzone']"
    return f"""<style>
{dropzone} button [data-testid='stMarkdownContainer'] p {{ font-size: 0; }}
{dropzone} button [data-testid='stMarkdownContainer'] p::after {{
  content: {button}; font-size: 1rem; }}
[data-testid='stFileUploaderDropzoneInstructions'] span {{ font-size: 0; }}
[data-testid='stFileUploaderDropzoneInstructions'] span::after {{
  content: {limit}; font-size: 0.875rem; }}
</style>"""


PAGE_CSS = """<style>
/* Projector (1280x720): Streamlit leaves about 120 px above a page's title; keep a little. */
.stMainBlockContainer, .block-container { padding-top: 1rem; }
.stMainBlockContainer h1 { padding-top: 0.25rem; }
/* A narrow KPI card puts its comparison under its change instead of cutting it off. */
[data-testid="stMetric"] div:has(> [data-testid="stMetricDeltaDescription"]) {
  flex-wrap: wrap; row-gap: 0.25rem;
}
/* Five KPI cards in a row at 1280x720 with the menu open: a long label or change wraps
   onto a second line instead of being cut short with an ellipsis. */
[data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"] *,
[data-testid="stMetricDeltaDescription"], [data-testid="stMetricDeltaDescription"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
/* A select box that always holds a choice (required=True, so it cannot be emptied) needs
   no "(required)" beside its label, which Streamlit writes in English only. */
[data-testid="stWidgetLabelRequired"] { display: none; }
/* The overview's red and black lists: one compact line per department beside the map. */
.st-key-overview_red_black { gap: 0.15rem; }
.st-key-overview_red_black [data-testid="stPageLink"] a {
  padding: 0.05rem 0.25rem; min-height: 0; line-height: 1.35;
}
.st-key-overview_red_black [data-testid="stPageLink"] p {
  font-size: 0.85rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
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
    PageSpec("app_pages/departments.py", "page.departments", ":material/groups:",
             Action.VIEW_MAPS, "departments"),
    PageSpec("app_pages/pairings.py", "page.pairings", ":material/handshake:",
             Action.VIEW_MAPS, "pairings"),
    PageSpec("app_pages/planner.py", "page.planner", ":material/route:",
             Action.EDIT_PAIRINGS, "planner"),
    PageSpec("app_pages/briefing.py", "page.briefing", ":material/summarize:",
             Action.VIEW_MAPS, "briefing"),
    PageSpec("app_pages/record_visits.py", "page.record", ":material/edit_note:",
             Action.WRITE_VISITS, "record", "nav.section.records"),
    PageSpec("app_pages/visit_records.py", "page.visits", ":material/list_alt:",
             Action.VIEW_VISITS, "visits", "nav.section.records"),
    PageSpec("app_pages/problems.py", "page.ledger", ":material/assignment_late:",
             Action.VIEW_PROBLEMS, "problems", "nav.section.records"),
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
    """The UI language: the one chosen in the sidebar, else the configured one
    (``PAIRMAP_LANG``), Chinese while the settings are bad."""
    chosen = st.session_state.get(LANGUAGE_STATE)
    if chosen in LANGUAGES:
        return chosen
    try:
        return get_settings().lang
    except ConfigError:
        return DEFAULT_LANG


RELABELLED_VALUE_TYPES = frozenset({"string_value", "string_array_value"})
"""The value types of the choice widgets (select box, radio, multiselect, segmented
control, pills) whose value the browser holds as the option's label (Streamlit 1.67)."""


def _relabel_choices() -> None:
    """Set each keyed choice widget of the page to its own value again, so that the next
    run sends it under the new language's label. The browser keeps a choice as its label:
    after a switch the old label matched no option, and a select box went on showing 全部
    while a radio showed no choice at all. A value set through the session state makes
    Streamlit send the choice again, formatted anew; the choice itself stays. Widgets
    whose value may not be set (data editors, whose value is a dict of edits; buttons
    and uploaders have other value types) are left alone. Reads Streamlit's widget
    metadata (pinned 1.67; ``tests/test_browser_i18n.py`` shows the relabelled page)."""
    state = get_session_state()._state
    metadata = state._new_widget_state.widget_metadata
    for key, widget_id in list(state._key_id_mapper._key_id_mapping.items()):
        widget = metadata.get(widget_id)
        if (key == LANGUAGE_SWITCH or widget is None or key not in st.session_state
                or widget.value_type not in RELABELLED_VALUE_TYPES):
            continue
        value = st.session_state[key]
        if not isinstance(value, dict):
            st.session_state[key] = value


def _keep_language() -> None:
    """Keep the switch's choice where ``language`` reads it: in a state of its own,
    which outlives a run that draws no switch (a widget's state would not); the page's
    choices are relabelled (``_relabel_choices``)."""
    st.session_state[LANGUAGE_STATE] = st.session_state[LANGUAGE_SWITCH]
    _relabel_choices()


def language_switch() -> None:
    """The sidebar's language switch: each language in its own name (中文, English),
    starting at the language in use. A choice reruns the app, whose navigation, titles
    and every text then follow it on every page of this tab."""
    current = language()
    st.sidebar.radio(t("sidebar.language"), LANGUAGES, index=LANGUAGES.index(current),
                     format_func=lambda lang: translate("language.name", lang),
                     horizontal=True, key=LANGUAGE_SWITCH, on_change=_keep_language)


def t(key: str, **values: object) -> str:
    """Translate ``key`` into the UI language."""
    return translate(key, language(), **values)


def plain(text: object) -> str:
    """``text`` escaped for Streamlit's markdown, so that it shows as typed.

    Every element that renders markdown (``st.caption``, ``st.subheader``, ``st.write``,
    ``st.error`` …) reads ``![x](http://…)`` as an image from another origin and
    ``**x**`` as bold; a name, a file's value or anything else a person typed goes
    through ``plain`` before it is placed into such a text. The characters that start
    markdown within a line, and a list or rule marker at the start of a line, are
    backslash-escaped (CommonMark shows an escaped character as itself); the rest, such
    as the dot of ``visits.csv`` or a minus sign, is left as it is. A web address or an
    e-mail address would still become a link (the renderer finds them after reading the
    escapes), so an invisible word joiner goes where such a link would begin.
    """
    escaped = MARKDOWN_INLINE.sub(r"\\\1", str(text))
    for pattern in MARKDOWN_LINE_START:
        escaped = pattern.sub(r"\1\\\2", escaped)
    return AUTOLINK_START.sub(WORD_JOINER, escaped)


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """Return the database engine; an empty database is seeded with the sample county."""
    engine = db.make_engine(get_settings().database_url, get_settings().busy_timeout)
    seed.ensure_seeded(engine)
    auth.dummy_hash()  # made now, so that the first unknown name costs what others do
    return engine


# --- the error guard --------------------------------------------------------------------


def show_error(exc: Exception) -> None:
    """Show one calm message, in the UI language, for an error from ``geo`` or the
    database (the details of a database error go to the server log only)."""
    if not isinstance(exc, PairMapError):  # the settings are readable when a write ran
        exc = db.busy_error(exc, get_settings().busy_timeout) or exc
    if isinstance(exc, AccessDeniedError):
        st.warning(_error_text(exc))
    elif isinstance(exc, PairMapError):
        st.error(_error_text(exc))
    else:
        log.error("database or file error", exc_info=exc)
        st.error(t("guard.database"))


def _error_text(exc: PairMapError) -> str:
    """The error's sentence with its values (a file's name, a cell, a typed name) shown
    as plain text."""
    def escaped(value: object) -> object:
        return plain(value) if isinstance(value, str) else value

    shown = SimpleNamespace(code=exc.code, file=escaped(exc.file), row=exc.row,
                            column=escaped(exc.column),
                            params={k: escaped(v) for k, v in exc.params.items()})
    return translate_error(shown, language(), interface="form")


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
    """Return the logged-in user, checking the session on the server on every run.

    The tab's token first (a logout elsewhere, a password reset or a deactivation ends
    it on the next run, and the login page follows), then a valid signed login cookie.
    """
    engine = get_engine()
    token = st.session_state.get(SESSION_TOKEN)
    if token:
        user = auth.verify_token(engine, token, _cookie_key())
        if user is None:
            _forget_session()
        return user
    if st.session_state.get(SESSION_LOGGED_OUT):
        return None  # the browser still sends the old cookie until the page reloads
    cookie = st.context.cookies.get(COOKIE_NAME) if st.context.cookies else None
    if cookie:
        user = auth.verify_token(engine, cookie, _cookie_key())
        if user is not None:
            st.session_state[SESSION_TOKEN] = cookie
            return user
    return _submitted_login()


def _submitted_login() -> User | None:
    """The user of the login form submitted in this run, logged in now; else None.

    Checked before the navigation is built, so that the run that carries the login
    draws the role's pages and the overview at once: a login that reran the app drew
    the login page again first, and the rerun cost a full garbage collection
    (``runner.postScriptGC``) and a round of the browser before the map (about 0.3 s).
    A refused login is remembered for this run: the login form says so.
    """
    if not st.session_state.get(LOGIN_SUBMIT) or not auth.has_users(get_engine()):
        return None
    # One message for every failure; repeated failures make attempts wait (geo.auth).
    result = auth.authenticate(get_engine(), st.session_state.get(LOGIN_USERNAME) or "",
                               st.session_state.get(LOGIN_PASSWORD) or "",
                               address=_client_address())
    if result.user is None:
        st.session_state[LOGIN_REFUSED] = True
        return None
    _start_session(result.user, remember=True, rerun=False)
    return result.user


def _start_session(user: User, remember: bool, rerun: bool = True) -> None:
    """Start a server-side session of ``user`` and (with ``rerun``) rerun, so that the
    navigation holds the role's pages and opens the overview. With ``remember`` the tab
    writes the token into the login cookie (``sidebar``)."""
    token = auth.issue_token(get_engine(), user, _cookie_key())
    st.session_state[SESSION_TOKEN] = token
    st.session_state.pop(SESSION_LOGGED_OUT, None)
    if remember:
        st.session_state[SESSION_COOKIE] = token
    if rerun:
        st.rerun()


def _cookie_script(value: str, max_age: int) -> str:
    """A script that sets (or with ``max_age`` 0 deletes) the login cookie in the page
    itself: ``SameSite=Strict``, ``Secure`` when the page came over HTTPS. Set from
    JavaScript, the cookie cannot be ``HttpOnly`` (README: a proxy adds the flags)."""
    cookie = json.dumps(f"{COOKIE_NAME}={value}; Max-Age={max_age}; Path=/; SameSite=Strict")
    return ("<script>document.cookie = " + cookie.replace("<", "\\u003c")
            + " + (location.protocol === 'https:' ? '; Secure' : '');</script>")


def _store_cookie() -> None:
    """Write the login cookie of a login made in this tab.

    Drawn on every run of the session (the same element, so the browser runs it once),
    never only on the run after the login: a rerun that came before the browser had
    drawn a one-off writer (the map answering, a click) used to leave about 3 logins in
    25 without a cookie. ``st.html`` runs the script in the page as soon as it is drawn;
    there is no component to load first.
    """
    token = st.session_state.get(SESSION_COOKIE)
    if token:
        st.html(_cookie_script(token, auth.SESSION_DAYS * 24 * 3600),
                unsafe_allow_javascript=True)


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


def _client_address() -> str | None:
    """The client's address (None on localhost, and behind a proxy on the same host:
    then failures are counted per name only)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def _login_form() -> None:
    """The login form; a login submitted in this run was checked before the navigation
    (``_submitted_login``), and a refused one is said below the form."""
    st.title(t("app.title"))
    st.caption(t("app.subtitle"))
    with st.form("login_form"):
        st.text_input(t("login.username"), key=LOGIN_USERNAME)
        st.text_input(t("login.password"), type="password", key=LOGIN_PASSWORD)
        st.form_submit_button(t("login.submit"), type="primary", key=LOGIN_SUBMIT)
    if st.session_state.pop(LOGIN_REFUSED, False):
        st.error(t("login.failed"))


def login_page() -> None:
    """The one page of a logged-out session: the login form, or on the first start the
    form that creates the administrator; below it, the deletion of a logout's cookie."""
    if auth.has_users(get_engine()):
        _login_form()
    else:
        _first_admin_form()
    _delete_cookie()


def _forget_session() -> None:
    """Forget this tab's session; the login page that follows deletes the login cookie."""
    st.session_state.pop(SESSION_TOKEN, None)
    st.session_state.pop(SESSION_COOKIE, None)
    st.session_state[SESSION_LOGGED_OUT] = True


def logout() -> None:
    """End the session on the server (a copy of the cookie no longer works) and in the
    tab; the login page that follows deletes the login cookie."""
    token = st.session_state.get(SESSION_TOKEN)
    if token:
        auth.revoke_token(get_engine(), token, _cookie_key())
    _forget_session()


def _delete_cookie() -> None:
    """Delete the login cookie after a logout (or a session ended elsewhere). Drawn on
    every run of the login page, like ``_store_cookie``."""
    if st.session_state.get(SESSION_LOGGED_OUT):
        st.html(_cookie_script("", 0), unsafe_allow_javascript=True)


# --- navigation -------------------------------------------------------------------------


def allowed_pages(user: User) -> list[PageSpec]:
    """Return the pages ``user`` may open, in navigation order."""
    return [spec for spec in PAGES if can(user, spec.action)]


def navigation(user: User | None) -> StreamlitPage:
    """Return the navigation of ``user``: the role's pages by section (the overview
    first), the other pages hidden from the menu (they refuse), or for a logged-out
    session the login page alone.

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
    allowed = allowed_pages(user)
    for spec in allowed:
        sections.setdefault(t(spec.section), []).append(
            st.Page(spec.path, title=t(spec.title_key), icon=spec.icon,
                    url_path=spec.url_path, default=spec.url_path == "overview"))
    # A page the role may not open still answers at its address, out of the menu: the
    # page itself says it is refused and shows no data (not the overview, unexplained).
    first = next(iter(sections.values()))
    first.extend(st.Page(spec.path, title=t(spec.title_key), icon=spec.icon,
                         url_path=spec.url_path, visibility="hidden")
                 for spec in PAGES if spec not in allowed)
    # Every page of the menu shown: collapsed, Streamlit lists the first ten and hides the
    # rest (the administrator's data, audit and users pages) behind "View more".
    return st.navigation(sections, expanded=True)


def sidebar(user: User | None) -> None:
    """Show the language switch; then, logged in, who is logged in (the display name as
    plain text) and the logout button (and, below it, write a new login's cookie)."""
    language_switch()
    if user is None:
        return
    with st.sidebar:
        st.caption(t("sidebar.user", name=plain(user.label), role=t(f"role.{user.role}")))
        if st.button(t("sidebar.logout"), key="logout"):
            logout()
            st.rerun()
        _store_cookie()


# --- the one page-setup call ------------------------------------------------------------


def page(action: Action, title_key: str, as_of_caption: bool = True,
         aside: Callable[[Period], object] | None = None) -> tuple[User, Period]:
    """Set up a page that needs ``action``: return the user and the default period.

    A logged-out session, or a role without ``action``, is told so and the page stops
    with nothing shown. Otherwise the map assets are pointed at the app's own origin, the
    page's style (less space above the title) is set, and the title and (unless the page
    chooses its own period and says so itself) the as-of caption ("截至 …，近 … 天") are
    drawn, and for a liaison the banner of its department's overdue problems
    (``ui.widgets.overdue_banner``). ``aside(period)`` (e.g. a switch of the page's
    mode) is drawn at the right of the title, in the same row.
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
    st.html(PAGE_CSS + uploader_css())
    if aside is None:
        st.title(t(title_key))
    else:
        heading, side = st.columns([2, 3], vertical_alignment="center")
        heading.title(t(title_key))
        with side:
            aside(period)
    if as_of_caption:
        st.caption(t("caption.as_of", as_of=period.as_of.isoformat(),
                     window=period.window_days))
    # Imported here: the widgets read the loaders, which read this module.
    from ui.widgets import overdue_banner

    overdue_banner(user, period.as_of)
    return user, period
