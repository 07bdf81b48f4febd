"""The warming thread (``ui/warm.py``) on the two-county province built in code: it fills
the caches the overview reads, and warms again when the data change."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from geo import db, store
from geo.access import Role, User
from geo.period import Period
from geo.settings import local_today
from tests import test_apptest as shared
from tests import two_counties
from ui import loaders, warm

pytestmark = pytest.mark.slow
LEADER = User("leader", Role.LEADER)


@pytest.fixture
def province_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'pairmap.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as connection:
        two_counties.add_two_counties(connection)
    engine.dispose()
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", url)
    shared._clear_caches()
    yield url
    shared._clear_caches()


def _until(condition, timeout: float = 60) -> None:
    """Poll ``condition`` until it holds (a readiness poll), failing after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_warming_fills_what_the_overview_reads(province_url: str,
                                               monkeypatch: pytest.MonkeyPatch):
    key = warm.warm_overview()
    assert key == (local_today(), loaders.data_key())

    def computed(*args, **kwargs):
        raise AssertionError("computed again, not found warm")

    monkeypatch.setattr(loaders.reports, "load_coverage_inputs", computed)
    monkeypatch.setattr(loaders, "load_department_inputs", computed)
    period = Period(local_today(), 90)
    data = loaders.load_coverage(LEADER, period)
    assert data.overview.kpis.villages == 4 * two_counties.VILLAGES_PER_TOWNSHIP
    report = loaders.load_department_report(LEADER, period)
    assert len(report.ranked) == 2  # a 组织部 in each county


def test_the_thread_warms_again_when_the_data_change(province_url: str):
    warmer = warm.Warmer(poll=0.05)
    warmer.start()
    try:
        _until(lambda: warmer.warmed is not None)
        first = warmer.warmed
        engine = db.make_engine(province_url)
        with engine.begin() as connection:
            store.bump_data_version(connection)
        engine.dispose()
        _until(lambda: warmer.warmed != first)
        assert warmer.warmed == warm.current_key()
    finally:
        warmer.stop()
        warmer.join(timeout=60)
    assert not warmer.is_alive()


def test_start_warming_once_per_process_and_not_when_turned_off(
        province_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_WARM_SECONDS", "0")
    shared._clear_caches()
    assert warm.start_warming() is None
    monkeypatch.setenv("PAIRMAP_WARM_SECONDS", "3600")
    shared._clear_caches()
    first = warm.start_warming()
    try:
        assert first is not None and first.poll == 3600
        assert warm.start_warming() is first
    finally:
        first.stop()
        first.join(timeout=60)


def test_a_thread_ended_by_an_error_is_replaced_at_the_next_run(
        province_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_WARM_SECONDS", "3600")
    shared._clear_caches()

    def broken() -> tuple:
        raise OSError("the database went away for a moment")

    monkeypatch.setattr(warm, "warm_overview", broken)
    monkeypatch.setattr(warm.threading, "excepthook", lambda args: None)  # quiet here
    failed = warm.start_warming()
    failed.join(timeout=60)
    assert not failed.is_alive() and failed.warmed is None
    monkeypatch.undo()
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", province_url)
    monkeypatch.setenv("PAIRMAP_WARM_SECONDS", "3600")
    shared._clear_caches()
    again = warm.start_warming()
    try:
        assert again is not failed
        _until(lambda: again.warmed is not None)
    finally:
        again.stop()
        again.join(timeout=60)
