"""The briefing page (会议简报) in a real browser: each button downloads its file, made on
the click (in Streamlit's deferred download, on a thread of its own), and the page asks
nothing of another origin.

AppTest cannot show this: it has no runtime to serve a deferred download, so the maker
behind each button never runs there.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from matplotlib import image
from pypdf import PdfReader

from tests.test_browser import _add_user_with_the_cli, _fresh_login, _screenshot, _start_app

pytestmark = pytest.mark.browser
LEADER, LEADER_PASSWORD = "chief", "briefing-pass-1"
BUTTONS = {"pdf": "下载简报 PDF", "xlsx": "下载简报 Excel", "png": "下载地图 PNG"}


@pytest.fixture(scope="module")
def briefing_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a copy of the sample county with a county leader."""
    database = tmp_path_factory.mktemp("briefing-browser") / "pairmap.db"
    shutil.copy(demo_db, database)
    _add_user_with_the_cli(database, LEADER, LEADER_PASSWORD, "leader")
    yield from _start_app(database)


def test_each_button_downloads_its_file_and_nothing_leaves_the_origin(
        browser, briefing_app: str, tmp_path: Path):
    url = briefing_app
    requested: list[str] = []
    context, page = _fresh_login(browser, f"{url.rstrip('/')}/briefing", (1280, 720),
                                 LEADER, LEADER_PASSWORD,
                                 prepare=lambda p: p.on("request",
                                                        lambda r: requested.append(r.url)))
    files = {}
    try:
        page.get_by_text(BUTTONS["pdf"]).wait_for(timeout=60_000)
        for kind, label in BUTTONS.items():
            with page.expect_download(timeout=120_000) as download:
                page.get_by_text(label).click()
            files[kind] = (download.value.suggested_filename,
                           Path(download.value.path()).read_bytes())
        _screenshot(page, "briefing-1280x720")
    except Exception:
        _screenshot(page, "briefing-failed")
        raise
    finally:
        context.close()
    assert {kind: name.rsplit(".", 1)[1] for kind, (name, _) in files.items()} == {
        "pdf": "pdf", "xlsx": "xlsx", "png": "png"}
    assert all(name.startswith("会议简报_兴山县_") for name, _ in files.values())
    pdf = PdfReader(io.BytesIO(files["pdf"][1]))
    assert 1 <= len(pdf.pages) <= 2 and "兴山县" in pdf.pages[0].extract_text()
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"][1]))
    assert book.sheetnames[0] == "说明"
    assert image.imread(io.BytesIO(files["png"][1]), format="png").shape[1] >= 1600
    origin = urlsplit(url).netloc
    assert requested and {urlsplit(u).netloc for u in requested
                          if not u.startswith(("data:", "blob:"))} == {origin}


def test_the_visit_records_download_holds_the_records_counted_above_it(
        browser, briefing_app: str):
    """The visit list's CSV is made on the click (a province's 90 days are 129,000 rows,
    which made every run of the page write the file) and holds the rows the caption
    counts."""
    import csv
    import re

    context, page = _fresh_login(browser, f"{briefing_app.rstrip('/')}/visits", (1280, 720),
                                 LEADER, LEADER_PASSWORD)
    try:
        caption = page.get_by_text(re.compile(r"^共 \d+ 条走访记录$"))
        caption.wait_for(timeout=60_000)
        counted = int(re.search(r"\d+", caption.inner_text()).group())
        with page.expect_download(timeout=120_000) as download:
            page.locator(".st-key-visits_download button").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    finally:
        context.close()
    assert download.value.suggested_filename == "visits.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert counted > 0 and len(rows) == counted
