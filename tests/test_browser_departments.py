"""The Departments page (单位工作) and the overview's red and black lists in a real
browser: the charts and the map are drawn with nothing fetched from another origin, a
warning's records open within what the reader may read, and a name on the overview opens
its department. Screenshots at 1280×720 go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_browser import (
    MAP_FRAME,
    _add_user_with_the_cli,
    _fresh_login,
    _screenshot,
    _start_app,
    _wait_until_idle,
)

pytestmark = pytest.mark.browser
ORGANISER, LIAISON, LEADER = "organiser1", "liaison1", "leader1"
PASSWORD = "browser-pass-1"
OWN = "XS001"  # 县委办公室: the liaison's department, with warnings of its own
OTHER, OTHER_NAME = "XS002", "县人大常委会办公室"
COPY = """INSERT INTO visits (date, department_code, village_code, kind, cadre_count,
    cadre_ids, households_visited, problems_raised, problems_resolved, lon, lat, summary,
    record_id, source, created_by, created_at)
  SELECT date('now', '-10 day'), department_code, village_code, kind, cadre_count,
    cadre_ids, households_visited, problems_raised, problems_resolved, lon, lat,
    '同一条走访记录录了两遍', NULL, source, created_by, created_at
  FROM visits WHERE department_code = ? ORDER BY id LIMIT 1"""
CHARTS = "[data-testid='stVegaLiteChart']"


@pytest.fixture(scope="module")
def departments_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[str]:
    database = tmp_path_factory.mktemp("departments") / "pairmap.db"
    shutil.copy(demo_db, database)
    with sqlite3.connect(database) as connection:  # a DUPLICATE warning of another department
        for _ in range(2):
            connection.execute(COPY, (OTHER,))
    _add_user_with_the_cli(database, ORGANISER, PASSWORD, "organiser")
    _add_user_with_the_cli(database, LIAISON, PASSWORD, "liaison", OWN)
    _add_user_with_the_cli(database, LEADER, PASSWORD, "leader")
    yield from _start_app(database)


def _foreign(requests: list[str], url: str) -> list[str]:
    origin = urlsplit(url).netloc
    return [r for r in requests if urlsplit(r).scheme in ("http", "https", "ws", "wss")
            and urlsplit(r).netloc != origin]


def _select_first_row(page, table) -> None:
    """Tick the first row of a selectable table (its first column holds the boxes)."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    _wait_until_idle(page)


def test_charts_and_map_are_drawn_offline(browser, departments_app: str):
    url = departments_app
    requests: list[str] = []
    context, page = _fresh_login(
        browser, f"{url}departments", (1280, 720), ORGANISER, PASSWORD,
        prepare=lambda p: p.on("request", lambda r: requests.append(r.url)))
    try:
        page.get_by_text("单位排名（红黑榜）").wait_for(timeout=60_000)
        _wait_until_idle(page)
        charts = page.locator(CHARTS)
        charts.nth(4).wait_for(timeout=30_000)  # the ranking and four trends
        _screenshot(page, "departments-1280x720")
        heights = [charts.nth(i).locator("canvas, svg").first.bounding_box()["height"]
                   for i in range(charts.count())]
        assert len(heights) == 5 and min(heights) > 150, heights
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("path.leaflet-interactive").nth(95).wait_for(state="attached",
                                                                   timeout=60_000)
        legend = frame.locator(".pairmap-legend").inner_text()
        assert "每月均达标" in legend and "非该单位结对村" in legend
        assert _foreign(requests, url) == []
    finally:
        context.close()


def test_a_liaison_opens_its_own_warnings_records_and_no_others(browser,
                                                                departments_app: str):
    from playwright.sync_api import expect

    context, page = _fresh_login(browser, f"{departments_app}departments", (1280, 720),
                                 LIAISON, PASSWORD)
    try:
        page.get_by_text("形式主义预警").first.wait_for(timeout=60_000)
        # The page's tables are drawn after its text: wait for its own warnings' table.
        page.locator(f".st-key-departments_warnings_{OWN} [data-testid='stDataFrame']"
                     ).wait_for(timeout=60_000)
        _wait_until_idle(page)
        tables = page.locator("[data-testid='stDataFrame']")
        before = tables.count()
        _select_first_row(page, tables.nth(before - 1))  # its own department's warnings
        expect(tables).to_have_count(before + 1, timeout=60_000)  # its records open below
        _screenshot(page, "departments-liaison-own-warning")
        # Another department's warning: none of its records, only how many there are.
        page.locator(".st-key-departments_warnings_department").click()
        page.keyboard.type(OTHER_NAME)
        page.get_by_role("option", name=OTHER_NAME).click()
        # The rerun may not have begun when the click returns, and the old records stay
        # on the page until it ends: wait for the other department's table and for the
        # records to go (readiness polls, not the app's idle mark alone).
        page.locator(f".st-key-departments_warnings_{OTHER} [data-testid='stDataFrame']"
                     ).wait_for(timeout=60_000)
        expect(page.locator("[class*='st-key-departments_warning_visits_']")
               ).to_have_count(0, timeout=60_000)
        _wait_until_idle(page)
        expect(tables).to_have_count(before, timeout=30_000)
        _select_first_row(page, tables.nth(before - 1))
        expect(page.get_by_text("条记录属于其他单位，您无权查看")).to_be_visible(timeout=60_000)
        assert tables.count() == before
        _screenshot(page, "departments-liaison-other-warning")
    finally:
        context.close()


def test_a_name_on_the_overview_opens_its_department(browser, departments_app: str):
    from playwright.sync_api import expect

    context, page = _fresh_login(browser, departments_app, (1280, 720), LEADER, PASSWORD)
    try:
        lists = page.locator(".st-key-overview_red_black")
        lists.get_by_role("link").first.wait_for(timeout=60_000)
        _wait_until_idle(page)
        first = lists.get_by_role("link").first
        name = first.inner_text().split("\u3000")[-1]  # rank, score, name
        first.click()
        page.get_by_text("单位排名（红黑榜）").wait_for(timeout=60_000)
        _wait_until_idle(page)
        code = parse_qs(urlsplit(page.url).query)["department"][0]
        assert code.startswith("XS")
        # The choice is filled in by the page's run: a readiness poll, not one reading.
        expect(page.locator(".st-key-departments_compare")).to_contain_text(
            name, timeout=60_000)
        _screenshot(page, "departments-from-overview")
    finally:
        context.close()
