"""Text normal form and name helpers."""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

from geo.values import by_distinct

_WHITESPACE = re.compile(r"\s+")
_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")


def normalize_text(value: object) -> str:
    """Return DESIGN.md's text normal form of ``value``.

    Unicode NFKC, leading and trailing white space removed, every run of white space
    (U+3000 included) folded to one space. ``None`` and NaN become ``""``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _WHITESPACE.sub(" ", text).strip()


def normalize_texts(values: pd.Series) -> pd.Series:
    """``normalize_text`` of every value of ``values``, on its index, each distinct
    value normalised once (visit summaries repeat: a million of them hold far fewer
    distinct texts)."""
    return by_distinct(values, normalize_text, missing=normalize_text(None))


def short_village_name(name: str) -> str:
    """Derive the display name of a village-level unit.

    ``龙池村村民委员会`` becomes ``龙池村``, ``龙珠社区居民委员会`` becomes ``龙珠社区``; a
    name without a committee suffix is returned normalised.

    Examples
    --------
    >>> short_village_name("龙池村村民委员会")
    '龙池村'
    >>> short_village_name("丰邑社区")
    '丰邑社区'
    """
    text = normalize_text(name)
    for suffix in _VILLAGE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            stem = text[: -len(suffix)]
            if suffix.startswith("村") and not stem.endswith(("村", "社区")):
                return stem + "村"
            if suffix.startswith("居") and not stem.endswith(("社区", "村")):
                return stem + "社区"
            return stem
    return text


def village_kind(name: str) -> str:
    """Return ``社区`` for a residents' committee or community, else ``村``."""
    text = normalize_text(name)
    return "社区" if ("社区" in text or "居民委员会" in text or "居委会" in text) else "村"
