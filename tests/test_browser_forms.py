"""The visit form in a real browser: after 保存 it starts empty again.

AppTest cannot show this: Streamlit's browser keeps a widget's value when only its key is
deleted from the session state and sends it back on the next run, so a form "cleared" that
way came back filled, and a second 保存 stored the same visit twice (found by trying the
app as a liaison).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import (
    CLERK,
    CLERK_PASSWORD,
    _fresh_login,
    _sample_app,
    _screenshot,
    _wait_until_idle,
)

pytestmark = pytest.mark.browser
VILLAGE_NAME = "陈家湾村"
SUMMARY = "帮助销售柑橘，走访农户"


@pytest.fixture(scope="module")
def form_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[str, Path]]:
    """The app on a copy of the sample county with a liaison of XS001."""
    yield from _sample_app(demo_db, tmp_path_factory, "forms",
                           [(CLERK, CLERK_PASSWORD, "liaison", "XS001")])


def _visits(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM visits").fetchone()[0]


def _choose(page, label: str, text: str) -> None:
    """Choose the first option holding ``text`` in the select box labelled ``label``."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    _wait_until_idle(page)


def test_after_a_save_the_form_is_empty_and_a_second_save_stores_nothing(
        browser, form_app):
    url, database = form_app
    before = _visits(database)
    context, page = _fresh_login(browser, f"{url.rstrip('/')}/record", (1280, 720),
                                 CLERK, CLERK_PASSWORD)
    try:
        page.get_by_text("新增走访记录").wait_for(timeout=60_000)
        _wait_until_idle(page)
        _choose(page, "村（社区）", VILLAGE_NAME)
        _choose(page, "类型", "政策宣讲")
        chosen_box = page.get_by_role("combobox", name="村（社区）").first.input_value()
        form = page.locator("[data-testid='stForm']").first
        form.get_by_label("工作内容").fill(SUMMARY)
        form.get_by_label("走访户数").fill("12")
        form.get_by_role("button", name="保存").click()
        page.get_by_text("已保存，编号").wait_for(timeout=30_000)
        _wait_until_idle(page)
        after_first = _visits(database)
        summary = form.get_by_label("工作内容").input_value()
        households = form.get_by_label("走访户数").input_value()
        village_box = page.get_by_role("combobox", name="村（社区）").first.input_value()
        form.get_by_role("button", name="保存").click()
        page.get_by_text("未保存：请按上面各项旁的提示修改后再保存。").wait_for(
            timeout=30_000)
        _wait_until_idle(page)
        shot = _screenshot(page, "record-second-save-1280x720")
    except Exception:
        _screenshot(page, "record-second-save-failed")
        raise
    finally:
        context.close()
    assert after_first == before + 1
    assert (summary, households) == ("", ""), (summary, households)
    assert VILLAGE_NAME in chosen_box, chosen_box  # the box shows what is chosen …
    assert VILLAGE_NAME not in village_box, village_box  # … and nothing after the save
    assert _visits(database) == before + 1  # the second 保存 wrote nothing
    assert shot.stat().st_size > 10_000


def test_no_select_box_says_required_in_english(browser, form_app):
    """The Data page's select boxes always hold a choice (``required=True``); Streamlit's
    English "(required)" beside their labels is hidden."""
    url, _database = form_app
    context, page = _fresh_login(browser, f"{url.rstrip('/')}/data", (1280, 720),
                                 CLERK, CLERK_PASSWORD)
    try:
        page.locator("[data-testid='stSelectbox']").first.wait_for(timeout=60_000)
        _wait_until_idle(page)
        marks = page.locator("[data-testid='stWidgetLabelRequired']")
        present, shown = marks.count(), marks.filter(visible=True).count()
    except Exception:
        _screenshot(page, "data-required-failed")
        raise
    finally:
        context.close()
    assert present > 0 and shown == 0, (present, shown)
