"""``ui.plain``: what a person typed, made inert for Streamlit's markdown (hand-checked)."""

from __future__ import annotations

import pytest

from ui.session import plain

WJ = "\u2060"


@pytest.mark.parametrize(("typed", "escaped"), [
    ("![x](http://203.0.113.9/x.png)", f"\\!\\[x\\](http{WJ}\\://203.0.113.9/x.png)"),
    ("**粗体** _i_ `c`", "\\*\\*粗体\\*\\* \\_i\\_ \\`c\\`"),
    ("<img src=x>", "\\<img src=x\\>"),
    ("HTTPS://a.cn and www.b.cn", f"HTTPS{WJ}\\://a.cn and www{WJ}.b.cn"),
    ("li@xs.gov.cn", f"li{WJ}@xs.gov.cn"),
    ("- item\n1. first", "\\- item\n1\\. first"),
    (":red[x]", "\\:red\\[x\\]"),
    ("visits.csv 3-5 号", "visits.csv 3-5 号"),  # nothing to escape: left as typed
])
def test_plain_escapes_markup_and_breaks_autolinks(typed: str, escaped: str):
    assert plain(typed) == escaped
