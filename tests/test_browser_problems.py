"""The problem ledger page in a real browser at 1280×720: an organiser closes the longest
waiting problem with the village's rating and the list shows it closed; a leader's page
holds no resident's name (the organiser's page, the same problem chosen, does)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.settings import local_today
from tests.test_browser import (
    _fresh_login,
    _sample_app,
    _screenshot,
    _wait_until_idle,
)

pytestmark = pytest.mark.browser
PASSWORD = "ledger-pass-1"
SIZE = (1280, 720)
TEXT = "[data-testid='stMain']"


@pytest.fixture(scope="module")
def ledger_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[str, Path]]:
    """The app on a copy of the sample county with an organiser and a leader."""
    yield from _sample_app(demo_db, tmp_path_factory, "ledger", [
        ("organiser", PASSWORD, "organiser", None), ("leader", PASSWORD, "leader", None)])


def _first_listed(database: Path) -> tuple[int, str | None]:
    """The problem the ledger lists (and chooses) first: the longest waiting open one."""
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT id, resident FROM problems WHERE status IN ('open', 'in_progress') "
            "ORDER BY raised_on, id LIMIT 1").fetchone()


def _stored(database: Path, problem: int) -> tuple:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT status, resolved_on, resolution, satisfaction "
                                  "FROM problems WHERE id = ?", (problem,)).fetchone()


def _open_ledger(browser, url: str, name: str):
    context, page = _fresh_login(browser, f"{url.rstrip('/')}/problems", SIZE, name, PASSWORD)
    page.locator("h1").filter(has_text="诉求台账").wait_for(timeout=60_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    _wait_until_idle(page, timeout=60_000)
    return context, page


def _grid_text(page) -> str:
    """The ledger table's cells in view as the grid's accessible table holds them (row by
    row)."""
    return "\n".join(page.locator("[data-testid='stDataFrame']").first
                     .locator("td").all_inner_texts())


def test_leader_s_page_holds_no_resident_s_name(browser, ledger_app):
    url, database = ledger_app
    problem, resident = _first_listed(database)
    assert resident  # the problem chosen first names its resident
    context, page = _open_ledger(browser, url, "leader")
    try:
        page.get_by_text("诉求内容：").first.wait_for(timeout=30_000)
        page.locator("[data-testid='stDataFrame'] td").first.wait_for(state="attached")
        first = _grid_text(page).split("\n")[0]
        text = page.locator(TEXT).inner_text()
        forms = page.locator("[data-testid='stForm']").count()
        _screenshot(page, "ledger-leader-1280x720")
    except Exception:
        _screenshot(page, "ledger-leader-failed")
        raise
    finally:
        context.close()
    assert first == str(problem) and "诉求内容" in text and forms == 0
    assert resident not in text
    context, page = _open_ledger(browser, url, "organiser")
    try:
        organiser_text = page.locator(TEXT).inner_text()
    finally:
        context.close()
    assert f"反映人：{resident}" in organiser_text  # the check above could fail


def test_organiser_closes_a_problem_with_a_rating(browser, ledger_app):
    from playwright.sync_api import expect

    url, database = ledger_app
    problem, _ = _first_listed(database)
    context, page = _open_ledger(browser, url, "organiser")
    try:
        key = f".st-key-ledger_{problem}_close"
        page.locator(f"{key}_resolution textarea").wait_for(timeout=30_000)
        _screenshot(page, "ledger-organiser-1280x720")
        page.locator(f"{key}_resolution textarea").fill("交通局已修复危桥")
        page.locator(f"{key}_rating [data-testid='stSelectbox']").click()
        page.get_by_role("option", name="不满意", exact=True).click()
        page.locator(f"{key}_submit button").click()
        page.get_by_text(f"诉求 #{problem} 已改为“已办结”。").wait_for(timeout=30_000)
        _wait_until_idle(page)
        details = page.locator(TEXT).inner_text()
        counts = page.get_by_text("列表共")
        unfiltered = counts.inner_text()
        page.locator(".st-key-ledger_status input").click()
        page.keyboard.type("已办结")
        page.keyboard.press("Enter")
        expect(counts).not_to_have_text(unfiltered, timeout=30_000)
        _wait_until_idle(page)
        page.locator("[data-testid='stDataFrame'] td").first.wait_for(state="attached")
        grid = _grid_text(page)
        _screenshot(page, "ledger-closed-1280x720")
    except Exception:
        _screenshot(page, "ledger-organiser-failed")
        raise
    finally:
        context.close()
    today = local_today().isoformat()
    assert _stored(database, problem) == ("resolved", today, "交通局已修复危桥", "不满意")
    assert f"办结日期：{today}；办理结果：交通局已修复危桥；群众评价：不满意" in details
    # The list, filtered to 已办结, starts with it: nothing else was closed today.
    assert grid.split("\n")[:5] == [str(problem), *grid.split("\n")[1:4], "已办结"]
