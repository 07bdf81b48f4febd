"""Streamlit glue: settings, engine, login session, navigation, cached loaders, map rendering.

The only module besides the pages that imports streamlit; ``geo`` stays free of it.
Errors from ``geo`` are translated here, once, into a calm message in the UI language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import extra_streamlit_components as stx
import folium
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitAPIException
from streamlit_folium import st_folium

from geo import auth, db, maps, offline, records, reports, store
from geo.access import Action, Role, User, can
from geo.demo import seed
from geo.errors import AccessDeniedError, ConfigError, DataError, PairMapError
from geo.i18n import DEFAULT_LANG, translate, translate_issue
from geo.io import boundary_import, imports
from geo.io.report import Report
from geo.neglected import build_neglected_table
from geo.overview import build_overview
from geo.settings import STATIC_DIR, Settings, local_now, local_today
from geo.village_card import VillageCard, build_village_card

FAVICON = str(STATIC_DIR / "favicon.png")
SESSION_USER = "pairmap_user"
SESSION_LOGGED_OUT = "pairmap_logged_out"
COOKIE_NAME = "pairmap_session"


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
    PageSpec("pages/overview.py", "page.overview", ":material/map:", Action.VIEW_MAPS,
             "overview"),
    PageSpec("pages/coverage_map.py", "page.coverage", ":material/layers:", Action.VIEW_MAPS,
             "coverage"),
    PageSpec("pages/neglected.py", "page.neglected", ":material/report:", Action.VIEW_MAPS,
             "neglected"),
    PageSpec("pages/record_visits.py", "page.record", ":material/edit_note:",
             Action.WRITE_VISITS, "record", "nav.section.records"),
    PageSpec("pages/visit_records.py", "page.visits", ":material/list_alt:",
             Action.VIEW_VISITS, "visits", "nav.section.records"),
    PageSpec("pages/data.py", "page.data", ":material/upload_file:", Action.VIEW_MAPS,
             "data", "nav.section.records"),
    PageSpec("pages/audit_log.py", "page.audit", ":material/history:", Action.VIEW_AUDIT,
             "audit", "nav.section.admin"),
    PageSpec("pages/administration.py", "page.admin", ":material/manage_accounts:",
             Action.MANAGE_USERS, "admin", "nav.section.admin"),
)


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    """Return the settings, read once per server process."""
    return Settings.from_env()


def t(key: str, **values: object) -> str:
    """Translate ``key`` into the configured language (Chinese while settings are bad)."""
    try:
        lang = get_settings().lang
    except ConfigError:
        lang = DEFAULT_LANG
    return translate(key, lang, **values)


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """Return the database engine; an empty database is seeded with the sample county."""
    engine = db.make_engine(get_settings().database_url)
    seed.ensure_seeded(engine)
    return engine


def show_error(exc: Exception) -> None:
    """Show one calm message for an error from ``geo`` or the database."""
    if isinstance(exc, ConfigError):
        st.error(t("error.config", detail=exc))
    elif isinstance(exc, AccessDeniedError):
        st.warning(t("error.refused"))
    elif isinstance(exc, DataError):
        st.error(t("error.data", detail=exc))
    else:
        st.error(t("error.database", detail=type(exc).__name__))


def guarded(render: Callable[[], None]) -> None:
    """Run a page's body, showing PairMap's errors as one calm message."""
    try:
        get_settings()
        render()
    except (PairMapError, SQLAlchemyError, OSError) as exc:
        show_error(exc)


# --- login session ---------------------------------------------------------------------


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


def _set_cookie(user: User) -> None:
    token = auth.issue_token(get_engine(), user, _cookie_key())
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
    if submitted:
        if password != again:
            st.error(t("setup.mismatch"))
            return
        try:
            user = auth.create_first_admin(get_engine(), username, password, display_name)
        except DataError as exc:
            st.error(t("error.data", detail=exc))
            return
        st.session_state[SESSION_USER] = user.username
        st.session_state.pop(SESSION_LOGGED_OUT, None)
        st.rerun()


def _login_form() -> User | None:
    box = st.empty()
    with box.container():
        st.title(t("app.title"))
        st.caption(t("app.subtitle"))
        with st.form("login_form"):
            username = st.text_input(t("login.username"), key="login_username")
            password = st.text_input(t("login.password"), type="password",
                                     key="login_password")
            submitted = st.form_submit_button(t("login.submit"), type="primary")
        if not submitted:
            return None
        result = auth.authenticate(get_engine(), username, password)
        if result.user is None:
            if result.locked_until is not None:
                st.error(t("login.locked", until=result.locked_until.strftime("%H:%M")))
            else:
                st.error(t("login.failed"))
            return None
    box.empty()
    st.session_state[SESSION_USER] = result.user.username
    st.session_state.pop(SESSION_LOGGED_OUT, None)
    _set_cookie(result.user)
    return result.user


def logout() -> None:
    """End the session and delete the login cookie."""
    st.session_state.pop(SESSION_USER, None)
    st.session_state[SESSION_LOGGED_OUT] = True
    stx.CookieManager(key="pairmap_cookie_delete").delete(COOKIE_NAME,
                                                          key="pairmap_cookie_gone")


def login_gate() -> User:
    """Return the logged-in user, or show the first-start or login form and stop."""
    try:
        engine = get_engine()
        if not auth.has_users(engine):
            _first_admin_form()
            st.stop()
        user = current_user() or _login_form()
    except (PairMapError, SQLAlchemyError, OSError) as exc:
        show_error(exc)
        st.stop()
    if user is None:
        st.stop()
    return user


def allowed_pages(user: User) -> list[PageSpec]:
    """Return the pages ``user`` may open, in navigation order."""
    return [spec for spec in PAGES if can(user, spec.action)]


def navigation(user: User) -> dict[str, list[st.Page]]:
    """Return the pages ``user`` may open, by section."""
    sections: dict[str, list[st.Page]] = {}
    for spec in allowed_pages(user):
        sections.setdefault(t(spec.section), []).append(
                st.Page(spec.path, title=t(spec.title_key), icon=spec.icon,
                        url_path=spec.url_path, default=spec.url_path == "overview"))
    return sections


def sidebar(user: User) -> None:
    """Show who is logged in and the logout button."""
    with st.sidebar:
        st.caption(t("sidebar.user", name=user.label, role=t(f"role.{user.role}")))
        if st.button(t("sidebar.logout"), key="logout"):
            logout()
            st.rerun()


def page_user(action: Action) -> User:
    """Return the user if they may open a page needing ``action``; else say so and stop."""
    user = current_user()
    if user is None:
        st.warning(t("error.login_required"))
        st.stop()
    if not can(user, action):
        st.warning(t("error.refused"))
        st.stop()
    return user


# --- pages' shared pieces --------------------------------------------------------------


def setup_page(title_key: str) -> tuple[date, int]:
    """Draw the page title with the as-of date and window; return both."""
    offline.configure_offline_assets(st.get_option("server.baseUrlPath") or "")
    settings = get_settings()
    as_of = local_today()
    st.title(t(title_key))
    st.caption(t("caption.as_of", as_of=as_of.isoformat(), window=settings.window_days))
    return as_of, settings.window_days


@st.cache_data(show_spinner=False, max_entries=16)
def _coverage(version: int, url: str, as_of: date, window_days: int,
              neglect_days: int) -> dict:
    """Everything the maps and tables need, computed once per data version and period."""
    engine = get_engine()
    system = User("system", Role.ADMIN)
    inputs = reports.load_coverage_inputs(engine, system, until=as_of)
    departments = store.load_departments(engine)
    overview = build_overview(inputs.villages, inputs.pairings, inputs.visits, departments,
                              as_of, window_days, neglect_days)
    return {"overview": overview, "status": overview.status, "villages": inputs.villages,
            "townships": inputs.townships, "county": store.load_county(engine),
            "pairings": inputs.pairings, "visits": inputs.visits, "departments": departments,
            "as_of": as_of, "window_days": window_days}


def load_coverage(user: User, as_of: date, window_days: int,
                  neglect_days: int | None = None) -> dict:
    """Return the coverage of every village (cached per data version; recomputed after
    any write) with the boundaries, for a user who may see maps."""
    if not can(user, Action.VIEW_MAPS):
        raise AccessDeniedError("maps")
    engine = get_engine()
    return _coverage(store.data_version(engine), get_settings().database_url, as_of,
                     window_days, neglect_days or get_settings().neglect_days)


def load_overview(user: User, as_of: date, window_days: int) -> dict:
    """Return the overview and the boundaries, cached per data version."""
    return load_coverage(user, as_of, window_days)


def neglected_table(data: dict) -> pd.DataFrame:
    """Return the neglected villages of ``load_coverage`` data, in the listed order."""
    return build_neglected_table(data["status"], data["townships"])


def village_card(user: User, data: dict, code: str) -> VillageCard:
    """Return the card of village ``code``; its visit list shows what ``user`` may read."""
    visible = (visit_records(user, since=date.min, until=data["as_of"])
               if can(user, Action.VIEW_VISITS) else None)
    return build_village_card(code, data["status"], data["villages"], data["townships"],
                              data["pairings"], data["visits"], data["departments"],
                              data["as_of"], data["window_days"], visible)


@st.cache_data(show_spinner=False, max_entries=4)
def _all_visit_records(version: int, url: str) -> pd.DataFrame:
    """Every visit with names, per data version; never shown before ``restrict_visits``."""
    engine = get_engine()
    return records.describe_visits(store.load_visits(engine), store.load_villages(engine),
                                   store.load_departments(engine))


def visit_records(user: User, since: date, until: date | None = None) -> pd.DataFrame:
    """Return the visit records ``user`` may read since ``since``, with names."""
    engine = get_engine()
    every = _all_visit_records(store.data_version(engine), get_settings().database_url)
    return records.restrict_visits(every, user, since, until)


@st.cache_data(show_spinner=False, max_entries=4)
def _names(version: int, url: str) -> dict[str, pd.DataFrame]:
    """Codes and names of villages, townships and departments, per data version (no
    geometry), for select boxes and tables."""
    engine = get_engine()
    units = ["code", "short_name", "parent_code"]
    return {"villages": pd.DataFrame(store.load_villages(engine)[units]),
            "townships": pd.DataFrame(store.load_townships(engine)[units]),
            "departments": store.load_departments(engine)[["code", "name"]]}


def name_tables() -> dict[str, pd.DataFrame]:
    """``_names`` for the current data version."""
    return _names(store.data_version(get_engine()), get_settings().database_url)


def choices(kind: str, township: str | None = None) -> dict[str, str]:
    """Return code → name of ``townships``, ``departments`` or the ``villages`` (of one
    township) for select boxes."""
    frame = name_tables()[kind]
    if kind == "villages" and township:
        frame = frame[frame["parent_code"] == township]
    names = frame["name"] if kind == "departments" else frame["short_name"]
    return dict(zip(frame["code"], names, strict=True))


def village_map(data: dict, window_days: int, layer: str = "pairing",
                focus_township: str | None = None) -> folium.Map:
    """Build a village map of ``layer`` from ``load_coverage`` data."""
    settings = get_settings()
    return maps.build_village_map(
        data["villages"], data["townships"], data["county"], data["status"],
        maps.map_labels(settings.lang, window_days), tiles=settings.tiles,
        tianditu_key=settings.tianditu_key, layer=layer, focus_township=focus_township,
    )


def kpi_card(column: DeltaGenerator, label: str, value: object, now: int | None = None,
             before: int | None = None, help_text: str | None = None,
             lower_is_better: bool = False) -> None:
    """Draw one KPI card with its change against the previous period of the same length."""
    if now is None or before is None:
        column.metric(label, value, help=help_text, border=True)
        return
    change = now - before
    window = get_settings().window_days
    colour = "off" if change == 0 else ("inverse" if lower_is_better else "normal")
    column.metric(label, value, f"{change:+d} {t('kpi.delta_previous', window=window)}",
                  delta_color=colour, delta_arrow="off" if change == 0 else "auto",
                  help=help_text, border=True)


def record_visit(user: User, visit: records.VisitInput, visit_id: int | None = None,
                 delete: bool = False) -> bool:
    """Add, change or delete a visit for ``user``; show the outcome. True on success."""
    engine, settings = get_engine(), get_settings()
    try:
        if delete and visit_id is not None:
            records.delete_visit(engine, user, visit_id, local_today(), settings.edit_days)
            st.success(t("record.deleted", id=visit_id))
        elif visit_id is not None:
            records.update_visit(engine, user, visit_id, visit, local_today(),
                                 settings.edit_days)
            st.success(t("record.updated", id=visit_id))
        else:
            new_id = records.add_visit(engine, user, visit, local_today())
            st.success(t("record.added", id=new_id))
    except (PairMapError, SQLAlchemyError) as exc:
        show_error(exc)
        return False
    return True


def editable_visits(user: User) -> pd.DataFrame:
    """The visits ``user`` may still change (recorded in the last PAIRMAP_EDIT_DAYS days)."""
    return records.editable_visits(get_engine(), user, local_today(),
                                   get_settings().edit_days)


def describe_visits(visits: pd.DataFrame) -> pd.DataFrame:
    """Visit rows with village and department names, newest first."""
    names = name_tables()
    return records.describe_visits(visits, names["villages"], names["departments"])


def visit_columns() -> dict:
    """Column headings and formats of visit tables."""
    return {
        "id": st.column_config.NumberColumn(t("visits.id"), format="%d"),
        "date": st.column_config.DateColumn(t("visits.date")),
        "township_code": None,
        "village_code": None,
        "department_code": None,
        "cadre_ids": None,
        "village": st.column_config.TextColumn(t("table.village")),
        "department": st.column_config.TextColumn(t("table.department")),
        "kind": st.column_config.TextColumn(t("visits.kind")),
        "cadre_count": st.column_config.NumberColumn(t("visits.cadres")),
        "households_visited": st.column_config.NumberColumn(t("visits.households")),
        "problems_raised": st.column_config.NumberColumn(t("visits.raised")),
        "problems_resolved": st.column_config.NumberColumn(t("visits.resolved")),
        "summary": st.column_config.TextColumn(t("visits.summary"), width="large"),
        "record_id": st.column_config.TextColumn(t("visits.record_id")),
    }


def import_records(user: User, table: str, filename: str, data: bytes, sheet: str | None,
                   skip_invalid: bool, dry_run: bool) -> Report | None:
    """Check (``dry_run``) or import an uploaded table file, with a progress bar."""
    bar = st.progress(0.0, text=t("data.check") if dry_run else t("data.confirm"))
    try:
        report = imports.import_upload(
            get_engine(), user, table, filename, data, sheet=sheet or None, dry_run=dry_run,
            skip_invalid=skip_invalid, today=local_today(), edit_days=get_settings().edit_days,
            progress=lambda fraction: bar.progress(min(max(fraction, 0.0), 1.0)))
    except (PairMapError, SQLAlchemyError) as exc:
        bar.empty()
        show_error(exc)
        return None
    bar.empty()
    return report


def import_boundary_file(user: User, level: str, filename: str, data: bytes,
                         src_crs: str | None, code_field: str | None, name_field: str | None,
                         dry_run: bool) -> Report | None:
    """Check (``dry_run``) or import an uploaded boundary file."""
    try:
        return boundary_import.import_boundary_upload(
            get_engine(), user, filename, data, level, code_field=code_field or None,
            name_field=name_field or None, src_crs=src_crs or None, dry_run=dry_run)
    except (PairMapError, SQLAlchemyError) as exc:
        show_error(exc)
        return None


def issue_table(issues: list) -> pd.DataFrame:
    """Errors or warnings of an import as a table in the UI language."""
    lang = get_settings().lang
    rows = [{"row": issue.row, "column": issue.column, "value": issue.value,
             "message": translate_issue(issue, lang)} for issue in issues]
    return pd.DataFrame(rows, columns=["row", "column", "value", "message"])


def link_to(url_path: str, label: str) -> None:
    """Link to another page of the navigation; nothing when that page is not in it (for
    instance when a page runs on its own under AppTest)."""
    spec = next((p for p in PAGES if p.url_path == url_path), None)
    if spec is None:
        return
    try:
        st.page_link(spec.path, label=label, icon=":material/arrow_forward:")
    except StreamlitAPIException:
        return


def show_map(fmap: folium.Map, key: str, height: int = 620,
             clickable: bool = False) -> str | None:
    """Render ``fmap``; panning and zooming do not rerun the script.

    With ``clickable``, a click on a village reruns the page and its code is returned.
    """
    returned = st_folium(fmap, key=key, height=height, use_container_width=True,
                         returned_objects=["last_active_drawing"] if clickable else [])
    feature = (returned or {}).get("last_active_drawing") if clickable else None
    if isinstance(feature, dict):
        return (feature.get("properties") or {}).get("code")
    return None
