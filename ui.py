"""Streamlit glue: settings, the engine, cached loaders, page setup, map rendering.

The only module besides the pages that imports streamlit; ``geo`` stays free of it.
Errors from ``geo`` are translated here, once, into a calm message in the UI language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import folium
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

from geo import db, maps, offline, seed, store
from geo.errors import ConfigError, DataError, PairMapError
from geo.i18n import DEFAULT_LANG, translate
from geo.overview import Overview, build_overview
from geo.settings import STATIC_DIR, Settings

FAVICON = str(STATIC_DIR / "favicon.png")


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


def guarded(render: Callable[[], None]) -> None:
    """Run a page's body, showing PairMap's errors as one calm message."""
    try:
        get_settings()
        render()
    except ConfigError as exc:
        st.error(t("error.config", detail=exc))
    except DataError as exc:
        st.error(t("error.data", detail=exc))
    except (PairMapError, SQLAlchemyError, OSError) as exc:
        st.error(t("error.database", detail=type(exc).__name__))


def setup_page(title_key: str) -> tuple[date, int]:
    """Draw the page title with the as-of date and window; return both."""
    offline.configure_offline_assets(st.get_option("server.baseUrlPath") or "")
    settings = get_settings()
    as_of = seed.today()
    st.title(t(title_key))
    st.caption(t("caption.as_of", as_of=as_of.isoformat(), window=settings.window_days))
    return as_of, settings.window_days


@st.cache_data(show_spinner=False, max_entries=8)
def _overview(version: int, url: str, as_of: date, window_days: int) -> dict:
    engine = get_engine()
    villages = store.load_villages(engine)
    townships = store.load_townships(engine)
    county = store.load_county(engine)
    overview = build_overview(
        villages, townships, store.load_pairings(engine), store.load_visits(engine, as_of),
        store.load_departments(engine), as_of, window_days,
    )
    return {"overview": overview, "villages": villages, "townships": townships,
            "county": county}


def load_overview(as_of: date, window_days: int) -> dict:
    """Return the overview and the boundaries, cached per data version."""
    engine = get_engine()
    return _overview(store.data_version(engine), get_settings().database_url, as_of,
                     window_days)


def village_map(data: dict, window_days: int) -> folium.Map:
    """Build the overview's village map from ``load_overview`` data."""
    overview: Overview = data["overview"]
    settings = get_settings()
    return maps.build_village_map(
        data["villages"], data["townships"], data["county"], overview.status,
        maps.map_labels(settings.lang, window_days), tiles=settings.tiles,
        tianditu_key=settings.tianditu_key,
    )


def kpi_card(column: DeltaGenerator, label: str, value: object, now: int | None = None,
             before: int | None = None, help_text: str | None = None,
             lower_is_better: bool = False) -> None:
    """Draw one KPI card with its change against the previous period of the same length."""
    if now is None or before is None:
        column.metric(label, value, help=help_text)
        return
    change = now - before
    window = get_settings().window_days
    colour = "off" if change == 0 else ("inverse" if lower_is_better else "normal")
    column.metric(label, value, f"{change:+d} {t('kpi.delta_previous', window=window)}",
                  delta_color=colour, help=help_text)


def show_map(fmap: folium.Map, key: str, height: int = 620) -> None:
    """Render ``fmap``; panning and zooming do not rerun the script."""
    st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=[])
