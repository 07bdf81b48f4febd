"""The drill-down under Streamlit's AppTest through app.py, on a two-county province built
in code (``tests.two_counties``): the overview opens on the province's counties, with
the breadcrumb, and the selectors open a county and a township (its villages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import auth, db
from tests import test_apptest as shared
from tests import two_counties
from tests.two_counties import COUNTIES, TOWNSHIPS

_navigation_as_in_the_server = shared._navigation_as_in_the_server
_run = shared._run
_maps = shared._maps

pytestmark = pytest.mark.slow

WEST, EAST = COUNTIES
TOWN = next(iter(TOWNSHIPS[WEST]))


@pytest.fixture
def province_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(auth, "SLEEP", lambda seconds: None)
    path = tmp_path / "pairmap.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.begin() as connection:
        two_counties.add_two_counties(connection)
    auth.create_user(engine, shared.ADMIN, "leader", "leader", None, "password1")
    engine.dispose()
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PAIRMAP_COOKIE_KEY", shared.COOKIE_KEY)
    shared._clear_caches()
    yield path
    shared._clear_caches()


def _map_features(at) -> str:
    maps = _maps(at)
    assert len(maps) == 1
    return maps[0].proto.json_args


def _breadcrumb(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("当前范围"))


def test_overview_opens_on_the_counties_and_drills_down_by_selectors(province_db: Path):
    at = _run(user="leader")
    assert not at.exception, [e.value for e in at.exception]
    assert _breadcrumb(at) == "当前范围：湖北省"
    args = _map_features(at)
    assert all(code in args for code in COUNTIES)  # the counties, coloured
    assert TOWN not in args
    city = at.selectbox(key="drill_overview_city")
    assert city.value is None
    city.set_value(two_counties.CITY).run()
    assert not at.exception
    county = at.selectbox(key="drill_overview_county")
    assert county.options == ["全部县（市、区）", *(COUNTIES[c] for c in sorted(COUNTIES))]
    county.set_value(WEST).run()
    assert not at.exception
    assert _breadcrumb(at) == f"当前范围：湖北省 › 宜昌市 › {COUNTIES[WEST]}"
    args = _map_features(at)
    east_town = next(iter(TOWNSHIPS[EAST]))
    assert f"{TOWN[:9]}001" in args  # its villages, not the other county's
    assert f"{east_town[:9]}001" not in args
    at.selectbox(key="drill_overview_township").set_value(TOWN).run()
    assert not at.exception
    assert _breadcrumb(at) == (f"当前范围：湖北省 › 宜昌市 › {COUNTIES[WEST]} › "
                               f"{TOWNSHIPS[WEST][TOWN]}")
    other_town = list(TOWNSHIPS[WEST])[1]
    args = _map_features(at)
    assert f"{TOWN[:9]}001" in args and f"{other_town[:9]}001" not in args
    at.button(key="drill_overview_up").click().run()
    assert _breadcrumb(at) == f"当前范围：湖北省 › 宜昌市 › {COUNTIES[WEST]}"
    assert at.selectbox(key="drill_overview_township").value is None
    assert at.selectbox(key="drill_overview_county").value == WEST


def test_the_coverage_map_drills_down_too(province_db: Path):
    at = _run(user="leader")
    at.switch_page("app_pages/coverage_map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _breadcrumb(at) == "当前范围：湖北省"
    assert not [s for s in at.selectbox if s.key == "coverage_township"]
    at.selectbox(key="drill_coverage_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_coverage_county").set_value(WEST).run()
    assert not at.exception
    assert f"{TOWN[:9]}001" in _map_features(at)


def test_a_departments_map_shows_its_own_county_only(province_db: Path):
    at = _run(user="leader")
    at.switch_page("app_pages/departments.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="departments_map_department").set_value("D01").run()
    assert not at.exception
    args = _map_features(at)
    west_town, east_town = next(iter(TOWNSHIPS[WEST])), next(iter(TOWNSHIPS[EAST]))
    assert f"{west_town[:9]}001" in args and f"{east_town[:9]}001" not in args


def test_two_counties_without_a_province_open_on_both(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    path = tmp_path / "pairmap.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.begin() as connection:
        two_counties.add_two_counties(connection, top="county")
    auth.create_user(engine, shared.ADMIN, "leader", "leader", None, "password1")
    engine.dispose()
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PAIRMAP_COOKIE_KEY", shared.COOKIE_KEY)
    shared._clear_caches()
    try:
        at = _run(user="leader")
        assert not at.exception, [e.value for e in at.exception]
        assert _breadcrumb(at) == "当前范围：全部"
        args = _map_features(at)
        assert all(code in args for code in COUNTIES)
        at.selectbox(key="drill_overview_county").set_value(EAST).run()
        assert _breadcrumb(at) == f"当前范围：全部 › {COUNTIES[EAST]}"
        east_town = next(iter(TOWNSHIPS[EAST]))
        assert f"{east_town[:9]}001" in _map_features(at)
    finally:
        shared._clear_caches()


def test_the_cards_and_the_comparison_follow_the_unit_on_the_map(province_db: Path):
    """At the province the cards count all 24 villages and the table compares the two
    counties; drilled into a county, they count its 12 villages and compare its
    townships; into a township, its 6 (the tiny province: in each township the first 4
    villages paired, the first 2 visited in the window, the 3rd before it)."""
    at = _run(user="leader")
    assert not at.exception, [e.value for e in at.exception]
    per_town = two_counties.VILLAGES_PER_TOWNSHIP
    assert at.metric[0].value == f"16 / {4 * per_town}"
    assert at.subheader[0].value == "县（市、区）对比"
    table = at.dataframe[0].value
    assert sorted(table["township"]) == sorted(COUNTIES.values())
    assert table["villages"].tolist() == [2 * per_town, 2 * per_town]

    at.selectbox(key="drill_overview_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_overview_county").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[0].value == f"8 / {2 * per_town}"
    assert at.metric[2].value == "6"  # never visited: the 4th, 5th and 6th of each township
    assert at.subheader[0].value == "乡镇对比"
    table = at.dataframe[0].value
    assert sorted(table["township"]) == sorted(TOWNSHIPS[WEST].values())

    at.selectbox(key="drill_overview_township").set_value(TOWN).run()
    assert not at.exception
    assert at.metric[0].value == f"4 / {per_town}"
    assert at.dataframe[0].value["township"].tolist() == [TOWNSHIPS[WEST][TOWN]]
