"""The real reference data shipped in ``data/reference`` (see its SOURCES.md)."""

from __future__ import annotations

import gzip
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

PROVINCE_CODE = "42"
PROVINCE_NAME = "湖北省"
PROVINCE_OUTLINES_FILE = REFERENCE_DIR / "hubei_counties_wgs84.geojson.gz"
PROVINCE_UNITS_FILE = REFERENCE_DIR / "hubei_villages_nbs2023.csv.gz"
DIRECT_CITY_CODE = "4290"
DIRECT_CITY_NAME = "省直辖县级行政单位"
"""The "city" that groups the county-level units directly under the province."""
CARVED_COUNTIES = {"421071": ("421003", 90.0), "421171": ("421127", 135.0)}
"""County-level units with no published outline: code -> (the neighbour their schematic
outline is carved from, the side of the neighbour it lies on as a compass bearing in
degrees). 荆州经济技术开发区 lies east of 荆州区, towards 沙市; 龙感湖管理区 south-east of
黄梅县, on the lakes along the Anhui border."""


def load_county_outline(path: Path = OUTLINE_FILE) -> BaseGeometry:
    """Return the county outline (WGS84) as one (multi)polygon."""
    try:
        frame = gpd.read_file(path)
    except Exception as exc:
        raise DataError("unreadable_outline", file=str(path), detail=str(exc)) from exc
    if frame.empty:
        raise DataError("empty_outline", file=str(path))
    return frame.to_crs(4326).geometry.union_all()


def load_county_outlines(path: Path = PROVINCE_OUTLINES_FILE) -> gpd.GeoDataFrame:
    """Return the province's county-level outlines (WGS84): ``code``, ``name``, ``city``.

    ``path`` may be gzip-compressed (``.gz``), as the shipped file is.
    """
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                frame = gpd.read_file(handle.read())
        else:
            frame = gpd.read_file(path)
    except Exception as exc:
        raise DataError("unreadable_outline", file=str(path), detail=str(exc)) from exc
    missing = {"code", "name", "city"} - set(frame.columns)
    if missing:
        raise DataError("missing_column", file=str(path), column=min(missing))
    frame = frame.to_crs(4326)
    frame["code"] = frame["code"].astype(str)
    return frame[["code", "name", "city", "geometry"]].sort_values("code", ignore_index=True)


def read_code_list(path: Path = PROVINCE_UNITS_FILE) -> pd.DataFrame:
    """Return the NBS code list (``code, name, townCode, townName, countyCode,
    countyName``) as text; ``path`` may be gzip-compressed."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    required = {"code", "name", "townCode", "townName", "countyCode"}
    missing = required - set(raw.columns)
    if missing:
        raise DataError("missing_column", file=str(path), column=min(missing))
    return raw


def township_and_village_units(raw: pd.DataFrame) -> pd.DataFrame:
    """The townships (parent: their county) and villages (parent: their township) of an
    NBS code list, townships first, each in code order.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, short_name, level, parent_code, kind``.
    """
    towns = (
        raw[["townCode", "townName", "countyCode"]]
        .drop_duplicates(["townCode"])
        .rename(columns={"townCode": "code", "townName": "name", "countyCode": "parent_code"})
        .assign(level="township", kind=None)
    )
    towns["short_name"] = towns["name"].map(normalize_text)
    villages = raw.assign(
        level="village",
        parent_code=raw["townCode"],
        short_name=raw["name"].map(short_village_name),
        kind=raw["name"].map(village_kind),
    )[["code", "name", "short_name", "level", "parent_code", "kind"]]
    units = pd.concat([towns.sort_values("code"), villages.sort_values("code")],
                      ignore_index=True)
    return units[["code", "name", "short_name", "level", "parent_code", "kind"]]


def load_admin_units(path: Path = UNITS_FILE) -> pd.DataFrame:
    """Return the county, its townships and villages from the NBS code list.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, short_name, level, parent_code, kind``; the county first,
        then townships and villages in code order.
    """
    raw = read_code_list(path)
    county = pd.DataFrame(
        [{"code": COUNTY_CODE, "name": COUNTY_NAME, "short_name": COUNTY_NAME,
          "level": "county", "parent_code": None, "kind": None}]
    )
    return pd.concat([county, township_and_village_units(raw)], ignore_index=True)
