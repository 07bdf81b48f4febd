"""The briefing page (会议简报) under Streamlit's AppTest through app.py: every role opens
it and gets the three downloads; without the CJK font it names the package and offers
the workbook alone; its briefing is the command line's, and its files are made by geo."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from geo import db
from geo.access import Role, User
from geo.briefing import fonts
from geo.briefing.data import load_briefing
from geo.period import Period
from geo.settings import local_today
from tests import test_apptest as shared

# The AppTest set-up of test_apptest.py: its database with a user per role, the
# navigation as in a running server, one run of a page as a logged-in user.
app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run

pytestmark = pytest.mark.slow

PAGE = "app_pages/briefing.py"
BUTTONS = [("briefing_pdf", "下载简报 PDF"), ("briefing_xlsx", "下载简报 Excel"),
           ("briefing_png", "下载地图 PNG")]


def _downloads(at) -> list[tuple[str, str, bool]]:
    """The download buttons: key (the widget id ends with it), label, disabled."""
    found = []
    for button in at.get("download_button"):
        key = next(k for k, _ in BUTTONS if button.proto.id.endswith(k))
        found.append((key, button.proto.label, button.proto.disabled))
    return found


@pytest.mark.parametrize("role", list(shared.USERS))
def test_every_role_gets_the_three_downloads(app_db: Path, role: str):
    at = _run(PAGE, user=role)  # test_apptest.py opens it through app.py's navigation
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error and not shared.page_warnings(at)
    assert [h.value for h in at.title] == ["会议简报"]
    assert at.caption[0].value == f"截至 {local_today().isoformat()}，近 90 天"
    assert _downloads(at) == [(key, label, False) for key, label in BUTTONS]
    assert any(c.value.startswith("月度走访：") for c in at.caption)


def test_without_the_font_the_page_names_the_package(app_db: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", (tmp_path / "absent.ttc",))
    at = _run(PAGE, user="leader")
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and "fonts-wqy-microhei" in at.error[0].value
    assert _downloads(at) == [(key, label, key != "briefing_xlsx") for key, label in BUTTONS]


def test_the_pages_briefing_is_the_command_lines(app_db: Path):
    """The page gathers the briefing from its cached loaders; the command line loads it
    afresh: the same figures, and the page's workbook is made by geo from them."""
    from ui import loaders

    user = User("leader", Role.LEADER)
    period = Period(local_today(), 90)
    page = loaders.load_briefing(user, period)
    engine = db.make_engine(f"sqlite:///{app_db}")
    try:
        direct = load_briefing(engine, user, period, 90, local_today())
    finally:
        engine.dispose()
    assert (page.kpis, page.previous) == (direct.kpis, direct.previous)
    assert list(page.neglected["code"]) == list(direct.neglected["code"])
    assert page.red.equals(direct.red) and page.black.equals(direct.black)
    assert page.months.equals(direct.months) and page.county == "兴山县"
    book = openpyxl.load_workbook(io.BytesIO(loaders.briefing_file(page, "xlsx")()))
    assert book.sheetnames[:3] == ["说明", "关键指标", "最需关注村"]
    assert book["最需关注村"]["C2"].value == page.neglected["village"].iloc[0]
