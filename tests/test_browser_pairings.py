"""The pairings page in a real browser at 1280×720: an organiser's bad value is said under
its field and writes nothing, a good one is saved and shown as stored (the note in normal
form); a leader reads the list with no form."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import (
    _fresh_login,
    _sample_app,
    _screenshot,
    _wait_until_idle,
)

pytestmark = pytest.mark.browser
PASSWORD = "pairings-pass-1"
FIRST = 20  # the first pairing listed: 县委办公室 and 大礼村, since 2023-03-01


@pytest.fixture(scope="module")
def pairings_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[str, Path]]:
    """The app on a copy of the sample county with an organiser and a leader."""
    yield from _sample_app(demo_db, tmp_path_factory, "pairings", [
        ("organiser", PASSWORD, "organiser", None), ("leader", PASSWORD, "leader", None)])


def _stored(database: Path) -> tuple:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT required_visits_per_month, note FROM pairings "
                                  "WHERE id = ?", (FIRST,)).fetchone()


def test_organiser_is_told_under_the_field_then_saves(browser, pairings_app):
    url, database = pairings_app
    before = _stored(database)
    context, page = _fresh_login(browser, f"{url.rstrip('/')}/pairings", (1280, 720),
                                 "organiser", PASSWORD)
    try:
        page.get_by_text("修改每月走访次数和备注").wait_for(timeout=60_000)
        _wait_until_idle(page)
        form = page.locator("[data-testid='stForm']").first
        form.get_by_label("每月走访次数").fill("0")
        form.get_by_role("button", name="保存修改").click()
        page.get_by_text("每月走访次数至少为 1（填写的是 0）").wait_for(timeout=30_000)
        _wait_until_idle(page)
        refused = _stored(database)
        _screenshot(page, "pairings-refused-1280x720")
        form.get_by_label("每月走访次数").fill("2")
        form.get_by_label("备注").fill("  每月　第一周 ")
        form.get_by_role("button", name="保存修改").click()
        page.get_by_text(f"已保存编号 {FIRST} 的结对。").wait_for(timeout=30_000)
        _wait_until_idle(page)
        shown = (form.get_by_label("每月走访次数").input_value(),
                 form.get_by_label("备注").input_value())
    except Exception:
        _screenshot(page, "pairings-failed")
        raise
    finally:
        context.close()
    assert refused == before
    assert _stored(database) == (2, "每月 第一周")
    assert shown == ("2", "每月 第一周")


def test_leader_reads_the_list_without_a_form(browser, pairings_app):
    url, _ = pairings_app
    context, page = _fresh_login(browser, f"{url.rstrip('/')}/pairings", (1280, 720),
                                 "leader", PASSWORD)
    try:
        page.get_by_text("结对关系由组织部门维护；您的角色只能查看。").wait_for(timeout=60_000)
        _wait_until_idle(page)
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30_000)
        forms = page.locator("[data-testid='stForm']").count()
        saves = page.get_by_role("button", name="保存修改").count()
        grids = page.locator("[data-testid='stDataFrame']").count()
    finally:
        context.close()
    assert (forms, saves, grids) == (0, 0, 1)


def test_leader_following_a_planner_link_is_told_it_is_refused(browser, pairings_app):
    """A leader's bookmark of the planner opens a refusal, not the overview unexplained;
    the menu still does not list the planner."""
    url, _ = pairings_app
    context, page = _fresh_login(browser, f"{url.rstrip('/')}/planner", (1280, 720),
                                 "leader", PASSWORD)
    try:
        page.get_by_text("您的角色无权查看此页面。").wait_for(timeout=60_000)
        _wait_until_idle(page)
        path = page.evaluate("() => window.location.pathname")
        menu = page.locator("[data-testid='stSidebarNav']").inner_text()
        maps = page.locator("iframe").count()
    except Exception:
        _screenshot(page, "planner-refused-failed")
        raise
    finally:
        context.close()
    assert path.endswith("/planner")
    assert "结对规划" not in menu and "结对关系" in menu
    assert maps == 0
