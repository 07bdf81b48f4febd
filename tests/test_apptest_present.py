"""The overview's presentation mode (会议模式) under AppTest, through app.py: the address's
``?present=1`` turns it on, its toggle turns it off and on again with the address kept in
step; the mode shows the same cards with the as-of date and window, one map as tall as the
window leaves with a full-screen button and a legend adding up to the cards, and the red
and black lists, and hides the sidebar."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import local_today
from tests import test_apptest as shared
from tests.conftest import ROOT
from ui.presentation import PRESENT_KEY, PRESENT_MAP_HEIGHT
from ui.session import SESSION_TOKEN

app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_maps = shared._maps

pytestmark = pytest.mark.slow

CARD_LABELS = ["已结对村", "近90天走访覆盖", "从未走访", "需关注村", "超期未办结"]
STATUS_ROWS = ["已结对·近期有走访", "已结对·超期未走访", "已结对·从未走访", "未结对·近期有走访",
               "未结对·近期无走访"]
HIDES_SIDEBAR = '[data-testid="stSidebar"]'


def _overview(user: str, query: dict[str, str]) -> AppTest:
    """The overview as ``user`` opened at an address with ``query``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[SESSION_TOKEN] = shared._session(user)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _map_args(at: AppTest) -> dict:
    maps = _maps(at)
    assert len(maps) == 1
    return json.loads(maps[0].proto.json_args)


def _legend_counts(args: dict) -> dict[str, int]:
    markup = next(json.loads(m.group()) for m in re.finditer(r'"(?:[^"\\]|\\.)*"',
                                                              args["script"])
                  if "pairmap-legend-body" in m.group())
    return {label: int(count) for label, count in re.findall(r"([^<>]+)：<b>(\d+) 个</b>",
                                                             markup)}


def _hides_sidebar(at: AppTest) -> bool:
    return any(HIDES_SIDEBAR in h.proto.body for h in at.get("html"))


def _presenting(at: AppTest, normal_cards: dict[str, str]) -> None:
    """What the presentation mode shows, checked on ``at``."""
    assert at.toggle(key=PRESENT_KEY).value is True
    assert at.query_params == {"present": "1"}
    assert _hides_sidebar(at)
    assert [h.value for h in at.title] == ["总览"]
    # The as-of date and window (large, beside the toggle) and the same four cards.
    assert f"截至 {local_today().isoformat()}，近 90 天" in [m.value for m in at.markdown]
    assert _cards(at) == normal_cards and list(normal_cards) == CARD_LABELS
    # One map, as tall as the window leaves (shortened in the browser), with a full-screen
    # button from the app's own files; its legend's classes add up to the villages.
    args = _map_args(at)
    assert args["height"] == PRESENT_MAP_HEIGHT
    assert "L.control.fullscreen(" in args["script"]
    assert "/app/static/vendor/leaflet.fullscreen/Control.FullScreen.js" in args["js_links"]
    assert all(link.startswith("/app/static/") for link in args["js_links"]
               + args["css_links"])
    legend = _legend_counts(args)
    villages = int(normal_cards["已结对村"].split(" / ")[1])
    assert sum(legend[row] for row in STATUS_ROWS) == villages == 96
    # The red and black lists (five departments each), and nothing below the map.
    links = [link for link in at.get("page_link") if link.proto.page == "departments"]
    assert len(links) == 10
    assert not at.subheader and not at.dataframe


def _normal(at: AppTest) -> bool:
    """Whether ``at`` shows the normal overview: the sidebar, the as-of caption under the
    title, the map of the usual height without a full-screen button, the township table."""
    args = _map_args(at)
    return (at.toggle(key=PRESENT_KEY).value is False and not _hides_sidebar(at)
            and at.caption[0].value.startswith("截至 ")
            and args["height"] != PRESENT_MAP_HEIGHT
            and "L.control.fullscreen(" not in args["script"]
            and "乡镇对比" in [h.value for h in at.subheader])


def test_the_address_opens_presentation_mode_and_the_toggle_keeps_it_in_step(app_db: Path):
    normal = _overview("leader", {})
    assert _normal(normal)
    cards = _cards(normal)

    at = _overview("leader", {"present": "1"})
    _presenting(at, cards)

    at.toggle(key=PRESENT_KEY).set_value(False).run()
    assert not at.exception
    assert at.query_params == {}  # the address no longer asks for the mode
    assert _normal(at) and _cards(at) == cards

    at.toggle(key=PRESENT_KEY).set_value(True).run()
    assert not at.exception
    _presenting(at, cards)


def test_other_values_of_present_leave_the_overview_as_it_is(app_db: Path):
    at = _overview("liaison", {"present": "yes"})
    assert _normal(at)
    assert at.query_params == {}
