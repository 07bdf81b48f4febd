"""The drill-down in Chromium on a two-county province built in code
(``tests.two_counties``): the overview opens on the counties, a click on one opens its
villages with the breadcrumb, and no request leaves the app's origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geo import db
from tests import two_counties
from tests.test_browser import (
    MAP_FRAME,
    _add_user_with_the_cli,
    _fresh_login,
    _start_app,
    _wait_until_idle,
)

pytestmark = pytest.mark.browser
LEADER, PASSWORD = "leader1", "browser-pass-1"
BREADCRUMB = "[data-testid='stMarkdownContainer']:has-text('当前范围')"


@pytest.fixture(scope="module")
def province_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("drill") / "pairmap.db"
    engine = db.make_engine(f"sqlite:///{database}")
    db.upgrade(engine)
    with engine.begin() as connection:
        two_counties.add_two_counties(connection)
    engine.dispose()
    _add_user_with_the_cli(database, LEADER, PASSWORD, "leader")
    yield from _start_app(database)


def _paths(page) -> int:
    return page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").count()


def test_a_click_on_a_county_opens_its_villages(browser, province_app: str):
    context, page = _fresh_login(browser, province_app, (1280, 900), LEADER, PASSWORD)
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith(province_app.rstrip("/")) else None)
    try:
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
        _wait_until_idle(page)
        assert page.locator(BREADCRUMB).inner_text().strip() == "当前范围：湖北省"
        assert _paths(page) == len(two_counties.COUNTIES)
        frame.locator("path.leaflet-interactive").first.click(force=True)
        page.wait_for_function(
            "() => [...document.querySelectorAll('p')].some("
            "p => p.innerText.startsWith('当前范围') && p.innerText.includes('县'))",
            timeout=60_000)
        _wait_until_idle(page)
        crumb = page.locator(BREADCRUMB).inner_text().strip()
        county = next(name for name in two_counties.COUNTIES.values() if name in crumb)
        assert crumb == f"当前范围：湖北省 › 宜昌市 › {county}"
        villages = 2 * two_counties.VILLAGES_PER_TOWNSHIP
        page.wait_for_function(
            f"() => {{ const f = document.querySelector(\"{MAP_FRAME}\");"
            " return f && f.contentDocument && f.contentDocument.querySelectorAll("
            f"'path.leaflet-interactive').length === {villages}; }}", timeout=60_000)
        assert foreign == []
    finally:
        context.close()
