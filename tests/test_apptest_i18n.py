"""The two languages under Streamlit's AppTest, through app.py: every page (as the
administrator, and as the roles whose texts differ on the pages where they do, ``SWEEP``)
in English shows no Chinese but data values, in Chinese no English words but codes,
units and file formats; the sidebar's switch changes the language, and it stays changed
on the next page.

What the browser draws from Streamlit's own fixed texts (the file uploader's "Browse
files", a table toolbar's tooltips …) is not in the elements AppTest sees; the README
lists them under Known limits, and ``STREAMLIT_FIXED_TEXTS`` below is that list
(``test_the_readme_lists_streamlit_s_fixed_texts`` keeps the two the same).
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.testing.v1 import AppTest

import ui.session
from geo.i18n import CATALOGUE
from geo.maps import MAP_LABEL_GROUPS
from tests import test_apptest as shared
from tests.conftest import ROOT
from ui.session import LANGUAGE_STATE, LANGUAGE_SWITCH

# The AppTest set-up of test_apptest.py: its database with a user per role, the
# navigation as in a running server, one run of a page as a logged-in user.
app_db = shared.app_db
_navigation_as_in_the_server = shared._navigation_as_in_the_server
_session = shared._session

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
QUERY = re.compile(r"[?&]\w+=\w*")
LANGUAGE_NAMES = {"中文", "English"}
"""The switch shows each language in its own name, in both languages."""
ENGLISH_IN_CHINESE = {
    # file formats, products and units the Chinese texts name as they are written
    "CSV", "Excel", "XLSX", "GeoJSON", "Shapefile", "GeoPackage", "SQLite", "PostgreSQL",
    "pg_dump", "EPSG", "gcj02", "GPS", "MB", "PDF", "PNG",
    # the file types a file uploader lists in capitals (Streamlit's, from the types allowed)
    "GEOJSON", "JSON", "ZIP", "GPKG",
}
"""English words the Chinese UI may show, besides codes (a word with a digit: XS001,
EPSG:4546) and data values."""
STREAMLIT_FIXED_TEXTS = (
    "Upload",  # the file uploader's button
    "per file",  # its line "200MB per file • CSV, XLSX"
    "Search",  # a table's toolbar (tooltips)
    "Download as CSV",
    "Fullscreen",
    "Show/hide columns",
    "Add row",  # the planner's table of locked and excluded pairs
    "Show data",  # a chart's menu
    "Download as PNG",
    "yyyy/mm/dd",  # an empty date field
    "Page not found",  # an address outside the navigation, before the login
)
"""Streamlit's own English, drawn by the browser in either language (README, Known
limits); the real-browser test ``tests/test_browser_i18n.py`` finds the uploader's in
the Chinese pages and nothing else."""
TEXT_FIELDS = {"label", "body", "help", "placeholder", "options", "delta",
               "delta_description", "raw_value", "value", "default", "caption", "captions"}
"""The proto fields of an element that a person reads (not its id, form, type, URL …)."""
CARD_PAGE = "neglected"  # the page whose first row opens a village card in the sweep
SWEEP = {
    "admin": shared.NAVIGATION["admin"],
    "liaison": ["departments", "pairings", "record_visits", "visit_records", "problems",
                "data"],
    "leader": ["problems"],
}
"""The pages swept in each language, by role: every page as the administrator, who sees
them all with every control; and the pages whose texts change for a role (``can`` or
``Role.LIAISON`` in ``app_pages/``): as a liaison, its own department's forms, records
and problems and the read-only pairings and data pages; as a leader, the problem ledger
without a write. The organiser sees a subset of the administrator's pages, the same."""


def data_values(path: Path) -> list[str]:
    """The sample database's names and texts a person typed or the county fixed (units,
    departments, cadres, kinds, notes, summaries, user names, audited keys, problems'
    descriptions, residents, resolutions and progress notes), longest first: a
    page shows them as they are (a note in the text normal form), in either language."""
    queries = ("SELECT name FROM admin_units", "SELECT short_name FROM admin_units",
               "SELECT name FROM departments", "SELECT kind FROM departments",
               "SELECT name FROM cadres", "SELECT kind FROM pairings",
               "SELECT note FROM pairings", "SELECT kind FROM visits",
               "SELECT summary FROM visits", "SELECT display_name FROM users",
               "SELECT username FROM users", "SELECT username FROM audit_log",
               "SELECT entity_key FROM audit_log", "SELECT description FROM problems",
               "SELECT resident FROM problems", "SELECT resolution FROM problems",
               "SELECT text FROM problem_notes")
    with sqlite3.connect(path) as connection:
        found = {row[0] for query in queries for row in connection.execute(query)
                 if isinstance(row[0], str) and len(row[0]) >= 2}
    found |= {unicodedata.normalize("NFKC", value) for value in found}  # as a note shows
    return sorted(found, key=len, reverse=True)


def _strings(message: object, field: str = "") -> Iterator[tuple[str, str]]:
    """(field name, text) of every string field of a protobuf ``message``, nested ones
    included."""
    for descriptor, value in message.ListFields():
        for item in value if descriptor.is_repeated else [value]:
            if hasattr(item, "ListFields"):  # a nested message
                yield from _strings(item, descriptor.name)
            elif isinstance(item, str):
                yield descriptor.name, item


def _walk(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _titles(spec: object) -> Iterator[str]:
    """The titles and labels a chart's Vega-Lite spec shows."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "labelExpr") and isinstance(value, str):
                yield value
            else:
                yield from _titles(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _titles(value)


def unescaped(text: str) -> str:
    """A map's arguments with its ``\\uXXXX`` escapes, at any depth of JSON within
    JavaScript within JSON, as the characters they stand for."""
    return re.sub(r"\\+u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), text)


def shown_texts(at: AppTest) -> tuple[list[str], list[str]]:
    """What the elements of the last run show: texts (labels, bodies, helps, options,
    table headers and cells, chart titles) and the maps' HTML (checked on its own)."""
    texts, maps = [], []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        kind = type(node).__name__
        if proto is None or kind == "Html":  # st.html draws the page's style and cookie
            continue
        for field, text in _strings(proto):
            if field in TEXT_FIELDS:
                texts.append(text)
            elif field == "json_args":
                maps.append(unescaped(text))
            elif field == "spec":
                texts += list(_titles(json.loads(text)))
        if kind == "Dataframe":
            texts += table_texts(node)
    return texts, maps


def table_texts(table: object) -> list[str]:
    """A table's headers (a column's label, else its name) and helps, and its text cells,
    of the columns it shows."""
    frame = table.value
    configs = json.loads(table.proto.columns or "{}")
    shown = list(table.proto.column_order) or [str(c) for c in frame.columns]
    texts = []
    for column in shown:
        config = configs.get(column) or {}
        if config.get("hidden") or column not in frame.columns:
            continue
        texts += [str(config.get("label", column)), str(config.get("help", ""))]
        if frame[column].dtype.kind not in "biufcmM":
            texts += [str(value) for value in frame[column].dropna().unique()]
    return texts


def without(text: str, values: list[str]) -> str:
    """``text`` with every data value (longest first) taken out."""
    for value in values:
        if value in text:
            text = text.replace(value, " ")
    return text


def chinese_left(texts: list[str], values: list[str]) -> list[str]:
    """The texts that still hold Chinese once data values and language names are out."""
    return [text for text in texts
            if CJK.search(without(text, [*values, *LANGUAGE_NAMES]))]


def chinese_in_map(markup: str, values: list[str]) -> list[str]:
    """Chinese left in a map's HTML and script once data values are out, each with the
    text before it."""
    left = without(markup, [*values, *LANGUAGE_NAMES])
    return re.findall(r".{0,40}[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+", left)


def english_left(texts: list[str], values: list[str]) -> list[str]:
    """The texts that hold an English word once data values are out: a word of two or
    more letters that is no code (it has no digit, it is no address's ``?name=value``),
    no language name and not one of ``ENGLISH_IN_CHINESE``."""
    def english(text: str) -> bool:
        words = WORD.findall(QUERY.sub(" ", without(text, [*values, *LANGUAGE_NAMES])))
        return any(len(w) > 1 and not any(c.isdigit() for c in w)
                   and w not in ENGLISH_IN_CHINESE for w in words)
    return [text for text in texts if english(text)]


def english_map_labels() -> set[str]:
    """The English texts of the map's labels that differ from Chinese, except a single
    lower-case word, which a script or a style may hold too ("none")."""
    return {text for key, text in CATALOGUE["en"].items()
            if key.split(".")[0] in MAP_LABEL_GROUPS and WORD.search(text)
            and "{" not in text and text != CATALOGUE["zh"][key]
            and not re.fullmatch(r"[a-z]+", text)}


@pytest.fixture(autouse=True)
def _format_functions_in_the_tab_s_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest calls a select box's ``format_func`` after the run, outside the session,
    where ``ui.session.language`` cannot read the tab's choice; a server calls it during
    the run. Outside a run, answer the language of the last run."""
    real = ui.session.language
    last = {"lang": "zh"}

    def language() -> str:
        if get_script_run_ctx() is None:
            return last["lang"]
        last["lang"] = real()
        return last["lang"]

    monkeypatch.setattr(ui.session, "language", language)


def _sweep(role: str) -> Iterator[tuple[str, AppTest]]:
    """The pages ``SWEEP`` lists for ``role``, after one run of app.py, the neglected page
    with the first village's card open; (page, the app after it ran)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[shared.SESSION_TOKEN] = _session(role)
    at.run()
    for page in SWEEP[role]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page == CARD_PAGE:
            at.session_state["neglected_severe"] = {
                "selection": {"rows": [0], "columns": [], "cells": []}}
            at.run()
            assert len(at.subheader) > 2, page  # the card's title
        yield page, at


@pytest.mark.slow  # AppTest runs of app.py
@pytest.mark.parametrize("role", list(SWEEP))
def test_the_english_ui_shows_no_chinese_but_data_values(
        app_db: Path, role: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_LANG", "en")
    shared._clear_caches()
    values = data_values(app_db)
    for page, at in _sweep(role):
        texts, maps = shown_texts(at)
        assert len(texts) > 5, page
        left = chinese_left(texts, values)
        assert left == [], (page, left)
        assert [chinese_in_map(markup, values) for markup in maps] == [[]] * len(maps), page
        assert not any(CJK.search(h.value) for h in at.title), page
        assert [b.label for b in at.sidebar.button] == ["Log out"]


@pytest.mark.slow  # AppTest runs of app.py
@pytest.mark.parametrize("role", list(SWEEP))
def test_the_chinese_ui_shows_no_english_but_codes(app_db: Path, role: str):
    values = data_values(app_db)
    english_labels = english_map_labels()
    assert {"Whole county", "Paired departments"} <= english_labels
    for page, at in _sweep(role):
        texts, maps = shown_texts(at)
        assert len(texts) > 5, page
        left = english_left(texts, values)
        assert left == [], (page, left)
        for markup in maps:
            assert [label for label in english_labels if label in markup] == [], page


def test_the_sweep_covers_every_page_each_role_may_open():
    assert set(SWEEP["admin"]) == set().union(*shared.NAVIGATION.values())
    for role, pages in SWEEP.items():
        assert set(pages) <= set(shared.NAVIGATION[role]), role


def test_the_sweep_finds_chinese_and_english():
    """The checks catch what they look for."""
    values = ["龙池村", "县委办公室"]
    assert chinese_left(["Village 龙池村", "English", "县委办公室 (3)"], values) == []
    assert chinese_left(["龙池村（古夫镇）", "Never 从未"], values) == ["龙池村（古夫镇）",
                                                                        "Never 从未"]
    assert english_left(["下载 CSV", "XS001 县委办公室", "中文", "EPSG:4546", "加 ?present=1"],
                        values) == []
    assert english_left(["导入 file", "Browse files"], values) == ["导入 file", "Browse files"]


@pytest.mark.slow  # AppTest runs of app.py
def test_the_switch_changes_the_language_and_it_stays(app_db: Path):
    """PAIRMAP_LANG is Chinese: the overview opens in Chinese; English chosen in the
    sidebar, its title, the navigation and the logout button are English, and so is the
    next page; Chinese chosen again, it is Chinese."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[shared.SESSION_TOKEN] = _session("organiser")
    at.run()
    switch = at.sidebar.radio(key=LANGUAGE_SWITCH)
    assert switch.options == ["中文", "English"] and switch.value == "zh"
    assert switch.label == "语言"
    assert [h.value for h in at.title] == ["总览"]
    switch.set_value("en").run()
    assert not at.exception
    assert at.session_state[LANGUAGE_STATE] == "en"
    assert [h.value for h in at.title] == ["Overview"]
    assert at.sidebar.radio(key=LANGUAGE_SWITCH).label == "Language"
    assert [b.label for b in at.sidebar.button] == ["Log out"]
    assert "Paired villages" in [m.label for m in at.metric]
    titles = [info["page_name"] for info in at._registered_pages.values()]
    assert "Visit records" in titles and "Audit log" in titles  # the navigation's titles
    at.switch_page("app_pages/visit_records.py").run()
    assert [h.value for h in at.title] == ["Visit records"]
    at.switch_page("app_pages/departments.py").run()
    assert not at.exception
    assert [h.value for h in at.title] == ["Departments"]
    at.sidebar.radio(key=LANGUAGE_SWITCH).set_value("zh").run()
    assert [h.value for h in at.title] == ["单位工作"]


@pytest.mark.slow  # AppTest runs of app.py
def test_pairmap_lang_sets_the_first_language(app_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAIRMAP_LANG", "en")
    shared._clear_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()  # logged out: the login page, with the switch
    assert [b.label for b in at.button] == ["Log in"]
    assert at.sidebar.radio(key=LANGUAGE_SWITCH).value == "en"
    at.sidebar.radio(key=LANGUAGE_SWITCH).set_value("zh").run()
    assert [b.label for b in at.button] == ["登录"]


def test_the_readme_lists_streamlit_s_fixed_texts():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Languages"):readme.index("## Known limits")]
    assert [text for text in STREAMLIT_FIXED_TEXTS if text not in section] == []
