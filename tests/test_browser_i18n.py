"""Both languages in a real browser: what a person reads on every page of the
administrator (the main area's and the sidebar's text, Streamlit's own included) holds
in Chinese no English word but codes, formats, data values and Streamlit's fixed texts
(``STREAMLIT_FIXED_TEXTS``, listed in the README), and after the switch to English, no
Chinese but data values; the choice holds while the menu changes pages.

The map is drawn in a frame of its own; AppTest checks its labels
(``tests/test_apptest_i18n.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.i18n import translate
from tests.conftest import CHROMIUM_ARGS
from tests.test_apptest_i18n import (
    STREAMLIT_FIXED_TEXTS,
    chinese_left,
    data_values,
    english_left,
)
from tests.test_browser import (
    PASSWORD,
    USERNAME,
    _add_user_with_the_cli,
    _fresh_login,
    _log_in,
    _screenshot,
    _start_app,
    _wait_until_idle,
)
from ui.session import PAGES

pytestmark = pytest.mark.browser
TEXT = "[data-testid='stMain'], [data-testid='stSidebarUserContent']"
ICONS = "[data-testid='stIconMaterial']"


@pytest.fixture
def admin_app(demo_copy: Path) -> Iterator[tuple[str, Path]]:
    _add_user_with_the_cli(demo_copy)
    for url in _start_app(demo_copy):
        yield url, demo_copy


def _streamlit_s_own(text: str) -> str:
    """``text`` without Streamlit's fixed English."""
    for fixed in STREAMLIT_FIXED_TEXTS:
        text = text.replace(fixed, " ")
    return text


def _read_every_page(page, lang: str) -> dict[str, str]:
    """Open each page of the menu in turn, by its title in ``lang`` (the same session),
    and read its text (without the names of Material icons, which show as icons)."""
    texts = {}
    for spec in PAGES:
        more = page.locator("[data-testid='stSidebarNavViewButton']")
        if more.count() and "more" in more.inner_text():
            more.click()
        title = translate(spec.title_key, lang)
        page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first.click()
        page.locator("h1").filter(has_text=title).wait_for(timeout=60_000)
        _wait_until_idle(page, timeout=90_000)
        icons = set(page.locator(ICONS).all_inner_texts())  # a Material icon's name
        texts[spec.url_path] = "\n".join(
            line for line in "\n".join(page.locator(TEXT).all_inner_texts()).splitlines()
            if line.strip() not in icons)
    return texts


def test_each_language_shows_only_its_own_words(chromium: str, admin_app):
    from playwright.sync_api import sync_playwright

    url, database = admin_app
    values = data_values(database)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(url, wait_until="domcontentloaded")
            _log_in(page, USERNAME, PASSWORD)
            page.locator("h1").filter(has_text="总览").wait_for(timeout=60_000)
            _wait_until_idle(page)
            chinese = _read_every_page(page, "zh")
            page.locator("[data-testid='stSidebarUserContent'] label").filter(
                has_text="English").click()
            page.locator("h1").filter(has_text="Administration").wait_for(timeout=60_000)
            _wait_until_idle(page)
            english = _read_every_page(page, "en")
        except Exception:
            _screenshot(page, "languages")
            raise
        finally:
            context.close()
            browser.close()
    assert "Upload" in chinese["data"] and "per file" in chinese["data"]  # Streamlit's
    for path, text in chinese.items():
        lines = _streamlit_s_own(text).splitlines()
        assert english_left(lines, values) == [], path
    for path, text in english.items():
        lines = _streamlit_s_own(text).splitlines()
        assert chinese_left(lines, values) == [], path
    assert english["overview"].count("Overview") >= 1


SHOWN_TEXT = """(box) => [box.innerText, ...[...box.querySelectorAll("input")].map(
    (input) => `${input.value} ${input.placeholder}`)].join(" ")"""
"""What a select box shows: its text, and its input's value or placeholder."""


def test_a_switch_relabels_the_choices_on_its_page(browser, admin_app):
    """The coverage map's layer (a radio, 诉求 chosen) and its township box (全部) read
    Problems and All after a switch to English on that page, the choice kept; before,
    the radio showed no choice and the box went on showing 全部."""
    url, _database = admin_app
    context, page = _fresh_login(browser, f"{url}coverage", (1280, 720))
    layer = page.locator(".st-key-coverage_layer")
    township = page.locator(".st-key-coverage_township")
    try:
        page.get_by_text(translate("coverage.click_hint", "zh")).wait_for(timeout=60_000)
        _wait_until_idle(page)
        layer.get_by_text(translate("layer.problems", "zh"), exact=True).click()
        _wait_until_idle(page)
        page.locator("[data-testid='stSidebarUserContent'] label").filter(
            has_text="English").click()
        page.locator("h1").filter(has_text=translate("page.coverage", "en")).wait_for(
            timeout=60_000)
        _wait_until_idle(page)
        chosen = [text.strip() for text in
                  layer.locator("label:has(input:checked)").all_inner_texts()]
        shown = township.evaluate(SHOWN_TEXT)
        _screenshot(page, "coverage-switched-to-english")
    finally:
        context.close()
    assert chosen == [translate("layer.problems", "en")]
    assert translate("filter.all", "en") in shown and translate("filter.all", "zh") not in shown


UPLOADER_WORDS = """
() => [...document.querySelectorAll("[data-testid='stFileUploaderDropzone']")].map((zone) => {
  const button = zone.querySelector("button [data-testid='stMarkdownContainer'] p");
  const limit = zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span");
  const shown = (node) => getComputedStyle(node, "::after").content;
  return {button: shown(button), limit: shown(limit),
          hidden: [button, limit].every((n) => getComputedStyle(n).fontSize === "0px")};
})
"""


def test_the_file_uploaders_words_are_in_the_ui_language(browser, admin_app):
    """Streamlit writes its uploader's button and limit in English only: the app draws
    them over in the UI language (ui.session.uploader_css)."""
    url, _database = admin_app
    context, page = _fresh_login(browser, f"{url}data", (1280, 720))
    try:
        page.locator("[data-testid='stFileUploaderDropzone']").nth(1).wait_for(
            timeout=60_000)
        _wait_until_idle(page)
        chinese = page.evaluate(UPLOADER_WORDS)
        assert chinese == [{"button": '"选择文件"', "limit": '"每个文件不超过 200 MB"',
                            "hidden": True}] * 2, chinese
        page.locator("[data-testid='stSidebarUserContent'] label").filter(
            has_text="English").click()
        page.locator("h1").filter(has_text="Data").wait_for(timeout=60_000)
        _wait_until_idle(page)
        english = page.evaluate(UPLOADER_WORDS)
        assert english == [{"button": '"Choose a file"', "limit": '"up to 200 MB per file"',
                            "hidden": True}] * 2, english
        _screenshot(page, "uploader-english")
    finally:
        context.close()
