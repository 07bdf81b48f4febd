import pandas as pd
import pytest

from geo.demo.reference import load_admin_units
from geo.text import normalize_text, normalize_texts, short_village_name, village_kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  龙池村 ", "龙池村"),
        ("龙池\u3000\u3000村", "龙池 村"),
        ("ＡＢＣ１２３", "ABC123"),
        ("a \t\n b", "a b"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_normal_form(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("name", "short", "kind"),
    [
        ("龙池村村民委员会", "龙池村", "村"),
        ("龙珠社区居民委员会", "龙珠社区", "社区"),
        ("峡口居民委员会", "峡口社区", "社区"),
        ("丰邑社区", "丰邑社区", "社区"),
        ("黄粮坪村", "黄粮坪村", "村"),
    ],
)
def test_short_village_name(name, short, kind):
    assert short_village_name(name) == short
    assert village_kind(name) == kind


def test_every_real_village_gets_a_clean_short_name():
    units = load_admin_units()
    villages = units[units["level"] == "village"]
    assert len(villages) == 96
    assert not villages["short_name"].str.contains("委员会").any()
    assert villages["short_name"].str.endswith(("村", "社区")).all()
    assert villages["short_name"].is_unique


def test_normalize_texts_gives_each_value_its_normal_form_on_the_same_index():
    values = pd.Series(["  入户　走访 ", None, "入户 走访", float("nan"), "ＡＢ", "  入户　走访 "],
                       index=[10, 11, 12, 13, 14, 15])
    normal = normalize_texts(values)
    assert normal.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert normal.tolist() == ["入户 走访", "", "入户 走访", "", "AB", "入户 走访"]


def test_normalize_texts_of_nothing_is_empty():
    assert normalize_texts(pd.Series([], dtype=object)).empty


def test_by_distinct_calls_once_per_distinct_value_and_keeps_the_index():
    from geo.values import by_distinct

    calls = []
    values = pd.Series(["甲", None, "乙", "甲", float("nan"), pd.NA], index=[5, 6, 7, 8, 9, 10])
    shown = by_distinct(values, lambda v: calls.append(v) or f"<{v}>", missing="—")
    assert shown.tolist() == ["<甲>", "—", "<乙>", "<甲>", "—", "—"]
    assert shown.index.tolist() == [5, 6, 7, 8, 9, 10]
    assert calls == ["甲", "乙"]  # once each, and never for a missing value
