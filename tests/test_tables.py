"""Spreadsheet exports keep formula-like text inert."""

import io

import openpyxl
import pandas as pd
import pytest

from geo.io.table_files import csv_bytes, neutralise_formula, xlsx_bytes

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_gets_a_quote(text):
    assert neutralise_formula(text) == "'" + text


def test_other_values_are_unchanged():
    assert neutralise_formula("龙池村") == "龙池村"
    assert neutralise_formula(-5) == -5
    assert neutralise_formula(None) is None


def test_xlsx_and_csv_downloads_hold_no_live_formula():
    frame = pd.DataFrame({"summary": FORMULAS, "count": range(len(FORMULAS))})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, "visits")))
    cells = [c for row in book["visits"].iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    values = [c.value for c in cells if c.column == 1]
    assert len(values) == len(FORMULAS) and all(v.startswith("'") for v in values)
    text = csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("'=1+1,0")
