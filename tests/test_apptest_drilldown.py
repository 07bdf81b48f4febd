"""The drill-down under Streamlit's AppTest through app.py, on a two-county province built
in code (``tests.two_counties``): the overview opens on the province's counties, with
the breadcrumb, and the selectors open a county and a township (its villages)."""

from __future__ import annotations

import sqlite3
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


def test_the_neglected_list_follows_the_unit_chosen_above_it(province_db: Path):
    """With several counties the neglected page has the drill-down's selectors instead
    of a township box (1,475 townships in Hubei), and lists the chosen unit's villages."""
    at = _run(user="leader")
    at.switch_page("app_pages/neglected.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [s for s in at.selectbox if s.key == "neglected_township"]
    villages = 4 * two_counties.VILLAGES_PER_TOWNSHIP
    whole = at.caption[1].value
    assert whole.endswith(f"（湖北省共 {villages} 个）"), whole
    at.selectbox(key="drill_neglected_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_neglected_county").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    caption = at.caption[1].value
    assert caption.endswith(f"（{COUNTIES[WEST]}共 {villages // 2} 个）"), caption
    listed = {code for frame in at.dataframe for code in frame.value.get("code", [])}
    assert listed and all(code.startswith(WEST[:6]) for code in listed)


def test_the_departments_page_reports_the_departments_of_the_unit_chosen(
        province_db: Path):
    """With each department's county (the villages' 6 digits), the ranking of a county
    holds its own departments only; the whole province ranks both."""
    _set_department_counties(province_db)
    at = _run(user="leader")
    at.switch_page("app_pages/departments.py").run()
    assert not at.exception, [e.value for e in at.exception]
    ranking = next(f.value for f in at.dataframe if "score" in f.value)
    assert sorted(ranking["name"]) == sorted(f"{name}组织部" for name in COUNTIES.values())
    at.selectbox(key="drill_departments_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_departments_county").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    ranking = next(f.value for f in at.dataframe if "score" in f.value)
    assert ranking["name"].tolist() == [f"{COUNTIES[WEST]}组织部"]
    assert ranking["rank"].tolist() == [1]


def _set_department_counties(path: Path) -> None:
    """Give D01 the west county and D02 the east (``two_counties`` leaves them none)."""
    connection = sqlite3.connect(path)
    with connection:
        for code, county in (("D01", WEST[:6]), ("D02", EAST[:6])):
            connection.execute("UPDATE departments SET county_code = ? WHERE code = ?",
                               (county, code))
        connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
    connection.close()


def _red_and_black(at) -> list[str]:
    return [link.value for link in at.get("page_link") if link.proto.page == "departments"]


def test_the_red_and_black_lists_name_the_county_where_the_unit_holds_several(
        province_db: Path):
    """Above one county a department's name in the lists follows its county's (every
    county has a 组织部 of the same kind; the county first, as a narrow column cuts the
    end of a line short); within one county it does not."""
    _set_department_counties(province_db)
    at = _run(user="leader")
    assert not at.exception, [e.value for e in at.exception]
    names = {f"{COUNTIES[WEST]}组织部": COUNTIES[WEST], f"{COUNTIES[EAST]}组织部": COUNTIES[EAST]}
    listed = _red_and_black(at)
    assert sorted(line.split("\u3000")[-1] for line in listed) == sorted(
        f"{county}·{name}" for name, county in names.items())
    at.selectbox(key="drill_overview_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_overview_county").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [line.split("\u3000")[-1] for line in _red_and_black(at)] == [
        f"{COUNTIES[WEST]}组织部"]


def test_the_problem_ledger_lists_the_unit_chosen_above_it(province_db: Path):
    east_town = next(iter(TOWNSHIPS[EAST]))
    connection = sqlite3.connect(province_db)
    with connection:
        for village, text in ((f"{TOWN[:9]}001", "西边的路"), (f"{east_town[:9]}001", "东边的桥")):
            connection.execute(
                "INSERT INTO problems (village_code, raised_on, department_code, category,"
                " description, due_date, status) VALUES (?, ?, 'D01', '基础设施', ?, ?,"
                " 'open')", (village, str(two_counties.AS_OF), text,
                             str(two_counties.AS_OF)))
        connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
    connection.close()
    at = _run(user="leader")
    at.switch_page("app_pages/problems.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [s for s in at.selectbox if s.key == "ledger_township"]
    assert sorted(at.dataframe[0].value["description"]) == ["东边的桥", "西边的路"]
    at.selectbox(key="drill_ledger_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_ledger_county").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["description"].tolist() == ["西边的路"]


def test_visit_records_follow_the_unit_and_name_each_department_s_county(
        province_db: Path):
    """With several counties the visit records have the drill-down's selectors instead of
    a flat township box, and the department box names each department's county; in one
    county it offers that county's departments only."""
    _set_department_counties(province_db)
    at = _run(user="leader")
    at.switch_page("app_pages/visit_records.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [s for s in at.selectbox if s.key == "visits_township"]
    everywhere = at.dataframe[0].value  # each county's 组织部 visits its own villages
    assert set(everywhere["department"]) == {f"{name}组织部" for name in COUNTIES.values()}
    box = at.selectbox(key="visits_department")
    assert box.options[1:] == [
        f"{COUNTIES[WEST]}·{COUNTIES[WEST]}组织部", f"{COUNTIES[EAST]}·{COUNTIES[EAST]}组织部"]
    at.selectbox(key="drill_visits_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_visits_county").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    west = at.dataframe[0].value
    assert set(west["department"]) == {f"{COUNTIES[WEST]}组织部"}
    assert len(west) == (everywhere["department"] == f"{COUNTIES[WEST]}组织部").sum() > 0
    box = at.selectbox(key="visits_department")
    assert box.options[1:] == [
        f"{COUNTIES[WEST]}组织部"]


def test_a_visit_recomputes_its_own_county_only(province_db: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    """The overview's coverage is kept per county: after a visit is recorded in one
    county, the next run reads that county's records again and not the other's, and the
    cards count the visit."""
    from datetime import timedelta

    from geo import records, reports
    from geo.access import Role, User

    at = _run(user="leader")
    assert not at.exception, [e.value for e in at.exception]
    never_before = int(at.metric[2].value)
    loaded: list[str | None] = []
    load = reports.load_coverage_inputs

    def counting(engine, actor, period, neglect_days, county=None):
        loaded.append(county)
        return load(engine, actor, period, neglect_days, county)

    monkeypatch.setattr(reports, "load_coverage_inputs", counting)
    engine = db.make_engine(f"sqlite:///{province_db}")
    never_visited = f"{TOWN[:9]}006"  # neither paired nor visited (two_counties)
    records.add_visit(engine, User("cli:test", Role.ADMIN), records.VisitInput(
        date=two_counties.AS_OF - timedelta(days=1), department_code="D01",
        village_code=never_visited, kind="政策宣讲", summary="入户走访"),
        two_counties.AS_OF)
    engine.dispose()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(loaded) == {WEST[:6]}, loaded
    assert int(at.metric[2].value) == never_before - 1


def test_the_unit_chosen_on_the_overview_is_the_unit_of_the_other_pages(province_db: Path):
    at = _run(user="leader")
    at.selectbox(key="drill_overview_city").set_value(two_counties.CITY).run()
    at.selectbox(key="drill_overview_county").set_value(WEST).run()
    at.switch_page("app_pages/neglected.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _breadcrumb(at) == f"当前范围：湖北省 › 宜昌市 › {COUNTIES[WEST]}"
    assert at.selectbox(key="drill_neglected_county").value == WEST
    at.switch_page("app_pages/overview.py").run()
    assert _breadcrumb(at) == f"当前范围：湖北省 › 宜昌市 › {COUNTIES[WEST]}"
