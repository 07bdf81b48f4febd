import pytest

from geo.demo.reference import load_admin_units
from geo.text import normalize_text, short_village_name, village_kind


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
