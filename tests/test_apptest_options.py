"""A message the app shows names the form's field, never a command-line option
(``geo.i18n.translate_error`` with ``interface="form"``); the command line keeps its
options. Pure checks on the catalogue, and the administration page under AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import DataError
from geo.i18n import CATALOGUE, INTERFACES, OPTIONS, translate, translate_error
from tests import test_apptest as shared

app_db = shared.app_db

NAMING_AN_OPTION = [
    DataError("no_crs_not_lonlat", file="villages.zip", extent="500000, 3400000"),
    DataError("declared_lonlat_implausible", file="villages.zip", declared="EPSG:4326",
              extent="500000, 3400000"),
    DataError("no_coordinates_converted", file="villages.zip", crs="EPSG:4546"),
    DataError("outside_china_as_read", file="villages.zip", crs="EPSG:4326",
              extent="0, 0"),
    DataError("bad_src_crs", value="EPSG:abc"),
    DataError("gcj02_needs_lonlat", declared="EPSG:4546"),
    DataError("gcj02_outside_china", extent="0, 0"),
    DataError("several_code_columns", file="villages.zip", columns="XZQDM, CODE"),
    DataError("no_code_column", file="villages.zip", columns="NAME"),
    DataError("no_such_field", file="villages.zip", column="DM", what="代码",
              option="code_field", columns="NAME"),
    DataError("liaison_needs_department", column="department"),
]


def test_every_option_is_named_for_each_interface_in_both_languages():
    for lang in CATALOGUE:
        for name in OPTIONS:
            for interface in INTERFACES:
                assert CATALOGUE[lang].get(f"option.{name}.{interface}"), (lang, name)


@pytest.mark.parametrize("error", NAMING_AN_OPTION, ids=lambda e: e.code)
def test_the_app_names_the_field_and_the_command_line_its_option(error: DataError):
    for lang in CATALOGUE:
        in_app = translate_error(error, lang, interface="form")
        on_command_line = translate_error(error, lang)
        assert "--" not in in_app, in_app
        assert "--" in on_command_line, on_command_line
        assert "{" not in in_app and "{" not in on_command_line


def test_the_fields_a_message_names_are_the_forms_labels():
    """“坐标系”一栏 is the field labelled 坐标系（…）on the data page, and so on."""
    for lang in CATALOGUE:
        for option, label in (("src_crs", "data.src_crs"), ("code_field", "data.code_field"),
                              ("name_field", "data.name_field")):
            field = translate(label, lang).split("（")[0].split(" (")[0]
            assert field in translate(f"option.{option}.form", lang), (lang, option)


@pytest.mark.slow
def test_a_liaison_added_without_a_department_is_told_to_choose_one(app_db: Path):
    at = shared._run(user="admin")
    at.switch_page("app_pages/administration.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="add_username").input("liaison9")
    at.selectbox(key="add_role").set_value("liaison")
    at.text_input(key="add_password").input("a-long-password-9")
    next(b for b in at.button if b.label == "添加").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors == ["单位联络员必须指定单位（请在“单位”中选择）"], errors
