from pathlib import Path

import pytest

from geo.errors import ConfigError
from geo.settings import PROJECT_ROOT, Settings, resolve_database_url


def test_defaults(tmp_path: Path):
    settings = Settings.from_env({}, secrets_file=tmp_path / "none.toml")
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'pairmap.db'}"
    assert (settings.tiles, settings.lang) == ("none", "zh")
    assert (settings.window_days, settings.neglect_days, settings.edit_days) == (90, 90, 7)
    assert settings.warm_seconds == 60
    off = Settings.from_env({"PAIRMAP_WARM_SECONDS": "0"}, secrets_file=tmp_path / "none.toml")
    assert off.warm_seconds == 0


def test_environment_wins_over_secrets(tmp_path: Path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('PAIRMAP_TILES = "osm"\nPAIRMAP_WINDOW_DAYS = 30\n', encoding="utf-8")
    settings = Settings.from_env({"PAIRMAP_TILES": "tianditu"}, secrets_file=secrets)
    assert settings.tiles == "tianditu"
    assert settings.window_days == 30


@pytest.mark.parametrize(
    ("name", "value"),
    [("PAIRMAP_WINDOW_DAYS", "ninety"), ("PAIRMAP_EDIT_DAYS", "0"), ("PAIRMAP_LANG", "fr"),
     ("PAIRMAP_WARM_SECONDS", "-1"), ("PAIRMAP_WARM_SECONDS", "1.5")],
)
def test_bad_values_are_refused_with_the_setting_named(tmp_path: Path, name: str, value: str):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value}, secrets_file=tmp_path / "none.toml")


def test_database_urls():
    assert resolve_database_url("sqlite:////abs/x.db") == "sqlite:////abs/x.db"
    assert resolve_database_url("sqlite:///rel/x.db", Path("/srv/app")) == "sqlite:////srv/app/rel/x.db"
    assert resolve_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_database_url("sqlite:///:memory:") == "sqlite:///:memory:"
