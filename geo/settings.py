"""Typed settings read from environment variables or ``.streamlit/secrets.toml``.

Environment variables win over the secrets file. Every value has a documented default
(see the README's Settings table).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from geo.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
SAMPLE_DIR = DATA_DIR / "sample"
STATIC_DIR = PROJECT_ROOT / "static"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"

DEFAULT_DATABASE_URL = "sqlite:///data/pairmap.db"
TIMEZONE = "Asia/Shanghai"
LANGUAGES = ("zh", "en")


def local_now() -> datetime:
    """Return the county's wall-clock time (Asia/Shanghai) without a time zone."""
    return datetime.now(ZoneInfo(TIMEZONE)).replace(tzinfo=None)


def local_today() -> date:
    """Return today's date in the county (Asia/Shanghai)."""
    return local_now().date()


def _read_secrets(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("unreadable_settings", path=str(path), detail=str(exc)) from exc
    return {key: str(value) for key, value in raw.items() if not isinstance(value, dict)}


def _positive_int(name: str, raw: str, seconds: bool = False) -> int:
    """A whole, positive number of days (or, with ``seconds``, of seconds)."""
    try:
        value = int(raw)
    except ValueError:
        if seconds:
            raise ConfigError("seconds_not_whole", name=name, value=raw) from None
        raise ConfigError("days_not_whole", name=name, value=raw) from None
    if value <= 0:
        raise ConfigError("days_not_positive", name=name, value=value)
    return value


def _positive_whole(name: str, raw: str) -> int:
    """A whole, positive number (a count or a size in MB)."""
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise ConfigError("setting_not_whole", name=name, value=raw) from None
    if value <= 0:
        raise ConfigError("setting_not_positive", name=name, value=value)
    return value


def _whole_seconds(name: str, raw: str) -> int:
    """A whole number of seconds, 0 or more (0: off)."""
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError("seconds_not_whole", name=name, value=raw) from None
    if value < 0:
        raise ConfigError("seconds_negative", name=name, value=value)
    return value


def resolve_database_url(url: str, root: Path = PROJECT_ROOT) -> str:
    """Make a relative SQLite path absolute against the project root.

    ``sqlite:///data/pairmap.db`` then means the project's ``data/`` folder whatever
    the working directory is.
    """
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        rest = url[len(prefix):]
        if rest and rest != ":memory:":
            return prefix + str((root / rest).resolve())
    return url


@dataclass(frozen=True)
class Settings:
    """PairMap's settings.

    Attributes mirror the ``PAIRMAP_*`` variables of the README.
    """

    database_url: str = DEFAULT_DATABASE_URL
    tiles: str = "none"
    tianditu_key: str = ""
    lang: str = "zh"
    neglect_days: int = 90
    window_days: int = 90
    edit_days: int = 7
    busy_timeout: int = 30
    upload_max_mb: int = 1024
    upload_max_rows: int = 1_048_576
    upload_max_columns: int = 200
    upload_max_shared_strings_mb: int = 100
    cookie_key: str = field(default="", repr=False)
    warm_seconds: int = 60

    @classmethod
    def from_env(
        cls, environ: dict[str, str] | None = None, secrets_file: Path = SECRETS_FILE
    ) -> Settings:
        """Read settings from ``environ`` (default ``os.environ``) and the secrets file."""
        env = dict(os.environ if environ is None else environ)
        values = {**_read_secrets(secrets_file), **env}

        def get(name: str, default: str) -> str:
            value = values.get(f"PAIRMAP_{name}", "").strip()
            return value or default

        lang = get("LANG", "zh")
        if lang not in LANGUAGES:
            raise ConfigError("unknown_language", value=lang, choices=", ".join(LANGUAGES))
        return cls(
            database_url=resolve_database_url(get("DATABASE_URL", DEFAULT_DATABASE_URL)),
            tiles=get("TILES", "none"),
            tianditu_key=get("TIANDITU_KEY", ""),
            lang=lang,
            neglect_days=_positive_int("PAIRMAP_NEGLECT_DAYS", get("NEGLECT_DAYS", "90")),
            window_days=_positive_int("PAIRMAP_WINDOW_DAYS", get("WINDOW_DAYS", "90")),
            edit_days=_positive_int("PAIRMAP_EDIT_DAYS", get("EDIT_DAYS", "7")),
            busy_timeout=_positive_int("PAIRMAP_BUSY_TIMEOUT", get("BUSY_TIMEOUT", "30"),
                                       seconds=True),
            upload_max_mb=_positive_whole("PAIRMAP_UPLOAD_MAX_MB", get("UPLOAD_MAX_MB", "1024")),
            upload_max_rows=_positive_whole("PAIRMAP_UPLOAD_MAX_ROWS",
                                            get("UPLOAD_MAX_ROWS", "1048576")),
            upload_max_columns=_positive_whole("PAIRMAP_UPLOAD_MAX_COLUMNS",
                                               get("UPLOAD_MAX_COLUMNS", "200")),
            upload_max_shared_strings_mb=_positive_whole(
                "PAIRMAP_UPLOAD_MAX_SHARED_STRINGS_MB", get("UPLOAD_MAX_SHARED_STRINGS_MB", "100")),
            cookie_key=get("COOKIE_KEY", ""),
            warm_seconds=_whole_seconds("PAIRMAP_WARM_SECONDS", get("WARM_SECONDS", "60")),
        )
