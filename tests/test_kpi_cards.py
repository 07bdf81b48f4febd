"""The KPI cards' value sizing (``ui.widgets.kpi_value_css``), on hand-checked widths:
Source Sans's digits are 0.497 em wide, a space 0.2 em, a slash 0.35 em and a percent
sign 0.824 em (measured in Chromium); a value may take 90 % of its card's width."""

from __future__ import annotations

import re

import pytest

from ui.widgets import kpi_value_css


def _fitting_cqi(css: str) -> float:
    return float(re.search(r"min\(var\(--kpi-value-size, 2\.25rem\), ([\d.]+)cqi\)",
                           css).group(1))


@pytest.mark.parametrize(("value", "cqi"), [
    # the wider of "24352 /" and "27057": 5 × 0.497 + 0.2 + 0.35 = 3.035 em
    ("24352 / 27057", 29.7),
    # "86 /" against "96": 2 × 0.497 + 0.2 + 0.35 = 1.544 em
    ("86 / 96", 58.3),
    # no space, so one line: 4 × 0.497 = 1.988 em
    (1662, 45.3),
    # 2 × 0.497 + 0.824 = 1.818 em
    ("82%", 49.5),
])
def test_a_value_is_sized_so_that_its_wider_line_fits_its_card(value: object, cqi: float):
    css = kpi_value_css("kpi_card_0", value)
    assert _fitting_cqi(css) == cqi
    # the card's own size is the most; the value may wrap (Streamlit's is nowrap)
    assert (".st-key-kpi_card_0 [data-testid='stMetricValue'] "
            "{ container-type: inline-size; }") in css
    assert "white-space: normal !important" in css


def test_a_character_not_measured_counts_as_wide_as_a_cjk_one():
    # "—" (a missing value) and 无 count 1 em each: 90 / 2
    assert _fitting_cqi(kpi_value_css("kpi_card_1", "—无")) == 45.0
