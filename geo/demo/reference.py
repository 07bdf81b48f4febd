"""The real reference data shipped in ``data/reference`` (see its SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.errors import DataError
from geo.settings import REFERENCE_DIR
from geo.text import normalize_text, short_village_name, village_kind

COUNTY_CODE = "420526"
COUNTY_NAME = "兴山县"
OUTLINE_FILE = REFERENCE_DIR / "xingshan_county_wgs84.geojson"
UNITS_FILE = REFERENCE_DIR / "xingshan_villages_nbs2023.csv"


def load_county_outline(path: Path = OUTLINE_FILE) -> BaseGeometry:
    """Return the county outline (WGS84) as one (multi)polygon."""
    try:
        frame = gpd.read_file(path)
    except Exception as exc:
        raise DataError("unreadable_outline", file=str(path), detail=str(exc)) from exc
    if frame.empty:
        raise DataError("empty_outline", file=str(path))
    return frame.to_crs(4326).geometry.union_all()


def load_admin_units(path: Path = UNITS_FILE) -> pd.DataFrame:
    """Return the county, its townships and villages from the NBS code list.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, short_name, level, parent_code, kind``; the county first,
        then townships and villages in code order.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    required = {"code", "name", "townCode", "townName", "countyCode"}
    missing = required - set(raw.columns)
    if missing:
        raise DataError("missing_column", file=str(path), column=min(missing))
    towns = (
        raw[["townCode", "townName"]]
        .drop_duplicates()
        .rename(columns={"townCode": "code", "townName": "name"})
        .assign(level="township", parent_code=COUNTY_CODE, kind=None)
    )
    towns["short_name"] = towns["name"].map(normalize_text)
    villages = raw.assign(
        level="village",
        parent_code=raw["townCode"],
        short_name=raw["name"].map(short_village_name),
        kind=raw["name"].map(village_kind),
    )[["code", "name", "short_name", "level", "parent_code", "kind"]]
    county = pd.DataFrame(
        [{"code": COUNTY_CODE, "name": COUNTY_NAME, "short_name": COUNTY_NAME,
          "level": "county", "parent_code": None, "kind": None}]
    )
    units = pd.concat([county, towns.sort_values("code"), villages.sort_values("code")],
                      ignore_index=True)
    return units[["code", "name", "short_name", "level", "parent_code", "kind"]]
