"""Every page opens under Streamlit's AppTest: no exception, the map's links all local."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.offline import remote_asset_links
from tests.conftest import ROOT

PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture
def app_env(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{demo_copy}")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield demo_copy
    st.cache_resource.clear()
    st.cache_data.clear()


def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page is not None:
        at.switch_page(f"pages/{page}")
    at.run()
    return at


def _components(at: AppTest) -> list:
    return [e for e in at.main if getattr(e, "type", "") == "component_instance"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_exception(app_env: Path, page: str):
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, "a page has a title"


def test_overview_shows_kpis_and_an_offline_map(app_env: Path):
    at = _run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[0] == "已结对村"
    assert "从未走访" in labels
    paired = next(m for m in at.metric if m.label == "已结对村")
    assert paired.value.endswith("/ 96")
    maps = _components(at)
    assert len(maps) == 1
    args = json.loads(maps[0].proto.json_args)
    links = args["js_links"] + args["css_links"]
    assert links, "the map names its scripts"
    assert all(link.startswith("/app/static/") for link in links), links
    assert remote_asset_links(args["script"]) == []
    assert "示意边界" in args["script"] or "\\u793a\\u610f" in args["script"]
    assert args["returned_objects"] == []  # panning and zooming do not rerun the page
    assert any("示意边界" in c.value for c in at.caption)


def test_first_start_on_an_empty_database_seeds_the_sample(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    st.cache_resource.clear()
    st.cache_data.clear()
    at = _run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "已结对村").value.endswith("/ 96")
    st.cache_resource.clear()
    st.cache_data.clear()


def test_bad_settings_give_a_calm_message(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_WINDOW_DAYS", "ninety")
    st.cache_resource.clear()
    at = _run()
    assert not at.exception
    assert at.error and "PAIRMAP_WINDOW_DAYS" in at.error[0].value
    st.cache_resource.clear()


def test_an_unusable_database_gives_a_calm_message(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", "nonsense://nowhere")
    st.cache_resource.clear()
    at = _run()
    assert not at.exception
    assert at.error and "PAIRMAP_DATABASE_URL" in at.error[0].value
    st.cache_resource.clear()
