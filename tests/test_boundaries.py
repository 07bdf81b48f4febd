"""Tests of the schematic township/village boundaries on the real Xingshan data."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.crs import county_crs, gauss_kruger_epsg
from geo.demo.schematic import generate_schematic_boundaries

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
METRIC = "EPSG:4546"  # CGCS2000 / 3-degree Gauss-Kruger CM 111E
KM2 = 1e6


def build_units(villages: pd.DataFrame) -> pd.DataFrame:
    """Turn the NBS village list into the ``units`` frame: townships first."""
    towns = villages.drop_duplicates("townCode")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "code": towns["townCode"],
                    "level": "township",
                    "parent_code": towns["countyCode"],
                }
            ),
            pd.DataFrame(
                {"code": villages["code"], "level": "village", "parent_code": villages["townCode"]}
            ),
        ],
        ignore_index=True,
    )


def overlap_area(geoms: gpd.GeoSeries) -> float:
    """Total area of pairwise intersections between distinct geometries."""
    values = geoms.to_numpy()
    left, right = shapely.STRtree(values).query(values, predicate="intersects")
    pairs = left < right
    overlaps = shapely.intersection(values[left[pairs]], values[right[pairs]])
    return float(shapely.area(overlaps).sum())


@pytest.fixture(scope="module")
def outline() -> shapely.geometry.base.BaseGeometry:
    frame = gpd.read_file(REFERENCE / "xingshan_county_wgs84.geojson")
    assert len(frame) == 1
    return frame.to_crs(4326).geometry.iloc[0]


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    villages = pd.read_csv(REFERENCE / "xingshan_villages_nbs2023.csv", dtype=str)
    return build_units(villages)


@pytest.fixture(scope="module")
def generated(outline, units) -> dict[str, tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]]:
    """One generation per run: seed 42 twice (determinism) and seed 6.

    Seed 6 first groups a township into two pieces, which are then traded whole.
    """
    return {
        "42": generate_schematic_boundaries(outline, units, seed=42),
        "42 again": generate_schematic_boundaries(outline, units, seed=42),
        "6": generate_schematic_boundaries(outline, units, seed=6),
    }


@pytest.fixture(scope="module")
def metric(generated) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    townships, villages = generated["42"]
    return townships.to_crs(METRIC), villages.to_crs(METRIC)


@pytest.fixture(scope="module")
def outline_metric(outline) -> shapely.geometry.base.BaseGeometry:
    return gpd.GeoSeries([outline], crs=4326).to_crs(METRIC).iloc[0]


@pytest.mark.parametrize(
    ("lon", "epsg"),
    [(110.7, 4546), (75.0, 4534), (135.0, 4554), (116.4, 4548), (121.47, 4549), (87.6, 4538)],
)
def test_gauss_kruger_epsg(lon, epsg):
    assert gauss_kruger_epsg(lon) == epsg


@pytest.mark.parametrize("lon", [0.0, 72.0, 137.0, -110.7, math.nan, math.inf])
def test_gauss_kruger_epsg_outside_china(lon):
    with pytest.raises(ValueError):
        gauss_kruger_epsg(lon)


def test_county_crs(outline):
    assert county_crs(outline).to_epsg() == 4546


def test_counts_columns_and_order(generated, units):
    townships, villages = generated["42"]
    town_rows = units[units["level"] == "township"]
    village_rows = units[units["level"] == "village"]
    assert (len(townships), len(villages)) == (8, 96)
    assert list(townships.columns) == ["code", "geometry"]
    assert list(villages.columns) == ["code", "township_code", "geometry"]
    assert list(townships.index) == list(range(8))
    assert list(villages.index) == list(range(96))
    assert townships.crs.to_epsg() == 4326 and villages.crs.to_epsg() == 4326
    assert list(townships["code"]) == list(town_rows["code"])
    assert list(villages["code"]) == list(village_rows["code"])
    assert list(villages["township_code"]) == list(village_rows["parent_code"])


def test_geometries_valid_nonempty_polygonal(generated):
    for frame in generated["42"]:
        geoms = frame.geometry
        assert geoms.is_valid.all()
        assert not geoms.is_empty.any()
        assert set(geoms.geom_type) <= {"Polygon", "MultiPolygon"}
        assert (geoms.to_crs(METRIC).area > 0).all()


def test_townships_tile_outline(metric, outline_metric):
    townships, _ = metric
    gap_or_spill = townships.union_all().symmetric_difference(outline_metric).area
    assert gap_or_spill < 0.1 * KM2
    assert overlap_area(townships.geometry) < 0.1 * KM2


def test_villages_do_not_overlap(metric):
    _, villages = metric
    assert overlap_area(villages.geometry) < 0.1 * KM2


def test_each_village_inside_its_township(metric):
    townships, villages = metric
    by_code = dict(zip(townships["code"], townships.geometry, strict=True))
    for code, town, geom in zip(
        villages["code"], villages["township_code"], villages.geometry, strict=True
    ):
        assert geom.difference(by_code[town]).area < 0.01 * KM2, code


def test_villages_cover_their_township(metric):
    townships, villages = metric
    for code, town in zip(townships["code"], townships.geometry, strict=True):
        union = villages.geometry[villages["township_code"] == code].union_all()
        assert union.symmetric_difference(town).area < 0.1 * KM2, code


def test_hole_stays_and_detached_part_is_covered(metric, outline_metric):
    townships, villages = metric
    parts = sorted(shapely.get_parts(outline_metric), key=lambda p: p.area)
    small, main = parts[0], parts[-1]
    assert small.area < 0.1 * KM2 and len(main.interiors) == 1
    hole = shapely.Polygon(main.interiors[0])
    for frame in (townships, villages):
        assert frame.intersection(hole).area.sum() < 1e-3 * hole.area
        assert frame.intersection(small).area.sum() == pytest.approx(small.area, rel=1e-3)


@pytest.mark.parametrize("seed", ["42", "6"])
def test_units_are_one_piece_but_for_the_detached_part(generated, seed):
    for frame in generated[seed]:
        parts = shapely.get_parts(frame.to_crs(METRIC).geometry.to_numpy())
        assert (shapely.area(parts) > 0.1 * KM2).sum() == len(frame)


def test_township_areas_follow_village_counts(metric):
    townships, villages = metric
    counts = villages.groupby("township_code").size().reindex(townships["code"]).to_numpy()
    per_village = townships.area.to_numpy() / counts
    ratio = per_village / per_village.mean()
    assert ratio.min() > 0.5 and ratio.max() < 2.0


def test_vertex_budget(generated):
    _, villages = generated["42"]
    assert shapely.get_num_coordinates(villages.geometry.to_numpy()).sum() < 15_000


def test_deterministic_for_a_seed(generated):
    for first, again in zip(generated["42"], generated["42 again"], strict=True):
        assert first.drop(columns="geometry").equals(again.drop(columns="geometry"))
        assert all(
            np.array_equal(shapely.get_coordinates(a), shapely.get_coordinates(b))
            for a, b in zip(first.geometry, again.geometry, strict=True)
        )


def test_different_seed_gives_different_shapes(generated):
    _, villages_42 = generated["42"]
    _, villages_6 = generated["6"]
    moved = [
        not shapely.equals_exact(a, b, tolerance=1e-6)
        for a, b in zip(villages_42.geometry, villages_6.geometry, strict=True)
    ]
    assert sum(moved) > len(moved) // 2


def test_township_without_villages_still_gets_a_polygon(outline, units):
    small = units[(units["level"] == "township") | (units["parent_code"] != "420526202")]
    townships, villages = generate_schematic_boundaries(outline, small, seed=1)
    assert len(townships) == 8 and len(villages) == 96 - 8
    empty_town = townships.loc[townships["code"] == "420526202", "geometry"].iloc[0]
    assert not empty_town.is_empty and empty_town.area > 0


def test_rejects_village_of_unknown_township(outline, units):
    broken = units.copy()
    broken.loc[broken["level"] == "village", "parent_code"] = "420526999"
    with pytest.raises(ValueError, match="unknown township"):
        generate_schematic_boundaries(outline, broken)
